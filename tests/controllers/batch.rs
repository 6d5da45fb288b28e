//! Jobs and CronJobs (`pkg/controller/job/job_controller.go`,
//! `backoff_utils.go`, `pkg/controller/cronjob/cronjob_controllerv2.go`,
//! `pkg/controller/ttlafterfinished`).

use crate::common;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use kubesim::objects::Kind;
use kubesim::sim::World;

fn job(name: &str, extra_spec: &str, behavior: &str) -> String {
    format!(
        r#"
apiVersion: batch/v1
kind: Job
metadata: {{name: {name}, namespace: default}}
spec:
{extra_spec}
  template:
    metadata: {{annotations: {{"test.kubesim.io/behavior": "{behavior}"}}}}
    spec:
      restartPolicy: Never
      containers: [{{name: main, image: alpine, command: [sh, -c, "exit 1"]}}]
"#
    )
}

fn job_status(w: &World, name: &str) -> String {
    let j = w.store.get_as::<Job>("default", name).unwrap();
    common::yaml_of(&j.status)
}

/// A Job whose pods always fail: replacements come after 10, 20, 40, 80,
/// 160 and 320 s (`DefaultJobPodFailureBackOff` doubling from the last
/// failure's finish time), and after backoffLimit 6 (7 failures) the Job
/// gets FailureTarget then Failed with reason BackoffLimitExceeded.
#[test]
fn job_fails_until_backoff_limit() {
    let mut w = common::world(31);
    common::apply(&mut w, &job("flipcoin", "  backoffLimit: 6", "exit:1:1"));
    let start = w.event_log().len();
    w.advance(common::secs(1200));
    let creates: Vec<String> = w.event_log()[start..]
        .iter()
        .filter(|l| l.contains("ADDED Pod default/flipcoin-"))
        .map(|l| l.split(' ').next().unwrap().to_string())
        .collect();
    let j = w
        .store
        .get_as::<Job>("default", "flipcoin")
        .unwrap()
        .clone();
    let pods = common::pod_lines(&w, "default", "flipcoin-");
    insta::assert_snapshot!(format!(
        "replacement pods created at: {}\n\n{}\n\n{}\n\n{}",
        creates.join(", "),
        pods.join("\n"),
        common::events(&w, "default", "job-controller").join("\n"),
        common::yaml_of(&j.status)
    ));
    assert!(j
        .metadata
        .labels
        .unwrap()
        .contains_key("batch.kubernetes.io/controller-uid"));
}

/// completions 3, parallelism 2: two pods, then the third; SuccessCriteriaMet
/// then Complete with CompletionsReached; the tracking finalizer is gone.
#[test]
fn job_completes_with_parallelism() {
    let mut w = common::world(32);
    common::apply(
        &mut w,
        &job("pi", "  completions: 3\n  parallelism: 2", "exit:0:5"),
    );
    w.advance(common::secs(1));
    assert_eq!(common::pods(&w, "default", "pi-").len(), 2);
    w.advance(common::secs(30));
    let pods = common::pods(&w, "default", "pi-");
    assert_eq!(pods.len(), 3);
    assert!(pods.iter().all(|p| p.metadata.finalizers.is_none()));
    let p = &pods[0];
    assert_eq!(p.metadata.labels.as_ref().unwrap()["job-name"], "pi");
    insta::assert_snapshot!(format!(
        "{}\n{}",
        common::events(&w, "default", "job-controller").join("\n"),
        job_status(&w, "pi")
    ));
}

/// completionMode Indexed: one pod per index with the index annotation,
/// label and hostname; completedIndexes records them.
#[test]
fn indexed_job() {
    let mut w = common::world(33);
    common::apply(
        &mut w,
        &job(
            "idx",
            "  completions: 3\n  parallelism: 3\n  completionMode: Indexed",
            "exit:0:2",
        ),
    );
    let names: Vec<String> = common::pods(&w, "default", "idx-")
        .iter()
        .map(|p| {
            format!(
                "{} hostname={} index={}",
                &p.metadata.name.as_ref().unwrap()[..6],
                p.spec.as_ref().unwrap().hostname.clone().unwrap(),
                p.metadata.labels.as_ref().unwrap()["batch.kubernetes.io/job-completion-index"]
            )
        })
        .collect();
    w.advance(common::secs(20));
    let st = w
        .store
        .get_as::<Job>("default", "idx")
        .unwrap()
        .status
        .clone()
        .unwrap();
    assert_eq!(st.completed_indexes.as_deref(), Some("0-2"));
    assert_eq!(st.succeeded, Some(3));
    assert_eq!(
        names,
        [
            "idx-0- hostname=idx-0 index=0",
            "idx-1- hostname=idx-1 index=1",
            "idx-2- hostname=idx-2 index=2"
        ]
    );
}

/// activeDeadlineSeconds: the running pod is deleted and the Job fails
/// with DeadlineExceeded once it is gone.
#[test]
fn job_active_deadline() {
    let mut w = common::world(34);
    common::apply(
        &mut w,
        &job("slow", "  activeDeadlineSeconds: 30", "exit:0:300"),
    );
    w.advance(common::secs(29));
    assert!(!kubesim::controllers::job::is_job_finished(
        w.store.get_as::<Job>("default", "slow").unwrap()
    ));
    w.advance(common::secs(5));
    let j = w.store.get_as::<Job>("default", "slow").unwrap().clone();
    let conds: Vec<String> = j
        .status
        .unwrap()
        .conditions
        .unwrap()
        .iter()
        .map(|c| format!("{} {}", c.type_, c.reason.clone().unwrap()))
        .collect();
    assert_eq!(
        conds,
        ["FailureTarget DeadlineExceeded", "Failed DeadlineExceeded"]
    );
    assert!(common::events(&w, "default", "job-controller")
        .iter()
        .any(|e| e
            == "Warning DeadlineExceeded Job/slow: Job was active longer than specified deadline"));
}

/// podFailurePolicy FailJob on an exit code fails the Job at the first such
/// failure (`pod_failure_policy.go`).
#[test]
fn pod_failure_policy_fail_job() {
    let mut w = common::world(35);
    let spec = "  podFailurePolicy:\n    rules:\n    - action: FailJob\n      onExitCodes: {operator: In, values: [42]}";
    common::apply(&mut w, &job("pfp", spec, "exit:42:1"));
    w.advance(common::secs(20));
    let j = w.store.get_as::<Job>("default", "pfp").unwrap().clone();
    let failed = j
        .status
        .unwrap()
        .conditions
        .unwrap()
        .into_iter()
        .find(|c| c.type_ == "Failed")
        .unwrap();
    let pod = common::pods(&w, "default", "pfp-")[0]
        .metadata
        .name
        .clone()
        .unwrap();
    assert_eq!(failed.reason.as_deref(), Some("PodFailurePolicy"));
    assert_eq!(failed.message.unwrap(), format!("Container main for pod default/{pod} failed with exit code 42 matching FailJob rule at index 0"));
}

/// ttlSecondsAfterFinished: the Job and its pods go that long after it
/// finished.
#[test]
fn ttl_after_finished_deletes_the_job() {
    let mut w = common::world(36);
    common::apply(
        &mut w,
        &job("once", "  ttlSecondsAfterFinished: 60", "exit:0:2"),
    );
    w.advance(common::secs(30));
    assert!(w.store.get_as::<Job>("default", "once").is_some());
    w.advance(common::secs(60));
    assert!(w.store.get_as::<Job>("default", "once").is_none());
    assert!(common::pods(&w, "default", "once-").is_empty());
}

const EVERY3: &str = r#"
apiVersion: batch/v1
kind: CronJob
metadata: {name: every3mins, namespace: default}
spec:
  schedule: "*/3 * * * *"
  jobTemplate:
    spec:
      template:
        metadata: {annotations: {"test.kubesim.io/behavior": "exit:0:10"}}
        spec:
          restartPolicy: OnFailure
          containers: [{name: every3mins, image: alpine, command: [sleep, "10"]}]
"#;

/// The workshop's `*/3` CronJob: a Job every three virtual minutes named
/// after the scheduled minute, SawCompletedJob when each one ends, and the
/// successful history limited to 3.
#[test]
fn cronjob_every_three_minutes() {
    let mut w = common::world(37);
    common::apply(&mut w, EVERY3);
    w.advance(common::secs(15 * 60));
    let mut jobs: Vec<String> = w
        .store
        .list_as::<Job>(Some("default"))
        .map(|j| {
            format!(
                "{} scheduled={}",
                j.metadata.name.clone().unwrap(),
                j.metadata.annotations.as_ref().unwrap()
                    ["batch.kubernetes.io/cronjob-scheduled-timestamp"]
            )
        })
        .collect();
    jobs.sort();
    let cj = w
        .store
        .get_as::<CronJob>("default", "every3mins")
        .unwrap()
        .clone();
    insta::assert_snapshot!(format!(
        "{}\n\n{}\n\n{}",
        jobs.join("\n"),
        common::events(&w, "default", "cronjob-controller").join("\n"),
        common::yaml_of(&cj.status)
    ));
}

/// concurrencyPolicy Forbid skips a run while the previous Job still runs;
/// Replace deletes it; suspend stops new runs.
#[test]
fn cronjob_concurrency_and_suspend() {
    let long = EVERY3.replace("exit:0:10", "exit:0:250");
    let mut w = common::world(38);
    common::apply(
        &mut w,
        &long.replace("schedule:", "concurrencyPolicy: Forbid\n  schedule:"),
    );
    w.advance(common::secs(7 * 60));
    assert_eq!(
        w.store.list_as::<Job>(Some("default")).count(),
        1,
        "the second run was skipped"
    );
    assert!(common::events(&w, "default", "cronjob-controller")
        .iter()
        .any(|e| e.contains("JobAlreadyActive")));

    let mut w = common::world(39);
    common::apply(
        &mut w,
        &long.replace("schedule:", "concurrencyPolicy: Replace\n  schedule:"),
    );
    w.advance(common::secs(7 * 60));
    let evs = common::events(&w, "default", "cronjob-controller");
    assert!(
        evs.iter().any(|e| e
            .starts_with("Normal SuccessfulDelete CronJob/every3mins: Deleted job every3mins-")),
        "{evs:?}"
    );

    let mut w = common::world(40);
    common::apply(
        &mut w,
        &EVERY3.replace("schedule:", "suspend: true\n  schedule:"),
    );
    w.advance(common::secs(10 * 60));
    assert_eq!(w.store.list_as::<Job>(Some("default")).count(), 0);
    w.store
        .modify::<CronJob>("default", "every3mins", false, |c| {
            c.spec.as_mut().unwrap().suspend = Some(false)
        })
        .unwrap();
    w.advance(common::secs(60));
    // Resumed at 09:10: only the most recent missed run (09:09) starts.
    let names: Vec<String> = w
        .store
        .list_as::<Job>(Some("default"))
        .map(|j| j.metadata.name.clone().unwrap())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

/// An unparseable schedule is reported, not crashed on.
#[test]
fn cronjob_bad_schedule_is_an_event() {
    let mut w = common::world(41);
    common::apply(
        &mut w,
        &EVERY3.replace("*/3 * * * *", "every three minutes"),
    );
    w.advance(common::secs(60));
    assert_eq!(
        common::events(&w, "default", "cronjob-controller"),
        ["Warning UnparseableSchedule CronJob/every3mins: unparseable schedule: \"every three minutes\" : expected exactly 5 fields, found 3: [every three minutes]"]
    );
    let _ = Kind::CronJob;
}

/// `kubectl create job manual --from=cronjob/every3mins`: a Job from the
/// template, owned by the CronJob, which reports it as unexpected.
#[test]
fn job_from_cronjob() {
    let mut w = common::world(42);
    common::apply(&mut w, EVERY3);
    let cj = w
        .store
        .get_as::<CronJob>("default", "every3mins")
        .unwrap()
        .clone();
    let job = kubesim::controllers::cronjob::job_from_cronjob(&cj, "manual");
    w.store
        .create(kubesim::objects::Object::Job(job), &Default::default())
        .unwrap();
    w.advance(common::secs(20));
    let j = w.store.get_as::<Job>("default", "manual").unwrap();
    assert_eq!(
        j.metadata.annotations.as_ref().unwrap()["cronjob.kubernetes.io/instantiate"],
        "manual"
    );
    assert_eq!(j.status.as_ref().unwrap().succeeded, Some(1));
    assert!(common::events(&w, "default", "cronjob-controller")
        .iter()
        .any(|e| e.starts_with("Warning UnexpectedJob CronJob/every3mins: Saw a job that the controller did not create or forgot: manual")));
}
