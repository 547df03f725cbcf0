//! The memory allocator: jemalloc, as Redis ships with.
//!
//! Redis is built against jemalloc because a long-running server that allocates
//! and frees millions of small objects fragments the C library's malloc (it
//! keeps free chunks it cannot return, and per-thread arenas grow apart); with
//! glibc malloc oxidis's lists used 15% more RSS than Redis for the same data.
//! jemalloc's size classes and per-thread caches also make the snapshot and
//! lazy-free threads' frees cheap for the reactor thread.
//!
//! This module installs it as the global allocator of every binary linking the
//! library (server, tests) and reads its statistics through `mallctl` for INFO
//! memory, MEMORY STATS/MALLOC-STATS/PURGE.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::ffi::{c_char, c_void, CStr};
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};

use tikv_jemalloc_sys as je;

#[global_allocator]
static GLOBAL: Counting = Counting;

/// jemalloc plus Redis's `used_memory` counter (zmalloc's): every allocation
/// adds its size class, every free subtracts it. Each thread counts in a slot
/// of its own (a plain load and store, no locked instruction on the hot path);
/// [`used_memory`] sums the slots, as Redis 7 sums its per-thread counters.
struct Counting;

/// Threads beyond this many share the last slot (with atomic adds).
const SLOTS: usize = 16;

#[allow(clippy::declare_interior_mutable_const)]
const ZERO: AtomicI64 = AtomicI64::new(0);
static USED: [AtomicI64; SLOTS] = [ZERO; SLOTS];
static NEXT_SLOT: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static SLOT: Cell<usize> = const { Cell::new(usize::MAX) };
}

#[inline]
fn count(delta: i64) {
    let slot = SLOT
        .try_with(|s| {
            let mut i = s.get();
            if i == usize::MAX {
                i = NEXT_SLOT.fetch_add(1, Ordering::Relaxed).min(SLOTS - 1);
                s.set(i);
            }
            i
        })
        .unwrap_or(SLOTS - 1);
    let c = &USED[slot];
    if slot == SLOTS - 1 {
        c.fetch_add(delta, Ordering::Relaxed);
    } else {
        // Only this thread writes its slot.
        c.store(c.load(Ordering::Relaxed) + delta, Ordering::Relaxed);
    }
}

/// jemalloc's size class for a request of `size` bytes (alignment <= 16):
/// 8, 16, then multiples of 16 up to 128, then four classes per doubling.
#[inline]
pub fn size_class(size: usize) -> usize {
    if size <= 8 {
        8
    } else if size <= 128 {
        (size + 15) & !15
    } else {
        let lg = usize::BITS - 1 - (size - 1).leading_zeros();
        let spacing = 1usize << (lg - 2);
        (size + spacing - 1) & !(spacing - 1)
    }
}

#[inline]
fn charged(layout: &Layout) -> i64 {
    if layout.align() <= 16 {
        size_class(layout.size()) as i64
    } else {
        layout.size().max(layout.align()) as i64
    }
}

// SAFETY: every call is forwarded to jemalloc unchanged; the counter is
// bookkeeping only.
unsafe impl GlobalAlloc for Counting {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = tikv_jemallocator::Jemalloc.alloc(layout);
        if !p.is_null() {
            count(charged(&layout));
        }
        p
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = tikv_jemallocator::Jemalloc.alloc_zeroed(layout);
        if !p.is_null() {
            count(charged(&layout));
        }
        p
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-charged(&layout));
        tikv_jemallocator::Jemalloc.dealloc(ptr, layout)
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = tikv_jemallocator::Jemalloc.realloc(ptr, layout, new_size);
        if !p.is_null() {
            let new = Layout::from_size_align_unchecked(new_size, layout.align());
            count(charged(&new) - charged(&layout));
        }
        p
    }
}

/// Bytes currently allocated by the program (Redis's `used_memory`).
pub fn used_memory() -> u64 {
    USED.iter()
        .map(|c| c.load(Ordering::Relaxed))
        .sum::<i64>()
        .max(0) as u64
}

/// What INFO shows as `mem_allocator` (Redis prints `jemalloc-<version>`).
pub fn name() -> String {
    match read_str(c"version") {
        // The version string looks like "5.3.0-0-g54eaed1d8b56b1aa528be3bdd1877e59c56fa90c".
        Some(v) => format!("jemalloc-{}", v.split('-').next().unwrap_or(&v)),
        None => "jemalloc".into(),
    }
}

/// The allocator's counters, in bytes (Redis's zmalloc_get_allocator_info).
#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    /// Bytes handed out to the program.
    pub allocated: u64,
    /// Bytes in active pages (allocated plus fragmentation inside them).
    pub active: u64,
    /// Bytes in physically resident pages the allocator maps.
    pub resident: u64,
}

/// Refreshes jemalloc's statistics and reads them. The calling thread's
/// cache goes back to the arenas first: jemalloc counts the free objects a
/// thread cache keeps as allocated (up to a few MB), which would put
/// `allocator_allocated` that far from `used_memory` on a small dataset.
pub fn stats() -> Stats {
    // SAFETY: a void control: no input, no output.
    unsafe {
        je::mallctl(
            c"thread.tcache.flush".as_ptr(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            0,
        );
    }
    // Writing "epoch" makes jemalloc refresh the cached statistics.
    let mut epoch: u64 = 1;
    let sz = std::mem::size_of::<u64>();
    // SAFETY: "epoch" takes and returns a u64; the pointers are valid for its size.
    unsafe {
        je::mallctl(
            c"epoch".as_ptr(),
            &mut epoch as *mut u64 as *mut c_void,
            &mut { sz },
            &mut epoch as *mut u64 as *mut c_void,
            sz,
        );
    }
    Stats {
        allocated: read_usize(c"stats.allocated"),
        active: read_usize(c"stats.active"),
        resident: read_usize(c"stats.resident"),
    }
}

fn read_usize(name: &CStr) -> u64 {
    let mut v: usize = 0;
    let mut sz = std::mem::size_of::<usize>();
    // SAFETY: the named statistics are size_t values; `v` has that size.
    let rc = unsafe {
        je::mallctl(
            name.as_ptr(),
            &mut v as *mut usize as *mut c_void,
            &mut sz,
            std::ptr::null_mut(),
            0,
        )
    };
    if rc == 0 {
        v as u64
    } else {
        0
    }
}

fn read_str(name: &CStr) -> Option<String> {
    let mut p: *const c_char = std::ptr::null();
    let mut sz = std::mem::size_of::<*const c_char>();
    // SAFETY: the named value is a `const char *` owned by jemalloc for the
    // life of the process.
    let rc = unsafe {
        je::mallctl(
            name.as_ptr(),
            &mut p as *mut *const c_char as *mut c_void,
            &mut sz,
            std::ptr::null_mut(),
            0,
        )
    };
    if rc != 0 || p.is_null() {
        return None;
    }
    // SAFETY: non-null, NUL-terminated, static in jemalloc.
    Some(unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
}

/// Starts or stops jemalloc's background thread (`jemalloc-bg-thread`), as
/// Redis does at start-up and on CONFIG SET. Without it jemalloc returns freed
/// pages to the system only while the program allocates, so a server that
/// went quiet after a peak (10,000 connections' buffers released by the
/// clients cron) would keep that RSS for good. A jemalloc built without the
/// thread ignores the request.
pub fn set_background_thread(on: bool) {
    let mut v = on;
    // SAFETY: "background_thread" takes a bool; the pointer is valid for its size.
    unsafe {
        je::mallctl(
            c"background_thread".as_ptr(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            &mut v as *mut bool as *mut c_void,
            std::mem::size_of::<bool>(),
        );
    }
}

/// Whether jemalloc's background thread runs.
pub fn background_thread() -> bool {
    let mut v = false;
    let mut sz = std::mem::size_of::<bool>();
    // SAFETY: "background_thread" reads as a bool; `v` has that size.
    let rc = unsafe {
        je::mallctl(
            c"background_thread".as_ptr(),
            &mut v as *mut bool as *mut c_void,
            &mut sz,
            std::ptr::null_mut(),
            0,
        )
    };
    rc == 0 && v
}

/// MEMORY PURGE: returns the dirty pages of every arena to the system.
pub fn purge() {
    // "arena.<MALLCTL_ARENAS_ALL>.purge"; MALLCTL_ARENAS_ALL is 4096.
    // SAFETY: a void control: no input, no output.
    unsafe {
        je::mallctl(
            c"arena.4096.purge".as_ptr(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            0,
        );
    }
}

/// MEMORY MALLOC-STATS: jemalloc's own statistics report.
pub fn stats_report() -> String {
    extern "C" fn write_cb(opaque: *mut c_void, msg: *const c_char) {
        // SAFETY: `opaque` is the String passed below; `msg` is NUL-terminated.
        unsafe {
            let out = &mut *(opaque as *mut String);
            out.push_str(&CStr::from_ptr(msg).to_string_lossy());
        }
    }
    let mut out = String::new();
    // SAFETY: the callback only appends to `out`, which outlives the call.
    unsafe {
        je::malloc_stats_print(
            Some(write_cb),
            &mut out as *mut String as *mut c_void,
            std::ptr::null(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_classes_are_jemallocs() {
        for size in 1..70_000usize {
            // SAFETY: nallocx only computes the size class.
            let je = unsafe { je::nallocx(size, 0) };
            assert_eq!(size_class(size), je, "size {size}");
        }
    }

    #[test]
    fn used_memory_counts_this_threads_allocations() {
        // Other tests allocate and free up to ~100 MB on their threads at the
        // same time, so watch the total around an allocation far bigger than
        // that, with a margin wider than their noise.
        let before = used_memory();
        let big: Vec<u8> = vec![1; 256 << 20];
        let during = used_memory();
        assert!(during > before + (128 << 20), "{before} -> {during}");
        drop(big);
        assert!(used_memory() < during);
    }

    #[test]
    fn stats_follow_allocations() {
        // Other unit tests allocate and free on their threads at the same
        // time, so only what this test holds is asserted.
        let big: Vec<u8> = vec![7; 32 << 20];
        let s = stats();
        assert!(s.allocated >= 32 << 20, "{s:?}");
        assert!(s.active >= s.allocated && s.resident >= 32 << 20, "{s:?}");
        assert_eq!(big[12345], 7);
        drop(big);
        assert!(name().starts_with("jemalloc-5."), "{}", name());
        assert!(stats_report().contains("jemalloc"));
    }

    #[test]
    fn background_thread_follows_the_switch() {
        set_background_thread(true);
        assert!(background_thread());
        set_background_thread(false);
        assert!(!background_thread());
    }
}
