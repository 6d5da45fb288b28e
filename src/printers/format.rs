//! Small formatting helpers shared by the table printers and the describers:
//! `resource.Quantity.String()` (canonical quantities), access-mode short
//! codes, `layoutContainerCells`, `listWithMoreString`, Go's RFC 1123Z time
//! format and `net.JoinHostPort`.

use k8s_openapi::api::core::v1::Container;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, Time};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

/// How a quantity was written, which decides how `Quantity.String()` prints
/// it (`apimachinery/pkg/api/resource/quantity.go`, `Format`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum QuantityFormat {
    DecimalSI,
    BinarySI,
    DecimalExponent,
}

fn quantity_format(s: &str) -> QuantityFormat {
    let body = s.trim().trim_start_matches(['+', '-']);
    let suffix_start = body
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(body.len());
    let suffix = &body[suffix_start..];
    if suffix.ends_with('i') {
        QuantityFormat::BinarySI
    } else if suffix.starts_with('e') || (suffix.starts_with('E') && suffix.len() > 1) {
        QuantityFormat::DecimalExponent
    } else {
        QuantityFormat::DecimalSI
    }
}

/// `Quantity.String()`: the canonical form of a quantity string, e.g.
/// `1.5Gi` → `1536Mi`, `0.1` → `100m`, `2000` → `2k`, `1024Mi` → `1Gi`.
/// Malformed input is returned unchanged (validation rejects it earlier).
pub fn canonical_quantity(s: &str) -> String {
    crate::objects::quantity::canonical(s).unwrap_or_else(|| s.to_string())
}

/// The canonical form of a k8s-openapi Quantity (absent → `0`).
pub fn quantity_string(q: Option<&Quantity>) -> String {
    match q {
        Some(q) => canonical_quantity(&q.0),
        None => "0".into(),
    }
}

/// Formats `nanos` (a value in units of 10⁻⁹) the way a Quantity of that
/// format prints. Used for sums of quantities (describe node), which keep
/// the format of their first term.
pub fn format_nanos(nanos: i128, binary: bool) -> String {
    crate::objects::quantity::format_canonical(nanos, binary, false)
}

/// True when a quantity string is written with a binary suffix (`Mi`).
pub fn is_binary_quantity(s: &str) -> bool {
    quantity_format(s) == QuantityFormat::BinarySI
}

/// `GetAccessModesAsString`: RWO, ROX, RWX, RWOP in that fixed order.
pub fn access_modes(modes: Option<&Vec<String>>) -> String {
    let modes = modes.cloned().unwrap_or_default();
    let has = |m: &str| modes.iter().any(|x| x == m);
    let mut out = Vec::new();
    for (mode, short) in [
        ("ReadWriteOnce", "RWO"),
        ("ReadOnlyMany", "ROX"),
        ("ReadWriteMany", "RWX"),
        ("ReadWriteOncePod", "RWOP"),
    ] {
        if has(mode) {
            out.push(short);
        }
    }
    out.join(",")
}

/// `layoutContainerCells`: container names and images, each joined by `,`.
pub fn container_cells(containers: &[Container]) -> (String, String) {
    let names: Vec<&str> = containers.iter().map(|c| c.name.as_str()).collect();
    let images: Vec<&str> = containers
        .iter()
        .map(|c| c.image.as_deref().unwrap_or(""))
        .collect();
    (names.join(","), images.join(","))
}

/// `listWithMoreString`: the first `max` items joined by `,`, then
/// ` + N more...`; `<unset>` when empty.
pub fn list_with_more(items: &[String], max: usize) -> String {
    if items.len() > max {
        format!("{} + {} more...", items[..max].join(","), items.len() - max)
    } else if items.is_empty() {
        "<unset>".into()
    } else {
        items.join(",")
    }
}

/// Go's `time.RFC1123Z` in UTC: `Mon, 23 Nov 2026 03:47:23 +0000`.
pub fn rfc1123z(t: &Time) -> String {
    rfc1123z_ts(t.0)
}

pub fn rfc1123z_ts(t: jiff::Timestamp) -> String {
    t.strftime("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

/// A zero `metav1.Time` formats as Go's zero time.
pub fn rfc1123z_opt(t: Option<&Time>) -> String {
    match t {
        Some(t) => rfc1123z(t),
        None => "Mon, 01 Jan 0001 00:00:00 +0000".into(),
    }
}

/// RFC 3339 in UTC with whole seconds, as metav1.Time marshals.
pub fn rfc3339(t: &Time) -> String {
    t.0.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub fn micro_to_time(t: &MicroTime) -> Time {
    Time(t.0)
}

/// `net.JoinHostPort`: brackets IPv6 hosts.
pub fn join_host_port(host: &str, port: &str) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// `intstr.IntOrString.String()`.
pub fn int_or_string(v: &IntOrString) -> String {
    match v {
        IntOrString::Int(i) => i.to_string(),
        IntOrString::String(s) => s.clone(),
    }
}

/// kubectl's `printBool`: `True` / `False`.
pub fn go_bool_title(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// kubectl's `printBoolPtr`: `True`, `False` or `<unset>`.
pub fn bool_ptr(b: Option<bool>) -> String {
    match b {
        Some(b) => go_bool_title(b).into(),
        None => "<unset>".into(),
    }
}

/// A string, or `<none>` when empty.
pub fn or_none(s: &str) -> String {
    if s.is_empty() {
        "<none>".into()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cases from apimachinery `quantity_test.go` (TestQuantityString /
    /// TestQuantityCanonicalize).
    #[test]
    fn canonical_quantities_match_quantity_string() {
        for (input, want) in [
            ("0", "0"),
            ("100m", "100m"),
            ("0.1", "100m"),
            ("1.5", "1500m"),
            ("1", "1"),
            ("1000m", "1"),
            ("2000", "2k"),
            ("1024", "1024"),
            ("128Mi", "128Mi"),
            ("1024Mi", "1Gi"),
            ("1.5Gi", "1536Mi"),
            ("10Gi", "10Gi"),
            ("1000Mi", "1000Mi"),
            ("512", "512"),
            ("1e3", "1e3"),
            ("1E", "1E"),
            ("8141240Ki", "8141240Ki"),
            ("102624184Ki", "102624184Ki"),
            ("-100m", "-100m"),
            ("1k", "1k"),
            ("1500k", "1500k"),
            ("110", "110"),
        ] {
            assert_eq!(canonical_quantity(input), want, "{input}");
        }
    }

    #[test]
    fn access_modes_use_the_fixed_order() {
        let modes = vec!["ReadWriteMany".to_string(), "ReadWriteOnce".to_string()];
        assert_eq!(access_modes(Some(&modes)), "RWO,RWX");
        assert_eq!(access_modes(None), "");
    }

    #[test]
    fn go_time_formats() {
        let t = Time("2026-11-23T03:47:23Z".parse().unwrap());
        assert_eq!(rfc1123z(&t), "Mon, 23 Nov 2026 03:47:23 +0000");
        assert_eq!(rfc3339(&t), "2026-11-23T03:47:23Z");
    }
}
