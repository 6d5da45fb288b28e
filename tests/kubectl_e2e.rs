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

    fn kubectl_stdin(&self, args: &[&str], stdin: Option<&str>) -> (String, String, i32) {
        let mut cmd = Command::new("kubectl");
        cmd.arg(format!(
            "--kubeconfig={}",
            self.dir.join("kubeconfig").display()
        ))
        .arg(format!("--cache-dir={}", self.dir.join("cache").display()))
        .args(args)
        .env_remove("KUBECONFIG");
        if let Some(input) = stdin {
            use std::io::Write;
            cmd.stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            let mut child = cmd.spawn().expect("run kubectl");
            child
                .stdin
                .take()
                .unwrap()
                .write_all(input.as_bytes())
                .unwrap();
            let out = child.wait_with_output().unwrap();
            return (
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
                out.status.code().unwrap_or(-1),
            );
        }
        let out = cmd.output().expect("run kubectl");
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            out.status.code().unwrap_or(-1),
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

const DEPLOYMENT: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 2
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
      - name: api
        image: nginx:1.27
"#;

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
