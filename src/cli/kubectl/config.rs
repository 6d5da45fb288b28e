//! `kubectl config`: the session's kubeconfig (one cluster `kubernetes`,
//! one user `kubernetes-admin`, the context `kubernetes-admin@kubernetes`
//! as kubeadm writes it), following `k8s.io/kubectl/pkg/cmd/config`.

use super::{Command, Ctx};
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::output::Output;
use serde_json::json;

const GET_CONTEXTS_FLAGS: &[FlagSpec] = &[
    flag("output", Some('o'), true, "Output format. One of: (name)."),
    flag("no-headers", None, false, "When using the default or custom-column output format, don't print headers (default print headers)."),
];
const SET_CONTEXT_FLAGS: &[FlagSpec] =
    &[flag("current", None, false, "Modify the current context")];
const VIEW_FLAGS: &[FlagSpec] = &[
    flag("minify", None, false, "Remove all information not used by current-context from the output"),
    flag("raw", None, false, "Display raw byte data and sensitive data"),
    flag("flatten", None, false, "Flatten the resulting kubeconfig file into self-contained output (useful for creating portable kubeconfig files)"),
    flag("output", Some('o'), true, "Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file).").default("'yaml'"),
];
const SET_CLUSTER_FLAGS: &[FlagSpec] = &[
    flag(
        "certificate-authority",
        None,
        true,
        "Path to certificate-authority file for the cluster entry in kubeconfig",
    ),
    flag(
        "embed-certs",
        None,
        false,
        "embed-certs for the cluster entry in kubeconfig",
    ),
    flag(
        "tls-server-name",
        None,
        true,
        "tls-server-name for the cluster entry in kubeconfig",
    ),
];
const SET_CREDENTIALS_FLAGS: &[FlagSpec] = &[
    flag(
        "client-certificate",
        None,
        true,
        "Path to client-certificate file for the user entry in kubeconfig",
    ),
    flag(
        "client-key",
        None,
        true,
        "Path to client-key file for the user entry in kubeconfig",
    ),
    flag("username", None, true, "username for basic authentication"),
    flag("password", None, true, "password for basic authentication"),
    flag(
        "embed-certs",
        None,
        false,
        "Embed client cert/key for the user entry in kubeconfig",
    ),
];

pub const SUBCOMMANDS: &[Command] = &[
    Command::new("current-context", "Display the current-context", "kubectl config current-context [options]", &[], current_context),
    Command::new("get-contexts", "Describe one or many contexts", "kubectl config get-contexts [(-o|--output=)name)] [options]", GET_CONTEXTS_FLAGS, get_contexts),
    Command::new("get-clusters", "Display clusters defined in the kubeconfig", "kubectl config get-clusters [options]", &[], get_clusters),
    Command::new("get-users", "Display users defined in the kubeconfig", "kubectl config get-users [options]", &[], get_users),
    Command::new("set-context", "Set a context entry in kubeconfig", "kubectl config set-context [NAME | --current] [--cluster=cluster_nickname] [--user=user_nickname] [--namespace=namespace] [options]", SET_CONTEXT_FLAGS, set_context),
    Command::new("set-cluster", "Set a cluster entry in kubeconfig", "kubectl config set-cluster NAME [--server=server] [--certificate-authority=path/to/certificate/authority] [--insecure-skip-tls-verify=true] [--tls-server-name=example.com] [options]", SET_CLUSTER_FLAGS, set_cluster),
    Command::new("set-credentials", "Set a user entry in kubeconfig", "kubectl config set-credentials NAME [--client-certificate=path/to/certfile] [--client-key=path/to/keyfile] [--token=bearer_token] [--username=basic_user] [--password=basic_password] [options]", SET_CREDENTIALS_FLAGS, set_credentials),
    Command::new("use-context", "Set the current-context in a kubeconfig file", "kubectl config use-context CONTEXT_NAME [options]", &[], use_context).aliases(&["use"]),
    Command::new("view", "Display merged kubeconfig settings or a specified kubeconfig file", "kubectl config view [flags] [options]", VIEW_FLAGS, view),
];

fn current_context(ctx: &mut Ctx) -> Output {
    Output::ok(format!("{}\n", ctx.state.context))
}

/// The namespace recorded in a context (empty when never set).
fn context_namespace(ctx: &Ctx, name: &str) -> String {
    if name == ctx.state.context {
        if ctx.state.namespace == "default" {
            String::new()
        } else {
            ctx.state.namespace.clone()
        }
    } else {
        ctx.state.contexts.get(name).cloned().unwrap_or_default()
    }
}

fn all_contexts(ctx: &Ctx) -> Vec<String> {
    let mut names: Vec<String> = ctx.state.contexts.keys().cloned().collect();
    names.push(ctx.state.context.clone());
    names.sort();
    names.dedup();
    names
}

fn get_contexts(ctx: &mut Ctx) -> Output {
    let mut names = all_contexts(ctx);
    if let Some(n) = ctx.args.positional.first() {
        if !names.contains(n) {
            return Output::err(format!("error: context {n} not found"));
        }
        names.retain(|x| x == n);
    }
    if ctx.args.get("output") == Some("name") {
        return Output::ok(names.iter().map(|n| format!("{n}\n")).collect::<String>());
    }
    let mut lines = Vec::new();
    if !ctx.args.bool("no-headers") {
        lines.push(vec![
            "CURRENT".to_string(),
            "NAME".into(),
            "CLUSTER".into(),
            "AUTHINFO".into(),
            "NAMESPACE".into(),
        ]);
    }
    for n in names {
        let current = if n == ctx.state.context { "*" } else { "" };
        lines.push(vec![
            current.to_string(),
            n.clone(),
            "kubernetes".into(),
            "kubernetes-admin".into(),
            context_namespace(ctx, &n),
        ]);
    }
    Output::ok(crate::printers::layout::align(&lines, &mut Vec::new()))
}

fn get_clusters(_ctx: &mut Ctx) -> Output {
    Output::ok("NAME\nkubernetes\n")
}

fn get_users(_ctx: &mut Ctx) -> Output {
    Output::ok("NAME\nkubernetes-admin\n")
}

fn set_context(ctx: &mut Ctx) -> Output {
    let name = if ctx.args.bool("current") {
        if !ctx.args.positional.is_empty() {
            return Output::error("you cannot specify a context name and --current");
        }
        ctx.state.context.clone()
    } else {
        match ctx.args.positional.first() {
            Some(n) => n.clone(),
            None => return Output::error("you must specify a non-empty context name or --current"),
        }
    };
    let exists = all_contexts(ctx).contains(&name);
    if let Some(ns) = ctx.args.get("namespace").map(str::to_string) {
        if name == ctx.state.context {
            let old = std::mem::replace(
                &mut ctx.state.namespace,
                if ns.is_empty() { "default".into() } else { ns },
            );
            ctx.state.previous_namespace = Some(old);
        } else {
            ctx.state.contexts.insert(name.clone(), ns);
        }
    } else if !exists {
        ctx.state.contexts.insert(name.clone(), String::new());
    }
    let word = if exists { "modified" } else { "created" };
    Output::ok(format!("Context \"{name}\" {word}.\n"))
}

fn set_cluster(ctx: &mut Ctx) -> Output {
    match ctx.args.positional.first() {
        Some(n) => Output::ok(format!("Cluster \"{n}\" set.\n")),
        None => ctx.usage_error("Unexpected args: []"),
    }
}

fn set_credentials(ctx: &mut Ctx) -> Output {
    match ctx.args.positional.first() {
        Some(n) => Output::ok(format!("User \"{n}\" set.\n")),
        None => ctx.usage_error("Unexpected args: []"),
    }
}

fn use_context(ctx: &mut Ctx) -> Output {
    let Some(name) = ctx.args.positional.first().cloned() else {
        return ctx.usage_error("Unexpected args: []");
    };
    if !all_contexts(ctx).contains(&name) {
        return Output::err(format!(
            "error: no context exists with the name: \"{name}\""
        ));
    }
    if name != ctx.state.context {
        let old_name = std::mem::replace(&mut ctx.state.context, name.clone());
        let old_ns = if ctx.state.namespace == "default" {
            String::new()
        } else {
            ctx.state.namespace.clone()
        };
        ctx.state.contexts.insert(old_name, old_ns);
        let ns = ctx.state.contexts.remove(&name).unwrap_or_default();
        ctx.state.namespace = if ns.is_empty() { "default".into() } else { ns };
    }
    Output::ok(format!("Switched to context \"{name}\".\n"))
}

fn view(ctx: &mut Ctx) -> Output {
    let raw = ctx.args.bool("raw");
    let (ca, cert, key) = if raw {
        (
            "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSURCVENDQWUyZ0F3SUJBZ0lJa3ViZXNpbWt1YmVzaW0KLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=",
            "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCmt1YmVybmV0ZXMtYWRtaW4KLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=",
            "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQprdWJlc2ltCi0tLS0tRU5EIFJTQSBQUklWQVRFIEtFWS0tLS0tCg==",
        )
    } else {
        ("DATA+OMITTED", "DATA+OMITTED", "DATA+OMITTED")
    };
    let mut contexts = Vec::new();
    let names = if ctx.args.bool("minify") {
        vec![ctx.state.context.clone()]
    } else {
        all_contexts(ctx)
    };
    for n in names {
        let mut c = json!({"cluster": "kubernetes", "user": "kubernetes-admin"});
        let ns = context_namespace(ctx, &n);
        if !ns.is_empty() {
            c["namespace"] = json!(ns);
        }
        contexts.push(json!({"context": c, "name": n}));
    }
    let doc = json!({
        "apiVersion": "v1",
        "clusters": [{"cluster": {"certificate-authority-data": ca, "server": super::cluster_info::SERVER}, "name": "kubernetes"}],
        "contexts": contexts,
        "current-context": ctx.state.context,
        "kind": "Config",
        "preferences": {},
        "users": [{"name": "kubernetes-admin", "user": {"client-certificate-data": cert, "client-key-data": key}}],
    });
    let fmt = match ctx.args.get("output").unwrap_or("yaml") {
        "" | "yaml" => return Output::ok(crate::cli::format::yaml::to_yaml(&doc)),
        o => crate::cli::format::OutputFormat::parse(o, ctx.args.get("template"), false, &|f| {
            ctx.read_file(f)
        }),
    };
    match fmt {
        Ok(f) => match crate::cli::format::render(&[doc], &["config".into()], true, &f, false) {
            Ok(s) => Output::ok(s),
            Err(e) => Output::error(e),
        },
        Err(e) => Output::error(e),
    }
}
