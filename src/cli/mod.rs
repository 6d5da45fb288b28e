//! Front ends: the command line (`kubesim ...`), the REPL and script mode.
//! Each flag is defined once, in the clap structs below; `--help` is
//! generated from them.

pub mod complete;
pub mod container;
pub mod flags;
pub mod format;
pub mod help;
pub mod hooks;
pub mod kubectl;
pub mod net_hook;
pub mod output;
pub mod repl;
pub mod script;
pub mod session;
pub mod shell;
pub mod sim_cmd;
pub mod term;

use crate::cluster::{build_world, ClusterSpec};
use crate::sim::World;
use clap::{Args, Parser, Subcommand};

/// A Kubernetes-compatible cluster simulator.
#[derive(Parser, Debug)]
#[command(name = "kubesim", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub world: WorldArgs,
    #[command(subcommand)]
    pub command: Option<Commands>,
}

/// How the simulated cluster is made: shared by every subcommand.
#[derive(Args, Debug, Clone)]
pub struct WorldArgs {
    /// Seed of the simulation: one seed gives one history, byte for byte.
    #[arg(long, global = true, default_value_t = 1)]
    pub seed: u64,
    /// A cluster file (nodes, sizes, taints); the workshop cluster by default.
    #[arg(long, global = true, value_name = "FILE")]
    pub cluster: Option<std::path::PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum Commands {
    /// Open the interactive shell (the default).
    Repl,
    /// Run the lines of FILE (or - for stdin), echoing each as `$ LINE`.
    Script(ScriptArgs),
    /// Serve the Kubernetes HTTP API, so the real kubectl drives the simulation.
    Serve(crate::api::ServeArgs),
    /// The live dashboard a class watches while the cluster changes.
    Tui(crate::tui::TuiArgs),
    /// The scheduler alone: schedule pending pods from manifests and print
    /// every decision (for snapshot tests and what-if questions).
    Schedule(crate::scheduler::cli::ScheduleArgs),
}

#[derive(Args, Debug)]
pub struct ScriptArgs {
    /// The script file, or - for standard input.
    pub file: String,
    /// Stop at the first failing line, as `sh -e` does. By default every
    /// line runs, as in a shell script (workshop scripts have lines that are
    /// meant to fail); the exit status is the first failing line's either way.
    #[arg(short = 'e', long)]
    pub stop_on_error: bool,
    /// Go on after a failing line: the default (kept for older scripts).
    #[arg(long, hide = true)]
    pub keep_going: bool,
}

impl WorldArgs {
    /// The world these arguments describe.
    pub fn build(&self) -> Result<World, String> {
        let spec = match &self.cluster {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                ClusterSpec::from_yaml(&text)?
            }
            None => ClusterSpec::workshop(),
        };
        Ok(build_world(&spec, self.seed))
    }
}

/// Runs the binary; returns the process exit code.
pub fn main_entry() -> i32 {
    let cli = Cli::parse();
    if let Some(Commands::Schedule(args)) = &cli.command {
        let mut args = args.clone();
        args.seed = cli.world.seed;
        return match crate::scheduler::cli::run(&args) {
            Ok(out) => {
                print!("{out}");
                0
            }
            Err(e) => {
                eprintln!("error: {e}");
                1
            }
        };
    }
    if let Some(Commands::Tui(args)) = &cli.command {
        let mut args = args.clone();
        args.seed.get_or_insert(cli.world.seed);
        if args.cluster.is_none() {
            args.cluster = cli.world.cluster.clone();
        }
        return match crate::tui::run(args) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("error: {e}");
                1
            }
        };
    }
    if let Some(Commands::Serve(args)) = &cli.command {
        let mut args = args.clone();
        // --seed and --cluster may be given before the subcommand too.
        if args.cluster.is_none() {
            args.cluster = cli.world.cluster.clone();
        }
        args.seed = cli.world.seed;
        let result = if args.repl {
            crate::api::run_serve_with_front_end(&args, |handle| {
                repl::run_remote(handle);
            })
        } else if args.tui {
            let mut tui_result = Ok(());
            let note = format!(
                "serving the Kubernetes API: export KUBECONFIG={}",
                args.kubeconfig.display()
            );
            crate::api::run_serve_with_front_end(&args, |handle| {
                tui_result = crate::tui::shared::run(
                    handle,
                    args.speed,
                    crate::tui::theme::Theme::detect(),
                    Some(note),
                );
            })
            .and(tui_result)
        } else {
            crate::api::run_serve(&args)
        };
        return match result {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("error: {e}");
                1
            }
        };
    }
    let world = match cli.world.build() {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    match cli.command {
        None | Some(Commands::Repl) => repl::run(world),
        Some(Commands::Serve(_)) | Some(Commands::Tui(_)) | Some(Commands::Schedule(_)) => {
            unreachable!("handled above")
        }
        Some(Commands::Script(args)) => {
            let text = if args.file == "-" {
                let mut s = String::new();
                if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut s) {
                    eprintln!("error: cannot read standard input: {e}");
                    return 2;
                }
                s
            } else {
                match std::fs::read_to_string(&args.file) {
                    Ok(s) => s,
                    Err(e) => {
                        eprintln!("error: cannot read {}: {e}", args.file);
                        return 2;
                    }
                }
            };
            let mut session = session::Session::new(world);
            let (transcript, code) = script::run(&mut session, &text, !args.stop_on_error);
            print!("{transcript}");
            code
        }
    }
}
