//! Commands inside a container: what `kubectl exec POD -- CMD` (and `kubectl
//! run -i`) runs. This is the exec hook (`Hooks::exec`, connected by
//! `net_hook::connected`): the container runtime's side of
//! `POST pods/NAME/exec`.
//!
//! No process runs in kubesim, so each program a learner types is modelled
//! here from what the pod's spec and the cluster say: the files the kubelet
//! writes (`/etc/resolv.conf`, `/etc/hosts`, `/etc/hostname`, ConfigMap,
//! Secret and downward-API volumes, the service-account files), the
//! environment the kubelet builds (pkg/kubelet/kubelet_pods.go
//! `makeEnvironmentVariables`, pkg/kubelet/envvars), the process list, the
//! virtual clock, and the network tools (`curl`, `wget`, `ping`, `nc`,
//! `nslookup`, ... through `ToolCtx::network`, from the pod's IP with the
//! pod's resolver). A program that is neither modelled nor known fails as
//! containerd fails it (`exec: "foo": executable file not found in $PATH`);
//! inside `sh -c` the shell's `sh: foo: not found` with status 127.

mod consul;
mod env;
mod files;
mod sh;

use super::hooks::{ExecResult, Origin, ToolCtx};
use super::output::Output;
use k8s_openapi::api::core::v1::{Container, Pod};
use std::time::Duration;

pub use env::environment;
pub use files::{read_file, FsError};

/// The programs answered here, with what they show (`kubectl exec --help`
/// and the "not simulated" message list them).
pub const PROGRAMS: &[(&str, &str)] = &[
    (
        "cat FILE...",
        "files the kubelet writes and mounted ConfigMaps, Secrets, downward API",
    ),
    ("ls [DIR]", "directories of those files"),
    (
        "env, printenv [VAR]",
        "the environment the kubelet builds, Service variables included",
    ),
    (
        "hostname, uname, whoami, id, pwd",
        "the container's identity",
    ),
    ("ps", "the container's processes"),
    ("date, sleep N", "virtual time"),
    ("echo, true, false", "as in BusyBox"),
    (
        "sh -c '...'",
        "one-liners: ; && || | (grep, head, tail, wc -l), $VAR, exit N",
    ),
    (
        "curl, wget, ping, nc, nslookup, host, dig, httping",
        "the simulated network, from the pod",
    ),
];

/// The network tools: they go to `ToolCtx::network` with the pod as origin.
pub const NETWORK_TOOLS: &[&str] = &[
    "curl", "wget", "ping", "httping", "nslookup", "host", "dig", "nc",
];

/// Programs that exist in real images but whose behaviour kubesim does not
/// model (a database shell, a package manager): a clear "not simulated"
/// rather than the runtime's "not found".
const KNOWN_UNMODELLED: &[&str] = &[
    "apk",
    "apt",
    "apt-get",
    "yum",
    "dnf",
    "pacman",
    "vi",
    "vim",
    "nano",
    "top",
    "kill",
    "mount",
    "df",
    "du",
    "free",
    "netstat",
    "ss",
    "ip",
    "ifconfig",
    "psql",
    "pg_dump",
    "pgbench",
    "createdb",
    "redis-cli",
    "consul",
    "mysql",
    "su",
    "sudo",
    "python",
    "python3",
    "node",
    "ruby",
    "perl",
    "tar",
    "find",
    "stat",
    "touch",
    "rm",
    "mkdir",
    "cp",
    "mv",
    "chmod",
    "ln",
    "traceroute",
    "telnet",
    "ab",
    "stress",
    "nginx",
    "kubectl",
    "tail",
    "head",
    "grep",
    "sed",
    "awk",
    "sort",
    "uniq",
    "wc",
    "tee",
    "xargs",
    "bash",
];

/// The container an exec runs in.
pub struct Sandbox {
    pub pod: Pod,
    pub container: Container,
}

impl Sandbox {
    pub fn namespace(&self) -> &str {
        self.pod.metadata.namespace.as_deref().unwrap_or("default")
    }
    pub fn pod_name(&self) -> &str {
        self.pod.metadata.name.as_deref().unwrap_or("")
    }
    /// `hostname`: spec.hostname, else the pod's name (kubelet
    /// `GeneratePodHostNameAndDomain`, truncated to 63 characters).
    pub fn hostname(&self) -> String {
        let h = self
            .pod
            .spec
            .as_ref()
            .and_then(|s| s.hostname.clone())
            .unwrap_or_else(|| self.pod_name().to_string());
        h.chars()
            .take(63)
            .collect::<String>()
            .trim_end_matches(['-', '.'])
            .to_string()
    }
    pub fn pod_ip(&self) -> String {
        self.pod
            .status
            .as_ref()
            .and_then(|s| s.pod_ip.clone())
            .unwrap_or_default()
    }
    /// The image's repository name without registry or tag (`alpine`,
    /// `nginx`, `dockercoins/rng`).
    pub(super) fn image_repo(&self) -> String {
        let image = self.container.image.clone().unwrap_or_default();
        let no_digest = image.split('@').next().unwrap_or("").to_string();
        let repo = match no_digest.rsplit_once(':') {
            Some((r, t)) if !t.contains('/') => r.to_string(),
            _ => no_digest,
        };
        repo.trim_start_matches("docker.io/")
            .trim_start_matches("library/")
            .to_string()
    }
    /// Whether the image ships `prog`. Only the well-known absences the
    /// workshop's images have: alpine and busybox have BusyBox (no curl,
    /// no bash); the Debian-based nginx image has neither ps nor ping.
    pub fn has_program(&self, prog: &str) -> bool {
        let repo = self.image_repo();
        let base = repo.rsplit('/').next().unwrap_or("");
        let missing: &[&str] = match base {
            "alpine" | "busybox" => &["curl", "bash", "dig", "host", "httping"],
            "nginx" => &[
                "ps", "ping", "wget", "nslookup", "nc", "dig", "host", "httping",
            ],
            _ => &[],
        };
        !missing.contains(&prog)
    }
    /// The command line of PID 1: the container's command and args, else
    /// the image's entrypoint as far as kubesim knows it.
    pub fn main_process(&self) -> String {
        let mut argv: Vec<String> = self.container.command.clone().unwrap_or_default();
        argv.extend(self.container.args.clone().unwrap_or_default());
        if !argv.is_empty() {
            return argv.join(" ");
        }
        let repo = self.image_repo();
        match repo.as_str() {
            "nginx" => "nginx: master process nginx -g daemon off;".into(),
            "redis" => "redis-server *:6379".into(),
            "jpetazzo/clock" => "/bin/sh -c while true; do date; sleep 1; done".into(),
            "dockercoins/rng" => "python rng.py".into(),
            "dockercoins/hasher" => "ruby hasher.rb".into(),
            "dockercoins/webui" => "node webui.js".into(),
            "dockercoins/worker" => "python worker.py".into(),
            "alpine" | "busybox" => "/bin/sh".into(),
            _ => repo.rsplit('/').next().unwrap_or("sh").to_string(),
        }
    }
}

/// The exec hook: runs `argv` in the container `ToolCtx::origin` names.
/// `None` when the origin is not a container or the pod is gone.
pub fn exec(tc: &mut ToolCtx, argv: &[String]) -> Option<ExecResult> {
    let Origin::Pod {
        namespace,
        name,
        container,
    } = tc.origin.clone()
    else {
        return None;
    };
    let pod = tc.world.store.get_as::<Pod>(&namespace, &name)?.clone();
    let c = pod
        .spec
        .as_ref()?
        .containers
        .iter()
        .chain(pod.spec.as_ref()?.init_containers.iter().flatten())
        .find(|c| c.name == container)?
        .clone();
    let sb = Sandbox { pod, container: c };
    let prog = argv.first().map(String::as_str).unwrap_or("");
    let base = prog.rsplit('/').next().unwrap_or(prog);
    let shell = matches!(base, "sh" | "ash" | "bash" | "dash");
    if base == "consul" && consul::is_consul(&sb) {
        return Some(ExecResult::Exited(consul::run(tc, &sb, &argv[1..])));
    }
    if !known(base) || !sb.has_program(base) {
        return Some(ExecResult::StartFailed(not_in_path(&sb, tc, prog)));
    }
    if !modelled(base) && !is_filter(base) {
        // It exists in the image, but kubesim does not model it.
        return None;
    }
    if shell && argv.get(1).map(String::as_str) != Some("-c") {
        // A shell without a script reads stdin: with none, it ends at once.
        return Some(ExecResult::Exited(Output::default()));
    }
    Some(ExecResult::Exited(run(tc, &sb, argv)))
}

fn is_filter(prog: &str) -> bool {
    matches!(prog, "grep" | "head" | "tail" | "wc" | "sort")
}

/// Whether `prog` is modelled or known to exist in images.
fn known(prog: &str) -> bool {
    modelled(prog) || KNOWN_UNMODELLED.contains(&prog)
}

fn modelled(prog: &str) -> bool {
    NETWORK_TOOLS.contains(&prog)
        || matches!(
            prog,
            "sh" | "ash"
                | "bash"
                | "dash"
                | "cat"
                | "ls"
                | "env"
                | "printenv"
                | "hostname"
                | "uname"
                | "whoami"
                | "id"
                | "pwd"
                | "ps"
                | "date"
                | "sleep"
                | "echo"
                | "true"
                | "false"
        )
}

/// containerd's error when runc cannot find the program (kubectl prints it
/// as an Internal error and exits 1). The exec id is a digest of where and
/// when, so transcripts are reproducible.
fn not_in_path(sb: &Sandbox, tc: &ToolCtx, prog: &str) -> String {
    let seed = format!(
        "{}/{}/{}/{}/{}",
        sb.namespace(),
        sb.pod_name(),
        sb.container.name,
        tc.world.now().0,
        prog
    );
    let id = exec_id(&seed);
    let what = if prog.contains('/') {
        format!("exec: \"{prog}\": stat {prog}: no such file or directory")
    } else {
        format!("exec: \"{prog}\": executable file not found in $PATH")
    };
    format!(
        "Internal error occurred: error executing command in container: failed to exec in container: failed to start exec \"{id}\": OCI runtime exec failed: exec failed: unable to start container process: {what}: unknown"
    )
}

/// 64 hex digits derived from `seed` (FNV-1a, four lanes).
fn exec_id(seed: &str) -> String {
    let mut s = String::new();
    for lane in 0u64..4 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ lane.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        for b in seed.bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        s.push_str(&format!("{h:016x}"));
    }
    s
}

/// Runs one program (already checked to exist) and returns what it
/// printed and its exit status.
pub fn run(tc: &mut ToolCtx, sb: &Sandbox, argv: &[String]) -> Output {
    let prog = argv[0].rsplit('/').next().unwrap_or(&argv[0]).to_string();
    let args = &argv[1..];
    if let Some(o) = sh::filter(tc, sb, &prog, args, None) {
        return o;
    }
    match prog.as_str() {
        "sh" | "ash" | "bash" | "dash" => match args.first().map(String::as_str) {
            Some("-c") => sh::run(tc, sb, args.get(1).map(String::as_str).unwrap_or("")),
            _ => Output::default(),
        },
        "cat" => cat(tc, sb, args),
        "ls" => ls(tc, sb, args),
        "env" => Output::ok(
            environment(tc.world, sb)
                .iter()
                .map(|(k, v)| format!("{k}={v}\n"))
                .collect::<String>(),
        ),
        "printenv" => {
            let env = environment(tc.world, sb);
            if args.is_empty() {
                return Output::ok(env.iter().map(|(k, v)| format!("{k}={v}\n")).collect::<String>());
            }
            let mut out = Output::default();
            for a in args {
                match env.iter().find(|(k, _)| k == a) {
                    Some((_, v)) => out.push_out(v),
                    None => out.code = 1,
                }
            }
            out
        }
        "hostname" => Output::ok(format!("{}\n", sb.hostname())),
        "whoami" => Output::ok("root\n"),
        "id" => Output::ok("uid=0(root) gid=0(root) groups=0(root),1(bin),2(daemon),3(sys),4(adm),6(disk),10(wheel),11(floppy),20(dialout),26(tape),27(video)\n"),
        "pwd" => Output::ok(format!(
            "{}\n",
            sb.container.working_dir.clone().unwrap_or_else(|| "/".into())
        )),
        "uname" => uname(sb, args),
        "ps" => ps(tc, sb),
        "date" => Output::ok(format!(
            "{}\n",
            tc.world
                .store
                .timestamp()
                .0
                .to_zoned(jiff::tz::TimeZone::UTC)
                .strftime("%a %b %e %H:%M:%S UTC %Y")
        )),
        "sleep" => sleep(tc, args),
        "echo" => echo(args),
        "true" => Output::default(),
        "false" => Output::default().with_code(1),
        p if NETWORK_TOOLS.contains(&p) => {
            let network = tc.network;
            let mut argv = vec![p.to_string()];
            argv.extend(args.iter().cloned());
            network(tc, &argv)
        }
        p => Output::err(format!(
            "kubesim does not simulate \"{p}\" inside containers; it answers: {}",
            PROGRAMS.iter().map(|(p, _)| *p).collect::<Vec<_>>().join("; ")
        )),
    }
}

/// BusyBox `cat`: each file in turn; a missing one is reported and the
/// status is 1.
fn cat(tc: &mut ToolCtx, sb: &Sandbox, args: &[String]) -> Output {
    let mut out = Output::default();
    for a in args
        .iter()
        .filter(|a| !a.starts_with('-') || a.as_str() == "-")
    {
        match read_file(tc.world, sb, a) {
            Ok(text) => out.stdout.push_str(&text),
            Err(FsError::NotFound) => {
                out.push_err(&format!("cat: can't open '{a}': No such file or directory"));
                out.code = 1;
            }
            Err(FsError::IsDir) => {
                out.push_err("cat: read error: Is a directory");
                out.code = 1;
            }
        }
    }
    out
}

/// BusyBox `ls` without a terminal: one name per line, sorted.
fn ls(tc: &mut ToolCtx, sb: &Sandbox, args: &[String]) -> Output {
    let all = args.iter().any(|a| a.starts_with('-') && a.contains('a'));
    let paths: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let root = String::from(".");
    let paths = if paths.is_empty() { vec![&root] } else { paths };
    let cwd = sb
        .container
        .working_dir
        .clone()
        .unwrap_or_else(|| "/".into());
    let mut out = Output::default();
    let several = paths.len() > 1;
    for (i, p) in paths.iter().enumerate() {
        let abs = if p.as_str() == "." {
            cwd.clone()
        } else {
            p.to_string()
        };
        match files::list(tc.world, sb, &abs) {
            Ok(mut names) => {
                if !all {
                    names.retain(|n| !n.starts_with('.'));
                }
                if several {
                    if i > 0 {
                        out.stdout.push('\n');
                    }
                    out.stdout.push_str(&format!("{p}:\n"));
                }
                for n in names {
                    out.stdout.push_str(&format!("{n}\n"));
                }
            }
            Err(FsError::IsDir) => {}
            Err(FsError::NotFound) => {
                if read_file(tc.world, sb, &abs).is_ok() {
                    out.stdout.push_str(&format!("{p}\n"));
                } else {
                    out.push_err(&format!("ls: {p}: No such file or directory"));
                    out.code = 1;
                }
            }
        }
    }
    out
}

fn uname(sb: &Sandbox, args: &[String]) -> Output {
    const KERNEL: &str = "6.8.0-1029-aws";
    match args.first().map(String::as_str) {
        Some("-r") => Output::ok(format!("{KERNEL}\n")),
        Some("-n") => Output::ok(format!("{}\n", sb.hostname())),
        Some("-m") => Output::ok("x86_64\n"),
        Some("-a") => Output::ok(format!(
            "Linux {} {KERNEL} #31-Ubuntu SMP Thu Apr 24 21:21:44 UTC 2025 x86_64 Linux\n",
            sb.hostname()
        )),
        _ => Output::ok("Linux\n"),
    }
}

/// BusyBox `ps`: PID 1 is the container's main process, then `ps` itself.
fn ps(tc: &ToolCtx, sb: &Sandbox) -> Output {
    let started = sb
        .pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .and_then(|cs| cs.iter().find(|c| c.name == sb.container.name))
        .and_then(|c| c.state.as_ref())
        .and_then(|s| s.running.as_ref())
        .and_then(|r| r.started_at.as_ref())
        .map(|t| t.0);
    // A few execs have come and gone since the start: a stable small PID.
    let age = started
        .map(|t| (tc.world.store.timestamp().0 - t).get_seconds().max(0))
        .unwrap_or(0);
    let own = 7 + (age % 97);
    let mut s = String::from("PID   USER     TIME  COMMAND\n");
    s.push_str(&format!(
        "{:>5} {:<8} {:>5} {}\n",
        1,
        "root",
        "0:00",
        sb.main_process()
    ));
    s.push_str(&format!("{:>5} {:<8} {:>5} ps\n", own, "root", "0:00"));
    Output::ok(s)
}

/// `sleep N`: virtual time passes (bounded by the script deadline).
fn sleep(tc: &mut ToolCtx, args: &[String]) -> Output {
    let Some(a) = args.first() else {
        return Output::err("sleep: missing operand").with_code(1);
    };
    let secs: f64 = match a.trim_end_matches('s').parse() {
        Ok(s) => s,
        Err(_) => return Output::err(format!("sleep: invalid number '{a}'")),
    };
    let mut until = tc.world.now() + Duration::from_secs_f64(secs.max(0.0));
    if let Some(d) = tc.deadline {
        until = until.min(d);
    }
    if !tc.wait_until(until) {
        return Output::default().with_code(130);
    }
    Output::default()
}

/// BusyBox `echo` (`-n`, `-e` for `\n` and `\t`).
fn echo(args: &[String]) -> Output {
    let mut newline = true;
    let mut escapes = false;
    let mut words = args;
    while let Some(f) = words.first() {
        match f.as_str() {
            "-n" => newline = false,
            "-e" => escapes = true,
            "-ne" | "-en" => {
                newline = false;
                escapes = true;
            }
            _ => break,
        }
        words = &words[1..];
    }
    let mut s = words.join(" ");
    if escapes {
        s = s.replace("\\n", "\n").replace("\\t", "\t");
    }
    if newline {
        s.push('\n');
    }
    Output::ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_ids_are_64_hex_and_depend_on_the_seed() {
        let a = exec_id("default/web/nginx/1/foo");
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, exec_id("default/web/nginx/2/foo"));
    }

    #[test]
    fn echo_flags() {
        let w = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(echo(&w(&["a", "b"])).stdout, "a b\n");
        assert_eq!(echo(&w(&["-n", "a"])).stdout, "a");
        assert_eq!(echo(&w(&["-e", "a\\tb"])).stdout, "a\tb\n");
    }
}
