//! Bit-level helpers on byte strings with Redis's bit order (bit 0 is the most
//! significant bit of the first byte, as SETBIT/GETBIT/BITFIELD number them):
//! population count, first set/clear bit, and the signed/unsigned bitfield
//! reads, writes and overflow rules of BITFIELD. Pure functions, no I/O.

/// Number of set bits in `s`, a 64-bit word at a time (the CPU's POPCNT when it
/// has one).
pub fn popcount(s: &[u8]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("popcnt") {
        // SAFETY: the CPU supports POPCNT, checked just above.
        return unsafe { popcount_popcnt(s) };
    }
    popcount_words(s)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "popcnt")]
unsafe fn popcount_popcnt(s: &[u8]) -> u64 {
    popcount_words(s)
}

#[inline(always)]
fn word(b: &[u8]) -> u64 {
    u64::from_ne_bytes(b.try_into().expect("8 bytes"))
}

#[inline(always)]
fn popcount_words(s: &[u8]) -> u64 {
    // Four independent sums keep several POPCNTs in flight.
    let (mut a, mut b, mut c, mut d) = (0u64, 0u64, 0u64, 0u64);
    let mut chunks = s.chunks_exact(32);
    for ch in &mut chunks {
        a += word(&ch[0..8]).count_ones() as u64;
        b += word(&ch[8..16]).count_ones() as u64;
        c += word(&ch[16..24]).count_ones() as u64;
        d += word(&ch[24..32]).count_ones() as u64;
    }
    let rest = chunks.remainder();
    let mut words = rest.chunks_exact(8);
    for w in &mut words {
        a += word(w).count_ones() as u64;
    }
    for &x in words.remainder() {
        b += x.count_ones() as u64;
    }
    a + b + c + d
}

/// Set bits among bits `first..=last` of `s` (both below `s.len() * 8`).
pub fn popcount_range(s: &[u8], first: u64, last: u64) -> u64 {
    debug_assert!(first <= last && last < s.len() as u64 * 8);
    let (b0, b1) = ((first / 8) as usize, (last / 8) as usize);
    let mut n = popcount(&s[b0..=b1]);
    // Take away the bits of the edge bytes that lie outside the range.
    let head = s[b0] & !(0xffu8 >> (first % 8));
    let tail = s[b1] & (0xffu8 >> (last % 8)) >> 1;
    n -= head.count_ones() as u64 + tail.count_ones() as u64;
    n
}

/// Position of the first bit of `s` equal to `bit` (Redis's redisBitpos).
/// None found: -1 when looking for a 1, and `s.len() * 8` when looking for a
/// 0, since the string is taken as padded with zeros on the right.
pub fn first_bit(s: &[u8], bit: bool) -> i64 {
    let skip = if bit { 0 } else { u64::MAX };
    let found = |w: u64| if bit { w } else { !w };
    let mut i = 0;
    // Long runs of the skipped value go 32 bytes at a time.
    while i + 32 <= s.len() {
        let ws = [
            word(&s[i..i + 8]),
            word(&s[i + 8..i + 16]),
            word(&s[i + 16..i + 24]),
            word(&s[i + 24..i + 32]),
        ];
        if ws.iter().all(|&w| w == skip) {
            i += 32;
        } else {
            break;
        }
    }
    while i + 8 <= s.len() {
        let w = u64::from_be_bytes(s[i..i + 8].try_into().expect("8 bytes"));
        if w != skip {
            return (i as u64 * 8 + found(w).leading_zeros() as u64) as i64;
        }
        i += 8;
    }
    while i < s.len() {
        let x = if bit { s[i] } else { !s[i] };
        if x != 0 {
            return (i as u64 * 8 + x.leading_zeros() as u64) as i64;
        }
        i += 1;
    }
    if bit {
        -1
    } else {
        s.len() as i64 * 8
    }
}

/// The first bit equal to `bit` among bits `first..=last` of `s` (both below
/// `s.len() * 8`).
pub fn find_bit_in_range(s: &[u8], bit: bool, first: u64, last: u64) -> Option<u64> {
    debug_assert!(first <= last && last < s.len() as u64 * 8);
    let (b0, b1) = ((first / 8) as usize, (last / 8) as usize);
    let want = |x: u8| if bit { x } else { !x };
    let head_mask = 0xffu8 >> (first % 8);
    let tail_mask = 0xffu8 << (7 - last % 8);
    if b0 == b1 {
        let x = want(s[b0]) & head_mask & tail_mask;
        return (x != 0).then(|| b0 as u64 * 8 + x.leading_zeros() as u64);
    }
    let x = want(s[b0]) & head_mask;
    if x != 0 {
        return Some(b0 as u64 * 8 + x.leading_zeros() as u64);
    }
    let mid = &s[b0 + 1..b1];
    let p = first_bit(mid, bit);
    if p >= 0 && (p as u64) < mid.len() as u64 * 8 {
        return Some((b0 as u64 + 1) * 8 + p as u64);
    }
    let x = want(s[b1]) & tail_mask;
    (x != 0).then(|| b1 as u64 * 8 + x.leading_zeros() as u64)
}

/// The largest unsigned value of `bits` bits (1..=64).
#[inline]
fn mask(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

/// The unsigned integer of `bits` bits (1..=64) at bit `offset`; bytes past
/// the end of `s` read as zero.
pub fn get_unsigned(s: &[u8], offset: u64, bits: u32) -> u64 {
    debug_assert!((1..=64).contains(&bits));
    let byte = (offset / 8) as usize;
    let shift = (offset % 8) as u32;
    // The field lies within the 9 bytes from `byte`: load them big-endian.
    let mut w: u128 = 0;
    for i in 0..9 {
        let b = byte.checked_add(i).and_then(|j| s.get(j)).copied();
        w = (w << 8) | b.unwrap_or(0) as u128;
    }
    (w >> (72 - shift - bits)) as u64 & mask(bits)
}

/// The signed (two's complement) integer of `bits` bits at bit `offset`.
pub fn get_signed(s: &[u8], offset: u64, bits: u32) -> i64 {
    let v = get_unsigned(s, offset, bits);
    if bits < 64 && v & (1 << (bits - 1)) != 0 {
        (v | (u64::MAX << bits)) as i64
    } else {
        v as i64
    }
}

/// Stores the low `bits` bits of `value` at bit `offset`; `s` must hold the
/// whole field.
pub fn set_bits(s: &mut [u8], offset: u64, bits: u32, value: u64) {
    debug_assert!((1..=64).contains(&bits));
    let byte = (offset / 8) as usize;
    let shift = (offset % 8) as u32;
    let n = (shift + bits).div_ceil(8) as usize;
    let field = &mut s[byte..byte + n];
    let mut w: u128 = 0;
    for &b in field.iter() {
        w = (w << 8) | b as u128;
    }
    let low = n as u32 * 8 - shift - bits;
    let m = (mask(bits) as u128) << low;
    w = (w & !m) | (((value & mask(bits)) as u128) << low);
    for (i, b) in field.iter_mut().enumerate() {
        *b = (w >> ((n - 1 - i) * 8)) as u8;
    }
}

/// BITFIELD's OVERFLOW behaviours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overflow {
    Wrap,
    Sat,
    Fail,
}

/// Whether `value + incr` fits an unsigned field of `bits` bits (1..=63),
/// with Redis's exact rules (checkUnsignedBitfieldOverflow): None if it
/// does, else the value to store instead under `ow` (for `Fail`, nothing is
/// stored and the value is meaningless). A SET passes its value with
/// `incr = 0`, so a negative one counts as a huge unsigned value.
pub fn unsigned_overflow(value: u64, incr: i64, bits: u32, ow: Overflow) -> Option<u64> {
    let max = mask(bits);
    let wrap = || value.wrapping_add(incr as u64) & max;
    let over = value > max || (incr > 0 && incr > max.wrapping_sub(value) as i64);
    if over {
        return Some(match ow {
            Overflow::Sat => max,
            _ => wrap(),
        });
    }
    if incr < 0 && incr < value.wrapping_neg() as i64 {
        return Some(match ow {
            Overflow::Sat => 0,
            _ => wrap(),
        });
    }
    None
}

/// As [`unsigned_overflow`] for a signed field of `bits` bits (1..=64),
/// Redis's checkSignedBitfieldOverflow including its arithmetic on the
/// extremes: the limits it compares with are computed with wrap-around, so a
/// SET of a value near i64::MIN into a narrow field saturates to the maximum.
pub fn signed_overflow(value: i64, incr: i64, bits: u32, ow: Overflow) -> Option<i64> {
    let max: i64 = if bits == 64 {
        i64::MAX
    } else {
        (1i64 << (bits - 1)) - 1
    };
    let min = -max - 1;
    let max_incr = (max as u64).wrapping_sub(value as u64) as i64;
    let min_incr = min.wrapping_sub(value);
    let wrap = || {
        let mut c = (value as u64).wrapping_add(incr as u64);
        if bits < 64 {
            let high = u64::MAX << bits;
            if c & (1 << (bits - 1)) != 0 {
                c |= high;
            } else {
                c &= !high;
            }
        }
        c as i64
    };
    let narrow = bits != 64;
    if value > max || (narrow && incr > max_incr) || (value >= 0 && incr > 0 && incr > max_incr) {
        return Some(match ow {
            Overflow::Sat => max,
            _ => wrap(),
        });
    }
    if value < min || (narrow && incr < min_incr) || (value < 0 && incr < 0 && incr < min_incr) {
        return Some(match ow {
            Overflow::Sat => min,
            _ => wrap(),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive_count(s: &[u8], first: u64, last: u64) -> u64 {
        (first..=last)
            .filter(|&i| s[(i / 8) as usize] & (0x80 >> (i % 8)) != 0)
            .count() as u64
    }

    fn pseudo_random(n: usize, seed: u64) -> Vec<u8> {
        let mut x = seed | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    #[test]
    fn popcount_matches_a_bytewise_count() {
        for n in [0, 1, 7, 8, 9, 31, 32, 33, 100, 1000] {
            let s = pseudo_random(n, n as u64 + 3);
            let want: u64 = s.iter().map(|b| b.count_ones() as u64).sum();
            assert_eq!(popcount(&s), want, "n={n}");
            assert_eq!(popcount_words(&s), want, "n={n}");
        }
        assert_eq!(popcount(&[0xff; 1 << 20]), 8 << 20);
    }

    #[test]
    fn popcount_range_matches_a_bitwise_count() {
        let s = pseudo_random(40, 9);
        for first in 0..320 {
            for last in (first..320).step_by(7) {
                assert_eq!(
                    popcount_range(&s, first, last),
                    naive_count(&s, first, last),
                    "{first}..={last}"
                );
            }
        }
    }

    #[test]
    fn first_bit_follows_redis() {
        assert_eq!(first_bit(&[], true), -1);
        assert_eq!(first_bit(&[], false), 0);
        assert_eq!(first_bit(&[0xff, 0xf0], false), 12);
        assert_eq!(first_bit(&[0xff; 3], false), 24);
        assert_eq!(first_bit(&[0; 100], true), -1);
        assert_eq!(first_bit(&[0; 100], false), 0);
        let mut s = vec![0u8; 100];
        s[77] = 0x01;
        assert_eq!(first_bit(&s, true), 77 * 8 + 7);
        let mut s = vec![0xffu8; 100];
        s[50] = 0xbf;
        assert_eq!(first_bit(&s, false), 50 * 8 + 1);
        assert_eq!(first_bit(&[0xff; 100], false), 800);
    }

    #[test]
    fn find_bit_in_range_matches_a_scan() {
        for s in [pseudo_random(24, 5), vec![0; 24], vec![0xff; 24]] {
            for bit in [false, true] {
                for first in 0..192 {
                    for last in (first..192).step_by(5) {
                        let want = (first..=last)
                            .find(|&i| (s[(i / 8) as usize] & (0x80 >> (i % 8)) != 0) == bit);
                        assert_eq!(find_bit_in_range(&s, bit, first, last), want);
                    }
                }
            }
        }
    }

    #[test]
    fn bitfields_read_and_write_redis_bit_order() {
        // Redis's example: u5 = 23 at offset 7 -> 00000001 01110000.
        let mut s = vec![0u8; 2];
        set_bits(&mut s, 7, 5, 23);
        assert_eq!(s, [0b0000_0001, 0b0111_0000]);
        assert_eq!(get_unsigned(&s, 7, 5), 23);
        assert_eq!(get_signed(&s, 7, 5), 23 - 32);
        // Reads past the end see zeros.
        assert_eq!(get_unsigned(&s, 12, 64), 0);
        assert_eq!(get_unsigned(&[0xff], 0, 64), 0xff << 56);
        // Every width at every shift round-trips and leaves neighbours alone.
        for bits in 1..=64u32 {
            for off in 0..16u64 {
                let mut s = vec![0xa5u8; 12];
                let before = s.clone();
                let v = 0x0123_4567_89ab_cdefu64 & mask(bits);
                set_bits(&mut s, off, bits, v);
                assert_eq!(get_unsigned(&s, off, bits), v, "u{bits} @{off}");
                for i in 0..96u64 {
                    if i < off || i >= off + bits as u64 {
                        assert_eq!(get_unsigned(&s, i, 1), get_unsigned(&before, i, 1));
                    }
                }
            }
        }
        let mut s = vec![0u8; 8];
        set_bits(&mut s, 0, 64, -2i64 as u64);
        assert_eq!(get_signed(&s, 0, 64), -2);
    }

    #[test]
    fn overflow_rules() {
        use Overflow::*;
        assert_eq!(unsigned_overflow(250, 5, 8, Wrap), None);
        assert_eq!(unsigned_overflow(250, 6, 8, Wrap), Some(0));
        assert_eq!(unsigned_overflow(250, 6, 8, Sat), Some(255));
        assert_eq!(unsigned_overflow(3, -4, 8, Wrap), Some(255));
        assert_eq!(unsigned_overflow(3, -4, 8, Sat), Some(0));
        // SET u8 -1: a huge unsigned value.
        assert_eq!(unsigned_overflow(-1i64 as u64, 0, 8, Wrap), Some(255));
        assert_eq!(unsigned_overflow(-1i64 as u64, 0, 8, Sat), Some(255));
        assert_eq!(signed_overflow(127, 0, 8, Wrap), None);
        assert_eq!(signed_overflow(127, 1, 8, Wrap), Some(-128));
        assert_eq!(signed_overflow(127, 1, 8, Sat), Some(127));
        assert_eq!(signed_overflow(-128, -1, 8, Wrap), Some(127));
        assert_eq!(signed_overflow(-128, -1, 8, Sat), Some(-128));
        assert_eq!(signed_overflow(200, 0, 8, Wrap), Some(-56));
        assert_eq!(signed_overflow(i64::MAX, 1, 64, Wrap), Some(i64::MIN));
        assert_eq!(signed_overflow(i64::MIN, -1, 64, Sat), Some(i64::MIN));
        assert_eq!(signed_overflow(i64::MIN, i64::MAX, 64, Sat), None);
        // Redis's wrap-around in the limits: SET i8 i64::MIN saturates high.
        assert_eq!(signed_overflow(i64::MIN, 0, 8, Sat), Some(127));
        assert_eq!(signed_overflow(-1000, 0, 8, Sat), Some(-128));
    }
}
