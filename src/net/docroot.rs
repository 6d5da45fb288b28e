//! What nginx finds in its document root, read from the Pod object.
//!
//! The workshop's Volumes chapter (container.training slides/k8s/volumes.md)
//! mounts an emptyDir over `/usr/share/nginx/html`: nginx then answers 403
//! (its `index` module finds no index.html and autoindex is off), until a
//! sibling container that mounts the same volume has cloned a site into it.
//! Modelled simply: the docroot is nginx's default page, an empty volume,
//! or a volume some other container filled (once that container exited 0).

use k8s_openapi::api::core::v1::{Container, ContainerStatus, Pod};

/// nginx's `root` directory as the pod's volumes leave it.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum DocRoot {
    /// The image's own html directory (the welcome page).
    #[default]
    Default,
    /// A volume with no index.html: `GET /` is 403 Forbidden.
    Empty,
    /// A clone of github.com/octocat/Spoon-Knife.
    SpoonKnife,
}

/// nginx's default `root` (the image's /etc/nginx/conf.d/default.conf).
const HTML: &str = "/usr/share/nginx/html";

/// The docroot of the nginx container `nginx` in `pod`.
pub fn docroot(pod: &Pod, nginx: &Container) -> DocRoot {
    let Some(spec) = pod.spec.as_ref() else {
        return DocRoot::Default;
    };
    let Some(volume) = nginx
        .volume_mounts
        .iter()
        .flatten()
        .find(|m| m.mount_path.trim_end_matches('/') == HTML)
        .map(|m| m.name.clone())
    else {
        return DocRoot::Default;
    };
    let status = pod.status.as_ref();
    let statuses = status
        .into_iter()
        .flat_map(|s| {
            s.init_container_statuses
                .iter()
                .flatten()
                .chain(s.container_statuses.iter().flatten())
        })
        .collect::<Vec<&ContainerStatus>>();
    let writers = spec
        .init_containers
        .iter()
        .flatten()
        .chain(spec.containers.iter())
        .filter(|c| c.name != nginx.name)
        .filter(|c| {
            c.volume_mounts
                .iter()
                .flatten()
                .any(|m| m.name == volume && m.read_only != Some(true))
        })
        .filter(|c| clones_spoon_knife(c));
    for w in writers {
        let done = statuses.iter().any(|s| {
            s.name == w.name
                && (s
                    .state
                    .as_ref()
                    .and_then(|st| st.terminated.as_ref())
                    .is_some_and(|t| t.exit_code == 0)
                    || s.last_state
                        .as_ref()
                        .and_then(|st| st.terminated.as_ref())
                        .is_some_and(|t| t.exit_code == 0))
        });
        if done {
            return DocRoot::SpoonKnife;
        }
    }
    DocRoot::Empty
}

/// A container whose command clones a git repository (the slides clone
/// Spoon-Knife, the only site served here).
fn clones_spoon_knife(c: &Container) -> bool {
    c.command
        .iter()
        .flatten()
        .chain(c.args.iter().flatten())
        .any(|a| a.contains("git clone"))
}

/// Spoon-Knife's index.html (github.com/octocat/Spoon-Knife, d0dd1f61).
pub const SPOON_KNIFE: &str = "<!DOCTYPE html>

<html>
<head>
  <meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"/>
  <title>Spoon-Knife</title>
  <LINK href=\"styles.css\" rel=\"stylesheet\" type=\"text/css\">
</head>

<body>

<img src=\"forkit.gif\" id=\"octocat\" alt=\"\" />

<!-- Feel free to change this text here -->
<p>
  Fork me? Fork you, @octocat!
</p>
<p>
  Sean made a change
</p>

</body>
</html>
";
