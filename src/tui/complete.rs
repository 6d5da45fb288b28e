//! Completion for the `:` line: view names (kinds, their short names),
//! and REPL lines (`kubectl VERB KIND NAME -n NS -o FORMAT`, `sim ...`),
//! routed by the position of the word under the cursor as nushell's
//! completer does. Object names come from the TUI's cache.

use super::cache::Cache;
use crate::objects::Kind;
use std::collections::BTreeSet;

/// Candidates for the last word of a line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Completion {
    /// Byte offset where the word being completed starts.
    pub start: usize,
    pub candidates: Vec<String>,
}

/// kubectl verbs the `:` line accepts without the `kubectl` prefix.
pub const KUBECTL_VERBS: &[&str] = &[
    "annotate",
    "api-resources",
    "apply",
    "cordon",
    "create",
    "delete",
    "describe",
    "drain",
    "edit",
    "events",
    "exec",
    "explain",
    "expose",
    "get",
    "label",
    "logs",
    "patch",
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

/// First words that are REPL lines.
const REPL_WORDS: &[&str] = &["kubectl", "k", "sim", "help"];
const SIM_WORDS: &[&str] = &["advance", "events", "seed", "status"];
const CREATE_WORDS: &[&str] = &[
    "configmap",
    "cronjob",
    "deployment",
    "job",
    "namespace",
    "secret",
    "service",
];
const ROLLOUT_WORDS: &[&str] = &["history", "restart", "status", "undo"];
const OUTPUT_FORMATS: &[&str] = &["json", "name", "wide", "yaml"];
/// Views that are not kinds.
const VIEW_WORDS: &[&str] = &["quit"];

pub fn is_repl_word(w: &str) -> bool {
    REPL_WORDS.contains(&w)
}

pub fn is_kubectl_verb(w: &str) -> bool {
    KUBECTL_VERBS.contains(&w)
}

/// Every name a kind answers to (plural, singular, short names).
fn kind_words() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for k in Kind::ALL {
        let i = k.info();
        out.insert(i.plural.to_string());
        out.insert(i.singular.to_string());
        for s in i.short_names {
            out.insert(s.to_string());
        }
    }
    out
}

fn names_of(cache: &Cache, kind: Kind) -> Vec<String> {
    let mut v: Vec<String> = cache
        .iter(kind, None)
        .filter_map(|o| o.meta().name.clone())
        .collect();
    v.sort();
    v.dedup();
    v
}

/// Completes the last word of `line`.
pub fn complete(line: &str, cache: &Cache) -> Completion {
    let start = line.rfind(' ').map_or(0, |i| i + 1);
    let word = &line[start..];
    let before: Vec<&str> = line[..start].split_whitespace().collect();
    let pool: Vec<String> = candidates(&before, word, cache);
    let candidates = pool
        .into_iter()
        .filter(|c| c.starts_with(word) && c != word)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    Completion { start, candidates }
}

fn candidates(before: &[&str], word: &str, cache: &Cache) -> Vec<String> {
    let strs = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let Some(first) = before.first() else {
        // The first word: a view, a REPL word or a kubectl verb.
        let mut v: Vec<String> = kind_words().into_iter().collect();
        v.extend(strs(REPL_WORDS));
        v.extend(strs(KUBECTL_VERBS));
        v.extend(strs(VIEW_WORDS));
        return v;
    };
    let prev = before.last().copied().unwrap_or("");
    if matches!(prev, "-n" | "--namespace") {
        return cache.namespaces();
    }
    if matches!(prev, "-o" | "--output") {
        return strs(OUTPUT_FORMATS);
    }
    if *first == "sim" {
        return if before.len() == 1 {
            strs(SIM_WORDS)
        } else {
            vec![]
        };
    }
    if *first == "ns" || *first == "namespace" {
        return cache.namespaces();
    }
    // kubectl lines: drop the prefix, then complete after the verb.
    let rest: &[&str] = if matches!(*first, "kubectl" | "k") {
        &before[1..]
    } else if is_kubectl_verb(first) {
        before
    } else if Kind::from_resource_name(first).is_some() {
        // `:pods NS`
        let mut v = cache.namespaces();
        v.push("all".into());
        return v;
    } else {
        return vec![];
    };
    let Some(verb) = rest.first() else {
        return strs(KUBECTL_VERBS);
    };
    let args: Vec<&str> = rest[1..]
        .iter()
        .copied()
        .filter(|a| !a.starts_with('-'))
        .collect();
    match *verb {
        "create" if args.is_empty() => strs(CREATE_WORDS),
        "rollout" if args.is_empty() => strs(ROLLOUT_WORDS),
        "rollout" => resource_words(word, cache, true),
        "logs" => names_of(cache, Kind::Pod),
        "scale" => resource_words(word, cache, true),
        _ if args.is_empty() => resource_words(word, cache, false),
        _ => match Kind::from_resource_name(args[0]) {
            Some(kind) if !args[0].contains('/') => names_of(cache, kind),
            _ => vec![],
        },
    }
}

/// Kinds, or `kind/name` once the word has a slash.
fn resource_words(word: &str, cache: &Cache, slash_form: bool) -> Vec<String> {
    if let Some((k, _)) = word.split_once('/') {
        return match Kind::from_resource_name(k) {
            Some(kind) => names_of(cache, kind)
                .into_iter()
                .map(|n| format!("{k}/{n}"))
                .collect(),
            None => vec![],
        };
    }
    let mut v: Vec<String> = kind_words().into_iter().collect();
    if slash_form {
        v = v.into_iter().map(|k| format!("{k}/")).collect();
    }
    v
}

/// Applies a Tab press: a single candidate completes the word (with a
/// space unless it ends in `/`), several extend it to their common prefix,
/// or, when that adds nothing, cycle through them.
pub fn apply(line: &str, c: &Completion, chosen: &mut Option<usize>) -> String {
    let word = &line[c.start..];
    let head = &line[..c.start];
    match c.candidates.len() {
        0 => line.to_string(),
        1 => {
            let w = &c.candidates[0];
            *chosen = None;
            if w.ends_with('/') {
                format!("{head}{w}")
            } else {
                format!("{head}{w} ")
            }
        }
        _ => {
            let lcp = common_prefix(&c.candidates);
            if lcp.len() > word.len() {
                *chosen = None;
                return format!("{head}{lcp}");
            }
            *chosen = Some(0);
            format!("{head}{}", c.candidates[0])
        }
    }
}

fn common_prefix(v: &[String]) -> String {
    let Some(first) = v.first() else {
        return String::new();
    };
    let mut len = first.len();
    for s in &v[1..] {
        len = len.min(
            first
                .char_indices()
                .zip(s.chars())
                .take_while(|((_, a), b)| a == b)
                .count(),
        );
    }
    first.chars().take(len).collect()
}
