#!/usr/bin/env python3
"""firpipe against its peers on long FIR filters: `make bench`, or `python3 Benchmarks/bench.py [options]`.

Not part of `make test`. `make bench` installs ffmpeg, SoX and BruteFIR (Debian) and numpy/scipy (pip)
when missing, builds firpipe in release mode, then runs this script; pass options with
`make bench BENCH_ARGS="--quick --tools firpipe,ffmpeg"`.

Workloads (workloads.py), 48 kHz, 32-bit float WAV, seeded Gaussian noise in, one decaying-noise kernel
channel per input channel, scaled so the output peaks near 0.5:
  W1  2 ch x 120 s, 65,536 taps
  W2  2 ch x 120 s, 1,048,576 taps
  W3  8 ch x 60 s, 16,384 taps
  W5  routing, two jobs on W1's input, 4 kernels of 65,536 taps each: W5-xover, a 2 -> 4 crossover
      (out0 = in0*h0, out1 = in0*h1, out2 = in1*h2, out3 = in1*h3), and W5-ts, true stereo
      (out0 = in0*hLL + in1*hRL, out1 = in0*hLR + in1*hRR); firpipe, ffmpeg and BruteFIR route, and
      firpipe also runs plain W1 in the same rounds, for the ratio of routed to plain time
They are generated once into the scratch directory ($BENCH_DIR, default /tmp/firpipe-bench) with every
form a tool reads (float WAV, raw float, text kernels, input padded for BruteFIR) and the float64
reference (scipy.signal.oaconvolve per path, full length, summed per output, reference.npy), and reused
while their stamp matches.

Tools (peers.py): firpipe with its default threads and with --threads 1, two --threads 1 jobs at once
(the yardstick for the speed-up: what two cores give right then), ffmpeg afir, BruteFIR file to
file, SoX fir and scipy oaconvolve in float32, each made to do a true full-length convolution as
shared/PEERS.md (beside the checkout) says. A tool that is not installed is skipped with a note.

Timing (measure.py): one warm-up round and then --runs timed rounds; each round runs every tool once on
every job of the workload (W5: both jobs and firpipe's W1), in turn, so the tools alternate run by run and
share the machine's ups and downs. Per run: wall time,
user + system CPU and peak RSS from wait4's rusage; the harness is a child subreaper, so workers a tool
forks and does not wait for (BruteFIR's) are reaped and counted too.

Checks (compare.py): the last timed run's output of each tool against the reference, as written, with
no correction: length, delay, least-squares gain, max error in dB relative to the reference peak.

Tables (report.py): one per workload; the `vs firpipe` column is tool wall / firpipe wall from this same
invocation (above 1: firpipe is faster), and two lines give firpipe's speed-up over --threads 1 and that speed-up
as a share of what two independent --threads 1 jobs got done side by side. After W5's tables, firpipe's
time on each job over its time on plain W1 in the same rounds (target for true stereo: at most 1.6) and
each peer's time over firpipe's (target: at least 3).

`--memory` instead measures firpipe's peak RSS on W1 and on W1 made 10x longer (20 minutes, ~920 MB of
input and output); the target is under 100 MiB for both.
"""

import argparse
import os
import platform
import shlex
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import compare  # noqa: E402
import measure  # noqa: E402
import peers  # noqa: E402
import report  # noqa: E402
import workloads  # noqa: E402

REPO = os.path.dirname(HERE)
MEMORY_TARGET_MIB = 100


def parse_args(argv):
    p = argparse.ArgumentParser(description="Benchmark firpipe against ffmpeg, BruteFIR, SoX and scipy.")
    p.add_argument("--workloads", default=",".join(workloads.GROUPS),
                   help="comma-separated: " + ",".join(workloads.GROUPS) + " (default all; W5 is W5-xover and "
                   "W5-ts, either of which may also be named alone)")
    p.add_argument("--runs", type=int, default=3, help="timed runs per tool, after one warm-up (default 3)")
    p.add_argument("--tools", default=None,
                   help="comma-separated, from: " + ",".join(peers.all_tools("", "")) + " (default all)")
    p.add_argument("--quick", action="store_true", help="10 s inputs instead of 120 s / 60 s")
    p.add_argument("--json", metavar="FILE", help="also write every run and check to FILE")
    p.add_argument("--memory", action="store_true",
                   help="only firpipe's peak RSS on W1 and on W1 10x longer (target < 100 MiB)")
    p.add_argument("--batch", action="store_true",
                   help="only W4: 40 clips through `firpipe batch`, a `process` loop, ffmpeg and SoX loops and "
                        "scipy (Benchmarks/batch.py)")
    p.add_argument("--batch-args", default="",
                   help="more options for Benchmarks/batch.py, e.g. '--files 2000 --loop-files 200 --long'")
    p.add_argument("--firpipe", default=os.path.join(REPO, ".build", "static", "release", "firpipe"),
                   help="firpipe binary (default .build/static/release/firpipe, what make build writes)")
    p.add_argument("--bench-dir", default=os.environ.get("BENCH_DIR", "/tmp/firpipe-bench"),
                   help="scratch directory (default $BENCH_DIR or /tmp/firpipe-bench)")
    args = p.parse_args(argv)
    if args.runs < 1:
        p.error("--runs must be at least 1")
    args.workload_list = [w.strip() for w in args.workloads.split(",") if w.strip()]
    for w in args.workload_list:
        if w not in workloads.GROUPS and w not in workloads.WORKLOADS:
            p.error(f"unknown workload {w!r}: choose from {','.join(workloads.GROUPS)} "
                    f"(or one of {','.join(n for n in workloads.WORKLOADS if n not in workloads.GROUPS)})")
    return args


def log(message):
    print(message, file=sys.stderr, flush=True)


def select_tools(args):
    every = peers.all_tools(args.firpipe, args.bench_dir)
    if args.tools is None:
        return every
    chosen = {}
    for raw in args.tools.split(","):
        name = peers.ALIASES.get(raw.strip(), raw.strip())
        if name not in every:
            sys.exit(f"bench.py: unknown tool {raw!r}: choose from {','.join(every)}")
        chosen[name] = every[name]
    # Keep table order.
    return {n: t for n, t in every.items() if n in chosen}


def group_jobs(name, tools, quick):
    """The jobs one --workloads name stands for, as [(label, workload, tools)]. Tools that do not route are
    left out of a routed job with a note; a group with a routed job also gets firpipe alone on the routing
    baseline (plain stereo W1), labelled "<group>-<baseline>", timed in the same rounds."""
    names = workloads.GROUPS.get(name, [name])
    jobs = []
    for job in names:
        w = workloads.WORKLOADS[job]
        if quick:
            w = workloads.quick(w)
        jobs.append((job, w, tools))
    if any(w.routed for _, w, _ in jobs) and "firpipe" in tools:
        base = workloads.WORKLOADS[workloads.ROUTING_BASELINE]
        if quick:
            base = workloads.quick(base)
        jobs.append((f"{name}-{base.name}", base, {"firpipe": tools["firpipe"]}))
    return jobs


def bench_jobs(jobs, args):
    """Runs every tool on every job in alternating rounds and checks the outputs; returns {label: results}."""
    out_dir = os.path.join(args.bench_dir, "out")
    os.makedirs(out_dir, exist_ok=True)
    files = {}
    results = {}
    # (label, tool name) -> tool, in the order a round runs them.
    active = {}
    for label, workload, tools in jobs:
        files[label] = workloads.WorkloadFiles(workload, args.bench_dir)
        files[label].ensure(log)
        results[label] = {}
        for name, tool in tools.items():
            if workload.routed and not tool.routes:
                results[label][name] = {"not_run": "does not route here"}
                continue
            note = tool.unavailable()
            if note:
                results[label][name] = {"note": "skipped: " + note}
                continue
            tool.prepare(files[label], args.bench_dir)
            results[label][name] = {"runs": []}
            active[(label, name)] = tool

    outputs = {(j, n): os.path.join(out_dir, f"{j}-{n}{t.output_ext}") for (j, n), t in active.items()}
    logs = {key: os.path.join(out_dir, f"{key[0]}-{key[1]}.log") for key in active}
    failed = set()
    for round_index in range(args.runs + 1):
        when = "warm-up" if round_index == 0 else f"run {round_index}/{args.runs}"
        for key, tool in active.items():
            label, name = key
            if key in failed:
                continue
            if os.path.exists(outputs[key]):
                os.remove(outputs[key])
            argv, env = tool.command(files[label], outputs[key])
            m = measure.run(argv, env=env, log_path=logs[key])
            log(f"  {label} {when:>9} {name:<11} {m.wall:8.2f} s wall {m.cpu:8.2f} s CPU "
                f"{m.max_rss_kib / 1024:7.0f} MiB" + (f"  exit {m.returncode}" if m.returncode else ""))
            if m.returncode != 0:
                failed.add(key)
                results[label][name]["note"] = f"failed: exit {m.returncode}, see {logs[key]}"
                continue
            if round_index > 0:
                results[label][name]["runs"].append(m)

    for label, workload, _ in jobs:
        reference = files[label].reference()
        for name, res in results[label].items():
            key = (label, name)
            if key not in active or key in failed:
                continue
            res["summary"] = report.summarize(res["runs"])
            if os.path.exists(outputs[key]):
                res["check"] = compare.check(active[key].read(outputs[key], files[label]), reference, workload)
                os.remove(outputs[key])
            else:
                res["note"] = "wrote no output"
            if name == "brutefir" and res["summary"]["processes"] > 1:
                s = res["summary"]
                res["note"] = (f"{s['processes']} processes: its forked workers were reaped and counted "
                               f"(its own process alone: {s['tool_cpu_median']:.2f} s CPU); RSS is the largest one")
    return results


def bench_memory(args):
    """Peak RSS of firpipe (default threads) on W1 and on W1 repeated 10 times; returns (text, data)."""
    tool = peers.Firpipe(args.firpipe, args.bench_dir)
    note = tool.unavailable()
    if note:
        sys.exit("bench.py: " + note)
    tool.prepare(None, args.bench_dir)
    out_dir = os.path.join(args.bench_dir, "out")
    os.makedirs(out_dir, exist_ok=True)
    w1, longer = workloads.memory_workloads()
    lines = [f"firpipe peak RSS (target < {MEMORY_TARGET_MIB} MiB), {args.runs} runs after a warm-up"]
    data = {}
    for workload, full in ((w1, True), (longer, False)):
        files = workloads.WorkloadFiles(workload, args.bench_dir, full=full)
        files.ensure(log)
        out = os.path.join(out_dir, f"{workload.name}-memory.wav")
        runs = []
        for i in range(args.runs + 1):
            argv, env = tool.command(files, out)
            m = measure.run(argv, env=env, log_path=out + ".log")
            log(f"  {workload.name} {'warm-up' if i == 0 else f'run {i}'}: {m.wall:.2f} s, "
                f"{m.max_rss_kib / 1024:.1f} MiB, exit {m.returncode}")
            if m.returncode != 0:
                sys.exit(f"bench.py: firpipe failed on {workload.name}, see {out}.log")
            if i > 0:
                runs.append(m)
        frames = len(peers.read_wav(out))
        os.remove(out)
        s = report.summarize(runs)
        peak = max(r.max_rss_kib for r in runs) / 1024.0
        ok = peak < MEMORY_TARGET_MIB
        lines.append(f"  {workload.name:<6} {workload.channels} ch x {workload.duration / 60:g} min, "
                     f"{workload.taps:,} taps: peak RSS {peak:.1f} MiB (median {s['rss_mib_median']:.1f}), "
                     f"wall {s['wall_median']:.2f} s, length {'ok' if frames == workload.output_frames else frames}"
                     f" -> {'ok' if ok else 'OVER TARGET'}")
        data[workload.name] = {"runs": runs, "summary": s, "peak_rss_mib": peak, "under_target": ok,
                               "frames": frames}
    return "\n".join(lines), data


def versions(firpipe):
    """Versions of the tools (firpipe: the binary under test), for the JSON file."""
    found = {"python": platform.python_version(), "numpy": np.__version__}
    try:
        import scipy
        found["scipy"] = scipy.__version__
    except ImportError:
        pass
    for name, argv in (("ffmpeg", ["ffmpeg", "-version"]), ("sox", ["sox", "--version"]),
                       ("firpipe", [firpipe, "--version"])):
        try:
            found[name] = subprocess.run(argv, capture_output=True, text=True).stdout.splitlines()[0].strip()
        except (OSError, IndexError):
            pass
    try:
        found["brutefir"] = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "brutefir"],
                                           capture_output=True, text=True).stdout.strip() or None
    except OSError:
        pass
    return found


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    os.makedirs(args.bench_dir, exist_ok=True)
    measure.become_subreaper()
    document = {"machine": {"cores": os.cpu_count(), "platform": platform.platform()},
                "versions": versions(args.firpipe), "runs": args.runs, "quick": args.quick,
                "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    if args.batch:
        import batch
        batch.main(["--firpipe", args.firpipe, "--bench-dir", args.bench_dir, "--rounds", str(args.runs)]
                   + shlex.split(args.batch_args))
        return
    if args.memory:
        text, document["memory"] = bench_memory(args)
        print(text, flush=True)
    else:
        tools = select_tools(args)
        document["workloads"] = {}
        for name in args.workload_list:
            jobs = group_jobs(name, tools, args.quick)
            results = bench_jobs(jobs, args)
            for label, workload, _ in jobs:
                title = None
                if workload.name != label:
                    title = f"{label}: firpipe on {workload.name}, timed in the rounds of {name}"
                print("\n" + report.workload_table(workload, results[label], title=title) + "\n", flush=True)
                document["workloads"][label] = {"workload": vars(workload), "tools": results[label]}
            lines, ratios = report.routing_summary(jobs, results)
            if lines:
                print("\n".join(lines) + "\n", flush=True)
                document["workloads"][name + "-ratios"] = ratios
    if args.json:
        report.write_json(args.json, document)
        log(f"wrote {args.json}")


if __name__ == "__main__":
    main()
