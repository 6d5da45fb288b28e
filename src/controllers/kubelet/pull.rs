//! Image pulls: the per-node image cache, serialized pulls
//! (`serializeImagePulls: true`) and the flowcontrol backoff the kubelet
//! uses for both image pulls and crash loops
//! (`staging/src/k8s.io/client-go/util/flowcontrol/backoff.go`).

use crate::sim::SimTime;
use std::collections::BTreeSet;
use std::time::Duration;

/// One flowcontrol backoff entry: the current delay and its last update.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Backoff {
    entry: Option<(Duration, SimTime)>,
}

impl Backoff {
    /// `IsInBackOffSince(id, since)`: the delay, if `now - since` is still
    /// inside it. An entry older than `reset` (strictly) no longer counts.
    pub fn in_backoff(&self, since: SimTime, now: SimTime, reset: Duration) -> Option<Duration> {
        let (delay, last) = self.entry?;
        if since.since(last) > reset {
            return None;
        }
        (now.since(since) < delay).then_some(delay)
    }
    /// `Next(id, at)`: start at `initial`, else double up to `max`.
    pub fn next(&mut self, at: SimTime, initial: Duration, max: Duration, reset: Duration) {
        let delay = match self.entry {
            Some((d, last)) if at.since(last) <= reset => (d * 2).min(max),
            _ => initial,
        };
        self.entry = Some((delay, at));
    }
    /// `IsInBackOffSinceUpdate(id, now)`: measured from the last update.
    pub fn in_backoff_since_update(&self, now: SimTime, reset: Duration) -> Option<Duration> {
        let (_, last) = self.entry?;
        self.in_backoff(last, now, reset)
    }
    pub fn last_update(&self) -> Option<SimTime> {
        self.entry.map(|e| e.1)
    }
    pub fn delay(&self) -> Option<Duration> {
        self.entry.map(|e| e.0)
    }
}

/// A node's image store and its single pull slot.
#[derive(Clone, Debug, Default)]
pub struct ImageStore {
    /// Full references present on the node.
    pub present: BTreeSet<String>,
    /// Pulls are serialized: the slot is busy until then.
    pub busy_until: SimTime,
    /// Bytes per second.
    pub bandwidth: u64,
}

impl ImageStore {
    /// Books the pull slot for `took`; returns (start, done).
    pub fn book(&mut self, now: SimTime, took: Duration) -> (SimTime, SimTime) {
        let start = now.max(self.busy_until);
        let done = start + took;
        self.busy_until = done;
        (start, done)
    }
    /// Transfer time of `size` bytes.
    pub fn transfer(&self, size: u64) -> Duration {
        Duration::from_millis(size * 1000 / self.bandwidth.max(1))
    }
}

/// Go's `time.Duration.String()` for durations truncated to milliseconds:
/// `512ms`, `2.121s`, `1m2.5s`.
pub fn go_duration(d: Duration) -> String {
    let ms = d.as_millis() as u64;
    if ms == 0 {
        return "0s".into();
    }
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let h = ms / 3_600_000;
    let m = ms / 60_000 % 60;
    let s = ms / 1000 % 60;
    let frac = ms % 1000;
    let mut secs = s.to_string();
    if frac > 0 {
        secs = format!("{s}.{frac:03}").trim_end_matches('0').to_string();
    }
    match (h, m) {
        (0, 0) => format!("{secs}s"),
        (0, m) => format!("{m}m{secs}s"),
        (h, m) => format!("{h}h{m}m{secs}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations_print_like_go() {
        assert_eq!(go_duration(Duration::from_millis(512)), "512ms");
        assert_eq!(go_duration(Duration::from_millis(2121)), "2.121s");
        assert_eq!(go_duration(Duration::from_millis(2100)), "2.1s");
        assert_eq!(go_duration(Duration::from_millis(62_500)), "1m2.5s");
        assert_eq!(go_duration(Duration::from_secs(3600)), "1h0m0s");
    }

    #[test]
    fn backoff_doubles_caps_and_resets_after_the_window() {
        let (i, m, r) = (
            Duration::from_secs(10),
            Duration::from_secs(300),
            Duration::from_secs(600),
        );
        let mut b = Backoff::default();
        let mut t = SimTime::ZERO;
        let mut seen = vec![];
        for _ in 0..8 {
            b.next(t, i, m, r);
            seen.push(b.delay().unwrap().as_secs());
            t = t + Duration::from_secs(1);
        }
        assert_eq!(seen, [10, 20, 40, 80, 160, 300, 300, 300]);
        // More than 600 s after the last update: back to 10 s.
        b.next(t + Duration::from_secs(601), i, m, r);
        assert_eq!(b.delay(), Some(i));
    }
}
