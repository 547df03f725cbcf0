//! Incremental request parser: RESP multibulk (`*N\r\n$L\r\n...`) and inline
//! commands, with Redis's limits and protocol-error texts.
//!
//! The parser consumes bytes from the front of the client's query buffer and keeps
//! its position in [`ParseState`] between reads, so a request split across many
//! reads is never re-scanned from the start. Arguments are `Bytes` split off the
//! query buffer without copying; a bulk of `BIG_ARG` bytes or more gets an allocation
//! of its own so that keeping it (as a stored value) does not pin the buffer.

use bytes::{Buf, Bytes, BytesMut};

use crate::util::number::parse_i64;
use crate::util::splitargs::split_args;

/// Longest inline request, and longest `*N` / `$N` line (PROTO_INLINE_MAX_SIZE).
pub const INLINE_MAX: usize = 64 * 1024;
/// Bulks this large get their own buffer (PROTO_MBULK_BIG_ARG).
pub const BIG_ARG: usize = 32 * 1024;

/// Limits that come from the configuration.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_bulk_len: u64,
    /// Unauthenticated clients may only send small requests.
    pub auth_required: bool,
}

/// Where the parser is inside the current request.
#[derive(Default, Debug)]
pub struct ParseState {
    /// Bulks still expected in the current multibulk (0 = at a request boundary).
    multibulk_len: usize,
    /// Length of the bulk being read, once its `$` line was seen.
    bulk_len: Option<usize>,
}

impl ParseState {
    /// True when part of a request has been consumed.
    pub fn in_progress(&self) -> bool {
        self.multibulk_len > 0
    }

    /// Length of the bulk being read, once its `$` line was seen.
    pub fn bulk_len(&self) -> Option<usize> {
        self.bulk_len.filter(|_| self.multibulk_len > 0)
    }

    /// While a big argument (`BIG_ARG` or more) is read: the bytes still
    /// missing from it, given the `have` bytes buffered. Reading just those
    /// keeps its buffer exactly its size (Redis reads big arguments so).
    pub fn big_arg_remaining(&self, have: usize) -> Option<usize> {
        let l = self.bulk_len()?;
        (l >= BIG_ARG)
            .then(|| (l + 2).saturating_sub(have))
            .filter(|&n| n > 0)
    }
}

/// What one call to [`parse`] produced.
#[derive(Debug, PartialEq, Eq)]
pub enum Parsed {
    /// Not enough bytes yet.
    Incomplete,
    /// `argv` holds a complete command.
    Command,
    /// A request with no arguments (`*0`, `*-1`, an empty inline line): skip it.
    Empty,
}

/// A protocol error: the text to reply (after `-`) before closing the connection.
/// Bytes, as one of them may echo the client's.
#[derive(Debug, PartialEq, Eq)]
pub struct ProtoError(pub Vec<u8>);

fn find_crlf_line(buf: &[u8]) -> Option<usize> {
    strchr(b'\r', buf)
}

/// C's `strchr` on the query buffer, as Redis uses it: the search stops at a NUL
/// byte, so a request line with a NUL before its end stays incomplete (until the
/// size limits turn it into a protocol error).
#[inline]
fn strchr(c: u8, buf: &[u8]) -> Option<usize> {
    match buf.iter().position(|&b| b == c || b == 0) {
        Some(i) if buf[i] == c => Some(i),
        _ => None,
    }
}

/// The common case of a `*N` or `$N` line, as every client library sends it:
/// the type byte, a canonical decimal of at most 9 digits, `\r` and at least
/// one byte after it. Returns the number and the offset of the `\r`; None
/// leaves the line (and its errors) to the general path, which agrees on every
/// line this one accepts.
#[inline]
fn fast_header(buf: &[u8]) -> Option<(i64, usize)> {
    let first = *buf.get(1)?;
    if !(b'1'..=b'9').contains(&first) {
        return None;
    }
    let mut v = i64::from(first - b'0');
    let mut i = 2;
    let stop = buf.len().min(10);
    while i < stop && buf[i].is_ascii_digit() {
        v = v * 10 + i64::from(buf[i] - b'0');
        i += 1;
    }
    (i + 1 < buf.len() && buf[i] == b'\r').then_some((v, i))
}

/// The general path for a `*N` or `$N` line: None while the line (and the
/// byte after its `\r`) is incomplete, `too_big` once it cannot be a count;
/// otherwise the number (None if not an integer) and the offset of the `\r`.
///
/// A line longer than INLINE_MAX is too big whether or not its end has
/// arrived: Redis's check runs on what one read(2) brought, which for such a
/// line is almost always before its end, so the limit must not depend on how
/// the bytes were split.
fn count_line(buf: &[u8], too_big: &str) -> Result<Option<(Option<i64>, usize)>, ProtoError> {
    let Some(cr) = find_crlf_line(buf) else {
        if buf.len() > INLINE_MAX {
            return Err(ProtoError(too_big.as_bytes().to_vec()));
        }
        return Ok(None);
    };
    if cr > INLINE_MAX {
        return Err(ProtoError(too_big.as_bytes().to_vec()));
    }
    if cr + 1 >= buf.len() {
        return Ok(None);
    }
    // `cr` is 0 when the line starts with `\r` (the caller then rejects the
    // type byte).
    Ok(Some((buf.get(1..cr).and_then(parse_i64), cr)))
}

/// Parses at most one request from the front of `buf` into `argv`.
pub fn parse(
    buf: &mut BytesMut,
    st: &mut ParseState,
    argv: &mut Vec<Bytes>,
    lim: &Limits,
) -> Result<Parsed, ProtoError> {
    if st.multibulk_len == 0 {
        if buf.is_empty() {
            return Ok(Parsed::Incomplete);
        }
        if buf[0] != b'*' {
            return parse_inline(buf, argv);
        }
        let (n, cr) = match fast_header(buf) {
            Some(h) => h,
            None => match count_line(buf, "Protocol error: too big mbulk count string")? {
                None => return Ok(Parsed::Incomplete),
                Some((Some(n), cr)) if n <= i32::MAX as i64 => (n, cr),
                Some(_) => {
                    return Err(ProtoError(
                        b"Protocol error: invalid multibulk length".into(),
                    ))
                }
            },
        };
        if n > 10 && lim.auth_required {
            return Err(ProtoError(
                b"Protocol error: unauthenticated multibulk length".into(),
            ));
        }
        buf.advance(cr + 2);
        if n <= 0 {
            return Ok(Parsed::Empty);
        }
        st.multibulk_len = n as usize;
        argv.clear();
        argv.reserve(st.multibulk_len.min(1024));
    }
    while st.multibulk_len > 0 {
        let len = match st.bulk_len {
            Some(l) => l,
            None => {
                let (l, cr) = match fast_header(buf) {
                    Some(h) if buf[0] == b'$' => h,
                    _ => match count_line(buf, "Protocol error: too big bulk count string")? {
                        None => return Ok(Parsed::Incomplete),
                        Some(_) if buf[0] != b'$' => {
                            return Err(ProtoError(
                                [&b"Protocol error: expected '$', got '"[..], &buf[..1], b"'"]
                                    .concat(),
                            ))
                        }
                        Some((Some(l), cr)) => (l, cr),
                        Some((None, _)) => {
                            return Err(ProtoError(b"Protocol error: invalid bulk length".into()))
                        }
                    },
                };
                let l = match l {
                    l if l >= 0 && (l as u64) <= lim.max_bulk_len => l as usize,
                    _ => return Err(ProtoError(b"Protocol error: invalid bulk length".into())),
                };
                if l > 16384 && lim.auth_required {
                    return Err(ProtoError(
                        b"Protocol error: unauthenticated bulk length".into(),
                    ));
                }
                buf.advance(cr + 2);
                if l >= BIG_ARG && buf.len() < l + 2 {
                    // Give the big argument a buffer of its own, sized exactly.
                    let mut own = BytesMut::with_capacity(l + 2);
                    own.extend_from_slice(buf);
                    *buf = own;
                }
                st.bulk_len = Some(l);
                l
            }
        };
        if buf.len() < len + 2 {
            if buf.capacity() < len + 2 {
                buf.reserve(len + 2 - buf.len());
            }
            return Ok(Parsed::Incomplete);
        }
        let arg = if len >= BIG_ARG && buf.len() > len + 2 {
            // Shares the buffer with what follows: copy rather than pin it.
            let a = Bytes::copy_from_slice(&buf[..len]);
            buf.advance(len);
            a
        } else {
            buf.split_to(len).freeze()
        };
        // Like Redis, the two bytes after a bulk are skipped, not checked.
        buf.advance(2);
        if len >= BIG_ARG && buf.is_empty() {
            // The buffer became the argument. As Redis, expect another big
            // one and read it into a buffer of the same size (the cron gives
            // the room back if none comes).
            *buf = BytesMut::with_capacity(len + 2);
        }
        argv.push(arg);
        st.bulk_len = None;
        st.multibulk_len -= 1;
    }
    Ok(Parsed::Command)
}

fn parse_inline(buf: &mut BytesMut, argv: &mut Vec<Bytes>) -> Result<Parsed, ProtoError> {
    // Too big with or without its end in the buffer (see `count_line`).
    let too_big = || ProtoError(b"Protocol error: too big inline request".to_vec());
    let Some(nl) = strchr(b'\n', buf) else {
        if buf.len() > INLINE_MAX {
            return Err(too_big());
        }
        return Ok(Parsed::Incomplete);
    };
    if nl > INLINE_MAX {
        return Err(too_big());
    }
    let line_end = if nl > 0 && buf[nl - 1] == b'\r' {
        nl - 1
    } else {
        nl
    };
    let Some(args) = split_args(&buf[..line_end]) else {
        return Err(ProtoError(
            b"Protocol error: unbalanced quotes in request".into(),
        ));
    };
    buf.advance(nl + 1);
    argv.clear();
    if args.is_empty() {
        return Ok(Parsed::Empty);
    }
    argv.extend(args.into_iter().map(Bytes::from));
    Ok(Parsed::Command)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIM: Limits = Limits {
        max_bulk_len: 512 * 1024 * 1024,
        auth_required: false,
    };

    fn parse_all(input: &[u8], chunk: usize) -> Result<Vec<Vec<Vec<u8>>>, ProtoError> {
        let mut buf = BytesMut::new();
        let mut st = ParseState::default();
        let mut argv = Vec::new();
        let mut out = Vec::new();
        for piece in input.chunks(chunk.max(1)) {
            buf.extend_from_slice(piece);
            loop {
                match parse(&mut buf, &mut st, &mut argv, &LIM)? {
                    Parsed::Incomplete => break,
                    Parsed::Empty => {}
                    Parsed::Command => out.push(argv.iter().map(|a| a.to_vec()).collect()),
                }
            }
        }
        Ok(out)
    }

    #[test]
    fn multibulk_in_any_split() {
        let req = b"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n*1\r\n$4\r\nPING\r\n";
        for chunk in 1..req.len() {
            let cmds = parse_all(req, chunk).unwrap();
            assert_eq!(cmds.len(), 2, "chunk {chunk}");
            assert_eq!(
                cmds[0],
                vec![b"SET".to_vec(), b"key".to_vec(), b"value".to_vec()]
            );
            assert_eq!(cmds[1], vec![b"PING".to_vec()]);
        }
    }

    #[test]
    fn inline_and_empty_requests() {
        let cmds = parse_all(b"\r\n\n  \r\nset a \"b c\"\r\nping\n*0\r\n*-1\r\n", 3).unwrap();
        assert_eq!(
            cmds,
            vec![
                vec![b"set".to_vec(), b"a".to_vec(), b"b c".to_vec()],
                vec![b"ping".to_vec()]
            ]
        );
    }

    #[test]
    fn protocol_errors_have_redis_texts() {
        let e = |s: &[u8]| String::from_utf8(parse_all(s, s.len()).unwrap_err().0).unwrap();
        assert_eq!(e(b"*abc\r\n"), "Protocol error: invalid multibulk length");
        assert_eq!(
            e(b"*2147483648\r\n"),
            "Protocol error: invalid multibulk length"
        );
        assert_eq!(e(b"*1\r\n$-1\r\n"), "Protocol error: invalid bulk length");
        assert_eq!(e(b"*1\r\n*1\r\n"), "Protocol error: expected '$', got '*'");
        // A bulk line that starts with its own `\r`.
        assert_eq!(e(b"*1\r\n\r\n"), "Protocol error: expected '$', got '\r'");
        // The byte is echoed as it came, not as a character.
        let raw = parse_all(b"*1\r\n\xff1\r\n", 64).unwrap_err().0;
        assert_eq!(raw, b"Protocol error: expected '$', got '\xff'");
        assert_eq!(
            e(b"set a \"b\r\n"),
            "Protocol error: unbalanced quotes in request"
        );
        let long = vec![b'a'; INLINE_MAX + 1];
        assert_eq!(e(&long), "Protocol error: too big inline request");
        let mut long = b"*".to_vec();
        long.extend(vec![b'1'; INLINE_MAX + 1]);
        assert_eq!(e(&long), "Protocol error: too big mbulk count string");
        // The same lines with their end in the same buffer.
        let mut long = b"ECHO ".to_vec();
        long.extend(vec![b'a'; 100 * 1024]);
        long.extend_from_slice(b"\r\n");
        assert_eq!(e(&long), "Protocol error: too big inline request");
        let mut long = b"*".to_vec();
        long.extend(vec![b'1'; INLINE_MAX + 1]);
        long.extend_from_slice(b"\r\n");
        assert_eq!(e(&long), "Protocol error: too big mbulk count string");
        let mut long = b"*1\r\n$".to_vec();
        long.extend(vec![b'1'; INLINE_MAX + 1]);
        long.extend_from_slice(b"\r\n");
        assert_eq!(e(&long), "Protocol error: too big bulk count string");
        let lim = Limits {
            max_bulk_len: 10,
            auth_required: false,
        };
        let mut buf = BytesMut::from(&b"*1\r\n$11\r\n"[..]);
        let r = parse(&mut buf, &mut ParseState::default(), &mut Vec::new(), &lim);
        assert_eq!(r.unwrap_err().0, b"Protocol error: invalid bulk length");
    }

    #[test]
    fn nul_bytes_hide_the_line_end_as_in_c() {
        assert_eq!(
            parse_all(b"ECHO a\0b c\r\n", 64).unwrap(),
            Vec::<Vec<Vec<u8>>>::new()
        );
        assert_eq!(
            parse_all(b"*1\0\r\n", 64).unwrap(),
            Vec::<Vec<Vec<u8>>>::new()
        );
        let mut long = b"PING\0".to_vec();
        long.extend(vec![b'a'; INLINE_MAX]);
        assert_eq!(
            parse_all(&long, long.len()).unwrap_err().0,
            b"Protocol error: too big inline request"
        );
    }

    #[test]
    fn huge_counts_do_not_preallocate() {
        let mut buf = BytesMut::from(&b"*1048576\r\n$1\r\na\r\n"[..]);
        let mut st = ParseState::default();
        let mut argv = Vec::new();
        assert_eq!(
            parse(&mut buf, &mut st, &mut argv, &LIM).unwrap(),
            Parsed::Incomplete
        );
        assert!(argv.capacity() <= 1024);
        assert!(st.in_progress());
    }

    #[test]
    fn fast_header_agrees_with_the_general_path() {
        for line in [
            &b"$3\r\n"[..],
            b"*1\r\n",
            b"$123456789\r\n",
            b"$1234567890\r\n",
            b"$0\r\n",
            b"$01\r\n",
            b"$-1\r\n",
            b"$12a\r\n",
            b"$12\r",
            b"$12",
            b"$\r\n",
            b"$9\n\n",
        ] {
            let general = strchr(b'\r', line)
                .filter(|&cr| cr + 1 < line.len())
                .and_then(|cr| Some((parse_i64(&line[1..cr])?, cr)));
            if let Some(fast) = fast_header(line) {
                assert_eq!(Some(fast), general, "{:?}", String::from_utf8_lossy(line));
            }
        }
        assert_eq!(fast_header(b"$42\r\n"), Some((42, 3)));
        assert_eq!(fast_header(b"$42\r"), None);
    }

    #[test]
    fn big_args_get_their_own_buffer() {
        let big = vec![b'x'; BIG_ARG + 10];
        let mut req = format!("*2\r\n$3\r\nset\r\n${}\r\n", big.len()).into_bytes();
        req.extend_from_slice(&big);
        req.extend_from_slice(b"\r\n");
        let cmds = parse_all(&req, 1000).unwrap();
        assert_eq!(cmds[0][1], big);
    }
}
