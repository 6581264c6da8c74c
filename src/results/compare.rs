//! Statistics of one point of an experiment (`stats.csv`): every summary and shock measure per
//! model (mean, sd, 95% CI over replicates) and the paired differences between models, replicate
//! by replicate (common random numbers make every model of a replicate meet the same world).

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
    out
}

/// The statistics of named columns of `[model][replicate]` values, of the kinds `kinds`.
pub fn statistics(columns: &Columns, kinds: &[&'static str]) -> Vec<Stat> {
    let mut out = Vec::new();
    for ((name, per_model), &kind) in columns.iter().zip(kinds) {
        for (m, values) in per_model.iter().enumerate() {
            out.push(Stat {
                metric: name.clone(),
                kind,
                model: m,
                versus: None,
                describe: stats::describe(values.iter().copied()),
                effect_size: f64::NAN,
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
}
