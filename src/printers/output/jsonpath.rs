//! kubectl's JSONPath dialect (`k8s.io/client-go/util/jsonpath`): literal
//! text with `{...}` actions; fields `.a.b`, `['a']`, wildcards `.*` and
//! `[*]`, indexes and slices `[0]`, `[-1]`, `[1:3:1]`, unions `[0,1]` and
//! `{.a,.b}`, recursive descent `..name`, filters `[?(@.type=="Ready")]`,
//! `{range ...}{end}`, quoted strings `{"\n"}`. Results of one action are
//! joined by spaces; maps and lists print as compact JSON, scalars as Go's
//! `%v`. No crate implements this dialect (the crates.io JSONPath crates
//! follow RFC 9535, without `range` or kubectl's printing rules).

use super::gofmt::go_sprint;
use super::json::to_json_compact;
use serde_json::Value;
use std::cmp::Ordering;

#[derive(Clone, Debug, PartialEq)]
enum Node {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Field(String),
    Wildcard,
    Recursive,
    Array([Param; 3]),
    Union(Vec<Vec<Node>>),
    Filter {
        left: Vec<Node>,
        op: String,
        right: Vec<Node>,
    },
    Range,
    End,
}

#[derive(Clone, Copy, Debug, PartialEq, Default)]
struct Param {
    value: i64,
    known: bool,
    derived: bool,
}

/// One top-level piece of a template: literal text or a `{...}` action.
#[derive(Clone, Debug, PartialEq)]
enum Seg {
    Text(String),
    Action(Vec<Node>),
}

/// A parsed JSONPath template.
#[derive(Clone, Debug)]
pub struct JsonPath {
    segs: Vec<Seg>,
    allow_missing_keys: bool,
}

struct Parser<'a> {
    input: &'a [char],
    pos: usize,
}

fn is_terminator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '.' | ',' | '[' | ']' | '$' | '@' | '{' | '}')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.input.get(self.pos).copied()
    }

    fn starts_with(&self, s: &str) -> bool {
        let cs: Vec<char> = s.chars().collect();
        self.input.len() >= self.pos + cs.len()
            && self.input[self.pos..self.pos + cs.len()] == cs[..]
    }

    fn template(&mut self) -> Result<Vec<Seg>, String> {
        let mut segs = Vec::new();
        let mut text = String::new();
        while self.pos < self.input.len() {
            if self.peek() == Some('{') {
                if !text.is_empty() {
                    segs.push(Seg::Text(std::mem::take(&mut text)));
                }
                self.pos += 1;
                let mut nodes = Vec::new();
                self.inside(&mut nodes, true)?;
                segs.push(Seg::Action(nodes));
            } else {
                text.push(self.input[self.pos]);
                self.pos += 1;
            }
        }
        if !text.is_empty() {
            segs.push(Seg::Text(text));
        }
        Ok(segs)
    }

    /// `parseInsideAction` up to the closing `}` (or the end of a
    /// sub-expression when `braces` is false).
    fn inside(&mut self, cur: &mut Vec<Node>, braces: bool) -> Result<(), String> {
        loop {
            if self.starts_with("}") {
                if braces {
                    self.pos += 1;
                    return Ok(());
                }
                return Err("unexpected right delimiter".into());
            }
            if self.starts_with("[?(") {
                self.filter(cur)?;
                continue;
            }
            if self.starts_with("..") {
                if cur.last() == Some(&Node::Recursive) {
                    return Err("invalid multiple recursive descent".into());
                }
                self.pos += 2;
                cur.push(Node::Recursive);
                if self.peek().is_some_and(is_alnum) {
                    self.field(cur)?;
                }
                continue;
            }
            let Some(c) = self.peek() else {
                if braces {
                    return Err("unclosed action".into());
                }
                return Ok(());
            };
            match c {
                '\n' => return Err("unclosed action".into()),
                ' ' | '@' | '$' => self.pos += 1,
                '[' => self.array(cur)?,
                '"' | '\'' => self.quote(cur, c)?,
                '.' => {
                    self.pos += 1;
                    self.field(cur)?;
                }
                ',' => {
                    // `{.a,.b}`: everything so far is the first branch.
                    self.pos += 1;
                    let first = std::mem::take(cur);
                    let mut rest = Vec::new();
                    self.inside(&mut rest, braces)?;
                    let mut branches = vec![first];
                    match rest.as_slice() {
                        [Node::Union(more)] => branches.extend(more.iter().cloned()),
                        _ => branches.push(rest),
                    }
                    cur.push(Node::Union(branches));
                    return Ok(());
                }
                c if c == '+' || c == '-' || c.is_ascii_digit() => self.number(cur)?,
                c if is_alnum(c) => self.identifier(cur)?,
                c => return Err(format!("unrecognized character in action: {c:?}")),
            }
        }
    }

    fn field(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        let mut name = String::new();
        while let Some(c) = self.peek() {
            if c == '\\' {
                self.pos += 1;
                if let Some(n) = self.peek() {
                    name.push(n);
                    self.pos += 1;
                }
                continue;
            }
            if is_terminator(c) {
                break;
            }
            name.push(c);
            self.pos += 1;
        }
        if name == "*" {
            cur.push(Node::Wildcard);
        } else {
            cur.push(Node::Field(name));
        }
        Ok(())
    }

    fn identifier(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        let mut id = String::new();
        while let Some(c) = self.peek().filter(|c| is_alnum(*c)) {
            id.push(c);
            self.pos += 1;
        }
        cur.push(match id.as_str() {
            "range" => Node::Range,
            "end" => Node::End,
            "true" => Node::Bool(true),
            "false" => Node::Bool(false),
            _ => return Err(format!("unrecognized identifier {id}")),
        });
        Ok(())
    }

    fn number(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        let mut s = String::new();
        while let Some(c) = self.peek() {
            if c == '+' || c == '-' || c == '.' || c == 'e' || c == 'E' || c.is_ascii_digit() {
                s.push(c);
                self.pos += 1;
            } else {
                break;
            }
        }
        if s.contains('.') || s.contains('e') || s.contains('E') {
            let f: f64 = s.parse().map_err(|_| format!("cannot parse number {s}"))?;
            cur.push(Node::Float(f));
        } else {
            let i: i64 = s.parse().map_err(|_| format!("cannot parse number {s}"))?;
            cur.push(Node::Int(i));
        }
        Ok(())
    }

    fn quote(&mut self, cur: &mut Vec<Node>, end: char) -> Result<(), String> {
        self.pos += 1;
        let mut raw = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err("unterminated quoted string".into());
            };
            self.pos += 1;
            match c {
                '\n' => return Err("unterminated quoted string".into()),
                '\\' => {
                    raw.push('\\');
                    if let Some(n) = self.peek() {
                        raw.push(n);
                        self.pos += 1;
                    }
                }
                c if c == end => break,
                c => raw.push(c),
            }
        }
        cur.push(Node::Text(unquote(&raw)?));
        Ok(())
    }

    fn array(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        self.pos += 1;
        let mut text = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err("unterminated array".into());
            };
            self.pos += 1;
            if c == ']' {
                break;
            }
            text.push(c);
        }
        let text = if text == "*" { ":".to_string() } else { text };
        let parts: Vec<&str> = text.split(',').collect();
        if parts.len() > 1 {
            let mut branches = Vec::new();
            for p in parts {
                let chars: Vec<char> = format!("[{}]", p.trim()).chars().collect();
                let mut sub = Parser {
                    input: &chars,
                    pos: 0,
                };
                let mut nodes = Vec::new();
                sub.inside(&mut nodes, false)?;
                branches.push(nodes);
            }
            cur.push(Node::Union(branches));
            return Ok(());
        }
        // A dict key: `['a.b']` parses as `.a.b`, as kubectl does.
        if text.len() >= 2
            && text.starts_with('\'')
            && text.ends_with('\'')
            && !text[1..text.len() - 1].contains('\'')
        {
            let chars: Vec<char> = format!(".{}", &text[1..text.len() - 1]).chars().collect();
            let mut sub = Parser {
                input: &chars,
                pos: 0,
            };
            sub.inside(cur, false)?;
            return Ok(());
        }
        // Slice: `^(-?[\d]*)(:-?[\d]*)?(:-?[\d]*)?$`
        let pieces: Vec<&str> = text.split(':').collect();
        if pieces.len() > 3
            || pieces.iter().any(|p| {
                !p.strip_prefix('-')
                    .unwrap_or(p)
                    .chars()
                    .all(|c| c.is_ascii_digit())
            })
        {
            return Err(format!("invalid array index {text}"));
        }
        let mut params = [Param::default(); 3];
        for i in 0..3 {
            match pieces.get(i) {
                Some(p) if !p.is_empty() => {
                    params[i] = Param {
                        value: p
                            .parse()
                            .map_err(|_| format!("array index {p} is not a number"))?,
                        known: true,
                        derived: false,
                    };
                }
                Some(_) => {}
                None if i == 1 => {
                    params[1] = Param {
                        value: params[0].value + 1,
                        known: true,
                        derived: true,
                    };
                }
                None => {}
            }
        }
        cur.push(Node::Array(params));
        Ok(())
    }

    fn filter(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        self.pos += 3;
        let start = self.pos;
        let mut begin = false;
        let mut end = false;
        let mut pair = '"';
        loop {
            let Some(c) = self.peek() else {
                return Err("unclosed array expect ]".into());
            };
            self.pos += 1;
            match c {
                '\n' => return Err("unclosed array expect ]".into()),
                '"' | '\'' => {
                    if !begin {
                        begin = true;
                        pair = c;
                        continue;
                    }
                    if self.input[self.pos - 2] != '\\' && c == pair {
                        end = true;
                    }
                }
                ')' if begin == end => break,
                _ => {}
            }
        }
        if self.peek() != Some(']') {
            return Err("unclosed array expect ]".into());
        }
        self.pos += 1;
        let text: String = self.input[start..self.pos - 2].iter().collect();
        // `^([^!<>=]+)([!<>=]+)(.+?)$`
        let op_start = text.find(['!', '<', '>', '=']);
        let parse = |s: &str| -> Result<Vec<Node>, String> {
            let chars: Vec<char> = s.chars().collect();
            let mut p = Parser {
                input: &chars,
                pos: 0,
            };
            let mut nodes = Vec::new();
            p.inside(&mut nodes, false)?;
            Ok(nodes)
        };
        match op_start {
            Some(i) if i > 0 => {
                let rest = &text[i..];
                let op_len = rest
                    .find(|c: char| !matches!(c, '!' | '<' | '>' | '='))
                    .unwrap_or(rest.len());
                let op = &rest[..op_len];
                let right = &rest[op_len..];
                if right.is_empty() {
                    return Err(format!("invalid filter {text}"));
                }
                cur.push(Node::Filter {
                    left: parse(&text[..i])?,
                    op: op.to_string(),
                    right: parse(right)?,
                });
            }
            _ => cur.push(Node::Filter {
                left: parse(&text)?,
                op: "exists".into(),
                right: Vec::new(),
            }),
        }
        Ok(())
    }
}

/// `UnquoteExtend`: the escapes of a Go string literal.
fn unquote(raw: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('a') => out.push('\u{7}'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('v') => out.push('\u{b}'),
            Some('\\') => out.push('\\'),
            Some('"') => out.push('"'),
            Some('\'') => out.push('\''),
            Some(c @ ('x' | 'u' | 'U')) => {
                let n = match c {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let hex: String = chars.by_ref().take(n).collect();
                let v = u32::from_str_radix(&hex, 16)
                    .map_err(|_| format!("invalid escape \\{c}{hex}"))?;
                out.push(char::from_u32(v).ok_or_else(|| format!("invalid escape \\{c}{hex}"))?);
            }
            Some(c) => return Err(format!("invalid escape \\{c}")),
            None => return Err("invalid syntax".into()),
        }
    }
    Ok(out)
}

/// kubectl's `RelaxedJSONPathExpression`: `.a.b`, `a.b`, `{a.b}` and
/// `{.a.b}` all mean `{.a.b}` (custom columns and `--sort-by`).
pub fn relaxed(expr: &str) -> Result<String, String> {
    if expr.is_empty() {
        return Ok(String::new());
    }
    let inner = expr
        .strip_prefix('{')
        .and_then(|e| e.strip_suffix('}'))
        .unwrap_or(expr);
    let inner = inner.strip_prefix('.').unwrap_or(inner);
    if inner.is_empty() || inner.contains(['{', '}']) {
        return Err("unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'".into());
    }
    Ok(format!("{{.{inner}}}"))
}

/// `template.Less`/`Equal` on JSON scalars: numbers of the same kind,
/// strings, booleans (equality only).
fn compare(left: &Value, right: &Value, op: &str) -> Result<bool, String> {
    let ord = match (left, right) {
        (Value::Number(a), Value::Number(b)) => {
            let a_int = a.is_i64() || a.is_u64();
            let b_int = b.is_i64() || b.is_u64();
            if a_int != b_int {
                return Err("incompatible types for comparison".into());
            }
            if a_int {
                a.as_i64()
                    .unwrap_or(i64::MAX)
                    .cmp(&b.as_i64().unwrap_or(i64::MAX))
            } else {
                a.as_f64()
                    .unwrap_or(0.0)
                    .partial_cmp(&b.as_f64().unwrap_or(0.0))
                    .unwrap_or(Ordering::Equal)
            }
        }
        (Value::String(a), Value::String(b)) => a.cmp(b),
        (Value::Bool(a), Value::Bool(b)) => {
            if op != "==" && op != "!=" {
                return Err("invalid type for comparison".into());
            }
            a.cmp(b)
        }
        (Value::Null, Value::Null) => Ordering::Equal,
        _ => {
            if op == "==" {
                return Ok(false);
            }
            if op == "!=" {
                return Ok(true);
            }
            return Err("incompatible types for comparison".into());
        }
    };
    Ok(match op {
        "==" => ord == Ordering::Equal,
        "!=" => ord != Ordering::Equal,
        "<" => ord == Ordering::Less,
        ">" => ord == Ordering::Greater,
        "<=" => ord != Ordering::Greater,
        ">=" => ord != Ordering::Less,
        other => return Err(format!("unrecognized filter operator {other}")),
    })
}

impl JsonPath {
    /// Parses a template such as `{.items[*].metadata.name}`.
    pub fn parse(template: &str) -> Result<JsonPath, String> {
        let chars: Vec<char> = template.chars().collect();
        let segs = Parser {
            input: &chars,
            pos: 0,
        }
        .template()?;
        Ok(JsonPath {
            segs,
            allow_missing_keys: true,
        })
    }

    /// `--allow-missing-template-keys=false`: a missing field is an error.
    pub fn allow_missing_keys(mut self, allow: bool) -> JsonPath {
        self.allow_missing_keys = allow;
        self
    }

    fn eval_list(&self, input: Vec<Value>, nodes: &[Node]) -> Result<Vec<Value>, String> {
        let mut cur = input;
        for n in nodes {
            cur = self.walk(cur, n)?;
        }
        Ok(cur)
    }

    fn walk(&self, input: Vec<Value>, node: &Node) -> Result<Vec<Value>, String> {
        match node {
            Node::Text(t) => Ok(vec![Value::String(t.clone())]),
            Node::Int(i) => Ok(input.iter().map(|_| Value::from(*i)).collect()),
            Node::Float(f) => Ok(input.iter().map(|_| Value::from(*f)).collect()),
            Node::Bool(b) => Ok(input.iter().map(|_| Value::from(*b)).collect()),
            Node::Range | Node::End => Ok(input),
            Node::Field(name) => {
                if input.is_empty() {
                    return Ok(input);
                }
                let out: Vec<Value> = input
                    .iter()
                    .filter_map(|v| v.as_object().and_then(|m| m.get(name)).cloned())
                    .collect();
                if out.is_empty() && !self.allow_missing_keys {
                    return Err(format!("{name} is not found"));
                }
                Ok(out)
            }
            Node::Wildcard => Ok(input
                .iter()
                .flat_map(|v| match v {
                    Value::Object(m) => {
                        let mut keys: Vec<&String> = m.keys().collect();
                        keys.sort();
                        keys.into_iter().map(|k| m[k].clone()).collect::<Vec<_>>()
                    }
                    Value::Array(a) => a.clone(),
                    _ => Vec::new(),
                })
                .collect()),
            Node::Recursive => {
                let mut out = Vec::new();
                for v in &input {
                    recursive(v, &mut out);
                }
                Ok(out)
            }
            Node::Array(params) => {
                let mut out = Vec::new();
                for v in &input {
                    if v.is_null() {
                        continue;
                    }
                    let Value::Array(a) = v else {
                        return Err(format!("{} is not array or slice", type_name(v)));
                    };
                    let len = a.len() as i64;
                    let mut p = *params;
                    if !p[0].known {
                        p[0].value = 0;
                    }
                    if p[0].value < 0 {
                        p[0].value += len;
                    }
                    if !p[1].known {
                        p[1].value = len;
                    }
                    if p[1].value < 0 || (p[1].value == 0 && p[1].derived) {
                        p[1].value += len;
                    }
                    if p[1].value == p[0].value {
                        continue;
                    }
                    if p[0].value >= len || p[0].value < 0 {
                        return Err(format!(
                            "array index out of bounds: index {}, length {len}",
                            p[0].value
                        ));
                    }
                    if p[1].value > len || p[1].value < 0 {
                        return Err(format!(
                            "array index out of bounds: index {}, length {len}",
                            p[1].value - 1
                        ));
                    }
                    if p[0].value > p[1].value {
                        return Err(format!(
                            "starting index {} is greater than ending index {}",
                            p[0].value, p[1].value
                        ));
                    }
                    let step = if p[2].known {
                        if p[2].value <= 0 {
                            return Err("step must be > 0".into());
                        }
                        p[2].value as usize
                    } else {
                        1
                    };
                    out.extend(
                        a[p[0].value as usize..p[1].value as usize]
                            .iter()
                            .step_by(step)
                            .cloned(),
                    );
                }
                Ok(out)
            }
            Node::Union(branches) => {
                let mut out = Vec::new();
                for b in branches {
                    out.extend(self.eval_list(input.clone(), b)?);
                }
                Ok(out)
            }
            Node::Filter { left, op, right } => {
                let mut out = Vec::new();
                for v in &input {
                    let Value::Array(items) = v else {
                        return Err(format!(
                            "{} is not array or slice and cannot be filtered",
                            go_sprint(v)
                        ));
                    };
                    for item in items {
                        let lefts = self.eval_list(vec![item.clone()], left);
                        if op == "exists" {
                            if lefts.is_ok_and(|l| !l.is_empty()) {
                                out.push(item.clone());
                            }
                            continue;
                        }
                        let lefts = lefts?;
                        if lefts.is_empty() {
                            continue;
                        }
                        if lefts.len() > 1 {
                            return Err("can only compare one element at a time".into());
                        }
                        let rights = self.eval_list(vec![item.clone()], right)?;
                        if rights.is_empty() {
                            continue;
                        }
                        if rights.len() > 1 {
                            return Err("can only compare one element at a time".into());
                        }
                        if compare(&lefts[0], &rights[0], op)? {
                            out.push(item.clone());
                        }
                    }
                }
                Ok(out)
            }
        }
    }

    /// `FindResults`: one group of values per action (and per range item).
    pub fn find_results(&self, data: &Value) -> Result<Vec<Vec<Value>>, String> {
        let mut out = Vec::new();
        self.run(&self.segs, data, &mut out)?;
        Ok(out)
    }

    fn run(&self, segs: &[Seg], data: &Value, out: &mut Vec<Vec<Value>>) -> Result<(), String> {
        let mut i = 0;
        while i < segs.len() {
            match &segs[i] {
                Seg::Text(t) => out.push(vec![Value::String(t.clone())]),
                Seg::Action(nodes) if nodes.first() == Some(&Node::Range) => {
                    // The body runs to the matching {end}.
                    let mut depth = 0;
                    let mut j = i + 1;
                    while j < segs.len() {
                        match &segs[j] {
                            Seg::Action(n) if n.first() == Some(&Node::Range) => depth += 1,
                            Seg::Action(n) if n.first() == Some(&Node::End) => {
                                if depth == 0 {
                                    break;
                                }
                                depth -= 1;
                            }
                            _ => {}
                        }
                        j += 1;
                    }
                    let items = self.eval_list(vec![data.clone()], &nodes[1..])?;
                    for item in &items {
                        self.run(&segs[i + 1..j], item, out)?;
                    }
                    i = j;
                }
                Seg::Action(nodes) if nodes.first() == Some(&Node::End) => {
                    return Err("not in range, nothing to end".into());
                }
                Seg::Action(nodes) => out.push(self.eval_list(vec![data.clone()], nodes)?),
            }
            i += 1;
        }
        Ok(())
    }

    /// `Execute` + `PrintResults`: the text kubectl writes (no final
    /// newline is added).
    pub fn execute(&self, data: &Value) -> Result<String, String> {
        let mut s = String::new();
        for group in self.find_results(data)? {
            for (i, v) in group.iter().enumerate() {
                s.push_str(&match v {
                    Value::Object(_) | Value::Array(_) => to_json_compact(v),
                    other => go_sprint(other),
                });
                if i + 1 != group.len() {
                    s.push(' ');
                }
            }
        }
        Ok(s)
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Object(_) => "map[string]interface {}",
        Value::String(_) => "string",
        Value::Number(_) => "float64",
        Value::Bool(_) => "bool",
        _ => "interface {}",
    }
}

/// `evalRecursive`: the value and everything below it, depth first (map
/// keys in sorted order, where Go's map order is random).
fn recursive(v: &Value, out: &mut Vec<Value>) {
    let children: Vec<&Value> = match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            keys.into_iter().map(|k| &m[k]).collect()
        }
        Value::Array(a) => a.iter().collect(),
        _ => Vec::new(),
    };
    if children.is_empty() {
        return;
    }
    out.push(v.clone());
    for c in children {
        recursive_child(c, out);
    }
}

fn recursive_child(v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Object(_) | Value::Array(_) => recursive(v, out),
        // Leaves are part of the next step's input only through their
        // parents (a field step selects them).
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(t: &str, v: &Value) -> String {
        JsonPath::parse(t).unwrap().execute(v).unwrap()
    }

    fn pods() -> Value {
        json!({"kind": "List", "items": [
            {"metadata": {"name": "web-1", "labels": {"app": "web"}}, "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]},
             "status": {"phase": "Running", "podIP": "10.244.1.5", "conditions": [{"type": "Ready", "status": "True"}, {"type": "PodScheduled", "status": "True"}]}},
            {"metadata": {"name": "web-2", "labels": {"app": "web"}}, "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}, {"name": "side", "image": "busybox"}]},
             "status": {"phase": "Pending", "conditions": [{"type": "Ready", "status": "False"}]}}
        ]})
    }

    /// client-go `jsonpath_test.go` (TestJSONPath / TestKubernetes) shapes.
    #[test]
    fn kubectl_examples() {
        let v = pods();
        assert_eq!(run("{.items[*].metadata.name}", &v), "web-1 web-2");
        assert_eq!(
            run("{range .items[*]}{.metadata.name}{\"\\n\"}{end}", &v),
            "web-1\nweb-2\n"
        );
        assert_eq!(run("{.items[0].status.podIP}", &v), "10.244.1.5");
        assert_eq!(run("{.items[-1].metadata.name}", &v), "web-2");
        assert_eq!(
            run("{.items[*].spec.containers[*].image}", &v),
            "nginx:1.27 nginx:1.27 busybox"
        );
        assert_eq!(
            run(
                "{.items[0].status.conditions[?(@.type==\"Ready\")].status}",
                &v
            ),
            "True"
        );
        assert_eq!(
            run("{.items[?(@.status.phase==\"Pending\")].metadata.name}", &v),
            "web-2"
        );
        assert_eq!(run("{.items[0].metadata.labels}", &v), "{\"app\":\"web\"}");
        assert_eq!(run("{..image}", &v), "nginx:1.27 nginx:1.27 busybox");
        assert_eq!(run("name: {.items[0].metadata.name}", &v), "name: web-1");
        assert_eq!(run("{.items[0].metadata['name']}", &v), "web-1");
        assert_eq!(run("{.items[*]['metadata.name']}", &v), "web-1 web-2");
        assert_eq!(
            run("{.items[0].metadata.name,.items[1].metadata.name}", &v),
            "web-1 web-2"
        );
        assert_eq!(run("{.items[0:1].metadata.name}", &v), "web-1");
        assert_eq!(
            run("{.items[?(@.status.podIP)].metadata.name}", &v),
            "web-1"
        );
        assert_eq!(run("{.missing}", &v), "");
        assert_eq!(
            run(
                "{range .items[*]}[{.metadata.name}, {.status.phase}] {end}",
                &v
            ),
            "[web-1, Running] [web-2, Pending] "
        );
    }

    #[test]
    fn errors_are_reported() {
        assert!(JsonPath::parse("{.items[").is_err());
        assert!(JsonPath::parse("{.a").is_err());
        let strict = JsonPath::parse("{.missing}")
            .unwrap()
            .allow_missing_keys(false);
        assert_eq!(strict.execute(&pods()).unwrap_err(), "missing is not found");
        let oob = JsonPath::parse("{.items[5]}").unwrap();
        assert_eq!(
            oob.execute(&pods()).unwrap_err(),
            "array index out of bounds: index 5, length 2"
        );
    }

    #[test]
    fn relaxed_expressions() {
        assert_eq!(relaxed(".metadata.name").unwrap(), "{.metadata.name}");
        assert_eq!(relaxed("metadata.name").unwrap(), "{.metadata.name}");
        assert_eq!(relaxed("{.metadata.name}").unwrap(), "{.metadata.name}");
        assert!(relaxed("{.a}{.b}").is_err());
    }
}
