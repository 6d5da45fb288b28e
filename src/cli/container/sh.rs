//! `sh -c '...'` inside a container: the one-liners learners type
//! (`sh -c 'echo $HOSTNAME; cat /etc/resolv.conf | grep search'`). Words
//! with quotes and `$VAR`/`${VAR}`/`$?` from the container's environment,
//! lists with `;`, `&&`, `||`, pipes into `grep`, `head`, `tail`, `wc`,
//! `sort`, and `exit N`. A program the container lacks is the shell's
//! `sh: foo: not found`, status 127 (POSIX: 126 when found but not
//! executable).

use super::{environment, known, read_file, Sandbox};
use crate::cli::hooks::ToolCtx;
use crate::cli::output::Output;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String),
    Semi,
    And,
    Or,
    Pipe,
}

/// Runs a script; its status is the last command's (or `exit N`).
pub fn run_script(tc: &mut ToolCtx, sb: &Sandbox, script: &str) -> Output {
    let env = environment(tc.world, sb);
    let mut out = Output::default();
    let toks = match tokenize(script, &env, 0) {
        Ok(t) => t,
        Err(e) => {
            out.push_err(&format!("sh: syntax error: {e}"));
            out.code = 2;
            return out;
        }
    };
    let mut status = 0;
    let mut i = 0;
    let mut skip = false;
    while i < toks.len() {
        // One pipeline, up to the next list operator.
        let mut j = i;
        while j < toks.len() && !matches!(toks[j], Tok::Semi | Tok::And | Tok::Or) {
            j += 1;
        }
        if !skip && j > i {
            // $? of the previous command: re-expand words that mention it.
            let stages = split_pipeline(&toks[i..j], status);
            if let Some(code) = stages.first().and_then(|s| exit_code(s, status)) {
                out.code = code;
                return out;
            }
            let o = pipeline(tc, sb, &stages);
            status = o.code;
            out.stdout.push_str(&o.stdout);
            out.stderr.push_str(&o.stderr);
        }
        skip = match toks.get(j) {
            Some(Tok::And) => status != 0,
            Some(Tok::Or) => status == 0,
            _ => false,
        };
        i = j + 1;
    }
    out.code = status;
    out
}

/// The entry point used by the dispatcher.
pub fn run(tc: &mut ToolCtx, sb: &Sandbox, script: &str) -> Output {
    run_script(tc, sb, script)
}

fn program(tc: &mut ToolCtx, sb: &Sandbox, argv: &[String]) -> Output {
    super::run(tc, sb, argv)
}

fn split_pipeline(toks: &[Tok], status: i32) -> Vec<Vec<String>> {
    let mut stages = vec![Vec::new()];
    for t in toks {
        match t {
            Tok::Pipe => stages.push(Vec::new()),
            Tok::Word(w) => stages
                .last_mut()
                .expect("one stage")
                .push(w.replace("\u{0}?", &status.to_string())),
            _ => {}
        }
    }
    stages.retain(|s| !s.is_empty());
    stages
}

fn exit_code(stage: &[String], status: i32) -> Option<i32> {
    if stage.first().map(String::as_str) != Some("exit") {
        return None;
    }
    Some(
        stage
            .get(1)
            .and_then(|c| c.parse::<i32>().ok())
            .map(|c| c & 0xff)
            .unwrap_or(status),
    )
}

/// Runs the stages, the output of each feeding the next; the status is
/// the last stage's.
fn pipeline(tc: &mut ToolCtx, sb: &Sandbox, stages: &[Vec<String>]) -> Output {
    let mut out = Output::default();
    let mut input: Option<String> = None;
    for argv in stages {
        let o = command(tc, sb, argv, input.as_deref());
        out.stderr.push_str(&o.stderr);
        out.code = o.code;
        input = Some(o.stdout);
    }
    out.stdout = input.unwrap_or_default();
    out
}

/// One simple command, with the previous stage's output as stdin.
fn command(tc: &mut ToolCtx, sb: &Sandbox, argv: &[String], stdin: Option<&str>) -> Output {
    let prog = argv[0].rsplit('/').next().unwrap_or(&argv[0]);
    if let Some(o) = filter(tc, sb, prog, &argv[1..], stdin) {
        return o;
    }
    // `cat` without files (or `-`) copies its input.
    if prog == "cat" && argv[1..].iter().all(|a| a == "-") {
        return Output::ok(stdin.unwrap_or(""));
    }
    if argv[0].starts_with('/') && read_file(tc.world, sb, &argv[0]).is_ok() {
        return Output::err(format!("sh: {}: Permission denied", argv[0])).with_code(126);
    }
    if !known(prog) || !sb.has_program(prog) {
        return Output::err(format!("sh: {}: not found", argv[0])).with_code(127);
    }
    if matches!(prog, "sh" | "ash" | "bash" | "dash")
        && argv.get(1).map(String::as_str) != Some("-c")
    {
        return match stdin {
            Some(s) => run_script(tc, sb, s),
            None => Output::default(),
        };
    }
    program(tc, sb, argv)
}

/// The text filters: on stdin, or on the files named.
pub fn filter(
    tc: &mut ToolCtx,
    sb: &Sandbox,
    prog: &str,
    args: &[String],
    stdin: Option<&str>,
) -> Option<Output> {
    if !matches!(prog, "grep" | "head" | "tail" | "wc" | "sort") {
        return None;
    }
    let mut opts: Vec<&str> = Vec::new();
    let mut words: Vec<&str> = Vec::new();
    let mut n: Option<usize> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "-n" && matches!(prog, "head" | "tail") {
            n = it.next().and_then(|v| v.parse().ok());
        } else if let Some(num) = a.strip_prefix('-').and_then(|d| d.parse::<usize>().ok()) {
            n = Some(num);
        } else if a.starts_with('-') && a.len() > 1 {
            opts.push(a);
        } else {
            words.push(a);
        }
    }
    let pattern = if prog == "grep" {
        if words.is_empty() {
            return Some(
                Output::err("Usage: grep [-HhnlLoqvsrRiwFE] PATTERN [FILE]...").with_code(2),
            );
        }
        Some(words.remove(0).to_string())
    } else {
        None
    };
    let text = if words.is_empty() {
        stdin.unwrap_or("").to_string()
    } else {
        let mut t = String::new();
        for w in &words {
            match read_file(tc.world, sb, w) {
                Ok(s) => t.push_str(&s),
                Err(_) => {
                    return Some(
                        Output::err(format!("{prog}: {w}: No such file or directory"))
                            .with_code(if prog == "grep" { 2 } else { 1 }),
                    )
                }
            }
        }
        t
    };
    let lines: Vec<&str> = text.lines().collect();
    let has = |f: char| opts.iter().any(|o| o.contains(f));
    let join = |ls: &[&str]| ls.iter().map(|l| format!("{l}\n")).collect::<String>();
    Some(match prog {
        "grep" => {
            // Plain text with the `^` and `$` anchors (what one-liners use).
            let p = pattern.unwrap_or_default();
            let ci = has('i');
            let fold = |s: &str| if ci { s.to_lowercase() } else { s.to_string() };
            let (start, rest) = match p.strip_prefix('^') {
                Some(r) => (true, r),
                None => (false, p.as_str()),
            };
            let (end, core) = match rest.strip_suffix('$') {
                Some(r) => (true, r),
                None => (false, rest),
            };
            let core = fold(core);
            let hit = |l: &&str| {
                let l = fold(l);
                let m = match (start, end) {
                    (true, true) => l == core,
                    (true, false) => l.starts_with(&core),
                    (false, true) => l.ends_with(&core),
                    (false, false) => l.contains(&core),
                };
                m != has('v')
            };
            let hits: Vec<&str> = lines.iter().copied().filter(|l| hit(l)).collect();
            let code = if hits.is_empty() { 1 } else { 0 };
            if has('c') {
                Output::ok(format!("{}\n", hits.len())).with_code(code)
            } else if has('q') {
                Output::default().with_code(code)
            } else {
                Output::ok(join(&hits)).with_code(code)
            }
        }
        "head" => Output::ok(join(&lines[..n.unwrap_or(10).min(lines.len())])),
        "tail" => Output::ok(join(&lines[lines.len().saturating_sub(n.unwrap_or(10))..])),
        "wc" if has('l') => Output::ok(format!("{}\n", lines.len())),
        "wc" => Output::ok(format!(
            "{:>9} {:>9} {:>9}\n",
            lines.len(),
            text.split_whitespace().count(),
            text.len()
        )),
        _ => {
            let mut v = lines.clone();
            v.sort();
            if has('r') {
                v.reverse();
            }
            Output::ok(join(&v))
        }
    })
}

/// Splits a script into words and operators, expanding variables from
/// `env` (unset ones are empty; `$?` is kept as a marker and filled in
/// when the command runs).
fn tokenize(s: &str, env: &[(String, String)], _depth: usize) -> Result<Vec<Tok>, String> {
    let var = |name: &str| {
        env.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut toks = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = s.chars().peekable();
    let flush = |word: &mut String, in_word: &mut bool, toks: &mut Vec<Tok>| {
        if *in_word {
            toks.push(Tok::Word(std::mem::take(word)));
            *in_word = false;
        }
    };
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => flush(&mut word, &mut in_word, &mut toks),
            '\n' | ';' => {
                flush(&mut word, &mut in_word, &mut toks);
                toks.push(Tok::Semi);
            }
            '#' if !in_word => {
                // A comment to the end of the line.
                for c in chars.by_ref() {
                    if c == '\n' {
                        toks.push(Tok::Semi);
                        break;
                    }
                }
            }
            '&' if chars.peek() == Some(&'&') => {
                chars.next();
                flush(&mut word, &mut in_word, &mut toks);
                toks.push(Tok::And);
            }
            '|' if chars.peek() == Some(&'|') => {
                chars.next();
                flush(&mut word, &mut in_word, &mut toks);
                toks.push(Tok::Or);
            }
            '|' => {
                flush(&mut word, &mut in_word, &mut toks);
                toks.push(Tok::Pipe);
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("unterminated quoted string".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err("unterminated quoted string".into()),
                        },
                        Some('$') => word.push_str(&dollar(&mut chars, &var)),
                        Some(c) => word.push(c),
                        None => return Err("unterminated quoted string".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(c) = chars.next() {
                    word.push(c);
                }
            }
            '$' => {
                in_word = true;
                word.push_str(&dollar(&mut chars, &var));
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    flush(&mut word, &mut in_word, &mut toks);
    Ok(toks)
}

/// What follows a `$`: `NAME`, `{NAME}`, `?` (kept as a marker).
fn dollar(
    chars: &mut std::iter::Peekable<std::str::Chars>,
    var: &dyn Fn(&str) -> String,
) -> String {
    match chars.peek().copied() {
        Some('?') => {
            chars.next();
            "\u{0}?".into()
        }
        Some('{') => {
            chars.next();
            let mut name = String::new();
            for c in chars.by_ref() {
                if c == '}' {
                    break;
                }
                name.push(c);
            }
            var(&name)
        }
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {
            let mut name = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_ascii_alphanumeric() || c == '_' {
                    name.push(c);
                    chars.next();
                } else {
                    break;
                }
            }
            var(&name)
        }
        _ => "$".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<Tok> {
        let env = vec![("HOSTNAME".to_string(), "web".to_string())];
        tokenize(s, &env, 0).expect("tokens")
    }

    #[test]
    fn quotes_variables_and_operators() {
        let w = |s: &str| Tok::Word(s.into());
        assert_eq!(
            words("echo $HOSTNAME '$HOSTNAME' \"x ${HOSTNAME}\" && false || echo a|wc -l; exit 3"),
            vec![
                w("echo"),
                w("web"),
                w("$HOSTNAME"),
                w("x web"),
                Tok::And,
                w("false"),
                Tok::Or,
                w("echo"),
                w("a"),
                Tok::Pipe,
                w("wc"),
                w("-l"),
                Tok::Semi,
                w("exit"),
                w("3"),
            ]
        );
        assert!(tokenize("echo 'open", &[], 0).is_err());
    }
}
