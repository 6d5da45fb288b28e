//! `jq`, by the jaq interpreter (jaq-core, jaq-std, jaq-json): the filters
//! the workshop uses (`.`, `.items[]`, `{name:.metadata.name} + ...`,
//! `select(...)`, `-r`) and the rest of jq's language with them.

use crate::cli::output::Output;
use jaq_core::load::{Arena, File, Loader};
use jaq_core::{data, Compiler, Ctx, Vars};
use jaq_json::Val;

pub const USAGE: &str = "Usage:\tjq [OPTIONS] FILTER [FILES...]\n";

pub fn jq(
    args: &[String],
    stdin: Option<&str>,
    read: &dyn Fn(&str) -> Result<String, String>,
) -> Output {
    let mut raw = false;
    let mut join = false;
    let mut compact = false;
    let mut null_input = false;
    let mut slurp = false;
    let mut exit_status = false;
    let mut sort_keys = false;
    let mut tab = false;
    let mut named: Vec<(String, Val)> = Vec::new();
    let mut filter: Option<String> = None;
    let mut files: Vec<String> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        match a {
            "-r" | "--raw-output" => raw = true,
            "-j" | "--join-output" => {
                raw = true;
                join = true
            }
            "-c" | "--compact-output" => compact = true,
            "-n" | "--null-input" => null_input = true,
            "-s" | "--slurp" => slurp = true,
            "-e" | "--exit-status" => exit_status = true,
            "-S" | "--sort-keys" => sort_keys = true,
            "-M" | "--monochrome-output" | "-C" | "--color-output" => {}
            "--tab" => tab = true,
            "--arg" | "--argjson" => {
                let (Some(n), Some(v)) = (args.get(i + 1), args.get(i + 2)) else {
                    return Output::err(format!(
                        "jq: error: {a} takes two parameters (e.g. {a} varname value)\n{USAGE}"
                    ))
                    .with_code(2);
                };
                let val = if a == "--arg" {
                    Val::from(v.clone())
                } else {
                    match jaq_json::read::parse_single(v.as_bytes()) {
                        Ok(v) => v,
                        Err(_) => {
                            return Output::err(format!(
                                "jq: Invalid JSON text passed to --argjson\n{USAGE}"
                            ))
                            .with_code(2)
                        }
                    }
                };
                named.push((n.clone(), val));
                i += 2;
            }
            _ if a.starts_with('-') && a.len() > 1 && filter.is_none() => {
                // Combined short options: -rc, -cr.
                let mut ok = true;
                for c in a[1..].chars() {
                    match c {
                        'r' => raw = true,
                        'j' => {
                            raw = true;
                            join = true
                        }
                        'c' => compact = true,
                        'n' => null_input = true,
                        's' => slurp = true,
                        'e' => exit_status = true,
                        'S' => sort_keys = true,
                        'M' | 'C' => {}
                        _ => ok = false,
                    }
                }
                if !ok {
                    return Output::err(format!("jq: Unknown option: {a}\n{USAGE}")).with_code(2);
                }
            }
            _ => {
                if filter.is_none() {
                    filter = Some(a.to_string());
                } else {
                    files.push(a.to_string());
                }
            }
        }
        i += 1;
    }
    let filter_text = filter.unwrap_or_else(|| ".".to_string());

    // Inputs.
    let mut text = String::new();
    if files.is_empty() {
        text.push_str(stdin.unwrap_or(""));
    } else {
        for f in &files {
            match read(f) {
                Ok(t) => text.push_str(&t),
                Err(_) => {
                    return Output::err(format!(
                        "jq: error: Could not open {f}: No such file or directory"
                    ))
                    .with_code(2)
                }
            }
        }
    }
    let mut inputs = Vec::new();
    if !null_input {
        for v in jaq_json::read::parse_many(text.as_bytes()) {
            match v {
                Ok(v) => inputs.push(v),
                Err(e) => {
                    return Output::err(format!(
                        "jq: error (at <stdin>:0): Cannot parse input: {e}"
                    ))
                    .with_code(2)
                }
            }
        }
    }
    if slurp {
        inputs = vec![Val::Arr(inputs.into())];
    }
    if null_input {
        inputs = vec![Val::Null];
    }

    // Compile.
    let defs = jaq_core::defs()
        .chain(jaq_std::defs())
        .chain(jaq_json::defs());
    let funs = jaq_core::funs()
        .chain(jaq_std::funs())
        .chain(jaq_json::funs());
    let loader = Loader::new(defs);
    let arena = Arena::default();
    let program = File {
        code: filter_text.as_str(),
        path: (),
    };
    let compile_error = || {
        Output::err(format!(
            "jq: error: syntax error in filter: {filter_text}\njq: 1 compile error"
        ))
        .with_code(3)
    };
    let Ok(modules) = loader.load(&arena, program) else {
        return compile_error();
    };
    let var_names: Vec<String> = named.iter().map(|(n, _)| format!("${n}")).collect();
    let Ok(compiled) = Compiler::default()
        .with_funs(funs)
        .with_global_vars(var_names.iter().map(String::as_str))
        .compile(modules)
    else {
        return compile_error();
    };

    // Run.
    let pp = jaq_json::write::Pp {
        indent: if compact {
            None
        } else if tab {
            Some("\t".to_string())
        } else {
            Some("  ".to_string())
        },
        sort_keys,
        styles: Default::default(),
        sep_space: !compact,
    };
    let mut out = Output::default();
    let mut last: Option<Val> = None;
    for input in inputs {
        let vars = Vars::new(named.iter().map(|(_, v)| v.clone()));
        let ctx = Ctx::<data::JustLut<Val>>::new(&compiled.lut, vars);
        for r in compiled.id.run((ctx, input)) {
            match r {
                Ok(v) => {
                    match &v {
                        Val::TStr(s) if raw => {
                            out.stdout.push_str(&String::from_utf8_lossy(s));
                        }
                        _ => {
                            let mut buf = Vec::new();
                            let _ = jaq_json::write::write(&mut buf, &pp, 0, &v);
                            out.stdout.push_str(&String::from_utf8_lossy(&buf));
                        }
                    }
                    if !join {
                        out.stdout.push('\n');
                    }
                    last = Some(v);
                }
                Err(e) => {
                    let msg = match e.get_err() {
                        Ok(err) => err.to_string(),
                        Err(_) => "halt".to_string(),
                    };
                    out.push_err(&format!("jq: error (at <stdin>:0): {msg}"));
                    out.code = 5;
                    return out;
                }
            }
        }
    }
    if exit_status {
        out.code = match last {
            None => 4,
            Some(Val::Null) | Some(Val::Bool(false)) => 1,
            _ => 0,
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str], input: &str) -> Output {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        jq(&args, Some(input), &|_| Err("no files".into()))
    }

    #[test]
    fn workshop_filters() {
        let nodes = r#"{"items":[{"metadata":{"name":"node1"},"status":{"capacity":{"cpu":"2","pods":"110"}}}]}"#;
        let o = run(
            &[".items[] | {name:.metadata.name} + .status.capacity"],
            nodes,
        );
        assert_eq!(
            o.stdout,
            "{\n  \"name\": \"node1\",\n  \"cpu\": \"2\",\n  \"pods\": \"110\"\n}\n"
        );
        let o = run(&["-r", ".items[0].metadata.name"], nodes);
        assert_eq!(o.stdout, "node1\n");
        let o = run(
            &[
                "-c",
                ".items[] | select(.metadata.name == \"node1\") | .status",
            ],
            nodes,
        );
        assert_eq!(
            o.stdout,
            "{\"capacity\":{\"cpu\":\"2\",\"pods\":\"110\"}}\n"
        );
        assert_eq!(run(&[".HOSTNAME"], r#"{"HOSTNAME":"x"}"#).stdout, "\"x\"\n");
        assert_eq!(run(&["-r", ".a[]"], r#"{"a":["b","c"]}"#).stdout, "b\nc\n");
    }

    #[test]
    fn errors() {
        let o = run(&[".["], "{}");
        assert_eq!(o.code, 3);
        assert!(o.stderr.contains("compile error"));
        let o = run(&[".a.b"], r#"{"a":[1]}"#);
        assert_eq!(o.code, 5);
    }
}
