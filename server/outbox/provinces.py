"""Importing this registers every provincial 好差评 adapter with the outbox's formats."""

from server.outbox import province_form, province_generic, province_json

ADAPTERS = (province_generic.NAME, province_form.NAME, province_json.NAME)
