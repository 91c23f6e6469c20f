"""Standalone hardware library: printers, LED signs, voice, evaluators, ID readers, keypads."""
