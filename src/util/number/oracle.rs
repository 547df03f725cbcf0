//! The expected values of the number unit tests, computed by the C library:
//! the tables in `testdata/` (format and generator in `testdata/README.md`).

/// A long double as `(sign_exponent, mantissa, human form)`.
pub(super) type LdBits = (u16, u64, String);

/// `(input, Some((bits, "%.17g")))`, or `None` if Redis rejects the input.
pub(super) fn f64_parse() -> Vec<(String, Option<(u64, String)>)> {
    records(include_str!("testdata/strtod.txt"))
        .into_iter()
        .map(|f| match &f[..] {
            [input, r] if r == "rejected" => (input.clone(), None),
            [input, bits, g] => (input.clone(), Some((hex(bits), g.clone()))),
            _ => panic!("strtod.txt: bad record {f:?}"),
        })
        .collect()
}

/// `(bits, "%.17g")`.
pub(super) fn f64_g17() -> Vec<(u64, String)> {
    records(include_str!("testdata/g17.txt"))
        .into_iter()
        .map(|f| match &f[..] {
            [bits, g] => (hex(bits), g.clone()),
            _ => panic!("g17.txt: bad record {f:?}"),
        })
        .collect()
}

/// `(precision, bits, "%.*Lf" of the double)`.
pub(super) fn f64_fixed() -> Vec<(usize, u64, String)> {
    records(include_str!("testdata/fixed.txt"))
        .into_iter()
        .map(|f| match &f[..] {
            [prec, bits, s] => (prec.parse().expect("precision"), hex(bits), s.clone()),
            _ => panic!("fixed.txt: bad record {f:?}"),
        })
        .collect()
}

/// `(input, Some(long double))`, or `None` if `string2ld` rejects the input.
pub(super) fn ld_parse() -> Vec<(String, Option<LdBits>)> {
    records(include_str!("testdata/strtold.txt"))
        .into_iter()
        .map(|f| match &f[..] {
            [input, rest @ ..] => (input.clone(), long_double(rest, &f)),
            _ => panic!("strtold.txt: bad record {f:?}"),
        })
        .collect()
}

/// `(a, b, Some(sum))`, `None` when the sum is NaN or infinite.
pub(super) fn ld_add() -> Vec<(String, String, Option<LdBits>)> {
    records(include_str!("testdata/ldadd.txt"))
        .into_iter()
        .map(|f| match &f[..] {
            [a, b, rest @ ..] => (a.clone(), b.clone(), long_double(rest, &f)),
            _ => panic!("ldadd.txt: bad record {f:?}"),
        })
        .collect()
}

fn long_double(fields: &[String], record: &[String]) -> Option<LdBits> {
    match fields {
        [r] if r == "rejected" => None,
        [se, m, human] => Some((hex(se) as u16, hex(m), human.clone())),
        _ => panic!("bad long double record {record:?}"),
    }
}

fn hex(s: &str) -> u64 {
    let digits = s
        .strip_prefix("0x")
        .unwrap_or_else(|| panic!("not 0x hex: {s}"));
    u64::from_str_radix(digits, 16).unwrap_or_else(|_| panic!("not hex: {s}"))
}

/// The records of a table, each split into fields: comments and empty lines
/// dropped, wrapped lines (ending in `\`) joined, quoted fields unescaped.
fn records(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut record = String::new();
    for line in text.lines() {
        if record.is_empty() && (line.is_empty() || line.starts_with('#')) {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(part) => record.push_str(part),
            None => {
                record.push_str(line);
                out.push(fields(&record));
                record.clear();
            }
        }
    }
    assert!(record.is_empty(), "wrapped line at the end of a table");
    out
}

fn fields(record: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = record.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c == ' ' {
            chars.next();
        } else if c == '"' {
            chars.next();
            let mut s = String::new();
            loop {
                match chars
                    .next()
                    .unwrap_or_else(|| panic!("unterminated string: {record}"))
                {
                    '"' => break,
                    '\\' => match chars.next() {
                        Some('x') => {
                            let h: String = chars.by_ref().take(2).collect();
                            let b = u8::from_str_radix(&h, 16).expect("\\xHH");
                            s.push(char::from(b));
                        }
                        Some(e @ ('"' | '\\')) => s.push(e),
                        e => panic!("bad escape {e:?}: {record}"),
                    },
                    c => s.push(c),
                }
            }
            out.push(s);
        } else {
            let mut s = String::new();
            while let Some(&c) = chars.peek() {
                if c == ' ' {
                    break;
                }
                s.push(c);
                chars.next();
            }
            out.push(s);
        }
    }
    out
}

#[test]
fn tables_load() {
    assert!(!f64_parse().is_empty());
    assert!(!f64_g17().is_empty());
    assert!(!f64_fixed().is_empty());
    assert!(!ld_parse().is_empty());
    assert!(!ld_add().is_empty());
    assert_eq!(
        fields(r#""a \"b\" \x01" c"#),
        vec!["a \"b\" \u{1}".to_string(), "c".to_string()]
    );
    assert_eq!(
        records("# c\n\nx\\\ny z\n"),
        vec![vec!["xy".to_string(), "z".to_string()]]
    );
}
