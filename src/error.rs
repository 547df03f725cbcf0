//! Error replies: every error text oxidis sends lives here, spelled exactly as
//! Redis 7.0 spells it. Data operations return `Result<T, OpError>`; the command
//! layer turns an `OpError` into an error reply.

use std::borrow::Cow;

pub const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";
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

/// Writes refused after a failed background save (`stop-writes-on-bgsave-error`).
/// A DENYOOM command while used memory is over `maxmemory` and nothing can be
/// evicted (Redis's shared.oomerr).
pub const OOM: &str = "OOM command not allowed when used memory > 'maxmemory'.";
pub const LOADING: &str = "LOADING Redis is loading the dataset in memory";
pub const NOREPLICAS: &str = "NOREPLICAS Not enough good replicas to write.";
pub const MISCONF: &str = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";
/// SORT without ALPHA: a weight that `strtod` does not read whole.
pub const SORT_SCORES_NOT_DOUBLE: &str = "ERR One or more scores can't be converted into double";

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
