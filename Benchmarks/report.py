"""The tables `make bench` prints, and the JSON file of `--json`.

One table per workload, one row per tool, every number from this one invocation of the harness:
  wall s      median of the timed runs, with (min-max)
  CPU s       median user + system CPU of every process the tool ran
  CPU/wall    cores kept busy on average (2.0 is both cores of this machine)
  RSS MiB     median peak resident memory of the largest single process
  x realtime  input duration / median wall
  err dB      max |output - reference| relative to the reference peak (ok at <= -100 dB)
  len         output frames = input + taps - 1 ("ok"), else the frames written
  delay       best-matching lag in frames (0 is right; "none" when nothing matches)
  gain        least-squares gain at that lag (1.0000 is right)
  vs firpipe  median wall / firpipe's median wall: above 1 means firpipe is faster
After a group with routed jobs (W5), routing_summary() gives firpipe's time on each job over its time on
the plain baseline (W1) in the same rounds, and each peer's time over firpipe's, against their targets.
"""

import json
import math
import statistics


def summarize(runs):
    """Medians and range of the timed runs of one tool (runs: list of Measurement)."""
    walls = [r.wall for r in runs]
    return {
        "wall_median": statistics.median(walls),
        "wall_min": min(walls),
        "wall_max": max(walls),
        "cpu_median": statistics.median(r.cpu for r in runs),
        "rss_mib_median": statistics.median(r.max_rss_kib for r in runs) / 1024.0,
        "processes": max(r.processes for r in runs),
        "tool_cpu_median": statistics.median(r.tool_cpu for r in runs),
    }


HEADER = ["tool", "wall s (min-max)", "CPU s", "CPU/wall", "RSS MiB", "x realtime", "err dB", "len", "delay",
          "gain", "vs firpipe"]


# firpipe's time on a routed job over its time on the plain baseline: at most this. True stereo does
# twice W1's multiply-adds with the same transforms (2 forward, 2 inverse).
OVER_BASELINE_TARGETS = {"W5-ts": 1.6}
# Each peer's wall time over firpipe's on the routed jobs: at least this.
PEER_TARGET = 3.0


def workload_table(workload, results, baseline="firpipe", title=None):
    """The table of one workload as text. results: {tool: {"summary", "check", "note"}} in table order;
    title replaces the workload's description."""
    base = results.get(baseline, {}).get("summary")
    rows = []
    notes = []
    not_run = [name for name, res in results.items() if res.get("not_run")]
    for name, res in results.items():
        if res.get("not_run"):
            continue
        if res.get("note"):
            notes.append(f"{name}: {res['note']}")
        s = res.get("summary")
        if s is None:
            rows.append([name] + ["-"] * (len(HEADER) - 1))
            continue
        c = res.get("check") or {}
        wall = s["wall_median"]
        rows.append([
            name,
            f"{wall:.2f} ({s['wall_min']:.2f}-{s['wall_max']:.2f})",
            f"{s['cpu_median']:.2f}",
            f"{s['cpu_median'] / wall:.2f}",
            f"{s['rss_mib_median']:.0f}",
            f"{workload.duration / wall:.0f}",
            _error(c),
            _length(c),
            "-" if not c else ("none" if c.get("delay") is None else str(c["delay"])),
            "-" if c.get("gain") is None else f"{c['gain']:.4f}",
            f"{wall / base['wall_median']:.2f}" if base else "-",
        ])
    if title is None:
        title = (f"{workload.name}: {workload.channels} ch x {workload.duration:g} s at 48 kHz, {workload.taps:,} taps "
                 f"(full output {workload.output_frames:,} frames)")
        if workload.routed:
            paths = ", ".join(f"in{i}->out{o}" for o, i in workload.routes)
            title = (f"{workload.name}: {workload.channels} -> {workload.output_channels} ch, "
                     f"{workload.duration:g} s at 48 kHz, {workload.kernel_channels} kernels of "
                     f"{workload.taps:,} taps, kernel k on path k: {paths} "
                     f"(full output {workload.output_frames:,} frames)")
    lines = [title, _format(rows)]
    t1 = results.get("firpipe-t1", {}).get("summary")
    if base and t1:
        one, default = t1["wall_median"], base["wall_median"]
        lines.append(f"firpipe speed-up, default threads over --threads 1: {one / default:.2f}x "
                     f"({one:.2f} s with 1 thread, {default:.2f} s with the default)")
        pair = results.get("firpipe-t1x2", {}).get("summary")
        if pair:
            capacity = 2 * one / pair["wall_median"]
            lines.append(f"two --threads 1 jobs at once took {pair['wall_median']:.2f} s: meanwhile this machine "
                         f"gave two cores {capacity:.2f}x the work of one; the speed-up reached "
                         f"{one / default / capacity:.0%} of that")
    lines += notes
    if not_run:
        lines.append(f"not run here, as this harness does not route with them: {', '.join(not_run)}")
    return "\n".join(lines)


def routing_summary(jobs, results):
    """Lines on a group's routed jobs and a dict of the ratios. jobs: [(label, workload, tools)] as bench.py
    ran them, the baseline (plain, firpipe only) last; results: {label: {tool: result}}."""
    routed = [(label, w) for label, w, _ in jobs if w.routed]
    plain = [(label, w) for label, w, _ in jobs if not w.routed]
    if not routed:
        return [], {}
    lines = []
    ratios = {}
    base_label, base = plain[-1] if plain else (None, None)
    base_s = results.get(base_label, {}).get("firpipe", {}).get("summary") if base_label else None
    for label, w in routed:
        s = results[label].get("firpipe", {}).get("summary")
        if not s:
            continue
        entry = ratios.setdefault(label, {})
        if base_s:
            ratio = s["wall_median"] / base_s["wall_median"]
            entry["firpipe_over_" + base.name] = ratio
            target = ""
            if w.name in OVER_BASELINE_TARGETS:
                most = OVER_BASELINE_TARGETS[w.name]
                target = f" (target <= {most:g}: {'met' if ratio <= most else 'MISSED'})"
            lines.append(f"{label}: firpipe {s['wall_median']:.2f} s, plain {base.name} {base_s['wall_median']:.2f} s "
                         f"in the same rounds: {ratio:.2f}x {base.name}'s time{target}")
        peers = []
        for name, res in results[label].items():
            p = res.get("summary")
            if name.startswith("firpipe") or not p:
                continue
            ratio = p["wall_median"] / s["wall_median"]
            entry[name + "_over_firpipe"] = ratio
            peers.append(f"{name} {ratio:.2f}x" + ("" if ratio >= PEER_TARGET else " (MISSED)"))
        if peers:
            lines.append(f"{label}: peer time / firpipe time (target >= {PEER_TARGET:g}x): " + ", ".join(peers))
    return lines, ratios


def _error(c):
    if not c or c.get("error_db") is None:
        return "-"
    e = c["error_db"]
    text = "-inf" if math.isinf(e) else f"{e:.1f}"
    return text if c.get("error_ok") else text + " FAIL"


def _length(c):
    if not c:
        return "-"
    if c["length_ok"]:
        return "ok"
    return f"{c['frames']}x{c['channels']} FAIL"


def _format(rows):
    table = [HEADER] + rows
    widths = [max(len(r[i]) for r in table) for i in range(len(HEADER))]
    out = []
    for k, r in enumerate(table):
        cells = [r[0].ljust(widths[0])] + [v.rjust(widths[i]) for i, v in enumerate(r) if i > 0]
        out.append("  ".join(cells))
        if k == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def write_json(path, document):
    with open(path, "w") as f:
        json.dump(_plain(document), f, indent=1, allow_nan=False)


def _plain(value):
    """The document with dataclasses as dicts and infinities as null, so it is strict JSON."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "__dataclass_fields__"):
        return _plain(vars(value))
    return value
