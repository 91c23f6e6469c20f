"""Put a simulator on a real line: a TCP server on 127.0.0.1:<port> or a pseudo-terminal pair.

So socket:// and serial-device paths are exercised end to end with the real transports.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import threading
import tty

from drivers.errors import DeviceError
from drivers.sim.base import Simulator


class SimServer:
    """A TCP listener; each connection's bytes go to the simulator, its replies come back."""

    def __init__(self, sim: Simulator, host: str = "127.0.0.1", port: int = 0) -> None:
        self.sim = sim
        self._sock = socket.create_server((host, port))
        self._sock.settimeout(0.1)
        self.host, self.port = self._sock.getsockname()[:2]
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._accept, name=f"sim-tcp-{self.port}", daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        """socket://host:port for open_transport."""
        return f"socket://{self.host}:{self.port}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(0.02)
        with conn:
            while not self._stop.is_set():
                try:
                    data = conn.recv(4096)
                    if not data:
                        return
                    self.sim.feed(data)
                except TimeoutError:
                    pass
                except (OSError, DeviceError):
                    return
                reply = self.sim.take(4096, 0.0)
                if reply:
                    with contextlib.suppress(OSError):
                        conn.sendall(reply)

    def close(self) -> None:
        """Stop listening and end the connections."""
        self._stop.set()
        self._sock.close()
        self._thread.join(timeout=1)


class SimPty:
    """A pseudo-terminal pair: the driver opens `path` like a USB-serial adapter."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self._master, slave = os.openpty()
        tty.setraw(slave)
        self.path = os.ttyname(slave)
        self._slave = slave
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._pump, name="sim-pty", daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master], [], [], 0.02)
            if ready:
                try:
                    data = os.read(self._master, 4096)
                    self.sim.feed(data)
                except (OSError, DeviceError):
                    return
            reply = self.sim.take(4096, 0.0)
            if reply:
                with contextlib.suppress(OSError):
                    os.write(self._master, reply)

    def close(self) -> None:
        """Stop the pump and close both ends."""
        self._stop.set()
        self._thread.join(timeout=1)
        for fd in (self._master, self._slave):
            with contextlib.suppress(OSError):
                os.close(fd)
