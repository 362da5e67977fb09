"""ActivityPub federation: signatures, fetching, inbox and delivery."""
