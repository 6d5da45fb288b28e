//! RBAC: the bootstrap policy, aggregation, and one authorizer behind the
//! REPL's `kubectl auth can-i` and every HTTP request (real `kubectl --as`).
//! Upstream: plugin/pkg/auth/authorizer/rbac/rbac.go (the authorizer),
//! plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go (default roles),
//! staging/src/k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go
//! (the Forbidden text), staging/src/k8s.io/kubectl/pkg/cmd/auth/cani.go
//! (`can-i --list`).

mod repl_common;

use kubesim::api::{self, ServeOptions};
use kubesim::cli::script;
use kubesim::sim::runner::{self, Pacing};
use std::process::Command;

/// The workshop's RBAC chapter (authn-authz.md), in the REPL.
#[test]
fn workshop_rbac_chapter_in_the_repl() {
    let mut s = repl_common::session();
    let text = r#"
kubectl auth whoami
kubectl get sa
kubectl auth can-i list nodes
kubectl auth can-i get coffee
kubectl auth can-i '*' services
kubectl auth can-i get /healthz
kubectl auth can-i list nodes --as some-user
kubectl describe clusterrole cluster-admin
kubectl describe clusterrolebinding cluster-admin
kubectl auth can-i list pods --as system:serviceaccount:default:default
kubectl create rolebinding can-view --clusterrole=view --serviceaccount=default:default
kubectl auth can-i list pods --as system:serviceaccount:default:default
kubectl auth can-i get secrets --as system:serviceaccount:default:default
kubectl auth can-i create deployments --as system:serviceaccount:default:default
kubectl auth can-i list pods --as system:serviceaccount:default:default -n kube-system
kubectl auth can-i --list --as system:serviceaccount:default:default
"#;
    let (transcript, _) = script::run(&mut s, text, true);
    insta::assert_snapshot!(transcript);
}

/// A ClusterRole labelled aggregate-to-view widens view, and so edit and
/// admin (pkg/controller/clusterroleaggregation).
#[test]
fn aggregation_follows_labels() {
    let mut s = repl_common::session();
    let sa = "--as system:serviceaccount:default:default";
    let (t, _) = script::run(
        &mut s,
        &format!(
            "kubectl create rolebinding v --clusterrole=view --serviceaccount=default:default\n\
             kubectl auth can-i list nodes {sa}\n\
             kubectl create clusterrole node-reader --verb=get,list --resource=nodes\n\
             kubectl label clusterrole node-reader rbac.authorization.k8s.io/aggregate-to-view=true\n\
             sim advance 1s\n\
             kubectl auth can-i list nodes {sa} -n default\n\
             kubectl create clusterrolebinding v --clusterrole=view --serviceaccount=default:default\n\
             kubectl auth can-i list nodes {sa}\n"
        ),
        true,
    );
    let answers: Vec<&str> = t.lines().filter(|l| *l == "yes" || *l == "no").collect();
    // A RoleBinding never grants a cluster-scoped resource; the
    // ClusterRoleBinding to the widened view does.
    assert_eq!(answers, ["no", "no", "yes"], "{t}");
}

/// Real kubectl: impersonated requests are authorized by the same RBAC.
#[test]
fn real_kubectl_is_authorized_by_rbac() {
    if Command::new("kubectl").arg("--help").output().is_err() {
        eprintln!("kubectl not installed: skipping");
        return;
    }
    let world = kubesim::cluster::workshop_world(7);
    let handle = runner::spawn(world, Pacing::Paced { speed: 1.0 });
    handle.pause();
    let server = api::start(handle.clone(), &ServeOptions::default(), false).unwrap();
    let dir = repl_common::tempdir();
    api::write_kubeconfig(&dir.join("kubeconfig"), &server.url()).unwrap();
    let kubectl = |args: &str| {
        let out = Command::new("kubectl")
            .arg(format!("--kubeconfig={}", dir.join("kubeconfig").display()))
            .arg(format!("--cache-dir={}", dir.join("cache").display()))
            .args(args.split_whitespace())
            .env_remove("KUBECONFIG")
            .output()
            .expect("run kubectl");
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            out.status.code().unwrap_or(-1),
        )
    };
    let sa = "--as=system:serviceaccount:default:default";
    let (_, err, code) = kubectl(&format!("get pods {sa}"));
    assert_eq!(code, 1);
    assert_eq!(
        err.trim(),
        "Error from server (Forbidden): pods is forbidden: User \"system:serviceaccount:default:default\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\""
    );
    let (_, err, _) = kubectl(&format!("get node node1 {sa}"));
    assert_eq!(
        err.trim(),
        "Error from server (Forbidden): nodes \"node1\" is forbidden: User \"system:serviceaccount:default:default\" cannot get resource \"nodes\" in API group \"\" at the cluster scope"
    );
    let (out, _, code) = kubectl(&format!("auth can-i list pods {sa}"));
    assert_eq!((out.trim(), code), ("no", 1));
    let (out, _, code) =
        kubectl("create rolebinding can-view --clusterrole=view --serviceaccount=default:default");
    assert_eq!(code, 0, "{out}");
    let (out, _, code) = kubectl(&format!("auth can-i list pods {sa}"));
    assert_eq!((out.trim(), code), ("yes", 0));
    let (out, err, code) = kubectl(&format!("get pods -n kube-system {sa}"));
    assert_eq!(code, 1, "{out}");
    assert!(err.contains("in the namespace \"kube-system\""), "{err}");
    let (_, err, code) = kubectl(&format!(
        "create deployment can-i-do-this --image=nginx {sa}"
    ));
    assert_eq!(code, 1);
    assert!(
        err.contains("deployments.apps is forbidden: User \"system:serviceaccount:default:default\" cannot create resource \"deployments\" in API group \"apps\" in the namespace \"default\""),
        "{err}"
    );
    let (out, _, code) = kubectl(&format!("get pods {sa}"));
    assert_eq!(code, 0, "{out}");
    // `can-i --list` through a SelfSubjectRulesReview prints what the
    // REPL prints for the same user.
    let (real, _, _) = kubectl(&format!("auth can-i --list {sa}"));
    let mut s = repl_common::session();
    s.run(
        "kubectl create rolebinding can-view --clusterrole=view --serviceaccount=default:default",
    );
    let repl = s.run(&format!(
        "kubectl auth can-i --list {}",
        sa.replace('=', " ")
    ));
    assert_eq!(repl.output.stdout, real);
    // A binding to a missing role adds the authorizer's reason
    // (rbac.go: `RBAC: ` and the role lister's NotFound).
    let (_, _, code) =
        kubectl("create rolebinding ghost --clusterrole=nope --serviceaccount=default:default");
    assert_eq!(code, 0);
    let (_, err, _) = kubectl(&format!("get secrets {sa}"));
    assert!(
        err.trim().ends_with(
            "cannot list resource \"secrets\" in API group \"\" in the namespace \"default\": RBAC: clusterrole.rbac.authorization.k8s.io \"nope\" not found"
        ),
        "{err}"
    );
    // The admin is allowed everything.
    let (_, _, code) = kubectl("get pods -A");
    assert_eq!(code, 0);
    drop(server);
    handle.stop();
}
