"""Checks one tool's output against the float64 reference, on the output exactly as the tool wrote it.

  length   frames written; ok when it is input + taps - 1 and the channel count is the reference's
           (the input's, or a routed workload's outputs)
  delay    the lag (output later than reference is positive) whose normalised correlation with the
           reference is highest, searched over +-MAX_LAG frames on a steady-state segment; None when
           nothing correlates (a silent output)
  gain     least-squares ratio <y, r> / <r, r> at that lag, over every channel: 1.0 is unity
  error    20 log10(max |y - r| / max |r|) in dB over every channel and the whole length, at lag 0 and
           without the fitted gain: a delay, a gain or a missing tail all show up here. Where the output
           is shorter or longer than the reference, the missing side counts as zeros.
Float32 engines reach about -130 dB on these workloads; -100 dB or lower counts as a pass.
"""

import math

import numpy as np
import scipy.signal

MAX_LAG = 64
SEGMENT = 1 << 16
ERROR_PASS_DB = -100.0
# Below this normalised correlation no lag is taken to match.
MIN_CORRELATION = 0.5


def check(output, reference, workload):
    """output: (frames, channels) array as written; reference: (channels, frames) float64."""
    out_frames, out_channels = output.shape
    ref_channels, ref_frames = reference.shape
    channels = min(out_channels, ref_channels)
    ref_peak = float(max(np.max(np.abs(reference[c])) for c in range(ref_channels)))

    max_diff = 0.0
    scores = np.zeros(2 * MAX_LAG + 1)
    columns = []
    for c in range(ref_channels):
        r = np.asarray(reference[c], dtype=np.float64)
        if c >= out_channels:
            max_diff = max(max_diff, float(np.max(np.abs(r))))
            continue
        y = np.asarray(output[:, c], dtype=np.float64)
        columns.append(c)
        n = min(len(y), len(r))
        diff = float(np.max(np.abs(y[:n] - r[:n]))) if n else 0.0
        tail = float(np.max(np.abs(r[n:]))) if len(r) > n else float(np.max(np.abs(y[n:]))) if len(y) > n else 0.0
        max_diff = max(max_diff, diff, tail)
        scores += _lag_scores(y, r, workload.taps)
    delay = None
    if columns and np.max(scores) / len(columns) >= MIN_CORRELATION:
        delay = int(np.argmax(scores)) - MAX_LAG
    gain = _gain(output, reference, columns, delay or 0)
    error_db = 20.0 * math.log10(max_diff / ref_peak) if max_diff > 0 else -math.inf
    return {
        "frames": out_frames,
        "channels": out_channels,
        "expected_frames": workload.output_frames,
        "length_ok": out_frames == workload.output_frames and out_channels == workload.output_channels,
        "delay": delay,
        "gain": gain,
        "error_db": error_db,
        "error_ok": error_db <= ERROR_PASS_DB,
        "output_peak": float(max((np.max(np.abs(output[:, c])) for c in range(out_channels)), default=0.0)),
        "reference_peak": ref_peak,
    }


def _lag_scores(y, r, taps):
    """Normalised correlation of y against r for each lag in -MAX_LAG..MAX_LAG (0 where undefined)."""
    scores = np.zeros(2 * MAX_LAG + 1)
    start = min(taps, len(r) - SEGMENT - MAX_LAG)
    if start < MAX_LAG or len(y) < start + SEGMENT + MAX_LAG:
        return scores
    seg = r[start:start + SEGMENT]
    window = y[start - MAX_LAG:start + SEGMENT + MAX_LAG]
    # dots[k] = <window[k:k + SEGMENT], seg>, that is lag k - MAX_LAG.
    dots = scipy.signal.correlate(window, seg, mode="valid", method="fft")
    squares = np.concatenate(([0.0], np.cumsum(window * window)))
    norms = np.sqrt(np.maximum(squares[SEGMENT:] - squares[:-SEGMENT], 0.0)) * np.sqrt(_dot(seg, seg))
    np.divide(np.abs(dots), norms, out=scores, where=norms > 0)
    return scores


def _dot(a, b):
    # einsum's own loop: BLAS here can be slowed down by the machine's OpenBLAS settings.
    return float(np.einsum("i,i->", a, b))


def _gain(output, reference, columns, lag):
    num = 0.0
    den = 0.0
    for c in columns:
        y = np.asarray(output[:, c], dtype=np.float64)
        r = np.asarray(reference[c], dtype=np.float64)
        # y[t + lag] lines up with r[t].
        if lag >= 0:
            y, r = y[lag:], r
        else:
            y, r = y, r[-lag:]
        n = min(len(y), len(r))
        num += _dot(y[:n], r[:n])
        den += _dot(r[:n], r[:n])
    return num / den if den > 0 else None
