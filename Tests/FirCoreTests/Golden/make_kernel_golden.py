#!/usr/bin/env python3
"""Writes the scipy golden files that FirCoreTests compares kernel analysis, minimum phase and FIR
design against (KernelAnalysisTests, MinimumPhaseTests, FIRDesignTests).

Run from the repository root with `make golden` (python3 with numpy and scipy). Deterministic: fixed
seeds and parameters. Files, raw little-endian float64 without a header, listed in kernel-manifest.json:
  firwin-lowpass.taps.f64         scipy.signal.firwin(255, 4000, fs=48000): a low pass with known figures;
                                  the manifest holds its DC gain, energy, peak and |H| in dB at a few
                                  frequencies (scipy.signal.freqz)
  minphase.input.f64              a mixed-phase kernel without deep nulls (a delayed peak, a pre-echo and
                                  a decaying noise tail), where the cepstral method is well conditioned
  minphase.expected.f64           scipy.signal.minimum_phase(input, method='homomorphic', half=False),
                                  same length, with the manifest's n_fft (scipy's default for this length)
  kaiser-lowpass.taps.f64         scipy.signal.firwin with a Kaiser window sized by kaiserord for 80 dB
                                  and a 400 Hz transition at a 2 kHz cutoff, 48 kHz: what FIRDesign.lowpass
                                  computes by the same formulas
"""

import json
import os

import numpy as np
import scipy
import scipy.signal

HERE = os.path.dirname(os.path.abspath(__file__))


def write_f64(name, values):
    np.asarray(values, dtype="<f8").tofile(os.path.join(HERE, name))
    return name


def firwin_case():
    fs = 48000.0
    h = scipy.signal.firwin(255, 4000, fs=fs)
    freqs = [20.0, 100.0, 1000.0, 3000.0, 4000.0, 6000.0, 10000.0]
    _, response = scipy.signal.freqz(h, worN=np.array(freqs), fs=fs)
    peak = int(np.argmax(np.abs(h)))
    return {
        "taps": write_f64("firwin-lowpass.taps.f64", h),
        "sampleRate": fs,
        "count": int(h.size),
        "dcGain": float(np.sum(h)),
        "energy": float(np.sum(h * h)),
        "peakIndex": peak,
        "peakValue": float(h[peak]),
        "frequencies": freqs,
        "magnitudeDB": [float(20 * np.log10(abs(r))) for r in response],
    }


def minphase_case():
    rng = np.random.default_rng(301)
    n = 512
    h = np.zeros(n)
    h[40] = 0.4
    h[100] = 1.0
    tail = np.exp(-np.arange(n - 101) / 60.0) * rng.uniform(-0.15, 0.15, n - 101)
    h[101:] += tail
    n_fft = 2 ** int(np.ceil(np.log2(2 * (n - 1) / 0.01)))
    m = scipy.signal.minimum_phase(h, method="homomorphic", n_fft=n_fft, half=False)
    return {
        "input": write_f64("minphase.input.f64", h),
        "expected": write_f64("minphase.expected.f64", m),
        "count": n,
        "nFFT": n_fft,
    }


def kaiser_case():
    fs, cutoff, transition, attenuation = 48000.0, 2000.0, 400.0, 80.0
    beta = scipy.signal.kaiser_beta(attenuation)
    numtaps, _ = scipy.signal.kaiserord(attenuation, transition / (fs / 2))
    numtaps |= 1  # odd, as FIRDesign makes every design
    h = scipy.signal.firwin(numtaps, cutoff, window=("kaiser", beta), fs=fs)
    return {
        "taps": write_f64("kaiser-lowpass.taps.f64", h),
        "sampleRate": fs, "cutoff": cutoff, "transition": transition, "attenuation": attenuation,
        "beta": beta, "count": int(h.size),
    }


def main():
    manifest = {
        "about": "Written by make_kernel_golden.py; raw little-endian float64 files.",
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "firwin": firwin_case(),
        "minimumPhase": minphase_case(),
        "kaiser": kaiser_case(),
    }
    with open(os.path.join(HERE, "kernel-manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print("firwin", manifest["firwin"]["count"], "minimum phase n_fft", manifest["minimumPhase"]["nFFT"],
          "kaiser", manifest["kaiser"]["count"], "taps")


if __name__ == "__main__":
    main()
