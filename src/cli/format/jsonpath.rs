//! kubectl's JSONPath (`k8s.io/client-go/util/jsonpath`): text with
//! `{...}` actions; `.field`, `..field`, `[n]`, `[a:b]`, `[*]`, `['k']`,
//! `[?(@.f == "x")]`, `{range ...}{end}`, `{"literal"}`, `$` and `@`.
//! Missing keys print nothing (kubectl's `--allow-missing-template-keys`
//! default). Several results of one action are joined by a space; strings
//! print as they are, everything else as compact JSON.

use serde_json::Value;

#[derive(Clone, Debug, PartialEq)]
enum Node {
    Text(String),
    /// An expression: a chain of steps from `$` (root) or `@` (current).
    List(Vec<Step>),
    Range(Vec<Step>, Vec<Node>),
}

#[derive(Clone, Debug, PartialEq)]
enum Step {
    Root,
    Current,
    Field(String),
    /// `..name` (recursive descent) or `..[*]`
    Recursive(Option<String>),
    Wildcard,
    Index(i64),
    Slice(Option<i64>, Option<i64>, Option<i64>),
    Union(Vec<String>),
    Filter(Filter),
    Literal(Value),
}

#[derive(Clone, Debug, PartialEq)]
struct Filter {
    left: Vec<Step>,
    op: Option<String>,
    right: Option<Operand>,
}

#[derive(Clone, Debug, PartialEq)]
enum Operand {
    Path(Vec<Step>),
    Lit(Value),
}

/// A parsed template.
#[derive(Clone, Debug, PartialEq)]
pub struct JsonPath {
    nodes: Vec<Node>,
}

impl JsonPath {
    pub fn parse(text: &str) -> Result<JsonPath, String> {
        let mut nodes = Vec::new();
        let mut stack: Vec<(Vec<Step>, Vec<Node>)> = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            match rest.find('{') {
                None => {
                    push_node(&mut nodes, &mut stack, Node::Text(rest.to_string()));
                    break;
                }
                Some(i) => {
                    if i > 0 {
                        push_node(&mut nodes, &mut stack, Node::Text(rest[..i].to_string()));
                    }
                    let close =
                        find_close(&rest[i..]).ok_or_else(|| "unclosed action".to_string())?;
                    let inner = rest[i + 1..i + close].trim();
                    rest = &rest[i + close + 1..];
                    if let Some(expr) = inner.strip_prefix("range ") {
                        stack.push((parse_expr(expr.trim())?, Vec::new()));
                    } else if inner == "end" {
                        let (steps, body) = stack
                            .pop()
                            .ok_or_else(|| "not in range, nothing to end".to_string())?;
                        push_node(&mut nodes, &mut stack, Node::Range(steps, body));
                    } else {
                        push_node(&mut nodes, &mut stack, Node::List(parse_expr(inner)?));
                    }
                }
            }
        }
        if !stack.is_empty() {
            return Err("unclosed range".into());
        }
        Ok(JsonPath { nodes })
    }

    /// Runs the template on `root`.
    pub fn execute(&self, root: &Value) -> Result<String, String> {
        let mut out = String::new();
        exec_nodes(&self.nodes, root, root, &mut out)?;
        Ok(out)
    }

    /// The values of a single-expression template (custom-columns, sort-by).
    pub fn values(&self, root: &Value) -> Vec<Value> {
        let mut v = Vec::new();
        for n in &self.nodes {
            if let Node::List(steps) = n {
                v.extend(eval(steps, root, root));
            }
        }
        v
    }
}

/// kubectl's RelaxedJSONPathExpression: `.a.b` and `a.b` mean `{.a.b}`.
pub fn relaxed(expr: &str) -> Result<String, String> {
    let e = expr.trim();
    if e.starts_with('{') && e.ends_with('}') {
        return Ok(e.to_string());
    }
    if e.is_empty() {
        return Err("jsonpath expression cannot be empty".into());
    }
    let e = e.strip_prefix('.').unwrap_or(e);
    Ok(format!("{{.{e}}}"))
}

fn push_node(nodes: &mut Vec<Node>, stack: &mut [(Vec<Step>, Vec<Node>)], n: Node) {
    match stack.last_mut() {
        Some((_, body)) => body.push(n),
        None => nodes.push(n),
    }
}

/// The index of the `}` closing the action at `s[0]`, skipping quoted text.
fn find_close(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut depth = 0;
    let mut prev = ' ';
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) => {
                if c == q && prev != '\\' {
                    quote = None;
                }
            }
            None => match c {
                '"' | '\'' => quote = Some(c),
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            },
        }
        prev = c;
    }
    None
}

fn parse_expr(s: &str) -> Result<Vec<Step>, String> {
    let c: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut steps = Vec::new();
    // A literal action: {"\n"}, {'x'}, {12}
    if let Some(&q) = c.first() {
        if q == '"' || q == '\'' {
            let body: String = c[1..c.len().saturating_sub(1)].iter().collect();
            let text = if q == '"' { unquote(&body) } else { body };
            return Ok(vec![Step::Literal(Value::String(text))]);
        }
        if q.is_ascii_digit() || q == '-' {
            if let Ok(n) = s.parse::<i64>() {
                return Ok(vec![Step::Literal(Value::from(n))]);
            }
        }
        if s == "true" || s == "false" {
            return Ok(vec![Step::Literal(Value::Bool(s == "true"))]);
        }
    }
    while i < c.len() {
        match c[i] {
            '$' => {
                steps.push(Step::Root);
                i += 1;
            }
            '@' => {
                steps.push(Step::Current);
                i += 1;
            }
            ' ' => i += 1,
            '.' => {
                if c.get(i + 1) == Some(&'.') {
                    i += 2;
                    if c.get(i) == Some(&'[') || i >= c.len() {
                        steps.push(Step::Recursive(None));
                    } else {
                        let (name, n) = read_name(&c[i..]);
                        i += n;
                        steps.push(Step::Recursive(Some(name)));
                    }
                } else {
                    i += 1;
                    if c.get(i) == Some(&'*') {
                        steps.push(Step::Wildcard);
                        i += 1;
                    } else {
                        let (name, n) = read_name(&c[i..]);
                        i += n;
                        if !name.is_empty() {
                            steps.push(Step::Field(name));
                        }
                    }
                }
            }
            '[' => {
                let start = i + 1;
                let mut depth = 1;
                let mut quote: Option<char> = None;
                i += 1;
                while i < c.len() {
                    match (quote, c[i]) {
                        (Some(q), ch) if ch == q => quote = None,
                        (Some(_), _) => {}
                        (None, '"' | '\'') => quote = Some(c[i]),
                        (None, '[') => depth += 1,
                        (None, ']') => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                if i >= c.len() {
                    return Err(format!("unterminated array in {s}"));
                }
                let inner: String = c[start..i].iter().collect();
                i += 1;
                steps.push(parse_bracket(inner.trim())?);
            }
            _ => {
                // A bare name at the start (relaxed forms).
                let (name, n) = read_name(&c[i..]);
                if n == 0 {
                    return Err(format!("unrecognized character in action: {}", c[i]));
                }
                i += n;
                steps.push(Step::Field(name));
            }
        }
    }
    Ok(steps)
}

fn unquote(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some(o) => out.push(o),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A field name; `\.` keeps a dot in the name.
fn read_name(c: &[char]) -> (String, usize) {
    let mut name = String::new();
    let mut i = 0;
    while i < c.len() {
        match c[i] {
            '\\' if i + 1 < c.len() => {
                name.push(c[i + 1]);
                i += 2;
            }
            '.' | '[' | ' ' | ')' | '=' | '!' | '<' | '>' | '}' => break,
            ch => {
                name.push(ch);
                i += 1;
            }
        }
    }
    (name, i)
}

fn parse_bracket(inner: &str) -> Result<Step, String> {
    if inner == "*" {
        return Ok(Step::Wildcard);
    }
    if let Some(f) = inner.strip_prefix("?(").and_then(|f| f.strip_suffix(')')) {
        return parse_filter(f.trim()).map(Step::Filter);
    }
    if inner.starts_with('\'') || inner.starts_with('"') {
        let keys = inner
            .split(',')
            .map(|k| k.trim().trim_matches(|c| c == '\'' || c == '"').to_string())
            .collect();
        return Ok(Step::Union(keys));
    }
    if inner.contains(':') {
        let parts: Vec<&str> = inner.split(':').collect();
        let num = |s: &str| -> Result<Option<i64>, String> {
            let s = s.trim();
            if s.is_empty() {
                Ok(None)
            } else {
                s.parse()
                    .map(Some)
                    .map_err(|_| format!("invalid array index {s}"))
            }
        };
        return Ok(Step::Slice(
            num(parts[0])?,
            num(parts.get(1).copied().unwrap_or(""))?,
            num(parts.get(2).copied().unwrap_or(""))?,
        ));
    }
    inner
        .parse::<i64>()
        .map(Step::Index)
        .map_err(|_| format!("invalid array index {inner}"))
}

fn parse_filter(f: &str) -> Result<Filter, String> {
    for op in ["==", "!=", "<=", ">=", "<", ">", "=~"] {
        if let Some((l, r)) = split_outside_quotes(f, op) {
            let left = parse_expr(l.trim())?;
            let r = r.trim();
            let right = if r.starts_with('@') || r.starts_with('$') {
                Operand::Path(parse_expr(r)?)
            } else if (r.starts_with('"') && r.ends_with('"'))
                || (r.starts_with('\'') && r.ends_with('\''))
            {
                Operand::Lit(Value::String(r[1..r.len() - 1].to_string()))
            } else if let Ok(n) = r.parse::<i64>() {
                Operand::Lit(Value::from(n))
            } else if let Ok(n) = r.parse::<f64>() {
                Operand::Lit(
                    serde_json::Number::from_f64(n)
                        .map(Value::Number)
                        .unwrap_or(Value::Null),
                )
            } else if r == "true" || r == "false" {
                Operand::Lit(Value::Bool(r == "true"))
            } else {
                Operand::Lit(Value::String(r.to_string()))
            };
            return Ok(Filter {
                left,
                op: Some(op.to_string()),
                right: Some(right),
            });
        }
    }
    Ok(Filter {
        left: parse_expr(f)?,
        op: None,
        right: None,
    })
}

fn split_outside_quotes<'a>(s: &'a str, op: &str) -> Option<(&'a str, &'a str)> {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if s[i..].starts_with(op) => return Some((&s[..i], &s[i + op.len()..])),
            None => {}
        }
    }
    None
}

fn exec_nodes(nodes: &[Node], root: &Value, cur: &Value, out: &mut String) -> Result<(), String> {
    for n in nodes {
        match n {
            Node::Text(t) => out.push_str(t),
            Node::List(steps) => {
                let vals = eval(steps, root, cur);
                let texts: Vec<String> = vals.iter().map(text_of).collect();
                out.push_str(&texts.join(" "));
            }
            Node::Range(steps, body) => {
                for v in eval(steps, root, cur) {
                    exec_nodes(body, root, &v, out)?;
                }
            }
        }
    }
    Ok(())
}

/// How a result prints: strings raw, the rest as compact JSON.
pub fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => super::go_json(other, false),
    }
}

fn eval(steps: &[Step], root: &Value, cur: &Value) -> Vec<Value> {
    let mut vals = vec![cur.clone()];
    for s in steps {
        let mut next = Vec::new();
        for v in &vals {
            match s {
                Step::Root => next.push(root.clone()),
                Step::Current => next.push(v.clone()),
                Step::Literal(l) => next.push(l.clone()),
                Step::Field(name) => {
                    if let Some(x) = v.get(name) {
                        next.push(x.clone());
                    }
                }
                Step::Wildcard => match v {
                    Value::Array(a) => next.extend(a.iter().cloned()),
                    Value::Object(m) => {
                        let mut keys: Vec<&String> = m.keys().collect();
                        keys.sort();
                        next.extend(keys.into_iter().map(|k| m[k].clone()));
                    }
                    _ => {}
                },
                Step::Index(i) => {
                    if let Value::Array(a) = v {
                        let idx = if *i < 0 { a.len() as i64 + i } else { *i };
                        if idx >= 0 {
                            if let Some(x) = a.get(idx as usize) {
                                next.push(x.clone());
                            }
                        }
                    }
                }
                Step::Slice(a, b, step) => {
                    if let Value::Array(arr) = v {
                        let len = arr.len() as i64;
                        let norm = |x: i64| if x < 0 { (len + x).max(0) } else { x.min(len) };
                        let start = a.map(norm).unwrap_or(0);
                        let end = b.map(norm).unwrap_or(len);
                        let st = step.unwrap_or(1).max(1) as usize;
                        let mut k = start;
                        while k < end {
                            next.push(arr[k as usize].clone());
                            k += st as i64;
                        }
                    }
                }
                Step::Union(keys) => {
                    for k in keys {
                        if let Some(x) = v.get(k) {
                            next.push(x.clone());
                        }
                    }
                }
                Step::Recursive(name) => recurse(v, name.as_deref(), &mut next),
                Step::Filter(f) => {
                    let items: Vec<Value> = match v {
                        Value::Array(a) => a.clone(),
                        other => vec![other.clone()],
                    };
                    for item in items {
                        if filter_matches(f, root, &item) {
                            next.push(item);
                        }
                    }
                }
            }
        }
        vals = next;
    }
    vals
}

fn recurse(v: &Value, name: Option<&str>, out: &mut Vec<Value>) {
    match name {
        None => out.push(v.clone()),
        Some(n) => {
            if let Some(x) = v.get(n) {
                out.push(x.clone());
            }
        }
    }
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            for k in keys {
                recurse(&m[k], name, out);
            }
        }
        Value::Array(a) => {
            for x in a {
                recurse(x, name, out);
            }
        }
        _ => {}
    }
}

fn filter_matches(f: &Filter, root: &Value, item: &Value) -> bool {
    let left = eval(&f.left, root, item);
    let (Some(op), Some(right)) = (&f.op, &f.right) else {
        return left
            .iter()
            .any(|v| !v.is_null() && v != &Value::Bool(false));
    };
    let rights = match right {
        Operand::Lit(v) => vec![v.clone()],
        Operand::Path(p) => eval(p, root, item),
    };
    left.iter().any(|l| {
        rights.iter().any(|r| {
            let ord = compare(l, r);
            match op.as_str() {
                "==" => ord == Some(std::cmp::Ordering::Equal),
                "!=" => ord != Some(std::cmp::Ordering::Equal),
                "<" => ord == Some(std::cmp::Ordering::Less),
                ">" => ord == Some(std::cmp::Ordering::Greater),
                "<=" => matches!(
                    ord,
                    Some(std::cmp::Ordering::Less | std::cmp::Ordering::Equal)
                ),
                ">=" => matches!(
                    ord,
                    Some(std::cmp::Ordering::Greater | std::cmp::Ordering::Equal)
                ),
                "=~" => match (l.as_str(), r.as_str()) {
                    (Some(s), Some(re)) => regex_bites::Regex::new(re)
                        .map(|re| re.is_match(s))
                        .unwrap_or(false),
                    _ => false,
                },
                _ => false,
            }
        })
    })
}

fn compare(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::String(x), Value::Number(y)) | (Value::Number(y), Value::String(x)) => {
            let xf: f64 = x.parse().ok()?;
            let o = xf.partial_cmp(&y.as_f64()?)?;
            Some(if matches!(a, Value::String(_)) {
                o
            } else {
                o.reverse()
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(t: &str, v: &Value) -> String {
        JsonPath::parse(t).unwrap().execute(v).unwrap()
    }

    #[test]
    fn kubectl_jsonpath_forms() {
        let list = json!({"kind": "List", "items": [
            {"metadata": {"name": "a", "labels": {"app.kubernetes.io/name": "x"}}, "status": {"podIP": "10.0.0.1", "conditions": [{"type": "Ready", "status": "True"}]}, "spec": {"ports": [{"nodePort": 30001}]}},
            {"metadata": {"name": "b"}, "status": {"podIP": "10.0.0.2", "conditions": [{"type": "Ready", "status": "False"}]}}
        ]});
        assert_eq!(run("{.items[*].metadata.name}", &list), "a b");
        assert_eq!(run("{.items[0].status.podIP}", &list), "10.0.0.1");
        assert_eq!(run("{.items[-1].metadata.name}", &list), "b");
        assert_eq!(
            run(
                "{range .items[*]}{.metadata.name}{\"\\t\"}{.status.podIP}{\"\\n\"}{end}",
                &list
            ),
            "a\t10.0.0.1\nb\t10.0.0.2\n"
        );
        assert_eq!(run("{..nodePort}", &list), "30001");
        assert_eq!(
            run(
                "{.items[?(@.status.conditions[0].status==\"True\")].metadata.name}",
                &list
            ),
            "a"
        );
        assert_eq!(
            run(
                "{.items[0].metadata.labels.app\\.kubernetes\\.io/name}",
                &list
            ),
            "x"
        );
        assert_eq!(
            run("{.items[0].metadata}", &list),
            "{\"labels\":{\"app.kubernetes.io/name\":\"x\"},\"name\":\"a\"}"
        );
        assert_eq!(run("name: {.items[1].metadata.name}", &list), "name: b");
        assert_eq!(run("{.nothing.here}", &list), "");
        assert_eq!(run("{.items[0:1].metadata.name}", &list), "a");
    }

    #[test]
    fn relaxed_expressions() {
        assert_eq!(relaxed(".metadata.name").unwrap(), "{.metadata.name}");
        assert_eq!(relaxed("metadata.name").unwrap(), "{.metadata.name}");
        assert_eq!(relaxed("{.a}").unwrap(), "{.a}");
    }
}
