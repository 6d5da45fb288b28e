//! kubectl's `-o go-template`: Go's `text/template` over the object's JSON
//! (as `k8s.io/cli-runtime/pkg/printers/template.go` runs it, missing keys
//! printing `<no value>`). Supported: text, `{{- -}}` trimming, comments,
//! field chains (`.a.b`, `$x.a`, `$`), literals, pipelines with `|`,
//! parentheses, variables (`:=`, `=`), `if`/`else if`/`else`, `range`
//! (with `$i, $e :=` and `else`), `with`, `define`/`template`, and the
//! builtin functions `and or not len index print printf println eq ne lt
//! le gt ge html js urlquery slice`, plus kubectl's `base64decode`.

use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
enum Node {
    Text(String),
    Action(Pipe),
    If(Pipe, Vec<Node>, Vec<Node>),
    Range(Pipe, Vec<Node>, Vec<Node>),
    With(Pipe, Vec<Node>, Vec<Node>),
    Template(String, Option<Pipe>),
}

#[derive(Clone, Debug)]
struct Pipe {
    decl: Vec<String>,
    /// `=` instead of `:=`
    assign: bool,
    cmds: Vec<Vec<Arg>>,
}

#[derive(Clone, Debug)]
enum Arg {
    Dot,
    /// `.a.b` on dot
    Field(Vec<String>),
    /// `$x.a.b`
    Var(String, Vec<String>),
    Ident(String),
    Str(String),
    Num(Value),
    Bool(bool),
    Nil,
    Sub(Pipe, Vec<String>),
}

/// A parsed template with its `define`d templates.
pub struct Template {
    main: Vec<Node>,
    defs: BTreeMap<String, Vec<Node>>,
}

/// A value while executing: JSON, or "no value" (a missing key).
#[derive(Clone, Debug, PartialEq)]
enum V {
    Json(Value),
    Missing,
}

impl V {
    fn truthy(&self) -> bool {
        match self {
            V::Missing => false,
            V::Json(v) => match v {
                Value::Null => false,
                Value::Bool(b) => *b,
                Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
                Value::String(s) => !s.is_empty(),
                Value::Array(a) => !a.is_empty(),
                Value::Object(m) => !m.is_empty(),
            },
        }
    }
    fn json(&self) -> Value {
        match self {
            V::Json(v) => v.clone(),
            V::Missing => Value::Null,
        }
    }
}

impl Template {
    pub fn parse(text: &str) -> Result<Template, String> {
        let toks = lex(text)?;
        let mut p = Parser { toks, pos: 0 };
        let mut defs = BTreeMap::new();
        let (main, end) = p.nodes(&mut defs)?;
        if let Some(e) = end {
            return Err(format!("template: unexpected {{{{{e}}}}}"));
        }
        Ok(Template { main, defs })
    }

    pub fn execute(&self, data: &Value) -> Result<String, String> {
        let mut out = String::new();
        let mut vars = vec![("$".to_string(), V::Json(data.clone()))];
        let dot = V::Json(data.clone());
        self.exec(&self.main, &dot, &mut vars, &mut out, 0)?;
        Ok(out)
    }

    fn exec(
        &self,
        nodes: &[Node],
        dot: &V,
        vars: &mut Vec<(String, V)>,
        out: &mut String,
        depth: usize,
    ) -> Result<(), String> {
        if depth > 100 {
            return Err("template: exceeded maximum template depth (100000)".into());
        }
        for n in nodes {
            match n {
                Node::Text(t) => out.push_str(t),
                Node::Action(p) => {
                    let v = self.pipe(p, dot, vars)?;
                    if p.decl.is_empty() {
                        out.push_str(&print_value(&v));
                    }
                }
                Node::If(p, then, els) => {
                    let mark = vars.len();
                    let v = self.pipe(p, dot, vars)?;
                    if v.truthy() {
                        self.exec(then, dot, vars, out, depth + 1)?;
                    } else {
                        self.exec(els, dot, vars, out, depth + 1)?;
                    }
                    vars.truncate(mark);
                }
                Node::With(p, body, els) => {
                    let mark = vars.len();
                    let v = self.pipe(p, dot, vars)?;
                    if v.truthy() {
                        self.exec(body, &v, vars, out, depth + 1)?;
                    } else {
                        self.exec(els, dot, vars, out, depth + 1)?;
                    }
                    vars.truncate(mark);
                }
                Node::Range(p, body, els) => {
                    let mark = vars.len();
                    let mut inner = p.clone();
                    let decl = std::mem::take(&mut inner.decl);
                    let v = self.pipe(&inner, dot, vars)?;
                    let items: Vec<(Value, Value)> = match v.json() {
                        Value::Array(a) => a
                            .into_iter()
                            .enumerate()
                            .map(|(i, x)| (Value::from(i as i64), x))
                            .collect(),
                        Value::Object(m) => {
                            let mut keys: Vec<String> = m.keys().cloned().collect();
                            keys.sort();
                            keys.into_iter()
                                .map(|k| {
                                    let x = m[&k].clone();
                                    (Value::String(k), x)
                                })
                                .collect()
                        }
                        Value::Number(n) if n.is_i64() => (0..n.as_i64().unwrap_or(0))
                            .map(|i| (Value::from(i), Value::from(i)))
                            .collect(),
                        Value::Null => Vec::new(),
                        other => {
                            return Err(format!(
                                "range can't iterate over {}",
                                print_value(&V::Json(other))
                            ))
                        }
                    };
                    if items.is_empty() {
                        self.exec(els, dot, vars, out, depth + 1)?;
                    }
                    for (k, x) in items {
                        let m2 = vars.len();
                        match decl.as_slice() {
                            [e] => vars.push((e.clone(), V::Json(x.clone()))),
                            [i, e] => {
                                vars.push((i.clone(), V::Json(k)));
                                vars.push((e.clone(), V::Json(x.clone())));
                            }
                            _ => {}
                        }
                        self.exec(body, &V::Json(x), vars, out, depth + 1)?;
                        vars.truncate(m2);
                    }
                    vars.truncate(mark);
                }
                Node::Template(name, p) => {
                    let body = self
                        .defs
                        .get(name)
                        .ok_or_else(|| format!("template: no such template \"{name}\""))?;
                    let d = match p {
                        Some(p) => self.pipe(p, dot, vars)?,
                        None => V::Missing,
                    };
                    let mut inner_vars = vec![("$".to_string(), d.clone())];
                    self.exec(body, &d, &mut inner_vars, out, depth + 1)?;
                }
            }
        }
        Ok(())
    }

    fn pipe(&self, p: &Pipe, dot: &V, vars: &mut Vec<(String, V)>) -> Result<V, String> {
        let mut last: Option<V> = None;
        for cmd in &p.cmds {
            last = Some(self.command(cmd, dot, vars, last)?);
        }
        let v = last.unwrap_or(V::Missing);
        if !p.decl.is_empty() {
            let name = &p.decl[0];
            if p.assign {
                match vars.iter_mut().rev().find(|(n, _)| n == name) {
                    Some(slot) => slot.1 = v.clone(),
                    None => return Err(format!("undefined variable: {name}")),
                }
            } else {
                vars.push((name.clone(), v.clone()));
            }
        }
        Ok(v)
    }

    fn command(
        &self,
        cmd: &[Arg],
        dot: &V,
        vars: &mut Vec<(String, V)>,
        piped: Option<V>,
    ) -> Result<V, String> {
        let Some(first) = cmd.first() else {
            return Err("empty command".into());
        };
        if let Arg::Ident(name) = first {
            let mut args = Vec::new();
            for a in &cmd[1..] {
                args.push(self.arg(a, dot, vars)?);
            }
            if let Some(p) = piped {
                args.push(p);
            }
            return call(name, &args);
        }
        if cmd.len() > 1 || piped.is_some() {
            return Err(format!(
                "can't give argument to non-function {}",
                describe_arg(first)
            ));
        }
        self.arg(first, dot, vars)
    }

    fn arg(&self, a: &Arg, dot: &V, vars: &mut Vec<(String, V)>) -> Result<V, String> {
        Ok(match a {
            Arg::Dot => dot.clone(),
            Arg::Field(path) => walk(dot.clone(), path),
            Arg::Var(name, path) => {
                let v = vars
                    .iter()
                    .rev()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.clone())
                    .ok_or_else(|| format!("undefined variable \"{name}\""))?;
                walk(v, path)
            }
            Arg::Str(s) => V::Json(Value::String(s.clone())),
            Arg::Num(n) => V::Json(n.clone()),
            Arg::Bool(b) => V::Json(Value::Bool(*b)),
            Arg::Nil => V::Json(Value::Null),
            Arg::Ident(name) => call(name, &[])?,
            Arg::Sub(p, path) => {
                let v = self.pipe(p, dot, vars)?;
                walk(v, path)
            }
        })
    }
}

fn describe_arg(a: &Arg) -> String {
    match a {
        Arg::Field(p) => format!(".{}", p.join(".")),
        Arg::Str(s) => format!("{s:?}"),
        _ => "value".into(),
    }
}

fn walk(mut v: V, path: &[String]) -> V {
    for f in path {
        v = match v {
            V::Json(Value::Object(m)) => match m.get(f) {
                Some(x) => V::Json(x.clone()),
                None => V::Missing,
            },
            _ => V::Missing,
        };
    }
    v
}

/// Go's fmt `%v` of an unstructured value, as template output.
fn print_value(v: &V) -> String {
    match v {
        V::Missing => "<no value>".into(),
        V::Json(j) => go_fmt(j, true),
    }
}

fn go_fmt(v: &Value, top: bool) -> String {
    match v {
        Value::Null => {
            if top {
                "<no value>".into()
            } else {
                "<nil>".into()
            }
        }
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => go_number(n),
        Value::String(s) => s.clone(),
        Value::Array(a) => format!(
            "[{}]",
            a.iter()
                .map(|x| go_fmt(x, false))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            format!(
                "map[{}]",
                keys.iter()
                    .map(|k| format!("{k}:{}", go_fmt(&m[*k], false)))
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        }
    }
}

fn go_number(n: &serde_json::Number) -> String {
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    let f = n.as_f64().unwrap_or(0.0);
    if f.fract() == 0.0 && f.abs() < 1e21 {
        // %v of a float64 without fraction: "3", but exponent form when large.
        if f.abs() >= 1e21 {
            return format!("{f:e}");
        }
        return format!("{f}");
    }
    format!("{f}")
}

fn num(v: &V) -> Option<f64> {
    match v {
        V::Json(Value::Number(n)) => n.as_f64(),
        _ => None,
    }
}

fn cmp(a: &V, b: &V) -> Result<std::cmp::Ordering, String> {
    match (a, b) {
        (V::Json(Value::String(x)), V::Json(Value::String(y))) => Ok(x.cmp(y)),
        _ => match (num(a), num(b)) {
            (Some(x), Some(y)) => x.partial_cmp(&y).ok_or_else(|| "incomparable".to_string()),
            _ => Err("incompatible types for comparison".into()),
        },
    }
}

fn call(name: &str, args: &[V]) -> Result<V, String> {
    let need = |n: usize| -> Result<(), String> {
        if args.len() < n {
            Err(format!(
                "wrong number of args for {name}: want {n} got {}",
                args.len()
            ))
        } else {
            Ok(())
        }
    };
    Ok(match name {
        "and" => {
            need(1)?;
            args.iter()
                .find(|a| !a.truthy())
                .cloned()
                .unwrap_or_else(|| args[args.len() - 1].clone())
        }
        "or" => {
            need(1)?;
            args.iter()
                .find(|a| a.truthy())
                .cloned()
                .unwrap_or_else(|| args[args.len() - 1].clone())
        }
        "not" => {
            need(1)?;
            V::Json(Value::Bool(!args[0].truthy()))
        }
        "len" => {
            need(1)?;
            let n = match args[0].json() {
                Value::String(s) => s.len(),
                Value::Array(a) => a.len(),
                Value::Object(m) => m.len(),
                _ => return Err("error calling len: len of nil pointer".into()),
            };
            V::Json(Value::from(n as i64))
        }
        "index" => {
            need(1)?;
            let mut v = args[0].clone();
            for k in &args[1..] {
                v = match (v.json(), k.json()) {
                    (Value::Object(m), Value::String(s)) => m
                        .get(&s)
                        .cloned()
                        .map(V::Json)
                        .unwrap_or(V::Json(Value::Null)),
                    (Value::Array(a), Value::Number(n)) => {
                        let i = n.as_i64().unwrap_or(-1);
                        if i < 0 || i as usize >= a.len() {
                            return Err(format!("error calling index: index out of range: {i}"));
                        }
                        V::Json(a[i as usize].clone())
                    }
                    (Value::Null, _) => V::Json(Value::Null),
                    _ => return Err("error calling index: cannot index".into()),
                };
            }
            v
        }
        "slice" => {
            need(1)?;
            let idx: Vec<i64> = args[1..]
                .iter()
                .filter_map(|a| num(a).map(|f| f as i64))
                .collect();
            match args[0].json() {
                Value::String(s) => {
                    let a = idx.first().copied().unwrap_or(0) as usize;
                    let b = idx.get(1).copied().map(|b| b as usize).unwrap_or(s.len());
                    V::Json(Value::String(s.get(a..b).unwrap_or("").to_string()))
                }
                Value::Array(arr) => {
                    let a = idx.first().copied().unwrap_or(0) as usize;
                    let b = idx.get(1).copied().map(|b| b as usize).unwrap_or(arr.len());
                    V::Json(Value::Array(
                        arr.get(a..b).map(|s| s.to_vec()).unwrap_or_default(),
                    ))
                }
                _ => return Err("error calling slice: can't slice item".into()),
            }
        }
        "print" => {
            let parts: Vec<String> = args.iter().map(print_value).collect();
            // Go's Sprint adds spaces between operands when neither is a string.
            let mut s = String::new();
            for (i, p) in parts.iter().enumerate() {
                if i > 0
                    && !matches!(args[i], V::Json(Value::String(_)))
                    && !matches!(args[i - 1], V::Json(Value::String(_)))
                {
                    s.push(' ');
                }
                s.push_str(p);
            }
            V::Json(Value::String(s))
        }
        "println" => {
            let parts: Vec<String> = args.iter().map(print_value).collect();
            V::Json(Value::String(format!("{}\n", parts.join(" "))))
        }
        "printf" => {
            need(1)?;
            let fmt = match &args[0] {
                V::Json(Value::String(s)) => s.clone(),
                other => print_value(other),
            };
            V::Json(Value::String(sprintf(&fmt, &args[1..])))
        }
        "eq" => {
            need(2)?;
            let a = &args[0];
            V::Json(Value::Bool(args[1..].iter().any(|b| {
                match (num(a), num(b)) {
                    (Some(x), Some(y)) => x == y,
                    _ => a.json() == b.json(),
                }
            })))
        }
        "ne" => {
            need(2)?;
            V::Json(Value::Bool(match (num(&args[0]), num(&args[1])) {
                (Some(x), Some(y)) => x != y,
                _ => args[0].json() != args[1].json(),
            }))
        }
        "lt" | "le" | "gt" | "ge" => {
            need(2)?;
            let o = cmp(&args[0], &args[1]).map_err(|e| format!("error calling {name}: {e}"))?;
            V::Json(Value::Bool(match name {
                "lt" => o.is_lt(),
                "le" => o.is_le(),
                "gt" => o.is_gt(),
                _ => o.is_ge(),
            }))
        }
        "html" => {
            let s: String = args.iter().map(print_value).collect();
            V::Json(Value::String(
                s.replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
                    .replace('"', "&#34;")
                    .replace('\'', "&#39;"),
            ))
        }
        "js" | "urlquery" => V::Json(Value::String(args.iter().map(print_value).collect())),
        "base64decode" => {
            need(1)?;
            let s = print_value(&args[0]);
            let b = crate::cli::shell::builtins::base64_decode(&s)
                .ok_or_else(|| "error calling base64decode: illegal base64 data".to_string())?;
            V::Json(Value::String(String::from_utf8_lossy(&b).to_string()))
        }
        other => return Err(format!("function \"{other}\" not defined")),
    })
}

/// Go's fmt verbs as far as templates use them: `%s %v %d %q %t %f %x %%`,
/// with width and `-` flags.
fn sprintf(fmt: &str, args: &[V]) -> String {
    let mut out = String::new();
    let mut it = fmt.chars().peekable();
    let mut ai = 0;
    while let Some(c) = it.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut flags = String::new();
        while let Some(&d) = it.peek() {
            if d == '-' || d == '+' || d == '0' || d == ' ' || d == '#' {
                flags.push(d);
                it.next();
            } else {
                break;
            }
        }
        let mut width = String::new();
        while let Some(&d) = it.peek() {
            if d.is_ascii_digit() || d == '.' {
                width.push(d);
                it.next();
            } else {
                break;
            }
        }
        let Some(verb) = it.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.get(ai) else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        ai += 1;
        let (w, prec) = match width.split_once('.') {
            Some((w, p)) => (w.parse::<usize>().unwrap_or(0), p.parse::<usize>().ok()),
            None => (width.parse::<usize>().unwrap_or(0), None),
        };
        let s = match verb {
            's' | 'v' => print_value(arg),
            'q' => format!("{:?}", print_value(arg)),
            'd' => num(arg)
                .map(|f| (f as i64).to_string())
                .unwrap_or_else(|| format!("%!d({})", print_value(arg))),
            'f' => num(arg)
                .map(|f| format!("{:.*}", prec.unwrap_or(6), f))
                .unwrap_or_default(),
            't' => print_value(arg),
            'x' => match arg {
                V::Json(Value::Number(n)) => format!("{:x}", n.as_i64().unwrap_or(0)),
                other => print_value(other)
                    .bytes()
                    .map(|b| format!("{b:02x}"))
                    .collect(),
            },
            other => format!("%!{other}({})", print_value(arg)),
        };
        if flags.contains('-') {
            out.push_str(&format!("{s:<w$}"));
        } else {
            out.push_str(&format!("{s:>w$}"));
        }
    }
    if ai < args.len() {
        out.push_str("%!(EXTRA ");
        out.push_str(
            &args[ai..]
                .iter()
                .map(print_value)
                .collect::<Vec<_>>()
                .join(", "),
        );
        out.push(')');
    }
    out
}

// ----- lexing and parsing ---------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Text(String),
    Action(String),
}

fn lex(text: &str) -> Result<Vec<Tok>, String> {
    let mut toks = Vec::new();
    let mut rest = text;
    let mut trim_next = false;
    while !rest.is_empty() {
        match rest.find("{{") {
            None => {
                let t = if trim_next { rest.trim_start() } else { rest };
                if !t.is_empty() {
                    toks.push(Tok::Text(t.to_string()));
                }
                break;
            }
            Some(i) => {
                let mut t = &rest[..i];
                if trim_next {
                    t = t.trim_start();
                }
                let after = &rest[i + 2..];
                let trim_left =
                    after.starts_with("- ") || after.starts_with("-\t") || after.starts_with("-\n");
                if trim_left {
                    t = t.trim_end();
                }
                if !t.is_empty() {
                    toks.push(Tok::Text(t.to_string()));
                }
                let body_start = if trim_left { &after[1..] } else { after };
                let close = find_action_end(body_start)
                    .ok_or_else(|| "template: unclosed action".to_string())?;
                let mut body = &body_start[..close];
                trim_next = false;
                if body.ends_with(" -") || body.ends_with("\t-") || body.ends_with("\n-") {
                    body = &body[..body.len() - 1];
                    trim_next = true;
                }
                let body = body.trim();
                if !(body.starts_with("/*") && body.ends_with("*/")) {
                    toks.push(Tok::Action(body.to_string()));
                }
                rest = &body_start[close + 2..];
            }
        }
    }
    Ok(toks)
}

/// The `}}` ending an action, skipping quoted strings.
fn find_action_end(s: &str) -> Option<usize> {
    let b: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut byte = 0;
    let mut quote: Option<char> = None;
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(q) => {
                if c == '\\' && q == '"' {
                    byte += c.len_utf8();
                    i += 1;
                    if i < b.len() {
                        byte += b[i].len_utf8();
                    }
                    i += 1;
                    continue;
                }
                if c == q {
                    quote = None;
                }
            }
            None => {
                if c == '"' || c == '`' || c == '\'' {
                    quote = Some(c);
                } else if c == '}' && b.get(i + 1) == Some(&'}') {
                    return Some(byte);
                }
            }
        }
        byte += c.len_utf8();
        i += 1;
    }
    None
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    /// Nodes until `end`, `else...` or the end; returns the stopping action.
    fn nodes(
        &mut self,
        defs: &mut BTreeMap<String, Vec<Node>>,
    ) -> Result<(Vec<Node>, Option<String>), String> {
        let mut nodes = Vec::new();
        while self.pos < self.toks.len() {
            let t = self.toks[self.pos].clone();
            self.pos += 1;
            match t {
                Tok::Text(s) => nodes.push(Node::Text(s)),
                Tok::Action(a) => {
                    let word = a.split_whitespace().next().unwrap_or("");
                    match word {
                        "end" => return Ok((nodes, Some("end".into()))),
                        "else" => return Ok((nodes, Some(a))),
                        "if" | "with" | "range" => {
                            let pipe = parse_pipe(a[word.len()..].trim())?;
                            let (body, stop) = self.nodes(defs)?;
                            let mut els = Vec::new();
                            match stop.as_deref() {
                                Some("end") => {}
                                Some(e) if e.starts_with("else") => {
                                    let rest = e["else".len()..].trim();
                                    if rest.starts_with("if ") || rest.starts_with("with ") {
                                        // `else if` chains: parse as a nested if ending at the same end.
                                        self.pos -= 1;
                                        self.toks[self.pos] = Tok::Action(rest.to_string());
                                        let (n, _) = self.nodes_one(defs)?;
                                        els = n;
                                    } else {
                                        let (e2, stop2) = self.nodes(defs)?;
                                        if stop2.as_deref() != Some("end") {
                                            return Err(format!(
                                                "template: missing end for {word}"
                                            ));
                                        }
                                        els = e2;
                                    }
                                }
                                _ => return Err(format!("template: unexpected EOF in {word}")),
                            }
                            nodes.push(match word {
                                "if" => Node::If(pipe, body, els),
                                "with" => Node::With(pipe, body, els),
                                _ => Node::Range(pipe, body, els),
                            });
                        }
                        "define" => {
                            let name = a["define".len()..].trim().trim_matches('"').to_string();
                            let (body, stop) = self.nodes(defs)?;
                            if stop.as_deref() != Some("end") {
                                return Err("template: missing end for define".into());
                            }
                            defs.insert(name, body);
                        }
                        "template" | "block" => {
                            let rest = a[word.len()..].trim();
                            let (name, pipe) = match rest
                                .strip_prefix('"')
                                .and_then(|r| r.split_once('"'))
                            {
                                Some((n, p)) => (n.to_string(), p.trim()),
                                None => return Err("template: template name must be quoted".into()),
                            };
                            let pipe = if pipe.is_empty() {
                                None
                            } else {
                                Some(parse_pipe(pipe)?)
                            };
                            nodes.push(Node::Template(name, pipe));
                        }
                        _ => nodes.push(Node::Action(parse_pipe(&a)?)),
                    }
                }
            }
        }
        Ok((nodes, None))
    }

    /// One `if`/`with` node (for `else if`), which consumes the shared `end`.
    fn nodes_one(
        &mut self,
        defs: &mut BTreeMap<String, Vec<Node>>,
    ) -> Result<(Vec<Node>, Option<String>), String> {
        let t = self.toks[self.pos].clone();
        self.pos += 1;
        let Tok::Action(a) = t else {
            return Err("template: bad else".into());
        };
        let word = a.split_whitespace().next().unwrap_or("");
        let pipe = parse_pipe(a[word.len()..].trim())?;
        let (body, stop) = self.nodes(defs)?;
        let mut els = Vec::new();
        match stop.as_deref() {
            Some("end") => {}
            Some(e) if e.starts_with("else") => {
                let rest = e["else".len()..].trim();
                if rest.starts_with("if ") || rest.starts_with("with ") {
                    self.pos -= 1;
                    self.toks[self.pos] = Tok::Action(rest.to_string());
                    els = self.nodes_one(defs)?.0;
                } else {
                    let (e2, s2) = self.nodes(defs)?;
                    if s2.as_deref() != Some("end") {
                        return Err("template: missing end".into());
                    }
                    els = e2;
                }
            }
            _ => return Err("template: unexpected EOF".into()),
        }
        let node = if word == "with" {
            Node::With(pipe, body, els)
        } else {
            Node::If(pipe, body, els)
        };
        Ok((vec![node], None))
    }
}

fn parse_pipe(s: &str) -> Result<Pipe, String> {
    let toks = tokenize_args(s)?;
    let mut decl = Vec::new();
    let mut assign = false;
    let mut start = 0;
    // `$x := ...`, `$i, $e := ...`, `$x = ...`
    if let Some(pos) = toks.iter().position(|t| t == ":=" || t == "=") {
        let names: Vec<String> = toks[..pos].iter().filter(|t| *t != ",").cloned().collect();
        if names.iter().all(|n| n.starts_with('$')) && !names.is_empty() {
            assign = toks[pos] == "=";
            decl = names;
            start = pos + 1;
        }
    }
    let mut cmds = Vec::new();
    let mut cur = Vec::new();
    for t in &toks[start..] {
        if t == "|" {
            if cur.is_empty() {
                return Err("template: missing command".into());
            }
            cmds.push(std::mem::take(&mut cur));
        } else {
            cur.push(parse_arg(t)?);
        }
    }
    if !cur.is_empty() {
        cmds.push(cur);
    }
    if cmds.is_empty() {
        return Err("template: missing value for command".into());
    }
    Ok(Pipe { decl, assign, cmds })
}

fn tokenize_args(s: &str) -> Result<Vec<String>, String> {
    let c: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        if ch.is_whitespace() {
            i += 1;
        } else if ch == '"' {
            let start = i;
            i += 1;
            while i < c.len() && c[i] != '"' {
                if c[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push(c[start..i.min(c.len())].iter().collect());
        } else if ch == '`' {
            let start = i;
            i += 1;
            while i < c.len() && c[i] != '`' {
                i += 1;
            }
            i += 1;
            out.push(c[start..i.min(c.len())].iter().collect());
        } else if ch == '(' {
            let start = i;
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '(' {
                    depth += 1;
                } else if c[i] == ')' {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                i += 1;
            }
            i += 1;
            // A field chain may follow: (pipe).a.b
            while i < c.len() && !c[i].is_whitespace() && c[i] != '|' {
                i += 1;
            }
            out.push(c[start..i.min(c.len())].iter().collect());
        } else if ch == '|' || ch == ',' {
            out.push(ch.to_string());
            i += 1;
        } else if ch == ':' && c.get(i + 1) == Some(&'=') {
            out.push(":=".into());
            i += 2;
        } else {
            let start = i;
            while i < c.len() && !c[i].is_whitespace() && c[i] != '|' && c[i] != ',' && c[i] != '('
            {
                if c[i] == ':' && c.get(i + 1) == Some(&'=') {
                    break;
                }
                i += 1;
            }
            out.push(c[start..i].iter().collect());
        }
    }
    Ok(out)
}

fn parse_arg(t: &str) -> Result<Arg, String> {
    if t == "." {
        return Ok(Arg::Dot);
    }
    if let Some(rest) = t.strip_prefix('.') {
        return Ok(Arg::Field(rest.split('.').map(str::to_string).collect()));
    }
    if let Some(rest) = t.strip_prefix('$') {
        let mut parts = rest.split('.');
        let name = format!("${}", parts.next().unwrap_or(""));
        return Ok(Arg::Var(name, parts.map(str::to_string).collect()));
    }
    if t.starts_with('"') {
        let inner = t.trim_start_matches('"').trim_end_matches('"');
        return Ok(Arg::Str(unquote_go(inner)));
    }
    if t.starts_with('`') {
        return Ok(Arg::Str(t.trim_matches('`').to_string()));
    }
    if t.starts_with('\'') && t.ends_with('\'') && t.len() >= 3 {
        let ch = t[1..t.len() - 1].chars().next().unwrap_or(' ');
        return Ok(Arg::Num(Value::from(ch as i64)));
    }
    if t.starts_with('(') {
        let close = t.rfind(')').ok_or("template: unclosed left paren")?;
        let inner = &t[1..close];
        let path: Vec<String> = t[close + 1..]
            .split('.')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        return Ok(Arg::Sub(parse_pipe(inner)?, path));
    }
    match t {
        "true" => return Ok(Arg::Bool(true)),
        "false" => return Ok(Arg::Bool(false)),
        "nil" => return Ok(Arg::Nil),
        _ => {}
    }
    if let Ok(n) = t.parse::<i64>() {
        return Ok(Arg::Num(Value::from(n)));
    }
    if let Ok(f) = t.parse::<f64>() {
        return Ok(Arg::Num(
            serde_json::Number::from_f64(f)
                .map(Value::Number)
                .unwrap_or(Value::Null),
        ));
    }
    if t.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return Ok(Arg::Ident(t.to_string()));
    }
    Err(format!("template: unexpected \"{t}\" in command"))
}

fn unquote_go(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('\\') => out.push('\\'),
                Some('"') => out.push('"'),
                Some(o) => {
                    out.push('\\');
                    out.push(o)
                }
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(t: &str, v: &Value) -> String {
        Template::parse(t).unwrap().execute(v).unwrap()
    }

    #[test]
    fn workshop_templates() {
        let svc = json!({"spec": {"clusterIP": "10.96.0.12", "ports": [{"port": 80}, {"port": 443}]}, "metadata": {"name": "blue", "labels": {"app": "blue"}}});
        assert_eq!(run("{{.spec.clusterIP}}", &svc), "10.96.0.12");
        assert_eq!(run("{{ .spec.clusterIP }}", &svc), "10.96.0.12");
        assert_eq!(
            run("{{range .spec.ports}}{{.port}} {{end}}", &svc),
            "80 443 "
        );
        assert_eq!(run("{{index .metadata.labels \"app\"}}", &svc), "blue");
        assert_eq!(run("{{.spec.nothing}}", &svc), "<no value>");
        assert_eq!(
            run(
                "{{if eq .metadata.name \"blue\"}}yes{{else}}no{{end}}",
                &svc
            ),
            "yes"
        );
        assert_eq!(run("{{len .spec.ports}}", &svc), "2");
        assert_eq!(
            run(
                "{{range $i, $p := .spec.ports}}{{$i}}={{$p.port}};{{end}}",
                &svc
            ),
            "0=80;1=443;"
        );
        assert_eq!(run("{{- .metadata.name -}}\n", &svc), "blue");
        assert_eq!(
            run("{{printf \"%s:%d\" .metadata.name 80}}", &svc),
            "blue:80"
        );
        assert_eq!(run("{{.metadata.name | printf \"%q\"}}", &svc), "\"blue\"");
        assert_eq!(
            run("{{with .spec}}{{.clusterIP}}{{end}}", &svc),
            "10.96.0.12"
        );
        assert_eq!(
            run("{{if .x}}a{{else if .spec}}b{{else}}c{{end}}", &svc),
            "b"
        );
        assert_eq!(run("{{/* comment */}}x", &svc), "x");
        assert_eq!(run("{{.metadata.labels}}", &svc), "map[app:blue]");
    }

    #[test]
    fn errors() {
        assert!(Template::parse("{{.a").is_err());
        assert!(Template::parse("{{if .a}}x").is_err());
        assert!(Template::parse("{{nosuch .a}}")
            .unwrap()
            .execute(&json!({}))
            .is_err());
    }
}
