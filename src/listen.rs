//! The listening sockets: TCP listeners for `port` on every `bind` address and
//! the `unixsocket` listener, opened the way Redis opens them. They live on the
//! [`crate::server::Server`] (not in the reactor) so that CONFIG SET `port` /
//! `bind` can rebind them while the command runs and answer an error, as
//! Redis's `changeListenPort` / `changeBindAddr` do; the reactor only polls
//! them through the tokens they are registered under.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::os::fd::FromRawFd;

use log::warn;
use mio::net::{TcpListener, UnixListener};
use mio::{Interest, Registry, Token};

/// The token of TCP listener `i` is `TCP_BASE + i`.
pub const TCP_BASE: usize = usize::MAX / 2;
/// The unix socket listener's token (below the TCP range).
pub const UNIX_TOKEN: usize = TCP_BASE - 1;

/// One listening socket, as the reactor accepts from it.
pub enum Listener<'a> {
    Tcp(&'a TcpListener),
    Unix(&'a UnixListener),
}

#[derive(Default)]
pub struct Listeners {
    /// The reactor's registry; None until the reactor exists (and in unit tests,
    /// which open nothing).
    registry: Option<Registry>,
    tcp: Vec<TcpListener>,
    /// The `port` and `bind` the TCP listeners were last opened for.
    tcp_bound: (u16, Vec<String>),
    unix: Option<UnixListener>,
}

/// Why opening the TCP listeners failed (already logged as Redis logs it).
#[derive(Debug)]
pub struct BindError;

impl Listeners {
    pub fn set_registry(&mut self, r: Registry) {
        self.registry = Some(r);
    }

    /// Registers an outgoing connection (the link to a master) for
    /// readable and writable events under client token `token`.
    pub fn register_client(
        &self,
        source: &mut dyn mio::event::Source,
        token: usize,
    ) -> std::io::Result<()> {
        match &self.registry {
            Some(reg) => reg.register(
                source,
                Token(token),
                Interest::READABLE | Interest::WRITABLE,
            ),
            None => Err(std::io::Error::other("no event loop")),
        }
    }

    /// The listener polled under `token`, if any (a token of a listener closed
    /// by a rebind earlier in the same batch of events may name none).
    pub fn get(&self, token: usize) -> Option<Listener<'_>> {
        if token == UNIX_TOKEN {
            return self.unix.as_ref().map(Listener::Unix);
        }
        self.tcp
            .get(token.checked_sub(TCP_BASE)?)
            .map(Listener::Tcp)
    }

    /// The `port` and `bind` list the TCP listeners were last opened for.
    pub fn tcp_bound(&self) -> (u16, &[String]) {
        (self.tcp_bound.0, &self.tcp_bound.1)
    }

    /// Opens a listener for `port` on every `bind` entry (Redis's
    /// `listenToPort`): an entry starting with `-` is optional (skipped when the
    /// address is not available), an address family the host lacks is skipped.
    /// On failure every listener this call opened is closed. Port 0 or an empty
    /// bind list opens nothing.
    pub fn listen_tcp(
        &mut self,
        port: u16,
        bind: &[String],
        backlog: u32,
    ) -> Result<(), BindError> {
        if port == 0 {
            self.tcp_bound = (port, bind.to_vec());
            return Ok(());
        }
        let mut opened = Vec::new();
        for entry in bind {
            let optional = entry.starts_with('-');
            let host = entry.trim_start_matches('-');
            let res = match bind_addr(host, port) {
                Some(addr) => bind_tcp(addr, backlog).map_err(|e| {
                    let text = crate::util::strerror(&e);
                    (e.raw_os_error(), format!("bind: {text}"))
                }),
                // Redis's getaddrinfo error for a name it cannot resolve.
                None => Err((None, "Name or service not known".to_string())),
            };
            match res {
                Ok(l) => opened.push(l),
                Err((errno, text)) => {
                    warn!("Warning: Could not create server TCP listening socket {host}:{port}: {text}");
                    let skip = match errno {
                        Some(libc::EADDRNOTAVAIL) => optional,
                        Some(
                            libc::ENOPROTOOPT
                            | libc::EPROTONOSUPPORT
                            | libc::ESOCKTNOSUPPORT
                            | libc::EPFNOSUPPORT
                            | libc::EAFNOSUPPORT,
                        ) => true,
                        _ => false,
                    };
                    if !skip {
                        return Err(BindError);
                    }
                }
            }
        }
        for mut l in opened {
            let tok = Token(TCP_BASE + self.tcp.len());
            if let Some(reg) = &self.registry {
                if let Err(e) = reg.register(&mut l, tok, Interest::READABLE) {
                    warn!(
                        "Unrecoverable error creating TCP socket accept handler: {}",
                        crate::util::strerror(&e)
                    );
                    self.close_tcp();
                    return Err(BindError);
                }
            }
            self.tcp.push(l);
        }
        self.tcp_bound = (port, bind.to_vec());
        Ok(())
    }

    /// Closes every TCP listener (the unix socket stays).
    pub fn close_tcp(&mut self) {
        for mut l in self.tcp.drain(..) {
            if let Some(reg) = &self.registry {
                let _ = reg.deregister(&mut l);
            }
        }
    }

    /// Moves the TCP listeners to `port` on `bind`, as CONFIG SET does: the old
    /// ones are closed first (a new address may overlap an old one on the same
    /// port), and when the new set cannot be opened the old one is reopened.
    pub fn rebind_tcp(
        &mut self,
        (port, bind): (u16, &[String]),
        (old_port, old_bind): (u16, &[String]),
        backlog: u32,
    ) -> Result<(), BindError> {
        self.close_tcp();
        if self.listen_tcp(port, bind, backlog).is_ok() {
            return Ok(());
        }
        if self.listen_tcp(old_port, old_bind, backlog).is_err() {
            warn!("Failed applying restored failed CONFIG SET command: Unable to listen on the previous port and addresses");
        }
        Err(BindError)
    }

    /// Opens the unix socket listener at `path` (a stale socket file is removed
    /// first) with `perm` (0 keeps the umask's).
    pub fn listen_unix(&mut self, path: &str, perm: u32) -> io::Result<()> {
        let _ = std::fs::remove_file(path);
        let mut l = UnixListener::bind(path)?;
        if perm != 0 {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(perm));
        }
        if let Some(reg) = &self.registry {
            reg.register(&mut l, Token(UNIX_TOKEN), Interest::READABLE)?;
        }
        self.unix = Some(l);
        Ok(())
    }
}

/// Resolves a `bind` entry (without its `-`): `*` is every IPv4 address, `::*`
/// every IPv6 one; a name resolves to its first address of the family Redis
/// asks for (IPv6 when the entry has a `:`).
fn bind_addr(host: &str, port: u16) -> Option<SocketAddr> {
    let ip: IpAddr = match host {
        "*" => IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
        "::*" => IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED),
        h => match h.parse() {
            Ok(ip) => ip,
            Err(_) => {
                use std::net::ToSocketAddrs;
                let v6 = h.contains(':');
                return (h, port)
                    .to_socket_addrs()
                    .ok()?
                    .find(|a| a.is_ipv6() == v6);
            }
        },
    };
    Some(SocketAddr::new(ip, port))
}

/// Opens a listening TCP socket the way Redis does: SO_REUSEADDR, IPV6_V6ONLY for
/// IPv6 addresses (so `*` and `::*` can share a port), the configured backlog.
fn bind_tcp(addr: SocketAddr, backlog: u32) -> io::Result<TcpListener> {
    let domain = if addr.is_ipv6() {
        libc::AF_INET6
    } else {
        libc::AF_INET
    };
    // SAFETY: plain socket syscalls on a descriptor we own; on error it is closed.
    unsafe {
        let fd = libc::socket(
            domain,
            libc::SOCK_STREAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            0,
        );
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        let fail = |fd| {
            let e = io::Error::last_os_error();
            libc::close(fd);
            Err(e)
        };
        let one: libc::c_int = 1;
        let optp = &one as *const libc::c_int as *const libc::c_void;
        let optl = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
        libc::setsockopt(fd, libc::SOL_SOCKET, libc::SO_REUSEADDR, optp, optl);
        if addr.is_ipv6() {
            libc::setsockopt(fd, libc::IPPROTO_IPV6, libc::IPV6_V6ONLY, optp, optl);
        }
        let rc = match addr {
            SocketAddr::V4(a) => {
                let mut sin: libc::sockaddr_in = std::mem::zeroed();
                sin.sin_family = libc::AF_INET as libc::sa_family_t;
                sin.sin_port = a.port().to_be();
                sin.sin_addr.s_addr = u32::from_ne_bytes(a.ip().octets());
                libc::bind(
                    fd,
                    &sin as *const _ as *const libc::sockaddr,
                    std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
                )
            }
            SocketAddr::V6(a) => {
                let mut sin6: libc::sockaddr_in6 = std::mem::zeroed();
                sin6.sin6_family = libc::AF_INET6 as libc::sa_family_t;
                sin6.sin6_port = a.port().to_be();
                sin6.sin6_addr.s6_addr = a.ip().octets();
                libc::bind(
                    fd,
                    &sin6 as *const _ as *const libc::sockaddr,
                    std::mem::size_of::<libc::sockaddr_in6>() as libc::socklen_t,
                )
            }
        };
        if rc != 0 {
            return fail(fd);
        }
        if libc::listen(fd, backlog.min(i32::MAX as u32) as libc::c_int) != 0 {
            return fail(fd);
        }
        Ok(TcpListener::from_std(std::net::TcpListener::from_raw_fd(
            fd,
        )))
    }
}

/// Redis's `islocalClient` for a TCP peer: only 127.0.0.1 and ::1 are local
/// (not the rest of 127.0.0.0/8, nor an IPv4-mapped loopback).
pub fn is_local_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4 == std::net::Ipv4Addr::LOCALHOST,
        IpAddr::V6(v6) => v6 == std::net::Ipv6Addr::LOCALHOST,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_two_loopback_addresses_are_local() {
        assert!(is_local_ip("127.0.0.1".parse().unwrap()));
        assert!(is_local_ip("::1".parse().unwrap()));
        assert!(!is_local_ip("127.0.0.2".parse().unwrap()));
        assert!(!is_local_ip("::ffff:127.0.0.1".parse().unwrap()));
        assert!(!is_local_ip("10.0.0.1".parse().unwrap()));
    }
}
