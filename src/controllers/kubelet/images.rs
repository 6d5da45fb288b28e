//! The built-in registry: which images exist, with which tags, how big they
//! are and what a container started from them does when the pod gives no
//! command. One data table; a cluster file may add entries (`images:`).
//!
//! Reference parsing follows `github.com/distribution/reference`
//! (`ParseNormalizedNamed`): `nginx` is `docker.io/library/nginx:latest`.

use serde::{Deserialize, Serialize};

/// One repository of the catalogue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImageSpec {
    /// Repository as users type it: `nginx`, `dockercoins/rng`,
    /// `registry.k8s.io/pause`.
    pub name: String,
    pub tags: Vec<String>,
    /// Compressed size in bytes: what the kubelet reports as "Image size".
    pub size: u64,
    /// What the image's entrypoint does (see `behaviours::ImageDefault`):
    /// `shell`, `server:NAME`, `clock`, `worker`, `system`, `stress`,
    /// `needs-env:VAR`.
    #[serde(default = "default_behaviour")]
    pub behaviour: String,
    /// Pulling it without imagePullSecrets fails with "authorization failed".
    #[serde(default)]
    pub private: bool,
}

fn default_behaviour() -> String {
    "shell".into()
}

/// (name, tags, size in bytes, behaviour, private)
type Row = (
    &'static str,
    &'static [&'static str],
    u64,
    &'static str,
    bool,
);

/// The catalogue. Sizes are the linux/amd64 compressed sizes of the tags
/// the workshop uses (mid-2025), rounded as registries report them.
const CATALOGUE: &[Row] = &[
    (
        "alpine",
        &["latest", "3", "3.22", "3.21", "3.20", "3.19", "edge"],
        3_802_452,
        "shell",
        false,
    ),
    (
        "busybox",
        &[
            "latest", "1", "1.37", "1.36", "1.36.1", "stable", "musl", "glibc", "uclibc",
        ],
        2_156_318,
        "shell",
        false,
    ),
    (
        "registry.k8s.io/busybox",
        &["latest", "1.27.2", "1.28"],
        1_144_547,
        "shell",
        false,
    ),
    (
        "ubuntu",
        &[
            "latest", "24.04", "22.04", "20.04", "noble", "jammy", "focal",
        ],
        29_723_147,
        "shell",
        false,
    ),
    (
        "debian",
        &[
            "latest",
            "12",
            "bookworm",
            "bookworm-slim",
            "11",
            "bullseye",
        ],
        48_494_272,
        "shell",
        false,
    ),
    (
        "nginx",
        &[
            "latest", "1", "1.29", "1.28", "1.27", "1.26", "1.25", "stable", "mainline",
        ],
        70_505_523,
        "server:nginx",
        false,
    ),
    (
        "nginx",
        &[
            "alpine",
            "1.29-alpine",
            "1.28-alpine",
            "1.27-alpine",
            "stable-alpine",
        ],
        21_188_911,
        "server:nginx",
        false,
    ),
    (
        "httpd",
        &["latest", "2", "2.4", "alpine"],
        45_220_134,
        "server:httpd",
        false,
    ),
    (
        "redis",
        &["latest", "8", "7", "7.4", "7.2", "6", "alpine"],
        52_418_305,
        "server:redis",
        false,
    ),
    (
        "elasticsearch",
        &["2", "2.4", "2.4.6"],
        167_401_982,
        "server:elasticsearch",
        false,
    ),
    (
        "postgres",
        &["latest", "17", "16", "15", "alpine"],
        158_102_846,
        "needs-env:POSTGRES_PASSWORD",
        false,
    ),
    (
        "registry",
        &["latest", "2", "2.8", "3"],
        10_324_563,
        "server:registry",
        false,
    ),
    (
        "traefik",
        &[
            "latest", "v3", "v3.4", "v3.3", "v2.11", "v2.10", "3.4", "2.11",
        ],
        51_266_381,
        "server:traefik",
        false,
    ),
    (
        "registry.k8s.io/ingress-nginx/controller",
        &["v1.13.0", "v1.12.4", "v1.12.1", "v1.11.5"],
        107_351_218,
        "server:ingress-nginx",
        false,
    ),
    (
        "consul",
        // The workshop's consul-*.yaml use 1.8 (consul-3) and 1.11.
        &[
            "1.8", "1.9", "1.10", "1.11", "1.12", "1.13", "1.14", "1.15", "1.15.4",
        ],
        64_553_290,
        "server:consul",
        false,
    ),
    (
        "hashicorp/consul",
        &["latest", "1.21", "1.20", "1.19"],
        66_871_410,
        "server:consul",
        false,
    ),
    (
        "dockercoins/rng",
        &["v0.1"],
        36_143_820,
        "server:rng",
        false,
    ),
    (
        "dockercoins/hasher",
        &["v0.1"],
        27_914_637,
        "server:hasher",
        false,
    ),
    (
        "dockercoins/worker",
        &["v0.1", "v0.2"],
        36_210_553,
        "worker",
        false,
    ),
    (
        "dockercoins/webui",
        &["v0.1"],
        30_871_114,
        "server:webui",
        false,
    ),
    (
        "jpetazzo/color",
        &["latest"],
        4_213_962,
        "server:color",
        false,
    ),
    ("jpetazzo/clock", &["latest"], 1_345_877, "clock", false),
    (
        "jpetazzo/httpenv",
        &["latest"],
        3_541_223,
        "server:httpenv",
        false,
    ),
    ("jpetazzo/ping", &["latest"], 2_156_318, "shell", false),
    ("polinux/stress", &["latest"], 4_100_394, "stress", false),
    // The workshop's Secrets chapter pulls this one with a
    // docker-registry Secret (slides/k8s/secrets.md).
    (
        "docker-registry.enix.io/jpetazzo/private",
        &["latest"],
        7_351_026,
        "server:color",
        true,
    ),
    (
        "kubesim/private-app",
        &["latest", "v1"],
        12_000_000,
        "server:color",
        true,
    ),
    (
        "registry.k8s.io/pause",
        &["3.10", "3.9"],
        320_368,
        "system",
        false,
    ),
    (
        "registry.k8s.io/etcd",
        &["3.5.21-0", "3.5.16-0"],
        57_680_541,
        "system",
        false,
    ),
    (
        "registry.k8s.io/kube-apiserver",
        &["v1.33.5", "v1.33.1"],
        30_075_623,
        "system",
        false,
    ),
    (
        "registry.k8s.io/kube-controller-manager",
        &["v1.33.5", "v1.33.1"],
        27_646_581,
        "system",
        false,
    ),
    (
        "registry.k8s.io/kube-scheduler",
        &["v1.33.5", "v1.33.1"],
        21_776_614,
        "system",
        false,
    ),
    (
        "registry.k8s.io/kube-proxy",
        &["v1.33.5", "v1.33.1"],
        31_890_043,
        "system",
        false,
    ),
    (
        "registry.k8s.io/coredns/coredns",
        &["v1.12.0", "v1.11.3"],
        20_939_036,
        "system",
        false,
    ),
    (
        "registry.k8s.io/metrics-server/metrics-server",
        &["v0.7.2", "v0.8.0"],
        19_494_617,
        "system",
        false,
    ),
    (
        "quay.io/cilium/cilium",
        &["v1.17.4"],
        212_337_116,
        "system",
        false,
    ),
    (
        "quay.io/cilium/operator-generic",
        &["v1.17.4"],
        30_931_528,
        "system",
        false,
    ),
];

/// The built-in catalogue as specs.
pub fn builtin() -> Vec<ImageSpec> {
    CATALOGUE
        .iter()
        .map(|(name, tags, size, behaviour, private)| ImageSpec {
            name: name.to_string(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            size: *size,
            behaviour: behaviour.to_string(),
            private: *private,
        })
        .collect()
}

/// An image reference, normalised as containerd sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    /// `docker.io/library/nginx`
    pub repository: String,
    /// `latest` when neither tag nor digest is given.
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl ImageRef {
    /// `docker.io/library/nginx:latest` (or `...@sha256:...`).
    pub fn full(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(d), _) => format!("{}@{d}", self.repository),
            (None, Some(t)) => format!("{}:{t}", self.repository),
            (None, None) => format!("{}:latest", self.repository),
        }
    }
    pub fn tag_or_latest(&self) -> &str {
        self.tag.as_deref().unwrap_or("latest")
    }
}

/// Parses an image reference; `None` is containerd's "invalid reference
/// format" (InvalidImageName).
pub fn parse_reference(image: &str) -> Option<ImageRef> {
    if image.is_empty() || image.chars().any(|c| c.is_whitespace()) {
        return None;
    }
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => {
            let (algo, hex) = d.split_once(':')?;
            if algo.is_empty() || hex.len() < 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                return None;
            }
            (r, Some(d.to_string()))
        }
        None => (image, None),
    };
    // The tag is after the last ':' that follows the last '/'.
    let last_slash = rest.rfind('/').map(|i| i + 1).unwrap_or(0);
    let (name, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
        None => (rest, None),
    };
    if let Some(t) = tag {
        let ok = !t.is_empty()
            && t.len() <= 128
            && t.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
        if !ok {
            return None;
        }
    }
    let mut parts: Vec<&str> = name.split('/').collect();
    let domain = if parts.len() > 1
        && (parts[0].contains('.') || parts[0].contains(':') || parts[0] == "localhost")
    {
        parts.remove(0).to_string()
    } else {
        "docker.io".to_string()
    };
    let path_ok = |p: &str| {
        !p.is_empty()
            && p.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
            && p.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
            && p.chars().last().is_some_and(|c| c.is_ascii_alphanumeric())
    };
    if parts.is_empty() || !parts.iter().all(|p| path_ok(p)) {
        return None;
    }
    if domain == "docker.io" && parts.len() == 1 {
        parts.insert(0, "library");
    }
    Some(ImageRef {
        repository: format!("{domain}/{}", parts.join("/")),
        tag: tag.map(str::to_string),
        digest,
    })
}

/// What the registry answers for a reference.
#[derive(Clone, Debug, PartialEq)]
pub enum Lookup {
    Found(ImageSpec),
    /// The repository exists but not this tag.
    TagNotFound,
    /// Unknown repository, or private without credentials: Docker Hub
    /// answers both with "pull access denied".
    Unauthorized,
    /// A registry the simulated network cannot reach.
    NoSuchHost(String),
}

/// Registries the simulated cluster can reach.
const KNOWN_REGISTRIES: &[&str] = &[
    "docker.io",
    "registry.k8s.io",
    "quay.io",
    "ghcr.io",
    "docker-registry.enix.io",
];

/// Looks `r` up in `catalogue`; `has_pull_secret` unlocks private images.
pub fn lookup(catalogue: &[ImageSpec], r: &ImageRef, has_pull_secret: bool) -> Lookup {
    let mut repo_known = false;
    for spec in catalogue {
        let Some(spec_ref) = parse_reference(&spec.name) else {
            continue;
        };
        if spec_ref.repository != r.repository {
            continue;
        }
        repo_known = true;
        if spec.private && !has_pull_secret {
            return Lookup::Unauthorized;
        }
        if r.digest.is_some() || spec.tags.iter().any(|t| t == r.tag_or_latest()) {
            return Lookup::Found(spec.clone());
        }
    }
    if repo_known {
        return Lookup::TagNotFound;
    }
    let domain = r.repository.split('/').next().unwrap_or("");
    if !KNOWN_REGISTRIES.contains(&domain) && !domain.starts_with("localhost") {
        return Lookup::NoSuchHost(domain.to_string());
    }
    if domain == "docker.io" {
        Lookup::Unauthorized
    } else {
        Lookup::TagNotFound
    }
}

/// The error containerd returns for a failed pull, as the kubelet shows it
/// in `state.waiting.message` (ErrImagePull).
pub fn pull_error_message(r: &ImageRef, l: &Lookup) -> String {
    let full = r.full();
    match l {
        Lookup::Found(_) => String::new(),
        Lookup::TagNotFound => format!(
            "rpc error: code = NotFound desc = failed to pull and unpack image \"{full}\": failed to resolve reference \"{full}\": {full}: not found"
        ),
        Lookup::Unauthorized => format!(
            "rpc error: code = Unknown desc = failed to pull and unpack image \"{full}\": failed to resolve reference \"{full}\": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed"
        ),
        Lookup::NoSuchHost(host) => format!(
            "rpc error: code = Unknown desc = failed to pull and unpack image \"{full}\": failed to resolve reference \"{full}\": failed to do request: Head \"https://{host}/v2/{}/manifests/{}\": dial tcp: lookup {host} on 127.0.0.53:53: no such host",
            r.repository.split_once('/').map(|x| x.1).unwrap_or(""),
            r.tag_or_latest()
        ),
    }
}

/// A stable fake digest for an image (imageID in container statuses).
pub fn digest_of(r: &ImageRef) -> String {
    let a = crate::sim::rng::fnv1a(r.full().as_bytes());
    let b = crate::sim::rng::fnv1a(format!("{a}{}", r.repository).as_bytes());
    format!(
        "sha256:{a:016x}{b:016x}{:016x}{:016x}",
        a.rotate_left(13),
        b.rotate_left(29)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_normalise_like_distribution_reference() {
        let r = parse_reference("nginx").unwrap();
        assert_eq!(r.full(), "docker.io/library/nginx:latest");
        let r = parse_reference("dockercoins/rng:v0.1").unwrap();
        assert_eq!(r.full(), "docker.io/dockercoins/rng:v0.1");
        let r = parse_reference("localhost:5000/app:v1").unwrap();
        assert_eq!(r.full(), "localhost:5000/app:v1");
        assert!(parse_reference("Nginx").is_none());
        assert!(parse_reference("nginx:").is_none());
        assert!(parse_reference("ngi nx").is_none());
    }

    #[test]
    fn lookup_distinguishes_missing_tags_and_repositories() {
        let cat = builtin();
        let l = |s: &str| lookup(&cat, &parse_reference(s).unwrap(), false);
        assert!(matches!(l("nginx"), Lookup::Found(_)));
        assert!(matches!(l("elasticsearch:2"), Lookup::Found(_)));
        assert_eq!(l("dockercoins/worker:v0.3"), Lookup::TagNotFound);
        assert_eq!(l("ngnix"), Lookup::Unauthorized);
        assert_eq!(l("kubesim/private-app"), Lookup::Unauthorized);
        assert_eq!(l("elasticsearch"), Lookup::TagNotFound);
    }
}
