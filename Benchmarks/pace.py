#!/usr/bin/env python3
"""The soak test's source (soak.sh): seeded noise as raw f32le, written in real time.

`pace.py --seconds S [--rate R] [--channels C] [--seed N] [--chunk-ms M] [--report FILE]
[--hold-until PATH] > OUT`

Writes exactly S x R frames of interleaved little-endian float32 to stdout: Gaussian noise at the
benchmark workloads' level (INPUT_RMS, workloads.py), one seeded stream for all channels. Chunk k (of
M ms) goes out when the monotonic clock reaches start + k x M ms, so the rate is exact over any length:
a chunk that is late (a write blocked because the consumer fell behind, or the scheduler was slow)
is followed at once by the next, with no sleep, until the stream is back on time. It never writes ahead
of time, so the consumer can be at most one chunk ahead of real time.

After the last chunk it writes one JSON line (to --report, or stderr): frames and bytes written, wall
seconds, and how late the stream ran at worst (`max_late_s`: the largest delay of a chunk behind its due
time). With --hold-until PATH it then keeps the stream open until PATH exists, so that whoever watches
the consumer can take a last look before the end of input makes it drain and exit.
"""

import argparse
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from workloads import INPUT_RMS  # noqa: E402

# Noise is drawn this many chunks at a time, so numpy's per-call cost stays out of the pacing loop.
CHUNKS_PER_DRAW = 100


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, required=True, help="stream length in seconds of audio")
    p.add_argument("--rate", type=int, default=48000, help="frames per second (default 48000)")
    p.add_argument("--channels", type=int, default=2, help="interleaved channels (default 2)")
    p.add_argument("--seed", type=int, default=2001, help="noise seed (default 2001)")
    p.add_argument("--chunk-ms", type=float, default=10.0, help="pacing granularity (default 10 ms)")
    p.add_argument("--report", help="write the closing JSON line here instead of to stderr")
    p.add_argument("--hold-until", metavar="PATH",
                   help="after the last chunk, keep the stream open until PATH exists")
    return p.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    total = int(round(args.seconds * args.rate))
    chunk = max(1, int(round(args.rate * args.chunk_ms / 1000)))
    rng = np.random.default_rng([args.seed, 3])
    out = sys.stdout.fileno()  # unbuffered: each chunk is written at its due time
    written, max_late, batch, offset = 0, 0.0, b"", 0
    start = time.monotonic()
    try:
        while written < total:
            if offset == len(batch):
                frames = min(chunk * CHUNKS_PER_DRAW, total - written)
                noise = rng.standard_normal((frames, args.channels), dtype=np.float32) * np.float32(INPUT_RMS)
                batch, offset = np.clip(noise, -1.0, 1.0).astype("<f4").tobytes(), 0
            due = start + written / args.rate
            now = time.monotonic()
            if now < due:
                time.sleep(due - now)
            else:
                max_late = max(max_late, now - due)
            n = min(chunk, total - written) * args.channels * 4
            view = memoryview(batch)[offset:offset + n]
            while view:
                view = view[os.write(out, view):]
            offset += n
            written += n // (args.channels * 4)
    except BrokenPipeError:
        sys.stderr.write(f"pace.py: the consumer closed the stream after {written} frames\n")
        report(args, written, start, max_late)
        return 1
    # The last chunk lasts its length too: the stream ends when its audio does.
    time.sleep(max(0.0, start + total / args.rate - time.monotonic()))
    report(args, written, start, max_late)
    while args.hold_until and not os.path.exists(args.hold_until):
        time.sleep(0.05)
    return 0


def report(args, written, start, max_late):
    line = json.dumps({"frames": written, "bytes": written * args.channels * 4,
                       "wall_s": round(time.monotonic() - start, 3), "max_late_s": round(max_late, 4)}) + "\n"
    if args.report:
        with open(args.report, "w") as f:
            f.write(line)
    else:
        sys.stderr.write(line)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
