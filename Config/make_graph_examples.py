#!/usr/bin/env python3
"""Makes the small files the processing-graph examples use (committed; rerun only to change them).

- audio/speech-mono.wav: 2 s of mono 16-bit 48 kHz "speech": syllable-long bursts of a buzz (a 110-140 Hz
  pulse train through two formant resonances), for auralization in a stereo room.
- kernels/crossover-2way.wav: a linear-phase 2-way crossover at 2 kHz, 2 channels, float, 1,023 taps.
  Channel 0 (woofer) is a Blackman-windowed sinc low-pass at 2 kHz with unit DC gain; channel 1 (tweeter)
  is its complement, a unit impulse at the centre tap (511) minus the low-pass. The two sum to a pure
  delay of 511 samples (10.6 ms), so the crossover is flat when both ways are summed; each way falls off at
  about 6 dB per 100 Hz beyond the crossover band (Blackman window: about -75 dB stop band).
- kernels/true-stereo-room.wav: a true-stereo room, 4 channels in the order L->L, L->R, R->L, R->R,
  24-bit, 0.2 s (9,600 taps): exponentially decaying noise, the direct sound only in L->L and R->R and the
  cross paths 6 dB quieter and 1 ms later.

Only the Python standard library and numpy; deterministic (fixed seeds). make_example.py makes the
files of the single-kernel example.
"""
import pathlib

import numpy as np

from make_example import RATE, write_wav

HERE = pathlib.Path(__file__).resolve().parent


def write_float_wav(path: pathlib.Path, data: np.ndarray) -> None:
    """frames x channels floats as a 32-bit float WAV (WAVE_FORMAT_IEEE_FLOAT), which `wave` cannot write."""
    frames, channels = data.shape
    payload = data.astype("<f4").tobytes()
    fmt = (3).to_bytes(2, "little") + channels.to_bytes(2, "little") + RATE.to_bytes(4, "little")
    fmt += (RATE * channels * 4).to_bytes(4, "little") + (channels * 4).to_bytes(2, "little") + (32).to_bytes(2, "little")
    fact = (frames).to_bytes(4, "little")
    body = b"WAVE" + b"fmt " + len(fmt).to_bytes(4, "little") + fmt
    body += b"fact" + len(fact).to_bytes(4, "little") + fact
    body += b"data" + len(payload).to_bytes(4, "little") + payload
    path.write_bytes(b"RIFF" + len(body).to_bytes(4, "little") + body)


def speech(seconds: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    out = np.zeros(n)
    t0 = 0
    while t0 < n - RATE // 10:
        length = int(rng.uniform(0.12, 0.3) * RATE)
        f0 = rng.uniform(110, 140)
        pulses = np.zeros(length)
        pulses[(np.arange(0, length, RATE / f0)).astype(int)] = 1.0
        burst = pulses
        for formant, bandwidth in ((rng.uniform(500, 800), 80), (rng.uniform(1200, 2200), 120)):
            r = np.exp(-np.pi * bandwidth / RATE)
            a1, a2 = -2 * r * np.cos(2 * np.pi * formant / RATE), r * r
            y = np.zeros(length)
            for i in range(length):
                y[i] = burst[i] - a1 * (y[i - 1] if i > 0 else 0) - a2 * (y[i - 2] if i > 1 else 0)
            burst = y
        envelope = np.sin(np.pi * np.arange(length) / length) ** 2
        end = min(n, t0 + length)
        out[t0:end] += (burst * envelope)[: end - t0]
        t0 = end + int(rng.uniform(0.05, 0.15) * RATE)
    return (0.5 * out / np.max(np.abs(out)))[:, None]


def crossover(taps: int, frequency: float) -> np.ndarray:
    centre = (taps - 1) // 2
    k = np.arange(taps) - centre
    low = np.sinc(2 * frequency / RATE * k) * np.blackman(taps)
    low /= low.sum()
    high = -low
    high[centre] += 1.0
    return np.stack([low, high], axis=1)


def true_stereo_room(taps: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    decay = np.exp(-np.arange(taps) * (np.log(1000.0) / taps))
    ir = 0.25 * decay[:, None] * rng.standard_normal((taps, 4))
    ir[:, 1:3] *= 0.5
    ir[:48, 1:3] = 0.0  # the cross paths arrive 1 ms later
    ir[0, 0] = ir[0, 3] = 0.9
    return ir / np.max(np.abs(ir)) * 0.95


def main() -> None:
    write_wav(HERE / "audio/speech-mono.wav", speech(2.0, seed=21), 2)
    write_float_wav(HERE / "kernels/crossover-2way.wav", crossover(1023, 2000.0))
    write_wav(HERE / "kernels/true-stereo-room.wav", true_stereo_room(9600, seed=23), 3)


if __name__ == "__main__":
    main()
