//! DEBUG DIGEST and DIGEST-VALUE: an order-independent SHA-1 fingerprint of the
//! dataset, computed the way Redis's debug.c mixes it so that the same data gives
//! the same hex string on oxidis and on Redis.
//!
//! ```text
//!   xor(d, bytes)  d ^= sha1(bytes)
//!   mix(d, bytes)  xor(d, bytes); d = sha1(d)
//!
//!   value digest v (starts at 20 zero bytes):
//!     mix(v, type as 4 big-endian bytes)      string=0 list=1 set=2 zset=3 hash=4 stream=6
//!     string: mix(v, the value's bytes; an integer as its decimal text)
//!     list:   mix(v, element) for each element, head to tail
//!     set:    xor(v, member) for each member
//!     hash:   e = 0; mix(e, field); mix(e, value); xor(v, e) for each pair
//!     stream: mix(v, "ms.seq"), mix(v, field), mix(v, value) per entry, in order
//!     xor(v, "!!expire!!") when the key has an expiry
//!   key digest k = 0; mix(k, key); then the value digest steps on k
//!   dataset D = 0; for each non-empty db j: mix(D, j as 4 big-endian bytes),
//!               then xor(D, k) for every key of the db (D ^= sha1(k))
//! ```

use super::sha1::sha1;
use crate::db::stream::StreamId;
use crate::db::{Entry, Object, ValueRef};
use crate::server::Server;

pub type Digest = [u8; 20];

pub fn xor_digest(d: &mut Digest, data: &[u8]) {
    for (a, b) in d.iter_mut().zip(sha1(data)) {
        *a ^= b;
    }
}

pub fn mix_digest(d: &mut Digest, data: &[u8]) {
    xor_digest(d, data);
    *d = sha1(&d[..]);
}

/// Redis's OBJ_* type numbers.
fn type_id(v: &ValueRef) -> u32 {
    match v {
        ValueRef::Int(_) | ValueRef::Str(_) => 0,
        ValueRef::Obj(Object::List(_)) => 1,
        ValueRef::Obj(Object::Set(_)) => 2,
        ValueRef::Obj(Object::Zset(_)) => 3,
        ValueRef::Obj(Object::Hash(_)) => 4,
        ValueRef::Obj(Object::Stream(_)) => 6,
    }
}

/// Mixes the value of `e` (type, content, expiry) into `d` (xorObjectDigest).
pub fn object_digest(d: &mut Digest, e: &Entry) {
    let v = e.value();
    mix_digest(d, &type_id(&v).to_be_bytes());
    match v {
        ValueRef::Int(i) => mix_digest(d, i.to_string().as_bytes()),
        ValueRef::Str(s) => mix_digest(d, s),
        ValueRef::Obj(Object::List(l)) => {
            for el in l.iter() {
                mix_digest(d, &el.to_bytes());
            }
        }
        ValueRef::Obj(Object::Set(s)) => {
            for m in s.iter() {
                m.with_bytes(|b| xor_digest(d, b));
            }
        }
        ValueRef::Obj(Object::Hash(h)) => {
            for (field, val) in h.iter() {
                let mut pair = [0u8; 20];
                mix_digest(&mut pair, field);
                mix_digest(&mut pair, val);
                xor_digest(d, &pair);
            }
        }
        ValueRef::Obj(Object::Zset(z)) => {
            let mut score = Vec::with_capacity(32);
            for (m, s) in z.iter() {
                let mut ele = [0u8; 20];
                mix_digest(&mut ele, &m);
                score.clear();
                crate::util::number::format_double_into(s, &mut score);
                mix_digest(&mut ele, &score);
                xor_digest(d, &ele);
            }
        }
        // Entries only (groups are not part of it): "ms.seq", then each field
        // and value, all mixed in order.
        ValueRef::Obj(Object::Stream(st)) => {
            let mut idtext = Vec::with_capacity(48);
            st.range(StreamId::MIN, StreamId::MAX, false, |id, fields| {
                idtext.clear();
                idtext.extend_from_slice(format!("{}.{}", id.ms, id.seq).as_bytes());
                mix_digest(d, &idtext);
                for (f, v) in fields {
                    mix_digest(d, &f);
                    mix_digest(d, &v);
                }
                true
            });
        }
    }
    if e.expire().is_some() {
        xor_digest(d, b"!!expire!!");
    }
}

/// The digest of one key and its value.
pub fn key_digest(e: &Entry) -> Digest {
    let mut d = [0u8; 20];
    mix_digest(&mut d, e.key());
    object_digest(&mut d, e);
    d
}

/// The whole dataset's digest (computeDatasetDigest). Like Redis it walks the
/// tables as they are, logically expired keys included.
pub fn dataset_digest(srv: &Server) -> Digest {
    let mut fin = [0u8; 20];
    for (j, db) in srv.dbs.iter().enumerate() {
        let t = db.table();
        if t.is_empty() {
            continue;
        }
        mix_digest(&mut fin, &(j as u32).to_be_bytes());
        for e in t.iter() {
            xor_digest(&mut fin, &key_digest(e));
        }
    }
    fin
}

#[cfg(test)]
mod tests {
    use super::super::sha1::hex;
    use super::*;
    use crate::db::Value;

    fn value_digest(e: &Entry) -> String {
        let mut d = [0u8; 20];
        object_digest(&mut d, e);
        hex(&d)
    }

    #[test]
    fn matches_redis_for_strings() {
        // Reference values from Redis 7.0.15's DEBUG DIGEST-VALUE.
        let e = Entry::new(b"k", Value::string("hello".into()), None);
        assert_eq!(value_digest(&e), "36b23a1456b2dce2c3ed252c456761301dba8060");
        let e = Entry::new(b"n", Value::string("12345".into()), None);
        assert_eq!(value_digest(&e), "e1cf90774e995ae03de66e8109dc5cb9d9c2dc83");
        let e = Entry::new(b"k", Value::string("hello".into()), Some(i64::MAX / 2));
        assert_eq!(value_digest(&e), "d037c4eb8a8b36b602fbced4000daeab0714c1e3");
    }
}
