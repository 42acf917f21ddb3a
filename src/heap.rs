//! The allocator of the shipped `.wasm`: power-of-two size classes with one free list each.
//!
//! Why not the allocator std brings (dlmalloc)? It is about 8 KB of code, a tenth of the module,
//! built for workloads we do not have. autologoff allocates little (settings at start, a few
//! short strings per message, the dialog's text once a warning), so a heap that never returns
//! memory and rounds every block up to a power of two stays small, and its code is a few hundred
//! bytes. The cost is memory: at most twice what is live at the peak, a few tens of KB.
//!
//! [`Classes`] is the pure part (which block to hand out, where free blocks go); it is generic
//! over where fresh memory comes from so `cargo test` can drive it over a plain buffer.
//! `page::PageHeap` wires it to `memory.grow` as the `#[global_allocator]` of the release build.

use core::alloc::Layout;

/// Every block is at least this big and aligned to this (the largest alignment a Rust type on
/// wasm32 needs, `v128`). Bigger alignments are refused, which `GlobalAlloc` allows: nothing in
/// this crate or its dependencies asks for one.
pub const MIN_BLOCK: usize = 16;

/// Size classes `MIN_BLOCK << 0` .. `MIN_BLOCK << (CLASSES - 1)` (16 B .. 32 GiB, more than
/// any address space we run in, so every request that could succeed has a class).
pub const CLASSES: usize = 32;

/// Where fresh memory comes from: `grow(bytes)` returns the start of `bytes` new bytes (aligned
/// to `MIN_BLOCK`), or `None` when there is no more.
pub trait Source {
    /// See the trait docs.
    fn grow(&mut self, bytes: usize) -> Option<usize>;
}

/// Free lists per size class, and a bump region that fresh blocks are cut from.
#[derive(Debug)]
pub struct Classes {
    /// Head of each class's free list (0 = empty). A free block's first word holds the next.
    free: [usize; CLASSES],
    /// The bump region: `[next, end)` has not been handed out yet.
    next: usize,
    end: usize,
}

impl Default for Classes {
    fn default() -> Self {
        Self::new()
    }
}

impl Classes {
    /// An empty heap.
    pub const fn new() -> Self {
        Classes { free: [0; CLASSES], next: 0, end: 0 }
    }

    /// The class of a layout: blocks of `MIN_BLOCK << class` bytes. `None` if too big or too
    /// strictly aligned.
    pub fn class_of(layout: Layout) -> Option<usize> {
        if layout.align() > MIN_BLOCK {
            return None;
        }
        let size = layout.size().max(MIN_BLOCK).checked_next_power_of_two()?;
        let class = (size.trailing_zeros() - MIN_BLOCK.trailing_zeros()) as usize;
        (class < CLASSES).then_some(class)
    }

    /// The block size of `class`.
    pub const fn block_size(class: usize) -> usize {
        MIN_BLOCK << class
    }

    /// Hands out a block for `layout`: a freed block of its class, else a fresh one. Returns the
    /// address, or `None` when the layout has no class or memory is exhausted.
    ///
    /// # Safety
    /// `source` must hand out memory that nothing else uses, always the same source for one
    /// `Classes`; and every address in the free lists must be one this heap handed out and was
    /// given back (which `release` requires).
    pub unsafe fn take(&mut self, layout: Layout, source: &mut impl Source) -> Option<usize> {
        let class = Self::class_of(layout)?;
        // `get_mut`, not indexing: class_of keeps it in range, and a bounds check would bring
        // formatting into the .wasm (src/bug.rs).
        let slot = self.free.get_mut(class)?;
        let head = *slot;
        if head != 0 {
            // SAFETY: `head` is a freed block of this class (>= MIN_BLOCK bytes, aligned), whose
            // first word `release` set to the next free block.
            *slot = unsafe { (head as *const usize).read() };
            return Some(head);
        }
        let size = Self::block_size(class);
        if self.end - self.next < size {
            // Ask for at least 64 KiB at a time (one wasm page), so small blocks do not each grow
            // memory. What is left of the old region stays unused when the new one is elsewhere.
            let want = size.max(64 * 1024);
            let start = source.grow(want)?;
            if start != self.end {
                self.next = start;
            }
            self.end = start + want;
        }
        let block = self.next;
        self.next += size;
        Some(block)
    }

    /// Gives a block back to its class.
    ///
    /// # Safety
    /// `addr` must have come from `take` with the same `layout`, and not be used afterwards.
    pub unsafe fn release(&mut self, addr: usize, layout: Layout) {
        // A block that was handed out has a class, so this never skips one.
        if let Some(slot) = Self::class_of(layout).and_then(|class| self.free.get_mut(class)) {
            // SAFETY: the block is at least MIN_BLOCK bytes, aligned, and ours again.
            unsafe { (addr as *mut usize).write(*slot) };
            *slot = addr;
        }
    }
}

/// The release build's `#[global_allocator]`: [`Classes`] over `memory.grow`.
#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
pub mod page {
    use super::{Classes, Source};
    use core::alloc::{GlobalAlloc, Layout};
    use core::cell::UnsafeCell;

    /// Fresh memory from `memory.grow` (64 KiB pages, always page-aligned).
    struct Grow;

    impl Source for Grow {
        fn grow(&mut self, bytes: usize) -> Option<usize> {
            let pages = bytes.div_ceil(64 * 1024);
            let old = core::arch::wasm32::memory_grow(0, pages);
            (old != usize::MAX).then_some(old * 64 * 1024)
        }
    }

    /// See the module docs.
    pub struct PageHeap(UnsafeCell<Classes>);

    // SAFETY: wasm32 without the `atomics` target feature runs one thread, so the heap is never
    // touched from two threads. A build with atomics must not use this allocator.
    #[cfg(not(target_feature = "atomics"))]
    unsafe impl Sync for PageHeap {}

    impl PageHeap {
        /// An empty heap.
        pub const fn new() -> Self {
            PageHeap(UnsafeCell::new(Classes::new()))
        }
    }

    impl Default for PageHeap {
        fn default() -> Self {
            Self::new()
        }
    }

    unsafe impl GlobalAlloc for PageHeap {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: one thread, and the allocator is never re-entered (Classes calls no code
            // that allocates), so this is the only reference to the heap right now.
            let heap = unsafe { &mut *self.0.get() };
            unsafe { heap.take(layout, &mut Grow) }.map_or(core::ptr::null_mut(), |a| a as *mut u8)
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: as in `alloc`; the caller guarantees `ptr` came from `alloc(layout)`.
            unsafe { (*self.0.get()).release(ptr as usize, layout) }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            // A block that already fits the new size (same class) stays where it is: strings and
            // vectors that grow a little do not copy.
            // SAFETY: the caller guarantees `layout.align()` with `new_size` is a valid layout.
            let new = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
            if let Some(class) = Classes::class_of(new) {
                if Classes::class_of(layout) == Some(class) {
                    return ptr;
                }
            }
            let moved = unsafe { self.alloc(new) };
            if !moved.is_null() {
                // SAFETY: both blocks are at least min(old, new) bytes and do not overlap.
                unsafe {
                    core::ptr::copy_nonoverlapping(ptr, moved, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
            }
            moved
        }
    }
}
