//! `kubesim serve`: the Kubernetes HTTP API in front of the simulation, so
//! the real kubectl and client libraries drive it.
//!
//! One axum fallback handler parses every path into group, version,
//! namespace, resource, name and subresource ([`path`]), then dispatches by
//! verb. Every read and write is a closure sent to the simulation thread
//! through a [`SimHandle`] (architecture principle 1); rendering (JSON,
//! Tables) happens on the request's own task. See `docs/http-api.md`.
//!
//! What kubectl sends and needs is recorded in
//! `shared/docs/kubectl-wire-notes.md`; upstream's request pipeline is
//! `k8s.io/apiserver/pkg/endpoints/handlers/`.

pub mod authz;
pub mod discovery;
mod handler;
pub mod logs;
pub mod metrics;
pub mod openapi;
pub mod path;
pub mod protobuf;
mod read;
mod response;
mod subresources;
mod watch;
mod write;

use crate::cluster::{build_world, ClusterSpec};
use crate::sim::runner::{self, Pacing, SimHandle};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

/// Largest request body accepted (the apiserver's 3 MiB limit).
pub const MAX_BODY_BYTES: usize = 3 * 1024 * 1024;

/// Where and how to serve.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    pub address: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    /// Where to write the kubeconfig (None: do not write one).
    pub kubeconfig: Option<PathBuf>,
    /// Print `export KUBECONFIG=...` and the URL on stdout.
    pub announce: bool,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            address: IpAddr::from([127, 0, 0, 1]),
            port: 0,
            kubeconfig: None,
            announce: false,
        }
    }
}

/// Shared by every request.
pub(crate) struct App {
    pub sim: SimHandle,
    /// `127.0.0.1:PORT`, as `/api` reports it.
    pub server_address: String,
    /// Flips to true on shutdown: open watch and log streams end cleanly.
    pub shutdown: tokio::sync::watch::Receiver<bool>,
}

/// The axum router: one fallback handler for every path.
fn router(app: Arc<App>) -> axum::Router {
    axum::Router::new()
        .fallback(handler::handle)
        .with_state(app)
}

/// A running server (see [`start`]).
pub struct Server {
    pub addr: SocketAddr,
    stop: tokio::sync::watch::Sender<bool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
    /// Stops accepting requests, ends open streams and waits for the server.
    pub fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
    /// Blocks until the server stops (after Ctrl-C when started by [`serve`]).
    pub fn wait(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Starts the API server on its own thread (with its own tokio runtime) in
/// front of `handle`; returns once the port is bound. With `ctrl_c`, a
/// Ctrl-C also shuts it down.
pub fn start(handle: SimHandle, opts: &ServeOptions, ctrl_c: bool) -> Result<Server, String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    let bind = SocketAddr::new(opts.address, opts.port);
    let listener = rt
        .block_on(tokio::net::TcpListener::bind(bind))
        .map_err(|e| format!("cannot listen on {bind}: {e}"))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot listen on {bind}: {e}"))?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let app = Arc::new(App {
        sim: handle,
        server_address: addr.to_string(),
        shutdown: stop_rx.clone(),
    });
    let stop_on_signal = stop_tx.clone();
    let thread = std::thread::Builder::new()
        .name("kubesim-api".into())
        .spawn(move || {
            rt.block_on(async move {
                if ctrl_c {
                    tokio::spawn(async move {
                        if tokio::signal::ctrl_c().await.is_ok() {
                            let _ = stop_on_signal.send(true);
                        }
                    });
                }
                let mut rx = stop_rx;
                let signal = async move {
                    let _ = rx.wait_for(|v| *v).await;
                };
                // Small responses must not wait for delayed ACKs (Nagle).
                let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
                    let _ = tcp.set_nodelay(true);
                });
                let _ = axum::serve(listener, router(app))
                    .with_graceful_shutdown(signal)
                    .await;
            });
            rt.shutdown_timeout(std::time::Duration::from_secs(1));
        })
        .map_err(|e| format!("cannot start the server thread: {e}"))?;
    Ok(Server {
        addr,
        stop: stop_tx,
        thread: Some(thread),
    })
}

/// Serves the API for `handle` until Ctrl-C: binds, writes the kubeconfig,
/// prints the `export KUBECONFIG=...` line, then blocks.
pub fn serve(handle: SimHandle, opts: ServeOptions) -> Result<(), String> {
    let server = start(handle, &opts, true)?;
    announce(&server, &opts)?;
    server.wait();
    Ok(())
}

fn announce(server: &Server, opts: &ServeOptions) -> Result<(), String> {
    if let Some(path) = &opts.kubeconfig {
        write_kubeconfig(path, &server.url())?;
    }
    if opts.announce {
        println!("kubesim: serving the Kubernetes API on {}", server.url());
        if let Some(path) = &opts.kubeconfig {
            let shown = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
            println!("export KUBECONFIG={}", shown.display());
        }
        println!("(Ctrl-C stops the server)");
    }
    Ok(())
}

/// The kubeconfig text for a server URL: cluster `kubesim`, admin user,
/// and an `alice` user that authenticates by impersonation (tokens are not
/// sent over http; see wire notes section 6).
pub fn kubeconfig(url: &str) -> String {
    format!(
        "apiVersion: v1
kind: Config
clusters:
- name: kubesim
  cluster:
    server: {url}
users:
- name: kubesim-admin
  user: {{}}
- name: alice
  user:
    as: alice
    as-groups: [devs]
contexts:
- name: kubesim
  context:
    cluster: kubesim
    user: kubesim-admin
    namespace: default
- name: kubesim-alice
  context:
    cluster: kubesim
    user: alice
    namespace: default
current-context: kubesim
preferences: {{}}
"
    )
}

/// Writes [`kubeconfig`] to `path` (creating its directory).
pub fn write_kubeconfig(path: &std::path::Path, url: &str) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
    }
    std::fs::write(path, kubeconfig(url))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// `kubesim serve` arguments.
#[derive(clap::Args, Clone, Debug)]
pub struct ServeArgs {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 6443)]
    pub port: u16,
    /// Address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1")]
    pub address: IpAddr,
    /// Where to write the kubeconfig.
    #[arg(long, default_value = "kubesim.kubeconfig")]
    pub kubeconfig: PathBuf,
    /// Virtual seconds per wall-clock second.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Seed of every random choice (set from the global `--seed`).
    #[arg(skip = 1u64)]
    pub seed: u64,
    /// Also open the REPL on the same cluster.
    #[arg(long, conflicts_with = "tui")]
    pub repl: bool,
    /// Also open the dashboard (`kubesim tui`) on the same cluster: the
    /// projector shows what learners do with kubectl.
    #[arg(long)]
    pub tui: bool,
    /// A cluster file (the workshop cluster by default).
    pub cluster: Option<PathBuf>,
}

/// Builds the world the arguments describe and starts its thread.
pub fn spawn_world(args: &ServeArgs) -> Result<SimHandle, String> {
    let mut spec = match &args.cluster {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| format!("cannot read {}: {e}", p.display()))?;
            ClusterSpec::from_yaml(&text)?
        }
        None => ClusterSpec::workshop(),
    };
    if !(args.speed.is_finite() && args.speed > 0.0) {
        return Err(format!(
            "--speed must be a positive number, not {}",
            args.speed
        ));
    }
    if !spec.has_explicit_start_time() {
        spec.start_time = wall_clock_now();
    }
    let world = build_world(&spec, args.seed);
    Ok(runner::spawn(world, Pacing::Paced { speed: args.speed }))
}

/// The wall clock, to the second. kubectl computes some ages on the client
/// (`kubectl events`, describe's Events, `get -w` rows it prints itself)
/// from its own clock, so a served simulation starts at the real "now"
/// unless its cluster file names a `startTime`; paced at speed 1, virtual
/// and wall time then agree. (The binary edge is the one place the wall
/// clock may be read; the simulation itself never does.)
#[allow(clippy::disallowed_methods)]
fn wall_clock_now() -> String {
    let now = jiff::Timestamp::now();
    jiff::Timestamp::from_second(now.as_second())
        .unwrap_or(now)
        .to_string()
}

fn options(args: &ServeArgs) -> ServeOptions {
    ServeOptions {
        address: args.address,
        port: args.port,
        kubeconfig: Some(args.kubeconfig.clone()),
        announce: true,
    }
}

/// `kubesim serve`: runs until Ctrl-C. `--repl` needs a front end, see
/// [`run_serve_with_front_end`].
pub fn run_serve(args: &ServeArgs) -> Result<(), String> {
    if args.repl || args.tui {
        return Err(
            "kubesim serve --repl/--tui: a front end is attached by run_serve_with_front_end"
                .into(),
        );
    }
    let handle = spawn_world(args)?;
    serve(handle.clone(), options(args))?;
    handle.stop();
    Ok(())
}

/// `kubesim serve --repl`: serves the API and runs `front_end` (the REPL) on
/// the same simulation; the server stops when the front end returns.
pub fn run_serve_with_front_end(
    args: &ServeArgs,
    front_end: impl FnOnce(SimHandle),
) -> Result<(), String> {
    let handle = spawn_world(args)?;
    let opts = options(args);
    let server = start(handle.clone(), &opts, false)?;
    announce(&server, &opts)?;
    front_end(handle.clone());
    server.shutdown();
    handle.stop();
    Ok(())
}

#[cfg(test)]
mod tests;
