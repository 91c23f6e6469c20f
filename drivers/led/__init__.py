"""LED window signs (窗口屏): pure codecs per protocol family, one bus owner per port."""

from drivers.led.bus import Bus, BusJob, SignHealth
from drivers.led.codec import FrameDecoder, SignCodec, SignFrame
from drivers.led.cpower import CPowerCodec
from drivers.led.onbon import OnbonCodec
from drivers.led.sign import WindowSign, call_lines, codec_for, open_sign
from drivers.led.strip import StripCodec

__all__ = [
    "Bus",
    "BusJob",
    "CPowerCodec",
    "FrameDecoder",
    "OnbonCodec",
    "SignCodec",
    "SignFrame",
    "SignHealth",
    "StripCodec",
    "WindowSign",
    "call_lines",
    "codec_for",
    "open_sign",
]
