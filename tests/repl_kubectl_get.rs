//! `kubectl get`: selection, layout of several kinds (printers.md §3.3),
//! every `-o` format, `--sort-by`, `-w`/`--watch-only` in virtual time,
//! `--raw`, and kubectl's errors (`k8s.io/kubectl/pkg/cmd/get/get.go`).

mod repl_common;

use kubesim::controllers::{Action, Controller, Ctx, Enqueue};
use kubesim::objects::Object;
use kubesim::sim::store::{Store, WatchEvent, WatchEventType};
use repl_common::{fails, ok, run, write};
use std::time::Duration;

const PODS: &str = "apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: web-1, labels: {app: web, tier: front}}
  spec: {containers: [{name: nginx, image: nginx:1.27}]}
- apiVersion: v1
  kind: Pod
  metadata: {name: web-2, labels: {app: web}}
  spec: {containers: [{name: nginx, image: nginx:1.27}, {name: sidecar, image: busybox}]}
- apiVersion: v1
  kind: Pod
  metadata: {name: db, labels: {app: db}}
  spec: {containers: [{name: redis, image: redis}]}
";

fn with_pods() -> kubesim::cli::session::Session {
    let mut s = repl_common::session();
    write(&s, "pods.yaml", PODS);
    ok(&mut s, "kubectl apply -f pods.yaml");
    s
}

#[test]
fn kinds_short_names_and_type_name() {
    let mut s = with_pods();
    for w in ["po", "pod", "pods", "Pod"] {
        let o = run(&mut s, &format!("kubectl get {w} -o name"));
        assert_eq!(o.stdout, "pod/db\npod/web-1\npod/web-2\n", "{w}");
    }
    assert_eq!(
        ok(&mut s, "kubectl get pod/web-1 po/db -o name"),
        "pod/web-1\npod/db\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl get pods web-2 db -o name"),
        "pod/web-2\npod/db\n"
    );
    for (short, kind) in [
        ("deploy", "deployments"),
        ("rs", "replicasets"),
        ("ds", "daemonsets"),
        ("sts", "statefulsets"),
        ("svc", "services"),
        ("ep", "endpoints"),
        ("ns", "namespaces"),
        ("no", "nodes"),
        ("cm", "configmaps"),
        ("secret", "secrets"),
        ("pv", "persistentvolumes"),
        ("pvc", "persistentvolumeclaims"),
        ("sc", "storageclasses"),
        ("ing", "ingresses"),
        ("netpol", "networkpolicies"),
        ("job", "jobs"),
        ("cj", "cronjobs"),
        ("hpa", "horizontalpodautoscalers"),
        ("pc", "priorityclasses"),
        ("pdb", "poddisruptionbudgets"),
        ("sa", "serviceaccounts"),
        ("role", "roles"),
        ("rolebinding", "rolebindings"),
        ("clusterrole", "clusterroles"),
        ("clusterrolebinding", "clusterrolebindings"),
        ("ev", "events"),
    ] {
        let a = run(&mut s, &format!("kubectl get {short} -A -o name"));
        let b = run(&mut s, &format!("kubectl get {kind} -A -o name"));
        assert_eq!(a, b, "{short} = {kind}");
        assert_eq!(a.code, 0, "{short}: {a:?}");
    }
}

#[test]
fn errors_are_kubectls() {
    let mut s = with_pods();
    assert_eq!(
        fails(&mut s, "kubectl get pdos"),
        "error: the server doesn't have a resource type \"pdos\"\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl get endpoint x"),
        "error: the server doesn't have a resource type \"endpoint\"\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl get pod nope"),
        "Error from server (NotFound): pods \"nope\" not found\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl get deploy nope"),
        "Error from server (NotFound): deployments.apps \"nope\" not found\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl get pods --foo"),
        "error: unknown flag: --foo\nSee 'kubectl get --help' for usage.\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl get pods -z"),
        "error: unknown shorthand flag: 'z' in -z\nSee 'kubectl get --help' for usage.\n"
    );
    assert!(fails(&mut s, "kubectl get pods -o foo").starts_with("error: unable to match a printer suitable for the output format \"foo\", allowed formats are: custom-columns,custom-columns-file,go-template"));
    assert_eq!(
        fails(&mut s, "kubectl get pods -o go-template"),
        "error: template format specified but no template given\n"
    );
    assert!(fails(&mut s, "kubectl get pod web-1 pod/db")
        .starts_with("error: there is no need to specify a resource type as a separate argument"));
    // Some found, some not: the table and the error.
    let o = run(&mut s, "kubectl get pods db nope -o name");
    assert_eq!(o.stdout, "pod/db\n");
    assert_eq!(
        o.stderr,
        "Error from server (NotFound): pods \"nope\" not found\n"
    );
    assert_eq!(o.code, 1);
    assert_eq!(ok(&mut s, "kubectl get pod nope --ignore-not-found"), "");
    let o = run(&mut s, "kubectl get");
    assert!(o
        .stderr
        .starts_with("error: You must specify the type of resource to get."));
}

#[test]
fn empty_results_go_to_stderr() {
    let mut s = repl_common::session();
    let o = run(&mut s, "kubectl get pods");
    assert_eq!(
        (o.stdout.as_str(), o.stderr.as_str(), o.code),
        ("", "No resources found in default namespace.\n", 0)
    );
    assert_eq!(
        run(&mut s, "kubectl get pods -A -l x=y").stderr,
        "No resources found\n"
    );
    assert_eq!(
        run(&mut s, "kubectl get nodes -l x=y").stderr,
        "No resources found\n"
    );
    assert_eq!(
        run(&mut s, "kubectl get all -n kube-public").stderr,
        "No resources found in kube-public namespace.\n"
    );
}

#[test]
fn several_kinds_have_prefixes_and_blank_lines() {
    let mut s = with_pods();
    // printers.md §3.3: one table per kind, one blank line between tables.
    let out = ok(&mut s, "kubectl get pods,ns --no-headers -o wide");
    let blocks: Vec<&str> = out.split("\n\n").collect();
    assert_eq!(blocks.len(), 1, "no blank lines with --no-headers: {out}");
    let out = ok(&mut s, "kubectl get pods,ns");
    let blocks: Vec<&str> = out.split("\n\n").collect();
    assert_eq!(blocks.len(), 2, "{out}");
    assert!(blocks[0].starts_with("NAME        READY"), "{out}");
    assert!(blocks[0].contains("\npod/db "), "{out}");
    assert!(
        blocks[1].starts_with("NAME                        STATUS"),
        "{out}"
    );
    assert!(blocks[1].contains("namespace/default "), "{out}");
    // get all: the kind prefix even for one kind with objects.
    let out = ok(&mut s, "kubectl get all");
    assert!(out.contains("pod/web-1"), "{out}");
    assert!(out.contains("service/kubernetes"), "{out}");
    assert_eq!(
        ok(&mut s, "kubectl get pods --show-kind -o name"),
        "pod/db\npod/web-1\npod/web-2\n"
    );
    assert!(ok(&mut s, "kubectl get pods --show-kind").contains("\npod/db "));
    // -A: NAMESPACE first, not for cluster-scoped kinds.
    let out = ok(&mut s, "kubectl get pods,nodes -A");
    assert!(out.starts_with("NAMESPACE     NAME"), "{out}");
    assert!(out.contains("\nNAME         STATUS"), "{out}");
}

#[test]
fn label_and_field_selectors() {
    let mut s = with_pods();
    assert_eq!(
        ok(&mut s, "kubectl get pods -l app=web -o name"),
        "pod/web-1\npod/web-2\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl get pods --selector app!=web -o name"),
        "pod/db\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl get pods -l tier -o name"),
        "pod/web-1\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl get pods -l 'app in (db)' -o name"),
        "pod/db\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl get pods -l app=web,tier=front -o name"),
        "pod/web-1\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl get pods --field-selector metadata.name=db -o name"
        ),
        "pod/db\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl get pods -A --field-selector metadata.namespace=default -o name | wc -l"
        ),
        "3\n"
    );
    assert!(
        fails(&mut s, "kubectl get pods --field-selector spec.nope=x")
            .contains("field label not supported")
    );
    assert!(fails(&mut s, "kubectl get pods -l 'a in ('").starts_with("error: "));
}

#[test]
fn label_columns() {
    let mut s = with_pods();
    let out = ok(&mut s, "kubectl get pods --show-labels");
    assert!(out.lines().next().unwrap().ends_with("LABELS"));
    assert!(out.contains("app=web,tier=front"), "{out}");
    let out = ok(&mut s, "kubectl get pods -L app -L tier");
    assert!(out.lines().next().unwrap().ends_with("APP   TIER"), "{out}");
    let out = ok(&mut s, "kubectl get pods -L app,example.com/tier");
    assert!(out.lines().next().unwrap().ends_with("APP   TIER"), "{out}");
}

#[test]
fn yaml_json_and_name() {
    let mut s = with_pods();
    let y = ok(&mut s, "kubectl get pods -o yaml");
    assert!(
        y.starts_with("apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Pod\n"),
        "{y}"
    );
    assert!(
        y.ends_with("kind: List\nmetadata:\n  resourceVersion: \"\"\n"),
        "{y}"
    );
    // One named object prints bare.
    let y = ok(&mut s, "kubectl get pod db -o yaml");
    // apply recorded the last-applied configuration (sorted keys, empty
    // annotations, as kubectl's GetModifiedConfiguration encodes it).
    assert!(y.starts_with("apiVersion: v1\nkind: Pod\nmetadata:\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: |\n      {\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"annotations\":{},\"labels\":{\"app\":\"db\"},\"name\":\"db\",\"namespace\":\"default\"},\"spec\":{\"containers\":[{\"image\":\"redis\",\"name\":\"redis\"}]}}\n  creationTimestamp: \"2026-11-23T09:00:00Z\"\n"), "{y}");
    let j = ok(&mut s, "kubectl get pod db -o json");
    assert!(
        j.starts_with(
            "{\n    \"apiVersion\": \"v1\",\n    \"kind\": \"Pod\",\n    \"metadata\": {\n"
        ),
        "{j}"
    );
    let v: serde_json::Value = serde_json::from_str(&j).unwrap();
    assert_eq!(v["spec"]["containers"][0]["image"], "redis");
    let j = ok(&mut s, "kubectl get pods -o json");
    let v: serde_json::Value = serde_json::from_str(&j).unwrap();
    assert_eq!(v["kind"], "List");
    assert_eq!(v["items"].as_array().unwrap().len(), 3);
    assert_eq!(
        ok(&mut s, "kubectl get ns default -o name"),
        "namespace/default\n"
    );
}

#[test]
fn jsonpath_go_template_and_custom_columns() {
    let mut s = with_pods();
    assert_eq!(
        ok(
            &mut s,
            "kubectl get pods -o jsonpath='{.items[*].metadata.name}'"
        ),
        "db web-1 web-2"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl get pod web-2 -o jsonpath={.spec.containers[*].name}"
        ),
        "nginx sidecar"
    );
    assert_eq!(ok(&mut s, "kubectl get pods -o 'jsonpath={range .items[*]}{.metadata.name}{\"\\t\"}{.metadata.labels.app}{\"\\n\"}{end}'"), "db\tdb\nweb-1\tweb\nweb-2\tweb\n");
    assert_eq!(
        ok(
            &mut s,
            "kubectl get pod db -o jsonpath-as-json={.metadata.name}"
        ),
        "[\n    \"db\"\n]\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl get svc kubernetes -o go-template --template '{{.spec.clusterIP}}'"
        ),
        "10.96.0.1"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl get svc kubernetes -o go-template='{{ .spec.clusterIP }}'"
        ),
        "10.96.0.1"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl get pods -o go-template='{{range .items}}{{.metadata.name}} {{end}}'"
        ),
        "db web-1 web-2 "
    );
    assert_eq!(
        ok(&mut s, "kubectl get pods -o custom-columns=NAME:.metadata.name,IMAGES:.spec.containers[*].image,NODE:.spec.nodeNameX"),
        "NAME    IMAGES               NODE\ndb      redis                <none>\nweb-1   nginx:1.27           <none>\nweb-2   nginx:1.27,busybox   <none>\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl get pods -o custom-columns=N:.metadata.name --no-headers"
        ),
        "db\nweb-1\nweb-2\n"
    );
    write(&s, "t.tmpl", "{{.metadata.name}}!");
    assert_eq!(
        ok(&mut s, "kubectl get pod db -o go-template-file=t.tmpl"),
        "db!"
    );
    write(&s, "p.txt", "{.metadata.name}?");
    assert_eq!(
        ok(&mut s, "kubectl get pod db -o jsonpath-file=p.txt"),
        "db?"
    );
    write(
        &s,
        "cols.txt",
        "NAME APP\n.metadata.name .metadata.labels.app\n",
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl get pods -o custom-columns-file=cols.txt -l app=db"
        ),
        "NAME   APP\ndb     db\n"
    );
    assert!(fails(&mut s, "kubectl get pods -o custom-columns=NAME")
        .contains("expected <header>:<json-path-expr>"));
}

#[test]
fn sort_by() {
    let mut s = with_pods();
    ok(&mut s, "sleep 5; kubectl run aaa --image=nginx");
    assert_eq!(
        ok(&mut s, "kubectl get pods --sort-by=.metadata.name -o name"),
        "pod/aaa\npod/db\npod/web-1\npod/web-2\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl get pods --sort-by='{.metadata.creationTimestamp}' -o name | tail -1"
        ),
        "pod/aaa\n"
    );
    assert_eq!(ok(&mut s, "kubectl get pods --sort-by=.spec.containers[0].image -o custom-columns=I:.spec.containers[0].image --no-headers"), "nginx\nnginx:1.27\nnginx:1.27\nredis\n");
}

#[test]
fn get_from_files_and_raw() {
    let mut s = with_pods();
    assert_eq!(
        ok(&mut s, "kubectl get -f pods.yaml -o name"),
        "pod/web-1\npod/web-2\npod/db\n"
    );
    let r = ok(
        &mut s,
        "kubectl get --raw /api/v1 | jq -r '.resources[].name' | grep -c '^pods'",
    );
    assert_eq!(r, "9\n");
    let r = ok(
        &mut s,
        "kubectl get --raw /apis/apps/v1 | jq -r .groupVersion",
    );
    assert_eq!(r, "apps/v1\n");
    let r = ok(
        &mut s,
        "kubectl get --raw /api/v1/namespaces/default/pods | jq -r '.items[].metadata.name'",
    );
    assert_eq!(r, "db\nweb-1\nweb-2\n");
    assert_eq!(ok(&mut s, "kubectl get --raw /healthz"), "ok");
    assert_eq!(
        fails(&mut s, "kubectl get --raw /nope"),
        "Error from server (NotFound): the server could not find the requested resource\n"
    );
}

/// Relabels pod `web-1` every 3 s (a stand-in for controllers), so a
/// watch has changes to show.
struct Relabel {
    n: u32,
}

impl Controller for Relabel {
    fn name(&self) -> &'static str {
        "test-relabel"
    }
    fn on_change(&mut self, ev: &WatchEvent, _store: &Store, q: &mut Enqueue) {
        if ev.event_type == WatchEventType::Added
            && ev.object.meta().name.as_deref() == Some("web-1")
        {
            q.add_after("default/web-1", Duration::from_secs(3));
        }
    }
    fn reconcile(&mut self, _key: &str, ctx: &mut Ctx) -> Action {
        self.n += 1;
        let n = self.n;
        let _ =
            ctx.store
                .modify::<k8s_openapi::api::core::v1::Pod>("default", "web-1", false, |p| {
                    p.metadata
                        .labels
                        .get_or_insert_with(Default::default)
                        .insert("round".into(), n.to_string());
                });
        if n < 3 {
            Action::RequeueAfter(Duration::from_secs(3))
        } else {
            Action::AwaitChange
        }
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }
}

#[test]
fn watch_prints_changes_in_virtual_time() {
    let mut s = repl_common::session();
    s.world.add_controller(Box::new(Relabel { n: 0 }));
    write(&s, "pods.yaml", PODS);
    ok(&mut s, "kubectl apply -f pods.yaml");
    let t0 = s.world.now();
    let out = ok(
        &mut s,
        "kubectl get pods -l app=web -w --show-labels --request-timeout=10s",
    );
    // The initial list, then one row per watch event (the kubelet's status
    // updates and the relabels), each aligned with the widths printed so
    // far: a column only grows (RESTARTS at 8s).
    assert_eq!(
        out,
        "NAME    READY   STATUS              RESTARTS   AGE   LABELS\n\
         web-1   0/1     ContainerCreating   0          0s    app=web,tier=front\n\
         web-2   0/2     ContainerCreating   0          0s    app=web\n\
         web-1   0/1     ContainerCreating   0          1s    app=web,tier=front\n\
         web-2   0/2     ContainerCreating   0          1s    app=web\n\
         web-1   0/1     ContainerCreating   0          3s    app=web,round=1,tier=front\n\
         web-1   1/1     Running             0          3s    app=web,round=1,tier=front\n\
         web-2   1/2     ContainerCreating   0          3s    app=web\n\
         web-2   1/2     NotReady            0          3s    app=web\n\
         web-2   1/2     NotReady            0          4s    app=web\n\
         web-2   1/2     NotReady            1 (1s ago)   4s    app=web\n\
         web-2   1/2     CrashLoopBackOff    1 (1s ago)   5s    app=web\n\
         web-1   1/1     Running             0            6s    app=web,round=2,tier=front\n\
         web-1   1/1     Running             0            9s    app=web,round=3,tier=front\n"
    );
    assert_eq!((s.world.now() - t0).as_secs(), 10);
}

#[test]
fn watch_only_and_watch_events() {
    let mut s = repl_common::session();
    s.world.add_controller(Box::new(Relabel { n: 0 }));
    write(&s, "pods.yaml", PODS);
    ok(&mut s, "kubectl apply -f pods.yaml");
    let out = ok(
        &mut s,
        "kubectl get pod web-1 --watch-only --output-watch-events --request-timeout=4s",
    );
    assert_eq!(
        out,
        "EVENT      NAME    READY   STATUS              RESTARTS   AGE\n\
         MODIFIED   web-1   0/1     ContainerCreating   0          1s\n\
         MODIFIED   web-1   0/1     ContainerCreating   0          3s\n\
         MODIFIED   web-1   1/1     Running             0          3s\n"
    );
    let out = ok(
        &mut s,
        "kubectl get pod web-1 -w -o name --request-timeout=4s",
    );
    assert_eq!(out, "pod/web-1\npod/web-1\n");
    // Without --request-timeout a script watch stops after 30 s.
    let t0 = s.world.now();
    ok(&mut s, "kubectl get pod web-1 -w -o name");
    assert_eq!((s.world.now() - t0).as_secs(), 30);
    assert_eq!(
        fails(&mut s, "kubectl get pods,svc -w"),
        "error: watch is only supported on individual resources and resource collections, but 2 resources were found\n"
    );
}

#[test]
fn watch_of_the_workshop_deploy_line() {
    // `kubectl get deploy -w` (ourapponkube.md) prints the table then waits.
    let mut s = repl_common::session();
    ok(&mut s, "kubectl create deployment redis --image=redis");
    let out = ok(&mut s, "kubectl get deploy -w --request-timeout=2s");
    assert!(out.starts_with("NAME    "), "{out}");
    let _ = Object::Pod(Default::default());
}
