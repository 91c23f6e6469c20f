"""Hall displays: TV screen, LED bridge and announcer."""
