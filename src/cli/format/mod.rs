//! kubectl's non-table output formats, client side: `-o yaml|json|name`,
//! `jsonpath=`, `jsonpath-as-json=`, `jsonpath-file=`, `go-template=`,
//! `go-template-file=`, `custom-columns=`, `custom-columns-file=`, and
//! `--sort-by`. (Lead: the printers module may take these over; the CLI
//! calls only [`OutputFormat::parse`], [`render`] and [`sort_by`].)

pub mod custom_columns;
pub mod gotemplate;
pub mod jsonpath;
pub mod tabwriter;
pub mod yaml;

use serde_json::Value;

/// One `-o` choice.
#[derive(Clone, Debug, PartialEq)]
pub enum OutputFormat {
    /// Human table (`wide` shows the priority-1 columns).
    Table {
        wide: bool,
    },
    Name,
    Json,
    Yaml,
    JsonPath(String),
    JsonPathAsJson(String),
    GoTemplate(String),
    CustomColumns(Vec<(String, String)>),
}

/// The formats `kubectl get` accepts, in kubectl's error order.
pub const GET_FORMATS: &str = "custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml";
/// The formats of commands that print the objects they change.
pub const OBJECT_FORMATS: &str = "go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml";

impl OutputFormat {
    /// Parses `-o` (and `--template`); `read` reads `*-file=` files.
    /// `tables` allows `wide` and custom columns (only `get` has them).
    pub fn parse(
        o: &str,
        template: Option<&str>,
        tables: bool,
        read: &dyn Fn(&str) -> Result<String, String>,
    ) -> Result<OutputFormat, String> {
        let (name, arg) = match o.split_once('=') {
            Some((n, a)) => (n, Some(a.to_string())),
            None => (o, None),
        };
        let arg = arg.or_else(|| template.map(str::to_string));
        let need = |a: Option<String>| {
            a.filter(|a| !a.is_empty())
                .ok_or_else(|| "template format specified but no template given".to_string())
        };
        let file = |a: Option<String>| -> Result<String, String> {
            let f = need(a)?;
            read(&f).map_err(|e| format!("error reading template {f}, {e}"))
        };
        let allowed = if tables { GET_FORMATS } else { OBJECT_FORMATS };
        let unknown = || {
            format!("unable to match a printer suitable for the output format \"{o}\", allowed formats are: {allowed}")
        };
        Ok(match name {
            "" => OutputFormat::Table { wide: false },
            "wide" if tables => OutputFormat::Table { wide: true },
            "name" => OutputFormat::Name,
            "json" => OutputFormat::Json,
            "yaml" => OutputFormat::Yaml,
            "jsonpath" => OutputFormat::JsonPath(need(arg)?),
            "jsonpath-as-json" => OutputFormat::JsonPathAsJson(need(arg)?),
            "jsonpath-file" => OutputFormat::JsonPath(file(arg)?),
            "go-template" | "template" => OutputFormat::GoTemplate(need(arg)?),
            "go-template-file" | "templatefile" => OutputFormat::GoTemplate(file(arg)?),
            "custom-columns" if tables => {
                OutputFormat::CustomColumns(custom_columns::parse_spec(&need(arg)?)?)
            }
            "custom-columns-file" if tables => {
                OutputFormat::CustomColumns(custom_columns::parse_file(&file(arg)?)?)
            }
            _ => return Err(unknown()),
        })
    }

    pub fn is_table(&self) -> bool {
        matches!(self, OutputFormat::Table { .. })
    }
}

/// kubectl's `List` wrapper for several objects.
pub fn list_of(items: Vec<Value>) -> Value {
    serde_json::json!({
        "apiVersion": "v1",
        "items": items,
        "kind": "List",
        "metadata": {"resourceVersion": ""},
    })
}

/// Renders objects (already JSON) in a non-table format. `single` means
/// the user named exactly one object: it prints bare, not in a `List`.
/// `names` are the `kind/name` strings for `-o name`.
pub fn render(
    objs: &[Value],
    names: &[String],
    single: bool,
    fmt: &OutputFormat,
    no_headers: bool,
) -> Result<String, String> {
    let data = || {
        if single && objs.len() == 1 {
            objs[0].clone()
        } else {
            list_of(objs.to_vec())
        }
    };
    match fmt {
        OutputFormat::Table { .. } => Err("table output is printed by the printers".into()),
        OutputFormat::Name => Ok(names.iter().map(|n| format!("{n}\n")).collect()),
        OutputFormat::Json => Ok(go_json(&data(), true)),
        OutputFormat::Yaml => Ok(yaml::to_yaml(&data())),
        OutputFormat::JsonPath(t) => {
            let jp = jsonpath::JsonPath::parse(t)
                .map_err(|e| format!("error parsing jsonpath {t}, {e}"))?;
            jp.execute(&data())
        }
        OutputFormat::JsonPathAsJson(t) => {
            let jp = jsonpath::JsonPath::parse(t)
                .map_err(|e| format!("error parsing jsonpath {t}, {e}"))?;
            let vals = jp.values(&data());
            Ok(go_json(&Value::Array(vals), true))
        }
        OutputFormat::GoTemplate(t) => {
            let tpl = gotemplate::Template::parse(t)
                .map_err(|e| format!("error parsing template {t}, {e}"))?;
            tpl.execute(&data())
                .map_err(|e| format!("error executing template \"{t}\": {e}"))
        }
        OutputFormat::CustomColumns(cols) => custom_columns::render(cols, objs, no_headers),
    }
}

/// Sorts objects by a JSONPath field (`--sort-by`): numbers numerically,
/// everything else by its text; objects without the field first.
pub fn sort_by(objs: &mut [(Value, usize)], expr: &str) -> Result<(), String> {
    let e = jsonpath::relaxed(expr)?;
    let jp = jsonpath::JsonPath::parse(&e)
        .map_err(|err| format!("error parsing jsonpath {e}, {err}"))?;
    let key = |v: &Value| -> Option<Value> { jp.values(v).into_iter().next() };
    objs.sort_by(|(a, ia), (b, ib)| {
        let (ka, kb) = (key(a), key(b));
        let ord = match (&ka, &kb) {
            (None, None) => std::cmp::Ordering::Equal,
            (None, Some(_)) => std::cmp::Ordering::Less,
            (Some(_), None) => std::cmp::Ordering::Greater,
            (Some(Value::Number(x)), Some(Value::Number(y))) => x
                .as_f64()
                .partial_cmp(&y.as_f64())
                .unwrap_or(std::cmp::Ordering::Equal),
            (Some(x), Some(y)) => quantity_or_text(x).cmp(&quantity_or_text(y)),
        };
        ord.then(ia.cmp(ib))
    });
    Ok(())
}

/// Quantities (`100m`, `1Gi`) compare by value, other text as text.
fn quantity_or_text(v: &Value) -> (i128, String) {
    let t = jsonpath::text_of(v);
    match crate::objects::quantity::parse_quantity(&t) {
        Ok(a) if t.chars().next().is_some_and(|c| c.is_ascii_digit()) => (a.0, String::new()),
        _ => (i128::MIN, t),
    }
}

/// JSON as Go's `encoding/json` writes it for kubectl: keys sorted,
/// 4-space indentation (`pretty`), `<`, `>`, `&` escaped.
pub fn go_json(v: &Value, pretty: bool) -> String {
    let mut out = String::new();
    write_json(v, pretty, 0, &mut out);
    if pretty {
        out.push('\n');
    }
    out
}

fn write_json(v: &Value, pretty: bool, level: usize, out: &mut String) {
    let nl = |out: &mut String, level: usize| {
        if pretty {
            out.push('\n');
            out.push_str(&"    ".repeat(level));
        }
    };
    match v {
        Value::Object(m) if !m.is_empty() => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                nl(out, level + 1);
                write_str(k, out);
                out.push(':');
                if pretty {
                    out.push(' ');
                }
                write_json(&m[*k], pretty, level + 1, out);
            }
            nl(out, level);
            out.push('}');
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                nl(out, level + 1);
                write_json(x, pretty, level + 1, out);
            }
            nl(out, level);
            out.push(']');
        }
        Value::Object(_) => out.push_str("{}"),
        Value::Array(_) => out.push_str("[]"),
        Value::String(s) => write_str(s, out),
        other => out.push_str(&other.to_string()),
    }
}

fn write_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn no_files(_: &str) -> Result<String, String> {
        Err("no".into())
    }

    #[test]
    fn output_flags_parse_like_kubectl() {
        assert_eq!(
            OutputFormat::parse("go-template", Some("{{.a}}"), true, &no_files).unwrap(),
            OutputFormat::GoTemplate("{{.a}}".into())
        );
        assert_eq!(
            OutputFormat::parse("jsonpath={.a}", None, true, &no_files).unwrap(),
            OutputFormat::JsonPath("{.a}".into())
        );
        assert_eq!(
            OutputFormat::parse("go-template", None, true, &no_files).unwrap_err(),
            "template format specified but no template given"
        );
        assert_eq!(
            OutputFormat::parse("wide", None, false, &no_files).unwrap_err(),
            format!("unable to match a printer suitable for the output format \"wide\", allowed formats are: {OBJECT_FORMATS}")
        );
    }

    #[test]
    fn go_json_sorts_and_escapes() {
        let v = json!({"b": 1, "a": {"x": "<none>"}, "c": [], "d": {}});
        assert_eq!(
            go_json(&v, true),
            "{\n    \"a\": {\n        \"x\": \"\\u003cnone\\u003e\"\n    },\n    \"b\": 1,\n    \"c\": [],\n    \"d\": {}\n}\n"
        );
    }

    #[test]
    fn sort_by_field() {
        let mut v = vec![
            (json!({"m": {"n": "b"}, "r": 2}), 0),
            (json!({"m": {"n": "a"}, "r": 10}), 1),
            (json!({"m": {}}), 2),
        ];
        sort_by(&mut v, ".m.n").unwrap();
        assert_eq!(v.iter().map(|x| x.1).collect::<Vec<_>>(), vec![2, 1, 0]);
        sort_by(&mut v, "{.r}").unwrap();
        assert_eq!(v.iter().map(|x| x.1).collect::<Vec<_>>(), vec![2, 0, 1]);
    }
}
