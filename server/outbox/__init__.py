"""Delivery of the hall's events to systems outside the hall (webhooks，好差评 platforms, SMS)."""
