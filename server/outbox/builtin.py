"""Imports every format module, so that each registers itself (add one line per format)."""

from server.outbox import (
    cloudevents,  # noqa: F401
    provinces,  # noqa: F401  (the provincial 好差评 adapters)
    sms,  # noqa: F401  (the SMS gateway of the citizen's alerts)
)
