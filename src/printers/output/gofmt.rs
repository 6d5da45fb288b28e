//! Go's `fmt` formatting of JSON values as kubectl sees them after decoding
//! into `map[string]interface{}` (integers as int64, other numbers as
//! float64): `%v` (`fmt.Sprint`) and `strconv.FormatFloat(f, 'g', -1, 64)`.

use serde_json::{Number, Value};

/// `strconv.FormatFloat(f, 'g', -1, 64)`, which `%v` also uses: the
/// shortest digits, in `%e` form when the decimal exponent is < -4 or >= 6
/// (Go decides with precision 6 for the shortest form), so `1e+06`.
pub fn go_float_g(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    // Rust's `{:e}` gives the shortest round-trip digits: `1.234567e6`.
    let e = format!("{f:e}");
    let (mantissa, exp) = e.split_once('e').expect("exponent form");
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.abs());
    }
    // Plain decimal with the same digits.
    let neg = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let point = exp + 1; // digits before the decimal point
    let s = if point <= 0 {
        format!("0.{}{}", "0".repeat((-point) as usize), digits)
    } else if point as usize >= digits.len() {
        format!("{digits}{}", "0".repeat(point as usize - digits.len()))
    } else {
        format!(
            "{}.{}",
            &digits[..point as usize],
            &digits[point as usize..]
        )
    };
    if neg {
        format!("-{s}")
    } else {
        s
    }
}

/// A JSON number as Go prints an int64 or a float64 with `%v`.
pub fn go_number(n: &Number) -> String {
    if let Some(i) = n.as_i64() {
        i.to_string()
    } else if let Some(u) = n.as_u64() {
        u.to_string()
    } else {
        go_float_g(n.as_f64().unwrap_or(0.0))
    }
}

/// `fmt.Sprint(v)`: strings raw, `<nil>`, `map[k:v ...]` with sorted keys,
/// `[a b]` for slices.
pub fn go_sprint(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => go_number(n),
        Value::String(s) => s.clone(),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(go_sprint).collect::<Vec<_>>().join(" ")
        ),
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            format!(
                "map[{}]",
                keys.iter()
                    .map(|k| format!("{k}:{}", go_sprint(&m[*k])))
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// strconv `ftoa_test.go` 'g' -1 cases.
    #[test]
    fn floats_like_go() {
        assert_eq!(go_float_g(1.5), "1.5");
        assert_eq!(go_float_g(1e6), "1e+06");
        assert_eq!(go_float_g(100000.0), "100000");
        assert_eq!(go_float_g(1234567.0), "1.234567e+06");
        assert_eq!(go_float_g(0.0001), "0.0001");
        assert_eq!(go_float_g(0.00001), "1e-05");
        assert_eq!(go_float_g(-2.25), "-2.25");
        assert_eq!(go_float_g(3.0), "3");
    }

    #[test]
    fn sprint_like_go() {
        assert_eq!(go_sprint(&json!({"b": 1, "a": "x"})), "map[a:x b:1]");
        assert_eq!(go_sprint(&json!(["a", 2, null])), "[a 2 <nil>]");
    }
}
