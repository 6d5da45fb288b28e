//! Where a session's output goes and how its waiting passes.
//!
//! Script mode collects output into a transcript and waits in virtual time
//! as fast as possible. The REPL prints as soon as a command writes (so
//! `kubectl get -w`, `logs -f` and loops show lines as they happen) and
//! waits at the wall clock times the speed factor, until Ctrl-C. Commands
//! see one interface: [`Terminal::write`] and [`Terminal::wait_until`].

use crate::sim::{SimTime, World};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Prints stdout and stderr text at once (the REPL's terminal).
pub type Printer = Box<dyn FnMut(&str, &str)>;

/// How long a stream without an end (`get -w`, `logs -f`, `watch`, a
/// `while` loop) runs in a script when nothing else bounds it: 30 s of
/// virtual time, as if the user pressed Ctrl-C then.
pub const SCRIPT_STREAM_LIMIT: Duration = Duration::from_secs(30);

/// What a script prints (on stderr) when its bound ends an endless
/// command, so a transcript says why the stream stopped. `kubectl`: the
/// command takes `--request-timeout`.
pub fn stream_cap_note(limit: Duration, kubectl: bool) -> String {
    let how = if kubectl {
        "; --request-timeout=D sets another length"
    } else {
        ""
    };
    format!(
        "kubesim: stopped after {}s of virtual time, as Ctrl-C would (scripts bound endless commands{how})\n",
        limit.as_secs()
    )
}

pub struct Terminal {
    /// A person is watching (REPL): wall-clock pacing, live printing.
    pub interactive: bool,
    /// ANSI colour allowed (a terminal, and NO_COLOR unset).
    pub color: bool,
    /// Virtual seconds per wall second while a command waits in the REPL.
    pub speed: f64,
    /// Virtual time does not pass while paused (REPL only).
    pub paused: bool,
    /// The bound of endless streams in scripts (see [`SCRIPT_STREAM_LIMIT`]).
    pub stream_limit: Duration,
    /// Set by the Ctrl-C handler while a command runs.
    pub interrupted: Arc<AtomicBool>,
    printer: Option<Printer>,
    /// What was written when there is no printer (script mode, tests):
    /// stdout, stderr, and both interleaved as a terminal shows them.
    buffer: Captured,
}

/// Output collected by a terminal without a printer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Captured {
    pub stdout: String,
    pub stderr: String,
    pub merged: String,
}

impl Default for Terminal {
    fn default() -> Self {
        Terminal::script()
    }
}

impl Terminal {
    /// A terminal for scripts and tests: output is collected, waiting is
    /// instantaneous, no colour.
    pub fn script() -> Terminal {
        Terminal {
            interactive: false,
            color: false,
            speed: 1.0,
            paused: false,
            stream_limit: SCRIPT_STREAM_LIMIT,
            interrupted: Arc::new(AtomicBool::new(false)),
            printer: None,
            buffer: Captured::default(),
        }
    }

    /// A terminal for the REPL: `printer` shows text at once.
    pub fn interactive(printer: Printer, color: bool) -> Terminal {
        Terminal {
            interactive: true,
            color,
            printer: Some(printer),
            ..Terminal::script()
        }
    }

    /// Writes text a command produced for the terminal.
    pub fn write(&mut self, stdout: &str, stderr: &str) {
        if stdout.is_empty() && stderr.is_empty() {
            return;
        }
        match &mut self.printer {
            Some(p) => p(stdout, stderr),
            None => {
                self.buffer.stdout.push_str(stdout);
                self.buffer.stderr.push_str(stderr);
                self.buffer.merged.push_str(stdout);
                self.buffer.merged.push_str(stderr);
            }
        }
    }

    /// Takes what was collected so far (script mode).
    pub fn take_buffer(&mut self) -> Captured {
        std::mem::take(&mut self.buffer)
    }

    /// Was Ctrl-C pressed since the command started?
    pub fn is_interrupted(&self) -> bool {
        self.interrupted.load(Ordering::SeqCst)
    }
    pub fn clear_interrupt(&self) {
        self.interrupted.store(false, Ordering::SeqCst);
    }

    /// Lets virtual time pass until `t`. Returns false when interrupted
    /// (Ctrl-C) before reaching it. Scripts run as fast as possible; the
    /// REPL follows the wall clock times `speed`, in slices short enough to
    /// answer Ctrl-C at once.
    pub fn wait_until(&mut self, world: &mut World, t: SimTime) -> bool {
        if !self.interactive {
            world.run_until(t);
            return true;
        }
        // The pacing edge: wall time is read here and only here.
        const SLICE: Duration = Duration::from_millis(50);
        while world.now() < t {
            if self.is_interrupted() {
                return false;
            }
            std::thread::sleep(SLICE);
            if self.paused {
                continue;
            }
            let step = Duration::from_secs_f64(SLICE.as_secs_f64() * self.speed.max(0.0));
            let next = (world.now() + step).min(t);
            world.run_until(next);
        }
        !self.is_interrupted()
    }
}

/// How a command's output is routed: to the terminal as it is produced
/// (`live`), or collected for a pipe, a redirection or `$(...)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Live {
    pub stdout: bool,
    pub stderr: bool,
}

impl Live {
    pub const TERMINAL: Live = Live {
        stdout: true,
        stderr: true,
    };
    pub const CAPTURED: Live = Live {
        stdout: false,
        stderr: false,
    };
}
