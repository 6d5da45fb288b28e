//! `kubectl` in the REPL: one file per verb, each a function from parsed
//! arguments and the world to an [`Output`], with kubectl's flags, words
//! and exit codes.

mod apply;
mod delete;
mod get;
mod logs;
mod resources;
mod run;

use super::flags::{self, Args, FlagSpec};
use super::output::Output;
use super::session::SessionState;
use crate::sim::World;

pub use resources::{resolve_kind, ResourceArg};

/// Everything a verb gets.
pub struct Ctx<'a> {
    pub world: &'a mut World,
    pub state: &'a mut SessionState,
    pub args: Args,
    pub stdin: Option<&'a str>,
}

impl Ctx<'_> {
    /// `-n` or the context's namespace.
    pub fn namespace(&self) -> String {
        self.args
            .get("namespace")
            .map(str::to_string)
            .unwrap_or_else(|| self.state.namespace.clone())
    }
    pub fn all_namespaces(&self) -> bool {
        self.args.bool("all-namespaces")
    }
    /// The wall-clock instant of the current virtual time.
    pub fn now(&self) -> jiff::Timestamp {
        self.world.store.timestamp().0
    }
}

type Verb = fn(&mut Ctx) -> Output;

/// A kubectl command: its name, flags and implementation.
pub struct Command {
    pub name: &'static str,
    pub short: &'static str,
    pub flags: &'static [FlagSpec],
    pub run: Verb,
}

/// Flags every command accepts (kubectl's persistent flags).
pub const GLOBAL_FLAGS: &[FlagSpec] = &[
    flags::flag(
        "namespace",
        Some('n'),
        true,
        "If present, the namespace scope for this CLI request",
    ),
    flags::flag(
        "context",
        None,
        true,
        "The name of the kubeconfig context to use",
    ),
    flags::flag(
        "kubeconfig",
        None,
        true,
        "Path to the kubeconfig file to use for CLI requests.",
    ),
    flags::flag(
        "request-timeout",
        None,
        true,
        "The length of time to wait before giving up on a single server request.",
    ),
    flags::flag("v", Some('v'), true, "number for the log level verbosity"),
    flags::flag(
        "as",
        None,
        true,
        "Username to impersonate for the operation.",
    ),
    flags::flag(
        "as-group",
        None,
        true,
        "Group to impersonate for the operation.",
    ),
];

/// Every verb, in the order `kubectl help` lists them.
pub const COMMANDS: &[Command] = &[
    Command { name: "create", short: "Create a resource from a file or from stdin", flags: apply::CREATE_FLAGS, run: apply::create },
    Command { name: "run", short: "Run a particular image on the cluster", flags: run::FLAGS, run: run::run },
    Command { name: "get", short: "Display one or many resources", flags: get::FLAGS, run: get::get },
    Command { name: "delete", short: "Delete resources by file names, stdin, resources and names, or by resources and label selector", flags: delete::FLAGS, run: delete::delete },
    Command { name: "logs", short: "Print the logs for a container in a pod", flags: logs::FLAGS, run: logs::logs },
    Command { name: "apply", short: "Apply a configuration to a resource by file name or stdin", flags: apply::APPLY_FLAGS, run: apply::apply },
];

/// Runs `kubectl ARGS...`.
pub fn run(
    words: &[String],
    world: &mut World,
    state: &mut SessionState,
    stdin: Option<&str>,
) -> Output {
    let Some(verb) = words.first() else {
        return Output::ok("kubectl controls the Kubernetes cluster manager.\n\nType 'kubectl help' for the commands kubesim supports.\n");
    };
    let Some(cmd) = COMMANDS.iter().find(|c| c.name == verb) else {
        return unknown_command(verb);
    };
    let specs: Vec<FlagSpec> = cmd.flags.iter().chain(GLOBAL_FLAGS).copied().collect();
    let args = match flags::parse(&words[1..], &specs) {
        Ok(a) => a,
        Err(e) => {
            return Output::err(format!(
                "error: {e}\nSee 'kubectl {} --help' for usage.",
                cmd.name
            ))
        }
    };
    let mut ctx = Ctx {
        world,
        state,
        args,
        stdin,
    };
    (cmd.run)(&mut ctx)
}

/// cobra's "unknown command" error with its suggestions (edit distance ≤ 2
/// or a prefix match, `SuggestionsMinimumDistance` = 2).
fn unknown_command(verb: &str) -> Output {
    let mut msg = format!("error: unknown command \"{verb}\" for \"kubectl\"");
    let suggestions: Vec<&str> = ALL_KUBECTL_VERBS
        .iter()
        .copied()
        .filter(|c| levenshtein(verb, c) <= 2 || c.starts_with(verb))
        .collect();
    if !suggestions.is_empty() {
        msg.push_str("\n\nDid you mean this?\n");
        for s in suggestions {
            msg.push_str(&format!("\t{s}\n"));
        }
    }
    Output::err(msg)
}

/// The verbs real kubectl has (for suggestions), whether kubesim has them or not.
const ALL_KUBECTL_VERBS: &[&str] = &[
    "annotate",
    "api-resources",
    "api-versions",
    "apply",
    "attach",
    "auth",
    "autoscale",
    "certificate",
    "cluster-info",
    "completion",
    "config",
    "cordon",
    "cp",
    "create",
    "debug",
    "delete",
    "describe",
    "diff",
    "drain",
    "edit",
    "events",
    "exec",
    "explain",
    "expose",
    "get",
    "kustomize",
    "label",
    "logs",
    "options",
    "patch",
    "plugin",
    "port-forward",
    "proxy",
    "replace",
    "rollout",
    "run",
    "scale",
    "set",
    "taint",
    "top",
    "uncordon",
    "version",
    "wait",
];

fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_command_suggests_like_cobra() {
        let o = unknown_command("gte");
        assert_eq!(
            o.stderr,
            "error: unknown command \"gte\" for \"kubectl\"\n\nDid you mean this?\n\tget\n"
        );
        assert_eq!(o.code, 1);
    }
}
