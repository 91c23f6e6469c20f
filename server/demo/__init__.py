"""The demo: its companion apps, a live simulated hall and weeks of synthetic history."""
