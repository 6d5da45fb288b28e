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
    println!("kubesim: a simulated Kubernetes v1.33 cluster (seed {}). Type 'help' for help, Ctrl-D to quit.", session.world.seed());
    loop {
        match editor.readline(&prompt(&session)) {
            Ok(line) => {
                if line.trim().is_empty() {
                    continue;
                }
                let _ = editor.add_history_entry(line.as_str());
                if matches!(line.trim(), "exit" | "quit") {
                    break;
                }
                let out = session.execute(&line);
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
