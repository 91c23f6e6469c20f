"""Device errors: one base class, each with a Chinese message for the people at the kiosk."""

from __future__ import annotations


class DeviceError(Exception):
    """A device failed; `.message` says what happened in Chinese, `.detail` is for the log."""

    default_message = "设备故障"

    def __init__(self, message: str | None = None, *, detail: str = "") -> None:
        self.message = message or self.default_message
        self.detail = detail
        super().__init__(f"{self.message}（{detail}）" if detail else self.message)


class DeviceOffline(DeviceError):
    """The device does not answer or reports itself offline."""

    default_message = "设备离线或无应答"


class PaperOut(DeviceError):
    """The printer has no paper."""

    default_message = "打印机缺纸，请联系工作人员更换纸卷"


class CoverOpen(DeviceError):
    """The printer cover is open."""

    default_message = "打印机上盖未合上"


class ProtocolError(DeviceError):
    """Bytes from the device do not follow its protocol (bad checksum, garbage, wrong length)."""

    default_message = "设备通讯数据错误"


class DeviceNotFound(DeviceError):
    """The device path or URL does not exist or cannot be opened."""

    default_message = "找不到设备"
