//! The CLI side of kubectl's non-table output formats: which `-o` values a
//! command accepts, `*-file=` forms read from the session's work
//! directory, and printing of objects the CLI holds as JSON (stored ones,
//! and ones it only generated, such as `--dry-run=client`). The engines
//! (YAML, JSON, JSONPath, Go templates, custom columns, `--sort-by`) are
//! the printers' (`printers::output`).

use crate::printers::output::jsonpath::JsonPath;
use crate::printers::output::{custom_columns::CustomColumns, gotemplate::GoTemplate, json};
use serde_json::Value;

/// The printers' YAML (go-yaml v2 as `sigs.k8s.io/yaml` writes it).
pub mod yaml {
    pub use crate::printers::output::yaml::to_yaml;
}

/// The printers' JSONPath, with the helpers `kubectl wait` needs.
pub mod jsonpath {
    pub use crate::printers::output::jsonpath::{relaxed, JsonPath};
    use serde_json::Value;

    /// All values an expression selects (`FindResults`, flattened).
    pub fn values(jp: &JsonPath, data: &Value) -> Vec<Value> {
        jp.find_results(data)
            .map(|g| g.into_iter().flatten().collect())
            .unwrap_or_default()
    }

    /// A value as kubectl prints it in text: strings bare, the rest as
    /// compact JSON.
    pub fn text_of(v: &Value) -> String {
        match v {
            Value::String(s) => s.clone(),
            other => super::go_json(other, false),
        }
    }
}

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
    /// A custom-columns spec (`NAME:.metadata.name,...`).
    CustomColumns(String),
}

/// The formats `kubectl get` accepts, in kubectl's error order.
pub const GET_FORMATS: &str = crate::printers::output::ALLOWED_FORMATS;
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
        use crate::printers::output::OutputFormat as P;
        let name = o.split_once('=').map_or(o, |(n, _)| n);
        let unknown = || {
            let allowed = if tables { GET_FORMATS } else { OBJECT_FORMATS };
            format!("unable to match a printer suitable for the output format \"{o}\", allowed formats are: {allowed}")
        };
        if !tables && matches!(name, "wide" | "custom-columns" | "custom-columns-file") {
            return Err(unknown());
        }
        let parsed = match P::parse(o, template) {
            Ok(p) => p,
            Err(e) if e.starts_with("unable to match a printer") => return Err(unknown()),
            Err(e) => return Err(e),
        };
        let parsed = match &parsed {
            P::JsonPathFile(f) | P::GoTemplateFile(f) | P::CustomColumnsFile(f) => {
                let f = f.clone();
                parsed
                    .load(read)
                    .map_err(|e| format!("error reading template {f}, {e}"))?
            }
            _ => parsed,
        };
        Ok(match parsed {
            P::Table => OutputFormat::Table { wide: false },
            P::Wide => OutputFormat::Table { wide: true },
            P::Json => OutputFormat::Json,
            P::Yaml => OutputFormat::Yaml,
            P::Name => OutputFormat::Name,
            P::JsonPath(t) => OutputFormat::JsonPath(t),
            P::JsonPathAsJson(t) => OutputFormat::JsonPathAsJson(t),
            P::GoTemplate(t) => OutputFormat::GoTemplate(t),
            P::CustomColumns(spec) => {
                CustomColumns::parse(&spec)?;
                OutputFormat::CustomColumns(spec)
            }
            P::JsonPathFile(_) | P::GoTemplateFile(_) | P::CustomColumnsFile(_) => {
                unreachable!("file forms are loaded above")
            }
        })
    }

    pub fn is_table(&self) -> bool {
        matches!(self, OutputFormat::Table { .. })
    }
}

/// kubectl's `List` wrapper for several objects.
pub fn list_of(items: Vec<Value>) -> Value {
    crate::printers::output::list_of(items)
}

/// kubectl prints JSON and YAML without `metadata.managedFields` unless
/// `--show-managed-fields` (cli-runtime `OmitManagedFieldsPrinter`, used
/// by `JSONYamlPrintFlags` only: jsonpath and templates still see them).
pub fn omit_managed_fields(v: &mut Value, fmt: &OutputFormat) {
    if matches!(fmt, OutputFormat::Json | OutputFormat::Yaml) {
        if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
            m.remove("managedFields");
        }
    }
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
        OutputFormat::Json => Ok(json::to_json(&data())),
        OutputFormat::Yaml => Ok(yaml::to_yaml(&data())),
        OutputFormat::JsonPath(t) => {
            let jp = JsonPath::parse(t).map_err(|e| format!("error parsing jsonpath {t}, {e}"))?;
            jp.execute(&data()).map_err(|e| {
                format!(
                    "error executing jsonpath {}: Error executing template: {e}",
                    json::go_json_string(t)
                )
            })
        }
        OutputFormat::JsonPathAsJson(t) => {
            let jp = JsonPath::parse(t).map_err(|e| format!("error parsing jsonpath {t}, {e}"))?;
            let all: Vec<Value> = jp.find_results(&data())?.into_iter().flatten().collect();
            Ok(json::to_json(&Value::Array(all)))
        }
        OutputFormat::GoTemplate(t) => {
            let tpl =
                GoTemplate::parse(t).map_err(|e| format!("error parsing template {t}, {e}"))?;
            tpl.execute(&data())
                .map_err(|e| format!("error executing template {}: {e}", json::go_json_string(t)))
        }
        OutputFormat::CustomColumns(spec) => CustomColumns::parse(spec)?.render(objs, no_headers),
    }
}

/// Sorts objects (as JSON, with their original positions) by a JSONPath
/// field, as `--sort-by` does (the printers' order: stable, missing
/// first, numbers, quantities, natural string order).
pub fn sort_by(objs: &mut Vec<(Value, usize)>, expr: &str) -> Result<(), String> {
    let values: Vec<Value> = objs.iter().map(|(v, _)| v.clone()).collect();
    let order = crate::printers::output::sort::order_by(&values, expr)?;
    let mut slots: Vec<Option<(Value, usize)>> =
        std::mem::take(objs).into_iter().map(Some).collect();
    *objs = order.into_iter().filter_map(|i| slots[i].take()).collect();
    Ok(())
}

/// JSON as Go's `encoding/json` writes it for kubectl: keys sorted,
/// 4-space indentation with a final newline (`pretty`), or compact;
/// `<`, `>`, `&` escaped.
pub fn go_json(v: &Value, pretty: bool) -> String {
    if pretty {
        json::to_json(v)
    } else {
        json::to_json_compact(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn no_files(_: &str) -> Result<String, String> {
        Err("no such file".into())
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
        assert_eq!(
            OutputFormat::parse("jsonpath-file=x.txt", None, true, &no_files).unwrap_err(),
            "error reading template x.txt, no such file"
        );
        let read = |_: &str| Ok("{.metadata.name}".to_string());
        assert_eq!(
            OutputFormat::parse("jsonpath-file=x.txt", None, false, &read).unwrap(),
            OutputFormat::JsonPath("{.metadata.name}".into())
        );
    }

    #[test]
    fn go_json_sorts_and_escapes() {
        let v = json!({"b": 1, "a": {"x": "<none>"}, "c": [], "d": {}});
        assert_eq!(
            go_json(&v, true),
            "{\n    \"a\": {\n        \"x\": \"\\u003cnone\\u003e\"\n    },\n    \"b\": 1,\n    \"c\": [],\n    \"d\": {}\n}\n"
        );
        assert_eq!(
            go_json(&json!({"b": [1], "a": "<"}), false),
            "{\"a\":\"\\u003c\",\"b\":[1]}"
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
