//! The REPL's backends without a terminal: `Local` (a world of its own,
//! advancing at the wall clock between prompts) and `Remote` (a world on
//! another thread, reached through `WorldAccess`, as `kubesim serve
//! --repl` runs it).

use kubesim::cli::repl::{Backend, Local, Remote, WorldAccess};
use kubesim::cli::session::Session;
use kubesim::cluster::workshop_world;
use kubesim::sim::World;
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

/// A closure sent to the world's thread.
type Job = Box<dyn FnOnce(&mut World) + Send>;

/// A world on its own thread, answering closures (the shape of the
/// runner's `SimHandle::call`), and a log of the runner controls.
struct Threaded {
    tx: mpsc::Sender<Job>,
    controls: Arc<Mutex<Vec<String>>>,
}

impl Threaded {
    fn spawn(mut world: World) -> Threaded {
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::spawn(move || {
            while let Ok(f) = rx.recv() {
                f(&mut world);
            }
        });
        Threaded {
            tx,
            controls: Arc::default(),
        }
    }
}

impl WorldAccess for Threaded {
    fn with<R: Send + 'static>(&self, f: impl FnOnce(&mut World) -> R + Send + 'static) -> R {
        let (rtx, rrx) = mpsc::channel();
        self.tx
            .send(Box::new(move |w| {
                let _ = rtx.send(f(w));
            }))
            .expect("world thread");
        rrx.recv().expect("answer")
    }
    fn pause(&self) {
        self.controls.lock().unwrap().push("pause".into());
    }
    fn resume(&self) {
        self.controls.lock().unwrap().push("resume".into());
    }
    fn set_speed(&self, speed: f64) {
        self.controls.lock().unwrap().push(format!("speed {speed}"));
    }
}

#[test]
fn remote_runs_lines_on_the_world_thread_and_keeps_the_session() {
    let access = Threaded::spawn(workshop_world(1));
    let controls = access.controls.clone();
    let mut r = Remote::new(access);
    assert_eq!(r.seed(), 1);
    assert_eq!(r.prompt(false), "[09:00:00 default]$ ");
    let (o, exit) = r.execute("kubectl create deployment web --image=nginx");
    assert_eq!(o.stdout, "deployment.apps/web created\n");
    assert!(!exit);
    // Variables and the namespace live in the front end's state.
    r.execute("N=kube-system");
    let (o, _) = r.execute("kubectl config set-context --current --namespace=$N");
    assert_eq!(
        o.stdout,
        "Context \"kubernetes-admin@kubernetes\" modified.\n"
    );
    assert_eq!(r.prompt(false), "[09:00:00 kube-system]$ ");
    assert_eq!(r.state.namespace, "kube-system");
    // Completion reads the remote world.
    let (start, c) = r.complete("kubectl get deploy -n default w", 31);
    assert_eq!(start, 30);
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].replacement, "web");
    // sim pause/resume/speed act on the runner.
    let (o, _) = r.execute("sim pause");
    assert!(
        o.stdout.starts_with("simulation paused at 00:00:00"),
        "{}",
        o.stdout
    );
    r.execute("sim speed 4");
    let (o, _) = r.execute("sim resume");
    assert_eq!(o.stdout, "simulation resumed at 00:00:00 (speed 4x)\n");
    let (o, _) = r.execute("sim speed fast");
    assert_eq!(o.code, 1);
    assert_eq!(
        *controls.lock().unwrap(),
        vec!["pause".to_string(), "speed 4".into(), "resume".into()]
    );
    // Other sim commands run on the world; exit ends the loop.
    let (o, _) = r.execute("sim advance 10s && sim status | head -1");
    assert_eq!(o.stdout, "virtual time: 10.000s (10s)\n");
    let (o, exit) = r.execute("exit 3");
    assert!(exit);
    assert_eq!(o.code, 3);
}

#[test]
fn local_advances_at_the_wall_clock_between_prompts() {
    let mut l = Local(Session::new(workshop_world(1)));
    l.idle(Duration::from_secs(2));
    assert_eq!(l.0.world.now().0, 2_000);
    l.execute("sim speed 10");
    l.idle(Duration::from_millis(500));
    assert_eq!(l.0.world.now().0, 7_000);
    l.execute("sim pause");
    l.idle(Duration::from_secs(60));
    assert_eq!(l.0.world.now().0, 7_000);
    assert_eq!(l.prompt(false), "[09:00:07 default]$ ");
    let (o, exit) = l.execute("kubectl get ns default -o name");
    assert_eq!((o.stdout.as_str(), exit), ("namespace/default\n", false));
    let (_, c) = l.complete("kubectl get n", 13);
    assert!(c.iter().any(|c| c.replacement == "nodes"), "{c:?}");
}
