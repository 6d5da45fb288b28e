//! `kubectl` in the REPL: one file per verb, each a function from parsed
//! arguments and the world to an [`Output`], with kubectl's flags, words
//! and exit codes. kubectl is a client: each verb does what kubectl sends
//! to the apiserver, as operations on `ctx.world.store`.
//!
//! The command table below is the only place a verb and its flags are
//! declared: dispatch, `--help`, `kubectl help` and tab completion read it.

mod api_resources;
mod apply;
mod auth;
mod autoscale;
mod cluster_info;
mod config;
mod cordon;
mod create;
mod delete;
mod describe;
mod drain;
mod edit;
mod exec;
mod explain;
mod expose;
mod get;
mod label;
mod logs;
mod patch;
mod replace;
mod resources;
pub mod rollout;
mod run;
mod scale;
mod set;
mod taint;
mod top;
mod version;
mod wait;

use super::flags::{self, Args, FlagSpec};
use super::format::{self, OutputFormat};
use super::hooks::{Hooks, ToolCtx};
use super::output::Output;
use super::session::{Env, SessionState};
use super::term::{Live, Terminal};
use crate::objects::{Kind, Object};
use crate::sim::{SimTime, World};
use std::sync::Arc;

pub use describe::describe_object;
pub use exec::in_container;
pub use explain::explain_text;
pub use get::{json_text, yaml_text};
pub use resources::{resolve_kind, ResourceArg};

/// Everything a verb gets.
pub struct Ctx<'a> {
    pub world: &'a mut World,
    pub state: &'a mut SessionState,
    pub term: &'a mut Terminal,
    pub hooks: &'a Hooks,
    pub args: Args,
    pub stdin: Option<&'a str>,
    pub live: Live,
    /// `get`, `create deployment`, `rollout status`: for messages.
    pub path: String,
    /// The words after `kubectl`, as typed (for `--record`).
    pub words: Vec<String>,
    /// The flags this command accepts (its own and the global ones).
    pub specs: Vec<FlagSpec>,
}

/// `--dry-run`'s value.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum DryRun {
    None,
    Client,
    Server,
}

impl DryRun {
    /// The suffix of success messages: ` (dry run)`, ` (server dry run)`.
    pub fn suffix(self) -> &'static str {
        match self {
            DryRun::None => "",
            DryRun::Client => " (dry run)",
            DryRun::Server => " (server dry run)",
        }
    }
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
    /// Shows what `out` holds so far, if it goes to the terminal.
    pub fn flush(&mut self, out: &mut Output) {
        super::hooks::flush(self.term, self.live, out);
    }
    /// Lets virtual time pass until `t`; false if interrupted.
    pub fn wait_until(&mut self, t: SimTime) -> bool {
        self.term.wait_until(self.world, t)
    }
    /// Where a stream without an end stops: `--request-timeout` if given
    /// (and not 0), else the script bound; `None` (Ctrl-C) in the REPL.
    pub fn stream_deadline(&self) -> Option<SimTime> {
        if let Some(t) = self.args.get("request-timeout") {
            if let Ok(d) = crate::sim::time::parse_duration(t) {
                if !d.is_zero() {
                    return Some(self.world.now() + d);
                }
            }
        }
        if self.term.interactive {
            None
        } else {
            Some(self.world.now() + self.term.stream_limit)
        }
    }
    /// The script bound's note when it, not `--request-timeout`, ended a
    /// stream that started with `deadline` ([`Ctx::stream_deadline`]).
    pub fn cap_note(&self, deadline: Option<SimTime>) -> Option<String> {
        let d = deadline?;
        let timeout_given = self
            .args
            .get("request-timeout")
            .and_then(|t| crate::sim::time::parse_duration(t).ok())
            .is_some_and(|d| !d.is_zero());
        if self.term.interactive || timeout_given || self.world.now() < d {
            return None;
        }
        Some(super::term::stream_cap_note(self.term.stream_limit, true))
    }
    /// A file relative to the session's work directory (`-` = stdin).
    pub fn read_file(&self, f: &str) -> Result<String, String> {
        if f == "-" {
            return Ok(self.stdin.unwrap_or("").to_string());
        }
        std::fs::read_to_string(self.state.workdir.join(f))
            .map_err(|_| format!("open {f}: no such file or directory"))
    }
    /// `--dry-run=none|client|server`.
    pub fn dry_run(&self) -> Result<DryRun, String> {
        match self.args.get("dry-run") {
            None | Some("none") | Some("false") => Ok(DryRun::None),
            Some("client") => Ok(DryRun::Client),
            Some("server") => Ok(DryRun::Server),
            Some(v) => Err(format!(
                "Invalid dry-run value ({v}). Must be \"none\", \"server\", or \"client\"."
            )),
        }
    }
    /// `-o` for commands that print objects (`tables` for `get`).
    pub fn output_format(&self, tables: bool) -> Result<OutputFormat, String> {
        let o = self.args.get("output").unwrap_or("");
        let template = self.args.get("template");
        OutputFormat::parse(o, template, tables, &|f| self.read_file(f))
    }
    /// kubectl's usage error: the message and where to find help.
    pub fn usage_error(&self, msg: impl std::fmt::Display) -> Output {
        Output::err(format!(
            "error: {msg}\nSee 'kubectl {} -h' for help and examples",
            self.path
        ))
    }
    /// A context for a network tool or container command.
    pub fn tool_ctx(&mut self, origin: super::hooks::Origin) -> ToolCtx<'_> {
        let deadline = self.stream_deadline();
        ToolCtx {
            world: self.world,
            term: self.term,
            live: self.live,
            origin,
            deadline,
            network: self.hooks.network,
        }
    }

    /// Prints what a mutating command made: the object in the `-o` format,
    /// or kubectl's name printer line `kind.group/name OPERATION`.
    pub fn print_object(&self, obj: &Object, op: &str, dry: DryRun) -> Output {
        let fmt = match self.output_format(false) {
            Ok(f) => f,
            Err(e) => return Output::error(e),
        };
        print_with(obj, op, dry, &fmt)
    }
}

/// See [`Ctx::print_object`].
pub fn print_with(obj: &Object, op: &str, dry: DryRun, fmt: &OutputFormat) -> Output {
    let name = name_of(obj);
    match fmt {
        OutputFormat::Table { .. } => Output::ok(format!("{name} {op}{}\n", dry.suffix())),
        other => {
            let mut v = obj.to_json();
            format::omit_managed_fields(&mut v, other);
            if dry == DryRun::Client {
                client_object(&mut v);
            }
            match format::render(&[v], &[name], true, other, false) {
                Ok(s) => Output::ok(s),
                Err(e) => Output::error(e),
            }
        }
    }
}

/// What kubectl prints for an object it built itself (client dry run):
/// `creationTimestamp: null`, as Go's zero `metav1.Time` serializes.
/// Every embedded `ObjectMeta` (pod templates, job templates) too.
pub fn client_object(v: &mut serde_json::Value) {
    if let Some(m) = v.get_mut("metadata").and_then(|m| m.as_object_mut()) {
        m.entry("creationTimestamp")
            .or_insert(serde_json::Value::Null);
    }
    for path in [
        &["spec", "template"][..],
        &["spec", "jobTemplate"][..],
        &["spec", "jobTemplate", "spec", "template"][..],
    ] {
        let mut cur = Some(&mut *v);
        for k in path {
            cur = cur.and_then(|c| c.get_mut(*k));
        }
        if let Some(serde_json::Value::Object(parent)) = cur {
            let meta = parent
                .entry("metadata")
                .or_insert_with(|| serde_json::json!({}));
            if let Some(m) = meta.as_object_mut() {
                m.entry("creationTimestamp")
                    .or_insert(serde_json::Value::Null);
            }
        }
    }
}

/// `kind.group/name`, the name printer's prefix.
pub fn name_of(obj: &Object) -> String {
    format!(
        "{}/{}",
        obj.kind().info().kind_prefix(),
        obj.meta().name.as_deref().unwrap_or("")
    )
}

/// An object's JSON with `apiVersion` and `kind` (k8s-openapi always
/// serializes them).
pub fn object_json(o: &Arc<Object>) -> serde_json::Value {
    o.to_json()
}

type Verb = fn(&mut Ctx) -> Output;

/// A kubectl command: its name, help, flags, implementation and
/// subcommands.
pub struct Command {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub short: &'static str,
    pub usage: &'static str,
    pub flags: &'static [FlagSpec],
    pub run: Option<Verb>,
    pub subs: &'static [Command],
    /// The section of `kubectl help` it is listed in.
    pub group: &'static str,
}

impl Command {
    pub const fn new(
        name: &'static str,
        short: &'static str,
        usage: &'static str,
        flags: &'static [FlagSpec],
        run: Verb,
    ) -> Command {
        Command {
            name,
            aliases: &[],
            short,
            usage,
            flags,
            run: Some(run),
            subs: &[],
            group: "",
        }
    }
    /// A command that only groups subcommands (`rollout`, `set`, ...).
    pub const fn parent(
        name: &'static str,
        short: &'static str,
        usage: &'static str,
        subs: &'static [Command],
    ) -> Command {
        Command {
            name,
            aliases: &[],
            short,
            usage,
            flags: &[],
            run: None,
            subs,
            group: "",
        }
    }
    pub const fn aliases(mut self, a: &'static [&'static str]) -> Command {
        self.aliases = a;
        self
    }
    pub const fn subs(mut self, s: &'static [Command]) -> Command {
        self.subs = s;
        self
    }
    pub const fn group(mut self, g: &'static str) -> Command {
        self.group = g;
        self
    }
    fn matches(&self, w: &str) -> bool {
        self.name == w || self.aliases.contains(&w)
    }
}

const GLOBAL_FLAG_LIST: &[FlagSpec] = &[
    flags::flag("namespace", Some('n'), true, "If present, the namespace scope for this CLI request"),
    flags::flag("context", None, true, "The name of the kubeconfig context to use"),
    flags::flag("cluster", None, true, "The name of the kubeconfig cluster to use"),
    flags::flag("user", None, true, "The name of the kubeconfig user to use"),
    flags::flag("kubeconfig", None, true, "Path to the kubeconfig file to use for CLI requests."),
    flags::flag("server", Some('s'), true, "The address and port of the Kubernetes API server"),
    flags::flag("token", None, true, "Bearer token for authentication to the API server"),
    flags::flag("insecure-skip-tls-verify", None, false, "If true, the server's certificate will not be checked for validity. This will make your HTTPS connections insecure"),
    flags::flag("request-timeout", None, true, "The length of time to wait before giving up on a single server request. Non-zero values should contain a corresponding time unit (e.g. 1s, 2m, 3h). A value of zero means don't timeout requests.").default("'0'"),
    flags::flag("v", Some('v'), true, "number for the log level verbosity").default("0"),
    flags::flag("as", None, true, "Username to impersonate for the operation. User could be a regular user or a service account in a namespace."),
    flags::flag("as-group", None, true, "Group to impersonate for the operation, this flag can be repeated to specify multiple groups.").default("[]"),
    flags::flag("warnings-as-errors", None, false, "Treat warnings received from the server as errors and exit with a non-zero exit code"),
    flags::flag("match-server-version", None, false, "Require server version to match client version"),
];

/// Flags every command accepts (kubectl's persistent flags).
pub const GLOBAL_FLAGS: &[FlagSpec] = GLOBAL_FLAG_LIST;

const G_BEGINNER: &str = "Basic Commands (Beginner):";
const G_INTERMEDIATE: &str = "Basic Commands (Intermediate):";
const G_DEPLOY: &str = "Deploy Commands:";
const G_CLUSTER: &str = "Cluster Management Commands:";
const G_DEBUG: &str = "Troubleshooting and Debugging Commands:";
const G_ADVANCED: &str = "Advanced Commands:";
const G_SETTINGS: &str = "Settings Commands:";
const G_OTHER: &str = "Other Commands:";

/// Every verb, in the order `kubectl help` lists them.
pub const COMMANDS: &[Command] = &[
    Command::new("create", "Create a resource from a file or from stdin", "kubectl create -f FILENAME [options]", apply::CREATE_FLAGS, apply::create).subs(create::SUBCOMMANDS).group(G_BEGINNER),
    Command::new("expose", "Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service", "kubectl expose (-f FILENAME | TYPE NAME) [--port=port] [--protocol=TCP|UDP|SCTP] [--target-port=number-or-name] [--name=name] [--external-ip=external-ip-of-service] [--type=type] [options]", expose::FLAGS, expose::expose).group(G_BEGINNER),
    Command::new("run", "Run a particular image on the cluster", "kubectl run NAME --image=image [--env=\"key=value\"] [--port=port] [--dry-run=server|client] [--overrides=inline-json] [--command] -- [COMMAND] [args...] [options]", run::FLAGS, run::run).group(G_BEGINNER),
    Command::parent("set", "Set specific features on objects", "kubectl set SUBCOMMAND [options]", set::SUBCOMMANDS).group(G_BEGINNER),
    Command::new("explain", "Get documentation for a resource", "kubectl explain TYPE [--recursive=FALSE|TRUE] [--api-version=api-version-group] [--output=plaintext|plaintext-openapiv2] [options]", explain::FLAGS, explain::explain).group(G_INTERMEDIATE),
    Command::new("get", "Display one or many resources", "kubectl get [(-o|--output=)json|yaml|name|go-template|go-template-file|template|templatefile|jsonpath|jsonpath-as-json|jsonpath-file|custom-columns|custom-columns-file|wide] (TYPE[.VERSION][.GROUP] [NAME | -l label] | TYPE[.VERSION][.GROUP]/NAME ...) [flags] [options]", get::FLAGS, get::get).group(G_INTERMEDIATE),
    Command::new("edit", "Edit a resource on the server", "kubectl edit (RESOURCE/NAME | -f FILENAME) [options]", edit::FLAGS, edit::edit).group(G_INTERMEDIATE),
    Command::new("delete", "Delete resources by file names, stdin, resources and names, or by resources and label selector", "kubectl delete ([-f FILENAME] | [-k DIRECTORY] | TYPE [(NAME | -l label | --all)]) [options]", delete::FLAGS, delete::delete).group(G_INTERMEDIATE),
    Command::parent("rollout", "Manage the rollout of a resource", "kubectl rollout SUBCOMMAND [options]", rollout::SUBCOMMANDS).group(G_DEPLOY),
    Command::new("scale", "Set a new size for a deployment, replica set, or replication controller", "kubectl scale [--resource-version=version] [--current-replicas=count] --replicas=COUNT (-f FILENAME | TYPE NAME) [options]", scale::FLAGS, scale::scale).group(G_DEPLOY),
    Command::new("autoscale", "Auto-scale a deployment, replica set, stateful set, or replication controller", "kubectl autoscale (-f FILENAME | TYPE NAME | TYPE/NAME) [--min=MINPODS] --max=MAXPODS [--cpu-percent=CPU] [options]", autoscale::FLAGS, autoscale::autoscale).group(G_DEPLOY),
    Command::new("cluster-info", "Display cluster information", "kubectl cluster-info [flags] [options]", cluster_info::FLAGS, cluster_info::cluster_info).group(G_CLUSTER),
    Command::parent("top", "Display resource (CPU/memory) usage", "kubectl top [flags] [options]", top::SUBCOMMANDS).group(G_CLUSTER),
    Command::new("cordon", "Mark node as unschedulable", "kubectl cordon NODE [options]", cordon::FLAGS, cordon::cordon).group(G_CLUSTER),
    Command::new("uncordon", "Mark node as schedulable", "kubectl uncordon NODE [options]", cordon::FLAGS, cordon::uncordon).group(G_CLUSTER),
    Command::new("drain", "Drain node in preparation for maintenance", "kubectl drain NODE [options]", drain::FLAGS, drain::drain).group(G_CLUSTER),
    Command::new("taint", "Update the taints on one or more nodes", "kubectl taint NODE NAME KEY_1=VAL_1:TAINT_EFFECT_1 ... KEY_N=VAL_N:TAINT_EFFECT_N [options]", taint::FLAGS, taint::taint).group(G_CLUSTER),
    Command::new("describe", "Show details of a specific resource or group of resources", "kubectl describe (-f FILENAME | TYPE [NAME_PREFIX | -l label] | TYPE/NAME) [options]", describe::FLAGS, describe::describe).group(G_DEBUG),
    Command::new("logs", "Print the logs for a container in a pod", "kubectl logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER] [options]", logs::FLAGS, logs::logs).group(G_DEBUG),
    Command::new("exec", "Execute a command in a container", "kubectl exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...] [options]", exec::FLAGS, exec::exec).group(G_DEBUG),
    Command::parent("auth", "Inspect authorization", "kubectl auth [flags] [options]", auth::SUBCOMMANDS).group(G_DEBUG),
    Command::new("apply", "Apply a configuration to a resource by file name or stdin", "kubectl apply (-f FILENAME | -k DIRECTORY) [options]", apply::APPLY_FLAGS, apply::apply).group(G_ADVANCED),
    Command::new("patch", "Update fields of a resource", "kubectl patch (-f FILENAME | TYPE NAME) [-p PATCH|--patch-file FILE] [options]", patch::FLAGS, patch::patch).group(G_ADVANCED),
    Command::new("replace", "Replace a resource by file name or stdin", "kubectl replace -f FILENAME [options]", replace::FLAGS, replace::replace).group(G_ADVANCED),
    Command::new("wait", "Experimental: Wait for a specific condition on one or many resources", "kubectl wait ([-f FILENAME] | resource.group/resource.name | resource.group [(-l label | --all)]) [--for=create|--for=delete|--for condition=available|--for=jsonpath='{}'[=value]] [options]", wait::FLAGS, wait::wait).group(G_ADVANCED),
    Command::new("label", "Update the labels on a resource", "kubectl label [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [--resource-version=version] [options]", label::LABEL_FLAGS, label::label).group(G_SETTINGS),
    Command::new("annotate", "Update the annotations on a resource", "kubectl annotate [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [--resource-version=version] [options]", label::ANNOTATE_FLAGS, label::annotate).group(G_SETTINGS),
    Command::new("api-resources", "Print the supported API resources on the server", "kubectl api-resources [flags] [options]", api_resources::RESOURCES_FLAGS, api_resources::api_resources).group(G_OTHER),
    Command::new("api-versions", "Print the supported API versions on the server, in the form of \"group/version\"", "kubectl api-versions [flags] [options]", api_resources::VERSIONS_FLAGS, api_resources::api_versions).group(G_OTHER),
    Command::parent("config", "Modify kubeconfig files", "kubectl config SUBCOMMAND [options]", config::SUBCOMMANDS).group(G_OTHER),
    Command::new("version", "Print the client and server version information", "kubectl version [flags] [options]", version::FLAGS, version::version).group(G_OTHER),
];

/// Runs `kubectl ARGS...`.
pub fn run(words: &[String], env: &mut Env) -> Output {
    let Some((vi, verb)) = flags::first_positional(words, GLOBAL_FLAGS) else {
        return Output::ok(kubectl_help());
    };
    if verb == "help" {
        let rest: Vec<String> = words[vi + 1..].to_vec();
        return help_for(&rest);
    }
    let Some(top) = COMMANDS.iter().find(|c| c.matches(verb)) else {
        return unknown_command(verb);
    };
    let mut rest: Vec<String> = words[..vi]
        .iter()
        .chain(&words[vi + 1..])
        .cloned()
        .collect();
    let mut cmd = top;
    let mut path = vec![top.name];
    while !cmd.subs.is_empty() {
        let specs: Vec<FlagSpec> = cmd.flags.iter().chain(GLOBAL_FLAGS).copied().collect();
        match flags::first_positional(&rest, &specs) {
            Some((i, w)) => match cmd.subs.iter().find(|s| s.matches(w)) {
                Some(sub) => {
                    rest.remove(i);
                    cmd = sub;
                    path.push(sub.name);
                }
                None if cmd.run.is_none() => {
                    return Output::err(format!(
                        "error: unknown command \"{w}\" for \"kubectl {}\"{}",
                        path.join(" "),
                        suggest(w, cmd.subs.iter().map(|c| c.name))
                    ));
                }
                None => break,
            },
            None => break,
        }
    }
    let path = path.join(" ");
    let before_dash = rest.iter().take_while(|w| *w != "--");
    if before_dash.clone().any(|w| w == "--help" || w == "-h") || cmd.run.is_none() {
        return Output::ok(command_help(cmd, &path));
    }
    let specs: Vec<FlagSpec> = cmd.flags.iter().chain(GLOBAL_FLAGS).copied().collect();
    let args = match flags::parse(&rest, &specs) {
        Ok(a) => a,
        Err(e) => {
            return Output::err(format!(
                "error: {e}\nSee 'kubectl {path} --help' for usage."
            ))
        }
    };
    let mut ctx = Ctx {
        world: &mut *env.world,
        state: &mut *env.state,
        term: &mut *env.term,
        hooks: env.hooks,
        args,
        stdin: env.stdin,
        live: env.live,
        path,
        words: words.to_vec(),
        specs,
    };
    let run = cmd.run.expect("checked above");
    run(&mut ctx)
}

/// `kubectl` and `kubectl help`: the commands by group.
pub fn kubectl_help() -> String {
    let mut s = String::from("kubectl controls the Kubernetes cluster manager.\n\n Find more information at: https://kubernetes.io/docs/reference/kubectl/\n");
    let mut group = "";
    let width = COMMANDS.iter().map(|c| c.name.len()).max().unwrap_or(0) + 3;
    for c in COMMANDS {
        if c.group != group {
            group = c.group;
            s.push_str(&format!("\n{group}\n"));
        }
        s.push_str(&format!("  {:<width$}{}\n", c.name, c.short));
    }
    s.push_str("\nUsage:\n  kubectl [flags] [options]\n\nUse \"kubectl <command> --help\" for more information about a given command.\n");
    s
}

/// `kubectl help VERB [SUB]`.
fn help_for(words: &[String]) -> Output {
    let Some(first) = words.first() else {
        return Output::ok(kubectl_help());
    };
    let Some(mut cmd) = COMMANDS.iter().find(|c| c.matches(first)) else {
        return Output::err(format!(
            "Unknown help topic [`{first}`]\n{}",
            kubectl_help()
        ));
    };
    let mut path = vec![cmd.name];
    for w in &words[1..] {
        match cmd.subs.iter().find(|s| s.matches(w)) {
            Some(s) => {
                cmd = s;
                path.push(s.name);
            }
            None => break,
        }
    }
    Output::ok(command_help(cmd, &path.join(" ")))
}

/// A command's `--help`, generated from its table entry.
pub fn command_help(cmd: &Command, path: &str) -> String {
    let mut s = format!("{}.\n", cmd.short.trim_end_matches('.'));
    if !cmd.aliases.is_empty() {
        s.push_str(&format!(
            "\nAliases:\n{}, {}\n",
            cmd.name,
            cmd.aliases.join(", ")
        ));
    }
    if !cmd.subs.is_empty() {
        s.push_str("\nAvailable Commands:\n");
        let width = cmd.subs.iter().map(|c| c.name.len()).max().unwrap_or(0) + 3;
        for sub in cmd.subs {
            s.push_str(&format!("  {:<width$}{}\n", sub.name, sub.short));
        }
    }
    if cmd.flags.is_empty() {
        s.push('\n');
    } else {
        s.push_str("\nOptions:\n");
        s.push_str(&flags::options_help(cmd.flags));
    }
    s.push_str(&format!("Usage:\n  {}\n\n", cmd.usage));
    if !cmd.subs.is_empty() {
        s.push_str(&format!(
            "Use \"kubectl {path} <command> --help\" for more information about a given command.\n"
        ));
    }
    s.push_str("Use \"kubectl options\" for a list of global command-line options (applies to all commands).\n");
    s
}

/// cobra's "unknown command" error with its suggestions (edit distance ≤ 2
/// or a prefix match, `SuggestionsMinimumDistance` = 2).
fn unknown_command(verb: &str) -> Output {
    if verb == "options" {
        return Output::ok(format!(
            "The following options can be passed to any command:\n\n{}",
            flags::options_help(GLOBAL_FLAGS)
        ));
    }
    if ALL_KUBECTL_VERBS.contains(&verb) {
        return Output::err(format!(
            "error: kubesim does not simulate \"kubectl {verb}\"; type 'kubectl help' for the commands it knows"
        ));
    }
    Output::err(format!(
        "error: unknown command \"{verb}\" for \"kubectl\"{}",
        suggest(verb, ALL_KUBECTL_VERBS.iter().copied())
    ))
}

fn suggest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    let suggestions: Vec<&str> = candidates
        .filter(|c| levenshtein(word, c) <= 2 || c.starts_with(word))
        .collect();
    if suggestions.is_empty() {
        return String::new();
    }
    let mut msg = String::from("\n\nDid you mean this?\n");
    for s in suggestions {
        msg.push_str(&format!("\t{s}\n"));
    }
    msg
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

/// Looks a command up by its path (`["rollout", "status"]`), for help and
/// completion.
pub fn find_command(path: &[&str]) -> Option<&'static Command> {
    let first = path.first()?;
    let mut cmd = COMMANDS.iter().find(|c| c.matches(first))?;
    for w in &path[1..] {
        cmd = cmd.subs.iter().find(|s| s.matches(w))?;
    }
    Some(cmd)
}

impl Ctx<'_> {
    /// The command line `--record` stores in `kubernetes.io/change-cause`,
    /// as kubectl's `Factory.Command` builds it: `kubectl`, the positional
    /// words, then each flag as ` --name=value`.
    pub fn change_cause(&self) -> String {
        let mut args = String::new();
        let mut flags_text = String::new();
        let mut i = 0;
        let w = &self.words;
        while i < w.len() {
            let a = &w[i];
            if a == "--" {
                for x in &w[i + 1..] {
                    args.push(' ');
                    args.push_str(x);
                }
                break;
            }
            if let Some(body) = a.strip_prefix("--") {
                let (name, inline) = match body.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_string())),
                    None => (body, None),
                };
                let spec = self.specs.iter().find(|s| s.long == name);
                let value = match (inline, spec) {
                    (Some(v), _) => v,
                    (None, Some(s)) if s.value && s.noopt.is_none() => {
                        i += 1;
                        w.get(i).cloned().unwrap_or_default()
                    }
                    (None, Some(s)) => s.noopt.unwrap_or("true").to_string(),
                    (None, None) => "true".into(),
                };
                flags_text.push_str(&format!(" --{name}={value}"));
            } else if a.len() > 1 && a.starts_with('-') {
                let chars: Vec<char> = a[1..].chars().collect();
                let mut j = 0;
                while j < chars.len() {
                    let Some(s) = self.specs.iter().find(|s| s.short == Some(chars[j])) else {
                        j += 1;
                        continue;
                    };
                    if s.value {
                        let rest: String = chars[j + 1..].iter().collect();
                        let v = if rest.is_empty() {
                            i += 1;
                            w.get(i).cloned().unwrap_or_default()
                        } else {
                            rest.trim_start_matches('=').to_string()
                        };
                        flags_text.push_str(&format!(" --{}={v}", s.long));
                        break;
                    }
                    flags_text.push_str(&format!(" --{}=true", s.long));
                    j += 1;
                }
            } else {
                args.push(' ');
                args.push_str(a);
            }
            i += 1;
        }
        format!("kubectl{args}{flags_text}")
    }

    /// `--record`: cobra's deprecation warning, and the annotation patch.
    pub fn record(&mut self, kind: Kind, ns: &str, name: &str, out: &mut Output) {
        if !self.args.has("record") {
            return;
        }
        out.push_err("Flag --record has been deprecated, --record will be removed in the future");
        if !self.args.bool("record") {
            return;
        }
        let cause = self.change_cause();
        let _ = self.world.store.patch(
            kind,
            ns,
            name,
            &crate::sim::store::Patch::Merge(serde_json::json!({"metadata": {"annotations": {"kubernetes.io/change-cause": cause}}})),
            &crate::sim::store::WriteOptions::default(),
            false,
        );
    }
}

/// Objects named by `TYPE NAME...`, `TYPE/NAME...` or `-f FILE` for verbs
/// that act on existing objects (label, annotate, patch, scale, ...).
pub fn targets(ctx: &Ctx, positional: &[String]) -> Result<Vec<(Kind, String, String)>, String> {
    let ns = ctx.namespace();
    if let Some(f) = ctx.args.get("filename") {
        let objs = apply::read_manifests(ctx, f)?;
        return Ok(objs
            .into_iter()
            .map(|o| {
                let m = o.meta();
                (
                    o.kind(),
                    m.namespace.clone().unwrap_or_else(|| ns.clone()),
                    m.name.clone().unwrap_or_default(),
                )
            })
            .collect());
    }
    match resources::parse(positional)? {
        ResourceArg::Named(pairs) => {
            Ok(pairs.into_iter().map(|(k, n)| (k, ns.clone(), n)).collect())
        }
        ResourceArg::Kinds(kinds, names) => Ok(kinds
            .iter()
            .flat_map(|k| names.iter().map(|n| (*k, ns.clone(), n.clone())))
            .collect()),
    }
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

    #[test]
    fn every_flag_is_declared_once_per_command() {
        fn check(c: &Command, path: &str) {
            let mut seen = std::collections::BTreeSet::new();
            for f in c.flags.iter().chain(GLOBAL_FLAGS) {
                assert!(seen.insert(f.long), "{path}: --{} declared twice", f.long);
            }
            let mut shorts = std::collections::BTreeSet::new();
            for f in c.flags.iter().chain(GLOBAL_FLAGS) {
                if let Some(s) = f.short {
                    assert!(shorts.insert(s), "{path}: -{s} declared twice");
                }
            }
            for s in c.subs {
                check(s, &format!("{path} {}", s.name));
            }
        }
        for c in COMMANDS {
            check(c, c.name);
        }
    }
}
