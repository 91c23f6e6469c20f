"""Static pages served by the server: /screen, /pad, /t/{id}, /admin."""
