//! Statistics of one point of an experiment (`stats.csv`): every summary and shock measure per
//! model (mean, sd, 95% CI over replicates, kept inside the measure's range) and the paired
//! differences between models, replicate by replicate (common random numbers make every model of
//! a replicate meet the same world), with paired t-test p-values adjusted by Holm's method within
//! each family of comparisons (docs/ODD.md §7.7).

use super::shocks::{self, Columns};
use super::{Shock, Summary};
use crate::stats::{self, Describe};

/// One statistic: of model `model` alone, or of the paired difference `model − versus`.
#[derive(Debug, Clone, PartialEq)]
pub struct Stat {
    /// The measure (a summary column such as `performance_mean`, or a shock statistic).
    pub metric: String,
    /// What the measure is for: `outcome`, `cost`, `process` or `check`.
    pub kind: &'static str,
    /// Index of the model.
    pub model: usize,
    /// For a paired difference, the index of the model subtracted.
    pub versus: Option<usize>,
    /// n, mean, sd, standard error and Student-t 95% interval of the values (of the model, or
    /// of the paired differences; docs/ODD.md §7.7).
    pub describe: Describe,
    /// Cohen's d_z of a paired difference; NaN for a model alone.
    pub effect_size: f64,
    /// Two-sided p-value of the paired t test of a difference; NaN for a model alone and for a
    /// difference with another kind of interval (the recovery medians' bootstrap).
    pub p_value: f64,
    /// `p_value` adjusted by Holm's method within its family: the paired differences of the
    /// point's measures of the same kind (outcomes, costs, process, checks); NaN with `p_value`.
    pub p_holm: f64,
}

/// The runs of one point, in run order (replicate-major, then model).
#[derive(Debug, Clone, Copy)]
pub struct Point<'a> {
    /// Models compared at the point.
    pub models: usize,
    /// Replicates of each model.
    pub replications: usize,
    /// Each run's summary, `replications × models`, in run order.
    pub summaries: &'a [&'a Summary],
    /// Each run's measured shocks, in run order.
    pub shocks: &'a [&'a [Shock]],
    /// The names of the point's measured events, in scenario order.
    pub measured: &'a [String],
}

/// Every statistic of a point: for each summary column (named by `columns`, in
/// `summary.csv` order, of the kinds `kinds`) and then each shock statistic (outcomes), the
/// models one by one, then each later model against each earlier one; then the median times to
/// recover.
pub fn point(columns: &[String], kinds: &[&'static str], p: &Point) -> Vec<Stat> {
    let mut table: Columns = columns
        .iter()
        .enumerate()
        .map(|(c, name)| {
            let mut per_model = vec![vec![f64::NAN; p.replications]; p.models];
            for (i, s) in p.summaries.iter().enumerate() {
                per_model[i % p.models][i / p.models] = s.column(c);
            }
            (name.clone(), per_model)
        })
        .collect();
    let mut kinds = kinds.to_vec();
    let shock = shocks::shock_stats(p.models, p.replications, p.shocks, p.measured);
    kinds.extend(std::iter::repeat_n("outcome", shock.len()));
    table.extend(shock);
    let mut out = statistics(&table, &kinds);
    out.extend(shocks::recovery_medians(
        p.models,
        p.replications,
        p.shocks,
        p.measured,
    ));
    adjust(&mut out);
    out
}

/// Sets each statistic's `p_holm`: Holm's adjustment within each family, the tests of one kind
/// of measure at the point. A researcher reads the outcomes (and the costs) as the claims, so
/// each kind is a family of its own: the process and check measures, which are many and often
/// differ by construction, do not dilute the outcomes' tests.
fn adjust(stats: &mut [Stat]) {
    let all: Vec<usize> = (0..stats.len()).collect();
    adjust_among(stats, &all);
}

/// Sets `p_holm` of the statistics at `members` by Holm's adjustment within each kind among
/// them (the others are left as they are).
pub(crate) fn adjust_among(stats: &mut [Stat], members: &[usize]) {
    let mut kinds: Vec<&'static str> = Vec::new();
    for &i in members {
        if !kinds.contains(&stats[i].kind) {
            kinds.push(stats[i].kind);
        }
    }
    for kind in kinds {
        let family: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| stats[i].kind == kind)
            .collect();
        let p: Vec<f64> = family.iter().map(|&i| stats[i].p_value).collect();
        for (&i, adjusted) in family.iter().zip(stats::holm(&p)) {
            stats[i].p_holm = adjusted;
        }
    }
}

/// The statistics of named columns of `[model][replicate]` values, of the kinds `kinds`: each
/// model's mean with its interval inside the column's range, and each pair's difference with
/// its unadjusted p-value (`p_holm` holds it too until [`point`] adjusts the family).
pub fn statistics(columns: &Columns, kinds: &[&'static str]) -> Vec<Stat> {
    let mut out = Vec::new();
    for ((name, per_model), &kind) in columns.iter().zip(kinds) {
        let range = super::range_of(name);
        for (m, values) in per_model.iter().enumerate() {
            out.push(Stat {
                metric: name.clone(),
                kind,
                model: m,
                versus: None,
                describe: range.clip(stats::describe(values.iter().copied())),
                effect_size: f64::NAN,
                p_value: f64::NAN,
                p_holm: f64::NAN,
            });
        }
        for a in 0..per_model.len() {
            for b in 0..a {
                let p = stats::paired(&per_model[a], &per_model[b]);
                out.push(Stat {
                    metric: name.clone(),
                    kind,
                    model: a,
                    versus: Some(b),
                    describe: p.diff,
                    effect_size: p.effect_size,
                    p_value: p.p,
                    p_holm: p.p,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_model_then_each_pair_later_minus_earlier() {
        // Two models, three replicates, one metric: model 1 is model 0 plus 1, 2, 3.
        let s = |x: f64| Summary {
            finals: vec![x],
            means: vec![x / 2.0],
        };
        let runs = [s(1.0), s(2.0), s(2.0), s(4.0), s(3.0), s(6.0)];
        let refs: Vec<&Summary> = runs.iter().collect();
        let none: Vec<&[Shock]> = vec![&[]; 6];
        let cols = ["x_final".to_string(), "x_mean".to_string()];
        let stats = point(
            &cols,
            &["outcome", "outcome"],
            &Point {
                models: 2,
                replications: 3,
                summaries: &refs,
                shocks: &none,
                measured: &[],
            },
        );
        assert_eq!(stats.len(), 6, "two columns × (two models + one pair)");
        assert_eq!(stats[0].metric, "x_final");
        assert_eq!((stats[0].model, stats[0].versus), (0, None));
        assert_eq!(stats[0].describe.mean, 2.0);
        assert_eq!(stats[1].describe.mean, 4.0);
        let pair = &stats[2];
        assert_eq!((pair.model, pair.versus), (1, Some(0)));
        assert_eq!(pair.describe.mean, 2.0, "differences 1, 2, 3");
        assert!((pair.effect_size - 2.0).abs() < 1e-12, "mean 2 / sd 1");
        assert_eq!(stats[3].metric, "x_mean");
        assert_eq!(stats[5].describe.mean, 1.0);
    }

    #[test]
    fn intervals_stay_in_range_and_holm_adjusts_within_each_kind() {
        // Three models, four replicates; two outcome columns and one process column. Model 1
        // is model 0 plus a clear shift; model 2 equals model 0.
        let s = |a: f64, b: f64, c: f64| Summary {
            finals: vec![a, b],
            means: vec![c, c],
        };
        let mut runs = Vec::new();
        for r in 0..4 {
            let x = [0.0, 0.0, 0.0, 1.0][r];
            runs.push(s(x, 0.5 + 0.01 * r as f64, 1.0));
            runs.push(s(x + 2.0 + 0.1 * r as f64, 0.9, 2.0 + r as f64));
            runs.push(s(x, 0.5 + 0.01 * r as f64, 1.0));
        }
        let refs: Vec<&Summary> = runs.iter().collect();
        let none: Vec<&[Shock]> = vec![&[]; 12];
        let cols = [
            "innovations_final".to_string(),
            "performance_final".to_string(),
            "proposals_mean".to_string(),
            "engagement_mean".to_string(),
        ];
        let stats = point(
            &cols,
            &["outcome", "outcome", "process", "outcome"],
            &Point {
                models: 3,
                replications: 4,
                summaries: &refs,
                shocks: &none,
                measured: &[],
            },
        );
        let get = |metric: &str, model: usize, versus: Option<usize>| {
            stats
                .iter()
                .find(|s| s.metric == metric && s.model == model && s.versus == versus)
                .unwrap()
        };
        // Counts 0, 0, 0, 1: the t interval would reach below 0; it is cut at 0.
        let inn = get("innovations_final", 0, None);
        assert_eq!(inn.describe.ci_low, 0.0);
        assert!(inn.describe.ci_high > 0.25);
        assert!(
            inn.p_value.is_nan() && inn.p_holm.is_nan(),
            "no test of a model alone"
        );
        // A difference keeps its symmetric interval, below zero included.
        let d = get("innovations_final", 2, Some(1));
        assert!(d.describe.ci_low < -2.0 && d.describe.ci_high < 0.0);
        let half = (d.describe.ci_high - d.describe.ci_low) / 2.0;
        assert!((d.describe.mean - d.describe.ci_low - half).abs() < 1e-12);
        // Holm within the outcome family: its p-values, sorted, times m, m − 1, … where m counts
        // the tests; the identical pair 2 − 0 is no test (its differences are all 0) and counts
        // for nothing.
        let family: Vec<&Stat> = stats
            .iter()
            .filter(|s| s.kind == "outcome" && s.versus.is_some())
            .collect();
        assert_eq!(family.len(), 9);
        let untested = family.iter().filter(|s| s.p_value.is_nan()).count();
        assert_eq!(untested, 3, "pair 2 − 0 of each outcome column");
        let p: Vec<f64> = family.iter().map(|s| s.p_value).collect();
        let want = stats::holm(&p);
        for (s, w) in family.iter().zip(&want) {
            assert_eq!(
                s.p_holm.to_bits(),
                w.to_bits(),
                "{} {}-{:?}",
                s.metric,
                s.model,
                s.versus
            );
            assert!(s.p_value.is_nan() || s.p_holm >= s.p_value);
        }
        let smallest = family
            .iter()
            .filter(|s| !s.p_value.is_nan())
            .min_by(|a, b| a.p_value.total_cmp(&b.p_value))
            .unwrap();
        assert_eq!(
            smallest.p_holm,
            (6.0 * smallest.p_value).min(1.0),
            "six tests"
        );
        // The process column is a family of its own: two tests, not eight.
        let proc: Vec<&Stat> = stats
            .iter()
            .filter(|s| s.kind == "process" && s.versus.is_some())
            .collect();
        let p: Vec<f64> = proc.iter().map(|s| s.p_value).collect();
        assert_eq!(p.iter().filter(|p| !p.is_nan()).count(), 2);
        for (s, w) in proc.iter().zip(stats::holm(&p)) {
            assert_eq!(s.p_holm.to_bits(), w.to_bits());
        }
        let same = get("proposals_mean", 2, Some(0));
        assert!(
            same.p_value.is_nan() && same.p_holm.is_nan(),
            "identical models: no test"
        );
    }
}
