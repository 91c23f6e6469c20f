#!/usr/bin/env python3
"""Build the offline bundle (`make bundle`): wheels, the Debian package list and install.sh.

The bundle is one directory and its .tar.gz under dist/, for a hall without internet
(政务外网): install.sh installs it with `pip install --no-index`. See docs/deploy/offline.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EXTRAS = "server,clients,hardware"
# Left out of the source copy that pip builds the project wheel from: a stale build/lib would
# put files deleted from the tree back into the wheel.
NOT_SOURCE = {".git", ".venv", "build", "dist", "var", "node_modules"}
# apt-cache depends options: follow Depends and Pre-Depends only, as --no-install-recommends does
HARD_DEPENDS_ONLY = (
    "--no-recommends", "--no-suggests", "--no-conflicts", "--no-breaks", "--no-replaces",
    "--no-enhances",
)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Build the bundle and print where it is."""
    ap = argparse.ArgumentParser(prog="scripts/bundle.py", description=__doc__)
    ap.add_argument("--extras", default=DEFAULT_EXTRAS, help=f"default {DEFAULT_EXTRAS}")
    ap.add_argument("--out", type=Path, default=ROOT / "dist", help="default dist/")
    ap.add_argument(
        "--debs",
        action="store_true",
        help="also download the Debian packages (.deb), with their dependencies, into debs/",
    )
    ap.add_argument(
        "--no-pin",
        dest="pin",
        action="store_false",
        help="take the newest versions the index has, not the ones installed here",
    )
    ap.add_argument("--no-tar", dest="tar", action="store_false", help="the directory only")
    ns = ap.parse_args(argv)
    wanted = [e.strip() for e in ns.extras.split(",") if e.strip()]
    known = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    unknown = set(wanted) - set(known["optional-dependencies"])
    if unknown:  # pip would only warn, and build a bundle without them
        ap.error(f"no such extra: {', '.join(sorted(unknown))}")
    extras = ",".join(wanted)
    try:
        bundle = build(ns.out.resolve(), extras, pin=ns.pin, debs=ns.debs)
    except subprocess.CalledProcessError as exc:  # pip's or apt's own message is above
        print(f"bundle: failed: {' '.join(map(str, exc.cmd))[:300]}", file=sys.stderr)
        return 1
    print(f"bundle: {bundle}")
    if ns.tar:
        print(f"bundle: {make_tar(bundle)}")
    return 0


def build(out: Path, extras: str, *, pin: bool = True, debs: bool = False) -> Path:
    """Fill out/<name>/ with everything install.sh needs; returns that directory."""
    version = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
    python = f"{sys.version_info[0]}.{sys.version_info[1]}"
    name = f"yichuang-{version}-py{python.replace('.', '')}-{platform.machine()}"
    # built under another name and renamed when whole: a failed build leaves no bundle to carry
    partial = out / f"{name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    (partial / "wheels").mkdir(parents=True)
    constraints = partial / "constraints.txt"
    constraints.write_text(installed_versions() if pin else "", "utf-8")
    with tempfile.TemporaryDirectory(prefix="yichuang-src-") as tmp:
        src = copy_source(Path(tmp) / "yichuang")
        run(
            sys.executable, "-m", "pip", "wheel", "--quiet", "--wheel-dir", partial / "wheels",
            "--constraint", constraints, f"{src}[{extras}]",
        )  # fmt: skip
    packages = subprocess.run(
        [ROOT / "scripts" / "system-deps", "--list"], check=True, capture_output=True, text=True
    ).stdout.split()
    (partial / "debs.txt").write_text("".join(f"{p}\n" for p in packages), "utf-8")
    if debs:
        download_debs(packages, partial / "debs")
    add_install_files(partial)
    info = {
        "version": version,
        "commit": git("describe", "--always", "--dirty") or "unknown",
        "built_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "python": python,
        "platform": sysconfig.get_platform(),
        "libc": "-".join(platform.libc_ver()),
        "extras": extras.split(","),
        "pinned": pin,
        "wheels": sorted(p.name for p in (partial / "wheels").glob("*.whl")),
        "debs": packages,
    }
    (partial / "bundle.json").write_text(json.dumps(info, indent=2) + "\n", "utf-8")
    # what install.sh reads (it runs before any Python of ours exists on the hall's machine)
    (partial / "bundle.env").write_text(
        f"BUNDLE_VERSION={version}\nBUNDLE_PYTHON={python}\nBUNDLE_EXTRAS={extras}\n", "utf-8"
    )
    write_sums(partial)
    bundle = out / name
    shutil.rmtree(bundle, ignore_errors=True)
    return partial.rename(bundle)


def add_install_files(bundle: Path) -> None:
    """install.sh, this guide as README.md, the systemd units and the example station files."""
    shutil.copy2(ROOT / "scripts" / "bundle-install.sh", bundle / "install.sh")
    (bundle / "install.sh").chmod(0o755)
    shutil.copy2(ROOT / "docs" / "deploy" / "offline.md", bundle / "README.md")
    (bundle / "deploy").mkdir()
    for unit in sorted((ROOT / "docs" / "deploy").glob("*.service")):
        shutil.copy2(unit, bundle / "deploy" / unit.name)
    shutil.copytree(ROOT / "docs" / "examples", bundle / "examples")


def installed_versions() -> str:
    """The versions installed beside this Python, as constraints: the bundle carries what passed."""
    frozen = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    # direct references (name @ url) are not allowed in a constraints file, nor is our own project
    keep = [
        line for line in frozen if "==" in line and " @ " not in line and "yichuang" not in line
    ]
    return "".join(f"{line}\n" for line in keep)


def copy_source(dest: Path) -> Path:
    """The project's files as they are now (committed or not), without build leftovers."""
    listed = git("ls-files", "--cached", "--others", "--exclude-standard", "-z")
    if listed is not None:
        files = [Path(f) for f in listed.split("\0") if f]
    else:  # not a git checkout (an unpacked source tarball)
        files = [
            p.relative_to(ROOT)
            for p in ROOT.rglob("*")
            if p.is_file() and not NOT_SOURCE.intersection(p.relative_to(ROOT).parts)
        ]
    for rel in files:
        source = ROOT / rel
        if source.is_file() and not NOT_SOURCE.intersection(rel.parts):
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / rel)
    return dest


def download_debs(packages: list[str], dest: Path) -> None:
    """The .deb files of the packages and all they depend on, as a flat apt repository."""
    closure = subprocess.run(
        ["apt-cache", "depends", "--recurse", *HARD_DEPENDS_ONLY, *packages],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    # Real package names start a line ("  Depends: …" and "<virtual>" lines do not). Every
    # alternative of an "a | b" dependency comes too: install.sh lets apt choose among them.
    names = sorted({line for line in closure if line[:1].isalnum()})
    dest.mkdir()
    sandbox = ["-o", "APT::Sandbox::User=root"] if os.geteuid() == 0 else []
    run("apt-get", "download", "-q", *sandbox, *names, cwd=dest)
    write_packages_index(dest)


def write_packages_index(debs: Path) -> None:
    """debs/Packages, so that apt resolves from the bundle as from a mirror (no dpkg-dev needed)."""
    stanzas = []
    for deb in sorted(debs.glob("*.deb")):
        control = subprocess.run(
            ["dpkg-deb", "--field", deb], check=True, capture_output=True, text=True
        ).stdout.rstrip("\n")
        data = deb.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        stanzas.append(f"{control}\nFilename: ./{deb.name}\nSize: {len(data)}\nSHA256: {digest}\n")
    (debs / "Packages").write_text("\n".join(stanzas), "utf-8")


def write_sums(bundle: Path) -> None:
    """SHA256SUMS in `sha256sum -c` form: install.sh checks the copy that reached the hall."""
    lines = []
    for path in sorted(p for p in bundle.rglob("*") if p.is_file()):
        rel = path.relative_to(bundle).as_posix()
        if rel != "SHA256SUMS":
            lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {rel}\n")
    (bundle / "SHA256SUMS").write_text("".join(lines), "utf-8")


def make_tar(bundle: Path) -> Path:
    """<bundle>.tar.gz (and its .sha256) beside the directory, unpacking to the directory's name."""
    target = bundle.with_name(bundle.name + ".tar.gz")
    with tarfile.open(target, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=bundle.name)
    # for the receiving side to check before unpacking: `sha256sum -c <name>.tar.gz.sha256`
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    target.with_name(target.name + ".sha256").write_text(f"{digest}  {target.name}\n", "utf-8")
    return target


def git(*args: str) -> str | None:
    """A git command's output in the project, or None outside a git checkout."""
    try:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
    except OSError:
        return None
    return done.stdout.strip("\n") if done.returncode == 0 else None


def run(*args: object, cwd: Path | None = None) -> None:
    """Run a command, its output shown, failing the build when it fails."""
    subprocess.run([str(a) for a in args], check=True, cwd=cwd, env={**os.environ})


if __name__ == "__main__":
    sys.exit(main())
