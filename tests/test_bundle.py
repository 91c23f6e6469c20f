"""The offline bundle (make bundle): built, carried as a .tar.gz, installed with no index, served.

The bundle here holds only the server extra's wheels (the full one adds PyQt6, about 100 MB more
to copy and hash, and nothing more to prove); pip takes them from the index that `make test`
installs from, pinned to the versions of this venv.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import httpx
import pytest

from tests.helpers import second_hall
from tests.live_server import ROOT, free_port


def _clean_env() -> dict[str, str]:
    """This process's environment without the tests' own store settings and the tree's path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("YICHUANG_")}
    env.pop("PYTHONPATH", None)  # the tree's server package must not stand in for the installed one
    return env


@pytest.fixture(scope="module")
def bundle_tar(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    run = subprocess.run(
        [sys.executable, "scripts/bundle.py", "--extras", "server", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    [tar] = out.glob("yichuang-*.tar.gz")
    check = subprocess.run(["sha256sum", "--check", f"{tar.name}.sha256"], cwd=out)
    assert check.returncode == 0  # what the hall checks before unpacking
    return tar


@pytest.fixture(scope="module")
def bundle(bundle_tar: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundle as it arrives in the hall: unpacked from the .tar.gz, far from the tree."""
    hall_side = tmp_path_factory.mktemp("usb")
    with tarfile.open(bundle_tar) as tar:
        tar.extractall(hall_side, filter="tar")
    [unpacked] = hall_side.iterdir()
    assert unpacked.name == bundle_tar.name.removesuffix(".tar.gz")
    return unpacked


def _no_network() -> list[str]:
    """`unshare -n` (a network namespace with nothing in it) where this machine allows it."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0:
        return [unshare, "-n"]
    return []  # --no-index and the cleared pip settings still keep pip off every index


def test_the_bundle_installs_with_no_network_checks_the_hall_and_serves_it(bundle, tmp_path):
    hall = second_hall(tmp_path)
    prefix = tmp_path / "opt"
    command = [*_no_network(), str(bundle / "install.sh"), "--prefix", str(prefix)]
    started = time.monotonic()
    install = subprocess.run(
        [*command, "--hall", str(hall)],
        cwd=tmp_path,
        env={**_clean_env(), "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stdout[-2000:] + install.stderr[-3000:]
    print(f"install.sh: {time.monotonic() - started:.1f} s")
    assert "east 示例市政务服务中心: 13 queues, 26 windows" in install.stdout
    venv = prefix / ".venv"
    where = subprocess.run(
        [venv / "bin" / "python", "-c", "import server; print(server.__file__)"],
        cwd=tmp_path,
        env=_clean_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(venv)  # installed, not the tree's code

    port = free_port()
    log = tmp_path / "server.log"
    serve = [venv / "bin" / "yichuang", "serve", "--hall", hall, "--port", str(port)]
    serve += ["--data-dir", tmp_path / "var", "--log-level", "warning"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            serve,
            cwd=tmp_path,
            env=_clean_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        ready = _wait_ready(f"http://127.0.0.1:{port}/readyz", proc, log)
        assert ready.status_code == 200
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(15)
    assert (tmp_path / "var" / "yichuang.db").exists()

    # a later bundle of the same version number, installed over this one, replaces the code
    cli = Path(where.stdout.strip()).parent / "cli.py"
    cli.write_text(cli.read_text("utf-8") + "# an older build\n", "utf-8")
    again = subprocess.run(
        [*command, "--hall", str(hall), "--no-system"],
        cwd=tmp_path,
        env={**_clean_env(), "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr[-3000:]
    assert "# an older build" not in cli.read_text("utf-8")


def _wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path) -> httpx.Response:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text("utf-8")[-3000:]
        try:
            r = httpx.get(url, timeout=2)
            if r.status_code == 200:
                return r
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"no answer from {url}: {log.read_text('utf-8')[-3000:]}")


def test_the_bundle_holds_the_versions_tested_here_and_the_debian_list(bundle):
    info = json.loads((bundle / "bundle.json").read_text("utf-8"))
    assert info["extras"] == ["server"]
    assert info["python"] == f"{sys.version_info[0]}.{sys.version_info[1]}"
    wheels = {name.split("-")[0].lower(): name.split("-")[1] for name in info["wheels"]}
    assert sorted(info["wheels"]) == sorted(p.name for p in (bundle / "wheels").iterdir())
    assert wheels["yichuang"] == "0.1.0"
    for dist in ("fastapi", "sqlalchemy", "uvicorn", "alembic", "pydantic"):
        assert wheels[dist] == importlib.metadata.version(dist), dist
    assert "pyqt6" not in wheels  # the server extra only: no client wheels

    listed = subprocess.run(
        [ROOT / "scripts" / "system-deps", "--list"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert (bundle / "debs.txt").read_text("utf-8").split() == listed == info["debs"]
    assert {"fonts-wqy-microhei", "espeak-ng", "libegl1", "python3-venv"} <= set(listed)
    assert not {"chromium", "chromium-driver", "sox", "wrk"} & set(listed)  # test and bench only

    assert (bundle / "deploy" / "yichuang-server.service").exists()
    check = subprocess.run(
        ["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=bundle, capture_output=True
    )
    assert check.returncode == 0, check.stdout


def test_a_damaged_bundle_is_refused_before_anything_is_installed(bundle, tmp_path):
    copy = tmp_path / bundle.name
    shutil.copytree(bundle, copy, copy_function=os.link)  # hard links: no 30 MB copy
    wheel = next((copy / "wheels").glob("fastapi-*.whl"))
    data = wheel.read_bytes()
    wheel.unlink()  # a new file: the linked original stays whole for the other tests
    wheel.write_bytes(data[: len(data) // 2])  # cut short on the way
    run = subprocess.run(
        [copy / "install.sh", "--prefix", tmp_path / "opt", "--no-system"],
        env={**_clean_env(), "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1
    assert "the bundle is damaged" in run.stderr
    assert not (tmp_path / "opt").exists()


def test_a_python_of_another_version_is_refused_with_the_one_to_use(bundle, tmp_path):
    other = tmp_path / "python3"
    other.write_text("#!/bin/sh\necho 3.9\n", "utf-8")
    other.chmod(0o755)
    run = subprocess.run(
        [bundle / "install.sh", "--prefix", tmp_path / "opt", "--no-system"],
        env={**_clean_env(), "PYTHON": str(other)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1
    python = f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert f"the wheels are for Python {python} but {other} is 3.9" in run.stderr
    assert not (tmp_path / "opt").exists()


def _bundle_script():
    spec = importlib.util.spec_from_file_location("bundle_script", ROOT / "scripts" / "bundle.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fake_deb(folder: Path, name: str, depends: str = "") -> None:
    root = folder / name
    (root / "DEBIAN").mkdir(parents=True)
    control = f"Package: {name}\nVersion: 1.0\nArchitecture: all\nMaintainer: t <t@example.org>\n"
    control += f"Depends: {depends}\n" if depends else ""
    (root / "DEBIAN" / "control").write_text(control + "Description: a test package\n", "utf-8")
    subprocess.run(
        ["dpkg-deb", "--build", root, folder / f"{name}_1.0_all.deb"],
        check=True,
        capture_output=True,
    )
    shutil.rmtree(root)


@pytest.mark.skipif(os.geteuid() != 0, reason="apt installs (even simulated ones) need root")
def test_debian_packages_carried_in_the_bundle_are_resolved_by_apt_from_it_alone(bundle, tmp_path):
    copy = tmp_path / bundle.name
    shutil.copytree(bundle, copy, copy_function=os.link)
    debs = copy / "debs"
    debs.mkdir()
    # a needs b or c (as alsa-utils-like packages need one of several): apt takes b, not both
    _fake_deb(debs, "yichuang-test-a", "yichuang-test-b | yichuang-test-c, libc6")
    _fake_deb(debs, "yichuang-test-b")
    _fake_deb(debs, "yichuang-test-c")
    script = _bundle_script()
    script.write_packages_index(debs)
    for name in ("debs.txt", "SHA256SUMS"):
        (copy / name).unlink()  # hard links: write new files, leave the shared bundle whole
    (copy / "debs.txt").write_text("yichuang-test-a\nlibc6\n", "utf-8")
    script.write_sums(copy)
    run = subprocess.run(
        [*_no_network(), copy / "install.sh", "--system-only"],
        env={**_clean_env(), "APT_SIMULATE": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "installing yichuang-test-a from the bundle" in run.stdout  # libc6 is there already
    installs = {line.split()[1] for line in run.stdout.splitlines() if line.startswith("Inst ")}
    assert installs == {"yichuang-test-a", "yichuang-test-b"}


def test_the_apps_start_on_a_pc_installed_without_the_server_extra():
    # what a kiosk or display PC gets from install.sh --extras clients,hardware
    code = (
        "import sys\n"
        "for name in ('pydantic_settings', 'fastapi', 'sqlalchemy', 'uvicorn', 'alembic'):\n"
        "    sys.modules[name] = None  # not installed: importing it raises ImportError\n"
        "from server.cli import main\n"
        "sys.exit(main([sys.argv[1], '--help']))\n"
    )
    for app in ("kiosk", "caller", "display", "devices"):
        run = subprocess.run(
            [sys.executable, "-c", code, app],
            cwd=ROOT,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert run.returncode == 0, run.stderr[-2000:]
        assert "usage:" in run.stdout, app


def test_an_extra_the_bundle_does_not_hold_is_refused_by_name(bundle, tmp_path):
    run = subprocess.run(
        [bundle / "install.sh", "--prefix", tmp_path / "opt", "--extras", "server,clients"],
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1
    assert "this bundle holds the extras server, not clients" in run.stderr
    assert not (tmp_path / "opt").exists()
