//! Issue 7's "done when" as REPL transcripts: each script in
//! `tests/scripts/controllers/` runs on the workshop cluster (seed 1) in
//! virtual time, and its snapshot holds every line as `$ LINE` followed by
//! what kubectl (or `sim`) printed, so the text can be read against a real
//! Kubernetes 1.33 cluster. The upstream pieces each transcript pins are
//! named on the test and at the top of its script.

use kubesim::cli::script;
use kubesim::cli::session::Session;
use kubesim::cluster::workshop_world;
use std::sync::atomic::{AtomicUsize, Ordering};

static N: AtomicUsize = AtomicUsize::new(0);

/// DockerCoins as the workshop deploys it (ourapponkube.md), with the
/// worker scaled to 10 (kubectlscale.md), printed as well: the rollout
/// transcripts start from it.
const DOCKERCOINS: &str = "dockercoins.txt";

/// Runs the scripts `names` one after the other in one session and returns
/// the transcript of the last one. The set-up scripts must succeed; the
/// last goes on after a failing command (a rollout that times out), whose
/// `error: ...` line its transcript shows.
fn transcript(names: &[&str]) -> String {
    let mut s = Session::new(workshop_world(1));
    let dir = std::env::temp_dir().join(format!(
        "kubesim-ctl-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::create_dir_all(&dir);
    s.state.workdir = dir;
    let mut out = String::new();
    for name in names {
        let path = format!(
            "{}/tests/scripts/controllers/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).expect(&path);
        let last = Some(name) == names.last();
        let (t, code) = script::run(&mut s, &text, last);
        if !last {
            assert_eq!(code, 0, "{name} failed:\n{t}");
        }
        out = t;
    }
    out
}

/// rollout.md: `set image` to v0.2 and `rollout status` printing
/// kubectl's progress lines (`k8s.io/kubectl/pkg/polymorphichelpers/
/// rollout_status.go` `DeploymentStatusViewer`) while the controller
/// surges 3 and keeps 8 available (`pkg/controller/deployment/rolling.go`).
#[test]
fn rolling_update_with_rollout_status() {
    let t = transcript(&[DOCKERCOINS, "rolling-update.txt"]);
    insta::assert_snapshot!("rolling_update", t);
}

/// rollout.md: v0.3 does not exist; the rollout stalls with 8 old pods
/// serving and 5 new ones in ErrImagePull/ImagePullBackOff, reports
/// ProgressDeadlineExceeded after progressDeadlineSeconds (`progress.go`),
/// and `rollout undo` brings v0.2 back.
#[test]
fn stalled_rollout_and_undo() {
    let t = transcript(&[DOCKERCOINS, "stalled-rollout.txt"]);
    insta::assert_snapshot!("stalled_rollout_and_undo", t);
}

/// `kubectl rollout history` (`polymorphichelpers/history.go`) after two
/// undos: a reused ReplicaSet takes the next revision
/// (`deployment/sync.go` `getNewReplicaSet`), so revisions are not
/// contiguous.
#[test]
fn rollout_history_after_two_undos() {
    let t = transcript(&[DOCKERCOINS, "rollout-history.txt"]);
    insta::assert_snapshot!("rollout_history", t);
}

/// daemonset.md: a DaemonSet's pods go to the worker nodes only (the
/// control-plane taint is not tolerated), follow a node that joins and
/// go with a node that leaves (`pkg/controller/daemon/daemon_controller.go`,
/// the pod GC's 40 s quarantine in `pkg/controller/podgc/gc_controller.go`).
#[test]
fn daemonset_follows_nodes() {
    let t = transcript(&["daemonset.txt"]);
    insta::assert_snapshot!("daemonset_follows_nodes", t);
}

/// OrderedReady creates web-0, web-1, web-2 one after the other and removes
/// them in reverse (`pkg/controller/statefulset/stateful_set_control.go`);
/// the claims from volumeClaimTemplates stay (`whenScaled: Retain`).
#[test]
fn statefulset_scales_in_order_and_keeps_claims() {
    let t = transcript(&["statefulset.txt"]);
    insta::assert_snapshot!("statefulset_scale", t);
}

/// A Job whose pod always fails is retried with the 10 s, 20 s … backoff
/// until backoffLimit, then fails with BackoffLimitExceeded
/// (`pkg/controller/job/job_controller.go`, `backoff_utils.go`).
#[test]
fn job_fails_until_backoff_limit() {
    let t = transcript(&["job-backoff.txt"]);
    insta::assert_snapshot!("job_backoff_limit", t);
}

/// `*/3 * * * *` fires at every third minute of virtual time
/// (`pkg/controller/cronjob/cronjob_controllerv2.go`); the successful-jobs
/// history limit (3) removes the oldest.
#[test]
fn cronjob_every_three_minutes() {
    let t = transcript(&["cronjob.txt"]);
    insta::assert_snapshot!("cronjob_every_three_minutes", t);
}

/// The HPA (`pkg/controller/podautoscaler/horizontal.go`): 250 % of the
/// CPU request against a 50 % target scales up (at most max(2×, 4) a
/// sync), and once the load goes the 5-minute scale-down stabilisation
/// window holds the size before it drops to 1.
#[test]
fn hpa_scales_up_and_down_after_stabilisation() {
    let t = transcript(&["hpa.txt"]);
    insta::assert_snapshot!("hpa", t);
}
