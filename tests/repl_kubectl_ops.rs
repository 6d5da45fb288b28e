//! kubectl's operational verbs: logs, exec, cordon/uncordon/drain, taint,
//! top, auth, wait, config, version, cluster-info, api-resources,
//! api-versions, explain, describe — flags, words and errors.

#![allow(clippy::result_large_err)] // the hooks return the store's ApiError
mod repl_common;

use kubesim::cli::hooks::Usage;
use kubesim::cli::session::Session;
use kubesim::controllers::kubelet::LogLine;
use kubesim::sim::store::ApiError;
use kubesim::sim::{SimTime, World};
use repl_common::{fails, ok, run, session, write};

const PODS: &str = "apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: ping-1, labels: {app: ping}}
  spec: {nodeName: node2, containers: [{name: ping, image: alpine, command: [ping, 127.0.0.1]}]}
- apiVersion: v1
  kind: Pod
  metadata: {name: ping-2, labels: {app: ping}}
  spec: {nodeName: node3, containers: [{name: ping, image: alpine, command: [ping, 127.0.0.1]}, {name: side, image: busybox, command: [sleep, '3600']}]}
";

/// A log source for tests of the flags: one line per second since virtual
/// time 0 (the kubelet's own logs are tested in tests/kubelet_*.rs).
fn ping_logs(
    world: &World,
    _ns: &str,
    pod: &str,
    container: &str,
    previous: bool,
) -> Result<Vec<LogLine>, ApiError> {
    if previous {
        return Err(ApiError::bad_request(format!(
            "previous terminated container \"{container}\" in pod \"{pod}\" not found"
        )));
    }
    let secs = world.now().0 / 1000;
    Ok((0..=secs)
        .map(|i| LogLine {
            time: SimTime(i * 1000),
            text: format!("{container}@{pod}: seq={i}"),
        })
        .collect())
}

fn with_pods() -> Session {
    let mut s = session();
    s.hooks.logs = ping_logs;
    write(&s, "pods.yaml", PODS);
    ok(&mut s, "kubectl apply -f pods.yaml");
    ok(&mut s, "sim advance 5s");
    s
}

#[test]
fn logs_flags() {
    let mut s = with_pods();
    assert_eq!(
        ok(&mut s, "kubectl logs ping-1 --tail 2"),
        "ping@ping-1: seq=4\nping@ping-1: seq=5\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl logs pod/ping-1 --tail=1"),
        "ping@ping-1: seq=5\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl logs ping-1 --since=2s"),
        "ping@ping-1: seq=3\nping@ping-1: seq=4\nping@ping-1: seq=5\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl logs ping-1 --since-time=2026-11-23T09:00:04Z"
        ),
        "ping@ping-1: seq=4\nping@ping-1: seq=5\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl logs ping-1 --tail 1 --timestamps"),
        "2026-11-23T09:00:05Z ping@ping-1: seq=5\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl logs ping-1 --tail 1 --prefix"),
        "[pod/ping-1/ping] ping@ping-1: seq=5\n"
    );
    // Several containers: the first, with kubectl's notice.
    let o = run(&mut s, "kubectl logs ping-2 --tail 1");
    assert_eq!(o.stdout, "ping@ping-2: seq=5\n");
    assert_eq!(
        o.stderr,
        "Defaulted container \"ping\" out of: ping, side\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl logs ping-2 -c side --tail 1"),
        "side@ping-2: seq=5\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl logs ping-2 --all-containers --tail 1 --prefix"
        ),
        "[pod/ping-2/ping] ping@ping-2: seq=5\n[pod/ping-2/side] side@ping-2: seq=5\n"
    );
    // -l: every matching pod, --tail=10 by default.
    assert_eq!(
        ok(&mut s, "kubectl logs -l app=ping --tail 1"),
        "ping@ping-1: seq=5\nping@ping-2: seq=5\n"
    );
    assert_eq!(
        ok(&mut s, "sim advance 20s; kubectl logs -l app=ping | wc -l"),
        "20\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl logs ping-1 -c nope"),
        "error: container nope is not valid for pod ping-1\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl logs nope"),
        "Error from server (NotFound): pods \"nope\" not found\n"
    );
    assert_eq!(fails(&mut s, "kubectl logs ping-1 --previous"), "Error from server (BadRequest): previous terminated container \"ping\" in pod \"ping-1\" not found\n");
    assert!(fails(&mut s, "kubectl logs")
        .starts_with("error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'."));
    assert_eq!(
        fails(&mut s, "kubectl logs ping-1 --since=soon"),
        "error: invalid argument \"soon\" for \"--since\" flag: time: invalid duration \"soon\"\n"
    );
}

#[test]
fn logs_follow_in_virtual_time() {
    let mut s = with_pods();
    let t0 = s.world.now();
    let out = ok(
        &mut s,
        "kubectl logs ping-1 --tail 1 -f --request-timeout=3s",
    );
    assert_eq!(
        out,
        "ping@ping-1: seq=5\nping@ping-1: seq=6\nping@ping-1: seq=7\nping@ping-1: seq=8\n"
    );
    assert_eq!((s.world.now() - t0).as_secs(), 3);
    // Two streams interleave by time.
    let out = ok(
        &mut s,
        "kubectl logs -l app=ping --tail 0 -f --prefix --request-timeout=2s",
    );
    assert_eq!(out, "[pod/ping-1/ping] ping@ping-1: seq=9\n[pod/ping-2/ping] ping@ping-2: seq=9\n[pod/ping-1/ping] ping@ping-1: seq=10\n[pod/ping-2/ping] ping@ping-2: seq=10\n");
    // The stream ends when the pod is gone.
    ok(&mut s, "kubectl delete pod ping-2 --grace-period=0 --force");
    let t1 = s.world.now();
    assert_eq!(
        ok(&mut s, "kubectl logs ping-1 --tail 0 -f"),
        (11..=40)
            .map(|i| format!("ping@ping-1: seq={i}\n"))
            .collect::<String>()
    );
    assert_eq!(
        (s.world.now() - t1).as_secs(),
        30,
        "a script follows for 30 s at most"
    );
}

#[test]
fn logs_of_many_pods_and_of_a_deployment() {
    let mut s = session();
    s.hooks.logs = ping_logs;
    // workshop.md 2.5: eight pods, -f refuses more than 5 streams.
    for i in 1..=8 {
        ok(
            &mut s,
            &format!("kubectl run pingpong-{i} --image=alpine --labels=app=pingpong"),
        );
    }
    assert_eq!(
        fails(&mut s, "kubectl logs -l app=pingpong --tail 1 -f"),
        "error: you are attempting to follow 8 log streams, but maximum allowed concurrency is 5, use --max-log-requests to increase the limit\n"
    );
    assert_eq!(ok(&mut s, "kubectl logs -l app=pingpong --tail 1 -f --max-log-requests=8 --request-timeout=1s | wc -l"), "16\n");
    // deploy/NAME: the first pod of the deployment (the oldest of them).
    ok(&mut s, "kubectl create deployment pingpong --image=alpine");
    assert_eq!(
        ok(&mut s, "kubectl logs deploy/pingpong --tail 1"),
        "pingpong-1@pingpong-1: seq=1\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl logs deploy/nope"),
        "Error from server (NotFound): deployments.apps \"nope\" not found\n"
    );
    // No pod appears: kubectl waits --pod-running-timeout.
    ok(
        &mut s,
        "kubectl create deployment empty --image=alpine --replicas=0",
    );
    let t0 = s.world.now();
    assert_eq!(
        fails(&mut s, "kubectl logs deploy/empty"),
        "error: timed out waiting for the condition\n"
    );
    assert_eq!((s.world.now() - t0).as_secs(), 20);
}

#[test]
fn exec_in_containers() {
    let mut s = with_pods();
    assert_eq!(ok(&mut s, "kubectl exec ping-1 -- hostname"), "ping-1\n");
    assert_eq!(
        ok(&mut s, "kubectl exec ping-1 -- cat /etc/resolv.conf"),
        "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"
    );
    let env = ok(&mut s, "kubectl exec ping-1 -- env");
    assert!(env.contains("HOSTNAME=ping-1\n"), "{env}");
    assert!(
        env.contains("KUBERNETES_SERVICE_HOST=10.96.0.1\nKUBERNETES_SERVICE_PORT=443\n"),
        "{env}"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl exec ping-2 -c side -- sh -c 'echo hi there'"
        ),
        "hi there\n"
    );
    assert_eq!(ok(&mut s, "kubectl exec -it ping-1 -- echo x"), "x\n");
    // Network tools go to the hook, from the pod.
    s.hooks.network = |ctx, argv| {
        kubesim::cli::output::Output::ok(format!("{:?} {}\n", ctx.origin, argv.join(" ")))
    };
    assert_eq!(
        ok(&mut s, "kubectl exec ping-1 -- wget -qO- blue"),
        "Pod { namespace: \"default\", name: \"ping-1\", container: \"ping\" } wget -qO- blue\n"
    );
    assert!(fails(&mut s, "kubectl exec ping-1 -- consul members")
        .starts_with("error: kubesim does not simulate \"consul members\" inside containers"));
    assert_eq!(
        fails(&mut s, "kubectl exec ping-1 -c nope -- hostname"),
        "error: container nope not found in pod ping-1\n"
    );
    assert_eq!(fails(&mut s, "kubectl exec ping-1"), "error: you must specify at least one command for the container\nSee 'kubectl exec -h' for help and examples\n");
    assert!(fails(&mut s, "kubectl exec ping-1 hostname")
        .starts_with("error: exec [POD] [COMMAND] is not supported anymore."));
    ok(&mut s, "kubectl run pending --image=alpine");
    assert_eq!(
        fails(&mut s, "kubectl exec pending -- hostname"),
        "error: unable to upgrade connection: container not found (\"pending\")\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl exec nope -- hostname"),
        "Error from server (NotFound): pods \"nope\" not found\n"
    );
}

/// An eviction that removes the pod at once (the kubelet and the
/// eviction API together, for drain's words).
fn evict_now(world: &mut World, ns: &str, name: &str, _grace: Option<i64>) -> Result<(), ApiError> {
    world.store.get(kubesim::objects::Kind::Pod, ns, name)?;
    world.store.finalize_pod_deletion(ns, name);
    Ok(())
}

#[test]
fn cordon_uncordon_and_drain() {
    let mut s = with_pods();
    assert_eq!(ok(&mut s, "kubectl cordon node2"), "node/node2 cordoned\n");
    assert_eq!(
        ok(
            &mut s,
            "kubectl get node node2 -o jsonpath={.spec.unschedulable}"
        ),
        "true"
    );
    assert_eq!(
        ok(&mut s, "kubectl cordon node/node2"),
        "node/node2 already cordoned\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl uncordon node2"),
        "node/node2 uncordoned\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl uncordon node2"),
        "node/node2 already uncordoned\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl cordon -l kubernetes.io/hostname=node4"),
        "node/node4 cordoned\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl cordon node3 --dry-run=client"),
        "node/node3 cordoned (dry run)\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl cordon node9"),
        "Error from server (NotFound): nodes \"node9\" not found\n"
    );
    // drain refuses DaemonSet pods and pods without a controller.
    let o = run(&mut s, "kubectl drain node2");
    let cilium = ok(&mut s, "kubectl get pods -n kube-system --field-selector spec.nodeName=node2 -o name | grep cilium | cut -d/ -f2");
    let proxy = ok(&mut s, "kubectl get pods -n kube-system --field-selector spec.nodeName=node2 -o name | grep proxy | cut -d/ -f2");
    let ds = format!(
        "kube-system/{}, kube-system/{}",
        cilium.trim(),
        proxy.trim()
    );
    assert_eq!(o.stdout, "node/node2 cordoned\n");
    assert_eq!(
        o.stderr,
        format!("error: unable to drain node \"node2\" due to error: [cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): {ds}, cannot delete Pods that declare no controller (use --force to override): default/ping-1], continuing command...\nThere are pending nodes to be drained:\n node2\ncannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): {ds}\ncannot delete Pods that declare no controller (use --force to override): default/ping-1\n")
    );
    assert_eq!(o.code, 1);
    // With the flags: warnings, evictions, and the pods gone.
    s.hooks.evict = evict_now;
    let o = run(
        &mut s,
        "kubectl drain node2 --ignore-daemonsets --force --delete-emptydir-data",
    );
    assert_eq!(o.code, 0, "{o:?}");
    assert_eq!(o.stdout, "node/node2 already cordoned\nevicting pod default/ping-1\npod/ping-1 evicted\nnode/node2 drained\n");
    assert_eq!(o.stderr, format!("Warning: deleting Pods that declare no controller: default/ping-1; ignoring DaemonSet-managed Pods: {ds}\n"));
    assert_eq!(
        ok(
            &mut s,
            "kubectl drain node3 --ignore-daemonsets --force --dry-run=client | tail -2"
        ),
        "evicting pod default/ping-2 (dry run)\nnode/node3 drained (dry run)\n"
    );
    // An eviction that never completes meets --timeout.
    s.hooks.evict = kubesim::cli::hooks::delete_for_eviction;
    let o = run(
        &mut s,
        "kubectl drain node3 --ignore-daemonsets --force --timeout=5s",
    );
    assert!(o.stderr.contains("error: unable to drain node \"node3\" due to error: error when waiting for pod \"ping-2\" in namespace \"default\" to terminate: global timeout reached: 5s, continuing command..."), "{o:?}");
}

#[test]
fn drain_retries_evictions_a_disruption_budget_refuses() {
    // drain.go evictPods: a 429 from the eviction API is retried every 5 s
    // ("evicting pod" again each time) until --timeout.
    let mut s = session();
    ok(
        &mut s,
        "kubectl create deployment web --image=nginx && kubectl create pdb web --selector=app=web --min-available=1",
    );
    ok(&mut s, "sim until deploy/web available");
    let pod = ok(
        &mut s,
        "kubectl get pods -l app=web -o jsonpath={.items[0].metadata.name}",
    );
    let node = ok(
        &mut s,
        "kubectl get pods -l app=web -o jsonpath={.items[0].spec.nodeName}",
    );
    let o = run(
        &mut s,
        &format!("kubectl drain {node} --ignore-daemonsets --timeout=12s --pod-selector=app=web"),
    );
    assert_eq!(o.code, 1);
    let refused = format!("error when evicting pods/\"{pod}\" -n \"default\" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.\n");
    assert_eq!(
        o.stdout,
        format!(
            "node/{node} cordoned\n{}",
            format!("evicting pod default/{pod}\n").repeat(3)
        )
    );
    assert!(o.stderr.contains(&refused.repeat(3)), "{}", o.stderr);
    assert!(o.stderr.ends_with(&format!("There are pending nodes to be drained:\n {node}\nerror when evicting pods/\"{pod}\" -n \"default\": global timeout reached: 12s\n")), "{}", o.stderr);
    // Without the budget the eviction goes through.
    ok(&mut s, "kubectl delete pdb web");
    let o = run(
        &mut s,
        &format!("kubectl drain {node} --ignore-daemonsets --pod-selector=app=web"),
    );
    assert_eq!(
        o.stdout,
        format!("node/{node} already cordoned\nevicting pod default/{pod}\npod/{pod} evicted\nnode/{node} drained\n")
    );
    // Several nodes; a missing one stops the command before any change.
    assert_eq!(
        fails(&mut s, "kubectl uncordon node1 node9"),
        "Error from server (NotFound): nodes \"node9\" not found\n"
    );
    assert_eq!(
        ok(&mut s, &format!("kubectl uncordon {node} node1")),
        format!("node/{node} uncordoned\nnode/node1 already uncordoned\n")
    );
    assert_eq!(
        fails(&mut s, "kubectl cordon node1 -l x=y"),
        "error: error: cannot specify both a node name and a --selector option\nSee 'kubectl cordon -h' for help and examples\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl drain"),
        "error: USAGE: drain NODE [flags]\nSee 'kubectl drain -h' for help and examples\n"
    );
}

#[test]
fn taints() {
    let mut s = session();
    assert_eq!(
        ok(&mut s, "kubectl taint nodes node3 dedicated=foo:NoSchedule"),
        "node/node3 tainted\n"
    );
    assert_eq!(ok(&mut s, "kubectl get node node3 -o jsonpath='{.spec.taints[0].key}={.spec.taints[0].value}:{.spec.taints[0].effect}'"), "dedicated=foo:NoSchedule");
    assert_eq!(fails(&mut s, "kubectl taint nodes node3 dedicated=bar:NoSchedule"), "error: node node3 already has dedicated taint(s) with same effect(s) and --overwrite is false\n");
    assert_eq!(
        ok(
            &mut s,
            "kubectl taint nodes node3 dedicated=bar:NoSchedule --overwrite"
        ),
        "node/node3 modified\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl taint node/node3 gpu:NoExecute"),
        "node/node3 tainted\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl get node node3 -o jsonpath='{.spec.taints[1].timeAdded}'"
        ),
        "2026-11-23T09:00:00Z"
    );
    assert_eq!(
        ok(&mut s, "kubectl taint nodes node3 dedicated:NoSchedule-"),
        "node/node3 untainted\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl taint nodes node3 gpu-"),
        "node/node3 untainted\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl taint nodes node3 gpu-"),
        "error: taint \"gpu\" not found\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl taint nodes node3 a=b:Sometimes"),
        "error: invalid taint effect: Sometimes, unsupported taint effect\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl taint pods x a=b:NoSchedule"),
        "error: invalid resource type pods, only node types are supported\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl taint nodes --all spot=yes:PreferNoSchedule | wc -l"
        ),
        "4\n"
    );
    assert!(fails(&mut s, "kubectl taint nodes node3")
        .contains("at least one taint update is required"));
}

fn pod_usage(_w: &World, _ns: &str, name: &str) -> Option<Vec<(String, Usage)>> {
    Some(vec![(
        "c".into(),
        Usage {
            cpu_millis: if name == "ping-1" { 5 } else { 250 },
            memory_bytes: 64 * 1024 * 1024,
        },
    )])
}
fn node_usage(_w: &World, name: &str) -> Option<Usage> {
    Some(Usage {
        cpu_millis: if name == "node1" { 500 } else { 100 },
        memory_bytes: 1024 * 1024 * 1024,
    })
}

#[test]
fn top_uses_the_usage_hook() {
    let mut s = with_pods();
    // By default: the kubelet's usage model, as metrics-server serves it
    // after its next scrape (every 15s).
    ok(&mut s, "sim advance 15s");
    let nodes = ok(&mut s, "kubectl top nodes");
    assert!(
        nodes.starts_with("NAME    CPU(cores)   CPU(%)   MEMORY(bytes)   MEMORY(%)\nnode1   "),
        "{nodes}"
    );
    assert_eq!(nodes.lines().count(), 5, "{nodes}");
    let pods = ok(&mut s, "kubectl top pods --no-headers | awk '{print $1}'");
    assert_eq!(pods, "ping-1\nping-2\n");
    let containers = ok(
        &mut s,
        "kubectl top pod ping-2 --containers --no-headers | awk '{print $2}'",
    );
    assert_eq!(containers, "ping\nside\n");
    // Without metrics (no usage for anything).
    s.hooks.pod_usage = |_, _, _| None;
    s.hooks.node_usage = |_, _| None;
    assert_eq!(
        fails(&mut s, "kubectl top nodes"),
        "error: Metrics API not available\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl top pods"),
        "error: Metrics API not available\n"
    );
    // A usage source of the test's own: the CLI's arithmetic and layout.
    s.hooks.pod_usage = pod_usage;
    s.hooks.node_usage = node_usage;
    assert_eq!(
        ok(&mut s, "kubectl top nodes"),
        "NAME    CPU(cores)   CPU(%)   MEMORY(bytes)   MEMORY(%)\nnode1   500m         25%      1024Mi          25%\nnode2   100m         5%       1024Mi          25%\nnode3   100m         5%       1024Mi          25%\nnode4   100m         5%       1024Mi          25%\n"
    );
    assert_eq!(ok(&mut s, "kubectl top pods"), "NAME     CPU(cores)   MEMORY(bytes)\nping-1   5m           64Mi\nping-2   250m         64Mi\n");
    assert_eq!(
        ok(&mut s, "kubectl top pod --sort-by=cpu --no-headers"),
        "ping-2   250m   64Mi\nping-1   5m     64Mi\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl top pod ping-1 --containers"),
        "POD      NAME   CPU(cores)   MEMORY(bytes)\nping-1   c      5m           64Mi\n"
    );
    let all = ok(&mut s, "kubectl top pods -A");
    assert!(all.starts_with("NAMESPACE     NAME  "), "{all}");
    assert!(all.contains("\ndefault       ping-1 "), "{all}");
}

#[test]
fn auth_can_i_and_whoami() {
    let mut s = session();
    let o = run(&mut s, "kubectl auth can-i create pods");
    assert_eq!((o.stdout.as_str(), o.code), ("yes\n", 0));
    let o = run(&mut s, "kubectl auth can-i list nodes");
    assert_eq!(
        (o.stdout.as_str(), o.stderr.as_str()),
        (
            "yes\n",
            "Warning: resource 'nodes' is not namespace scoped\n"
        )
    );
    let o = run(&mut s, "kubectl auth can-i drink coffee");
    assert_eq!(o.stderr, "Warning: verb 'drink' is not a known verb\nWarning: the server doesn't have a resource type 'coffee'\n");
    assert_eq!(ok(&mut s, "kubectl auth can-i get /healthz"), "yes\n");
    // Another user: RBAC decides.
    let o = run(
        &mut s,
        "kubectl auth can-i list pods --as=system:serviceaccount:default:default",
    );
    assert_eq!((o.stdout.as_str(), o.code), ("no\n", 1));
    ok(
        &mut s,
        "kubectl create role reader --verb=get,list --resource=pods",
    );
    ok(
        &mut s,
        "kubectl create rolebinding read --role=reader --serviceaccount=default:default",
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl auth can-i list pods --as=system:serviceaccount:default:default"
        ),
        "yes\n"
    );
    assert_eq!(
        run(
            &mut s,
            "kubectl auth can-i delete pods --as=system:serviceaccount:default:default"
        )
        .code,
        1
    );
    assert_eq!(
        run(&mut s, "kubectl auth can-i list pods -q --as=alice").stdout,
        ""
    );
    assert!(ok(&mut s, "kubectl auth can-i --list").starts_with("Resources                                       Non-Resource URLs   Resource Names   Verbs\n*.*"));
    assert_eq!(ok(&mut s, "kubectl auth whoami"), "ATTRIBUTE   VALUE\nUsername    kubernetes-admin\nGroups      [kubeadm:cluster-admins system:authenticated]\n");
    assert!(fails(&mut s, "kubectl auth can-i").contains("you must specify two arguments"));
}

#[test]
fn wait_for_conditions() {
    let mut s = with_pods();
    assert_eq!(
        ok(&mut s, "kubectl wait pod/ping-1 --for=condition=Ready"),
        "pod/ping-1 condition met\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl wait pod ping-1 --for condition=ready=true"),
        "pod/ping-1 condition met\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl wait pod/ping-1 --for=jsonpath='{.status.phase}'=Running"
        ),
        "pod/ping-1 condition met\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl wait pods -l app=ping --for=jsonpath='{.spec.nodeName}'"
        ),
        "pod/ping-1 condition met\npod/ping-2 condition met\n"
    );
    // An image that cannot be pulled: never Ready.
    ok(&mut s, "kubectl run bad --image=alpine:doesnotexist");
    let t0 = s.world.now();
    assert_eq!(
        fails(
            &mut s,
            "kubectl wait pod/bad --for=condition=Ready --timeout=5s"
        ),
        "error: timed out waiting for the condition on pods/bad\n"
    );
    assert_eq!((s.world.now() - t0).as_secs(), 5);
    // A pod that becomes Ready while kubectl waits (virtual time passes).
    ok(&mut s, "kubectl run late --image=nginx");
    let t0 = s.world.now();
    assert_eq!(
        ok(&mut s, "kubectl wait pod/late --for=condition=Ready"),
        "pod/late condition met\n"
    );
    assert!(s.world.now() > t0);
    ok(&mut s, "kubectl delete pod ping-2 --force --grace-period=0");
    assert_eq!(
        ok(&mut s, "kubectl wait pod/ping-2 --for=delete"),
        "pod/ping-2 condition met\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl wait pod/nope --for=condition=Ready"),
        "Error from server (NotFound): pods \"nope\" not found\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl wait pods -l app=nope --for=delete"),
        "error: no matching resources found\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl wait pod/ping-1 --for=happy"),
        "error: unrecognized condition: \"happy\"\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl wait pod/ping-1"),
        "error: --for must be specified\n"
    );
}

#[test]
fn config_version_cluster_info() {
    let mut s = session();
    assert_eq!(
        ok(&mut s, "kubectl config current-context"),
        "kubernetes-admin@kubernetes\n"
    );
    assert_eq!(ok(&mut s, "kubectl config get-contexts"), "CURRENT   NAME                          CLUSTER      AUTHINFO           NAMESPACE\n*         kubernetes-admin@kubernetes   kubernetes   kubernetes-admin   \n");
    assert_eq!(
        ok(
            &mut s,
            "kubectl config set-context --current --namespace blue"
        ),
        "Context \"kubernetes-admin@kubernetes\" modified.\n"
    );
    assert_eq!(s.state.namespace, "blue");
    assert!(ok(&mut s, "kubectl config get-contexts").ends_with("kubernetes-admin   blue\n"));
    assert!(ok(&mut s, "kubectl config view").contains("    namespace: blue\n"));
    assert!(ok(
        &mut s,
        "kubectl config view --minify -o jsonpath='{.contexts[0].context.namespace}'"
    )
    .contains("blue"));
    assert_eq!(
        ok(&mut s, "kubectl config set-context dev --namespace=dev"),
        "Context \"dev\" created.\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl config use-context dev"),
        "Switched to context \"dev\".\n"
    );
    assert_eq!(s.state.namespace, "dev");
    assert_eq!(
        ok(
            &mut s,
            "kubectl config use-context kubernetes-admin@kubernetes"
        ),
        "Switched to context \"kubernetes-admin@kubernetes\".\n"
    );
    assert_eq!(s.state.namespace, "blue");
    assert_eq!(
        fails(&mut s, "kubectl config use-context nope"),
        "error: no context exists with the name: \"nope\"\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl config get-clusters"),
        "NAME\nkubernetes\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl config set-cluster kubernetes --server=https://1.2.3.4:6443"
        ),
        "Cluster \"kubernetes\" set.\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl version"),
        "Client Version: v1.33.1\nKustomize Version: v5.6.0\nServer Version: v1.33.5\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl version --client"),
        "Client Version: v1.33.1\nKustomize Version: v5.6.0\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl version -o json | jq -r .serverVersion.gitVersion"
        ),
        "v1.33.5\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl cluster-info"),
        "Kubernetes control plane is running at https://10.10.0.11:6443\nCoreDNS is running at https://10.10.0.11:6443/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy\n\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n"
    );
}

#[test]
fn discovery_commands() {
    let mut s = session();
    // The discovery the HTTP API serves (api::discovery), in kubectl's
    // layout: stable by group, core first.
    let r = ok(&mut s, "kubectl api-resources");
    let words = |l: &str| l.split_whitespace().collect::<Vec<_>>().join(" ");
    let lines: Vec<String> = r.lines().map(words).collect();
    assert_eq!(lines[0], "NAME SHORTNAMES APIVERSION NAMESPACED KIND");
    assert_eq!(lines[1], "configmaps cm v1 true ConfigMap");
    assert!(lines.contains(&"pods po v1 true Pod".to_string()), "{r}");
    assert!(
        lines.contains(&"deployments deploy apps/v1 true Deployment".to_string()),
        "{r}"
    );
    assert!(
        lines.contains(&"pods metrics.k8s.io/v1beta1 true PodMetrics".to_string()),
        "{r}"
    );
    // Columns are aligned: every KIND starts where the header's does.
    let kind_col = r.lines().next().unwrap().find("KIND").unwrap();
    assert!(
        r.lines()
            .all(|l| l[kind_col - 3..kind_col].trim().is_empty()),
        "{r}"
    );
    assert_eq!(ok(&mut s, "kubectl api-resources --api-group=apps -o name"), "controllerrevisions.apps\ndaemonsets.apps\ndeployments.apps\nreplicasets.apps\nstatefulsets.apps\n");
    assert!(ok(
        &mut s,
        "kubectl api-resources --namespaced=false --no-headers"
    )
    .lines()
    .all(|l| l.contains(" false ")));
    let h = ok(&mut s, "kubectl api-resources -o wide | head -1");
    assert!(
        h.starts_with("NAME ")
            && h.contains(" KIND ")
            && h.contains(" VERBS ")
            && h.ends_with(" CATEGORIES\n"),
        "{h}"
    );
    assert!(
        fails(&mut s, "kubectl api-resources -o yaml").contains("--output yaml is not available")
    );
    let v = ok(&mut s, "kubectl api-versions");
    assert!(
        v.starts_with("apps/v1\nauthorization.k8s.io/v1\nautoscaling/v2\nbatch/v1\n"),
        "{v}"
    );
    assert!(v.contains("\nmetrics.k8s.io/v1beta1\n"), "{v}");
    assert!(v.ends_with("storage.k8s.io/v1\nv1\n"), "{v}");
}

#[test]
fn explain_fields() {
    let mut s = session();
    insta::assert_snapshot!(
        "explain_deployment_spec_replicas",
        ok(&mut s, "kubectl explain deployment.spec.replicas")
    );
    insta::assert_snapshot!(
        "explain_pod_head",
        ok(&mut s, "kubectl explain pods | head -20")
    );
    insta::assert_snapshot!(
        "explain_node_recursive_head",
        ok(&mut s, "kubectl explain node --recursive | head -30")
    );
    let t = ok(&mut s, "kubectl explain svc.spec.ports");
    assert!(
        t.starts_with("KIND:       Service\nVERSION:    v1\n\nFIELD: ports <[]ServicePort>\n"),
        "{t}"
    );
    assert!(t.contains("\n  targetPort\t<IntOrString>\n"), "{t}");
    assert!(t.contains("\n  port\t<integer> -required-\n"), "{t}");
    assert_eq!(
        fails(&mut s, "kubectl explain pods.spec.nope"),
        "error: field \"nope\" does not exist\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl explain coffee"),
        "error: the server doesn't have a resource type \"coffee\"\n"
    );
    assert!(
        ok(&mut s, "kubectl explain deployments --api-version=apps/v1")
            .starts_with("GROUP:      apps\nKIND:       Deployment\n")
    );
}

#[test]
fn describe_objects() {
    // The describers are the printers' (tests/printers_*.rs); here: which
    // objects, in which order, separated how, with which errors.
    let mut s = with_pods();
    let d = ok(&mut s, "kubectl describe pod ping-1");
    assert!(
        d.starts_with("Name:             ping-1\nNamespace:        default\nPriority:         0\n"),
        "{d}"
    );
    assert!(d.contains("\nEvents:\n  Type    Reason "), "{d}");
    let d = ok(&mut s, "kubectl describe pod ping-1 --show-events=false");
    assert!(!d.contains("Events:"), "{d}");
    // Name prefixes match several objects; kubectl writes "\n\n" between.
    let d = ok(&mut s, "kubectl describe pods ping");
    assert_eq!(d.matches("Name:             ping-").count(), 2);
    assert!(d.contains("\n\n\nName:             ping-2\n"), "{d}");
    let d = ok(&mut s, "kubectl describe node/node1");
    assert!(
        d.starts_with("Name:               node1\nRoles:              control-plane\n"),
        "{d}"
    );
    let d = ok(&mut s, "kubectl describe deploy -A -l k8s-app=kube-dns");
    assert!(
        d.starts_with("Name:                   coredns\nNamespace:              kube-system\n"),
        "{d}"
    );
    assert!(d.ends_with("Events:          <none>\n"), "{d}");
    assert_eq!(
        fails(&mut s, "kubectl describe pod nope"),
        "Error from server (NotFound): pods \"nope\" not found\n"
    );
    assert_eq!(
        run(&mut s, "kubectl describe pods -l app=nope").stderr,
        "No resources found in default namespace.\n"
    );
    assert!(fails(&mut s, "kubectl describe")
        .starts_with("You must specify the type of resource to describe."));
}
