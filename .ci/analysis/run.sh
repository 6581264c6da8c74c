#!/usr/bin/env bash
# Checks src/analysis, and the analysis of sweeps run through leadsim, against SciPy, SALib 1.6
# and EMA Workbench.
#
#   .ci/analysis/run.sh
#
# 1. Creates a Python venv (target/analysis-venv, or $LEADSIM_ANALYSIS_VENV) and installs
#    .ci/analysis/requirements.txt into it.
# 2. Runs the Rust test that writes our Sobol' points, Saltelli and Morris samples, outputs,
#    indices and PRIM trajectories to analysis.json (LEADSIM_ANALYSIS_EXPORT).
# 3. Runs .ci/analysis/check.py on it, which recomputes them with the reference libraries, prints
#    the largest differences and exits 1 on a mismatch.
# 4. Runs the sweeps of .ci/analysis/sweeps/ (Sobol' and Morris, a few seconds) through the
#    leadsim binary, with a discovery on each, and .ci/analysis/check_sweeps.py, which recomputes
#    the points, the indices and the PRIM trajectories from the result folders' files with SALib
#    and EMA Workbench and compares them with sensitivity.csv and the discover-*.csv files.
set -euo pipefail
cd "$(dirname "$0")/../.."

venv=${LEADSIM_ANALYSIS_VENV:-target/analysis-venv}
python=${PYTHON:-python3}

printf '== venv %s ==\n' "$venv"
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --upgrade pip
"$venv/bin/pip" install --quiet -r .ci/analysis/requirements.txt

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

printf '== export from Rust ==\n'
LEADSIM_ANALYSIS_EXPORT="$out" cargo test --release --locked --lib -- \
    --exact analysis::export::export_for_the_python_check
[ -s "$out/analysis.json" ] || { echo "run.sh: the export test wrote nothing" >&2; exit 1; }

printf '== compare with SciPy, SALib and EMA Workbench ==\n'
"$venv/bin/python" .ci/analysis/check.py "$out/analysis.json"

printf '== sweeps through leadsim, rechecked from their files ==\n'
cargo build --release --locked --bin leadsim
leadsim=target/release/leadsim
sweeps=.ci/analysis/sweeps
"$leadsim" sweep "$sweeps/sobol.toml" -o "$out/sobol" -q --no-charts >/dev/null
"$leadsim" sweep "$sweeps/morris.toml" -o "$out/morris" -q --no-charts >/dev/null
"$leadsim" discover "$out/sobol" --where "shared-centralized:performance_mean > 0" --no-charts >/dev/null
"$leadsim" discover "$out/morris" --where "shared:engagement_mean > 0.61" --no-charts >/dev/null
"$venv/bin/python" .ci/analysis/check_sweeps.py "$out/sobol" "$out/morris"
