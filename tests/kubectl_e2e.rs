//! End to end: the REAL `kubectl` (the dispatcher on the PATH runs kubectl
//! 1.33 because kubesim's /version says minor 33) against `kubesim serve`
//! started in-process on a free port, with the workshop cluster and a
//! paused clock (ages are deterministic). Each step's stdout, stderr and exit
//! code go into one transcript snapshot; read it when it changes.
//!
//! Skips (with a notice) only when `kubectl` is not installed.

use kubesim::api::{self, ServeOptions};
use kubesim::sim::runner::{self, Pacing, SimHandle};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

struct Cluster {
    handle: SimHandle,
    server: Option<api::Server>,
    dir: PathBuf,
}

impl Cluster {
    fn start(name: &str) -> Cluster {
        let world = kubesim::cluster::workshop_world(42);
        let handle = runner::spawn(world, Pacing::Paced { speed: 1.0 });
        // Freeze virtual time: outputs (ages) stay the same from run to run.
        handle.pause();
        let server = api::start(handle.clone(), &ServeOptions::default(), false).unwrap();
        let dir = std::env::temp_dir().join(format!("kubesim-e2e-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        api::write_kubeconfig(&dir.join("kubeconfig"), &server.url()).unwrap();
        Cluster {
            handle,
            server: Some(server),
            dir,
        }
    }

    fn kubectl(&self, args: &[&str]) -> (String, String, i32) {
        self.kubectl_stdin(args, None)
    }

    /// Runs kubectl; a command still running after two minutes is killed
    /// (rc -1), so a hang fails the test instead of blocking the suite.
    fn kubectl_stdin(&self, args: &[&str], stdin: Option<&str>) -> (String, String, i32) {
        use std::io::{Read, Write};
        let mut cmd = Command::new("kubectl");
        cmd.arg(format!(
            "--kubeconfig={}",
            self.dir.join("kubeconfig").display()
        ))
        .arg(format!("--cache-dir={}", self.dir.join("cache").display()))
        .args(args)
        .env_remove("KUBECONFIG")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().expect("run kubectl");
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).unwrap();
        }
        drop(input);
        let mut stdout = child.stdout.take().unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let out = std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = stdout.read_to_end(&mut s);
            s
        });
        let err = std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = stderr.read_to_end(&mut s);
            s
        });
        let deadline = wall_now() + Duration::from_secs(120);
        let code = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status.code().unwrap_or(-1);
            }
            if wall_now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                break -1;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        (
            String::from_utf8_lossy(&out.join().unwrap()).into_owned(),
            String::from_utf8_lossy(&err.join().unwrap()).into_owned(),
            code,
        )
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some(s) = self.server.take() {
            s.shutdown();
        }
        self.handle.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A test's own wall-time bound (not simulation time).
#[allow(clippy::disallowed_methods)]
fn wall_now() -> std::time::Instant {
    std::time::Instant::now()
}

fn have_kubectl() -> bool {
    if Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_ok()
    {
        return true;
    }
    eprintln!("NOTICE: kubectl is not installed; skipping the kubectl end-to-end tests");
    false
}

/// A transcript of steps: command, exit code, stdout, stderr.
#[derive(Default)]
struct Transcript(String);

impl Transcript {
    fn step(&mut self, c: &Cluster, args: &[&str]) -> (String, String, i32) {
        self.step_in(c, args, None)
    }
    fn step_in(
        &mut self,
        c: &Cluster,
        args: &[&str],
        stdin: Option<&str>,
    ) -> (String, String, i32) {
        let (out, err, code) = c.kubectl_stdin(args, stdin);
        self.0
            .push_str(&format!("$ kubectl {}  # rc={code}\n", args.join(" ")));
        self.0.push_str(&out);
        if !out.is_empty() && !out.ends_with('\n') {
            self.0.push_str("⏎\n");
        }
        for l in err.lines() {
            self.0.push_str(&format!("stderr: {l}\n"));
        }
        (out, err, code)
    }
}

/// The Deployment both kubectl suites apply.
const DEPLOYMENT: &str = include_str!("fixtures/api-deployment.yaml");

#[test]
fn kubectl_reads_and_writes() {
    if !have_kubectl() {
        return;
    }
    let c = Cluster::start("rw");
    let mut t = Transcript::default();
    t.step(&c, &["get", "nodes"]);
    t.step(&c, &["get", "ns"]);
    t.step(&c, &["get", "pods", "-A"]);
    t.step(&c, &["run", "web", "--image", "nginx"]);
    t.step(&c, &["run", "web", "--image", "nginx"]);
    t.step(&c, &["get", "pods"]);
    t.step(
        &c,
        &["get", "pods", "-o", "jsonpath={.items[*].metadata.name}"],
    );
    let (json_out, _, _) = c.kubectl(&["get", "pods", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json_out).expect("-o json is JSON");
    assert_eq!(v["kind"], "List");
    assert_eq!(v["items"][0]["metadata"]["name"], "web");
    let (yaml_out, _, code) = c.kubectl(&["get", "pod", "web", "-o", "yaml"]);
    assert_eq!(code, 0);
    assert!(yaml_out.contains("  name: web\n"), "{yaml_out}");
    assert!(yaml_out.contains("kind: Pod\n"));
    t.step(&c, &["get", "pod", "nope"]);
    t.step(
        &c,
        &[
            "create",
            "deployment",
            "web",
            "--image",
            "nginx",
            "--replicas",
            "0",
        ],
    );
    t.step(
        &c,
        &[
            "get",
            "deploy",
            "web",
            "-o",
            "jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image}",
        ],
    );
    t.step(&c, &["create", "namespace", "x"]);
    t.step(&c, &["create", "configmap", "c", "--from-literal", "a=b"]);
    t.step(&c, &["get", "configmap", "c", "-o", "jsonpath={.data.a}"]);
    t.step(
        &c,
        &["create", "secret", "generic", "s", "--from-literal", "k=v"],
    );
    t.step(&c, &["get", "secret", "s", "-o", "jsonpath={.data.k}"]);
    t.step(
        &c,
        &[
            "create", "job", "j", "--image", "busybox", "--", "echo", "hi",
        ],
    );
    t.step(
        &c,
        &[
            "get",
            "job",
            "j",
            "-o",
            "jsonpath={.spec.template.spec.containers[0].command}",
        ],
    );
    t.step(
        &c,
        &[
            "create",
            "cronjob",
            "cj",
            "--image",
            "busybox",
            "--schedule",
            "*/5 * * * *",
        ],
    );
    t.step(
        &c,
        &["get", "cronjob", "cj", "-o", "jsonpath={.spec.schedule}"],
    );
    t.step(
        &c,
        &["create", "service", "clusterip", "svc", "--tcp", "80:8080"],
    );
    t.step(
        &c,
        &[
            "get",
            "svc",
            "svc",
            "-o",
            "jsonpath={.spec.ports[0].targetPort}",
        ],
    );
    t.step_in(&c, &["apply", "-f", "-"], Some(DEPLOYMENT));
    t.step_in(&c, &["apply", "-f", "-"], Some(DEPLOYMENT));
    t.step_in(
        &c,
        &["apply", "-f", "-"],
        Some(&DEPLOYMENT.replace("nginx:1.27", "nginx:1.28")),
    );
    t.step(
        &c,
        &[
            "get",
            "deploy",
            "api",
            "-o",
            "jsonpath={.spec.template.spec.containers[0].image}",
        ],
    );
    t.step_in(
        &c,
        &["apply", "--server-side", "-f", "-"],
        Some(&DEPLOYMENT.replace("name: api\nspec", "name: ssa\nspec")),
    );
    t.step(
        &c,
        &[
            "get",
            "deploy",
            "ssa",
            "-o",
            "jsonpath={.metadata.managedFields[0].manager}/{.metadata.managedFields[0].operation}",
        ],
    );
    t.step_in(
        &c,
        &["apply", "-f", "-"],
        Some(&DEPLOYMENT.replace("  replicas: 2\n", "  replicas: 2\n  bogus: 1\n")),
    );
    t.step(&c, &["label", "pod", "web", "tier=frontend"]);
    t.step(&c, &["get", "pods", "-l", "tier=frontend", "-o", "name"]);
    t.step(&c, &["annotate", "pod", "web", "note=hello"]);
    t.step(
        &c,
        &[
            "get",
            "pod",
            "web",
            "-o",
            "jsonpath={.metadata.annotations.note}",
        ],
    );
    t.step(&c, &["scale", "deployment", "web", "--replicas", "3"]);
    t.step(
        &c,
        &["get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"],
    );
    t.step(&c, &["set", "image", "deploy/web", "nginx=nginx:1.26"]);
    t.step(
        &c,
        &[
            "get",
            "deploy",
            "web",
            "-o",
            "jsonpath={.spec.template.spec.containers[0].image}",
        ],
    );
    t.step(&c, &["get", "pods", "-o", "wide", "--show-labels"]);
    t.step(
        &c,
        &[
            "get",
            "pods",
            "-o",
            "custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[0].image",
        ],
    );
    t.step(&c, &["logs", "web"]);
    t.step(&c, &["exec", "web", "--", "ls"]);
    t.step(&c, &["cordon", "node2"]);
    t.step(&c, &["get", "node", "node2"]);
    t.step(&c, &["uncordon", "node2"]);
    t.step(&c, &["delete", "pod", "web", "--dry-run=server"]);
    t.step(&c, &["delete", "pod", "web", "--wait=false"]);
    t.step(&c, &["run", "a", "--image", "nginx", "--labels", "batch=1"]);
    t.step(&c, &["run", "b", "--image", "nginx", "--labels", "batch=1"]);
    t.step(&c, &["delete", "pods", "-l", "batch=1", "--wait=false"]);
    t.step(&c, &["get", "pods"]);
    t.step(&c, &["delete", "namespace", "x", "--wait=false"]);
    t.step(&c, &["auth", "can-i", "create", "pods"]);
    t.step(&c, &["auth", "can-i", "create", "pods", "--as", "alice"]);
    t.step(&c, &["get", "foos"]);
    insta::assert_snapshot!("kubectl_reads_and_writes", t.0);
}

#[test]
fn kubectl_discovery_explain_and_watch() {
    if !have_kubectl() {
        return;
    }
    let c = Cluster::start("disc");
    let mut t = Transcript::default();
    t.step(&c, &["version", "-o", "json"]);
    t.step(&c, &["api-resources"]);
    t.step(&c, &["explain", "pods.spec.nodeName"]);
    t.step(&c, &["explain", "deployment.spec.replicas"]);
    t.step(&c, &["get", "all"]);
    t.step(&c, &["top", "nodes"]);
    // get -w: the list, then a watch kept open; kubectl stops at the timeout.
    let h = c.handle.clone();
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(700));
        h.call(|w| {
            let ns: k8s_openapi::api::core::v1::Namespace =
                serde_json::from_value(serde_json::json!({"metadata": {"name": "late"}})).unwrap();
            use kubesim::objects::KubeObject;
            w.store
                .create(ns.into_object(), &Default::default())
                .unwrap();
        });
    });
    let (out, _, _) = c.kubectl(&["get", "ns", "-w", "--request-timeout=2s"]);
    writer.join().unwrap();
    t.0.push_str("$ kubectl get ns -w --request-timeout=2s\n");
    t.0.push_str(&out);
    // An empty list first: the columns come with the first watch event.
    let h = c.handle.clone();
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(700));
        h.call(|w| {
            let p: k8s_openapi::api::core::v1::Pod = serde_json::from_value(serde_json::json!({
                "metadata": {"name": "w", "namespace": "default"},
                "spec": {"containers": [{"name": "c", "image": "nginx"}]}
            }))
            .unwrap();
            use kubesim::objects::KubeObject;
            w.store
                .create(p.into_object(), &Default::default())
                .unwrap();
        });
    });
    let (out, err, _) = c.kubectl(&[
        "get",
        "pods",
        "-w",
        "--output-watch-events",
        "--request-timeout=2s",
    ]);
    writer.join().unwrap();
    t.0.push_str("$ kubectl get pods -w --output-watch-events --request-timeout=2s\n");
    t.0.push_str(&out);
    for l in err.lines() {
        t.0.push_str(&format!("stderr: {l}\n"));
    }
    insta::assert_snapshot!("kubectl_discovery_explain_and_watch", t.0);
}

impl Cluster {
    /// Moves virtual time on by `secs` (the clock is paused otherwise).
    fn advance(&self, secs: u64) {
        self.handle
            .call(move |w| w.advance(Duration::from_secs(secs)));
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("kubectl");
        cmd.arg(format!(
            "--kubeconfig={}",
            self.dir.join("kubeconfig").display()
        ))
        .arg(format!("--cache-dir={}", self.dir.join("cache").display()))
        .args(args)
        .env_remove("KUBECONFIG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
        cmd
    }

    /// Runs kubectl while virtual time moves on one second per poll, for
    /// commands that wait for the cluster (drain). Gives up after a minute
    /// of wall time, so a hang fails instead of blocking the suite.
    fn kubectl_advancing(&self, args: &[&str]) -> (String, String, i32) {
        let mut child = self.command(args).spawn().expect("run kubectl");
        let deadline = wall_now() + Duration::from_secs(60);
        loop {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            if wall_now() > deadline {
                let _ = child.kill();
                break;
            }
            self.advance(1);
            std::thread::sleep(Duration::from_millis(50));
        }
        let out = child.wait_with_output().unwrap();
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            out.status.code().unwrap_or(-1),
        )
    }
}

/// Polls `f` (every 50 ms, up to 30 s of wall time) until it is true.
fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = wall_now() + Duration::from_secs(30);
    while !f() {
        assert!(wall_now() < deadline, "timed out: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Server-side apply field ownership with the real kubectl: a client-side
/// apply (manager `kubectl-client-side-apply`, an Update) then a
/// server-side apply that changes its field conflicts; `--force-conflicts`
/// takes it; a field an applier drops is pruned; two appliers conflict.
/// Messages: apimachinery `managedfields/internal/conflict.go`, kubectl
/// `cmd/apply/apply.go`.
#[test]
fn kubectl_server_side_apply_conflicts() {
    if !have_kubectl() {
        return;
    }
    let c = Cluster::start("ssa");
    let mut t = Transcript::default();
    t.step_in(&c, &["apply", "-f", "-"], Some(DEPLOYMENT));
    let three = DEPLOYMENT.replace("replicas: 2", "replicas: 3");
    t.step_in(&c, &["apply", "--server-side", "-f", "-"], Some(&three));
    t.step(
        &c,
        &["get", "deploy", "api", "-o", "jsonpath={.spec.replicas}"],
    );
    t.step_in(
        &c,
        &["apply", "--server-side", "--force-conflicts", "-f", "-"],
        Some(&three),
    );
    t.step(
        &c,
        &["get", "deploy", "api", "-o", "jsonpath={.spec.replicas}"],
    );
    t.step(
        &c,
        &[
            "get",
            "deploy",
            "api",
            "-o",
            "jsonpath={range .metadata.managedFields[*]}{.manager}/{.operation} {end}",
        ],
    );
    // Same value as the other manager: shared, no conflict.
    t.step_in(
        &c,
        &["apply", "--server-side", "--field-manager=other", "-f", "-"],
        Some(&three),
    );
    // Pruning: a label this manager applied before and omits now goes.
    let cm =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: \"1\"\n  b: \"2\"\n";
    t.step_in(&c, &["apply", "--server-side", "-f", "-"], Some(cm));
    t.step_in(
        &c,
        &["apply", "--server-side", "-f", "-"],
        Some(&cm.replace("  b: \"2\"\n", "")),
    );
    t.step(&c, &["get", "cm", "cfg", "-o", "jsonpath={.data}"]);
    // Two appliers: bob changes what kubectl applied.
    t.step_in(
        &c,
        &["apply", "--server-side", "--field-manager=bob", "-f", "-"],
        Some(&cm.replace("a: \"1\"", "a: \"9\"")),
    );
    // An update (kubectl edit/patch) takes fields without conflict, and a
    // later apply of the old value conflicts with it.
    t.step(&c, &["scale", "deploy", "api", "--replicas=5"]);
    t.step_in(&c, &["apply", "--server-side", "-f", "-"], Some(&three));
    insta::assert_snapshot!("kubectl_server_side_apply_conflicts", t.0);
}

/// The rest of issue 4's "Done when" list: every kind with `get`, output
/// formats, expose, rollout status|history|undo|restart, logs and
/// `logs -f`, delete with `--cascade`, drain, top.
#[test]
fn kubectl_workloads_logs_and_nodes() {
    if !have_kubectl() {
        return;
    }
    let c = Cluster::start("work");
    let mut t = Transcript::default();
    // Every listable resource kubesim serves answers `get -A -o wide`.
    let (names, _, code) = c.kubectl(&["api-resources", "--verbs=list", "-o", "name"]);
    assert_eq!(code, 0);
    let names: Vec<&str> = names.lines().collect();
    assert!(names.len() > 30, "{names:?}");
    for r in &names {
        let (_, err, code) = c.kubectl(&["get", r, "-A", "-o", "wide"]);
        assert_eq!(code, 0, "get {r}: {err}");
    }
    t.step(
        &c,
        &[
            "create",
            "deployment",
            "web",
            "--image=nginx",
            "--replicas=2",
        ],
    );
    c.advance(30);
    t.step(&c, &["rollout", "status", "deploy/web", "--watch=false"]);
    t.step(&c, &["get", "deploy", "web", "-o", "wide"]);
    t.step(
        &c,
        &[
            "get",
            "deploy",
            "-o",
            "go-template={{range .items}}{{.metadata.name}}:{{.status.readyReplicas}}{{\"\\n\"}}{{end}}",
        ],
    );
    let (yaml, _, _) = c.kubectl(&["get", "deploy", "web", "-o", "yaml"]);
    assert!(yaml.contains("readyReplicas: 2"), "{yaml}");
    assert!(
        !yaml.contains("managedFields"),
        "kubectl hides managedFields"
    );
    t.step(
        &c,
        &[
            "expose",
            "deployment",
            "web",
            "--port=80",
            "--target-port=8080",
        ],
    );
    t.step(
        &c,
        &[
            "get",
            "svc",
            "web",
            "-o",
            "custom-columns=NAME:.metadata.name,PORT:.spec.ports[0].port,TARGET:.spec.ports[0].targetPort,SELECTOR:.spec.selector",
        ],
    );
    c.advance(5);
    t.step(&c, &["get", "endpoints", "web"]);
    t.step(&c, &["set", "image", "deploy/web", "nginx=nginx:1.27"]);
    c.advance(60);
    t.step(&c, &["rollout", "status", "deploy/web", "--watch=false"]);
    t.step(&c, &["rollout", "history", "deploy/web"]);
    t.step(&c, &["rollout", "undo", "deploy/web"]);
    c.advance(60);
    t.step(
        &c,
        &[
            "get",
            "deploy",
            "web",
            "-o",
            "jsonpath={.spec.template.spec.containers[0].image}",
        ],
    );
    t.step(&c, &["rollout", "restart", "deploy/web"]);
    let (out, _, _) = c.kubectl(&[
        "get",
        "deploy",
        "web",
        "-o",
        "jsonpath={.spec.template.metadata.annotations}",
    ]);
    assert!(out.contains("kubectl.kubernetes.io/restartedAt"), "{out}");
    c.advance(60);
    t.step(&c, &["rollout", "status", "deploy/web", "--watch=false"]);
    // logs, then logs -f bounded by the container's exit.
    t.step(
        &c,
        &[
            "run",
            "hello",
            "--image=busybox",
            "--restart=Never",
            "--",
            "sh",
            "-c",
            "echo one; sleep 10; echo two",
        ],
    );
    c.advance(5);
    eventually("hello runs", || {
        c.kubectl(&["logs", "hello"]).0.contains("one")
    });
    t.step(&c, &["logs", "hello"]);
    let mut child = c.command(&["logs", "-f", "hello"]).spawn().unwrap();
    // The stream is open (kubectl printed the first line), then the
    // container writes its second line and exits: the stream ends.
    let out = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let reader = {
        let out = out.clone();
        let mut stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            use std::io::Read;
            let mut buf = [0u8; 256];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                out.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        })
    };
    eventually("logs -f prints the first line", || {
        out.lock().unwrap().contains("one")
    });
    c.advance(30);
    let joined = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    {
        let joined = joined.clone();
        std::thread::spawn(move || {
            reader.join().unwrap();
            joined.store(true, std::sync::atomic::Ordering::SeqCst);
        });
    }
    eventually("logs -f ends when the container exits", || {
        joined.load(std::sync::atomic::Ordering::SeqCst)
    });
    assert!(child.wait().unwrap().success(), "logs -f exits cleanly");
    t.0.push_str("$ kubectl logs -f hello\n");
    t.0.push_str(&out.lock().unwrap());
    t.step(&c, &["get", "pod", "hello"]);
    // One pod: the restarted ReplicaSet's hash depends on the wall clock
    // (`rollout restart` stamps restartedAt with kubectl's time.Now()).
    t.step(&c, &["top", "pod", "hello"]);
    // delete --cascade.
    t.step(
        &c,
        &[
            "create",
            "deployment",
            "keep",
            "--image=nginx",
            "--replicas=1",
        ],
    );
    c.advance(10);
    t.step(
        &c,
        &[
            "delete",
            "deploy",
            "keep",
            "--cascade=orphan",
            "--wait=false",
        ],
    );
    c.advance(10);
    let (rs, _, _) = c.kubectl(&["get", "rs", "-l", "app=keep", "-o", "name"]);
    assert_eq!(
        rs.lines().count(),
        1,
        "the ReplicaSet is orphaned, not deleted: {rs}"
    );
    t.step(
        &c,
        &[
            "delete",
            "rs",
            "-l",
            "app=keep",
            "--cascade=foreground",
            "--wait=false",
        ],
    );
    c.advance(30);
    t.step(&c, &["get", "rs,pods", "-l", "app=keep"]);
    // drain waits for the evicted pods to go: time moves while it runs.
    let (out, err, code) = c.kubectl_advancing(&[
        "drain",
        "node3",
        "--ignore-daemonsets",
        "--delete-emptydir-data",
        "--force",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("node/node3 cordoned"), "{out}");
    assert!(out.contains("node/node3 drained"), "{out}");
    let (left, _, _) = c.kubectl(&[
        "get",
        "pods",
        "-A",
        "--field-selector=spec.nodeName=node3",
        "-o",
        "jsonpath={range .items[*]}{.metadata.ownerReferences[0].kind} {end}",
    ]);
    assert!(
        left.split_whitespace().all(|k| k == "DaemonSet"),
        "only DaemonSet pods stay on a drained node: {left}"
    );
    t.step(&c, &["get", "node", "node3"]);
    t.step(&c, &["uncordon", "node3"]);
    insta::assert_snapshot!("kubectl_workloads_logs_and_nodes", t.0);
}
