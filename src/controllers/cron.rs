//! Cron schedules as `github.com/robfig/cron/v3` `ParseStandard` reads
//! them (the parser kube-controller-manager uses): five fields (minute,
//! hour, day of month, month, day of week) with `*`, `?`, ranges, steps,
//! lists and month/day names, the `@yearly`... descriptors and `@every`;
//! `Next` follows `SpecSchedule.Next` (day of month and day of week are
//! ORed unless one of them is `*`).

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

const STAR_BIT: u64 = 1 << 63;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Schedule {
    Spec {
        minute: u64,
        hour: u64,
        dom: u64,
        month: u64,
        dow: u64,
    },
    /// `@every <duration>`.
    Every(std::time::Duration),
}

struct Bounds {
    min: u32,
    max: u32,
    names: &'static [&'static str],
}

const MINUTES: Bounds = Bounds {
    min: 0,
    max: 59,
    names: &[],
};
const HOURS: Bounds = Bounds {
    min: 0,
    max: 23,
    names: &[],
};
const DOM: Bounds = Bounds {
    min: 1,
    max: 31,
    names: &[],
};
const MONTHS: Bounds = Bounds {
    min: 1,
    max: 12,
    names: &[
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ],
};
const DOW: Bounds = Bounds {
    min: 0,
    max: 6,
    names: &["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
};

fn parse_int(s: &str, b: &Bounds) -> Result<u32, String> {
    let l = s.to_lowercase();
    if let Some(i) = b.names.iter().position(|n| *n == l) {
        return Ok(i as u32 + b.min);
    }
    s.parse::<u32>().map_err(|_| {
        format!("failed to parse int from {s}: strconv.Atoi: parsing \"{s}\": invalid syntax")
    })
}

/// `getRange`: one comma-separated term.
fn range(expr: &str, b: &Bounds) -> Result<u64, String> {
    let (range_part, step) = match expr.split_once('/') {
        Some((r, s)) => (r, Some(s)),
        None => (expr, None),
    };
    if step.is_some_and(|s| s.contains('/')) {
        return Err(format!("too many slashes: {expr}"));
    }
    let mut extra = 0;
    let (start, mut end, single) = if range_part == "*" || range_part == "?" {
        extra = STAR_BIT;
        (b.min, b.max, false)
    } else {
        match range_part.split_once('-') {
            Some((lo, hi)) => (parse_int(lo, b)?, parse_int(hi, b)?, false),
            None => {
                let v = parse_int(range_part, b)?;
                (v, v, true)
            }
        }
    };
    let step = match step {
        None => 1,
        Some(s) => {
            let v: u32 = s.parse().map_err(|_| {
                format!(
                    "failed to parse int from {s}: strconv.Atoi: parsing \"{s}\": invalid syntax"
                )
            })?;
            // "N/step" means "N-max/step".
            if single {
                end = b.max;
            }
            if v > 1 {
                extra = 0;
            }
            v
        }
    };
    if start < b.min {
        return Err(format!(
            "beginning of range ({start}) below minimum ({}): {expr}",
            b.min
        ));
    }
    if end > b.max {
        return Err(format!(
            "end of range ({end}) above maximum ({}): {expr}",
            b.max
        ));
    }
    if start > end {
        return Err(format!(
            "beginning of range ({start}) beyond end of range ({end}): {expr}"
        ));
    }
    if step == 0 {
        return Err(format!("step of range should be a positive number: {expr}"));
    }
    let mut bits = 0u64;
    let mut i = start;
    while i <= end {
        bits |= 1 << i;
        i += step;
    }
    Ok(bits | extra)
}

fn field(s: &str, b: &Bounds) -> Result<u64, String> {
    let mut bits = 0;
    for part in s.split(',') {
        bits |= range(part, b)?;
    }
    Ok(bits)
}

fn all(b: &Bounds) -> u64 {
    let mut bits = 0u64;
    for i in b.min..=b.max {
        bits |= 1 << i;
    }
    bits | STAR_BIT
}

fn bit(n: u32) -> u64 {
    1 << n
}

/// `ParseStandard`.
pub fn parse(spec: &str) -> Result<Schedule, String> {
    let spec = spec.trim();
    if spec.is_empty() {
        return Err("empty spec string".into());
    }
    if let Some(d) = spec.strip_prefix('@') {
        let (minute, hour) = (bit(0), bit(0));
        let s = |dom, month, dow| Schedule::Spec {
            minute,
            hour,
            dom,
            month,
            dow,
        };
        return match d {
            "yearly" | "annually" => Ok(s(bit(1), bit(1), all(&DOW))),
            "monthly" => Ok(s(bit(1), all(&MONTHS), all(&DOW))),
            "weekly" => Ok(s(all(&DOM), all(&MONTHS), bit(0))),
            "daily" | "midnight" => Ok(s(all(&DOM), all(&MONTHS), all(&DOW))),
            "hourly" => Ok(Schedule::Spec {
                minute: bit(0),
                hour: all(&HOURS),
                dom: all(&DOM),
                month: all(&MONTHS),
                dow: all(&DOW),
            }),
            _ => match d.strip_prefix("every ") {
                Some(dur) => {
                    let d = crate::sim::time::parse_duration(dur.trim()).map_err(|_| {
                        format!(
                            "failed to parse duration {spec}: time: invalid duration \"{}\"",
                            dur.trim()
                        )
                    })?;
                    Ok(Schedule::Every(d.max(std::time::Duration::from_secs(1))))
                }
                None => Err(format!("unrecognized descriptor: {spec}")),
            },
        };
    }
    let fields: Vec<&str> = spec.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(format!(
            "expected exactly 5 fields, found {}: [{}]",
            fields.len(),
            fields.join(" ")
        ));
    }
    Ok(Schedule::Spec {
        minute: field(fields[0], &MINUTES)?,
        hour: field(fields[1], &HOURS)?,
        dom: field(fields[2], &DOM)?,
        month: field(fields[3], &MONTHS)?,
        dow: field(fields[4], &DOW)?,
    })
}

fn day_matches(dom: u64, dow: u64, t: &DateTime) -> bool {
    let dom_match = bit(t.day() as u32) & dom > 0;
    let dow_match = bit(t.weekday().to_sunday_zero_offset() as u32) & dow > 0;
    if dom & STAR_BIT > 0 || dow & STAR_BIT > 0 {
        dom_match && dow_match
    } else {
        dom_match || dow_match
    }
}

impl Schedule {
    /// The first activation strictly after `t`, in `tz` (None past five
    /// years, as upstream).
    pub fn next(&self, t: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
        let (minute, hour, dom, month, dow) = match self {
            Schedule::Every(d) => {
                let secs = d.as_secs().max(1) as i64;
                let base = t.as_second() - t.as_second().rem_euclid(1);
                return Timestamp::from_second(base + secs).ok();
            }
            Schedule::Spec {
                minute,
                hour,
                dom,
                month,
                dow,
            } => (*minute, *hour, *dom, *month, *dow),
        };
        let zoned = t.to_zoned(tz.clone());
        // The upcoming second, then minute precision (seconds are always 0).
        let mut dt: DateTime = zoned.datetime().round(jiff::Unit::Second).ok()?;
        if dt <= zoned.datetime() {
            dt = dt.checked_add(1.second()).ok()?;
        }
        let year_limit = dt.year() + 5;
        let mut added = false;
        'wrap: loop {
            if dt.year() > year_limit {
                return None;
            }
            while bit(dt.month() as u32) & month == 0 {
                if !added {
                    added = true;
                    dt = DateTime::new(dt.year(), dt.month(), 1, 0, 0, 0, 0).ok()?;
                }
                dt = dt.checked_add(1.month()).ok()?;
                if dt.month() == 1 {
                    continue 'wrap;
                }
            }
            while !day_matches(dom, dow, &dt) {
                if !added {
                    added = true;
                    dt = DateTime::new(dt.year(), dt.month(), dt.day(), 0, 0, 0, 0).ok()?;
                }
                dt = dt.checked_add(1.day()).ok()?;
                if dt.day() == 1 {
                    continue 'wrap;
                }
            }
            while bit(dt.hour() as u32) & hour == 0 {
                if !added {
                    added = true;
                    dt = DateTime::new(dt.year(), dt.month(), dt.day(), dt.hour(), 0, 0, 0).ok()?;
                }
                dt = dt.checked_add(1.hour()).ok()?;
                if dt.hour() == 0 {
                    continue 'wrap;
                }
            }
            while bit(dt.minute() as u32) & minute == 0 {
                if !added {
                    added = true;
                    dt = DateTime::new(
                        dt.year(),
                        dt.month(),
                        dt.day(),
                        dt.hour(),
                        dt.minute(),
                        0,
                        0,
                    )
                    .ok()?;
                }
                dt = dt.checked_add(1.minute()).ok()?;
                if dt.minute() == 0 {
                    continue 'wrap;
                }
            }
            while dt.second() != 0 {
                if !added {
                    added = true;
                    dt = DateTime::new(
                        dt.year(),
                        dt.month(),
                        dt.day(),
                        dt.hour(),
                        dt.minute(),
                        dt.second(),
                        0,
                    )
                    .ok()?;
                }
                dt = dt.checked_add(1.second()).ok()?;
                if dt.second() == 0 {
                    continue 'wrap;
                }
            }
            break;
        }
        tz.to_zoned(dt).ok().map(|z| z.timestamp())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn next(spec: &str, from: &str) -> String {
        parse(spec)
            .unwrap()
            .next(ts(from), &TimeZone::UTC)
            .unwrap()
            .to_string()
    }

    /// Cases in the spirit of robfig/cron `spec_test.go` `TestNext`.
    #[test]
    fn next_activations() {
        assert_eq!(
            next("*/3 * * * *", "2026-11-23T09:00:00Z"),
            "2026-11-23T09:03:00Z"
        );
        assert_eq!(
            next("*/3 * * * *", "2026-11-23T09:01:30Z"),
            "2026-11-23T09:03:00Z"
        );
        assert_eq!(
            next("0 * * * *", "2026-11-23T09:00:00Z"),
            "2026-11-23T10:00:00Z"
        );
        assert_eq!(
            next("@hourly", "2026-11-23T09:59:59Z"),
            "2026-11-23T10:00:00Z"
        );
        assert_eq!(
            next("30 4 1 JAN *", "2026-11-23T09:00:00Z"),
            "2027-01-01T04:30:00Z"
        );
        assert_eq!(
            next("0 0 * * mon-fri", "2026-11-27T12:00:00Z"),
            "2026-11-30T00:00:00Z"
        );
        assert_eq!(
            next("0 12 1,15 * *", "2026-11-02T00:00:00Z"),
            "2026-11-15T12:00:00Z"
        );
        assert_eq!(
            next("5-10/2 * * * *", "2026-11-23T09:06:00Z"),
            "2026-11-23T09:07:00Z"
        );
        assert_eq!(
            next("@weekly", "2026-11-23T09:00:00Z"),
            "2026-11-29T00:00:00Z"
        );
        assert_eq!(
            next("@yearly", "2026-11-23T09:00:00Z"),
            "2027-01-01T00:00:00Z"
        );
        // Day of month OR day of week when both are restricted.
        assert_eq!(
            next("0 0 13 * fri", "2026-11-01T00:00:00Z"),
            "2026-11-06T00:00:00Z"
        );
        // Feb 30 never comes.
        assert!(parse("0 0 30 2 *")
            .unwrap()
            .next(ts("2026-01-01T00:00:00Z"), &TimeZone::UTC)
            .is_none());
    }

    #[test]
    fn time_zones_shift_the_wall_clock() {
        let tz = TimeZone::get("Europe/Paris").unwrap();
        let n = parse("0 9 * * *")
            .unwrap()
            .next(ts("2026-11-23T07:00:00Z"), &tz)
            .unwrap();
        assert_eq!(n.to_string(), "2026-11-23T08:00:00Z");
    }

    #[test]
    fn errors_have_robfigs_words() {
        assert_eq!(
            parse("foo").unwrap_err(),
            "expected exactly 5 fields, found 1: [foo]"
        );
        assert_eq!(
            parse("60 * * * *").unwrap_err(),
            "end of range (60) above maximum (59): 60"
        );
        assert_eq!(
            parse("@fortnightly").unwrap_err(),
            "unrecognized descriptor: @fortnightly"
        );
        assert!(parse("* * * * 7").is_err());
    }
}
