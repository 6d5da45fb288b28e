//! `-o go-template=...` / `--template`: the subset of Go's `text/template`
//! that workshop lines and everyday kubectl use — `{{.a.b}}`, `{{"\n"}}`,
//! `{{range .items}}...{{else}}...{{end}}`, `{{range $i, $e := ...}}`,
//! `{{if}}`/`{{else if}}`/`{{else}}`, `{{with}}`, variables, pipelines,
//! parentheses, comments, `{{-`/`-}}` trimming, and the functions `index`,
//! `len`, `printf`, `print`, `println`, `eq`, `ne`, `lt`, `le`, `gt`, `ge`,
//! `and`, `or`, `not`, plus kubectl's `exists` and `base64decode`
//! (`cli-runtime/pkg/printers/template.go`).
//!
//! Data is the object decoded as `map[string]interface{}` by
//! `encoding/json`, so every number is a float64 (`{{.spec.replicas}}`
//! prints `3`, a million prints `1e+06`), a missing key prints
//! `<no value>` and a missing `index` key prints `<nil>`, as in kubectl.
//! The `gtmpl` crate was considered: it is unmaintained since 2021 and does
//! not reproduce these Go/kubectl printing rules.

use super::gofmt::{go_float_g, go_sprint};
use serde_json::Value;

/// A template value: `Missing` is Go's invalid reflect.Value (a missing map
/// key), printed as `<no value>`.
#[derive(Clone, Debug, PartialEq)]
enum V {
    Missing,
    J(Value),
}

impl V {
    fn truthy(&self) -> bool {
        match self {
            V::Missing => false,
            V::J(Value::Null) => false,
            V::J(Value::Bool(b)) => *b,
            V::J(Value::Number(n)) => n.as_f64().unwrap_or(0.0) != 0.0,
            V::J(Value::String(s)) => !s.is_empty(),
            V::J(Value::Array(a)) => !a.is_empty(),
            V::J(Value::Object(m)) => !m.is_empty(),
        }
    }
    fn print(&self) -> String {
        match self {
            V::Missing => "<no value>".into(),
            V::J(Value::Number(n)) => go_float_g(n.as_f64().unwrap_or(0.0)),
            V::J(v) => sprint_float(v),
        }
    }
}

/// `fmt.Sprint` with every number as a float64.
fn sprint_float(v: &Value) -> String {
    match v {
        Value::Number(n) => go_float_g(n.as_f64().unwrap_or(0.0)),
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(sprint_float).collect::<Vec<_>>().join(" ")
        ),
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            format!(
                "map[{}]",
                keys.iter()
                    .map(|k| format!("{k}:{}", sprint_float(&m[*k])))
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        }
        other => go_sprint(other),
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Arg {
    Dot(Vec<String>),
    Var(String, Vec<String>),
    Str(String),
    Num(f64),
    Bool(bool),
    Nil,
    Func(String),
    Pipe(Box<Pipeline>, Vec<String>),
}

#[derive(Clone, Debug, PartialEq, Default)]
struct Pipeline {
    decl: Vec<String>,
    assign: bool,
    cmds: Vec<Vec<Arg>>,
}

#[derive(Clone, Debug, PartialEq)]
enum Node {
    Text(String),
    Action(Pipeline),
    If(Pipeline, Vec<Node>, Vec<Node>),
    With(Pipeline, Vec<Node>, Vec<Node>),
    Range(Pipeline, Vec<Node>, Vec<Node>),
}

/// A parsed template.
#[derive(Clone, Debug)]
pub struct GoTemplate {
    nodes: Vec<Node>,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Text(String),
    Action(String),
}

/// Splits the template into text and `{{...}}` actions, applying the trim
/// markers and dropping comments.
fn lex(src: &str) -> Result<Vec<Tok>, String> {
    let mut toks = Vec::new();
    let mut rest = src;
    let mut trim_next = false;
    while !rest.is_empty() {
        let Some(open) = rest.find("{{") else {
            let mut t = rest.to_string();
            if trim_next {
                t = t.trim_start().to_string();
            }
            if !t.is_empty() {
                toks.push(Tok::Text(t));
            }
            break;
        };
        let mut text = rest[..open].to_string();
        if trim_next {
            text = text.trim_start().to_string();
        }
        let after = &rest[open + 2..];
        let trim_left =
            after.starts_with("- ") || after.starts_with("-\t") || after.starts_with("-\n");
        if trim_left {
            text = text.trim_end().to_string();
        }
        if !text.is_empty() {
            toks.push(Tok::Text(text));
        }
        let body_start = if trim_left { 1 } else { 0 };
        let body_all = &after[body_start..];
        // Find the closing "}}" outside string literals.
        let mut close = None;
        let bytes = body_all.as_bytes();
        let mut i = 0;
        let mut quote: Option<u8> = None;
        while i < bytes.len() {
            let b = bytes[i];
            match quote {
                Some(q) => {
                    if b == b'\\' && q != b'`' {
                        i += 1;
                    } else if b == q {
                        quote = None;
                    }
                }
                None => {
                    if b == b'"' || b == b'`' || b == b'\'' {
                        quote = Some(b);
                    } else if body_all[i..].starts_with("}}") {
                        close = Some(i);
                        break;
                    }
                }
            }
            i += 1;
        }
        let Some(close) = close else {
            return Err("unclosed action".into());
        };
        let mut body = &body_all[..close];
        trim_next = false;
        if body.ends_with(" -") || body.ends_with("\t-") || body.ends_with("\n-") {
            body = &body[..body.len() - 1];
            trim_next = true;
        }
        let b = body.trim();
        if !(b.starts_with("/*") && b.ends_with("*/")) {
            toks.push(Tok::Action(b.to_string()));
        }
        rest = &body_all[close + 2..];
    }
    Ok(toks)
}

/// Tokens inside an action.
#[derive(Clone, Debug, PartialEq)]
enum Word {
    Field(Vec<String>),
    Var(String, Vec<String>),
    Str(String),
    Num(f64),
    Ident(String),
    Pipe,
    LParen,
    RParen(Vec<String>),
    Declare,
    Assign,
    Comma,
}

fn go_unquote(s: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            Some('"') => out.push('"'),
            Some('\'') => out.push('\''),
            Some('a') => out.push('\u{7}'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('v') => out.push('\u{b}'),
            Some(c @ ('x' | 'u' | 'U')) => {
                let n = match c {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let hex: String = chars.by_ref().take(n).collect();
                let v = u32::from_str_radix(&hex, 16).map_err(|_| "invalid syntax".to_string())?;
                out.push(char::from_u32(v).ok_or("invalid syntax")?);
            }
            _ => return Err("invalid syntax".into()),
        }
    }
    Ok(out)
}

fn fields_after(chars: &[char], i: &mut usize) -> Vec<String> {
    let mut fields = Vec::new();
    while *i < chars.len() && chars[*i] == '.' {
        *i += 1;
        let mut name = String::new();
        while *i < chars.len() && (chars[*i].is_alphanumeric() || chars[*i] == '_') {
            name.push(chars[*i]);
            *i += 1;
        }
        fields.push(name);
    }
    fields
}

fn words(action: &str) -> Result<Vec<Word>, String> {
    let chars: Vec<char> = action.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '|' => {
                out.push(Word::Pipe);
                i += 1;
            }
            '(' => {
                out.push(Word::LParen);
                i += 1;
            }
            ')' => {
                i += 1;
                let f = fields_after(&chars, &mut i);
                out.push(Word::RParen(f));
            }
            ',' => {
                out.push(Word::Comma);
                i += 1;
            }
            ':' if chars.get(i + 1) == Some(&'=') => {
                out.push(Word::Declare);
                i += 2;
            }
            '=' => {
                out.push(Word::Assign);
                i += 1;
            }
            '.' => {
                let f = fields_after(&chars, &mut i);
                // `.` alone is dot itself.
                let f = if f.len() == 1 && f[0].is_empty() {
                    Vec::new()
                } else {
                    f
                };
                if f.iter().any(|s| s.is_empty()) {
                    return Err(format!(
                        "bad character {:?}",
                        chars.get(i).copied().unwrap_or(' ')
                    ));
                }
                out.push(Word::Field(f));
            }
            '$' => {
                i += 1;
                let mut name = String::from("$");
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    name.push(chars[i]);
                    i += 1;
                }
                let f = fields_after(&chars, &mut i);
                out.push(Word::Var(name, f));
            }
            '"' => {
                i += 1;
                let mut raw = String::new();
                loop {
                    let Some(&c) = chars.get(i) else {
                        return Err("unterminated quoted string".into());
                    };
                    i += 1;
                    if c == '\\' {
                        raw.push(c);
                        if let Some(&n) = chars.get(i) {
                            raw.push(n);
                            i += 1;
                        }
                        continue;
                    }
                    if c == '"' {
                        break;
                    }
                    raw.push(c);
                }
                out.push(Word::Str(go_unquote(&raw)?));
            }
            '`' => {
                i += 1;
                let mut raw = String::new();
                loop {
                    let Some(&c) = chars.get(i) else {
                        return Err("unterminated raw quoted string".into());
                    };
                    i += 1;
                    if c == '`' {
                        break;
                    }
                    raw.push(c);
                }
                out.push(Word::Str(raw));
            }
            '\'' => {
                let end = chars[i + 1..]
                    .iter()
                    .position(|c| *c == '\'')
                    .ok_or("unterminated character constant")?;
                let raw: String = chars[i + 1..i + 1 + end].iter().collect();
                let s = go_unquote(&raw)?;
                let ch = s.chars().next().ok_or("empty character constant")?;
                out.push(Word::Num(ch as u32 as f64));
                i += end + 2;
            }
            c if c.is_ascii_digit()
                || ((c == '-' || c == '+')
                    && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit())) =>
            {
                let mut s = String::new();
                s.push(c);
                i += 1;
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric() || chars[i] == '.' || chars[i] == '_')
                {
                    s.push(chars[i]);
                    i += 1;
                }
                let clean = s.replace('_', "");
                let n = if let Some(h) = clean.strip_prefix("0x") {
                    i64::from_str_radix(h, 16).map(|v| v as f64).ok()
                } else {
                    clean.parse::<f64>().ok()
                };
                out.push(Word::Num(
                    n.ok_or_else(|| format!("bad number syntax: {s:?}"))?,
                ));
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut s = String::new();
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    s.push(chars[i]);
                    i += 1;
                }
                out.push(Word::Ident(s));
            }
            c => return Err(format!("unexpected {c:?} in command")),
        }
    }
    Ok(out)
}

const FUNCS: &[&str] = &[
    "index",
    "len",
    "printf",
    "print",
    "println",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "and",
    "or",
    "not",
    "exists",
    "base64decode",
    "slice",
];

fn parse_pipeline(ws: &[Word]) -> Result<Pipeline, String> {
    let mut p = Pipeline::default();
    let mut ws = ws;
    // Declarations: `$x :=`, `$i, $e :=`, `$x =`.
    let decl_at = ws
        .iter()
        .position(|w| *w == Word::Declare || *w == Word::Assign);
    if let Some(d) = decl_at {
        let vars: Vec<String> = ws[..d]
            .iter()
            .filter_map(|w| match w {
                Word::Var(n, f) if f.is_empty() => Some(n.clone()),
                _ => None,
            })
            .collect();
        let expected = ws[..d].iter().filter(|w| **w != Word::Comma).count();
        if !vars.is_empty() && vars.len() == expected {
            p.assign = ws[d] == Word::Assign;
            p.decl = vars;
            ws = &ws[d + 1..];
        }
    }
    let mut cmd: Vec<Arg> = Vec::new();
    let mut i = 0;
    while i < ws.len() {
        match &ws[i] {
            Word::Pipe => {
                if cmd.is_empty() {
                    return Err("missing command".into());
                }
                p.cmds.push(std::mem::take(&mut cmd));
            }
            Word::LParen => {
                let mut depth = 1;
                let mut j = i + 1;
                while j < ws.len() {
                    match ws[j] {
                        Word::LParen => depth += 1,
                        Word::RParen(_) => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                let Some(Word::RParen(fields)) = ws.get(j) else {
                    return Err("unclosed left paren".into());
                };
                let inner = parse_pipeline(&ws[i + 1..j])?;
                cmd.push(Arg::Pipe(Box::new(inner), fields.clone()));
                i = j;
            }
            Word::RParen(_) => return Err("unexpected right paren".into()),
            Word::Field(f) => cmd.push(Arg::Dot(f.clone())),
            Word::Var(n, f) => cmd.push(Arg::Var(n.clone(), f.clone())),
            Word::Str(s) => cmd.push(Arg::Str(s.clone())),
            Word::Num(n) => cmd.push(Arg::Num(*n)),
            Word::Ident(id) => match id.as_str() {
                "true" => cmd.push(Arg::Bool(true)),
                "false" => cmd.push(Arg::Bool(false)),
                "nil" => cmd.push(Arg::Nil),
                f if FUNCS.contains(&f) => cmd.push(Arg::Func(f.to_string())),
                f => return Err(format!("function {f:?} not defined")),
            },
            Word::Comma | Word::Declare | Word::Assign => {
                return Err("unexpected token in command".into())
            }
        }
        i += 1;
    }
    if !cmd.is_empty() {
        p.cmds.push(cmd);
    }
    if p.cmds.is_empty() {
        return Err("missing value for command".into());
    }
    Ok(p)
}

/// Parses actions into a tree; returns at `{{end}}`/`{{else}}` for blocks.
fn parse_nodes(toks: &[Tok], pos: &mut usize) -> Result<(Vec<Node>, Option<String>), String> {
    let mut nodes = Vec::new();
    while *pos < toks.len() {
        let t = toks[*pos].clone();
        *pos += 1;
        match t {
            Tok::Text(s) => nodes.push(Node::Text(s)),
            Tok::Action(a) => {
                let (kw, rest) = match a.split_once(char::is_whitespace) {
                    Some((k, r)) => (k, r.trim()),
                    None => (a.as_str(), ""),
                };
                match kw {
                    "end" => return Ok((nodes, Some("end".into()))),
                    "else" => return Ok((nodes, Some(format!("else {rest}").trim().to_string()))),
                    "if" | "with" | "range" => {
                        let pipe = parse_pipeline(&words(rest)?)?;
                        nodes.push(parse_block(toks, pos, kw, pipe)?);
                    }
                    _ => nodes.push(Node::Action(parse_pipeline(&words(&a)?)?)),
                }
            }
        }
    }
    Ok((nodes, None))
}

/// The body of an `if`/`with`/`range` up to its `{{end}}`. `{{else if
/// x}}` (and `{{else with x}}`) is a nested block that shares the `{{end}}`.
fn parse_block(toks: &[Tok], pos: &mut usize, kw: &str, pipe: Pipeline) -> Result<Node, String> {
    let (body, stop) = parse_nodes(toks, pos)?;
    let else_nodes = match stop.as_deref() {
        Some("end") => Vec::new(),
        Some("else") => {
            let (e, s) = parse_nodes(toks, pos)?;
            if s.as_deref() != Some("end") {
                return Err("unexpected EOF".into());
            }
            e
        }
        Some(s) if kw != "range" && s.starts_with(&format!("else {kw} ")) => {
            let cond = parse_pipeline(&words(&s[format!("else {kw} ").len()..])?)?;
            vec![parse_block(toks, pos, kw, cond)?]
        }
        _ => return Err("unexpected EOF".into()),
    };
    Ok(match kw {
        "if" => Node::If(pipe, body, else_nodes),
        "with" => Node::With(pipe, body, else_nodes),
        _ => Node::Range(pipe, body, else_nodes),
    })
}

struct State {
    vars: Vec<(String, V)>,
    out: String,
}

fn field_chain(mut v: V, fields: &[String]) -> Result<V, String> {
    for f in fields {
        v = match v {
            V::Missing => V::Missing,
            V::J(Value::Object(m)) => m.get(f).cloned().map(V::J).unwrap_or(V::Missing),
            V::J(Value::Null) => {
                return Err(format!("nil pointer evaluating interface {{}}.{f}"));
            }
            V::J(_) => return Err(format!("can't evaluate field {f} in type interface {{}}")),
        };
    }
    Ok(v)
}

fn num(v: &V) -> Option<f64> {
    match v {
        V::J(Value::Number(n)) => n.as_f64(),
        _ => None,
    }
}

fn kind(v: &V) -> &'static str {
    match v {
        V::Missing | V::J(Value::Null) => "nil",
        V::J(Value::Bool(_)) => "bool",
        V::J(Value::Number(_)) => "float64",
        V::J(Value::String(_)) => "string",
        V::J(Value::Array(_)) => "[]interface {}",
        V::J(Value::Object(_)) => "map[string]interface {}",
    }
}

/// `eq`/`lt` on basic kinds, as text/template compares them.
fn cmp(a: &V, b: &V) -> Result<std::cmp::Ordering, String> {
    use std::cmp::Ordering;
    match (a, b) {
        (V::J(Value::Number(x)), V::J(Value::Number(y))) => Ok(x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal)),
        (V::J(Value::String(x)), V::J(Value::String(y))) => Ok(x.cmp(y)),
        (V::J(Value::Bool(x)), V::J(Value::Bool(y))) => Ok(x.cmp(y)),
        (V::Missing | V::J(Value::Null), V::Missing | V::J(Value::Null)) => Ok(Ordering::Equal),
        _ => Err("incompatible types for comparison".into()),
    }
}

/// A subset of Go's `fmt.Sprintf`.
fn sprintf(format: &str, args: &[V]) -> String {
    let mut out = String::new();
    let chars: Vec<char> = format.chars().collect();
    let mut i = 0;
    let mut argi = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != '%' {
            out.push(c);
            i += 1;
            continue;
        }
        i += 1;
        let mut flags = String::new();
        while i < chars.len() && "-+ #0".contains(chars[i]) {
            flags.push(chars[i]);
            i += 1;
        }
        let mut width = String::new();
        while i < chars.len() && chars[i].is_ascii_digit() {
            width.push(chars[i]);
            i += 1;
        }
        let mut prec: Option<usize> = None;
        if i < chars.len() && chars[i] == '.' {
            i += 1;
            let mut p = String::new();
            while i < chars.len() && chars[i].is_ascii_digit() {
                p.push(chars[i]);
                i += 1;
            }
            prec = Some(p.parse().unwrap_or(0));
        }
        let Some(&verb) = chars.get(i) else {
            out.push_str("%!(NOVERB)");
            break;
        };
        i += 1;
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.get(argi) else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        argi += 1;
        let s = match (verb, arg) {
            ('v', a) | ('s', a @ V::J(Value::String(_))) => a.print(),
            ('s', V::J(Value::Number(n))) => {
                format!("%!s(float64={})", go_float_g(n.as_f64().unwrap_or(0.0)))
            }
            ('s', a) => a.print(),
            ('q', V::J(Value::String(s))) => super::json::go_json_string(s),
            ('d', V::J(Value::Number(n))) => {
                format!("%!d(float64={})", go_float_g(n.as_f64().unwrap_or(0.0)))
            }
            ('t', V::J(Value::Bool(b))) => b.to_string(),
            ('f', V::J(Value::Number(n))) => {
                format!("{:.*}", prec.unwrap_or(6), n.as_f64().unwrap_or(0.0))
            }
            ('g', V::J(Value::Number(n))) => go_float_g(n.as_f64().unwrap_or(0.0)),
            ('x', V::J(Value::String(s))) => s.bytes().map(|b| format!("{b:02x}")).collect(),
            (verb, a) => format!("%!{verb}({}={})", kind(a), a.print()),
        };
        let w: usize = width.parse().unwrap_or(0);
        let len = s.chars().count();
        if len < w {
            let pad = " ".repeat(w - len);
            if flags.contains('-') {
                out.push_str(&s);
                out.push_str(&pad);
            } else {
                out.push_str(&pad);
                out.push_str(&s);
            }
        } else {
            out.push_str(&s);
        }
    }
    if argi < args.len() {
        out.push_str("%!(EXTRA ");
        out.push_str(
            &args[argi..]
                .iter()
                .map(|a| format!("{}={}", kind(a), a.print()))
                .collect::<Vec<_>>()
                .join(", "),
        );
        out.push(')');
    }
    out
}

/// `fmt.Sprint`: a space between operands when neither is a string.
fn sprint(args: &[V]) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        let is_str = matches!(a, V::J(Value::String(_)));
        if i > 0 && !is_str && !matches!(args[i - 1], V::J(Value::String(_))) {
            out.push(' ');
        }
        out.push_str(&a.print());
    }
    out
}

fn base64_decode(s: &str) -> Result<String, String> {
    const ALPHA: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits: u32 = 0;
    let mut nbits = 0;
    let mut out = Vec::new();
    for c in s.bytes() {
        if c == b'=' {
            break;
        }
        let Some(v) = ALPHA.iter().position(|a| *a == c) else {
            return Err(format!(
                "illegal base64 data at input byte {}",
                s.find(c as char).unwrap_or(0)
            ));
        };
        bits = (bits << 6) | v as u32;
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            out.push((bits >> nbits) as u8);
            bits &= (1 << nbits) - 1;
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

impl State {
    fn var(&self, name: &str) -> Result<V, String> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| format!("undefined variable: {name}"))
    }

    fn arg(&mut self, a: &Arg, dot: &V) -> Result<V, String> {
        match a {
            Arg::Dot(f) => field_chain(dot.clone(), f),
            Arg::Var(n, f) => field_chain(self.var(n)?, f),
            Arg::Str(s) => Ok(V::J(Value::String(s.clone()))),
            Arg::Num(n) => Ok(V::J(
                serde_json::Number::from_f64(*n)
                    .map(Value::Number)
                    .unwrap_or(Value::Null),
            )),
            Arg::Bool(b) => Ok(V::J(Value::Bool(*b))),
            Arg::Nil => Ok(V::J(Value::Null)),
            Arg::Func(f) => self.call(f, &[], dot),
            Arg::Pipe(p, f) => {
                let v = self.pipeline(p, dot)?;
                field_chain(v, f)
            }
        }
    }

    fn call(&mut self, f: &str, args: &[V], _dot: &V) -> Result<V, String> {
        let j = |v: Value| Ok(V::J(v));
        match f {
            "not" => {
                let [a] = args else {
                    return Err(format!(
                        "wrong number of args for not: want 1 got {}",
                        args.len()
                    ));
                };
                j(Value::Bool(!a.truthy()))
            }
            "and" => {
                for a in args {
                    if !a.truthy() {
                        return Ok(a.clone());
                    }
                }
                Ok(args.last().cloned().unwrap_or(V::Missing))
            }
            "or" => {
                for a in args {
                    if a.truthy() {
                        return Ok(a.clone());
                    }
                }
                Ok(args.last().cloned().unwrap_or(V::Missing))
            }
            "len" => {
                let [a] = args else {
                    return Err(format!(
                        "wrong number of args for len: want 1 got {}",
                        args.len()
                    ));
                };
                let n = match a {
                    V::J(Value::Array(x)) => x.len(),
                    V::J(Value::Object(x)) => x.len(),
                    V::J(Value::String(x)) => x.len(),
                    V::Missing | V::J(Value::Null) => {
                        return Err("error calling len: len of nil pointer".into())
                    }
                    other => return Err(format!("error calling len: len of type {}", kind(other))),
                };
                j(Value::from(n as i64))
            }
            "index" => {
                let Some((first, keys)) = args.split_first() else {
                    return Err("wrong number of args for index: want at least 1 got 0".into());
                };
                let mut cur = first.clone();
                for k in keys {
                    cur = match (&cur, k) {
                        (V::J(Value::Object(m)), V::J(Value::String(key))) => {
                            // A missing key gives the zero value: a nil interface.
                            V::J(m.get(key).cloned().unwrap_or(Value::Null))
                        }
                        (V::J(Value::Array(a)), V::J(Value::Number(n))) => {
                            let idx = n.as_f64().unwrap_or(-1.0);
                            if idx < 0.0 || idx as usize >= a.len() {
                                return Err(format!(
                                    "error calling index: index out of range: {}",
                                    go_float_g(idx)
                                ));
                            }
                            V::J(a[idx as usize].clone())
                        }
                        (V::Missing | V::J(Value::Null), _) => {
                            return Err("error calling index: index of untyped nil".into())
                        }
                        (c, k) => {
                            return Err(format!(
                                "error calling index: cannot index {} with {}",
                                kind(c),
                                kind(k)
                            ))
                        }
                    };
                }
                Ok(cur)
            }
            "exists" => {
                let Some((first, keys)) = args.split_first() else {
                    return j(Value::Bool(false));
                };
                let mut cur = first.clone();
                for k in keys {
                    cur = match (&cur, k) {
                        (V::J(Value::Object(m)), V::J(Value::String(key))) => match m.get(key) {
                            Some(v) => V::J(v.clone()),
                            None => return j(Value::Bool(false)),
                        },
                        (V::J(Value::Array(a)), V::J(Value::Number(n))) => {
                            match a.get(n.as_f64().unwrap_or(-1.0) as usize) {
                                Some(v) => V::J(v.clone()),
                                None => return j(Value::Bool(false)),
                            }
                        }
                        _ => return j(Value::Bool(false)),
                    };
                }
                j(Value::Bool(true))
            }
            "print" => j(Value::String(sprint(args))),
            "println" => {
                let s = args.iter().map(|a| a.print()).collect::<Vec<_>>().join(" ");
                j(Value::String(format!("{s}\n")))
            }
            "printf" => {
                let Some((fmt, rest)) = args.split_first() else {
                    return Err("wrong number of args for printf: want at least 1 got 0".into());
                };
                let V::J(Value::String(fmt)) = fmt else {
                    return Err("wrong type for value; expected string".into());
                };
                j(Value::String(sprintf(fmt, rest)))
            }
            "base64decode" => match args {
                [V::J(Value::String(s))] => j(Value::String(base64_decode(s)?)),
                _ => Err("error calling base64decode: expected a string".into()),
            },
            "eq" | "ne" => {
                if args.len() < 2 {
                    return Err("missing argument for comparison".to_string());
                }
                let mut equal = false;
                for b in &args[1..] {
                    if cmp(&args[0], b)? == std::cmp::Ordering::Equal {
                        equal = true;
                        break;
                    }
                }
                j(Value::Bool(if f == "eq" { equal } else { !equal }))
            }
            "lt" | "le" | "gt" | "ge" => {
                let [a, b] = args else {
                    return Err(format!(
                        "wrong number of args for {f}: want 2 got {}",
                        args.len()
                    ));
                };
                if num(a).is_none() && !matches!(a, V::J(Value::String(_))) {
                    return Err(format!("error calling {f}: invalid type for comparison"));
                }
                let o = cmp(a, b).map_err(|e| format!("error calling {f}: {e}"))?;
                use std::cmp::Ordering::*;
                j(Value::Bool(match f {
                    "lt" => o == Less,
                    "le" => o != Greater,
                    "gt" => o == Greater,
                    _ => o != Less,
                }))
            }
            "slice" => match args {
                [V::J(Value::String(s)), rest @ ..] => {
                    let idx: Vec<usize> = rest.iter().filter_map(num).map(|n| n as usize).collect();
                    let start = idx.first().copied().unwrap_or(0);
                    let end = idx.get(1).copied().unwrap_or(s.len());
                    s.get(start..end)
                        .map(|x| V::J(Value::String(x.to_string())))
                        .ok_or_else(|| "error calling slice: index out of range".into())
                }
                [V::J(Value::Array(a)), rest @ ..] => {
                    let idx: Vec<usize> = rest.iter().filter_map(num).map(|n| n as usize).collect();
                    let start = idx.first().copied().unwrap_or(0);
                    let end = idx.get(1).copied().unwrap_or(a.len());
                    a.get(start..end)
                        .map(|x| V::J(Value::Array(x.to_vec())))
                        .ok_or_else(|| "error calling slice: index out of range".into())
                }
                _ => Err("error calling slice: can't slice item".into()),
            },
            other => Err(format!("function {other:?} not defined")),
        }
    }

    fn command(&mut self, cmd: &[Arg], dot: &V, piped: Option<V>) -> Result<V, String> {
        match &cmd[0] {
            Arg::Func(f) => {
                let mut args = Vec::new();
                for a in &cmd[1..] {
                    args.push(self.arg(a, dot)?);
                }
                if let Some(p) = piped {
                    args.push(p);
                }
                self.call(f, &args, dot)
            }
            first => {
                if cmd.len() > 1 || piped.is_some() {
                    return Err(format!("can't give argument to non-function {first:?}"));
                }
                self.arg(first, dot)
            }
        }
    }

    fn pipeline(&mut self, p: &Pipeline, dot: &V) -> Result<V, String> {
        let mut v: Option<V> = None;
        for cmd in &p.cmds {
            v = Some(self.command(cmd, dot, v)?);
        }
        let v = v.unwrap_or(V::Missing);
        if let Some(name) = p.decl.last() {
            if p.assign {
                if let Some(slot) = self.vars.iter_mut().rev().find(|(n, _)| n == name) {
                    slot.1 = v.clone();
                } else {
                    return Err(format!("undefined variable: {name}"));
                }
            } else {
                self.vars.push((name.clone(), v.clone()));
            }
        }
        Ok(v)
    }

    fn run(&mut self, nodes: &[Node], dot: &V) -> Result<(), String> {
        for n in nodes {
            match n {
                Node::Text(t) => self.out.push_str(t),
                Node::Action(p) => {
                    let v = self.pipeline(p, dot)?;
                    if p.decl.is_empty() {
                        self.out.push_str(&v.print());
                    }
                }
                Node::If(p, then, els) => {
                    let mark = self.vars.len();
                    let c = self.pipeline(p, dot)?.truthy();
                    self.run(if c { then } else { els }, dot)?;
                    self.vars.truncate(mark);
                }
                Node::With(p, then, els) => {
                    let mark = self.vars.len();
                    let v = self.pipeline(p, dot)?;
                    if v.truthy() {
                        self.run(then, &v)?;
                    } else {
                        self.run(els, dot)?;
                    }
                    self.vars.truncate(mark);
                }
                Node::Range(p, body, els) => {
                    let mark = self.vars.len();
                    let decl = p.decl.clone();
                    let bare = Pipeline {
                        decl: Vec::new(),
                        assign: false,
                        cmds: p.cmds.clone(),
                    };
                    let v = self.pipeline(&bare, dot)?;
                    let items: Vec<(Value, Value)> = match &v {
                        V::J(Value::Array(a)) => a
                            .iter()
                            .enumerate()
                            .map(|(i, x)| (Value::from(i as i64), x.clone()))
                            .collect(),
                        V::J(Value::Object(m)) => {
                            let mut keys: Vec<&String> = m.keys().collect();
                            keys.sort();
                            keys.into_iter()
                                .map(|k| (Value::String(k.clone()), m[k].clone()))
                                .collect()
                        }
                        V::Missing | V::J(Value::Null) => Vec::new(),
                        V::J(Value::Number(n)) => (0..n.as_f64().unwrap_or(0.0) as i64)
                            .map(|i| (Value::from(i), Value::from(i)))
                            .collect(),
                        other => {
                            return Err(format!("range can't iterate over {}", other.print()));
                        }
                    };
                    if items.is_empty() {
                        self.run(els, dot)?;
                    }
                    for (k, item) in items {
                        let inner = self.vars.len();
                        match decl.as_slice() {
                            [e] => self.vars.push((e.clone(), V::J(item.clone()))),
                            [i, e] => {
                                self.vars.push((i.clone(), V::J(k.clone())));
                                self.vars.push((e.clone(), V::J(item.clone())));
                            }
                            _ => {}
                        }
                        self.run(body, &V::J(item))?;
                        self.vars.truncate(inner);
                    }
                    self.vars.truncate(mark);
                }
            }
        }
        Ok(())
    }
}

impl GoTemplate {
    /// Parses a template. Errors read like Go's (`function "x" not defined`).
    pub fn parse(src: &str) -> Result<GoTemplate, String> {
        let toks = lex(src).map_err(|e| format!("template: output:1: {e}"))?;
        let mut pos = 0;
        let (nodes, stop) =
            parse_nodes(&toks, &mut pos).map_err(|e| format!("template: output:1: {e}"))?;
        if let Some(s) = stop {
            return Err(format!("template: output:1: unexpected {{{{{s}}}}}"));
        }
        Ok(GoTemplate { nodes })
    }

    /// Executes on an object (as JSON); kubectl adds no final newline.
    pub fn execute(&self, data: &Value) -> Result<String, String> {
        let root = V::J(data.clone());
        let mut st = State {
            vars: vec![("$".into(), root.clone())],
            out: String::new(),
        };
        st.run(&self.nodes, &root)
            .map_err(|e| format!("template: output:1: executing \"output\": {e}"))?;
        Ok(st.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(t: &str, v: &Value) -> String {
        GoTemplate::parse(t).unwrap().execute(v).unwrap()
    }

    fn svc() -> Value {
        json!({"kind": "Service", "metadata": {"name": "elastic", "labels": {"app": "elastic"}},
               "spec": {"clusterIP": "10.96.0.42", "replicas": 3, "big": 1000000, "ports": [{"port": 9200}, {"port": 9300}]}})
    }

    /// The workshop's `-o go-template --template '{{.spec.clusterIP}}'`.
    #[test]
    fn fields_and_literals() {
        let v = svc();
        assert_eq!(run("{{.spec.clusterIP}}", &v), "10.96.0.42");
        assert_eq!(run("{{.metadata.name}}{{\"\\n\"}}", &v), "elastic\n");
        assert_eq!(run("{{.spec.replicas}}", &v), "3");
        assert_eq!(run("{{.spec.big}}", &v), "1e+06");
        assert_eq!(run("{{.spec.missing}}", &v), "<no value>");
        assert_eq!(run("{{.spec.missing.deeper}}", &v), "<no value>");
        assert_eq!(run("{{index .metadata.labels \"app\"}}", &v), "elastic");
        assert_eq!(run("{{index .metadata.labels \"nope\"}}", &v), "<nil>");
        assert_eq!(run("{{len .spec.ports}}", &v), "2");
        assert_eq!(run("{{.metadata.labels}}", &v), "map[app:elastic]");
    }

    #[test]
    fn control_structures() {
        let list = json!({"items": [{"metadata": {"name": "a"}, "n": 1}, {"metadata": {"name": "b"}, "n": 2}]});
        assert_eq!(
            run(
                "{{range .items}}{{.metadata.name}}{{\"\\n\"}}{{end}}",
                &list
            ),
            "a\nb\n"
        );
        assert_eq!(
            run(
                "{{range $i, $e := .items}}{{$i}}={{$e.metadata.name}} {{end}}",
                &list
            ),
            "0=a 1=b "
        );
        assert_eq!(run("{{range .none}}x{{else}}empty{{end}}", &list), "empty");
        assert_eq!(
            run("{{range .items}}{{if eq .metadata.name \"a\"}}A{{else if eq .n 2.0}}two{{else}}?{{end}}{{end}}", &list),
            "Atwo"
        );
        assert_eq!(run("{{with .items}}{{len .}}{{end}}", &list), "2");
        assert_eq!(run("{{$x := \"v\"}}{{$x}}", &list), "v");
        assert_eq!(run("{{printf \"%s-%v\" \"a\" 1}}", &list), "a-1");
        assert_eq!(run("{{.items | len}}", &list), "2");
        assert_eq!(run("{{(index .items 1).metadata.name}}", &list), "b");
        assert_eq!(
            run(
                "{{- /* comment */ -}}  {{ \"x\" }}  {{- \"y\" -}}  \n",
                &list
            ),
            "xy"
        );
        assert_eq!(run("{{if not .none}}no{{end}}", &list), "no");
        assert_eq!(run("{{base64decode \"aGVsbG8=\"}}", &list), "hello");
    }

    #[test]
    fn errors() {
        assert!(GoTemplate::parse("{{foo .x}}")
            .unwrap_err()
            .contains("function \"foo\" not defined"));
        assert!(GoTemplate::parse("{{if .x}}a").is_err());
        assert!(GoTemplate::parse("{{.x").is_err());
        let t = GoTemplate::parse("{{.metadata.name.x}}").unwrap();
        assert!(t
            .execute(&svc())
            .unwrap_err()
            .contains("can't evaluate field x"));
    }
}
