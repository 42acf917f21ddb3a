//! The one queue every input goes through, and the loop that hands inputs to the session core
//! and its commands to the browser (the habit of wasm-bindgen's todomvc scheduler).
//!
//! Every JS callback (an input listener, the timer, a message from another tab, a promise that
//! settled, the page calling `extend()`) calls [`Runner::post`]. An input that arrives while the
//! runner is busy (a page listener of `autologoff:warning` that calls `extend()` while the event
//! is dispatched, a focus event fired by closing the dialog) waits in the queue and runs right
//! after the current one: nothing is refused or lost, and no caller has to remember anything.
//!
//! Generic over the [`Host`] that performs commands, so `cargo test` drives the very same loop
//! natively with a fake host and a fake clock.

use alloc::collections::VecDeque;
use core::cell::{Cell, RefCell};

use crate::bug::SureCell;
use crate::engine::State;
use crate::session::{Clocks, Command, Core, Input};
use crate::time::{Duration, Moment};

/// What performs the session's commands: the browser, or a test's fake.
pub trait Host {
    /// The clocks now (wall clock, monotonic clock, the latest recorded input).
    fn now(&self) -> Clocks;
    /// Performs one command. May run page code (a DOM event), which may post more inputs.
    fn perform(&mut self, command: Command);
    /// Arms the one timer for `at` (`None`: disarm). Called only when it changes.
    fn arm(&mut self, at: Option<Moment>);
    /// Input before `until` need only be recorded (see [`Core::input_quiet_until`]). Called only
    /// when it changes.
    fn quiet(&mut self, until: Moment);
    /// One input's commands were all performed (send out what was batched).
    fn settle(&mut self);
}

/// The session's state, readable at any time (a page listener fired by our own DOM work may
/// read `session.state` while the runner is busy).
#[derive(Debug)]
pub struct Mirror {
    state: Cell<State>,
    deadline: Cell<Option<Moment>>,
}

impl Mirror {
    /// The current state.
    pub fn state(&self) -> State {
        self.state.get()
    }

    /// The time left at `now` (zero once ended).
    pub fn remaining(&self, now: Moment) -> Duration {
        self.deadline.get().map_or(Duration::ZERO, |d| now.until(d))
    }
}

/// A session core, its host and the queue between them. See the module docs.
pub struct Runner<H> {
    core: RefCell<Core>,
    host: RefCell<H>,
    queue: RefCell<VecDeque<Input>>,
    busy: Cell<bool>,
    mirror: Mirror,
    armed: Cell<Option<Moment>>,
    quiet: Cell<Moment>,
}

impl<H: Host> Runner<H> {
    /// A runner for `core` and `host`. Call [`Runner::run`] to perform the start's commands.
    pub fn new(core: Core, host: H) -> Runner<H> {
        let mirror = Mirror { state: Cell::new(core.state()), deadline: Cell::new(core.deadline()) };
        Runner {
            core: RefCell::new(core),
            host: RefCell::new(host),
            queue: RefCell::new(VecDeque::new()),
            busy: Cell::new(false),
            mirror,
            armed: Cell::new(None),
            quiet: Cell::new(Moment::MAX),
        }
    }

    /// Queues `input` and, unless the runner is busy (then it runs right after the current
    /// input), runs the queue. Returns whether it ran now.
    pub fn post(&self, input: Input) -> bool {
        self.queue.sure_mut().push_back(input);
        self.run()
    }

    /// Runs what is queued, and the commands pending since the start. Returns false when it was
    /// busy (called from inside a command): the caller's input then runs right after.
    pub fn run(&self) -> bool {
        if self.busy.replace(true) {
            return false;
        }
        // The start's commands, then each input's.
        self.perform_pending();
        loop {
            let Some(input) = self.queue.sure_mut().pop_front() else {
                break;
            };
            if input == Input::Timer {
                // The timer fired: it is no longer armed, whatever it is re-armed for.
                self.armed.set(None);
            }
            let at = self.host.sure_ref().now();
            self.core.sure_mut().handle(at, input);
            self.perform_pending();
        }
        self.busy.set(false);
        true
    }

    /// Performs the core's commands one at a time (the core is not borrowed while the host
    /// runs page code), then re-arms the timer and the listeners' quiet time if they changed.
    fn perform_pending(&self) {
        loop {
            let Some(command) = self.core.sure_mut().poll_command() else {
                break;
            };
            self.host.sure_mut().perform(command);
        }
        self.host.sure_mut().settle();
        let core = self.core.sure_ref();
        self.mirror.state.set(core.state());
        self.mirror.deadline.set(core.deadline());
        let at = core.poll_timeout();
        let quiet = core.input_quiet_until();
        drop(core);
        if at != self.armed.get() {
            self.armed.set(at);
            self.host.sure_mut().arm(at);
        }
        if quiet != self.quiet.get() {
            self.quiet.set(quiet);
            self.host.sure_mut().quiet(quiet);
        }
    }

    /// The session's state, readable at any time.
    pub fn mirror(&self) -> &Mirror {
        &self.mirror
    }

    /// Runs `f` with the core (for reading; never while the runner is busy).
    pub fn with_core<R>(&self, f: impl FnOnce(&Core) -> R) -> Option<R> {
        let core = self.core.try_borrow().ok()?;
        Some(f(&core))
    }

    /// Runs `f` with the host, if it is not busy.
    pub fn with_host<R>(&self, f: impl FnOnce(&mut H) -> R) -> Option<R> {
        let mut host = self.host.try_borrow_mut().ok()?;
        Some(f(&mut host))
    }
}
