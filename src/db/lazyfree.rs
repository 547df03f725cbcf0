//! The lazy-free thread (Redis's lazyfree.c): values that are expensive to drop
//! (UNLINK, FLUSHALL ASYNC, the lazyfree-lazy-* options) are sent to a helper
//! thread, so dropping them does not stall the event loop.

use std::sync::mpsc;

use super::Entry;

/// Redis's LAZYFREE_THRESHOLD: values whose free effort is above this go to the
/// lazy-free thread when a lazyfree-lazy-* option asks for it.
pub const LAZYFREE_THRESHOLD: usize = 64;

/// Hands values to the lazy-free thread so dropping them does not stall the loop.
#[derive(Clone)]
pub struct LazyFree {
    tx: mpsc::Sender<Box<dyn Send>>,
    pub pending: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// Values freed by the thread so far (INFO lazyfreed_objects).
    pub freed: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl LazyFree {
    pub fn start() -> LazyFree {
        let (tx, rx) = mpsc::channel::<Box<dyn Send>>();
        let pending = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let freed = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        std::thread::Builder::new()
            .name("lazyfree".into())
            .spawn(move || {
                // Each job counts itself when dropped (see `Counted`).
                for v in rx {
                    drop(v);
                }
            })
            .expect("spawn lazyfree thread");
        LazyFree { tx, pending, freed }
    }

    /// Redis's freeObjAsync: a value whose free effort is above
    /// LAZYFREE_THRESHOLD (and that no snapshot shares) is dropped on the free
    /// thread, anything else here. True if it went to the thread.
    pub fn free_entry(&self, e: Entry) -> bool {
        if e.is_unique() && e.free_effort() > LAZYFREE_THRESHOLD {
            self.free(e);
            true
        } else {
            false
        }
    }

    /// Drops `v` on the free thread.
    pub fn free<T: Send + 'static>(&self, v: T) {
        self.free_counted(v, 1);
    }

    /// Drops `v`, which holds `n` objects, on the free thread: INFO counts them
    /// all, as Redis counts a database emptied by FLUSHALL ASYNC as its number of
    /// keys (lazyfreeFreeDatabase).
    pub fn free_counted<T: Send + 'static>(&self, v: T, n: u64) {
        use std::sync::atomic::Ordering::Relaxed;
        self.pending.fetch_add(n, Relaxed);
        let (pending, freed) = (self.pending.clone(), self.freed.clone());
        let job = Counted {
            v: Some(v),
            n,
            pending,
            freed,
        };
        if let Err(e) = self.tx.send(Box::new(job)) {
            drop(e);
        }
    }
}

/// A job of the free thread: dropping it drops the value, then moves its count
/// from pending to freed.
struct Counted<T> {
    v: Option<T>,
    n: u64,
    pending: std::sync::Arc<std::sync::atomic::AtomicU64>,
    freed: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<T> Drop for Counted<T> {
    fn drop(&mut self) {
        use std::sync::atomic::Ordering::Relaxed;
        drop(self.v.take());
        self.pending.fetch_sub(self.n, Relaxed);
        self.freed.fetch_add(self.n, Relaxed);
    }
}
