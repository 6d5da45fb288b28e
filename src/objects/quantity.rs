//! Resource quantities (`100m`, `1Gi`, `1.5`, `2e3`), parsed exactly as
//! `k8s.io/apimachinery/pkg/api/resource/quantity.go` does, into an exact
//! count of nano-units so no float rounding creeps into the scheduler.

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

/// An exact quantity in units of 10⁻⁹ (nano-units).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Amount(pub i128);

const NANO: i128 = 1_000_000_000;

impl Amount {
    pub const ZERO: Amount = Amount(0);

    pub fn from_units(n: i64) -> Amount {
        Amount(n as i128 * NANO)
    }
    pub fn from_millis(n: i64) -> Amount {
        Amount(n as i128 * 1_000_000)
    }
    /// Like Quantity.Value(): whole units, rounded up.
    pub fn value(self) -> i64 {
        div_ceil(self.0, NANO) as i64
    }
    /// Like Quantity.MilliValue(): thousandths, rounded up.
    pub fn milli_value(self) -> i64 {
        div_ceil(self.0, 1_000_000) as i64
    }
}

fn div_ceil(a: i128, b: i128) -> i128 {
    let q = a / b;
    if a % b != 0 && (a > 0) == (b > 0) {
        q + 1
    } else {
        q
    }
}

/// Parses a quantity string. The error text follows apimachinery's
/// `quantities must match the regular expression '...'`.
pub fn parse_quantity(s: &str) -> Result<Amount, String> {
    let err = || {
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
            .to_string()
    };
    let s = s.trim();
    if s.is_empty() {
        return Err(err());
    }
    let (neg, body) = match s.as_bytes()[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let num_end = body
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(body.len());
    let (num, suffix) = body.split_at(num_end);
    if num.is_empty() || num == "." || num.matches('.').count() > 1 {
        return Err(err());
    }
    let (int_part, frac_part) = num.split_once('.').unwrap_or((num, ""));
    // mantissa = digits as an integer, scale = number of fraction digits.
    let digits = format!("{int_part}{frac_part}");
    let mantissa: i128 = digits.trim_start_matches('0').parse().unwrap_or(0);
    let frac_digits = frac_part.len() as i32;

    // (base, exponent): the value is mantissa * 10^-frac * base^exponent.
    let (b10_exp, b2_exp): (i32, u32) = match suffix {
        "" => (0, 0),
        "n" => (-9, 0),
        "u" => (-6, 0),
        "m" => (-3, 0),
        "k" => (3, 0),
        "M" => (6, 0),
        "G" => (9, 0),
        "T" => (12, 0),
        "P" => (15, 0),
        "E" => (18, 0),
        "Ki" => (0, 10),
        "Mi" => (0, 20),
        "Gi" => (0, 30),
        "Ti" => (0, 40),
        "Pi" => (0, 50),
        "Ei" => (0, 60),
        s if s.starts_with('e') || s.starts_with('E') => {
            let e: i32 = s[1..].parse().map_err(|_| err())?;
            if !(-40..=40).contains(&e) {
                return Err(err());
            }
            (e, 0)
        }
        _ => return Err(err()),
    };
    // nano-units: mantissa * 10^(9 + b10_exp - frac) * 2^b2_exp
    let mut v = mantissa.checked_mul(1i128 << b2_exp).ok_or_else(err)?;
    let p = 9 + b10_exp - frac_digits;
    if p >= 0 {
        v = v
            .checked_mul(10i128.checked_pow(p as u32).ok_or_else(err)?)
            .ok_or_else(err)?;
    } else {
        // Below a nano-unit: Kubernetes rounds up to the smallest unit.
        let d = 10i128.checked_pow((-p) as u32).unwrap_or(i128::MAX);
        v = div_ceil(v, d);
    }
    Ok(Amount(if neg { -v } else { v }))
}

/// The form the apiserver stores and serves a quantity in
/// (`Quantity.CanonicalizeBytes` in apimachinery's quantity.go): the
/// suffix family of the original (binary `Ki`…, decimal `m`/`k`/`M`…, or
/// `e` exponent) with the largest exponent that keeps an integer mantissa:
/// `0.5` → `500m`, `2000` → `2k`, `4194304Ki` → `4Gi`, `1.5Ki` → `1536`
/// (a binary amount that is fractional or below 1024 turns decimal).
/// None for a malformed quantity.
pub fn canonical(s: &str) -> Option<String> {
    let v = parse_quantity(s).ok()?.0;
    let suffix = s.trim().trim_start_matches(['+', '-']);
    let suffix = &suffix[suffix
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(suffix.len())..];
    // `1E` is exa (decimal SI); `1e3`/`1E3` are the exponent notation.
    let exponent = suffix.len() > 1 && suffix.starts_with(['e', 'E']);
    Some(format_canonical(v, suffix.ends_with('i'), exponent))
}

/// Formats `nanos` (a value in units of 10⁻⁹) as a Quantity of the given
/// format serializes: `binary` for the `Ki`… family, `exponent` for the
/// `e` notation, decimal SI otherwise. Sums of quantities (describe node)
/// use it with the format of their first term.
pub fn format_canonical(nanos: i128, binary: bool, exponent: bool) -> String {
    if nanos == 0 {
        return "0".into();
    }
    let sign = if nanos < 0 { "-" } else { "" };
    let abs = nanos.abs();
    if binary && abs >= 1024 * NANO && abs % NANO == 0 {
        let mut n = abs / NANO;
        let mut e = 0;
        while n % 1024 == 0 && e < 6 {
            n /= 1024;
            e += 1;
        }
        let unit = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][e];
        return format!("{sign}{n}{unit}");
    }
    // Decimal: strip trailing zeros into the exponent, then lower the
    // exponent to a multiple of 3 (AsCanonicalBytes).
    let (mut m, mut exp) = (abs, -9i32);
    while m % 10 == 0 {
        m /= 10;
        exp += 1;
    }
    let r = exp.rem_euclid(3);
    m *= 10i128.pow(r as u32);
    exp -= r;
    let unit = if exponent {
        if exp == 0 {
            String::new()
        } else {
            format!("e{exp}")
        }
    } else {
        match exp {
            -9 => "n".into(),
            -6 => "u".into(),
            -3 => "m".into(),
            0 => String::new(),
            3 => "k".into(),
            6 => "M".into(),
            9 => "G".into(),
            12 => "T".into(),
            15 => "P".into(),
            18 => "E".into(),
            _ => format!("e{exp}"),
        }
    };
    format!("{sign}{m}{unit}")
}

/// Replaces each quantity of `map` by its canonical form.
pub fn canonicalize_map(map: &mut std::collections::BTreeMap<String, Quantity>) {
    for q in map.values_mut() {
        if let Some(c) = canonical(&q.0) {
            q.0 = c;
        }
    }
}

/// Parses a k8s-openapi Quantity; malformed values count as zero (they
/// cannot get into the store, validation rejects them first).
pub fn amount(q: &Quantity) -> Amount {
    parse_quantity(&q.0).unwrap_or(Amount::ZERO)
}

/// Formats bytes as kubectl describe does for memory (`4Gi`, `512Mi`, `1000`).
pub fn format_binary(bytes: i64) -> String {
    const UNITS: [(&str, i64); 5] = [
        ("Pi", 1 << 50),
        ("Ti", 1 << 40),
        ("Gi", 1 << 30),
        ("Mi", 1 << 20),
        ("Ki", 1 << 10),
    ];
    for (suffix, size) in UNITS {
        if bytes != 0 && bytes % size == 0 {
            return format!("{}{}", bytes / size, suffix);
        }
    }
    bytes.to_string()
}

/// Formats millicores as Kubernetes does (`2`, `100m`).
pub fn format_millicores(m: i64) -> String {
    if m % 1000 == 0 {
        (m / 1000).to_string()
    } else {
        format!("{m}m")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cases from apimachinery's quantity_test.go (TestQuantityCanonicalize
    /// and the String() table).
    #[test]
    fn quantities_are_served_in_canonical_form() {
        for (given, want) in [
            ("0.5", "500m"),
            ("1", "1"),
            ("1000", "1k"),
            ("1500", "1500"),
            ("2000m", "2"),
            ("0.1", "100m"),
            ("1000M", "1G"),
            ("100Mi", "100Mi"),
            ("1024Mi", "1Gi"),
            ("4194304Ki", "4Gi"),
            ("1.5Ki", "1536"),
            ("0.5Gi", "512Mi"),
            ("512", "512"),
            ("1Ki", "1Ki"),
            ("1e3", "1e3"),
            ("1500e0", "1500"),
            ("0", "0"),
            ("0Gi", "0"),
            ("-100m", "-100m"),
            ("250m", "250m"),
            ("1E", "1E"),
        ] {
            assert_eq!(canonical(given).as_deref(), Some(want), "{given}");
        }
        assert_eq!(canonical("1.2.3"), None);
    }

    #[test]
    fn parses_like_apimachinery() {
        // Cases from apimachinery's quantity_test.go (TestQuantityParse).
        assert_eq!(parse_quantity("100m").unwrap().milli_value(), 100);
        assert_eq!(parse_quantity("1").unwrap().milli_value(), 1000);
        assert_eq!(parse_quantity("1.5").unwrap().milli_value(), 1500);
        assert_eq!(parse_quantity("1Gi").unwrap().value(), 1 << 30);
        assert_eq!(parse_quantity("200Mi").unwrap().value(), 200 << 20);
        assert_eq!(parse_quantity("2e3").unwrap().value(), 2000);
        assert_eq!(parse_quantity("1k").unwrap().value(), 1000);
        assert_eq!(parse_quantity("0.1").unwrap().milli_value(), 100);
        assert_eq!(parse_quantity("1n").unwrap().milli_value(), 1); // rounds up
        assert_eq!(parse_quantity("-1").unwrap().value(), -1);
        assert_eq!(parse_quantity("1.5Gi").unwrap().value(), 3 << 29);
        assert_eq!(parse_quantity("12E-3").unwrap().milli_value(), 12);
        for bad in ["", "abc", "1.2.3", "1Zi", "Gi", "1 Gi", "."] {
            assert!(parse_quantity(bad).is_err(), "{bad} should fail");
        }
    }

    #[test]
    fn formats_for_describe() {
        assert_eq!(format_binary(4 << 30), "4Gi");
        assert_eq!(format_binary(1000), "1000");
        assert_eq!(format_millicores(2000), "2");
        assert_eq!(format_millicores(250), "250m");
    }
}
