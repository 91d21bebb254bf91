#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""delayline.py — the propagation delay of an emulated link, for
tests/lib/netns.sh: this kernel has no netem qdisc, so the delay is a
userspace hop. It attaches to an existing TUN device (made with
'ip tuntap add dev NAME mode tun', up), reads every IP packet the kernel
routes into it, and writes each back into the same device DELAY seconds
later, in arrival order; the kernel then routes it on (netns.sh's policy
routing sends packets that come in on the TUN device straight to their
destination, so each packet crosses the hop once). Packets are not
changed, reordered or dropped here: end-to-end TCP keeps its own
connection and sees the whole round trip, the rate cap (tc tbf) and the
loss (nft) — unlike a TCP relay, which would split the connection and
recover losses on short legs. Prints "ready" when attached; stops on
SIGTERM.

  delayline.py --dev dl0 --delay 0.3
"""
import argparse
import collections
import fcntl
import os
import select
import signal
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dev", required=True, help="the TUN device")
    ap.add_argument("--delay", type=float, required=True,
                    help="seconds each packet is held (one way)")
    args = ap.parse_args()
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF,
                struct.pack("16sH", args.dev.encode(), IFF_TUN | IFF_NO_PI))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("ready", flush=True)
    held = collections.deque()  # (due, packet), due times increasing
    while True:
        timeout = None
        if held:
            timeout = max(0.0, held[0][0] - time.monotonic())
        ready, _, _ = select.select([fd], [], [], timeout)
        if ready:
            while True:
                try:
                    pkt = os.read(fd, 65536)
                except BlockingIOError:
                    break
                held.append((time.monotonic() + args.delay, pkt))
        now = time.monotonic()
        while held and held[0][0] <= now:
            try:
                os.write(fd, held.popleft()[1])
            except OSError:
                pass  # a packet the kernel will not take is a lost packet


if __name__ == "__main__":
    main()
