//! `kubectl exec` on the workshop cluster: the commands modelled inside a
//! container (src/cli/container/), kubectl's errors (kubectl
//! pkg/cmd/exec/exec.go, pkg/util/podcmd/podcmd.go), the apiserver's
//! (pkg/registry/core/pod/strategy.go `streamLocation`) and containerd's
//! (`exec: "foo": executable file not found in $PATH`).

mod repl_common;

use kubesim::cli::script;
use kubesim::cli::session::Session;
use repl_common::{fails, ok, run, session, write};

/// A session with a running alpine pod `box` (sleeping) in `default`.
fn with_box() -> Session {
    let mut s = session();
    ok(&mut s, "kubectl run box --image=alpine -- sleep 3600");
    ok(&mut s, "sim advance 30s");
    s
}

#[test]
fn resolv_conf_follows_the_pods_namespace() {
    let mut s = with_box();
    assert_eq!(
        ok(&mut s, "kubectl exec box -- cat /etc/resolv.conf"),
        "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"
    );
    ok(&mut s, "kubectl create namespace blue");
    ok(
        &mut s,
        "kubectl -n blue run box --image=alpine -- sleep 3600",
    );
    ok(&mut s, "sim advance 30s");
    assert_eq!(
        ok(&mut s, "kubectl -n blue exec box -- cat /etc/resolv.conf"),
        "search blue.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"
    );
}

#[test]
fn identity_files_and_commands() {
    let mut s = with_box();
    assert_eq!(ok(&mut s, "kubectl exec box -- hostname"), "box\n");
    assert_eq!(ok(&mut s, "kubectl exec box -- cat /etc/hostname"), "box\n");
    let ip = ok(&mut s, "kubectl get pod box -o jsonpath={.status.podIP}");
    assert!(!ip.is_empty());
    let hosts = ok(&mut s, "kubectl exec box -- cat /etc/hosts");
    assert!(hosts.starts_with("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n"));
    assert!(hosts.ends_with(&format!("{ip}\tbox\n")), "{hosts}");
    assert_eq!(ok(&mut s, "kubectl exec box -- whoami"), "root\n");
    assert_eq!(ok(&mut s, "kubectl exec box -- echo -n a b"), "a b");
    // ps: PID 1 is the container's command (busybox ps columns).
    let ps = ok(&mut s, "kubectl exec box -- ps");
    assert!(
        ps.starts_with("PID   USER     TIME  COMMAND\n    1 root      0:00 sleep 3600\n"),
        "{ps}"
    );
    // date: the virtual clock.
    let now = s
        .world
        .store
        .timestamp()
        .0
        .to_zoned(jiff::tz::TimeZone::UTC)
        .strftime("%a %b %e %H:%M:%S UTC %Y")
        .to_string();
    assert_eq!(ok(&mut s, "kubectl exec box -- date"), format!("{now}\n"));
    let root = ok(&mut s, "kubectl exec box -- ls /");
    assert!(root.contains("etc\n") && root.contains("var\n"), "{root}");
    assert_eq!(
        ok(
            &mut s,
            "kubectl exec box -- ls /var/run/secrets/kubernetes.io/serviceaccount"
        ),
        "ca.crt\nnamespace\ntoken\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl exec box -- cat /var/run/secrets/kubernetes.io/serviceaccount/namespace"
        ),
        "default"
    );
    // sleep passes virtual time.
    let t0 = s.world.now();
    ok(&mut s, "kubectl exec box -- sleep 5");
    assert_eq!((s.world.now() - t0).as_secs(), 5);
}

/// pkg/kubelet/envvars/envvars.go FromServices: the Services that existed
/// when the container started, with Docker link variables.
#[test]
fn env_holds_the_service_variables_the_kubelet_injected() {
    let mut s = session();
    ok(
        &mut s,
        "kubectl create deployment blue --image=jpetazzo/color",
    );
    ok(&mut s, "kubectl expose deployment blue --port=80");
    ok(
        &mut s,
        "kubectl run box --image=alpine --env=GREETING=hello -- sleep 3600",
    );
    ok(&mut s, "sim advance 30s");
    // Created after the container started: not in its environment.
    ok(
        &mut s,
        "kubectl create service clusterip late --tcp=8080:80",
    );
    let ip = ok(&mut s, "kubectl get svc blue -o jsonpath={.spec.clusterIP}");
    let env = ok(&mut s, "kubectl exec box -- env");
    assert!(
        env.starts_with(
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nHOSTNAME=box\n"
        ),
        "{env}"
    );
    assert!(env.ends_with("HOME=/root\n"), "{env}");
    for line in [
        format!("BLUE_SERVICE_HOST={ip}"),
        "BLUE_SERVICE_PORT=80".to_string(),
        format!("BLUE_PORT=tcp://{ip}:80"),
        format!("BLUE_PORT_80_TCP=tcp://{ip}:80"),
        "BLUE_PORT_80_TCP_PROTO=tcp".to_string(),
        "BLUE_PORT_80_TCP_PORT=80".to_string(),
        format!("BLUE_PORT_80_TCP_ADDR={ip}"),
        "KUBERNETES_SERVICE_HOST=10.96.0.1".to_string(),
        "KUBERNETES_SERVICE_PORT=443".to_string(),
        "KUBERNETES_SERVICE_PORT_HTTPS=443".to_string(),
        "KUBERNETES_PORT=tcp://10.96.0.1:443".to_string(),
        "GREETING=hello".to_string(),
    ] {
        assert!(env.lines().any(|l| l == line), "{line} missing in\n{env}");
    }
    assert!(!env.contains("LATE_"), "{env}");
    assert_eq!(
        ok(&mut s, "kubectl exec box -- printenv GREETING"),
        "hello\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl exec box -- sh -c 'echo $GREETING from $HOSTNAME'"
        ),
        "hello from box\n"
    );
}

const MOUNTS: &str = "apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
  - name: app
    image: alpine
    command: [sleep, '3600']
    env:
    - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
    - {name: LEVEL, valueFrom: {configMapKeyRef: {name: settings, key: level}}}
    - {name: URL, value: 'http://$(POD_NAME):80'}
    volumeMounts:
    - {name: config, mountPath: /etc/config}
    - {name: creds, mountPath: /etc/secret, readOnly: true}
    - {name: one, mountPath: /etc/app.conf, subPath: level}
  volumes:
  - {name: config, configMap: {name: settings}}
  - {name: creds, secret: {secretName: creds}}
  - {name: one, configMap: {name: settings}}
";

/// pkg/volume/configmap and pkg/volume/secret: one file per key.
#[test]
fn configmap_and_secret_volumes_are_files() {
    let mut s = session();
    ok(
        &mut s,
        "kubectl create configmap settings --from-literal=level=debug --from-literal=color=blue",
    );
    ok(
        &mut s,
        "kubectl create secret generic creds --from-literal=password=s3cr3t",
    );
    write(&s, "app.yaml", MOUNTS);
    ok(&mut s, "kubectl apply -f app.yaml");
    ok(&mut s, "sim advance 30s");
    assert_eq!(
        ok(&mut s, "kubectl exec app -- ls /etc/config"),
        "color\nlevel\n"
    );
    assert_eq!(
        ok(&mut s, "kubectl exec app -- cat /etc/config/level"),
        "debug"
    );
    assert_eq!(
        ok(&mut s, "kubectl exec app -- cat /etc/secret/password"),
        "s3cr3t"
    );
    assert_eq!(ok(&mut s, "kubectl exec app -- cat /etc/app.conf"), "debug");
    assert_eq!(
        ok(&mut s, "kubectl exec app -- ls -a /etc/config"),
        "..data\ncolor\nlevel\n"
    );
    let env = ok(&mut s, "kubectl exec app -- env");
    assert!(env.contains("POD_NAME=app\n"), "{env}");
    assert!(env.contains("LEVEL=debug\n"), "{env}");
    assert!(env.contains("URL=http://app:80\n"), "{env}");
    let o = run(&mut s, "kubectl exec app -- cat /etc/config/nope");
    assert_eq!(o.code, 1);
    assert_eq!(
        o.stderr,
        "cat: can't open '/etc/config/nope': No such file or directory\ncommand terminated with exit code 1\n"
    );
}

#[test]
fn network_tools_run_from_the_pod() {
    let mut s = session();
    ok(
        &mut s,
        "kubectl create deployment blue --image=jpetazzo/color",
    );
    ok(&mut s, "kubectl expose deployment blue --port=80");
    ok(&mut s, "kubectl run box --image=alpine -- sleep 3600");
    ok(&mut s, "sim advance 30s");
    let ip = ok(&mut s, "kubectl get svc blue -o jsonpath={.spec.clusterIP}");
    // The short name resolves through the pod's search path.
    let ns = ok(&mut s, "kubectl exec box -- nslookup blue");
    assert!(ns.contains("blue.default.svc.cluster.local"), "{ns}");
    assert!(ns.contains(&ip), "{ns}");
    let page = ok(&mut s, "kubectl exec box -- wget -qO- http://blue");
    assert!(!page.is_empty());
    // BusyBox nc from the pod.
    let o = run(&mut s, "kubectl exec box -- nc -zv blue 80");
    assert_eq!(o.code, 0, "{o:?}");
    assert!(o.stderr.contains(&format!("blue ({ip}:80) open")), "{o:?}");
    // alpine has no curl: containerd's error, kubectl's exit code 1.
    let err = fails(&mut s, "kubectl exec box -- curl blue");
    assert!(err.starts_with("error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec \""), "{err}");
    assert!(err.ends_with("\": OCI runtime exec failed: exec failed: unable to start container process: exec: \"curl\": executable file not found in $PATH: unknown\n"), "{err}");
}

#[test]
fn unknown_programs_and_exit_codes() {
    let mut s = with_box();
    let o = run(&mut s, "kubectl exec box -- foo");
    assert_eq!(o.code, 1);
    assert!(
        o.stderr
            .contains("exec: \"foo\": executable file not found in $PATH: unknown\n"),
        "{o:?}"
    );
    // The same twice at the same instant: the same exec id (reproducible).
    assert_eq!(run(&mut s, "kubectl exec box -- foo").stderr, o.stderr);
    let o = run(&mut s, "kubectl exec box -- /bin/nope");
    assert!(
        o.stderr
            .contains("exec: \"/bin/nope\": stat /bin/nope: no such file or directory: unknown"),
        "{o:?}"
    );
    // Through a shell: the shell's words and POSIX statuses.
    let o = run(&mut s, "kubectl exec box -- sh -c foo");
    assert_eq!(o.code, 127);
    assert_eq!(
        o.stderr,
        "sh: foo: not found\ncommand terminated with exit code 127\n"
    );
    let o = run(&mut s, "kubectl exec box -- sh -c /etc/hostname");
    assert_eq!(o.code, 126);
    assert_eq!(
        o.stderr,
        "sh: /etc/hostname: Permission denied\ncommand terminated with exit code 126\n"
    );
    let o = run(&mut s, "kubectl exec box -- sh -c 'echo a; exit 3'");
    assert_eq!((o.code, o.stdout.as_str()), (3, "a\n"));
    assert_eq!(o.stderr, "command terminated with exit code 3\n");
    let o = run(&mut s, "kubectl exec box -- false");
    assert_eq!(
        (o.code, o.stderr.as_str()),
        (1, "command terminated with exit code 1\n")
    );
    assert_eq!(
        ok(&mut s, "kubectl exec box -- sh -c 'false || echo fallback && cat /etc/resolv.conf | grep -c search'"),
        "fallback\n1\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl exec box -- sh -c 'env | grep ^HOSTNAME= | cat'"
        ),
        "HOSTNAME=box\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "kubectl exec box -- grep nameserver /etc/resolv.conf"
        ),
        "nameserver 10.96.0.10\n"
    );
    // alpine has no bash.
    assert!(fails(&mut s, "kubectl exec box -- bash -c hostname")
        .contains("exec: \"bash\": executable file not found in $PATH"));
    // Programs that exist but are not modelled say so.
    assert_eq!(
        fails(&mut s, "kubectl exec box -- apk add curl"),
        "error: kubesim does not simulate \"apk add curl\" inside containers\n"
    );
}

#[test]
fn pods_that_do_not_run_refuse_exec() {
    let mut s = session();
    // Never scheduled (no node fits): the apiserver refuses.
    ok(&mut s, "kubectl run huge --image=alpine --overrides='{\"spec\":{\"containers\":[{\"name\":\"huge\",\"image\":\"alpine\",\"command\":[\"sleep\",\"1d\"],\"resources\":{\"requests\":{\"cpu\":\"64\"}}}]}}'");
    ok(&mut s, "sim advance 5s");
    assert_eq!(
        fails(&mut s, "kubectl exec huge -- hostname"),
        "Error from server (BadRequest): pod huge does not have a host assigned\n"
    );
    // Completed.
    ok(
        &mut s,
        "kubectl run done --image=alpine --restart=Never -- true",
    );
    ok(&mut s, "sim advance 30s");
    assert_eq!(
        fails(&mut s, "kubectl exec done -- hostname"),
        "error: cannot exec into a container in a completed pod; current phase is Succeeded\n"
    );
    // Scheduled, container not started yet.
    ok(&mut s, "kubectl run fresh --image=alpine -- sleep 3600");
    assert_eq!(
        fails(&mut s, "kubectl exec fresh -- hostname"),
        "error: unable to upgrade connection: container not found (\"fresh\")\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl exec nope -- hostname"),
        "Error from server (NotFound): pods \"nope\" not found\n"
    );
}

const TWO: &str = "apiVersion: v1
kind: Pod
metadata: {name: two}
spec:
  containers:
  - {name: main, image: alpine, command: [sleep, '3600']}
  - {name: side, image: busybox, command: [sleep, '3600']}
";

/// podcmd.FindOrDefaultContainerByName.
#[test]
fn the_first_container_is_defaulted_with_a_note() {
    let mut s = session();
    write(&s, "two.yaml", TWO);
    ok(&mut s, "kubectl apply -f two.yaml");
    ok(&mut s, "sim advance 30s");
    let o = run(&mut s, "kubectl exec two -- hostname");
    assert_eq!(o.stdout, "two\n");
    assert_eq!(
        o.stderr,
        "Defaulted container \"main\" out of: main, side\n"
    );
    assert_eq!(run(&mut s, "kubectl exec two -q -- hostname").stderr, "");
    assert_eq!(
        run(&mut s, "kubectl exec two -c side -- hostname").stderr,
        ""
    );
    assert_eq!(
        fails(&mut s, "kubectl exec two -c nope -- hostname"),
        "error: container nope not found in pod two\n"
    );
}

/// The workshop's `-it ... -- sh` forms in a script: kubectl's TTY warning,
/// then the shell reads its here-document (or end-of-file).
#[test]
fn interactive_shells_in_scripts() {
    let mut s = with_box();
    let (t, code) = script::run(
        &mut s,
        "kubectl exec -it box -- sh\nkubectl exec -i box -- sh <<EOF\nhostname\necho \\$HOSTNAME\ncat /etc/resolv.conf | head -1\nEOF\nkubectl exec -it box -- sh -c 'cat /etc/hostname'\n",
        false,
    );
    assert_eq!(code, 0, "{t}");
    insta::assert_snapshot!("interactive_shells", t);
}
