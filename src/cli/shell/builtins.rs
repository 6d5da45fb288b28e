//! The shell's own commands: the text tools workshop lines pipe into
//! (`grep`, `head`, `tail`, `wc`, `sort`, `uniq`, `cut`, `awk`, `tr`, `jq`,
//! `base64`), `echo`, `printf`, `cat`, `seq`, `test`/`[`, `date`, a few file
//! commands on the session's work directory, and `kubens`.
//!
//! Each follows the GNU coreutils/grep behaviour for the options it takes;
//! an option it does not know is an error, never silently ignored.

use super::jq;
use crate::cli::output::Output;
use crate::cli::session::Env;
use std::path::PathBuf;

/// What the text tools may use: files relative to the work directory and
/// the cluster's clock (`date`).
pub struct Ctx {
    pub workdir: PathBuf,
    pub now: jiff::Timestamp,
}

impl Ctx {
    fn read(&self, f: &str) -> Result<String, String> {
        if f == "-" {
            return Err("-".into());
        }
        std::fs::read_to_string(self.workdir.join(f)).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => "No such file or directory".to_string(),
            std::io::ErrorKind::IsADirectory => "Is a directory".to_string(),
            _ => e.to_string(),
        })
    }
}

/// The builtins' names and one-line descriptions (for `help`).
pub const BUILTINS: &[(&str, &str)] = &[
    (
        "awk",
        "print fields: awk [-F SEP] '[/re/|NR>N] {print $1, $NF}'",
    ),
    ("base64", "encode or decode (-d) base64"),
    ("cat", "print files or standard input"),
    ("cd", "change the work directory of redirections and -f"),
    ("cut", "cut -d SEP -f LIST, cut -c LIST"),
    ("date", "the cluster's wall-clock time (+FORMAT)"),
    ("echo", "print arguments (-n, -e)"),
    ("export", "export NAME=VALUE"),
    ("false", "fail"),
    (
        "grep",
        "grep [-v -i -c -E -F -o -w -x -n -q -A N -B N -C N] PATTERN",
    ),
    ("head", "first lines (-n N)"),
    ("jq", "JSON processor (jaq): -r -c -n -s -e --arg"),
    (
        "kubens",
        "switch namespace (also kns): kubens NAME, kubens -",
    ),
    ("ls", "list files in the work directory"),
    ("mkdir", "make directories"),
    ("printf", "formatted output (%s %d %%)"),
    ("pwd", "the work directory"),
    ("rm", "remove files"),
    (
        "sed",
        "sed [-i] [-n] [-e] 's/RE/REPL/[g]' | '/RE/d' | 'Np' [FILE]",
    ),
    ("seq", "seq [FIRST [INCREMENT]] LAST"),
    ("sleep", "let virtual time pass: sleep 5, sleep 0.3"),
    ("sort", "sort lines (-n -r -u -k N -t SEP)"),
    ("tail", "last lines (-n N, -n +N)"),
    (
        "test",
        "test EXPR, [ EXPR ]: -f -d -e -z -n = != -eq -ne -lt -le -gt -ge",
    ),
    ("touch", "create empty files"),
    ("tr", "translate or delete characters (-d, -s)"),
    ("true", "succeed"),
    ("uniq", "drop repeated lines (-c -d -u)"),
    ("unset", "remove variables"),
    ("watch", "watch [-n SECS] COMMAND: rerun and show changes"),
    ("wc", "count lines, words, bytes (-l -w -c)"),
];

/// Runs a text builtin; `None` if `name` is not one.
pub fn run(name: &str, args: &[String], stdin: Option<&str>, ctx: &Ctx) -> Option<Output> {
    Some(match name {
        "echo" => echo(args),
        "printf" => printf(args),
        "cat" => cat(args, stdin, ctx),
        "grep" | "egrep" | "fgrep" => grep(name, args, stdin, ctx),
        "head" => head_tail(true, args, stdin, ctx),
        "tail" => head_tail(false, args, stdin, ctx),
        "wc" => wc(args, stdin, ctx),
        "sort" => sort(args, stdin, ctx),
        "uniq" => uniq(args, stdin),
        "cut" => cut(args, stdin, ctx),
        "awk" => awk(args, stdin, ctx),
        "tr" => tr(args, stdin),
        "sed" => sed(args, stdin, ctx),
        "seq" => seq(args),
        "base64" => base64(args, stdin, ctx),
        "jq" => jq::jq(args, stdin, &|f| ctx.read(f)),
        "date" => date(args, ctx),
        "test" => test(args, ctx, false),
        "[" => test(args, ctx, true),
        "true" | ":" => Output::default(),
        "false" => Output::default().with_code(1),
        "clear" | "reset" => Output::default(),
        "pwd" => Output::ok(format!("{}\n", ctx.workdir.display())),
        "ls" => ls(args, ctx),
        "rm" => rm(args, ctx),
        "mkdir" => mkdir(args, ctx),
        "touch" => touch(args, ctx),
        _ => return None,
    })
}

/// Text from the files named in `files`, or standard input.
fn inputs(files: &[String], stdin: Option<&str>, ctx: &Ctx, tool: &str) -> Result<String, Output> {
    if files.is_empty() {
        return Ok(stdin.unwrap_or("").to_string());
    }
    let mut s = String::new();
    for f in files {
        if f == "-" {
            s.push_str(stdin.unwrap_or(""));
            continue;
        }
        match ctx.read(f) {
            Ok(t) => s.push_str(&t),
            Err(e) => return Err(Output::err(format!("{tool}: {f}: {e}"))),
        }
    }
    Ok(s)
}

fn lines_of(text: &str) -> Vec<&str> {
    if text.is_empty() {
        return Vec::new();
    }
    text.strip_suffix('\n')
        .unwrap_or(text)
        .split('\n')
        .collect()
}

fn join_lines(lines: &[impl AsRef<str>]) -> String {
    let mut s = String::new();
    for l in lines {
        s.push_str(l.as_ref());
        s.push('\n');
    }
    s
}

/// Backslash escapes of `echo -e` and `printf` formats.
fn unescape(s: &str) -> (String, bool) {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
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
            Some('a') => out.push('\x07'),
            Some('e') => out.push('\x1b'),
            Some('c') => return (out, true),
            Some(o) => {
                out.push('\\');
                out.push(o);
            }
            None => out.push('\\'),
        }
    }
    (out, false)
}

fn echo(args: &[String]) -> Output {
    let mut newline = true;
    let mut escapes = false;
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a.len() > 1 && a.starts_with('-') && a[1..].chars().all(|c| "neE".contains(c)) {
            for c in a[1..].chars() {
                match c {
                    'n' => newline = false,
                    'e' => escapes = true,
                    _ => escapes = false,
                }
            }
            i += 1;
        } else {
            break;
        }
    }
    let mut text = args[i..].join(" ");
    if escapes {
        let (t, stop) = unescape(&text);
        text = t;
        if stop {
            newline = false;
        }
    }
    if newline {
        text.push('\n');
    }
    Output::ok(text)
}

fn printf(args: &[String]) -> Output {
    let Some(fmt) = args.first() else {
        return Output::err("printf: usage: printf format [arguments]").with_code(2);
    };
    let (fmt, _) = unescape(fmt);
    let mut rest = args[1..].iter();
    let mut out = String::new();
    loop {
        let mut consumed = false;
        let mut chars = fmt.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            let mut spec = String::new();
            while let Some(&d) = chars.peek() {
                if d.is_ascii_digit() || d == '-' || d == '.' {
                    spec.push(d);
                    chars.next();
                } else {
                    break;
                }
            }
            match chars.next() {
                Some('%') => out.push('%'),
                Some(conv @ ('s' | 'd' | 'i' | 'q')) => {
                    let arg = rest.next().cloned().unwrap_or_default();
                    consumed = true;
                    let v = if conv == 'd' || conv == 'i' {
                        arg.trim().parse::<i64>().unwrap_or(0).to_string()
                    } else {
                        arg
                    };
                    let width: usize = spec
                        .trim_start_matches('-')
                        .split('.')
                        .next()
                        .and_then(|w| w.parse().ok())
                        .unwrap_or(0);
                    if spec.starts_with('-') {
                        out.push_str(&format!("{v:<width$}"));
                    } else {
                        out.push_str(&format!("{v:>width$}"));
                    }
                }
                Some(o) => {
                    out.push('%');
                    out.push_str(&spec);
                    out.push(o);
                }
                None => out.push('%'),
            }
        }
        if !consumed || rest.len() == 0 {
            break;
        }
    }
    Output::ok(out)
}

fn cat(args: &[String], stdin: Option<&str>, ctx: &Ctx) -> Output {
    let mut number = false;
    let mut files = Vec::new();
    for a in args {
        match a.as_str() {
            "-n" => number = true,
            _ => files.push(a.clone()),
        }
    }
    let mut out = Output::default();
    let mut texts = Vec::new();
    if files.is_empty() {
        texts.push(stdin.unwrap_or("").to_string());
    }
    for f in &files {
        if f == "-" {
            texts.push(stdin.unwrap_or("").to_string());
            continue;
        }
        match ctx.read(f) {
            Ok(t) => texts.push(t),
            Err(e) => {
                out.push_err(&format!("cat: {f}: {e}"));
                out.code = 1;
            }
        }
    }
    let all: String = texts.concat();
    if number {
        for (i, l) in lines_of(&all).iter().enumerate() {
            out.stdout.push_str(&format!("{:>6}\t{l}\n", i + 1));
        }
    } else {
        out.stdout.push_str(&all);
    }
    out
}

/// A grep pattern as a regex: BRE (default), ERE (`-E`) or fixed (`-F`).
fn grep_regex(pat: &str, mode: char) -> String {
    match mode {
        'F' => escape_regex(pat),
        'E' => pat.to_string(),
        _ => bre_to_ere(pat),
    }
}

fn escape_regex(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// POSIX basic regular expressions: `\( \) \{ \} \| \+ \?` are operators
/// and the bare characters are literal (GNU grep's BRE).
fn bre_to_ere(p: &str) -> String {
    let mut out = String::new();
    let c: Vec<char> = p.chars().collect();
    let mut i = 0;
    while i < c.len() {
        match c[i] {
            '\\' if i + 1 < c.len() => {
                let n = c[i + 1];
                if "(){}|+?".contains(n) {
                    out.push(n);
                } else {
                    out.push('\\');
                    out.push(n);
                }
                i += 2;
            }
            '[' => {
                // Copy a bracket expression as is.
                let start = i;
                i += 1;
                if i < c.len() && c[i] == '^' {
                    i += 1;
                }
                if i < c.len() && c[i] == ']' {
                    i += 1;
                }
                while i < c.len() && c[i] != ']' {
                    if c[i] == '[' && i + 1 < c.len() && c[i + 1] == ':' {
                        while i < c.len() && !(c[i] == ']' && c[i - 1] == ':') {
                            i += 1;
                        }
                    }
                    i += 1;
                }
                let end = (i + 1).min(c.len());
                out.extend(&c[start..end]);
                i = end;
            }
            ch if "(){}|+?".contains(ch) => {
                out.push('\\');
                out.push(ch);
                i += 1;
            }
            ch => {
                out.push(ch);
                i += 1;
            }
        }
    }
    out
}

fn grep(name: &str, args: &[String], stdin: Option<&str>, ctx: &Ctx) -> Output {
    let mut invert = false;
    let mut icase = false;
    let mut count = false;
    let mut only = false;
    let mut word = false;
    let mut whole = false;
    let mut numbers = false;
    let mut quiet = false;
    let mut mode = match name {
        "egrep" => 'E',
        "fgrep" => 'F',
        _ => 'G',
    };
    let (mut after, mut before) = (0usize, 0usize);
    let mut patterns: Vec<String> = Vec::new();
    let mut files: Vec<String> = Vec::new();
    let mut i = 0;
    let mut no_more_flags = false;
    let usage = || {
        Output::err(
            "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.",
        )
        .with_code(2)
    };
    while i < args.len() {
        let a = &args[i];
        if no_more_flags || !a.starts_with('-') || a == "-" {
            if patterns.is_empty() && !args[..i].iter().any(|x| x == "-e") {
                patterns.push(a.clone());
            } else {
                files.push(a.clone());
            }
            i += 1;
            continue;
        }
        if a == "--" {
            no_more_flags = true;
            i += 1;
            continue;
        }
        if let Some(long) = a.strip_prefix("--") {
            match long {
                "invert-match" => invert = true,
                "ignore-case" => icase = true,
                "count" => count = true,
                "extended-regexp" => mode = 'E',
                "fixed-strings" => mode = 'F',
                "only-matching" => only = true,
                "word-regexp" => word = true,
                "line-regexp" => whole = true,
                "line-number" => numbers = true,
                "quiet" | "silent" => quiet = true,
                "color=never" | "color" | "colour" | "color=auto" => {}
                _ => {
                    return Output::err(format!("grep: unrecognized option '{a}'\nUsage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.")).with_code(2)
                }
            }
            i += 1;
            continue;
        }
        let chars: Vec<char> = a[1..].chars().collect();
        let mut j = 0;
        while j < chars.len() {
            let c = chars[j];
            match c {
                'v' => invert = true,
                'i' => icase = true,
                'c' => count = true,
                'E' => mode = 'E',
                'F' => mode = 'F',
                'G' => mode = 'G',
                'o' => only = true,
                'w' => word = true,
                'x' => whole = true,
                'n' => numbers = true,
                'q' | 's' | 'h' | 'H' => quiet = quiet || c == 'q',
                'e' | 'A' | 'B' | 'C' => {
                    let rest: String = chars[j + 1..].iter().collect();
                    let val = if !rest.is_empty() {
                        rest
                    } else {
                        i += 1;
                        match args.get(i) {
                            Some(v) => v.clone(),
                            None => return usage(),
                        }
                    };
                    if c == 'e' {
                        patterns.push(val);
                    } else {
                        let Ok(n) = val.parse::<usize>() else {
                            return Output::err(format!("grep: {val}: invalid context length argument")).with_code(2);
                        };
                        match c {
                            'A' => after = n,
                            'B' => before = n,
                            _ => {
                                after = n;
                                before = n
                            }
                        }
                    }
                    j = chars.len();
                    continue;
                }
                _ => {
                    return Output::err(format!("grep: invalid option -- '{c}'\nUsage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.")).with_code(2)
                }
            }
            j += 1;
        }
        i += 1;
    }
    if patterns.is_empty() {
        return usage();
    }
    let mut alts: Vec<String> = Vec::new();
    for p in &patterns {
        for line in p.split('\n') {
            alts.push(grep_regex(line, mode));
        }
    }
    let mut re = alts
        .iter()
        .map(|a| format!("(?:{a})"))
        .collect::<Vec<_>>()
        .join("|");
    if word {
        re = format!(r"\b(?:{re})\b");
    }
    if whole {
        re = format!("^(?:{re})$");
    }
    let regex = match regex_bites::RegexBuilder::new(&re)
        .case_insensitive(icase)
        .build()
    {
        Ok(r) => r,
        Err(_) => {
            return Output::err(format!(
                "grep: Invalid regular expression: {}",
                patterns.join(" ")
            ))
            .with_code(2)
        }
    };
    let multi = files.len() > 1;
    let mut out = Output::default();
    let mut any = false;
    let sources: Vec<(String, String)> = if files.is_empty() {
        vec![(
            String::from("(standard input)"),
            stdin.unwrap_or("").to_string(),
        )]
    } else {
        let mut v = Vec::new();
        for f in &files {
            if f == "-" {
                v.push((
                    "(standard input)".to_string(),
                    stdin.unwrap_or("").to_string(),
                ));
                continue;
            }
            match ctx.read(f) {
                Ok(t) => v.push((f.clone(), t)),
                Err(e) => {
                    out.push_err(&format!("grep: {f}: {e}"));
                    out.code = 2;
                }
            }
        }
        v
    };
    for (fname, text) in &sources {
        let lines = lines_of(text);
        let matched: Vec<bool> = lines.iter().map(|l| regex.is_match(l) != invert).collect();
        let n = matched.iter().filter(|m| **m).count();
        if n > 0 {
            any = true;
        }
        if quiet {
            continue;
        }
        let prefix = |i: usize, sep: char| {
            let mut p = String::new();
            if multi {
                p.push_str(fname);
                p.push(sep);
            }
            if numbers {
                p.push_str(&format!("{}{sep}", i + 1));
            }
            p
        };
        if count {
            if multi {
                out.stdout.push_str(&format!("{fname}:{n}\n"));
            } else {
                out.stdout.push_str(&format!("{n}\n"));
            }
            continue;
        }
        let mut last_printed: Option<usize> = None;
        let mut pending_after = 0usize;
        for (i, l) in lines.iter().enumerate() {
            if matched[i] {
                let from = i.saturating_sub(before);
                let start = match last_printed {
                    Some(lp) if lp + 1 >= from => lp + 1,
                    Some(_) => {
                        if before > 0 || after > 0 {
                            out.stdout.push_str("--\n");
                        }
                        from
                    }
                    None => from,
                };
                for (k, ctx_line) in lines.iter().enumerate().take(i).skip(start) {
                    out.stdout
                        .push_str(&format!("{}{ctx_line}\n", prefix(k, '-')));
                }
                if only && !invert {
                    for m in regex.find_iter(l) {
                        out.stdout
                            .push_str(&format!("{}{}\n", prefix(i, ':'), m.as_str()));
                    }
                } else {
                    out.stdout.push_str(&format!("{}{l}\n", prefix(i, ':')));
                }
                last_printed = Some(i);
                pending_after = after;
            } else if pending_after > 0 {
                out.stdout.push_str(&format!("{}{l}\n", prefix(i, '-')));
                last_printed = Some(i);
                pending_after -= 1;
            }
        }
    }
    if out.code == 0 {
        out.code = if any { 0 } else { 1 };
    }
    out
}

/// A head/tail count and whether it was `+N`.
type Count = Option<(i64, bool)>;

/// `-n N`, `-nN`, `-N`, `--lines=N`: the count, the files and `-f`.
fn count_arg(args: &[String], tool: &str) -> Result<(Count, Vec<String>, bool), Output> {
    let mut n = None;
    let mut files = Vec::new();
    let mut follow = false;
    let mut i = 0;
    let parse = |v: &str| -> Result<(i64, bool), Output> {
        let plus = v.starts_with('+');
        v.trim_start_matches('+')
            .parse::<i64>()
            .map(|n| (n, plus))
            .map_err(|_| Output::err(format!("{tool}: invalid number of lines: '{v}'")))
    };
    while i < args.len() {
        let a = &args[i];
        if a == "-n" || a == "--lines" {
            i += 1;
            let Some(v) = args.get(i) else {
                return Err(Output::err(format!(
                    "{tool}: option requires an argument -- 'n'"
                )));
            };
            n = Some(parse(v)?);
        } else if let Some(v) = a.strip_prefix("--lines=") {
            n = Some(parse(v)?);
        } else if let Some(v) = a.strip_prefix("-n") {
            n = Some(parse(v)?);
        } else if a == "-f" || a == "-F" || a == "--follow" {
            follow = true;
        } else if a.len() > 1 && a.starts_with('-') && a[1..].chars().all(|c| c.is_ascii_digit()) {
            n = Some(parse(&a[1..])?);
        } else if a.len() > 1 && a.starts_with('-') {
            return Err(Output::err(format!(
                "{tool}: invalid option -- '{}'",
                &a[1..]
            )));
        } else {
            files.push(a.clone());
        }
        i += 1;
    }
    Ok((n, files, follow))
}

fn head_tail(head: bool, args: &[String], stdin: Option<&str>, ctx: &Ctx) -> Output {
    let tool = if head { "head" } else { "tail" };
    let (n, files, follow) = match count_arg(args, tool) {
        Ok(x) => x,
        Err(e) => return e,
    };
    if follow {
        return Output::err(
            "tail: -f is not supported in kubesim (use kubectl logs -f or kubectl get -w)",
        );
    }
    let text = match inputs(&files, stdin, ctx, tool) {
        Ok(t) => t,
        Err(e) => return e,
    };
    let lines = lines_of(&text);
    let (n, plus) = n.unwrap_or((10, false));
    let sel: Vec<&str> = if head {
        if n >= 0 {
            lines.iter().take(n as usize).copied().collect()
        } else {
            let keep = lines.len().saturating_sub(n.unsigned_abs() as usize);
            lines[..keep].to_vec()
        }
    } else if plus {
        lines
            .iter()
            .skip((n.max(1) - 1) as usize)
            .copied()
            .collect()
    } else {
        let k = n.unsigned_abs() as usize;
        lines[lines.len().saturating_sub(k)..].to_vec()
    };
    Output::ok(join_lines(&sel))
}

fn wc(args: &[String], stdin: Option<&str>, ctx: &Ctx) -> Output {
    let (mut l, mut w, mut c) = (false, false, false);
    let mut files = Vec::new();
    for a in args {
        if a.starts_with('-') && a.len() > 1 {
            for ch in a[1..].chars() {
                match ch {
                    'l' => l = true,
                    'w' => w = true,
                    'c' | 'm' => c = true,
                    _ => return Output::err(format!("wc: invalid option -- '{ch}'")),
                }
            }
        } else {
            files.push(a.clone());
        }
    }
    if !l && !w && !c {
        (l, w, c) = (true, true, true);
    }
    let text = match inputs(&files, stdin, ctx, "wc") {
        Ok(t) => t,
        Err(e) => return e,
    };
    let counts: Vec<usize> = [
        (l, text.matches('\n').count()),
        (w, text.split_whitespace().count()),
        (c, text.len()),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .map(|(_, n)| *n)
    .collect();
    let mut s = if counts.len() == 1 && files.is_empty() {
        counts[0].to_string()
    } else {
        counts
            .iter()
            .map(|n| format!("{n:>7}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    if let Some(f) = files.first() {
        s.push(' ');
        s.push_str(f);
    }
    s.push('\n');
    Output::ok(s)
}

fn sort(args: &[String], stdin: Option<&str>, ctx: &Ctx) -> Output {
    let (mut numeric, mut reverse, mut unique) = (false, false, false);
    let mut key: Option<usize> = None;
    let mut sep: Option<char> = None;
    let mut files = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a == "-k" || a == "-t" {
            i += 1;
            let v = args.get(i).cloned().unwrap_or_default();
            if a == "-k" {
                key = v
                    .split([',', '.'])
                    .next()
                    .and_then(|k| k.trim_end_matches(|c: char| c.is_alphabetic()).parse().ok());
            } else {
                sep = v.chars().next();
            }
        } else if let Some(v) = a.strip_prefix("-k") {
            key = v
                .split([',', '.'])
                .next()
                .and_then(|k| k.trim_end_matches(|c: char| c.is_alphabetic()).parse().ok());
        } else if let Some(v) = a.strip_prefix("-t") {
            sep = v.chars().next();
        } else if a.starts_with('-') && a.len() > 1 {
            for ch in a[1..].chars() {
                match ch {
                    'n' | 'h' | 'g' => numeric = true,
                    'r' => reverse = true,
                    'u' => unique = true,
                    'b' | 'f' | 'V' => {}
                    _ => {
                        return Output::err(format!("sort: invalid option -- '{ch}'")).with_code(2)
                    }
                }
            }
        } else {
            files.push(a.clone());
        }
        i += 1;
    }
    let text = match inputs(&files, stdin, ctx, "sort") {
        Ok(t) => t,
        Err(e) => return e,
    };
    let field = |l: &str| -> String {
        match key {
            None => l.to_string(),
            Some(k) => {
                let parts: Vec<&str> = match sep {
                    Some(s) => l.split(s).collect(),
                    None => l.split_whitespace().collect(),
                };
                parts
                    .get(k.saturating_sub(1)..)
                    .map(|p| p.join(" "))
                    .unwrap_or_default()
            }
        }
    };
    let num = |s: &str| -> f64 {
        let t: String = s
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
            .collect();
        t.parse().unwrap_or(0.0)
    };
    let mut lines: Vec<&str> = lines_of(&text);
    lines.sort_by(|a, b| {
        let (ka, kb) = (field(a), field(b));
        let ord = if numeric {
            num(&ka)
                .partial_cmp(&num(&kb))
                .unwrap_or(std::cmp::Ordering::Equal)
        } else {
            ka.cmp(&kb)
        };
        ord.then_with(|| a.cmp(b))
    });
    if reverse {
        lines.reverse();
    }
    if unique {
        lines.dedup_by(|a, b| field(a) == field(b));
    }
    Output::ok(join_lines(&lines))
}

fn uniq(args: &[String], stdin: Option<&str>) -> Output {
    let (mut count, mut dups, mut uniques) = (false, false, false);
    for a in args {
        match a.as_str() {
            "-c" => count = true,
            "-d" => dups = true,
            "-u" => uniques = true,
            other => {
                return Output::err(format!(
                    "uniq: invalid option -- '{}'",
                    other.trim_start_matches('-')
                ))
            }
        }
    }
    let text = stdin.unwrap_or("");
    let mut groups: Vec<(&str, usize)> = Vec::new();
    for l in lines_of(text) {
        match groups.last_mut() {
            Some((g, n)) if *g == l => *n += 1,
            _ => groups.push((l, 1)),
        }
    }
    let mut s = String::new();
    for (l, n) in groups {
        if (dups && n < 2) || (uniques && n > 1) {
            continue;
        }
        if count {
            s.push_str(&format!("{n:>7} {l}\n"));
        } else {
            s.push_str(l);
            s.push('\n');
        }
    }
    Output::ok(s)
}

/// `1,3`, `2-4`, `3-`, `-2`: which 1-based positions are selected.
fn parse_list(spec: &str) -> Option<Vec<(usize, usize)>> {
    let mut out = Vec::new();
    for part in spec.split(',') {
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => (
                if a.is_empty() { 1 } else { a.parse().ok()? },
                if b.is_empty() {
                    usize::MAX
                } else {
                    b.parse().ok()?
                },
            ),
            None => {
                let n = part.parse().ok()?;
                (n, n)
            }
        };
        if a == 0 {
            return None;
        }
        out.push((a, b));
    }
    Some(out)
}

fn cut(args: &[String], stdin: Option<&str>, ctx: &Ctx) -> Output {
    let mut delim = '\t';
    let mut fields: Option<Vec<(usize, usize)>> = None;
    let mut chars: Option<Vec<(usize, usize)>> = None;
    let mut files = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        let (flag, val) = if a.len() > 2 && a.starts_with('-') && !a.starts_with("--") {
            (&a[..2], Some(a[2..].to_string()))
        } else {
            (a.as_str(), None)
        };
        let take = |i: &mut usize| -> Option<String> {
            val.clone().or_else(|| {
                *i += 1;
                args.get(*i).cloned()
            })
        };
        match flag {
            "-d" => delim = take(&mut i).and_then(|v| v.chars().next()).unwrap_or('\t'),
            "-f" => fields = take(&mut i).and_then(|v| parse_list(&v)),
            "-c" | "-b" => chars = take(&mut i).and_then(|v| parse_list(&v)),
            _ if a.starts_with('-') && a.len() > 1 => {
                return Output::err(format!("cut: invalid option -- '{}'", &a[1..]))
            }
            _ => files.push(a.clone()),
        }
        i += 1;
    }
    if fields.is_none() && chars.is_none() {
        return Output::err("cut: you must specify a list of bytes, characters, or fields\nTry 'cut --help' for more information.");
    }
    let text = match inputs(&files, stdin, ctx, "cut") {
        Ok(t) => t,
        Err(e) => return e,
    };
    let sel = |n: usize, list: &[(usize, usize)]| list.iter().any(|(a, b)| n >= *a && n <= *b);
    let mut out = String::new();
    for l in lines_of(&text) {
        if let Some(list) = &chars {
            let s: String = l
                .chars()
                .enumerate()
                .filter(|(i, _)| sel(i + 1, list))
                .map(|(_, c)| c)
                .collect();
            out.push_str(&s);
        } else if let Some(list) = &fields {
            if !l.contains(delim) {
                out.push_str(l);
            } else {
                let parts: Vec<&str> = l
                    .split(delim)
                    .enumerate()
                    .filter(|(i, _)| sel(i + 1, list))
                    .map(|(_, p)| p)
                    .collect();
                out.push_str(&parts.join(&delim.to_string()));
            }
        }
        out.push('\n');
    }
    Output::ok(out)
}

/// The little awk: `[-F SEP] 'RULE...'` where a rule is `[PATTERN] {print
/// ITEM[, ITEM]...}` (or a bare pattern, which prints `$0`); a pattern is
/// `BEGIN`, `END`, `/regex/`, `!/regex/` or `NR|NF|$N OP VALUE`; an item
/// concatenates `$N`, `$NF`, `$(NF-1)`, `NR`, `NF` and `"strings"`.
fn awk(args: &[String], stdin: Option<&str>, ctx: &Ctx) -> Output {
    let mut fs: Option<String> = None;
    let mut program: Option<String> = None;
    let mut files = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a == "-F" {
            i += 1;
            fs = args.get(i).cloned();
        } else if let Some(v) = a.strip_prefix("-F") {
            fs = Some(v.to_string());
        } else if program.is_none() {
            program = Some(a.clone());
        } else {
            files.push(a.clone());
        }
        i += 1;
    }
    let Some(program) = program else {
        return Output::err("usage: awk [-F fs] 'program' [file ...]").with_code(2);
    };
    let rules = match awk_parse(&program) {
        Some(r) => r,
        None => {
            return Output::err(format!(
                "awk: kubesim's awk understands '[/re/ | NR>N | $N==\"x\"] {{print $1, $NF}}' rules; cannot run: {program}"
            ))
            .with_code(2)
        }
    };
    let text = match inputs(&files, stdin, ctx, "awk") {
        Ok(t) => t,
        Err(e) => return e,
    };
    let mut out = String::new();
    let fields_of = |l: &str| -> Vec<String> {
        match fs.as_deref() {
            None | Some(" ") => l.split_whitespace().map(str::to_string).collect(),
            Some(sep) => l.split(sep).map(str::to_string).collect(),
        }
    };
    for r in rules.iter().filter(|r| matches!(r.pattern, AwkPat::Begin)) {
        awk_print(&r.items, "", &[], 0, &mut out);
    }
    let lines = lines_of(&text);
    for (n, l) in lines.iter().enumerate() {
        let f = fields_of(l);
        for r in &rules {
            if awk_matches(&r.pattern, l, &f, n + 1) {
                awk_print(&r.items, l, &f, n + 1, &mut out);
            }
        }
    }
    for r in rules.iter().filter(|r| matches!(r.pattern, AwkPat::End)) {
        let last = lines.last().copied().unwrap_or("");
        awk_print(&r.items, last, &fields_of(last), lines.len(), &mut out);
    }
    Output::ok(out)
}

enum AwkPat {
    All,
    Begin,
    End,
    Re(regex_bites::Regex, bool),
    Cmp(String, String, String),
}

struct AwkRule {
    pattern: AwkPat,
    items: Vec<Vec<String>>,
}

fn awk_parse(p: &str) -> Option<Vec<AwkRule>> {
    let mut rules = Vec::new();
    let mut rest = p.trim();
    while !rest.is_empty() {
        let (pat_text, after) = match rest.find('{') {
            Some(i) => (rest[..i].trim(), &rest[i..]),
            None => (rest, ""),
        };
        let pattern = match pat_text {
            "" => AwkPat::All,
            "BEGIN" => AwkPat::Begin,
            "END" => AwkPat::End,
            t if t.starts_with("!/") && t.ends_with('/') && t.len() > 2 => {
                AwkPat::Re(regex_bites::Regex::new(&t[2..t.len() - 1]).ok()?, true)
            }
            t if t.starts_with('/') && t.ends_with('/') && t.len() > 1 => {
                AwkPat::Re(regex_bites::Regex::new(&t[1..t.len() - 1]).ok()?, false)
            }
            t => {
                let op = ["==", "!=", ">=", "<=", ">", "<"]
                    .into_iter()
                    .find(|o| t.contains(o))?;
                let (l, r) = t.split_once(op)?;
                AwkPat::Cmp(
                    l.trim().into(),
                    op.into(),
                    r.trim().trim_matches('"').into(),
                )
            }
        };
        let items = if after.is_empty() {
            rest = "";
            vec![vec!["$0".to_string()]]
        } else {
            let close = after.find('}')?;
            let body = after[1..close].trim().trim_end_matches(';').trim();
            rest = after[close + 1..].trim_start_matches(';').trim();
            if body.is_empty() {
                vec![vec!["$0".to_string()]]
            } else {
                let args = body.strip_prefix("print")?.trim();
                if args.is_empty() {
                    vec![vec!["$0".to_string()]]
                } else {
                    split_top(args, ',')
                        .into_iter()
                        .map(|item| awk_terms(item.trim()))
                        .collect::<Option<Vec<_>>>()?
                }
            }
        };
        rules.push(AwkRule { pattern, items });
    }
    Some(rules)
}

fn split_top(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            c if c == sep && depth == 0 && !quoted => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// Terms of a concatenation: `$1`, `$NF`, `$(NF-1)`, `NR`, `"text"`.
fn awk_terms(s: &str) -> Option<Vec<String>> {
    let mut terms = Vec::new();
    let c: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < c.len() {
        match c[i] {
            ' ' | '\t' => i += 1,
            '"' => {
                let start = i;
                i += 1;
                while i < c.len() && c[i] != '"' {
                    i += 1;
                }
                i += 1;
                terms.push(c[start..i.min(c.len())].iter().collect());
            }
            '$' => {
                let start = i;
                i += 1;
                if i < c.len() && c[i] == '(' {
                    while i < c.len() && c[i] != ')' {
                        i += 1;
                    }
                    i += 1;
                } else {
                    while i < c.len() && (c[i].is_ascii_alphanumeric() || c[i] == '_') {
                        i += 1;
                    }
                }
                terms.push(c[start..i.min(c.len())].iter().collect());
            }
            ch if ch.is_ascii_alphanumeric() => {
                let start = i;
                while i < c.len() && c[i].is_ascii_alphanumeric() {
                    i += 1;
                }
                terms.push(c[start..i].iter().collect());
            }
            _ => return None,
        }
    }
    Some(terms)
}

fn awk_value(term: &str, line: &str, f: &[String], nr: usize) -> String {
    if let Some(s) = term.strip_prefix('"') {
        let (t, _) = unescape(s.strip_suffix('"').unwrap_or(s));
        return t;
    }
    let nf = f.len() as i64;
    let index = |e: &str| -> i64 {
        let e = e.trim();
        if e == "NF" {
            nf
        } else if let Some(k) = e.strip_prefix("NF-") {
            nf - k.trim().parse::<i64>().unwrap_or(0)
        } else {
            e.parse().unwrap_or(-1)
        }
    };
    if let Some(e) = term.strip_prefix('$') {
        let e = e.trim_start_matches('(').trim_end_matches(')');
        let k = index(e);
        return match k {
            0 => line.to_string(),
            k if k > 0 => f.get(k as usize - 1).cloned().unwrap_or_default(),
            _ => String::new(),
        };
    }
    match term {
        "NR" => nr.to_string(),
        "NF" => nf.to_string(),
        t if t.chars().all(|c| c.is_ascii_digit()) => t.to_string(),
        _ => String::new(),
    }
}

fn awk_matches(p: &AwkPat, line: &str, f: &[String], nr: usize) -> bool {
    match p {
        AwkPat::All => true,
        AwkPat::Begin | AwkPat::End => false,
        AwkPat::Re(re, neg) => re.is_match(line) != *neg,
        AwkPat::Cmp(l, op, r) => {
            let lv = awk_value(l, line, f, nr);
            let ord = match (lv.parse::<f64>(), r.parse::<f64>()) {
                (Ok(a), Ok(b)) => a.partial_cmp(&b).unwrap_or(std::cmp::Ordering::Equal),
                _ => lv.as_str().cmp(r.as_str()),
            };
            match op.as_str() {
                "==" => ord.is_eq(),
                "!=" => !ord.is_eq(),
                ">" => ord.is_gt(),
                "<" => ord.is_lt(),
                ">=" => !ord.is_lt(),
                _ => !ord.is_gt(),
            }
        }
    }
}

fn awk_print(items: &[Vec<String>], line: &str, f: &[String], nr: usize, out: &mut String) {
    let vals: Vec<String> = items
        .iter()
        .map(|terms| terms.iter().map(|t| awk_value(t, line, f, nr)).collect())
        .collect();
    out.push_str(&vals.join(" "));
    out.push('\n');
}

/// One sed command: `s/re/rep/flags`, `/re/d`, `/re/p`, `Nd`, `Np`.
enum SedCmd {
    Subst(regex_bites::Regex, String, bool, bool),
    Delete(SedAddr),
    Print(SedAddr),
}

enum SedAddr {
    All,
    Line(usize),
    Re(regex_bites::Regex),
}

impl SedAddr {
    fn matches(&self, n: usize, line: &str) -> bool {
        match self {
            SedAddr::All => true,
            SedAddr::Line(k) => *k == n,
            SedAddr::Re(r) => r.is_match(line),
        }
    }
}

fn sed_parse(script: &str) -> Option<SedCmd> {
    let s = script.trim();
    if let Some(rest) = s.strip_prefix('s') {
        let delim = rest.chars().next()?;
        let parts: Vec<&str> = rest[delim.len_utf8()..].split(delim).collect();
        if parts.len() < 3 {
            return None;
        }
        let re = regex_bites::Regex::new(&bre_to_ere(parts[0])).ok()?;
        // sed's & and \1 become $0 and ${1}.
        let mut rep = String::new();
        let mut it = parts[1].chars().peekable();
        while let Some(c) = it.next() {
            match c {
                '&' => rep.push_str("${0}"),
                '\\' => match it.next() {
                    Some(d) if d.is_ascii_digit() => rep.push_str(&format!("${{{d}}}")),
                    Some('n') => rep.push('\n'),
                    Some(o) => rep.push(o),
                    None => {}
                },
                '$' => rep.push_str("$$"),
                c => rep.push(c),
            }
        }
        let flags = parts[2];
        return Some(SedCmd::Subst(
            re,
            rep,
            flags.contains('g'),
            flags.contains('p'),
        ));
    }
    let (addr, cmd) = if let Some(rest) = s.strip_prefix('/') {
        let end = rest.find('/')?;
        (
            SedAddr::Re(regex_bites::Regex::new(&bre_to_ere(&rest[..end])).ok()?),
            rest[end + 1..].trim(),
        )
    } else {
        let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
        if digits.is_empty() {
            (SedAddr::All, s)
        } else {
            (
                SedAddr::Line(digits.parse().ok()?),
                s[digits.len()..].trim(),
            )
        }
    };
    match cmd {
        "d" => Some(SedCmd::Delete(addr)),
        "p" => Some(SedCmd::Print(addr)),
        _ => None,
    }
}

/// A small sed: substitutions, deletions and prints, `-n`, `-i`.
fn sed(args: &[String], stdin: Option<&str>, ctx: &Ctx) -> Output {
    let mut quiet = false;
    let mut in_place = false;
    let mut scripts: Vec<String> = Vec::new();
    let mut files: Vec<String> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "-n" => quiet = true,
            "-i" => in_place = true,
            "-e" => {
                i += 1;
                scripts.push(args.get(i).cloned().unwrap_or_default());
            }
            "-E" | "-r" => {}
            a if a.starts_with('-') && a.len() > 1 => {
                return Output::err(format!("sed: invalid option -- '{}'", &a[1..]))
            }
            a => {
                if scripts.is_empty() {
                    scripts.push(a.to_string());
                } else {
                    files.push(a.to_string());
                }
            }
        }
        i += 1;
    }
    let mut cmds = Vec::new();
    for sc in &scripts {
        for part in sc.split(';').filter(|p| !p.trim().is_empty()) {
            match sed_parse(part) {
                Some(c) => cmds.push(c),
                None => return Output::err(format!("sed: -e expression #1, char {}: kubesim's sed knows s///, /re/d, /re/p, Nd, Np", part.len())),
            }
        }
    }
    let edit = |text: &str| -> String {
        let mut out = String::new();
        for (n, line) in lines_of(text).iter().enumerate() {
            let mut l = line.to_string();
            let mut deleted = false;
            let mut extra = 0;
            for c in &cmds {
                match c {
                    SedCmd::Subst(re, rep, global, print) => {
                        let new = if *global {
                            re.replace_all(&l, rep.as_str()).to_string()
                        } else {
                            re.replace(&l, rep.as_str()).to_string()
                        };
                        if *print && new != l {
                            extra += 1;
                        }
                        l = new;
                    }
                    SedCmd::Delete(a) => {
                        if a.matches(n + 1, &l) {
                            deleted = true;
                            break;
                        }
                    }
                    SedCmd::Print(a) => {
                        if a.matches(n + 1, &l) {
                            extra += 1;
                        }
                    }
                }
            }
            if deleted {
                continue;
            }
            for _ in 0..extra {
                out.push_str(&l);
                out.push('\n');
            }
            if !quiet {
                out.push_str(&l);
                out.push('\n');
            }
        }
        out
    };
    if in_place {
        for f in &files {
            match ctx.read(f) {
                Ok(t) => {
                    let _ = std::fs::write(ctx.workdir.join(f), edit(&t));
                }
                Err(e) => return Output::err(format!("sed: can't read {f}: {e}")),
            }
        }
        return Output::default();
    }
    match inputs(&files, stdin, ctx, "sed") {
        Ok(t) => Output::ok(edit(&t)),
        Err(e) => e,
    }
}

/// `tr` sets: ranges `a-z` and escapes `\n`, `\t`, `\\`.
fn tr_set(s: &str) -> Vec<char> {
    let (s, _) = unescape(s);
    let c: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        if i + 2 < c.len() && c[i + 1] == '-' {
            for x in c[i]..=c[i + 2] {
                out.push(x);
            }
            i += 3;
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

fn tr(args: &[String], stdin: Option<&str>) -> Output {
    let mut delete = false;
    let mut squeeze = false;
    let mut sets = Vec::new();
    for a in args {
        match a.as_str() {
            "-d" => delete = true,
            "-s" => squeeze = true,
            "-ds" | "-sd" => {
                delete = true;
                squeeze = true
            }
            _ => sets.push(tr_set(a)),
        }
    }
    let text = stdin.unwrap_or("");
    let Some(set1) = sets.first() else {
        return Output::err("tr: missing operand");
    };
    let mut out = String::new();
    let mut last: Option<char> = None;
    for ch in text.chars() {
        let mapped = if delete {
            if set1.contains(&ch) {
                continue;
            }
            ch
        } else if let Some(set2) = sets.get(1) {
            match set1.iter().position(|c| *c == ch) {
                Some(i) => *set2.get(i).or(set2.last()).unwrap_or(&ch),
                None => ch,
            }
        } else {
            ch
        };
        let squeeze_set = sets.get(if delete { 1 } else { sets.len() - 1 });
        if squeeze && last == Some(mapped) && squeeze_set.is_some_and(|s| s.contains(&mapped)) {
            continue;
        }
        out.push(mapped);
        last = Some(mapped);
    }
    Output::ok(out)
}

fn seq(args: &[String]) -> Output {
    let nums: Result<Vec<i64>, _> = args.iter().map(|a| a.parse::<i64>()).collect();
    let Ok(nums) = nums else {
        let bad = args
            .iter()
            .find(|a| a.parse::<i64>().is_err())
            .cloned()
            .unwrap_or_default();
        return Output::err(format!(
            "seq: invalid floating point argument: '{bad}'\nTry 'seq --help' for more information."
        ));
    };
    let (first, inc, last) = match nums.as_slice() {
        [l] => (1, 1, *l),
        [f, l] => (*f, 1, *l),
        [f, i, l] => (*f, *i, *l),
        _ => return Output::err("seq: missing operand\nTry 'seq --help' for more information."),
    };
    if inc == 0 {
        return Output::err(
            "seq: invalid Zero increment value: '0'\nTry 'seq --help' for more information.",
        );
    }
    let mut s = String::new();
    let mut x = first;
    let mut count = 0;
    while (inc > 0 && x <= last) || (inc < 0 && x >= last) {
        s.push_str(&format!("{x}\n"));
        x += inc;
        count += 1;
        if count > 1_000_000 {
            break;
        }
    }
    Output::ok(s)
}

const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 (RFC 4648) with padding.
pub fn base64_encode(data: &[u8]) -> String {
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(B64[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = 0u32;
    let mut bits = 0;
    for ch in s.bytes() {
        if ch == b'=' || ch.is_ascii_whitespace() {
            continue;
        }
        let v = B64.iter().position(|c| *c == ch)? as u32;
        buf = (buf << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
            buf &= (1 << bits) - 1;
        }
    }
    Some(out)
}

fn base64(args: &[String], stdin: Option<&str>, ctx: &Ctx) -> Output {
    let mut decode = false;
    let mut wrap = 76usize;
    let mut files = Vec::new();
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "-d" | "--decode" | "-D" => decode = true,
            "-w" => {
                i += 1;
                wrap = args.get(i).and_then(|w| w.parse().ok()).unwrap_or(76);
            }
            a if a.starts_with("-w") => wrap = a[2..].parse().unwrap_or(76),
            a if a.starts_with("--wrap=") => wrap = a[7..].parse().unwrap_or(76),
            a => files.push(a.to_string()),
        }
        i += 1;
    }
    let text = match inputs(&files, stdin, ctx, "base64") {
        Ok(t) => t,
        Err(e) => return e,
    };
    if decode {
        match base64_decode(&text) {
            Some(b) => Output::ok(String::from_utf8_lossy(&b).to_string()),
            None => Output::err("base64: invalid input"),
        }
    } else {
        let enc = base64_encode(text.as_bytes());
        let mut s = String::new();
        if wrap == 0 {
            s = enc;
            s.push('\n');
        } else {
            for chunk in enc.as_bytes().chunks(wrap) {
                s.push_str(&String::from_utf8_lossy(chunk));
                s.push('\n');
            }
        }
        Output::ok(s)
    }
}

fn date(args: &[String], ctx: &Ctx) -> Output {
    let z = ctx.now.to_zoned(jiff::tz::TimeZone::UTC);
    match args.first().map(String::as_str) {
        None => Output::ok(format!("{}\n", z.strftime("%a %b %e %H:%M:%S UTC %Y"))),
        Some(f) if f.starts_with('+') => Output::ok(format!("{}\n", z.strftime(&f[1..]))),
        Some("-u") | Some("--utc") => {
            Output::ok(format!("{}\n", z.strftime("%a %b %e %H:%M:%S UTC %Y")))
        }
        Some(o) => Output::err(format!("date: invalid date '{o}'")),
    }
}

fn test(args: &[String], ctx: &Ctx, bracket: bool) -> Output {
    let mut a: Vec<&str> = args.iter().map(String::as_str).collect();
    if bracket {
        if a.last() != Some(&"]") {
            return Output::err("[: missing `]'").with_code(2);
        }
        a.pop();
    }
    let r = test_expr(&a, ctx);
    match r {
        Ok(true) => Output::default(),
        Ok(false) => Output::default().with_code(1),
        Err(e) => Output::err(format!("test: {e}")).with_code(2),
    }
}

fn test_expr(a: &[&str], ctx: &Ctx) -> Result<bool, String> {
    let path = |p: &str| ctx.workdir.join(p);
    let int = |s: &str| {
        s.trim()
            .parse::<i64>()
            .map_err(|_| format!("{s}: integer expression expected"))
    };
    Ok(match a {
        [] => false,
        ["!", rest @ ..] => !test_expr(rest, ctx)?,
        [s] => !s.is_empty(),
        ["-n", s] => !s.is_empty(),
        ["-z", s] => s.is_empty(),
        ["-f", p] => path(p).is_file(),
        ["-d", p] => path(p).is_dir(),
        ["-e", p] => path(p).exists(),
        ["-s", p] => std::fs::metadata(path(p))
            .map(|m| m.len() > 0)
            .unwrap_or(false),
        [l, "=" | "==", r] => l == r,
        [l, "!=", r] => l != r,
        [l, op, r] if op.starts_with('-') => {
            let (l, r) = (int(l)?, int(r)?);
            match *op {
                "-eq" => l == r,
                "-ne" => l != r,
                "-lt" => l < r,
                "-le" => l <= r,
                "-gt" => l > r,
                "-ge" => l >= r,
                o => return Err(format!("{o}: binary operator expected")),
            }
        }
        [l, "-a", r] => !l.is_empty() && !r.is_empty(),
        _ => return Err(format!("{}: unary operator expected", a[0])),
    })
}

fn ls(args: &[String], ctx: &Ctx) -> Output {
    let dirs: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let dir = dirs
        .first()
        .map(|d| ctx.workdir.join(d))
        .unwrap_or(ctx.workdir.clone());
    if dir.is_file() {
        return Output::ok(format!("{}\n", dirs[0]));
    }
    match std::fs::read_dir(&dir) {
        Ok(rd) => {
            let mut names: Vec<String> = rd
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().to_string())
                .filter(|n| !n.starts_with('.'))
                .collect();
            names.sort();
            Output::ok(join_lines(&names))
        }
        Err(_) => Output::err(format!(
            "ls: cannot access '{}': No such file or directory",
            dirs.first().map(|s| s.as_str()).unwrap_or(".")
        ))
        .with_code(2),
    }
}

fn rm(args: &[String], ctx: &Ctx) -> Output {
    let force = args.iter().any(|a| a.starts_with('-') && a.contains('f'));
    let recursive = args
        .iter()
        .any(|a| a.starts_with('-') && (a.contains('r') || a.contains('R')));
    let mut out = Output::default();
    for f in args.iter().filter(|a| !a.starts_with('-')) {
        let p = ctx.workdir.join(f);
        let r = if p.is_dir() && recursive {
            std::fs::remove_dir_all(&p)
        } else {
            std::fs::remove_file(&p)
        };
        if r.is_err() && !force {
            out.push_err(&format!(
                "rm: cannot remove '{f}': No such file or directory"
            ));
            out.code = 1;
        }
    }
    out
}

fn mkdir(args: &[String], ctx: &Ctx) -> Output {
    let parents = args.iter().any(|a| a == "-p");
    let mut out = Output::default();
    for d in args.iter().filter(|a| !a.starts_with('-')) {
        let p = ctx.workdir.join(d);
        let r = if parents {
            std::fs::create_dir_all(&p)
        } else {
            std::fs::create_dir(&p)
        };
        if r.is_err() {
            out.push_err(&format!(
                "mkdir: cannot create directory '{d}': File exists"
            ));
            out.code = 1;
        }
    }
    out
}

fn touch(args: &[String], ctx: &Ctx) -> Output {
    for f in args.iter().filter(|a| !a.starts_with('-')) {
        let p = ctx.workdir.join(f);
        if !p.exists() {
            let _ = std::fs::write(&p, "");
        }
    }
    Output::default()
}

/// `kubens [NAME | -]` (kubectx's namespace switcher, `kns` in the
/// workshop): without an argument, lists namespaces.
pub fn kubens(args: &[String], env: &mut Env) -> Output {
    use crate::objects::Kind;
    match args.first().map(String::as_str) {
        None => {
            let names: Vec<String> = env
                .world
                .store
                .iter(Kind::Namespace, None)
                .filter_map(|o| o.meta().name.clone())
                .collect();
            Output::ok(join_lines(&names))
        }
        Some("-h") | Some("--help") => Output::ok("USAGE:\n  kubens                    : list the namespaces in the current context\n  kubens <NAME>             : change the active namespace of current context\n  kubens -                  : switch to the previous namespace in this context\n"),
        Some(target) => {
            let target = if target == "-" {
                match env.state.previous_namespace.clone() {
                    Some(p) => p,
                    None => return Output::err("error: No previous namespace found for current context"),
                }
            } else {
                target.to_string()
            };
            if env.world.store.try_get(Kind::Namespace, "", &target).is_none() {
                return Output::err(format!("error: no namespace exists with name \"{target}\""));
            }
            let old = std::mem::replace(&mut env.state.namespace, target.clone());
            env.state.previous_namespace = Some(old);
            let mut o = Output::default();
            o.push_err(&format!(
                "Context \"{}\" modified.\nActive namespace is \"{target}\".",
                env.state.context
            ));
            o
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Ctx {
        Ctx {
            workdir: std::env::temp_dir(),
            now: jiff::Timestamp::UNIX_EPOCH,
        }
    }

    fn run_s(name: &str, args: &[&str], stdin: &str) -> Output {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        run(name, &args, Some(stdin), &ctx()).expect("builtin")
    }

    #[test]
    fn grep_modes() {
        let text = "NAME READY\nweb-1 1/1\nweb-2 0/1\ndb-1 1/1\n";
        assert_eq!(
            run_s("grep", &["web"], text).stdout,
            "web-1 1/1\nweb-2 0/1\n"
        );
        assert_eq!(
            run_s("grep", &["-v", "web"], text).stdout,
            "NAME READY\ndb-1 1/1\n"
        );
        assert_eq!(run_s("grep", &["-c", "1/1"], text).stdout, "2\n");
        assert_eq!(run_s("grep", &["-i", "name"], text).stdout, "NAME READY\n");
        assert_eq!(
            run_s("grep", &["-E", "web|db"], text).stdout,
            "web-1 1/1\nweb-2 0/1\ndb-1 1/1\n"
        );
        // BRE: | is literal unless escaped.
        assert_eq!(run_s("grep", &["web|db"], text).code, 1);
        assert_eq!(run_s("grep", &["web\\|db"], text).stdout.lines().count(), 3);
        let o = run_s("grep", &["-A1", "^web-2"], text);
        assert_eq!(o.stdout, "web-2 0/1\ndb-1 1/1\n");
        assert_eq!(run_s("grep", &["-q", "zzz"], text).code, 1);
        assert_eq!(run_s("grep", &["-z"], text).code, 2);
    }

    #[test]
    fn head_tail_wc_sort_uniq_cut_awk() {
        let text = "c 3\na 1\nb 2\nb 2\n";
        assert_eq!(run_s("head", &["-n", "2"], text).stdout, "c 3\na 1\n");
        assert_eq!(run_s("head", &["-1"], text).stdout, "c 3\n");
        assert_eq!(run_s("tail", &["-n", "1"], text).stdout, "b 2\n");
        assert_eq!(run_s("tail", &["-n", "+3"], text).stdout, "b 2\nb 2\n");
        assert!(run_s("tail", &["-f"], text)
            .stderr
            .contains("not supported"));
        assert_eq!(run_s("wc", &["-l"], text).stdout, "4\n");
        assert_eq!(run_s("sort", &[], text).stdout, "a 1\nb 2\nb 2\nc 3\n");
        assert_eq!(
            run_s("sort", &["-k2", "-n", "-r"], text).stdout,
            "c 3\nb 2\nb 2\na 1\n"
        );
        assert_eq!(run_s("sort", &["-u"], text).stdout, "a 1\nb 2\nc 3\n");
        assert_eq!(
            run_s("uniq", &["-c"], text).stdout,
            "      1 c 3\n      1 a 1\n      2 b 2\n"
        );
        assert_eq!(
            run_s("cut", &["-d", " ", "-f2"], text).stdout,
            "3\n1\n2\n2\n"
        );
        assert_eq!(run_s("cut", &["-c1"], text).stdout, "c\na\nb\nb\n");
        assert_eq!(run_s("awk", &["{print $2}"], text).stdout, "3\n1\n2\n2\n");
        assert_eq!(
            run_s("awk", &["NR>2 {print $1, NR}"], text).stdout,
            "b 3\nb 4\n"
        );
        assert_eq!(run_s("awk", &["/^a/"], text).stdout, "a 1\n");
        assert_eq!(run_s("awk", &["{print $NF \"!\"}"], "x y\n").stdout, "y!\n");
    }

    #[test]
    fn echo_printf_seq_base64_tr() {
        assert_eq!(run_s("echo", &["-n", "a", "b"], "").stdout, "a b");
        assert_eq!(run_s("echo", &["-e", "a\\tb"], "").stdout, "a\tb\n");
        assert_eq!(
            run_s("printf", &["%s-%d\\n", "x", "3", "y", "4"], "").stdout,
            "x-3\ny-4\n"
        );
        assert_eq!(run_s("seq", &["3"], "").stdout, "1\n2\n3\n");
        assert_eq!(run_s("seq", &["2", "2", "6"], "").stdout, "2\n4\n6\n");
        assert_eq!(run_s("base64", &[], "hello").stdout, "aGVsbG8=\n");
        assert_eq!(run_s("base64", &["-d"], "aGVsbG8=").stdout, "hello");
        assert_eq!(run_s("tr", &["a-z", "A-Z"], "abc\n").stdout, "ABC\n");
        assert_eq!(run_s("tr", &["-d", "\\n"], "a\nb\n").stdout, "ab");
        assert_eq!(
            run_s("sed", &["s/replicas: 1/replicas: 3/"], "x\n  replicas: 1\n").stdout,
            "x\n  replicas: 3\n"
        );
        assert_eq!(run_s("sed", &["-n", "/b/p"], "a\nb\n").stdout, "b\n");
        assert_eq!(
            run_s("sed", &["s/\\(a\\)b/\\1c/g"], "abab\n").stdout,
            "acac\n"
        );
    }

    #[test]
    fn test_builtin() {
        assert_eq!(run_s("[", &["a", "=", "a", "]"], "").code, 0);
        assert_eq!(run_s("[", &["3", "-gt", "4", "]"], "").code, 1);
        assert_eq!(run_s("test", &["-z", ""], "").code, 0);
        assert_eq!(run_s("[", &["a"], "").code, 2);
    }
}
