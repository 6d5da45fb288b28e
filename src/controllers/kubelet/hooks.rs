//! Container lifecycle hooks (postStart, preStop): what running a handler
//! does to a simulated container, and the messages the kubelet's handler
//! runner writes (`pkg/kubelet/lifecycle/handlers.go` `Run`).
//!
//! The kubelet runs postStart right after `Started` and does not report the
//! container Running until it returns; a failure records `FailedPostStartHook`
//! ("PostStartHook failed": the message stays out of events so secrets do not
//! leak), kills the container with the message `FailedPostStartHook` and
//! reports `PostStartHookError` with the runner's message. preStop runs inside
//! the grace period before SIGTERM; a failure records `FailedPreStopHook`
//! ("PreStopHook failed") and the stop goes on
//! (`pkg/kubelet/kuberuntime/kuberuntime_container.go` `startContainer`,
//! `executePreStopHook`, `killContainer`).

use super::behaviours::Behaviour;
use super::probes;
use k8s_openapi::api::core::v1::{Container, LifecycleHandler, Probe};
use std::time::Duration;

/// What running a handler did: how long it took and, on failure, the
/// runner's message.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub took: Duration,
    pub result: Result<(), String>,
}

/// Go's `%q` of a string.
fn go_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Runs `handler` in `container` (whose process started `elapsed` ago);
/// `pod` is `format.Pod` (`name_namespace(uid)`).
pub fn run(
    handler: &LifecycleHandler,
    container: &Container,
    b: &Behaviour,
    elapsed: Duration,
    pod_ip: &str,
    pod: &str,
) -> Outcome {
    if let Some(s) = &handler.sleep {
        return Outcome {
            took: Duration::from_secs(s.seconds.max(0) as u64),
            result: Ok(()),
        };
    }
    if let Some(e) = &handler.exec {
        let cmd = e.command.clone().unwrap_or_default();
        let (took, code, output) = exec(&cmd, b, elapsed);
        let result = if code == 0 {
            Ok(())
        } else {
            Err(format!(
                "Exec lifecycle hook ([{}]) for Container {} in Pod {} failed - error: command '{}' exited with {code}: {output}, message: {}",
                cmd.join(" "),
                go_quote(&container.name),
                go_quote(pod),
                cmd.join(" "),
                go_quote(&output)
            ))
        };
        return Outcome { took, result };
    }
    if let Some(h) = &handler.http_get {
        // The handler runner's client has no short timeout: only a refused
        // connection or a bad status fails it.
        let probe = Probe {
            http_get: Some(h.clone()),
            timeout_seconds: Some(3600),
            ..Default::default()
        };
        // A hook's request is not timed out by the prober, so the
        // server's backlog only delays it.
        let no_backlog = |_: u16| Duration::ZERO;
        let result = probes::run(&probe, container, b, elapsed, pod_ip, &no_backlog).map_err(|e| {
            format!(
                "HTTP lifecycle hook ({}) for Container {} in Pod {} failed - error: {e}",
                h.path.clone().unwrap_or_default(),
                go_quote(&container.name),
                go_quote(pod)
            )
        });
        return Outcome {
            took: Duration::ZERO,
            result,
        };
    }
    Outcome {
        took: Duration::ZERO,
        result: Ok(()),
    }
}

/// An exec handler: (time taken, exit code, output). Understands `sleep N`,
/// `exit N`, `false` and the probes' file checks, in a command or an
/// `sh -c` script.
fn exec(cmd: &[String], b: &Behaviour, elapsed: Duration) -> (Duration, i32, String) {
    let script = match cmd {
        [sh, c, script] if sh.ends_with("sh") && c == "-c" => script.clone(),
        _ => cmd.join(" "),
    };
    let mut took = Duration::ZERO;
    for part in script.split([';', '\n']).flat_map(|p| p.split("&&")) {
        let words: Vec<&str> = part.split_whitespace().collect();
        match words.as_slice() {
            ["sleep", n, ..] => {
                took += Duration::from_secs_f64(n.parse::<f64>().unwrap_or(0.0).max(0.0));
            }
            ["exit", n, ..] => return (took, n.parse().unwrap_or(1), String::new()),
            ["false", ..] => return (took, 1, String::new()),
            [first, ..] if matches!(*first, "cat" | "ls" | "test" | "[") => {
                let owned: Vec<String> = words.iter().map(|w| w.to_string()).collect();
                if let Err(out) = probes::exec_check(&owned, b, elapsed + took) {
                    let out = if out.is_empty() {
                        out
                    } else {
                        format!("{out}\n")
                    };
                    return (took, 1, out);
                }
            }
            _ => {}
        }
    }
    (took, 0, String::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{ExecAction, HTTPGetAction, SleepAction};
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

    fn shell() -> Behaviour {
        super::super::behaviours::choose(
            "shell",
            "busybox",
            &["sleep".into(), "3600".into()],
            &Default::default(),
        )
    }

    fn exec_handler(cmd: &[&str]) -> LifecycleHandler {
        LifecycleHandler {
            exec: Some(ExecAction {
                command: Some(cmd.iter().map(|s| s.to_string()).collect()),
            }),
            ..Default::default()
        }
    }

    /// `handlers.go` Run: the exec failure message.
    #[test]
    fn exec_failure_reads_like_the_handler_runner() {
        let c = Container {
            name: "c".into(),
            ..Default::default()
        };
        let o = run(
            &exec_handler(&["sh", "-c", "sleep 2; exit 3"]),
            &c,
            &shell(),
            Duration::ZERO,
            "10.244.1.2",
            "p_default(u)",
        );
        assert_eq!(o.took, Duration::from_secs(2));
        assert_eq!(
            o.result,
            Err("Exec lifecycle hook ([sh -c sleep 2; exit 3]) for Container \"c\" in Pod \"p_default(u)\" failed - error: command 'sh -c sleep 2; exit 3' exited with 3: , message: \"\"".into())
        );
        let ok = run(
            &exec_handler(&["sh", "-c", "echo hi > /tmp/x"]),
            &c,
            &shell(),
            Duration::ZERO,
            "",
            "p",
        );
        assert_eq!(ok.result, Ok(()));
        let s = LifecycleHandler {
            sleep: Some(SleepAction { seconds: 5 }),
            ..Default::default()
        };
        assert_eq!(
            run(&s, &c, &shell(), Duration::ZERO, "", "p").took,
            Duration::from_secs(5)
        );
    }

    /// An httpGet postStart against a port nothing listens on.
    #[test]
    fn http_hook_to_a_closed_port_fails() {
        let c = Container {
            name: "web".into(),
            ..Default::default()
        };
        let h = LifecycleHandler {
            http_get: Some(HTTPGetAction {
                path: Some("/ready".into()),
                port: IntOrString::Int(8080),
                ..Default::default()
            }),
            ..Default::default()
        };
        let o = run(
            &h,
            &c,
            &shell(),
            Duration::ZERO,
            "10.244.1.2",
            "p_default(u)",
        );
        assert_eq!(
            o.result,
            Err("HTTP lifecycle hook (/ready) for Container \"web\" in Pod \"p_default(u)\" failed - error: Get \"http://10.244.1.2:8080/ready\": dial tcp 10.244.1.2:8080: connect: connection refused".into())
        );
    }
}
