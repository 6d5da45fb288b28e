//! kubectl's `PrefixWriter` (2 spaces per level) over the tab writer, and
//! the multi-line helpers of `describe.go`: `printLabelsMultiline`,
//! `printAnnotationsMultiline`, `printNodeTaintsMultiline`,
//! `printPodTolerationsMultiline`, `printPodsMultiline`.

use super::tabwriter::TabWriter;
use k8s_openapi::api::core::v1::{Taint, Toleration};
use std::collections::BTreeMap;

pub const LEVEL_0: usize = 0;
pub const LEVEL_1: usize = 1;
pub const LEVEL_2: usize = 2;
pub const LEVEL_3: usize = 3;
pub const LEVEL_4: usize = 4;

/// The annotation kubectl never shows in describe.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";
/// `maxAnnotationLen`.
const MAX_ANNOTATION_LEN: usize = 140;

/// Writes indented text through a describe tab writer.
pub struct PrefixWriter {
    tw: TabWriter,
}

impl Default for PrefixWriter {
    fn default() -> Self {
        PrefixWriter::new()
    }
}

impl PrefixWriter {
    pub fn new() -> PrefixWriter {
        PrefixWriter {
            tw: TabWriter::describe(),
        }
    }

    /// `Write(level, ...)`: the text prefixed by 2 spaces per level.
    pub fn write(&mut self, level: usize, text: &str) {
        let prefix = "  ".repeat(level);
        self.tw.write(&prefix);
        self.tw.write(&escape_terminal(text));
    }

    /// `WriteLine(...)`: the text and a newline, no indentation.
    pub fn line(&mut self, text: &str) {
        self.tw.write(&escape_terminal(text));
        self.tw.write("\n");
    }

    /// Ends every column block (kubectl flushes before the Events table).
    pub fn flush(&mut self) {
        self.tw.flush();
    }

    pub fn finish(self) -> String {
        self.tw.finish()
    }
}

/// cli-runtime `EscapeTerminal`: terminal control characters other than
/// tab and newline are shown escaped, so object data cannot drive the
/// terminal.
fn escape_terminal(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(|c| c.is_control() && c != '\t' && c != '\n') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\t' | '\n' => out.push(c),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("^{}", ((c as u8) ^ 0x40) as char)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `printLabelsMultilineWithIndent`: `k=v` sorted by key, the first on the
/// title line, the others under the value column; `<none>` when empty.
pub fn labels_multiline_indent(
    w: &mut PrefixWriter,
    initial_indent: &str,
    title: &str,
    inner_indent: &str,
    labels: Option<&BTreeMap<String, String>>,
) {
    w.write(LEVEL_0, &format!("{initial_indent}{title}:{inner_indent}"));
    let labels = labels.cloned().unwrap_or_default();
    if labels.is_empty() {
        w.line("<none>");
        return;
    }
    for (i, (k, v)) in labels.iter().enumerate() {
        if i != 0 {
            w.write(LEVEL_0, initial_indent);
            w.write(LEVEL_0, inner_indent);
        }
        w.write(LEVEL_0, &format!("{k}={v}\n"));
    }
}

/// `printLabelsMultiline`.
pub fn labels_multiline(
    w: &mut PrefixWriter,
    title: &str,
    labels: Option<&BTreeMap<String, String>>,
) {
    labels_multiline_indent(w, "", title, "\t", labels);
}

/// `shorten`: cut to `max` bytes (on a char boundary) and add `...`.
fn shorten(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut cut = max;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}...", &s[..cut])
}

/// `printAnnotationsMultiline`: `k: v` sorted, without the last-applied
/// configuration; long or multi-line values go on their own lines.
pub fn annotations_multiline(
    w: &mut PrefixWriter,
    title: &str,
    annotations: Option<&BTreeMap<String, String>>,
) {
    w.write(LEVEL_0, &format!("{title}:\t"));
    let annotations = annotations.cloned().unwrap_or_default();
    let keys: Vec<&String> = annotations.keys().filter(|k| *k != LAST_APPLIED).collect();
    if keys.is_empty() {
        w.line("<none>");
        return;
    }
    let indent = "\t";
    for (i, key) in keys.iter().enumerate() {
        if i != 0 {
            w.write(LEVEL_0, indent);
        }
        let value = annotations[*key]
            .strip_suffix('\n')
            .unwrap_or(&annotations[*key]);
        if value.len() + key.len() + 2 > MAX_ANNOTATION_LEN || value.contains('\n') {
            w.write(LEVEL_0, &format!("{key}:\n"));
            for s in value.split('\n') {
                w.write(
                    LEVEL_0,
                    &format!("{indent}  {}\n", shorten(s, MAX_ANNOTATION_LEN - 2)),
                );
            }
        } else {
            w.write(LEVEL_0, &format!("{key}: {value}\n"));
        }
    }
}

/// `Taint.ToString()`: `key=value:Effect`, `key:Effect` or `key`.
pub fn taint_string(t: &Taint) -> String {
    let value = t.value.clone().unwrap_or_default();
    match (value.is_empty(), t.effect.is_empty()) {
        (true, true) => t.key.clone(),
        (true, false) => format!("{}:{}", t.key, t.effect),
        (false, true) => format!("{}={value}:", t.key),
        (false, false) => format!("{}={value}:{}", t.key, t.effect),
    }
}

/// `printNodeTaintsMultiline`: sorted by effect, then key.
pub fn taints_multiline(w: &mut PrefixWriter, title: &str, taints: Option<&Vec<Taint>>) {
    w.write(LEVEL_0, &format!("{title}:\t"));
    let mut taints = taints.cloned().unwrap_or_default();
    if taints.is_empty() {
        w.line("<none>");
        return;
    }
    taints
        .sort_by(|a, b| format!("{},{}", a.effect, a.key).cmp(&format!("{},{}", b.effect, b.key)));
    for (i, t) in taints.iter().enumerate() {
        if i != 0 {
            w.write(LEVEL_0, "\t");
        }
        w.write(LEVEL_0, &format!("{}\n", taint_string(t)));
    }
}

/// One toleration as describe prints it:
/// `key[=value][:effect][ op=Exists][ for Ns]`.
pub fn toleration_string(t: &Toleration) -> String {
    let key = t.key.clone().unwrap_or_default();
    let value = t.value.clone().unwrap_or_default();
    let effect = t.effect.clone().unwrap_or_default();
    let mut s = key.clone();
    if !value.is_empty() {
        s.push_str(&format!("={value}"));
    }
    if !effect.is_empty() {
        s.push_str(&format!(":{effect}"));
    }
    if t.operator.as_deref() == Some("Exists") && value.is_empty() {
        if !key.is_empty() || !effect.is_empty() {
            s.push_str(" op=Exists");
        } else {
            s.push_str("op=Exists");
        }
    }
    if let Some(secs) = t.toleration_seconds {
        s.push_str(&format!(" for {secs}s"));
    }
    s
}

/// `printTolerationsMultilineWithIndent`: sorted by key (stable).
pub fn tolerations_multiline_indent(
    w: &mut PrefixWriter,
    initial_indent: &str,
    title: &str,
    tolerations: Option<&Vec<Toleration>>,
) {
    w.write(LEVEL_0, &format!("{initial_indent}{title}:\t"));
    let mut tolerations = tolerations.cloned().unwrap_or_default();
    if tolerations.is_empty() {
        w.line("<none>");
        return;
    }
    tolerations.sort_by(|a, b| a.key.cmp(&b.key));
    for (i, t) in tolerations.iter().enumerate() {
        if i != 0 {
            w.write(LEVEL_0, initial_indent);
            w.write(LEVEL_0, "\t");
        }
        w.write(LEVEL_0, &format!("{}\n", toleration_string(t)));
    }
}

/// `printPodsMultiline`: pod names sorted, `<none>` when empty.
pub fn names_multiline(w: &mut PrefixWriter, title: &str, mut names: Vec<String>) {
    w.write(LEVEL_0, &format!("{title}:\t"));
    if names.is_empty() {
        w.line("<none>");
        return;
    }
    names.sort();
    for (i, n) in names.iter().enumerate() {
        if i != 0 {
            w.write(LEVEL_0, "\t");
        }
        w.write(LEVEL_0, &format!("{n}\n"));
    }
}

/// Go's `%v` of a `[]string`: `[a b c]`.
pub fn go_list(items: &[String]) -> String {
    format!("[{}]", items.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// describe_test.go TestDescribeAnnotations-like: long values are cut.
    #[test]
    fn long_annotations_go_on_their_own_lines() {
        let mut w = PrefixWriter::new();
        let mut a = BTreeMap::new();
        a.insert("short".to_string(), "v".to_string());
        a.insert("long".to_string(), "x".repeat(150));
        a.insert(LAST_APPLIED.to_string(), "{}".to_string());
        annotations_multiline(&mut w, "Annotations", Some(&a));
        let out = w.finish();
        let want = format!(
            "Annotations:  long:\n                {}...\n              short: v\n",
            "x".repeat(138)
        );
        assert_eq!(out, want);
    }

    #[test]
    fn tolerations_print_like_kubectl() {
        let t = Toleration {
            key: Some("node.kubernetes.io/not-ready".into()),
            operator: Some("Exists".into()),
            effect: Some("NoExecute".into()),
            toleration_seconds: Some(300),
            ..Default::default()
        };
        assert_eq!(
            toleration_string(&t),
            "node.kubernetes.io/not-ready:NoExecute op=Exists for 300s"
        );
        let all = Toleration {
            operator: Some("Exists".into()),
            ..Default::default()
        };
        assert_eq!(toleration_string(&all), "op=Exists");
    }
}
