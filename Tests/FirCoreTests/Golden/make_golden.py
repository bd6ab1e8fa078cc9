#!/usr/bin/env python3
"""Writes the scipy golden files that FirCoreTests compares the convolution core against.

Run from the repository root with `make golden` (python3 with numpy and scipy). The output is
deterministic: every array comes from numpy's default_rng with a fixed per-case seed, so rerunning
the script with the same numpy/scipy rewrites identical files (another scipy version may change
the expected values in their last bits, far below the tests' thresholds).

For each case in CASES the script writes, into this directory:
  <name>.signal.f64    the input signal
  <name>.kernel.f64    the kernel (filter taps, or the template for correlation)
  <name>.expected.f64  scipy's result
as raw little-endian float64 with no header (2-D arrays row-major, as <name>.image.f64 for the
input; their shapes under "cases2d" in the manifest), and lists them in manifest.json with the mode
("convolve" or "correlate") and the output length ("full", "same" or "valid"), which are the
names firpipe's ConvolutionMode and OutputLength use.

The expected output is what scipy computes with FFTs: scipy.signal.oaconvolve for "convolve" and
scipy.signal.correlate(method="fft") for "correlate". Before writing, each is checked against
scipy's direct method (scipy.signal.convolve / correlate with method="direct"); the script fails
if they differ by more than 1e-12 of the output peak, so the files hold scipy's semantics and not
one algorithm's rounding. The cases cover every length mode in both modes, odd and even kernel
lengths (which decide how "same" is centred), and kernels longer than the signal.
"""

import json
import os
import sys

import numpy as np
import scipy
import scipy.signal

HERE = os.path.dirname(os.path.abspath(__file__))

# name, mode, length, signal length, kernel length, seed.
CASES = [
    ("convolve-full", "convolve", "full", 5000, 2000, 101),
    ("convolve-same-even", "convolve", "same", 3001, 1000, 102),
    ("convolve-same-odd", "convolve", "same", 2000, 513, 103),
    ("convolve-valid", "convolve", "valid", 4096, 257, 104),
    ("convolve-valid-long-kernel", "convolve", "valid", 300, 2000, 105),
    ("convolve-same-long-kernel", "convolve", "same", 300, 1200, 106),
    ("correlate-full", "correlate", "full", 4000, 500, 107),
    ("correlate-same-even", "correlate", "same", 2500, 64, 108),
    ("correlate-valid", "correlate", "valid", 5000, 1001, 109),
    ("correlate-same-long-kernel", "correlate", "same", 700, 1500, 110),
    ("correlate-valid-long-kernel", "correlate", "valid", 700, 1500, 111),
    ("convolve-full-single", "convolve", "full", 1, 1, 112),
]

# 2-D cases, for scipy.signal.convolve2d / correlate2d (zero fill): name, mode, length, image shape,
# kernel shape, seed. Odd and even kernel sides (which decide where "same" starts, and where
# correlate2d's "same" differs from convolve2d's), and a kernel larger than the image.
CASES_2D = [
    ("convolve2d-full", "convolve", "full", (23, 31), (5, 4), 201),
    ("convolve2d-same", "convolve", "same", (30, 17), (6, 7), 202),
    ("convolve2d-valid", "convolve", "valid", (40, 33), (9, 8), 203),
    ("correlate2d-full", "correlate", "full", (21, 19), (4, 6), 204),
    ("correlate2d-same-even", "correlate", "same", (25, 28), (8, 6), 205),
    ("correlate2d-same-odd", "correlate", "same", (19, 24), (5, 7), 206),
    ("correlate2d-valid", "correlate", "valid", (48, 37), (11, 10), 207),
    ("correlate2d-valid-large-kernel", "correlate", "valid", (6, 5), (13, 12), 208),
    ("convolve2d-same-large-kernel", "convolve", "same", (7, 9), (12, 14), 209),
]

# Largest allowed |fft − direct| relative to the output peak.
AGREEMENT = 1e-12


def make_inputs(n, m, seed):
    """A uniform-noise signal and an exponentially decaying noise kernel (about −60 dB at its end)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, n)
    decay = np.exp(-np.log(1000.0) * np.arange(m) / max(m - 1, 1))
    h = decay * rng.uniform(-1.0, 1.0, m)
    return x, h


def scipy_result(x, h, mode, length):
    """scipy's FFT result, after checking it against scipy's direct method."""
    if mode == "convolve":
        fast = scipy.signal.oaconvolve(x, h, mode=length)
        slow = scipy.signal.convolve(x, h, mode=length, method="direct")
    else:
        fast = scipy.signal.correlate(x, h, mode=length, method="fft")
        slow = scipy.signal.correlate(x, h, mode=length, method="direct")
    if fast.shape != slow.shape:
        sys.exit(f"fft and direct lengths differ: {fast.shape} vs {slow.shape}")
    peak = max(np.max(np.abs(slow)), 1e-300)
    error = np.max(np.abs(fast - slow)) / peak
    if error > AGREEMENT:
        sys.exit(f"fft and direct differ by {error:.3g} of the peak")
    return fast, error


def scipy_result_2d(x, h, mode, length):
    """scipy's 2-D result (direct sums), after checking its full output against scipy's FFT method."""
    if mode == "convolve":
        result = scipy.signal.convolve2d(x, h, mode=length)
        full, fast = scipy.signal.convolve2d(x, h), scipy.signal.convolve(x, h, method="fft")
    else:
        result = scipy.signal.correlate2d(x, h, mode=length)
        full, fast = scipy.signal.correlate2d(x, h), scipy.signal.correlate(x, h, method="fft")
    error = np.max(np.abs(full - fast)) / max(np.max(np.abs(full)), 1e-300)
    if error > AGREEMENT:
        sys.exit(f"2-D fft and direct differ by {error:.3g} of the peak")
    return result, error


def write_f64(name, values):
    np.asarray(values, dtype="<f8").tofile(os.path.join(HERE, name))


def main():
    manifest = {
        "about": "Written by make_golden.py; raw little-endian float64 files.",
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "cases": [],
    }
    for name, mode, length, n, m, seed in CASES:
        x, h = make_inputs(n, m, seed)
        y, error = scipy_result(x, h, mode, length)
        files = {part: f"{name}.{part}.f64" for part in ("signal", "kernel", "expected")}
        write_f64(files["signal"], x)
        write_f64(files["kernel"], h)
        write_f64(files["expected"], y)
        manifest["cases"].append({
            "name": name,
            "mode": mode,
            "length": length,
            "signal": files["signal"],
            "kernel": files["kernel"],
            "expected": files["expected"],
            "signalCount": n,
            "kernelCount": m,
            "expectedCount": int(y.size),
            "scipy": "oaconvolve" if mode == "convolve" else "correlate(method='fft')",
        })
        print(f"{name:30s} n={n:5d} m={m:5d} out={y.size:5d} fft-vs-direct {error:.2e}")
    manifest["cases2d"] = []
    for name, mode, length, shape, kshape, seed in CASES_2D:
        rng = np.random.default_rng(seed)
        x = rng.uniform(-1.0, 1.0, shape)
        h = rng.uniform(-1.0, 1.0, kshape)
        y, error = scipy_result_2d(x, h, mode, length)
        files = {part: f"{name}.{part}.f64" for part in ("image", "kernel", "expected")}
        write_f64(files["image"], x.ravel())
        write_f64(files["kernel"], h.ravel())
        write_f64(files["expected"], y.ravel())
        manifest["cases2d"].append({
            "name": name, "mode": mode, "length": length,
            "image": files["image"], "kernel": files["kernel"], "expected": files["expected"],
            "imageShape": list(shape), "kernelShape": list(kshape), "expectedShape": list(y.shape),
            "scipy": "convolve2d" if mode == "convolve" else "correlate2d",
        })
        print(f"{name:30s} image={shape} kernel={kshape} out={y.shape} fft-vs-direct {error:.2e}")
    with open(os.path.join(HERE, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
