//! `-o json`: Go's `json.MarshalIndent(obj, "", "    ")` of the
//! unstructured object kubectl holds, so keys are sorted and `<`, `>`, `&`
//! are escaped as `\u003c` etc. (`cli-runtime/pkg/printers/json.go`).

use serde_json::Value;

/// The object as `kubectl get -o json` prints it, with a final newline.
pub fn to_json(v: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, v, 0);
    out.push('\n');
    out
}

/// Compact Go JSON (`json.Marshal`), as jsonpath prints maps and slices.
pub fn to_json_compact(v: &Value) -> String {
    let mut out = String::new();
    write_compact(&mut out, v);
    out
}

/// Go's encoding of a float64 in JSON: `%f`-style between 1e-6 and 1e21,
/// else exponent form without a leading zero in the exponent.
fn go_json_float(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let s = format!("{f:e}");
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let e: i32 = e.parse().unwrap_or(0);
        return format!("{m}e{}{}", if e < 0 { "-" } else { "+" }, e.abs());
    }
    // 'f' with the shortest digits, which is Rust's Display.
    format!("{f}")
}

fn number(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        i.to_string()
    } else if let Some(u) = n.as_u64() {
        u.to_string()
    } else {
        go_json_float(n.as_f64().unwrap_or(0.0))
    }
}

/// A Go JSON string literal (HTML-safe, as `encoding/json` writes it).
pub fn go_json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn sorted(m: &serde_json::Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut v: Vec<(&String, &Value)> = m.iter().collect();
    v.sort_by(|a, b| a.0.cmp(b.0));
    v
}

fn write_value(out: &mut String, v: &Value, level: usize) {
    let pad = |n: usize| "    ".repeat(n);
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push_str("{\n");
            let items = sorted(m);
            for (i, (k, val)) in items.iter().enumerate() {
                out.push_str(&pad(level + 1));
                out.push_str(&go_json_string(k));
                out.push_str(": ");
                write_value(out, val, level + 1);
                if i + 1 < items.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&pad(level));
            out.push('}');
        }
        Value::Array(a) if !a.is_empty() => {
            out.push_str("[\n");
            for (i, val) in a.iter().enumerate() {
                out.push_str(&pad(level + 1));
                write_value(out, val, level + 1);
                if i + 1 < a.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&pad(level));
            out.push(']');
        }
        other => write_compact(out, other),
    }
}

fn write_compact(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number(n)),
        Value::String(s) => out.push_str(&go_json_string(s)),
        Value::Array(a) => {
            out.push('[');
            for (i, val) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_compact(out, val);
            }
            out.push(']');
        }
        Value::Object(m) => {
            out.push('{');
            for (i, (k, val)) in sorted(m).into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&go_json_string(k));
                out.push(':');
                write_compact(out, val);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// encoding/json `MarshalIndent`: sorted keys, 4 spaces, `{}` and `[]`
    /// for empty containers, HTML escaping.
    #[test]
    fn marshal_indent_like_go() {
        let v = json!({"kind": "Pod", "apiVersion": "v1", "metadata": {"labels": {}}, "spec": {"x": [1, "a<b"]}});
        assert_eq!(
            to_json(&v),
            "{\n    \"apiVersion\": \"v1\",\n    \"kind\": \"Pod\",\n    \"metadata\": {\n        \"labels\": {}\n    },\n    \"spec\": {\n        \"x\": [\n            1,\n            \"a\\u003cb\"\n        ]\n    }\n}\n"
        );
        assert_eq!(
            to_json_compact(&json!({"b": 1, "a": [true, null]})),
            "{\"a\":[true,null],\"b\":1}"
        );
    }
}
