//! What the simulated applications write to stdout: an append-only buffer
//! per container, kept compact (entries are formatted only when read, so
//! that an rng pod serving ten requests a second costs no string work),
//! and bounded like the kubelet's log rotation.

use super::addr::{Ip, IpDisplay};
use super::latency::Micros;
use crate::sim::SimTime;
use std::collections::VecDeque;

/// Entries kept per container (older ones are dropped, as a rotated log).
pub const MAX_ENTRIES: usize = 20_000;

/// One line a container wrote, with the virtual time it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    pub time: SimTime,
    pub text: String,
}

/// The path of a logged request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogPath {
    /// `/<n>` (rng's hot path).
    Bytes(u32),
    /// `/`
    Root,
    /// Boxed twice so that the common entries stay small.
    Other(Box<String>),
}

/// The method of a logged request (one byte instead of a `&str`: logs of
/// busy servers hold up to `MAX_ENTRIES` entries each).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
    Post,
    Put,
    Delete,
    Options,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for LogPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LogPath::Bytes(n) => write!(f, "/{n}"),
            LogPath::Root => f.write_str("/"),
            LogPath::Other(s) => f.write_str(s),
        }
    }
}

/// A log entry, formatted on read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// werkzeug's access line (Flask's development server).
    Werkzeug {
        client: Ip,
        method: Method,
        path: LogPath,
        status: u16,
    },
    /// Rack's CommonLogger (Sinatra on Thin).
    Rack {
        client: Ip,
        method: Method,
        path: LogPath,
        status: u16,
        bytes: u32,
        dur_us: u32,
    },
    /// morgan's "common" format (Express).
    Morgan {
        client: Ip,
        method: Method,
        path: Box<str>,
        status: u16,
        bytes: u32,
    },
    /// nginx's default `main` access log format.
    Nginx(Box<NginxLine>),
    /// DockerCoins worker: `N units of work done, updating hash counter`.
    Units(u32),
    /// DockerCoins worker: `Coin found: 0123abcd...`.
    Coin(u64),
    Text(Box<str>),
    /// What the program prints as it starts (the kubelet's container
    /// model prints its own banner, so `kubectl logs` leaves these out).
    Banner(Box<str>),
}

/// nginx's access line (boxed: rare, and the largest).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NginxLine {
    pub client: Ip,
    pub method: Box<str>,
    pub path: Box<str>,
    pub status: u16,
    pub bytes: u32,
    pub agent: Box<str>,
}

#[derive(Clone, Debug, Default)]
pub struct LogBuffer {
    entries: VecDeque<(Micros, Entry)>,
    /// How many entries were dropped from the front.
    pub dropped: u64,
}

impl LogBuffer {
    #[inline]
    pub fn push(&mut self, t: Micros, e: Entry) {
        if self.entries.len() >= MAX_ENTRIES {
            self.entries.pop_front();
            self.dropped += 1;
        }
        self.entries.push_back((t, e));
    }
    pub fn text(&mut self, t: Micros, s: impl Into<String>) {
        let s: String = s.into();
        for line in s.lines() {
            self.push(t, Entry::Text(line.into()));
        }
    }
    pub fn banner(&mut self, t: Micros, s: impl Into<String>) {
        let s: String = s.into();
        for line in s.lines() {
            self.push(t, Entry::Banner(line.into()));
        }
    }
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    /// The retained lines the traffic caused (start-up banners left out).
    pub fn traffic_lines(&self, epoch: jiff::Timestamp) -> Vec<LogLine> {
        self.entries
            .iter()
            .filter(|(_, e)| !matches!(e, Entry::Banner(_)))
            .map(|(t, e)| LogLine {
                time: SimTime(t / 1000),
                text: format_entry(epoch, *t, e),
            })
            .collect()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    /// All retained lines, formatted.
    pub fn lines(&self, epoch: jiff::Timestamp) -> Vec<LogLine> {
        self.entries
            .iter()
            .map(|(t, e)| LogLine {
                time: SimTime(t / 1000),
                text: format_entry(epoch, *t, e),
            })
            .collect()
    }
    /// Removes and returns all retained lines.
    pub fn take(&mut self, epoch: jiff::Timestamp) -> Vec<LogLine> {
        let v = self.lines(epoch);
        self.entries.clear();
        v
    }
}

fn at(epoch: jiff::Timestamp, t: Micros) -> jiff::Timestamp {
    epoch + jiff::SignedDuration::from_micros(t as i64)
}

/// Formats an entry as the application prints it.
pub fn format_entry(epoch: jiff::Timestamp, t: Micros, e: &Entry) -> String {
    let ts = at(epoch, t);
    match e {
        Entry::Werkzeug {
            client,
            method,
            path,
            status,
        } => format!(
            "::ffff:{} - - [{}] \"{method} {path} HTTP/1.1\" {status} -",
            IpDisplay(*client),
            ts.strftime("%d/%b/%Y %H:%M:%S")
        ),
        Entry::Rack {
            client,
            method,
            path,
            status,
            bytes,
            dur_us,
        } => format!(
            "{} - - [{}] \"{method} {path} HTTP/1.1\" {status} {bytes} {:.4}",
            IpDisplay(*client),
            ts.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            *dur_us as f64 / 1e6
        ),
        Entry::Morgan {
            client,
            method,
            path,
            status,
            bytes,
        } => format!(
            "::ffff:{} - - [{}] \"{method} {path} HTTP/1.1\" {status} {bytes}",
            IpDisplay(*client),
            ts.strftime("%d/%b/%Y:%H:%M:%S +0000")
        ),
        Entry::Nginx(n) => {
            let NginxLine {
                client,
                method,
                path,
                status,
                bytes,
                agent,
            } = &**n;
            format!(
                "{} - - [{}] \"{method} {path} HTTP/1.1\" {status} {bytes} \"-\" \"{agent}\" \"-\"",
                IpDisplay(*client),
                ts.strftime("%d/%b/%Y:%H:%M:%S +0000")
            )
        }
        Entry::Units(n) => format!("INFO:__main__:{n} units of work done, updating hash counter"),
        Entry::Coin(h) => format!("INFO:__main__:Coin found: {:08x}...", (h >> 32) as u32),
        Entry::Text(s) | Entry::Banner(s) => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_format_like_the_servers_print_them() {
        let epoch: jiff::Timestamp = "2026-11-23T09:00:00Z".parse().unwrap();
        let mut b = LogBuffer::default();
        b.push(
            1_500_000,
            Entry::Werkzeug {
                client: 0x0af4_0205,
                method: Method::Get,
                path: LogPath::Bytes(32),
                status: 200,
            },
        );
        b.push(
            2_000_000,
            Entry::Rack {
                client: 0x0af4_0205,
                method: Method::Post,
                path: LogPath::Root,
                status: 200,
                bytes: 64,
                dur_us: 100_300,
            },
        );
        b.push(3_000_000, Entry::Units(4));
        b.push(3_000_000, Entry::Coin(0x0a1b_2c3d_ffff_ffff));
        let lines: Vec<String> = b.lines(epoch).into_iter().map(|l| l.text).collect();
        assert_eq!(
            lines,
            vec![
                "::ffff:10.244.2.5 - - [23/Nov/2026 09:00:01] \"GET /32 HTTP/1.1\" 200 -",
                "10.244.2.5 - - [23/Nov/2026:09:00:02 +0000] \"POST / HTTP/1.1\" 200 64 0.1003",
                "INFO:__main__:4 units of work done, updating hash counter",
                "INFO:__main__:Coin found: 0a1b2c3d...",
            ]
        );
        assert_eq!(b.lines(epoch)[0].time, SimTime(1500));
    }

    /// Busy servers keep up to MAX_ENTRIES entries per container: an
    /// entry stays within 32 bytes (it was 64 with `&str` methods).
    #[test]
    fn entries_stay_small() {
        assert!(
            std::mem::size_of::<Entry>() <= 32,
            "{}",
            std::mem::size_of::<Entry>()
        );
    }

    #[test]
    fn the_buffer_is_bounded() {
        let mut b = LogBuffer::default();
        for i in 0..(MAX_ENTRIES as u64 + 5) {
            b.push(i, Entry::Units(1));
        }
        assert_eq!(b.len(), MAX_ENTRIES);
        assert_eq!(b.dropped, 5);
    }
}
