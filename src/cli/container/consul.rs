//! `consul` inside a consul server container (container.training's
//! consul.md and volume-claim-templates.md): `consul members`, `consul kv
//! put KEY VALUE`, `consul kv get KEY`.
//!
//! The servers of a cluster are the running pods that share the exec'd
//! pod's `app` label (consul-*.yaml join with `-retry-join=provider=k8s
//! label_selector="app=consul"`). The key/value data is replicated to every
//! server's `-data-dir`; what is on a server's disk lives in
//! `World::volume_data` under its volume: a PersistentVolume survives the
//! pod (and the StatefulSet), a pod without one starts empty and catches
//! up from the other servers (the data is lost when all are re-created).
//! Output as hashicorp/consul command/members/members.go (columnize) and
//! command/kv/put, command/kv/get print it.

use super::Sandbox;
use crate::cli::hooks::ToolCtx;
use crate::cli::output::Output;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use std::collections::BTreeMap;

/// Whether the sandbox runs a consul server image.
pub fn is_consul(sb: &Sandbox) -> bool {
    sb.image_repo().rsplit('/').next() == Some("consul")
}

/// Runs `consul ARGS`.
pub fn run(tc: &mut ToolCtx, sb: &Sandbox, args: &[String]) -> Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["members", ..] => members(tc, sb),
        ["kv", "put", key, value, ..] => {
            if !has_leader(tc, sb) {
                return Output {
                    stderr: "Error! Failed writing data: Unexpected response code: 500 (No cluster leader)\n".into(),
                    code: 1,
                    ..Output::default()
                };
            }
            let disks: Vec<String> = peers(tc, sb).iter().map(|p| disk(tc, p)).collect();
            for disk in disks {
                tc.world
                    .volume_data
                    .entry(disk)
                    .or_default()
                    .insert(format!("consul-kv/{key}"), value.to_string());
            }
            Output::ok(format!("Success! Data written to: {key}\n"))
        }
        ["kv", "get", key, ..] => {
            // Reads go to the leader: a server that lost its data (a pod
            // without a volume, re-created) catches up from the others.
            let disks: Vec<String> = peers(tc, sb).iter().map(|p| disk(tc, p)).collect();
            let value = disks.iter().find_map(|d| {
                tc.world
                    .volume_data
                    .get(d)
                    .and_then(|d| d.get(&format!("consul-kv/{key}")))
            });
            match value {
                Some(v) => Output::ok(format!("{v}\n")),
                None => Output {
                    stderr: format!("Error! No key exists at: {key}\n"),
                    code: 1,
                    ..Output::default()
                },
            }
        }
        _ => Output {
            stderr: "Usage: consul [--version] [--help] <command> [<args>]\n".into(),
            code: 1,
            ..Output::default()
        },
    }
}

/// The running consul pods of the exec'd pod's cluster, by name.
fn peers(tc: &ToolCtx, sb: &Sandbox) -> Vec<Pod> {
    let ns = sb.namespace();
    let app = sb
        .pod
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get("app"))
        .cloned();
    let mut pods: Vec<Pod> = tc
        .world
        .store
        .list_as::<Pod>(Some(ns))
        .filter(|p| {
            p.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get("app"))
                .cloned()
                == app
                && p.metadata.deletion_timestamp.is_none()
                && running(p)
        })
        .cloned()
        .collect();
    pods.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    pods
}

fn running(p: &Pod) -> bool {
    let st = p.status.as_ref();
    st.and_then(|s| s.pod_ip.as_ref()).is_some()
        && st
            .and_then(|s| s.container_statuses.as_ref())
            .is_some_and(|cs| {
                cs.iter()
                    .any(|c| c.state.as_ref().is_some_and(|s| s.running.is_some()))
            })
}

/// A leader is elected once `-bootstrap-expect` servers have joined.
fn has_leader(tc: &ToolCtx, sb: &Sandbox) -> bool {
    let expect = sb
        .container
        .args
        .iter()
        .flatten()
        .chain(sb.container.command.iter().flatten())
        .find_map(|a| a.strip_prefix("-bootstrap-expect="))
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(1);
    peers(tc, sb).len() >= expect
}

/// Where a server keeps its data: the PersistentVolume bound to the claim
/// mounted at its data directory, else the pod itself.
fn disk(tc: &ToolCtx, pod: &Pod) -> String {
    let ns = pod.metadata.namespace.as_deref().unwrap_or("default");
    let spec = pod.spec.as_ref();
    let pv = spec
        .into_iter()
        .flat_map(|s| s.volumes.iter().flatten())
        .filter_map(|v| v.persistent_volume_claim.as_ref())
        .find_map(|c| {
            tc.world
                .store
                .get_as::<PersistentVolumeClaim>(ns, &c.claim_name)
                .and_then(|pvc| pvc.spec.as_ref()?.volume_name.clone())
        });
    match pv {
        Some(pv) => format!("pv/{pv}"),
        None => format!("pod/{}", pod.metadata.uid.as_deref().unwrap_or("")),
    }
}

/// The `Build` column: the release a `consul:MAJOR.MINOR` tag points to.
fn build(image: &str) -> String {
    let tag = image.rsplit_once(':').map(|x| x.1).unwrap_or("1.15");
    let full = match tag {
        "1.8" => "1.8.19",
        "1.9" => "1.9.17",
        "1.10" => "1.10.12",
        "1.11" => "1.11.11",
        "1.12" => "1.12.9",
        "1.13" => "1.13.9",
        "1.14" => "1.14.8",
        "1.15" | "latest" => "1.15.4",
        t => t,
    };
    full.to_string()
}

/// `consul members`: one alive server per running pod, columnized; the
/// Partition column appeared in consul 1.11.
fn members(tc: &ToolCtx, sb: &Sandbox) -> Output {
    let build = build(sb.container.image.as_deref().unwrap_or(""));
    let minor: u32 = build
        .split('.')
        .nth(1)
        .and_then(|m| m.parse().ok())
        .unwrap_or(15);
    let partition = minor >= 11;
    let mut rows: Vec<Vec<String>> = vec![{
        let mut h = vec![
            "Node", "Address", "Status", "Type", "Build", "Protocol", "DC",
        ];
        if partition {
            h.push("Partition");
        }
        h.push("Segment");
        h.into_iter().map(String::from).collect()
    }];
    for p in peers(tc, sb) {
        let ip = p
            .status
            .as_ref()
            .and_then(|s| s.pod_ip.clone())
            .unwrap_or_default();
        let mut r = vec![
            p.metadata.name.clone().unwrap_or_default(),
            format!("{ip}:8301"),
            "alive".into(),
            "server".into(),
            build.clone(),
            "2".into(),
            "dc1".into(),
        ];
        if partition {
            r.push("default".into());
        }
        r.push("<all>".into());
        rows.push(r);
    }
    Output::ok(columnize(&rows))
}

/// ryanuber/columnize with consul's config: columns padded to their
/// widest cell, two spaces apart, trailing spaces trimmed.
fn columnize(rows: &[Vec<String>]) -> String {
    let mut widths: BTreeMap<usize, usize> = BTreeMap::new();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            let w = widths.entry(i).or_default();
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            line.push_str(&format!("{c:<w$}", w = widths[&i]));
            line.push_str("  ");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
