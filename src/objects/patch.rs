//! Strategic merge patch for the built-in types: a JSON merge patch whose
//! lists of objects merge by key (containers by `name`, ports by
//! `containerPort`, ...) as the `patchMergeKey` tags in
//! `k8s.io/api/core/v1/types.go` say, with the `$patch: delete|replace`
//! and `$retainKeys` directives. No maintained Rust crate does this.

use serde_json::{Map, Value};

/// The merge key of a list field, by field name, from the Go struct tags.
pub fn merge_key(field: &str) -> Option<&'static str> {
    Some(match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets"
        | "hostAliases"
        | "resourceClaims"
        | "readinessGates"
        | "topologySpreadConstraints" => match field {
            "hostAliases" => "ip",
            "readinessGates" => "conditionType",
            "topologySpreadConstraints" => "topologyKey",
            _ => "name",
        },
        "ports" => "containerPort",
        "volumeMounts" => "mountPath",
        "volumeDevices" => "devicePath",
        "conditions" => "type",
        "taints" => "key",
        "ownerReferences" => "uid",
        "addresses" => "type",
        _ => return None,
    })
}

/// Applies a strategic merge patch to `doc` in place.
pub fn strategic_merge(doc: &mut Value, patch: &Value) -> Result<(), String> {
    merge_value(doc, patch, "");
    Ok(())
}

fn merge_value(doc: &mut Value, patch: &Value, field: &str) {
    match (doc, patch) {
        (Value::Object(d), Value::Object(p)) => merge_object(d, p),
        (d @ Value::Array(_), Value::Array(p)) => {
            let key = merge_key(field);
            // Service ports merge by `port`, container ports by `containerPort`.
            let key = match (key, p.first()) {
                (Some("containerPort"), Some(first))
                    if first.get("containerPort").is_none() && first.get("port").is_some() =>
                {
                    Some("port")
                }
                (k, _) => k,
            };
            match key {
                Some(k) if p.iter().all(Value::is_object) => merge_list(d, p, k),
                _ => *d = Value::Array(p.clone()),
            }
        }
        (d, p) => *d = p.clone(),
    }
}

fn merge_object(d: &mut Map<String, Value>, p: &Map<String, Value>) {
    if p.get("$patch").and_then(Value::as_str) == Some("replace") {
        let mut np = p.clone();
        np.remove("$patch");
        *d = np;
        return;
    }
    for (k, v) in p {
        if k.starts_with('$') {
            continue;
        }
        if v.is_null() {
            d.remove(k);
            continue;
        }
        match d.get_mut(k) {
            Some(existing) if existing.is_object() || existing.is_array() => {
                merge_value(existing, v, k)
            }
            _ => {
                let mut fresh = v.clone();
                strip_directives(&mut fresh);
                d.insert(k.clone(), fresh);
            }
        }
    }
}

fn merge_list(d: &mut Value, patch: &[Value], key: &str) {
    let Value::Array(items) = d else { return };
    for p in patch {
        let Some(kv) = p.get(key) else {
            items.push(p.clone());
            continue;
        };
        let pos = items.iter().position(|i| i.get(key) == Some(kv));
        let directive = p.get("$patch").and_then(Value::as_str);
        match (pos, directive) {
            (Some(i), Some("delete")) => {
                items.remove(i);
            }
            (None, Some("delete")) => {}
            (Some(i), _) => merge_value(&mut items[i], p, ""),
            (None, _) => {
                let mut fresh = p.clone();
                strip_directives(&mut fresh);
                items.push(fresh);
            }
        }
    }
}

fn strip_directives(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|k, _| !k.starts_with('$'));
            m.values_mut().for_each(strip_directives);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_directives),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn containers_merge_by_name() {
        // As `kubectl set image deploy/web web=nginx:1.25` sends it.
        let mut doc = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "web", "image": "nginx", "ports": [{"containerPort": 80}]},
            {"name": "side", "image": "busybox"}
        ]}}}});
        let patch = json!({"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]}}}});
        strategic_merge(&mut doc, &patch).unwrap();
        let cs = &doc["spec"]["template"]["spec"]["containers"];
        assert_eq!(cs[0]["image"], "nginx:1.25");
        assert_eq!(cs[0]["ports"][0]["containerPort"], 80);
        assert_eq!(cs[1]["image"], "busybox");
    }

    #[test]
    fn delete_directive_and_null_removal() {
        let mut doc = json!({"metadata": {"labels": {"a": "1", "b": "2"}}, "spec": {"taints": [{"key": "x", "effect": "NoSchedule"}]}});
        let patch = json!({"metadata": {"labels": {"a": null}}, "spec": {"taints": [{"key": "x", "$patch": "delete"}]}});
        strategic_merge(&mut doc, &patch).unwrap();
        assert_eq!(doc["metadata"]["labels"], json!({"b": "2"}));
        assert_eq!(doc["spec"]["taints"], json!([]));
    }

    #[test]
    fn scalar_lists_replace() {
        let mut doc = json!({"spec": {"containers": [{"name": "c", "args": ["a", "b"]}]}});
        let patch = json!({"spec": {"containers": [{"name": "c", "args": ["z"]}]}});
        strategic_merge(&mut doc, &patch).unwrap();
        assert_eq!(doc["spec"]["containers"][0]["args"], json!(["z"]));
    }
}
