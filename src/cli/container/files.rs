//! The files of a container that kubesim can know: what the kubelet writes
//! into every container (`/etc/resolv.conf`, pkg/kubelet/network/dns;
//! `/etc/hosts`, kubelet_pods.go `managedHostsFileContent`;
//! `/etc/hostname`), the volumes it mounts from the API (ConfigMap,
//! Secret, downward API, projected: pkg/volume/configmap, secret,
//! downwardapi, projected, one file per key) and the service-account
//! files (`/var/run/secrets/kubernetes.io/serviceaccount`).

use super::Sandbox;
use crate::net::tools;
use crate::sim::World;
use k8s_openapi::api::core::v1::{ConfigMap, KeyToPath, Secret, Volume, VolumeMount};
use std::collections::BTreeMap;

/// Why a path cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FsError {
    NotFound,
    IsDir,
}

const SA_DIR: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// The top of an Alpine/Debian-like root file system (`ls /`).
const ROOT: &[&str] = &[
    "bin", "dev", "etc", "home", "lib", "media", "mnt", "opt", "proc", "root", "run", "sbin",
    "srv", "sys", "tmp", "usr", "var",
];

/// The contents of `path` in the container.
pub fn read_file(world: &World, sb: &Sandbox, path: &str) -> Result<String, FsError> {
    let path = normalize(path, sb);
    if let Some(files) = mounted(world, sb).get(&path) {
        return files.clone().ok_or(FsError::IsDir);
    }
    match path.as_str() {
        "/etc/resolv.conf" => tools::resolv_conf_at(
            world,
            &tools::Origin::Pod(sb.namespace().into(), sb.pod_name().into()),
        )
        .map_err(|_| FsError::NotFound),
        "/etc/hostname" => Ok(format!("{}\n", sb.hostname())),
        "/etc/hosts" => Ok(hosts(sb)),
        "/etc/passwd" => Ok(
            "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n".into(),
        ),
        "/etc/group" => Ok("root:x:0:root\nnogroup:x:65534:\n".into()),
        p if list(world, sb, p).is_ok() => Err(FsError::IsDir),
        _ => Err(FsError::NotFound),
    }
}

/// The names in directory `path`.
pub fn list(world: &World, sb: &Sandbox, path: &str) -> Result<Vec<String>, FsError> {
    let path = normalize(path, sb);
    let files = mounted(world, sb);
    if let Some(Some(_)) = files.get(&path) {
        return Err(FsError::NotFound);
    }
    let mut names: Vec<String> = Vec::new();
    let prefix = if path == "/" {
        "/".to_string()
    } else {
        format!("{path}/")
    };
    for p in files.keys() {
        if let Some(rest) = p.strip_prefix(&prefix) {
            if let Some(first) = rest.split('/').next().filter(|s| !s.is_empty()) {
                names.push(first.to_string());
            }
        }
    }
    match path.as_str() {
        "/" => names.extend(ROOT.iter().map(|s| s.to_string())),
        "/etc" => {
            names.extend(["hostname", "hosts", "resolv.conf", "passwd", "group"].map(String::from))
        }
        _ => {}
    }
    // Directories of the base image that exist but whose contents are not
    // modelled list as empty.
    if names.is_empty()
        && !files.contains_key(&path)
        && !ROOT.iter().any(|r| path == format!("/{r}"))
    {
        return Err(FsError::NotFound);
    }
    names.sort();
    names.dedup();
    Ok(names)
}

/// Absolute path without `.`/`..`/double slashes.
fn normalize(path: &str, sb: &Sandbox) -> String {
    let base = if path.starts_with('/') {
        String::new()
    } else {
        sb.container
            .working_dir
            .clone()
            .unwrap_or_else(|| "/".into())
    };
    let mut parts: Vec<&str> = Vec::new();
    for p in base.split('/').chain(path.split('/')) {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// Every mounted path: `Some(contents)` for files, `None` for directories
/// (mount points and their parents, and the `..data` links AtomicWriter
/// makes in API volumes).
fn mounted(world: &World, sb: &Sandbox) -> BTreeMap<String, Option<String>> {
    let mut out: BTreeMap<String, Option<String>> = BTreeMap::new();
    let spec = sb.pod.spec.clone().unwrap_or_default();
    let volumes = spec.volumes.clone().unwrap_or_default();
    let mut mounts: Vec<VolumeMount> = sb.container.volume_mounts.clone().unwrap_or_default();
    let automount = spec.automount_service_account_token.unwrap_or(true);
    if automount && !mounts.iter().any(|m| m.mount_path == SA_DIR) {
        // The kube-api-access-xxxxx projected volume admission adds.
        mounts.push(VolumeMount {
            name: "kube-api-access".into(),
            mount_path: SA_DIR.into(),
            read_only: Some(true),
            ..Default::default()
        });
    }
    for m in &mounts {
        let files: BTreeMap<String, String> =
            if m.name == "kube-api-access" && !volumes.iter().any(|v| v.name == m.name) {
                service_account_files(world, sb)
            } else {
                match volumes.iter().find(|v| v.name == m.name) {
                    Some(v) => volume_files(world, sb, v),
                    None => BTreeMap::new(),
                }
            };
        let mount = normalize(&m.mount_path, sb);
        if let Some(sub) = m.sub_path.as_deref().filter(|s| !s.is_empty()) {
            match files.get(sub) {
                Some(text) => {
                    out.insert(mount.clone(), Some(text.clone()));
                }
                None => {
                    out.insert(mount.clone(), None);
                }
            }
            add_parents(&mut out, &mount);
            continue;
        }
        out.insert(mount.clone(), None);
        add_parents(&mut out, &mount);
        for (k, text) in files {
            let p = format!("{}/{k}", mount.trim_end_matches('/'));
            add_parents(&mut out, &p);
            out.insert(p, Some(text));
        }
        if is_api_volume(&volumes, &m.name) {
            out.insert(format!("{}/..data", mount.trim_end_matches('/')), None);
        }
    }
    out
}

fn is_api_volume(volumes: &[Volume], name: &str) -> bool {
    name == "kube-api-access"
        || volumes.iter().any(|v| {
            v.name == name
                && (v.config_map.is_some()
                    || v.secret.is_some()
                    || v.projected.is_some()
                    || v.downward_api.is_some())
        })
}

fn add_parents(out: &mut BTreeMap<String, Option<String>>, path: &str) {
    let mut p = path.to_string();
    while let Some((parent, _)) = p.rsplit_once('/') {
        if parent.is_empty() {
            break;
        }
        out.entry(parent.to_string()).or_insert(None);
        p = parent.to_string();
    }
}

/// The files of one volume, by path inside it.
fn volume_files(world: &World, sb: &Sandbox, v: &Volume) -> BTreeMap<String, String> {
    let ns = sb.namespace();
    if let Some(c) = &v.config_map {
        return configmap_files(world, ns, &c.name, c.items.as_deref());
    }
    if let Some(s) = &v.secret {
        return secret_files(
            world,
            ns,
            s.secret_name.as_deref().unwrap_or(""),
            s.items.as_deref(),
        );
    }
    if let Some(d) = &v.downward_api {
        let mut out = BTreeMap::new();
        for item in d.items.iter().flatten() {
            if let Some(f) = &item.field_ref {
                if let Some(val) = pod_field(sb, &f.field_path) {
                    out.insert(item.path.clone(), val);
                }
            }
        }
        return out;
    }
    if let Some(p) = &v.projected {
        let mut out = BTreeMap::new();
        for src in p.sources.iter().flatten() {
            if let Some(c) = &src.config_map {
                out.extend(configmap_files(world, ns, &c.name, c.items.as_deref()));
            }
            if let Some(s) = &src.secret {
                out.extend(secret_files(world, ns, &s.name, s.items.as_deref()));
            }
            if let Some(t) = &src.service_account_token {
                out.insert(t.path.clone(), token(sb));
            }
        }
        return out;
    }
    BTreeMap::new()
}

/// Keys to paths (`items`), or every key under its own name.
fn by_items(
    data: BTreeMap<String, String>,
    items: Option<&[KeyToPath]>,
) -> BTreeMap<String, String> {
    match items {
        Some(items) if !items.is_empty() => items
            .iter()
            .filter_map(|i| data.get(&i.key).map(|v| (i.path.clone(), v.clone())))
            .collect(),
        _ => data,
    }
}

fn configmap_files(
    world: &World,
    ns: &str,
    name: &str,
    items: Option<&[KeyToPath]>,
) -> BTreeMap<String, String> {
    let Some(cm) = world.store.get_as::<ConfigMap>(ns, name) else {
        return BTreeMap::new();
    };
    let mut data: BTreeMap<String, String> = cm.data.clone().unwrap_or_default();
    for (k, v) in cm.binary_data.iter().flatten() {
        data.insert(k.clone(), String::from_utf8_lossy(&v.0).into_owned());
    }
    by_items(data, items)
}

fn secret_files(
    world: &World,
    ns: &str,
    name: &str,
    items: Option<&[KeyToPath]>,
) -> BTreeMap<String, String> {
    let Some(s) = world.store.get_as::<Secret>(ns, name) else {
        return BTreeMap::new();
    };
    let data = s
        .data
        .iter()
        .flatten()
        .map(|(k, v)| (k.clone(), String::from_utf8_lossy(&v.0).into_owned()))
        .collect();
    by_items(data, items)
}

/// `/var/run/secrets/kubernetes.io/serviceaccount`: the bound token, the
/// cluster CA (the namespace's `kube-root-ca.crt`) and the namespace.
fn service_account_files(world: &World, sb: &Sandbox) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    out.insert("token".to_string(), token(sb));
    let ca = world
        .store
        .get_as::<ConfigMap>(sb.namespace(), "kube-root-ca.crt")
        .and_then(|cm| cm.data.as_ref()?.get("ca.crt").cloned())
        .unwrap_or_default();
    out.insert("ca.crt".to_string(), ca);
    out.insert("namespace".to_string(), sb.namespace().to_string());
    out
}

/// A bound service-account token: a JWT whose payload names the pod and
/// its service account (unsigned: nothing in kubesim verifies it).
fn token(sb: &Sandbox) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let sa = sb
        .pod
        .spec
        .as_ref()
        .and_then(|s| s.service_account_name.clone())
        .unwrap_or_else(|| "default".into());
    let header = b64.encode(r#"{"alg":"RS256","kid":"kubesim"}"#);
    let payload = b64.encode(format!(
        r#"{{"aud":["https://kubernetes.default.svc.cluster.local"],"iss":"https://kubernetes.default.svc.cluster.local","kubernetes.io":{{"namespace":"{}","pod":{{"name":"{}"}},"serviceaccount":{{"name":"{sa}"}}}},"sub":"system:serviceaccount:{}:{sa}"}}"#,
        sb.namespace(),
        sb.pod_name(),
        sb.namespace()
    ));
    format!("{header}.{payload}.{}", b64.encode("kubesim"))
}

/// The downward API's pod fields (pkg/fieldpath `ExtractFieldPathAsString`).
pub fn pod_field(sb: &Sandbox, path: &str) -> Option<String> {
    let m = &sb.pod.metadata;
    let st = sb.pod.status.clone().unwrap_or_default();
    let spec = sb.pod.spec.clone().unwrap_or_default();
    let map = |m: &Option<BTreeMap<String, String>>| {
        m.iter()
            .flatten()
            .map(|(k, v)| format!("{k}=\"{v}\"\n"))
            .collect::<String>()
            .trim_end()
            .to_string()
    };
    Some(match path {
        "metadata.name" => m.name.clone()?,
        "metadata.namespace" => m.namespace.clone()?,
        "metadata.uid" => m.uid.clone()?,
        "metadata.labels" => map(&m.labels),
        "metadata.annotations" => map(&m.annotations),
        "spec.nodeName" => spec.node_name?,
        "spec.serviceAccountName" => spec
            .service_account_name
            .unwrap_or_else(|| "default".into()),
        "status.podIP" => st.pod_ip?,
        "status.hostIP" => st.host_ip?,
        p => {
            let key = p
                .strip_prefix("metadata.labels['")
                .map(|k| (k, &m.labels))
                .or_else(|| {
                    p.strip_prefix("metadata.annotations['")
                        .map(|k| (k, &m.annotations))
                })?;
            let name = key.0.trim_end_matches("']");
            key.1.as_ref()?.get(name)?.clone()
        }
    })
}

/// The kubelet-managed `/etc/hosts` (kubelet_pods.go
/// `managedHostsFileContent`): localhost lines, the pod's IP and host
/// name, then `hostAliases`.
fn hosts(sb: &Sandbox) -> String {
    let mut s = String::from("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n");
    let ip = sb.pod_ip();
    let spec = sb.pod.spec.clone().unwrap_or_default();
    if !ip.is_empty() {
        match &spec.subdomain {
            Some(sub) if !sub.is_empty() => s.push_str(&format!(
                "{ip}\t{h}.{sub}.{}.svc.cluster.local\t{h}\n",
                sb.namespace(),
                h = sb.hostname()
            )),
            _ => s.push_str(&format!("{ip}\t{}\n", sb.hostname())),
        }
    }
    let aliases = spec.host_aliases.unwrap_or_default();
    if !aliases.is_empty() {
        s.push_str("\n# Entries added by HostAliases.\n");
        for a in aliases {
            s.push_str(&format!(
                "{}\t{}\n",
                a.ip,
                a.hostnames.unwrap_or_default().join("\t")
            ));
        }
    }
    s
}
