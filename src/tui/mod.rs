//! `kubesim tui`: the live dashboard a class watches while the cluster
//! changes (issue 10). See `docs/tui.md`.
//!
//! Built in the Elm architecture that ratatui recommends: a model
//! ([`app::App`]), one update function from actions to effects
//! ([`update::update`], keys mapped to actions in [`keys`]), and pure draw
//! functions ([`ui::draw`]). The simulation is a [`source::Source`]: the
//! world in this process, run between frames by the pacer, or a running
//! `kubesim serve` polled over HTTP ([`attach`]).

pub mod adapters;
pub mod app;
pub mod attach;
pub mod cache;
pub mod complete;
pub mod keys;
pub mod memo;
pub mod resources;
pub mod sampler;
pub mod shared;
pub mod source;
pub mod status;
pub mod table;
pub mod terminal;
pub mod theme;
pub mod ui;
pub mod update;

use crate::cli::session::Session;
use crate::cluster::{build_world, ClusterSpec};
use crate::sim::World;
use std::path::{Path, PathBuf};

/// `kubesim tui [FILE] [--speed N] [--seed N] [--attach URL]`
#[derive(clap::Args, Debug, Clone, Default)]
pub struct TuiArgs {
    /// A cluster file (`kind: Cluster`), Kubernetes manifests to apply, or a
    /// script of REPL lines to run before the dashboard opens.
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Virtual seconds per wall second (`+` and `-` change it live).
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Seed of the simulation (1 when not given).
    #[arg(long)]
    pub seed: Option<u64>,
    /// A cluster file, as the global `--cluster` (FILE may be one too).
    #[arg(long, value_name = "FILE")]
    pub cluster: Option<PathBuf>,
    /// Watch a running `kubesim serve` at URL instead of simulating here
    /// (e.g. http://127.0.0.1:6443).
    #[arg(long, value_name = "URL")]
    pub attach: Option<String>,
    /// No colours (as NO_COLOR=1).
    #[arg(long)]
    pub no_color: bool,
}

/// What a file given to `kubesim tui` is.
#[derive(Debug, PartialEq, Eq)]
pub enum FileKind {
    Cluster,
    Manifests,
    Script,
}

/// Tells a cluster file from manifests from a script of REPL lines.
pub fn file_kind(text: &str) -> FileKind {
    match crate::objects::manifest::parse_documents(text) {
        Ok(docs) if !docs.is_empty() => {
            if docs.iter().any(|d| d["kind"] == "Cluster") {
                FileKind::Cluster
            } else if docs
                .iter()
                .all(|d| d["apiVersion"].is_string() && d["kind"].is_string())
            {
                FileKind::Manifests
            } else {
                FileKind::Script
            }
        }
        _ => FileKind::Script,
    }
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Builds the session the arguments describe; returns it with a line of
/// startup messages (a failing script line, for instance).
pub fn build_session(args: &TuiArgs) -> Result<(Session, Option<String>), String> {
    let seed = args.seed.unwrap_or(1);
    let file = args
        .file
        .as_ref()
        .map(|p| read(p).map(|t| (p, t)))
        .transpose()?;
    let mut spec = match &args.cluster {
        Some(p) => ClusterSpec::from_yaml(&read(p)?)?,
        None => ClusterSpec::workshop(),
    };
    if let Some((_, text)) = &file {
        if file_kind(text) == FileKind::Cluster {
            spec = ClusterSpec::from_yaml(text)?;
        }
    }
    let world: World = build_world(&spec, seed);
    let mut session = Session::new(world);
    let mut note = None;
    if let Some((path, text)) = &file {
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        if !dir.as_os_str().is_empty() {
            session.state.workdir = dir;
        }
        match file_kind(text) {
            FileKind::Cluster => {}
            FileKind::Manifests => {
                let name = path.file_name().map(|n| n.to_string_lossy().to_string());
                let out = session.execute(&format!(
                    "kubectl apply -f {}",
                    shell_words::quote(&name.unwrap_or_default())
                ));
                if !out.success() {
                    note = Some(out.stderr.trim().to_string());
                }
            }
            FileKind::Script => {
                let (transcript, code) = crate::cli::script::run(&mut session, text, true);
                if code != 0 {
                    let last = transcript.lines().last().unwrap_or("").to_string();
                    note = Some(format!("the script had errors: {last}"));
                }
            }
        }
    }
    Ok((session, note))
}

/// Runs the dashboard until `q`; the terminal is restored whatever happens.
pub fn run(args: TuiArgs) -> Result<(), String> {
    let mut theme = theme::Theme::detect();
    if args.no_color {
        theme = theme::Theme::MONO;
    }
    if let Some(url) = &args.attach {
        return attach::run(url, theme);
    }
    let (session, note) = build_session(&args)?;
    #[allow(clippy::disallowed_methods)] // the TUI is a pacing edge
    let wall = std::time::Instant::now();
    let mut src = source::LocalSource::new(session.world, args.speed, wall, adapters::installed());
    src.session.state = session.state;
    let mut app = app::App::new(
        app::Clock::new(jiff::Timestamp::UNIX_EPOCH, src.world().seed(), args.speed),
        theme,
    );
    src.init(&mut app);
    if let Some(n) = note {
        app.flash(n, true);
    }
    let (_guard, mut term) =
        terminal::setup().map_err(|e| format!("cannot open the terminal: {e}"))?;
    terminal::run_loop(&mut term, &mut app, &mut src).map_err(|e| format!("terminal error: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser, Subcommand};

    /// The binary's shape: global `--seed`/`--cluster` (cli::WorldArgs) and
    /// a `tui` subcommand with its own `--seed`/`--cluster`.
    #[derive(Parser, Debug)]
    struct Cli {
        #[command(flatten)]
        world: crate::cli::WorldArgs,
        #[command(subcommand)]
        command: Sub,
    }

    #[derive(Subcommand, Debug)]
    enum Sub {
        Tui(TuiArgs),
    }

    fn parse(args: &[&str]) -> (crate::cli::WorldArgs, TuiArgs) {
        let cli = Cli::try_parse_from(args).unwrap();
        let Sub::Tui(t) = cli.command;
        (cli.world, t)
    }

    #[test]
    fn tui_args_sit_beside_the_global_world_args() {
        Cli::command().debug_assert();
        let (_, t) = parse(&["kubesim", "tui", "--seed", "5", "--speed", "10", "lab.yaml"]);
        assert_eq!(t.seed, Some(5));
        assert_eq!(t.speed, 10.0);
        assert_eq!(t.file.as_deref(), Some(Path::new("lab.yaml")));
        // A global --seed before the subcommand reaches the tui too: the
        // same argument id, so clap hands the global's value down.
        let (w, t) = parse(&["kubesim", "--seed", "3", "tui"]);
        assert_eq!(w.seed, 3);
        assert_eq!(t.seed, Some(3));
        let (_, t) = parse(&["kubesim", "tui", "--attach", "http://127.0.0.1:6443"]);
        assert_eq!(t.attach.as_deref(), Some("http://127.0.0.1:6443"));
    }

    #[test]
    fn files_are_told_apart() {
        assert_eq!(
            file_kind("apiVersion: kubesim.io/v1\nkind: Cluster\nnodes: []\n"),
            FileKind::Cluster
        );
        assert_eq!(
            file_kind("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\napiVersion: apps/v1\nkind: Deployment\n"),
            FileKind::Manifests
        );
        assert_eq!(
            file_kind("kubectl run web --image=nginx\nsim advance 20s\n"),
            FileKind::Script
        );
    }

    #[test]
    fn a_script_file_runs_before_the_dashboard_opens() {
        let dir = std::env::temp_dir().join(format!("kubesim-tui-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let script = dir.join("start.txt");
        std::fs::write(&script, "kubectl run web --image=nginx\nsim advance 20s\n").unwrap();
        let args = TuiArgs {
            file: Some(script.clone()),
            seed: Some(4),
            ..Default::default()
        };
        let (s, note) = build_session(&args).unwrap();
        assert_eq!(note, None);
        assert_eq!(s.world.seed(), 4);
        assert_eq!(s.world.now(), crate::sim::SimTime::from_secs(20));
        assert!(s
            .world
            .store
            .try_get(crate::objects::Kind::Pod, "default", "web")
            .is_some());
        std::fs::write(&script, "kubectl frobnicate\n").unwrap();
        let (_, note) = build_session(&args).unwrap();
        assert!(note.unwrap().contains("unknown command"));
        let missing = TuiArgs {
            file: Some(dir.join("nope.yaml")),
            ..Default::default()
        };
        let Err(e) = build_session(&missing) else {
            panic!("a missing file is an error")
        };
        assert!(e.starts_with("cannot read"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
