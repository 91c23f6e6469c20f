"""YiChuang server: queues, tickets, calls and live events behind the v1 API."""
