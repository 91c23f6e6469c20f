"""Clerk pad (叫号 pad) app."""
