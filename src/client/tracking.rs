//! A client's client-side caching state while CLIENT TRACKING is on (the
//! server's key table and the invalidations are in tracking.rs).

use std::collections::BTreeSet;

use bytes::Bytes;

/// Tracking flag bits of a client ([`ClientTracking::flags`]).
pub mod flags {
    pub const BCAST: u32 = 1 << 0;
    pub const OPTIN: u32 = 1 << 1;
    pub const OPTOUT: u32 = 1 << 2;
    /// CLIENT CACHING yes (OPTIN) / no (OPTOUT) was given for the next command.
    pub const CACHING: u32 = 1 << 3;
    pub const NOLOOP: u32 = 1 << 4;
    /// The redirect client went away.
    pub const BROKEN_REDIR: u32 = 1 << 5;
}

/// A client's tracking state; present while tracking is on.
#[derive(Debug, Default)]
pub struct ClientTracking {
    pub flags: u32,
    /// Client id invalidations go to, 0 for none.
    pub redirect: u64,
    /// Slab token of the redirect client (valid while a client with that id is there).
    pub redirect_token: usize,
    /// BCAST prefixes, sorted.
    pub prefixes: BTreeSet<Bytes>,
}

impl ClientTracking {
    #[inline]
    pub fn has(&self, f: u32) -> bool {
        self.flags & f != 0
    }
}
