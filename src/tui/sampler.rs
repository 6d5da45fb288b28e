//! Samples the simulation every N virtual seconds for the charts: cluster
//! cpu and memory requested against allocatable, pods by phase, and
//! DockerCoins' hash rate when an adapter provides it (`App::measure`
//! takes a sample from the cache).
//!
//! The hash rate is webui's number: its page polls `/json` every second
//! and shows Δhashes/Δt between the last two polls
//! (`dockercoins/webui/files/index.html`). So the runner also stops the
//! world one second before each sample instant to read the `hashes`
//! counter there ([`Sampler::next_stop`], [`Sampler::poll`]), and the
//! sample's rate is the same formula
//! ([`crate::net::tools::dockercoins::webui_speed`]) over that second.
//!
//! Samples are taken at exact multiples of the interval in virtual time (the
//! local runner stops the world on each sample instant), so the charts of a
//! seed are the same whatever the speed or the frame rate: they come from
//! the simulation, never from wall-clock polling.

use super::resources::Resources;
use crate::objects::{Kind, Object};
use crate::sim::SimTime;
use std::collections::VecDeque;
use std::time::Duration;

/// Pods counted by `status.phase`.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct PhaseCounts {
    pub pending: u32,
    pub running: u32,
    pub succeeded: u32,
    pub failed: u32,
    pub unknown: u32,
}

/// The cluster at one virtual instant.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sample {
    pub at: SimTime,
    pub requested: Resources,
    pub allocatable: Resources,
    pub phases: PhaseCounts,
    /// DockerCoins hashes per second, as webui computes it.
    pub hash_rate: Option<f64>,
}

/// A ring of samples taken every `interval` of virtual time.
#[derive(Clone, Debug)]
pub struct Sampler {
    interval: Duration,
    capacity: usize,
    next: SimTime,
    samples: VecDeque<Sample>,
    /// The last reading of DockerCoins' `hashes` counter: (when, value).
    hashes: Option<(SimTime, i64)>,
    /// The sample instant whose webui poll (a second before it) was read.
    polled_for: Option<SimTime>,
}

/// webui's page polls `/json` every second (`setInterval(refresh, 1000)`).
pub const WEBUI_POLL: Duration = Duration::from_secs(1);

/// Every 5 virtual seconds, the last hour.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);
pub const DEFAULT_CAPACITY: usize = 720;

impl Default for Sampler {
    fn default() -> Sampler {
        Sampler::new(DEFAULT_INTERVAL, DEFAULT_CAPACITY)
    }
}

impl Sampler {
    pub fn new(interval: Duration, capacity: usize) -> Sampler {
        Sampler {
            interval: interval.max(Duration::from_millis(1)),
            capacity: capacity.max(2),
            next: SimTime::ZERO,
            samples: VecDeque::new(),
            hashes: None,
            polled_for: None,
        }
    }

    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// The next instant a sample is due.
    pub fn next_due(&self) -> SimTime {
        self.next
    }

    /// The instant of webui's poll before the next sample (a second
    /// before it), or the sample instant itself when the interval is not
    /// longer than webui's period.
    fn poll_instant(&self) -> SimTime {
        if self.interval > WEBUI_POLL {
            SimTime(self.next.0.saturating_sub(WEBUI_POLL.as_millis() as u64))
        } else {
            self.next
        }
    }

    /// Where the runner must stop the world next: webui's poll before the
    /// next sample if it was not read yet, else the sample instant.
    pub fn next_stop(&self) -> SimTime {
        if self.polled_for == Some(self.next) {
            self.next
        } else {
            self.poll_instant()
        }
    }

    /// Whether webui's poll before the next sample is to be read at `now`.
    pub fn poll_due(&self, now: SimTime) -> bool {
        now >= self.poll_instant() && now < self.next && self.polled_for != Some(self.next)
    }

    /// Records a reading of the `hashes` counter at `now` (`None`:
    /// DockerCoins is not running) and returns the speed webui would show
    /// between the previous reading and this one.
    pub fn poll(&mut self, now: SimTime, hashes: Option<i64>) -> Option<f64> {
        if now < self.next {
            self.polled_for = Some(self.next);
        }
        let prev = self.hashes.take();
        let cur = hashes?;
        self.hashes = Some((now, cur));
        let (t0, h0) = prev?;
        Some(crate::net::tools::dockercoins::webui_speed(
            (h0, t0.as_secs_f64()),
            (cur, now.as_secs_f64()),
        ))
    }

    /// Starts sampling at the first multiple of the interval at or after `now`.
    pub fn start_at(&mut self, now: SimTime) {
        let i = self.interval.as_millis() as u64;
        self.next = SimTime(now.0.div_ceil(i) * i);
    }

    /// Records a sample and schedules the next one after it.
    pub fn record(&mut self, s: Sample) {
        let i = self.interval.as_millis() as u64;
        self.next = SimTime((s.at.0 / i + 1) * i);
        if self.samples.len() == self.capacity {
            self.samples.pop_front();
        }
        self.samples.push_back(s);
    }

    pub fn samples(&self) -> &VecDeque<Sample> {
        &self.samples
    }

    pub fn last(&self) -> Option<&Sample> {
        self.samples.back()
    }

    /// Whether any sample carried a hash rate (DockerCoins runs).
    pub fn has_hash_rate(&self) -> bool {
        self.samples.iter().any(|s| s.hash_rate.is_some())
    }
}

impl super::app::App {
    /// The cluster now, for the charts: requested and allocatable summed
    /// over nodes (pod requests memoized per object version), pods by phase.
    pub fn measure(&self, hash_rate: Option<f64>) -> Sample {
        let mut s = Sample {
            at: self.clock.now,
            hash_rate,
            ..Default::default()
        };
        let mut nodes = std::collections::BTreeSet::new();
        for o in self.cache.iter(Kind::Node, None) {
            if let Object::Node(n) = &**o {
                let (alloc, _) = super::resources::allocatable(n);
                s.allocatable.cpu_m += alloc.cpu_m;
                s.allocatable.mem += alloc.mem;
                nodes.insert(n.metadata.name.as_deref().unwrap_or(""));
            }
        }
        for o in self.cache.iter(Kind::Pod, None) {
            let Object::Pod(p) = &**o else { continue };
            let phase = p.status.as_ref().and_then(|st| st.phase.as_deref());
            match phase {
                Some("Running") => s.phases.running += 1,
                Some("Succeeded") => s.phases.succeeded += 1,
                Some("Failed") => s.phases.failed += 1,
                Some("Unknown") => s.phases.unknown += 1,
                _ => s.phases.pending += 1,
            }
            let bound = super::resources::node_of(p).is_some_and(|n| nodes.contains(n));
            if bound && !super::resources::is_terminated(p) {
                let r = self.pod_requests(o);
                s.requested.cpu_m += r.cpu_m;
                s.requested.mem += r.mem;
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_land_on_multiples_of_the_interval_and_the_ring_is_bounded() {
        let mut s = Sampler::new(Duration::from_secs(5), 3);
        s.start_at(SimTime(12_300));
        assert_eq!(s.next_due(), SimTime(15_000));
        for t in [15_000, 20_000, 25_000, 30_000] {
            s.record(Sample {
                at: SimTime(t),
                ..Default::default()
            });
        }
        assert_eq!(s.next_due(), SimTime(35_000));
        let at: Vec<u64> = s.samples().iter().map(|x| x.at.0).collect();
        assert_eq!(at, vec![20_000, 25_000, 30_000]);
    }
}

#[cfg(test)]
mod poll_tests {
    use super::*;

    /// The runner stops a second before each sample to read the counter
    /// as webui's previous poll; the sample's rate is Δhashes/Δt over it.
    #[test]
    fn the_hash_rate_is_webuis_speed_over_the_last_second() {
        let mut s = Sampler::new(Duration::from_secs(5), 10);
        s.start_at(SimTime(2_000));
        assert_eq!(s.next_stop(), SimTime(4_000));
        assert!(!s.poll_due(SimTime(3_999)));
        assert!(s.poll_due(SimTime(4_000)));
        assert_eq!(s.poll(SimTime(4_000), Some(100)), None);
        assert_eq!(s.next_stop(), SimTime(5_000), "read: on to the sample");
        assert!(!s.poll_due(SimTime(4_500)));
        assert_eq!(s.poll(SimTime(5_000), Some(104)), Some(4.0));
        s.record(Sample {
            at: SimTime(5_000),
            ..Default::default()
        });
        assert_eq!(s.next_stop(), SimTime(9_000));
        // A clock that jumped past the poll (a `sim advance`): the speed
        // is over the gap, as webui shows after a missed poll.
        assert_eq!(s.poll(SimTime(10_000), Some(124)), Some(4.0));
        // DockerCoins gone: no speed, and none right after it comes back.
        assert_eq!(s.poll(SimTime(15_000), None), None);
        assert_eq!(s.poll(SimTime(20_000), Some(0)), None);
    }

    #[test]
    fn short_intervals_stop_only_on_samples() {
        let mut s = Sampler::new(Duration::from_millis(500), 10);
        s.start_at(SimTime(0));
        assert_eq!(s.next_stop(), SimTime(0));
        assert!(!s.poll_due(SimTime(0)));
    }
}
