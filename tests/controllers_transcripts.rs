//! Issue 7's "done when" as REPL transcripts: each script runs on the
//! workshop cluster in virtual time and the snapshot holds every line as
//! `$ LINE` followed by what kubectl (or `sim`) printed.

use kubesim::cli::script;
use kubesim::cli::session::Session;
use kubesim::cluster::workshop_world;

fn transcript(text: &str) -> String {
    let mut s = Session::new(workshop_world(1));
    let n = std::process::id();
    let dir = std::env::temp_dir().join(format!("kubesim-ctl-{n}-{}", text.len()));
    let _ = std::fs::create_dir_all(&dir);
    s.state.workdir = dir;
    let (t, _code) = script::run(&mut s, text, false);
    t
}

#[test]
fn rolling_update_with_rollout_status() {
    let t = transcript(
        "\
kubectl create deployment worker --image=dockercoins/worker:v0.1 --replicas=10
kubectl rollout status deployment worker
kubectl get deployment worker
kubectl set image deployment worker worker=dockercoins/worker:v0.2
kubectl rollout status deployment worker
kubectl get deployment worker
kubectl get replicasets
",
    );
    insta::assert_snapshot!("rolling_update", t);
}
