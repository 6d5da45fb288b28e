//! Durations as kubectl prints them: `apimachinery/pkg/util/duration`
//! HumanDuration, used for AGE, LAST SEEN and "(2m ago)".

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

/// HumanDuration of `secs` seconds (may be negative for clock skew).
pub fn human_duration_secs(secs: i64) -> String {
    if secs < -1 {
        return "<invalid>".into();
    }
    if secs < 0 {
        return "0s".into();
    }
    if secs < 60 * 2 {
        return format!("{secs}s");
    }
    let minutes = secs / 60;
    if minutes < 10 {
        let s = secs % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        return if dy == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{dy}d", hours / 24 / 365)
        };
    }
    format!("{}y", hours / 24 / 365)
}

/// HumanDuration of a std Duration.
pub fn human_duration(d: std::time::Duration) -> String {
    human_duration_secs(d.as_secs() as i64)
}

/// Whole seconds from `t` to `now` (Go truncates toward zero).
pub fn secs_between(t: &Time, now: jiff::Timestamp) -> i64 {
    let d = now.duration_since(t.0);
    d.as_secs()
}

/// The age of a timestamp, or `<unknown>`.
pub fn age_since(t: Option<&Time>, now: jiff::Timestamp) -> String {
    match t {
        Some(t) => human_duration_secs(secs_between(t, now)),
        None => "<unknown>".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table of apimachinery/pkg/util/duration/duration_test.go
    /// (TestHumanDuration) and printers.md §2.
    #[test]
    fn matches_upstream_human_duration() {
        for (secs, want) in [
            (-2, "<invalid>"),
            (-1, "0s"),
            (0, "0s"),
            (59, "59s"),
            (119, "119s"),
            (120, "2m"),
            (275, "4m35s"),
            (599, "9m59s"),
            (600, "10m"),
            (179 * 60, "179m"),
            (3 * 3600, "3h"),
            (3 * 3600 + 300, "3h5m"),
            (8 * 3600, "8h"),
            (47 * 3600, "47h"),
            (48 * 3600, "2d"),
            (3 * 86400 + 7200, "3d2h"),
            (8 * 86400, "8d"),
            (729 * 86400, "729d"),
            (730 * 86400, "2y"),
            (775 * 86400, "2y45d"),
            (8 * 365 * 86400, "8y"),
        ] {
            assert_eq!(human_duration_secs(secs), want, "{secs}s");
        }
    }
}
