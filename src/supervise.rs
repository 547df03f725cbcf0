//! Supervision: systemd's notify protocol (`supervised systemd`, or `auto` with
//! `NOTIFY_SOCKET` set) and upstart's SIGSTOP readiness signal, as Redis does it.
//!
//! Messages are datagrams on the unix socket named by `NOTIFY_SOCKET` (a leading
//! `@` means the abstract namespace): `STATUS=...` while starting, `READY=1` once
//! the dataset is loaded and the listeners are open, `STOPPING=1` on shutdown, and
//! `EXTEND_TIMEOUT_USEC=...` while a long load is in progress.

use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixDatagram};

use log::{info, warn};

use crate::config::Supervised;

/// How the server is supervised, after resolving `auto`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    None,
    Systemd,
    Upstart,
}

/// Resolves the `supervised` directive against the environment, logging as Redis.
pub fn detect(cfg: Supervised) -> Mode {
    match cfg {
        Supervised::No => Mode::None,
        Supervised::Systemd => {
            if std::env::var_os("NOTIFY_SOCKET").is_none() {
                warn!("systemd supervision error: NOTIFY_SOCKET not found!");
                return Mode::None;
            }
            info!("Supervised by systemd. Please make sure you set appropriate values for TimeoutStartSec and TimeoutStopSec in your service unit.");
            Mode::Systemd
        }
        Supervised::Upstart => {
            if std::env::var_os("UPSTART_JOB").is_none() {
                warn!("upstart supervision requested, but UPSTART_JOB not found!");
                return Mode::None;
            }
            info!("supervised by upstart, will stop to signal readiness.");
            Mode::Upstart
        }
        Supervised::Auto => {
            if std::env::var_os("UPSTART_JOB").is_some() {
                info!("Upstart supervision detected.");
                Mode::Upstart
            } else if std::env::var_os("NOTIFY_SOCKET").is_some() {
                info!("Systemd supervision detected.");
                Mode::Systemd
            } else {
                Mode::None
            }
        }
    }
}

/// Sends one notify message (e.g. "READY=1\n") when supervised by systemd.
pub fn notify(mode: Mode, msg: &str) {
    if mode != Mode::Systemd {
        return;
    }
    let Some(path) = std::env::var_os("NOTIFY_SOCKET") else {
        return;
    };
    let path = path.to_string_lossy().into_owned();
    let addr = if let Some(name) = path.strip_prefix('@') {
        SocketAddr::from_abstract_name(name.as_bytes())
    } else {
        SocketAddr::from_pathname(&path)
    };
    let res = addr.and_then(|a| {
        let sock = UnixDatagram::unbound()?;
        sock.send_to_addr(msg.as_bytes(), &a)
    });
    if let Err(e) = res {
        warn!(
            "systemd supervision error: sd_notify: {}",
            crate::util::strerror(&e)
        );
    }
}

/// Signals readiness: READY=1 for systemd, SIGSTOP for upstart.
pub fn ready(mode: Mode) {
    match mode {
        Mode::Systemd => {
            notify(mode, "STATUS=Ready to accept connections\n");
            notify(mode, "READY=1\n");
        }
        Mode::Upstart => {
            // SAFETY: raising a signal on ourselves; upstart resumes us.
            unsafe {
                libc::raise(libc::SIGSTOP);
            }
            std::env::remove_var("UPSTART_JOB");
        }
        Mode::None => {}
    }
}
