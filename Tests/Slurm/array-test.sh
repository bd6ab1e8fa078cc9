#!/bin/bash
# The Slurm test of `firpipe batch` (issue 18): a real single-node cluster (slurmctld + slurmd + munge
# from Debian's packages, as /work/shared/recipes/slurm-single-node.sh starts one), the deploy script
# submitted as a 4-task array over 60 generated files; the outputs must be byte-identical to a
# one-process `firpipe batch` and every file committed exactly once (each output once over all shards'
# journals). Then a second run has one task cancelled mid-way (scancel), the array resubmitted, and
# again nothing is lost or duplicated. Run by `make test` (target test-slurm); skipped with a message
# when it cannot run here (not root, no apt-get).
#
#   Tests/Slurm/array-test.sh FIRPIPE_BINARY
set -euo pipefail
FP=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")/../.." && pwd)
SBATCH_SCRIPT=$HERE/deploy/slurm/firpipe-array.sbatch
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "slurm test skipped: needs root and apt-get to install and start a single-node Slurm"; exit 0
fi
W=$(mktemp -d /tmp/firpipe-slurm-XXXXXX)
started=""
stop_cluster() {
    [ -n "$started" ] || return 0
    scancel --user=root 2>/dev/null || true
    for f in /run/slurm/slurmd.pid /run/slurm/slurmctld.pid /run/munge/munged.pid; do
        [ -s $f ] || continue
        P=$(cat $f); kill $P 2>/dev/null || true
        for _ in $(seq 40); do kill -0 $P 2>/dev/null || break; sleep 0.25; done
    done
}
trap 'stop_cluster; rm -rf "$W"' EXIT

# 1-4 of the recipe: install, munge, the config, start.
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
fi
[ -s /etc/munge/munge.key ] || runuser -u munge -- mungekey --create
mkdir -p /run/munge && chown munge:munge /run/munge
pgrep -x munged >/dev/null || runuser -u munge -- /usr/sbin/munged
mkdir -p /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/slurm
chown slurm:slurm /var/spool/slurmctld /var/log/slurm
H=$(hostname -s); MEM=$(( $(free -m | awk '/Mem:/{print $2}') - 1024 )); CPUS=$(nproc)
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=local
SlurmctldHost=$H(127.0.0.1)
SlurmUser=slurm
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurm/slurmctld.pid
SlurmdPidFile=/run/slurm/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
NodeName=$H NodeAddr=127.0.0.1 CPUs=$CPUS Sockets=1 CoresPerSocket=$CPUS ThreadsPerCore=1 RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=$H Default=YES MaxTime=INFINITE State=UP
CONF
pgrep -x slurmctld >/dev/null || /usr/sbin/slurmctld
pgrep -x slurmd >/dev/null || /usr/sbin/slurmd
started=1
for _ in $(seq 60); do [ "$(sinfo -h -o %T 2>/dev/null)" = idle ] && break; sleep 0.5; done
[ "$(sinfo -h -o %T)" = idle ] || { echo "slurm test FAILED: the node is not idle: $(sinfo)"; exit 1; }

# 60 stereo files of 1 or 2 s (16-bit WAV, seeded noise) and a 131,072-tap kernel, so a task takes a while.
python3 - "$W" <<'PY'
import os, random, struct, sys, wave
w = sys.argv[1]
os.makedirs(f"{w}/in/b", exist_ok=True)
def write(path, frames, channels, seed, scale):
    r = random.Random(seed)
    with wave.open(path, "wb") as f:
        f.setnchannels(channels); f.setsampwidth(2); f.setframerate(48000)
        f.writeframes(struct.pack(f"<{frames * channels}h",
                                  *(int(r.gauss(0, scale)) for _ in range(frames * channels))))
for i in range(60):
    write(f"{w}/in/{'b/' if i % 3 == 0 else ''}f{i:02d}.wav", 48000 * (1 + i % 2), 2, i, 3000)
write(f"{w}/k.wav", 131072, 1, 99, 30)
PY

wait_for() {  # job id: until the array has left the queue
    for _ in $(seq 600); do [ -z "$(squeue -h -j "$1" 2>/dev/null)" ] && return 0; sleep 0.5; done
    echo "slurm test FAILED: job $1 still queued after 300 s"; exit 1
}
check() {  # output directory, what: bytes as the one-process run, each output once in the journals
    local out=$1 what=$2
    for f in $(cd "$W/ref" && find . -name '*.wav' | sort); do
        cmp -s "$W/ref/$f" "$out/$f" || { echo "slurm test FAILED ($what): $f differs or is missing"; exit 1; }
    done
    local lines unique
    lines=$(cat "$out"/.firpipe-batch-journal-shard-* | grep -c '"output"')
    unique=$(cat "$out"/.firpipe-batch-journal-shard-* | grep -o '"output":"[^"]*"' | sort -u | wc -l)
    [ "$lines" = 60 ] && [ "$unique" = 60 ] || {
        echo "slurm test FAILED ($what): $lines journal lines for $unique outputs, want 60 and 60"; exit 1; }
    if find "$out" -name '*.firpipe-*.tmp' | grep -q .; then
        echo "slurm test FAILED ($what): temporary files left"; exit 1
    fi
}

# One cache for the reference and the shards: the plans the reference measures and saves are the ones the
# shards load, so the bytes compared do not depend on two processes timing FFTW's candidates alike (nor on
# the runner's own cache and cost model).
export FIRPIPE=$FP XDG_CACHE_HOME=$W/cache
"$FP" batch "$W/in" "$W/ref" -k "$W/k.wav" -q
cd "$W"
J=$(sbatch --parsable --array=0-3 -o "$W/a-%A_%a.log" "$SBATCH_SCRIPT" "$W/in" "$W/out" "$W/k.wav")
wait_for "$J"
check "$W/out" "4-task array"
done_total=$(cat "$W"/out/.firpipe-batch-report-shard-*-of-4.jsonl | grep -c '"status":"done"')
[ "$done_total" = 60 ] || { echo "slurm test FAILED: the shards' reports say $done_total done, want 60"; exit 1; }
summary=$("$FP" batch --summarize "$W/out") || { echo "slurm test FAILED: --summarize after the array: exit $?"; exit 1; }
case "$summary" in *"60 jobs: 60 done, 0 skipped, 0 failed, 0 missing"*) ;;
    *) echo "slurm test FAILED: --summarize after the array says: $summary"; exit 1 ;; esac
echo "slurm: 4-task array over 60 files: outputs identical to one process, each done once; --summarize: 60 done"

# Cancel task 2 once it has committed something, then resubmit the whole array.
J=$(sbatch --parsable --array=0-3 -o "$W/b-%A_%a.log" "$SBATCH_SCRIPT" "$W/in" "$W/out2" "$W/k.wav")
for _ in $(seq 600); do
    [ -s "$W/out2/.firpipe-batch-journal-shard-2-of-4" ] && break
    [ -z "$(squeue -h -j "$J")" ] && break
    sleep 0.05
done
scancel "${J}_2"
wait_for "$J"
before=$(cat "$W"/out2/.firpipe-batch-journal-shard-2-of-4 2>/dev/null | grep -c '"output"' || true)
# The summary names what the cancelled task left, all of it in shard 2: exit 75 (or 0 if it had finished).
set +e
summary=$("$FP" batch --summarize "$W/out2")
rc=$?
set -e
missing=$(printf '%s\n' "$summary" | grep -c '^missing: ' || true)
elsewhere=$(printf '%s\n' "$summary" | grep '^missing: ' | grep -vc '(shard 2/4)$' || true)
ok=no
if [ "$elsewhere" = 0 ]; then
    if [ "$rc" = 75 ] && [ "$missing" -gt 0 ]; then ok=yes; fi
    if [ "$rc" = 0 ] && [ "$missing" = 0 ]; then ok=yes; fi
fi
[ "$ok" = yes ] || { echo "slurm test FAILED: --summarize after the cancel: exit $rc, $missing missing: $summary"; exit 1; }
J=$(sbatch --parsable --array=0-3 -o "$W/c-%A_%a.log" "$SBATCH_SCRIPT" "$W/in" "$W/out2" "$W/k.wav")
wait_for "$J"
check "$W/out2" "cancelled and resubmitted"
"$FP" batch --summarize "$W/out2" | grep -q ', 0 failed, 0 missing;' || {
    echo "slurm test FAILED: --summarize after the resubmission still finds jobs failed or missing"; exit 1; }
echo "slurm: task 2 cancelled after $before of its files ($missing missing by --summarize, all shard 2's)," \
    "array resubmitted: nothing lost, nothing done twice"
