//! Script mode: the same lines as the REPL, without a terminal. Each line is
//! echoed as `$ LINE` before its output, so a run is a replayable,
//! snapshot-testable transcript.

use super::session::Session;

/// Runs `text` line by line; returns the transcript and the exit status
/// (the first failing line's, or 0).
pub fn run(session: &mut Session, text: &str, keep_going: bool) -> (String, i32) {
    let mut transcript = String::new();
    let mut status = 0;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        transcript.push_str(&format!("$ {trimmed}\n"));
        if trimmed.starts_with('#') {
            continue;
        }
        let out = session.execute(trimmed);
        transcript.push_str(&out.stdout);
        transcript.push_str(&out.stderr);
        if out.code != 0 {
            if status == 0 {
                status = out.code;
            }
            if !keep_going {
                break;
            }
        }
    }
    (transcript, status)
}
