//! What happens when autologoff meets a bug: the call that hit it stops with one fixed message.
//!
//! `Option::expect`, `Result::expect`, `RefCell::borrow_mut` and friends format their panic
//! message, and merely being reachable keeps Rust's formatting machinery in the .wasm (a few KB).
//! These helpers keep the reason (every one says why it cannot happen) and drop the formatting:
//! without std the reason becomes a JS exception; with std (tests, debug builds) a panic.

use core::cell::{Ref, RefCell, RefMut};

/// Stops the current call: a bug in autologoff, never bad input (which gets an error value).
#[cold]
#[inline(never)]
pub fn bug(why: &'static str) -> ! {
    #[cfg(all(target_arch = "wasm32", not(feature = "std")))]
    {
        wasm_bindgen::throw_str(why)
    }
    #[cfg(not(all(target_arch = "wasm32", not(feature = "std"))))]
    {
        panic!("autologoff bug: {why}")
    }
}

/// `expect` without formatting.
pub trait Sure<T> {
    /// The value; `why` says why it is always there.
    fn sure(self, why: &'static str) -> T;
}

impl<T> Sure<T> for Option<T> {
    #[inline]
    fn sure(self, why: &'static str) -> T {
        match self {
            Some(v) => v,
            None => bug(why),
        }
    }
}

impl<T, E> Sure<T> for Result<T, E> {
    #[inline]
    fn sure(self, why: &'static str) -> T {
        match self {
            Ok(v) => v,
            Err(_) => bug(why),
        }
    }
}

/// `RefCell::borrow` / `borrow_mut` without formatting.
pub trait SureCell<T> {
    /// Shared access. Callers never hold a mutable borrow across a call that could come back here.
    fn sure_ref(&self) -> Ref<'_, T>;
    /// Exclusive access, on the same condition.
    fn sure_mut(&self) -> RefMut<'_, T>;
}

impl<T> SureCell<T> for RefCell<T> {
    #[inline]
    fn sure_ref(&self) -> Ref<'_, T> {
        self.try_borrow().sure("a RefCell is not borrowed mutably across a call back into it")
    }

    #[inline]
    fn sure_mut(&self) -> RefMut<'_, T> {
        self.try_borrow_mut().sure("a RefCell is not borrowed across a call back into it")
    }
}
