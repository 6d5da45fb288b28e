//! kubectl's `-o` output formats other than tables: `json`, `yaml`, `name`,
//! `jsonpath=`, `custom-columns=`, `go-template=` (and their `-file` and
//! `--template` forms), plus `--sort-by` (`cli-runtime/pkg/printers`,
//! `kubectl/pkg/cmd/get`).

pub mod custom_columns;
pub mod gofmt;
pub mod gotemplate;
pub mod json;
pub mod jsonpath;
pub mod sort;
pub mod yaml;

use crate::objects::Object;
use custom_columns::CustomColumns;
use gotemplate::GoTemplate;
use jsonpath::JsonPath;
use serde_json::{json, Value};
use std::sync::Arc;

/// An `-o` choice. File forms hold the path until [`OutputFormat::load`]
/// replaces them with the file's contents (printing itself does no I/O).
#[derive(Clone, Debug, PartialEq)]
pub enum OutputFormat {
    /// The default human-readable table.
    Table,
    Wide,
    Json,
    Yaml,
    Name,
    JsonPath(String),
    JsonPathFile(String),
    /// `jsonpath-as-json`: the results as an indented JSON list.
    JsonPathAsJson(String),
    CustomColumns(String),
    CustomColumnsFile(String),
    GoTemplate(String),
    GoTemplateFile(String),
}

/// The formats kubectl lists when `-o` is unknown.
pub const ALLOWED_FORMATS: &str = "custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml";

impl OutputFormat {
    /// Parses `-o VALUE` with the optional `--template` flag.
    pub fn parse(o: &str, template: Option<&str>) -> Result<OutputFormat, String> {
        let (name, arg) = match o.split_once('=') {
            Some((n, a)) => (n, Some(a.to_string())),
            None => (o, None),
        };
        let arg = arg.or_else(|| template.map(String::from));
        let need = |a: Option<String>| {
            a.filter(|s| !s.is_empty())
                .ok_or_else(|| "template format specified but no template given".to_string())
        };
        Ok(match name {
            "" => OutputFormat::Table,
            "wide" => OutputFormat::Wide,
            "json" => OutputFormat::Json,
            "yaml" => OutputFormat::Yaml,
            "name" => OutputFormat::Name,
            "jsonpath" => OutputFormat::JsonPath(need(arg)?),
            "jsonpath-file" => OutputFormat::JsonPathFile(need(arg)?),
            "jsonpath-as-json" => OutputFormat::JsonPathAsJson(need(arg)?),
            "go-template" | "template" => OutputFormat::GoTemplate(need(arg)?),
            "go-template-file" | "templatefile" => OutputFormat::GoTemplateFile(need(arg)?),
            "custom-columns" => OutputFormat::CustomColumns(arg.filter(|s| !s.is_empty()).ok_or(
                "custom-columns format specified but no custom columns given",
            )?),
            "custom-columns-file" => OutputFormat::CustomColumnsFile(need(arg)?),
            other => {
                return Err(format!(
                    "unable to match a printer suitable for the output format \"{other}\", allowed formats are: {ALLOWED_FORMATS}"
                ))
            }
        })
    }

    /// Replaces the file forms by their contents, read with `read`.
    pub fn load(
        self,
        read: &dyn Fn(&str) -> Result<String, String>,
    ) -> Result<OutputFormat, String> {
        Ok(match self {
            OutputFormat::JsonPathFile(p) => OutputFormat::JsonPath(read(&p)?),
            OutputFormat::GoTemplateFile(p) => OutputFormat::GoTemplate(read(&p)?),
            OutputFormat::CustomColumnsFile(p) => {
                let cc = CustomColumns::parse_file(&read(&p)?)?;
                OutputFormat::CustomColumns(
                    cc.columns
                        .iter()
                        .map(|(h, p)| format!("{h}:{p}"))
                        .collect::<Vec<_>>()
                        .join(","),
                )
            }
            other => other,
        })
    }

    /// Table and wide are printed by [`crate::printers::render_tables`].
    pub fn is_table(&self) -> bool {
        matches!(self, OutputFormat::Table | OutputFormat::Wide)
    }
}

/// The `kind: List` kubectl prints for several objects.
pub fn list_of(items: Vec<Value>) -> Value {
    json!({
        "apiVersion": "v1",
        "items": items,
        "kind": "List",
        "metadata": {"resourceVersion": ""},
    })
}

/// Prints objects in a non-table format. `single` is true when one named
/// object was asked for (`get pod x`): it prints as itself, not as a List.
pub fn print_objects(
    objs: &[Arc<Object>],
    format: &OutputFormat,
    single: bool,
    no_headers: bool,
) -> Result<String, String> {
    let values: Vec<Value> = objs.iter().map(|o| o.to_json()).collect();
    print_values(objs, values, format, single, no_headers)
}

fn print_values(
    objs: &[Arc<Object>],
    values: Vec<Value>,
    format: &OutputFormat,
    single: bool,
    no_headers: bool,
) -> Result<String, String> {
    let data = || {
        if single && values.len() == 1 {
            values[0].clone()
        } else {
            list_of(values.clone())
        }
    };
    match format {
        OutputFormat::Json => Ok(json::to_json(&data())),
        OutputFormat::Yaml => Ok(yaml::to_yaml(&data())),
        OutputFormat::Name => Ok(objs
            .iter()
            .map(|o| {
                format!(
                    "{}\n",
                    crate::printers::messages::resource_name(
                        o.kind(),
                        o.meta().name.as_deref().unwrap_or("")
                    )
                )
            })
            .collect()),
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
            let groups = jp.find_results(&data())?;
            let all: Vec<Value> = groups.into_iter().flatten().collect();
            Ok(json::to_json(&Value::Array(all)))
        }
        OutputFormat::GoTemplate(t) => {
            let tpl =
                GoTemplate::parse(t).map_err(|e| format!("error parsing template {t}, {e}"))?;
            tpl.execute(&data())
                .map_err(|e| format!("error executing template {}: {e}", json::go_json_string(t)))
        }
        OutputFormat::CustomColumns(spec) => {
            CustomColumns::parse(spec)?.render(&values, no_headers)
        }
        OutputFormat::Table | OutputFormat::Wide => {
            Err("tables are printed with printers::render_tables".into())
        }
        OutputFormat::JsonPathFile(_)
        | OutputFormat::GoTemplateFile(_)
        | OutputFormat::CustomColumnsFile(_) => Err("template file not loaded".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_output_flags() {
        assert_eq!(
            OutputFormat::parse("yaml", None).unwrap(),
            OutputFormat::Yaml
        );
        assert_eq!(
            OutputFormat::parse("go-template", Some("{{.spec.clusterIP}}")).unwrap(),
            OutputFormat::GoTemplate("{{.spec.clusterIP}}".into())
        );
        assert_eq!(
            OutputFormat::parse("jsonpath={.a}", None).unwrap(),
            OutputFormat::JsonPath("{.a}".into())
        );
        assert_eq!(
            OutputFormat::parse("go-template", None).unwrap_err(),
            "template format specified but no template given"
        );
        assert!(OutputFormat::parse("foo", None)
            .unwrap_err()
            .starts_with("unable to match a printer suitable for the output format \"foo\""));
        let loaded = OutputFormat::parse("custom-columns-file=cols.txt", None)
            .unwrap()
            .load(&|_| Ok("NAME\n.metadata.name\n".into()))
            .unwrap();
        assert_eq!(
            loaded,
            OutputFormat::CustomColumns("NAME:{.metadata.name}".into())
        );
    }
}

#[cfg(test)]
mod robustness {
    use super::gotemplate::GoTemplate;
    use super::jsonpath::JsonPath;
    use serde_json::json;

    /// Bad templates are errors, never panics (DEVELOPERS.md: bad input
    /// gives a clear error and leaves state unchanged).
    #[test]
    fn malformed_templates_do_not_panic() {
        let data = json!({"items": [{"a": 1}], "s": "x"});
        for t in [
            "{",
            "}",
            "{.",
            "{[",
            "{.items[}",
            "{.items[?(}",
            "{.items[?(@.a==)]}",
            "{range}",
            "{end}",
            "{.items[a:b]}",
            "{.items[0:1:0]}",
            "{'unterminated}",
            "{\"\\q\"}",
            "{..}",
            "{....a}",
            "{.items[-5]}",
            "{.s[0]}",
            "{.items[?(@.a<\"x\")].a}",
            "{@}",
            "{$}",
            "{1}",
            "{true}",
        ] {
            if let Ok(jp) = JsonPath::parse(t) {
                let _ = jp.execute(&data);
            }
        }
        for t in [
            "{{",
            "}}",
            "{{.",
            "{{if}}",
            "{{end}}",
            "{{else}}",
            "{{range .items}}",
            "{{index}}",
            "{{index .items 5}}",
            "{{index .s \"k\"}}",
            "{{len .s.x}}",
            "{{printf}}",
            "{{printf 1}}",
            "{{$x}}",
            "{{$x = 1}}",
            "{{(.items}}",
            "{{.items)}}",
            "{{'x}}",
            "{{\"x}}",
            "{{`x}}",
            "{{1.2.3}}",
            "{{eq}}",
            "{{lt .s 1}}",
            "{{range 3}}{{.}}{{end}}",
            "{{slice .s 5}}",
            "{{base64decode \"!!\"}}",
            "{{- -}}",
            "{{/* x */}}",
            "{{.s | printf \"%d\"}}",
        ] {
            if let Ok(g) = GoTemplate::parse(t) {
                let _ = g.execute(&data);
            }
        }
    }
}
