//! `--sort-by=<jsonpath>` (`kubectl/pkg/cmd/get/sorter.go`): a stable sort
//! on the first value of the relaxed JSONPath; a missing value sorts first,
//! numbers numerically, strings as quantities when both parse, else in
//! natural order (`vbom.ml/util/sortorder.NaturalLess`).

use super::jsonpath::{relaxed, JsonPath};
use crate::objects::quantity::parse_quantity;
use crate::objects::Object;
use crate::printers::Table;
use serde_json::Value;
use std::cmp::Ordering;
use std::sync::Arc;

/// `sortorder.NaturalLess`: digit runs compare as numbers, digits before
/// other characters.
pub fn natural_less(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (c1, c2) = (a[i], b[j]);
        let (d1, d2) = (c1.is_ascii_digit(), c2.is_ascii_digit());
        if d1 != d2 {
            return d1;
        }
        if !d1 {
            if c1 != c2 {
                return c1 < c2;
            }
            i += 1;
            j += 1;
            continue;
        }
        while i < a.len() && a[i] == b'0' {
            i += 1;
        }
        while j < b.len() && b[j] == b'0' {
            j += 1;
        }
        let (nz1, nz2) = (i, j);
        while i < a.len() && a[i].is_ascii_digit() {
            i += 1;
        }
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        let (l1, l2) = (i - nz1, j - nz2);
        if l1 != l2 {
            return l1 < l2;
        }
        if a[nz1..i] != b[nz2..j] {
            return a[nz1..i] < b[nz2..j];
        }
        if nz1 != nz2 {
            return nz1 < nz2;
        }
    }
    a.len() - i < b.len() - j
}

/// `isLess` for values of unstructured objects.
fn is_less(a: Option<&Value>, b: Option<&Value>) -> Result<bool, String> {
    let (a, b) = match (a, b) {
        (None | Some(Value::Null), None | Some(Value::Null)) => return Ok(false),
        (None | Some(Value::Null), _) => return Ok(true),
        (_, None | Some(Value::Null)) => return Ok(false),
        (Some(a), Some(b)) => (a, b),
    };
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            Ok(x.as_f64().partial_cmp(&y.as_f64()) == Some(Ordering::Less))
        }
        (Value::String(x), Value::String(y)) => {
            if let (Ok(qx), Ok(qy)) = (parse_quantity(x), parse_quantity(y)) {
                return Ok(qx < qy);
            }
            Ok(natural_less(x, y))
        }
        (Value::Bool(x), _) | (_, Value::Bool(x)) => {
            let _ = x;
            Err("unsortable type: bool".into())
        }
        _ => Err(format!(
            "unsortable type: {}",
            match a {
                Value::Object(_) => "map[string]interface {}",
                Value::Array(_) => "[]interface {}",
                _ => "interface {}",
            }
        )),
    }
}

fn key(jp: &JsonPath, v: &Value) -> Result<Option<Value>, String> {
    let groups = jp.find_results(v)?;
    Ok(groups.first().and_then(|g| g.first()).cloned())
}

/// The stable order of `values` sorted by `field` (e.g. `.metadata.name`).
pub fn order_by(values: &[Value], field: &str) -> Result<Vec<usize>, String> {
    let expr = relaxed(field)?;
    let jp = JsonPath::parse(&expr)?;
    let mut keys: Vec<Option<Value>> = Vec::with_capacity(values.len());
    for v in values {
        keys.push(key(&jp, v)?);
    }
    if !keys.is_empty() && keys.iter().all(Option::is_none) {
        return Err(format!(
            "couldn't find any field with path \"{expr}\" in the list of objects"
        ));
    }
    let mut order: Vec<usize> = (0..values.len()).collect();
    let mut err = None;
    order.sort_by(|&a, &b| {
        let (ka, kb) = (keys[a].as_ref(), keys[b].as_ref());
        match (is_less(ka, kb), is_less(kb, ka)) {
            (Ok(true), _) => Ordering::Less,
            (Ok(false), Ok(true)) => Ordering::Greater,
            (Ok(false), Ok(false)) => Ordering::Equal,
            (Err(e), _) | (_, Err(e)) => {
                err.get_or_insert(e);
                Ordering::Equal
            }
        }
    });
    match err {
        Some(e) => Err(format!("field {expr} is an unsortable type: {e}")),
        None => Ok(order),
    }
}

/// Sorts JSON objects in place by `field`.
pub fn sort_values(values: &mut Vec<Value>, field: &str) -> Result<(), String> {
    let order = order_by(values, field)?;
    let old = std::mem::take(values);
    let mut slots: Vec<Option<Value>> = old.into_iter().map(Some).collect();
    *values = order.into_iter().filter_map(|i| slots[i].take()).collect();
    Ok(())
}

/// Sorts objects by `field`, as `kubectl get --sort-by` does.
pub fn sort_objects(objs: &mut Vec<Arc<Object>>, field: &str) -> Result<(), String> {
    let values: Vec<Value> = objs.iter().map(|o| o.to_json()).collect();
    let order = order_by(&values, field)?;
    let old = std::mem::take(objs);
    *objs = order.into_iter().map(|i| old[i].clone()).collect();
    Ok(())
}

/// Sorts the rows of a server-side Table by `field` of their objects.
pub fn sort_table(t: &mut Table, field: &str) -> Result<(), String> {
    let values: Vec<Value> = t.rows.iter().map(|r| r.object.to_json()).collect();
    let order = order_by(&values, field)?;
    let mut slots: Vec<Option<crate::printers::Row>> =
        std::mem::take(&mut t.rows).into_iter().map(Some).collect();
    t.rows = order.into_iter().filter_map(|i| slots[i].take()).collect();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// vbom.ml/util/sortorder `natsort_test.go`.
    #[test]
    fn natural_order() {
        assert!(natural_less("web-2", "web-10"));
        assert!(!natural_less("web-10", "web-2"));
        assert!(natural_less("a", "b"));
        assert!(natural_less("1", "a"));
        assert!(natural_less("a01", "a1") || natural_less("a1", "a01"));
        assert!(natural_less("abc", "abcd"));
    }

    #[test]
    fn sorts_by_field() {
        let mut v = vec![
            json!({"metadata": {"name": "web-10"}, "spec": {"cpu": "1"}}),
            json!({"metadata": {"name": "web-2"}, "spec": {"cpu": "500m"}}),
            json!({"metadata": {"name": "db"}}),
        ];
        sort_values(&mut v, ".metadata.name").unwrap();
        let names: Vec<&str> = v
            .iter()
            .map(|o| o["metadata"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, vec!["db", "web-2", "web-10"]);
        sort_values(&mut v, "{.spec.cpu}").unwrap();
        let names: Vec<&str> = v
            .iter()
            .map(|o| o["metadata"]["name"].as_str().unwrap())
            .collect();
        // Missing first, then quantities: 500m < 1.
        assert_eq!(names, vec!["db", "web-2", "web-10"]);
        assert!(sort_values(&mut v, ".nope").is_err());
    }
}
