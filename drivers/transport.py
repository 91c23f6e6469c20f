"""One seam to every device: `open_transport(url)` over pyserial URLs, device files, USB and sim://.

URLs: `/dev/ttyUSB0`, `COM3`, `socket://host:port`, `loop://` and the other pyserial URL
handlers (https://pythonhosted.org/pyserial/url_handlers.html); `/dev/usb/lp0` and
`file:///path` (the kernel's usblp printer node, or a plain file that records the bytes);
`usb://VID:PID` through pyusb when it is installed; `sim://<profile-id>[?name=<instance>]`
for the in-process simulators of `drivers.sim`.
"""

from __future__ import annotations

import errno
import os
import select
import time
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

import serial

from drivers.errors import DeviceNotFound, DeviceOffline


class Transport(Protocol):
    """A byte pipe to one device; every read has a timeout."""

    url: str

    def write(self, data: bytes) -> None:
        """Send bytes; raises DeviceOffline when the line is gone."""

    def read(self, n: int, timeout: float | None = None) -> bytes:
        """Return up to n bytes, waiting at most `timeout` seconds for the first; b"" on silence."""

    def close(self) -> None:
        """Release the port."""


@dataclass(frozen=True)
class SerialSettings:
    """Line settings for a serial port (ignored by socket://, files and sim://)."""

    baudrate: int = 9600
    bytesize: int = 8
    parity: str = "N"
    stopbits: float = 1
    rtscts: bool = False
    xonxoff: bool = False
    dsrdtr: bool = False


class SerialTransport:
    """A pyserial port or URL handler (serial device, socket://, loop://, rfc2217:// …)."""

    def __init__(self, port: serial.SerialBase, url: str, timeout: float) -> None:
        self._port, self.url, self.timeout = port, url, timeout

    def write(self, data: bytes) -> None:
        """Send bytes and wait until they have left the buffer."""
        try:
            self._port.write(data)
            self._port.flush()
        except (serial.SerialException, OSError) as exc:
            raise DeviceOffline(detail=f"{self.url}: {exc}") from exc

    def read(self, n: int, timeout: float | None = None) -> bytes:
        """Wait for the first byte, then take whatever else is already there."""
        try:
            self._port.timeout = self.timeout if timeout is None else timeout
            first = bytes(self._port.read(1))
            if not first or n <= 1:
                return first
            # timeout 0 makes pyserial return what is buffered without waiting again
            self._port.timeout = 0
            return first + bytes(self._port.read(n - 1))
        except (serial.SerialException, OSError) as exc:
            raise DeviceOffline(detail=f"{self.url}: {exc}") from exc

    def close(self) -> None:
        """Close the port."""
        self._port.close()


class FileTransport:
    """A device node such as /dev/usb/lp0 (usblp is bidirectional) or a plain file."""

    def __init__(self, path: str, url: str, timeout: float) -> None:
        self.url, self.timeout, self._path = url, timeout, path
        # usblp blocks a write while the printer is stalled (paper ran out mid-job): give up
        # when no byte has gone out for this long, instead of hanging the kiosk for good
        self.write_timeout = max(timeout, 5.0)
        self._readable = True
        try:
            if os.path.exists(path) and not os.path.isfile(path):
                self._fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
            else:
                self._readable = False
                self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        except OSError as exc:
            raise _open_error(url, exc) from exc

    def write(self, data: bytes) -> None:
        """Write all bytes; DeviceOffline when the device takes none for `write_timeout`."""
        view = memoryview(data)
        try:
            while view:
                _, ready, _ = select.select([], [self._fd], [], self.write_timeout)
                if not ready:
                    raise DeviceOffline(
                        detail=f"{self.url}：设备 {self.write_timeout:g} 秒未接收数据"
                    )
                try:
                    view = view[os.write(self._fd, view) :]
                except BlockingIOError:
                    continue  # select said writable but the buffer filled again
        except OSError as exc:
            raise DeviceOffline(detail=f"{self.url}: {exc}") from exc

    def read(self, n: int, timeout: float | None = None) -> bytes:
        """Read what the device answers; a plain file never answers."""
        if not self._readable:
            return b""
        wait = self.timeout if timeout is None else timeout
        try:
            ready, _, _ = select.select([self._fd], [], [], wait)
            return os.read(self._fd, n) if ready else b""
        except OSError as exc:
            raise DeviceOffline(detail=f"{self.url}: {exc}") from exc

    def close(self) -> None:
        """Close the file descriptor."""
        os.close(self._fd)


class UsbTransport:
    """A USB printer through pyusb (optional: `pip install pyusb`); bulk OUT and IN endpoints."""

    def __init__(self, url: str, timeout: float) -> None:
        self.url, self.timeout = url, timeout
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        try:
            vid, pid = (int(x, 16) for x in parts.netloc.split(":"))
            self._out = int(query.get("out_ep", ["0x01"])[0], 16)
            self._in = int(query.get("in_ep", ["0x82"])[0], 16)
        except ValueError as exc:
            raise DeviceNotFound("USB 地址格式应为 usb://VID:PID", detail=url) from exc
        try:
            import usb.core  # optional dependency, not in the `hardware` extra
        except ImportError as exc:
            raise DeviceNotFound("未安装 pyusb，无法直接访问 USB 打印机", detail=url) from exc
        self._dev: Any = usb.core.find(idVendor=vid, idProduct=pid)
        if self._dev is None:
            raise DeviceNotFound(detail=url)

    def write(self, data: bytes) -> None:
        """Bulk-write to the OUT endpoint."""
        try:
            self._dev.write(self._out, data, int(self.timeout * 1000))
        except Exception as exc:  # pyusb raises USBError/USBTimeoutError
            raise DeviceOffline(detail=f"{self.url}: {exc}") from exc

    def read(self, n: int, timeout: float | None = None) -> bytes:
        """Bulk-read from the IN endpoint; a timeout is silence."""
        wait = self.timeout if timeout is None else timeout
        try:
            return bytes(self._dev.read(self._in, n, max(1, int(wait * 1000))))
        except Exception:
            return b""

    def close(self) -> None:
        """Release the device."""
        import usb.util

        usb.util.dispose_resources(self._dev)


def open_transport(
    url: str, *, timeout: float = 1.0, settings: SerialSettings | None = None
) -> Transport:
    """Open the device behind `url`; raises DeviceNotFound or DeviceOffline."""
    if url.startswith("sim://"):
        from drivers.sim.registry import open_sim_transport

        return open_sim_transport(url, timeout=timeout)
    if url.startswith("usb://"):
        return UsbTransport(url, timeout)
    if url.startswith("file://"):
        return FileTransport(urlsplit(url).path, url, timeout)
    if url.startswith(("/dev/usb/", "/dev/lp")):
        return FileTransport(url, url, timeout)
    return _open_serial(url, timeout, settings or SerialSettings())


def _open_serial(url: str, timeout: float, s: SerialSettings) -> SerialTransport:
    try:
        port = serial.serial_for_url(
            _without_driver_options(url),
            baudrate=s.baudrate,
            bytesize=s.bytesize,
            parity=s.parity,
            stopbits=s.stopbits,
            rtscts=s.rtscts,
            xonxoff=s.xonxoff,
            dsrdtr=s.dsrdtr,
            timeout=timeout,
            write_timeout=max(timeout, 2.0),
        )
    except (serial.SerialException, ValueError, OSError) as exc:
        raise _open_error(url, exc) from exc
    return SerialTransport(port, url, timeout)


def _without_driver_options(url: str) -> str:
    """The URL without `framing=` (read by the sign driver; pyserial refuses unknown options)."""
    parts = urlsplit(url)
    if "framing" not in parse_qs(parts.query):
        return url
    query = "&".join(p for p in parts.query.split("&") if not p.startswith("framing="))
    return parts._replace(query=query).geturl()


def _open_error(url: str, exc: Exception) -> DeviceNotFound | DeviceOffline:
    code = getattr(exc, "errno", None)
    text = str(exc)
    if url.startswith(("socket://", "rfc2217://")):
        return DeviceOffline(detail=f"{url}: {text}")
    if code in (errno.EACCES, errno.EPERM) or "Permission denied" in text:
        return DeviceNotFound(
            "没有权限打开设备（请把用户加入 dialout/lp 组）", detail=f"{url}: {text}"
        )
    return DeviceNotFound(detail=f"{url}: {text}")


def read_until_quiet(transport: Transport, n: int, timeout: float, gap: float = 0.02) -> bytes:
    """Read up to n bytes: wait `timeout` for the first, then stop after `gap` of silence."""
    deadline = time.monotonic() + timeout
    out = bytearray(transport.read(n, timeout))
    while out and len(out) < n and time.monotonic() < deadline:
        more = transport.read(n - len(out), gap)
        if not more:
            break
        out += more
    return bytes(out)


def drain(transport: Transport) -> None:
    """Throw away bytes already waiting, so a stale byte is not taken for the next answer."""
    for _ in range(64):
        if not transport.read(256, 0.0):
            return


class Connection:
    """A transport opened on first use and dropped after a failure.

    The next use reopens it, so a cable pulled and plugged back in recovers by itself.
    """

    def __init__(self, url: str, *, timeout: float, settings: SerialSettings | None = None):
        self.url, self.timeout, self.settings = url, timeout, settings
        self._transport: Transport | None = None

    def get(self) -> Transport:
        """The open transport (opening it now if needed)."""
        if self._transport is None:
            self._transport = open_transport(self.url, timeout=self.timeout, settings=self.settings)
        return self._transport

    def drop(self) -> None:
        """Close the transport; the next `get` opens a new one."""
        transport, self._transport = self._transport, None
        if transport is not None:
            transport.close()
