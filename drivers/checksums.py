"""Checksums used by the device protocols (pure functions, verified against published frames)."""

from __future__ import annotations


def _crc16_reflected(data: bytes, init: int) -> int:
    """CRC-16 with the reflected polynomial 0xA001 (0x8005 reversed)."""
    crc = init
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def crc16_arc(data: bytes) -> int:
    """CRC-16/ARC (init 0): Onbon BX-5/6 frames (published ping frame ends 68 F8)."""
    return _crc16_reflected(data, 0x0000)


def crc16_modbus(data: bytes) -> int:
    """CRC-16/MODBUS (init 0xFFFF): our YC-485 frames for evaluators and keypads."""
    return _crc16_reflected(data, 0xFFFF)


def sum16(data: bytes) -> int:
    """16-bit byte sum: C-Power packets ("0xFFFA + 0x09 = 0x0003")."""
    return sum(data) & 0xFFFF


def xor8(data: bytes | bytearray) -> int:
    """XOR of all bytes: GA 467 ID-card reader frames, the plain strip."""
    out = 0
    for byte in data:
        out ^= byte
    return out
