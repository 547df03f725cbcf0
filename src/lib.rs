//! oxidis: a Redis-compatible in-memory data-structure server.
//!
//! The architecture map lives in README.md and ../shared/DESIGN.md; this file only
//! lists the modules.

pub mod config;
pub mod db;
pub mod error;
pub mod util;
