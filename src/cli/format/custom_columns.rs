//! `-o custom-columns=HEADER:JSONPATH,...` and `custom-columns-file`, as
//! `k8s.io/kubectl/pkg/cmd/get/customcolumn.go` prints them: one column
//! per spec, several values joined by `,`, `<none>` when there is none,
//! laid out by the same tab writer as tables.

use super::jsonpath::{relaxed, text_of, JsonPath};
use serde_json::Value;

/// `NAME:.metadata.name,IMAGE:.spec.containers[*].image`
pub fn parse_spec(spec: &str) -> Result<Vec<(String, String)>, String> {
    let mut cols = Vec::new();
    for part in split_columns(spec) {
        let Some((h, e)) = part.split_once(':') else {
            return Err(format!(
                "unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>"
            ));
        };
        cols.push((h.to_string(), relaxed(e)?));
    }
    Ok(cols)
}

/// A file whose first line has the headers and second line the paths.
pub fn parse_file(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let headers: Vec<&str> = lines.next().unwrap_or("").split_whitespace().collect();
    let paths: Vec<&str> = lines.next().unwrap_or("").split_whitespace().collect();
    if headers.len() != paths.len() {
        return Err(format!(
            "expected {} columns, found {} in custom-columns-file",
            headers.len(),
            paths.len()
        ));
    }
    headers
        .iter()
        .zip(paths)
        .map(|(h, p)| Ok((h.to_string(), relaxed(p)?)))
        .collect()
}

/// Splits on commas outside brackets (`[?(@.a=="x,y")]` keeps its comma).
fn split_columns(spec: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in spec.char_indices() {
        match c {
            '[' | '{' | '(' => depth += 1,
            ']' | '}' | ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&spec[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&spec[start..]);
    out
}

pub fn render(
    cols: &[(String, String)],
    objs: &[Value],
    no_headers: bool,
) -> Result<String, String> {
    let parsed: Vec<JsonPath> = cols
        .iter()
        .map(|(_, e)| {
            JsonPath::parse(e).map_err(|err| format!("error parsing jsonpath {e}, {err}"))
        })
        .collect::<Result<_, _>>()?;
    let mut lines: Vec<Vec<String>> = Vec::new();
    if !no_headers {
        lines.push(cols.iter().map(|(h, _)| h.clone()).collect());
    }
    for o in objs {
        lines.push(
            parsed
                .iter()
                .map(|jp| {
                    let vals = jp.values(o);
                    if vals.is_empty() {
                        "<none>".to_string()
                    } else {
                        vals.iter().map(text_of).collect::<Vec<_>>().join(",")
                    }
                })
                .collect(),
        );
    }
    if objs.is_empty() {
        return Ok(String::new());
    }
    Ok(crate::printers::layout::align(&lines, &mut Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn columns() {
        let cols =
            parse_spec("NAME:.metadata.name,IMAGES:.spec.containers[*].image,NODE:.spec.nodeName")
                .unwrap();
        let objs = vec![
            json!({"metadata": {"name": "web"}, "spec": {"containers": [{"image": "nginx"}, {"image": "redis"}]}}),
        ];
        assert_eq!(
            render(&cols, &objs, false).unwrap(),
            "NAME   IMAGES        NODE\nweb    nginx,redis   <none>\n"
        );
        assert!(parse_spec("NAME")
            .unwrap_err()
            .starts_with("unexpected custom-columns spec: NAME"));
    }
}
