"""Key pairs generated once per test session: RSA generation is too slow to repeat per test."""

from __future__ import annotations

from commonsnode.keys import KeyPair, generate_ed25519, generate_rsa

TEST_KEYS: tuple[KeyPair, KeyPair] = (generate_rsa(), generate_ed25519())
OTHER_KEYS: tuple[KeyPair, KeyPair] = (generate_rsa(), generate_ed25519())
