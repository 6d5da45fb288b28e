//! The interactive shell: line editing and history (rustyline), a prompt
//! with the namespace and the virtual time.

use super::session::Session;
use crate::sim::World;
use rustyline::error::ReadlineError;

fn history_path() -> Option<std::path::PathBuf> {
    std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".kubesim_history"))
}

/// The prompt: `[09:00:05 default]$ `.
pub fn prompt(session: &Session) -> String {
    let t = session.world.store.timestamp().0;
    format!("[{} {}]$ ", t.strftime("%H:%M:%S"), session.state.namespace)
}

pub fn run(world: World) -> i32 {
    let mut session = Session::new(world);
    let seed = session.world.seed();
    let first = prompt(&session);
    interact(
        seed,
        |line| {
            let out = session.execute(line);
            (out, prompt(&session))
        },
        first,
    )
}

/// The REPL on a world that runs on its own thread (`kubesim serve --repl`):
/// each line runs there, between events, at the current virtual time.
pub fn run_remote(handle: crate::sim::runner::SimHandle) -> i32 {
    let mut state = super::session::SessionState::default();
    let seed = handle.call(|w| w.seed());
    let remote_prompt = |h: &crate::sim::runner::SimHandle, ns: &str| {
        let t = h.call(|w| w.store.timestamp().0);
        format!("[{} {}]$ ", t.strftime("%H:%M:%S"), ns)
    };
    let first = remote_prompt(&handle, &state.namespace);
    interact(
        seed,
        move |line| {
            let words = match shell_words::split(line) {
                Ok(w) => w,
                Err(_) => {
                    return (
                        super::output::Output::err(
                            "kubesim: syntax error: unterminated quoted string",
                        ),
                        remote_prompt(&handle, &state.namespace),
                    )
                }
            };
            let st = state.clone();
            let (out, st) = handle.call(move |w| {
                let mut st = st;
                let out = super::session::run_words(&words, w, &mut st, None);
                w.settle();
                (out, st)
            });
            state = st;
            (out, remote_prompt(&handle, &state.namespace))
        },
        first,
    )
}

/// The read-eval-print loop around `exec`, which runs one line and returns
/// its output and the next prompt.
fn interact(
    seed: u64,
    mut exec: impl FnMut(&str) -> (super::output::Output, String),
    first_prompt: String,
) -> i32 {
    let mut next_prompt = first_prompt;
    let mut editor = match rustyline::DefaultEditor::new() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot open the terminal: {e}");
            return 2;
        }
    };
    if let Some(p) = history_path() {
        let _ = editor.load_history(&p);
    }
    println!("kubesim: a simulated Kubernetes v1.33 cluster (seed {seed}). Type 'help' for help, Ctrl-D to quit.");
    loop {
        match editor.readline(&next_prompt) {
            Ok(line) => {
                if line.trim().is_empty() {
                    continue;
                }
                let _ = editor.add_history_entry(line.as_str());
                if matches!(line.trim(), "exit" | "quit") {
                    break;
                }
                let (out, p) = exec(&line);
                next_prompt = p;
                print!("{}", out.stdout);
                eprint!("{}", out.stderr);
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("error: {e}");
                break;
            }
        }
    }
    if let Some(p) = history_path() {
        let _ = editor.save_history(&p);
    }
    0
}
