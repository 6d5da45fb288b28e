//! Differential: the same kubectl command lines through the REPL (in
//! process, script mode) and through the REAL kubectl 1.33 against
//! `kubesim serve`, on two worlds built from the same seed and frozen at
//! the same virtual time. The outputs must be identical except for ages
//! (issue 4, "Done when": "for the same commands the REPL prints what the
//! real kubectl prints").
//!
//! Both front ends share `kubesim::printers`; the real kubectl prints the
//! server's Tables (kube-apiserver `pkg/printers/internalversion`), its own
//! `-o yaml|json|name|jsonpath|custom-columns` printers
//! (`k8s.io/cli-runtime/pkg/printers`) and describers
//! (`k8s.io/kubectl/pkg/describe/describe.go`), and its error messages
//! (`k8s.io/kubectl/pkg/cmd/util/helpers.go` `StandardErrorMessage`).
//!
//! After every line the server's world runs what is due at the current
//! time (`World::settle`), as the REPL does before its prompt returns, so
//! both worlds stay in step. Skips (with a notice) when `kubectl` is not
//! installed.

use kubesim::api::{self, ServeOptions};
use kubesim::cli::session::Session;
use kubesim::sim::runner::{self, Pacing, SimHandle};
use std::path::PathBuf;
use std::process::Command;

const SEED: u64 = 42;

struct Both {
    repl: Session,
    handle: SimHandle,
    server: Option<api::Server>,
    dir: PathBuf,
    /// Lines whose outputs differed, with both outputs.
    mismatches: Vec<String>,
    compared: usize,
}

impl Both {
    fn start(name: &str) -> Both {
        let dir = std::env::temp_dir().join(format!("kubesim-diff-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let world = kubesim::cluster::workshop_world(SEED);
        let now = world.now();
        // Virtual time stops exactly where the REPL's world stands.
        let handle = runner::spawn_until(world, Pacing::Paced { speed: 1.0 }, Some(now));
        handle.pause();
        let server = api::start(handle.clone(), &ServeOptions::default(), false).unwrap();
        api::write_kubeconfig(&dir.join("kubeconfig"), &server.url()).unwrap();
        let mut repl = Session::new(kubesim::cluster::workshop_world(SEED));
        repl.state.workdir = dir.join("repl");
        std::fs::create_dir_all(&repl.state.workdir).unwrap();
        Both {
            repl,
            handle,
            server: Some(server),
            dir,
            mismatches: Vec::new(),
            compared: 0,
        }
    }

    fn kubectl(&self, args: &[String]) -> (String, String, i32) {
        let out = Command::new("kubectl")
            .arg(format!(
                "--kubeconfig={}",
                self.dir.join("kubeconfig").display()
            ))
            .arg(format!("--cache-dir={}", self.dir.join("cache").display()))
            .args(args)
            .env_remove("KUBECONFIG")
            .output()
            .expect("run kubectl");
        // What the REPL does before its prompt returns.
        self.handle.call(|w| w.settle());
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            out.status.code().unwrap_or(-1),
        )
    }

    /// Runs `line` (without the leading `kubectl`) on both sides and
    /// records a mismatch.
    fn same(&mut self, line: &str) {
        let args = shell_words::split(line).expect("a shell line");
        let (out, err, code) = self.kubectl(&args);
        let o = self.repl.execute(&format!("kubectl {line}"));
        self.compared += 1;
        let real = render(&out, &err, code);
        let ours = render(&o.stdout, &o.stderr, o.code);
        if normalise(&real) != normalise(&ours) {
            self.mismatches.push(format!(
                "$ kubectl {line}\n--- real kubectl:\n{real}--- REPL:\n{ours}"
            ));
        }
    }

    fn check(&self) {
        assert!(
            self.mismatches.is_empty(),
            "{} of {} lines differ:\n\n{}",
            self.mismatches.len(),
            self.compared,
            self.mismatches.join("\n")
        );
    }
}

impl Drop for Both {
    fn drop(&mut self) {
        if let Some(s) = self.server.take() {
            s.shutdown();
        }
        self.handle.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn render(out: &str, err: &str, code: i32) -> String {
    let mut s = format!("rc={}\n", code != 0);
    s.push_str(out);
    if !out.is_empty() && !out.ends_with('\n') {
        s.push_str("⏎\n");
    }
    for l in err.lines() {
        s.push_str(&format!("stderr: {l}\n"));
    }
    s
}

/// Ages and durations (`0s`, `20h`, `2m3s`) become `AGE`, and so does
/// `<invalid>`: kubectl's describers age events against the wall clock,
/// which is behind the simulated clock. A column made wider or narrower by
/// an age is realigned by collapsing runs of spaces, only on lines that
/// held an age and on the header and `----` lines of a describe table.
fn normalise(s: &str) -> String {
    // kubectl's own extra writes (apply's annotation refresh) move
    // resourceVersions on; they are not part of what is compared.
    let rv = regex_bites::Regex::new(r#"resourceVersion: "[0-9]+""#).unwrap();
    let s = rv.replace_all(s, r#"resourceVersion: "RV""#);
    let dur = regex_bites::Regex::new(r"^([0-9]+[smhdy]([0-9]+[smh])?,?|<invalid>)$").unwrap();
    let collapse = |l: &str| {
        l.split(' ')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let is_rule = |l: &str| l.contains("--") && l.chars().all(|c| c == '-' || c == ' ');
    let lines: Vec<&str> = s.lines().collect();
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let mut aged = false;
            let words: Vec<String> = l
                .split(' ')
                .map(|w| {
                    if dur.is_match(w) {
                        aged = true;
                        "AGE".to_string()
                    } else {
                        w.to_string()
                    }
                })
                .collect();
            let header = lines.get(i + 1).is_some_and(|n| is_rule(n));
            if aged || header || is_rule(l) {
                collapse(&words.join(" "))
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
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
    eprintln!("NOTICE: kubectl is not installed; skipping the differential test");
    false
}

#[test]
fn normalise_hides_ages_only() {
    assert_eq!(
        normalise("web   1/1   Running   0   2m3s"),
        normalise("web   1/1   Running   0   5s")
    );
    assert_ne!(normalise("web 1/1"), normalise("web 0/1"));
    assert_ne!(
        normalise("a  b"),
        normalise("a b"),
        "alignment still counts"
    );
}

#[test]
fn repl_prints_what_kubectl_prints_for_reads() {
    if !have_kubectl() {
        return;
    }
    let mut b = Both::start("reads");
    for line in [
        "get nodes",
        "get nodes -o wide",
        "get no node1 -o name",
        "get ns",
        "get namespaces -o name",
        "get pods -A",
        "get pods -n kube-system -o wide",
        "get pods -n kube-system -o name",
        "get pods -n kube-system -l k8s-app=kube-dns",
        "get svc -A",
        "get svc -A -o wide",
        "get deploy -A",
        "get deploy -A -o wide",
        "get rs -A",
        "get rs -n kube-system -o wide",
        "get ds -A",
        "get ds -A -o wide",
        "get all",
        "get all -n kube-system",
        "get cm -A",
        "get sa",
        "get endpoints -A",
        "get pods",
        "get nodes -o jsonpath={.items[*].metadata.name}",
        "get nodes -o custom-columns=NAME:.metadata.name,CPU:.status.capacity.cpu",
        "get nodes --show-labels",
        "get nodes -L kubernetes.io/hostname",
        "describe node node2",
        "describe svc kubernetes",
        "describe deploy coredns -n kube-system",
        "describe ns default",
        "get pod nope",
        "get foos",
        "describe pod nope",
        "get deploy nope -n kube-system",
    ] {
        b.same(line);
    }
    b.check();
}

#[test]
fn repl_prints_what_kubectl_prints_for_writes() {
    if !have_kubectl() {
        return;
    }
    let mut b = Both::start("writes");
    for line in [
        "create deployment web --image=nginx --replicas=2",
        "create deployment web --image=nginx",
        "get deploy",
        "get deploy -o wide",
        "get rs",
        "get pods",
        "get pods -o wide",
        "get pods -o name",
        "get all",
        "get deploy web -o jsonpath={.spec.replicas}",
        "get deploy web -o yaml",
        "get deploy web -o json",
        "get deploy -o custom-columns=NAME:.metadata.name,IMAGE:.spec.template.spec.containers[0].image",
        "describe deploy web",
        "describe pods -l app=web",
        "create namespace x",
        "create namespace x",
        "get ns x",
        "create configmap c --from-literal=a=b",
        "get cm c -o yaml",
        "create service clusterip svc --tcp=80:8080",
        "get svc",
        "describe svc svc",
        "expose deployment web --port=80",
        "get svc web -o wide",
        "scale deployment web --replicas=3",
        "get deploy web",
        "get pods",
        "scale deployment nope --replicas=1",
        "label deployment web tier=frontend",
        "label deployment web tier=backend",
        "label deployment web tier=backend --overwrite",
        "get deploy --show-labels",
        "annotate deployment web note=hello",
        "get deploy web -o jsonpath={.metadata.annotations.note}",
        "run one --image=busybox",
        "get pod one -o yaml",
        "scale pod one --replicas=2",
        "describe pod one",
        "label pods -l app=web env=prod",
        "get pods --show-labels",
        "get pods -l env=prod -L env",
        "annotate pod one a=b",
        "create secret generic s --from-literal=k=v",
        "get secret s -o yaml",
        "get secrets",
        "create job j --image=busybox -- echo hi",
        "get jobs",
        "get jobs -o wide",
        "create cronjob cj --image=busybox '--schedule=*/5 * * * *'",
        "get cronjobs",
        "get cronjobs -o wide",
        "set image deployment/web nginx=nginx:1.27",
        "rollout history deployment/web",
        "get rs -o wide",
        "cordon node3",
        "get nodes",
        "uncordon node3",
        "delete configmap c",
        "delete configmap c",
        "delete pod nope",
        "delete svc svc",
        "get svc",
        "delete pod one --wait=false",
        "delete deployment web",
        "delete namespace x --wait=false",
        "get ns",
        "create deployment Bad --image=nginx",
        "get pods --selector=app=nope",
    ] {
        b.same(line);
    }
    b.check();
}

/// The Deployment both kubectl suites apply.
const DEPLOY: &str = include_str!("fixtures/api-deployment.yaml");

#[test]
fn repl_prints_what_kubectl_prints_for_apply() {
    if !have_kubectl() {
        return;
    }
    let mut b = Both::start("apply");
    let file = |name: &str, text: &str| {
        let p = b.dir.join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let two = file("two.yaml", DEPLOY);
    let three = file("three.yaml", &DEPLOY.replace("replicas: 2", "replicas: 3"));
    // A new object: for an existing one kubectl prints its three-way patch.
    let bad = file(
        "bad.yaml",
        &DEPLOY
            .replace("replicas: 2", "replicas: 2\n  bogus: 1")
            .replace("name: api\n", "name: bad\n"),
    );
    let cm = file(
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: \"1\"\n  b: \"2\"\n",
    );
    let cm_a = file(
        "cm-a.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: \"1\"\n",
    );
    for line in [
        format!("apply -f {two}"),
        format!("apply -f {two}"),
        format!("apply --server-side -f {three}"),
        format!("apply --server-side --force-conflicts -f {three}"),
        "get deploy api".to_string(),
        "get deploy api -o jsonpath={.spec.replicas}".to_string(),
        "get deploy api -o jsonpath={.metadata.managedFields[*].manager}".to_string(),
        format!("apply -f {bad}"),
        format!("apply --server-side -f {cm}"),
        format!("apply --server-side -f {cm_a}"),
        "get cm cfg -o jsonpath={.data}".to_string(),
        format!("apply --server-side --field-manager=bob -f {cm}"),
        "scale deploy api --replicas=5".to_string(),
        format!("apply --server-side -f {three}"),
        "get cm cfg -o yaml".to_string(),
    ] {
        b.same(&line);
    }
    b.check();
}
