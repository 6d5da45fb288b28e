"""The Python `kubernetes` client (PyPI) against `kubesim serve`.

Run: python3 -m pytest tests/python
The server is started by the test (`KUBESIM_SERVE_CMD`, default
`cargo run --quiet -- serve`), or an already running one is used
when KUBESIM_KUBECONFIG names its kubeconfig.
Wire behaviour relied on: shared/docs/kubectl-wire-notes.md section 7.
"""
import os
import shlex
import subprocess
import tempfile
import time

import pytest
from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="module")
def api_client():
    kubeconfig = os.environ.get("KUBESIM_KUBECONFIG")
    proc = None
    tmp = None
    if not kubeconfig:
        tmp = tempfile.TemporaryDirectory()
        kubeconfig = os.path.join(tmp.name, "kubeconfig")
        cmd = shlex.split(os.environ.get("KUBESIM_SERVE_CMD", "cargo run --quiet -- serve"))
        proc = subprocess.Popen(
            cmd + ["--port", "0", "--kubeconfig", kubeconfig, "--speed", "10"],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 600  # a first run may have to build
        while True:
            line = proc.stdout.readline()
            if line.startswith("export KUBECONFIG="):
                break
            if not line and proc.poll() is not None:
                raise RuntimeError("kubesim serve exited: " + proc.stderr.read())
            if time.time() > deadline:
                raise RuntimeError("kubesim serve did not start")
    config.load_kube_config(config_file=kubeconfig)
    yield client.ApiClient()
    if proc:
        proc.terminate()
        proc.wait(timeout=10)
    if tmp:
        tmp.cleanup()


def pod(name, labels):
    return client.V1Pod(
        metadata=client.V1ObjectMeta(name=name, labels=labels),
        spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="nginx")]))


def test_create_list_read_delete_pods(api_client):
    v1 = client.CoreV1Api(api_client)
    created = v1.create_namespaced_pod("default", pod("py-a", {"app": "py"}))
    assert created.metadata.uid
    assert created.metadata.namespace == "default"
    names = [p.metadata.name for p in v1.list_namespaced_pod("default", label_selector="app=py").items]
    assert names == ["py-a"]
    assert v1.read_namespaced_pod("py-a", "default").spec.containers[0].image == "nginx"
    nodes = v1.list_node().items
    assert [n.metadata.name for n in nodes] == ["node1", "node2", "node3", "node4"]
    v1.delete_namespaced_pod("py-a", "default", grace_period_seconds=0)
    with pytest.raises(ApiException) as e:
        v1.read_namespaced_pod("py-a", "default")
    assert e.value.status == 404


def test_errors_are_statuses(api_client):
    v1 = client.CoreV1Api(api_client)
    v1.create_namespaced_pod("default", pod("py-dup", {}))
    with pytest.raises(ApiException) as e:
        v1.create_namespaced_pod("default", pod("py-dup", {}))
    assert e.value.status == 409
    assert '"reason":"AlreadyExists"' in e.value.body
    v1.delete_namespaced_pod("py-dup", "default")


def test_patch_deployment_and_scale(api_client):
    apps = client.AppsV1Api(api_client)
    dep = client.V1Deployment(
        metadata=client.V1ObjectMeta(name="py-web"),
        spec=client.V1DeploymentSpec(
            replicas=1,
            selector=client.V1LabelSelector(match_labels={"app": "py-web"}),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels={"app": "py-web"}),
                spec=client.V1PodSpec(containers=[client.V1Container(name="web", image="nginx:1.25")]))))
    apps.create_namespaced_deployment("default", dep)
    # A dict body goes as a strategic merge patch: containers merge by name.
    patched = apps.patch_namespaced_deployment(
        "py-web", "default",
        {"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.26"}]}}}})
    assert patched.spec.template.spec.containers[0].image == "nginx:1.26"
    assert patched.metadata.generation == 2
    scale = apps.patch_namespaced_deployment_scale("py-web", "default", {"spec": {"replicas": 4}})
    assert scale.spec.replicas == 4
    assert apps.read_namespaced_deployment("py-web", "default").spec.replicas == 4
    apps.delete_namespaced_deployment("py-web", "default")


def test_watch_streams_initial_and_new_events(api_client):
    v1 = client.CoreV1Api(api_client)
    v1.create_namespaced_pod("default", pod("py-w1", {"app": "pyw"}))
    w = watch.Watch()
    seen = []
    for ev in w.stream(v1.list_namespaced_pod, "default", label_selector="app=pyw", timeout_seconds=3):
        seen.append((ev["type"], ev["object"].metadata.name))
        if ev["object"].metadata.name == "py-w1" and ev["type"] == "ADDED":
            v1.create_namespaced_pod("default", pod("py-w2", {"app": "pyw"}))
        if ev["object"].metadata.name == "py-w2":
            w.stop()
    assert seen[0] == ("ADDED", "py-w1")
    assert ("ADDED", "py-w2") in seen
    for n in ["py-w1", "py-w2"]:
        v1.delete_namespaced_pod(n, "default", grace_period_seconds=0)
