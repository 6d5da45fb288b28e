//! A session: one user's view of the cluster (the kubeconfig context and
//! its namespace, shell variables, the work directory) and the entry point
//! that runs command text against the world through the little shell.

use super::hooks::Hooks;
use super::output::Output;
use super::shell::{self, Shell};
use super::term::{Live, Terminal};
use crate::sim::World;
use std::collections::{BTreeMap, BTreeSet};

/// The kubeconfig context of the workshop's kubeadm clusters.
pub const CONTEXT: &str = "kubernetes-admin@kubernetes";

/// Per-user state: what kubectl keeps in its kubeconfig and what a shell
/// keeps in its environment.
#[derive(Clone, Debug)]
pub struct SessionState {
    /// The context's namespace (`kubectl config set-context --current --namespace`).
    pub namespace: String,
    /// For `kubens -`.
    pub previous_namespace: Option<String>,
    /// The current context's name.
    pub context: String,
    /// Files written by redirections and read by `-f`, relative to this directory.
    pub workdir: std::path::PathBuf,
    /// Shell variables.
    pub vars: BTreeMap<String, String>,
    /// Names marked with `export`.
    pub exported: BTreeSet<String>,
    /// `$?`
    pub last_status: i32,
    /// The status of the last `$(...)`, for `X=$(cmd)` lines.
    pub last_status_of_subst: Option<i32>,
    /// State of `$RANDOM` (a fixed sequence: scripts replay identically).
    pub random: u32,
    /// Other kubeconfig contexts (`config set-context NAME`): their namespaces.
    pub contexts: BTreeMap<String, String>,
}

impl Default for SessionState {
    fn default() -> Self {
        SessionState {
            namespace: "default".into(),
            previous_namespace: None,
            context: CONTEXT.into(),
            workdir: std::env::current_dir().unwrap_or_default(),
            vars: BTreeMap::new(),
            exported: BTreeSet::new(),
            last_status: 0,
            last_status_of_subst: None,
            random: 42,
            contexts: BTreeMap::new(),
        }
    }
}

/// What a command runs against: the world, the session's state, the
/// terminal, the hooks into other parts, its standard input and where its
/// output goes.
pub struct Env<'a> {
    pub world: &'a mut World,
    pub state: &'a mut SessionState,
    pub term: &'a mut Terminal,
    pub hooks: &'a Hooks,
    pub stdin: Option<&'a str>,
    pub live: Live,
}

/// A world, a session state and a terminal: what the REPL and script mode
/// drive.
pub struct Session {
    pub world: World,
    pub state: SessionState,
    pub term: Terminal,
    pub hooks: Hooks,
    /// `exit` was run.
    pub exit_requested: bool,
}

/// The result of running a text: what a caller checks (stdout, stderr,
/// status) and the transcript as a terminal would have shown it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Run {
    pub output: Output,
    pub transcript: String,
}

impl Session {
    /// A session for scripts and tests (output collected, time as fast as
    /// possible).
    pub fn new(world: World) -> Session {
        Session {
            world,
            state: SessionState::default(),
            term: Terminal::script(),
            hooks: super::net_hook::connected(),
            exit_requested: false,
        }
    }

    /// Runs command text (one line, or several for heredocs and loops).
    pub fn execute(&mut self, text: &str) -> Output {
        self.run(text).output
    }

    /// Runs command text and returns its output and transcript.
    pub fn run(&mut self, text: &str) -> Run {
        let (run, exit) = run_text(
            &mut self.world,
            &mut self.state,
            &mut self.term,
            &self.hooks,
            text,
            None,
        );
        self.exit_requested |= exit;
        run
    }

    /// An [`Env`] over this session (for callers outside the shell).
    pub fn env(&mut self) -> Env<'_> {
        Env {
            world: &mut self.world,
            state: &mut self.state,
            term: &mut self.term,
            hooks: &self.hooks,
            stdin: None,
            live: Live::TERMINAL,
        }
    }
}

/// Runs command text on borrowed parts of a session (the world may live
/// elsewhere, e.g. on the runner's thread of `kubesim serve --repl`), with
/// `stdin` as the standard input of the first command. Returns the run and
/// whether `exit` was run.
pub fn run_text(
    world: &mut World,
    state: &mut SessionState,
    term: &mut Terminal,
    hooks: &Hooks,
    text: &str,
    stdin: Option<&str>,
) -> (Run, bool) {
    let list = match shell::parse(text) {
        Ok(l) => l,
        Err(e) => {
            let o = Output::err(e.to_string()).with_code(2);
            state.last_status = 2;
            return (
                Run {
                    transcript: o.stderr.clone(),
                    output: o,
                },
                false,
            );
        }
    };
    term.clear_interrupt();
    let mut sh = Shell::over(world, state, term, hooks);
    let o = sh.run_list(&list, stdin, Live::TERMINAL);
    let exit = sh.exit_requested;
    // Whatever the command wrote is processed before the prompt returns.
    world.settle();
    term.clear_interrupt();
    let c = term.take_buffer();
    (
        Run {
            output: Output {
                stdout: c.stdout + &o.stdout,
                stderr: c.stderr + &o.stderr,
                code: o.code,
            },
            transcript: c.merged + &o.stdout + &o.stderr,
        },
        exit,
    )
}

/// Runs one line on a world owned elsewhere, with default hooks and a
/// script terminal (waiting commands advance the world at once): for a
/// front end that holds only the session state, such as the REPL of
/// `kubesim serve --repl`.
pub fn run_line(line: &str, world: &mut World, state: &mut SessionState) -> Output {
    let mut term = Terminal::script();
    run_text(
        world,
        state,
        &mut term,
        &super::net_hook::connected(),
        line,
        None,
    )
    .0
    .output
}

/// Runs an already split command line (quoted back for the shell); kept
/// for callers written against the first REPL.
pub fn run_words(
    words: &[String],
    world: &mut World,
    state: &mut SessionState,
    stdin: Option<&str>,
) -> Output {
    let mut term = Terminal::script();
    let line = shell_words::join(words);
    run_text(
        world,
        state,
        &mut term,
        &super::net_hook::connected(),
        &line,
        stdin,
    )
    .0
    .output
}
