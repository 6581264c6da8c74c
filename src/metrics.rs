//! What is measured (docs/ODD.md §7.7), by an observer the step does not know about.
//!
//! [`Recorder::observe`] reads the world after each step and computes one row of [`METRICS`];
//! rows are kept every `every` steps for the time series, and every step enters the run's
//! summary (final value and mean over steps 1..T). A metric that is undefined at a step (mean
//! latency when nothing was decided) is `NaN` and written as an empty (NA) cell.

use crate::org::Organization;
pub use crate::stats::Range;
use crate::world::World;

/// What a measure is for, in `stats.csv`, the console summary and the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    /// A headline outcome the claims are about (performance, innovation, engagement, skill,
    /// adaptability).
    Outcome,
    /// A cost of leading (coordination, conflict).
    Cost,
    /// How the organization worked (proposals, adoptions, turnover, …).
    Process,
    /// A manipulation check: fixed or driven by the model's definition, showing that the model
    /// did what it should — not an outcome (docs/ODD.md §7.7).
    Check,
}

impl MetricKind {
    /// Its name in `stats.csv`'s `kind` column.
    pub fn name(self) -> &'static str {
        match self {
            MetricKind::Outcome => "outcome",
            MetricKind::Cost => "cost",
            MetricKind::Process => "process",
            MetricKind::Check => "check",
        }
    }
}

/// A measured quantity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metric {
    /// The column name in `timeseries.csv` (and, with `_final` and `_mean`, in `summary.csv`).
    pub name: &'static str,
    /// What it measures, with its range, for docs/FORMAT.md and the report (docs/ODD.md §7.7).
    pub meaning: &'static str,
    /// What it is for: an outcome, a cost, the process, or a manipulation check.
    pub kind: MetricKind,
    /// Its unit ("adoptions per step", "share of members", "score", …).
    pub unit: &'static str,
    /// The values it can take; confidence intervals of its mean stay inside (docs/ODD.md §7.7).
    pub range: Range,
    /// The section of docs/ODD.md that defines it.
    pub odd: &'static str,
}

const fn m(
    name: &'static str,
    kind: MetricKind,
    unit: &'static str,
    range: Range,
    meaning: &'static str,
) -> Metric {
    Metric {
        name,
        meaning,
        kind,
        unit,
        range,
        odd: "Part I §7.7",
    }
}

use MetricKind::{Check, Cost, Outcome, Process};

/// Every per-step metric of the leadership model, in column order: outcomes, costs, process,
/// manipulation checks.
pub const METRICS: [Metric; 25] = [
    m(
        "performance",
        Outcome,
        "share of the maximum",
        Range::UNIT,
        "fitness of the organization's configuration divided by the landscape's global maximum",
    ),
    m(
        "innovations",
        Outcome,
        "adoptions per step",
        Range::NON_NEGATIVE,
        "adopted changes that lifted performance above its best since the landscape last changed (new records) this step",
    ),
    m(
        "engagement",
        Outcome,
        "score",
        Range::UNIT,
        "mean engagement of members",
    ),
    m(
        "leadership_skill",
        Outcome,
        "score",
        Range::UNIT,
        "mean leadership skill of members",
    ),
    m(
        "sharedness",
        Outcome,
        "density",
        Range::UNIT,
        "density of the influence network members grant each other (Carson, Tesluk & Marrone 2007): the sum of its weights over the ordered pairs of members",
    ),
    m(
        "influence_centralization",
        Outcome,
        "index",
        Range::UNIT,
        "Freeman's centralization of the influence members receive (0: relied on alike; 1: everyone relies fully on one member); NA with fewer than two members",
    ),
    m(
        "messages",
        Cost,
        "messages per step",
        Range::NON_NEGATIVE,
        "messages sent this step: hops of proposals and decisions along the reporting chain or to leads, consultations, votes",
    ),
    m(
        "disputes",
        Cost,
        "members overruled per step",
        Range::NON_NEGATIVE,
        "times someone was overruled this step: a consulted lead whose objection was overridden, a lead whose adoption a consulted lead blocked, a voter in the minority",
    ),
    m(
        "harmful_adoptions",
        Cost,
        "adoptions per step",
        Range::NON_NEGATIVE,
        "adopted changes that lowered true fitness this step",
    ),
    m(
        "proposals",
        Process,
        "proposals per step",
        Range::NON_NEGATIVE,
        "proposals submitted this step",
    ),
    m(
        "adoptions",
        Process,
        "adoptions per step",
        Range::NON_NEGATIVE,
        "proposals adopted this step",
    ),
    m(
        "improvements",
        Process,
        "adoptions per step",
        Range::NON_NEGATIVE,
        "adopted changes that raised true fitness this step (records or not)",
    ),
    m(
        "reversals",
        Process,
        "adoptions per step",
        Range::NON_NEGATIVE,
        "adopted changes that changed back a decision adopted within the last `window` steps (churn)",
    ),
    m(
        "radical_adoptions",
        Process,
        "adoptions per step",
        Range::NON_NEGATIVE,
        "adopted radical proposals (several decisions at once) this step",
    ),
    m(
        "distinct_configs",
        Process,
        "configurations",
        Range::NON_NEGATIVE,
        "distinct configurations the organization has held so far (cumulative)",
    ),
    m(
        "participation",
        Process,
        "share of members",
        Range::UNIT,
        "share of members who proposed within the last `window` steps",
    ),
    m(
        "expired",
        Process,
        "proposals per step",
        Range::NON_NEGATIVE,
        "proposals that expired unreviewed this step",
    ),
    m(
        "members",
        Process,
        "members",
        Range::NON_NEGATIVE,
        "members in the organization (occupied slots)",
    ),
    m(
        "departures",
        Process,
        "members per step",
        Range::NON_NEGATIVE,
        "members who left this step (disengagement and events)",
    ),
    m(
        "trust",
        Process,
        "score",
        Range::UNIT,
        "mean trust of members in the member who decides their proposals (members who have one; NA when none has)",
    ),
    m(
        "voice",
        Process,
        "score",
        Range::UNIT,
        "mean voice expectancy of members: what speaking up brings, as they learned it",
    ),
    m(
        "decision_makers",
        Check,
        "members",
        Range::NON_NEGATIVE,
        "members who reviewed, were consulted on or voted on a proposal within the last `window` steps",
    ),
    m(
        "leadership_centralization",
        Check,
        "Gini index",
        Range::UNIT,
        "Gini coefficient of decisions made (reviews, consultations and votes) across members within the last `window` steps (0: equal, near 1: one decider); NA when nobody decided",
    ),
    m(
        "latency",
        Check,
        "steps",
        Range::NON_NEGATIVE,
        "mean steps from proposal to decision for proposals decided this step; NA when none",
    ),
    m(
        "utilization",
        Check,
        "capacity spent per unit available",
        Range::NON_NEGATIVE,
        "review capacity spent (reviews, consultations) over the review capacity the occupied desks had this step, above 1 when a desk spends capacity it saved in earlier steps; NA when none",
    ),
];

/// Number of metrics.
pub const N_METRICS: usize = METRICS.len();

/// One row of metric values.
pub type Row = [f64; N_METRICS];

/// The index of a metric by name.
pub fn index(name: &str) -> Option<usize> {
    METRICS.iter().position(|m| m.name == name)
}

/// Final value and mean of each metric over a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Each metric's value at the last step, in [`METRICS`] order (NaN when undefined then).
    pub finals: Row,
    /// Each metric's mean over steps 1…T, NaN steps skipped (NaN when never defined).
    pub means: Row,
}

/// Totals over the active members after a step (`Recorder::members`).
struct Members {
    /// Active members.
    active: usize,
    /// Sum of their engagement, in slot order.
    engaged: f64,
    /// Sum of their leadership skill, in slot order.
    skilled: f64,
    /// Sum of their voice expectancy, in slot order.
    voiced: f64,
    /// Those who proposed within the window.
    participating: usize,
    /// Those who decided within the window.
    deciders: usize,
    /// Mean trust in their deciders of those who have one, in slot order (NaN when none has):
    /// `trust::Ledger::mean_member`'s sum, taken in this pass instead of a second one.
    trust: f64,
}

/// Computes metric rows from the world after each step.
#[derive(Debug)]
pub struct Recorder {
    window: usize,
    every: u32,
    /// Kept rows: `(step, values)`.
    pub rows: Vec<(u32, Row)>,
    /// Decisions made by each slot at each of the last `window` steps (`window × slots`).
    ring: Vec<u16>,
    /// Decisions made by each slot within the window.
    in_window: Vec<u32>,
    /// Last step at which each slot proposed (`u32::MAX`: never).
    last_proposed: Vec<u32>,
    scratch: Vec<u32>,
    /// The influence metric's buffers, reused each step.
    strengths: Strengths,
    sums: Row,
    counts: [u32; N_METRICS],
    last: Row,
}

impl Recorder {
    /// A recorder for `steps` steps keeping every `every`-th row, sized for up to `slots` slots.
    pub fn new(window: usize, every: u32, steps: u32, slots: usize) -> Recorder {
        let window = window.max(1);
        Recorder {
            window,
            every: every.max(1),
            rows: Vec::with_capacity((steps / every.max(1)) as usize + 2),
            ring: vec![0; window * slots],
            in_window: vec![0; slots],
            last_proposed: vec![u32::MAX; slots],
            scratch: Vec::with_capacity(slots),
            strengths: Strengths::with_capacity(slots),
            sums: [0.0; N_METRICS],
            counts: [0; N_METRICS],
            last: [f64::NAN; N_METRICS],
        }
    }

    fn slots(&self) -> usize {
        self.in_window.len()
    }

    /// Makes room for `slots` slots (after growth).
    fn fit(&mut self, slots: usize) {
        let old = self.slots();
        if slots <= old {
            return;
        }
        let mut ring = vec![0u16; self.window * slots];
        for w in 0..self.window {
            ring[w * slots..w * slots + old].copy_from_slice(&self.ring[w * old..(w + 1) * old]);
        }
        self.ring = ring;
        self.in_window.resize(slots, 0);
        self.last_proposed.resize(slots, u32::MAX);
    }

    /// Updates each slot's decision window and proposal record after step `world.t` and counts
    /// the active members' totals; leaves the decisions in the window per active member in
    /// `scratch` (for the Gini coefficient).
    fn members(&mut self, world: &World) -> Members {
        let t = world.t;
        let org = &world.org;
        let slots = org.slots();
        self.fit(slots);
        let stride = self.slots();
        let pos = (t as usize % self.window) * stride;
        let (mut active, mut engaged, mut skilled, mut voiced) = (0usize, 0.0, 0.0, 0.0);
        let mut participating = 0usize;
        let mut deciders = 0usize;
        let (mut trusting, mut trust) = (0usize, 0.0);
        self.scratch.clear();
        for s in 0..slots {
            let decided = if t == 0 {
                0
            } else {
                world.reviews[s].saturating_add(world.votes[s])
            };
            if t > 0 && org.joined[s] == t {
                // A newcomer in this slot: the predecessor's record is not theirs.
                for w in 0..self.window {
                    self.ring[w * stride + s] = 0;
                }
                self.in_window[s] = 0;
                self.last_proposed[s] = u32::MAX;
            }
            self.in_window[s] -= self.ring[pos + s] as u32;
            self.ring[pos + s] = decided;
            self.in_window[s] += decided as u32;
            if t > 0 && world.proposals[s] > 0 {
                self.last_proposed[s] = t;
            }
            if !org.active[s] {
                continue;
            }
            active += 1;
            engaged += org.engagement[s];
            skilled += org.skill[s];
            voiced += org.voice[s];
            if org.trust.last_decider[s] != u32::MAX {
                trust += org.trust.member(s, org.domain[s] as usize);
                trusting += 1;
            }
            let lp = self.last_proposed[s];
            if lp != u32::MAX && (t - lp) < self.window as u32 {
                participating += 1;
            }
            if self.in_window[s] > 0 {
                deciders += 1;
            }
            self.scratch.push(self.in_window[s]);
        }
        Members {
            active,
            engaged,
            skilled,
            voiced,
            participating,
            deciders,
            trust: if trusting == 0 {
                f64::NAN
            } else {
                trust / trusting as f64
            },
        }
    }

    /// Records the state after step `world.t` (step 0: the initial state).
    pub fn observe(&mut self, world: &World) {
        let t = world.t;
        let Members {
            active,
            engaged,
            skilled,
            voiced,
            participating,
            deciders,
            trust,
        } = self.members(world);
        let tally = &world.tally;
        let per_member = |x: f64| {
            if active > 0 {
                x / active as f64
            } else {
                f64::NAN
            }
        };
        let latency = if tally.latency_count > 0 {
            tally.latency_sum as f64 / tally.latency_count as f64
        } else {
            f64::NAN
        };
        let (sharedness, influence_centralization) = self.influence(world);
        let utilization = if tally.capacity > 0.0 {
            tally.spent / tally.capacity
        } else {
            f64::NAN
        };
        let row: Row = [
            world.land.performance(world.config),
            tally.innovations as f64,
            per_member(engaged),
            per_member(skilled),
            sharedness,
            influence_centralization,
            tally.messages as f64,
            tally.disputes as f64,
            tally.harmful_adoptions as f64,
            tally.proposals as f64,
            tally.adoptions as f64,
            tally.improvements as f64,
            tally.reversals as f64,
            tally.radical_adoptions as f64,
            world.distinct_configs() as f64,
            per_member(participating as f64),
            tally.expired as f64,
            active as f64,
            tally.departures as f64,
            trust,
            per_member(voiced),
            deciders as f64,
            gini(&mut self.scratch),
            latency,
            utilization,
        ];
        if t > 0 {
            for (i, &v) in row.iter().enumerate() {
                if !v.is_nan() {
                    self.sums[i] += v;
                    self.counts[i] += 1;
                }
            }
        }
        self.last = row;
        if t.is_multiple_of(self.every) {
            self.rows.push((t, row));
        }
    }

    /// The influence network's density and centralization after this step (docs/ODD.md §7.7).
    fn influence(&mut self, world: &World) -> (f64, f64) {
        let scatter = world.org.slots() <= SCATTER_SLOTS;
        self.strengths
            .measure(&world.org, world.behaviour.influence.tie, scatter)
    }

    /// Final value and mean over steps 1..T of every metric (NaN when never defined).
    pub fn summary(&self) -> Summary {
        let mut means = [f64::NAN; N_METRICS];
        for ((mean, &sum), &count) in means.iter_mut().zip(&self.sums).zip(&self.counts) {
            if count > 0 {
                *mean = sum / count as f64;
            }
        }
        Summary {
            finals: self.last,
            means,
        }
    }

    /// The latest row.
    pub fn last(&self) -> &Row {
        &self.last
    }
}

/// Organizations of at most this many slots sum in-strengths by scattering adds: the array of
/// strengths stays in cache. Larger ones gather them per receiver instead (see [`Strengths`]).
const SCATTER_SLOTS: usize = 4096;

/// The influence network's in-strengths, recomputed every step (grants decay every step, so
/// every weight changes) into buffers reused across steps.
#[derive(Debug, Default)]
struct Strengths {
    /// Per slot: the influence it receives (in-strength).
    strength: Vec<f64>,
    /// Active slots as bits: random lookups stay in cache.
    active_bits: Vec<u64>,
    /// Per slot: the mark of the last grantor tied to it. Grantor number `g` of the
    /// grantor-order passes since `tied` was last cleared marks its ties `g`; a slot marked
    /// `g` is tied to the grantor being summed (a lookup instead of a search of its ties).
    tied: Vec<u32>,
    /// The mark of the last grantor (0: `tied` holds no mark).
    mark: u32,
    /// Gathering only: per receiver, a count then an offset of the grants' excesses; the
    /// excesses `(grantor, receiver, excess)` in grantor order, and grouped by receiver
    /// `(grantor, excess)`.
    received: Vec<u32>,
    excess: Vec<(u32, u32, f64)>,
    grouped: Vec<(u32, f64)>,
}

impl Strengths {
    fn with_capacity(slots: usize) -> Strengths {
        Strengths {
            strength: Vec::with_capacity(slots),
            active_bits: Vec::with_capacity(slots.div_ceil(64)),
            ..Strengths::default()
        }
    }

    /// Active members as a bitset in `active_bits`.
    fn mark_active(&mut self, org: &Organization) {
        let slots = org.slots();
        self.active_bits.clear();
        self.active_bits.resize(slots.div_ceil(64), 0);
        for (i, _) in org
            .active
            .iter()
            .enumerate()
            .take(slots)
            .filter(|(_, a)| **a)
        {
            self.active_bits[i >> 6] |= 1 << (i & 63);
        }
    }

    /// The influence network's density and the centralization of its in-strengths, over the
    /// active members: w(i→j) = max(`tie` if tied, i's earned grant to j).
    ///
    /// The sums are defined in grantor order (i ascending; for each i its ties, then its
    /// grants). The total is summed that way. Each in-strength is too, in one of two ways that
    /// add the same terms in the same order, so their bits are equal: `scatter` adds every
    /// term to its receiver's sum during the grantor-order pass (cheap while the strengths fit
    /// in cache); otherwise each receiver's sum is gathered by walking its own (ascending,
    /// symmetric) tie list merged with the grants it received, writing each strength once
    /// instead of scattering adds over the whole organization (a cache miss per tie in a large
    /// one).
    fn measure(&mut self, org: &Organization, tie: f64, scatter: bool) -> (f64, f64) {
        let slots = org.slots();
        self.mark_active(org);
        self.strength.clear();
        self.strength.resize(slots, 0.0);
        self.received.clear();
        self.excess.clear();
        if !scatter {
            self.received.resize(slots + 1, 0);
        }
        if self.tied.len() != slots || self.mark > u32::MAX - slots as u32 {
            self.tied.clear();
            self.tied.resize(slots, 0);
            self.mark = 0;
        }
        let bits = &self.active_bits;
        let on = |j: usize| (bits[j >> 6] >> (j & 63)) & 1 == 1;
        // The grantor-order pass: the total; scattered strengths, or each grant's excess over
        // the tie counted by receiver.
        let mut total = 0.0;
        let mut n = 0usize;
        for i in (0..slots).filter(|&i| on(i)) {
            n += 1;
            self.mark += 1;
            let mark = self.mark;
            if tie > 0.0 {
                for &j in org.network.neighbours(i) {
                    self.tied[j as usize] = mark;
                    if on(j as usize) {
                        total += tie;
                        if scatter {
                            self.strength[j as usize] += tie;
                        }
                    }
                }
            }
            for (to, j, g) in org.grants.of(i) {
                if j == i || j >= slots || !on(j) || org.id[j] != to {
                    continue;
                }
                let base = if tie > 0.0 && self.tied[j] == mark {
                    tie
                } else {
                    0.0
                };
                let extra = (g - base).max(0.0);
                // Adding 0 leaves a non-negative sum unchanged.
                if extra > 0.0 {
                    total += extra;
                    if scatter {
                        self.strength[j] += extra;
                    } else {
                        self.excess.push((i as u32, j as u32, extra));
                        self.received[j + 1] += 1;
                    }
                }
            }
        }
        if n < 2 {
            return (f64::NAN, f64::NAN);
        }
        if !scatter {
            self.gather(org, tie);
        }
        let bits = &self.active_bits;
        let on = |j: usize| (bits[j >> 6] >> (j & 63)) & 1 == 1;
        let pairs = (n * (n - 1)) as f64;
        let per = (n - 1) as f64;
        let max = (0..slots)
            .filter(|&j| on(j))
            .map(|j| self.strength[j] / per)
            .fold(0.0f64, f64::max);
        let centralization = (0..slots)
            .filter(|&j| on(j))
            .map(|j| max - self.strength[j] / per)
            .sum::<f64>()
            / per;
        (total / pairs, centralization)
    }

    /// Each active receiver's in-strength from its ties and the excesses counted in
    /// `received` and listed in `excess` by the grantor-order pass.
    fn gather(&mut self, org: &Organization, tie: f64) {
        let slots = org.slots();
        let bits = &self.active_bits;
        let on = |j: usize| (bits[j >> 6] >> (j & 63)) & 1 == 1;
        // The excesses grouped by receiver, each group in grantor order (a counting sort).
        for j in 0..slots {
            self.received[j + 1] += self.received[j];
        }
        self.grouped.clear();
        self.grouped.resize(self.excess.len(), (0, 0.0));
        for &(i, j, extra) in &self.excess {
            let at = &mut self.received[j as usize];
            self.grouped[*at as usize] = (i, extra);
            *at += 1;
        }
        // After the fill, received[j] is the end of j's group and received[j − 1] (or 0) its
        // start.
        for j in (0..slots).filter(|&j| on(j)) {
            let end = self.received[j] as usize;
            let begin = if j == 0 {
                0
            } else {
                self.received[j - 1] as usize
            };
            let grants = &self.grouped[begin..end];
            let mut sum = 0.0;
            let mut k = 0;
            if tie > 0.0 {
                for &i in org.network.neighbours(j) {
                    let i = i as usize;
                    if !on(i) {
                        continue;
                    }
                    while k < grants.len() && (grants[k].0 as usize) < i {
                        sum += grants[k].1;
                        k += 1;
                    }
                    sum += tie;
                }
            }
            for &(_, extra) in &grants[k..] {
                sum += extra;
            }
            self.strength[j] = sum;
        }
    }
}

/// Gini coefficient of non-negative counts (reorders `values`); NaN when they sum to zero or there
/// are none. G = Σᵢ (2i − n − 1)·x₍ᵢ₎ / (n · Σx), with x sorted ascending and i from 1.
pub fn gini(values: &mut [u32]) -> f64 {
    let n = values.len();
    let total: u64 = values.iter().map(|&v| v as u64).sum();
    if n == 0 || total == 0 {
        return f64::NAN;
    }
    // Zeros sort first and add nothing: only the non-zero values need sorting, after the
    // zeros' count (most members decide nothing in a step's window).
    let mut nonzero = 0;
    for i in 0..n {
        if values[i] != 0 {
            values.swap(nonzero, i);
            nonzero += 1;
        }
    }
    let zeros = n - nonzero;
    values[..nonzero].sort_unstable();
    let mut acc = 0i64;
    for (k, &v) in values[..nonzero].iter().enumerate() {
        let i = zeros + k;
        acc += (2 * (i as i64 + 1) - n as i64 - 1) * v as i64;
    }
    acc as f64 / (n as f64 * total as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gini_of_known_distributions() {
        assert_eq!(gini(&mut [5, 5, 5, 5]), 0.0);
        // One of n holds everything: (n − 1)/n.
        assert!((gini(&mut [0, 0, 0, 8]) - 0.75).abs() < 1e-12);
        assert!((gini(&mut [1, 2, 3, 4]) - 0.25).abs() < 1e-12);
        assert!(gini(&mut [0, 0]).is_nan());
        assert!(gini(&mut []).is_nan());
    }

    /// The in-strengths and density from the definition: a dense matrix of weights
    /// w(i→j) = max(`tie` if tied, grant), each summed over grantors (equal to the grantor-order
    /// sums up to rounding).
    fn influence_by_definition(org: &Organization, tie: f64) -> (f64, Vec<f64>) {
        let slots = org.slots();
        let mut w = vec![vec![0.0f64; slots]; slots];
        for i in (0..slots).filter(|&i| org.active[i]) {
            for &j in org.network.neighbours(i) {
                w[i][j as usize] = tie;
            }
            for (to, j, g) in org.grants.of(i) {
                if j != i && j < slots && org.id[j] == to {
                    w[i][j] = w[i][j].max(g);
                }
            }
        }
        let on: Vec<usize> = (0..slots).filter(|&j| org.active[j]).collect();
        let strength: Vec<f64> = (0..slots)
            .map(|j| {
                if org.active[j] {
                    on.iter().map(|&i| w[i][j]).sum()
                } else {
                    0.0
                }
            })
            .collect();
        let total = on.iter().map(|&j| strength[j]).sum();
        (total, strength)
    }

    /// Scattering and gathering in-strengths give the same bits, and both the definition's
    /// values, over a random history of grants, decay, departures, newcomers and tie changes.
    #[test]
    fn scattered_and_gathered_strengths_agree_with_the_definition() {
        use crate::rng::{self, Purpose};
        let s = crate::scenario::Scenario::from_text(
            "[organization]\nmembers = 40\ndomains = 4\n[[models]]\nkind = \"shared\"\n",
            "t.toml",
        )
        .unwrap();
        let mut rng = rng::stream(5, Purpose::Behaviour, &[]);
        for (case, tie) in [0.1, 0.0, 0.3].into_iter().enumerate() {
            let mut org = Organization::build(&s.organization, s.landscape.n, case as u64);
            let b = &s.behaviour;
            org.equip(b.trust, b.influence, b.voice);
            let slots = org.slots();
            let (mut scattered, mut gathered) = (Strengths::default(), Strengths::default());
            for step in 0..300 {
                for _ in 0..rng::below(&mut rng, 30) {
                    let (i, j) = (rng::below(&mut rng, slots), rng::below(&mut rng, slots));
                    let good = rng::unit(&mut rng) < 0.7;
                    org.grants.saw(i, org.id[j], j, good);
                }
                org.grants.decay();
                match rng::below(&mut rng, 6) {
                    0 => {
                        let i = rng::below(&mut rng, slots);
                        org.active[i] = !org.active[i];
                    }
                    // A newcomer: grants to the member who left no longer count.
                    1 => org.id[rng::below(&mut rng, slots)] += 1000,
                    2 => {
                        let (a, b) = (rng::below(&mut rng, slots), rng::below(&mut rng, slots));
                        org.network.add_edge(a, b);
                    }
                    3 => {
                        let (a, b) = (rng::below(&mut rng, slots), rng::below(&mut rng, slots));
                        org.network.remove_edge(a, b);
                    }
                    _ => {}
                }
                if step % 2 == 0 {
                    org.network.freeze();
                }
                let a = scattered.measure(&org, tie, true);
                let b = gathered.measure(&org, tie, false);
                assert_eq!(a.0.to_bits(), b.0.to_bits(), "density, step {step}");
                assert_eq!(a.1.to_bits(), b.1.to_bits(), "centralization, step {step}");
                assert!(scattered.strength == gathered.strength, "step {step}");
                let (total, strength) = influence_by_definition(&org, tie);
                let n = org.active.iter().filter(|&&a| a).count() as f64;
                assert!((a.0 - total / (n * (n - 1.0))).abs() < 1e-12, "step {step}");
                for (x, y) in scattered.strength.iter().zip(&strength) {
                    assert!((x - y).abs() < 1e-12, "step {step}");
                }
            }
            let granted = (0..slots).filter(|&i| org.grants.of(i).count() > 0).count();
            assert!(granted > slots / 2, "a history with grants: {granted}");
        }
    }

    #[test]
    fn metrics_come_in_sections_outcomes_costs_process_checks() {
        let rank = |k: MetricKind| [Outcome, Cost, Process, Check].iter().position(|&x| x == k);
        for pair in METRICS.windows(2) {
            assert!(
                rank(pair[0].kind) <= rank(pair[1].kind),
                "{} before {}",
                pair[0].name,
                pair[1].name
            );
        }
        let names: std::collections::BTreeSet<&str> = METRICS.iter().map(|m| m.name).collect();
        assert_eq!(names.len(), METRICS.len(), "names are unique");
        // What the model fixes by definition is a check, never an outcome.
        for name in [
            "decision_makers",
            "leadership_centralization",
            "latency",
            "utilization",
        ] {
            assert_eq!(METRICS[index(name).unwrap()].kind, Check, "{name}");
        }
    }
}
