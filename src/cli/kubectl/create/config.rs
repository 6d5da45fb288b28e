//! `kubectl create configmap` and `kubectl create secret generic|tls|
//! docker-registry` (`create_configmap.go`, `create_secret.go`,
//! `create_secret_tls.go`, `create_secret_docker.go`).

use super::{create_flags, enforced_namespace, finish, name_arg};
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::kubectl::Ctx;
use crate::cli::output::Output;
use crate::cli::shell::builtins::base64_encode;
use crate::objects::Object;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::ByteString;
use std::collections::BTreeMap;

pub const CONFIGMAP_FLAGS: &[FlagSpec] = create_flags!(
    flag("from-file", None, true, "Key file can be specified using its file path, in which case file basename will be used as configmap key, or optionally with a key and file path, in which case the given key will be used.  Specifying a directory will iterate each named file in the directory whose basename is a valid configmap key.").default("[]"),
    flag("from-literal", None, true, "Specify a key and literal value to insert in configmap (i.e. mykey=somevalue)").default("[]"),
    flag("from-env-file", None, true, "Specify the path to a file to read lines of key=val pairs to create a configmap.").default("[]"),
    flag("append-hash", None, false, "Append a hash of the configmap to its name."),
);
pub const GENERIC_FLAGS: &[FlagSpec] = create_flags!(
    flag("from-file", None, true, "Key files can be specified using their file path, in which case a default name will be given to them, or optionally with a name and file path, in which case the given name will be used.  Specifying a directory will iterate each named file in the directory that is a valid secret key.").default("[]"),
    flag("from-literal", None, true, "Specify a key and literal value to insert in secret (i.e. mykey=somevalue)").default("[]"),
    flag("from-env-file", None, true, "Specify the path to a file to read lines of key=val pairs to create a secret.").default("[]"),
    flag("type", None, true, "The type of secret to create"),
    flag("append-hash", None, false, "Append a hash of the secret to its name."),
);
pub const TLS_FLAGS: &[FlagSpec] = create_flags!(
    flag(
        "cert",
        None,
        true,
        "Path to PEM encoded public key certificate."
    ),
    flag(
        "key",
        None,
        true,
        "Path to private key associated with given certificate."
    ),
    flag(
        "append-hash",
        None,
        false,
        "Append a hash of the secret to its name."
    ),
);
pub const DOCKER_FLAGS: &[FlagSpec] = create_flags!(
    flag("docker-server", None, true, "Server location for Docker registry").default("'https://index.docker.io/v1/'"),
    flag("docker-username", None, true, "Username for Docker registry authentication"),
    flag("docker-password", None, true, "Password for Docker registry authentication"),
    flag("docker-email", None, true, "Email for Docker registry"),
    flag("from-file", None, true, "Key files can be specified using their file path, in which case a default name will be given to them, or optionally with a name and file path, in which case the given name will be used.  Specifying a directory will iterate each named file in the directory that is a valid secret key.").default("[]"),
    flag("append-hash", None, false, "Append a hash of the secret to its name."),
);

/// Keys and values from `--from-literal`, `--from-file`, `--from-env-file`.
fn sources(ctx: &Ctx, what: &str, name: &str) -> Result<BTreeMap<String, String>, String> {
    let mut data: BTreeMap<String, String> = BTreeMap::new();
    let add = |k: String, v: String, data: &mut BTreeMap<String, String>| -> Result<(), String> {
        if !crate::cli::kubectl::label::is_config_key(&k) {
            return Err(format!("\"{k}\" is not a valid key name for a {what}: a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"));
        }
        if data.contains_key(&k) {
            return Err(format!("cannot add key \"{k}\", another key by that name already exists in Data for {what} \"{name}\""));
        }
        data.insert(k, v);
        Ok(())
    };
    for lit in ctx.args.all("from-literal") {
        let Some((k, v)) = lit.split_once('=') else {
            return Err(format!("invalid literal source {lit}, expected key=value"));
        };
        add(k.to_string(), v.trim_matches('"').to_string(), &mut data)?;
    }
    for spec in ctx.args.all("from-file") {
        let (key, path) = match spec.split_once('=') {
            Some((k, p)) => (Some(k.to_string()), p.to_string()),
            None => (None, spec.clone()),
        };
        let full = ctx.state.workdir.join(&path);
        if full.is_dir() {
            if key.is_some() {
                return Err(format!(
                    "cannot give a key name for a directory path {path}"
                ));
            }
            let mut entries: Vec<_> = std::fs::read_dir(&full)
                .map_err(|e| e.to_string())?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            entries.sort();
            for p in entries {
                let k = p
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default();
                let v = std::fs::read_to_string(&p).map_err(|e| e.to_string())?;
                add(k, v, &mut data)?;
            }
        } else {
            let v = std::fs::read_to_string(&full)
                .map_err(|_| format!("stat {path}: no such file or directory"))?;
            let k = key.unwrap_or_else(|| path.rsplit('/').next().unwrap_or(&path).to_string());
            add(k, v, &mut data)?;
        }
    }
    for f in ctx.args.all("from-env-file") {
        let text = std::fs::read_to_string(ctx.state.workdir.join(&f))
            .map_err(|_| format!("open {f}: no such file or directory"))?;
        for (i, line) in text.lines().enumerate() {
            let line = line.trim_start();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match line.split_once('=') {
                Some((k, v)) => add(k.to_string(), v.to_string(), &mut data)?,
                None => return Err(format!("line {} has no value (env file {f})", i + 1)),
            }
        }
    }
    Ok(data)
}

pub fn configmap(ctx: &mut Ctx) -> Output {
    let name = match name_arg(ctx) {
        Ok(n) => n,
        Err(e) => return e,
    };
    let data = match sources(ctx, "configmap", &name) {
        Ok(d) => d,
        Err(e) => return Output::error(e),
    };
    let cm = ConfigMap {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: enforced_namespace(ctx),
            ..Default::default()
        },
        data: if data.is_empty() { None } else { Some(data) },
        ..Default::default()
    };
    finish(ctx, Object::ConfigMap(cm), Some("configmap"))
}

fn secret(
    ctx: &Ctx,
    name: String,
    type_: Option<String>,
    data: BTreeMap<String, Vec<u8>>,
) -> Object {
    Object::Secret(Secret {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: enforced_namespace(ctx),
            ..Default::default()
        },
        type_,
        data: if data.is_empty() {
            None
        } else {
            Some(data.into_iter().map(|(k, v)| (k, ByteString(v))).collect())
        },
        ..Default::default()
    })
}

pub fn secret_generic(ctx: &mut Ctx) -> Output {
    let name = match name_arg(ctx) {
        Ok(n) => n,
        Err(e) => return e,
    };
    let data = match sources(ctx, "secret", &name) {
        Ok(d) => d.into_iter().map(|(k, v)| (k, v.into_bytes())).collect(),
        Err(e) => return Output::error(e),
    };
    let obj = secret(ctx, name, ctx.args.get("type").map(str::to_string), data);
    finish(ctx, obj, Some("secret"))
}

pub fn secret_tls(ctx: &mut Ctx) -> Output {
    let name = match name_arg(ctx) {
        Ok(n) => n,
        Err(e) => return e,
    };
    let (Some(cert), Some(key)) = (
        ctx.args.get("cert").map(str::to_string),
        ctx.args.get("key").map(str::to_string),
    ) else {
        return Output::error("key and cert must be specified");
    };
    let read = |f: &str| {
        std::fs::read(ctx.state.workdir.join(f))
            .map_err(|_| format!("open {f}: no such file or directory"))
    };
    let (c, k) = match (read(&cert), read(&key)) {
        (Ok(c), Ok(k)) => (c, k),
        (Err(e), _) | (_, Err(e)) => return Output::error(e),
    };
    if !String::from_utf8_lossy(&c).contains("-----BEGIN")
        || !String::from_utf8_lossy(&k).contains("-----BEGIN")
    {
        return Output::error(
            "failed to load key pair tls: failed to find any PEM data in certificate input",
        );
    }
    let data = BTreeMap::from([("tls.crt".to_string(), c), ("tls.key".to_string(), k)]);
    let obj = secret(ctx, name, Some("kubernetes.io/tls".into()), data);
    finish(ctx, obj, Some("secret"))
}

pub fn secret_docker_registry(ctx: &mut Ctx) -> Output {
    let name = match name_arg(ctx) {
        Ok(n) => n,
        Err(e) => return e,
    };
    let user = ctx.args.get("docker-username").unwrap_or("").to_string();
    let password = ctx.args.get("docker-password").unwrap_or("").to_string();
    if ctx.args.all("from-file").is_empty() && (user.is_empty() || password.is_empty()) {
        return Output::error("either --from-file or the combination of --docker-username, --docker-password and --docker-server is required");
    }
    let server = ctx
        .args
        .get("docker-server")
        .unwrap_or("https://index.docker.io/v1/")
        .to_string();
    let email = ctx.args.get("docker-email").unwrap_or("").to_string();
    // DockerConfigJSON{Auths: {server: {username, password, email, auth}}}
    let mut entry = serde_json::Map::new();
    entry.insert("username".into(), user.clone().into());
    entry.insert("password".into(), password.clone().into());
    if !email.is_empty() {
        entry.insert("email".into(), email.into());
    }
    entry.insert(
        "auth".into(),
        base64_encode(format!("{user}:{password}").as_bytes()).into(),
    );
    let mut auths = serde_json::Map::new();
    auths.insert(server, serde_json::Value::Object(entry));
    let mut cfg = serde_json::Map::new();
    cfg.insert("auths".into(), serde_json::Value::Object(auths));
    let json = serde_json::to_string(&serde_json::Value::Object(cfg)).unwrap_or_default();
    let data = BTreeMap::from([(".dockerconfigjson".to_string(), json.into_bytes())]);
    let obj = secret(
        ctx,
        name,
        Some("kubernetes.io/dockerconfigjson".into()),
        data,
    );
    finish(ctx, obj, Some("secret"))
}
