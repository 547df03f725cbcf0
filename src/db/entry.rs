//! One keyspace entry: key, value, optional expiry and LRU/LFU clock in a single,
//! reference-counted heap allocation.
//!
//! Memory per key is a headline figure, so an entry is one thin pointer in the
//! segment's slot array and one allocation that holds everything else:
//!
//! ```text
//!  0      2      3       4          8
//!  +------+------+-------+----------+----------------+-------------+---------+------------+
//!  | rc   | kind | klen8 | lru      | expire i64     | klen u64    | payload | key bytes  | inline
//!  | u16  | u8   | u8    | u32      | (HAS_EXPIRE)   | (LONG_KEY)  |         |            | value
//!  +------+------+-------+----------+----------------+-------------+---------+------------+
//! ```
//!
//! - `rc` counts the segment versions that share the entry (the live table plus any
//!   snapshot still being written), so copying a segment for copy-on-write is a
//!   refcount bump per entry, never a copy of key or value bytes.
//! - `kind` holds the value tag (low 4 bits) and the flags below.
//! - `klen8` is the key length when it is below 255; longer keys set `LONG_KEY` and
//!   store the length as a u64 so the payload stays 8-byte aligned.
//! - `payload` depends on the tag: an `i64` for `TAG_INT`, a `Bytes` for `TAG_BYTES`,
//!   the [`Object`] itself for `TAG_OBJ` (by value, at most 24 bytes: a compact
//!   encoding's one buffer pointer, or the `Arc` of a big encoding's structure),
//!   a one-byte length for the inline tags (whose bytes follow the key), a
//!   `Vec<u8>` for `TAG_VEC`: a `raw` string that commands edit in place
//!   (SETBIT, SETRANGE, APPEND, PFADD; see [`Entry::string_buf_mut`]).
//!
//! A 16-byte key with a 10-byte value therefore takes 8 + 1 + 16 + 10 = 35 bytes,
//! which jemalloc serves from its 48-byte size class; a small hash under the
//! same key takes 8 + 24 + 16 = 48 bytes plus its listpack buffer.
//!
//! An entry shared with a snapshot is never written: callers go through
//! [`Entry::make_unique`] (done by the segment's write path), which copies the one
//! allocation if another holder exists.

use std::alloc::{alloc, dealloc, handle_alloc_error, Layout};
use std::mem::size_of;
use std::ptr::{self, NonNull};
use std::sync::atomic::{fence, AtomicU16, AtomicU32, Ordering};

use bytes::Bytes;

use super::object::Object;

const TAG_INT: u8 = 0;
const TAG_EMBSTR: u8 = 1;
const TAG_RAW_INLINE: u8 = 2;
const TAG_BYTES: u8 = 3;
const TAG_OBJ: u8 = 4;
const TAG_VEC: u8 = 5;
const TAG_MASK: u8 = 0x0f;
const HAS_EXPIRE: u8 = 0x10;
const LONG_KEY: u8 = 0x20;

const HEADER: usize = 8;
const OFF_RC: usize = 0;
const OFF_KIND: usize = 2;
const OFF_KLEN8: usize = 3;
const OFF_LRU: usize = 4;

/// Longest string Redis stores as `embstr`; also our inline limit.
pub const EMBSTR_MAX: usize = 44;
/// Strings this long or longer are held as `Bytes` (shared with the query buffer when
/// the parser gave them their own allocation).
const INLINE_MAX: usize = 64;
/// Redis only tries the `int` encoding for strings of at most 20 characters.
const INT_MAX_LEN: usize = 20;

/// A value to store. Build strings with [`Value::string`] so the encoding follows
/// Redis's rules (`int`, `embstr`, `raw`).
#[derive(Clone, Debug)]
pub enum Value {
    /// A string that is an integer (`int` encoding).
    Int(i64),
    /// A string that Redis would call `embstr`.
    Embstr(Bytes),
    /// A string that Redis would call `raw` (long, or built by APPEND/SETRANGE).
    Raw(Bytes),
    /// An aggregate (list, hash, set, ...).
    Obj(Object),
    /// A short string held by value (no allocation, no refcount traffic): what
    /// a command argument below the inline limit becomes.
    Short(ShortStr),
    /// A `raw` string in a growable buffer of its own, edited in place by the
    /// bit and range commands (its spare capacity is kept).
    Buf(Vec<u8>),
}

/// A string shorter than the inline limit, by value.
#[derive(Clone, Copy)]
pub struct ShortStr {
    len: u8,
    raw: bool,
    buf: [u8; INLINE_MAX - 1],
}

impl ShortStr {
    /// `s` if it fits; `raw` selects Redis's `raw` encoding name over `embstr`.
    pub fn new(s: &[u8], raw: bool) -> Option<ShortStr> {
        if s.len() >= INLINE_MAX {
            return None;
        }
        let mut buf = [0u8; INLINE_MAX - 1];
        buf[..s.len()].copy_from_slice(s);
        Some(ShortStr {
            len: s.len() as u8,
            raw,
            buf,
        })
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len as usize]
    }
}

impl std::fmt::Debug for ShortStr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self.as_bytes()))
    }
}

impl Value {
    /// A string value, encoded as Redis's `tryObjectEncoding` would: `int` when it
    /// parses as a 64-bit integer in canonical form, else `embstr` up to 44 bytes,
    /// else `raw`.
    pub fn string(b: Bytes) -> Value {
        if b.len() <= INT_MAX_LEN {
            if let Some(v) = crate::util::number::parse_i64(&b) {
                return Value::Int(v);
            }
        }
        if b.len() <= EMBSTR_MAX {
            Value::Embstr(b)
        } else {
            Value::Raw(unpin(b))
        }
    }

    /// A string value from a command argument, encoded as [`Value::string`] does;
    /// short ones are copied by value instead of sharing the query buffer.
    #[inline]
    pub fn string_arg(b: &Bytes) -> Value {
        if b.len() <= INT_MAX_LEN {
            if let Some(v) = crate::util::number::parse_i64(b) {
                return Value::Int(v);
            }
        }
        match ShortStr::new(b, b.len() > EMBSTR_MAX) {
            Some(s) => Value::Short(s),
            None => Value::string(b.clone()),
        }
    }

    /// As [`Value::string`] for bytes that own their allocation (a string
    /// read from an RDB file rather than sliced from a query buffer): a long
    /// one is kept as is instead of being copied out of the buffer.
    pub fn string_owned(b: Vec<u8>) -> Value {
        if b.len() <= EMBSTR_MAX {
            return Value::string(Bytes::from(b));
        }
        Value::Raw(Bytes::from(b))
    }

    /// A string produced by in-place editing (APPEND, SETRANGE): always `raw`.
    pub fn raw(b: Bytes) -> Value {
        Value::Raw(unpin(b))
    }
}

/// Makes room in an in-place string buffer for `newlen` bytes as Redis's
/// sdsMakeRoomFor does: a buffer that must grow gets twice the new length
/// below 1 MB, and the new length plus 1 MB above, so appending in a loop is
/// amortised O(1) without doubling a huge string's footprint.
pub fn reserve_string(v: &mut Vec<u8>, newlen: usize) {
    const MAX_PREALLOC: usize = 1 << 20;
    if newlen <= v.capacity() {
        return;
    }
    let want = if newlen < MAX_PREALLOC {
        newlen * 2
    } else {
        newlen + MAX_PREALLOC
    };
    v.reserve_exact(want - v.len());
}

/// Grows an in-place string buffer to at least `newlen` bytes, padding with
/// zero bytes (Redis's sdsgrowzero).
pub fn grow_zeroed(v: &mut Vec<u8>, newlen: usize) {
    if newlen > v.len() {
        if v.capacity() == 0 {
            // A new string gets its exact size, as Redis's sdsnewlen.
            v.reserve_exact(newlen);
        }
        reserve_string(v, newlen);
        v.resize(newlen, 0);
    }
}

/// Medium strings usually come straight from a client's query buffer: copy them so
/// that storing one does not keep the whole buffer alive. Big ones were given an
/// allocation of their own by the parser and short ones are stored inline.
fn unpin(b: Bytes) -> Bytes {
    if b.len() >= INLINE_MAX && b.len() < crate::resp::parse::BIG_ARG {
        Bytes::copy_from_slice(&b)
    } else {
        b
    }
}

/// A borrowed view of an entry's value.
#[derive(Clone, Copy, Debug)]
pub enum ValueRef<'a> {
    Int(i64),
    Str(&'a [u8]),
    Obj(&'a Object),
}

/// Owning thin pointer to an entry allocation (shares it by refcount on clone).
pub struct Entry(NonNull<u8>);

// SAFETY: the allocation is only mutated when `rc == 1` (checked with Acquire by
// `make_unique`), the LRU word is atomic, and the payload types (`Bytes`,
// `Object`) are Send + Sync themselves.
unsafe impl Send for Entry {}
unsafe impl Sync for Entry {}

struct Shape {
    expire: bool,
    long_key: bool,
    tag: u8,
    klen: usize,
    inline_len: usize,
}

impl Shape {
    fn payload_off(&self) -> usize {
        HEADER + if self.expire { 8 } else { 0 } + if self.long_key { 8 } else { 0 }
    }
    fn payload_len(&self) -> usize {
        match self.tag {
            TAG_INT => 8,
            TAG_BYTES => size_of::<Bytes>(),
            TAG_OBJ => size_of::<Object>(),
            TAG_VEC => size_of::<Vec<u8>>(),
            _ => 1,
        }
    }
    fn key_off(&self) -> usize {
        self.payload_off() + self.payload_len()
    }
    fn size(&self) -> usize {
        self.key_off() + self.klen + self.inline_len
    }
    fn layout(&self) -> Layout {
        Layout::from_size_align(self.size(), 8).expect("entry layout")
    }
}

/// A cache prefetch hint for `p`; never faults, whatever `p` points at.
#[inline(always)]
fn prefetch_read(p: *const u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: PREFETCHT0 is a hint: it does not access memory architecturally
    // and cannot fault, for any address.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p as *const i8);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

impl Entry {
    /// Allocates an entry for `key` holding `val`, with an absolute expiry in ms.
    pub fn new(key: &[u8], val: Value, expire: Option<i64>) -> Entry {
        Self::build(key, val, expire, 0)
    }

    fn build(key: &[u8], val: Value, expire: Option<i64>, lru: u32) -> Entry {
        let (tag, inline_len) = match &val {
            Value::Int(_) => (TAG_INT, 0),
            Value::Embstr(b) if b.len() < INLINE_MAX => (TAG_EMBSTR, b.len()),
            Value::Raw(b) if b.len() < INLINE_MAX => (TAG_RAW_INLINE, b.len()),
            Value::Embstr(_) | Value::Raw(_) => (TAG_BYTES, 0),
            Value::Obj(_) => (TAG_OBJ, 0),
            Value::Buf(_) => (TAG_VEC, 0),
            Value::Short(s) if s.raw => (TAG_RAW_INLINE, s.len as usize),
            Value::Short(s) => (TAG_EMBSTR, s.len as usize),
        };
        let shape = Shape {
            expire: expire.is_some(),
            long_key: key.len() >= 255,
            tag,
            klen: key.len(),
            inline_len,
        };
        let layout = shape.layout();
        // SAFETY: layout has non-zero size (HEADER > 0); every byte we later read is
        // written below before the pointer escapes.
        unsafe {
            let p = alloc(layout);
            if p.is_null() {
                handle_alloc_error(layout);
            }
            ptr::write(p.add(OFF_RC) as *mut AtomicU16, AtomicU16::new(1));
            let mut kind = tag;
            if shape.expire {
                kind |= HAS_EXPIRE;
            }
            if shape.long_key {
                kind |= LONG_KEY;
            }
            *p.add(OFF_KIND) = kind;
            *p.add(OFF_KLEN8) = if shape.long_key { 255 } else { key.len() as u8 };
            ptr::write(p.add(OFF_LRU) as *mut AtomicU32, AtomicU32::new(lru));
            if let Some(e) = expire {
                ptr::write(p.add(HEADER) as *mut i64, e);
            }
            if shape.long_key {
                let off = HEADER + if shape.expire { 8 } else { 0 };
                ptr::write(p.add(off) as *mut u64, key.len() as u64);
            }
            let po = shape.payload_off();
            match val {
                Value::Short(sh) => {
                    let b = sh.as_bytes();
                    *p.add(po) = b.len() as u8;
                    ptr::copy_nonoverlapping(
                        b.as_ptr(),
                        p.add(shape.key_off() + key.len()),
                        b.len(),
                    );
                }
                Value::Int(v) => ptr::write(p.add(po) as *mut i64, v),
                Value::Obj(o) => ptr::write(p.add(po) as *mut Object, o),
                Value::Buf(v) => ptr::write(p.add(po) as *mut Vec<u8>, v),
                Value::Embstr(b) | Value::Raw(b) => {
                    if tag == TAG_BYTES {
                        ptr::write(p.add(po) as *mut Bytes, b);
                    } else {
                        *p.add(po) = b.len() as u8;
                        ptr::copy_nonoverlapping(
                            b.as_ptr(),
                            p.add(shape.key_off() + key.len()),
                            b.len(),
                        );
                    }
                }
            }
            ptr::copy_nonoverlapping(key.as_ptr(), p.add(shape.key_off()), key.len());
            Entry(NonNull::new_unchecked(p))
        }
    }

    #[inline]
    fn kind(&self) -> u8 {
        // SAFETY: the header is always initialised.
        unsafe { *self.0.as_ptr().add(OFF_KIND) }
    }

    #[inline]
    fn rc(&self) -> &AtomicU16 {
        // SAFETY: offset 0 holds an AtomicU16 for the allocation's lifetime.
        unsafe { &*(self.0.as_ptr().add(OFF_RC) as *const AtomicU16) }
    }

    #[inline]
    fn lru_cell(&self) -> &AtomicU32 {
        // SAFETY: offset 4 holds an AtomicU32 for the allocation's lifetime.
        unsafe { &*(self.0.as_ptr().add(OFF_LRU) as *const AtomicU32) }
    }

    fn shape(&self) -> Shape {
        let kind = self.kind();
        let expire = kind & HAS_EXPIRE != 0;
        let long_key = kind & LONG_KEY != 0;
        let p = self.0.as_ptr();
        // SAFETY: fields read here were written by `build` for this kind.
        unsafe {
            let klen = if long_key {
                ptr::read(p.add(HEADER + if expire { 8 } else { 0 }) as *const u64) as usize
            } else {
                *p.add(OFF_KLEN8) as usize
            };
            let mut s = Shape {
                expire,
                long_key,
                tag: kind & TAG_MASK,
                klen,
                inline_len: 0,
            };
            if s.tag == TAG_EMBSTR || s.tag == TAG_RAW_INLINE {
                s.inline_len = *p.add(s.payload_off()) as usize;
            }
            s
        }
    }

    /// The key bytes.
    #[inline]
    pub fn key(&self) -> &[u8] {
        let s = self.shape();
        // SAFETY: `klen` key bytes live at `key_off`.
        unsafe { std::slice::from_raw_parts(self.0.as_ptr().add(s.key_off()), s.klen) }
    }

    /// Absolute expiry time in milliseconds, if the key has one.
    #[inline]
    pub fn expire(&self) -> Option<i64> {
        if self.kind() & HAS_EXPIRE != 0 {
            // SAFETY: HAS_EXPIRE means an i64 at offset HEADER.
            Some(unsafe { ptr::read(self.0.as_ptr().add(HEADER) as *const i64) })
        } else {
            None
        }
    }

    /// The value.
    #[inline]
    pub fn value(&self) -> ValueRef<'_> {
        let s = self.shape();
        let p = self.0.as_ptr();
        // SAFETY: the payload at `payload_off` matches the tag written by `build`.
        unsafe {
            let po = p.add(s.payload_off());
            match s.tag {
                TAG_INT => ValueRef::Int(ptr::read(po as *const i64)),
                TAG_BYTES => ValueRef::Str(&*(po as *const Bytes)),
                TAG_OBJ => ValueRef::Obj(&*(po as *const Object)),
                TAG_VEC => ValueRef::Str(&*(po as *const Vec<u8>)),
                _ => ValueRef::Str(std::slice::from_raw_parts(
                    p.add(s.key_off() + s.klen),
                    s.inline_len,
                )),
            }
        }
    }

    /// The value as an owned [`Value`] (refcount bumps for shared parts; short
    /// strings and compact aggregates are copied).
    pub fn to_value(&self) -> Value {
        match self.value() {
            ValueRef::Int(v) => Value::Int(v),
            ValueRef::Obj(o) => Value::Obj(o.clone()),
            ValueRef::Str(s) => match self.kind() & TAG_MASK {
                TAG_EMBSTR => Value::Short(ShortStr::new(s, false).expect("inline")),
                TAG_RAW_INLINE => Value::Short(ShortStr::new(s, true).expect("inline")),
                TAG_VEC => Value::Buf(s.to_vec()),
                _ => Value::Raw(self.str_bytes().expect("bytes")),
            },
        }
    }

    /// The string value as `Bytes` without copying when it is held out of line.
    pub fn str_bytes(&self) -> Option<Bytes> {
        match self.value() {
            ValueRef::Int(v) => Some(Bytes::from(v.to_string())),
            ValueRef::Obj(_) => None,
            ValueRef::Str(s) => {
                if self.kind() & TAG_MASK == TAG_BYTES {
                    let s2 = self.shape();
                    // SAFETY: TAG_BYTES payload is a valid Bytes.
                    let b = unsafe { &*(self.0.as_ptr().add(s2.payload_off()) as *const Bytes) };
                    Some(b.clone())
                } else {
                    Some(Bytes::copy_from_slice(s))
                }
            }
        }
    }

    /// Redis's OBJECT ENCODING name for a string value, or None for aggregates.
    pub fn str_encoding(&self) -> Option<&'static str> {
        match self.kind() & TAG_MASK {
            TAG_INT => Some("int"),
            TAG_EMBSTR => Some("embstr"),
            TAG_RAW_INLINE | TAG_BYTES | TAG_VEC => Some("raw"),
            _ => None,
        }
    }

    /// Starts loading the entry's first bytes (header, key, inline value or
    /// string handle) into the cache. A hint for loops that walk many entries in
    /// hash order (a snapshot, the release of a frozen segment): each entry is a
    /// cache and TLB miss, and issuing the next few early overlaps them.
    #[inline]
    pub fn prefetch(&self) {
        let p = self.0.as_ptr();
        prefetch_read(p);
        prefetch_read(p.wrapping_add(63));
    }

    /// Starts loading the entry's first cache line (its refcount and kind):
    /// enough for a clone or a drop.
    #[inline]
    pub fn prefetch_header(&self) {
        prefetch_read(self.0.as_ptr());
    }

    /// Starts loading an out-of-line string value. Reads the entry's header,
    /// so call it a few entries after [`Entry::prefetch`].
    #[inline]
    pub fn prefetch_value(&self) {
        if matches!(self.kind() & TAG_MASK, TAG_BYTES | TAG_VEC) {
            if let ValueRef::Str(b) = self.value() {
                prefetch_read(b.as_ptr());
                prefetch_read(b.as_ptr().wrapping_add(b.len().saturating_sub(1)));
            }
        }
    }

    /// LRU clock or LFU word (maintained by the caller).
    #[inline]
    pub fn lru(&self) -> u32 {
        self.lru_cell().load(Ordering::Relaxed)
    }

    /// Sets the LRU/LFU word; allowed on shared entries (it is atomic and not part
    /// of what a snapshot promises to freeze).
    #[inline]
    pub fn set_lru(&self, v: u32) {
        self.lru_cell().store(v, Ordering::Relaxed)
    }

    /// Redis's lazyfreeGetFreeEffort of the value (1 for strings).
    pub fn free_effort(&self) -> usize {
        match self.value() {
            ValueRef::Obj(o) => o.free_effort(),
            _ => 1,
        }
    }

    /// True when no other holder (snapshot) shares this allocation.
    #[inline]
    pub fn is_unique(&self) -> bool {
        self.rc().load(Ordering::Acquire) == 1
    }

    /// Ensures this entry is not shared, copying the allocation if it is.
    pub fn make_unique(&mut self) {
        if !self.is_unique() {
            let copy = Entry::build(self.key(), self.to_value(), self.expire(), self.lru());
            *self = copy;
        }
    }

    /// The value, moved out when this entry is its only holder (no copy of a
    /// string buffer or refcount traffic), else as [`Entry::to_value`].
    pub fn into_value(self) -> Value {
        if !self.is_unique() {
            return self.to_value();
        }
        let s = self.shape();
        let this = std::mem::ManuallyDrop::new(self);
        let p = this.0.as_ptr();
        // SAFETY: we are the only holder; the payload matching the tag is read
        // out once and the allocation is freed without dropping it again.
        unsafe {
            let po = p.add(s.payload_off());
            let v = match s.tag {
                TAG_BYTES => Value::Raw(ptr::read(po as *const Bytes)),
                TAG_OBJ => Value::Obj(ptr::read(po as *const Object)),
                TAG_VEC => Value::Buf(ptr::read(po as *const Vec<u8>)),
                _ => this.to_value(),
            };
            if matches!(s.tag, TAG_BYTES | TAG_OBJ | TAG_VEC) {
                dealloc(p, s.layout());
            } else {
                drop(std::mem::ManuallyDrop::into_inner(this));
            }
            v
        }
    }

    /// A new entry with the same key, value and LRU and a new expiry, taking
    /// the value out of this one (which is left holding an empty string) when
    /// it is unique: no copy of an in-place string buffer.
    pub fn take_with_expire(&mut self, expire: Option<i64>) -> Entry {
        if self.kind() & TAG_MASK == TAG_VEC && self.is_unique() {
            let v = std::mem::take(self.vec_mut());
            return Entry::build(self.key(), Value::Buf(v), expire, self.lru());
        }
        self.with_expire(expire)
    }

    fn vec_capacity(&self) -> usize {
        debug_assert_eq!(self.kind() & TAG_MASK, TAG_VEC);
        let s = self.shape();
        // SAFETY: TAG_VEC's payload is a Vec<u8>.
        unsafe { (*(self.0.as_ptr().add(s.payload_off()) as *const Vec<u8>)).capacity() }
    }

    /// The buffer of a TAG_VEC entry; the caller has checked the tag and
    /// uniqueness.
    fn vec_mut(&mut self) -> &mut Vec<u8> {
        debug_assert_eq!(self.kind() & TAG_MASK, TAG_VEC);
        debug_assert!(self.is_unique());
        let s = self.shape();
        // SAFETY: unique, and TAG_VEC's payload is a Vec<u8>; the borrow of
        // `self` covers the returned reference.
        unsafe { &mut *(self.0.as_ptr().add(s.payload_off()) as *mut Vec<u8>) }
    }

    /// The string value as a buffer to edit in place, or None for an
    /// aggregate. The entry is made unique first (copy-on-write: a snapshot
    /// holding it keeps the old value) and any other string encoding (`int`,
    /// `embstr`, inline, shared `Bytes`) becomes an in-place `raw` buffer once;
    /// after that, repeated calls neither copy nor allocate. Key, expiry and
    /// LRU word stay as they are.
    pub fn string_buf_mut(&mut self) -> Option<&mut Vec<u8>> {
        match self.kind() & TAG_MASK {
            TAG_OBJ => return None,
            TAG_VEC => self.make_unique(),
            tag => {
                self.make_unique();
                let v = match self.value() {
                    ValueRef::Int(n) => n.to_string().into_bytes(),
                    ValueRef::Str(_) if tag == TAG_BYTES => {
                        let s = self.shape();
                        // SAFETY: unique, and TAG_BYTES's payload is a Bytes; an
                        // empty one is left in its place until the rebuild below.
                        let b = unsafe {
                            std::mem::take(
                                &mut *(self.0.as_ptr().add(s.payload_off()) as *mut Bytes),
                            )
                        };
                        // A `Bytes` nobody else holds hands over its allocation.
                        Vec::from(b)
                    }
                    ValueRef::Str(b) => b.to_vec(),
                    ValueRef::Obj(_) => unreachable!("checked above"),
                };
                *self = Entry::build(self.key(), Value::Buf(v), self.expire(), self.lru());
            }
        }
        Some(self.vec_mut())
    }

    /// A new entry with the same key, expiry and LRU holding `val`.
    pub fn with_value(&self, val: Value) -> Entry {
        Entry::build(self.key(), val, self.expire(), self.lru())
    }

    /// A new entry with the same key, value and LRU and a new expiry.
    pub fn with_expire(&self, expire: Option<i64>) -> Entry {
        Entry::build(self.key(), self.to_value(), expire, self.lru())
    }

    /// Changes the expiry in place when the layout allows it (unique entry that
    /// already has one); returns false when the caller must rebuild.
    pub fn set_expire_in_place(&mut self, expire: i64) -> bool {
        if self.kind() & HAS_EXPIRE != 0 && self.is_unique() {
            // SAFETY: unique, and HAS_EXPIRE means an i64 at offset HEADER.
            unsafe { ptr::write(self.0.as_ptr().add(HEADER) as *mut i64, expire) };
            true
        } else {
            false
        }
    }

    /// Replaces an integer value in place (INCR's fast path); false if the entry is
    /// not a unique `int`.
    pub fn set_int_in_place(&mut self, v: i64) -> bool {
        if self.kind() & TAG_MASK == TAG_INT && self.is_unique() {
            let s = self.shape();
            // SAFETY: unique, TAG_INT payload is an i64.
            unsafe { ptr::write(self.0.as_ptr().add(s.payload_off()) as *mut i64, v) };
            true
        } else {
            false
        }
    }

    /// Mutable access to an aggregate value. Makes the entry unique first (a
    /// snapshot holding the entry keeps the old one); a big encoding's shared
    /// structure is then copied by its own write methods (`Arc::make_mut`) only
    /// if the snapshot still shares it.
    pub fn obj_mut(&mut self) -> Option<&mut Object> {
        if self.kind() & TAG_MASK != TAG_OBJ {
            return None;
        }
        self.make_unique();
        let s = self.shape();
        // SAFETY: the entry is unique and TAG_OBJ's payload is an Object; the
        // borrow of `self` covers the returned reference.
        unsafe { Some(&mut *(self.0.as_ptr().add(s.payload_off()) as *mut Object)) }
    }

    /// Bytes of heap this entry accounts for, as the allocator holds them:
    /// its allocation and an out-of-line string's (an aggregate's own
    /// allocations are the object's `mem_usage`).
    pub fn mem_usage(&self) -> usize {
        let s = self.shape();
        let extra = match self.value() {
            ValueRef::Str(b) if s.tag == TAG_BYTES && !b.is_empty() => {
                crate::alloc::size_class(b.len())
            }
            // The spare capacity kept for the next in-place write is held too.
            _ if s.tag == TAG_VEC => match self.vec_capacity() {
                0 => 0,
                cap => crate::alloc::size_class(cap),
            },
            _ => 0,
        };
        crate::alloc::size_class(s.size()) + extra
    }
}

impl Clone for Entry {
    fn clone(&self) -> Entry {
        let old = self.rc().fetch_add(1, Ordering::Relaxed);
        assert!(old < u16::MAX - 1, "entry refcount overflow");
        Entry(self.0)
    }
}

impl Drop for Entry {
    fn drop(&mut self) {
        if self.rc().fetch_sub(1, Ordering::Release) != 1 {
            return;
        }
        fence(Ordering::Acquire);
        let s = self.shape();
        // SAFETY: we held the last reference; drop the payload then free.
        unsafe {
            let po = self.0.as_ptr().add(s.payload_off());
            match s.tag {
                TAG_BYTES => ptr::drop_in_place(po as *mut Bytes),
                TAG_OBJ => ptr::drop_in_place(po as *mut Object),
                TAG_VEC => ptr::drop_in_place(po as *mut Vec<u8>),
                _ => {}
            }
            dealloc(self.0.as_ptr(), s.layout());
        }
    }
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry")
            .field("key", &String::from_utf8_lossy(self.key()))
            .field("value", &self.value())
            .field("expire", &self.expire())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value {
        Value::string(Bytes::copy_from_slice(v.as_bytes()))
    }

    #[test]
    fn encodings_follow_redis_rules() {
        let e = Entry::new(b"k", s("123"), None);
        assert!(matches!(e.value(), ValueRef::Int(123)));
        assert_eq!(e.str_encoding(), Some("int"));
        assert_eq!(
            Entry::new(b"k", s("0123"), None).str_encoding(),
            Some("embstr")
        );
        assert_eq!(
            Entry::new(b"k", s(&"x".repeat(44)), None).str_encoding(),
            Some("embstr")
        );
        assert_eq!(
            Entry::new(b"k", s(&"x".repeat(45)), None).str_encoding(),
            Some("raw")
        );
        let raw = Entry::new(b"k", Value::raw(Bytes::from_static(b"ab")), None);
        assert_eq!(raw.str_encoding(), Some("raw"));
        assert!(matches!(raw.value(), ValueRef::Str(b"ab")));
    }

    #[test]
    fn keys_values_expiry_round_trip() {
        for klen in [0usize, 1, 16, 254, 255, 256, 70000] {
            for vlen in [0usize, 5, 44, 63, 64, 1000] {
                for exp in [None, Some(1234567890123i64)] {
                    let key = vec![b'k'; klen];
                    let val = vec![b'v'; vlen];
                    let e = Entry::new(&key, Value::Raw(Bytes::from(val.clone())), exp);
                    assert_eq!(e.key(), &key[..]);
                    assert_eq!(e.expire(), exp);
                    match e.value() {
                        ValueRef::Str(b) => assert_eq!(b, &val[..]),
                        other => panic!("{other:?}"),
                    }
                    let e2 = e.with_expire(Some(7));
                    assert_eq!(e2.expire(), Some(7));
                    assert_eq!(e2.key(), &key[..]);
                }
            }
        }
    }

    #[test]
    fn short_argument_values_are_stored_inline() {
        let e = Entry::new(b"k", Value::string_arg(&Bytes::from_static(b"hello")), None);
        assert_eq!(e.str_encoding(), Some("embstr"));
        assert!(matches!(e.value(), ValueRef::Str(b"hello")));
        let long = Bytes::from(vec![b'x'; 50]);
        let e = Entry::new(b"k", Value::string_arg(&long), None);
        assert_eq!(e.str_encoding(), Some("raw"));
        assert!(matches!(
            Value::string_arg(&Bytes::from_static(b"-42")),
            Value::Int(-42)
        ));
        let big = Bytes::from(vec![b'y'; 100]);
        let e = Entry::new(b"k", Value::string_arg(&big), None);
        assert_eq!(e.str_bytes().unwrap(), big);
        let copy = e.with_expire(Some(5));
        assert_eq!(copy.str_encoding(), Some("raw"));
    }

    #[test]
    fn sharing_and_copy_on_write() {
        let mut a = Entry::new(b"counter", Value::Int(1), Some(5));
        let b = a.clone();
        assert!(!a.is_unique());
        assert!(!a.set_int_in_place(2));
        a.make_unique();
        assert!(a.set_int_in_place(2));
        assert!(matches!(b.value(), ValueRef::Int(1)));
        assert!(matches!(a.value(), ValueRef::Int(2)));
        assert!(a.set_expire_in_place(9));
        assert_eq!(b.expire(), Some(5));
        assert_eq!(a.expire(), Some(9));
        a.set_lru(77);
        assert_eq!(a.lru(), 77);
    }

    #[test]
    fn big_strings_are_shared_not_copied() {
        let n = crate::resp::parse::BIG_ARG;
        let big = Bytes::from(vec![7u8; n]);
        let e = Entry::new(b"k", Value::string(big.clone()), None);
        let out = e.str_bytes().unwrap();
        assert_eq!(out.as_ptr(), big.as_ptr());
        drop(e);
        assert_eq!(out.len(), n);
        // Medium strings are copied so they do not pin a query buffer.
        let medium = Bytes::from(vec![7u8; 4096]);
        let e = Entry::new(b"k", Value::string(medium.clone()), None);
        assert_ne!(e.str_bytes().unwrap().as_ptr(), medium.as_ptr());
    }

    fn buf_ptr(e: &mut Entry) -> *const u8 {
        e.string_buf_mut().unwrap().as_ptr()
    }

    #[test]
    fn in_place_buffers_are_not_copied_by_repeated_writes() {
        for start in [
            Value::Int(-123),
            s("short"),
            s(&"x".repeat(50)),
            Value::Raw(Bytes::from(vec![1u8; 100_000])),
        ] {
            let mut e = Entry::new(b"k", start, Some(77));
            let before = e.str_bytes().unwrap();
            let v = e.string_buf_mut().unwrap();
            assert_eq!(&v[..], &before[..]);
            grow_zeroed(v, 1 << 16);
            let p = v.as_ptr();
            for i in 0..1000 {
                e.string_buf_mut().unwrap()[i] = 0xff;
                assert_eq!(buf_ptr(&mut e), p, "no copy, no move");
            }
            assert_eq!(e.str_encoding(), Some("raw"));
            assert_eq!(e.expire(), Some(77));
            assert_eq!(e.key(), b"k");
        }
        // A unique big `Bytes` hands over its allocation on conversion.
        let big = vec![5u8; crate::resp::parse::BIG_ARG];
        let p = big.as_ptr();
        let mut e = Entry::new(b"k", Value::Raw(Bytes::from(big)), None);
        assert_eq!(buf_ptr(&mut e), p);
    }

    #[test]
    fn a_shared_in_place_buffer_is_copied_once_and_the_snapshot_kept() {
        let mut live = Entry::new(b"k", Value::Buf(b"abc".to_vec()), None);
        let p = buf_ptr(&mut live);
        let snap = live.clone();
        live.string_buf_mut().unwrap()[0] = b'X';
        assert!(matches!(snap.value(), ValueRef::Str(b"abc")));
        assert!(matches!(live.value(), ValueRef::Str(b"Xbc")));
        let p2 = buf_ptr(&mut live);
        assert_ne!(p, p2, "the write went to a copy");
        live.string_buf_mut().unwrap()[1] = b'Y';
        assert_eq!(buf_ptr(&mut live), p2, "copied once only");
        // A shared `Bytes` is copied, not written.
        let b = Bytes::from(vec![9u8; crate::resp::parse::BIG_ARG]);
        let mut e = Entry::new(b"k", Value::Raw(b.clone()), None);
        e.string_buf_mut().unwrap()[0] = 1;
        assert_eq!(b[0], 9);
        assert!(Entry::new(b"k", Value::Obj(obj()), None)
            .string_buf_mut()
            .is_none());
    }

    fn obj() -> Object {
        Object::Set(crate::db::set::Set::new())
    }

    #[test]
    fn buffers_grow_as_sds_and_memory_counts_capacity() {
        let mut v = Vec::new();
        reserve_string(&mut v, 10);
        assert_eq!(v.capacity(), 20);
        grow_zeroed(&mut v, 15);
        assert_eq!((v.len(), v.capacity()), (15, 20));
        grow_zeroed(&mut v, 3 << 20);
        assert_eq!(v.capacity(), (3 << 20) + (1 << 20));
        assert!(v.iter().all(|&b| b == 0));
        let mut e = Entry::new(b"k", Value::Buf(Vec::new()), None);
        let empty = e.mem_usage();
        let buf = e.string_buf_mut().unwrap();
        buf.reserve_exact(1 << 20);
        let cap = buf.capacity();
        assert_eq!(e.mem_usage(), empty + crate::alloc::size_class(cap));
        // Appending in a loop reallocates O(log n) times.
        let mut v: Vec<u8> = Vec::new();
        let mut moves = 0;
        let mut last = v.as_ptr();
        for _ in 0..100_000 {
            let n = v.len() + 10;
            reserve_string(&mut v, n);
            v.extend_from_slice(b"0123456789");
            if v.as_ptr() != last {
                moves += 1;
                last = v.as_ptr();
            }
        }
        assert!(moves < 30, "{moves}");
    }

    #[test]
    fn into_value_and_take_with_expire_move_buffers() {
        let mut e = Entry::new(b"k", Value::Buf(vec![3u8; 1000]), None);
        let p = buf_ptr(&mut e);
        let mut e2 = e.take_with_expire(Some(5));
        assert_eq!(e2.expire(), Some(5));
        assert_eq!(buf_ptr(&mut e2), p);
        match e2.into_value() {
            Value::Buf(v) => assert_eq!(v.as_ptr(), p),
            other => panic!("{other:?}"),
        }
        let e = Entry::new(b"k", Value::Buf(b"abc".to_vec()), None);
        let keep = e.clone();
        assert!(matches!(e.into_value(), Value::Buf(v) if v == b"abc"));
        assert!(matches!(keep.value(), ValueRef::Str(b"abc")));
        for v in [Value::Int(5), s("abc"), Value::Obj(obj())] {
            let e = Entry::new(b"k", v, None);
            let _ = e.into_value();
        }
    }

    #[test]
    fn small_string_entry_fits_a_48_byte_chunk() {
        let e = Entry::new(b"key:000000000001", s("xxxxxxxxxx"), None);
        assert!(e.shape().size() <= 40);
    }
}
