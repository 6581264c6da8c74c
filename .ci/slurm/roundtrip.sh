#!/usr/bin/env bash
# A real Slurm round trip for `leadsim slurm`, on a one-node cluster started on this machine.
#
#   .ci/slurm/roundtrip.sh [LEADSIM]      (default: target/release/leadsim, built if missing)
#
# 1. Installs Debian's slurmctld, slurmd, slurm-client and munge if they are missing.
# 2. Starts munged (unless one already answers), slurmctld and slurmd with .ci/slurm/slurm.conf.in
#    filled in for this host, state and logs in a temporary folder; waits for the node to be idle.
# 3. Writes the scripts for .ci/slurm/sweep.toml with `leadsim slurm --tasks 3`, submits them with
#    the generated submit.sh, waits for the array and the merge job, and checks that the merged
#    tables and manifest are byte-identical to one machine's `leadsim sweep` of the same file.
# 4. Does it again with shard 2's folder blocked by a foreign file: task 1 must fail and the
#    merge be cancelled; then follows the documented recovery (unblock, resubmit the task, then
#    the merge after it) and checks the result again.
# Stops every daemon it started and removes its folder on exit. Needs root (packages, daemons);
# re-runs itself with sudo when that works without a password.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd -P)
limit=${LEADSIM_SLURM_WAIT:-120}   # seconds to wait for the cluster, and for each set of jobs
port=${LEADSIM_SLURM_PORT:-6817}   # slurmctld's port; slurmd takes the next one
started=$(date +%s)

say() { printf 'roundtrip: %s\n' "$*"; }
die() { printf 'roundtrip: FAILED: %s\n' "$*" >&2; exit 1; }

if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        exec sudo -n -E "$0" "$@"
    fi
    die "needs root: it installs slurm-wlm and munge and starts their daemons"
fi

leadsim=${1:-$repo/target/release/leadsim}
if [ ! -x "$leadsim" ]; then
    cargo build --release --locked
fi
leadsim=$(realpath "$leadsim")

# --- 1. packages -----------------------------------------------------------------------------
missing=0
for tool in slurmctld slurmd sbatch squeue scontrol sinfo munged munge unmunge; do
    command -v "$tool" >/dev/null || missing=1
done
if [ "$missing" = 1 ]; then
    say "installing slurmctld slurmd slurm-client munge"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # Their post-install scripts cannot start services here (policy-rc.d) but exit 0.
    apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
fi

# --- 2. the cluster --------------------------------------------------------------------------
work=$(mktemp -d /tmp/leadsim-slurm.XXXXXX)
pids=()
cleanup() {
    local status=$?
    trap - EXIT
    if [ "${#pids[@]}" -gt 0 ]; then
        scancel --quiet --user=root >/dev/null 2>&1 || true
        for pid in "${pids[@]}"; do
            kill "$pid" 2>/dev/null || true
        done
        for pid in "${pids[@]}"; do
            wait "$pid" 2>/dev/null || true
        done
    fi
    if [ "$status" != 0 ]; then
        for log in "$work"/*.log "$work"/*/logs/*.out; do
            [ -f "$log" ] || continue
            printf '\n--- %s (last lines) ---\n' "$log" >&2
            tail -n 25 "$log" >&2
        done
    fi
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT

# Runs the command string $2 every half second until it succeeds; gives up after $limit s.
wait_for() {
    local what=$1 test=$2 deadline=$((SECONDS + limit))
    until eval "$test"; do
        [ "$SECONDS" -lt "$deadline" ] || die "gave up after ${limit}s waiting for $what"
        sleep 0.5
    done
}

if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    say "using the munged that is already running"
else
    install -d -o munge -g munge -m 0755 /run/munge
    if [ ! -s /etc/munge/munge.key ]; then
        mungekey --create --keyfile=/etc/munge/munge.key
        chown munge:munge /etc/munge/munge.key
        chmod 0400 /etc/munge/munge.key
    fi
    setpriv --reuid=munge --regid=munge --init-groups /usr/sbin/munged --foreground \
        >"$work/munged.log" 2>&1 &
    pids+=($!)
    wait_for "munged" 'munge -n 2>/dev/null | unmunge >/dev/null 2>&1'
fi

host=$(hostname -s)
mkdir -p "$work/ctld" "$work/d"
sed -e "s|@HOST@|$host|g" -e "s|@CPUS@|$(nproc)|g" -e "s|@STATE@|$work|g" \
    -e "s|@CTLD_PORT@|$port|g" -e "s|@D_PORT@|$((port + 1))|g" \
    .ci/slurm/slurm.conf.in >"$work/slurm.conf"
export SLURM_CONF=$work/slurm.conf
slurmctld -D -c >"$work/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D >"$work/slurmd.out" 2>&1 &
pids+=($!)
wait_for "the node to be idle" '[ "$(sinfo -h -o %T 2>/dev/null)" = idle ]'
say "one-node cluster up on $host ($(nproc) CPUs) after $(($(date +%s) - started))s"

# --- 3. submit, wait, compare ----------------------------------------------------------------
sweep=$repo/.ci/slurm/sweep.toml
tables="timeseries.csv summary.csv shocks.csv stats.csv manifest.json"

# The JobState of job $1 (one word per array task).
states() { scontrol -o show job "$1" | grep -o 'JobState=[A-Z_]*' | cut -d= -f2 | sort | tr '\n' ' '; }
# Waits until none of the jobs $@ is pending, running or completing.
wait_jobs() {
    local ids
    ids=$(IFS=,; echo "$*")
    wait_for "jobs $ids" '[ -z "$(squeue -h -j "$ids" 2>/dev/null || true)" ]'
}
expect() {
    local got
    got=$(states "$1")
    [ "$got" = "$2" ] || die "job $1 is '$got', expected '$2' (logs above)"
}
same_as_one_machine() {
    local table
    for table in $tables; do
        cmp "$1/merged/$table" "$work/one/$table" ||
            die "$table of the merged shards differs from one machine's"
    done
    if [ -f "$1/merged/report.html" ]; then
        say "the merge job wrote report.html too"
    else
        say "no report.html (see the merge log); the tables are checked"
    fi
}
submit() {
    local out
    out=$(sh "$1/submit.sh")
    printf '%s\n' "$out" | sed 's/^/  /' >&2
    array=$(printf '%s\n' "$out" | sed -n 's/^array job: \([0-9]*\).*/\1/p')
    merge=$(printf '%s\n' "$out" | sed -n 's/^merge job: \([0-9]*\).*/\1/p')
    [ -n "$array" ] && [ -n "$merge" ] || die "submit.sh printed no job ids"
}

"$leadsim" sweep "$sweep" -o "$work/one" -q >/dev/null
"$leadsim" slurm "$sweep" --tasks 3 --cpus 1 --partition ci --time 5 -o "$work/ok" >/dev/null
t0=$SECONDS
submit "$work/ok"
wait_jobs "$array" "$merge"
expect "$array" "COMPLETED COMPLETED COMPLETED "
expect "$merge" "COMPLETED "
same_as_one_machine "$work/ok"
say "3 array tasks and the merge: byte-identical to one machine's run ($((SECONDS - t0))s)"

# --- 4. a failing task, and the documented recovery ------------------------------------------
"$leadsim" slurm "$sweep" --tasks 3 --cpus 1 --partition ci --time 5 -o "$work/fail" >/dev/null
mkdir -p "$work/fail/shard-2-of-3"
echo "not a leadsim folder" >"$work/fail/shard-2-of-3/blocker"
t0=$SECONDS
submit "$work/fail"
wait_jobs "$array" "$merge"
expect "$array" "COMPLETED COMPLETED FAILED "
expect "$merge" "CANCELLED "
[ ! -e "$work/fail/merged" ] || die "the cancelled merge job wrote $work/fail/merged"
rm "$work/fail/shard-2-of-3/blocker"
j=$(sbatch --parsable --array=1 "$work/fail/array.sbatch")
m=$(sbatch --parsable --dependency=afterok:"${j%%;*}" "$work/fail/merge.sbatch")
wait_jobs "${j%%;*}" "${m%%;*}"
expect "${j%%;*}" "COMPLETED "
expect "${m%%;*}" "COMPLETED "
same_as_one_machine "$work/fail"
say "a failed task cancels the merge; resubmitting it and the merge recovers ($((SECONDS - t0))s)"

say "passed in $(($(date +%s) - started))s"
