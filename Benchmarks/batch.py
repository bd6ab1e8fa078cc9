#!/usr/bin/env python3
"""W4, many short files, and W4-long: `make bench BENCH_ARGS="--batch"`, or `python3 Benchmarks/batch.py`.

W4: N stereo clips of 2 s (48 kHz float WAV, seeded noise) through one stereo kernel of 65,536 taps, in
alternating rounds so the tools share the machine's ups and downs:
  batch    one `firpipe batch IN OUT -k K` (a fresh output directory each round, so nothing is skipped)
  loop     `firpipe process` once per file in a shell loop, as a new user would write it
  ffmpeg   ffmpeg afir once per file in a shell loop, made a true full convolution as PEERS.md says
  sox      SoX fir once per file in a shell loop, one chain per channel merged by `sox -M` (PEERS.md)
  scipy    one Python process for every file, scipy.signal.oaconvolve in float32 (scipy_batch.py)
Per-file figures are the round's wall time over N (median of the rounds). The loops can be timed on the
first M files only (--loop-files M) when N is large: their per-file cost does not depend on N.
Then: batch's CPU against the engine's lower bound (`firpipe bench` on one clip's length, one thread:
the FFTs and multiply-adds alone, with the plan `process` picks) plus reading and writing the files (a batch through a one-tap kernel); and batch's peak RSS
on N and on 10 N files (--rss-files): with a bounded number of files in flight it must not grow.
Outputs of one batch round are compared with the loop's `process` outputs (byte for byte).

W4-long (--long): ten stereo files of --long-minutes (20) through the same kernel: one batch against
ten `firpipe process` runs one after another, and batch's CPU against the engine's bound plus I/O.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys

import numpy as np
import scipy.io.wavfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import measure  # noqa: E402

REPO = os.path.dirname(HERE)
RATE = 48000
TAPS = 65536


def make_clips(directory, count, seconds=2.0, prefix="clip", seed=4):
    """count stereo float clips named PREFIX-NNNN.wav, reused while present."""
    os.makedirs(directory, exist_ok=True)
    frames = int(seconds * RATE)
    for i in range(count):
        path = os.path.join(directory, f"{prefix}-{i:04d}.wav")
        if os.path.exists(path):
            continue
        rng = np.random.default_rng([seed, i])
        x = (rng.standard_normal((frames, 2)) * 0.1).astype(np.float32)
        scipy.io.wavfile.write(path + ".tmp", RATE, x)
        os.replace(path + ".tmp", path)
    return sorted(os.path.join(directory, n) for n in os.listdir(directory)
                  if n.startswith(prefix) and n.endswith(".wav"))[:count]


def make_kernel(path):
    if not os.path.exists(path):
        rng = np.random.default_rng([4, 2])
        n = np.arange(TAPS)
        h = (10 ** (-60 / 20 * n / TAPS))[:, None] * rng.standard_normal((TAPS, 2)) * 0.01
        scipy.io.wavfile.write(path, RATE, h.astype(np.float32))
    return path


def kernel_texts(kernel):
    """The kernel's channels as SoX text kernels, one coefficient a line."""
    _, h = scipy.io.wavfile.read(kernel)
    paths = []
    for c in range(h.shape[1]):
        path = f"{kernel}.{c}.txt"
        if not os.path.exists(path):
            np.savetxt(path + ".tmp", h[:, c].astype(np.float64), fmt="%.9g")
            os.replace(path + ".tmp", path)
        paths.append(path)
    return paths


def subset(directory, clips):
    """A directory of symlinks to `clips`, made once."""
    if not os.path.isdir(directory) or len(os.listdir(directory)) != len(clips):
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory)
        for c in clips:
            os.symlink(c, os.path.join(directory, os.path.basename(c)))
    return directory


def shell_loop(lines):
    return ["sh", "-c", "set -e\n" + "\n".join(lines) + "\n"]


def fresh(directory):
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    return directory


class Tools:
    """The ways of filtering a list of files, each returning a measurement."""

    def __init__(self, fp, kernel, out):
        self.fp, self.kernel, self.out = fp, kernel, out
        self.env = dict(os.environ)

    def batch(self, in_dir, kernel=None):
        shutil.rmtree(self.out, ignore_errors=True)
        return measure.run([self.fp, "batch", in_dir, self.out, "-k", kernel or self.kernel, "-q"], env=self.env)

    def loop(self, clips):
        out = fresh(self.out + "-loop")
        return measure.run(shell_loop(
            [f'"{self.fp}" process "{c}" "{out}/{os.path.basename(c)}" -k "{self.kernel}" -q' for c in clips]),
            env=self.env)

    def ffmpeg(self, clips):
        out = fresh(self.out + "-ffmpeg")
        graph = (f"[0:a]apad=pad_len={TAPS - 1}[x];[x][1:a]afir=dry=1:wet=0.5:gtype=none:irgain=1:irfmt=input"
                 f":maxir=30:length=1:minp=32768:maxp=32768")
        return measure.run(shell_loop(
            [f'ffmpeg -nostdin -hide_banner -loglevel error -y -i "{c}" -i "{self.kernel}" -filter_complex "{graph}" '
             f'-c:a pcm_f32le "{out}/{os.path.basename(c)}"' for c in clips]), env=self.env)

    def sox(self, clips):
        out = fresh(self.out + "-sox")
        texts = kernel_texts(self.kernel)
        front = TAPS // 2 - 1
        back = TAPS - 1 - front
        lines = []
        for c in clips:
            chains = " ".join(f'"|sox {c} -p remix {i + 1} pad {front}s {back}s fir {t}"' for i, t in enumerate(texts))
            lines.append(f'sox -M {chains} -e floating-point -b 32 "{out}/{os.path.basename(c)}"')
        return measure.run(shell_loop(lines), env=self.env)

    def scipy(self, clips):
        out = fresh(self.out + "-scipy")
        return measure.run([sys.executable, os.path.join(HERE, "scipy_batch.py"), self.kernel, out, *clips],
                           env=self.env)


def engine_bound_seconds(fp, seconds_per_file, files):
    """The engine's lower bound for `files` stereo files of `seconds_per_file` through the kernel, on one
    thread, with the plan `process` picks for that length: `firpipe bench`'s FFTs and multiply-adds alone.
    Taken from its rate (M ch-samples/s) and engine/bound ratio, which keep more digits than its seconds."""
    text = subprocess.run([fp, "bench", "--taps", str(TAPS), "--channels", "2", "--seconds", f"{seconds_per_file:g}",
                           "--threads", "1"], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"([0-9.]+) M ch-samples/s", text).group(1)) * 1e6
    ratio = float(re.search(r"engine/bound ([0-9.]+)", text).group(1))
    engine = 2 * seconds_per_file * RATE / rate * files
    return engine / ratio, engine


def identity_kernel(root):
    """A one-tap text kernel: a batch through it is reading and writing the files, and little else."""
    path = os.path.join(root, "identity.txt")
    with open(path, "w") as f:
        f.write("1\n")
    return path


def cpu_line(label, tools, fp, in_dir, seconds_per_file, batch_cpu, count):
    bound, engine = engine_bound_seconds(fp, seconds_per_file, count)
    io = min(tools.batch(in_dir, identity_kernel(os.path.dirname(tools.out))).cpu for _ in range(2))
    floor = bound + io
    print(f"  {label}: batch CPU {batch_cpu / count * 1000:.1f} ms/file; engine lower bound {bound / count * 1000:.1f} "
          f"(engine alone {engine / count * 1000:.1f}) + reading and writing {io / count * 1000:.1f} "
          f"= {floor / count * 1000:.1f} ms/file; batch/bound {batch_cpu / floor:.2f} (target <= 1.5)")


def one_block_size(frames, taps):
    """CostModel.oneBlockSize: the least power of two times 1, 5 or 15 holding a clip and the kernel."""
    need = max(frames + taps, 2 * taps)
    sizes = []
    for factor in (1, 5, 15):
        size = 2 * factor
        while size < need:
            size *= 2
        sizes.append(size)
    return min(sizes)


def measure_clip_plan(tools, frames):
    """Measures the clips' one-block transform once into the cache the runs use, as the README advises
    before many short jobs (`firpipe wisdom --sizes N`): firpipe takes a size other than a power of two
    only when it has measured wisdom for it, and 163,840 is not among `firpipe wisdom`'s defaults."""
    size = one_block_size(frames, TAPS)
    subprocess.run([tools.fp, "wisdom", "--sizes", str(size)], env=tools.env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"  (the clips' one-block transform, {size:,} points, measured once by firpipe wisdom)")


def w4(args, tools, clips, root):
    n = len(clips)
    in_dir = subset(os.path.join(root, f"in-{n}"), clips)
    measure_clip_plan(tools, int(2.0 * RATE))
    timed = clips[: args.loop_files or n]
    m = len(timed)
    runs = {"batch": lambda: tools.batch(in_dir), "loop": lambda: tools.loop(timed)}
    for name in ("ffmpeg", "sox"):
        if shutil.which(name) and name not in args.skip:
            runs[name] = (lambda f: lambda: f(timed))(getattr(tools, name))
    if "scipy" not in args.skip:
        runs["scipy"] = lambda: tools.scipy(clips)
    per_file = {"batch": n, "loop": m, "ffmpeg": m, "sox": m, "scipy": n}
    results = {name: [] for name in runs}
    for r in range(args.rounds + 1):
        for name, run in runs.items():
            got = run()
            if got.returncode != 0:
                sys.exit(f"batch.py: {name} failed (exit {got.returncode})")
            if r > 0 or args.rounds == 0:
                results[name].append(got)
    same = all(
        open(os.path.join(tools.out, os.path.basename(c)), "rb").read()
        == open(os.path.join(tools.out + "-loop", os.path.basename(c)), "rb").read() for c in timed)
    loops = f", loops timed on the first {m}" if m != n else ""
    print(f"W4: {n} stereo clips of 2 s, {TAPS:,}-tap stereo kernel, {max(args.rounds, 1)} round(s)"
          f"{' after a warm-up' if args.rounds else ''}{loops}, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.1f}")
    base = statistics.median(x.wall for x in results["batch"]) / n
    for name, ms in results.items():
        k = per_file[name]
        per = statistics.median(x.wall for x in ms) / k
        cpu = statistics.median(x.cpu for x in ms) / k
        rss = max(x.max_rss_kib for x in ms) / 1024
        print(f"  {name:<7} {per * 1000:7.1f} ms/file wall, {cpu * 1000:7.1f} ms/file CPU, "
              f"peak RSS {rss:6.1f} MiB, {per / base:5.1f}x batch")
    print(f"  batch outputs identical to the process loop's: {'yes' if same else 'NO'}")
    cpu_line("engine bound", tools, args.firpipe, in_dir, 2.0,
             statistics.median(x.cpu for x in results["batch"]), n)


def rss(args, tools, clips, root):
    for count in args.rss_files:
        in_dir = subset(os.path.join(root, f"in-{count}"), clips[:count])
        got = tools.batch(in_dir)
        print(f"  batch peak RSS on {count} files: {got.max_rss_kib / 1024:.1f} MiB "
              f"({got.wall / count * 1000:.1f} ms/file wall, {got.cpu / count * 1000:.1f} ms/file CPU)")


def w4_long(args, tools, root):
    minutes = args.long_minutes
    files = make_clips(os.path.join(root, f"long-{minutes:g}min"), args.long_count, seconds=60 * minutes,
                       prefix="long", seed=5)
    in_dir = os.path.dirname(files[0])
    # Alternating, loop first, so neither always meets a cold page cache or the other's wisdom; each
    # figure is the least disturbed of its rounds (a 20-minute run here varied by 50 % with the load).
    batches, loops = [], []
    for _ in range(args.long_rounds):
        loops.append(tools.loop(files))
        batches.append(tools.batch(in_dir))
    if any(m.returncode for m in batches + loops):
        sys.exit("batch.py: W4-long failed")
    batch = min(batches, key=lambda m: m.wall)
    loop = min(loops, key=lambda m: m.wall)
    print(f"W4-long: {len(files)} stereo files of {minutes:g} min, {TAPS:,}-tap kernel, best of "
          f"{args.long_rounds} alternating rounds, load {os.getloadavg()[0]:.1f}")
    for name, m, ms in (("batch", batch, batches), ("process one after another", loop, loops)):
        walls = ", ".join(f"{x.wall:.1f}" for x in ms)
        print(f"  {name:<26} {m.wall:7.1f} s wall, {m.cpu:7.1f} s CPU, peak RSS {m.max_rss_kib / 1024:6.1f} MiB "
              f"(rounds: {walls} s)")
    print(f"  batch/process wall {batch.wall / loop.wall:.2f} (target <= 1)")
    cpu_line("engine bound", tools, args.firpipe, in_dir, 60 * minutes, batch.cpu, len(files))
    shutil.rmtree(tools.out, ignore_errors=True)
    shutil.rmtree(tools.out + "-loop", ignore_errors=True)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--files", type=int, default=40, help="W4's clips (the issue's scale: 2000)")
    p.add_argument("--loop-files", type=int, default=0, help="time the loops on the first M clips only")
    p.add_argument("--rounds", type=int, default=3, help="after a warm-up; 0: one round, no warm-up")
    p.add_argument("--rss-files", type=int, nargs="*", default=None, help="batch's peak RSS at these counts")
    p.add_argument("--skip", nargs="*", default=[], help="tools to leave out: ffmpeg sox scipy")
    p.add_argument("--long", action="store_true", help="W4-long too")
    p.add_argument("--long-only", action="store_true", help="W4-long alone")
    p.add_argument("--long-minutes", type=float, default=20)
    p.add_argument("--long-count", type=int, default=10)
    p.add_argument("--long-rounds", type=int, default=2)
    p.add_argument("--firpipe", default=os.path.join(REPO, ".build", "release", "firpipe"))
    p.add_argument("--bench-dir", default=os.environ.get("BENCH_DIR", "/tmp/firpipe-bench"))
    args = p.parse_args(argv)
    measure.become_subreaper()
    root = os.path.join(args.bench_dir, "W4")
    os.makedirs(root, exist_ok=True)  # a first run with --long-only makes the kernel before any clip
    if args.rss_files is None:
        args.rss_files = [args.files, 10 * args.files]
    rss_files = args.rss_files
    tools = Tools(args.firpipe, make_kernel(os.path.join(root, "kernel.wav")), os.path.join(root, "out"))
    if not args.long_only:
        clips = make_clips(os.path.join(root, "in"), max([args.files] + rss_files))
        w4(args, tools, clips[: args.files], root)
        rss(args, tools, clips, root)
    if args.long or args.long_only:
        w4_long(args, tools, root)
    for suffix in ("", "-loop", "-ffmpeg", "-sox", "-scipy"):
        shutil.rmtree(tools.out + suffix, ignore_errors=True)


if __name__ == "__main__":
    main()
