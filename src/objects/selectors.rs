//! Label and field selectors, with the grammar of
//! `k8s.io/apimachinery/pkg/labels/selector.go` and `fields/selector.go`.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use std::collections::BTreeMap;
use std::fmt;

/// One requirement of a label selector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
    /// Matches nothing (a LabelSelector with an invalid operator).
    Nothing,
}

/// A parsed label selector: all requirements must hold. Empty matches all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selector {
    pub requirements: Vec<Requirement>,
}

impl Requirement {
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        match self {
            Requirement::Equals(k, v) => labels.get(k) == Some(v),
            Requirement::NotEquals(k, v) => labels.get(k) != Some(v),
            Requirement::In(k, vs) => labels.get(k).is_some_and(|v| vs.contains(v)),
            Requirement::NotIn(k, vs) => labels.get(k).is_none_or(|v| !vs.contains(v)),
            Requirement::Exists(k) => labels.contains_key(k),
            Requirement::DoesNotExist(k) => !labels.contains_key(k),
            Requirement::Nothing => false,
        }
    }
    fn key(&self) -> &str {
        match self {
            Requirement::Equals(k, _)
            | Requirement::NotEquals(k, _)
            | Requirement::In(k, _)
            | Requirement::NotIn(k, _)
            | Requirement::Exists(k)
            | Requirement::DoesNotExist(k) => k,
            Requirement::Nothing => "",
        }
    }
}

impl Selector {
    pub fn everything() -> Selector {
        Selector::default()
    }
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|r| r.matches(labels))
    }
    /// Matches an optional label map (absent labels = no labels).
    pub fn matches_opt(&self, labels: Option<&BTreeMap<String, String>>) -> bool {
        static EMPTY: BTreeMap<String, String> = BTreeMap::new();
        self.matches(labels.unwrap_or(&EMPTY))
    }

    /// Parses `a=b,c!=d,e in (x,y),f notin (z),g,!h`.
    pub fn parse(s: &str) -> Result<Selector, String> {
        let mut reqs = Vec::new();
        for part in split_top_level(s) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            reqs.push(parse_requirement(part)?);
        }
        Ok(Selector { requirements: reqs })
    }

    /// Converts a metav1.LabelSelector (matchLabels and matchExpressions).
    pub fn from_label_selector(ls: &LabelSelector) -> Selector {
        let mut reqs = Vec::new();
        for (k, v) in ls.match_labels.iter().flatten() {
            reqs.push(Requirement::Equals(k.clone(), v.clone()));
        }
        for e in ls.match_expressions.iter().flatten() {
            let vals = e.values.clone().unwrap_or_default();
            reqs.push(match e.operator.as_str() {
                "In" => Requirement::In(e.key.clone(), vals),
                "NotIn" => Requirement::NotIn(e.key.clone(), vals),
                "Exists" => Requirement::Exists(e.key.clone()),
                "DoesNotExist" => Requirement::DoesNotExist(e.key.clone()),
                _ => Requirement::Nothing,
            });
        }
        Selector { requirements: reqs }
    }

    /// A selector matching exactly these labels (Service/RC selectors).
    pub fn from_map(m: &BTreeMap<String, String>) -> Selector {
        Selector {
            requirements: m
                .iter()
                .map(|(k, v)| Requirement::Equals(k.clone(), v.clone()))
                .collect(),
        }
    }
}

impl fmt::Display for Selector {
    /// kubectl's FormatLabelSelector: sorted by key; `<none>` when empty.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.requirements.is_empty() {
            return f.write_str("<none>");
        }
        let mut reqs: Vec<&Requirement> = self.requirements.iter().collect();
        reqs.sort_by(|a, b| a.key().cmp(b.key()));
        let parts: Vec<String> = reqs
            .iter()
            .map(|r| match r {
                Requirement::Equals(k, v) => format!("{k}={v}"),
                Requirement::NotEquals(k, v) => format!("{k}!={v}"),
                Requirement::In(k, vs) if vs.len() == 1 => format!("{k}={}", vs[0]),
                Requirement::In(k, vs) => format!("{k} in ({})", sorted(vs).join(",")),
                Requirement::NotIn(k, vs) => format!("{k} notin ({})", sorted(vs).join(",")),
                Requirement::Exists(k) => k.clone(),
                Requirement::DoesNotExist(k) => format!("!{k}"),
                Requirement::Nothing => "<error>".into(),
            })
            .collect();
        f.write_str(&parts.join(","))
    }
}

fn sorted(v: &[String]) -> Vec<String> {
    let mut v = v.to_vec();
    v.sort();
    v
}

/// Splits on commas that are not inside parentheses.
fn split_top_level(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

fn parse_requirement(p: &str) -> Result<Requirement, String> {
    if let Some(k) = p.strip_prefix('!') {
        let k = k.trim();
        validate_key(k)?;
        return Ok(Requirement::DoesNotExist(k.to_string()));
    }
    for (op, ctor) in [
        (
            "!=",
            Requirement::NotEquals as fn(String, String) -> Requirement,
        ),
        ("==", Requirement::Equals),
        ("=", Requirement::Equals),
    ] {
        if let Some((k, v)) = p.split_once(op) {
            let (k, v) = (k.trim(), v.trim());
            validate_key(k)?;
            validate_value(v)?;
            return Ok(ctor(k.to_string(), v.to_string()));
        }
    }
    for (op, notin) in [(" notin ", true), (" in ", false)] {
        if let Some((k, rest)) = p.split_once(op) {
            let k = k.trim();
            validate_key(k)?;
            let rest = rest.trim();
            let inner = rest
                .strip_prefix('(')
                .and_then(|r| r.strip_suffix(')'))
                .ok_or_else(|| {
                    format!("unable to parse requirement: found '{rest}', expected: '('")
                })?;
            let vals: Vec<String> = inner
                .split(',')
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .collect();
            for v in &vals {
                validate_value(v)?;
            }
            return Ok(if notin {
                Requirement::NotIn(k.to_string(), vals)
            } else {
                Requirement::In(k.to_string(), vals)
            });
        }
    }
    validate_key(p)?;
    Ok(Requirement::Exists(p.to_string()))
}

fn validate_key(k: &str) -> Result<(), String> {
    let name = k.rsplit('/').next().unwrap_or(k);
    let ok = !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(format!(
            "unable to parse requirement: <nil>: Invalid value: \"{k}\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
        ))
    }
}

fn validate_value(v: &str) -> Result<(), String> {
    let ok = v.is_empty()
        || (v.len() <= 63
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            && v.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
            && v.chars().last().is_some_and(|c| c.is_ascii_alphanumeric()));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "unable to parse requirement: values[0][{v}]: Invalid value: \"{v}\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
        ))
    }
}

/// One `field=value` / `field!=value` term of a field selector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldRequirement {
    pub field: String,
    pub value: String,
    pub negate: bool,
}

/// A field selector such as `status.phase!=Running,spec.nodeName=node2`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldSelector {
    pub requirements: Vec<FieldRequirement>,
}

impl FieldSelector {
    pub fn parse(s: &str) -> Result<FieldSelector, String> {
        let mut reqs = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (field, value, negate) = if let Some((f, v)) = part.split_once("!=") {
                (f, v, true)
            } else if let Some((f, v)) = part.split_once("==") {
                (f, v, false)
            } else if let Some((f, v)) = part.split_once('=') {
                (f, v, false)
            } else {
                return Err(format!(
                    "invalid selector: '{s}'; can't understand '{part}'"
                ));
            };
            reqs.push(FieldRequirement {
                field: field.trim().to_string(),
                value: value.trim().to_string(),
                negate,
            });
        }
        Ok(FieldSelector { requirements: reqs })
    }

    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parses_every_operator() {
        // Cases in the spirit of apimachinery labels/selector_test.go TestSelectorMatches.
        let l = labels(&[("app", "web"), ("tier", "front"), ("env", "prod")]);
        for (sel, want) in [
            ("", true),
            ("app=web", true),
            ("app==web", true),
            ("app!=web", false),
            ("app in (web,api)", true),
            ("app notin (web)", false),
            ("tier", true),
            ("!tier", false),
            ("!missing", true),
            ("missing!=x", true),
            ("app=web,env in (prod, staging),!missing", true),
            ("app=web,env=dev", false),
        ] {
            let s = Selector::parse(sel).unwrap();
            assert_eq!(s.matches(&l), want, "{sel}");
        }
        assert!(Selector::parse("a in b").is_err());
        assert!(Selector::parse("-bad-=x").is_err());
    }

    #[test]
    fn formats_sorted_by_key() {
        let s = Selector::parse("z=1,a in (y,x),!b").unwrap();
        assert_eq!(s.to_string(), "a in (x,y),!b,z=1");
        assert_eq!(Selector::everything().to_string(), "<none>");
    }

    #[test]
    fn field_selectors() {
        let f = FieldSelector::parse("status.phase!=Running,spec.nodeName=node2").unwrap();
        assert_eq!(f.requirements.len(), 2);
        assert!(f.requirements[0].negate);
        assert!(FieldSelector::parse("nonsense").is_err());
    }
}
