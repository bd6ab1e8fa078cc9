#!/usr/bin/env python3
"""The scipy peer of the benchmark: `scipy_convolve.py INPUT.wav KERNEL.wav OUTPUT.wav`.

Full convolution of input channel i with kernel channel i by scipy.signal.oaconvolve in float32, written
as a float32 WAV. It runs as its own process so that it is timed like the other tools, start-up included.
"""

import sys
import warnings

import numpy as np
import scipy.io.wavfile
import scipy.signal


def read(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", scipy.io.wavfile.WavFileWarning)
        rate, data = scipy.io.wavfile.read(path)
    return rate, data.reshape(len(data), -1)


def main(argv):
    if len(argv) != 4:
        sys.exit(__doc__.splitlines()[0])
    rate, x = read(argv[1])
    _, h = read(argv[2])
    if h.shape[1] != x.shape[1]:
        sys.exit(f"kernel has {h.shape[1]} channels, input {x.shape[1]}")
    y = np.empty((len(x) + len(h) - 1, x.shape[1]), dtype=np.float32)
    for c in range(x.shape[1]):
        y[:, c] = scipy.signal.oaconvolve(np.ascontiguousarray(x[:, c], dtype=np.float32),
                                          np.ascontiguousarray(h[:, c], dtype=np.float32))
    scipy.io.wavfile.write(argv[3], rate, y)


if __name__ == "__main__":
    main(sys.argv)
