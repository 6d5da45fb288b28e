//! The interactive shell: rustyline with history kept across runs, tab
//! completion ([`super::complete`]), multi-line input for here-documents
//! and loops, a prompt with the namespace and the virtual time, colour
//! when the terminal has it (and `NO_COLOR` is unset).
//!
//! This is the pacing edge: virtual time follows the wall clock (times
//! `sim speed`) while the user types and while commands wait, and Ctrl-C
//! stops a waiting command (`get -w`, `logs -f`, `watch`, loops).

use super::complete;
use super::hooks::Hooks;
use super::output::Output;
use super::session::{run_text, Session, SessionState};
use super::shell;
use super::term::Terminal;
use crate::sim::time::SimTime;
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
use std::time::Duration;

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
    format_prompt(
        &t.strftime("%H:%M:%S").to_string(),
        &session.state.namespace,
        color,
    )
}

fn format_prompt(time: &str, ns: &str, color: bool) -> String {
    if color {
        format!("\x1b[2m[\x1b[0;36m{time}\x1b[0m \x1b[1;34m{ns}\x1b[0;2m]\x1b[0m$ ")
    } else {
        format!("[{time} {ns}]$ ")
    }
}

/// What the REPL drives: a session that owns its world ([`Local`]), or
/// one whose world runs elsewhere ([`Remote`], e.g. on the runner's thread
/// of `kubesim serve --repl`).
pub trait Backend {
    fn seed(&mut self) -> u64;
    fn prompt(&mut self, color: bool) -> String;
    /// Runs a line: what is left to print, and whether `exit` was run.
    fn execute(&mut self, line: &str) -> (Output, bool);
    fn complete(&mut self, line: &str, pos: usize) -> (usize, Vec<complete::Candidate>);
    /// The user spent `waited` (wall clock) at the prompt.
    fn idle(&mut self, waited: Duration);
}

/// A session that owns its world: virtual time follows the wall clock
/// between prompts, waiting commands are paced and stop on Ctrl-C.
pub struct Local(pub Session);

impl Local {
    /// A local session printing to this process's terminal.
    pub fn new(world: World, color: bool) -> Local {
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
        Local(session)
    }
}

impl Backend for Local {
    fn seed(&mut self) -> u64 {
        self.0.world.seed()
    }
    fn prompt(&mut self, color: bool) -> String {
        prompt(&self.0, color)
    }
    fn execute(&mut self, line: &str) -> (Output, bool) {
        let out = self.0.execute(line);
        (out, self.0.exit_requested)
    }
    fn complete(&mut self, line: &str, pos: usize) -> (usize, Vec<complete::Candidate>) {
        complete::complete(line, pos, &self.0.world, &self.0.state)
    }
    fn idle(&mut self, waited: Duration) {
        let s = &mut self.0;
        if !s.term.paused {
            let d = waited.mul_f64(s.term.speed.max(0.0));
            s.world.advance(d);
        }
    }
}

/// Access to a world that lives on another thread, and to the runner that
/// paces it. Lead: `impl WorldAccess for crate::sim::runner::SimHandle`
/// delegating `with` to `call` and the rest to `pause`/`resume`/`set_speed`.
pub trait WorldAccess {
    fn with<R: Send + 'static>(&self, f: impl FnOnce(&mut World) -> R + Send + 'static) -> R;
    fn pause(&self) {}
    fn resume(&self) {}
    fn set_speed(&self, _speed: f64) {}
}

/// A session whose world runs elsewhere: each line runs there, between
/// events, at the current virtual time; the runner paces the world, so
/// `sim pause|resume|speed` go to it, and waiting commands advance the
/// world at once (as in scripts).
pub struct Remote<A: WorldAccess> {
    pub access: A,
    pub state: SessionState,
    pub hooks: Hooks,
    speed: f64,
}

impl<A: WorldAccess> Remote<A> {
    pub fn new(access: A) -> Remote<A> {
        Remote {
            access,
            state: SessionState::default(),
            hooks: super::net_hook::connected(),
            speed: 1.0,
        }
    }

    fn now(&self) -> SimTime {
        self.access.with(|w| w.now())
    }

    /// `sim pause|resume|speed`, which act on the runner.
    fn runner_control(&mut self, line: &str) -> Option<Output> {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["sim", "pause"] => {
                self.access.pause();
                Some(Output::ok(format!(
                    "simulation paused at {} (virtual time does not pass until 'sim resume')\n",
                    super::sim_cmd::clock(self.now())
                )))
            }
            ["sim", "resume"] => {
                self.access.resume();
                Some(Output::ok(format!(
                    "simulation resumed at {} (speed {}x)\n",
                    super::sim_cmd::clock(self.now()),
                    self.speed
                )))
            }
            ["sim", "speed", f] => Some(match f.trim_end_matches('x').parse::<f64>() {
                Ok(x) if x > 0.0 && x.is_finite() => {
                    self.access.set_speed(x);
                    self.speed = x;
                    Output::ok(format!("speed: {x}x\n"))
                }
                _ => Output::error(format!(
                    "invalid speed {f:?}: give a positive factor, e.g. sim speed 2"
                )),
            }),
            _ => None,
        }
    }
}

impl<A: WorldAccess> Backend for Remote<A> {
    fn seed(&mut self) -> u64 {
        self.access.with(|w| w.seed())
    }
    fn prompt(&mut self, color: bool) -> String {
        let t = self.access.with(|w| w.store.timestamp().0);
        format_prompt(
            &t.strftime("%H:%M:%S").to_string(),
            &self.state.namespace,
            color,
        )
    }
    fn execute(&mut self, line: &str) -> (Output, bool) {
        if let Some(o) = self.runner_control(line) {
            return (o, false);
        }
        let state = self.state.clone();
        let hooks = self.hooks;
        let line = line.to_string();
        let (out, state, exit) = self.access.with(move |w| {
            let mut state = state;
            let mut term = Terminal::script();
            let (run, exit) = run_text(w, &mut state, &mut term, &hooks, &line, None);
            (run.output, state, exit)
        });
        self.state = state;
        (out, exit)
    }
    fn complete(&mut self, line: &str, pos: usize) -> (usize, Vec<complete::Candidate>) {
        let state = self.state.clone();
        let line = line.to_string();
        self.access
            .with(move |w| complete::complete(&line, pos, w, &state))
    }
    fn idle(&mut self, _waited: Duration) {}
}

/// rustyline's view of the backend: completion and multi-line input.
struct ShellHelper<B: Backend> {
    backend: Rc<RefCell<B>>,
}

impl<B: Backend> Completer for ShellHelper<B> {
    type Candidate = Pair;
    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (start, cands) = self.backend.borrow_mut().complete(line, pos);
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

impl<B: Backend> Hinter for ShellHelper<B> {
    type Hint = String;
}

impl<B: Backend> Highlighter for ShellHelper<B> {
    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(
        &'s self,
        prompt: &'p str,
        _default: bool,
    ) -> Cow<'b, str> {
        Cow::Borrowed(prompt)
    }
}

impl<B: Backend> Validator for ShellHelper<B> {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        if shell::is_complete(ctx.input()) {
            Ok(ValidationResult::Valid(None))
        } else {
            Ok(ValidationResult::Incomplete)
        }
    }
}

impl<B: Backend> Helper for ShellHelper<B> {}

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

/// The REPL on a world of its own.
pub fn run(world: World) -> i32 {
    let color = color_wanted();
    interact(Local::new(world, color), color)
}

/// The read-eval-print loop around a backend.
pub fn interact<B: Backend>(backend: B, color: bool) -> i32 {
    let backend = Rc::new(RefCell::new(backend));
    let config = rustyline::Config::builder()
        .completion_type(rustyline::CompletionType::List)
        .auto_add_history(false)
        .build();
    let mut editor: Editor<ShellHelper<B>, rustyline::history::DefaultHistory> =
        match Editor::with_config(config) {
            Ok(e) => e,
            Err(e) => {
                eprintln!("error: cannot open the terminal: {e}");
                return 2;
            }
        };
    editor.set_helper(Some(ShellHelper {
        backend: backend.clone(),
    }));
    if let Some(p) = history_path() {
        let _ = editor.load_history(&p);
    }
    let seed = backend.borrow_mut().seed();
    println!(
        "kubesim: a simulated Kubernetes v1.33 cluster (seed {seed}). Type 'help' for help, Ctrl-D to quit."
    );
    let mut code = 0;
    loop {
        let p = backend.borrow_mut().prompt(color);
        // The pacing edge: the wall clock is read here, around the prompt.
        #[allow(clippy::disallowed_methods)]
        let shown = std::time::Instant::now();
        let line = editor.readline(&p);
        #[allow(clippy::disallowed_methods)]
        let waited = shown.elapsed();
        backend.borrow_mut().idle(waited);
        match line {
            Ok(line) => {
                if line.trim().is_empty() {
                    continue;
                }
                let _ = editor.add_history_entry(line.as_str());
                if matches!(line.trim(), "exit" | "quit" | "logout") {
                    break;
                }
                let (out, exit) = backend.borrow_mut().execute(&line);
                // Streaming commands printed already; the rest now.
                print!("{}", out.stdout);
                eprint!("{}", out.stderr);
                let _ = std::io::stdout().flush();
                if exit {
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

impl WorldAccess for crate::sim::runner::SimHandle {
    fn with<R: Send + 'static>(&self, f: impl FnOnce(&mut World) -> R + Send + 'static) -> R {
        self.call(f)
    }
    fn pause(&self) {
        crate::sim::runner::SimHandle::pause(self)
    }
    fn resume(&self) {
        crate::sim::runner::SimHandle::resume(self)
    }
    fn set_speed(&self, speed: f64) {
        crate::sim::runner::SimHandle::set_speed(self, speed)
    }
}

/// The REPL on a world that runs on its own thread (`kubesim serve --repl`):
/// each line runs there, between events, at the current virtual time.
pub fn run_remote(handle: crate::sim::runner::SimHandle) -> i32 {
    let color = color_wanted();
    interact(Remote::new(handle), color)
}
