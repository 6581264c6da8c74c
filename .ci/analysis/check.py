"""Check leadsim's analysis core against SciPy, SALib 1.6 and EMA Workbench.

Reads the analysis.json that `LEADSIM_ANALYSIS_EXPORT=DIR cargo test --lib analysis::export`
writes (our Sobol' points, Saltelli and Morris samples, outputs and estimates, PRIM data and
trajectories), recomputes everything with the reference libraries and prints the largest
difference per kind. Exits 1 if any difference is over its tolerance:

- Sobol' points and Saltelli unit samples: exact (both are dyadic fractions).
- Saltelli samples mapped through distributions: 1e-12 relative (SciPy's truncnorm.ppf works
  in log space, ours directly).
- Sobol' indices S1, ST, S2 and Morris mu, mu*, sigma: 1e-12 (absolute; relative above 1).
- PRIM trajectories: the same boxes, point counts and restricted dimensions exactly; coverage,
  density and mass to 1e-15.
- Confidence half-widths use different random resamples, so they are only checked to be of the
  same size (ratio within [0.5, 2]).

Usage: python .ci/analysis/check.py DIR/analysis.json
"""

import json
import math
import sys
import warnings

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats import qmc

warnings.simplefilter("ignore")  # SALib and SciPy warn about non-power-of-two sizes

from SALib.analyze import morris as salib_morris  # noqa: E402
from SALib.analyze import sobol as salib_sobol  # noqa: E402
from SALib.sample import sobol as salib_sample  # noqa: E402
from ema_workbench.analysis import prim as ema_prim  # noqa: E402

FAILURES = []
WORST = {}


def compare(kind, case, ours, theirs, tol, relative=False):
    """Record the largest difference of one comparison and whether it is within tol."""
    ours = np.asarray(ours, dtype=float)
    theirs = np.asarray(theirs, dtype=float)
    if ours.shape != theirs.shape:
        FAILURES.append(f"{kind} {case}: shape {ours.shape} vs {theirs.shape}")
        return
    both_nan = np.isnan(ours) & np.isnan(theirs)
    diff = np.where(both_nan, 0.0, np.abs(ours - theirs))
    if relative:
        diff = diff / np.maximum(1.0, np.abs(np.where(both_nan, 0.0, theirs)))
    worst = float(np.nanmax(diff)) if diff.size else 0.0
    if np.isnan(diff).any():
        worst = math.inf
    WORST[kind] = max(WORST.get(kind, 0.0), worst)
    if worst > tol:
        FAILURES.append(f"{kind} {case}: max difference {worst:.3g} > {tol:g}")


def check_ratio(kind, case, ours, theirs):
    """Bootstrap half-widths from different resamples: only the same order of size."""
    ours, theirs = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
    for o, t in zip(ours.ravel(), theirs.ravel()):
        if np.isnan(o) and np.isnan(t):
            continue
        if t == 0.0 and o == 0.0:
            continue
        ratio = o / t if t > 0 else math.inf
        lo, hi = WORST.get(kind, (math.inf, 0.0))
        WORST[kind] = (min(lo, ratio), max(hi, ratio))
        if not 0.5 <= ratio <= 2.0:
            FAILURES.append(f"{kind} {case}: half-width {o:.3g} vs SALib's {t:.3g}")


def check_sequence(cases):
    for c in cases:
        seq = qmc.Sobol(d=c["dims"], scramble=False)
        if c["skip"]:
            seq.fast_forward(c["skip"])
        ref = seq.random(len(c["points"]))
        compare("sobol_sequence", f"d={c['dims']} skip={c['skip']}", c["points"], ref, 0.0)


def problem(c, with_dists):
    k = c["params"]
    p = {"num_vars": k, "names": [f"x{j}" for j in range(k)]}
    if with_dists:
        p["bounds"] = c["bounds"]
        p["dists"] = c["dists"]
    else:
        p["bounds"] = [[0.0, 1.0]] * k
    return p


def check_saltelli(cases):
    for c in cases:
        name, n, second = c["name"], c["base"], c["second_order"]
        args = dict(calc_second_order=second, scramble=False, skip_values=c["skip"])
        unit = salib_sample.sample(problem(c, False), n, **args)
        compare("saltelli_sample", name, c["unit"], unit, 0.0)
        mapped = salib_sample.sample(problem(c, True), n, **args)
        compare("saltelli_mapped", name, c["x"], mapped, 1e-12, relative=True)
        y = np.asarray(c["y"], dtype=float)
        si = salib_sobol.analyze(problem(c, False), y, calc_second_order=second, seed=7)
        compare("sobol_S1", name, c["S1"], si["S1"], 1e-12)
        compare("sobol_ST", name, c["ST"], si["ST"], 1e-12)
        if second:
            ours = np.array([[np.nan if v is None else v for v in row] for row in c["S2"]])
            compare("sobol_S2", name, ours, si["S2"], 1e-12)
        check_ratio("sobol_conf_ratio", name, c["S1_conf"], si["S1_conf"])
        check_ratio("sobol_conf_ratio", name, c["ST_conf"], si["ST_conf"])


def check_morris(cases):
    for c in cases:
        name, k = c["name"], c["params"]
        prob = {"num_vars": k, "names": [f"x{j}" for j in range(k)], "bounds": [[0.0, 1.0]] * k}
        y = np.asarray(c["y"], dtype=float)
        for which in ("x", "unit"):
            x = np.asarray(c[which], dtype=float)
            si = salib_morris.analyze(prob, x, y, num_levels=c["levels"], seed=7)
            case = f"{name} ({which})"
            compare("morris_mu", case, c["mu"], si["mu"], 1e-12, relative=True)
            compare("morris_mu_star", case, c["mu_star"], si["mu_star"], 1e-12, relative=True)
            compare("morris_sigma", case, c["sigma"], si["sigma"], 1e-12, relative=True)
            check_ratio("morris_conf_ratio", case, c["mu_star_conf"], si["mu_star_conf"])


OBJECTIVES = {
    "lenient1": ema_prim.PRIMObjectiveFunctions.LENIENT1,
    "lenient2": ema_prim.PRIMObjectiveFunctions.LENIENT2,
    "original": ema_prim.PRIMObjectiveFunctions.ORIGINAL,
}


def check_prim(cases):
    for c in cases:
        name = c["name"]
        x = np.asarray(c["x"], dtype=float)
        df = pd.DataFrame(x, columns=[f"x{j}" for j in range(x.shape[1])])
        y = np.asarray(c["y"], dtype=int)
        # A threshold just above 0: y >= threshold marks the cases of interest (y == 1), and
        # find_box keeps the box it found instead of replacing it with the initial one.
        p = ema_prim.Prim(
            df,
            y,
            threshold=1e-9,
            obj_function=OBJECTIVES[c["objective"]],
            peel_alpha=c["peel_alpha"],
            paste_alpha=c["paste_alpha"],
            mass_min=c["mass_min"],
        )
        box = p.find_box()
        t = box.peeling_trajectory
        ours = c["trajectory"]
        if len(ours) != len(t):
            FAILURES.append(f"prim {name}: {len(ours)} boxes vs EMA's {len(t)}")
            WORST["prim_boxes"] = math.inf
            continue
        counts = [[b["n"], b["k"], b["res_dim"]] for b in ours]
        compare("prim_counts", name, counts, t[["n", "k", "res_dim"]].to_numpy(), 0.0)
        stats_ours = [[b["coverage"], b["density"], b["mass"]] for b in ours]
        compare("prim_stats", name, stats_ours, t[["coverage", "density", "mass"]], 1e-15)
        for i, b in enumerate(ours):
            lims = box.box_lims[i].to_numpy(dtype=float)
            compare("prim_limits", f"{name} box {i}", [b["lower"], b["upper"]], lims, 0.0)


def check_precision(cases):
    for c in cases:
        v = np.asarray(c["values"], dtype=float)
        n = len(v)
        ref = stats.t.ppf(0.975, n - 1) * v.std(ddof=1) / math.sqrt(n)
        compare("precision_half_width", f"n={n}", c["half_width"], ref, 1e-12, relative=True)


def main():
    with open(sys.argv[1]) as f:
        data = json.load(f)
    for part in ("sobol_sequence", "saltelli", "morris", "prim", "precision"):
        if not data.get(part):
            FAILURES.append(f"analysis.json has no {part} cases: nothing would be compared")
    check_sequence(data["sobol_sequence"])
    check_saltelli(data["saltelli"])
    check_morris(data["morris"])
    check_prim(data["prim"])
    check_precision(data["precision"])
    for kind, worst in sorted(WORST.items()):
        if isinstance(worst, tuple):
            print(f"{kind:24} ours/SALib in [{worst[0]:.3f}, {worst[1]:.3f}]")
        else:
            print(f"{kind:24} max difference {worst:.3g}")
    if FAILURES:
        print("\nMISMATCHES:")
        for f in FAILURES:
            print("  " + f)
        sys.exit(1)
    print("\nall agree")


if __name__ == "__main__":
    main()
