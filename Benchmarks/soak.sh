#!/usr/bin/env bash
# Soak test of `firpipe serve` (Benchmarks/README.md, "Soak"); not part of `make test`.
#
#   Benchmarks/soak.sh [SECONDS] [--seconds N] [--taps N] [--block N] [--interval N] [--max-growth-kib N] [--reloads N] [--keep]
#
# Streams SECONDS (default 600) of seeded stereo f32le noise at 48 kHz, paced in real time by pace.py,
# through `firpipe serve` with a seeded decaying-noise stereo kernel (default 262,144 taps) and a block
# of 256 samples, and sends the output to `wc -c`. Both ends are named pipes in a scratch directory, so
# the pacing clock starts once the daemon is ready. Every --interval seconds from the end of the warm-up
# (one interval) it takes a sample: `firpipe status`, then VmRSS and user + system CPU ticks of the
# process and of each thread from /proc. The generator holds its end open after its last chunk until
# the last sample is taken. At the end it prints RSS at the first and last sample, underruns and
# overruns, the CPU load over that window (whole process per core, and per thread), and the byte count.
#
# With --reloads N, N reloads run back to back from the end of the warm-up, through `firpipe reload`,
# each after rewriting the config with gain_db alternating 0 and -0.5 dB (so every reload builds and
# crossfades to new kernels); every 100 reloads the daemon's VmRSS and open descriptors are printed,
# and the stream must last until the last reload (a failed reload is a failure).
#
# Exit status 1 when any check fails: underruns or overruns above 0, RSS grown by more than
# --max-growth-kib (default 1024) from the first to the last sample, output bytes other than input
# bytes + one block of latency, or firpipe not exiting 0. Exit 2 for bad arguments.
# Scratch files go to a temporary directory under $TMPDIR (or /tmp), removed at exit unless --keep.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
seconds=600 taps=262144 block=256 interval=10 max_growth_kib=1024 keep=0 reloads=0
rate=48000 channels=2
firpipe=${FIRPIPE:-$root/.build/static/release/firpipe}

usage() { sed -n '4p' "$0" | sed 's/^#  *//' >&2; exit 2; }
whole() { [[ $2 =~ ^[0-9]+$ ]] || { echo "soak.sh: $1 takes a whole number, not '$2'" >&2; exit 2; }; }

while (($#)); do
    case $1 in
        --seconds | --taps | --block | --interval | --max-growth-kib | --reloads)
            (($# >= 2)) || usage
            whole "$1" "$2"
            case $1 in
                --seconds) seconds=$2 ;; --taps) taps=$2 ;; --block) block=$2 ;;
                --interval) interval=$2 ;; --max-growth-kib) max_growth_kib=$2 ;; --reloads) reloads=$2 ;;
            esac
            shift 2 ;;
        --keep) keep=1; shift ;;
        -h | --help) usage ;;
        [0-9]*) whole seconds "$1"; seconds=$1; shift ;;
        *) echo "soak.sh: unknown argument '$1'" >&2; usage ;;
    esac
done
((interval >= 1)) || { echo "soak.sh: --interval must be at least 1" >&2; exit 2; }
((seconds >= 3 * interval)) || { echo "soak.sh: run for at least 3 intervals ($((3 * interval)) s)" >&2; exit 2; }

# ---- what it needs: the release build, numpy and scipy (the kernel comes from workloads.py)
if [[ ! -x $firpipe ]]; then
    echo "building firpipe (make build)"
    make -C "$root" build
fi
if ! python3 -c 'import numpy, scipy' 2>/dev/null; then
    echo "installing numpy scipy"
    python3 -m pip install -q numpy scipy
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/firpipe-soak.XXXXXX")
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    if ((keep)); then echo "scratch files kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# ---- the kernel: workloads.py's decaying noise, scaled so 10 s of its input noise peaks at 0.5
echo "generating a ${taps}-tap stereo kernel in $work"
python3 - "$here" "$work" "$taps" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
from workloads import Workload, WorkloadFiles
WorkloadFiles(Workload("soak", channels=2, seconds=10.0, taps=int(sys.argv[3]), seed=2002), sys.argv[2],
              full=False).ensure(log=lambda line: None)
EOF

# config GAIN_DB: writes the daemon's config, through a rename so a reload never reads half a file.
config() {
    cat >"$work/soak.yaml.new" <<EOF
kernel: soak/kernel.wav
block_size: $block
gain_db: $1
serve:
  stream: {input: $work/in.fifo, output: $work/out.fifo, format: f32le, channels: $channels, rate: $rate}
  control_socket: $work/soak.sock
EOF
    mv "$work/soak.yaml.new" "$work/soak.yaml"
}
config 0
mkfifo "$work/in.fifo" "$work/out.fifo"

# ---- the stream: wc <- firpipe serve <- pace.py
wc -c <"$work/out.fifo" >"$work/out.bytes" &
wc_pid=$!
pids+=("$wc_pid")
"$firpipe" serve --config "$work/soak.yaml" 2>"$work/firpipe.log" &
fp_pid=$!
pids+=("$fp_pid")
for ((i = 0; i < 1200; i++)); do  # ready once kernels are loaded and planned; 2 minutes at most
    grep -q ' streaming [0-9]* ch' "$work/firpipe.log" && break
    kill -0 "$fp_pid" 2>/dev/null || { cat "$work/firpipe.log" >&2; echo "soak.sh: firpipe exited early" >&2; exit 1; }
    sleep 0.1
done
if ! grep -q ' streaming [0-9]* ch' "$work/firpipe.log"; then
    cat "$work/firpipe.log" >&2
    echo "soak.sh: firpipe not ready after 2 minutes" >&2
    exit 1
fi

python3 "$here/pace.py" --seconds "$seconds" --rate "$rate" --channels "$channels" \
    --report "$work/pace.json" --hold-until "$work/done" >"$work/in.fifo" &
pace_pid=$!
pids+=("$pace_pid")
t0=$EPOCHREALTIME
cores=$(nproc)
tick=$(getconf CLK_TCK)
echo "streaming ${seconds} s: firpipe pid $fp_pid, ${taps} taps x $channels ch, block $block, ${rate} Hz, $cores cores"

# ticks FILE: user + system clock ticks from a /proc stat file (fields 14 and 15, counted after the comm).
ticks() {
    local stat rest
    stat=$(<"$1")
    rest=${stat##*) }
    read -r -a f <<<"$rest"
    echo $((f[11] + f[12]))
}

# sample N: status first (its one-time allocations then fall before the RSS read), then /proc.
# Appends "t rss_kib ticks underruns overruns blocks samples clipped" to samples.tsv and writes
# "tid name ticks" per thread to threads.N.
sample() {
    local n=$1 status t rss task name
    status=$("$firpipe" status --socket "$work/soak.sock")
    t=$(awk -v a="$EPOCHREALTIME" -v b="$t0" 'BEGIN { printf "%.2f", a - b }')
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$fp_pid/status")
    for task in "/proc/$fp_pid"/task/*; do
        name=$(<"$task/comm")
        echo "${task##*/} ${name// /_} $(ticks "$task/stat")"
    done >"$work/threads.$n" 2>/dev/null || true
    echo "$t $rss $(ticks "/proc/$fp_pid/stat") $(python3 -c '
import json, sys
s = json.loads(sys.argv[1])
print(s["underruns"], s["overruns"], s["blocks"], s["samples"], s["clipped_samples"])' "$status")" \
        >>"$work/samples.tsv"
}

# reload_all: the reloads of --reloads, one after the other; "reloads rss_kib fds" every 100.
reload_all() {
    local r
    sleep "$interval"
    for ((r = 1; r <= reloads; r++)); do
        config "$( ((r % 2)) && echo -0.5 || echo 0)"
        "$firpipe" reload --socket "$work/soak.sock" >/dev/null 2>>"$work/reload.errors" \
            || echo "reload $r failed" >>"$work/reload.errors"
        if ((r % 100 == 0)); then
            echo "$r $(awk '/^VmRSS:/ { print $2 }' "/proc/$fp_pid/status") $(ls "/proc/$fp_pid/fd" | wc -l)" \
                | tee -a "$work/reloads.tsv" | awk '{ printf "  reload %5d  RSS %8.1f MiB  descriptors %d\n", $1, $2 / 1024, $3 }'
        fi
    done
    touch "$work/reloads.done"
}
if ((reloads)); then
    : >"$work/reload.errors"
    reload_all &
    pids+=($!)
fi

# Samples at the end of each interval while the generator writes, and a last one after its last chunk.
n=0
for ((due = interval; due < seconds; due += interval)); do
    sleep "$(awk -v d="$due" -v a="$EPOCHREALTIME" -v b="$t0" 'BEGIN { s = d - (a - b); print (s > 0 ? s : 0) }')"
    kill -0 "$pace_pid" 2>/dev/null || break
    sample $((n += 1))
    read -r t rss _ under over blocks _ <<<"$(tail -n 1 "$work/samples.tsv")"
    printf '  %6.0f s  RSS %8.1f MiB  underruns %s  overruns %s  blocks %s\n' \
        "$t" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" "$under" "$over" "$blocks"
done
while [[ ! -s $work/pace.json ]] && kill -0 "$pace_pid" 2>/dev/null; do sleep 0.05; done
sample $((n += 1))
touch "$work/done"

pace_rc=0 fp_rc=0
wait "$pace_pid" || pace_rc=$?
# The daemon holds its input pipe open across producers, so the end of the generator is not the end of
# the stream: stop it as systemd would. It takes what is still in the pipe, flushes, and exits 0.
kill -TERM "$fp_pid" 2>/dev/null || true
wait "$fp_pid" || fp_rc=$?
wait "$wc_pid" || true
pids=()

# ---- the report
bytes_in=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["bytes"])' "$work/pace.json")
max_late=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["max_late_s"])' "$work/pace.json")
bytes_out=$(<"$work/out.bytes")
bytes_expected=$((bytes_in + block * channels * 4))
read -r t1 rss1 ticks1 _ <<<"$(head -n 1 "$work/samples.tsv")"
read -r t2 rss2 ticks2 under over blocks frames clipped <<<"$(tail -n 1 "$work/samples.tsv")"
growth=$((rss2 - rss1))
window=$(awk -v a="$t2" -v b="$t1" 'BEGIN { printf "%.1f", a - b }')

echo
echo "firpipe soak: ${seconds} s of ${channels} ch f32le at ${rate} Hz, ${taps} taps, block ${block}, ${cores} cores"
awk -v a="$rss1" -v b="$rss2" -v t1="$t1" -v t2="$t2" -v g="$growth" -v lim="$max_growth_kib" 'BEGIN {
    printf "  RSS         %.1f MiB at %.0f s, %.1f MiB at %.0f s: %+d KiB (limit %d KiB)\n",
        a / 1024, t1, b / 1024, t2, g, lim }'
echo "  underruns   $under    overruns $over    clipped samples $clipped    blocks $blocks ($frames frames)"
echo "  bytes       in $bytes_in, out $bytes_out, expected in + $block frames = $bytes_expected"
echo "  generator   at worst ${max_late} s behind real time"
echo "  CPU from ${t1} s to ${t2} s (${window} s of wall time), share of one core:"
awk -v hz="$tick" -v wall="$window" -v cores="$cores" -v p1="$ticks1" -v p2="$ticks2" '
    FNR == 1 { file++ }
    file == 1 { before[$1] = $3; next }
    { cpu[$2] += ($3 - before[$1]) / hz; count[$2]++ }
    END {
        for (name in cpu)
            printf "    %-18s x%-2d %6.1f s  %6.2f%%\n", name, count[name], cpu[name], 100 * cpu[name] / wall | "sort"
        close("sort")
        total = (p2 - p1) / hz
        printf "    %-18s     %6.1f s  %6.2f%% of one core, %.2f%% per core (%d cores)\n", "process", total,
            100 * total / wall, 100 * total / wall / cores, cores
    }' "$work/threads.1" "$work/threads.$n"

failures=()
if ((reloads)); then
    [[ -e $work/reloads.done ]] || failures+=("the stream ended before the last reload; give more seconds")
    [[ ! -s $work/reload.errors ]] || failures+=("reloads failed: $(head -n 3 "$work/reload.errors" | tr '\n' ' ')")
    if [[ -s $work/reloads.tsv ]]; then
        read -r r1 m1 d1 <<<"$(head -n 1 "$work/reloads.tsv")"
        read -r r2 m2 d2 <<<"$(tail -n 1 "$work/reloads.tsv")"
        awk -v r1="$r1" -v r2="$r2" -v a="$m1" -v b="$m2" -v d1="$d1" -v d2="$d2" 'BEGIN {
            printf "  reloads     RSS %.1f MiB after %d, %.1f MiB after %d (%+.0f KiB); descriptors %d, then %d\n",
                a / 1024, r1, b / 1024, r2, b - a, d1, d2 }'
        ((d2 == d1)) || failures+=("descriptors went from $d1 to $d2 over the reloads")
    fi
fi
((under == 0)) || failures+=("underruns: $under")
((over == 0)) || failures+=("overruns: $over")
((growth <= max_growth_kib)) || failures+=("RSS grew by $growth KiB, more than $max_growth_kib")
((bytes_out == bytes_expected)) || failures+=("output bytes $bytes_out, expected $bytes_expected")
((fp_rc == 0)) || failures+=("firpipe exited $fp_rc (log: $work/firpipe.log)")
((pace_rc == 0)) || failures+=("pace.py exited $pace_rc")
if ((${#failures[@]})); then
    keep=1
    printf 'FAIL: %s\n' "${failures[@]}"
    exit 1
fi
echo "PASS"
