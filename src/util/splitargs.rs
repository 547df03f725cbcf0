//! Argument splitting with Redis's `sdssplitargs` rules, shared by inline commands
//! and redis.conf lines.
//!
//! - Arguments are separated by ASCII white space.
//! - `"..."` may contain `\n \r \t \b \a \\ \"` and `\xHH` escapes; any other
//!   backslash sequence stands for the escaped character.
//! - `'...'` takes everything literally except `\'`.
//! - A closing quote must be followed by white space or the end of the line.
//!
//! Returns `None` for unbalanced quotes (Redis's "unbalanced quotes" error).

pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    // Redis works on a C string: a NUL byte ends the line.
    let line = &line[..line.iter().position(|&b| b == 0).unwrap_or(line.len())];
    let mut out = Vec::new();
    let mut i = 0;
    let n = line.len();
    loop {
        while i < n && is_space(line[i]) {
            i += 1;
        }
        if i >= n {
            return Some(out);
        }
        let mut cur = Vec::new();
        let mut in_dq = false;
        let mut in_sq = false;
        loop {
            if in_dq {
                if i >= n {
                    return None;
                }
                let c = line[i];
                if c == b'\\'
                    && i + 3 < n
                    && line[i + 1] == b'x'
                    && line[i + 2].is_ascii_hexdigit()
                    && line[i + 3].is_ascii_hexdigit()
                {
                    cur.push(hex(line[i + 2]) * 16 + hex(line[i + 3]));
                    i += 3;
                } else if c == b'\\' && i + 1 < n {
                    i += 1;
                    cur.push(match line[i] {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 8,
                        b'a' => 7,
                        other => other,
                    });
                } else if c == b'"' {
                    if i + 1 < n && !is_space(line[i + 1]) {
                        return None;
                    }
                    i += 1;
                    break;
                } else {
                    cur.push(c);
                }
            } else if in_sq {
                if i >= n {
                    return None;
                }
                let c = line[i];
                if c == b'\\' && i + 1 < n && line[i + 1] == b'\'' {
                    i += 1;
                    cur.push(b'\'');
                } else if c == b'\'' {
                    if i + 1 < n && !is_space(line[i + 1]) {
                        return None;
                    }
                    i += 1;
                    break;
                } else {
                    cur.push(c);
                }
            } else {
                if i >= n {
                    break;
                }
                match line[i] {
                    b' ' | b'\n' | b'\r' | b'\t' => {
                        break;
                    }
                    b'"' => in_dq = true,
                    b'\'' => in_sq = true,
                    c => cur.push(c),
                }
            }
            i += 1;
        }
        out.push(cur);
    }
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn hex(c: u8) -> u8 {
    (c as char).to_digit(16).unwrap_or(0) as u8
}

#[cfg(test)]
mod tests {
    use super::split_args;

    fn s(line: &str) -> Option<Vec<String>> {
        split_args(line.as_bytes()).map(|v| {
            v.into_iter()
                .map(|a| String::from_utf8_lossy(&a).into_owned())
                .collect()
        })
    }

    #[test]
    fn splits_like_sdssplitargs() {
        assert_eq!(
            s("set a b"),
            Some(vec!["set".into(), "a".into(), "b".into()])
        );
        assert_eq!(s("  a   b  "), Some(vec!["a".into(), "b".into()]));
        assert_eq!(s(""), Some(vec![]));
        assert_eq!(s(r#""a b" 'c d'"#), Some(vec!["a b".into(), "c d".into()]));
        assert_eq!(s(r#""\x41\n\q""#), Some(vec!["A\nq".into()]));
        assert_eq!(s(r"'it\'s'"), Some(vec!["it's".into()]));
        assert_eq!(s(r#""""#), Some(vec!["".into()]));
        assert_eq!(s(r#""a"b"#), None);
        assert_eq!(s(r#""abc"#), None);
        assert_eq!(s("'abc"), None);
        assert_eq!(s(r#"a"b c""#), Some(vec!["ab c".into()]));
        assert_eq!(s("a\0b c"), Some(vec!["a".into()]));
        assert_eq!(s("\0"), Some(vec![]));
        assert_eq!(s("\"a\0b\""), None);
    }
}
