#!/usr/bin/env python3
"""Makes the small example files that Config/example.yaml uses (committed; rerun only to change them).

- audio/example-input.wav: 3 s of stereo 16-bit 48 kHz test music (a chord with a plucked envelope,
  different in each channel, and a little noise), peaking near -6 dBFS.
- kernels/room-stereo.wav: a stereo 24-bit "room" impulse response, 0.25 s (12,000 taps): a direct
  impulse followed by exponentially decaying noise, so the filtered file audibly gains a small room.
- kernels/lowpass-255.txt: a 255-tap windowed-sinc low-pass at 4 kHz, as text (one tap a line, as SoX's
  `fir` reads), for the command-line quick start.

Only the Python standard library and numpy; deterministic (fixed seeds).
"""
import pathlib
import wave

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
RATE = 48000


def write_wav(path: pathlib.Path, data: np.ndarray, width: int) -> None:
    """data: frames x channels floats in [-1, 1); width: bytes per sample (2 or 3)."""
    scale = 2 ** (8 * width - 1) - 1
    ints = np.clip(np.round(data * scale), -scale - 1, scale).astype("<i4")
    raw = ints.view(np.uint8).reshape(-1, 4)[:, :width].tobytes()
    with wave.open(str(path), "wb") as w:
        w.setnchannels(data.shape[1])
        w.setsampwidth(width)
        w.setframerate(RATE)
        w.writeframes(raw)


def music(seconds: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    out = np.zeros((t.size, 2))
    for ch, root in enumerate((220.0, 277.18)):
        for k, note in enumerate((1.0, 1.25, 1.5, 2.0)):
            onset = 0.35 * k
            env = np.where(t >= onset, np.exp(-(t - onset) * 2.5), 0.0)
            out[:, ch] += 0.12 * env * np.sin(2 * np.pi * root * note * t)
        out[:, ch] += 0.01 * rng.standard_normal(t.size)
    return 0.5 * out / np.max(np.abs(out))


def room(taps: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    decay = np.exp(-np.arange(taps) * (np.log(1000.0) / taps))
    ir = 0.3 * decay[:, None] * rng.standard_normal((taps, 2))
    ir[0, :] = 0.9
    return ir / np.max(np.abs(ir)) * 0.95


def lowpass(taps: int, cutoff: float) -> np.ndarray:
    n = np.arange(taps) - (taps - 1) / 2
    h = np.sinc(2 * cutoff / RATE * n) * np.blackman(taps)
    return h / h.sum()


def main() -> None:
    (HERE / "audio").mkdir(exist_ok=True)
    (HERE / "kernels").mkdir(exist_ok=True)
    write_wav(HERE / "audio/example-input.wav", music(3.0, seed=7), 2)
    write_wav(HERE / "kernels/room-stereo.wav", room(12000, seed=11), 3)
    taps = lowpass(255, 4000.0)
    text = "# 255-tap windowed-sinc low-pass at 4 kHz (48 kHz), one tap a line\n"
    text += "".join(f"{x:.9e}\n" for x in taps)
    (HERE / "kernels/lowpass-255.txt").write_text(text)


if __name__ == "__main__":
    main()
