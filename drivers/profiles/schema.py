"""What a firmware profile holds, per device kind, and how each section is read and bounded."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar

from drivers.profiles.reader import ProfileError, Table
from drivers.transport import SerialSettings

S = TypeVar("S")

# Folder under firmware_profiles/ -> device kind.
KINDS: dict[str, str] = {
    "printers": "printer",
    "led": "led",
    "evaluators": "evaluator",
    "idcard": "idcard",
    "keypads": "keypad",
}

# Capabilities a profile may declare in [features]; code asks profile.supports(name).
FEATURES: dict[str, tuple[str, ...]] = {
    "printer": ("cutter_full", "cutter_partial", "qr_native", "status", "paper_near_end_sensor"),
    "led": ("ack", "colour"),
    "evaluator": ("screen", "polled"),
    "idcard": ("photo",),
    "keypad": ("digits", "polled", "screen"),
}

STATUS_FLAGS = ("offline", "cover_open", "paper_out", "paper_low", "cutter_error", "error")
KEY_ACTIONS = ("next", "recall", "pause", "resume", "transfer", "evaluate", "no_show", "finish")


@dataclass(frozen=True)
class TransportSpec:
    """Default line settings and timeouts for the device."""

    baudrate: int = 9600
    bytesize: int = 8
    parity: str = "N"
    stopbits: int = 1
    flow: str = "none"
    tcp_port: int = 9100
    timeout_ms: int = 1000

    def serial_settings(self) -> SerialSettings:
        """The pyserial settings these defaults describe."""
        return SerialSettings(
            baudrate=self.baudrate,
            bytesize=self.bytesize,
            parity=self.parity,
            stopbits=self.stopbits,
            rtscts=self.flow == "rtscts",
            xonxoff=self.flow == "xonxoff",
            dsrdtr=self.flow == "dsrdtr",
        )


@dataclass(frozen=True)
class StatusQuery:
    """One status request and the meaning of the bits of its one-byte reply.

    `realtime` is False for a command the printer answers only after the jobs already in its
    buffer (GS r), so its reply may come late or, while stopped, not at all.
    """

    name: str
    command: bytes
    valid_mask: int
    valid_value: int
    flags: Mapping[str, int]
    realtime: bool = True

    def is_valid(self, reply: int) -> bool:
        """Fixed bits of the reply are as the manual says (else it is noise, not a status)."""
        return reply & self.valid_mask == self.valid_value


@dataclass(frozen=True)
class PrinterSpec:
    """Paper, text encoding, layout and status of a receipt printer."""

    escpos_base: str
    paper_mm: int
    dpi: int
    dots: int
    columns: int
    encoding: str
    max_bytes_per_char: int
    init: bytes
    chinese_mode: bytes
    number_width: int
    number_height: int
    title_height: int
    qr_module: int
    qr_image_box: int
    image_impl: str
    feed_before_cut: int
    status_timeout_ms: int
    status_queries: tuple[StatusQuery, ...]


@dataclass(frozen=True)
class SignSpec:
    """Geometry, text and link parameters of an LED window sign."""

    protocol: str
    width_px: int
    height_px: int
    lines: int
    font_px: int
    columns: int
    encoding: str
    colour: str
    default_address: int
    ack_timeout_ms: int
    retries: int
    params: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SerialDeviceSpec:
    """Frame protocol and timing of an evaluator, ID-card reader or keypad."""

    protocol: str
    default_address: int
    reply_timeout_ms: int
    poll_interval_ms: int
    encoding: str
    keys: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Profile:
    """One device model: identity, citations, capabilities and the kind-specific section."""

    id: str
    kind: str
    vendor: str
    name: str
    notes: str
    file: Path
    inherits: tuple[str, ...]
    quirks: tuple[str, ...]
    features: Mapping[str, bool]
    transport: TransportSpec
    printer: PrinterSpec | None = None
    sign: SignSpec | None = None
    device: SerialDeviceSpec | None = None
    unverified: tuple[str, ...] = ()  # keys whose value no reference confirms

    def supports(self, feature: str) -> bool:
        """True when the profile declares the capability in [features]."""
        return self.features.get(feature, False)

    @property
    def printer_spec(self) -> PrinterSpec:
        """The printer section; a ProfileError when this is not a printer."""
        return self._section(self.printer, "a printer")

    @property
    def sign_spec(self) -> SignSpec:
        """The sign section; a ProfileError when this is not an LED sign."""
        return self._section(self.sign, "an LED sign")

    @property
    def device_spec(self) -> SerialDeviceSpec:
        """The frame section of an evaluator, ID-card reader or keypad."""
        return self._section(self.device, "an evaluator, ID reader or keypad")

    def _section(self, section: S | None, what: str) -> S:
        if section is None:
            raise ProfileError(str(self.file), "kind", f"{self.id} is a {self.kind}, not {what}")
        return section


def read_transport(t: Table) -> TransportSpec:
    """[transport]: line settings with bounds."""
    spec = TransportSpec(
        baudrate=t.integer("baudrate", 9600, lo=1200, hi=921600),
        bytesize=t.integer("bytesize", 8, lo=7, hi=8),
        parity=t.text("parity", "N", choices=("N", "E", "O")),
        stopbits=t.integer("stopbits", 1, lo=1, hi=2),
        flow=t.text("flow", "none", choices=("none", "rtscts", "xonxoff", "dsrdtr")),
        tcp_port=t.integer("tcp_port", 9100, lo=1, hi=65535),
        timeout_ms=t.integer("timeout_ms", 1000, lo=10, hi=10000),
    )
    t.done()
    return spec


def read_features(t: Table, kind: str) -> Mapping[str, bool]:
    """[features]: only the capability names known for this kind."""
    out = {name: t.flag(name, False) for name in FEATURES[kind]}
    t.done()
    return MappingProxyType(out)


def read_printer(top: Table) -> PrinterSpec:
    """escpos_base, [media], [text], [layout] and [status] of a printer profile."""
    media, text, layout = top.table("media", {}), top.table("text", {}), top.table("layout", {})
    status = top.table("status", {})
    spec = PrinterSpec(
        escpos_base=top.text("escpos_base", max_len=40),
        paper_mm=media.integer("paper_mm", lo=40, hi=120),
        dpi=media.integer("dpi", lo=150, hi=360),
        dots=media.integer("dots", lo=256, hi=832),
        columns=media.integer("columns", lo=24, hi=72),
        encoding=text.text("encoding", choices=("gb18030", "gbk")),
        max_bytes_per_char=text.integer("max_bytes_per_char", 2, lo=2, hi=4),
        init=text.hexbytes("init", "1B 40", max_len=8),
        chinese_mode=text.hexbytes("chinese_mode", "1C 26", max_len=8),
        number_width=layout.integer("number_width", lo=1, hi=8),
        number_height=layout.integer("number_height", lo=1, hi=8),
        title_height=layout.integer("title_height", 2, lo=1, hi=4),
        qr_module=layout.integer("qr_module", 6, lo=1, hi=16),
        qr_image_box=layout.integer("qr_image_box", 2, lo=1, hi=8),
        image_impl=layout.text(
            "image_impl", "bitImageRaster", choices=("bitImageRaster", "graphics", "bitImageColumn")
        ),
        feed_before_cut=layout.integer("feed_before_cut", 4, lo=0, hi=10),
        status_timeout_ms=status.integer("timeout_ms", 300, lo=10, hi=5000),
        status_queries=read_status_queries(status),
    )
    for t in (media, text, layout):
        t.done()
    return spec


def read_status_queries(t: Table) -> tuple[StatusQuery, ...]:
    """[status.<name>] tables: command, fixed-bit check and flag masks, in file order."""
    queries = []
    for name, q in t.subtables().items():
        query = StatusQuery(
            name=name,
            command=q.hexbytes("command", max_len=4),
            valid_mask=q.integer("valid_mask", lo=0, hi=255),
            valid_value=q.integer("valid_value", lo=0, hi=255),
            flags=MappingProxyType(
                {f: q.integer(f, 0, lo=0, hi=255) for f in STATUS_FLAGS if q.has(f)}
            ),
            realtime=q.flag("realtime", True),
        )
        q.done()
        if query.valid_value & ~query.valid_mask:
            raise q.error("valid_value", "sets bits outside valid_mask")
        for flag, mask in query.flags.items():
            if mask == 0 or mask & query.valid_mask:
                raise q.error(flag, "must be non-zero and must not overlap valid_mask")
        queries.append(query)
    t.done()
    return tuple(queries)


def read_sign(top: Table) -> SignSpec:
    """Protocol and [sign] of an LED sign profile, plus that protocol's own table."""
    protocol = top.text("protocol", choices=("cpower", "onbon_bx", "plain_strip"))
    s = top.table("sign")
    spec = SignSpec(
        protocol=protocol,
        width_px=s.integer("width_px", lo=16, hi=1024),
        height_px=s.integer("height_px", lo=8, hi=256),
        lines=s.integer("lines", lo=1, hi=4),
        font_px=s.integer("font_px", 16, lo=8, hi=64),
        columns=s.integer("columns", lo=4, hi=64),
        encoding=s.text("encoding", "gb2312", choices=("gb2312", "gbk")),
        colour=s.text("colour", "red", choices=("red", "green", "yellow")),
        default_address=s.integer("default_address", 1, lo=0, hi=255),
        ack_timeout_ms=s.integer("ack_timeout_ms", 300, lo=20, hi=5000),
        retries=s.integer("retries", 2, lo=0, hi=10),
        params=MappingProxyType(_read_protocol_params(top, protocol)),
    )
    s.done()
    return spec


SIXTH_GENERATION = 0xF0  # Onbon protocol version of the 6E/6Q cards' own framing

# Per protocol: its table name and (key, lo, hi, default) of each parameter.
_PROTOCOL_PARAMS: dict[str, tuple[str, tuple[tuple[str, int, int, int], ...]]] = {
    "cpower": (
        "cpower",
        (
            ("card_type", 0, 255, 0x32),
            ("window", 0, 7, 0),
            ("speed", 0, 100, 1),
            ("stay_s", 0, 65535, 10),
            ("id_code", 0, 0xFFFFFFFF, 0xFFFFFFFF),  # network packets only (§2.2)
        ),
    ),
    "onbon_bx": (
        "onbon",
        (
            ("device_type", 0, 255, 0xFE),
            ("protocol_version", 0, 255, 0x02),
            ("area_id", 0, 31, 0),
            ("display_mode", 0, 255, 0x01),  # 01: dynamic areas over stored programs
        ),
    ),
    "plain_strip": ("strip", ()),
}


def _read_protocol_params(top: Table, protocol: str) -> dict[str, int]:
    own, params = _PROTOCOL_PARAMS[protocol]
    for other, _ in _PROTOCOL_PARAMS.values():
        if other != own and top.has(other):
            raise top.error(other, f"is not a parameter table of protocol {protocol}")
    t = top.table(own, {})
    out = {key: t.integer(key, default, lo=lo, hi=hi) for key, lo, hi, default in params}
    if protocol == "onbon_bx" and out["protocol_version"] == SIXTH_GENERATION:
        # Onbon-Protocol-Analysis Form1.cs: version F0 marks the 6th-generation framing
        raise t.error("protocol_version", "0xF0 is the BX-6E/6Q framing, which is not supported")
    t.done()
    return out


def read_device(top: Table, kind: str) -> SerialDeviceSpec:
    """Protocol and [device] (and [keys] for keypads) of a small serial device."""
    protocols = {"evaluator": ("yc485",), "keypad": ("yc485",), "idcard": ("ga467",)}[kind]
    d = top.table("device")
    spec = SerialDeviceSpec(
        protocol=top.text("protocol", choices=protocols),
        default_address=d.integer("default_address", 1, lo=0, hi=255),
        reply_timeout_ms=d.integer("reply_timeout_ms", 200, lo=10, hi=5000),
        poll_interval_ms=d.integer("poll_interval_ms", 100, lo=10, hi=5000),
        encoding=d.text("encoding", "gb18030", choices=("gb18030", "gbk")),
        keys=MappingProxyType(_read_keys(top.table("keys", {})) if kind == "keypad" else {}),
    )
    d.done()
    return spec


def _read_keys(t: Table) -> dict[int, str]:
    """[keys]: "0x01" = "next" … key code (hex) to caller action."""
    out: dict[int, str] = {}
    for code in list(t.data):
        try:
            value = int(code, 16)
        except ValueError as exc:
            raise t.error(code, 'key codes are hex strings such as "0x01"') from exc
        if not 0 <= value <= 255:
            raise t.error(code, "key code must be between 0x00 and 0xFF")
        out[value] = t.text(code, choices=KEY_ACTIONS)
    t.done()
    return out
