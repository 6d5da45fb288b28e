//! Every duration the node agent and the node lifecycle use, in one table
//! with the upstream place that defines it (see docs/timings.md §1, §2).
//! Rows marked "modelled" are not upstream constants but typical lab values.

use std::time::Duration;

const fn s(n: u64) -> Duration {
    Duration::from_secs(n)
}
const fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// `pkg/kubelet/kubelet.go` `initialCrashLoopBackOff`.
pub const CRASHLOOP_INITIAL: Duration = s(10);
/// `pkg/kubelet/kubelet.go` `MaxCrashLoopBackOff` (= `MaxContainerBackOff`).
pub const CRASHLOOP_MAX: Duration = s(300);
/// `pkg/kubelet/kubelet.go` `NewMainKubelet`: crashLoopBackOff.HasExpiredFunc
/// resets the entry when the exit comes more than 600 s after its last update.
pub const CRASHLOOP_RESET: Duration = s(600);
/// `pkg/kubelet/kubelet.go` `imageBackOffPeriod`.
pub const IMAGE_BACKOFF_INITIAL: Duration = s(10);
/// `pkg/kubelet/kubelet.go` `MaxImageBackOff`.
pub const IMAGE_BACKOFF_MAX: Duration = s(300);
/// client-go `flowcontrol/backoff.go` `hasExpired`: 2 × max without an attempt.
pub const IMAGE_BACKOFF_RESET: Duration = s(600);
/// `pkg/kubelet/kubelet.go` `genericPlegRelistPeriod`: container exits reach
/// the pod worker within one relist.
pub const PLEG_RELIST: Duration = s(1);
/// Pod sandbox creation (RunPodSandbox + CNI ADD). Modelled: containerd with
/// a cached pause image takes about a second on the lab VMs.
pub const SANDBOX_CREATE: Duration = s(1);
/// A pull of an image already present under `imagePullPolicy: Always`: only
/// the manifest is resolved. Modelled.
pub const PULL_MANIFEST_ONLY: Duration = ms(500);
/// A failed pull (resolve error: not found, unauthorized). Modelled.
pub const PULL_RESOLVE_FAILURE: Duration = ms(800);
/// `staging/src/k8s.io/api/core/v1/types.go` `DefaultTerminationGracePeriodSeconds`.
pub const DEFAULT_GRACE: Duration = s(30);
/// `pkg/kubelet/kuberuntime/kuberuntime_manager.go` `minimumGracePeriodInSeconds`.
pub const MIN_KILL_GRACE: Duration = s(2);
/// `pkg/apis/core/v1/defaults.go` `SetDefaults_Probe`.
pub const PROBE_PERIOD: Duration = s(10);
pub const PROBE_TIMEOUT: Duration = s(1);
pub const PROBE_SUCCESS_THRESHOLD: i32 = 1;
pub const PROBE_FAILURE_THRESHOLD: i32 = 3;
/// `pkg/kubelet/apis/config/v1beta1/defaults.go` `NodeLeaseDurationSeconds`.
pub const NODE_LEASE_DURATION: Duration = s(40);
/// `pkg/kubelet/kubelet.go` `nodeLeaseRenewIntervalFraction` (0.25 × 40 s).
pub const NODE_LEASE_RENEW: Duration = s(10);
/// `component-helpers/apimachinery/lease/controller.go`: JitterUntil factor.
pub const NODE_LEASE_JITTER: f64 = 0.04;
/// `pkg/kubelet/apis/config/v1beta1/defaults.go` `NodeStatusReportFrequency`.
pub const NODE_STATUS_REPORT: Duration = s(300);
/// metrics-server `--metric-resolution`: usage is averaged over 15 s windows.
pub const METRICS_RESOLUTION: Duration = s(15);

// ---- kube-controller-manager (node lifecycle, taint eviction, pod GC) ----

/// `pkg/controller/apis/config/v1alpha1/defaults.go` `NodeMonitorPeriod`.
pub const NODE_MONITOR_PERIOD: Duration = s(5);
/// `pkg/controller/nodelifecycle/config/v1alpha1/defaults.go`
/// `NodeMonitorGracePeriod`: 50 s since v1.32 (PR #126287; 40 s before).
pub const NODE_MONITOR_GRACE: Duration = s(50);
/// `plugin/pkg/admission/defaulttolerationseconds` (the taint eviction
/// controller reads it from the pod's toleration).
pub const DEFAULT_TOLERATION_SECONDS: i64 = 300;
/// `pkg/controller/podgc/gc_controller.go` `quarantineTime`: orphans of a
/// deleted node are force-deleted after this.
pub const PODGC_QUARANTINE: Duration = s(40);

/// `pkg/kubelet/eviction/defaults_linux.go` `DefaultEvictionHard`:
/// `memory.available<100Mi`.
pub const EVICTION_HARD_MEMORY_AVAILABLE: u64 = 100 << 20;
/// `pkg/kubelet/apis/config/v1beta1/defaults.go`
/// `EvictionPressureTransitionPeriod`: a pressure condition stays True this
/// long after the signal clears.
pub const EVICTION_PRESSURE_TRANSITION: Duration = s(300);
/// `pkg/kubelet/eviction/eviction_manager.go`
/// `immediateEvictionGracePeriodSeconds` (hard thresholds).
pub const EVICTION_KILL_GRACE: Duration = s(1);
/// `pkg/kubelet/types` `SystemCriticalPriority`: never evicted.
pub const SYSTEM_CRITICAL_PRIORITY: i32 = 2_000_000_000;
