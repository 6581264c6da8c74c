#!/usr/bin/env bash
# Checks src/analysis against SciPy, SALib 1.6 and EMA Workbench.
#
#   ci/analysis/run.sh
#
# 1. Creates a Python venv (target/analysis-venv, or $LEADSIM_ANALYSIS_VENV) and installs
#    ci/analysis/requirements.txt into it.
# 2. Runs the Rust test that writes our Sobol' points, Saltelli and Morris samples, outputs,
#    indices and PRIM trajectories to analysis.json (LEADSIM_ANALYSIS_EXPORT).
# 3. Runs ci/analysis/check.py on it, which recomputes them with the reference libraries, prints
#    the largest differences and exits 1 on a mismatch.
set -euo pipefail
cd "$(dirname "$0")/../.."

venv=${LEADSIM_ANALYSIS_VENV:-target/analysis-venv}
python=${PYTHON:-python3}

printf '== venv %s ==\n' "$venv"
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --upgrade pip
"$venv/bin/pip" install --quiet -r ci/analysis/requirements.txt

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

printf '== export from Rust ==\n'
LEADSIM_ANALYSIS_EXPORT="$out" cargo test --release --locked --lib -- \
    --exact analysis::export::export_for_the_python_check
[ -s "$out/analysis.json" ] || { echo "run.sh: the export test wrote nothing" >&2; exit 1; }

printf '== compare with SciPy, SALib and EMA Workbench ==\n'
"$venv/bin/python" ci/analysis/check.py "$out/analysis.json"
