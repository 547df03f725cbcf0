//! RDB format (placeholder until the real writer and loader land).

use std::sync::Arc;

use crate::db::segment::Segment;

pub const RDB_VERSION: u16 = 10;

pub struct DbSnapshot {
    pub id: usize,
    pub segments: Vec<Arc<Segment>>,
    pub keys: usize,
    pub expires: usize,
}

pub struct SaveInfo {
    pub ctime: i64,
    pub used_mem: u64,
    pub aof_base: bool,
    pub repl_id: String,
    pub repl_offset: i64,
}

pub struct SaveOpts {
    pub compression: bool,
    pub checksum: bool,
}

pub fn write_rdb(
    w: &mut dyn std::io::Write,
    _dbs: &[DbSnapshot],
    _info: &SaveInfo,
    _opts: &SaveOpts,
) -> std::io::Result<()> {
    w.write_all(b"REDIS0010\xff\0\0\0\0\0\0\0\0")
}

pub struct LoadOpts {
    pub now_ms: i64,
    pub skip_expired: bool,
    pub sanitize: bool,
}

#[derive(Default)]
pub struct LoadStats {
    pub keys: u64,
    pub expired_skipped: u64,
    pub aux: Vec<(Vec<u8>, Vec<u8>)>,
}

#[derive(Debug)]
pub struct RdbError(pub String);

pub fn load_rdb(
    _r: &mut dyn std::io::Read,
    _dbs: &mut [crate::db::Db],
    _opts: &LoadOpts,
    _progress: &mut dyn FnMut(u64),
) -> Result<LoadStats, RdbError> {
    Ok(LoadStats::default())
}
