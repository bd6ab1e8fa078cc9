#!/usr/bin/env python3
"""firpipe serve (backend: jack) against jconvolver on one JACK dummy server, in the same run.

Both run the same 2-in/2-out filter (one kernel per channel, 262,144 taps each by default) with the same
partition size as JACK's period (256: zero added latency for both), side by side on one `jackd -d dummy`
server of this script's own (a private JACK_DEFAULT_SERVER name, JACK_NO_AUDIO_RESERVATION=1), each fed
the same sines by a jack_simple_client of its own, both with measured FFTW plans (`firpipe wisdom` for firpipe's
transform sizes in the run's own cache; `jconvolver -M`). After a warm-up, each process's CPU (user + system, all its
threads, from /proc/PID/stat) over the measured window is given as a share of one core; xruns are the
server's, as firpipe's xrun callback counts them (`firpipe status`: jack.xruns).

Why a source each: a client woken by the one before it runs on that client's core right after it,
but when one client wakes two, the scheduler sends one of them to the other core, and this VM's kernel
charges that thread its wake-up latency as well (35-40 µs a period against 5 µs for the one woken in
place, per `perf sched`: about 0.6% of a core). With one shared source that charge fell on one filter
for where it sat in the graph, not for its work; with a source each, both filters are woken alike.

    python3 Benchmarks/jack.py --seconds 120             # what `make bench-jack` runs
    python3 Benchmarks/jack.py --seconds 600 --json r.json

Needs jackd2, jconvolver and jack-example-tools' jack_simple_client (Debian: jackd2, jconvolver), numpy
and scipy; firpipe from `make build` (.build/static/release/firpipe) unless --firpipe says otherwise.
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import numpy as np
import scipy.io.wavfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RATE = 48000
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """User + system CPU of every thread of `pid` so far, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (fields 14 and 15)


def thread_seconds(pid):
    """CPU seconds so far of each thread of `pid`, by name; threads sharing a name (jconvolver's) get
    `#2`, `#3`, … in the order they were made."""
    out = {}
    for tid in sorted(os.listdir(f"/proc/{pid}/task"), key=int):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                text = f.read()
        except FileNotFoundError:
            continue  # ended meanwhile
        name = text[text.index("(") + 1:text.rindex(")")]
        label, n = name, 1
        while label in out:
            n += 1
            label = f"{name}#{n}"
        fields = text.rsplit(")", 1)[1].split()
        out[label] = (int(fields[11]) + int(fields[12])) / TICKS
    return out


def kernel(taps, directory):
    """Seeded noise under an exponential envelope to −60 dB, 2 channels, as float WAV."""
    rng = np.random.default_rng(19)
    envelope = np.exp(np.log(1e-3) * np.arange(taps) / taps)
    h = (rng.standard_normal((taps, 2)) * envelope[:, None] * 0.01).astype(np.float32)
    path = os.path.join(directory, "kernel.wav")
    scipy.io.wavfile.write(path, RATE, h)
    return path


def wait_for(what, check, timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        try:
            if check():
                return
        except subprocess.TimeoutExpired:
            pass  # a jack_lsp that hung on its way out (seen once while jconvolver was starting): ask again
        time.sleep(0.1)
    sys.exit(f"timed out waiting for {what}")


def ports(env):
    """The server's port names, as `jack_lsp` lists them."""
    return subprocess.run(["jack_lsp"], env=env, capture_output=True, text=True, timeout=10).stdout


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=120, help="measured window (after the warm-up)")
    p.add_argument("--warmup", type=float, default=15)
    p.add_argument("--taps", type=int, default=262_144)
    p.add_argument("--period", type=int, default=256)
    p.add_argument("--firpipe", default=os.path.join(ROOT, ".build/static/release/firpipe"))
    p.add_argument("--json", help="also write the figures here")
    a = p.parse_args()

    work = tempfile.mkdtemp(prefix="firpipe-jack-bench-")
    env = dict(os.environ, JACK_DEFAULT_SERVER=f"fpbench-{os.getpid()}", JACK_NO_AUDIO_RESERVATION="1",
               XDG_CACHE_HOME=os.path.join(work, "cache"), RUNTIME_DIRECTORY=work)
    k = kernel(a.taps, work)
    with open(os.path.join(work, "fpbench.yaml"), "w") as f:
        f.write(f"kernel: {k}\nblock_size: {a.period}\nserve:\n"
                f"  stream: {{backend: jack, channels: 2, rate: {RATE}, jack_client: fpbench,\n"
                f"    jack_connect_inputs: [sine_fp:output1, sine_fp:output2]}}\n"
                f"  control_socket: {work}/fpbench.sock\n")
    with open(os.path.join(work, "jconv.conf"), "w") as f:
        f.write(f"/cd {work}\n/convolver/new 2 2 {a.period} {a.taps}\n"
                "/input/name 1 in_1 sine_jc:output1\n/input/name 2 in_2 sine_jc:output2\n"
                "/output/name 1 out_1\n/output/name 2 out_2\n"
                "/impulse/read 1 1 1.0 0 0 0 1 kernel.wav\n/impulse/read 2 2 1.0 0 0 0 2 kernel.wav\n")

    procs = []

    def start(argv, log):
        proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                                stdout=open(os.path.join(work, log), "w"), stderr=subprocess.STDOUT)
        procs.append(proc)
        return proc

    def log(name):
        with open(os.path.join(work, name)) as f:
            return f.read()

    # Measured FFTW plans for both, as bench.py gives firpipe (`firpipe wisdom`) and BruteFIR: firpipe's
    # transform sizes for these partitions, in the run's own cache; jconvolver with -M (FFTW_MEASURE).
    sizes = [str(2 * a.period * 8 ** k) for k in range(4) if 2 * a.period * 8 ** k <= 2 * a.taps]
    subprocess.run([a.firpipe, "wisdom", "--sizes", *sizes], env=env, check=True, stdout=subprocess.DEVNULL)
    try:
        start(["jackd", "-d", "dummy", "-r", str(RATE), "-p", str(a.period)], "jackd.log")
        subprocess.run(["jack_wait", "-w", "-t", "10"], env=env, check=True, stdout=subprocess.DEVNULL)
        # jack_simple_client's two ports play sines; one client per filter (see the top of this file).
        for source in ("sine_fp", "sine_jc"):
            start(["jack_simple_client", source], f"{source}.log")
            wait_for(f"the {source} client", lambda: f"{source}:output1" in ports(env))
        fp = start([a.firpipe, "serve", "--config", os.path.join(work, "fpbench.yaml")], "firpipe.log")
        wait_for("firpipe to connect", lambda: "connected to JACK as fpbench" in log("firpipe.log"), 120)
        jc = start(["jconvolver", "-M", "-N", "jconv", os.path.join(work, "jconv.conf")], "jconvolver.log")
        wait_for("jconvolver's ports", lambda: "jconv:out_1" in ports(env))
        time.sleep(a.warmup)

        def status():
            out = subprocess.run([a.firpipe, "status", "--socket", f"{work}/fpbench.sock"], env=env,
                                 capture_output=True, text=True, check=True).stdout
            return json.loads(out)

        s0, t0 = status(), time.monotonic()
        c0 = {"firpipe": cpu_seconds(fp.pid), "jconvolver": cpu_seconds(jc.pid)}
        t0s = {"firpipe": thread_seconds(fp.pid), "jconvolver": thread_seconds(jc.pid)}
        time.sleep(a.seconds)
        c1 = {"firpipe": cpu_seconds(fp.pid), "jconvolver": cpu_seconds(jc.pid)}
        t1s = {"firpipe": thread_seconds(fp.pid), "jconvolver": thread_seconds(jc.pid)}
        with open("/proc/loadavg") as f:
            load = f.read().split()[:3]
        s1, t1 = status(), time.monotonic()
        for proc in (fp, jc):
            if proc.poll() is not None:
                sys.exit(f"{proc.args[0]} ended during the run; logs in {work}")
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()

    wall = t1 - t0
    share = {name: (c1[name] - c0[name]) / wall for name in c0}
    threads = {name: {t: round((v - t0s[name].get(t, 0)) / wall, 4) for t, v in sorted(t1s[name].items())
                      if v - t0s[name].get(t, 0) > 0} for name in t1s}
    result = {
        "seconds": round(wall, 1), "taps": a.taps, "channels": 2, "period": a.period, "rate": RATE,
        "cpu_share_of_one_core": {name: round(v, 4) for name, v in share.items()},
        "ratio_firpipe_to_jconvolver": round(share["firpipe"] / share["jconvolver"], 3),
        "xruns": s1["jack"]["xruns"] - s0["jack"]["xruns"],
        "firpipe_underruns": s1["underruns"] - s0["underruns"],
        "frames": s1["samples"] - s0["samples"],
        "threads": threads,
        "load_average": [float(x) for x in load],
    }
    print(f"{wall:.0f} s, 2 ch x {a.taps} taps, period {a.period} at {RATE} Hz on jackd -d dummy")
    for name in ("firpipe", "jconvolver"):
        parts = ", ".join(f"{t} {100 * v:.2f}%" for t, v in threads[name].items())
        print(f"  {name:10s} {100 * share[name]:.2f}% of one core ({parts})")
    print(f"  ratio firpipe/jconvolver {result['ratio_firpipe_to_jconvolver']:.3f}; "
          f"xruns {result['xruns']}; firpipe late levels+xruns {result['firpipe_underruns']}; "
          f"frames {result['frames']} ({result['frames'] / RATE:.1f} s of audio); load average {' '.join(load)}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(result, f, indent=1)
    shutil.rmtree(work)  # kept (with the logs) only when the run fails


if __name__ == "__main__":
    main()
