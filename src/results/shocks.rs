//! Adaptability around shocks (docs/ODD.md §7.6, §7.7): how far performance falls when an event
//! hits, how long it takes to come back, and the per-model statistics of those measures.

use crate::metrics::{Metric, MetricKind, Range};

/// Columns of `shocks.csv` after the identifying ones.
pub const SHOCK_COLUMNS: [&str; 16] = [
    "shock",
    "event",
    "kind",
    "step",
    "capacity_lost",
    "before",
    "after",
    "drop",
    "trough",
    "max_drop",
    "recovery_steps",
    "censored",
    "window_mean",
    "window_steps",
    "effect",
    "effect_min",
];

/// Adaptability around one shock.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Adaptability {
    /// Performance at the end of the step before the shock.
    pub before: f64,
    /// Performance right after the shock was applied (before the organization responds).
    pub after: f64,
    /// `before − after`: the immediate effect.
    pub drop: f64,
    /// The lowest performance within the window, counting `after` (shocks to the members or the
    /// leadership often hurt later, not at once).
    pub trough: f64,
    /// `before − trough`.
    pub max_drop: f64,
    /// Steps from the shock until performance at the end of a step is back to `before`, looking
    /// from the trough on: 0 when performance never fell below `before` within the window. When
    /// the run ends first, the steps observed, with `censored` set.
    pub recovery_steps: u32,
    /// Whether the run ended before performance was back to `before` (`recovery_steps` is then
    /// a lower bound, censored in the Kaplan–Meier sense).
    pub censored: bool,
    /// Mean performance at the end of the shock step and the following steps of the window.
    pub window_mean: f64,
    /// Steps the window covers (fewer than the window when the run ends first).
    pub window_steps: u32,
    /// The shock's effect: mean over the window of performance minus the performance of the
    /// counterfactual twin run without the shocks (NaN without a twin). Unlike the level
    /// (`window_mean`) it does not carry the model's general performance, and unlike the drops
    /// it does not carry the drift since `before`.
    pub effect: f64,
    /// The most harmful moment of the window: the lowest performance minus the twin's.
    pub effect_min: f64,
}

/// Measures adaptability from `series`, the performance at the end of steps `shock_step`,
/// `shock_step + 1`, …, up to the end of the run.
pub fn adaptability(before: f64, after: f64, series: &[f64], window: usize) -> Adaptability {
    let w = window.min(series.len());
    let (mut trough_at, mut trough) = (0usize, after);
    for (i, &p) in series[..w].iter().enumerate() {
        if p < trough {
            trough = p;
            trough_at = i;
        }
    }
    let (recovery_steps, censored) = if trough >= before {
        (0, false)
    } else {
        match series[trough_at..].iter().position(|&p| p >= before) {
            Some(r) => ((trough_at + r) as u32, false),
            None => (series.len() as u32, true),
        }
    };
    let window_mean = if w > 0 {
        series[..w].iter().sum::<f64>() / w as f64
    } else {
        f64::NAN
    };
    Adaptability {
        before,
        after,
        drop: before - after,
        trough,
        max_drop: before - trough,
        recovery_steps,
        censored,
        window_mean,
        window_steps: w as u32,
        effect: f64::NAN,
        effect_min: f64::NAN,
    }
}

/// The effect of a shock on `series` (performance at the end of the shock step and after),
/// against `twin`, the counterfactual run's performance over the same steps, over `window`
/// steps: `(mean difference, lowest difference)`; NaN when the window is empty.
pub fn effect(series: &[f64], twin: &[f64], window: usize) -> (f64, f64) {
    let w = window.min(series.len()).min(twin.len());
    if w == 0 {
        return (f64::NAN, f64::NAN);
    }
    let diffs = series[..w].iter().zip(&twin[..w]).map(|(a, b)| a - b);
    let (sum, min) = diffs.fold((0.0, f64::INFINITY), |(s, m), d| (s + d, m.min(d)));
    // A mean is never below its minimum, but a sum of equal differences divided back can
    // round one ulp under it; clamp so that effect_min <= effect holds in every file.
    ((sum / w as f64).max(min), min)
}

/// One measured shock of a run: which event fired, of what kind, at which step, and the
/// adaptability around it.
#[derive(Debug, Clone, PartialEq)]
pub struct Shock {
    /// The event's name (unique in its scenario).
    pub event: String,
    /// The event's kind.
    pub kind: String,
    /// The step at which it fired.
    pub step: u32,
    /// The share of the model's review capacity whose holders left (a leader loss; NaN for
    /// other kinds).
    pub capacity_lost: f64,
    /// How performance fell and recovered around it.
    pub adaptability: Adaptability,
}

impl Shock {
    /// The shock of event `event` (of `kind`) at `step`, measured on `performance` (the
    /// performance at the end of every step, index 0 the initial state) given `after`, the
    /// performance right after the event was applied, over a window of `window` steps; and
    /// against `twin`, the performance of the counterfactual run without the shocks, if any.
    pub fn measure(
        event: &str,
        kind: &str,
        step: u32,
        after: f64,
        performance: &[f64],
        twin: Option<&[f64]>,
        window: usize,
    ) -> Shock {
        let t = step as usize;
        let mut adaptability = adaptability(performance[t - 1], after, &performance[t..], window);
        if let Some(twin) = twin {
            (adaptability.effect, adaptability.effect_min) =
                effect(&performance[t..], twin.get(t..).unwrap_or(&[]), window);
        }
        Shock {
            event: event.to_string(),
            kind: kind.to_string(),
            step,
            capacity_lost: f64::NAN,
            adaptability,
        }
    }
}

/// Named statistics columns, each `[model][replicate]`.
pub type Columns = Vec<(String, Vec<Vec<f64>>)>;

/// The names of the per-run shock statistics, in `stats.csv` order.
pub const NAMES: [&str; 6] = [
    "shock_drop",
    "shock_max_drop",
    "shock_recovered",
    "shock_window_mean",
    "shock_effect",
    "shock_effect_min",
];

/// The name of the Kaplan–Meier median time to recover in `stats.csv`.
pub const RECOVERY_MEDIAN: &str = "shock_recovery_median";

const fn measure(
    name: &'static str,
    unit: &'static str,
    range: Range,
    meaning: &'static str,
) -> Metric {
    Metric {
        name,
        meaning,
        kind: MetricKind::Outcome,
        unit,
        range,
        odd: "Part I §7.6",
    }
}

/// The adaptability measures of `stats.csv`: [`NAMES`] in order, then [`RECOVERY_MEDIAN`]. A
/// change of performance (a share of the maximum) lies between −1 and 1.
pub const MEASURES: [Metric; 7] = [
    measure(
        "shock_drop",
        "share of the maximum",
        Range::SIGNED_UNIT,
        "performance just before a shock minus just after it, before anyone responds (the immediate effect), averaged over a run's shocks",
    ),
    measure(
        "shock_max_drop",
        "share of the maximum",
        Range::SIGNED_UNIT,
        "performance just before a shock minus the lowest performance within the adaptation window after it, averaged over a run's shocks",
    ),
    measure(
        "shock_recovered",
        "share of shocks",
        Range::UNIT,
        "share of a run's shocks after which performance came back to its level before the shock before the run ended",
    ),
    measure(
        "shock_window_mean",
        "share of the maximum",
        Range::UNIT,
        "mean performance over the adaptation window after a shock (a level, carrying the model's general performance), averaged over a run's shocks",
    ),
    measure(
        "shock_effect",
        "share of the maximum",
        Range::SIGNED_UNIT,
        "the shock's counterfactual effect: mean over the window of performance minus that of the same run without the shock, averaged over a run's shocks",
    ),
    measure(
        "shock_effect_min",
        "share of the maximum",
        Range::SIGNED_UNIT,
        "the lowest difference over the window between performance and that of the same run without the shock, averaged over a run's shocks",
    ),
    measure(
        RECOVERY_MEDIAN,
        "steps",
        Range::NON_NEGATIVE,
        "Kaplan–Meier median number of steps until performance is back to its level before the shock, over every shock of every replicate (runs that end first are censored)",
    ),
];

/// The event groups of `events` for statistics: every shock (`None`), then each event alone
/// when there are several.
fn groups(events: &[String]) -> Vec<Option<&String>> {
    let per_event: &[String] = if events.len() > 1 { events } else { &[] };
    std::iter::once(None)
        .chain(per_event.iter().map(Some))
        .collect()
}

/// `name`, or `name@event` for one event's group.
fn group_name(name: &str, group: Option<&String>) -> String {
    match group {
        None => name.to_string(),
        Some(e) => format!("{name}@{e}"),
    }
}

/// Per-model statistics of shocks for `stats.csv`: for each run, the mean over its shocks of
/// `drop`, `max_drop`, the share recovered within the run and `window_mean`; returned as
/// `(column, [model][replicate])`. (The time to recover is censored when the run ends first:
/// it is summarized by [`recovery_medians`], not averaged here.) `runs` holds the shocks of
/// each run of one point in run order (replicate-major, then model). When `events` (the names
/// of the scenario's measured events, in file order) holds more than one, the same columns
/// follow for each event alone, named `shock_drop@<event>` and so on: averaging a market shock
/// with a leader's departure says little about either. Empty when no run had a shock.
pub fn shock_stats(
    models: usize,
    replications: usize,
    runs: &[&[Shock]],
    events: &[String],
) -> Columns {
    if runs.iter().all(|r| r.is_empty()) {
        return Vec::new();
    }
    // Group 0 is every shock; groups 1… are the events one by one (only with several events).
    let per_event: &[String] = if events.len() > 1 { events } else { &[] };
    let n_groups = 1 + per_event.len();
    let mut out = vec![vec![vec![f64::NAN; replications]; models]; NAMES.len() * n_groups];
    let mut sums = vec![[0.0f64; NAMES.len()]; n_groups];
    let mut counts = vec![[0usize; NAMES.len()]; n_groups];
    for (i, shocks) in runs.iter().enumerate() {
        let (m, r) = (i % models, i / models);
        sums.iter_mut().for_each(|s| *s = [0.0; NAMES.len()]);
        counts.iter_mut().for_each(|c| *c = [0; NAMES.len()]);
        for s in *shocks {
            let a = &s.adaptability;
            let vals = [
                a.drop,
                a.max_drop,
                if a.censored { 0.0 } else { 1.0 },
                a.window_mean,
                a.effect,
                a.effect_min,
            ];
            let own = per_event.iter().position(|e| *e == s.event).map(|g| g + 1);
            for g in std::iter::once(0).chain(own) {
                for (k, v) in vals.iter().enumerate() {
                    if !v.is_nan() {
                        sums[g][k] += v;
                        counts[g][k] += 1;
                    }
                }
            }
        }
        for g in 0..n_groups {
            for k in 0..NAMES.len() {
                if counts[g][k] > 0 {
                    out[g * NAMES.len() + k][m][r] = sums[g][k] / counts[g][k] as f64;
                }
            }
        }
    }
    let names = groups(events)
        .into_iter()
        .flat_map(|e| NAMES.iter().map(move |n| group_name(n, e)));
    names.zip(out).collect()
}

/// A Kaplan–Meier median with its 95% confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Median {
    /// Observations (recovered or censored).
    pub n: usize,
    /// The smallest time at which the estimated share not yet recovered is at most one half;
    /// NaN when fewer than half are seen to recover.
    pub median: f64,
    /// Lower bound of the Brookmeyer–Crowley 95% interval (NaN when not reached).
    pub low: f64,
    /// Upper bound of the Brookmeyer–Crowley 95% interval (NaN when not reached).
    pub high: f64,
}

/// The Kaplan–Meier (1958) estimate of the median time to recover from `(steps, recovered)`
/// observations, a censored one (`recovered` false) counting as at risk up to its time; with
/// the Brookmeyer & Crowley (1982) 95% interval, the times whose estimated survival lies within
/// 1.96 Greenwood standard errors of one half. A bound that is not reached is NaN.
pub fn km_median(observations: &[(u32, bool)]) -> Median {
    let mut obs = observations.to_vec();
    // At equal times recoveries come before censorings (a censored shock was at risk then).
    obs.sort_unstable_by_key(|&(t, recovered)| (t, !recovered));
    let n = obs.len();
    let z = 1.959_963_984_540_054;
    let (mut median, mut low, mut high) = (f64::NAN, f64::NAN, f64::NAN);
    let (mut survival, mut greenwood) = (1.0f64, 0.0f64);
    let mut at_risk = n;
    let mut i = 0;
    while i < n {
        let t = obs[i].0;
        let (mut events, mut leaving) = (0usize, 0usize);
        while i < n && obs[i].0 == t {
            events += usize::from(obs[i].1);
            leaving += 1;
            i += 1;
        }
        if events > 0 {
            survival *= 1.0 - events as f64 / at_risk as f64;
            if at_risk > events {
                greenwood += events as f64 / (at_risk as f64 * (at_risk - events) as f64);
            }
            let se = survival * greenwood.sqrt();
            let t = f64::from(t);
            if median.is_nan() && survival <= 0.5 {
                median = t;
            }
            if low.is_nan() && survival - z * se <= 0.5 {
                low = t;
            }
            if high.is_nan() && survival + z * se < 0.5 {
                high = t;
            }
        }
        at_risk -= leaving;
    }
    Median {
        n,
        median,
        low,
        high,
    }
}

/// Bootstrap resamples of a paired difference of medians.
const RESAMPLES: usize = 1000;

/// The Kaplan–Meier median time to recover of each model (every shock of every replicate of the
/// point, pooled), and of each later model minus each earlier one with a 95% percentile
/// bootstrap interval over replicates (resampled in pairs, so common random numbers still pair
/// the models; a fixed stream per comparison, so the figures are reproducible). Per event too
/// when there are several, as [`shock_stats`]. Empty when no run had a shock.
pub fn recovery_medians(
    models: usize,
    replications: usize,
    runs: &[&[Shock]],
    events: &[String],
) -> Vec<super::compare::Stat> {
    use super::compare::Stat;
    if runs.iter().all(|r| r.is_empty()) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (g, group) in groups(events).into_iter().enumerate() {
        let metric = group_name(RECOVERY_MEDIAN, group);
        // [model][replicate] → the run's observations.
        let obs: Vec<Vec<Vec<(u32, bool)>>> = (0..models)
            .map(|m| {
                (0..replications)
                    .map(|r| {
                        runs[r * models + m]
                            .iter()
                            .filter(|s| group.is_none_or(|e| *e == s.event))
                            .map(|s| (s.adaptability.recovery_steps, !s.adaptability.censored))
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let pooled = |m: usize, reps: &mut dyn Iterator<Item = usize>| {
            let all: Vec<(u32, bool)> = reps.flat_map(|r| obs[m][r].iter().copied()).collect();
            km_median(&all)
        };
        let medians: Vec<Median> = (0..models)
            .map(|m| pooled(m, &mut (0..replications)))
            .collect();
        for (m, md) in medians.iter().enumerate() {
            out.push(Stat {
                metric: metric.clone(),
                kind: "outcome",
                model: m,
                versus: None,
                describe: crate::stats::Describe {
                    n: md.n,
                    mean: md.median,
                    sd: f64::NAN,
                    se: f64::NAN,
                    ci_low: md.low,
                    ci_high: md.high,
                },
                effect_size: f64::NAN,
                p_value: f64::NAN,
                p_holm: f64::NAN,
            });
        }
        for a in 0..models {
            for b in 0..a {
                let mut rng = crate::rng::stream(
                    0,
                    crate::rng::Purpose::Sampling,
                    &[0x4b4d, g as u64, a as u64, b as u64],
                );
                let mut diffs = Vec::with_capacity(RESAMPLES);
                let mut pick = vec![0usize; replications];
                for _ in 0..RESAMPLES {
                    for p in pick.iter_mut() {
                        *p = crate::rng::below(&mut rng, replications);
                    }
                    let d = pooled(a, &mut pick.iter().copied()).median
                        - pooled(b, &mut pick.iter().copied()).median;
                    if !d.is_nan() {
                        diffs.push(d);
                    }
                }
                diffs.sort_unstable_by(f64::total_cmp);
                let q = |p: f64| {
                    if diffs.len() < RESAMPLES / 2 {
                        // Medians not reached in most resamples: no interval.
                        f64::NAN
                    } else {
                        diffs[((diffs.len() - 1) as f64 * p).round() as usize]
                    }
                };
                // Replicates in which both models met a shock of the group.
                let n = (0..replications)
                    .filter(|&r| !obs[a][r].is_empty() && !obs[b][r].is_empty())
                    .count();
                out.push(Stat {
                    metric: metric.clone(),
                    kind: "outcome",
                    model: a,
                    versus: Some(b),
                    describe: crate::stats::Describe {
                        n,
                        mean: medians[a].median - medians[b].median,
                        sd: f64::NAN,
                        se: f64::NAN,
                        ci_low: q(0.025),
                        ci_high: q(0.975),
                    },
                    effect_size: f64::NAN,
                    p_value: f64::NAN,
                    p_holm: f64::NAN,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shock(event: &str, drop: f64, recovery_steps: u32, censored: bool) -> Shock {
        Shock {
            event: event.into(),
            kind: "k".into(),
            step: 5,
            capacity_lost: f64::NAN,
            adaptability: Adaptability {
                before: 0.9,
                after: 0.8,
                drop,
                trough: 0.8,
                max_drop: drop,
                recovery_steps,
                censored,
                window_mean: 0.85,
                window_steps: 10,
                effect: -drop / 2.0,
                effect_min: -drop,
            },
        }
    }

    #[test]
    fn shock_stats_per_event_skip_runs_the_event_missed() {
        let runs: Vec<Vec<Shock>> = vec![
            // model 0, replicate 0: both events.
            vec![shock("market", 0.1, 4, false), shock("exit", 0.3, 6, true)],
            // model 1, replicate 0: the market shock only.
            vec![shock("market", 0.2, 2, false)],
            // model 0, replicate 1: no shock.
            Vec::new(),
            // model 1, replicate 1: the exit only.
            vec![shock("exit", 0.4, 8, false)],
        ];
        let runs: Vec<&[Shock]> = runs.iter().map(Vec::as_slice).collect();
        let events = ["market".to_string(), "exit".to_string()];
        let cols = shock_stats(2, 2, &runs, &events);
        let get = |name: &str| &cols.iter().find(|(n, _)| n == name).unwrap().1;
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(close(get("shock_drop")[0][0], 0.2), "mean of 0.1 and 0.3");
        assert!(close(get("shock_drop@market")[0][0], 0.1));
        assert!(close(get("shock_drop@exit")[1][1], 0.4));
        assert!(
            get("shock_drop@market")[1][1].is_nan(),
            "no market shock in that run"
        );
        assert!(get("shock_drop")[0][1].is_nan(), "no shock at all");
        // The share recovered counts both shocks of the run.
        assert!(close(get("shock_recovered")[0][0], 0.5));
        assert!(close(get("shock_recovered@exit")[0][0], 0.0));
        // One event: no per-event columns.
        let one = shock_stats(2, 2, &runs, &events[..1]);
        assert_eq!(one.len(), NAMES.len());
        // The counterfactual effect is averaged like the rest.
        assert!(
            close(get("shock_effect")[0][0], -0.1),
            "mean of −0.05 and −0.15"
        );
        // No shock in any run: no columns at all.
        let none: Vec<&[Shock]> = vec![&[], &[]];
        assert!(shock_stats(2, 1, &none, &events).is_empty());
    }

    #[test]
    fn kaplan_meier_medians_by_hand() {
        // No censoring: the median is the sample median's lower value at even n.
        let all = |ts: &[u32]| ts.iter().map(|&t| (t, true)).collect::<Vec<_>>();
        assert_eq!(km_median(&all(&[3, 1, 2])).median, 2.0);
        assert_eq!(km_median(&all(&[1, 2, 3, 4])).median, 2.0);
        // Censoring: times 1, 2+, 3, 4+, 5. S(1) = 4/5, S(3) = 4/5 · 2/3 = 8/15, S(5) = 0.
        let m = km_median(&[(1, true), (2, false), (3, true), (4, false), (5, true)]);
        assert_eq!((m.n, m.median), (5, 5.0));
        // Averaging the recovered only would say 3: censoring matters.
        // Fewer than half recover: no median, and no upper bound.
        let few = km_median(&[(2, true), (9, false), (9, false), (9, false)]);
        assert!(few.median.is_nan() && few.high.is_nan());
        // A large sample: the interval brackets the median and narrows with n.
        let big: Vec<(u32, bool)> = (0..400).map(|i| (i % 20, i % 7 != 0)).collect();
        let b = km_median(&big);
        assert!(b.low <= b.median && b.median <= b.high, "{b:?}");
        let small = km_median(&big[..40]);
        assert!(small.high - small.low >= b.high - b.low);
    }

    #[test]
    fn recovery_medians_per_model_and_paired() {
        let s = |t: u32, recovered: bool| {
            let mut x = shock("market", 0.1, t, !recovered);
            x.adaptability.recovery_steps = t;
            x
        };
        // Two models, three replicates: model 1 recovers two steps later than model 0.
        let runs: Vec<Vec<Shock>> = (0..3)
            .flat_map(|r| [vec![s(2 + r, true)], vec![s(4 + r, true)]])
            .collect();
        let runs: Vec<&[Shock]> = runs.iter().map(Vec::as_slice).collect();
        let stats = recovery_medians(2, 3, &runs, &["market".to_string()]);
        assert_eq!(stats.len(), 3, "two models and one pair");
        assert_eq!(stats[0].describe.mean, 3.0);
        assert_eq!(stats[1].describe.mean, 5.0);
        let pair = &stats[2];
        assert_eq!((pair.model, pair.versus), (1, Some(0)));
        assert_eq!(pair.describe.mean, 2.0);
        // Every resample keeps the replicates paired: the difference is always 2.
        assert_eq!((pair.describe.ci_low, pair.describe.ci_high), (2.0, 2.0));
        let again = recovery_medians(2, 3, &runs, &["market".to_string()]);
        assert_eq!(format!("{stats:?}"), format!("{again:?}"), "reproducible");
    }

    #[test]
    fn a_shock_is_measured_from_the_step_before() {
        let perf = [0.5, 0.6, 0.7, 0.4, 0.65, 0.72];
        let s = Shock::measure("market", "landscape_shock", 3, 0.3, &perf, None, 10);
        assert_eq!(s.adaptability.before, 0.7);
        assert_eq!(s.adaptability.after, 0.3);
        assert_eq!(s.adaptability.trough, 0.3);
        assert_eq!(
            (s.adaptability.recovery_steps, s.adaptability.censored),
            (2, false)
        );
        assert_eq!(s.adaptability.window_steps, 3);
        assert!(s.adaptability.effect.is_nan(), "no twin, no effect");
        // Against a twin that did not fall: the effect over steps 3…5 and its worst moment.
        let twin = [0.5, 0.6, 0.7, 0.71, 0.72, 0.73];
        let s = Shock::measure("market", "landscape_shock", 3, 0.3, &perf, Some(&twin), 2);
        assert!((s.adaptability.effect - ((0.4 - 0.71) + (0.65 - 0.72)) / 2.0).abs() < 1e-12);
        assert!((s.adaptability.effect_min - (0.4 - 0.71)).abs() < 1e-12);
        // A twin identical to the run: no effect, whatever the level.
        let s = Shock::measure("market", "landscape_shock", 3, 0.3, &perf, Some(&perf), 10);
        assert_eq!(
            (s.adaptability.effect, s.adaptability.effect_min),
            (0.0, 0.0)
        );
    }

    #[test]
    fn a_constant_effect_is_its_own_mean_and_minimum() {
        // Seven differences of 0.1 sum to 0.7 and divide back to 0.0999…, one ulp under
        // the minimum; the mean must not fall below the minimum it contains.
        let twin = [0.0; 7];
        let run = [0.1; 7];
        let (mean, min) = effect(&run, &twin, 7);
        assert_eq!(min, 0.1);
        assert!(mean >= min, "mean {mean} under min {min}");
    }

    #[test]
    fn recovery_and_censoring_on_hand_made_series() {
        // Drops from 0.8 to 0.5, regains 0.8 three steps after the shock step.
        let a = adaptability(0.8, 0.5, &[0.55, 0.6, 0.7, 0.8, 0.9], 3);
        assert!((a.drop - 0.3).abs() < 1e-12);
        assert_eq!(a.trough, 0.5);
        assert_eq!((a.recovery_steps, a.censored), (3, false));
        assert!((a.window_mean - 0.6166666666666667).abs() < 1e-12);
        assert_eq!(a.window_steps, 3);
        // Never regains it: censored at the number of steps observed.
        let c = adaptability(0.8, 0.5, &[0.6, 0.7], 10);
        assert_eq!((c.recovery_steps, c.censored, c.window_steps), (2, true, 2));
        // No fall at all: recovered at once.
        let z = adaptability(0.5, 0.6, &[0.6, 0.7], 5);
        assert_eq!((z.recovery_steps, z.censored), (0, false));
        assert!(z.drop < 0.0 && z.max_drop < 0.0);
        // A delayed dip (a lost leader): no immediate drop, a trough two steps later, back at
        // the old level four steps after the shock.
        let d = adaptability(0.9, 0.9, &[0.9, 0.85, 0.7, 0.8, 0.9, 0.95], 5);
        assert_eq!(d.drop, 0.0);
        assert_eq!(d.trough, 0.7);
        assert!((d.max_drop - 0.2).abs() < 1e-12);
        assert_eq!((d.recovery_steps, d.censored), (4, false));
    }
}
