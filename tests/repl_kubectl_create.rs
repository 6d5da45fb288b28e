//! `kubectl create SUBCOMMAND` and `kubectl run`: the objects kubectl's
//! generators build (`k8s.io/kubectl/pkg/cmd/create/create_*.go`,
//! `cmd/run/run.go`), their `--dry-run=client -o yaml` text, the words of
//! success and the errors.

mod repl_common;

use kubesim::cli::script;
use repl_common::{fails, ok, run, session, write};

/// Every generator's dry-run YAML, in one transcript snapshot.
#[test]
fn dry_run_yaml_of_every_generator() {
    let mut s = session();
    write(&s, "haproxy.cfg", "global\n  daemon\n");
    write(&s, "app.env", "# comment\nMODE=prod\nLEVEL=3\n");
    write(
        &s,
        "tls.crt",
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    );
    write(
        &s,
        "tls.key",
        "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n",
    );
    let lines = [
        "kubectl create deployment purple --image=jpetazzo/color -o yaml --dry-run=client",
        "kubectl create deployment web --image=nginx:1.27 --replicas=3 --port=80 -n prod --dry-run=client -o yaml",
        "kubectl create deployment pingpong --image=alpine --dry-run=client -o yaml -- ping 127.0.0.1",
        "kubectl create deployment multi --image=redis --image=registry.k8s.io/pause:3.10 --dry-run=client -o yaml",
        "kubectl create job flipcoin --image=alpine --dry-run=client -o yaml -- sh -c 'exit $(($RANDOM%2))'",
        "kubectl create cronjob every3mins --schedule=\"*/3 * * * *\" --image=alpine --dry-run=client -o yaml -- sleep 10",
        "kubectl create service clusterip purple --tcp 80 -o yaml --dry-run=client",
        "kubectl create service nodeport web --tcp=80:8080 --node-port=30080 -o yaml --dry-run=client",
        "kubectl create service loadbalancer lb --tcp=443:https -o yaml --dry-run=client",
        "kubectl create service externalname k8s --external-name kubernetes.io -o yaml --dry-run=client",
        "kubectl create namespace blue --dry-run=client -o yaml",
        "kubectl create configmap registry --from-literal=http.addr=0.0.0.0:80 --dry-run=client -o yaml",
        "kubectl create configmap haproxy --from-file=haproxy.cfg --from-env-file=app.env --dry-run=client -o yaml",
        "kubectl create secret generic db --from-literal=password=s3cr3t --dry-run=client -o yaml",
        "kubectl create secret tls web-tls --cert=tls.crt --key=tls.key --dry-run=client -o yaml",
        "kubectl create secret docker-registry enix --docker-server=docker-registry.enix.io --docker-username=reader --docker-password=hunter2 --dry-run=client -o yaml",
        "kubectl create serviceaccount bot --dry-run=client -o yaml",
        "kubectl create role pod-reader --verb=get,list --verb=watch --resource=pods,deployments.apps --resource=pods/log --dry-run=client -o yaml",
        "kubectl create clusterrole node-reader --verb=get --resource=nodes --non-resource-url=/healthz --dry-run=client -o yaml",
        "kubectl create rolebinding can-view --clusterrole=view --serviceaccount=default:default --user=alice --group=devs --dry-run=client -o yaml",
        "kubectl create clusterrolebinding admins --clusterrole=cluster-admin --user=bob --dry-run=client -o yaml",
        "kubectl create ingress exact-route --rule=/blue=blue:80 -o yaml --dry-run=client",
        "kubectl create ingress rgb --rule=/red*=red:80 --rule=/green*=green:80 --rule=blue.test/*=blue:http,tls=blue-tls --class=traefik -o yaml --dry-run=client",
        "kubectl create priorityclass high --value=1000 --description='important pods' --dry-run=client -o yaml",
        "kubectl create quota q --hard=cpu=1,memory=1G,pods=2 --dry-run=client -o yaml",
        "kubectl create pdb web --selector=app=web --min-available=2 --dry-run=client -o yaml",
        "kubectl run --dry-run=client -o yaml purple --image=jpetazzo/color",
        "kubectl run web --image=nginx --port=80 --labels=app=web,tier=front --env=A=1 --restart=Never --dry-run=client -o yaml -- nginx -g 'daemon off;'",
        "kubectl run shell --image=alpine -it --rm --command --dry-run=client -o yaml -- sh",
    ];
    let (t, code) = script::run(&mut s, &lines.join("\n"), false);
    assert_eq!(code, 0, "{t}");
    insta::assert_snapshot!("dry_run_generators", t);
}

#[test]
fn created_words_and_objects() {
    let mut s = session();
    assert_eq!(
        ok(
            &mut s,
            "kubectl create deployment pingpong --image=alpine -- ping 127.0.0.1"
        ),
        "deployment.apps/pingpong created\n"
    );
    let c = ok(
        &mut s,
        "kubectl get deploy pingpong -o jsonpath='{.spec.template.spec.containers[0].command}'",
    );
    assert_eq!(c, "[\"ping\",\"127.0.0.1\"]");
    assert_eq!(
        ok(&mut s, "kubectl create namespace blue"),
        "namespace/blue created\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl create deployment purple --image jpetazzo/color --namespace blue"
        ),
        "deployment.apps/purple created\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl get deploy -n blue -o name"),
        "deployment.apps/purple\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl create job flipcoin --image=alpine -- sh -c 'exit 0'"
        ),
        "job.batch/flipcoin created\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl create cronjob every3mins --schedule='*/3 * * * *' --image=alpine -- sleep 10"
        ),
        "cronjob.batch/every3mins created\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl create job manual --from=cronjob/every3mins"
        ),
        "job.batch/manual created\n"
    );
    assert_eq!(ok(&mut s, "kubectl get job manual -o jsonpath='{.metadata.annotations.cronjob\\.kubernetes\\.io/instantiate} {.metadata.ownerReferences[0].kind}'"), "manual CronJob");
    assert_eq!(
        ok(&mut s, "kubectl create service clusterip purple --tcp 80"),
        "service/purple created\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl create configmap registry --from-literal=http.addr=0.0.0.0:80"
        ),
        "configmap/registry created\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl create secret generic db --from-literal=password=s3cr3t"
        ),
        "secret/db created\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl get secret db -o jsonpath={.data.password} | base64 -d"
        ),
        "s3cr3t"
    );
    assert_eq!(
        ok(&mut s, "kubectl create serviceaccount bot"),
        "serviceaccount/bot created\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl create role pod-reader --verb=get --resource=pods"
        ),
        "role.rbac.authorization.k8s.io/pod-reader created\n"
    );
    assert_eq!(ok(&mut s, "kubectl create rolebinding can-view --clusterrole=view --serviceaccount=default:default"), "rolebinding.rbac.authorization.k8s.io/can-view created\n");
    assert_eq!(
        ok(
            &mut s,
            "kubectl create clusterrole r --verb=get --resource=nodes"
        ),
        "clusterrole.rbac.authorization.k8s.io/r created\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl create clusterrolebinding rb --clusterrole=r --user=alice"
        ),
        "clusterrolebinding.rbac.authorization.k8s.io/rb created\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl create ingress blue --rule=/blue=blue:80"),
        "ingress.networking.k8s.io/blue created\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl create priorityclass high --value=1000"),
        "priorityclass.scheduling.k8s.io/high created\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl create quota q --hard=pods=2"),
        "resourcequota/q created\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl create pdb p --selector=app=web --max-unavailable=1"
        ),
        "poddisruptionbudget.policy/p created\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl create deployment x --image=nginx --dry-run=server"
        ),
        "deployment.apps/x created (server dry run)\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl create deployment x --image=nginx --dry-run=client"
        ),
        "deployment.apps/x created (dry run)\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl create deployment x --image=nginx -o name"),
        "deployment.apps/x\n"
    );
    // A token for a service account: a JWT.
    let t = ok(&mut s, "kubectl create token bot");
    assert_eq!(t.matches('.').count(), 2, "{t}");
    let payload = t
        .split('.')
        .nth(1)
        .unwrap()
        .replace('-', "+")
        .replace('_', "/");
    let padded = format!("{payload}{}", "=".repeat((4 - payload.len() % 4) % 4));
    let json =
        String::from_utf8(kubesim::cli::shell::builtins::base64_decode(&padded).unwrap()).unwrap();
    assert!(
        json.contains("\"sub\":\"system:serviceaccount:default:bot\""),
        "{json}"
    );
    // save-config records the last-applied annotation.
    ok(
        &mut s,
        "kubectl create configmap saved --from-literal=a=b --save-config",
    );
    assert!(ok(&mut s, "kubectl get cm saved -o yaml")
        .contains("kubectl.kubernetes.io/last-applied-configuration"));
}

#[test]
fn create_errors() {
    let mut s = session();
    ok(&mut s, "kubectl create deployment web --image=nginx");
    // create_deployment.go wraps the server's error.
    assert_eq!(
        fails(&mut s, "kubectl create deployment web --image=nginx"),
        "error: failed to create deployment: deployments.apps \"web\" already exists\n"
    );
    assert!(fails(&mut s, "kubectl create deployment Web --image=nginx").starts_with("error: failed to create deployment: Deployment.apps \"Web\" is invalid: metadata.name: Invalid value: \"Web\""));
    ok(&mut s, "kubectl create namespace blue");
    assert_eq!(
        fails(&mut s, "kubectl create namespace blue"),
        "Error from server (AlreadyExists): namespaces \"blue\" already exists\n"
    );
    assert_eq!(fails(&mut s, "kubectl create deployment"), "error: exactly one NAME is required, got 0\nSee 'kubectl create deployment -h' for help and examples\n");
    assert_eq!(
        fails(&mut s, "kubectl create deployment x"),
        "error: required flag(s) \"image\" not set\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl create service clusterip x"),
        "error: at least one tcp port specifier must be provided\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl create cronjob c --image=x"),
        "error: --schedule must be specified\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl create job j"),
        "error: either --image or --from must be specified\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl create configmap c --from-literal=nokey"),
        "error: invalid literal source nokey, expected key=value\n"
    );
    assert_eq!(fails(&mut s, "kubectl create configmap c --from-literal=a=1 --from-literal=a=2"), "error: cannot add key \"a\", another key by that name already exists in Data for configmap \"c\"\n");
    assert_eq!(
        fails(&mut s, "kubectl create configmap c --from-file=missing.cfg"),
        "error: stat missing.cfg: no such file or directory\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl create role r --verb=fly --resource=pods"),
        "error: invalid verb: 'fly'\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl create role r --verb=get --resource=pdos"),
        "error: the server doesn't have a resource type \"pdos\"\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl create rolebinding rb --user=a"),
        "error: exactly one of clusterrole or role must be specified\n"
    );
    assert_eq!(fails(&mut s, "kubectl create ingress i --rule=nonsense"), "error: rule nonsense is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]\n");
    assert_eq!(fails(&mut s, "kubectl create secret docker-registry d --docker-username=u"), "error: either --from-file or the combination of --docker-username, --docker-password and --docker-server is required\n");
    assert_eq!(
        fails(&mut s, "kubectl create token nope"),
        "error: failed to create token: serviceaccounts \"nope\" not found\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl create"),
        "error: must specify one of -f and -k\n"
    );
    assert!(fails(
        &mut s,
        "kubectl create deployment x --image=y --dry-run=maybe"
    )
    .contains("Invalid dry-run value (maybe)"));
    assert!(fails(&mut s, "kubectl create sevrice").contains("must specify one of -f and -k"));
}

#[test]
fn run_flags_and_words() {
    let mut s = session();
    assert_eq!(
        ok(&mut s, "kubectl run pingpong --image alpine ping 127.0.0.1"),
        "pod/pingpong created\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl get pod pingpong -o jsonpath='{.spec.containers[0].args}'"
        ),
        "[\"ping\",\"127.0.0.1\"]"
    );
    assert_eq!(ok(&mut s, "kubectl run c --image=alpine --command -- sleep 1; kubectl get pod c -o jsonpath='{.spec.containers[0].command}'"), "pod/c created\n[\"sleep\",\"1\"]");
    assert_eq!(ok(&mut s, "kubectl run n --image=nginx --restart=Never --labels=app=n --env=A=1 --port=80 --image-pull-policy=IfNotPresent -o jsonpath='{.spec.restartPolicy} {.metadata.labels.app} {.spec.containers[0].env[0].value} {.spec.containers[0].ports[0].containerPort} {.spec.containers[0].imagePullPolicy}'"), "Never n 1 80 IfNotPresent");
    assert_eq!(
        ok(&mut s, "kubectl run e --image=nginx --port=80 --expose"),
        "service/e created\npod/e created\n"
    );
    assert_eq!(ok(&mut s, "kubectl run o --image=nginx --overrides='{\"spec\":{\"serviceAccountName\":\"my-sa\"}}' -o jsonpath={.spec.serviceAccountName}"), "my-sa");
    assert_eq!(
        ok(&mut s, "kubectl run d --image=nginx --dry-run=server"),
        "pod/d created (server dry run)\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl run pingpong --image alpine"),
        "Error from server (AlreadyExists): pods \"pingpong\" already exists\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl run x"),
        "error: required flag(s) \"image\" not set\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl run --image=x"),
        "error: NAME is required for run\nSee 'kubectl run -h' for help and examples\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl run x --image=y --restart=Sometimes"),
        "error: invalid restart policy: Sometimes\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl run x --image=y --rm"),
        "error: --rm should only be used for attached containers\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl run x --image=y --expose"),
        "error: --port must be set when exposing a service\n"
    );
    // -i --rm with a command: waits for the pod, runs it, deletes the pod.
    let o = run(&mut s, "kubectl run testcurl --rm -i --image=centos --pod-running-timeout=5s -- curl -m3 10.96.0.1");
    assert_eq!(o.stderr, "error: timed out waiting for the condition\n");
    assert_eq!(o.stdout, "pod \"testcurl\" deleted\n");
}
