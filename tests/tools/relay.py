#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""relay.py — a poor link between an agent and a hub, on loopback, with no
root: a TCP relay that forwards each connection to the target through a
rate cap (bytes per second each way), a one-way delay, and cuts: after
every --cut-every bytes it has carried (both ways, all connections), it
resets the connection that carried the last byte. Prints "listening PORT"
when ready. Stops on SIGTERM.

  relay.py --target 127.0.0.1:8443 [--listen 0] [--rate 8000]
           [--delay 0.3] [--cut-every 240000] [--log FILE]
"""
import argparse
import asyncio
import signal
import socket
import struct
import sys
import time


class Link:
    def __init__(self, args):
        self.args = args
        self.carried = 0
        self.next_cut = args.cut_every or 0
        self.cuts = 0
        self.log = open(args.log, "a") if args.log else None

    def note(self, msg):
        if self.log:
            self.log.write("%.3f %s\n" % (time.monotonic(), msg))
            self.log.flush()


async def pump(link, reader, writer, peer_writer, tag):
    """Read from reader, deliver to peer_writer after the delay, at the
    rate; cut both sockets when the link's cut point is passed."""
    rate = link.args.rate
    delay = link.args.delay
    queue = asyncio.Queue()

    async def deliver():
        while True:
            item = await queue.get()
            if item is None:
                break
            due, data = item
            now = time.monotonic()
            if due > now:
                await asyncio.sleep(due - now)
            peer_writer.write(data)
            await peer_writer.drain()
        try:
            peer_writer.write_eof()
        except (OSError, RuntimeError):
            pass

    task = asyncio.ensure_future(deliver())
    sent_until = time.monotonic()
    try:
        while True:
            data = await reader.read(1024)
            if not data:
                break
            if rate:
                # serialise at the rate: this chunk leaves when the last
                # one has, plus its own transmission time
                start = max(time.monotonic(), sent_until)
                sent_until = start + len(data) / rate
                await asyncio.sleep(max(0, sent_until - time.monotonic()))
            link.carried += len(data)
            queue.put_nowait((time.monotonic() + delay, data))
            if link.next_cut and link.carried >= link.next_cut:
                link.next_cut += link.args.cut_every
                link.cuts += 1
                link.note("cut %d after %d bytes (%s)" %
                          (link.cuts, link.carried, tag))
                raise ConnectionResetError("cut")
    except (ConnectionResetError, OSError, asyncio.CancelledError):
        for w in (writer, peer_writer):
            try:
                sock = w.get_extra_info("socket")
                if sock is not None:
                    # RST, not FIN: a cut, not a close
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                    struct.pack("ii", 1, 0))
                w.close()
            except OSError:
                pass
        task.cancel()
        try:
            await task
        except (asyncio.CancelledError, OSError):
            pass
        return
    queue.put_nowait(None)
    try:
        await task
    except (asyncio.CancelledError, OSError):
        pass


async def handle(link, reader, writer):
    host, port = link.args.target.rsplit(":", 1)
    try:
        up_reader, up_writer = await asyncio.open_connection(host, int(port))
    except OSError:
        writer.close()
        return
    link.note("connection")
    await asyncio.gather(
        pump(link, reader, writer, up_writer, "up"),
        pump(link, up_reader, up_writer, writer, "down"),
        return_exceptions=True)
    for w in (writer, up_writer):
        try:
            w.close()
        except OSError:
            pass


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", required=True)
    ap.add_argument("--listen", type=int, default=0)
    ap.add_argument("--rate", type=float, default=0,
                    help="bytes per second each way (0: no cap)")
    ap.add_argument("--delay", type=float, default=0,
                    help="one-way delay, seconds")
    ap.add_argument("--cut-every", type=int, default=0,
                    help="reset a connection every N bytes carried")
    ap.add_argument("--log")
    args = ap.parse_args()
    link = Link(args)
    server = await asyncio.start_server(
        lambda r, w: handle(link, r, w), "127.0.0.1", args.listen)
    print("listening %d" % server.sockets[0].getsockname()[1], flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # a cut connection's leftovers are expected, not worth a traceback
    loop.set_exception_handler(lambda loop, context: None)
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
