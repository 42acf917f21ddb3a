//! The release allocator's size classes (src/heap.rs), driven over a plain buffer: every block is
//! aligned, inside the memory handed to it, never overlaps a live block, and freed blocks are
//! reused (the heap does not grow while a workload repeats).

use autologoff::heap::{Classes, Source, MIN_BLOCK};
use proptest::prelude::*;
use std::alloc::Layout;

/// Fresh memory from one big buffer, in the 64 KiB steps the heap asks for, sometimes with a
/// gap (as when something else grew the wasm memory in between).
struct Buffer {
    memory: Vec<u128>,
    used: usize,
    gap_every: usize,
    grows: usize,
}

impl Buffer {
    fn new(bytes: usize, gap_every: usize) -> Self {
        Buffer { memory: vec![0; bytes / 16], used: 0, gap_every, grows: 0 }
    }
    fn base(&self) -> usize {
        self.memory.as_ptr() as usize
    }
    fn len(&self) -> usize {
        self.memory.len() * 16
    }
}

impl Source for Buffer {
    fn grow(&mut self, bytes: usize) -> Option<usize> {
        self.grows += 1;
        if self.gap_every > 0 && self.grows.is_multiple_of(self.gap_every) {
            self.used += 64 * 1024;
        }
        let start = self.used;
        if start + bytes > self.len() {
            return None;
        }
        self.used += bytes;
        Some(self.base() + start)
    }
}

#[derive(Debug, Clone)]
enum Op {
    Alloc { size: usize, align_log2: u32 },
    Free(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (1usize..3000, 0u32..5).prop_map(|(size, align_log2)| Op::Alloc { size, align_log2 }),
        2 => any::<usize>().prop_map(Op::Free),
    ]
}

proptest! {
    #[test]
    fn blocks_are_aligned_disjoint_and_inside(ops in prop::collection::vec(op(), 1..400), gap_every in 0usize..4) {
        let mut source = Buffer::new(64 << 20, gap_every);
        let mut heap = Classes::new();
        let mut live: Vec<(usize, Layout, u8)> = Vec::new();
        for (n, op) in ops.into_iter().enumerate() {
            match op {
                Op::Alloc { size, align_log2 } => {
                    let layout = Layout::from_size_align(size, 1 << align_log2).unwrap();
                    let addr = unsafe { heap.take(layout, &mut source) }.expect("the buffer is big enough");
                    prop_assert_eq!(addr % layout.align(), 0);
                    prop_assert_eq!(addr % MIN_BLOCK, 0);
                    prop_assert!(addr >= source.base() && addr + size <= source.base() + source.len());
                    for &(other, l, _) in &live {
                        prop_assert!(addr + size <= other || other + l.size() <= addr, "overlap");
                    }
                    // Fill the block, so a later overlap or a free list written into a live
                    // block shows up as a changed byte.
                    let tag = (n % 251) as u8;
                    unsafe { std::ptr::write_bytes(addr as *mut u8, tag, size) };
                    live.push((addr, layout, tag));
                }
                Op::Free(i) if !live.is_empty() => {
                    let (addr, layout, tag) = live.swap_remove(i % live.len());
                    let bytes = unsafe { std::slice::from_raw_parts(addr as *const u8, layout.size()) };
                    prop_assert!(bytes.iter().all(|&b| b == tag), "a live block was written by someone else");
                    unsafe { heap.release(addr, layout) };
                }
                Op::Free(_) => {}
            }
        }
        for (addr, layout, tag) in live {
            let bytes = unsafe { std::slice::from_raw_parts(addr as *const u8, layout.size()) };
            prop_assert!(bytes.iter().all(|&b| b == tag));
        }
    }
}

#[test]
fn a_repeated_workload_reuses_its_blocks() {
    let mut source = Buffer::new(8 << 20, 0);
    let mut heap = Classes::new();
    let sizes = [5usize, 24, 100, 700, 4096, 20_000];
    let round = |heap: &mut Classes, source: &mut Buffer| {
        let blocks: Vec<_> = sizes
            .iter()
            .map(|&s| {
                let l = Layout::from_size_align(s, 8).unwrap();
                (unsafe { heap.take(l, source) }.unwrap(), l)
            })
            .collect();
        for (a, l) in blocks {
            unsafe { heap.release(a, l) };
        }
    };
    round(&mut heap, &mut source);
    let used = source.used;
    for _ in 0..1000 {
        round(&mut heap, &mut source);
    }
    assert_eq!(source.used, used, "the heap grew although every block was given back");
}

#[test]
fn refuses_what_it_cannot_hold() {
    let mut source = Buffer::new(1 << 20, 0);
    let mut heap = Classes::new();
    // Alignment above MIN_BLOCK: refused (GlobalAlloc may return null for it).
    assert!(unsafe { heap.take(Layout::from_size_align(8, 32).unwrap(), &mut source) }.is_none());
    // More than the source has: refused, and the heap still works afterwards.
    assert!(unsafe { heap.take(Layout::from_size_align(4 << 20, 8).unwrap(), &mut source) }.is_none());
    assert!(unsafe { heap.take(Layout::from_size_align(64, 8).unwrap(), &mut source) }.is_some());
    assert_eq!(Classes::class_of(Layout::from_size_align(1, 1).unwrap()), Some(0));
    assert_eq!(Classes::class_of(Layout::from_size_align(17, 1).unwrap()), Some(1));
    assert_eq!(Classes::block_size(1), 32);
}
