//! Scenario discovery with PRIM, the Patient Rule Induction Method (Friedman & Fisher 1999):
//! find a box of the swept parameters (lower and upper bounds per parameter) where a condition —
//! "shared beats centralized by more than 0.05" — holds at many points.
//!
//! Starting from the box around all points, **peeling** tries, for every parameter, removing the
//! `peel_alpha` share of the box's points with the highest values (a new upper bound at the
//! `1 − peel_alpha` quantile of the points in the box) and with the lowest (a lower bound at the
//! `peel_alpha` quantile), and keeps the candidate that most raises the share of cases of
//! interest per point removed; it stops when no candidate improves the box or the next box would
//! hold less than `mass_min` of all points. **Pasting** then tries widening each restricted
//! bound over the `paste_alpha` share of the points just outside it, while that raises the
//! density. Every accepted step is a box on the **trajectory**, from high coverage and low
//! density to low coverage and high density:
//! - coverage = cases of interest in the box / all cases of interest,
//! - density = cases of interest in the box / points in the box,
//! - mass = points in the box / all points.
//!
//! The trajectory equals EMA Workbench 2.5's `Prim(x, y, threshold).find_box()` for real-valued
//! (float) columns, step for step: its quantile rule ([`quantile`]: the midpoint between
//! neighbouring distinct values, moving past ties), candidates in the order column by column,
//! upper then lower when peeling and lower then upper when pasting, its objectives
//! ([`Objective`], default `Lenient1`), the best candidate chosen by objective, then by fewer
//! restricted parameters, then the first, and its acceptance rules. We return the trajectory
//! whatever its last box's density, where EMA replaces a box whose density is below its
//! `threshold` by the initial one; we look for the first box only (EMA's first `find_box`).
//! Discrete axes are real-valued columns here, as in EMA when they are floats (EMA peels integer
//! columns differently, snapping bounds to data values).
//!
//! [`Trajectory::choose`] picks a box: the densest with coverage at least `min_coverage`
//! (ties: the higher coverage, then the earlier box). The initial box (coverage 1, density the
//! base rate) always qualifies, so the chosen box is never less dense than the data overall.

use super::Error;

/// The objective PRIM maximizes when it compares candidate boxes (EMA Workbench's
/// `PRIMObjectiveFunctions`); ȳ is the box's density, n its points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Objective {
    /// (ȳ_new − ȳ_old) / |n_old − n_new|: gain in density per point removed or added. EMA's
    /// default; it copes with steps that remove many points at once (ties, discrete values).
    #[default]
    Lenient1,
    /// n_new (ȳ_new − ȳ_old) / |n_old − n_new| (Friedman & Fisher 1999, eq. 14.6).
    Lenient2,
    /// ȳ_new: Friedman & Fisher's original criterion, the density of the new box (it accepts
    /// every peel down to `mass_min`, leaving the choice to the trajectory).
    Original,
}

/// PRIM's parameters; the defaults are EMA Workbench's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrimOptions {
    /// Share of the box's points a peel removes (0.05).
    pub peel_alpha: f64,
    /// Share of the points outside a bound a paste adds (0.05).
    pub paste_alpha: f64,
    /// Smallest share of all points a box may hold (0.05).
    pub mass_min: f64,
    /// Whether to paste after peeling (true, as EMA always does).
    pub paste: bool,
    /// The objective (`Lenient1`).
    pub objective: Objective,
}

impl Default for PrimOptions {
    fn default() -> Self {
        PrimOptions {
            peel_alpha: 0.05,
            paste_alpha: 0.05,
            mass_min: 0.05,
            paste: true,
            objective: Objective::Lenient1,
        }
    }
}

/// How a box on the trajectory was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The box around all points.
    Initial,
    /// A peel of the previous box.
    Peel,
    /// A paste widening the previous box.
    Paste,
}

/// One box of the trajectory: closed bounds per parameter and its statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct PrimBox {
    /// Lower bound per parameter; a point is inside when `lower ≤ x ≤ upper` in every one.
    pub lower: Vec<f64>,
    /// Upper bound per parameter.
    pub upper: Vec<f64>,
    /// Points in the box.
    pub points: usize,
    /// Cases of interest in the box.
    pub cases: usize,
    /// Share of all cases of interest that lie in the box.
    pub coverage: f64,
    /// Share of the box's points that are cases of interest.
    pub density: f64,
    /// Share of all points that lie in the box.
    pub mass: f64,
    /// Parameters whose bounds differ from the initial box's.
    pub restricted: usize,
    /// How the box was reached.
    pub step: Step,
}

impl PrimBox {
    /// Whether `x` lies in the box.
    pub fn contains(&self, x: &[f64]) -> bool {
        inside(x, &self.lower, &self.upper)
    }
}

/// The peeling (and pasting) trajectory, first box the one around all points.
#[derive(Debug, Clone, PartialEq)]
pub struct Trajectory {
    /// The boxes in the order PRIM reached them.
    pub boxes: Vec<PrimBox>,
    /// Cases of interest among all points.
    pub total_cases: usize,
    /// All points.
    pub total_points: usize,
}

impl Trajectory {
    /// Index of the densest box whose coverage is at least `min_coverage`; ties go to the
    /// higher coverage, then to the earlier box. The initial box has coverage 1, so some box
    /// always qualifies when `min_coverage ≤ 1`; otherwise the initial box is returned.
    pub fn choose(&self, min_coverage: f64) -> usize {
        let mut best = 0;
        for (i, b) in self.boxes.iter().enumerate().skip(1) {
            let c = &self.boxes[best];
            let better =
                b.density > c.density || (b.density == c.density && b.coverage > c.coverage);
            if b.coverage >= min_coverage && better {
                best = i;
            }
        }
        best
    }
}

/// The quantile EMA Workbench's PRIM uses (after SDToolkit): sort, take the values at
/// `⌊(n − 1) q⌋` and `⌈(n − 1) q⌉`; if they are equal, widen away from the middle (down for
/// q > ½, up otherwise) to the next distinct value; return the midpoint. A bound therefore lies
/// between data values and never splits a tie. `data` must not be empty.
pub fn quantile(data: &[f64], q: f64) -> f64 {
    let mut sorted = data.to_vec();
    sorted.sort_by(f64::total_cmp);
    let i = (sorted.len() - 1) as f64 * q;
    let (mut lo, mut hi) = (i.floor() as usize, i.ceil() as usize);
    if q > 0.5 {
        while sorted[lo] == sorted[hi] && lo > 0 {
            lo -= 1;
        }
    } else {
        while sorted[lo] == sorted[hi] && hi < sorted.len() - 1 {
            hi += 1;
        }
    }
    (sorted[lo] + sorted[hi]) / 2.0
}

fn inside(x: &[f64], lower: &[f64], upper: &[f64]) -> bool {
    x.iter()
        .zip(lower.iter().zip(upper))
        .all(|(v, (lo, hi))| lo <= v && v <= hi)
}

/// The peeling and pasting trajectory of points `x` (n × k, real values) with outcome `y`
/// (`true` marks a case of interest).
pub fn prim(x: &[Vec<f64>], y: &[bool], opts: &PrimOptions) -> Result<Trajectory, Error> {
    let search = Search::new(x, y, opts)?;
    let mut current = Candidate {
        lower: search.init_lo.clone(),
        upper: search.init_hi.clone(),
        members: (0..x.len()).collect(),
    };
    let mut boxes = vec![search.record(&current, Step::Initial)];
    while let Some(next) = search.peel(&current) {
        boxes.push(search.record(&next, Step::Peel));
        current = next;
    }
    if opts.paste {
        while let Some(next) = search.paste(&current) {
            boxes.push(search.record(&next, Step::Paste));
            current = next;
        }
    }
    Ok(Trajectory {
        boxes,
        total_cases: search.total_cases,
        total_points: x.len(),
    })
}

/// The data and the rules of one search.
struct Search<'a> {
    x: &'a [Vec<f64>],
    y: &'a [bool],
    opts: &'a PrimOptions,
    init_lo: Vec<f64>,
    init_hi: Vec<f64>,
    total_cases: usize,
}

/// A box and the indices of the points in it.
#[derive(Debug, Clone)]
struct Candidate {
    lower: Vec<f64>,
    upper: Vec<f64>,
    members: Vec<usize>,
}

impl<'a> Search<'a> {
    fn new(x: &'a [Vec<f64>], y: &'a [bool], opts: &'a PrimOptions) -> Result<Self, Error> {
        check_options(opts)?;
        let k = x.first().map_or(0, Vec::len);
        if k == 0 {
            return Err(Error::parameter(
                "points",
                x.len(),
                "PRIM needs points with coordinates",
            ));
        }
        if y.len() != x.len() {
            return Err(Error::OutputCount {
                expected: x.len(),
                got: y.len(),
            });
        }
        if let Some(row) = x.iter().position(|r| r.len() != k) {
            return Err(Error::PointShape {
                row,
                expected: k,
                got: x[row].len(),
            });
        }
        if let Some(row) = x.iter().position(|r| r.iter().any(|v| !v.is_finite())) {
            return Err(Error::parameter(
                "point",
                row,
                "PRIM needs finite coordinates",
            ));
        }
        let total_cases = y.iter().filter(|&&c| c).count();
        if total_cases == 0 {
            return Err(Error::parameter(
                "cases of interest",
                0,
                "the condition holds at no point",
            ));
        }
        let column = |j: usize| x.iter().map(move |r| r[j]);
        Ok(Search {
            x,
            y,
            opts,
            init_lo: (0..k)
                .map(|j| column(j).fold(f64::INFINITY, f64::min))
                .collect(),
            init_hi: (0..k)
                .map(|j| column(j).fold(f64::NEG_INFINITY, f64::max))
                .collect(),
            total_cases,
        })
    }

    fn cases(&self, members: &[usize]) -> usize {
        members.iter().filter(|&&i| self.y[i]).count()
    }

    /// Density of a set of points: NumPy's mean of 0/1 outcomes, 0 for no points (as EMA).
    fn density(&self, members: &[usize]) -> f64 {
        if members.is_empty() {
            0.0
        } else {
            self.cases(members) as f64 / members.len() as f64
        }
    }

    fn restricted(&self, lower: &[f64], upper: &[f64]) -> usize {
        (0..lower.len())
            .filter(|&j| lower[j] != self.init_lo[j] || upper[j] != self.init_hi[j])
            .count()
    }

    fn mass(&self, members: &[usize]) -> f64 {
        members.len() as f64 / self.x.len() as f64
    }

    fn record(&self, c: &Candidate, step: Step) -> PrimBox {
        let cases = self.cases(&c.members);
        PrimBox {
            lower: c.lower.clone(),
            upper: c.upper.clone(),
            points: c.members.len(),
            cases,
            coverage: cases as f64 / self.total_cases as f64,
            density: cases as f64 / c.members.len() as f64,
            mass: self.mass(&c.members),
            restricted: self.restricted(&c.lower, &c.upper),
            step,
        }
    }

    /// EMA's objective functions, operation for operation.
    fn objective(&self, old: &[usize], new: &[usize]) -> f64 {
        let (mean_old, mean_new) = (self.density(old), self.density(new));
        let (n_old, n_new) = (old.len() as f64, new.len() as f64);
        match self.opts.objective {
            Objective::Original if new.is_empty() => -1.0,
            Objective::Original => mean_new,
            _ if mean_old == mean_new => 0.0,
            Objective::Lenient1 => (mean_new - mean_old) / (n_old - n_new).abs(),
            Objective::Lenient2 => n_new * (mean_new - mean_old) / (n_old - n_new).abs(),
        }
    }

    /// The best candidate: highest objective, then fewest restricted parameters, then the
    /// first (EMA sorts by those two keys, stably, in reverse).
    fn best(&self, old: &Candidate, candidates: Vec<Candidate>) -> Option<(f64, Candidate)> {
        let mut best: Option<(f64, usize, Candidate)> = None;
        for c in candidates {
            let obj = self.objective(&old.members, &c.members);
            let free = c.lower.len() - self.restricted(&c.lower, &c.upper);
            if best.as_ref().is_none_or(|(o, f, _)| (obj, free) > (*o, *f)) {
                best = Some((obj, free, c));
            }
        }
        best.map(|(obj, _, c)| (obj, c))
    }

    /// The next peel, if one is accepted: mass at least `mass_min`, fewer points, objective > 0.
    fn peel(&self, current: &Candidate) -> Option<Candidate> {
        let alpha = self.opts.peel_alpha;
        let mut candidates = Vec::with_capacity(2 * current.lower.len());
        for j in 0..current.lower.len() {
            let xj: Vec<f64> = current.members.iter().map(|&i| self.x[i][j]).collect();
            for upper in [true, false] {
                let mut c = current.clone();
                if upper {
                    let bound = quantile(&xj, 1.0 - alpha);
                    c.upper[j] = bound;
                    c.members.retain(|&i| self.x[i][j] <= bound);
                } else {
                    let bound = quantile(&xj, alpha);
                    c.lower[j] = bound;
                    c.members.retain(|&i| self.x[i][j] >= bound);
                }
                candidates.push(c);
            }
        }
        let (obj, next) = self.best(current, candidates)?;
        let (mass_old, mass_new) = (self.mass(&current.members), self.mass(&next.members));
        (mass_new >= self.opts.mass_min && mass_new < mass_old && obj > 0.0).then_some(next)
    }

    /// The next paste, if one is accepted: mass at least `mass_min`, more points, objective
    /// > 0 and a higher density.
    fn paste(&self, current: &Candidate) -> Option<Candidate> {
        let restricted: Vec<usize> = (0..current.lower.len())
            .filter(|&j| current.lower[j] != self.init_lo[j] || current.upper[j] != self.init_hi[j])
            .collect();
        let mut candidates = Vec::with_capacity(2 * restricted.len());
        for &u in &restricted {
            candidates.push(self.paste_one(current, u, false));
            candidates.push(self.paste_one(current, u, true));
        }
        let (obj, next) = self.best(current, candidates)?;
        let (mass_old, mass_new) = (self.mass(&current.members), self.mass(&next.members));
        let gain = self.density(&next.members) > self.density(&current.members);
        (mass_new >= self.opts.mass_min && mass_new > mass_old && obj > 0.0 && gain).then_some(next)
    }

    /// Widens bound `u` (the upper one if `upper`) over the `paste_alpha` share of the points in
    /// the strip between it and the data's extreme, the box's other bounds kept.
    fn paste_one(&self, current: &Candidate, u: usize, upper: bool) -> Candidate {
        let mut strip = (current.lower.clone(), current.upper.clone());
        if upper {
            strip.0[u] = current.upper[u];
            strip.1[u] = self.init_hi[u];
        } else {
            strip.0[u] = self.init_lo[u];
            strip.1[u] = current.lower[u];
        }
        let data: Vec<f64> = self
            .x
            .iter()
            .filter(|p| inside(p, &strip.0, &strip.1))
            .map(|p| p[u])
            .collect();
        let mut c = current.clone();
        match (upper, data.is_empty()) {
            (true, true) => c.upper[u] = self.init_hi[u],
            (true, false) => c.upper[u] = quantile(&data, self.opts.paste_alpha),
            (false, true) => c.lower[u] = self.init_lo[u],
            (false, false) => c.lower[u] = quantile(&data, 1.0 - self.opts.paste_alpha),
        }
        c.members = (0..self.x.len())
            .filter(|&i| inside(&self.x[i], &c.lower, &c.upper))
            .collect();
        c
    }
}

fn check_options(o: &PrimOptions) -> Result<(), Error> {
    let open = |v: f64| v > 0.0 && v < 1.0;
    if !open(o.peel_alpha) {
        return Err(Error::parameter(
            "peel_alpha",
            o.peel_alpha,
            "must lie in (0, 1)",
        ));
    }
    if !open(o.paste_alpha) {
        return Err(Error::parameter(
            "paste_alpha",
            o.paste_alpha,
            "must lie in (0, 1)",
        ));
    }
    if !(0.0..=1.0).contains(&o.mass_min) {
        return Err(Error::parameter(
            "mass_min",
            o.mass_min,
            "must lie in [0, 1]",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
