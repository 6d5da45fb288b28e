//! YAML as kubectl prints it: `sigs.k8s.io/yaml` (JSON → YAML through
//! go-yaml v2), i.e. keys sorted, sequences not indented under their key,
//! strings that would read back as another type double-quoted
//! (`"80"`, `"true"`, timestamps), strings with indicators single-quoted,
//! multi-line strings as literal blocks, and long plain strings folded at
//! 80 columns (go-yaml's `best_width`). Follows `yaml.v2/encode.go`,
//! `resolve.go` and `emitterc.go`.

use serde_json::Value;

/// kubectl's `-o yaml` text of a JSON value.
pub fn to_yaml(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Object(m) if !m.is_empty() => write_map(&mut out, m, 0),
        Value::Array(a) if !a.is_empty() => write_seq(&mut out, a, 0),
        other => {
            out.push_str(&scalar(other, 0, 0));
            out.push('\n');
        }
    }
    out
}

fn sorted_keys(m: &serde_json::Map<String, Value>) -> Vec<&String> {
    let mut k: Vec<&String> = m.keys().collect();
    k.sort();
    k
}

fn write_map(out: &mut String, m: &serde_json::Map<String, Value>, indent: usize) {
    let pad = " ".repeat(indent);
    for (i, k) in sorted_keys(m).into_iter().enumerate() {
        // The first key of a map inside a sequence follows "- " directly.
        if !(i == 0 && out.ends_with("- ")) {
            out.push_str(&pad);
        }
        let key = scalar(&Value::String(k.clone()), indent, indent);
        out.push_str(&key);
        out.push(':');
        let v = &m[k];
        match v {
            Value::Object(c) if !c.is_empty() => {
                out.push('\n');
                write_map(out, c, indent + 2);
            }
            Value::Array(a) if !a.is_empty() => {
                out.push('\n');
                write_seq(out, a, indent);
            }
            _ => {
                out.push(' ');
                let col = indent + key.chars().count() + 2;
                out.push_str(&scalar(v, indent + 2, col));
                out.push('\n');
            }
        }
    }
}

fn write_seq(out: &mut String, a: &[Value], indent: usize) {
    let pad = " ".repeat(indent);
    for v in a {
        if out.ends_with("- ") {
            // A sequence directly inside a sequence: "- - x".
        } else {
            out.push_str(&pad);
        }
        out.push_str("- ");
        match v {
            Value::Object(c) if !c.is_empty() => write_map(out, c, indent + 2),
            Value::Array(inner) if !inner.is_empty() => write_seq(out, inner, indent + 2),
            _ => {
                out.push_str(&scalar(v, indent + 2, indent + 2));
                out.push('\n');
            }
        }
    }
}

/// A scalar at block indent `indent`, starting at column `col`.
fn scalar(v: &Value, indent: usize, col: usize) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => number(n),
        Value::String(s) => string(s, indent, col),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)` as go-yaml writes floats.
fn number(n: &serde_json::Number) -> String {
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    let f = n.as_f64().unwrap_or(0.0);
    let exp = if f == 0.0 {
        0
    } else {
        f.abs().log10().floor() as i32
    };
    if !(-4..21).contains(&exp) {
        let s = format!("{f:e}");
        // Rust: 1e21 / 1.5e-5; Go: 1e+21 / 1.5e-05.
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let (sign, digits) = match e.strip_prefix('-') {
            Some(d) => ('-', d),
            None => ('+', e),
        };
        format!("{m}e{sign}{digits:0>2}")
    } else {
        f.to_string()
    }
}

fn string(s: &str, indent: usize, col: usize) -> String {
    if s.contains('\n') && !has_special(s) {
        return literal(s, indent);
    }
    if resolves_to_non_string(s) || has_special(s) {
        return double_quoted(s);
    }
    let (plain_ok, single_ok) = analyze(s);
    if plain_ok {
        fold(s, indent, col)
    } else if single_ok {
        let body = s.replace('\'', "''");
        fold_quoted(&format!("'{body}'"), indent, col)
    } else {
        double_quoted(s)
    }
}

/// Characters go-yaml cannot print as they are (non-printable ones).
fn has_special(s: &str) -> bool {
    s.chars()
        .any(|c| (c < ' ' && c != '\n' && c != '\t') || c == '\u{7f}' || c == '\u{feff}')
}

/// go-yaml's `yaml_emitter_analyze_scalar`: may the string be plain, or
/// single-quoted?
fn analyze(s: &str) -> (bool, bool) {
    if s.is_empty() {
        return (false, true);
    }
    if s.starts_with("---") || s.starts_with("...") {
        return (false, true);
    }
    let c: Vec<char> = s.chars().collect();
    let mut block_indicators = false;
    let mut leading_space = false;
    let mut trailing_space = false;
    let mut tab = false;
    let ws = |i: usize| {
        c.get(i)
            .is_none_or(|x| *x == ' ' || *x == '\t' || *x == '\n')
    };
    for (i, &ch) in c.iter().enumerate() {
        if i == 0 {
            match ch {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => block_indicators = true,
                '?' | ':' | '-' if ws(i + 1) => block_indicators = true,
                _ => {}
            }
        } else {
            match ch {
                ':' if ws(i + 1) => block_indicators = true,
                '#' if c[i - 1] == ' ' || c[i - 1] == '\t' => block_indicators = true,
                _ => {}
            }
        }
        if ch == '\t' {
            tab = true;
        }
        if ch == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if i == c.len() - 1 {
                trailing_space = true;
            }
        }
    }
    let plain = !block_indicators && !leading_space && !trailing_space && !tab;
    (plain, true)
}

/// yaml.v2 `resolve`: would this plain text read back as something other
/// than a string (null, bool, int, float, timestamp)?
pub fn resolves_to_non_string(s: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
        "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
        ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan",
        ".NaN", ".NAN", "<<",
    ];
    if SPECIAL.contains(&s) {
        return true;
    }
    let first = s.chars().next().unwrap_or(' ');
    if !(first.is_ascii_digit() || "+-.".contains(first)) {
        return false;
    }
    let plain = s.replace('_', "");
    if go_parse_int(&plain) {
        return true;
    }
    if is_yaml_float(&plain) {
        return true;
    }
    if let Some(b) = plain.strip_prefix("0b") {
        if !b.is_empty() && b.chars().all(|c| c == '0' || c == '1') {
            return true;
        }
    }
    is_timestamp(s) || is_base60_float(&plain)
}

/// go-yaml v2 also quotes YAML 1.1 sexagesimal numbers (`1:20`):
/// `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`.
fn is_base60_float(s: &str) -> bool {
    let b = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (main, frac) = b.split_once('.').unwrap_or((b, ""));
    if !frac.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let mut parts = main.split(':');
    let Some(head) = parts.next() else {
        return false;
    };
    if head.is_empty() || !head.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let mut n = 0;
    for p in parts {
        n += 1;
        let ok = match p.len() {
            1 => p.chars().all(|c| c.is_ascii_digit()),
            2 => {
                let c: Vec<char> = p.chars().collect();
                ('0'..='5').contains(&c[0]) && c[1].is_ascii_digit()
            }
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    n > 0
}

/// Go's `strconv.ParseInt(s, 0, 64)` succeeds.
fn go_parse_int(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    if body.is_empty() {
        return false;
    }
    let (digits, radix) =
        if let Some(h) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
            (h, 16)
        } else if let Some(o) = body.strip_prefix("0o").or_else(|| body.strip_prefix("0O")) {
            (o, 8)
        } else if let Some(b) = body.strip_prefix("0b").or_else(|| body.strip_prefix("0B")) {
            (b, 2)
        } else if body.len() > 1 && body.starts_with('0') {
            (&body[1..], 8)
        } else {
            (body, 10)
        };
    !digits.is_empty() && i64::from_str_radix(digits, radix).is_ok()
}

/// yaml.v2's float pattern `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(s: &str) -> bool {
    let b = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mant, exp) = match b.find(['e', 'E']) {
        Some(i) => (&b[..i], Some(&b[i + 1..])),
        None => (b, None),
    };
    let mant_ok = if let Some(frac) = mant.strip_prefix('.') {
        !frac.is_empty() && frac.chars().all(|c| c.is_ascii_digit())
    } else {
        let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
        !int.is_empty()
            && int.chars().all(|c| c.is_ascii_digit())
            && frac.chars().all(|c| c.is_ascii_digit())
    };
    let exp_ok = match exp {
        None => true,
        Some(e) => {
            let d = e.strip_prefix(['+', '-']).unwrap_or(e);
            !d.is_empty() && d.chars().all(|c| c.is_ascii_digit())
        }
    };
    mant_ok && exp_ok
}

/// yaml.v2's timestamp formats: `2006-01-02T15:04:05Z07:00`,
/// `2006-01-02t15:04:05Z07:00`, `2006-01-02 15:04:05`, `2006-01-02`.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 10 || !(b[4] == b'-' && b[7] == b'-') {
        return false;
    }
    let date_ok = b[..4].iter().all(u8::is_ascii_digit)
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[8..10].iter().all(u8::is_ascii_digit);
    if !date_ok {
        return false;
    }
    if b.len() == 10 {
        return true;
    }
    let rest = &s[11..];
    matches!(b[10], b'T' | b't' | b' ')
        && rest.len() >= 8
        && rest.as_bytes()[2] == b':'
        && rest.as_bytes()[5] == b':'
}

fn double_quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0b' => out.push_str("\\v"),
            '\x0c' => out.push_str("\\f"),
            '\x1b' => out.push_str("\\e"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02X}", c as u32))
            }
            '\u{feff}' => out.push_str("\\uFEFF"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// go-yaml's plain-scalar line breaking: at a single space, once the
/// column is past 80, the space becomes a newline and the indentation.
fn fold(s: &str, indent: usize, col: usize) -> String {
    fold_at_spaces(s, indent, col)
}

fn fold_quoted(s: &str, indent: usize, col: usize) -> String {
    fold_at_spaces(s, indent, col)
}

fn fold_at_spaces(s: &str, indent: usize, start_col: usize) -> String {
    const BEST_WIDTH: usize = 80;
    let c: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut col = start_col;
    let mut prev_space = false;
    for i in 0..c.len() {
        let ch = c[i];
        if ch == ' ' {
            let next_space = c.get(i + 1) == Some(&' ');
            if !prev_space && col > BEST_WIDTH && !next_space && i + 1 < c.len() {
                out.push('\n');
                out.push_str(&" ".repeat(indent));
                col = indent;
            } else {
                out.push(ch);
                col += 1;
            }
            prev_space = true;
        } else {
            out.push(ch);
            col += 1;
            prev_space = false;
        }
    }
    out
}

/// A literal block (`|`, `|-`, `|+`), with an indentation indicator when
/// the text starts with a space.
fn literal(s: &str, indent: usize) -> String {
    let trailing = s.len() - s.trim_end_matches('\n').len();
    let chomp = match trailing {
        0 => "-",
        1 => "",
        _ => "+",
    };
    let ind = if s.starts_with(' ') { "2" } else { "" };
    let mut out = format!("|{ind}{chomp}");
    let body = s.strip_suffix('\n').unwrap_or(s);
    let pad = " ".repeat(indent.max(2));
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn quoting_follows_go_yaml_v2() {
        let v = json!({
            "a": "80", "b": "true", "c": "exit $(($RANDOM%2))", "e": "*/3 * * * *",
            "f": "", "g": null, "h": {}, "i": [], "j": "a: b", "l": "10.96.0.1", "m": "1.5",
            "o": "yes", "p": "@x", "t": "2026-11-23T09:00:00Z", "u": "0755", "x": "nginx:1.27",
            "k": 3, "n": 1, "z": "-c"
        });
        assert_eq!(
            to_yaml(&v),
            "a: \"80\"\nb: \"true\"\nc: exit $(($RANDOM%2))\ne: '*/3 * * * *'\nf: \"\"\ng: null\nh: {}\ni: []\nj: 'a: b'\nk: 3\nl: 10.96.0.1\nm: \"1.5\"\n\"n\": 1\no: \"yes\"\np: '@x'\nt: \"2026-11-23T09:00:00Z\"\nu: \"0755\"\nx: nginx:1.27\nz: -c\n"
        );
    }

    #[test]
    fn layout_of_maps_sequences_and_blocks() {
        let v = json!({
            "spec": {"containers": [{"name": "web", "image": "nginx", "args": ["ping", "127.0.0.1"]}], "x": [[1]]},
            "metadata": {"annotations": {"k": "{\"a\":1}\n"}},
            "status": {}
        });
        assert_eq!(
            to_yaml(&v),
            "metadata:\n  annotations:\n    k: |\n      {\"a\":1}\nspec:\n  containers:\n  - args:\n    - ping\n    - 127.0.0.1\n    image: nginx\n    name: web\n  x:\n  - - 1\nstatus: {}\n"
        );
    }

    #[test]
    fn long_plain_strings_fold_at_80_columns() {
        // kubectl get cm kube-root-ca.crt -o yaml
        let v = json!({"metadata": {"annotations": {"kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."}}});
        assert_eq!(
            to_yaml(&v),
            "metadata:\n  annotations:\n    kubernetes.io/description: Contains a CA bundle that can be used to verify the\n      kube-apiserver when using internal endpoints such as the internal service IP\n      or kubernetes.default.svc. No other usage is guaranteed across distributions\n      of Kubernetes clusters.\n"
        );
    }
}
