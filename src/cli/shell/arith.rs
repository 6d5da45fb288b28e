//! `$((...))`: integer arithmetic as `sh` evaluates it (§2.6.4): numbers,
//! variable names, `+ - * / %`, comparisons, `&& || !`, parentheses.

/// Evaluates `text`; bare names are looked up with `var` (unset = 0).
pub fn eval(text: &str, var: &dyn Fn(&str) -> Option<String>) -> Result<i64, String> {
    let toks = tokenize(text)?;
    let mut p = P {
        toks,
        pos: 0,
        var,
        depth: 0,
    };
    if p.toks.is_empty() {
        return Ok(0);
    }
    let v = p.expr(0)?;
    if p.pos < p.toks.len() {
        return Err(format!(
            "syntax error: invalid arithmetic operator (error token is \"{}\")",
            p.toks[p.pos..]
                .iter()
                .map(Tok::text)
                .collect::<Vec<_>>()
                .join("")
        ));
    }
    Ok(v)
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(i64),
    Name(String),
    Op(&'static str),
}

impl Tok {
    fn text(&self) -> String {
        match self {
            Tok::Num(n) => n.to_string(),
            Tok::Name(s) => s.clone(),
            Tok::Op(o) => o.to_string(),
        }
    }
}

const OPS: &[&str] = &[
    "&&", "||", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "<", ">", "(", ")", "!",
];

fn tokenize(s: &str) -> Result<Vec<Tok>, String> {
    let c: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < c.len() {
        let ch = c[i];
        if ch.is_whitespace() {
            i += 1;
        } else if ch.is_ascii_digit() {
            let start = i;
            while i < c.len() && c[i].is_ascii_alphanumeric() {
                i += 1;
            }
            let t: String = c[start..i].iter().collect();
            let n = if let Some(h) = t.strip_prefix("0x") {
                i64::from_str_radix(h, 16)
            } else if t.len() > 1 && t.starts_with('0') {
                i64::from_str_radix(&t[1..], 8)
            } else {
                t.parse()
            }
            .map_err(|_| format!("value too great for base (error token is \"{t}\")"))?;
            out.push(Tok::Num(n));
        } else if ch.is_ascii_alphabetic() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_ascii_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            out.push(Tok::Name(c[start..i].iter().collect()));
        } else {
            let rest: String = c[i..(i + 2).min(c.len())].iter().collect();
            let op = OPS.iter().find(|o| rest.starts_with(**o)).ok_or_else(|| {
                format!(
                    "syntax error: operand expected (error token is \"{}\")",
                    c[i..].iter().collect::<String>()
                )
            })?;
            out.push(Tok::Op(op));
            i += op.len();
        }
    }
    Ok(out)
}

struct P<'a> {
    toks: Vec<Tok>,
    pos: usize,
    var: &'a dyn Fn(&str) -> Option<String>,
    depth: usize,
}

fn prec(op: &str) -> Option<u8> {
    Some(match op {
        "||" => 1,
        "&&" => 2,
        "==" | "!=" => 3,
        "<" | ">" | "<=" | ">=" => 4,
        "+" | "-" => 5,
        "*" | "/" | "%" => 6,
        _ => return None,
    })
}

impl P<'_> {
    fn expr(&mut self, min: u8) -> Result<i64, String> {
        let mut lhs = self.unary()?;
        while let Some(Tok::Op(op)) = self.toks.get(self.pos).cloned() {
            let Some(p) = prec(op) else { break };
            if p < min {
                break;
            }
            self.pos += 1;
            let rhs = self.expr(p + 1)?;
            lhs = match op {
                "||" => i64::from(lhs != 0 || rhs != 0),
                "&&" => i64::from(lhs != 0 && rhs != 0),
                "==" => i64::from(lhs == rhs),
                "!=" => i64::from(lhs != rhs),
                "<" => i64::from(lhs < rhs),
                ">" => i64::from(lhs > rhs),
                "<=" => i64::from(lhs <= rhs),
                ">=" => i64::from(lhs >= rhs),
                "+" => lhs.wrapping_add(rhs),
                "-" => lhs.wrapping_sub(rhs),
                "*" => lhs.wrapping_mul(rhs),
                "/" | "%" if rhs == 0 => return Err("division by 0 (error token is \"0\")".into()),
                "/" => lhs.wrapping_div(rhs),
                _ => lhs.wrapping_rem(rhs),
            };
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<i64, String> {
        match self.toks.get(self.pos).cloned() {
            Some(Tok::Op("-")) => {
                self.pos += 1;
                Ok(self.unary()?.wrapping_neg())
            }
            Some(Tok::Op("+")) => {
                self.pos += 1;
                self.unary()
            }
            Some(Tok::Op("!")) => {
                self.pos += 1;
                Ok(i64::from(self.unary()? == 0))
            }
            Some(Tok::Op("(")) => {
                self.pos += 1;
                let v = self.expr(0)?;
                if self.toks.get(self.pos) != Some(&Tok::Op(")")) {
                    return Err("missing `)'".into());
                }
                self.pos += 1;
                Ok(v)
            }
            Some(Tok::Num(n)) => {
                self.pos += 1;
                Ok(n)
            }
            Some(Tok::Name(n)) => {
                self.pos += 1;
                let v = (self.var)(&n).unwrap_or_default();
                if v.trim().is_empty() {
                    return Ok(0);
                }
                // A variable holding an expression is evaluated in turn.
                if self.depth > 16 {
                    return Err("expression recursion level exceeded".into());
                }
                let toks = tokenize(&v)?;
                let mut inner = P {
                    toks,
                    pos: 0,
                    var: self.var,
                    depth: self.depth + 1,
                };
                inner.expr(0)
            }
            _ => Err("syntax error: operand expected".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evaluates_like_sh() {
        let vars = |n: &str| match n {
            "i" => Some("4".to_string()),
            "R" => Some("7".to_string()),
            _ => None,
        };
        assert_eq!(eval("1 + 2 * 3", &vars), Ok(7));
        assert_eq!(eval("(1 + 2) * 3", &vars), Ok(9));
        assert_eq!(eval("i+1", &vars), Ok(5));
        assert_eq!(eval("R%2", &vars), Ok(1));
        assert_eq!(eval("x", &vars), Ok(0));
        assert_eq!(eval("3 > 2 && 1", &vars), Ok(1));
        assert_eq!(eval("-5 / 2", &vars), Ok(-2));
        assert!(eval("1 / 0", &vars)
            .unwrap_err()
            .starts_with("division by 0"));
    }
}
