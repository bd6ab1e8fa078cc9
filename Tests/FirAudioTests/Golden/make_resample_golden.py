#!/usr/bin/env python3
"""Writes the scipy golden files that FirAudioTests compares KernelResampler against.

Run from the repository root with `make golden` (python3 with numpy and scipy). The output is
deterministic: the kernel comes from numpy's default_rng with a fixed seed.

The test kernel is a decaying noise burst (-60 dB at its end) convolved with a linear-phase
low-pass (Kaiser, beta 14, 511 taps, cut-off 16 kHz at 44.1 kHz), so it has no content above
17 kHz down to about -150 dB: it is band-limited well inside both resamplers' passbands, and what
the tests measure is the conversion, not how each resampler's filter rolls off near Nyquist.

It is resampled from 44100 to 48000 Hz (up 160, down 147) with scipy.signal.resample_poly twice:
  resample-44100-48000.default.f64    with resample_poly's default window, a Kaiser window with
                                      beta 5 over 20 zero crossings. Its passband ripple is about
                                      -55 dB everywhere below 16 kHz (measured: -64 dB at 1 kHz,
                                      -56 dB at 15 kHz), so it cannot be matched to -90 dB by any
                                      other resampler; the tests use it at a looser threshold.
  resample-44100-48000.reference.f64  with a longer, steeper filter passed as resample_poly's
                                      `window` (Kaiser, beta 16, 128 zero crossings, same cut-off
                                      at the lower Nyquist frequency): ripple below -150 dB up to
                                      20 kHz. The -90 dB test compares against this one.
Both use resample_poly's alignment (output sample k is the input at time k/48000) and length,
ceil(n * 160 / 147). The input is resample-44100-48000.input.f64; all files are raw
little-endian float64 with no header, listed in resample-manifest.json.
"""

import json
import math
import os

import numpy as np
import scipy
import scipy.signal

HERE = os.path.dirname(os.path.abspath(__file__))

RATE_IN, RATE_OUT = 44100, 48000
SEED = 4410
BURST_LENGTH = 2500
LOWPASS_TAPS, LOWPASS_CUTOFF_HZ, LOWPASS_BETA = 511, 16000.0, 14.0
REFERENCE_ZERO_CROSSINGS, REFERENCE_BETA = 64, 16.0


def make_kernel():
    """A decaying noise burst, low-passed to well below 20 kHz; 3010 taps."""
    rng = np.random.default_rng(SEED)
    n = np.arange(BURST_LENGTH)
    burst = rng.standard_normal(BURST_LENGTH) * np.exp(-np.log(1000.0) * n / (BURST_LENGTH - 1))
    lowpass = scipy.signal.firwin(LOWPASS_TAPS, LOWPASS_CUTOFF_HZ, window=("kaiser", LOWPASS_BETA), fs=RATE_IN)
    return np.convolve(burst, lowpass)


def reference_filter(up, down):
    """resample_poly's own design (cut-off at the lower Nyquist frequency) with a steeper window and 6.4
    times the length. resample_poly multiplies a filter given as `window` by `up` itself."""
    m = max(up, down)
    half = REFERENCE_ZERO_CROSSINGS * m
    return scipy.signal.firwin(2 * half + 1, 1.0 / m, window=("kaiser", REFERENCE_BETA))


def band_error_db(y, reference, fmax, fs):
    """Error energy over reference energy, in dB, in the DFT bins from 0 to fmax Hz."""
    size = 1 << math.ceil(math.log2(2 * len(reference)))
    a, b = np.fft.rfft(y, size), np.fft.rfft(reference, size)
    band = np.arange(len(b)) * fs / size <= fmax
    return 10 * np.log10(np.sum(np.abs(a[band] - b[band]) ** 2) / np.sum(np.abs(b[band]) ** 2))


def write_f64(name, values):
    np.asarray(values, dtype="<f8").tofile(os.path.join(HERE, name))


def main():
    g = math.gcd(RATE_IN, RATE_OUT)
    up, down = RATE_OUT // g, RATE_IN // g
    x = make_kernel()
    default = scipy.signal.resample_poly(x, up, down)
    reference = scipy.signal.resample_poly(x, up, down, window=reference_filter(up, down))
    expected_count = math.ceil(len(x) * up / down)
    assert len(default) == len(reference) == expected_count
    stem = f"resample-{RATE_IN}-{RATE_OUT}"
    files = {part: f"{stem}.{part}.f64" for part in ("input", "default", "reference")}
    write_f64(files["input"], x)
    write_f64(files["default"], default)
    write_f64(files["reference"], reference)
    manifest = {
        "about": "Written by make_resample_golden.py; raw little-endian float64 files.",
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "cases": [{
            "name": stem,
            "from": RATE_IN,
            "to": RATE_OUT,
            "up": up,
            "down": down,
            "input": files["input"],
            "default": files["default"],
            "reference": files["reference"],
            "inputCount": int(len(x)),
            "outputCount": expected_count,
        }],
    }
    with open(os.path.join(HERE, "resample-manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    nyquist = min(RATE_IN, RATE_OUT) / 2
    print(f"{stem}: n={len(x)} out={expected_count} up={up} down={down}; default window against the "
          f"reference up to 0.9 Nyquist: {band_error_db(default, reference, 0.9 * nyquist, RATE_OUT):.1f} dB")


if __name__ == "__main__":
    main()
