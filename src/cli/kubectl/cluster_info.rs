//! `kubectl cluster-info`: the control plane's address and the services
//! labelled `kubernetes.io/cluster-service=true` in kube-system
//! (`k8s.io/kubectl/pkg/cmd/clusterinfo/clusterinfo.go`).

use super::Ctx;
use crate::cli::flags::FlagSpec;
use crate::cli::output::Output;
use crate::objects::Object;
use k8s_openapi::api::core::v1::Service;

pub const FLAGS: &[FlagSpec] = &[];

/// The apiserver address of the workshop's kubeconfig (node1:6443).
pub const SERVER: &str = "https://10.10.0.11:6443";

pub fn cluster_info(ctx: &mut Ctx) -> Output {
    if ctx.args.positional.first().map(String::as_str) == Some("dump") {
        return Output::error("kubesim does not simulate \"kubectl cluster-info dump\"");
    }
    let color = ctx.term.color;
    let paint = |s: &str, code: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let mut s = format!(
        "{} is running at {}\n",
        paint("Kubernetes control plane", "0;32"),
        paint(SERVER, "0;33")
    );
    for o in ctx
        .world
        .store
        .iter(crate::objects::Kind::Service, Some("kube-system"))
    {
        let Object::Service(svc) = &**o else { continue };
        let labels = svc.metadata.labels.clone().unwrap_or_default();
        if labels
            .get("kubernetes.io/cluster-service")
            .map(String::as_str)
            != Some("true")
        {
            continue;
        }
        let name = labels
            .get("kubernetes.io/name")
            .cloned()
            .unwrap_or_else(|| svc.metadata.name.clone().unwrap_or_default());
        let link = proxy_link(svc);
        s.push_str(&format!(
            "{} is running at {}\n",
            paint(&name, "0;32"),
            paint(&format!("{SERVER}{link}"), "0;33")
        ));
    }
    s.push_str(
        "\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n",
    );
    Output::ok(s)
}

fn proxy_link(svc: &Service) -> String {
    let name = svc.metadata.name.clone().unwrap_or_default();
    let ns = svc.metadata.namespace.clone().unwrap_or_default();
    let port = svc
        .spec
        .as_ref()
        .and_then(|s| s.ports.as_ref())
        .and_then(|p| p.first())
        .map(|p| p.name.clone().unwrap_or_else(|| p.port.to_string()))
        .unwrap_or_default();
    let target = if port.is_empty() {
        name
    } else {
        format!("{name}:{port}")
    };
    format!("/api/v1/namespaces/{ns}/services/{target}/proxy")
}
