//! `-o custom-columns=NAME:.metadata.name,...` and `custom-columns-file`
//! (`kubectl/pkg/cmd/get/customcolumn.go`): each cell is the relaxed
//! JSONPath's values printed with `%v` and joined by `,`, or `<none>`;
//! aligned like every other `get` table.

use super::gofmt::go_sprint;
use super::jsonpath::{relaxed, JsonPath};
use crate::printers::layout::align;
use serde_json::Value;

/// Parsed column specs: header and JSONPath template.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomColumns {
    pub columns: Vec<(String, String)>,
}

impl CustomColumns {
    /// `NAME:.metadata.name,STATUS:.status.phase`.
    pub fn parse(spec: &str) -> Result<CustomColumns, String> {
        if spec.is_empty() {
            return Err("custom-columns format specified but no custom columns given".into());
        }
        let mut columns = Vec::new();
        for part in spec.split(',') {
            let Some((name, path)) = part.split_once(':') else {
                return Err(format!(
                    "unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>"
                ));
            };
            columns.push((name.to_string(), relaxed(path)?));
        }
        Ok(CustomColumns { columns })
    }

    /// A custom-columns file: a line of headers, then a line of paths,
    /// separated by whitespace.
    pub fn parse_file(text: &str) -> Result<CustomColumns, String> {
        let mut lines = text.lines().filter(|l| !l.trim().is_empty());
        let headers: Vec<&str> = lines.next().unwrap_or("").split_whitespace().collect();
        let paths: Vec<&str> = lines.next().unwrap_or("").split_whitespace().collect();
        if headers.len() != paths.len() {
            return Err(format!(
                "number of headers ({}) and field specifications ({}) don't match",
                headers.len(),
                paths.len()
            ));
        }
        let mut columns = Vec::new();
        for (h, p) in headers.iter().zip(paths) {
            columns.push((h.to_string(), relaxed(p)?));
        }
        Ok(CustomColumns { columns })
    }

    /// The cells of one object.
    pub fn cells(&self, obj: &Value) -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        for (_, path) in &self.columns {
            let jp = JsonPath::parse(path)?;
            let groups = jp.find_results(obj)?;
            let values: Vec<String> = groups.iter().flatten().map(go_sprint).collect();
            if groups.is_empty() || groups[0].is_empty() {
                out.push("<none>".into());
            } else {
                out.push(values.join(","));
            }
        }
        Ok(out)
    }

    /// The whole table (headers unless `no_headers`).
    pub fn render(&self, objs: &[Value], no_headers: bool) -> Result<String, String> {
        let mut lines = Vec::new();
        if !no_headers {
            lines.push(self.columns.iter().map(|(h, _)| h.clone()).collect());
        }
        for o in objs {
            lines.push(self.cells(o)?);
        }
        Ok(align(&lines, &mut Vec::new()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// kubectl `customcolumn_test.go` shapes.
    #[test]
    fn renders_columns() {
        let cc = CustomColumns::parse(
            "NAME:.metadata.name,IMAGES:.spec.containers[*].image,NODE:.spec.nodeName",
        )
        .unwrap();
        let pods = vec![
            json!({"metadata": {"name": "web-1"}, "spec": {"containers": [{"image": "nginx"}, {"image": "redis"}], "nodeName": "node-1"}}),
            json!({"metadata": {"name": "web-2"}, "spec": {"containers": [{"image": "nginx"}]}}),
        ];
        assert_eq!(
            cc.render(&pods, false).unwrap(),
            "NAME    IMAGES        NODE\nweb-1   nginx,redis   node-1\nweb-2   nginx         <none>\n"
        );
        assert!(CustomColumns::parse("NAME").is_err());
        let f =
            CustomColumns::parse_file("NAME   NODE\n.metadata.name   .spec.nodeName\n").unwrap();
        assert_eq!(
            f.columns[1],
            ("NODE".to_string(), "{.spec.nodeName}".to_string())
        );
    }
}
