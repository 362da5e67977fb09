"""Outgoing delivery: fan-out to inboxes, sending, the retry policy and per-host state."""
