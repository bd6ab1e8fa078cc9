"""The tools under test, each told how to do a true full-length convolution (see shared/PEERS.md beside the checkout).

True means: output length input + taps - 1, zero delay, unity gain, kernel channel i on input channel i.
Each tool gets its input in the form it reads; every conversion happens once, untimed, when the workload
is generated (workloads.py). What a tool needs to reach the full length (padding, options) is inside
its timed command. The harness never corrects an output: the checks in compare.py report what came out.

  firpipe      `firpipe process IN OUT --kernel K -q` (full length is its default), and with `--threads 1`,
               with FFTW plans and cost model measured once by `firpipe wisdom` into the scratch directory;
               firpipe-t1x2 runs two `--threads 1` jobs at once, to measure what two cores give right then
  ffmpeg       afir over the input padded by `apad=pad_len=TAPS-1`; `gtype=none:irgain=1` so the kernel is
               not normalised; `dry=1:wet=0.5`, which gives unity in ffmpeg 5.1 (wet=1 gives twice the
               convolution); `irfmt=input` for per-channel kernels; `minp=maxp=32768`
  brutefir     file to file: raw FLOAT_LE input already padded with taps - 1 zero frames (it stops at the
               end of its input), one raw kernel per channel, `filter_length: B,P` with P = 4 partitions
               of B = taps / 4 samples, filters spread over the cores with `process:`
  sox          one `remix C pad A B fir kC.txt` chain per channel merged by `sox -M`; fir assumes a
               linear-phase kernel and advances by taps/2 - 1, so A = taps/2 - 1 zeros go in front and
               B = taps/2 behind; from 153,726 taps on it writes silence (W2), which the checks show
  scipy        scipy.signal.oaconvolve in float32, full mode, as its own process (scipy_convolve.py)
"""

import os
import shlex
import shutil
import subprocess
import sys
import warnings

import numpy as np
import scipy.io.wavfile

HERE = os.path.dirname(os.path.abspath(__file__))


def read_wav(path):
    """A float WAV as a (frames, channels) array, memory-mapped where scipy can."""
    with warnings.catch_warnings():
        # libsndfile's PEAK chunk and similar extras are skipped with a warning.
        warnings.simplefilter("ignore", scipy.io.wavfile.WavFileWarning)
        _, data = scipy.io.wavfile.read(path, mmap=True)
    return data.reshape(len(data), -1)


class Tool:
    """A peer: what it needs, the timed command, and how to read what it wrote."""

    name = ""
    output_ext = ".wav"

    def unavailable(self):
        """None when the tool can run, else a note saying why it is skipped."""
        return None

    def prepare(self, files, scratch):
        """Untimed set-up for one workload (config files); the input conversions are in workloads.py."""

    def command(self, files, out_path):
        """(argv, env) of one timed run writing out_path; env None keeps the harness's environment."""
        raise NotImplementedError

    def read(self, out_path, files):
        """The output as (frames, channels)."""
        return read_wav(out_path)


def _missing(program):
    return None if shutil.which(program) else f"{program} not found (make bench installs it)"


class Firpipe(Tool):
    # The transform sizes the cost model picks from for W1-W3 (twice the partition size).
    WISDOM_SIZES = [16384, 32768, 65536, 131072, 262144, 524288]

    def __init__(self, binary, scratch, threads=None):
        self.binary = binary
        self.threads = threads
        self.name = "firpipe" if threads is None else f"firpipe-t{threads}"
        # Its own cache, so every machine is timed with plans measured on it (as BruteFIR's warm-up
        # builds its wisdom) and the user's cache is neither used nor touched.
        self.cache = os.path.join(scratch, "firpipe-cache")

    def unavailable(self):
        if not os.access(self.binary, os.X_OK):
            return f"{self.binary} not built (make build)"
        return None

    def prepare(self, files, scratch):
        """Once per scratch directory: `firpipe wisdom` measures FFTW plans and the cost model (~40 s)."""
        if os.path.exists(os.path.join(self.cache, "firpipe", "cost-model.json")):
            return
        print(f"firpipe: measuring FFTW plans and the cost model into {self.cache} (once, about 40 s)",
              file=sys.stderr, flush=True)
        sizes = [str(s) for s in self.WISDOM_SIZES]
        subprocess.run([self.binary, "wisdom", "--sizes", *sizes], env=self.environment(), check=True,
                       stdout=subprocess.DEVNULL)

    def environment(self):
        return dict(os.environ, XDG_CACHE_HOME=self.cache)

    def command(self, files, out_path):
        argv = [self.binary, "process", files.input_wav, out_path, "--kernel", files.kernel_wav, "-q"]
        if self.threads is not None:
            argv += ["--threads", str(self.threads)]
        return argv, self.environment()


class FirpipePair(Firpipe):
    """Two `--threads 1` runs at once, each to its own output: the work two independent single-threaded
    jobs get done side by side (sharing caches, memory bandwidth, page cache and disk, as threads do) is
    what this machine gives two cores at that moment, the ceiling for firpipe's own speed-up from
    threads (on a shared VM well under 2). The first output is checked."""

    def __init__(self, binary, scratch):
        super().__init__(binary, scratch, threads=1)
        self.name = "firpipe-t1x2"

    def command(self, files, out_path):
        argv, env = super().command(files, out_path)
        root, ext = os.path.splitext(out_path)
        second = root + "-second" + ext
        argv2 = [second if a == out_path else a for a in argv]
        script = (f"{shlex.join(argv)} & first=$!; {shlex.join(argv2)}; second=$?; wait $first; first=$?; "
                  f"rm -f {shlex.quote(second)}; [ $first -eq 0 ] && [ $second -eq 0 ]")
        return ["sh", "-c", script], env


class Ffmpeg(Tool):
    name = "ffmpeg"
    PARTITION = 32768

    def unavailable(self):
        return _missing("ffmpeg")

    def command(self, files, out_path):
        w = files.workload
        # maxir is in seconds; 30 is afir's default and fits every workload here.
        maxir = max(30, int(np.ceil(w.taps / 48000)) + 1)
        graph = (f"[0:a]apad=pad_len={w.taps - 1}[x];"
                 f"[x][1:a]afir=dry=1:wet=0.5:gtype=none:irgain=1:irfmt=input:maxir={maxir}:length=1"
                 f":minp={self.PARTITION}:maxp={self.PARTITION}")
        argv = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                "-i", files.input_wav, "-i", files.kernel_wav,
                "-filter_complex", graph, "-c:a", "pcm_f32le", out_path]
        return argv, None


class Sox(Tool):
    name = "sox"

    def unavailable(self):
        return _missing("sox")

    def command(self, files, out_path):
        w = files.workload
        front = w.taps // 2 - 1
        back = w.taps - 1 - front
        inp = shlex.quote(files.input_wav)
        chains = [f"|sox {inp} -p remix {c + 1} pad {front}s {back}s fir {shlex.quote(files.kernel_txt(c))}"
                  for c in range(w.channels)]
        argv = ["sox", "-M", *chains, "-e", "floating-point", "-b", "32", out_path]
        return argv, None


class BruteFir(Tool):
    name = "brutefir"
    output_ext = ".raw"
    MODULES = "/usr/lib/brutefir"

    def __init__(self, scratch):
        self.home = os.path.join(scratch, "brutefir-home")
        self.wisdom = os.path.join(scratch, "brutefir-wisdom")

    def unavailable(self):
        return _missing("brutefir")

    @staticmethod
    def filter_length(taps):
        """B,P: four partitions (its best measured split for 64k and 1M taps), B a power of two >= 64."""
        block = max(64, 1 << (max(taps // 4, 1) - 1).bit_length())
        return block, -(-taps // block)

    def config_path(self, files):
        return files.path("brutefir.conf")

    def prepare(self, files, scratch):
        os.makedirs(self.home, exist_ok=True)

    def command(self, files, out_path):
        w = files.workload
        block, parts = self.filter_length(w.taps)
        cores = os.cpu_count() or 1
        names = range(w.channels)
        lines = [
            "float_bits: 32;",
            "sampling_rate: 48000;",
            f"filter_length: {block},{parts};",
            "overflow_warnings: true;",
            "show_progress: false;",
            "allow_poll_mode: false;",
            f'modules_path: "{self.MODULES}";',
            "powersave: false;",
            "monitor_rate: false;",
            "lock_memory: false;",
            f'convolver_config: "{self.wisdom}";',
        ]
        for c in names:
            lines.append(f'coeff "c{c}" {{ filename: "{files.kernel_raw(c)}"; format: "FLOAT_LE"; '
                         f"attenuation: 0.0; }};")
        chans = ",".join(str(c) for c in names)
        ins = ", ".join(f'"i{c}"' for c in names)
        outs = ", ".join(f'"o{c}"' for c in names)
        lines.append(f'input {ins} {{ device: "file" {{ path: "{files.input_padded_raw}"; }}; '
                     f'sample: "FLOAT_LE"; channels: {w.channels}/{chans}; }};')
        lines.append(f'output {outs} {{ device: "file" {{ path: "{out_path}"; }}; '
                     f'sample: "FLOAT_LE"; channels: {w.channels}/{chans}; dither: false; }};')
        for c in names:
            lines.append(f'filter "f{c}" {{ from_inputs: "i{c}"; to_outputs: "o{c}"; coeff: "c{c}"; '
                         f"process: {c % cores}; }};")
        config = self.config_path(files)
        with open(config, "w") as f:
            f.write("\n".join(lines) + "\n")
        env = dict(os.environ, HOME=self.home)
        return ["brutefir", "-nodefault", config], env

    def read(self, out_path, files):
        data = np.memmap(out_path, dtype="<f4", mode="r")
        channels = files.workload.channels
        return data[: len(data) // channels * channels].reshape(-1, channels)


class Scipy(Tool):
    name = "scipy-f32"

    def command(self, files, out_path):
        script = os.path.join(HERE, "scipy_convolve.py")
        return [sys.executable, script, files.input_wav, files.kernel_wav, out_path], None


def all_tools(firpipe_binary, scratch):
    """Every tool in table order, by name."""
    tools = [Firpipe(firpipe_binary, scratch), Firpipe(firpipe_binary, scratch, threads=1),
             FirpipePair(firpipe_binary, scratch), Ffmpeg(), BruteFir(scratch), Sox(), Scipy()]
    return {t.name: t for t in tools}


# Short names accepted by --tools.
ALIASES = {"firpipe-1t": "firpipe-t1", "scipy": "scipy-f32"}
