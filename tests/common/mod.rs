//! A fake browser for the session core: a fake clock, a fake localStorage record shared by the
//! tabs of one test, a fake lock, fake listeners (tap.js's rule: record every input, call in at
//! or after `quiet`), and a log of every command. It drives the real `Core` through the real
//! `Runner`, so what is tested is the code the browser runs, not a copy of it.
#![allow(dead_code)]

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

use autologoff::config::Settings;
use autologoff::engine::{Policy, State};
use autologoff::runner::{Host, Runner};
use autologoff::session::{Clocks, Command, Core, Event, Input};
use autologoff::time::{Duration, Moment, Monotonic};
use autologoff::wire::Record;

pub const T0: Moment = Moment::from_epoch_ms(1_700_000_000_000);

/// `n` ms.
pub const fn ms(n: u64) -> Duration {
    Duration::from_ms(n)
}

/// A policy of `timeout` and `warning` ms.
pub fn policy(timeout: u64, warning: u64) -> Policy {
    Policy::new(ms(timeout), ms(warning)).expect("test policies are valid")
}

/// What the tabs of one test share: the clock, the record, the lock, the message bus.
#[derive(Default)]
pub struct World {
    /// Wall clock.
    pub wall: Cell<Moment>,
    /// Monotonic clock (real time passing).
    pub mono: Cell<Monotonic>,
    /// localStorage["autologoff:<channel>"].
    pub record: RefCell<Option<String>>,
    /// Who holds the logout lock.
    pub lock: RefCell<Option<String>>,
    /// Messages posted, with when they were sent and by which tab.
    pub bus: RefCell<Vec<(Moment, usize, String)>>,
    /// Logout requests sent: (tab, body).
    pub logouts: RefCell<Vec<(usize, String)>>,
    /// Beacons sent: (tab, body).
    pub beacons: RefCell<Vec<(usize, String)>>,
}

impl World {
    pub fn new() -> Rc<World> {
        let w = World::default();
        w.wall.set(T0);
        Rc::new(w)
    }

    /// Moves both clocks forward by `d` (real time passing).
    pub fn advance(&self, d: Duration) {
        self.wall.set(self.wall.get() + d);
        self.mono.set(self.mono.get() + d);
    }

    /// Sets the wall clock to `at` (moving forward) with real time passing as much.
    pub fn at(&self, at: Moment) {
        let now = self.wall.get();
        if at > now {
            self.advance(at.since(now));
        }
    }

    /// Decoded record.
    pub fn record(&self) -> Option<Record> {
        self.record.borrow().as_deref().and_then(|r| Record::decode(r, self.wall.get()))
    }
}

/// What a page does when autologoff dispatches an event: the inputs it posts right then.
pub type PageListener = Box<dyn FnMut(&Event) -> Vec<Input>>;

/// The fake host of one tab.
pub struct FakeHost {
    pub world: Rc<World>,
    pub index: usize,
    pub me: Weak<Runner<FakeHost>>,
    /// tap.js's `last`: the latest recorded input.
    pub last_input: Cell<Moment>,
    /// tap.js's `quiet`.
    pub quiet: Moment,
    /// The timer.
    pub armed: Option<Moment>,
    /// Every command performed, with the wall time.
    pub log: Vec<(Moment, Command)>,
    /// The dialog is open.
    pub dialog: bool,
    /// The tab title's countdown (None: the page's own).
    pub title: Option<Duration>,
    /// The claim is decided only when the test says so (`settle_claims`).
    pub claims_wait: bool,
    pub claim_pending: bool,
    /// Called when a DOM event is dispatched: may return inputs the page posts right then.
    pub on_event: Option<PageListener>,
    /// Logout requests answer with this status at once (None: left pending).
    pub logout_status: Option<Option<u16>>,
    /// The same for a logout request sent without keepalive.
    pub plain_status: Option<Option<u16>>,
    /// Whether sendBeacon queues.
    pub beacon_queued: bool,
    /// The async clearing reports at once (else left pending).
    pub clear_at_once: bool,
    pub databases_listed: bool,
    pub left: Option<Command>,
}

impl FakeHost {
    fn post(&self, input: Input) {
        if let Some(r) = self.me.upgrade() {
            r.post(input);
        }
    }
}

impl Host for FakeHost {
    fn now(&self) -> Clocks {
        Clocks { wall: self.world.wall.get(), mono: self.world.mono.get(), input: self.last_input.get() }
    }

    fn perform(&mut self, command: Command) {
        let now = self.world.wall.get();
        self.log.push((now, command.clone()));
        match command {
            Command::Event(event) => {
                if let Some(f) = &mut self.on_event {
                    for input in f(&event) {
                        // The page calls back from its listener: while the runner is busy.
                        let ran = self.me.upgrade().map(|r| r.post(input));
                        assert_eq!(ran, Some(false), "a call from a listener runs after the command, not inside it");
                    }
                }
            }
            Command::ShowDialog { .. } => self.dialog = true,
            Command::CloseDialog => self.dialog = false,
            Command::Title(t) => self.title = t,
            Command::Post(text) => self.world.bus.borrow_mut().push((now, self.index, text)),
            Command::WriteRecord(r) => *self.world.record.borrow_mut() = Some(r),
            Command::ReadRecord => {
                let r = self.world.record();
                self.post(Input::Record(r));
            }
            Command::Claim(_) => {
                if self.claims_wait {
                    self.claim_pending = true;
                } else {
                    let won = self.take_lock();
                    self.post(Input::Claim(won));
                }
            }
            Command::ReleaseClaim => {
                let me = self.index.to_string();
                let mut lock = self.world.lock.borrow_mut();
                if lock.as_deref() == Some(me.as_str()) {
                    *lock = None;
                }
            }
            Command::SendLogout { body, keepalive } => {
                self.world.logouts.borrow_mut().push((self.index, body));
                // A plain fetch gets through where the keepalive quota was spent.
                let status = if keepalive { self.logout_status } else { self.plain_status };
                if let Some(status) = status {
                    self.post(Input::LogoutSent(status));
                }
            }
            Command::Beacon(body) => {
                self.world.beacons.borrow_mut().push((self.index, body));
                self.post(Input::BeaconQueued(self.beacon_queued));
            }
            Command::Clear if self.clear_at_once => {
                self.post(Input::Cleared { databases_listed: self.databases_listed });
            }
            Command::Redirect(_) | Command::SignedOut => self.left = Some(command),
            _ => {}
        }
    }

    fn arm(&mut self, at: Option<Moment>) {
        self.armed = at;
    }

    fn quiet(&mut self, until: Moment) {
        self.quiet = until;
    }

    fn settle(&mut self) {}
}

impl FakeHost {
    fn take_lock(&self) -> bool {
        let mut lock = self.world.lock.borrow_mut();
        if lock.is_none() {
            *lock = Some(self.index.to_string());
            true
        } else {
            false
        }
    }
}

/// One tab: a real core and runner on a fake host.
pub struct Tab {
    pub runner: Rc<Runner<FakeHost>>,
    pub world: Rc<World>,
}

pub fn settings(p: Policy) -> Settings {
    Settings {
        policy: p,
        logout_url: Some("/logout".into()),
        redirect_url: Some("/login".into()),
        ..Settings::default()
    }
}

impl Tab {
    /// A tab loading now (its document started loading `loaded_ago` ms ago) with `settings`.
    pub fn open(world: &Rc<World>, index: usize, settings: Settings) -> Tab {
        Tab::open_loaded(world, index, settings, Duration::ZERO)
    }

    pub fn open_loaded(world: &Rc<World>, index: usize, settings: Settings, loaded_ago: Duration) -> Tab {
        let now = world.wall.get();
        let record = world.record();
        let at = Clocks { wall: now, mono: world.mono.get(), input: Moment::EPOCH };
        let mut tab_id = String::from("tab");
        tab_id.push_str(&index.to_string());
        let core = Core::new(settings, tab_id, now - loaded_ago, record, &[], at);
        let runner = Rc::new_cyclic(|me| {
            Runner::new(
                core,
                FakeHost {
                    world: world.clone(),
                    index,
                    me: me.clone(),
                    last_input: Cell::new(Moment::EPOCH),
                    quiet: Moment::EPOCH,
                    armed: None,
                    log: Vec::new(),
                    dialog: false,
                    title: None,
                    claims_wait: false,
                    claim_pending: false,
                    on_event: None,
                    logout_status: Some(Some(204)),
                    plain_status: Some(Some(204)),
                    beacon_queued: true,
                    clear_at_once: true,
                    databases_listed: true,
                    left: None,
                },
            )
        });
        runner.run();
        Tab { runner, world: world.clone() }
    }

    pub fn host<R>(&self, f: impl FnOnce(&mut FakeHost) -> R) -> R {
        self.runner.with_host(f).expect("the host is not busy between inputs")
    }

    pub fn core<R>(&self, f: impl FnOnce(&Core) -> R) -> R {
        self.runner.with_core(f).expect("the core is not busy between inputs")
    }

    pub fn state(&self) -> State {
        self.runner.mirror().state()
    }

    /// A trusted input now, the way tap.js handles it.
    pub fn input(&self) {
        let now = self.world.wall.get();
        let (before, quiet) = self.host(|h| (h.last_input.replace(now), h.quiet));
        if now >= quiet {
            self.runner.post(Input::Activity { before });
        }
    }

    pub fn post(&self, input: Input) -> bool {
        self.runner.post(input)
    }

    /// When the timer is armed for.
    pub fn armed(&self) -> Option<Moment> {
        self.host(|h| h.armed)
    }

    /// The timer fires (and so is no longer armed, unless the core arms it again).
    pub fn fire(&self) {
        self.host(|h| h.armed = None);
        self.runner.post(Input::Timer);
    }

    /// The commands performed so far (and forgets them).
    pub fn take_log(&self) -> Vec<(Moment, Command)> {
        self.host(|h| std::mem::take(&mut h.log))
    }

    pub fn commands(&self) -> Vec<Command> {
        self.take_log().into_iter().map(|(_, c)| c).collect()
    }

    pub fn events(log: &[(Moment, Command)]) -> Vec<Event> {
        log.iter().filter_map(|(_, c)| if let Command::Event(e) = c { Some(*e) } else { None }).collect()
    }
}

/// Runs several tabs: timers on time (plus `lag`), messages delivered `delay` ms after they
/// were posted, in time order.
pub struct Bus {
    pub world: Rc<World>,
    pub tabs: Vec<Tab>,
    pub delay: Duration,
    pub lag: Duration,
    /// How many bus messages have been delivered.
    pub delivered: usize,
    pub queue: VecDeque<(Moment, usize, String)>,
}

impl Bus {
    pub fn new(world: &Rc<World>, tabs: Vec<Tab>, delay: Duration) -> Bus {
        Bus { world: world.clone(), tabs, delay, lag: Duration::ZERO, delivered: 0, queue: VecDeque::new() }
    }

    fn collect(&mut self) {
        let bus = self.world.bus.borrow();
        for (at, from, text) in bus.iter().skip(self.delivered) {
            self.queue.push_back((*at + self.delay, *from, text.clone()));
        }
        self.delivered = bus.len();
    }

    /// Runs every timer and delivery due up to `until`, in time order.
    pub fn run_until(&mut self, until: Moment) {
        loop {
            self.collect();
            let timer = self.tabs.iter().enumerate().filter_map(|(i, t)| t.armed().map(|a| (a + self.lag, i))).min();
            let delivery = self.queue.iter().map(|q| q.0).min();
            let next = match (timer, delivery) {
                (Some(t), Some(d)) => t.0.min(d),
                (Some(t), None) => t.0,
                (None, Some(d)) => d,
                (None, None) => break,
            };
            if next > until {
                break;
            }
            self.world.at(next);
            if delivery == Some(next) {
                let k = self.queue.iter().position(|q| q.0 == next).expect("found above");
                let (_, from, text) = self.queue.remove(k).expect("found above");
                for (j, tab) in self.tabs.iter().enumerate() {
                    if j != from {
                        tab.post(Input::Message(text.clone()));
                    }
                }
            } else if let Some((_, i)) = timer {
                self.tabs[i].fire();
            }
        }
        self.world.at(until);
    }
}
