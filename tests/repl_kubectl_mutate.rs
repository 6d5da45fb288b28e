//! kubectl's verbs that change objects: label, annotate, scale,
//! autoscale, expose, set, patch, replace, apply, delete, edit, rollout —
//! what they send to the apiserver, their words (printers.md §5) and
//! errors.

mod repl_common;

use kubesim::cli::session::Session;
use kubesim::objects::Kind;
use kubesim::sim::store::WriteOptions;
use repl_common::{fails, ok, run, session, write};
use serde_json::json;

fn with_deploy() -> Session {
    let mut s = session();
    ok(
        &mut s,
        "kubectl create deployment web --image=nginx:1.27 --port=80",
    );
    s
}

#[test]
fn label_words_and_rules() {
    let mut s = with_deploy();
    assert_eq!(
        ok(&mut s, "kubectl label deployment web color=blue"),
        "deployment.apps/web labeled\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl label deployment web color=blue"),
        "deployment.apps/web not labeled\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl label deployment web color=red"),
        "error: 'color' already has a value (blue), and --overwrite is false\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl label deployment/web color=red --overwrite"),
        "deployment.apps/web labeled\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl label deployment web color- shape=round"),
        "deployment.apps/web label(s) changed\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl label deployment web shape-"),
        "deployment.apps/web unlabeled\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl label deployment web shape-"),
        "label \"shape\" not found.\ndeployment.apps/web not labeled\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl get deploy web --show-labels --no-headers | awk '{print $NF}'"
        ),
        "app=web\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl label deploy web x=y --dry-run=client"),
        "deployment.apps/web labeled (dry run)\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl label deploy web x=y -o name"),
        "deployment.apps/web\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl label deploy web --list"),
        "app=web\nx=y\n"
    );
    ok(
        &mut s,
        "kubectl run a --image=nginx; kubectl run b --image=nginx",
    );
    // --all: a, b and the deployment's pod (web-<hash>-<suffix>).
    assert_eq!(
        ok(
            &mut s,
            "kubectl label pods --all tier=front | grep -v '^pod/web-'"
        ),
        "pod/a labeled\npod/b labeled\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl get pods -l tier=front -o name | wc -l"),
        "3\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl label pods -l run=a tier=back --overwrite"),
        "pod/a labeled\n"
    );
    assert_eq!(fails(&mut s, "kubectl label pods a 'x=bad!value'"), "error: invalid label value: \"x=bad!value\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')\n");
    assert_eq!(fails(&mut s, "kubectl label pods a"), "error: at least one label update is required\nSee 'kubectl label -h' for help and examples\n");
    assert_eq!(
        fails(&mut s, "kubectl label pods a x=1 x-"),
        "error: can not both modify and remove a label in the same command\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl label x=1 pods a"),
        "error: all resources must be specified before label changes: pods\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl label pods nope x=1"),
        "Error from server (NotFound): pods \"nope\" not found\n"
    );
}

#[test]
fn annotate_words_and_rules() {
    let mut s = with_deploy();
    assert_eq!(
        ok(
            &mut s,
            "kubectl annotate deployment web kubernetes.io/change-cause=\"Just for fun\""
        ),
        "deployment.apps/web annotated\n"
    );
    assert_eq!(ok(&mut s, "kubectl get deploy web -o jsonpath='{.metadata.annotations.kubernetes\\.io/change-cause}'"), "Just for fun");
    // change-cause may always be overwritten; other keys need --overwrite.
    assert_eq!(
        ok(
            &mut s,
            "kubectl annotate deployment web kubernetes.io/change-cause=again"
        ),
        "deployment.apps/web annotated\n"
    );
    ok(&mut s, "kubectl annotate deployment web note=a=b");
    assert_eq!(
        ok(
            &mut s,
            "kubectl get deploy web -o jsonpath={.metadata.annotations.note}"
        ),
        "a=b"
    );
    assert_eq!(fails(&mut s, "kubectl annotate deployment web note=c"), "error: --overwrite is false but found the following declared annotation(s): 'note' already has a value (a=b)\n");
    assert_eq!(
        ok(&mut s, "kubectl annotate deployment web note=c --overwrite"),
        "deployment.apps/web annotated\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl annotate deployment web note-"),
        "deployment.apps/web annotated\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl annotate sc --all x=y -A 2>&1"),
        "No resources found\n"
    );
    // annotate.go prints "annotated" even when nothing changed.
    assert_eq!(
        ok(&mut s, "kubectl annotate deployment web note-"),
        "deployment.apps/web annotated\n"
    );
}

#[test]
fn scale_subresource() {
    let mut s = with_deploy();
    assert_eq!(
        ok(&mut s, "kubectl scale deployment web --replicas 3"),
        "deployment.apps/web scaled\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl get deploy web -o jsonpath={.spec.replicas}"
        ),
        "3"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl scale deployment/web --replicas=2 --current-replicas=3"
        ),
        "deployment.apps/web scaled\n"
    );
    assert_eq!(
        fails(
            &mut s,
            "kubectl scale deployment/web --replicas=2 --current-replicas=3"
        ),
        "error: Expected replicas to be 3, was 2\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl scale deploy web --replicas=5 --dry-run=client"
        ),
        "deployment.apps/web scaled (dry run)\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl get deploy web -o jsonpath={.spec.replicas}"
        ),
        "2"
    );
    // workshop.md 2.2: pods have no scale subresource.
    ok(&mut s, "kubectl run pingpong --image alpine");
    assert_eq!(
        fails(&mut s, "kubectl scale pod pingpong --replicas=3"),
        "Error from server (NotFound): the server could not find the requested resource\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl scale deploy nope --replicas=3"),
        // kubectl 1.33 (tests/kubectl_differential.rs compares the two).
        "error: no objects passed to scale deployments.apps \"nope\" not found\n"
    );
    assert_eq!(fails(&mut s, "kubectl scale deploy web"), "error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0\n");
    // --record: cobra's deprecation warning and the change-cause.
    let o = run(&mut s, "kubectl scale deployment web --replicas=3 --record");
    assert_eq!(
        o.stderr,
        "Flag --record has been deprecated, --record will be removed in the future\n"
    );
    assert_eq!(ok(&mut s, "kubectl get deploy web -o jsonpath='{.metadata.annotations.kubernetes\\.io/change-cause}'"), "kubectl scale deployment web --replicas=3 --record=true");
    // --timeout waits for status.replicas: the ReplicaSet controller
    // creates the pods at once...
    assert_eq!(
        ok(&mut s, "kubectl scale deploy web --replicas=4 --timeout=3s"),
        "deployment.apps/web scaled\n"
    );
    // ...unless a quota stops it (scale.go's ScaleCondition never holds).
    ok(&mut s, "kubectl create quota two --hard=pods=5");
    assert_eq!(
        fails(&mut s, "kubectl scale deploy web --replicas=9 --timeout=3s"),
        "error: timed out waiting for the condition\n"
    );
    ok(
        &mut s,
        "kubectl delete quota two && kubectl scale deploy web --replicas=3 --timeout=10s",
    );
    ok(&mut s, "kubectl create deployment other --image=nginx");
    assert_eq!(
        ok(&mut s, "kubectl scale deploy --all --replicas=0"),
        "deployment.apps/other scaled\ndeployment.apps/web scaled\n"
    );
}

#[test]
fn autoscale_creates_an_hpa() {
    let mut s = with_deploy();
    assert_eq!(
        ok(
            &mut s,
            "kubectl autoscale deployment web --min=2 --max=5 --cpu-percent=80"
        ),
        "horizontalpodautoscaler.autoscaling/web autoscaled\n"
    );
    let y = ok(
        &mut s,
        "kubectl autoscale deployment web --max=3 --name=web2 --dry-run=client -o yaml",
    );
    assert_eq!(y, "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  creationTimestamp: null\n  name: web2\nspec:\n  maxReplicas: 3\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: web\nstatus:\n  desiredReplicas: 0\n");
    assert_eq!(ok(&mut s, "kubectl get hpa web -o jsonpath='{.spec.metrics[0].resource.target.averageUtilization}'"), "80");
    assert_eq!(
        fails(&mut s, "kubectl autoscale deployment web"),
        "error: --max=MAXPODS is required and must be at least 1, max: -1\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl autoscale deployment web --min=5 --max=2"),
        "error: --max=MAXPODS must be larger or equal to --min=MINPODS, max: 2, min: 5\n"
    );
}

#[test]
fn expose_builds_kubectls_service() {
    let mut s = with_deploy();
    assert_eq!(
        ok(&mut s, "kubectl expose deployment web --port=80"),
        "service/web exposed\n"
    );
    let svc = ok(&mut s, "kubectl get svc web -o json | jq -c '{labels: .metadata.labels, selector: .spec.selector, ports: .spec.ports}'");
    assert_eq!(svc, "{\"labels\":{\"app\":\"web\"},\"selector\":{\"app\":\"web\"},\"ports\":[{\"port\":80,\"protocol\":\"TCP\",\"targetPort\":80}]}\n");
    // Ports from the pod template when --port is absent; --type, --name, --target-port.
    assert_eq!(ok(&mut s, "kubectl expose deploy/web --type=NodePort --name=webui --target-port=8080 -o jsonpath='{.spec.type} {.spec.ports[0].port}->{.spec.ports[0].targetPort}'"), "NodePort 80->8080");
    assert_eq!(ok(&mut s, "kubectl expose deploy web --port 9200 --name=elastic --external-ip=1.2.3.4 -o jsonpath={.spec.externalIPs[0]}"), "1.2.3.4");
    ok(&mut s, "kubectl run solo --image=nginx");
    assert_eq!(ok(&mut s, "kubectl expose pod solo --port=80 --selector=run=solo -o jsonpath={.spec.selector.run}"), "solo");
    assert_eq!(ok(&mut s, "kubectl expose svc web --name=web-copy --port=8080 -o jsonpath={.spec.ports[0].targetPort}"), "8080");
    assert_eq!(
        fails(&mut s, "kubectl expose deployment web --port=80"),
        "Error from server (AlreadyExists): services \"web\" already exists\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl expose deployment nope --port=80"),
        "Error from server (NotFound): deployments.apps \"nope\" not found\n"
    );
    assert_eq!(fails(&mut s, "kubectl expose pod solo --name=x"), "error: couldn't find port via --port flag or introspection\nSee 'kubectl expose -h' for help and examples\n");
    assert_eq!(
        fails(
            &mut s,
            "kubectl expose configmap kube-root-ca.crt --port=80"
        ),
        "error: cannot expose a ConfigMap\n"
    );
    assert_eq!(
        fails(
            &mut s,
            "kubectl expose deploy web --port=80 --name=t --type=Weird"
        ),
        "error: invalid service type: Weird\n"
    );
}

#[test]
fn set_image_env_resources() {
    let mut s = with_deploy();
    assert_eq!(
        ok(&mut s, "kubectl set image deployment web nginx=nginx:1.28"),
        "deployment.apps/web image updated\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl get deploy web -o jsonpath={.spec.template.spec.containers[0].image}"
        ),
        "nginx:1.28"
    );
    // No change: kubectl prints nothing.
    assert_eq!(
        ok(&mut s, "kubectl set image deployment web nginx=nginx:1.28"),
        ""
    );
    assert_eq!(
        ok(&mut s, "kubectl set image deploy/web '*=nginx:1.29'"),
        "deployment.apps/web image updated\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl set image deployment web nope=x"),
        "error: unable to find container named \"nope\"\n"
    );
    assert_eq!(fails(&mut s, "kubectl set image deployment web"), "error: at least one image update is required\nSee 'kubectl set image -h' for help and examples\n");
    assert_eq!(
        ok(&mut s, "kubectl set env deployment/web A=1 B=2"),
        "deployment.apps/web env updated\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl set env deployment/web B-"),
        "deployment.apps/web env updated\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl set env deployment/web --list"),
        "# Deployment web, container nginx\nA=1\n"
    );
    ok(
        &mut s,
        "kubectl create configmap cfg --from-literal=log.level=debug",
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl set env deployment/web --from=configmap/cfg --prefix=APP_"
        ),
        "deployment.apps/web env updated\n"
    );
    assert_eq!(ok(&mut s, "kubectl set env deployment/web --list"), "# Deployment web, container nginx\nA=1\n# APP_LOG_LEVEL from configmap cfg, key log.level\n");
    assert_eq!(ok(&mut s, "kubectl set resources deployment web --limits=cpu=200m,memory=512Mi --requests=cpu=100m"), "deployment.apps/web resource requirements updated\n");
    assert_eq!(ok(&mut s, "kubectl get deploy web -o jsonpath='{.spec.template.spec.containers[0].resources}'"), "{\"limits\":{\"cpu\":\"200m\",\"memory\":\"512Mi\"},\"requests\":{\"cpu\":\"100m\",\"memory\":\"512Mi\"}}");
    assert_eq!(fails(&mut s, "kubectl set resources deployment web"), "error: you must specify an update to requests or limits (in the form of --requests/--limits)\n");
    // (The apiserver defaults requests to limits: memory 512Mi.)
    // --record on set image (record.md).
    let o = run(
        &mut s,
        "kubectl set image deployment web nginx=nginx:1.27 --record",
    );
    assert_eq!(o.stdout, "deployment.apps/web image updated\n");
    assert_eq!(ok(&mut s, "kubectl get deploy web -o jsonpath='{.metadata.annotations.kubernetes\\.io/change-cause}'"), "kubectl set image deployment web nginx=nginx:1.27 --record=true");
}

#[test]
fn patch_types() {
    let mut s = with_deploy();
    assert_eq!(
        ok(
            &mut s,
            "kubectl patch deployment web -p '{\"spec\":{\"replicas\":4}}'"
        ),
        "deployment.apps/web patched\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl patch deployment web -p '{\"spec\":{\"replicas\":4}}'"
        ),
        "deployment.apps/web patched (no change)\n"
    );
    // YAML patches, strategic merge of containers by name (secrets.md).
    ok(&mut s, "kubectl patch deploy web --patch='spec:\n  template:\n    spec:\n      imagePullSecrets: [{name: enix}]\n      containers: [{name: nginx, image: nginx:1.26}]'");
    assert_eq!(ok(&mut s, "kubectl get deploy web -o jsonpath='{.spec.template.spec.imagePullSecrets[0].name} {.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].ports[0].containerPort}'"), "enix nginx:1.26 80");
    assert_eq!(ok(&mut s, "kubectl patch deployment web --type=merge -p '{\"metadata\":{\"labels\":{\"x\":\"y\"}}}'"), "deployment.apps/web patched\n");
    assert_eq!(ok(&mut s, "kubectl patch deployment web --type=json -p '[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":2}]'"), "deployment.apps/web patched\n");
    assert_eq!(
        ok(
            &mut s,
            "kubectl get deploy web -o jsonpath={.spec.replicas}"
        ),
        "2"
    );
    write(&s, "p.yaml", "spec:\n  replicas: 6\n");
    assert_eq!(
        ok(
            &mut s,
            "kubectl patch deployment web --patch-file=p.yaml --dry-run=server"
        ),
        "deployment.apps/web patched (server dry run)\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl get deploy web -o jsonpath={.spec.replicas}"
        ),
        "2"
    );
    assert_eq!(
        fails(&mut s, "kubectl patch deployment web --type=weird -p '{}'"),
        "error: --type must be one of [json merge strategic], not \"weird\"\n"
    );
    assert!(fails(&mut s, "kubectl patch deployment web")
        .contains("must specify --patch or --patch-file"));
    assert_eq!(
        fails(&mut s, "kubectl patch deployment nope -p '{}'"),
        "Error from server (NotFound): deployments.apps \"nope\" not found\n"
    );
}

#[test]
fn replace_and_apply() {
    let mut s = with_deploy();
    ok(&mut s, "kubectl get deploy web -o yaml > web.yaml");
    ok(&mut s, "sed -i 's/replicas: 1/replicas: 7/' web.yaml");
    assert_eq!(
        ok(&mut s, "kubectl replace -f web.yaml"),
        "deployment.apps/web replaced\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl get deploy web -o jsonpath={.spec.replicas}"
        ),
        "7"
    );
    // The file's resourceVersion is now stale: a conflict.
    assert!(fails(&mut s, "kubectl replace -f web.yaml").starts_with("Error from server (Conflict): error when replacing \"web.yaml\": Operation cannot be fulfilled on deployments.apps \"web\""));
    assert_eq!(
        ok(&mut s, "kubectl replace -f web.yaml --force"),
        "deployment.apps \"web\" deleted\ndeployment.apps/web replaced\n"
    );
    ok(
        &mut s,
        "kubectl create deployment gone --image=nginx --dry-run=client -o yaml > gone.yaml",
    );
    assert_eq!(fails(&mut s, "kubectl replace -f gone.yaml"), "Error from server (NotFound): error when replacing \"gone.yaml\": deployments.apps \"gone\" not found\n");
    // apply: created, configured, unchanged; --server-side; --dry-run.
    assert_eq!(
        ok(&mut s, "kubectl apply -f gone.yaml"),
        "deployment.apps/gone created\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl apply -f gone.yaml"),
        "deployment.apps/gone unchanged\n"
    );
    ok(&mut s, "sed -i 's/replicas: 1/replicas: 2/' gone.yaml");
    assert_eq!(
        ok(&mut s, "kubectl apply -f gone.yaml --dry-run=client"),
        "deployment.apps/gone configured (dry run)\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl apply -f gone.yaml"),
        "deployment.apps/gone configured\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl apply -f gone.yaml --server-side"),
        "deployment.apps/gone serverside-applied\n"
    );
}

#[test]
fn delete_words() {
    let mut s = with_deploy();
    ok(
        &mut s,
        "kubectl run a --image=nginx; kubectl run b --image=nginx --labels=x=y",
    );
    assert_eq!(
        ok(&mut s, "kubectl delete deployment web"),
        "deployment.apps \"web\" deleted\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl delete pod -l x=y --wait=false"),
        "pod \"b\" deleted\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl delete pod -l x=nope"),
        "No resources found\n"
    );
    let o = run(&mut s, "kubectl delete pod a --grace-period=0 --force");
    assert_eq!(o.stderr, "Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n");
    assert_eq!(o.stdout, "pod \"a\" force deleted\n");
    assert_eq!(
        ok(&mut s, "kubectl delete ns default --dry-run=client"),
        "namespace \"default\" deleted (dry run)\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl delete pods"),
        "error: resource(s) were provided, but no name was specified\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl delete pod nope"),
        "Error from server (NotFound): pods \"nope\" not found\n"
    );
    assert_eq!(ok(&mut s, "kubectl delete pod nope --ignore-not-found"), "");
    assert_eq!(fails(&mut s, "kubectl delete pod x --cascade=sideways"), "error: invalid cascade value (sideways). Must be \"background\", \"foreground\", or \"orphan\".\n");
}

#[test]
fn edit_needs_a_terminal() {
    let mut s = with_deploy();
    assert_eq!(fails(&mut s, "kubectl edit deployment web"), "error: kubesim edits only in the interactive shell (kubectl patch, kubectl apply or kubectl replace do the same in scripts)\n");
    assert_eq!(fails(&mut s, "kubectl edit deployment nope"), "error: kubesim edits only in the interactive shell (kubectl patch, kubectl apply or kubectl replace do the same in scripts)\n");
}

/// A ReplicaSet of `web` at `revision` with `image`, as the deployment
/// controller makes them (`pod-template-hash`, revision annotation,
/// controller ownerReference).
fn add_revision(s: &mut Session, revision: i64, image: &str, cause: Option<&str>) {
    let uid = s
        .world
        .store
        .get(Kind::Deployment, "default", "web")
        .unwrap()
        .meta()
        .uid
        .clone()
        .unwrap();
    let hash = format!("{:x}", 0x5d6b9c8f00u64 + revision as u64);
    let mut ann = json!({"deployment.kubernetes.io/revision": revision.to_string()});
    if let Some(c) = cause {
        ann["kubernetes.io/change-cause"] = json!(c);
    }
    let rs = json!({
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": format!("web-{hash}"), "namespace": "default", "annotations": ann,
                     "labels": {"app": "web", "pod-template-hash": hash},
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": uid, "controller": true}]},
        "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "web", "pod-template-hash": hash}},
                 "template": {"metadata": {"labels": {"app": "web", "pod-template-hash": hash}},
                              "spec": {"containers": [{"name": "nginx", "image": image, "ports": [{"containerPort": 80}]}]}}}
    });
    let obj = kubesim::objects::manifest::decode_object(rs, false).unwrap();
    s.world.store.create(obj, &WriteOptions::default()).unwrap();
}

#[test]
fn rollout_history_undo_pause_resume_restart() {
    let mut s = with_deploy();
    add_revision(&mut s, 1, "nginx:1.27", None);
    add_revision(
        &mut s,
        2,
        "nginx:1.28",
        Some("kubectl set image deployment web nginx=nginx:1.28 --record=true"),
    );
    ok(&mut s, "kubectl set image deploy web nginx=nginx:1.28");
    assert_eq!(
        ok(&mut s, "kubectl rollout history deployment web"),
        "deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n2         kubectl set image deployment web nginx=nginx:1.28 --record=true\n\n"
    );
    let h = ok(
        &mut s,
        "kubectl rollout history deployment/web --revision=1",
    );
    // history.go printTemplate: DescribePodTemplate through a bare
    // PrefixWriter (no tab writer), the ReplicaSet's template with its
    // pod-template-hash label.
    assert!(
        h.starts_with(
            "deployment.apps/web with revision #1\nPod Template:\n  Labels:\tapp=web\n\tpod-template-hash="
        ),
        "{h}"
    );
    assert!(
        h.contains("    Image:\tnginx:1.27\n    Port:\t80/TCP\n    Host Port:\t0/TCP\n"),
        "{h}"
    );
    // Undo: back to the previous revision's template (json-patch), or skip.
    assert_eq!(
        ok(&mut s, "kubectl rollout undo deployment web"),
        "deployment.apps/web rolled back\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl get deploy web -o jsonpath={.spec.template.spec.containers[0].image}"
        ),
        "nginx:1.27"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl rollout undo deployment web --to-revision=1"
        ),
        "deployment.apps/web skipped rollback (current template already matches revision 1)\n"
    );
    assert_eq!(
        fails(
            &mut s,
            "kubectl rollout undo deployment web --to-revision=9"
        ),
        "error: unable to find specified revision 9 in history\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl rollout pause deployment web"),
        "deployment.apps/web paused\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl rollout pause deployment web"),
        "deployment.apps/web already paused\n"
    );
    assert_eq!(fails(&mut s, "kubectl rollout undo deployment web"), "error: you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again\n");
    assert_eq!(fails(&mut s, "kubectl rollout restart deployment web"), "error: deployments.apps \"web\" can't restart paused deployment (run rollout resume first)\n");
    assert_eq!(
        ok(&mut s, "kubectl rollout resume deployment web"),
        "deployment.apps/web resumed\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl rollout resume deployment web"),
        "deployment.apps/web already resumed\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl rollout restart deployment web"),
        "deployment.apps/web restarted\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl get deploy web -o jsonpath='{.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}'"),
        "2026-11-23T09:00:00Z"
    );
    assert_eq!(
        fails(&mut s, "kubectl rollout pause ds kube-proxy -n kube-system"),
        "error: daemonsets.apps \"kube-proxy\" pausing is not supported\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl rollout status svc kubernetes"),
        "error: no status viewer has been implemented for Service\n"
    );
    assert!(ok(&mut s, "kubectl rollout")
        .contains("\nAvailable Commands:\n  history   View rollout history\n"));
    assert_eq!(fails(&mut s, "kubectl rollout stauts deploy/web"), "error: unknown command \"stauts\" for \"kubectl rollout\"\n\nDid you mean this?\n\tstatus\n");
}

#[test]
fn rollout_status_prints_each_change() {
    // rollout_status.go prints the status line on every watch event of the
    // object (so a line repeats when other status fields changed) until
    // the rollout is complete, in virtual time, with the real controllers.
    let mut s = session();
    let text = "\
kubectl create deployment web --image=nginx --replicas=3
kubectl rollout status deployment web
kubectl set image deploy/web nginx=nginx:1.27
kubectl rollout status deploy/web
kubectl set image deploy/web nginx=nginx:doesnotexist
kubectl rollout status deploy/web --timeout=20s
kubectl rollout status deploy/web --watch=false
kubectl rollout status deploy/web --revision=9
kubectl rollout status deploy/web --revision=3 --watch=false
kubectl rollout undo deploy/web
kubectl rollout status deploy/web
";
    let (t, code) = kubesim::cli::script::run(&mut s, text, true);
    assert_eq!(code, 1);
    insta::assert_snapshot!("rollout_status", t);
}
