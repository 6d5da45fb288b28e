//! A session: one user's view of the cluster (current namespace) and the
//! entry point that runs one command line against the world.

use super::output::Output;
use super::{kubectl, sim_cmd};
use crate::sim::World;

/// Per-user state that kubectl keeps in its kubeconfig.
#[derive(Clone, Debug)]
pub struct SessionState {
    /// The context's namespace (`kubectl config set-context --current --namespace`).
    pub namespace: String,
    /// Files written by redirections and read by `-f`, relative to this directory.
    pub workdir: std::path::PathBuf,
}

impl Default for SessionState {
    fn default() -> Self {
        SessionState {
            namespace: "default".into(),
            workdir: std::env::current_dir().unwrap_or_default(),
        }
    }
}

/// A world and a session state: what the REPL and script mode drive.
pub struct Session {
    pub world: World,
    pub state: SessionState,
}

impl Session {
    pub fn new(world: World) -> Session {
        Session {
            world,
            state: SessionState::default(),
        }
    }

    /// Runs one line (`kubectl ...`, `sim ...`, blank or `#` comment).
    pub fn execute(&mut self, line: &str) -> Output {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            return Output::default();
        }
        let words = match shell_words::split(line) {
            Ok(w) => w,
            Err(_) => return Output::err("kubesim: syntax error: unterminated quoted string"),
        };
        let out = run_words(&words, &mut self.world, &mut self.state, None);
        // Whatever the command wrote is processed before the prompt returns.
        self.world.settle();
        out
    }
}

/// Runs an already split command line.
pub fn run_words(
    words: &[String],
    world: &mut World,
    state: &mut SessionState,
    stdin: Option<&str>,
) -> Output {
    let Some(cmd) = words.first() else {
        return Output::default();
    };
    let rest = &words[1..];
    match cmd.as_str() {
        "kubectl" | "k" => kubectl::run(rest, world, state, stdin),
        "sim" => sim_cmd::run(rest, world),
        "help" => Output::ok(HELP),
        other => Output::err(format!("kubesim: command not found: {other}\nType 'help' for the commands kubesim understands.")),
    }
}

pub const HELP: &str = "\
kubesim understands these lines:
  kubectl ...            kubectl commands (get, describe, run, create, apply, delete, logs, ...)
  sim advance DURATION   advance virtual time (e.g. 20s, 1m30s)
  sim status             the virtual time, seed and event count
  sim events [N]         the simulation's own event log (last N lines)
  help                   this text
";
