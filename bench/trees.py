"""Servers built from a chosen source tree: the current one, or a commit in a temporary worktree."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from bench.harness import ROOT, ServerProcess

__all__ = ["ROOT", "TreeServer", "baseline_tree", "head_label"]


@contextmanager
def baseline_tree(rev: str) -> Iterator[Path]:
    """`git worktree add` of `rev` in a temporary folder, removed afterwards."""
    sha = subprocess.run(
        ["git", "rev-parse", "--verify", f"{rev}^{{commit}}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="bench-baseline-") as tmp:
        tree = Path(tmp) / sha[:12]
        subprocess.run(
            ["git", "worktree", "add", "--detach", "--quiet", str(tree), sha],
            cwd=ROOT,
            check=True,
        )
        try:
            yield tree
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False
            )


class TreeServer(ServerProcess):
    """`python -m server serve` with the code of `root` (its cwd and PYTHONPATH)."""

    def __init__(self, root: Path, data_dir: Path, hall_files: list[Path], **kw: object) -> None:
        super().__init__(data_dir, hall_files, **kw)  # type: ignore[arg-type]
        self.root = root
        self.env["PYTHONPATH"] = str(root)

    def _for_this_tree(self, hall: Path) -> Path:
        """The hall file as this tree reads it: an older tree refuses tables added since.

        `[security]` (issue 19) only turns the forced password change off, which older trees
        never had, so a copy without it is the same hall to them.
        """
        text = hall.read_text(encoding="utf-8")
        knows = (self.root / "server" / "hallsecurity.py").exists()
        if self.root == ROOT or knows or "[security]" not in text:
            return hall
        kept, skipping = [], False
        for line in text.splitlines():
            if line.startswith("["):
                skipping = line.strip() == "[security]"
            if not skipping:
                kept.append(line)
        copy = self.data_dir / f"{hall.stem}.older.toml"
        copy.write_text("\n".join(kept) + "\n", encoding="utf-8")
        return copy

    def start(self, timeout: float = 120.0) -> TreeServer:
        """Start and wait for /healthz (many hall files take a while to load)."""
        args = [sys.executable, "-m", "server", "serve", "--port", str(self.port)]
        args += ["--data-dir", str(self.data_dir), "--workers", str(self.workers)]
        args += ["--log-level", "warning"]
        self.data_dir.mkdir(parents=True, exist_ok=True)
        for hall in self.hall_files:
            args += ["--hall", str(self._for_this_tree(hall))]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                args,
                cwd=self.root,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.2)
        raise RuntimeError(f"server did not start: {self.log.read_text()[-2000:]}")


def head_label(root: Path = ROOT) -> str:
    """The short commit of a tree, with '+' when it has uncommitted changes."""
    sha = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=root,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return sha + ("+" if dirty else "")
