"""Check leadsim's sweep analysis against SALib 1.6 and EMA Workbench from a sweep's files.

For each result folder given (written by `leadsim sweep` and `leadsim discover`), recompute from
the files a researcher gets — manifest.json (the points), summary.csv (every run) and
problem.json (the sweep as SALib's problem) — and compare with sensitivity.csv and the
discover-*.csv files:

- Sobol' sweeps: SALib.sample.sobol.sample(problem, N, scramble=False, skip_values) gives the
  sweep's points (continuous axes to 1e-12 relative; a discrete axis's value is value
  floor(u * m) of its m values); SALib.analyze.sobol.analyze on the per-point means gives
  sensitivity.csv's S1, ST and S2 (to 1e-10).
- Morris sweeps: SALib.analyze.morris.analyze on the points and the per-point means gives mu,
  mu_star and sigma (to 1e-10 relative).
- Discoveries: EMA Workbench's Prim on the points and the condition evaluated on the per-point
  means gives the same peeling trajectory (points, cases, restricted dimensions exactly;
  coverage, density and mass to 1e-12) and the same box limits.

The per-point means are computed here from summary.csv (a paired difference replicate by
replicate), not read from leadsim's stats.csv. Bootstrap intervals use different resamples, so
they are only checked to be of the same size (SALib's within a factor of 2).

Usage: python .ci/analysis/check_sweeps.py RESULT_DIR [RESULT_DIR ...]
"""

import glob
import json
import math
import os
import re
import sys
import warnings

import numpy as np
import pandas as pd

warnings.simplefilter("ignore")

from SALib.analyze import morris as salib_morris  # noqa: E402
from SALib.analyze import sobol as salib_sobol  # noqa: E402
from SALib.sample import sobol as salib_sample  # noqa: E402
from ema_workbench.analysis import prim as ema_prim  # noqa: E402

# The comparison rule (and its record of failures and worst differences) is check.py's.
from check import FAILURES, WORST, compare  # noqa: E402


def ratio(kind, case, ours, theirs):
    for o, t in zip(np.ravel(ours), np.ravel(theirs)):
        if (np.isnan(o) and np.isnan(t)) or (o == 0.0 and t == 0.0):
            continue
        r = o / t if t > 0 else math.inf
        lo, hi = WORST.get(kind, (math.inf, 0.0))
        WORST[kind] = (min(lo, r), max(hi, r))
        if not 0.5 <= r <= 2.0:
            FAILURES.append(f"{kind} {case}: half-width {o:.3g} vs SALib's {t:.3g}")


class Folder:
    """A result folder: its manifest, summary, problem and the coordinates of its points."""

    def __init__(self, path):
        self.path = path
        with open(os.path.join(path, "manifest.json")) as f:
            self.manifest = json.load(f)
        with open(os.path.join(path, "problem.json")) as f:
            self.problem = json.load(f)
        self.summary = pd.read_csv(os.path.join(path, "summary.csv"), keep_default_na=True)
        self.axes = self.manifest["axes"]
        self.points = len(self.manifest["points"])
        self.notes = {a["name"]: a for a in self.problem["leadsim"]["axes"]}

    def values(self):
        """The points' values as text, one column per axis."""
        return pd.DataFrame([p["values"] for p in self.manifest["points"]])[self.axes]

    def coordinates(self):
        """The points as numbers: a discrete axis of words by the position of its value."""
        cols = {}
        for a, col in self.values().items():
            listed = self.notes[a].get("values", [])
            try:
                cols[a] = col.astype(float)
            except ValueError:
                cols[a] = col.map(listed.index).astype(float)
        return pd.DataFrame(cols)[self.axes]

    def per_point(self, quantity):
        """The quantity's mean over each point's replicates, from summary.csv."""
        who, metric = quantity.rsplit(":", 1)
        models = [m["name"] for m in self.manifest["models"]]
        s = self.summary
        if who in models:
            rows = s[s["model"] == who]
            return rows.groupby("point")[metric].mean().reindex(range(self.points)).to_numpy()
        pairs = [(a, b) for a in models for b in models if a != b and f"{a}-{b}" == who]
        a, b = pairs[0]
        wide = s.pivot_table(index=["point", "replicate"], columns="model", values=metric)
        diff = (wide[a] - wide[b]).groupby(level="point").mean()
        return diff.reindex(range(self.points)).to_numpy()

    def indices(self):
        return pd.read_csv(os.path.join(self.path, "sensitivity.csv"), keep_default_na=True)


def check_sobol_points(f):
    p, prm = f.problem, f.problem["leadsim"]["parameters"]
    unit_problem = dict(p, bounds=[[0.0, 1.0]] * p["num_vars"], dists=["unif"] * p["num_vars"])
    args = dict(
        calc_second_order=prm["calc_second_order"],
        scramble=False,
        skip_values=prm["skip_values"],
    )
    mapped = salib_sample.sample(p, prm["N"], **args)
    unit = salib_sample.sample(unit_problem, prm["N"], **args)
    values = f.values()
    for j, a in enumerate(f.axes):
        listed = f.notes[a].get("values", [])
        if listed:
            want = [listed[min(int(u * len(listed)), len(listed) - 1)] for u in unit[:, j]]
            bad = sum(w != v for w, v in zip(want, values[a]))
            WORST["sobol_points_discrete"] = max(WORST.get("sobol_points_discrete", 0), bad)
            if bad:
                FAILURES.append(f"sobol points {f.path} {a}: {bad} discrete values differ")
        else:
            compare("sobol_points", f"{f.path} {a}", values[a].astype(float), mapped[:, j], 1e-12, True)


def quantities(f, idx):
    """The analysed quantities; none would make every comparison pass vacuously."""
    found = list(idx["quantity"].unique())
    if not found:
        FAILURES.append(f"{f.path}: sensitivity.csv holds no estimates")
    return found


def check_sobol_indices(f):
    prm = f.problem["leadsim"]["parameters"]
    idx = f.indices()
    for q in quantities(f, idx):
        y = f.per_point(q)
        si = salib_sobol.analyze(
            f.problem, y, calc_second_order=prm["calc_second_order"], num_resamples=200, seed=7
        )
        rows = idx[idx["quantity"] == q]
        for name in ("S1", "ST"):
            r = rows[rows["index"] == name].set_index("parameter").reindex(f.axes)
            compare(f"sobol_{name}", f"{f.path} {q}", r["estimate"], si[name], 1e-10)
            ratio("sobol_conf_ratio", f"{f.path} {q} {name}", r["conf"], si[f"{name}_conf"])
        if prm["calc_second_order"]:
            s2 = rows[rows["index"] == "S2"]
            for _, r in s2.iterrows():
                j, k = f.axes.index(r["parameter"]), f.axes.index(r["other"])
                compare("sobol_S2", f"{f.path} {q} {j},{k}", r["estimate"], si["S2"][j, k], 1e-10)


def check_morris(f):
    x = f.coordinates().to_numpy()
    levels = f.problem["leadsim"]["parameters"]["num_levels"]
    idx = f.indices()
    for q in quantities(f, idx):
        y = f.per_point(q)
        si = salib_morris.analyze(f.problem, x, y, num_levels=levels, num_resamples=200, seed=7)
        rows = idx[idx["quantity"] == q]
        for name in ("mu", "mu_star", "sigma"):
            r = rows[rows["index"] == name].set_index("parameter").reindex(f.axes)
            compare(f"morris_{name}", f"{f.path} {q}", r["estimate"], si[name], 1e-10, True)
        r = rows[rows["index"] == "mu_star"].set_index("parameter").reindex(f.axes)
        ratio("morris_conf_ratio", f"{f.path} {q}", r["conf"], si["mu_star_conf"])


OPS = {">=": np.greater_equal, "<=": np.less_equal, ">": np.greater, "<": np.less}


def check_discoveries(f):
    paths = [
        p
        for p in sorted(glob.glob(os.path.join(f.path, "discover-*.csv")))
        if not (p.endswith("-bounds.csv") or p.endswith("-points.csv"))
    ]
    if not paths:
        FAILURES.append(f"{f.path}: no discover-*.csv to compare with EMA Workbench")
    for path in paths:
        ours = pd.read_csv(path)
        condition = ours["condition"].iloc[0]
        m = re.match(r"\s*(.*?)\s*(>=|<=|>|<)\s*(\S+)\s*$", condition)
        y = OPS[m.group(2)](f.per_point(m.group(1)), float(m.group(3))).astype(int)
        p = ema_prim.Prim(f.coordinates(), y, threshold=1e-9)
        box = p.find_box()
        t = box.peeling_trajectory
        case = f"{os.path.basename(path)}"
        if len(t) != len(ours):
            FAILURES.append(f"prim {case}: {len(ours)} boxes vs EMA's {len(t)}")
            continue
        compare("prim_counts", case, ours[["points", "cases", "restricted"]], t[["n", "k", "res_dim"]], 0.0)
        compare("prim_stats", case, ours[["coverage", "density", "mass"]], t[["coverage", "density", "mass"]], 1e-12)
        bounds = pd.read_csv(path[: -len(".csv")] + "-bounds.csv")
        for i in range(len(t)):
            b = bounds[bounds["box"] == i].set_index("parameter").reindex(f.axes)
            lims = box.box_lims[i][f.axes].to_numpy(dtype=float)
            compare("prim_limits", f"{case} box {i}", [b["lower"], b["upper"]], lims, 0.0)


def main():
    for path in sys.argv[1:]:
        f = Folder(path)
        design = f.problem["leadsim"]["design"]
        if design == "sobol":
            check_sobol_points(f)
            check_sobol_indices(f)
        elif design == "morris":
            check_morris(f)
        else:
            FAILURES.append(f"{path}: design {design!r} has no indices to check")
        check_discoveries(f)
    for kind, worst in sorted(WORST.items()):
        if isinstance(worst, tuple):
            print(f"{kind:24} ours/SALib in [{worst[0]:.3f}, {worst[1]:.3f}]")
        else:
            print(f"{kind:24} max difference {worst:.3g}")
    if FAILURES:
        print("\nMISMATCHES:")
        for line in FAILURES:
            print("  " + line)
        sys.exit(1)
    print("\nall agree")


if __name__ == "__main__":
    main()
