//! Running parsed commands: expansion (parameters, command substitution,
//! arithmetic, field splitting), redirections, pipelines, lists and loops,
//! and dispatch to kubectl, `sim`, the builtins and the network tools.
//!
//! Output that goes to the terminal is written as soon as each command
//! finishes (streaming commands write earlier); output for a pipe, a file
//! or `$(...)` is collected and routed when the command returns.

use super::ast::*;
use super::builtins;
use super::parser::expansion_text;
use crate::cli::hooks::Hooks;
use crate::cli::hooks::{Origin, ToolCtx};
use crate::cli::output::Output;
use crate::cli::session::{Env, Session, SessionState};
use crate::cli::term::Live;
use crate::cli::term::Terminal;
use crate::sim::SimTime;
use crate::sim::World;
use std::path::PathBuf;

/// In scripts, a loop that never waits stops after this many rounds.
const MAX_ITERATIONS: u64 = 10_000;

/// Exit status of a command stopped by Ctrl-C (128 + SIGINT).
pub const INTERRUPTED: i32 = 130;

/// The state of one command line's execution.
pub struct Shell<'a> {
    pub world: &'a mut World,
    pub state: &'a mut SessionState,
    pub term: &'a mut Terminal,
    pub hooks: &'a Hooks,
    /// `exit` was run: stop here.
    pub exit_requested: bool,
}

/// Where one of a command's output streams goes.
#[derive(Clone, Debug, PartialEq)]
enum Sink {
    /// The terminal's stdout / stderr.
    TermOut,
    TermErr,
    CapOut,
    CapErr,
    File(PathBuf),
    Null,
}

impl<'a> Shell<'a> {
    pub fn new(session: &'a mut Session) -> Shell<'a> {
        Shell::over(
            &mut session.world,
            &mut session.state,
            &mut session.term,
            &session.hooks,
        )
    }

    /// A shell over borrowed parts (a world that lives elsewhere, e.g. on
    /// the runner's thread).
    pub fn over(
        world: &'a mut World,
        state: &'a mut SessionState,
        term: &'a mut Terminal,
        hooks: &'a Hooks,
    ) -> Shell<'a> {
        Shell {
            world,
            state,
            term,
            hooks,
            exit_requested: false,
        }
    }

    fn env<'b>(&'b mut self, stdin: Option<&'b str>, live: Live) -> Env<'b> {
        Env {
            world: &mut *self.world,
            state: &mut *self.state,
            term: &mut *self.term,
            hooks: self.hooks,
            stdin,
            live,
        }
    }

    /// When an endless construct started now must stop (scripts only).
    pub fn deadline(&self) -> Option<SimTime> {
        let t = &*self.term;
        if t.interactive {
            None
        } else {
            Some(self.world.now() + t.stream_limit)
        }
    }

    /// The script bound's note (see `term::stream_cap_note`).
    fn cap_note(&self) -> String {
        crate::cli::term::stream_cap_note(self.term.stream_limit, false)
    }

    fn interrupted(&self) -> bool {
        self.term.is_interrupted()
    }

    // ----- lists --------------------------------------------------------

    pub fn run_list(&mut self, l: &List, stdin: Option<&str>, live: Live) -> Output {
        let mut acc = Output::default();
        for ao in &l.items {
            if self.exit_requested {
                break;
            }
            if self.interrupted() {
                acc.code = INTERRUPTED;
                break;
            }
            let o = self.run_and_or(ao, stdin, live);
            acc.stdout.push_str(&o.stdout);
            acc.stderr.push_str(&o.stderr);
            acc.code = o.code;
        }
        acc
    }

    fn run_and_or(&mut self, ao: &AndOr, stdin: Option<&str>, live: Live) -> Output {
        let mut acc = self.run_pipeline(&ao.first, stdin, live);
        for (conn, p) in &ao.rest {
            if self.exit_requested || self.interrupted() {
                break;
            }
            let go = match conn {
                Connector::And => acc.code == 0,
                Connector::Or => acc.code != 0,
            };
            if go {
                let o = self.run_pipeline(p, stdin, live);
                acc.stdout.push_str(&o.stdout);
                acc.stderr.push_str(&o.stderr);
                acc.code = o.code;
            }
        }
        acc
    }

    fn run_pipeline(&mut self, p: &Pipeline, stdin: Option<&str>, live: Live) -> Output {
        let n = p.cmds.len();
        let mut input: Option<String> = stdin.map(str::to_string);
        let mut errs = String::new();
        let mut last = Output::default();
        for (i, c) in p.cmds.iter().enumerate() {
            let l = if i + 1 < n {
                Live {
                    stdout: false,
                    stderr: live.stderr,
                }
            } else {
                live
            };
            let o = self.run_cmd(c, input.as_deref(), l);
            if i + 1 < n {
                input = Some(o.stdout);
                errs.push_str(&o.stderr);
            } else {
                last = o;
            }
        }
        errs.push_str(&last.stderr);
        last.stderr = errs;
        if p.negate {
            last.code = i32::from(last.code == 0);
        }
        self.state.last_status = last.code;
        last
    }

    // ----- commands -----------------------------------------------------

    fn run_cmd(&mut self, c: &Cmd, stdin: Option<&str>, live: Live) -> Output {
        match &c.command {
            Command::Simple(s) => self.run_simple(s, stdin, live),
            compound => self.with_redirects(&c.redirects, stdin, live, |sh, stdin, live| {
                sh.run_compound(compound, stdin.as_deref(), live)
            }),
        }
    }

    fn run_compound(&mut self, c: &Command, stdin: Option<&str>, live: Live) -> Output {
        match c {
            Command::Simple(s) => self.run_simple(s, stdin, live),
            Command::Group(l) => self.run_list(l, stdin, live),
            Command::Subshell(l) => {
                let saved = (
                    self.state.vars.clone(),
                    self.state.exported.clone(),
                    self.state.workdir.clone(),
                );
                let o = self.run_list(l, stdin, live);
                self.exit_requested = false;
                (self.state.vars, self.state.exported, self.state.workdir) = saved;
                o
            }
            Command::For { var, items, body } => {
                let mut words = Vec::new();
                let mut acc = Output::default();
                for w in items.iter().flatten() {
                    match self.expand_fields(w) {
                        Ok(mut f) => words.append(&mut f),
                        Err(e) => return e,
                    }
                }
                for w in words {
                    if self.exit_requested || self.interrupted() {
                        acc.code = INTERRUPTED;
                        break;
                    }
                    self.state.vars.insert(var.clone(), w);
                    let o = self.run_list(body, stdin, live);
                    acc.stdout.push_str(&o.stdout);
                    acc.stderr.push_str(&o.stderr);
                    acc.code = o.code;
                }
                acc
            }
            Command::While { cond, body, until } => {
                let deadline = self.deadline();
                let mut acc = Output::default();
                let mut rounds = 0u64;
                loop {
                    if self.exit_requested {
                        break;
                    }
                    if self.interrupted() {
                        acc.code = INTERRUPTED;
                        break;
                    }
                    if let Some(d) = deadline {
                        if self.world.now() >= d || rounds >= MAX_ITERATIONS {
                            acc.stderr.push_str(&self.cap_note());
                            break;
                        }
                    }
                    rounds += 1;
                    let c = self.run_list(cond, stdin, live);
                    acc.stdout.push_str(&c.stdout);
                    acc.stderr.push_str(&c.stderr);
                    if (c.code == 0) == *until || self.interrupted() {
                        break;
                    }
                    let o = self.run_list(body, stdin, live);
                    acc.stdout.push_str(&o.stdout);
                    acc.stderr.push_str(&o.stderr);
                    acc.code = o.code;
                }
                acc
            }
            Command::If {
                branches,
                otherwise,
            } => {
                let mut acc = Output::default();
                for (cond, body) in branches {
                    let c = self.run_list(cond, stdin, live);
                    acc.stdout.push_str(&c.stdout);
                    acc.stderr.push_str(&c.stderr);
                    if c.code == 0 {
                        let o = self.run_list(body, stdin, live);
                        acc.stdout.push_str(&o.stdout);
                        acc.stderr.push_str(&o.stderr);
                        acc.code = o.code;
                        return acc;
                    }
                }
                if let Some(o) = otherwise {
                    let o = self.run_list(o, stdin, live);
                    acc.stdout.push_str(&o.stdout);
                    acc.stderr.push_str(&o.stderr);
                    acc.code = o.code;
                }
                acc
            }
        }
    }

    fn run_simple(&mut self, s: &Simple, stdin: Option<&str>, live: Live) -> Output {
        let mut argv = Vec::new();
        for w in &s.words {
            match self.expand_fields(w) {
                Ok(mut f) => argv.append(&mut f),
                Err(e) => return e,
            }
        }
        let mut values = Vec::new();
        for (name, w) in &s.assigns {
            match self.expand_string(w) {
                Ok(v) => values.push((name.clone(), v)),
                Err(e) => return e,
            }
        }
        if argv.is_empty() {
            // Assignments alone set shell variables; redirections alone
            // create (truncate) their files.
            for (n, v) in values {
                self.state.vars.insert(n, v);
            }
            let status = self.state.last_status_of_subst.take().unwrap_or(0);
            let mut o = self.with_redirects(&s.redirects, stdin, live, |_, _, _| Output::default());
            if o.code == 0 {
                o.code = status;
            }
            return o;
        }
        // NAME=value before a command: set for that command only.
        let saved: Vec<(String, Option<String>)> = values
            .iter()
            .map(|(n, _)| (n.clone(), self.state.vars.get(n).cloned()))
            .collect();
        for (n, v) in values {
            self.state.vars.insert(n, v);
        }
        let out = self.with_redirects(&s.redirects, stdin, live, move |sh, stdin, live| {
            sh.run_argv(&argv, stdin.as_deref(), live)
        });
        for (n, old) in saved {
            match old {
                Some(v) => self.state.vars.insert(n, v),
                None => self.state.vars.remove(&n),
            };
        }
        out
    }

    /// Applies redirections in order, runs `f` with the resulting stdin and
    /// liveness, and routes what it returns.
    fn with_redirects(
        &mut self,
        redirects: &[Redirect],
        stdin: Option<&str>,
        live: Live,
        f: impl FnOnce(&mut Shell, Option<String>, Live) -> Output,
    ) -> Output {
        let mut out_sink = if live.stdout {
            Sink::TermOut
        } else {
            Sink::CapOut
        };
        let mut err_sink = if live.stderr {
            Sink::TermErr
        } else {
            Sink::CapErr
        };
        let mut input = stdin.map(str::to_string);
        for r in redirects {
            let target = match &r.op {
                RedirOp::HereDoc { .. } => String::new(),
                _ => match self.expand_string(&r.target) {
                    Ok(t) => t,
                    Err(e) => return e,
                },
            };
            match &r.op {
                RedirOp::Out | RedirOp::Append => {
                    let sink = match self.open_for_write(&target, matches!(r.op, RedirOp::Append)) {
                        Ok(s) => s,
                        Err(e) => return Output::err(e),
                    };
                    match r.fd {
                        1 => out_sink = sink,
                        2 => err_sink = sink,
                        _ => {}
                    }
                }
                RedirOp::In => match self.read_file(&target) {
                    Ok(text) => input = Some(text),
                    Err(e) => return Output::err(e),
                },
                RedirOp::HereDoc { expand, body, .. } => {
                    let text = if *expand {
                        match self.expand_string(&expansion_text(body)) {
                            Ok(t) => t,
                            Err(e) => return e,
                        }
                    } else {
                        body.clone()
                    };
                    input = Some(text);
                }
                RedirOp::Dup => {
                    let to = match target.as_str() {
                        "1" => Some(out_sink.clone()),
                        "2" => Some(err_sink.clone()),
                        "-" => Some(Sink::Null),
                        _ => None,
                    };
                    if let Some(to) = to {
                        match r.fd {
                            1 => out_sink = to,
                            2 => err_sink = to,
                            _ => {}
                        }
                    }
                }
            }
        }
        let l = Live {
            stdout: out_sink == Sink::TermOut,
            stderr: err_sink == Sink::TermErr,
        };
        let o = f(self, input, l);
        let mut ret = Output {
            code: o.code,
            ..Default::default()
        };
        self.route(&o.stdout, &out_sink, &mut ret);
        self.route(&o.stderr, &err_sink, &mut ret);
        ret
    }

    fn route(&mut self, text: &str, sink: &Sink, ret: &mut Output) {
        if text.is_empty() {
            return;
        }
        match sink {
            Sink::TermOut => self.term.write(text, ""),
            Sink::TermErr => self.term.write("", text),
            Sink::CapOut => ret.stdout.push_str(text),
            Sink::CapErr => ret.stderr.push_str(text),
            Sink::Null => {}
            Sink::File(p) => {
                use std::io::Write;
                if let Ok(mut f) = std::fs::OpenOptions::new()
                    .append(true)
                    .create(true)
                    .open(p)
                {
                    let _ = f.write_all(text.as_bytes());
                }
            }
        }
    }

    fn open_for_write(&self, target: &str, append: bool) -> Result<Sink, String> {
        if target == "/dev/null" {
            return Ok(Sink::Null);
        }
        if target == "/dev/stderr" {
            return Ok(Sink::CapErr);
        }
        let path = self.state.workdir.join(target);
        let r = if append {
            std::fs::OpenOptions::new()
                .append(true)
                .create(true)
                .open(&path)
        } else {
            std::fs::File::create(&path)
        };
        r.map(|_| Sink::File(path))
            .map_err(|e| format!("kubesim: {target}: {}", io_message(&e)))
    }

    fn read_file(&self, target: &str) -> Result<String, String> {
        if target == "/dev/null" {
            return Ok(String::new());
        }
        std::fs::read_to_string(self.state.workdir.join(target))
            .map_err(|e| format!("kubesim: {target}: {}", io_message(&e)))
    }

    // ----- dispatch -----------------------------------------------------

    fn run_argv(&mut self, argv: &[String], stdin: Option<&str>, live: Live) -> Output {
        let name = argv[0].as_str();
        let args = &argv[1..];
        let out = match name {
            "kubectl" | "k" => {
                let mut env = self.env(stdin, live);
                crate::cli::kubectl::run(args, &mut env)
            }
            "sim" => {
                let mut env = self.env(None, live);
                crate::cli::sim_cmd::run(args, &mut env)
            }
            "help" => crate::cli::help::help(args),
            "curl" | "wget" | "ping" | "httping" | "nslookup" | "host" | "dig" | "nc" => {
                let deadline = self.deadline();
                let mut ctx = ToolCtx {
                    world: &mut *self.world,
                    term: &mut *self.term,
                    live,
                    origin: Origin::Node("node1".into()),
                    deadline,
                    network: self.hooks.network,
                };
                (self.hooks.network)(&mut ctx, argv)
            }
            "sleep" => self.sleep(args),
            "watch" => self.watch(args, live),
            "exit" | "logout" => {
                self.exit_requested = true;
                let code = args
                    .first()
                    .and_then(|a| a.parse().ok())
                    .unwrap_or(self.state.last_status);
                Output {
                    code,
                    ..Default::default()
                }
            }
            "cd" => self.cd(args),
            "export" => self.export(args),
            "unset" => {
                for a in args {
                    self.state.vars.remove(a);
                    self.state.exported.remove(a);
                }
                Output::default()
            }
            "kubens" | "kns" => {
                let mut env = self.env(None, live);
                builtins::kubens(args, &mut env)
            }
            _ => {
                let ctx = builtins::Ctx {
                    workdir: self.state.workdir.clone(),
                    now: self.world.store.timestamp().0,
                };
                match builtins::run(name, args, stdin, &ctx) {
                    Some(o) => o,
                    None => Output::err(format!(
                        "kubesim: command not found: {name}\nType 'help' for the commands kubesim understands."
                    )),
                }
            }
        };
        self.state.last_status = out.code;
        out
    }

    /// `sleep N`: virtual time passes (at the wall clock in the REPL).
    fn sleep(&mut self, args: &[String]) -> Output {
        let Some(a) = args.first() else {
            return Output::err("sleep: missing operand");
        };
        let d = match crate::sim::time::parse_duration(a) {
            Ok(d) => d,
            Err(_) => return Output::err(format!("sleep: invalid time interval '{a}'")),
        };
        let t = self.world.now() + d;
        if self.term.wait_until(self.world, t) {
            Output::default()
        } else {
            Output {
                code: INTERRUPTED,
                ..Default::default()
            }
        }
    }

    /// `watch [-n SECS] COMMAND...`: runs the command every SECS seconds
    /// (2 by default), showing each screen that differs from the last, with
    /// procps' header, until Ctrl-C (the REPL) or the script bound.
    fn watch(&mut self, args: &[String], live: Live) -> Output {
        let mut interval = std::time::Duration::from_secs(2);
        let mut i = 0;
        while i < args.len() && args[i].starts_with('-') {
            match args[i].as_str() {
                "-n" | "--interval" => {
                    i += 1;
                    match args.get(i).map(|s| crate::sim::time::parse_duration(s)) {
                        Some(Ok(d)) if !d.is_zero() => interval = d,
                        _ => return Output::err("watch: failed to parse argument"),
                    }
                }
                "-t" | "--no-title" | "-d" | "--differences" | "-c" | "--color" => {}
                other => {
                    return Output::err(format!(
                        "watch: invalid option -- '{}'",
                        other.trim_start_matches('-')
                    ))
                }
            }
            i += 1;
        }
        let cmd = args[i..].join(" ");
        if cmd.is_empty() {
            return Output::err("Usage:\n watch [options] command");
        }
        let list = match super::parser::parse(&cmd) {
            Ok(l) => l,
            Err(e) => return Output::err(e.to_string()),
        };
        let deadline = self.deadline();
        let mut acc = Output::default();
        let mut last_screen: Option<String> = None;
        loop {
            let o = self.run_list(&list, None, Live::CAPTURED);
            let screen = format!("{}{}", o.stdout, o.stderr);
            if last_screen.as_deref() != Some(screen.as_str()) {
                let header = format!("Every {:.1}s: {cmd}\n\n", interval.as_secs_f64());
                // A terminal gets the screen cleared, as watch(1) does.
                let clear = if self.term.interactive {
                    "\x1b[H\x1b[2J"
                } else {
                    ""
                };
                let mut frame = Output::ok(format!("{clear}{header}{screen}\n"));
                if live.stdout {
                    self.term.write(&frame.stdout, "");
                    frame.stdout.clear();
                }
                acc.stdout.push_str(&frame.stdout);
                last_screen = Some(screen);
            }
            let next = self.world.now() + interval;
            if let Some(d) = deadline {
                if next > d {
                    acc.stderr.push_str(&self.cap_note());
                    break;
                }
            }
            if !self.term.wait_until(self.world, next) {
                acc.code = INTERRUPTED;
                break;
            }
        }
        acc
    }

    fn cd(&mut self, args: &[String]) -> Output {
        let target = match args.first() {
            Some(t) => self.state.workdir.join(t),
            None => return Output::default(),
        };
        if target.is_dir() {
            self.state.workdir = target;
            Output::default()
        } else {
            Output::err(format!(
                "kubesim: cd: {}: No such file or directory",
                args[0]
            ))
        }
    }

    fn export(&mut self, args: &[String]) -> Output {
        if args.is_empty() {
            let mut s = String::new();
            for n in &self.state.exported {
                let v = self.state.vars.get(n).cloned().unwrap_or_default();
                s.push_str(&format!("declare -x {n}=\"{v}\"\n"));
            }
            return Output::ok(s);
        }
        for a in args {
            match a.split_once('=') {
                Some((n, v)) => {
                    self.state.vars.insert(n.to_string(), v.to_string());
                    self.state.exported.insert(n.to_string());
                }
                None => {
                    self.state.exported.insert(a.clone());
                }
            }
        }
        Output::default()
    }

    // ----- expansion ----------------------------------------------------

    /// Expands a word into fields (unquoted expansions are split).
    pub fn expand_fields(&mut self, w: &Word) -> Result<Vec<String>, Output> {
        let mut fields = Vec::new();
        let mut cur = String::new();
        let mut exists = false;
        for p in w {
            match p {
                Part::Lit(s) => {
                    if !s.is_empty() {
                        cur.push_str(s);
                        exists = true;
                    }
                }
                Part::Quoted(s) => {
                    cur.push_str(s);
                    exists = true;
                }
                Part::Double(ps) => {
                    cur.push_str(&self.expand_string(ps)?);
                    exists = true;
                }
                other => {
                    let v = self.expand_part(other)?;
                    for ch in v.chars() {
                        if matches!(ch, ' ' | '\t' | '\n') {
                            if exists {
                                fields.push(std::mem::take(&mut cur));
                                exists = false;
                            }
                        } else {
                            cur.push(ch);
                            exists = true;
                        }
                    }
                }
            }
        }
        if exists {
            fields.push(cur);
        }
        Ok(fields)
    }

    /// Expands a word into one string (no splitting).
    pub fn expand_string(&mut self, w: &Word) -> Result<String, Output> {
        let mut s = String::new();
        for p in w {
            match p {
                Part::Lit(t) | Part::Quoted(t) => s.push_str(t),
                Part::Double(ps) => s.push_str(&self.expand_string(ps)?),
                other => s.push_str(&self.expand_part(other)?),
            }
        }
        Ok(s)
    }

    fn expand_part(&mut self, p: &Part) -> Result<String, Output> {
        match p {
            Part::Var(name) => Ok(self.var(name)),
            Part::VarDefault {
                name,
                default,
                colon,
            } => {
                let set = self.var_is_set(name);
                let v = self.var(name);
                if !set || (*colon && v.is_empty()) {
                    self.expand_string(default)
                } else {
                    Ok(v)
                }
            }
            Part::Subst(list) => {
                let o = self.run_list(
                    list,
                    None,
                    Live {
                        stdout: false,
                        stderr: true,
                    },
                );
                self.state.last_status_of_subst = Some(o.code);
                if !o.stderr.is_empty() {
                    self.term.write("", &o.stderr);
                }
                Ok(o.stdout.trim_end_matches('\n').to_string())
            }
            Part::Arith(w) => {
                let text = self.expand_string(w)?;
                let vars = &self.state.vars;
                super::arith::eval(&text, &|n| vars.get(n).cloned())
                    .map(|v| v.to_string())
                    .map_err(|e| Output::err(format!("kubesim: {text}: {e}")))
            }
            Part::Lit(s) | Part::Quoted(s) => Ok(s.clone()),
            Part::Double(ps) => self.expand_string(ps),
        }
    }

    fn var_is_set(&self, name: &str) -> bool {
        matches!(
            name,
            "?" | "$" | "#" | "RANDOM" | "PWD" | "HOME" | "SECONDS"
        ) || self.state.vars.contains_key(name)
    }

    fn var(&mut self, name: &str) -> String {
        let st = &mut self.state;
        match name {
            "?" => st.last_status.to_string(),
            "$" => "4242".into(),
            "#" => "0".into(),
            "@" | "*" => String::new(),
            "RANDOM" => {
                // bash's RANDOM is 0..32767; here a seeded sequence.
                st.random = st.random.wrapping_mul(1103515245).wrapping_add(12345);
                ((st.random >> 16) % 32768).to_string()
            }
            "PWD" if !st.vars.contains_key("PWD") => st.workdir.display().to_string(),
            "SECONDS" => (self.world.now().0 / 1000).to_string(),
            _ => st.vars.get(name).cloned().unwrap_or_default(),
        }
    }
}

fn io_message(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::NotFound => "No such file or directory",
        std::io::ErrorKind::PermissionDenied => "Permission denied",
        std::io::ErrorKind::IsADirectory => "Is a directory",
        _ => "Input/output error",
    }
}
