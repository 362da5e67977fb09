"""The aiohttp application: pages, the JSON API and the ActivityPub endpoints."""
