"""Run the real server as a child process (uvicorn, a real port) for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from server.security import hash_password

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerProcess:
    """`python -m server serve` on a free port; kill -9 and restart on the same data dir."""

    def __init__(
        self,
        data_dir: Path,
        hall_files: list[Path] | None = None,
        *,
        workers: int = 1,
        env: dict[str, str] | None = None,
        port: int | None = None,
    ) -> None:
        self.data_dir, self.hall_files, self.workers = data_dir, hall_files or [], workers
        self.port = port or free_port()
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = data_dir / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> ServerProcess:
        args = [
            sys.executable,
            "-m",
            "server",
            "serve" if self.hall_files else "demo",  # no hall files: the demo hall
            "--port",
            str(self.port),
            "--data-dir",
            str(self.data_dir),
            "--workers",
            str(self.workers),
            "--log-level",
            "warning",
        ]
        for hall in self.hall_files:
            args += ["--hall", str(hall)]
        if not self.hall_files:
            args.append("--no-apps")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                args,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start: {self.log.read_text()[-2000:]}")

    def kill9(self) -> None:
        """Crash the server: SIGKILL to its whole process group, no clean shutdown."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill9()


PASSWORD = "hall-pass-7391"
_HASH: list[str] = []


def password_hash() -> str:
    """One scrypt hash of PASSWORD, computed once per test run."""
    if not _HASH:
        _HASH.append(hash_password(PASSWORD))
    return _HASH[0]


def write_hall(path: Path, queues: int = 15, windows: int = 9, tidal: bool = True) -> Path:
    """A non-demo hall file: `queues` queues (A, B, …), windows serving overlapping sets."""
    codes = [chr(ord("A") + i) for i in range(queues)]
    lines = [
        "[hall]",
        'code = "city"',
        'name = "测试市政务服务中心"',
        "[[areas]]",
        'code = "zh"',
        'name = "综合区"',
    ]
    for code in codes:
        lines += [
            "[[queues]]",
            f'code = "{code}"',
            f'name = "业务{code}"',
            'area = "zh"',
            "service_minutes = 5",
        ]
    for i in range(1, windows + 1):
        served = [codes[(i - 1 + k * windows) % queues] for k in range(3)]
        served = list(dict.fromkeys(served))
        lines += [
            "[[windows]]",
            f'code = "S{i:02d}"',
            'area = "zh"',
            f"queues = {served!r}".replace("'", '"'),
            f"led_address = {i}",
        ]
    for i in range(1, windows + 1):
        lines += [
            "[[users]]",
            f'username = "clerk{i:02d}"',
            f'name = "窗口{i}"',
            'role = "clerk"',
            f'password_hash = "{password_hash()}"',
        ]
    lines += [
        "[[users]]",
        'username = "lead"',
        'name = "值班长"',
        'role = "supervisor"',
        f'password_hash = "{password_hash()}"',
        "[[devices]]",
        'id = "kiosk-1"',
        'kind = "kiosk"',
        'token = "kiosk-secret-1"',
        "[[devices]]",
        'id = "tv-1"',
        'kind = "display"',
        'token = "display-secret-1"',
        "[[devices]]",
        'id = "rate-1"',
        'kind = "evaluator"',
        'token = "evaluator-secret-1"',
        "[security]",  # its users act at once, without the forced password change (issue 19)
        "password_force_change = false",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
