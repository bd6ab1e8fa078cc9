#!/usr/bin/env python3
"""The scipy peer of W4, as a data scientist would write it: `scipy_batch.py KERNEL.wav OUT_DIR IN.wav...`.

One Python process for every file: each input's channel i is convolved in full with the kernel's channel
i by scipy.signal.oaconvolve in float32, and written as a float32 WAV named as its input in OUT_DIR.
"""

import os
import sys

import numpy as np
import scipy.signal

from scipy_convolve import read
import scipy.io.wavfile


def main(argv):
    if len(argv) < 4:
        sys.exit(__doc__.splitlines()[0])
    _, h = read(argv[1])
    kernels = [np.ascontiguousarray(h[:, c], dtype=np.float32) for c in range(h.shape[1])]
    for path in argv[3:]:
        rate, x = read(path)
        y = np.empty((len(x) + len(h) - 1, x.shape[1]), dtype=np.float32)
        for c in range(x.shape[1]):
            y[:, c] = scipy.signal.oaconvolve(np.ascontiguousarray(x[:, c], dtype=np.float32), kernels[c])
        scipy.io.wavfile.write(os.path.join(argv[2], os.path.basename(path)), rate, y)


if __name__ == "__main__":
    main(sys.argv)
