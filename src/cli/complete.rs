//! Tab completion as a pure function of the line, the cursor, the world
//! and the session: commands, kubectl verbs and subcommands, kinds, flags
//! (from the same tables as parsing and `--help`), flag values
//! (namespaces, output formats), and object names with a short
//! description (a pod's phase and node, a node's status).

use super::kubectl::{Command, COMMANDS, GLOBAL_FLAGS};
use super::session::SessionState;
use crate::cli::flags::FlagSpec;
use crate::objects::{Kind, Object};
use crate::sim::World;

/// One completion: what replaces the word, and what is shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub replacement: String,
    pub description: String,
}

impl Candidate {
    fn new(r: impl Into<String>, d: impl Into<String>) -> Candidate {
        Candidate {
            replacement: r.into(),
            description: d.into(),
        }
    }
    /// The text shown in a list: the word, then its description.
    pub fn display(&self) -> String {
        if self.description.is_empty() {
            self.replacement.clone()
        } else {
            format!("{:<32} {}", self.replacement, self.description)
        }
    }
}

/// Words of the current command segment, and where the word under the
/// cursor starts.
fn segment_words(line: &str) -> (Vec<String>, usize, String) {
    // The segment starts after the last unquoted |, ;, &, ( or $(.
    let mut start = 0;
    let mut quote: Option<char> = None;
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    for (i, c) in &chars {
        match quote {
            Some(q) if *c == q => quote = None,
            Some(_) => {}
            None => match c {
                '\'' | '"' => quote = Some(*c),
                '|' | ';' | '&' | '(' | '`' => start = i + c.len_utf8(),
                _ => {}
            },
        }
    }
    let seg = &line[start..];
    // Split into words; the last one may be open.
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut cur_start = start + seg.len();
    let mut in_word = false;
    let mut q: Option<char> = None;
    for (i, c) in seg.char_indices() {
        match q {
            Some(qq) if c == qq => q = None,
            Some(_) => cur.push(c),
            None => {
                if c.is_whitespace() {
                    if in_word {
                        words.push(std::mem::take(&mut cur));
                        in_word = false;
                    }
                } else {
                    if !in_word {
                        in_word = true;
                        cur_start = start + i;
                    }
                    if c == '\'' || c == '"' {
                        q = Some(c);
                    } else {
                        cur.push(c);
                    }
                }
            }
        }
    }
    if in_word {
        (words, cur_start, cur)
    } else {
        (words, line.len(), String::new())
    }
}

/// Completes `line` at `pos`: the start of the replaced word and the
/// candidates, sorted.
pub fn complete(
    line: &str,
    pos: usize,
    world: &World,
    state: &SessionState,
) -> (usize, Vec<Candidate>) {
    let pos = pos.min(line.len());
    let (words, start, word) = segment_words(&line[..pos]);
    let mut c = candidates(&words, &word, world, state);
    c.retain(|x| x.replacement.starts_with(&word));
    c.sort_by(|a, b| a.replacement.cmp(&b.replacement));
    c.dedup_by(|a, b| a.replacement == b.replacement);
    (start, c)
}

const SHELL_COMMANDS: &[(&str, &str)] = &[
    ("kubectl", "controls the Kubernetes cluster manager"),
    ("k", "kubectl"),
    (
        "sim",
        "the simulation: advance, until, speed, status, events",
    ),
    ("help", "what kubesim understands"),
    ("exit", "leave kubesim"),
    ("kubens", "switch namespace"),
    ("kns", "switch namespace"),
];

fn candidates(words: &[String], word: &str, world: &World, state: &SessionState) -> Vec<Candidate> {
    let Some(first) = words.first() else {
        let mut v: Vec<Candidate> = SHELL_COMMANDS
            .iter()
            .map(|(n, d)| Candidate::new(*n, *d))
            .collect();
        v.extend(
            super::shell::builtins::BUILTINS
                .iter()
                .map(|(n, d)| Candidate::new(*n, *d)),
        );
        v.extend(
            super::help::NETWORK_TOOLS
                .iter()
                .map(|n| Candidate::new(*n, "network tool")),
        );
        return v;
    };
    match first.as_str() {
        "kubectl" | "k" => kubectl_candidates(&words[1..], word, world, state),
        "sim" => {
            if words.len() == 1 {
                super::sim_cmd::SUBCOMMANDS
                    .iter()
                    .map(|(n, h)| Candidate::new(*n, *h))
                    .collect()
            } else if words[1] == "until" && words.len() == 2 {
                typed_names(word, world, state)
            } else if words[1] == "until" && words.len() == 3 {
                [
                    "available",
                    "ready",
                    "running",
                    "scheduled",
                    "succeeded",
                    "complete",
                    "failed",
                    "deleted",
                    "exists",
                    "rolled-out",
                    "notready",
                ]
                .iter()
                .map(|s| Candidate::new(*s, ""))
                .collect()
            } else {
                Vec::new()
            }
        }
        "kubens" | "kns" => names(Kind::Namespace, world, state, None),
        "help" => {
            let mut v: Vec<Candidate> =
                vec![Candidate::new("kubectl", ""), Candidate::new("sim", "")];
            v.extend(
                super::shell::builtins::BUILTINS
                    .iter()
                    .map(|(n, d)| Candidate::new(*n, *d)),
            );
            v
        }
        _ => Vec::new(),
    }
}

fn kinds() -> Vec<Candidate> {
    Kind::ALL
        .iter()
        .map(|k| {
            let i = k.info();
            let short = if i.short_names.is_empty() {
                String::new()
            } else {
                format!(" ({})", i.short_names.join(","))
            };
            Candidate::new(i.plural, format!("{}{short}", i.kind))
        })
        .collect()
}

/// `TYPE/NAME` completions once the word has a slash.
fn typed_names(word: &str, world: &World, state: &SessionState) -> Vec<Candidate> {
    match word.split_once('/') {
        Some((t, _)) => match Kind::from_resource_name(t) {
            Some(k) => names(k, world, state, None)
                .into_iter()
                .map(|c| Candidate::new(format!("{t}/{}", c.replacement), c.description))
                .collect(),
            None => Vec::new(),
        },
        None => Kind::ALL
            .iter()
            .map(|k| Candidate::new(format!("{}/", k.info().singular), k.info().kind))
            .chain(Kind::ALL.iter().flat_map(|k| {
                k.info()
                    .short_names
                    .iter()
                    .map(move |s| Candidate::new(format!("{s}/"), k.info().kind))
            }))
            .collect(),
    }
}

/// Object names of a kind in the session's namespace, with a summary.
fn names(kind: Kind, world: &World, state: &SessionState, ns: Option<&str>) -> Vec<Candidate> {
    let ns = ns.unwrap_or(&state.namespace);
    world
        .store
        .iter(kind, Some(ns))
        .map(|o| Candidate::new(o.meta().name.clone().unwrap_or_default(), summary(o)))
        .collect()
}

/// A few words about an object, shown beside its name.
pub fn summary(o: &Object) -> String {
    match o {
        Object::Pod(p) => {
            let phase = if p.metadata.deletion_timestamp.is_some() {
                "Terminating".to_string()
            } else {
                p.status
                    .as_ref()
                    .and_then(|s| s.phase.clone())
                    .unwrap_or_else(|| "Pending".into())
            };
            let node = p
                .spec
                .as_ref()
                .and_then(|s| s.node_name.clone())
                .unwrap_or_else(|| "<none>".into());
            format!("{phase:<11} {node}")
        }
        Object::Node(n) => {
            let ready = n
                .status
                .as_ref()
                .and_then(|s| s.conditions.as_ref())
                .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
                .map(|c| {
                    if c.status == "True" {
                        "Ready"
                    } else {
                        "NotReady"
                    }
                })
                .unwrap_or("Unknown");
            let sched = if n
                .spec
                .as_ref()
                .and_then(|s| s.unschedulable)
                .unwrap_or(false)
            {
                ",SchedulingDisabled"
            } else {
                ""
            };
            format!("{ready}{sched}")
        }
        Object::Deployment(d) => {
            let want = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
            let ready = d
                .status
                .as_ref()
                .and_then(|s| s.ready_replicas)
                .unwrap_or(0);
            format!("{ready}/{want} ready")
        }
        Object::Namespace(n) => n
            .status
            .as_ref()
            .and_then(|s| s.phase.clone())
            .unwrap_or_default(),
        Object::Service(s) => {
            let sp = s.spec.clone().unwrap_or_default();
            format!(
                "{} {}",
                sp.type_.unwrap_or_else(|| "ClusterIP".into()),
                sp.cluster_ip.unwrap_or_default()
            )
        }
        other => other.kind().info().kind.to_string(),
    }
}

fn flag_candidates(specs: &[FlagSpec], word: &str) -> Vec<Candidate> {
    let mut v = Vec::new();
    for f in specs {
        v.push(Candidate::new(
            format!("--{}", f.long),
            f.help.split(". ").next().unwrap_or(f.help),
        ));
        if let (Some(s), false) = (f.short, word.starts_with("--")) {
            v.push(Candidate::new(format!("-{s}"), format!("--{}", f.long)));
        }
    }
    v
}

/// Values of a flag that takes one.
fn flag_values(long: &str, world: &World, state: &SessionState) -> Vec<Candidate> {
    let simple = |v: &[&str]| v.iter().map(|s| Candidate::new(*s, "")).collect::<Vec<_>>();
    match long {
        "namespace" => names(Kind::Namespace, world, state, Some("")),
        "output" => simple(&[
            "json",
            "yaml",
            "wide",
            "name",
            "jsonpath=",
            "go-template=",
            "custom-columns=",
            "jsonpath-as-json=",
            "go-template-file=",
            "custom-columns-file=",
        ]),
        "dry-run" => simple(&["none", "client", "server"]),
        "cascade" => simple(&["background", "foreground", "orphan"]),
        "restart" => simple(&["Always", "OnFailure", "Never"]),
        "type" => simple(&[
            "ClusterIP",
            "NodePort",
            "LoadBalancer",
            "ExternalName",
            "json",
            "merge",
            "strategic",
        ]),
        "for" => simple(&[
            "condition=Ready",
            "condition=Available",
            "condition=Complete",
            "delete",
            "create",
            "jsonpath=",
        ]),
        "sort-by" => simple(&[
            ".metadata.name",
            ".metadata.creationTimestamp",
            ".status.phase",
            ".spec.nodeName",
        ]),
        "image-pull-policy" => simple(&["Always", "IfNotPresent", "Never"]),
        "context" => vec![Candidate::new(state.context.clone(), "")],
        _ => Vec::new(),
    }
}

/// What the words after `kubectl` say so far.
struct Walked {
    /// The command path reached.
    cmd: Option<&'static Command>,
    /// The positional words.
    pos: Vec<String>,
    /// The flag whose value the next word would be.
    pending: Option<FlagSpec>,
    /// `-n NS` / `--namespace=NS` given on the line.
    namespace: Option<String>,
}

/// Walks the words after `kubectl`.
fn walk(words: &[String]) -> Walked {
    let mut cmd: Option<&'static Command> = None;
    let mut pos = Vec::new();
    let mut pending: Option<FlagSpec> = None;
    let mut namespace = None;
    for w in words {
        let specs: Vec<FlagSpec> = cmd
            .map(|c| c.flags)
            .unwrap_or(&[])
            .iter()
            .chain(GLOBAL_FLAGS)
            .copied()
            .collect();
        if let Some(f) = pending.take() {
            if f.long == "namespace" {
                namespace = Some(w.clone());
            }
            continue;
        }
        if let Some(ns) = w
            .strip_prefix("--namespace=")
            .or_else(|| w.strip_prefix("-n="))
            .or_else(|| {
                w.strip_prefix("-n")
                    .filter(|v| !v.is_empty() && !v.starts_with('='))
            })
        {
            namespace = Some(ns.to_string());
            continue;
        }
        if let Some(body) = w.strip_prefix("--") {
            if !body.contains('=') {
                pending = specs
                    .iter()
                    .find(|s| s.long == body && s.value && s.noopt.is_none())
                    .copied();
            }
            continue;
        }
        if w.starts_with('-') && w.len() > 1 {
            if w.len() == 2 {
                let c = w.chars().nth(1).unwrap_or(' ');
                pending = specs
                    .iter()
                    .find(|s| s.short == Some(c) && s.value)
                    .copied();
            }
            continue;
        }
        let next = match cmd {
            None => COMMANDS
                .iter()
                .find(|c| c.name == w || c.aliases.contains(&w.as_str())),
            Some(c) if pos.is_empty() => c
                .subs
                .iter()
                .find(|s| s.name == w || s.aliases.contains(&w.as_str())),
            Some(_) => None,
        };
        match next {
            Some(n) => cmd = Some(n),
            None => pos.push(w.clone()),
        }
    }
    Walked {
        cmd,
        pos,
        pending,
        namespace,
    }
}

const RESOURCE_VERBS: &[&str] = &[
    "get",
    "describe",
    "delete",
    "edit",
    "label",
    "annotate",
    "patch",
    "scale",
    "expose",
    "wait",
    "autoscale",
    "status",
    "history",
    "undo",
    "pause",
    "resume",
    "restart",
    "image",
    "env",
    "resources",
];

fn kubectl_candidates(
    words: &[String],
    word: &str,
    world: &World,
    state: &SessionState,
) -> Vec<Candidate> {
    let Walked {
        cmd,
        pos,
        pending,
        namespace,
    } = walk(words);
    // Names come from the namespace named on the line, if any.
    let on_line;
    let state = match namespace {
        Some(ns) => {
            on_line = SessionState {
                namespace: ns,
                ..state.clone()
            };
            &on_line
        }
        None => state,
    };
    if let Some(f) = pending {
        return flag_values(f.long, world, state);
    }
    if word.starts_with('-') {
        let specs: Vec<FlagSpec> = cmd
            .map(|c| c.flags)
            .unwrap_or(&[])
            .iter()
            .chain(GLOBAL_FLAGS)
            .copied()
            .collect();
        if let Some((name, _)) = word.trim_start_matches('-').split_once('=') {
            let prefix = format!("--{name}=");
            return flag_values(name, world, state)
                .into_iter()
                .map(|c| Candidate::new(format!("{prefix}{}", c.replacement), c.description))
                .collect();
        }
        return flag_candidates(&specs, word);
    }
    let Some(cmd) = cmd else {
        return COMMANDS
            .iter()
            .map(|c| Candidate::new(c.name, c.short))
            .collect();
    };
    if !cmd.subs.is_empty() && pos.is_empty() {
        return cmd
            .subs
            .iter()
            .map(|c| Candidate::new(c.name, c.short))
            .collect();
    }
    match cmd.name {
        "logs" | "exec" if pos.is_empty() => {
            let mut v = names(Kind::Pod, world, state, None);
            if word.contains('/') {
                v = typed_names(word, world, state);
            }
            v
        }
        "cordon" | "uncordon" | "drain" => names(Kind::Node, world, state, Some("")),
        "taint" if pos.is_empty() => vec![Candidate::new("nodes", "Node")],
        "taint" if pos.len() == 1 => names(Kind::Node, world, state, Some("")),
        "explain" => kinds(),
        "use-context" | "get-contexts" => vec![Candidate::new(state.context.clone(), "")],
        verb if RESOURCE_VERBS.contains(&verb) => {
            if word.contains('/') {
                return typed_names(word, world, state);
            }
            match pos.first() {
                None => kinds(),
                Some(t) if t.contains('/') => typed_names(word, world, state),
                Some(t) => match Kind::from_resource_name(t.split(',').next().unwrap_or(t)) {
                    Some(k) => names(
                        k,
                        world,
                        state,
                        if k.info().namespaced { None } else { Some("") },
                    ),
                    None => Vec::new(),
                },
            }
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_of_the_current_segment() {
        let (w, start, cur) = segment_words("echo x | kubectl get po");
        assert_eq!(w, vec!["kubectl", "get"]);
        assert_eq!(cur, "po");
        assert_eq!(start, 21);
        let (w, start, cur) = segment_words("kubectl get ");
        assert_eq!(w, vec!["kubectl", "get"]);
        assert_eq!(cur, "");
        assert_eq!(start, 12);
    }
}
