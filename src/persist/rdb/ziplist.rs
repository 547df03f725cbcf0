//! Decoders for the packed encodings older RDB files carry, each turned into a
//! plain list of elements (oxidis never keeps these in memory):
//!
//! ziplist (lists before 7.0 quicklist nodes, RDB types 10 and 14; hashes, 13):
//!
//! ```text
//!  zlbytes u32 LE | zltail u32 LE | zllen u16 LE | entry ... | 0xFF
//!  entry = prevlen encoding [data]
//!    prevlen: 1 byte (< 254) or 0xFE + u32 LE
//!    00LLLLLL                     string, 6-bit length
//!    01LLLLLL LLLLLLLL            string, 14-bit length (big endian)
//!    10000000 <u32 BE length>     string
//!    11000000 i16 LE   11010000 i32 LE   11100000 i64 LE
//!    11110000 i24 LE   11111110 i8
//!    1111xxxx                     immediate 0..=12 (xxxx - 1), xxxx in 1..=13
//! ```
//!
//! zipmap (hashes before 2.6, RDB type 9):
//!
//! ```text
//!  zmlen u8 | len key len free value <free bytes> | ... | 0xFF
//!    len: 1 byte (< 254) or 0xFE + u32 LE
//! ```
//!
//! intset (RDB type 11): `encoding u32 LE (2, 4 or 8) | length u32 LE | values LE`,
//! sorted ascending without duplicates.

use super::RdbError;

const ZIP_END: u8 = 0xFF;
const ZIP_BIG_PREVLEN: u8 = 0xFE;
const ZIP_STR_06B: u8 = 0x00;
const ZIP_STR_14B: u8 = 0x40;
const ZIP_STR_32B: u8 = 0x80;
const ZIP_INT_16B: u8 = 0xC0;
const ZIP_INT_32B: u8 = 0xD0;
const ZIP_INT_64B: u8 = 0xE0;
const ZIP_INT_24B: u8 = 0xF0;
const ZIP_INT_8B: u8 = 0xFE;
const ZIP_HEADER: usize = 10;

const ZIPMAP_BIGLEN: u8 = 254;
const ZIPMAP_END: u8 = 0xFF;

fn bad(what: &str) -> RdbError {
    RdbError(format!("Ziplist integrity check failed ({what})"))
}

fn take<'a>(b: &'a [u8], p: &mut usize, n: usize) -> Result<&'a [u8], RdbError> {
    let end = p
        .checked_add(n)
        .filter(|&e| e <= b.len())
        .ok_or_else(|| bad("entry out of range"))?;
    let s = &b[*p..end];
    *p = end;
    Ok(s)
}

/// The elements of a ziplist, integers in decimal text.
pub fn ziplist_entries(b: &[u8]) -> Result<Vec<Vec<u8>>, RdbError> {
    if b.len() < ZIP_HEADER + 1 {
        return Err(bad("too short"));
    }
    if u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize != b.len() {
        return Err(bad("zlbytes"));
    }
    if b[b.len() - 1] != ZIP_END {
        return Err(bad("end byte"));
    }
    let count = u16::from_le_bytes([b[8], b[9]]);
    let end = b.len() - 1;
    let mut p = ZIP_HEADER;
    let mut out = Vec::new();
    let mut prev_len = 0usize;
    while p < end {
        let start = p;
        let pl = take(b, &mut p, 1)?[0];
        let prevlen = if pl == ZIP_BIG_PREVLEN {
            let v = take(b, &mut p, 4)?;
            u32::from_le_bytes([v[0], v[1], v[2], v[3]]) as usize
        } else {
            pl as usize
        };
        if prevlen != prev_len {
            return Err(bad("prevlen"));
        }
        let enc = take(b, &mut p, 1)?[0];
        let elem = match enc & 0xC0 {
            ZIP_STR_06B => take(b, &mut p, (enc & 0x3f) as usize)?.to_vec(),
            ZIP_STR_14B => {
                let l = ((enc & 0x3f) as usize) << 8 | take(b, &mut p, 1)?[0] as usize;
                take(b, &mut p, l)?.to_vec()
            }
            ZIP_STR_32B if enc == ZIP_STR_32B => {
                let v = take(b, &mut p, 4)?;
                let l = u32::from_be_bytes([v[0], v[1], v[2], v[3]]) as usize;
                take(b, &mut p, l)?.to_vec()
            }
            ZIP_STR_32B => return Err(bad("string encoding")),
            _ => {
                let v: i64 = match enc {
                    ZIP_INT_8B => take(b, &mut p, 1)?[0] as i8 as i64,
                    ZIP_INT_16B => {
                        let v = take(b, &mut p, 2)?;
                        i16::from_le_bytes([v[0], v[1]]) as i64
                    }
                    ZIP_INT_24B => {
                        let v = take(b, &mut p, 3)?;
                        (i32::from_le_bytes([0, v[0], v[1], v[2]]) >> 8) as i64
                    }
                    ZIP_INT_32B => {
                        let v = take(b, &mut p, 4)?;
                        i32::from_le_bytes([v[0], v[1], v[2], v[3]]) as i64
                    }
                    ZIP_INT_64B => {
                        let v = take(b, &mut p, 8)?;
                        i64::from_le_bytes(v.try_into().expect("8 bytes"))
                    }
                    0xF1..=0xFD => (enc & 0x0f) as i64 - 1,
                    _ => return Err(bad("integer encoding")),
                };
                v.to_string().into_bytes()
            }
        };
        prev_len = p - start;
        out.push(elem);
    }
    if p != end {
        return Err(bad("overrun"));
    }
    if count != u16::MAX && count as usize != out.len() {
        return Err(bad("zllen"));
    }
    Ok(out)
}

/// The field/value pairs of a zipmap, flattened (field, value, field, ...).
pub fn zipmap_entries(b: &[u8]) -> Result<Vec<Vec<u8>>, RdbError> {
    let err = || RdbError("Zipmap integrity check failed".into());
    let mut p = 1usize;
    if b.is_empty() {
        return Err(err());
    }
    let mut out = Vec::new();
    let read_len = |p: &mut usize| -> Result<Option<usize>, RdbError> {
        let f = *b.get(*p).ok_or_else(err)?;
        *p += 1;
        match f {
            ZIPMAP_END => Ok(None),
            ZIPMAP_BIGLEN => {
                let v = b.get(*p..*p + 4).ok_or_else(err)?;
                *p += 4;
                Ok(Some(u32::from_le_bytes([v[0], v[1], v[2], v[3]]) as usize))
            }
            l => Ok(Some(l as usize)),
        }
    };
    while let Some(kl) = read_len(&mut p)? {
        let k = b
            .get(p..p.checked_add(kl).ok_or_else(err)?)
            .ok_or_else(err)?;
        p += kl;
        let vl = read_len(&mut p)?.ok_or_else(err)?;
        let free = *b.get(p).ok_or_else(err)? as usize;
        p += 1;
        let v = b
            .get(p..p.checked_add(vl).ok_or_else(err)?)
            .ok_or_else(err)?;
        p += vl + free;
        out.push(k.to_vec());
        out.push(v.to_vec());
    }
    if p != b.len() {
        return Err(err());
    }
    Ok(out)
}

/// The members of an intset blob, checked sorted and unique.
pub fn intset_entries(b: &[u8]) -> Result<Vec<i64>, RdbError> {
    let err = || RdbError("Intset integrity check failed".into());
    if b.len() < 8 {
        return Err(err());
    }
    let width = u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
    let n = u32::from_le_bytes([b[4], b[5], b[6], b[7]]) as usize;
    if !matches!(width, 2 | 4 | 8) || n.checked_mul(width) != Some(b.len() - 8) {
        return Err(err());
    }
    let vals: Vec<i64> = b[8..]
        .chunks_exact(width)
        .map(|c| match width {
            2 => i16::from_le_bytes([c[0], c[1]]) as i64,
            4 => i32::from_le_bytes([c[0], c[1], c[2], c[3]]) as i64,
            _ => i64::from_le_bytes(c.try_into().expect("8 bytes")),
        })
        .collect();
    if vals.windows(2).any(|w| w[0] >= w[1]) {
        return Err(err());
    }
    Ok(vals)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ziplist built by hand: "a", 12, -2, 300, 70000 (i24), 5_000_000_000.
    #[test]
    fn ziplist_decodes_every_encoding() {
        let mut body = Vec::new();
        let mut prev = 0u8;
        let mut push = |e: &[u8], body: &mut Vec<u8>| {
            body.push(prev);
            body.extend_from_slice(e);
            prev = (e.len() + 1) as u8;
        };
        push(&[0x01, b'a'], &mut body);
        push(&[0xFD], &mut body);
        push(&[ZIP_INT_8B, 0xFE], &mut body);
        push(&[ZIP_INT_16B, 0x2C, 0x01], &mut body);
        push(&[ZIP_INT_24B, 0x70, 0x11, 0x01], &mut body);
        let mut e = vec![ZIP_INT_64B];
        e.extend_from_slice(&5_000_000_000i64.to_le_bytes());
        push(&e, &mut body);
        let mut zl = Vec::new();
        let total = (ZIP_HEADER + body.len() + 1) as u32;
        zl.extend_from_slice(&total.to_le_bytes());
        zl.extend_from_slice(&0u32.to_le_bytes());
        zl.extend_from_slice(&6u16.to_le_bytes());
        zl.extend_from_slice(&body);
        zl.push(ZIP_END);
        let got = ziplist_entries(&zl).unwrap();
        let want: Vec<&[u8]> = vec![b"a", b"12", b"-2", b"300", b"70000", b"5000000000"];
        assert_eq!(got, want);
        for cut in 0..zl.len() {
            assert!(ziplist_entries(&zl[..cut]).is_err());
        }
    }

    #[test]
    fn zipmap_and_intset() {
        let zm = [2u8, 1, b'f', 2, 1, b'v', b'1', 0, 0xFF];
        assert_eq!(
            zipmap_entries(&zm).unwrap(),
            vec![b"f".to_vec(), b"v1".to_vec()]
        );
        let mut is = vec![2, 0, 0, 0, 2, 0, 0, 0];
        is.extend_from_slice(&[1, 0, 5, 0]);
        assert_eq!(intset_entries(&is).unwrap(), vec![1, 5]);
        is[8] = 9;
        assert!(intset_entries(&is).is_err(), "unsorted");
    }
}
