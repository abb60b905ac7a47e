"""Demos of engine/demos/environment.py against Docker's documented rules."""

from __future__ import annotations

import pytest

from engine.demos import run_demo
from engine.demos.environment import build_cache_keys, container_command


def values(demo_id: str, **params):
    return run_demo(demo_id, **params).values


@pytest.mark.parametrize(
    ("kind", "apps", "kernels"),
    [("host", 3, 4), ("hypervisor", 3, 3), ("container", 3, 1), ("container", 7, 1)],
)
def test_virtualization_kernels(kind, apps, kernels):
    result = values("env-virtualization-stack", kind=kind, apps=apps)
    assert result["kernels"] == kernels
    assert result["shares_host_kernel"] == (kind == "container")


@pytest.mark.parametrize(
    ("order", "change", "rebuilt"),
    [
        ("deps_first", "nothing", []),
        ("deps_first", "source_code", [5, 6]),
        ("deps_first", "requirements", [3, 4, 5, 6]),
        ("deps_first", "base_image", [1, 2, 3, 4, 5, 6]),
        ("deps_first", "cmd", [6]),
        ("copy_all_first", "source_code", [3, 4, 5]),
    ],
)
def test_layer_cache_rebuilds_the_changed_step_and_every_later_one(order, change, rebuilt):
    assert values("docker-layer-cache", order=order, change=change)["rebuilt_steps"] == rebuilt


def test_cache_keys_depend_on_copied_file_contents_only_for_copy():
    lines = ["FROM x", "COPY a .", "RUN echo"]
    first = build_cache_keys(lines, {"a": "1", "b": "1"}, "base")
    assert build_cache_keys(lines, {"a": "1", "b": "2"}, "base") == first  # b is never copied
    assert build_cache_keys(lines, {"a": "2", "b": "1"}, "base")[0] == first[0]
    assert build_cache_keys(lines, {"a": "2", "b": "1"}, "base")[1:] != first[1:]


@pytest.mark.parametrize(
    ("entrypoint", "cmd", "args", "argv"),
    [
        (["python"], ["app.py"], [], ["python", "app.py"]),
        (["python"], ["app.py"], ["test.py"], ["python", "test.py"]),
        (None, ["python", "app.py"], ["bash"], ["bash"]),
        (None, "python app.py", [], ["/bin/sh", "-c", "python app.py"]),
        ("python", ["app.py"], ["test.py"], ["/bin/sh", "-c", "python"]),
        (["python"], "python app.py", [], ["python", "/bin/sh", "-c", "python app.py"]),
    ],
)
def test_container_command_follows_the_docker_table(entrypoint, cmd, args, argv):
    assert container_command(entrypoint, cmd, args) == argv


def test_cmd_entrypoint_demo_and_volumes():
    result = values(
        "docker-cmd-entrypoint", entrypoint="exec_python", cmd="exec_app", run_args="test_py"
    )
    assert result["command"] == "python test.py" and result["cmd_used"] is False
    assert values("docker-volume-persistence", mount="none")["survived"] == []
    for mount in ("volume", "bind"):
        assert values("docker-volume-persistence", mount=mount)["survived"] == ["/data/model.ckpt"]
    assert values("docker-layer-cache") == values("docker-layer-cache")
