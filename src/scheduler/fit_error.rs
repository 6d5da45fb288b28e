//! The "0/N nodes are available: ..." message (`FitError.Error()` in
//! `pkg/scheduler/framework/types.go`).

use super::framework::Status;
use std::collections::BTreeMap;

/// `NoNodeAvailableMsg`.
pub fn no_node_available(n: usize) -> String {
    format!("0/{n} nodes are available")
}

/// Builds the FitError text. `statuses` are the nodes with a status;
/// `absent` is the status the other nodes count with (up to `num_all_nodes`).
/// Reasons are counted per node, then the "count reason" strings are sorted
/// as plain strings (Go sort.Strings), exactly as upstream.
pub fn fit_error_message<'a>(
    num_all_nodes: usize,
    statuses: impl Iterator<Item = &'a Status>,
    num_statuses: usize,
    absent: Option<&Status>,
    pre_filter_msg: &str,
    post_filter_msg: &str,
) -> String {
    let mut msg = format!("{}:", no_node_available(num_all_nodes));
    if !pre_filter_msg.is_empty() {
        msg.push_str(&format!(" {pre_filter_msg}."));
    } else {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for s in statuses {
            for r in &s.reasons {
                *counts.entry(r.to_string()).or_insert(0) += 1;
            }
        }
        if num_statuses < num_all_nodes {
            if let Some(a) = absent {
                for r in &a.reasons {
                    *counts.entry(r.to_string()).or_insert(0) += num_all_nodes - num_statuses;
                }
            }
        }
        let mut items: Vec<String> = counts.iter().map(|(r, c)| format!("{c} {r}")).collect();
        items.sort();
        if !items.is_empty() {
            msg.push_str(&format!(" {}.", items.join(", ")));
        }
    }
    if !post_filter_msg.is_empty() {
        msg.push_str(&format!(" {post_filter_msg}"));
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    /// framework/types_test.go TestFitError_Error: reasons counted and
    /// sorted as strings ("10 ..." before "2 ..."), uppercase first.
    #[test]
    fn histogram_sorts_as_strings() {
        let mut st = Vec::new();
        for _ in 0..10 {
            st.push(Status::unschedulable("node(s) had untolerated taint(s)"));
        }
        st.push(Status::unschedulable("Insufficient cpu"));
        st.push(Status::unschedulable("Insufficient cpu"));
        let m = fit_error_message(12, st.iter(), 12, None, "", "");
        assert_eq!(
            m,
            "0/12 nodes are available: 10 node(s) had untolerated taint(s), 2 Insufficient cpu."
        );
        let mut two = Status::unschedulable("Insufficient cpu");
        two.reasons.push("Insufficient memory".into());
        let m = fit_error_message(
            3,
            [two].iter(),
            1,
            Some(&Status::unresolvable(
                "Preemption is not helpful for scheduling",
            )),
            "",
            "",
        );
        assert_eq!(
            m,
            "0/3 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 2 Preemption is not helpful for scheduling."
        );
        let m = fit_error_message(
            2,
            std::iter::empty(),
            0,
            None,
            "pod has unbound immediate PersistentVolumeClaims",
            "preemption: x",
        );
        assert_eq!(m, "0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: x");
    }
}
