"""The tools under test, each told how to do a true full-length convolution (see shared/PEERS.md beside the checkout).

True means: output length input + taps - 1, zero delay, unity gain, kernel channel i on input channel i;
on a routed workload (W5), kernel channel k on path k's input, the paths summed into their outputs.
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

Routing (W5), for the tools that do it here (`routes = True`):
  firpipe      a processing graph in a YAML config written by prepare(): one convolution filter per path
               (`channel:` of the kernel file), a mixer spreading the inputs to the paths, one filter step
               per path, and a mixer summing the paths into the outputs (left out when it would copy)
  ffmpeg       `pan` spreads the inputs to one channel per path, afir with `irfmt=input` filters channel k
               with kernel channel k, and a second `pan` sums the paths into the outputs (when needed)
  brutefir     one filter per path, `from_inputs` its input and `to_outputs` its output: BruteFIR sums
               the filters that share an output, which must then run in one process (`process:` the
               output's index mod the cores)
SoX and scipy are not routed here; on W5 they are skipped with a note.
"""

import json
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
    # Whether command() does a routed workload's paths and sums (W5).
    routes = False

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
    # The transform sizes the cost model picks from for W1-W3 and W5 (twice the partition size).
    WISDOM_SIZES = [16384, 32768, 65536, 131072, 262144, 524288]
    routes = True

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
        """Writes a routed workload's graph config; once per scratch directory, `firpipe wisdom` measures
        FFTW plans and the cost model (~40 s)."""
        if files is not None and files.workload.routed:
            with open(self.graph_config(files), "w") as f:
                f.write(graph_yaml(files.workload, files.kernel_wav))
        if os.path.exists(os.path.join(self.cache, "firpipe", "cost-model.json")):
            return
        print(f"firpipe: measuring FFTW plans and the cost model into {self.cache} (once, about 40 s)",
              file=sys.stderr, flush=True)
        sizes = [str(s) for s in self.WISDOM_SIZES]
        subprocess.run([self.binary, "wisdom", "--sizes", *sizes], env=self.environment(), check=True,
                       stdout=subprocess.DEVNULL)

    def environment(self):
        return dict(os.environ, XDG_CACHE_HOME=self.cache)

    @staticmethod
    def graph_config(files):
        return files.path("firpipe-graph.yaml")

    def command(self, files, out_path):
        if files.workload.routed:
            argv = [self.binary, "process", files.input_wav, out_path, "--config", self.graph_config(files), "-q"]
        else:
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


def graph_yaml(w, kernel):
    """firpipe's config for a routed workload: filter p<k> is kernel channel k; the `spread` mixer gives
    each path a copy of its input, each path's channel is filtered, and `sum` adds the paths into their
    outputs. When path k alone feeds output k (the crossover), `sum` would only copy and is left out."""
    routes = w.routes
    lines = [f"# {w.name}: written by Benchmarks/peers.py; input and output come from the command line.",
             "filters:"]
    lines += [f"  p{k}: {{type: convolution, kernel: {json.dumps(kernel)}, channel: {k}}}"
              for k in range(len(routes))]
    lines += ["mixers:", "  spread:", f"    channels: {{in: {w.channels}, out: {len(routes)}}}", "    mapping:"]
    lines += [f"      - {{dest: {k}, sources: [{{channel: {inp}}}]}}" for k, (_, inp) in enumerate(routes)]
    copies = [out for out, _ in routes] == list(range(w.output_channels))
    if not copies:
        lines += ["  sum:", f"    channels: {{in: {len(routes)}, out: {w.output_channels}}}", "    mapping:"]
        for out in range(w.output_channels):
            sources = ", ".join(f"{{channel: {k}}}" for k, (o, _) in enumerate(routes) if o == out)
            lines.append(f"      - {{dest: {out}, sources: [{sources}]}}")
    lines += ["pipeline:", "  - {type: mixer, name: spread}"]
    lines += [f"  - {{type: filter, channels: [{k}], names: [p{k}]}}" for k in range(len(routes))]
    if not copies:
        lines.append("  - {type: mixer, name: sum}")
    lines.append("subtype: float")
    return "\n".join(lines) + "\n"


class Ffmpeg(Tool):
    name = "ffmpeg"
    PARTITION = 32768
    routes = True

    def unavailable(self):
        return _missing("ffmpeg")

    @staticmethod
    def routing(w):
        """The pan filters before and after afir for a routed workload, as (spread, sum); sum is None when
        path k alone feeds output k. `cK=cI` copies and `cO=cA+cB` adds with unit gains: pan scales
        nothing when its gains are written with `=`, not `<`."""
        routes = w.routes
        spread = f"pan={len(routes)}c|" + "|".join(f"c{k}=c{inp}" for k, (_, inp) in enumerate(routes))
        if [out for out, _ in routes] == list(range(w.output_channels)):
            return spread, None
        sums = ["+".join(f"c{k}" for k, (o, _) in enumerate(routes) if o == out)
                for out in range(w.output_channels)]
        return spread, f"pan={w.output_channels}c|" + "|".join(f"c{o}={s}" for o, s in enumerate(sums))

    def command(self, files, out_path):
        w = files.workload
        # maxir is in seconds; 30 is afir's default and fits every workload here.
        maxir = max(30, int(np.ceil(w.taps / 48000)) + 1)
        spread, total = self.routing(w) if w.routed else (None, None)
        graph = (f"[0:a]{spread + ',' if spread else ''}apad=pad_len={w.taps - 1}[x];"
                 f"[x][1:a]afir=dry=1:wet=0.5:gtype=none:irgain=1:irfmt=input:maxir={maxir}:length=1"
                 f":minp={self.PARTITION}:maxp={self.PARTITION}{',' + total if total else ''}")
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
    routes = True

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
        for k in range(w.kernel_channels):
            lines.append(f'coeff "c{k}" {{ filename: "{files.kernel_raw(k)}"; format: "FLOAT_LE"; '
                         f"attenuation: 0.0; }};")
        outputs = range(w.output_channels)
        ins = ", ".join(f'"i{c}"' for c in names)
        outs = ", ".join(f'"o{c}"' for c in outputs)
        lines.append(f'input {ins} {{ device: "file" {{ path: "{files.input_padded_raw}"; }}; '
                     f'sample: "FLOAT_LE"; channels: {w.channels}/{",".join(str(c) for c in names)}; }};')
        lines.append(f'output {outs} {{ device: "file" {{ path: "{out_path}"; }}; '
                     f'sample: "FLOAT_LE"; channels: {w.output_channels}/{",".join(str(c) for c in outputs)}; '
                     f"dither: false; }};")
        # One filter per path. Filters writing to one output are summed there, and BruteFIR requires that
        # mixing to happen within one process: the process follows the output.
        for k, (out, inp) in enumerate(w.routes):
            lines.append(f'filter "f{k}" {{ from_inputs: "i{inp}"; to_outputs: "o{out}"; coeff: "c{k}"; '
                         f"process: {out % cores}; }};")
        config = self.config_path(files)
        with open(config, "w") as f:
            f.write("\n".join(lines) + "\n")
        env = dict(os.environ, HOME=self.home)
        return ["brutefir", "-nodefault", config], env

    def read(self, out_path, files):
        data = np.memmap(out_path, dtype="<f4", mode="r")
        channels = files.workload.output_channels
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
