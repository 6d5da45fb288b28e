//! The Event table (`printEvent` in `pkg/printers/internalversion/printers.go`).

use super::age::age_since;
use super::descriptions as d;
use super::format::micro_to_time;
use super::{Cell, Column};
use k8s_openapi::api::core::v1::Event;

pub fn columns() -> Vec<Column> {
    vec![
        Column::new("Last Seen", "string", d::EV_LAST),
        Column::new("Type", "string", d::EV_TYPE),
        Column::new("Reason", "string", d::EV_REASON),
        Column::new("Object", "string", d::EV_INVOLVED),
        Column::new("Subobject", "string", d::OBJREF_FIELD_PATH).wide(),
        Column::new("Source", "string", d::EV_SOURCE).wide(),
        Column::new("Message", "string", d::EV_MESSAGE),
        Column::new("First Seen", "string", d::EV_FIRST).wide(),
        Column::new("Count", "string", d::EV_COUNT).wide(),
        Column {
            priority: 1,
            ..Column::name_col()
        },
    ]
}

/// `formatEventSource`: component (or reportingController), plus
/// `, host` (or reportingInstance) when known.
pub fn event_source(e: &Event) -> String {
    let src = e.source.clone().unwrap_or_default();
    let component = src
        .component
        .filter(|s| !s.is_empty())
        .or_else(|| e.reporting_component.clone())
        .unwrap_or_default();
    let host = src
        .host
        .filter(|s| !s.is_empty())
        .or_else(|| e.reporting_instance.clone())
        .unwrap_or_default();
    if host.is_empty() {
        component
    } else {
        format!("{component}, {host}")
    }
}

pub fn cells(e: &Event, now: jiff::Timestamp) -> Vec<Cell> {
    let first = match &e.first_timestamp {
        Some(t) => age_since(Some(t), now),
        None => age_since(e.event_time.as_ref().map(micro_to_time).as_ref(), now),
    };
    let mut last = match &e.last_timestamp {
        Some(t) => age_since(Some(t), now),
        None => first.clone(),
    };
    let mut count = e.count.unwrap_or(0);
    if let Some(series) = &e.series {
        last = age_since(
            series
                .last_observed_time
                .as_ref()
                .map(micro_to_time)
                .as_ref(),
            now,
        );
        count = series.count.unwrap_or(0);
    } else if count == 0 {
        // Singleton events of the events.k8s.io API have no count.
        count = 1;
    }
    let obj = &e.involved_object;
    let kind = obj.kind.clone().unwrap_or_default().to_lowercase();
    let target = match obj.name.as_deref().filter(|n| !n.is_empty()) {
        Some(n) => format!("{kind}/{n}"),
        None => kind,
    };
    vec![
        Cell::Str(last),
        Cell::Str(e.type_.clone().unwrap_or_default()),
        Cell::Str(e.reason.clone().unwrap_or_default()),
        Cell::Str(target),
        Cell::Str(obj.field_path.clone().unwrap_or_default()),
        Cell::Str(event_source(e)),
        Cell::Str(e.message.clone().unwrap_or_default().trim().to_string()),
        Cell::Str(first),
        Cell::Int(count as i64),
        Cell::Str(e.metadata.name.clone().unwrap_or_default()),
    ]
}
