//! Glob-style pattern matching with the semantics of Redis's `stringmatchlen`,
//! used by KEYS, SCAN MATCH, PSUBSCRIBE, CONFIG GET and ACL key patterns.
//!
//! Supported syntax:
//!
//! - `*` any run of bytes, `?` any single byte;
//! - `[abc]` a set, `[^abc]` its complement, `[a-z]` a range (a reversed range
//!   `[z-a]` means the same as `[a-z]`), `\x` inside a set is a literal `x`;
//! - `\x` outside a set is a literal `x` (a trailing lone `\` is itself literal);
//! - an unterminated `[` is closed by the end of the pattern.
//!
//! Quirks kept from Redis on purpose: `*` never matches against an empty subject
//! unless something was consumed before it (`"*"` does not match `""`), and an
//! escaped byte inside a set is compared case-sensitively even with `nocase`.
//!
//! Pathological patterns (`a*a*a*...b`) cannot blow up: as in Redis 7.0, once a
//! `*` has tried every suffix of the subject and failed, every enclosing `*`
//! gives up too (a longer prefix cannot help), which makes matching polynomial.
//! On top of that the recursion depth is bounded by [`MAX_NESTING`] so a pattern
//! with many thousand stars cannot overflow the stack; such a pattern simply
//! does not match.

/// Deepest `*` nesting a match attempt may reach; deeper patterns don't match.
pub const MAX_NESTING: usize = 1000;

/// Returns true when `s` matches the glob `pattern`; `nocase` folds ASCII case.
pub fn string_match(pattern: &[u8], s: &[u8], nocase: bool) -> bool {
    let mut skip_longer = false;
    match_impl(pattern, s, nocase, &mut skip_longer, 0)
}

fn fold(c: u8, nocase: bool) -> u8 {
    if nocase {
        c.to_ascii_lowercase()
    } else {
        c
    }
}

fn match_impl(
    mut p: &[u8],
    mut s: &[u8],
    nocase: bool,
    skip_longer: &mut bool,
    nesting: usize,
) -> bool {
    if nesting > MAX_NESTING {
        // Treat as "cannot match with any longer prefix either".
        *skip_longer = true;
        return false;
    }
    while !p.is_empty() && !s.is_empty() {
        match p[0] {
            b'*' => {
                while p.len() >= 2 && p[1] == b'*' {
                    p = &p[1..];
                }
                if p.len() == 1 {
                    return true;
                }
                while !s.is_empty() {
                    if match_impl(&p[1..], s, nocase, skip_longer, nesting + 1) {
                        return true;
                    }
                    if *skip_longer {
                        return false;
                    }
                    s = &s[1..];
                }
                *skip_longer = true;
                return false;
            }
            b'?' => {
                s = &s[1..];
            }
            b'[' => {
                p = &p[1..];
                let not = p.first() == Some(&b'^');
                if not {
                    p = &p[1..];
                }
                let c = s[0];
                let mut matched = false;
                loop {
                    if p.is_empty() {
                        // Unterminated set: the end of the pattern closes it. Keep
                        // one byte of "pattern" so the common advance below empties it.
                        break;
                    }
                    if p[0] == b'\\' && p.len() >= 2 {
                        p = &p[1..];
                        if p[0] == c {
                            matched = true;
                        }
                    } else if p[0] == b']' {
                        break;
                    } else if p.len() >= 3 && p[1] == b'-' {
                        let (mut start, mut end) = (p[0], p[2]);
                        if start > end {
                            std::mem::swap(&mut start, &mut end);
                        }
                        let (start, end, cc) =
                            (fold(start, nocase), fold(end, nocase), fold(c, nocase));
                        p = &p[2..];
                        if cc >= start && cc <= end {
                            matched = true;
                        }
                    } else if fold(p[0], nocase) == fold(c, nocase) {
                        matched = true;
                    }
                    p = &p[1..];
                }
                if not {
                    matched = !matched;
                }
                if !matched {
                    return false;
                }
                s = &s[1..];
                if p.is_empty() {
                    // Set closed by the end of the pattern: nothing left to advance.
                    if s.is_empty() {
                        return true;
                    }
                    return false;
                }
            }
            b'\\' if p.len() >= 2 => {
                p = &p[1..];
                if fold(p[0], nocase) != fold(s[0], nocase) {
                    return false;
                }
                s = &s[1..];
            }
            c => {
                if fold(c, nocase) != fold(s[0], nocase) {
                    return false;
                }
                s = &s[1..];
            }
        }
        p = &p[1..];
        if s.is_empty() {
            while p.first() == Some(&b'*') {
                p = &p[1..];
            }
            break;
        }
    }
    p.is_empty() && s.is_empty()
}

#[cfg(test)]
mod tests {
    use super::string_match;

    fn m(p: &str, s: &str) -> bool {
        string_match(p.as_bytes(), s.as_bytes(), false)
    }

    #[test]
    fn literals_and_wildcards() {
        assert!(m("hello", "hello"));
        assert!(!m("hello", "hellO"));
        assert!(string_match(b"hello", b"HeLLo", true));
        assert!(m("h?llo", "hallo"));
        assert!(!m("h?llo", "hllo"));
        assert!(m("h*llo", "hllo"));
        assert!(m("h*llo", "heeeello"));
        assert!(m("*", "x"));
        assert!(
            !m("*", ""),
            "Redis quirk: * does not match the empty string"
        );
        assert!(m("", ""));
        assert!(!m("", "a"));
        assert!(m("a*", "a"));
        assert!(m("a**", "a"));
        assert!(m("**b", "ab"));
        assert!(!m("a*b", "acd"));
        assert!(m("*o*", "foo"));
    }

    #[test]
    fn sets_and_ranges() {
        assert!(m("h[ae]llo", "hello"));
        assert!(!m("h[ae]llo", "hillo"));
        assert!(m("h[^e]llo", "hallo"));
        assert!(!m("h[^e]llo", "hello"));
        assert!(m("h[a-b]llo", "hbllo"));
        assert!(m("h[b-a]llo", "hallo"), "reversed range");
        assert!(!m("h[a-b]llo", "hcllo"));
        assert!(string_match(b"[A-C]x", b"bX", true));
        assert!(m("[\\]]", "]"));
        assert!(m("[a\\-z]", "-"));
        assert!(!m("[a\\-z]", "b"));
        assert!(!m("[]", "a"), "empty set matches nothing");
        // Unterminated set: closed by the end of the pattern.
        assert!(m("[abc", "b"));
        assert!(!m("[abc", "d"));
        assert!(!m("[abc", "bb"));
        assert!(!m("a[", "ab"));
    }

    #[test]
    fn escapes() {
        assert!(m("\\*", "*"));
        assert!(!m("\\*", "a"));
        assert!(m("a\\?b", "a?b"));
        assert!(m("\\", "\\"), "trailing backslash is literal");
        assert!(m("a\\", "a\\"));
    }

    #[test]
    fn pathological_patterns_are_fast() {
        let subject = "a".repeat(50);
        let pattern = format!("{}b", "a*".repeat(30));
        let t = std::time::Instant::now();
        assert!(!m(&pattern, &subject));
        assert!(t.elapsed().as_secs() < 1);
        // Very deep star nesting does not overflow the stack.
        let deep = format!("{}b", "a*".repeat(100_000));
        let subject = "a".repeat(200_000);
        assert!(!m(&deep, &subject));
    }

    #[test]
    fn config_names() {
        assert!(string_match(b"maxmemory*", b"maxmemory-policy", true));
        assert!(string_match(b"MAXMEM*", b"maxmemory", true));
        assert!(!string_match(b"maxmemory?", b"maxmemory", true));
    }
}
