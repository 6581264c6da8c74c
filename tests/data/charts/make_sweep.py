#!/usr/bin/env python3
"""Writes tests/data/charts/sweep/: a small synthetic *sweep* result folder for the chart and
report tests (manifest.json of kind "sweep" with two axes, and the four tables with `point` and
axis columns), in the format `leadsim sweep` writes. The numbers are made up but deterministic.

Run from the repository root: python3 tests/data/charts/make_sweep.py
"""

import csv
import hashlib
import json
import math
import os
import random

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sweep")
METRICS = [
    "performance", "proposals", "adoptions", "innovations", "radical_adoptions",
    "distinct_configs", "engagement", "participation", "decision_makers",
    "leadership_centralization", "leadership_skill", "messages", "latency", "conflicts",
    "expired", "members", "departures",
]
SHOCK_COLUMNS = ["shock", "event", "kind", "step", "before", "after", "drop", "trough",
                 "max_drop", "recovery_steps", "censored", "window_mean", "window_steps"]
AXES = ["organization.members", "landscape.k"]
MEMBERS = [10, 20, 40]
KS = [1, 3]
MODELS = ["centralized", "shared & co <b>"]  # a name that needs escaping in HTML
REPS = 3
STEPS = 20
SHOCK_STEP = 10
WINDOW = 6
T_975_DF2 = 4.302652729911275  # Student t, 97.5%, 2 degrees of freedom

SWEEP_TOML = """# Synthetic sweep fixture for chart tests.
base = "small.toml"
replications = 3

[[axes]]
path = "organization.members"
values = [10, 20, 40]

[[axes]]
path = "landscape.k"
values = [1, 3]
"""
SCENARIO_TOML = """# A tiny scenario: two models, a landscape shock at step 10.
name = "sweep-fixture"
description = "Synthetic data <for> tests & checks"
seed = 7
steps = 20
replications = 3

[landscape]
n = 8
k = 1

[organization]
members = 10
domains = 2

[[models]]
kind = "centralized"

[[models]]
kind = "shared"
name = "shared & co <b>"

[[events]]
kind = "landscape_shock"
at = 10
fraction = 0.5
"""


def num(x):
    if isinstance(x, float) and math.isnan(x):
        return ""
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(round(float(x), 6))


def describe(xs):
    xs = [x for x in xs if not math.isnan(x)]
    n = len(xs)
    mean = sum(xs) / n
    if n < 2:
        nan = float("nan")
        return n, mean, nan, nan, nan, nan
    sd = math.sqrt(sum((x - mean) ** 2 for x in xs) / (n - 1))
    se = sd / math.sqrt(n)
    half = T_975_DF2 * se
    return n, mean, sd, se, mean - half, mean + half


def sha(text):
    return hashlib.sha256(text.encode()).hexdigest()


def main():
    rng = random.Random(2024)
    os.makedirs(OUT, exist_ok=True)
    points = [(m, k) for m in MEMBERS for k in KS]
    ts_rows, sum_rows, shock_rows = [], [], []
    values = {}  # (point, model, rep) -> {column: value}
    seeds = {}
    for p, (members, k) in enumerate(points):
        for r in range(REPS):
            seeds[(p, r)] = 1000 + 17 * p + r
            for mi, model in enumerate(MODELS):
                ids = [p, members, k, model, r, seeds[(p, r)]]
                perf = 0.6
                rows = []
                for step in range(STEPS + 1):
                    lift = (0.012 + 0.004 * mi - 0.002 * k) * (1 + members / 40)
                    if step > 0:
                        perf = min(1.0, perf + lift * rng.random())
                    if step == SHOCK_STEP:
                        perf -= 0.15
                    row = {
                        "performance": perf,
                        "proposals": rng.randint(0, 4) + mi,
                        "adoptions": rng.randint(0, 2),
                        "innovations": rng.randint(0, 1),
                        "radical_adoptions": 0,
                        "distinct_configs": 1 + step // 3,
                        "engagement": 0.5 + 0.01 * step * (1 + mi) / 2 + 0.02 * rng.random(),
                        "participation": 0.2 + 0.1 * rng.random(),
                        "decision_makers": 1 + 2 * mi,
                        "leadership_centralization": 0.9 - 0.3 * mi + 0.05 * rng.random(),
                        "leadership_skill": 0.3 + 0.005 * step * (1 + mi),
                        "messages": members / 10 + rng.randint(0, 3),
                        "latency": float("nan") if step == 0 else 1 + 1.5 * (1 - mi) * rng.random(),
                        "conflicts": rng.randint(0, 1) * mi,
                        "expired": rng.randint(0, 1) * (1 - mi),
                        "members": members,
                        "departures": 0,
                    }
                    if step == 0:
                        for m in ["proposals", "adoptions", "innovations", "messages", "conflicts",
                                  "expired"]:
                            row[m] = 0
                    rows.append(row)
                    ts_rows.append(ids + [step] + [num(row[m]) for m in METRICS])
                vals = {}
                for m in METRICS:
                    series = [rw[m] for rw in rows[1:] if not math.isnan(rw[m])]
                    vals[m + "_final"] = rows[-1][m]
                    vals[m + "_mean"] = sum(series) / len(series)
                before = rows[SHOCK_STEP - 1]["performance"]
                after = before - 0.15
                window = [rw["performance"] for rw in rows[SHOCK_STEP:SHOCK_STEP + WINDOW]]
                rec = next((i for i, rw in enumerate(rows[SHOCK_STEP:])
                            if rw["performance"] >= before), None)
                censored = rec is None
                rec_steps = len(rows[SHOCK_STEP:]) if censored else rec
                trough = min([after] + [rw["performance"] for rw in rows[SHOCK_STEP:]][:1])
                shock_rows.append(ids + [0, "shock-1", "landscape_shock", SHOCK_STEP, num(before),
                                         num(after), num(before - after), num(trough),
                                         num(before - trough), rec_steps,
                                         "true" if censored else "false",
                                         num(sum(window) / len(window)), len(window)])
                vals["shock_drop"] = before - after
                vals["shock_max_drop"] = before - trough
                vals["shock_recovery_steps"] = float("nan") if censored else rec_steps
                vals["shock_censored"] = 1.0 if censored else 0.0
                vals["shock_window_mean"] = sum(window) / len(window)
                values[(p, mi, r)] = vals
                sum_rows.append(ids + [num(vals[c]) for m in METRICS
                                       for c in (m + "_final", m + "_mean")])
    id_header = ["point"] + AXES + ["model", "replicate", "seed"]
    summary_cols = [c for m in METRICS for c in (m + "_final", m + "_mean")]
    stat_cols = summary_cols + ["shock_drop", "shock_max_drop", "shock_recovery_steps",
                                "shock_censored", "shock_window_mean"]
    stats_rows = []
    for p, (members, k) in enumerate(points):
        for c in stat_cols:
            per_model = [[values[(p, mi, r)][c] for r in range(REPS)] for mi in range(len(MODELS))]
            for mi, model in enumerate(MODELS):
                xs = per_model[mi]
                if all(math.isnan(x) for x in xs):
                    stats_rows.append([p, members, k, c, model, "", 0, "", "", "", "", "", ""])
                    continue
                n, mean, sd, se, lo, hi = describe(xs)
                stats_rows.append([p, members, k, c, model, "", n] +
                                  [num(v) for v in (mean, sd, se, lo, hi)] + [""])
            for a in range(len(MODELS)):
                for b in range(a):
                    d = [x - y for x, y in zip(per_model[a], per_model[b])
                         if not (math.isnan(x) or math.isnan(y))]
                    if len(d) < 2:
                        continue
                    n, mean, sd, se, lo, hi = describe(d)
                    es = mean / sd if sd > 0 else float("nan")
                    stats_rows.append([p, members, k, c, MODELS[a], MODELS[b], n] +
                                      [num(v) for v in (mean, sd, se, lo, hi, es)])

    def write(name, header, rows):
        path = os.path.join(OUT, name)
        with open(path, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            w.writerows(rows)
        with open(path) as f:
            return sha(f.read())

    files = {
        "timeseries.csv": write("timeseries.csv", id_header + ["step"] + METRICS, ts_rows),
        "summary.csv": write("summary.csv", id_header + summary_cols, sum_rows),
        "shocks.csv": write("shocks.csv", id_header + SHOCK_COLUMNS, shock_rows),
        "stats.csv": write("stats.csv", ["point"] + AXES + ["metric", "model", "versus", "n",
                                                            "mean", "sd", "se", "ci_low",
                                                            "ci_high", "effect_size"],
                           stats_rows),
    }
    manifest = {
        "tool": "leadsim",
        "version": "0.1.0",
        "kind": "sweep",
        "name": "sweep-fixture",
        "identity": sha("sweep-fixture"),
        "command": "leadsim sweep sweep.toml -o 'out dir' --seed 7",
        "overrides": {"seed": "7"},
        "inputs": [
            {"role": "sweep", "path": "sweep.toml", "sha256": sha(SWEEP_TOML), "text": SWEEP_TOML},
            {"role": "base", "path": "small.toml", "sha256": sha(SCENARIO_TOML),
             "text": SCENARIO_TOML},
        ],
        "seed": 7,
        "replications": REPS,
        "steps": [STEPS],
        "runs": len(points) * REPS * len(MODELS),
        "models": [
            {"name": MODELS[0], "kind": "centralized",
             "params": {"capacity": "4", "delay": "1", "expiry": "20"}},
            {"name": MODELS[1], "kind": "shared",
             "params": {"coordination": "consult", "rotation": "50"}},
        ],
        "axes": AXES,
        "points": [{"point": p, "values": {AXES[0]: str(m), AXES[1]: str(k)}, "world_key": p}
                   for p, (m, k) in enumerate(points)],
        "seeds": [{"world_key": p, "replicate": r, "seed": seeds[(p, r)]}
                  for p in range(len(points)) for r in range(REPS)],
        "shard": "",
        "files": files,
    }
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
