#!/usr/bin/env python3
"""W4-small, many short files: `make bench BENCH_ARGS="--batch"`, or `python3 Benchmarks/batch.py`.

N stereo clips of 2 s (48 kHz float WAV, seeded noise) through one stereo kernel of 65,536 taps, three
ways, in alternating rounds so they share the machine's ups and downs:
  batch    one `firpipe batch IN OUT -k K` (a fresh output directory each round, so nothing is skipped)
  loop     `firpipe process` once per file in a shell loop, as a new user would write it
  ffmpeg   ffmpeg afir once per file in a shell loop, made a true full convolution as PEERS.md says
Per-file figures are the round's wall time over N (median of the rounds). Then the peak RSS of
`firpipe batch` on N and on 10 N files: with a bounded number of files in flight it must not grow.
Outputs of one batch round are checked byte for byte against the loop's `process` outputs.
"""

import argparse
import os
import shutil
import statistics
import sys

import numpy as np
import scipy.io.wavfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import measure  # noqa: E402

REPO = os.path.dirname(HERE)
RATE = 48000
TAPS = 65536


def make_clips(directory, count, seconds=2.0):
    """count stereo float clips named clip-NNNN.wav, reused while present."""
    os.makedirs(directory, exist_ok=True)
    frames = int(seconds * RATE)
    for i in range(count):
        path = os.path.join(directory, f"clip-{i:04d}.wav")
        if os.path.exists(path):
            continue
        rng = np.random.default_rng([4, i])
        x = (rng.standard_normal((frames, 2)) * 0.1).astype(np.float32)
        scipy.io.wavfile.write(path + ".tmp", RATE, x)
        os.replace(path + ".tmp", path)
    return sorted(os.path.join(directory, n) for n in os.listdir(directory) if n.endswith(".wav"))[:count]


def make_kernel(path):
    if not os.path.exists(path):
        rng = np.random.default_rng([4, 2])
        n = np.arange(TAPS)
        h = (10 ** (-60 / 20 * n / TAPS))[:, None] * rng.standard_normal((TAPS, 2)) * 0.01
        scipy.io.wavfile.write(path, RATE, h.astype(np.float32))
    return path


def loop_script(lines):
    return "set -e\n" + "\n".join(lines) + "\n"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--files", type=int, default=40)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--firpipe", default=os.path.join(REPO, ".build", "release", "firpipe"))
    p.add_argument("--bench-dir", default=os.environ.get("BENCH_DIR", "/tmp/firpipe-bench"))
    args = p.parse_args(argv)
    measure.become_subreaper()
    root = os.path.join(args.bench_dir, "W4")
    clips = make_clips(os.path.join(root, "in"), 10 * args.files)
    small = os.path.join(root, f"in-{args.files}")
    if not os.path.isdir(small) or len(os.listdir(small)) != args.files:
        shutil.rmtree(small, ignore_errors=True)
        os.makedirs(small)
        for c in clips[: args.files]:
            os.symlink(c, os.path.join(small, os.path.basename(c)))
    kernel = make_kernel(os.path.join(root, "kernel.wav"))
    fp = args.firpipe
    env = dict(os.environ)
    out = os.path.join(root, "out")

    def batch(in_dir):
        shutil.rmtree(out, ignore_errors=True)
        return measure.run([fp, "batch", in_dir, out, "-k", kernel, "-q"], env=env)

    def loop():
        shutil.rmtree(out + "-loop", ignore_errors=True)
        os.makedirs(out + "-loop")
        lines = [f'"{fp}" process "{c}" "{out}-loop/{os.path.basename(c)}" -k "{kernel}" -q' for c in clips[: args.files]]
        return measure.run(["sh", "-c", loop_script(lines)], env=env)

    def ffmpeg():
        os.makedirs(out + "-ffmpeg", exist_ok=True)
        graph = (f"[0:a]apad=pad_len={TAPS - 1}[x];[x][1:a]afir=dry=1:wet=0.5:gtype=none:irgain=1:irfmt=input"
                 f":maxir=30:length=1:minp=32768:maxp=32768")
        lines = [f'ffmpeg -nostdin -hide_banner -loglevel error -y -i "{c}" -i "{kernel}" -filter_complex "{graph}" '
                 f'-c:a pcm_f32le "{out}-ffmpeg/{os.path.basename(c)}"' for c in clips[: args.files]]
        return measure.run(["sh", "-c", loop_script(lines)], env=env)

    tools = {"batch": lambda: batch(small), "loop": loop}
    if shutil.which("ffmpeg"):
        tools["ffmpeg"] = ffmpeg
    runs = {name: [] for name in tools}
    for r in range(args.rounds + 1):
        for name, run in tools.items():
            m = run()
            if m.returncode != 0:
                sys.exit(f"batch.py: {name} failed (exit {m.returncode})")
            if r > 0:
                runs[name].append(m)
    same = all(
        open(os.path.join(out, n), "rb").read() == open(os.path.join(out + "-loop", n), "rb").read()
        for n in sorted(os.listdir(out + "-loop")))
    n = args.files
    print(f"W4-small: {n} stereo clips of 2 s, {TAPS:,}-tap stereo kernel, {args.rounds} rounds after a warm-up, "
          f"{os.cpu_count()} cores")
    base = statistics.median(m.wall for m in runs["batch"]) / n
    for name, ms in runs.items():
        per = statistics.median(m.wall for m in ms) / n
        cpu = statistics.median(m.cpu for m in ms) / n
        rss = max(m.max_rss_kib for m in ms) / 1024
        print(f"  {name:<7} {per * 1000:7.1f} ms/file wall, {cpu * 1000:7.1f} ms/file CPU, "
              f"peak RSS {rss:6.1f} MiB, {per / base:5.1f}x batch")
    print(f"  batch outputs identical to the process loop's: {'yes' if same else 'NO'}")
    big = os.path.join(root, "in")
    for label, directory, count in (("N", small, n), ("10N", big, 10 * n)):
        m = batch(directory)
        print(f"  batch peak RSS on {count} files: {m.max_rss_kib / 1024:.1f} MiB "
              f"({m.wall / count * 1000:.1f} ms/file)")
    shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
