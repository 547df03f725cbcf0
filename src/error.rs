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
        }
    }
}

/// "ERR wrong number of arguments for '<cmd>' command"
pub fn wrong_arity(fullname: &str) -> String {
    format!("ERR wrong number of arguments for '{fullname}' command")
}

/// "ERR invalid expire time in '<cmd>' command"
pub fn invalid_expire(cmd: &str) -> String {
    format!("ERR invalid expire time in '{cmd}' command")
}

/// getPositiveLongFromObjectOrReply without a custom message (LPOP/RPOP count).
pub const MUST_BE_POSITIVE: &str = "ERR value is out of range, must be positive";
pub const LPOS_RANK_ZERO: &str = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
pub const LPOS_COUNT_NEGATIVE: &str = "ERR COUNT can't be negative";
pub const LPOS_MAXLEN_NEGATIVE: &str = "ERR MAXLEN can't be negative";
pub const NUMKEYS_NOT_POSITIVE: &str = "ERR numkeys should be greater than 0";
pub const COUNT_NOT_POSITIVE: &str = "ERR count should be greater than 0";
