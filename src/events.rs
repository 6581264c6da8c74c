//! Change: events on a timeline and hazards, and the adaptability measured around each shock
//! (SPEC §2.5, §2.6).

use crate::output::{OutputError, parse_number};
use std::path::Path;

/// Columns of `shocks.csv` after the identifying ones.
pub const SHOCK_COLUMNS: [&str; 11] = [
    "shock",
    "event",
    "kind",
    "step",
    "before",
    "after",
    "drop",
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
    /// `before − after`.
    pub drop: f64,
    /// Steps from the shock until performance at the end of a step is back to `before`:
    /// 0 when the shock step itself ends at or above it. When the run ends first, the steps
    /// observed, with `censored` set.
    pub recovery_steps: u32,
    pub censored: bool,
    /// Mean performance at the end of the shock step and the following steps of the window.
    pub window_mean: f64,
    /// Steps the window mean covers (fewer than the window when the run ends first).
    pub window_steps: u32,
}

/// Measures adaptability from `series`, the performance at the end of steps `shock_step`,
/// `shock_step + 1`, …, up to the end of the run.
pub fn adaptability(before: f64, after: f64, series: &[f64], window: usize) -> Adaptability {
    let recovered = series.iter().position(|&p| p >= before);
    let (recovery_steps, censored) = match recovered {
        Some(r) => (r as u32, false),
        None => (series.len() as u32, true),
    };
    let w = window.min(series.len());
    let window_mean = if w > 0 {
        series[..w].iter().sum::<f64>() / w as f64
    } else {
        f64::NAN
    };
    Adaptability {
        before,
        after,
        drop: before - after,
        recovery_steps,
        censored,
        window_mean,
        window_steps: w as u32,
    }
}

/// Named statistics columns, each `[model][replicate]`.
pub type Columns = Vec<(String, Vec<Vec<f64>>)>;

/// Per-model statistics of shocks for `stats.csv`: for each run, the mean over its shocks of
/// `drop`, `recovery_steps` (uncensored shocks only), the share censored and `window_mean`;
/// returned as `(column, [model][replicate])`. Empty when no run had a shock.
pub fn shock_stats(
    models: usize,
    replications: usize,
    rows: &[Vec<u8>],
    n_id: usize,
    path: &Path,
) -> Result<Columns, OutputError> {
    if rows.iter().all(|r| r.is_empty()) {
        return Ok(Vec::new());
    }
    let names = [
        "shock_drop",
        "shock_recovery_steps",
        "shock_censored",
        "shock_window_mean",
    ];
    let mut out: Vec<Vec<Vec<f64>>> = vec![vec![vec![f64::NAN; replications]; models]; names.len()];
    for (i, bytes) in rows.iter().enumerate() {
        let (m, r) = (i % models, i / models);
        let mut sums = [0.0f64; 4];
        let mut counts = [0usize; 4];
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(bytes.as_slice());
        for record in reader.records() {
            let record = record.map_err(|e| OutputError::Corrupt {
                path: path.to_path_buf(),
                detail: format!("bad shock row: {e}"),
            })?;
            let get = |col: &str| -> f64 {
                let idx = n_id + SHOCK_COLUMNS.iter().position(|c| *c == col).unwrap_or(0);
                record.get(idx).and_then(parse_number).unwrap_or(f64::NAN)
            };
            let censored = record.get(n_id + 8).is_some_and(|c| c == "true");
            let vals = [
                get("drop"),
                if censored {
                    f64::NAN
                } else {
                    get("recovery_steps")
                },
                if censored { 1.0 } else { 0.0 },
                get("window_mean"),
            ];
            for (k, v) in vals.iter().enumerate() {
                if !v.is_nan() {
                    sums[k] += v;
                    counts[k] += 1;
                }
            }
        }
        for k in 0..names.len() {
            if counts[k] > 0 {
                out[k][m][r] = sums[k] / counts[k] as f64;
            }
        }
    }
    Ok(names.iter().map(|n| n.to_string()).zip(out).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_and_censoring_on_hand_made_series() {
        // Drops from 0.8 to 0.5, regains 0.8 three steps after the shock step.
        let a = adaptability(0.8, 0.5, &[0.55, 0.6, 0.7, 0.8, 0.9], 3);
        assert!((a.drop - 0.3).abs() < 1e-12);
        assert_eq!((a.recovery_steps, a.censored), (3, false));
        assert!((a.window_mean - 0.6166666666666667).abs() < 1e-12);
        assert_eq!(a.window_steps, 3);
        // Never regains it: censored at the number of steps observed.
        let c = adaptability(0.8, 0.5, &[0.6, 0.7], 10);
        assert_eq!((c.recovery_steps, c.censored, c.window_steps), (2, true, 2));
        // No drop: recovered at once.
        let z = adaptability(0.5, 0.6, &[0.6], 5);
        assert_eq!((z.recovery_steps, z.censored), (0, false));
        assert!(z.drop < 0.0);
    }
}
