//! kubectl-style flag parsing (pflag's rules): `--name=value`, `--name value`,
//! `-n value`, `-nvalue`, boolean flags, `--` ending the flags, and pflag's
//! error words for unknown flags.

use std::collections::BTreeMap;

/// One flag a command accepts. Each flag is defined once, in its verb's
/// table; parsing, `--help` and completion all read that table.
#[derive(Clone, Copy, Debug)]
pub struct FlagSpec {
    pub long: &'static str,
    pub short: Option<char>,
    /// Takes a value (`--image nginx`); otherwise boolean.
    pub value: bool,
    pub help: &'static str,
    /// The default shown by `--help` (`''`, `false`, `-1`, ...).
    pub default: &'static str,
    /// pflag's NoOptDefVal: the value a value flag takes when given bare
    /// (`--cascade` means `--cascade=background`).
    pub noopt: Option<&'static str>,
}

pub const fn flag(
    long: &'static str,
    short: Option<char>,
    value: bool,
    help: &'static str,
) -> FlagSpec {
    FlagSpec {
        long,
        short,
        value,
        help,
        default: if value { "''" } else { "false" },
        noopt: None,
    }
}

impl FlagSpec {
    /// The default shown by `--help`.
    pub const fn default(mut self, d: &'static str) -> FlagSpec {
        self.default = d;
        self
    }
    /// The value of a bare `--flag` that otherwise takes a value.
    pub const fn noopt(mut self, v: &'static str) -> FlagSpec {
        self.noopt = Some(v);
        self
    }
}

/// Parsed arguments: flag values (repeatable flags keep every value),
/// positional arguments, and what followed `--`.
#[derive(Clone, Debug, Default)]
pub struct Args {
    pub flags: BTreeMap<String, Vec<String>>,
    pub positional: Vec<String>,
    pub after_dash: Option<Vec<String>>,
}

impl Args {
    pub fn get(&self, long: &str) -> Option<&str> {
        self.flags
            .get(long)
            .and_then(|v| v.last())
            .map(String::as_str)
    }
    pub fn all(&self, long: &str) -> Vec<String> {
        self.flags.get(long).cloned().unwrap_or_default()
    }
    pub fn has(&self, long: &str) -> bool {
        self.flags.contains_key(long)
    }
    /// A boolean flag: present without a value, or `=true`.
    pub fn bool(&self, long: &str) -> bool {
        match self.get(long) {
            Some(v) => v != "false",
            None => false,
        }
    }
}

/// Parses `args` against `specs`; unknown flags are errors worded as kubectl's.
pub fn parse(args: &[String], specs: &[FlagSpec]) -> Result<Args, String> {
    let mut out = Args::default();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a == "--" {
            out.after_dash = Some(args[i + 1..].to_vec());
            break;
        }
        if let Some(body) = a.strip_prefix("--") {
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            let spec = specs
                .iter()
                .find(|s| s.long == name)
                .ok_or_else(|| format!("unknown flag: --{name}"))?;
            let value = if spec.value {
                match (inline, spec.noopt) {
                    (Some(v), _) => v,
                    (None, Some(d)) => d.to_string(),
                    (None, None) => {
                        i += 1;
                        args.get(i)
                            .cloned()
                            .ok_or_else(|| format!("flag needs an argument: --{name}"))?
                    }
                }
            } else {
                inline.unwrap_or_else(|| "true".into())
            };
            out.flags
                .entry(spec.long.to_string())
                .or_default()
                .push(value);
        } else if a.len() > 1 && a.starts_with('-') && !is_negative_number(a) {
            let chars: Vec<char> = a[1..].chars().collect();
            let mut j = 0;
            while j < chars.len() {
                let c = chars[j];
                let spec = specs
                    .iter()
                    .find(|s| s.short == Some(c))
                    .ok_or_else(|| format!("unknown shorthand flag: '{c}' in {a}"))?;
                if spec.value {
                    let rest: String = chars[j + 1..].iter().collect();
                    let value = if !rest.is_empty() {
                        rest.strip_prefix('=').unwrap_or(&rest).to_string()
                    } else {
                        i += 1;
                        args.get(i)
                            .cloned()
                            .ok_or_else(|| format!("flag needs an argument: '{c}' in -{c}"))?
                    };
                    out.flags
                        .entry(spec.long.to_string())
                        .or_default()
                        .push(value);
                    break;
                }
                out.flags
                    .entry(spec.long.to_string())
                    .or_default()
                    .push("true".into());
                j += 1;
            }
        } else {
            out.positional.push(a.clone());
        }
        i += 1;
    }
    Ok(out)
}

fn is_negative_number(s: &str) -> bool {
    s[1..].chars().all(|c| c.is_ascii_digit()) && s.len() > 1
}

/// kubectl's `Options:` section for a set of flags, as `--help` prints it.
pub fn options_help(specs: &[FlagSpec]) -> String {
    let mut sorted: Vec<&FlagSpec> = specs.iter().collect();
    sorted.sort_by_key(|f| f.long);
    let mut out = String::new();
    for f in sorted {
        let head = match f.short {
            Some(c) => format!("    -{c}, --{}={}:", f.long, f.default),
            None => format!("    --{}={}:", f.long, f.default),
        };
        out.push_str(&head);
        out.push('\n');
        out.push_str(&format!("\t{}\n\n", f.help));
    }
    out
}

/// Positional words of `args` before `--`, skipping flags and their values
/// (cobra's `stripFlags`), so a sub-verb can be found wherever it stands.
pub fn first_positional<'a>(args: &'a [String], specs: &[FlagSpec]) -> Option<(usize, &'a str)> {
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a == "--" {
            return None;
        }
        if let Some(body) = a.strip_prefix("--") {
            if !body.contains('=') {
                if let Some(s) = specs.iter().find(|s| s.long == body) {
                    if s.value && s.noopt.is_none() {
                        i += 1;
                    }
                }
            }
        } else if a.len() > 1 && a.starts_with('-') {
            // -n ns, -nns, -Aw: the value is the next word only when the
            // last shorthand letter takes one and nothing follows it.
            let chars: Vec<char> = a[1..].chars().collect();
            for (j, c) in chars.iter().enumerate() {
                if let Some(s) = specs.iter().find(|s| s.short == Some(*c)) {
                    if s.value {
                        if j + 1 == chars.len() {
                            i += 1;
                        }
                        break;
                    }
                }
            }
        } else {
            return Some((i, a.as_str()));
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[FlagSpec] = &[
        flag("namespace", Some('n'), true, ""),
        flag("all-namespaces", Some('A'), false, ""),
        flag("output", Some('o'), true, ""),
        flag("watch", Some('w'), false, ""),
        flag("image", None, true, ""),
    ];

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn pflag_forms() {
        let a = parse(
            &s(&[
                "pods",
                "-n",
                "kube-system",
                "-owide",
                "--image=nginx",
                "-Aw",
                "--",
                "ping",
                "-c",
                "3",
            ]),
            SPECS,
        )
        .unwrap();
        assert_eq!(a.get("namespace"), Some("kube-system"));
        assert_eq!(a.get("output"), Some("wide"));
        assert_eq!(a.get("image"), Some("nginx"));
        assert!(a.bool("all-namespaces") && a.bool("watch"));
        assert_eq!(a.positional, vec!["pods"]);
        assert_eq!(a.after_dash, Some(s(&["ping", "-c", "3"])));
    }

    #[test]
    fn unknown_flags_are_worded_as_kubectl() {
        assert_eq!(
            parse(&s(&["--foo"]), SPECS).unwrap_err(),
            "unknown flag: --foo"
        );
        assert_eq!(
            parse(&s(&["-z"]), SPECS).unwrap_err(),
            "unknown shorthand flag: 'z' in -z"
        );
        assert_eq!(
            parse(&s(&["--image"]), SPECS).unwrap_err(),
            "flag needs an argument: --image"
        );
    }
}
