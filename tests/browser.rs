//! Adapter tests in a real headless browser (wasm-bindgen-test + chromedriver).
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --test browser`
#![cfg(target_arch = "wasm32")]

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use autologoff::browser::activity::ActivityWatcher;
use autologoff::browser::api::{settings_from_script, start_session, stop_session, Session};
use autologoff::browser::cover::Concealment;
use autologoff::browser::dialog::WarningDialog;
use autologoff::browser::dom;
use autologoff::browser::listener::Listener;
use autologoff::browser::promise;
use autologoff::engine::ExtendHow;
use autologoff::session::Action;
use autologoff::text::{self, Key};
use autologoff::time::{Duration, Moment};
use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::{Event, HtmlElement, KeyboardEvent, KeyboardEventInit};

wasm_bindgen_test_configure!(run_in_browser);

fn query(selector: &str) -> Option<HtmlElement> {
    dom::document().query_selector(selector).unwrap().map(|e| e.unchecked_into())
}

fn options(pairs: &[(&str, &str)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &(*k).into(), &(*v).into()).unwrap();
    }
    o.into()
}

fn start(pairs: &[(&str, &str)]) -> Session {
    start_session(Some(options(pairs).unchecked_into())).map_err(JsValue::from).expect("valid test options")
}

fn html_state() -> Option<String> {
    dom::document().document_element().unwrap().get_attribute("data-autologoff-state")
}

async fn sleep(ms: u64) {
    let _ = wasm_bindgen_futures::JsFuture::from(promise::sleep(ms)).await;
}

/// The test runner writes its output into `<body>`, which a page signed out without a redirect
/// empties: tests that log out keep it beside `<body>` meanwhile.
struct RunnerOutputAside(HtmlElement);

impl RunnerOutputAside {
    fn new() -> Self {
        let body = dom::document().body().unwrap();
        let holder = dom::element("div", &[]);
        while let Some(child) = body.first_child() {
            holder.append_child(&child).unwrap();
        }
        dom::document().document_element().unwrap().append_child(&holder).unwrap();
        RunnerOutputAside(holder)
    }
}

impl Drop for RunnerOutputAside {
    fn drop(&mut self) {
        let body = dom::document().body().unwrap();
        while let Some(child) = self.0.first_child() {
            body.append_child(&child).unwrap();
        }
        self.0.remove();
    }
}

/// Undo what a cover does, so later tests see a normal page.
fn uncover() {
    while let Some(c) = query("[data-autologoff-cover]") {
        c.remove();
    }
    let body = dom::document().body().unwrap();
    body.remove_attribute("inert").unwrap();
    body.style().remove_property("visibility").unwrap();
}

#[wasm_bindgen_test]
fn script_attributes_are_read_leniently() {
    let script =
        dom::element("script", &[("data-timeout", "2m"), ("data-warning", "never"), ("data-logout-url", "/bye")]);
    let (settings, errors) = settings_from_script(&script);
    assert_eq!(settings.policy.timeout(), Duration::from_ms(120_000));
    assert_eq!(settings.policy.warning(), Duration::from_ms(60_000));
    assert_eq!(settings.logout_url.as_deref(), Some("/bye"));
    assert_eq!(errors.len(), 1);
    assert!(errors[0].message().contains("attribute `data-warning`"));
}

#[wasm_bindgen_test]
fn watcher_ignores_untrusted_input_and_detaches_on_drop() {
    let activity = Rc::new(Cell::new(0));
    let wakes = Rc::new(Cell::new(0));
    let (a, w) = (activity.clone(), wakes.clone());
    let watcher = ActivityWatcher::new(Rc::new(move |_| a.set(a.get() + 1)), Rc::new(move || w.set(w.get() + 1)));
    let window = dom::window();
    for t in ["pointerdown", "pointermove", "keydown", "wheel", "touchstart", "scroll"] {
        window.dispatch_event(&Event::new(t).unwrap()).unwrap();
    }
    assert_eq!(activity.get(), 0, "script-made events are not activity");
    assert_eq!(watcher.last_input(), Moment::EPOCH, "nor are they recorded");
    dom::document().dispatch_event(&Event::new("visibilitychange").unwrap()).unwrap();
    window.dispatch_event(&Event::new("pageshow").unwrap()).unwrap();
    assert_eq!(wakes.get(), 2, "lifecycle moments re-check the deadline");
    drop(watcher);
    dom::document().dispatch_event(&Event::new("visibilitychange").unwrap()).unwrap();
    assert_eq!(wakes.get(), 2, "no listener left after drop");
}

fn keydown(target: &web_sys::EventTarget, key: &str, shift: bool) -> bool {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_shift_key(shift);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let e = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    target.dispatch_event(&e).unwrap()
}

#[wasm_bindgen_test]
fn dialog_is_an_accessible_alert_dialog_and_cleans_up() {
    let before = dom::element("button", &[("id", "before")]);
    dom::document().body().unwrap().append_child(&before).unwrap();
    before.focus().unwrap();

    let actions = Rc::new(RefCell::new(Vec::new()));
    let a = actions.clone();
    let mut overrides = text::Overrides::default();
    overrides.0[Key::Title as usize] = Some("¿Sigue ahí?".into());
    let text = text::Text::new("es", &overrides, None);
    let dialog = WarningDialog::show(
        &text,
        Duration::from_ms(60_000),
        false,
        Rc::new(move |action, trusted, _by_key, _repeat| a.borrow_mut().push((action, trusted))),
    );

    let d = &dialog.element();
    assert!(d.unchecked_ref::<web_sys::HtmlDialogElement>().open());
    assert_eq!(d.get_attribute("role").as_deref(), Some("alertdialog"));
    assert_eq!(d.get_attribute("aria-modal").as_deref(), Some("true"));
    assert_eq!(d.get_attribute("lang").as_deref(), Some("es"));
    assert_eq!(query("#autologoff-title").unwrap().text_content().as_deref(), Some("¿Sigue ahí?"));
    assert_eq!(query("#autologoff-message").unwrap().text_content().as_deref(), Some(text::ES.get(Key::Message)));
    let active = dom::document().active_element().unwrap();
    assert_eq!(active.get_attribute("data-autologoff-action").as_deref(), Some("extend"));
    assert_eq!(active.text_content().as_deref(), Some("Seguir conectado"));

    // Countdown every second; live region only at coarse steps.
    let live = query("[data-autologoff-live]").unwrap();
    let countdown = query("[data-autologoff-countdown]").unwrap();
    assert_eq!(live.text_content().as_deref(), Some("Tiempo restante: 1:00"));
    dialog.update(Duration::from_ms(59_000));
    assert_eq!(countdown.text_content().as_deref(), Some("0:59"));
    assert_eq!(live.text_content().as_deref(), Some("Tiempo restante: 1:00"), "no announcement every second");
    dialog.update(Duration::from_ms(40_000));
    assert_eq!(live.text_content().as_deref(), Some("Tiempo restante: 0:40"));
    dialog.update(Duration::from_ms(10_000));
    assert_eq!(live.text_content().as_deref(), Some("Tiempo restante: 0:10"));
    dialog.update(Duration::from_ms(9_000));
    assert_eq!(live.text_content().as_deref(), Some("Tiempo restante: 0:10"));

    // Tab wraps at the ends; Escape means "stay"; each button reports its action, and whether
    // the user (not a script, as here) used it: the session core acts only on the user's.
    let logout: HtmlElement = query("[data-autologoff-action=logout]").unwrap();
    logout.focus().unwrap();
    assert!(!keydown(d, "Tab", false), "Tab on the last button is taken over");
    assert_eq!(
        dom::document().active_element().unwrap().get_attribute("data-autologoff-action").as_deref(),
        Some("extend")
    );
    assert!(!keydown(d, "Escape", false));
    assert_eq!(*actions.borrow(), vec![(Action::Stay(ExtendHow::Key), false)]);
    logout.click();
    query("[data-autologoff-action=extend]").unwrap().click();
    assert_eq!(
        *actions.borrow(),
        vec![(Action::Stay(ExtendHow::Key), false), (Action::Logout, false), (Action::Stay(ExtendHow::Button), false)]
    );
    // `cancel` (which a script can cause) is prevented and reports nothing.
    // (Any event interface will do for a `cancel` event: KeyboardEventInit is the one enabled.)
    let init = KeyboardEventInit::new();
    init.set_cancelable(true);
    let cancel = KeyboardEvent::new_with_keyboard_event_init_dict("cancel", &init).unwrap();
    assert!(!d.dispatch_event(&cancel).unwrap(), "cancel is prevented");
    assert_eq!(actions.borrow().len(), 3);
    assert!(d.unchecked_ref::<web_sys::HtmlDialogElement>().open());

    drop(dialog);
    assert!(query("[data-autologoff-dialog]").is_none(), "removed on drop");
    assert_eq!(dom::document().active_element().unwrap().id(), "before", "focus returned");
    before.remove();
}

/// `element`'s box in the viewport: left, top, right, bottom.
fn rect(element: &JsValue) -> [f64; 4] {
    let r = dom::call0(element, "getBoundingClientRect");
    ["left", "top", "right", "bottom"].map(|k| dom::get(&r, k).as_f64().unwrap())
}

/// The element topmost at (x, y) of the viewport.
fn top_at(x: f64, y: f64) -> JsValue {
    dom::call2(&dom::document(), "elementFromPoint", &x.into(), &y.into())
}

#[wasm_bindgen_test]
fn the_concealment_is_opaque_above_the_page_and_below_the_dialog_and_goes_on_drop() {
    let window = dom::window();
    let body = dom::document().body().unwrap();
    // What a page may have above its content: a widget at the highest z-index, and a popover of
    // its own already open (in the top layer).
    let widget = dom::element("div", &[]);
    widget.style().set_css_text("position:fixed;left:0;top:0;width:50px;height:50px;z-index:2147483647");
    let popover = dom::element("div", &[("popover", "manual")]);
    popover.style().set_css_text("position:fixed;inset:auto;left:60px;top:0;width:50px;height:50px;margin:0");
    body.append_child(&widget).unwrap();
    body.append_child(&popover).unwrap();
    dom::call0(&popover, "showPopover");

    let concealment = Concealment::show();
    let shade = query("[data-autologoff-conceal]").expect("shown");
    let style = window.get_computed_style(&shade).unwrap().unwrap();
    assert_eq!(style.get_property_value("position").unwrap(), "fixed");
    let bg = style.get_property_value("background-color").unwrap();
    assert!(bg.starts_with("rgb("), "opaque, not {bg}");
    let [left, top, right, bottom] = rect(&shade);
    let (w, h) = (window.inner_width().unwrap().as_f64().unwrap(), window.inner_height().unwrap().as_f64().unwrap());
    assert!(left <= 0.0 && top <= 0.0 && right >= w - 20.0 && bottom >= h - 20.0, "the whole viewport");
    for (x, y) in [(25.0, 25.0), (85.0, 25.0), (w / 2.0, h - 5.0)] {
        assert_eq!(top_at(x, y), JsValue::from(&shade), "concealed at ({x}, {y})");
    }
    // The warning dialog opens above it.
    let dialog = WarningDialog::show(
        &text::Text::new("en", &Default::default(), None),
        Duration::from_ms(60_000),
        false,
        Rc::new(|_, _, _, _| {}),
    );
    let [left, top, right, _] = rect(&dialog.element());
    let middle = top_at((left + right) / 2.0, top + 8.0);
    assert!(dialog.element().contains(Some(middle.unchecked_ref())), "the dialog is above the concealment");
    drop(dialog);
    drop(concealment);
    assert!(query("[data-autologoff-conceal]").is_none(), "removed on drop");
    assert_eq!(top_at(25.0, 25.0), JsValue::from(&widget), "the page is back");
    dom::call0(&popover, "hidePopover");
    widget.remove();
    popover.remove();
}

#[wasm_bindgen_test]
async fn termination_covers_clears_and_says_signed_out_without_a_redirect() {
    let window = dom::window();
    window.local_storage().unwrap().unwrap().set_item("phi", "x").unwrap();
    window.session_storage().unwrap().unwrap().set_item("phi", "x").unwrap();
    let doc: web_sys::HtmlDocument = dom::document().unchecked_into();
    doc.set_cookie("readable=1; path=/").unwrap();
    assert!(doc.cookie().unwrap().contains("readable=1"));
    let aside = RunnerOutputAside::new();
    let body = dom::document().body().unwrap();
    let media = dom::element("video", &[]);
    body.append_child(&media).unwrap();

    let session =
        start(&[("timeout", "1m"), ("warning", "20s"), ("logoutWait", "1s"), ("channel", "termination-test")]);
    session.logout();
    let shown = query("[data-autologoff-cover]").expect("cover is up at once");
    assert_eq!(window.get_computed_style(&shown).unwrap().unwrap().get_property_value("position").unwrap(), "fixed");
    assert!(dom::document().body().unwrap().has_attribute("inert"));
    sleep(1_300).await;
    // Only the session record is left: a tombstone of timestamps, no data.
    let local = window.local_storage().unwrap().unwrap();
    let keys: Vec<String> = (0..local.length().unwrap()).filter_map(|i| local.key(i).unwrap()).collect();
    assert_eq!(keys, vec!["autologoff:termination-test".to_string()]);
    let record = local.get_item("autologoff:termination-test").unwrap().unwrap();
    let decoded = autologoff::wire::Record::decode(&record, dom::now()).expect("a valid record");
    assert!(decoded.ended.is_some(), "{record}");
    local.clear().unwrap();
    assert_eq!(window.session_storage().unwrap().unwrap().length().unwrap(), 0);
    assert!(!doc.cookie().unwrap().contains("readable"));
    let text = shown.text_content().unwrap();
    assert!(text.starts_with(text::EN.get(Key::SignedOut)), "{text}");
    assert!(query("[data-autologoff-sign-in]").is_some());
    // Without a redirect, the page's content is removed, not only hidden.
    assert!(!media.is_connected(), "the page's content is gone");
    assert_eq!(body.child_element_count(), 0);
    drop(aside);
    session.stop();
    uncover();
}

#[wasm_bindgen_test]
async fn a_session_warns_extends_and_stops_on_real_timers() {
    let warnings = Rc::new(Cell::new(0));
    let w = warnings.clone();
    let listener = Listener::new(&dom::document(), "autologoff:warning", move |_: &Event| w.set(w.get() + 1));

    // One session per page: the last start() wins.
    let first = start(&[("timeout", "1m"), ("warning", "20s"), ("channel", "timers-test")]);
    let session = start(&[("timeout", "1500ms"), ("warning", "1s"), ("channel", "timers-test")]);
    assert_eq!(first.state(), "stopped", "replaced by the later start()");
    assert_eq!(session.state(), "active");
    assert_eq!(html_state().as_deref(), Some("active"));

    sleep(800).await;
    assert_eq!(session.state(), "warning");
    assert_eq!(html_state().as_deref(), Some("warning"));
    assert_eq!(warnings.get(), 1);
    assert!(query("[data-autologoff-dialog]").is_some());
    assert!(query("[data-autologoff-conceal]").is_some(), "the page is concealed");
    assert!(session.remaining_ms() <= 1_000.0);

    assert!(session.extend());
    assert_eq!(session.state(), "active");
    assert!(query("[data-autologoff-dialog]").is_none());
    assert!(query("[data-autologoff-conceal]").is_none(), "and revealed");
    assert!(session.remaining_ms() > 1_000.0);

    session.stop();
    assert_eq!(html_state().as_deref(), Some("stopped"));
    sleep(1_800).await;
    assert_eq!(session.state(), "stopped");
    assert!(query("[data-autologoff-dialog]").is_none(), "no timer left after stop");
    assert_eq!(warnings.get(), 1);
    drop(listener);
}

#[wasm_bindgen_test]
async fn logout_from_the_api_covers_and_reports_the_reason() {
    let reasons = Rc::new(RefCell::new(Vec::new()));
    let r = reasons.clone();
    let listener = Listener::new(&dom::document(), "autologoff:logout", move |e: &Event| {
        let detail = e.unchecked_ref::<web_sys::CustomEvent>().detail();
        r.borrow_mut().push(Reflect::get(&detail, &"reason".into()).unwrap().as_string().unwrap());
    });
    let aside = RunnerOutputAside::new();
    let session = start(&[("timeout", "1m"), ("warning", "20s"), ("logoutWait", "200ms"), ("channel", "logout-test")]);
    session.logout();
    assert_eq!(session.state(), "expired");
    assert_eq!(html_state().as_deref(), Some("expired"));
    assert!(query("[data-autologoff-cover]").is_some());
    assert_eq!(*reasons.borrow(), vec!["user".to_string()]);
    // Extending an ended session does nothing; logging out again sends nothing more.
    assert!(!session.extend());
    session.logout();
    assert_eq!(reasons.borrow().len(), 1);
    sleep(400).await;
    session.stop();
    assert_eq!(session.state(), "expired", "stop cannot undo a logout");
    drop(aside);
    uncover();
    drop(listener);
}

#[wasm_bindgen_test]
fn bad_options_are_errors_naming_the_option() {
    let err = start_session(Some(options(&[("timeout", "5 minutes")]).unchecked_into()))
        .err()
        .map(JsValue::from)
        .expect("start must fail");
    let message = Reflect::get(&err, &"message".into()).unwrap().as_string().unwrap();
    assert!(message.starts_with("autologoff: option `timeout` must be a duration"), "{message}");
    assert!(err.is_instance_of::<js_sys::Error>());
    stop_session();
}

#[wasm_bindgen_test]
async fn channel_delivers_to_other_instances_and_closes_on_drop() {
    use autologoff::browser::channel::{self as ch, Channel};
    let got = Rc::new(RefCell::new(Vec::new()));
    let records = Rc::new(RefCell::new(Vec::new()));
    let (g, r) = (got.clone(), records.clone());
    let receiver = Channel::open(
        "test-channel",
        Rc::new(move |t| g.borrow_mut().push(t)),
        Rc::new(move |t| r.borrow_mut().push(t)),
    )
    .expect("BroadcastChannel exists");
    let sender = Channel::open("test-channel", Rc::new(|_| {}), Rc::new(|_| {})).unwrap();
    sender.post("1;a;abc;123");
    sleep(50).await;
    assert_eq!(*got.borrow(), vec!["1;a;abc;123".to_string()]);
    // The record written by another tab: its storage event (another document's write fires it;
    // here one is dispatched as the browser would).
    let storage_event = |key: &str, value: Option<&str>| {
        let init = js_sys::Object::new();
        Reflect::set(&init, &"key".into(), &key.into()).unwrap();
        Reflect::set(&init, &"newValue".into(), &value.map_or(JsValue::NULL, JsValue::from)).unwrap();
        let ctor: js_sys::Function = Reflect::get(&dom::window(), &"StorageEvent".into()).unwrap().unchecked_into();
        let event: Event =
            Reflect::construct(&ctor, &js_sys::Array::of2(&"storage".into(), &init)).unwrap().unchecked_into();
        dom::window().dispatch_event(&event).unwrap();
    };
    storage_event("autologoff:test-channel", Some("3;a;b;1;2;1;-;d"));
    storage_event("autologoff:other-channel", Some("ignored"));
    storage_event("autologoff:test-channel", None);
    assert_eq!(*records.borrow(), vec![Some("3;a;b;1;2;1;-;d".to_string()), None], "only this channel's record");
    drop(receiver);
    sender.post("1;a;abc;124");
    storage_event("autologoff:test-channel", Some("after"));
    sleep(50).await;
    assert_eq!(got.borrow().len(), 1, "a dropped channel receives nothing");
    assert_eq!(records.borrow().len(), 2, "nor hears of the record");

    let record = autologoff::wire::Record {
        app: String::new(),
        id: String::new(),
        last_activity: Moment::from_epoch_ms(5),
        ended: None,
        started: Moment::from_epoch_ms(1),
        server: None,
        told: autologoff::wire::Told::Live,
    };
    ch::write_record("test-channel", &record.encode());
    assert_eq!(
        ch::read_record("test-channel", Moment::from_epoch_ms(10)).map(|r| r.last_activity),
        Some(Moment::from_epoch_ms(5))
    );
    dom::window().local_storage().unwrap().unwrap().clear().unwrap();
}

#[wasm_bindgen_test]
async fn only_one_of_two_claims_wins_the_logout() {
    use autologoff::browser::lock;
    async fn claim(tab: &str, hold: js_sys::Promise) -> bool {
        let won = wasm_bindgen_futures::JsFuture::from(lock::claim("claims", tab, &hold)).await;
        won.expect("a claim never rejects").as_bool().expect("a claim resolves to a boolean")
    }
    let (hold, release) = promise::deferred();
    assert!(claim("tab1", hold).await, "the lock is free");
    let (hold2, _release2) = promise::deferred();
    assert!(!claim("tab2", hold2).await, "held by tab1");
    release.call0(&JsValue::UNDEFINED).unwrap();
    sleep(20).await;
    let (hold3, release3) = promise::deferred();
    assert!(claim("tab3", hold3).await, "released after the hold settles");
    release3.call0(&JsValue::UNDEFINED).unwrap();
}

#[wasm_bindgen_test]
async fn pending_callbacks_run_once_and_ignore_a_late_answer_quietly() {
    use autologoff::browser::promise::Pending;
    use wasm_bindgen_futures::JsFuture;
    let unhandled = Rc::new(Cell::new(0));
    let u = unhandled.clone();
    let _listener = Listener::new(&dom::window(), "unhandledrejection", move |_: &Event| u.set(u.get() + 1));
    let pending = Pending::default();

    let (value, resolve) = promise::deferred();
    let got = pending.then(&value, |outcome| JsValue::from_f64(outcome.unwrap().as_f64().unwrap() + 1.0));
    resolve.call1(&JsValue::UNDEFINED, &JsValue::from_f64(6.0)).unwrap();
    assert_eq!(JsFuture::from(got).await.unwrap().as_f64(), Some(7.0), "Ok(value), and what f returns");
    let failed = pending.then(&js_sys::Promise::reject(&"no".into()), |outcome| JsValue::from_bool(outcome.is_err()));
    assert_eq!(JsFuture::from(failed).await.unwrap(), JsValue::TRUE, "a rejection is Err");

    // Dropped before its promise settles: the callback is freed, the answer ignored, no error.
    let called = Rc::new(Cell::new(false));
    let c = called.clone();
    let (late, resolve_late) = promise::deferred();
    let _ = pending.then(&late, move |_| {
        c.set(true);
        JsValue::UNDEFINED
    });
    drop(pending);
    resolve_late.call0(&JsValue::UNDEFINED).unwrap();
    sleep(50).await;
    assert!(!called.get());
    assert_eq!(unhandled.get(), 0, "no unhandled rejection");
}

#[wasm_bindgen_test]
async fn keepalive_answers_reach_the_engine() {
    // fetch answers with `reply`'s status and body, and counts the requests.
    let reply = Rc::new(RefCell::new((200, String::new())));
    let asked = Rc::new(Cell::new(0));
    let (r, a) = (reply.clone(), asked.clone());
    let fake =
        wasm_bindgen::closure::Closure::<dyn FnMut(JsValue, JsValue) -> JsValue>::new(move |url: JsValue, _init| {
            assert_eq!(url.as_string().as_deref(), Some("/ka"));
            a.set(a.get() + 1);
            let (status, body) = r.borrow().clone();
            let response: js_sys::Function = Reflect::get(&dom::window(), &"Response".into()).unwrap().unchecked_into();
            let init = js_sys::Object::new();
            Reflect::set(&init, &"status".into(), &JsValue::from_f64(status as f64)).unwrap();
            let response = Reflect::construct(&response, &js_sys::Array::of2(&body.into(), &init)).unwrap();
            js_sys::Promise::resolve(&response).into()
        });
    let answer = |status: u16, body: &str| *reply.borrow_mut() = (status, body.to_string());
    let window = dom::window();
    let real_fetch = Reflect::get(&window, &"fetch".into()).unwrap();
    Reflect::set(&window, &"fetch".into(), fake.as_ref()).unwrap();

    let aside = RunnerOutputAside::new();
    // A channel of its own: the other tests' sessions ended on theirs (a tombstone there would
    // end this one at start).
    let session = start(&[
        ("timeout", "1m"),
        ("warning", "20s"),
        ("keepaliveUrl", "/ka"),
        ("logoutWait", "100ms"),
        ("channel", "keepalive-test"),
    ]);
    // Extending sends a keepalive; a 2xx with remainingMs brings the deadline forward.
    answer(200, r#"{"remainingMs": 30000}"#);
    assert!(session.extend());
    sleep(50).await;
    assert_eq!(asked.get(), 1);
    assert!(session.remaining_ms() <= 30_000.0, "{}", session.remaining_ms());
    assert_eq!(session.state(), "active");
    // Other statuses bring no news: the server's deadline is not forgotten.
    answer(500, r#"{"remainingMs": 1000}"#);
    assert!(session.extend());
    sleep(50).await;
    assert_eq!(asked.get(), 2);
    let left = session.remaining_ms();
    assert!(left > 25_000.0 && left <= 30_000.0, "{left}");
    // 401: the server ended the session.
    answer(401, "");
    assert!(session.extend());
    sleep(50).await;
    assert_eq!(asked.get(), 3);
    assert_eq!(session.state(), "expired");

    Reflect::set(&window, &"fetch".into(), &real_fetch).unwrap();
    sleep(200).await;
    session.stop();
    drop(aside);
    uncover();
    window.local_storage().unwrap().unwrap().remove_item("autologoff:keepalive-test").unwrap();
}

#[wasm_bindgen_test]
fn options_take_booleans_and_lists() {
    let o = js_sys::Object::new();
    Reflect::set(&o, &"unregisterServiceWorkers".into(), &JsValue::TRUE).unwrap();
    let keys = js_sys::Array::of2(&"theme".into(), &"lang".into());
    Reflect::set(&o, &"keepStorageKeys".into(), &keys).unwrap();
    Reflect::set(&o, &"absoluteTimeout".into(), &"1s".into()).unwrap();
    let err = start_session(Some(o.unchecked_into())).err().map(JsValue::from).expect("absolute under the warning");
    let message = Reflect::get(&err, &"message".into()).unwrap().as_string().unwrap();
    assert!(message.contains("option `absoluteTimeout` must be longer than `warning`"), "{message}");

    let bad = js_sys::Object::new();
    Reflect::set(&bad, &"keepStorageKeys".into(), &js_sys::Array::of1(&JsValue::from_f64(3.0))).unwrap();
    let err = start_session(Some(bad.unchecked_into())).err().map(JsValue::from).expect("numbers are not keys");
    let message = Reflect::get(&err, &"message".into()).unwrap().as_string().unwrap();
    assert!(message.contains("option `keepStorageKeys` must be a list"), "{message}");
    stop_session();
}

#[wasm_bindgen_test]
fn bad_options_still_leave_the_page_protected() {
    // start() rejects, and a session with the fail-safe settings runs until start() is right.
    let err = start_session(Some(options(&[("timeout", "soon"), ("channel", "fail-safe-test")]).unchecked_into()));
    assert!(err.is_err());
    assert_eq!(html_state().as_deref(), Some("active"));
    stop_session();
    assert_eq!(html_state().as_deref(), Some("stopped"));
}

#[wasm_bindgen_test]
async fn a_browser_call_that_throws_neither_wedges_the_session_nor_goes_unreported() {
    let aside = RunnerOutputAside::new();
    // A host function that throws (a page that broke it, a browser bug): here createElement,
    // which the dialog needs first.
    let proto =
        Reflect::get(&dom::window(), &"Document".into()).and_then(|d| Reflect::get(&d, &"prototype".into())).unwrap();
    let original = Reflect::get(&proto, &"createElement".into()).unwrap();
    let broken = wasm_bindgen::closure::Closure::<dyn Fn()>::new(|| wasm_bindgen::throw_str("broken by the page"));
    Reflect::set(&proto, &"createElement".into(), broken.as_ref()).unwrap();
    let audited = Rc::new(RefCell::new(Vec::new()));
    let a = audited.clone();
    let listener = Listener::new(&dom::document(), "autologoff:audit", move |e: &Event| {
        let detail = e.unchecked_ref::<web_sys::CustomEvent>().detail();
        let text = js_sys::JSON::stringify(&detail).map(String::from).unwrap_or_default();
        a.borrow_mut().push(text);
    });
    let session =
        start(&[("timeout", "1500ms"), ("warning", "1s"), ("logoutWait", "200ms"), ("channel", "broken-test")]);
    sleep(900).await;
    // The dialog could not be built; the session went on regardless.
    assert_eq!(session.state(), "warning");
    sleep(1_200).await;
    Reflect::set(&proto, &"createElement".into(), &original).unwrap();
    drop(broken);
    assert_eq!(session.state(), "expired", "the runner went on after the failed call");
    assert_eq!(html_state().as_deref(), Some("expired"));
    let audited = audited.borrow();
    assert!(
        audited.iter().any(|e| e.contains("\"type\":\"host-error\"") && e.contains("\"what\":\"createElement\"")),
        "{audited:?}"
    );
    assert!(audited.iter().any(|e| e.contains("\"type\":\"logged-out\"")), "{audited:?}");
    drop(aside);
    session.stop();
    uncover();
    drop(listener);
}
