//! The pacing edge: the only place where wall time meets virtual time.
//!
//! In paced mode virtual time follows `anchor_virtual + (wall - anchor_wall) *
//! speed`; pausing or changing the speed re-anchors, so virtual time never
//! jumps. As-fast-as-possible mode does not use a [`Pacer`] at all: the loop
//! simply runs events back to back. Both modes execute the same events in the
//! same order; only the wall-clock waiting differs.

use super::time::SimTime;
use std::time::{Duration, Instant};

/// Maps wall-clock instants to virtual time for live views (`serve`, `tui`).
#[derive(Clone, Debug)]
pub struct Pacer {
    speed: f64,
    paused: bool,
    anchor_wall: Instant,
    anchor_virtual: SimTime,
}

impl Pacer {
    /// A pacer starting at `virtual_now`, anchored at the wall instant `wall_now`.
    pub fn new(virtual_now: SimTime, wall_now: Instant, speed: f64) -> Pacer {
        Pacer {
            speed: sanitize_speed(speed),
            paused: false,
            anchor_wall: wall_now,
            anchor_virtual: virtual_now,
        }
    }

    pub fn speed(&self) -> f64 {
        self.speed
    }

    pub fn is_paused(&self) -> bool {
        self.paused
    }

    /// The virtual time the simulation should have reached at `wall`.
    pub fn target(&self, wall: Instant) -> SimTime {
        if self.paused {
            return self.anchor_virtual;
        }
        let elapsed = wall
            .saturating_duration_since(self.anchor_wall)
            .as_secs_f64();
        SimTime(self.anchor_virtual.0 + (elapsed * self.speed * 1000.0) as u64)
    }

    /// How long to wait at `wall` before virtual time reaches `at`.
    pub fn wall_until(&self, at: SimTime, wall: Instant) -> Option<Duration> {
        if self.paused {
            return None;
        }
        let now = self.target(wall);
        if at <= now {
            return Some(Duration::ZERO);
        }
        let virt = (at.0 - now.0) as f64 / 1000.0;
        Some(Duration::from_secs_f64(virt / self.speed))
    }

    pub fn set_speed(&mut self, speed: f64, wall: Instant) {
        self.reanchor(wall);
        self.speed = sanitize_speed(speed);
    }

    pub fn pause(&mut self, wall: Instant) {
        self.reanchor(wall);
        self.paused = true;
    }

    pub fn resume(&mut self, wall: Instant) {
        self.anchor_wall = wall;
        self.paused = false;
    }

    /// Moves the anchor to `virtual_now` (after a manual `sim advance`).
    pub fn jump_to(&mut self, virtual_now: SimTime, wall: Instant) {
        self.anchor_virtual = virtual_now;
        self.anchor_wall = wall;
    }

    fn reanchor(&mut self, wall: Instant) {
        self.anchor_virtual = self.target(wall);
        self.anchor_wall = wall;
    }
}

fn sanitize_speed(speed: f64) -> f64 {
    if speed.is_finite() && speed > 0.0 {
        speed
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_wall_time_times_speed_and_reanchors() {
        #[allow(clippy::disallowed_methods)] // a test of the pacing edge itself
        let t0 = Instant::now();
        let mut p = Pacer::new(SimTime(0), t0, 10.0);
        assert_eq!(p.target(t0 + Duration::from_secs(2)), SimTime(20_000));
        p.pause(t0 + Duration::from_secs(2));
        assert_eq!(p.target(t0 + Duration::from_secs(50)), SimTime(20_000));
        p.resume(t0 + Duration::from_secs(50));
        assert_eq!(p.target(t0 + Duration::from_secs(51)), SimTime(30_000));
        p.set_speed(1.0, t0 + Duration::from_secs(51));
        assert_eq!(p.target(t0 + Duration::from_secs(53)), SimTime(32_000));
        assert_eq!(
            p.wall_until(SimTime(35_000), t0 + Duration::from_secs(53)),
            Some(Duration::from_secs(3))
        );
    }
}
