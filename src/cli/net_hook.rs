//! The hook that connects the shell's network tools (`curl`, `wget`,
//! `httping`, `ping`, `nslookup`) to the simulation: argv parsing here, the
//! requests themselves in `crate::net::tools`.

use super::hooks::{Hooks, Origin, ToolCtx};
use super::output::Output;
use crate::net::tools::{self, curl::CurlOpts, wget::WgetOpts, ToolOutput};

/// The hooks with every part of kubesim connected.
pub fn connected() -> Hooks {
    Hooks {
        network,
        exec: super::container::exec,
        ..Hooks::default()
    }
}

fn out(t: ToolOutput) -> Output {
    Output {
        stdout: t.stdout,
        stderr: t.stderr,
        code: t.code,
    }
}

fn origin(o: &Origin) -> tools::Origin {
    match o {
        Origin::Node(n) => tools::Origin::Node(n.clone()),
        Origin::Pod {
            namespace, name, ..
        } => tools::Origin::Pod(namespace.clone(), name.clone()),
    }
}

/// Runs `curl`, `wget`, `httping`, `ping`, `nc` or `nslookup` with its argv.
pub fn network(ctx: &mut ToolCtx, argv: &[String]) -> Output {
    let from = origin(&ctx.origin);
    let tool = argv.first().map(String::as_str).unwrap_or("");
    let args = &argv[1.min(argv.len())..];
    match tool {
        "curl" => match parse_curl(args) {
            Ok((url, opts)) => out(tools::curl::curl(ctx.world, &from, &url, &opts)),
            Err(e) => Output {
                stderr: format!("curl: {e}\n"),
                code: 2,
                ..Default::default()
            },
        },
        "wget" => {
            let mut opts = WgetOpts::default();
            let mut url = None;
            let mut i = 0;
            while i < args.len() {
                match args[i].as_str() {
                    "-q" => opts.quiet = true,
                    "-O" => {
                        i += 1;
                        opts.to_stdout = args.get(i).map(String::as_str) == Some("-");
                    }
                    "-qO-" | "-O-" => {
                        opts.quiet = args[i].starts_with("-q") || opts.quiet;
                        opts.to_stdout = true;
                    }
                    "-T" => {
                        i += 1;
                        opts.timeout = args.get(i).and_then(|s| s.parse().ok());
                    }
                    a if !a.starts_with('-') => url = Some(a.to_string()),
                    _ => {}
                }
                i += 1;
            }
            match url {
                Some(u) => out(tools::wget::wget(ctx.world, &from, &u, &opts)),
                None => Output::err("BusyBox v1.36.1 (2023-11-07 18:53:09 UTC) multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[-P DIR] [-U AGENT] [-T SEC] URL..."),
            }
        }
        "httping" | "ping" => {
            let mut count: u32 = if tool == "ping" { 4 } else { 3 };
            let mut target = None;
            let mut i = 0;
            while i < args.len() {
                if args[i] == "-c" {
                    i += 1;
                    count = args.get(i).and_then(|s| s.parse().ok()).unwrap_or(count);
                } else if let Some(n) = args[i].strip_prefix("-c") {
                    count = n.parse().unwrap_or(count);
                } else if !args[i].starts_with('-') {
                    target = Some(args[i].clone());
                }
                i += 1;
            }
            let Some(t) = target else {
                return Output::err(format!("{tool}: usage error: Destination address required"));
            };
            if tool == "ping" {
                out(tools::ping::ping(ctx.world, &from, &t, count))
            } else {
                out(tools::httping::httping(ctx.world, &from, &t, count))
            }
        }
        "nc" => {
            // nc [-z] [-v] [-w SECS] HOST PORT
            let mut timeout = None;
            let mut words = Vec::new();
            let mut i = 0;
            while i < args.len() {
                match args[i].as_str() {
                    "-w" => {
                        i += 1;
                        timeout = args.get(i).and_then(|s| s.parse().ok());
                    }
                    a if a.starts_with('-') => {}
                    a => words.push(a.to_string()),
                }
                i += 1;
            }
            match (words.first(), words.get(1).and_then(|p| p.parse::<u16>().ok())) {
                (Some(h), Some(p)) => out(tools::nc::nc(ctx.world, &from, h, p, timeout)),
                _ => Output::err("BusyBox v1.36.1 (2023-11-07 18:53:09 UTC) multi-call binary.\n\nUsage: nc [OPTIONS] HOST PORT  - connect\nnc [OPTIONS] -l -p PORT [HOST] [PORT]  - listen"),
            }
        }
        "nslookup" => match args.iter().find(|a| !a.starts_with('-')) {
            Some(name) => out(tools::nslookup::nslookup(ctx.world, &from, name)),
            None => Output::err("nslookup: usage: nslookup HOST"),
        },
        _ => super::hooks::unresolved_network(ctx, argv),
    }
}

fn parse_curl(args: &[String]) -> Result<(String, CurlOpts), String> {
    let mut o = CurlOpts::default();
    let mut url = None;
    let mut i = 0;
    let value = |i: &mut usize| -> Result<String, String> {
        *i += 1;
        args.get(*i)
            .cloned()
            .ok_or_else(|| format!("option {}: requires parameter", args[*i - 1]))
    };
    while i < args.len() {
        let a = args[i].as_str();
        match a {
            "-X" | "--request" => o.method = Some(value(&mut i)?),
            "-d" | "--data" => o.data = Some(value(&mut i)?),
            "-H" | "--header" => {
                let h = value(&mut i)?;
                if let Some((k, v)) = h.split_once(':') {
                    o.headers.push((k.trim().to_string(), v.trim().to_string()));
                }
            }
            "-m" | "--max-time" => o.max_time = value(&mut i)?.parse().ok(),
            "-i" | "--include" => o.include = true,
            "-I" | "--head" => o.head = true,
            "-v" | "--verbose" => o.verbose = true,
            "-s" | "--silent" => o.silent = true,
            "-S" | "--show-error" => o.show_error = true,
            "-f" | "--fail" => o.fail = true,
            "-k" | "--insecure" => o.insecure = true,
            "-L" | "--location" => o.location = true,
            "-sS" | "-Ss" => {
                o.silent = true;
                o.show_error = true;
            }
            _ if a.starts_with('-') && a.len() > 2 && !a.starts_with("--") => {
                // Bundled short flags such as -sk or -fsSL.
                for c in a[1..].chars() {
                    match c {
                        's' => o.silent = true,
                        'S' => o.show_error = true,
                        'k' => o.insecure = true,
                        'L' => o.location = true,
                        'f' => o.fail = true,
                        'i' => o.include = true,
                        'I' => o.head = true,
                        'v' => o.verbose = true,
                        _ => return Err(format!("option -{c}: is unknown")),
                    }
                }
            }
            _ if a.starts_with('-') => return Err(format!("option {a}: is unknown")),
            _ => url = Some(a.to_string()),
        }
        i += 1;
    }
    url.map(|u| (u, o))
        .ok_or_else(|| "no URL specified".to_string())
}
