//! Virtual time: integer milliseconds since the simulation began.
//!
//! Nothing in the simulation reads the wall clock; every timestamp an object
//! carries is `epoch + SimTime`, where the epoch is fixed by the cluster file
//! (so one seed and one cluster give byte-identical output).

use std::fmt;
use std::ops::{Add, Sub};
use std::time::Duration;

/// A point in virtual time, in milliseconds since the simulation started.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);

    pub fn from_secs(s: u64) -> SimTime {
        SimTime(s * 1000)
    }
    pub fn as_millis(self) -> u64 {
        self.0
    }
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }
    /// Time elapsed since `earlier` (zero if `earlier` is later).
    pub fn since(self, earlier: SimTime) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }
}

impl Add<Duration> for SimTime {
    type Output = SimTime;
    fn add(self, d: Duration) -> SimTime {
        SimTime(self.0 + d.as_millis() as u64)
    }
}

impl Sub<SimTime> for SimTime {
    type Output = Duration;
    fn sub(self, other: SimTime) -> Duration {
        self.since(other)
    }
}

impl fmt::Display for SimTime {
    /// `12.345s`: used in the simulation's own event log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:03}s", self.0 / 1000, self.0 % 1000)
    }
}

/// Parses a duration as kubectl and `sim advance` accept it: `20s`, `1m30s`,
/// `2h`, `500ms`, `1.5s`, or a bare number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("empty duration".into());
    }
    if let Ok(n) = s.parse::<f64>() {
        return secs_to_duration(n, s);
    }
    let mut total_ms: f64 = 0.0;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(|| format!("time: missing unit in duration \"{s}\""))?;
        if num_len == 0 {
            return Err(format!("time: invalid duration \"{s}\""));
        }
        let n: f64 = rest[..num_len]
            .parse()
            .map_err(|_| format!("time: invalid duration \"{s}\""))?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let ms = match unit {
            "ms" => 1.0,
            "s" => 1000.0,
            "m" => 60_000.0,
            "h" => 3_600_000.0,
            "d" => 86_400_000.0,
            _ => return Err(format!("time: unknown unit \"{unit}\" in duration \"{s}\"")),
        };
        total_ms += n * ms;
    }
    Ok(Duration::from_millis(total_ms.round() as u64))
}

fn secs_to_duration(n: f64, s: &str) -> Result<Duration, String> {
    if n < 0.0 || !n.is_finite() {
        return Err(format!("time: invalid duration \"{s}\""));
    }
    Ok(Duration::from_millis((n * 1000.0).round() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_style_durations() {
        assert_eq!(parse_duration("20s").unwrap(), Duration::from_secs(20));
        assert_eq!(parse_duration("1m30s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("1.5s").unwrap(), Duration::from_millis(1500));
        assert_eq!(parse_duration("2h").unwrap(), Duration::from_secs(7200));
        assert_eq!(parse_duration("7").unwrap(), Duration::from_secs(7));
        assert!(parse_duration("abc").is_err());
        assert!(parse_duration("5x").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn displays_seconds_with_millis() {
        assert_eq!(SimTime(12_345).to_string(), "12.345s");
        assert_eq!(
            SimTime::from_secs(3) + Duration::from_millis(5),
            SimTime(3005)
        );
    }
}
