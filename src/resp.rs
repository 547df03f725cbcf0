//! The Redis protocol: the request parser (RESP2 multibulk and inline) here, and
//! the reply writer (RESP2/RESP3) as `add_*` methods on the client
//! (`client/reply.rs`), since a reply's shape depends on the client's protocol;
//! those write their bytes through `write`.

pub mod parse;
pub mod write;
