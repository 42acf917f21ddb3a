//! The browser host: performs the session core's commands with the adapters, and turns every
//! JS callback (input, lifecycle, the timer, messages, promises, the dialog) into an input
//! posted to the one queue (see [`crate::runner`]). It decides nothing: every rule is the
//! core's.

use crate::prelude::*;
use alloc::rc::{Rc, Weak};
use js_sys::Function;
use wasm_bindgen::JsValue;

use super::activity::ActivityWatcher;
use super::channel::{self, Channel};
use super::cover::{Concealment, Cover};
use super::dialog::WarningDialog;
use super::dom;
use super::listener::Listener;
use super::lock;
use super::promise::{self, Pending};
use super::timer::Timeout;
use super::{clear, request};
use crate::config::Settings;
use crate::runner::{Host, Runner};
use crate::session::{Clocks, Command, Event, Input};
use crate::text::Text;
use crate::time::Moment;
use crate::wire::Record;

/// A running session in this page: its core, this host, the queue.
pub type Shared = Rc<Runner<BrowserHost>>;

/// See the module docs.
pub struct BrowserHost {
    me: Weak<Runner<BrowserHost>>,
    settings: Settings,
    text: Text,
    tab: String,
    /// The localStorage keys clearing keeps: the page's own, the record, the logout claim.
    keep: Vec<String>,
    watcher: Option<ActivityWatcher>,
    /// `pagehide`: a page closed while its logout is still being decided sends it at once.
    pagehide: Option<Listener>,
    channel: Option<Channel>,
    timer: Option<Timeout>,
    dialog: Option<WarningDialog>,
    /// The page's title while the warning replaces it.
    saved_title: Option<String>,
    cover: Option<Cover>,
    /// The page concealed behind the warning.
    concealment: Option<Concealment>,
    /// Audit events of this moment, sent out together.
    audit: Vec<String>,
    /// Resolves the hold on the logout claim.
    claim: Option<Function>,
    /// Callbacks on requests a server may never answer: freed with the host.
    pending: Pending,
}

impl BrowserHost {
    /// A host for tab `tab` with `settings` and `text`, listening at once; `me` is the runner
    /// it will belong to.
    pub fn new(me: Weak<Runner<BrowserHost>>, settings: Settings, text: Text, tab: String) -> BrowserHost {
        let channel_name = settings.channel.clone();
        let activity: Rc<dyn Fn(Moment)> = Rc::new(poster(&me, |before| Input::Activity { before }));
        let wake: Rc<dyn Fn()> = Rc::new({
            let me = me.clone();
            let name = channel_name.clone();
            // Timers may have slept: what the other tabs recorded meanwhile comes along.
            move || post(&me, Input::Wake(channel::read_record(&name, dom::now())))
        });
        let message: Rc<dyn Fn(String)> = Rc::new(poster(&me, Input::Message));
        let record: Rc<dyn Fn(Option<String>)> = Rc::new(poster(&me, |text: Option<String>| {
            Input::RecordChanged(text.and_then(|t| Record::decode(&t, dom::now())))
        }));
        // Clearing keeps the record and this session's storage claim (a claim must not vanish
        // under the tab that holds it).
        let mut keep = settings.keep_storage_keys.clone();
        keep.push(crate::wire::claim_key(&channel_name, &settings.identity()));
        keep.push(channel::key(&channel_name));
        let hidden = {
            let me = me.clone();
            move |_: &web_sys::Event| post(&me, Input::PageHide)
        };
        BrowserHost {
            watcher: Some(ActivityWatcher::new(activity, wake)),
            pagehide: Some(Listener::new(&dom::window(), "pagehide", hidden)),
            channel: Channel::open(&channel_name, message, record),
            me,
            settings,
            text,
            tab,
            keep,
            timer: None,
            dialog: None,
            saved_title: None,
            cover: None,
            concealment: None,
            audit: Vec::new(),
            claim: None,
            pending: Pending::default(),
        }
    }

    /// The open warning dialog, for tests.
    pub fn dialog(&self) -> Option<&WarningDialog> {
        self.dialog.as_ref()
    }

    fn flush_audit(&mut self) {
        if self.audit.is_empty() {
            return;
        }
        let events = core::mem::take(&mut self.audit);
        for e in &events {
            if let Ok(detail) = js_sys::JSON::parse(e) {
                dom::emit("autologoff:audit", &detail);
            }
        }
        if let Some(url) = &self.settings.audit_url {
            let mut body = String::from("[");
            crate::num::push_joined(&mut body, &events, ',');
            body.push(']');
            request::audit(url, &body);
        }
    }

    /// Sends `body` to the keepalive URL, or (`body` None) asks the status URL; the answer, as
    /// it came, goes back to the core.
    fn ask_server(&mut self, body: Option<&str>) {
        let s = &self.settings;
        let sent = match body {
            Some(body) => s
                .keepalive_url
                .as_ref()
                .map(|url| request::post(url, body, &s.csrf_header, s.csrf_token.clone(), false)),
            None => s.status_url.as_ref().map(|url| request::status(url)),
        };
        let Some(sent) = sent else { return };
        let me = self.me.clone();
        let _ = self.pending.then(&sent, move |facts| {
            post(&me, Input::Keepalive(facts.map(|f| request::reply(&f)).unwrap_or_default()));
            JsValue::UNDEFINED
        });
    }

    fn send_logout(&mut self, body: &str, keepalive: bool) {
        let me = self.me.clone();
        let s = &self.settings;
        let Some(url) = &s.logout_url else {
            return;
        };
        let sent = request::post(url, body, &s.csrf_header, s.csrf_token.clone(), keepalive);
        let _ = self.pending.then(&sent, move |facts| {
            post(&me, Input::LogoutSent(facts.ok().and_then(|f| request::reply(&f).status)));
            JsValue::UNDEFINED
        });
    }
}

impl Host for BrowserHost {
    fn now(&self) -> Clocks {
        Clocks {
            wall: dom::now(),
            mono: dom::monotonic(),
            input: self.watcher.as_ref().map_or(Moment::EPOCH, ActivityWatcher::last_input),
        }
    }

    fn perform(&mut self, command: Command) {
        match command {
            Command::State(state) => {
                dom::attr(&dom::get(&dom::document(), "documentElement"), "data-autologoff-state", state.as_str())
            }
            Command::Event(event) => {
                // The audit events of this moment first, as they happened before it.
                self.flush_audit();
                dispatch(event);
            }
            Command::Audit(event) => self.audit.push(event),
            Command::ShowDialog { absolute, remaining } => {
                let me = self.me.clone();
                let on_action = Rc::new(move |action, trusted, by_key, repeat| {
                    post(&me, Input::Dialog { action, trusted, by_key, repeat })
                });
                self.dialog = Some(WarningDialog::show(&self.text, remaining, absolute, on_action));
            }
            Command::UpdateDialog { remaining } => {
                if let Some(dialog) = &self.dialog {
                    dialog.update(remaining);
                }
            }
            Command::CloseDialog => self.dialog = None,
            Command::Conceal(on) => self.concealment = on.then(Concealment::show),
            Command::Title(Some(remaining)) => {
                let document = dom::document();
                let original =
                    self.saved_title.get_or_insert_with(|| dom::text_of(&document, "title").unwrap_or_default());
                dom::set(&document, "title", &self.text.warning_title(remaining, original).into());
            }
            Command::Title(None) => {
                if let Some(original) = self.saved_title.take() {
                    dom::set(&dom::document(), "title", &original.into());
                }
            }
            Command::Post(text) => {
                if let Some(channel) = &self.channel {
                    channel.post(&text);
                }
            }
            Command::WriteRecord(record) => channel::write_record(&self.settings.channel, &record),
            Command::ReadRecord => {
                post(&self.me, Input::Record(channel::read_record(&self.settings.channel, dom::now())))
            }
            Command::Keepalive(body) => self.ask_server(Some(&body)),
            Command::Status => self.ask_server(None),
            Command::Report(text) => dom::console("error", &text),
            Command::Cover => {
                // The cover replaces the title: the page's own is not restored over it.
                self.saved_title = None;
                self.cover = Some(Cover::new(&self.text));
            }
            Command::StopInput => self.watcher = None,
            Command::Claim(name) => {
                let (hold, release) = promise::deferred();
                self.claim = Some(release);
                let me = self.me.clone();
                let claimed = lock::claim(&name, &self.tab, &hold);
                // The claim always settles (within about a second), freeing this callback.
                let _ = promise::then(&claimed, move |won| {
                    post(&me, Input::Claim(won.as_bool() == Some(true)));
                    JsValue::UNDEFINED
                });
            }
            Command::ReleaseClaim => {
                if let Some(release) = self.claim.take() {
                    let _ = release.call0(&JsValue::UNDEFINED);
                }
            }
            Command::SendLogout { body, keepalive } => self.send_logout(&body, keepalive),
            Command::Beacon(body) => {
                let s = &self.settings;
                let queued = s.logout_url.as_ref().is_some_and(|url| request::beacon(url, &body, s.csrf_token.clone()));
                post(&self.me, Input::BeaconQueued(queued));
            }
            Command::Clear => {
                clear::web_storage(self.keep.clone());
                let me = self.me.clone();
                let done = clear::asynchronous(self.settings.unregister_service_workers);
                let _ = self.pending.then(&done, move |listed| {
                    let databases_listed = listed.ok().and_then(|v| v.as_bool()).unwrap_or(false);
                    post(&me, Input::Cleared { databases_listed });
                    JsValue::UNDEFINED
                });
            }
            Command::ClearAgain => clear::web_storage(self.keep.clone()),
            Command::ClearTab => {
                clear::tab_storage();
            }
            Command::ClearCookies => {
                clear::cookies();
            }
            Command::Redirect(url) => {
                dom::call1(&dom::get(&dom::window(), "location"), "replace", &url.into());
            }
            Command::SignedOut => {
                let cover = self.cover.get_or_insert_with(|| Cover::new(&self.text));
                cover.signed_out(&self.text);
            }
            Command::Detach => {
                self.watcher = None;
                self.pagehide = None;
                self.channel = None;
                self.timer = None;
                self.dialog = None;
                self.concealment = None;
                if let Some(release) = self.claim.take() {
                    let _ = release.call0(&JsValue::UNDEFINED);
                }
            }
        }
    }

    fn arm(&mut self, at: Option<Moment>) {
        self.timer = at.map(|at| {
            // setTimeout takes a signed 32-bit delay; a longer wait simply wakes early.
            let delay = dom::now().until(at).ms().min(i32::MAX as u64) as u32;
            let me = self.me.clone();
            Timeout::new(delay, Box::new(move || post(&me, Input::Timer)))
        });
    }

    fn quiet(&mut self, until: Moment) {
        if let Some(watcher) = &self.watcher {
            watcher.set_quiet(until);
        }
    }

    fn settle(&mut self) {
        self.flush_audit();
        // A browser call that failed (see calls.js) was said on the console; the core audits it.
        let failed = dom::failures();
        if !failed.is_empty() {
            post(&self.me, Input::HostFailed(failed));
        }
    }
}

/// Posts `input` to the runner, if the session still exists.
fn post(me: &Weak<Runner<BrowserHost>>, input: Input) {
    if let Some(runner) = me.upgrade() {
        runner.post(input);
    }
}

/// A callback that posts what `make` makes of its argument.
fn poster<T>(me: &Weak<Runner<BrowserHost>>, make: impl Fn(T) -> Input + 'static) -> impl Fn(T) + 'static {
    let me = me.clone();
    move |value| post(&me, make(value))
}

/// Dispatches `event` on `document`. Page listeners may call back into the session: they post
/// to the queue, and run after this command.
fn dispatch(event: Event) {
    let (name, key, value) = match event {
        Event::Warning { deadline, remaining } => {
            let detail = dom::object(&[
                ("deadline", JsValue::from_f64(dom::js_time(deadline))),
                ("remainingMs", JsValue::from_f64(remaining.ms() as f64)),
            ]);
            return dom::emit("autologoff:warning", &detail);
        }
        Event::Extend { how } => ("autologoff:extend", "how", how.as_str()),
        Event::Logout { reason } => ("autologoff:logout", "reason", reason.as_str()),
    };
    dom::emit(name, &dom::object(&[(key, value.into())]));
}

/// A random tab id: 10 base-36 digits from `Math.random()` (not a secret, only distinct).
pub fn tab_id() -> String {
    let mut n = (js_sys::Math::random() * 3_656_158_440_062_976.0) as u64; // 36^10
    let mut id = String::with_capacity(10);
    for _ in 0..10 {
        let d = (n % 36) as u8;
        id.push(char::from(if d < 10 { b'0' + d } else { b'a' + d - 10 }));
        n /= 36;
    }
    id
}
