"""Receiving servers for bench/fanout.py: one aiohttp site per loopback address, counting POSTs."""

from __future__ import annotations

import argparse
import asyncio

from aiohttp import web


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hosts", type=int, default=200)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    received = 0

    async def inbox(request: web.Request) -> web.Response:
        nonlocal received
        await request.read()
        received += 1
        return web.Response(status=202)

    async def count(request: web.Request) -> web.Response:
        return web.json_response({"received": received})

    app = web.Application()
    app.router.add_post("/users/{name}/inbox", inbox)
    app.router.add_get("/count", count)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    for index in range(args.hosts):
        await web.TCPSite(runner, f"127.0.1.{index + 1}", args.port).start()
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
