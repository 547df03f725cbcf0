//! Small pure helpers shared by the command groups: glob matching, geohash and number
//! parsing/formatting with Redis's exact semantics; the version constants.

pub mod bits;
pub mod geohash;
pub mod glob;
pub mod number;
pub mod splitargs;

/// oxidis's own version.
pub const OXIDIS_VERSION: &str = env!("CARGO_PKG_VERSION");
/// The Redis version oxidis is compatible with (what clients check).
pub const REDIS_VERSION: &str = "7.0.15";

/// An I/O error as Redis prints it: the C library's `strerror` text, without
/// the ` (os error N)` that Rust's Display adds.
pub fn strerror(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(n) => errno_text(n),
        None => e.to_string(),
    }
}

/// The C library's message for an OS error number.
pub fn errno_text(errno: i32) -> String {
    // SAFETY: glibc's strerror returns a NUL-terminated static string (a
    // thread-local buffer for an unknown number), copied out at once.
    unsafe {
        let p = libc::strerror(errno);
        if p.is_null() {
            return format!("Unknown error {errno}");
        }
        std::ffi::CStr::from_ptr(p).to_string_lossy().into_owned()
    }
}

/// Compares two secrets (passwords) in time that depends on neither their
/// contents nor the stored one's length, as Redis's ACL check does (it
/// compares digests): both are reduced to keyed 128-bit digests (a random key
/// per process) whose bytes are all compared, whatever differs first.
pub fn secure_eq(a: &[u8], b: &[u8]) -> bool {
    use std::hash::BuildHasher;
    use std::sync::OnceLock;
    static KEYS: OnceLock<[std::collections::hash_map::RandomState; 2]> = OnceLock::new();
    let keys = KEYS.get_or_init(Default::default);
    let digest = |s: &[u8]| [keys[0].hash_one(s), keys[1].hash_one(s)];
    let (da, db) = (digest(a), digest(b));
    let diff = (da[0] ^ db[0]) | (da[1] ^ db[1]);
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secure_eq_compares_contents() {
        assert!(secure_eq(b"", b""));
        assert!(secure_eq(b"foobared", b"foobared"));
        assert!(!secure_eq(b"foobared", b"foobare"));
        assert!(!secure_eq(b"foobared", b"Foobared"));
        assert!(!secure_eq(b"", b"x"));
    }
}
