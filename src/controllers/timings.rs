//! The workload controllers' timing and limit table (architecture principle
//! 6): every delay a controller schedules comes from here, each with the
//! upstream place that defines it (see `/docs/controllers.md` and the shared
//! `timings.md` §4).

use std::time::Duration;

/// `pkg/controller/job/job_controller.go` `syncJobBatchPeriod`: pod events
/// reach a Job's sync after this batch period.
pub const JOB_SYNC_BATCH_PERIOD: Duration = Duration::from_secs(1);

/// `pkg/controller/job/job_controller.go` `DefaultJobPodFailureBackOff`.
pub const JOB_POD_FAILURE_BACKOFF: Duration = Duration::from_secs(10);

/// `pkg/controller/job/job_controller.go` `MaxJobPodFailureBackOff`: 10 min
/// in the code since before v1.30 (the concept page still says 6 min; the
/// shared timings table, §10, settles on the code's value).
pub const JOB_POD_FAILURE_BACKOFF_MAX: Duration = Duration::from_secs(600);

/// `pkg/controller/job/job_controller.go` `MaxPodCreateDeletePerSync`, and
/// `pkg/controller/replicaset/replica_set.go` `BurstReplicas`.
pub const MAX_POD_CREATE_DELETE_PER_SYNC: usize = 500;

/// `pkg/controller/cronjob/cronjob_controllerv2.go` `nextScheduleDelta`: a
/// CronJob is requeued this long after its next schedule time.
pub const CRONJOB_NEXT_SCHEDULE_DELTA: Duration = Duration::from_millis(100);

/// `pkg/controller/podautoscaler/config/v1alpha1/defaults.go`
/// `HorizontalPodAutoscalerSyncPeriod`.
pub const HPA_SYNC_PERIOD: Duration = Duration::from_secs(15);

/// Same file, `HorizontalPodAutoscalerTolerance`.
pub const HPA_TOLERANCE: f64 = 0.1;

/// Same file, `HorizontalPodAutoscalerDownscaleStabilizationWindow`.
pub const HPA_DOWNSCALE_STABILIZATION: Duration = Duration::from_secs(300);

/// Same file, `HorizontalPodAutoscalerCPUInitializationPeriod`.
pub const HPA_CPU_INITIALIZATION_PERIOD: Duration = Duration::from_secs(300);

/// Same file, `HorizontalPodAutoscalerInitialReadinessDelay`.
pub const HPA_INITIAL_READINESS_DELAY: Duration = Duration::from_secs(30);

/// `pkg/controller/podautoscaler/horizontal.go` `scaleUpLimitFactor` and
/// `scaleUpLimitMinimum`: without `behavior`, one sync may at most double
/// the replicas, or go to 4.
pub const HPA_SCALE_UP_LIMIT_FACTOR: f64 = 2.0;
pub const HPA_SCALE_UP_LIMIT_MINIMUM: f64 = 4.0;

/// `pkg/controller/namespace/namespace_controller.go`: a namespace whose
/// content remains is requeued after `estimate / 2 + 1` seconds, where the
/// estimate is the largest remaining pod grace period.
pub fn namespace_requeue(estimate_secs: i64) -> Duration {
    Duration::from_secs((estimate_secs.max(0) / 2 + 1) as u64)
}

/// `pkg/controller/disruption/disruption.go` `DeletionTimeout`: a pod the
/// eviction API admitted is expected gone within 2 minutes.
pub const PDB_DELETION_TIMEOUT: Duration = Duration::from_secs(120);

/// `pkg/controller/daemon/daemon_controller.go` failed-pod backoff: 1 s
/// doubling to 15 min (`failedPodsBackoff = flowcontrol.NewBackOff(1s, 15m)`).
pub const DAEMON_FAILED_POD_BACKOFF: Duration = Duration::from_secs(1);
pub const DAEMON_FAILED_POD_BACKOFF_MAX: Duration = Duration::from_secs(900);
