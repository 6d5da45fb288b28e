//! `-o yaml`: kubectl marshals the object to JSON and converts it with
//! `sigs.k8s.io/yaml` (`JSONToYAML`), whose go-yaml v2 encoder sorts map keys
//! and decides quoting per YAML 1.1 (`"123"`, `"true"`, `"yes"`, timestamps
//! and empty strings are double-quoted). This is a port of the parts of
//! go-yaml v2 that JSON data reaches: `encode.go` (`stringv`, key order),
//! `resolve.go` and the libyaml-derived emitter (`emitterc.go`: scalar
//! analysis, plain / single / double / literal styles, folding at column 80,
//! indentless sequences under mappings).

use super::gofmt::go_float_g;
use serde_json::Value;
use std::cmp::Ordering;

/// `best_width`: plain and quoted scalars fold at a space after column 80.
const BEST_WIDTH: usize = 80;

/// The object as `kubectl get -o yaml` prints it.
pub fn to_yaml(v: &Value) -> String {
    let mut e = Emitter::default();
    e.node(v, -1, Ctx::Root);
    // Document end: finish the last line.
    e.write_indent(0);
    if e.open_ended {
        e.write_indicator("...", true, false, false);
        e.write_indent(0);
    }
    e.out
}

/// go-yaml v2 `keyList.Less`: letters sort after other characters, runs of
/// digits compare as numbers.
pub fn yaml_key_less(a: &str, b: &str) -> Ordering {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let mut i = 0;
    while i < ar.len() && i < br.len() {
        if ar[i] == br[i] {
            i += 1;
            continue;
        }
        let al = ar[i].is_alphabetic();
        let bl = br[i].is_alphabetic();
        if al && bl {
            return ar[i].cmp(&br[i]);
        }
        if al || bl {
            return if bl {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        let mut an: i64 = 0;
        let mut bn: i64 = 0;
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && ar[j - 1].is_ascii_digit() {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_ascii_digit() {
            an = an.wrapping_mul(10).wrapping_add(ar[ai] as i64 - '0' as i64);
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_ascii_digit() {
            bn = bn.wrapping_mul(10).wrapping_add(br[bi] as i64 - '0' as i64);
            bi += 1;
        }
        if an != bn {
            return an.cmp(&bn);
        }
        if ai != bi {
            return ai.cmp(&bi);
        }
        return ar[i].cmp(&br[i]);
    }
    ar.len().cmp(&br.len())
}

#[derive(Copy, Clone, PartialEq, Eq)]
enum Ctx {
    Root,
    MapValue,
    SeqItem,
}

#[derive(Copy, Clone, PartialEq, Eq, Debug)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

struct Emitter {
    out: String,
    column: usize,
    whitespace: bool,
    indention: bool,
    open_ended: bool,
}

impl Default for Emitter {
    fn default() -> Self {
        Emitter {
            out: String::new(),
            column: 0,
            whitespace: true,
            indention: true,
            open_ended: false,
        }
    }
}

/// `resolve("", s)` of go-yaml v2: the tag a plain scalar would get. Only
/// "is it a string?" matters here.
fn resolves_to_str(s: &str) -> bool {
    if s.is_empty() {
        return false; // null
    }
    const SPECIAL: &[&str] = &[
        "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "n", "N", "no",
        "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", "~", "null", "Null", "NULL",
        ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf",
        "-.Inf", "-.INF", "<<",
    ];
    let first = s.as_bytes()[0];
    let hint = match first {
        b'+' | b'-' => 'S',
        b'0'..=b'9' => 'D',
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => 'M',
        b'.' => '.',
        b'<' => 'M',
        _ => return true,
    };
    if SPECIAL.contains(&s) {
        return false;
    }
    match hint {
        '.' => !is_go_float(s),
        'D' | 'S' => {
            if is_timestamp(s) {
                return false;
            }
            let plain = s.replace('_', "");
            if parses_go_int(&plain) || is_yaml_float(&plain) {
                return false;
            }
            let bin = plain
                .strip_prefix("0b")
                .or_else(|| plain.strip_prefix("-0b"));
            if let Some(b) = bin {
                if !b.is_empty() && b.chars().all(|c| c == '0' || c == '1') {
                    return false;
                }
            }
            true
        }
        _ => true,
    }
}

/// `strconv.ParseFloat` for the strings that start with '.'.
fn is_go_float(s: &str) -> bool {
    let rest = &s[1..];
    let (digits, exp) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    match exp {
        None => true,
        Some(e) => {
            let e = e.strip_prefix(['+', '-']).unwrap_or(e);
            !e.is_empty() && e.chars().all(|c| c.is_ascii_digit())
        }
    }
}

/// `strconv.ParseInt(s, 0, 64)` or `ParseUint(s, 0, 64)` succeed.
fn parses_go_int(s: &str) -> bool {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let _ = neg;
    let (radix, digits) =
        if let Some(r) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
            (16, r)
        } else if let Some(r) = body.strip_prefix("0o").or_else(|| body.strip_prefix("0O")) {
            (8, r)
        } else if let Some(r) = body.strip_prefix("0b").or_else(|| body.strip_prefix("0B")) {
            (2, r)
        } else if body.len() > 1 && body.starts_with('0') {
            (8, &body[1..])
        } else {
            (10, body)
        };
    !digits.is_empty() && u64::from_str_radix(digits, radix).is_ok()
}

/// go-yaml's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mant, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mant_ok = if let Some(frac) = mant.strip_prefix('.') {
        !frac.is_empty() && frac.chars().all(|c| c.is_ascii_digit())
    } else {
        let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
        !int.is_empty()
            && int.chars().all(|c| c.is_ascii_digit())
            && frac.chars().all(|c| c.is_ascii_digit())
    };
    let exp_ok = match exp {
        None => true,
        Some(e) => {
            let e = e.strip_prefix(['+', '-']).unwrap_or(e);
            !e.is_empty() && e.chars().all(|c| c.is_ascii_digit())
        }
    };
    mant_ok && exp_ok
}

fn take_digits(s: &[u8], i: &mut usize, min: usize, max: usize) -> Option<u32> {
    let start = *i;
    while *i < s.len() && *i - start < max && s[*i].is_ascii_digit() {
        *i += 1;
    }
    if *i - start < min {
        return None;
    }
    std::str::from_utf8(&s[start..*i]).ok()?.parse().ok()
}

/// go-yaml's `parseTimestamp`: `2006-1-2`, `2006-1-2T15:4:5.999999999Z07:00`
/// (or lower-case `t`), `2006-1-2 15:4:5.999999999`.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let Some(_year) = take_digits(b, &mut i, 4, 4) else {
        return false;
    };
    if b.get(i) != Some(&b'-') {
        return false;
    }
    i += 1;
    let Some(month) = take_digits(b, &mut i, 1, 2) else {
        return false;
    };
    if b.get(i) != Some(&b'-') || !(1..=12).contains(&month) {
        return false;
    }
    i += 1;
    let Some(day) = take_digits(b, &mut i, 1, 2) else {
        return false;
    };
    if !(1..=31).contains(&day) {
        return false;
    }
    if i == b.len() {
        return true;
    }
    let sep = b[i];
    if sep != b'T' && sep != b't' && sep != b' ' {
        return false;
    }
    i += 1;
    let (Some(h), true) = (take_digits(b, &mut i, 1, 2), b.get(i) == Some(&b':')) else {
        return false;
    };
    i += 1;
    let (Some(m), true) = (take_digits(b, &mut i, 1, 2), b.get(i) == Some(&b':')) else {
        return false;
    };
    i += 1;
    let Some(sec) = take_digits(b, &mut i, 1, 2) else {
        return false;
    };
    if h > 23 || m > 59 || sec > 59 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if take_digits(b, &mut i, 1, 9).is_none() {
            return false;
        }
    }
    if sep == b' ' {
        return i == b.len();
    }
    match b.get(i) {
        Some(b'Z') => i + 1 == b.len(),
        Some(b'+') | Some(b'-') => {
            i += 1;
            let ok = take_digits(b, &mut i, 2, 2).is_some() && b.get(i) == Some(&b':');
            i += 1;
            ok && take_digits(b, &mut i, 2, 2).is_some() && i == b.len()
        }
        _ => false,
    }
}

/// `isBase60Float`: `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`.
fn is_base60_float(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (main, frac) = s.split_once('.').unwrap_or((s, ""));
    if !frac.chars().all(|c| c.is_ascii_digit() || c == '_') {
        return false;
    }
    let mut parts = main.split(':');
    let head = parts.next().unwrap_or("");
    if head.is_empty()
        || !head.as_bytes()[0].is_ascii_digit()
        || !head.chars().all(|c| c.is_ascii_digit() || c == '_')
    {
        return false;
    }
    let rest: Vec<&str> = parts.collect();
    !rest.is_empty()
        && rest.iter().all(|p| {
            let b = p.as_bytes();
            match b.len() {
                1 => b[0].is_ascii_digit(),
                2 => (b'0'..=b'5').contains(&b[0]) && b[1].is_ascii_digit(),
                _ => false,
            }
        })
}

fn is_printable(c: char) -> bool {
    let u = c as u32;
    u == 0x0A
        || (0x20..=0x7E).contains(&u)
        || u == 0x85
        || (0xA0..=0xD7FF).contains(&u)
        || ((0xE000..=0xFFFD).contains(&u) && u != 0xFEFF)
        || (0x10000..=0x10FFFF).contains(&u)
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// What `yaml_emitter_analyze_scalar` allows.
struct Analysis {
    block_plain: bool,
    single: bool,
    block: bool,
}

fn analyze(s: &str) -> Analysis {
    if s.is_empty() {
        return Analysis {
            block_plain: true,
            single: true,
            block: false,
        };
    }
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    let mut block_indicators = false;
    let mut line_breaks = false;
    let mut special = false;
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
        (false, false, false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut previous_space, mut previous_break) = (false, false);
    if s.starts_with("---") || s.starts_with("...") {
        block_indicators = true;
    }
    let mut preceded_by_ws = true;
    for i in 0..n {
        let c = chars[i];
        let followed_by_ws = i + 1 >= n || is_blank(chars[i + 1]);
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => block_indicators = true,
                '?' | ':' | '-' if followed_by_ws => block_indicators = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_ws => block_indicators = true,
                '#' if preceded_by_ws => block_indicators = true,
                _ => {}
            }
        }
        if !is_printable(c) {
            special = true;
        }
        if c == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if i + 1 == n {
                trailing_space = true;
            }
            if previous_break {
                break_space = true;
            }
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            line_breaks = true;
            if i == 0 {
                leading_break = true;
            }
            if i + 1 == n {
                trailing_break = true;
            }
            if previous_space {
                space_break = true;
            }
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_ws = is_blank(c) || is_break(c);
    }
    let mut a = Analysis {
        block_plain: true,
        single: true,
        block: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.block_plain = false;
    }
    if trailing_space {
        a.block = false;
    }
    if break_space {
        a.block_plain = false;
        a.single = false;
    }
    if space_break || special {
        a.block_plain = false;
        a.single = false;
        a.block = false;
    }
    if line_breaks || block_indicators {
        a.block_plain = false;
    }
    a
}

/// The style go-yaml ends up with for a string (`stringv` then
/// `yaml_emitter_select_scalar_style`).
fn string_style(s: &str, simple_key: bool) -> Style {
    let mut style = if s.contains('\n') {
        Style::Literal
    } else if resolves_to_str(s) && !is_base60_float(s) {
        Style::Plain
    } else {
        Style::Double
    };
    let a = analyze(s);
    if style == Style::Plain && (!a.block_plain || (s.is_empty() && simple_key)) {
        style = Style::Single;
    }
    if style == Style::Single && !a.single {
        style = Style::Double;
    }
    if style == Style::Literal && (!a.block || simple_key) {
        style = Style::Double;
    }
    style
}

impl Emitter {
    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    fn write_indent(&mut self, indent: usize) {
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(&mut self, ind: &str, need_ws: bool, is_ws: bool, is_indention: bool) {
        if need_ws && !self.whitespace {
            self.put(' ');
        }
        for c in ind.chars() {
            self.put(c);
        }
        self.whitespace = is_ws;
        self.indention = self.indention && is_indention;
        self.open_ended = false;
    }

    fn node(&mut self, v: &Value, parent_indent: i64, ctx: Ctx) {
        match v {
            Value::Object(m) if !m.is_empty() => {
                let indent = if parent_indent < 0 {
                    0
                } else {
                    parent_indent + 2
                };
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort_by(|a, b| yaml_key_less(a, b));
                for k in keys {
                    self.write_indent(indent as usize);
                    self.scalar_string(k, indent, true);
                    self.write_indicator(":", false, false, false);
                    self.node(&m[k], indent, Ctx::MapValue);
                }
            }
            Value::Array(a) if !a.is_empty() => {
                let indent = if parent_indent < 0 {
                    0
                } else if ctx == Ctx::MapValue {
                    // A sequence under a mapping key is indentless.
                    parent_indent
                } else {
                    parent_indent + 2
                };
                for item in a {
                    self.write_indent(indent as usize);
                    self.write_indicator("-", true, false, true);
                    self.node(item, indent, Ctx::SeqItem);
                }
            }
            Value::Object(_) => {
                self.write_indicator("{", true, true, false);
                self.write_indicator("}", false, false, false);
            }
            Value::Array(_) => {
                self.write_indicator("[", true, true, false);
                self.write_indicator("]", false, false, false);
            }
            scalar => {
                let indent = if parent_indent < 0 {
                    2
                } else {
                    parent_indent + 2
                };
                match scalar {
                    Value::String(s) => self.scalar_string(s, indent, false),
                    Value::Null => self.plain("null", indent, true),
                    Value::Bool(b) => self.plain(if *b { "true" } else { "false" }, indent, true),
                    Value::Number(n) => {
                        let s = if let Some(i) = n.as_i64() {
                            i.to_string()
                        } else if let Some(u) = n.as_u64() {
                            u.to_string()
                        } else {
                            match go_float_g(n.as_f64().unwrap_or(0.0)).as_str() {
                                "+Inf" => ".inf".into(),
                                "-Inf" => "-.inf".into(),
                                "NaN" => ".nan".into(),
                                s => s.to_string(),
                            }
                        };
                        self.plain(&s, indent, true)
                    }
                    _ => {}
                }
                if ctx == Ctx::Root {
                    self.open_ended = true;
                }
            }
        }
    }

    fn scalar_string(&mut self, s: &str, indent: i64, simple_key: bool) {
        let allow_breaks = !simple_key;
        let scalar_indent = if simple_key { indent + 2 } else { indent } as usize;
        match string_style(s, simple_key) {
            Style::Plain => self.plain(s, scalar_indent as i64, allow_breaks),
            Style::Single => self.single_quoted(s, scalar_indent, allow_breaks),
            Style::Double => self.double_quoted(s, scalar_indent, allow_breaks),
            Style::Literal => self.literal(s, scalar_indent),
        }
    }

    fn plain(&mut self, s: &str, indent: i64, allow_breaks: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        for i in 0..chars.len() {
            let c = chars[i];
            if c == ' ' {
                let next_space = chars.get(i + 1) == Some(&' ');
                if allow_breaks && !spaces && self.column > BEST_WIDTH && !next_space {
                    self.write_indent(indent as usize);
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                self.indention = false;
                spaces = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn single_quoted(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        let chars: Vec<char> = s.chars().collect();
        let n = chars.len();
        let mut spaces = false;
        for i in 0..n {
            let c = chars[i];
            if c == ' ' {
                let next_space = chars.get(i + 1) == Some(&' ');
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i != 0
                    && i != n - 1
                    && !next_space
                {
                    self.write_indent(indent);
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
            }
        }
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn double_quoted(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        let chars: Vec<char> = s.chars().collect();
        let n = chars.len();
        let mut spaces = false;
        for i in 0..n {
            let c = chars[i];
            if !is_printable(c) || c == '\u{FEFF}' || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                match c {
                    '\0' => self.put('0'),
                    '\u{7}' => self.put('a'),
                    '\u{8}' => self.put('b'),
                    '\t' => self.put('t'),
                    '\n' => self.put('n'),
                    '\u{b}' => self.put('v'),
                    '\u{c}' => self.put('f'),
                    '\r' => self.put('r'),
                    '\u{1b}' => self.put('e'),
                    '"' => self.put('"'),
                    '\\' => self.put('\\'),
                    '\u{85}' => self.put('N'),
                    '\u{a0}' => self.put('_'),
                    '\u{2028}' => self.put('L'),
                    '\u{2029}' => self.put('P'),
                    c => {
                        let u = c as u32;
                        let s = if u <= 0xFF {
                            format!("x{u:02X}")
                        } else if u <= 0xFFFF {
                            format!("u{u:04X}")
                        } else {
                            format!("U{u:08X}")
                        };
                        for ch in s.chars() {
                            self.put(ch);
                        }
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks && !spaces && self.column > BEST_WIDTH && i != 0 && i != n - 1 {
                    self.write_indent(indent);
                    if chars.get(i + 1) == Some(&' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn literal(&mut self, s: &str, indent: usize) {
        self.write_indicator("|", true, false, false);
        let chars: Vec<char> = s.chars().collect();
        if chars.first().is_some_and(|c| *c == ' ' || is_break(*c)) {
            self.write_indicator("2", false, false, false);
        }
        self.open_ended = false;
        let chomp = match chars.last() {
            None => Some('-'),
            Some(c) if !is_break(*c) => Some('-'),
            Some(_) if chars.len() == 1 => Some('+'),
            Some(_) if is_break(chars[chars.len() - 2]) => Some('+'),
            Some(_) => None,
        };
        if let Some(c) = chomp {
            self.write_indicator(&c.to_string(), false, false, false);
            if c == '+' {
                self.open_ended = true;
            }
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for c in chars {
            if is_break(c) {
                self.put_break();
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent(indent);
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What `kubectl get -o yaml` prints for these values (go-yaml v2 via
    /// sigs.k8s.io/yaml `JSONToYAML`). Keys go through the same rules, so
    /// the YAML 1.1 booleans `n` and `y` are quoted as keys too.
    #[test]
    fn quoting_follows_yaml_1_1() {
        let v = json!({
            "a": "123", "b": "", "c": "2024-01-01T00:00:00Z", "d": "containers with unready status: [nginx]",
            "e": "line1\nline2\n", "h": "true", "i": 1.5, "j": "*x", "k": {"l": []}, "m": {}, "n": "yes",
            "o": "-", "p": " lead", "q": "a'b", "r": "nginx:1.27", "s": "1:20", "t": "0x1F", "u": "no_op",
            "v": "line1\nline2", "w": null, "x": 10, "y": "ab\tc"
        });
        assert_eq!(
            to_yaml(&v),
            "a: \"123\"\nb: \"\"\nc: \"2024-01-01T00:00:00Z\"\nd: 'containers with unready status: [nginx]'\ne: |\n  line1\n  line2\nh: \"true\"\ni: 1.5\nj: '*x'\nk:\n  l: []\nm: {}\n\"n\": \"yes\"\no: '-'\np: ' lead'\nq: a'b\nr: nginx:1.27\ns: \"1:20\"\nt: \"0x1F\"\nu: no_op\nv: |-\n  line1\n  line2\nw: null\nx: 10\n\"y\": \"ab\\tc\"\n"
        );
    }

    #[test]
    fn sequences_under_mappings_are_indentless() {
        let v = json!({"spec": {"containers": [{"name": "web", "image": "nginx", "ports": [{"containerPort": 80}]}], "args": ["a", "b"]}});
        assert_eq!(
            to_yaml(&v),
            "spec:\n  args:\n  - a\n  - b\n  containers:\n  - image: nginx\n    name: web\n    ports:\n    - containerPort: 80\n"
        );
    }

    /// emitterc.go `yaml_emitter_write_single_quoted_scalar`: a space is
    /// turned into a line break once the column is past 80, so lines run a
    /// little over 80.
    #[test]
    fn long_scalars_fold_after_column_80() {
        let msg = "Back-off pulling image \"nginxx\": ErrImagePull: failed to pull and unpack image docker.io/library/nginxx:latest";
        let v = json!({"status": {"message": msg}});
        assert_eq!(
            to_yaml(&v),
            "status:\n  message: 'Back-off pulling image \"nginxx\": ErrImagePull: failed to pull and unpack\n    image docker.io/library/nginxx:latest'\n"
        );
    }

    /// go-yaml v2 `sorter.go` keyList.Less.
    #[test]
    fn keys_sort_like_go_yaml() {
        let mut keys = vec!["a10", "a9", "b", "A", "_x", "a-b", "ab"];
        keys.sort_by(|a, b| yaml_key_less(a, b));
        assert_eq!(keys, vec!["_x", "A", "a-b", "a9", "a10", "ab", "b"]);
    }
}
