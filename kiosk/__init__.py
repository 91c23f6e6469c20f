"""Kiosk (自助取号机) app."""
