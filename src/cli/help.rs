//! `help`: what the shell understands, generated from the command tables
//! (kubectl's verbs and flags, `sim`'s subcommands, the builtins).

use super::output::Output;
use super::shell::builtins::BUILTINS;

/// The network tools, answered by the network (from node1, or from a pod
/// with `kubectl exec`).
pub const NETWORK_TOOLS: &[&str] = &[
    "curl", "dig", "host", "httping", "nc", "nslookup", "ping", "wget",
];

pub fn overview() -> String {
    let mut s = String::from(
        "kubesim: a simulated Kubernetes v1.33 cluster. Lines are typed as in a shell on node1:\n\n",
    );
    s.push_str("  kubectl ... (or k ...)   kubectl's commands; 'kubectl help' lists them, 'kubectl VERB --help' explains one\n");
    s.push_str("  sim ...                  the simulation itself; 'sim help' lists its commands\n");
    s.push_str(&format!("  {}\n", NETWORK_TOOLS.join(", ")));
    s.push_str("                           network tools, run from node1\n");
    s.push_str("  exit                     leave (or Ctrl-D)\n\n");
    s.push_str(
        "Shell: variables (X=1, $X, ${X:-d}, export), $(...), $((...)), |, &&, ||, ;, #, quotes,\n",
    );
    s.push_str("> >> < 2>&1, here-documents (<<EOF), for/while/until/if, { } and ( ).\n\n");
    s.push_str("Builtins:\n");
    let w = BUILTINS.iter().map(|(n, _)| n.len()).max().unwrap_or(0) + 3;
    for (n, h) in BUILTINS {
        s.push_str(&format!("  {n:<w$}{h}\n"));
    }
    s.push_str("\nType 'help COMMAND' for one command (help kubectl, help sim, help grep).\n");
    s
}

/// `help [kubectl [VERB...] | sim | BUILTIN]`.
pub fn help(args: &[String]) -> Output {
    match args.first().map(String::as_str) {
        None => Output::ok(overview()),
        Some("kubectl") | Some("k") => {
            let path: Vec<&str> = args[1..].iter().map(String::as_str).collect();
            if path.is_empty() {
                return Output::ok(super::kubectl::kubectl_help());
            }
            match super::kubectl::find_command(&path) {
                Some(c) => Output::ok(super::kubectl::command_help(c, &path.join(" "))),
                None => Output::err(format!("Unknown help topic [`{}`]", path.join(" "))),
            }
        }
        Some("sim") => Output::ok(super::sim_cmd::help_text()),
        Some(name) => {
            if let Some((_, h)) = BUILTINS.iter().find(|(n, _)| *n == name) {
                return Output::ok(format!("{name}: {h}\n"));
            }
            if NETWORK_TOOLS.contains(&name) {
                return Output::ok(format!("{name}: runs from node1 through the simulated network (in a pod: kubectl exec POD -- {name} ...)\n"));
            }
            if let Some(c) = super::kubectl::find_command(&[name]) {
                return Output::ok(super::kubectl::command_help(c, name));
            }
            Output::err(format!("help: no help topics match `{name}'."))
        }
    }
}
