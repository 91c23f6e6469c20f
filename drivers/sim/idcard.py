"""A simulated ID-card reader speaking GA 467 frames; a card is read once per placement."""

from __future__ import annotations

from drivers.idcard.ga467 import (
    FIND,
    FOUND,
    NO_CARD,
    OK,
    READ_BASE,
    SELECT,
    SELECT_FAILED,
    CardData,
    Ga467Decoder,
    encode_base_text,
    response,
)
from drivers.profiles import Profile
from drivers.sim.base import Simulator


class IdCardSimulator(Simulator):
    """Insert and remove cards; answers find, select and read like a SAM module."""

    kind = "idcard"

    def __init__(self, profile: Profile, name: str = "default") -> None:
        super().__init__(profile, name)
        self._decoder = Ga467Decoder(responses=False)
        self.card: CardData | None = None
        self._read_done = False

    def insert_card(self, name: str, id_number: str, **fields: str) -> None:
        """Place a card on the reader."""
        with self._lock:
            self.card = CardData(name=name, id_number=id_number, **fields)
            self._read_done = False

    def remove_card(self) -> None:
        """Take the card away."""
        with self._lock:
            self.card = None

    def handle(self, data: bytes) -> None:
        """Answer find / select / read base information."""
        for frame in self._decoder.feed(data):
            command = (frame.head[0], frame.head[1])
            present = self.card is not None and not self._read_done
            if command == FIND:
                self.reply(response(FOUND if present else NO_CARD))
            elif command == SELECT:
                self.reply(response(OK if present else SELECT_FAILED))
            elif command == READ_BASE and present and self.card is not None:
                text = encode_base_text(self.card)
                photo = bytes(1024)  # WLT data; only the vendor's library decodes it
                size = len(text).to_bytes(2, "big") + len(photo).to_bytes(2, "big")
                self.reply(response(OK, size + text + photo))
                self._read_done = True
            else:
                self.reply(response(NO_CARD))

    def corrupt(self, data: bytes) -> bytes:
        """The response with its XOR check byte wrong."""
        return data[:-1] + bytes((data[-1] ^ 0xFF,))
