//! Promise callbacks without an async executor: a Rust closure as a promise's `then`.
//!
//! A JS function made from a Rust closure keeps the closure's memory until it is freed, and a
//! promise keeps its callbacks until it settles, which some never do. Hence two ways in:
//! - [`then`], for promises that always settle (a timer, a race against one): the callback frees
//!   itself when it is called.
//! - [`Pending::then`], for promises that may never settle (a request the server never answers):
//!   the callbacks belong to the `Pending`, and are freed once one of them has run, or with it.

use crate::bug::SureCell;
use crate::prelude::*;
use alloc::rc::{Rc, Weak};
use core::cell::{Cell, RefCell};
use js_sys::{Array, Function, Promise};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

#[wasm_bindgen]
extern "C" {
    /// A promise seen through `then` with plain functions (js-sys's `then`s want closures of
    /// other shapes; ours return a value, which may be a promise to wait for).
    type Thenable;

    #[wasm_bindgen(method, js_name = then)]
    fn then(this: &Thenable, fulfilled: &Function, rejected: &Function) -> Promise;
}

/// `promise.then(fulfilled, rejected)`.
fn then_call(promise: &Promise, fulfilled: &JsValue, rejected: &JsValue) -> Promise {
    promise.unchecked_ref::<Thenable>().then(fulfilled.unchecked_ref(), rejected.unchecked_ref())
}

/// A promise callback: gets the value or the reason, returns what the promise `then` made
/// resolves to (a promise returned is waited for). One type for all, so one set of shims.
type Callback = Closure<dyn FnMut(JsValue) -> JsValue>;

/// Whatever a callback does, once it knows how the promise settled: `Ok(value)`, `Err(reason)`.
type Then = Box<dyn FnOnce(Result<JsValue, JsValue>) -> JsValue>;

/// Calls `f` with `promise`'s value, or with the reason it rejected (every caller here treats a
/// failure like an empty answer), once it settles; returns the promise of what `f` returns.
///
/// Only for a promise that always settles: the callback is freed when it is called, and would be
/// kept for as long as the page lives by a promise that never settles.
pub fn then(promise: &Promise, f: impl FnOnce(JsValue) -> JsValue + 'static) -> Promise {
    then_boxed(promise, Box::new(f))
}

fn then_boxed(promise: &Promise, f: Box<dyn FnOnce(JsValue) -> JsValue>) -> Promise {
    // The same function for both outcomes: the promise calls exactly one of them, once.
    let callback = Closure::<dyn FnMut(JsValue) -> JsValue>::once_into_js(f);
    then_call(promise, &callback, &callback)
}

/// Runs `f` in a microtask: once the current task's synchronous work is done (a step of the
/// driver and the events it dispatches), before any timer or input.
pub fn soon(f: impl FnOnce() + 'static) {
    let ready = Promise::resolve(&JsValue::UNDEFINED);
    let _ = then(&ready, move |_| {
        f();
        JsValue::UNDEFINED
    });
}

/// Callbacks on promises that may never settle, owned here rather than by the promises: each
/// pair is freed as soon as one of the two has run, the rest when the `Pending` is dropped (what
/// they were waiting for no longer matters then).
///
/// A promise that settles after that calls a freed callback, which throws into the promise
/// [`Pending::then`] returned. That promise is marked handled, so a late answer is ignored
/// quietly rather than reported as an error of the page's (an exception from `f` is quiet too;
/// `f`s here do not throw).
#[derive(Default)]
pub struct Pending {
    waiting: Rc<RefCell<Vec<Rc<Waiting>>>>,
}

/// One [`Pending::then`]: what to run, and the two callbacks the promise was given (held here:
/// this is what keeps them alive).
struct Waiting {
    f: Cell<Option<Then>>,
    callbacks: [Callback; 2],
}

impl Pending {
    /// Calls `f` with `Ok(value)` or `Err(reason)` once `promise` settles, if this `Pending` still
    /// exists then; returns the promise of what `f` returns.
    pub fn then(&self, promise: &Promise, f: impl FnOnce(Result<JsValue, JsValue>) -> JsValue + 'static) -> Promise {
        self.then_boxed(promise, Box::new(f))
    }

    fn then_boxed(&self, promise: &Promise, f: Then) -> Promise {
        let list = Rc::downgrade(&self.waiting);
        let waiting = Rc::new_cyclic(|me: &Weak<Waiting>| Waiting {
            f: Cell::new(Some(f)),
            callbacks: [settle(me.clone(), list.clone(), true), settle(me.clone(), list, false)],
        });
        let [fulfilled, rejected] = &waiting.callbacks;
        let done = then_call(promise, fulfilled.as_ref(), rejected.as_ref());
        // allSettled takes it: a rejection after this is handled (see the type's docs).
        let _ = Promise::all_settled(&Array::of1(&done));
        self.waiting.sure_mut().push(waiting);
        done
    }
}

/// The callback for one outcome (`ok`) of `me`: takes `me` out of the list, which frees both
/// callbacks (this one as soon as it returns: wasm-bindgen defers freeing a running closure),
/// then runs `f`.
fn settle(me: Weak<Waiting>, list: Weak<RefCell<Vec<Rc<Waiting>>>>, ok: bool) -> Callback {
    Closure::wrap(Box::new(move |value: JsValue| {
        let Some(waiting) = me.upgrade() else {
            return JsValue::UNDEFINED;
        };
        if let Some(list) = list.upgrade() {
            list.sure_mut().retain(|w| !Rc::ptr_eq(w, &waiting));
        }
        let f = waiting.f.take();
        drop(waiting);
        match f {
            Some(f) => f(if ok { Ok(value) } else { Err(value) }),
            None => JsValue::UNDEFINED,
        }
    }))
}

/// A promise that resolves after `ms`, with `resolve` itself as the timer callback (no closure).
pub fn sleep(ms: u64) -> Promise {
    Promise::new(&mut |resolve, _| {
        let _ = super::dom::window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms.min(i32::MAX as u64) as i32);
    })
}

/// A promise and the function that resolves it.
pub fn deferred() -> (Promise, Function) {
    let mut resolve = None;
    let promise = Promise::new(&mut |r, _| resolve = Some(r));
    (promise, crate::bug::Sure::sure(resolve, "the Promise executor runs synchronously"))
}
