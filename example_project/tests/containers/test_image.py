"""The runtime image is what the Dockerfile claims, checked on the built image.

No shell, package manager or pip; a non-root user; a JSON-array entrypoint starting
gunicorn with uvicorn workers from the virtualenv; the virtualenv's interpreter
present and able to import the project; a HEALTHCHECK that follows ``$PORT`` and turns
unhealthy when the database is unreachable; the static files; and a start with a
read-only root filesystem and no writable ``/tmp``, as Kubernetes'
``readOnlyRootFilesystem`` runs it.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django_strict_core.testing import ProxyProcess

from tests.containers import podman
from tests.e2e.stack import free_port

if TYPE_CHECKING:
    from collections.abc import Iterator

APP = Path("/app/example_project")
VENV_PYTHON = str(APP / ".venv/bin/python")
SHELLS_AND_PACKAGE_MANAGERS = (
    "sh", "bash", "dash", "ash", "busybox", "apt", "apt-get", "dpkg", "apk",
    "pip", "pip3", "pip3.13", "curl", "wget",
)  # fmt: skip


def python_in(image: str, code: str, env: dict[str, str] | None = None) -> str:
    """Run the virtualenv's Python in a fresh container and return its output."""
    env_args = [f"--env={key}={value}" for key, value in (env or {}).items()]
    result = podman.podman(
        "run", "--rm", f"--label={podman.LABEL}", f"--entrypoint={VENV_PYTHON}",
        *env_args, image, "-c", code, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def image_root(runtime_image: str) -> Iterator[Path]:
    """The image's files, mounted read-only without running it."""
    root = Path(podman.podman("image", "mount", runtime_image).stdout.strip())
    yield root
    podman.podman("image", "unmount", runtime_image, check=False)


@pytest.fixture(scope="module")
def serving(runtime_image: str, production_env: dict[str, str]) -> Iterator[str]:
    """The image serving on a port that is not 8000, with nothing writable."""
    port = str(free_port())
    name = podman.run_detached(
        runtime_image, {**production_env, "PORT": port},
        "--read-only", "--read-only-tmpfs=false",
    )  # fmt: skip
    seconds = podman.wait_for_health(name, "healthy")
    podman.FIGURES["healthy after start (read-only root, PORT=" + port + ")"] = (
        f"{seconds:.1f} s"
    )
    yield name
    podman.podman("rm", "--force", "--time=5", name, check=False)


def test_there_is_no_shell_package_manager_or_pip(
    image_root: Path, runtime_image: str
) -> None:
    found = [
        str(path.relative_to(image_root))
        for directory in (
            "usr/bin",
            "usr/sbin",
            "usr/local/bin",
            "app/example_project/.venv/bin",
        )
        for path in (image_root / directory).glob("*")
        if path.name in SHELLS_AND_PACKAGE_MANAGERS
    ]
    pip_packages = [
        str(path.relative_to(image_root))
        for path in image_root.glob("**/site-packages/pip")
    ]

    assert found == []
    assert pip_packages == []
    assert "None None" in python_in(
        runtime_image,
        "import importlib.util as u; print(u.find_spec('pip'), u.find_spec('ensurepip._bundled'))",
    )
    shell = podman.podman(
        "run", "--rm", "--entrypoint=/bin/sh", runtime_image, "-c", "true", check=False
    )
    assert shell.returncode != 0
    assert "no such file or directory" in shell.stderr


def test_it_runs_as_a_user_other_than_root(runtime_image: str) -> None:
    config = podman.inspect("image", runtime_image)["Config"]

    assert config["User"] == "nonroot"
    assert python_in(runtime_image, "import os; print(os.getuid(), os.getgid())").split() == [
        "65532", "65532",
    ]  # fmt: skip


def test_the_entrypoint_starts_gunicorn_with_uvicorn_workers_from_the_venv(
    runtime_image: str, serving: str
) -> None:
    entrypoint = podman.inspect("image", runtime_image)["Config"]["Entrypoint"]
    processes = podman.podman("top", serving, "args").stdout.splitlines()[1:]
    lines = [
        json.loads(line) for line in podman.podman("logs", serving).stdout.splitlines()
    ]
    messages = [line["message"] for line in lines]

    assert entrypoint[0] == str(APP / ".venv/bin/gunicorn")
    assert entrypoint[1:] == [
        "config.asgi:application",
        "-c",
        str(APP / "config/gunicorn.conf.py"),
    ]
    # The master and two workers (WEB_CONCURRENCY=2), all the venv's gunicorn.
    assert len([p for p in processes if str(APP / ".venv/bin/gunicorn") in p]) == 3
    assert "Using worker: django_strict_core.gunicorn.UvicornWorker" in messages


def test_the_venv_interpreter_exists_and_imports_the_project(
    image_root: Path, runtime_image: str, production_env: dict[str, str]
) -> None:
    link = Path(Path(image_root, VENV_PYTHON.lstrip("/")).readlink())
    interpreter = link if link.is_absolute() else Path(VENV_PYTHON).parent / link
    config = (image_root / "app/example_project/.venv/pyvenv.cfg").read_text()

    assert (image_root / str(interpreter).lstrip("/")).resolve().is_file()
    assert f"home = {interpreter.parent}" in config
    output = python_in(
        runtime_image,
        "import sys, django; django.setup(); from django.core.management import call_command;"
        " call_command('check', '--deploy', '--fail-level', 'WARNING');"
        " import config.asgi, django_strict_core; print(sys.version_info[:2])",
        {**production_env, "DJANGO_SETTINGS_MODULE": "config.settings"},
    )
    assert "(3, 13)" in output


def test_the_healthcheck_is_healthy_on_the_port_the_app_binds(serving: str) -> None:
    env = dict(
        item.split("=", 1)
        for item in podman.inspect("container", serving)["Config"]["Env"]
    )
    lines = podman.podman("logs", serving).stdout

    assert env["PORT"] != "8000"
    assert f"Listening at: http://0.0.0.0:{env['PORT']}" in lines
    assert podman.podman("healthcheck", "run", serving, check=False).returncode == 0
    assert (
        podman.inspect("container", serving)["State"]["Health"]["Status"] == "healthy"
    )


@pytest.mark.parametrize("fault", ["refuse", "hang"])
def test_the_healthcheck_turns_unhealthy_when_the_database_is_unreachable(
    runtime_image: str, production_env: dict[str, str], fault: str
) -> None:
    proxies = ProxyProcess({"db": ("127.0.0.1", 5432)})
    database = production_env["DATABASE_URL"].replace(
        ":5432/", f":{proxies.ports['db']}/"
    )
    name = podman.run_detached(
        runtime_image, {**production_env, "DATABASE_URL": database}
    )
    try:
        podman.wait_for_health(name, "healthy")
        proxies.set_mode("db", fault)
        seconds = podman.wait_for_health(name, "unhealthy", timeout=60)
        proxies.set_mode("db", "forward")
        recovered = podman.wait_for_health(name, "healthy", timeout=60)
    finally:
        proxies.close()
        podman.podman("rm", "--force", "--time=5", name, check=False)
    podman.FIGURES[f"unhealthy after the database {fault}s (3 checks)"] = (
        f"{seconds:.1f} s"
    )
    podman.FIGURES[f"healthy again after the {fault} ends"] = f"{recovered:.1f} s"


def test_the_static_files_are_in_the_image(image_root: Path) -> None:
    static = image_root / "app/example_project/staticfiles"
    files = [path for path in static.rglob("*") if path.is_file()]

    assert (static / "rest_framework/css/bootstrap.min.css").stat().st_size > 0
    assert (static / "admin/css/base.css").is_file()
    assert len(files) > 100


def test_nothing_is_writable_with_a_read_only_root_and_no_tmp(serving: str) -> None:
    paths = ["/tmp/x", "/app/example_project/x", "/home/nonroot/x", "/x"]  # noqa: S108
    attempt = (  # run inside the container, where nothing may be written
        "import errno, sys\n"
        "for path in sys.argv[1:]:\n"
        "    try:\n"
        "        open(path, 'w')\n"
        "    except OSError as exc:\n"
        "        print(path, errno.errorcode[exc.errno])\n"
    )
    result = podman.podman("exec", serving, VENV_PYTHON, "-c", attempt, *paths)

    assert result.stdout.splitlines() == [f"{path} EROFS" for path in paths]
    assert podman.inspect("container", serving)["State"]["Status"] == "running"


def test_python_in_the_image_cannot_install_packages(runtime_image: str) -> None:
    result = subprocess.run(
        ["podman", "run", "--rm", f"--entrypoint={VENV_PYTHON}", runtime_image, "-m", "pip", "--version"],
        capture_output=True, text=True, check=False, env=podman.environment(),
    )  # fmt: skip

    assert result.returncode != 0
    assert "No module named pip" in result.stderr
