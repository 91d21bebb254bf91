#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""trickle.py — slow clients (slowloris), for tests/cli/hub_slowloris.sh and
tests/long/soak.sh: from each of several loopback source addresses it keeps
PER connections open to a hub and sends them a byte every INTERVAL seconds,
so that an idle timeout never fires; a connection the hub closes is opened
again, until DURATION is over. What each connection trickles:

  idle   the bytes of a TLS ClientHello, one at a time (no handshake ends)
  tls    a TLS handshake, then a request's headers, one byte at a time
  body   a TLS handshake, the signed headers in --headers FILE (as forge
         request prints them) with Content-Length --length, then the body,
         one byte at a time

At the end it prints one line of figures:
  opened=N refused=N cut=N open_at_end=N longest_cut=S held_max=N
refused: closed by the hub within a second of opening (a per-address or
total limit); cut: closed later (a deadline); longest_cut: the longest a
connection lived before the hub cut it, seconds; held_max: the most
connections open at once from one address.

  trickle.py --target 127.0.0.1:PORT --from 127.0.0.2,127.0.0.3 --per 64
             [--mode idle|tls|body] [--interval 2] [--duration 30]
             [--headers FILE --length N --path /v1/push]
"""
import argparse
import asyncio
import ssl
import sys
import time

HELLO = bytes.fromhex("16030100c8010000c40303") + bytes(200)


class Stats:
    def __init__(self):
        self.opened = self.refused = self.cut = self.open_at_end = 0
        self.longest = 0.0
        self.alive = {}  # source address -> {connection: start}
        self.held_max = 0

    async def sample(self, stop):
        """held_max: connections older than a second, per address."""
        while time.monotonic() < stop:
            now = time.monotonic()
            for conns in self.alive.values():
                held = sum(1 for t in conns.values() if now - t > 1.0)
                self.held_max = max(self.held_max, held)
            await asyncio.sleep(0.5)


async def one(args, src, stats, stop):
    host, port = args.target.rsplit(":", 1)
    while time.monotonic() < stop:
        start = time.monotonic()
        ctx = None
        if args.mode != "idle":
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(host, int(port), ssl=ctx,
                                        local_addr=(src, 0)), 10)
        except (OSError, asyncio.TimeoutError, ssl.SSLError):
            stats.refused += 1
            await asyncio.sleep(0.5)
            continue
        stats.opened += 1
        me = object()
        stats.alive.setdefault(src, {})[me] = start
        if args.mode == "idle":
            data = HELLO
        elif args.mode == "tls":
            data = ("GET /v1/status HTTP/1.1\r\nHost: %s\r\n" %
                    args.target).encode() + b"X-Slow: " + b"a" * 4096
        else:
            with open(args.headers, "rb") as f:
                head = f.read().replace(b"\n", b"\r\n")
            writer.write(("POST %s HTTP/1.1\r\nHost: %s\r\n"
                          "Content-Length: %d\r\n" %
                          (args.path, args.target, args.length)).encode()
                         + head + b"\r\n")
            data = b"x" * args.length
        closed = asyncio.ensure_future(reader.read(65536))
        i = 0
        while time.monotonic() < stop and not closed.done():
            if i < len(data):
                try:
                    writer.write(data[i:i + 1])
                    await writer.drain()
                except (OSError, ssl.SSLError):
                    break
                i += 1
            try:
                await asyncio.wait_for(asyncio.shield(closed),
                                       args.interval)
            except asyncio.TimeoutError:
                pass
            except (OSError, ssl.SSLError):
                break
        life = time.monotonic() - start
        del stats.alive[src][me]
        if time.monotonic() >= stop and not closed.done():
            stats.open_at_end += 1
            closed.cancel()
            writer.close()
            return
        if life < 1.0:
            stats.refused += 1
        else:
            stats.cut += 1
            stats.longest = max(stats.longest, life)
        writer.close()
        await asyncio.sleep(0.2)


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--target", required=True)
    p.add_argument("--from", dest="sources", required=True)
    p.add_argument("--per", type=int, default=64)
    p.add_argument("--mode", choices=("idle", "tls", "body"), default="tls")
    p.add_argument("--interval", type=float, default=2.0)
    p.add_argument("--duration", type=float, default=30.0)
    p.add_argument("--headers")
    p.add_argument("--length", type=int, default=100000)
    p.add_argument("--path", default="/v1/push")
    args = p.parse_args()
    stats = Stats()
    stop = time.monotonic() + args.duration
    tasks = [one(args, src, stats, stop)
             for src in args.sources.split(",") for _ in range(args.per)]
    tasks.append(stats.sample(stop))
    await asyncio.gather(*tasks, return_exceptions=True)
    print("opened=%d refused=%d cut=%d open_at_end=%d longest_cut=%.1f "
          "held_max=%d" % (stats.opened, stats.refused, stats.cut,
                           stats.open_at_end, stats.longest,
                           stats.held_max), flush=True)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(1)
