//! Adaptability around shocks (SPEC §2.6): how far performance falls when an event hits, how
//! long it takes to come back, and the per-model statistics of those measures.

/// Columns of `shocks.csv` after the identifying ones.
pub const SHOCK_COLUMNS: [&str; 13] = [
    "shock",
    "event",
    "kind",
    "step",
    "before",
    "after",
    "drop",
    "trough",
    "max_drop",
    "recovery_steps",
    "censored",
    "window_mean",
    "window_steps",
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
    pub censored: bool,
    /// Mean performance at the end of the shock step and the following steps of the window.
    pub window_mean: f64,
    /// Steps the window covers (fewer than the window when the run ends first).
    pub window_steps: u32,
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
    }
}

/// One measured shock of a run: which event fired, of what kind, at which step, and the
/// adaptability around it.
#[derive(Debug, Clone, PartialEq)]
pub struct Shock {
    /// The event's name (unique in its scenario).
    pub event: String,
    /// The event's kind.
    pub kind: String,
    pub step: u32,
    pub adaptability: Adaptability,
}

impl Shock {
    /// The shock of event `event` (of `kind`) at `step`, measured on `performance` (the
    /// performance at the end of every step, index 0 the initial state) given `after`, the
    /// performance right after the event was applied, over a window of `window` steps.
    pub fn measure(
        event: &str,
        kind: &str,
        step: u32,
        after: f64,
        performance: &[f64],
        window: usize,
    ) -> Shock {
        let t = step as usize;
        Shock {
            event: event.to_string(),
            kind: kind.to_string(),
            step,
            adaptability: adaptability(performance[t - 1], after, &performance[t..], window),
        }
    }
}

/// Named statistics columns, each `[model][replicate]`.
pub type Columns = Vec<(String, Vec<Vec<f64>>)>;

/// The names of the per-run shock statistics, in `stats.csv` order.
const NAMES: [&str; 5] = [
    "shock_drop",
    "shock_max_drop",
    "shock_recovery_steps",
    "shock_censored",
    "shock_window_mean",
];

/// Per-model statistics of shocks for `stats.csv`: for each run, the mean over its shocks of
/// `drop`, `max_drop`, `recovery_steps` (uncensored shocks only), the share censored and
/// `window_mean`; returned as `(column, [model][replicate])`. `runs` holds the shocks of each
/// run of one point in run order (replicate-major, then model). When `events` (the names of the
/// scenario's measured events, in file order) holds more than one, the same columns follow for
/// each event alone, named `shock_drop@<event>` and so on: averaging a market shock with a
/// leader's departure says little about either. Empty when no run had a shock.
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
    let groups = 1 + per_event.len();
    let mut out = vec![vec![vec![f64::NAN; replications]; models]; NAMES.len() * groups];
    let mut sums = vec![[0.0f64; NAMES.len()]; groups];
    let mut counts = vec![[0usize; NAMES.len()]; groups];
    for (i, shocks) in runs.iter().enumerate() {
        let (m, r) = (i % models, i / models);
        sums.iter_mut().for_each(|s| *s = [0.0; NAMES.len()]);
        counts.iter_mut().for_each(|c| *c = [0; NAMES.len()]);
        for s in *shocks {
            let a = &s.adaptability;
            let vals = [
                a.drop,
                a.max_drop,
                if a.censored {
                    f64::NAN
                } else {
                    f64::from(a.recovery_steps)
                },
                if a.censored { 1.0 } else { 0.0 },
                a.window_mean,
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
        for g in 0..groups {
            for k in 0..NAMES.len() {
                if counts[g][k] > 0 {
                    out[g * NAMES.len() + k][m][r] = sums[g][k] / counts[g][k] as f64;
                }
            }
        }
    }
    let names = std::iter::once(None)
        .chain(per_event.iter().map(Some))
        .flat_map(|e| {
            NAMES.iter().map(move |n| match e {
                None => n.to_string(),
                Some(e) => format!("{n}@{e}"),
            })
        });
    names.zip(out).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shock(event: &str, drop: f64, recovery_steps: u32, censored: bool) -> Shock {
        Shock {
            event: event.into(),
            kind: "k".into(),
            step: 5,
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
        // Recovery time over recovered shocks only; the censored share counts both.
        assert!(close(get("shock_recovery_steps")[0][0], 4.0));
        assert!(close(get("shock_censored")[0][0], 0.5));
        assert!(get("shock_recovery_steps@exit")[0][0].is_nan());
        // One event: no per-event columns.
        let one = shock_stats(2, 2, &runs, &events[..1]);
        assert_eq!(one.len(), 5);
        // No shock in any run: no columns at all.
        let none: Vec<&[Shock]> = vec![&[], &[]];
        assert!(shock_stats(2, 1, &none, &events).is_empty());
    }

    #[test]
    fn a_shock_is_measured_from_the_step_before() {
        let perf = [0.5, 0.6, 0.7, 0.4, 0.65, 0.72];
        let s = Shock::measure("market", "landscape_shock", 3, 0.3, &perf, 10);
        assert_eq!(s.adaptability.before, 0.7);
        assert_eq!(s.adaptability.after, 0.3);
        assert_eq!(s.adaptability.trough, 0.3);
        assert_eq!(
            (s.adaptability.recovery_steps, s.adaptability.censored),
            (2, false)
        );
        assert_eq!(s.adaptability.window_steps, 3);
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
