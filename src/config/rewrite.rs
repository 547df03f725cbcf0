//! CONFIG REWRITE (not implemented yet: replies with an error).

use super::Config;

/// Rewrites `cfg.config_file`; the error is the reply text without `-`.
pub fn rewrite(cfg: &Config) -> Result<(), String> {
    if cfg.config_file.is_none() {
        return Err("ERR The server is running without a config file".into());
    }
    Err("ERR Rewriting config file: CONFIG REWRITE is not supported yet".into())
}
