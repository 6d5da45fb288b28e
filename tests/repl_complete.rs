//! Tab completion through the completer's pure API
//! (`kubesim::cli::complete::complete`).

mod repl_common;

use kubesim::cli::complete::{complete, Candidate};
use kubesim::cli::session::Session;
use repl_common::{ok, session};

fn words(s: &Session, line: &str) -> Vec<String> {
    complete(line, line.len(), &s.world, &s.state)
        .1
        .into_iter()
        .map(|c| c.replacement)
        .collect()
}

fn cands(s: &Session, line: &str) -> Vec<Candidate> {
    complete(line, line.len(), &s.world, &s.state).1
}

#[test]
fn commands_verbs_and_subcommands() {
    let s = session();
    let first = words(&s, "");
    for w in ["kubectl", "sim", "help", "grep", "jq", "curl", "watch"] {
        assert!(first.contains(&w.to_string()), "{w}");
    }
    assert_eq!(words(&s, "kub"), vec!["kubectl", "kubens"]);
    assert_eq!(words(&s, "kubectl g"), vec!["get"]);
    assert_eq!(words(&s, "kubectl ro"), vec!["rollout"]);
    assert_eq!(
        words(&s, "kubectl rollout "),
        vec!["history", "pause", "restart", "resume", "status", "undo"]
    );
    assert_eq!(
        words(&s, "kubectl create secret "),
        vec!["docker-registry", "generic", "tls"]
    );
    assert_eq!(words(&s, "kubectl config cu"), vec!["current-context"]);
    assert_eq!(words(&s, "sim u"), vec!["until"]);
    // The replaced word starts at the word under the cursor.
    let (start, _) = complete("echo x | kubectl ge", 19, &s.world, &s.state);
    assert_eq!(start, 17);
    let desc = cands(&s, "kubectl ge");
    assert_eq!(desc[0].description, "Display one or many resources");
}

#[test]
fn kinds_and_object_names_with_descriptions() {
    let mut s = session();
    ok(
        &mut s,
        "kubectl run web-1 --image=nginx; kubectl create deployment web --image=nginx",
    );
    // The deployment's pod, web-<hash>-<suffix>.
    let dpod = ok(&mut s, "kubectl get pods -l app=web -o name | cut -d/ -f2");
    let dpod = dpod.trim().to_string();
    assert!(dpod.starts_with("web-") && dpod.len() > 10, "{dpod}");
    assert_eq!(
        words(&s, "kubectl get po"),
        vec!["poddisruptionbudgets", "pods"]
    );
    let pods = cands(&s, "kubectl get pods web-1");
    assert_eq!(pods.len(), 1);
    assert_eq!(pods[0].replacement, "web-1");
    let node = ok(&mut s, "kubectl get pod web-1 -o jsonpath={.spec.nodeName}");
    assert_eq!(pods[0].description, format!("Pending     {node}"));
    assert!(pods[0].display().starts_with("web-1 "));
    let mut both = vec!["web-1".to_string(), dpod.clone()];
    both.sort();
    assert_eq!(words(&s, "kubectl get pods w"), both);
    assert_eq!(words(&s, "kubectl describe pod/web-1"), vec!["pod/web-1"]);
    assert_eq!(words(&s, "kubectl logs "), both);
    assert_eq!(words(&s, "kubectl exec w"), both);
    assert_eq!(
        cands(&s, "kubectl scale deploy ")[0].description,
        "0/1 ready"
    );
    assert_eq!(
        words(&s, "kubectl drain node"),
        vec!["node1", "node2", "node3", "node4"]
    );
    assert_eq!(cands(&s, "kubectl cordon node1")[0].description, "Ready");
    assert_eq!(words(&s, "kubectl taint "), vec!["nodes"]);
    assert_eq!(
        words(&s, "kubectl get nodes node"),
        vec!["node1", "node2", "node3", "node4"]
    );
    assert_eq!(words(&s, "sim until deploy/w"), vec!["deploy/web"]);
    assert_eq!(words(&s, "kubens kube-p"), vec!["kube-public"]);
    // Names come from the namespace named on the line.
    ok(&mut s, "kubectl create cm settings -n kube-public");
    assert_eq!(
        words(&s, "kubectl get cm -n kube-public s"),
        vec!["settings"]
    );
    assert_eq!(
        words(&s, "kubectl -n kube-public get cm s"),
        vec!["settings"]
    );
    assert_eq!(
        words(&s, "kubectl get cm --namespace=kube-public s"),
        vec!["settings"]
    );
    assert_eq!(
        words(&s, "kubectl get cm -nkube-public s"),
        vec!["settings"]
    );
    assert!(words(&s, "kubectl get cm s").is_empty());
}

#[test]
fn flags_and_flag_values() {
    let s = session();
    assert_eq!(
        words(&s, "kubectl get pods --show-l"),
        vec!["--show-labels"]
    );
    assert!(words(&s, "kubectl get pods -").contains(&"-o".to_string()));
    assert!(words(&s, "kubectl get pods --").contains(&"--namespace".to_string()));
    assert_eq!(
        words(&s, "kubectl get pods -n kube-"),
        vec!["kube-node-lease", "kube-public", "kube-system"]
    );
    assert_eq!(words(&s, "kubectl -n kube-s"), vec!["kube-system"]);
    assert_eq!(
        words(&s, "kubectl get pods -o j"),
        vec!["json", "jsonpath-as-json=", "jsonpath="]
    );
    assert_eq!(
        words(&s, "kubectl get pods --output=y"),
        vec!["--output=yaml"]
    );
    assert_eq!(
        words(&s, "kubectl run x --restart "),
        vec!["Always", "Never", "OnFailure"]
    );
    assert_eq!(words(&s, "kubectl patch deploy x --type m"), vec!["merge"]);
    assert_eq!(
        words(&s, "kubectl wait pod/x --for "),
        vec![
            "condition=Available",
            "condition=Complete",
            "condition=Ready",
            "create",
            "delete",
            "jsonpath="
        ]
    );
    // Flags are the command's own (and the global ones).
    assert!(!words(&s, "kubectl logs --").contains(&"--show-labels".to_string()));
    assert!(words(&s, "kubectl logs --").contains(&"--max-log-requests".to_string()));
}
