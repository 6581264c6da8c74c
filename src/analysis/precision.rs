//! Replications by precision: run replicates in fixed batches until the 95% confidence interval
//! of the mean is narrow enough, instead of guessing a replicate count up front.
//!
//! The rule looks only at whole batches of completed replicates, in replicate order: after b
//! batches it decides from replicates `0 … b·batch − 1` alone, even if later replicates have
//! already finished on other threads. The decision, and so the number of replicates run, is
//! therefore the same for any thread count or finishing order — the runner may start the next
//! batch speculatively, but only the prefix counts.
//!
//! The half-width is Student-t based, `t_{0.975, n−1} · sd / √n` over the defined (non-NaN)
//! values, as [`crate::stats::describe`] computes it. Several series (one per model, per point,
//! or a paired difference) can be watched at once: the widest interval decides.

use super::Error;
use crate::stats;

/// When to stop: `batch` replicates at a time, until every half-width is below `target`, or
/// `max` replicates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrecisionRule {
    batch: usize,
    target: f64,
    max: usize,
}

impl PrecisionRule {
    /// A rule with `batch` ≥ 1, a finite `target` > 0 and `max` ≥ 2 (a half-width needs two
    /// replicates).
    pub fn new(batch: usize, target: f64, max: usize) -> Result<Self, Error> {
        if batch == 0 {
            return Err(Error::parameter("batch", batch, "must be at least 1"));
        }
        if !(target.is_finite() && target > 0.0) {
            return Err(Error::parameter(
                "target",
                target,
                "must be a positive number",
            ));
        }
        if max < 2 {
            return Err(Error::parameter(
                "max",
                max,
                "a half-width needs at least 2 replicates",
            ));
        }
        Ok(PrecisionRule { batch, target, max })
    }

    /// Replicates per batch.
    pub fn batch(&self) -> usize {
        self.batch
    }

    /// The half-width to get under.
    pub fn target(&self) -> f64 {
        self.target
    }

    /// The most replicates ever run.
    pub fn max(&self) -> usize {
        self.max
    }

    /// The largest batch boundary at most `completed`: a multiple of `batch`, or `max`.
    fn boundary(&self, completed: usize) -> usize {
        if completed >= self.max {
            self.max
        } else {
            completed / self.batch * self.batch
        }
    }
}

/// What to do next.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Precision {
    /// Run replicates until there are `until` of them, then decide again.
    Continue {
        /// The replicate count to reach before the next decision.
        until: usize,
    },
    /// After `replicates`, the widest half-width was below the target.
    Reached {
        /// Replicates the decision used (a batch boundary).
        replicates: usize,
        /// The widest 95% half-width among the series.
        half_width: f64,
    },
    /// `max` replicates ran and the widest half-width is still at least the target.
    Exhausted {
        /// Replicates run: the rule's `max`.
        replicates: usize,
        /// The widest 95% half-width among the series.
        half_width: f64,
    },
}

/// The 95% confidence half-width of the mean of the defined values (NaN for fewer than two).
pub fn half_width(values: &[f64]) -> f64 {
    let d = stats::describe(values.iter().copied());
    (d.ci_high - d.ci_low) / 2.0
}

/// The decision after the replicates completed so far: `series[s]` holds series s's values of
/// the completed replicates `0, 1, 2, …` in order (a prefix; the shortest decides how many are
/// complete). Only whole batches count (see the module documentation).
///
/// # Panics
/// If `series` is empty: there would be nothing to be precise about.
pub fn decide(rule: &PrecisionRule, series: &[&[f64]]) -> Precision {
    assert!(!series.is_empty(), "precision needs at least one series");
    let completed = series.iter().map(|s| s.len()).min().unwrap_or(0);
    let n = rule.boundary(completed);
    if n == 0 {
        return Precision::Continue {
            until: rule.batch.min(rule.max),
        };
    }
    // NaN (fewer than two defined values) counts as infinitely wide.
    let widest = series
        .iter()
        .map(|s| half_width(&s[..n]))
        .map(|h| if h.is_nan() { f64::INFINITY } else { h })
        .fold(0.0, f64::max);
    if widest < rule.target {
        Precision::Reached {
            replicates: n,
            half_width: widest,
        }
    } else if n >= rule.max {
        Precision::Exhausted {
            replicates: n,
            half_width: widest,
        }
    } else {
        Precision::Continue {
            until: (n + rule.batch).min(rule.max),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rule(batch: usize, target: f64, max: usize) -> PrecisionRule {
        PrecisionRule::new(batch, target, max).unwrap()
    }

    /// Runs the rule against a fixed sequence of replicate values and returns where it stopped.
    fn run(rule: &PrecisionRule, values: &[f64]) -> Precision {
        let mut done = 0;
        loop {
            match decide(rule, &[&values[..done]]) {
                Precision::Continue { until } => {
                    assert!(until > done && until <= rule.max());
                    done = until;
                }
                stop => return stop,
            }
        }
    }

    #[test]
    fn half_width_by_hand() {
        // sd = sqrt(32/7), se = sd / sqrt(8) = 0.755929, t(0.975; 7) = 2.364624: 1.787488.
        let h = half_width(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0, f64::NAN]);
        assert!((h - 1.787488).abs() < 1e-6, "{h}");
        assert!(half_width(&[1.0]).is_nan());
        assert_eq!(half_width(&[3.0, 3.0, 3.0]), 0.0);
    }

    #[test]
    fn stops_when_precise() {
        // Alternating 0/1: sd ≈ 0.5, half-width ≈ 1.96 · 0.5 / √n; below 0.1 from n ≈ 100.
        let values: Vec<f64> = (0..1000).map(|i| (i % 2) as f64).collect();
        match run(&rule(10, 0.1, 500), &values) {
            Precision::Reached {
                replicates,
                half_width: reached,
            } => {
                assert_eq!(replicates % 10, 0);
                assert!(reached < 0.1);
                assert!(half_width(&values[..replicates - 10]) >= 0.1);
                assert!((90..=110).contains(&replicates), "{replicates}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn gives_up_at_max() {
        let values: Vec<f64> = (0..100).map(|i| (i % 2) as f64).collect();
        assert_eq!(
            run(&rule(10, 0.01, 25), &values),
            Precision::Exhausted {
                replicates: 25,
                half_width: half_width(&values[..25])
            }
        );
    }

    #[test]
    fn one_replicate_is_never_precise() {
        let r = rule(1, 0.5, 10);
        assert_eq!(decide(&r, &[&[1.0]]), Precision::Continue { until: 2 });
        assert!(matches!(
            decide(&r, &[&[1.0, 1.0]]),
            Precision::Reached { replicates: 2, .. }
        ));
    }

    #[test]
    fn the_widest_series_decides() {
        let r = rule(4, 0.5, 100);
        let calm = [1.0, 1.0, 1.0, 1.0];
        let wild = [0.0, 10.0, 0.0, 10.0];
        assert_eq!(
            decide(&r, &[&calm]),
            Precision::Reached {
                replicates: 4,
                half_width: 0.0
            }
        );
        assert_eq!(
            decide(&r, &[&calm, &wild]),
            Precision::Continue { until: 8 }
        );
    }

    #[test]
    fn bad_rules_are_refused() {
        assert!(PrecisionRule::new(0, 0.1, 10).is_err());
        assert!(PrecisionRule::new(5, 0.0, 10).is_err());
        assert!(PrecisionRule::new(5, f64::NAN, 10).is_err());
        assert!(PrecisionRule::new(5, 0.1, 1).is_err());
    }

    proptest! {
        /// Replicates beyond the last whole batch never change the decision: the outcome is the
        /// same whichever of them happen to have finished.
        #[test]
        fn only_whole_batches_count(
            values in prop::collection::vec(-10.0f64..10.0, 0..200),
            extra in prop::collection::vec(-10.0f64..10.0, 0..20),
            batch in 1usize..20,
            max in 2usize..300,
            target in 0.01f64..5.0,
        ) {
            let r = rule(batch, target, max);
            let n = r.boundary(values.len());
            let mut longer = values[..n].to_vec();
            // Fewer than a batch more, and never reaching `max`, itself a boundary.
            let room = if n >= max {
                extra.len()
            } else {
                (batch - 1).min(max - n - 1).min(extra.len())
            };
            longer.extend_from_slice(&extra[..room]);
            prop_assert_eq!(decide(&r, &[&values[..n]]), decide(&r, &[&longer]));
            if let Precision::Continue { until } = decide(&r, &[&values]) {
                prop_assert!(until > n && until <= max);
            }
        }
    }
}
