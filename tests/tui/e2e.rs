//! The real binary in tmux (issue 10, "done when"): start `kubesim tui`,
//! type `:` commands, create and scale a deployment through REPL lines,
//! read the screen with capture-pane, quit, and check the terminal was
//! restored (main screen back, cooked mode, cursor shown).
//!
//! Skips, with a notice, when tmux is missing (`.ci/run` installs it) or
//! when the binary has no `tui` subcommand yet.

use std::process::Command;
use std::time::{Duration, Instant};

/// How long any one step may take. Generous: a debug binary on a loaded
/// two-core machine; the waits poll, so a fast machine does not wait.
const WAIT: u64 = 60;

struct Tmux {
    socket: String,
    target: String,
}

impl Tmux {
    fn cmd(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs")
    }
    fn capture(&self) -> String {
        let o = self.cmd(&["capture-pane", "-p", "-t", &self.target]);
        String::from_utf8_lossy(&o.stdout).into_owned()
    }
    fn format(&self, f: &str) -> String {
        let o = self.cmd(&["display-message", "-p", "-t", &self.target, f]);
        String::from_utf8_lossy(&o.stdout).trim().to_string()
    }
    fn keys(&self, text: &str) {
        self.cmd(&["send-keys", "-t", &self.target, "-l", text]);
    }
    fn key(&self, k: &str) {
        self.cmd(&["send-keys", "-t", &self.target, k]);
    }
    /// Types a `:` line and runs it.
    fn command(&self, line: &str) {
        self.keys(":");
        self.keys(line);
        self.key("Enter");
    }
    /// Waits until the screen shows `text`; returns the screen.
    fn wait_for(&self, text: &str, secs: u64) -> String {
        #[allow(clippy::disallowed_methods)] // a test waiting on a real terminal
        let start = Instant::now();
        loop {
            let screen = self.capture();
            if screen.contains(text) {
                return screen;
            }
            if start.elapsed() > Duration::from_secs(secs) {
                panic!("{text:?} did not appear within {secs}s; the screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // Our own tmux server, on its own socket.
        let _ = self.cmd(&["kill-server"]);
    }
}

fn has_tmux() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn tui_in_tmux_runs_commands_and_restores_the_terminal() {
    let bin = env!("CARGO_BIN_EXE_kubesim");
    if !has_tmux() {
        println!("skipping the tmux test: tmux is not installed (.ci/run installs it)");
        return;
    }
    let help = Command::new(bin)
        .args(["tui", "--help"])
        .output()
        .expect("kubesim runs");
    if !help.status.success() || !String::from_utf8_lossy(&help.stdout).contains("--speed") {
        println!("skipping the tmux test: this kubesim binary has no `tui` subcommand yet");
        return;
    }
    let t = Tmux {
        socket: format!("kubesim-tui-test-{}", std::process::id()),
        target: "tui".into(),
    };
    // The pane outlives the TUI so that the terminal state after it can be
    // read: `stty -a` prints `icanon` (not `-icanon`) once raw mode is off.
    let script = format!(
        "TERM=xterm-256color {bin} tui --seed 7 --speed 5; echo EXITED:$?; stty -a | tr ' ' '\\n' | grep -x -e icanon -e -icanon; sleep 120"
    );
    let o = t.cmd(&[
        "new-session",
        "-d",
        "-s",
        "tui",
        "-x",
        "120",
        "-y",
        "40",
        "sh",
        "-c",
        &script,
    ]);
    assert!(o.status.success(), "tmux new-session: {o:?}");

    let screen = t.wait_for("nodes[4]", WAIT);
    assert!(screen.contains("kubesim"), "{screen}");
    assert_eq!(
        t.format("#{alternate_on}"),
        "1",
        "the TUI uses the alternate screen"
    );

    t.command("deploy");
    t.wait_for("deployments(default)", WAIT);
    t.command("kubectl create deployment web --image nginx");
    t.wait_for("deployment.apps/web created", WAIT);
    t.wait_for(" web ", WAIT);
    t.command("kubectl scale deployment web --replicas=3");
    t.wait_for("deployment.apps/web scaled", WAIT);
    // The controllers (and the scheduler) bring up three pods.
    t.command("pods");
    t.wait_for("pods(default)[3]", WAIT);
    // `kubectl get` output opens a pane: ask again until all are ready.
    #[allow(clippy::disallowed_methods)] // a test waiting on a real terminal
    let start = Instant::now();
    loop {
        t.command("kubectl get deploy web");
        // The pane's title, not the prompt being typed.
        let screen = t.wait_for("┌ :kubectl get deploy web", WAIT);
        if screen.contains("3/3") {
            break;
        }
        t.key("Escape");
        t.wait_for("┌ pods(default)[3]", WAIT);
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "web never became 3/3:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }

    // Esc (closes the pane) and q (quits) in one write: the dashboard reads
    // them as Alt+q, as it does whenever the two are typed quickly (the
    // test used to hang here when the machine was slow enough for the two
    // keys to arrive in the same read).
    t.cmd(&["send-keys", "-t", &t.target, "Escape", "q"]);
    let after = t.wait_for("EXITED:0", WAIT);
    let after = t.wait_for("icanon", WAIT).to_string() + &after;
    assert!(
        !after.contains("nodes[4]"),
        "the dashboard was on the alternate screen, not the main one:\n{after}"
    );
    assert!(
        !after.contains("-icanon"),
        "raw mode is off again:\n{after}"
    );
    assert_eq!(t.format("#{alternate_on}"), "0", "back on the main screen");
    assert_eq!(t.format("#{cursor_flag}"), "1", "the cursor is shown");
}
