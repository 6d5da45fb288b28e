//! Every command and every flag of the command table: each flag is
//! accepted by its command (never `unknown flag`), appears in the command's
//! `--help`, and `help` exists for every command, shell builtin and `sim`.

mod repl_common;

use kubesim::cli::kubectl::{Command, COMMANDS, GLOBAL_FLAGS};
use repl_common::{ok, run, session};

fn walk(cmds: &'static [Command], prefix: &str, out: &mut Vec<(String, &'static Command)>) {
    for c in cmds {
        let path = if prefix.is_empty() {
            c.name.to_string()
        } else {
            format!("{prefix} {}", c.name)
        };
        out.push((path.clone(), c));
        walk(c.subs, &path, out);
    }
}

fn all_commands() -> Vec<(String, &'static Command)> {
    let mut v = Vec::new();
    walk(COMMANDS, "", &mut v);
    v
}

#[test]
fn every_flag_is_accepted_by_its_command() {
    let mut s = session();
    let mut checked = 0;
    for (path, cmd) in all_commands() {
        if cmd.run.is_none() {
            continue;
        }
        for f in cmd.flags.iter().chain(GLOBAL_FLAGS) {
            let long = if f.value {
                format!("--{}=x", f.long)
            } else {
                format!("--{}", f.long)
            };
            for form in [
                Some(long),
                f.short.map(|c| {
                    if f.value {
                        format!("-{c} x")
                    } else {
                        format!("-{c}")
                    }
                }),
            ]
            .into_iter()
            .flatten()
            {
                let line = format!("kubectl {path} {form}");
                let o = run(&mut s, &line);
                assert!(
                    !o.stderr.contains("unknown flag") && !o.stderr.contains("unknown shorthand"),
                    "{line}: {o:?}"
                );
                assert!(
                    !o.stderr.contains("flag needs an argument"),
                    "{line}: {o:?}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 500, "only {checked} flag forms checked");
}

#[test]
fn help_of_every_command_lists_its_flags() {
    let mut s = session();
    for (path, cmd) in all_commands() {
        let h = ok(&mut s, &format!("kubectl {path} --help"));
        assert!(
            h.starts_with(cmd.short.trim_end_matches('.')),
            "{path}: {h}"
        );
        assert!(
            h.contains(&format!("Usage:\n  {}", cmd.usage)),
            "{path}: {h}"
        );
        for f in cmd.flags {
            assert!(
                h.contains(&format!("--{}={}:", f.long, f.default)),
                "{path} --help lacks --{}",
                f.long
            );
        }
        for sub in cmd.subs {
            assert!(
                h.contains(&format!("  {}", sub.name)),
                "{path} --help lacks {}",
                sub.name
            );
        }
        // `kubectl help PATH`, `help kubectl PATH` and `-h` say the same.
        assert_eq!(ok(&mut s, &format!("kubectl help {path}")), h);
        assert_eq!(ok(&mut s, &format!("help kubectl {path}")), h);
        assert_eq!(ok(&mut s, &format!("kubectl {path} -h")), h);
    }
    let top = ok(&mut s, "kubectl help");
    for c in COMMANDS {
        assert!(
            top.contains(&format!("  {}", c.name)),
            "kubectl help lacks {}",
            c.name
        );
    }
    assert_eq!(ok(&mut s, "kubectl"), top);
    assert!(ok(&mut s, "kubectl options").contains("--namespace=''"));
}

#[test]
fn help_for_the_shell_and_sim() {
    let mut s = session();
    let h = ok(&mut s, "help");
    for (name, _) in kubesim::cli::shell::builtins::BUILTINS {
        assert!(h.contains(&format!("  {name} ")), "help lacks {name}");
        assert!(ok(&mut s, &format!("help {name}")).starts_with(&format!("{name}: ")));
    }
    for (name, _) in kubesim::cli::sim_cmd::SUBCOMMANDS {
        assert!(
            ok(&mut s, "help sim").contains(&format!("sim {name}")),
            "help sim lacks {name}"
        );
    }
    assert_eq!(ok(&mut s, "help sim"), ok(&mut s, "sim help"));
    assert!(ok(&mut s, "help curl").starts_with("curl: runs from node1"));
    assert!(ok(&mut s, "help get").starts_with("Display one or many resources."));
    assert_eq!(
        run(&mut s, "help nothing").stderr,
        "help: no help topics match `nothing'.\n"
    );
}

#[test]
fn kubectl_global_flags_before_the_verb() {
    let mut s = session();
    // workshop.md 2.1: `kubectl -n kube-public get pods`.
    assert_eq!(
        run(&mut s, "kubectl -n kube-public get pods").stderr,
        "No resources found in kube-public namespace.\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl --namespace=kube-system get ds -o name | head -1"
        ),
        "daemonset.apps/cilium\n"
    );
    assert_eq!(
        ok(&mut s, "k get ns default -o name"),
        "namespace/default\n"
    );
    // Real kubectl verbs kubesim does not simulate say so.
    assert_eq!(run(&mut s, "kubectl port-forward svc/redis 10000:6379").stderr, "error: kubesim does not simulate \"kubectl port-forward\"; type 'kubectl help' for the commands it knows\n");
}
