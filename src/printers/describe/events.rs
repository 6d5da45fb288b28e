//! The Events table at the bottom of every describe (`DescribeEvents` in
//! `kubectl/pkg/describe/describe.go`; printers.md §4.2).

use super::writer::{PrefixWriter, LEVEL_0, LEVEL_1};
use crate::objects::Object;
use crate::printers::age::age_since;
use crate::printers::format::micro_to_time;
use k8s_openapi::api::core::v1::Event;
use std::sync::Arc;

/// The Age cell: `first`, or `{last} (x{count} over {first})`.
pub fn event_interval(e: &Event, now: jiff::Timestamp) -> String {
    let first = match &e.event_time {
        Some(t) => age_since(Some(&micro_to_time(t)), now),
        None => age_since(e.first_timestamp.as_ref(), now),
    };
    if let Some(series) = &e.series {
        let last = age_since(
            series
                .last_observed_time
                .as_ref()
                .map(micro_to_time)
                .as_ref(),
            now,
        );
        return format!("{last} (x{} over {first})", series.count.unwrap_or(0));
    }
    let count = e.count.unwrap_or(0);
    if count > 1 {
        return format!(
            "{} (x{count} over {first})",
            age_since(e.last_timestamp.as_ref(), now)
        );
    }
    first
}

/// Writes `Events:\t<none>` or the table, oldest `lastTimestamp` first
/// (events without one sort first). The sort is stable so equal times keep
/// the list order.
pub fn describe_events(w: &mut PrefixWriter, events: &[Arc<Object>], now: jiff::Timestamp) {
    let mut evs: Vec<&Event> = events
        .iter()
        .filter_map(|o| match o.as_ref() {
            Object::Event(e) => Some(e),
            _ => None,
        })
        .collect();
    if evs.is_empty() {
        w.write(LEVEL_0, "Events:\t<none>\n");
        return;
    }
    w.flush();
    evs.sort_by_key(|e| e.last_timestamp.as_ref().map(|t| t.0));
    w.write(LEVEL_0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
    w.write(LEVEL_1, "----\t------\t----\t----\t-------\n");
    for e in evs {
        let source = e
            .source
            .as_ref()
            .and_then(|s| s.component.clone())
            .filter(|c| !c.is_empty())
            .or_else(|| e.reporting_component.clone())
            .unwrap_or_default();
        w.write(
            LEVEL_1,
            &format!(
                "{}\t{}\t{}\t{}\t{}\n",
                e.type_.clone().unwrap_or_default(),
                e.reason.clone().unwrap_or_default(),
                event_interval(e, now),
                source,
                e.message.clone().unwrap_or_default().trim()
            ),
        );
    }
}
