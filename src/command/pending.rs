//! Metadata of the Redis 7.0 commands oxidis does not serve yet (scripting and
//! functions, cluster, ACL, MODULE, the
//! replica role's REPLICAOF/ROLE/FAILOVER): key specs, tips
//! and documentation, kept as data for the work that implements them. None of it
//! is in the live command table. The issue that serves a command writes its row
//! in the group file (`cmd/<group>.rs`) from the entry here and deletes the
//! entry; a unit test checks that no live row is still listed.

mod cluster;
mod generic;
mod scripting;
mod server;

use std::collections::HashMap;

use super::spec::prelude::*;
use super::spec::{Arg, KeySpec};

/// A command's metadata without its row (handler, arity, flags, ACL
/// categories, summary): what a row of a not-yet-served command will state.
#[derive(Debug)]
pub struct CommandSpec {
    /// Full name: `get`, `config|get`.
    pub name: &'static str,
    pub key_specs: &'static [KeySpec],
    pub tips: &'static [&'static str],
    pub getkeys: GetKeys,
    pub doc_flags: u8,
    pub deprecated_since: Option<&'static str>,
    pub replaced_by: Option<&'static str>,
    /// (version, what changed), oldest first.
    pub history: &'static [(&'static str, &'static str)],
    pub args: &'static [Arg],
}

/// The base of the entries below: a field an entry leaves out is empty.
pub const EMPTY: CommandSpec = CommandSpec {
    name: "",
    key_specs: &[],
    tips: &[],
    getkeys: GetKeys::None,
    doc_flags: 0,
    deprecated_since: None,
    replaced_by: None,
    history: &[],
    args: &[],
};

/// Every group's pending metadata.
pub fn groups() -> [&'static [CommandSpec]; 4] {
    [
        generic::SPECS,
        server::SPECS,
        scripting::SPECS,
        cluster::SPECS,
    ]
}

/// Full name -> metadata.
pub fn index() -> HashMap<&'static str, &'static CommandSpec> {
    let mut m = HashMap::new();
    for g in groups() {
        for s in g {
            m.insert(s.name, s);
        }
    }
    m
}
