//! The interactive shell: rustyline with history kept across runs, tab
//! completion ([`super::complete`]), multi-line input for here-documents
//! and loops, a prompt with the namespace and the virtual time, colour
//! when the terminal has it (and `NO_COLOR` is unset).
//!
//! This is the pacing edge: virtual time follows the wall clock (times
//! `sim speed`) while the user types and while commands wait, and Ctrl-C
//! stops a waiting command (`get -w`, `logs -f`, `watch`, loops).

use super::complete;
use super::session::Session;
use super::shell;
use super::term::Terminal;
use crate::sim::World;
use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Editor, Helper};
use std::borrow::Cow;
use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

fn history_path() -> Option<std::path::PathBuf> {
    std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".kubesim_history"))
}

/// Whether to colour: a terminal on stdout, `NO_COLOR` unset, `TERM` not dumb.
pub fn color_wanted() -> bool {
    use std::io::IsTerminal;
    std::env::var_os("NO_COLOR").is_none()
        && std::env::var("TERM").map(|t| t != "dumb").unwrap_or(true)
        && std::io::stdout().is_terminal()
}

/// The prompt: `[09:00:05 default]$ ` (coloured when `color`).
pub fn prompt(session: &Session, color: bool) -> String {
    let t = session.world.store.timestamp().0;
    let time = t.strftime("%H:%M:%S").to_string();
    let ns = &session.state.namespace;
    if color {
        format!("\x1b[2m[\x1b[0;36m{time}\x1b[0m \x1b[1;34m{ns}\x1b[0;2m]\x1b[0m$ ")
    } else {
        format!("[{time} {ns}]$ ")
    }
}

/// rustyline's view of the session: completion and multi-line input.
struct ShellHelper {
    session: Rc<RefCell<Session>>,
}

impl Completer for ShellHelper {
    type Candidate = Pair;
    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let s = self.session.borrow();
        let (start, cands) = complete::complete(line, pos, &s.world, &s.state);
        Ok((
            start,
            cands
                .into_iter()
                .map(|c| Pair {
                    display: c.display(),
                    replacement: c.replacement,
                })
                .collect(),
        ))
    }
}

impl Hinter for ShellHelper {
    type Hint = String;
}

impl Highlighter for ShellHelper {
    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(
        &'s self,
        prompt: &'p str,
        _default: bool,
    ) -> Cow<'b, str> {
        Cow::Borrowed(prompt)
    }
}

impl Validator for ShellHelper {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        if shell::is_complete(ctx.input()) {
            Ok(ValidationResult::Valid(None))
        } else {
            Ok(ValidationResult::Incomplete)
        }
    }
}

impl Helper for ShellHelper {}

/// Ctrl-C while a command runs sets `flag` (at the prompt, rustyline reads
/// Ctrl-C as a key).
fn install_interrupt_handler(flag: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        rt.block_on(async move {
            while tokio::signal::ctrl_c().await.is_ok() {
                flag.store(true, Ordering::SeqCst);
            }
        });
    });
}

pub fn run(world: World) -> i32 {
    let color = color_wanted();
    let printer = Box::new(|out: &str, err: &str| {
        let mut so = std::io::stdout();
        let _ = so.write_all(out.as_bytes());
        let _ = so.flush();
        let mut se = std::io::stderr();
        let _ = se.write_all(err.as_bytes());
        let _ = se.flush();
    });
    let mut session = Session::new(world);
    session.term = Terminal::interactive(printer, color);
    install_interrupt_handler(session.term.interrupted.clone());
    let session = Rc::new(RefCell::new(session));
    let config = rustyline::Config::builder()
        .completion_type(rustyline::CompletionType::List)
        .auto_add_history(false)
        .build();
    let mut editor: Editor<ShellHelper, rustyline::history::DefaultHistory> =
        match Editor::with_config(config) {
            Ok(e) => e,
            Err(e) => {
                eprintln!("error: cannot open the terminal: {e}");
                return 2;
            }
        };
    editor.set_helper(Some(ShellHelper {
        session: session.clone(),
    }));
    if let Some(p) = history_path() {
        let _ = editor.load_history(&p);
    }
    println!(
        "kubesim: a simulated Kubernetes v1.33 cluster (seed {}). Type 'help' for help, Ctrl-D to quit.",
        session.borrow().world.seed()
    );
    let mut code = 0;
    loop {
        let p = prompt(&session.borrow(), color);
        // The pacing edge: the wall clock is read here, around the prompt.
        #[allow(clippy::disallowed_methods)]
        let shown = std::time::Instant::now();
        let line = editor.readline(&p);
        #[allow(clippy::disallowed_methods)]
        let waited = shown.elapsed();
        {
            let mut s = session.borrow_mut();
            if !s.term.paused {
                let d = waited.mul_f64(s.term.speed.max(0.0));
                s.world.advance(d);
            }
        }
        match line {
            Ok(line) => {
                if line.trim().is_empty() {
                    continue;
                }
                let _ = editor.add_history_entry(line.as_str());
                if matches!(line.trim(), "exit" | "quit" | "logout") {
                    break;
                }
                let mut s = session.borrow_mut();
                let out = s.execute(&line);
                // Streaming commands printed already; the rest now.
                print!("{}", out.stdout);
                eprint!("{}", out.stderr);
                let _ = std::io::stdout().flush();
                if s.exit_requested {
                    code = out.code;
                    break;
                }
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
    code
}
