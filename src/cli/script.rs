//! Script mode: the same lines as the REPL, without a terminal. Lines are
//! gathered into complete commands (a here-document, a loop or a quoted
//! string may span lines, as in `sh`); each command is echoed as `$ LINE`
//! (continuation lines as `> LINE`) before its output, so a run is a
//! replayable, snapshot-testable transcript.

use super::session::Session;
use super::shell;

/// Runs `text`; returns the transcript and the exit status (the first
/// failing command's, or 0). Stops at the first failure unless
/// `keep_going`, and at `exit`.
pub fn run(session: &mut Session, text: &str, keep_going: bool) -> (String, i32) {
    let mut transcript = String::new();
    let mut status = 0;
    let mut pending: Vec<&str> = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if pending.is_empty() {
            let trimmed = line.trim();
            if trimmed.is_empty() {
                continue;
            }
            if trimmed.starts_with('#') {
                transcript.push_str(&format!("$ {trimmed}\n"));
                continue;
            }
        }
        pending.push(line);
        let chunk = pending.join("\n");
        let last = i + 1 == lines.len();
        if !shell::is_complete(&chunk) && !last {
            continue;
        }
        for (j, l) in pending.iter().enumerate() {
            if j == 0 {
                transcript.push_str(&format!("$ {}\n", l.trim()));
            } else {
                transcript.push_str(&format!("> {l}\n"));
            }
        }
        pending.clear();
        let run = session.run(&chunk);
        transcript.push_str(&run.transcript);
        if run.output.code != 0 {
            if status == 0 {
                status = run.output.code;
            }
            if !keep_going {
                break;
            }
        }
        if session.exit_requested {
            break;
        }
    }
    (transcript, status)
}
