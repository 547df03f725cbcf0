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
        let (p2, f2) = (pending.clone(), freed.clone());
        std::thread::Builder::new()
            .name("lazyfree".into())
            .spawn(move || {
                for v in rx {
                    drop(v);
                    p2.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
                    f2.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
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
        self.pending
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if let Err(e) = self.tx.send(Box::new(v)) {
            drop(e);
            self.pending
                .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
        }
    }
}
