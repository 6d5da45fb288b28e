//! What a row's status means, for its steady colour: classes read from the
//! cells kubectl prints (STATUS, READY), so the colour always agrees with
//! the text and NO_COLOR users read the same thing.

use crate::objects::Object;

/// The steady colour meaning of a row.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum StatusClass {
    /// Running, Ready, Bound, Active...
    Ok,
    /// Pending, ContainerCreating, not yet ready...
    Pending,
    /// CrashLoopBackOff, Error, ImagePullBackOff, NotReady, Warning...
    Error,
    /// Completed, Succeeded.
    Completed,
    /// Being deleted.
    Terminating,
    /// Nothing to say.
    Neutral,
}

/// The class of a pod STATUS as kubectl prints it.
pub fn classify_pod_status(status: &str) -> StatusClass {
    match status {
        "Running" => StatusClass::Ok,
        "Completed" | "Succeeded" => StatusClass::Completed,
        "Terminating" => StatusClass::Terminating,
        "Pending" | "ContainerCreating" | "PodInitializing" | "SchedulingGated" => {
            StatusClass::Pending
        }
        s if s.starts_with("Init:") => {
            let r = &s[5..];
            if r.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                StatusClass::Pending // Init:0/1
            } else {
                StatusClass::Error // Init:CrashLoopBackOff, Init:Error
            }
        }
        "" => StatusClass::Neutral,
        // CrashLoopBackOff, Error, ImagePullBackOff, ErrImagePull, OOMKilled,
        // Failed, Evicted, Unknown, ExitCode:N, Signal:N, ...
        _ => StatusClass::Error,
    }
}

fn cell<'a>(headers: &[String], cells: &'a [String], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .position(|h| h == name)
        .and_then(|i| cells.get(i))
        .map(String::as_str)
}

/// `a/b` with a < b: not everything is ready yet.
fn ready_short(s: &str) -> bool {
    match s.split_once('/') {
        Some((a, b)) => matches!((a.parse::<i64>(), b.parse::<i64>()), (Ok(a), Ok(b)) if a < b),
        None => false,
    }
}

/// The status class of a row, from what the table prints (so the colour
/// always agrees with the text: NO_COLOR users read the same thing).
pub fn classify(obj: &Object, headers: &[String], cells: &[String]) -> StatusClass {
    let status = cell(headers, cells, "STATUS");
    match obj {
        Object::Pod(_) => {
            let s = status.unwrap_or("");
            let class = classify_pod_status(s);
            if class == StatusClass::Ok && cell(headers, cells, "READY").is_some_and(ready_short) {
                StatusClass::Pending
            } else {
                class
            }
        }
        Object::Node(_) => match status.unwrap_or("") {
            "Ready" => StatusClass::Ok,
            s if s.starts_with("Ready,") => StatusClass::Pending, // cordoned
            _ => StatusClass::Error,
        },
        Object::Event(e) => match e.type_.as_deref() {
            Some("Warning") => StatusClass::Error,
            _ => StatusClass::Neutral,
        },
        _ if obj.meta().deletion_timestamp.is_some() => StatusClass::Terminating,
        Object::Namespace(_) => match status {
            Some("Active") => StatusClass::Ok,
            _ => StatusClass::Terminating,
        },
        Object::Job(_) => match status {
            Some("Complete") => StatusClass::Completed,
            Some("Failed") => StatusClass::Error,
            Some(_) => StatusClass::Ok,
            None => StatusClass::Neutral,
        },
        Object::PersistentVolumeClaim(_) | Object::PersistentVolume(_) => match status {
            Some("Bound") | Some("Available") => StatusClass::Ok,
            Some("Pending") | Some("Released") => StatusClass::Pending,
            Some(_) => StatusClass::Error,
            None => StatusClass::Neutral,
        },
        _ => {
            // Workloads: READY a/b (deployments, statefulsets, replicasets
            // print it as a/b or as DESIRED/READY numbers).
            if let Some(r) = cell(headers, cells, "READY") {
                if ready_short(r) {
                    return StatusClass::Pending;
                }
                if let (Some(d), Ok(r)) = (cell(headers, cells, "DESIRED"), r.parse::<i64>()) {
                    return if d.parse::<i64>().is_ok_and(|d| r < d) {
                        StatusClass::Pending
                    } else {
                        StatusClass::Ok
                    };
                }
                return StatusClass::Ok;
            }
            StatusClass::Neutral
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pod_statuses_map_to_the_issue_colours() {
        use StatusClass::*;
        for (s, want) in [
            ("Running", Ok),
            ("Pending", Pending),
            ("ContainerCreating", Pending),
            ("Init:0/1", Pending),
            ("CrashLoopBackOff", Error),
            ("Error", Error),
            ("ImagePullBackOff", Error),
            ("Init:CrashLoopBackOff", Error),
            ("Completed", Completed),
            ("Terminating", Terminating),
        ] {
            assert_eq!(classify_pod_status(s), want, "{s}");
        }
    }
}
