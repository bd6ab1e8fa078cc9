"""The benchmark workloads: their parameters, their files in the scratch directory, and the float64 reference.

Every workload is a seeded, noise-like 32-bit float WAV input at 48 kHz and a kernel of decaying noise
with one different channel per path. A plain workload (W1-W3) has one path per channel: kernel channel
i filters input channel i into output i. A routed one (the W5 jobs) lists its paths as (output, input)
pairs, kernel channel k being path k, and each output is the sum of its paths. The kernel is scaled so
that the full outputs peak near 0.5. Files are generated once into `<bench dir>/<workload>/` and reused while the parameters in
its `stamp.json` match; each file is written under a temporary name and renamed, and the stamp is written
last, so an interrupted generation is redone on the next run.

Files in a workload directory:
  input.wav          the input, float32 WAV (firpipe, ffmpeg, SoX, scipy)
  kernel.wav         the kernel, float32 WAV with one channel per path (firpipe, ffmpeg, scipy)
  kernel-cN.raw      channel N of the kernel as raw little-endian float32 (BruteFIR)
  kernel-cN.txt      channel N of the kernel as text, one coefficient a line (SoX)
  input-padded.raw   the input followed by taps - 1 zero frames, raw interleaved float32 (BruteFIR)
  reference.npy      the float64 full convolution of each path, summed per output,
                     shape (output channels, input + taps - 1)
"""

import json
import os
from dataclasses import asdict, dataclass, replace

import numpy as np
import scipy.io.wavfile
import scipy.signal

RATE = 48000
# Bump when the way files are generated changes, so old scratch files are regenerated.
GENERATOR_VERSION = 1
# The output of every workload peaks near this value.
TARGET_PEAK = 0.5
# The kernel envelope falls to -60 dB at its last tap.
KERNEL_DECAY_DB = 60.0
# RMS of the input noise (-20 dBFS).
INPUT_RMS = 0.1


@dataclass(frozen=True)
class Workload:
    """One benchmark case: `channels` of `seconds` of input filtered by a `taps`-long kernel per path."""

    name: str
    channels: int  # of the input
    seconds: float
    taps: int
    seed: int
    # How many times the base input is repeated end to end (the memory workload is W1 made 10x longer).
    repeat: int = 1
    # Routing: one (output, input) pair per kernel channel; empty means channel i to output i.
    paths: tuple = ()
    # The kernel's seed when it differs from the input's (the W5 jobs take W1's input, seed and all).
    kernel_seed: int = None

    @property
    def routes(self):
        """(output, input) of each path, kernel channel k being path k."""
        return self.paths or tuple((c, c) for c in range(self.channels))

    @property
    def routed(self):
        """True when the paths are not one per channel (the tools must route and mix)."""
        return bool(self.paths)

    @property
    def kernel_channels(self):
        return len(self.routes)

    @property
    def output_channels(self):
        return 1 + max(out for out, _ in self.routes)

    @property
    def frames(self):
        """Input length in frames."""
        return int(round(self.seconds * RATE)) * self.repeat

    @property
    def output_frames(self):
        """Length of a true full convolution."""
        return self.frames + self.taps - 1

    @property
    def duration(self):
        """Input duration in seconds."""
        return self.frames / RATE


WORKLOADS = {
    "W1": Workload("W1", channels=2, seconds=120, taps=65536, seed=1001),
    "W2": Workload("W2", channels=2, seconds=120, taps=1048576, seed=1002),
    "W3": Workload("W3", channels=8, seconds=60, taps=16384, seed=1003),
    # W5, routing, on W1's input (its seed: the same samples): a 2 -> 4 crossover, each input through two
    # kernels to an output of its own, and true stereo, where each output sums a path from each input.
    "W5-xover": Workload("W5-xover", channels=2, seconds=120, taps=65536, seed=1001, kernel_seed=1005,
                         paths=((0, 0), (1, 0), (2, 1), (3, 1))),
    "W5-ts": Workload("W5-ts", channels=2, seconds=120, taps=65536, seed=1001, kernel_seed=1006,
                      paths=((0, 0), (1, 0), (0, 1), (1, 1))),  # LL, LR, RL, RR
}

# What --workloads names: a group is timed in the same alternating rounds. A group with routed jobs also
# times firpipe on its baseline, plain stereo W1, so that their ratio comes from the same rounds.
GROUPS = {
    "W1": ["W1"],
    "W2": ["W2"],
    "W3": ["W3"],
    "W5": ["W5-xover", "W5-ts"],
}
ROUTING_BASELINE = "W1"

QUICK_SECONDS = 10.0


def quick(workload):
    """The same workload with a 10 s input (`--quick`)."""
    return replace(workload, seconds=QUICK_SECONDS)


def memory_workloads():
    """W1, and W1 with its input repeated 10 times (20 minutes): the `--memory` cases."""
    w1 = WORKLOADS["W1"]
    return [w1, Workload("W1x10", w1.channels, w1.seconds, w1.taps, w1.seed, repeat=10)]


class WorkloadFiles:
    """The files of one workload in the scratch directory; `ensure()` generates what is missing."""

    def __init__(self, workload, bench_dir, full=True):
        """`full=False` makes only the WAV input and kernel (for firpipe alone), without the reference."""
        self.workload = workload
        standard = WORKLOADS.get(workload.name, workload)
        suffix = "" if workload.seconds == standard.seconds else f"-{workload.seconds:g}s"
        self.dir = os.path.join(bench_dir, workload.name + suffix)
        self.full = full

    def path(self, name):
        return os.path.join(self.dir, name)

    @property
    def input_wav(self):
        return self.path("input.wav")

    @property
    def kernel_wav(self):
        return self.path("kernel.wav")

    @property
    def input_padded_raw(self):
        return self.path("input-padded.raw")

    @property
    def reference_npy(self):
        return self.path("reference.npy")

    def kernel_raw(self, channel):
        return self.path(f"kernel-c{channel}.raw")

    def kernel_txt(self, channel):
        return self.path(f"kernel-c{channel}.txt")

    def _stamp(self):
        # The routing fields are left out while unset, so the stamps of W1-W3 stay as they were. The round
        # trip through JSON turns tuples into lists, as the stamp on disk has them.
        workload = {k: v for k, v in asdict(self.workload).items() if k not in ("paths", "kernel_seed") or v}
        return json.loads(json.dumps(
            {"generator": GENERATOR_VERSION, "rate": RATE, "input_rms": INPUT_RMS,
             "kernel_decay_db": KERNEL_DECAY_DB, "target_peak": TARGET_PEAK,
             "full": self.full, "workload": workload}))

    def _expected_files(self):
        files = [self.input_wav, self.kernel_wav]
        if self.full:
            files += [self.input_padded_raw, self.reference_npy]
            for c in range(self.workload.kernel_channels):
                files += [self.kernel_raw(c), self.kernel_txt(c)]
        return files

    def is_current(self):
        """True when every file exists and was made with these parameters."""
        try:
            with open(self.path("stamp.json")) as f:
                stamp = json.load(f)
        except (OSError, ValueError):
            return False
        return stamp == self._stamp() and all(os.path.exists(p) for p in self._expected_files())

    def ensure(self, log=print):
        """Generates the workload's files unless the stamp says they are current."""
        if self.is_current():
            return
        w = self.workload
        log(f"generating {w.name}: {w.channels} ch x {w.duration:g} s, {w.kernel_channels} x {w.taps} taps "
            f"-> {self.dir}")
        os.makedirs(self.dir, exist_ok=True)
        stamp_path = self.path("stamp.json")
        if os.path.exists(stamp_path):
            os.remove(stamp_path)
        x = make_input(w)
        h = make_kernel(w, x)
        _write_wav(self.input_wav, x)
        _write_wav(self.kernel_wav, h)
        if self.full:
            self._write_peer_files(x, h)
        with open(stamp_path, "w") as f:
            json.dump(self._stamp(), f, indent=1)

    def _write_peer_files(self, x, h):
        w = self.workload
        for c in range(w.kernel_channels):
            _atomic(self.kernel_raw(c), lambda tmp, c=c: h[:, c].astype("<f4").tofile(tmp))
            # %.9g round-trips every float32 exactly.
            _atomic(self.kernel_txt(c), lambda tmp, c=c: np.savetxt(tmp, h[:, c].astype(np.float64), fmt="%.9g"))
        _atomic(self.input_padded_raw, lambda tmp: _write_padded_raw(tmp, x, w.taps - 1))
        ref = full_outputs(w, x, h.astype(np.float64))
        _atomic(self.reference_npy, lambda tmp: _save_npy(tmp, ref))

    def reference(self):
        """The float64 reference, (channels, output frames), memory-mapped."""
        return np.load(self.reference_npy, mmap_mode="r")


def make_input(w):
    """Gaussian noise at INPUT_RMS, one seeded stream per channel, as float32 (frames, channels)."""
    base = int(round(w.seconds * RATE))
    x = np.empty((base, w.channels), dtype=np.float32)
    for c in range(w.channels):
        rng = np.random.default_rng([w.seed, 1, c])
        x[:, c] = np.clip(rng.standard_normal(base, dtype=np.float32) * np.float32(INPUT_RMS), -1.0, 1.0)
    if w.repeat > 1:
        x = np.tile(x, (w.repeat, 1))
    return x


def make_kernel(w, x):
    """Decaying noise, one channel per path, scaled as float32 so the outputs peak near TARGET_PEAK.

    The scale comes from the unscaled kernel's full outputs for the base input (for a repeated input,
    its first copy), so the peak is exact up to the float32 rounding of the kernel.
    """
    n = np.arange(w.taps, dtype=np.float64)
    envelope = 10.0 ** (-KERNEL_DECAY_DB / 20.0 * n / max(w.taps - 1, 1))
    seed = w.seed if w.kernel_seed is None else w.kernel_seed
    h = np.empty((w.taps, w.kernel_channels), dtype=np.float64)
    for c in range(w.kernel_channels):
        rng = np.random.default_rng([seed, 2, c])
        h[:, c] = envelope * rng.standard_normal(w.taps)
    base = int(round(w.seconds * RATE))
    peak = np.max(np.abs(full_outputs(w, x[:base], h)))
    return (h * (TARGET_PEAK / peak)).astype(np.float32)


def full_outputs(w, x, h):
    """The float64 full convolution of each path (input x[:, i] through kernel h[:, k]), summed per output:
    shape (output channels, frames + taps - 1)."""
    y = np.zeros((w.output_channels, len(x) + w.taps - 1))
    for k, (out, inp) in enumerate(w.routes):
        y[out] += scipy.signal.oaconvolve(x[:, inp].astype(np.float64), h[:, k].astype(np.float64))
    return y


def _atomic(path, write):
    tmp = path + ".tmp"
    write(tmp)
    os.replace(tmp, path)


def _write_wav(path, data):
    # scipy writes float32 arrays as IEEE-float WAV.
    _atomic(path, lambda tmp: scipy.io.wavfile.write(tmp, RATE, data))


def _save_npy(tmp, array):
    with open(tmp, "wb") as f:
        np.save(f, array)


def _write_padded_raw(tmp, x, pad):
    with open(tmp, "wb") as f:
        x.astype("<f4").tofile(f)
        np.zeros((pad, x.shape[1]), dtype="<f4").tofile(f)
