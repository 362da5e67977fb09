"""The bare ceiling for bench/inbox.py: aiohttp + one cached-key RSA verify + JSON + sqlite3 insert.

No framework beyond aiohttp, no SQLAlchemy, no queue: what this machine can do at best.
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import sqlite3

from aiohttp import web
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

_SIGNATURE = re.compile(r'signature="([^"]+)"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--public-key", required=True)
    args = parser.parse_args()
    with open(args.public_key, "rb") as handle:
        key = serialization.load_pem_public_key(handle.read())
    db = sqlite3.connect(args.db, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE IF NOT EXISTS log (id TEXT PRIMARY KEY, body TEXT)")

    async def inbox(request: web.Request) -> web.Response:
        body = await request.read()
        header = request.headers.get("Signature", "")
        match = _SIGNATURE.search(header)
        if match is None:
            return web.Response(status=401)
        signing = "\n".join(
            [
                f"(request-target): post {request.path}",
                f"host: {request.headers['Host']}",
                f"date: {request.headers['Date']}",
                f"digest: {request.headers['Digest']}",
            ]
        )
        try:
            key.verify(  # type: ignore[union-attr, call-arg]
                base64.b64decode(match.group(1)),
                signing.encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except Exception:
            return web.Response(status=401)
        activity = json.loads(body)
        db.execute("INSERT OR IGNORE INTO log VALUES (?, ?)", (activity["id"], body.decode()))
        return web.Response(status=202)

    app = web.Application()
    app.router.add_post("/orgs/{handle}/inbox", inbox)
    web.run_app(
        app,
        host="127.0.0.3",
        port=args.port,
        access_log=None,
        print=lambda _message: print("ready", flush=True),
    )


if __name__ == "__main__":
    main()
