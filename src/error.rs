//! Error replies, spelled exactly as Redis 7.0 spells them. Data operations
//! return `Result<T, OpError>`; the command layer turns an `OpError` into an
//! error reply.
//!
//! Which texts live here: every error text that has a name (a `const` or
//! `static`), every text used in more than one place, and every formatted text
//! built in more than one place (as a function). A text used in exactly one place
//! may stay beside that use as a literal, where it is read with the code that
//! decides to send it. Test code spells out the texts it expects on the wire,
//! independently of these. `tests::error_texts_live_in_error_rs` holds `src/` to
//! this: outside test code, no literal that starts with an error code (`ERR `,
//! `WRONGTYPE `, ...) equals a text here, appears twice, or is the value of a
//! `const` or `static`.

use std::borrow::Cow;

pub const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";
/// A string that is not an HLL where one is needed (isHLLObjectOrReply).
pub const HLL_WRONGTYPE: &str = "WRONGTYPE Key is not a valid HyperLogLog string value.";
/// HLL registers that do not decode (hyperloglog.c's invalid_hll_err).
pub const HLL_INVALID: &str = "INVALIDOBJ Corrupted HLL object detected";
pub const SYNTAX: &str = "ERR syntax error";
pub const NOT_INTEGER: &str = "ERR value is not an integer or out of range";
pub const NOT_FLOAT: &str = "ERR value is not a valid float";
pub const OVERFLOW: &str = "ERR increment or decrement would overflow";
pub const NAN_OR_INF: &str = "ERR increment would produce NaN or Infinity";
/// HINCRBYFLOAT: the increment itself is infinite.
pub const INCR_NAN_OR_INF: &str = "ERR value is NaN or Infinity";
/// HINCRBYFLOAT: the stored field value does not parse as a long double.
pub const HASH_NOT_FLOAT: &str = "ERR hash value is not a float";
/// HINCRBY: the stored field value does not parse as an integer.
pub const HASH_NOT_INTEGER: &str = "ERR hash value is not an integer";
/// ZADD INCR / ZINCRBY: the score is or becomes NaN (e.g. inf + -inf).
pub const ZSET_NAN: &str = "ERR resulting score is not a number (NaN)";
/// A score range bound that does not parse (zslParseRange).
pub const ZSET_RANGE_NOT_FLOAT: &str = "ERR min or max is not a float";
/// A lex range bound that does not start with `(`, `[` or is not `-`/`+`.
pub const ZSET_LEX_RANGE: &str = "ERR min or max not valid string range item";
pub const ZADD_XX_NX: &str = "ERR XX and NX options at the same time are not compatible";
pub const ZADD_GT_LT_NX: &str = "ERR GT, LT, and/or NX options at the same time are not compatible";
pub const ZADD_INCR_PAIRS: &str = "ERR INCR option supports a single increment-element pair";
pub const ZRANGE_LIMIT_BY_RANK: &str =
    "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
pub const ZRANGE_WITHSCORES_BYLEX: &str =
    "ERR syntax error, WITHSCORES not supported in combination with BYLEX";
/// HRANDFIELD/ZRANDMEMBER: a count whose reply with values would overflow.
pub const VALUE_OUT_OF_RANGE: &str = "ERR value is out of range";
/// Geo (geo.c): the invalid pair is followed by the two values as `%f,%f`.
pub const GEO_INVALID_LONG_LAT: &str = "ERR invalid longitude,latitude pair";
pub const GEO_UNIT: &str = "ERR unsupported unit provided. please use M, KM, FT, MI";
pub const GEO_NEED_RADIUS: &str = "ERR need numeric radius";
pub const GEO_NEED_WIDTH: &str = "ERR need numeric width";
pub const GEO_NEED_HEIGHT: &str = "ERR need numeric height";
pub const GEO_RADIUS_NEGATIVE: &str = "ERR radius cannot be negative";
pub const GEO_BOX_NEGATIVE: &str = "ERR height or width cannot be negative";
pub const GEO_NO_MEMBER: &str = "ERR could not decode requested zset member";
pub const GEO_COUNT: &str = "ERR COUNT must be > 0";
pub const GEO_ANY_WITHOUT_COUNT: &str = "ERR the ANY argument requires COUNT argument";
pub const GEORADIUS_STORE_WITH: &str =
    "ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options";
pub const GEOSEARCHSTORE_WITH: &str =
    "ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options";
/// Followed by the command name as the client sent it.
pub const GEO_FROM: &str = "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ";
pub const GEO_BY: &str = "ERR exactly one of BYRADIUS and BYBOX can be specified for ";
pub const NO_SUCH_KEY: &str = "ERR no such key";
pub const OUT_OF_RANGE: &str = "ERR index out of range";
pub const DB_INDEX: &str = "ERR DB index is out of range";
pub const SAME_OBJECT: &str = "ERR source and destination objects are the same";
pub const TOO_BIG_STRING: &str = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
pub const NOAUTH: &str = "NOAUTH Authentication required.";
pub const WRONGPASS: &str = "WRONGPASS invalid username-password pair or user is disabled.";
pub const AUTH_NOT_CONFIGURED: &str = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?";
pub const NOPROTO: &str = "NOPROTO unsupported protocol version";
pub const TIMEOUT_NOT_INT: &str = "ERR timeout is not an integer or out of range";
/// A blocking command's or CLIENT PAUSE's timeout below zero.
pub const TIMEOUT_NEGATIVE: &str = "ERR timeout is negative";
pub const DECR_OVERFLOW: &str = "ERR decrement would overflow";
pub const OFFSET_OUT_OF_RANGE: &str = "ERR offset is out of range";
pub const LCS_WRONGTYPE: &str = "ERR The specified keys must contain string values";
pub const LCS_LEN_AND_IDX: &str =
    "ERR If you want both the length and indexes, please just use IDX.";
pub const LCS_TOO_LONG: &str = "ERR String too long for LCS";
pub const LCS_TABLE_TOO_BIG: &str =
    "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len";
pub const LCS_NO_MEMORY: &str =
    "ERR Insufficient memory, failed allocating transient memory for LCS";
// Bitmaps (bitops.c).
pub const BIT_OFFSET: &str = "ERR bit offset is not an integer or out of range";
pub const BIT_VALUE: &str = "ERR bit is not an integer or out of range";
pub const BITPOS_BIT: &str = "ERR The bit argument must be 1 or 0.";
pub const BITOP_NOT_ONE_KEY: &str = "ERR BITOP NOT must be called with a single source key.";
pub const BITFIELD_TYPE: &str =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";
pub const BITFIELD_OVERFLOW: &str = "ERR Invalid OVERFLOW type specified";
pub const BITFIELD_RO_GET_ONLY: &str = "ERR BITFIELD_RO only supports the GET subcommand";

/// Streams (t_stream.c): an ID argument that does not parse (streamParseID).
pub const STREAM_ID_INVALID: &str = "ERR Invalid stream ID specified as stream command argument";
pub const XADD_ID_ZERO: &str = "ERR The ID specified in XADD must be greater than 0-0";
pub const XADD_ID_SMALL: &str =
    "ERR The ID specified in XADD is equal or smaller than the target stream top item";
pub const XADD_EXHAUSTED: &str =
    "ERR The stream has exhausted the last possible ID, unable to add more items";
pub const XADD_TOO_LARGE: &str = "ERR Elements are too large to be stored";

/// A failed data operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpError {
    WrongType,
    Syntax,
    NotInteger,
    NotFloat,
    Overflow,
    NoSuchKey,
    OutOfRange,
    /// Any other fixed text (already carrying its code, e.g. `ERR ...`).
    Static(&'static str),
    /// A formatted text (already carrying its code).
    Msg(String),
    /// A text that echoes bytes a client sent, which need not be UTF-8
    /// (already carrying its code).
    Raw(Vec<u8>),
}

impl OpError {
    pub fn text(&self) -> Cow<'static, str> {
        match self {
            OpError::WrongType => WRONGTYPE.into(),
            OpError::Syntax => SYNTAX.into(),
            OpError::NotInteger => NOT_INTEGER.into(),
            OpError::NotFloat => NOT_FLOAT.into(),
            OpError::Overflow => OVERFLOW.into(),
            OpError::NoSuchKey => NO_SUCH_KEY.into(),
            OpError::OutOfRange => OUT_OF_RANGE.into(),
            OpError::Static(s) => (*s).into(),
            OpError::Msg(s) => s.clone().into(),
            OpError::Raw(b) => String::from_utf8_lossy(b).into_owned().into(),
        }
    }

    /// The reply text as bytes: what a client gets, byte for byte.
    pub fn bytes(&self) -> Cow<'_, [u8]> {
        match self {
            OpError::Raw(b) => Cow::Borrowed(b),
            OpError::Msg(s) => Cow::Borrowed(s.as_bytes()),
            other => match other.text() {
                Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
                Cow::Owned(s) => Cow::Owned(s.into_bytes()),
            },
        }
    }
}

/// C's `%.Ns` on a binary-safe argument: the bytes up to the first NUL, at
/// most `n` of them.
pub fn c_str(b: &[u8], n: usize) -> &[u8] {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len()).min(n);
    &b[..end]
}

/// `ERR wrong number of arguments for '<cmd>' command`
pub fn wrong_arity(fullname: &str) -> String {
    format!("ERR wrong number of arguments for '{fullname}' command")
}

/// `ERR invalid expire time in '<cmd>' command`
pub fn invalid_expire(cmd: &str) -> String {
    format!("ERR invalid expire time in '{cmd}' command")
}

pub const INVALID_CURSOR: &str = "ERR invalid cursor";
pub const INVALID_FIRST_DB: &str = "ERR invalid first DB index";
pub const INVALID_SECOND_DB: &str = "ERR invalid second DB index";
pub const EXPIRE_NX_CONFLICT: &str =
    "ERR NX and XX, GT or LT options at the same time are not compatible";
pub const EXPIRE_GT_LT_CONFLICT: &str = "ERR GT and LT options at the same time are not compatible";
pub const LFU_NOT_SELECTED: &str = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";
pub const LFU_SELECTED: &str = "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";

/// `ERR Unsupported option <opt>` (EXPIRE's options; `opt` as C prints it: up to
/// the first NUL).
pub fn unsupported_option(opt: &[u8]) -> Vec<u8> {
    [b"ERR Unsupported option ", c_str(opt, usize::MAX)].concat()
}

/// Redis's getRangeLongFromObjectOrReply text for a value outside `[min, max]`.
pub fn value_out_of_range(min: i64, max: i64) -> String {
    format!("ERR value is out of range, value must between {min} and {max}")
}

/// What a non-local client gets in protected mode (sent before closing).
pub const PROTECTED_MODE: &str = "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n";
/// getPositiveLongFromObjectOrReply without a custom message (LPOP/RPOP count).
pub const MUST_BE_POSITIVE: &str = "ERR value is out of range, must be positive";
pub const LPOS_RANK_ZERO: &str = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
pub const LPOS_COUNT_NEGATIVE: &str = "ERR COUNT can't be negative";
pub const LPOS_MAXLEN_NEGATIVE: &str = "ERR MAXLEN can't be negative";
pub const NUMKEYS_NOT_POSITIVE: &str = "ERR numkeys should be greater than 0";
pub const COUNT_NOT_POSITIVE: &str = "ERR count should be greater than 0";
/// SINTERCARD / ZINTERCARD: a LIMIT that is negative or not an integer.
pub const LIMIT_NEGATIVE: &str = "ERR LIMIT can't be negative";

// --- streams (t_stream.c) ---
pub const STREAM_INVALID_START: &str = "ERR invalid start ID for the interval";
pub const STREAM_INVALID_END: &str = "ERR invalid end ID for the interval";
pub const STREAM_MAXLEN_AND_MINID: &str =
    "ERR syntax error, MAXLEN and MINID options at the same time are not compatible";
pub const STREAM_MAXLEN_NEGATIVE: &str = "ERR The MAXLEN argument must be >= 0.";
pub const STREAM_LIMIT_NEGATIVE: &str = "ERR The LIMIT argument must be >= 0.";
pub const STREAM_LIMIT_NO_STRATEGY: &str =
    "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy";
pub const STREAM_XTRIM_NO_STRATEGY: &str =
    "ERR syntax error, XTRIM must be called with a trimming strategy";
pub const STREAM_LIMIT_NO_TILDE: &str =
    "ERR syntax error, LIMIT cannot be used without the special ~ option";
pub const XREADGROUP_DOLLAR: &str = "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.";
pub const XREAD_GT: &str = "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.";
/// A blocked XREADGROUP whose group was destroyed.
pub const XREADGROUP_BLOCKED_NOGROUP: &str =
    "NOGROUP the consumer group this client was blocked on no longer exists";
/// A blocked XREADGROUP whose key was deleted or turned into another type.
pub const XREADGROUP_BLOCKED_NO_KEY: &str = "UNBLOCKED the stream key no longer exists";

// --- streams ---
/// XGROUP on a missing key (without CREATE ... MKSTREAM).
pub const XGROUP_KEY_REQUIRED: &str = "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.";
pub const BUSYGROUP: &str = "BUSYGROUP Consumer Group name already exists";

/// `NOGROUP No such consumer group '<group>' for key name '<key>'` (XGROUP,
/// XINFO CONSUMERS), the names as C's `%s` prints them.
pub fn nogroup_for_key(group: &[u8], key: &[u8]) -> Vec<u8> {
    [
        &b"NOGROUP No such consumer group '"[..],
        c_str(group, usize::MAX),
        b"' for key name '",
        c_str(key, usize::MAX),
        b"'",
    ]
    .concat()
}

/// `NOGROUP No such key '<key>' or consumer group '<group>'` (XPENDING,
/// XCLAIM, XAUTOCLAIM; XREADGROUP appends ` in XREADGROUP with GROUP option`).
pub fn nogroup_key_or_group(key: &[u8], group: &[u8]) -> Vec<u8> {
    [
        &b"NOGROUP No such key '"[..],
        c_str(key, usize::MAX),
        b"' or consumer group '",
        c_str(group, usize::MAX),
        b"'",
    ]
    .concat()
}

/// Writes refused after a failed background save (`stop-writes-on-bgsave-error`).
/// A DENYOOM command while used memory is over `maxmemory` and nothing can be
/// evicted (Redis's shared.oomerr).
pub const OOM: &str = "OOM command not allowed when used memory > 'maxmemory'.";
pub const LOADING: &str = "LOADING Redis is loading the dataset in memory";
pub const WAIT_ON_REPLICA: &str = "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.";
pub const READONLY: &str = "READONLY You can't write against a read only replica.";
pub const MASTERDOWN: &str =
    "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
pub const NOREPLICAS: &str = "NOREPLICAS Not enough good replicas to write.";
pub const MISCONF: &str = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";
/// SORT without ALPHA: a weight that `strtod` does not read whole.
pub const SORT_SCORES_NOT_DOUBLE: &str = "ERR One or more scores can't be converted into double";

// --- persistence, DUMP/RESTORE/MIGRATE ---
/// SAVE, BGSAVE (without SCHEDULE) while a background save runs.
pub const BGSAVE_IN_PROGRESS: &str = "ERR Background save already in progress";

/// BGSAVE (without SCHEDULE) while an AOF rewrite runs.
pub const BGSAVE_CHILD_ACTIVE: &str = "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.";

/// BGREWRITEAOF while one runs.
pub const BGREWRITEAOF_IN_PROGRESS: &str =
    "ERR Background append only file rewriting already in progress";
/// RESTORE: the payload's trailer (RDB version, CRC64) does not check out.
pub const DUMP_PAYLOAD_VERSION: &str = "ERR DUMP payload version or checksum are wrong";
/// RESTORE: the payload's trailer is right but its value does not decode.
pub const BAD_DATA_FORMAT: &str = "ERR Bad data format";
pub const BUSYKEY: &str = "BUSYKEY Target key name already exists.";
pub const INVALID_TTL: &str = "ERR Invalid TTL value, must be >= 0";
pub const INVALID_IDLETIME: &str = "ERR Invalid IDLETIME value, must be >= 0";
pub const INVALID_FREQ: &str = "ERR Invalid FREQ value, must be >= 0 and <= 255";
pub const MIGRATE_KEYS_NOT_EMPTY: &str =
    "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string";

// --- COMMAND GETKEYS ---
pub const GETKEYS_NO_KEYS: &str = "ERR The command has no key arguments";
pub const GETKEYS_BAD_ARITY: &str = "ERR Invalid number of arguments specified for command";

/// CONFIG REWRITE's text before the OS error; DEBUG CONFIG-REWRITE-FORCE-ALL
/// replaces it with its own.
pub const CONFIG_REWRITE_FAILED: &str = "ERR Rewriting config file: ";

/// CONFIG SET: a directive's value was refused (`why`) or its side effect failed.
pub fn config_set_failed(name: &str, why: &str) -> String {
    format!("ERR CONFIG SET failed (possibly related to argument '{name}') - {why}")
}

// --- replication (repl/master.rs) ---
pub const SYNC_PENDING_OUTPUT: &str = "ERR SYNC and PSYNC are invalid with pending output";

pub fn replconf_unrecognized(opt: &[u8]) -> Vec<u8> {
    [
        b"ERR Unrecognized REPLCONF option: ",
        c_str(opt, usize::MAX),
    ]
    .concat()
}

/// `ERR Unknown client type '<type>'` (CLIENT LIST TYPE, CLIENT KILL TYPE).
pub fn unknown_client_type(t: &[u8]) -> Vec<u8> {
    [b"ERR Unknown client type '", c_str(t, usize::MAX), b"'"].concat()
}

pub fn replconf_ip_too_long(len: usize) -> String {
    format!("ERR REPLCONF ip-address provided by replica instance is too long: {len} bytes")
}

#[cfg(test)]
mod tests {
    //! The rule of the module header, checked over `src/`: a lexer small enough
    //! to read finds every string literal outside test code and this file.

    use std::collections::HashMap;
    use std::path::{Path, PathBuf};

    /// Redis's error codes: a literal starting with one of them and a space is
    /// an error text (a whole reply or the fixed start of a formatted one).
    const CODES: &[&str] = &[
        "ERR",
        "WRONGTYPE",
        "NOAUTH",
        "WRONGPASS",
        "NOPROTO",
        "OOM",
        "LOADING",
        "NOREPLICAS",
        "MISCONF",
        "BUSYKEY",
        "EXECABORT",
        "UNBLOCKED",
        "DENIED",
        "NOPERM",
        "BUSY",
        "NOSCRIPT",
        "READONLY",
        "MASTERDOWN",
        "NOGROUP",
        "CROSSSLOT",
        "MOVED",
        "ASK",
        "TRYAGAIN",
        "CLUSTERDOWN",
        "NOTBUSY",
        "UNKILLABLE",
    ];

    /// A string literal: its decoded bytes, its line, and whether it is the
    /// value of a `const` item.
    struct Lit {
        bytes: Vec<u8>,
        line: usize,
        is_const: bool,
    }

    fn is_error_text(b: &[u8]) -> bool {
        let b = b.strip_prefix(b"-").unwrap_or(b);
        CODES.iter().any(|c| {
            b.starts_with(c.as_bytes()) && b.get(c.len()) == Some(&b' ') && b.len() > c.len() + 1
        })
    }

    /// `{name}` and `{}` placeholders compare equal: two `format!` strings with
    /// the same text are the same error text.
    fn normalise(b: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'{' && b.get(i + 1) != Some(&b'{') {
                if let Some(end) = b[i..].iter().position(|&c| c == b'}') {
                    out.extend_from_slice(b"{}");
                    i += end + 1;
                    continue;
                }
            }
            out.push(b[i]);
            i += 1;
        }
        out
    }

    /// Decodes the escapes of a (byte) string literal's body.
    fn unescape(body: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(body.len());
        let mut i = 0;
        while i < body.len() {
            if body[i] != b'\\' {
                out.push(body[i]);
                i += 1;
                continue;
            }
            let e = body[i + 1];
            i += 2;
            match e {
                b'n' => out.push(b'\n'),
                b'r' => out.push(b'\r'),
                b't' => out.push(b'\t'),
                b'0' => out.push(0),
                b'x' => {
                    let hex = std::str::from_utf8(&body[i..i + 2]).unwrap();
                    out.push(u8::from_str_radix(hex, 16).unwrap());
                    i += 2;
                }
                b'u' => {
                    let end = i + body[i..].iter().position(|&c| c == b'}').unwrap();
                    let hex = std::str::from_utf8(&body[i + 1..end]).unwrap();
                    let ch = char::from_u32(u32::from_str_radix(hex, 16).unwrap()).unwrap();
                    out.extend_from_slice(ch.to_string().as_bytes());
                    i = end + 1;
                }
                b'\n' => {
                    while i < body.len() && body[i].is_ascii_whitespace() {
                        i += 1;
                    }
                }
                other => out.push(other),
            }
        }
        out
    }

    /// Every string literal of a Rust source file, comments skipped. Code after a
    /// `#[cfg(test)]` attribute on an inline `mod` is left out: tests spell the
    /// texts they expect on the wire.
    fn literals(src: &str) -> Vec<Lit> {
        let s = src.as_bytes();
        let mut out = Vec::new();
        let (mut i, mut line) = (0, 1);
        let mut stmt_start = 0;
        while i < s.len() {
            let c = s[i];
            if s[i..].starts_with(b"#[cfg(test)]") {
                let rest = src[i + 12..].trim_start();
                if rest.starts_with("mod ") && !rest.lines().next().unwrap().ends_with(';') {
                    break;
                }
            }
            if s[i..].starts_with(b"//") {
                while i < s.len() && s[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            if s[i..].starts_with(b"/*") {
                let end = i + 2 + src[i + 2..].find("*/").unwrap() + 2;
                line += s[i..end].iter().filter(|&&c| c == b'\n').count();
                i = end;
                continue;
            }
            if c == b'\'' {
                // A char literal ('"', '\'', 'x') or a lifetime.
                if s[i + 1] == b'\\' {
                    i += 2 + s[i + 2..].iter().position(|&c| c == b'\'').unwrap() + 1;
                } else {
                    let ch = src[i + 1..].chars().next().unwrap();
                    let after = i + 1 + ch.len_utf8();
                    i = if s.get(after) == Some(&b'\'') {
                        after + 1
                    } else {
                        i + 1
                    };
                }
                continue;
            }
            let ident_before = i > 0 && (s[i - 1].is_ascii_alphanumeric() || s[i - 1] == b'_');
            let (prefix, raw) = if ident_before {
                (0, false)
            } else if s[i..].starts_with(b"br") && matches!(s.get(i + 2), Some(b'"' | b'#')) {
                (2, true)
            } else if c == b'r' && matches!(s.get(i + 1), Some(b'"' | b'#')) {
                (1, true)
            } else if c == b'b' && s.get(i + 1) == Some(&b'"') {
                (1, false)
            } else {
                (0, false)
            };
            let mut j = i + prefix;
            let hashes = if raw {
                s[j..].iter().take_while(|&&c| c == b'#').count()
            } else {
                0
            };
            j += hashes;
            if s.get(j) != Some(&b'"') || (prefix == 0 && c != b'"') {
                if matches!(c, b';' | b'{' | b'}') {
                    stmt_start = i + 1;
                }
                if c == b'\n' {
                    line += 1;
                }
                i += 1;
                continue;
            }
            let start = j + 1;
            let mut k = start;
            let bytes = if raw {
                let close: Vec<u8> = std::iter::once(b'"')
                    .chain((0..hashes).map(|_| b'#'))
                    .collect();
                while !s[k..].starts_with(&close) {
                    k += 1;
                }
                let b = s[start..k].to_vec();
                k += close.len();
                b
            } else {
                while s[k] != b'"' {
                    k += if s[k] == b'\\' { 2 } else { 1 };
                }
                let b = unescape(&s[start..k]);
                k += 1;
                b
            };
            let before = src[stmt_start..i].trim();
            // `const X: &str =`, `pub(crate) static X: &[u8] =` ...
            let is_const = before.ends_with('=')
                && before
                    .split_whitespace()
                    .take(2)
                    .any(|w| w == "const" || w == "static");
            out.push(Lit {
                bytes,
                line,
                is_const,
            });
            line += s[i..k].iter().filter(|&&c| c == b'\n').count();
            i = k;
        }
        out
    }

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    #[test]
    fn lexer_finds_literals_and_skips_comments_and_chars() {
        let src = "let a = '\"'; // \"ERR not\"\nlet b = b\"ERR x\\\n    y\";\nconst C: &str =\n    r#\"ERR \"q\"\"#;\nfn f<'a>() {}\npub(super) static D: &[u8] = b\"ERR d\";\n#[cfg(test)]\nmod tests {\n    \"ERR t\"\n}\n";
        let lits = literals(src);
        let got: Vec<(&[u8], usize, bool)> = lits
            .iter()
            .map(|l| (&l.bytes[..], l.line, l.is_const))
            .collect();
        assert_eq!(
            got,
            [
                (&b"ERR xy"[..], 2, false),
                (&b"ERR \"q\""[..], 5, true),
                (&b"ERR d"[..], 7, true)
            ]
        );
        assert_eq!(normalise(b"ERR '{name}' - {}{{"), b"ERR '{}' - {}{{");
    }

    /// The rule of the module header: outside test code, no error text equals one
    /// of this file's, no error text appears twice, and no error text is a
    /// `const` of another module.
    #[test]
    fn error_texts_live_in_error_rs() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let own = literals(include_str!("error.rs"));
        let here: Vec<Vec<u8>> = own
            .iter()
            .filter(|l| is_error_text(&l.bytes))
            .map(|l| normalise(&l.bytes))
            .collect();
        let mut files = Vec::new();
        rust_files(&root.join("src"), &mut files);
        files.sort();
        let mut seen: HashMap<Vec<u8>, String> = HashMap::new();
        let mut bad = Vec::new();
        for path in files {
            let name = path.strip_prefix(root).unwrap().display().to_string();
            if name == "src/error.rs" || path.file_name().is_some_and(|n| n == "tests.rs") {
                continue;
            }
            let src = std::fs::read_to_string(&path).unwrap();
            for lit in literals(&src)
                .into_iter()
                .filter(|l| is_error_text(&l.bytes))
            {
                let at = format!("{name}:{}", lit.line);
                let text = String::from_utf8_lossy(&lit.bytes).into_owned();
                let key = normalise(&lit.bytes);
                if here.contains(&key) {
                    bad.push(format!("{at}: {text:?} is already in error.rs"));
                } else if lit.is_const {
                    bad.push(format!(
                        "{at}: error-text constant {text:?} belongs in error.rs"
                    ));
                } else if let Some(first) = seen.get(&key) {
                    bad.push(format!(
                        "{at}: {text:?} also at {first}: move it to error.rs"
                    ));
                } else {
                    seen.insert(key, at);
                }
            }
        }
        assert!(
            bad.is_empty(),
            "error texts outside src/error.rs:\n{}",
            bad.join("\n")
        );
    }
}
