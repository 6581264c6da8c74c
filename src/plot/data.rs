//! Reading a finished result folder into what the charts and the report need: the manifest,
//! per-step means with confidence bands (streamed, so a large time series is never held in
//! memory), performance aligned on shocks, the statistics rows and the summary rows.

use super::PlotError;
use crate::experiment::sweep::{AxisSummary, Design};
use crate::output::TIMESERIES;
use crate::output::analysis::{self, Discovery, IndexRow};
use crate::output::manifest::Manifest;
use crate::output::read::{self, Folder};
pub(crate) use crate::output::read::{ShockRow, StatRow, SummaryRow};
use crate::stats::t_quantile;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// The most points a time-series line has; longer runs are averaged over windows of steps.
pub const POINTS: u32 = 80;

/// Mean and 95% confidence interval of one quantity (bounds NaN when n < 2).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Band {
    pub(crate) n: usize,
    pub(crate) mean: f64,
    pub(crate) low: f64,
    pub(crate) high: f64,
}

impl Band {
    /// The band kept inside `range`, the values its measure can take (docs/ODD.md §7.7): the
    /// mean of such values lies in the range, so the cut removes nothing it could be.
    pub(crate) fn within(mut self, range: crate::metrics::Range) -> Band {
        if !self.low.is_nan() {
            self.low = self.low.clamp(range.low, range.high);
        }
        if !self.high.is_nan() {
            self.high = self.high.clamp(range.low, range.high);
        }
        self
    }
}

/// Everything the charts and the report read from a result folder.
#[derive(Debug, Clone)]
pub(crate) struct Results {
    pub(crate) manifest: Manifest,
    /// Model names: the manifest's order, which fixes each model's colour.
    pub(crate) models: Vec<String>,
    /// Swept parameters (dotted paths); empty for a run.
    pub(crate) axes: Vec<String>,
    pub(crate) sweep: bool,
    /// Per-step metrics, in `timeseries.csv` column order.
    pub(crate) metrics: Vec<String>,
    /// Steps per point of [`Results::series`]: each run's values are averaged over windows of
    /// this many steps (step 0, the initial state, stands alone), so a line has at most about
    /// [`POINTS`] points; 1 for short runs.
    pub(crate) window: u32,
    /// `[metric][model]`: `(step, band)` in step order, the step being the middle of the
    /// window; the band is over runs (replicates, and the points of a sweep) of their window
    /// means.
    pub(crate) series: Vec<Vec<Vec<(f64, Band)>>>,
    pub(crate) shocks: Vec<ShockRow>,
    /// Steps before and after a shock shown in the aligned chart.
    pub(crate) shock_window: (u32, u32),
    /// `[model]`: `(steps since shock, band of performance)` over every shock of every run.
    pub(crate) aligned: Vec<Vec<(i64, Band)>>,
    /// The events that fired shocks, in order of first appearance in `shocks.csv`.
    pub(crate) events: Vec<String>,
    /// `[event][model]`: like [`Results::aligned`] for each event alone; empty unless
    /// [`Results::events`] holds more than one.
    pub(crate) aligned_events: Vec<Vec<Vec<(i64, Band)>>>,
    pub(crate) stats: Vec<StatRow>,
    pub(crate) summary_columns: Vec<String>,
    pub(crate) summary: Vec<SummaryRow>,
    /// A sweep's design and axes, from the sweep file its manifest holds (`None` for a run, or
    /// when the manifest holds no sweep file this version reads).
    pub(crate) design: Option<(Design, Vec<AxisSummary>)>,
    /// `sensitivity.csv`, when the sweep was analysed.
    pub(crate) sensitivity: Vec<IndexRow>,
    /// The discoveries written into the folder.
    pub(crate) discoveries: Vec<Discovery>,
    /// `[point][axis]`: the swept values as listings show them, each axis's numbers with the
    /// same decimals (`output::uniform_cells`); the tables keep them exact.
    pub(crate) shown_points: Vec<Vec<String>>,
}

impl Results {
    /// Reads the result folder `dir`. Refuses a missing, unfinished or foreign folder, and names
    /// the file and line of anything malformed.
    pub(crate) fn load(dir: &Path) -> Result<Results, PlotError> {
        let manifest = read::manifest(dir)?;
        let axes = manifest.axes.clone();
        let mut models: Vec<String> = manifest.models.iter().map(|m| m.name.clone()).collect();
        if models.is_empty() {
            return Err(PlotError::Malformed {
                path: dir.join(crate::output::MANIFEST),
                detail: "it lists no models".into(),
            });
        }
        let mut seen = BTreeSet::new();
        models.retain(|m| seen.insert(m.clone()));
        let index: HashMap<String, usize> = models
            .iter()
            .enumerate()
            .map(|(i, m)| (m.clone(), i))
            .collect();
        let sweep = manifest.kind == "sweep" || !axes.is_empty();
        let folder = Folder {
            dir,
            axes: &axes,
            sweep,
            models: &index,
        };
        let shocks = folder.shocks()?;
        let (summary_columns, summary) = folder.summary()?;
        let stats = folder.stats()?;
        let post = shocks
            .iter()
            .map(|s| s.window)
            .max()
            .filter(|&w| w > 0)
            .unwrap_or(20)
            .min(500);
        let pre = (post / 4).clamp(5, 50);
        let horizon = manifest.steps.iter().copied().max().unwrap_or(0);
        let window = horizon.div_ceil(POINTS).max(1);
        // The measured events: those `stats.csv` summarizes one by one (in the scenario's
        // order, fired or not), else those that fired, in order of first firing.
        let mut events: Vec<String> = Vec::new();
        for s in &stats {
            if let Some((_, e)) = s.metric.split_once('@')
                && !events.iter().any(|x| x == e)
            {
                events.push(e.to_string());
            }
        }
        if events.is_empty() {
            for row in &shocks {
                if !events.contains(&row.event) {
                    events.push(row.event.clone());
                }
            }
        }
        let ts = read_timeseries(&folder, &shocks, &events, (pre, post), window, models.len())?;
        let design = sweep
            .then(|| crate::experiment::sweep_from_manifest(&manifest).ok())
            .flatten()
            .map(|s| (s.design, s.axis_summaries()));
        let sensitivity = analysis::sensitivity(dir)?.unwrap_or_default();
        let discoveries = analysis::discoveries(dir)?;
        let shown_points = shown_points(&manifest, &axes);
        Ok(Results {
            manifest,
            models,
            axes,
            sweep,
            metrics: ts.metrics,
            window,
            series: ts.series,
            shocks,
            shock_window: (pre, post),
            aligned: ts.aligned,
            aligned_events: ts.aligned_events,
            events,
            stats,
            summary_columns,
            summary,
            design,
            sensitivity,
            discoveries,
            shown_points,
        })
    }

    /// The distinct steps at which shocks happened, ascending.
    pub(crate) fn shock_steps(&self) -> Vec<u32> {
        let steps: BTreeSet<u32> = self.shocks.iter().map(|s| s.step).collect();
        steps.into_iter().collect()
    }

    /// Whether the sweep's points were sampled (random, LHS, Morris, Sobol') rather than a
    /// grid's every combination: then lines joining values and heatmaps would mislead.
    pub(crate) fn sampled(&self) -> bool {
        self.design.as_ref().is_some_and(|(d, _)| d.is_sampled())
    }

    /// The index of a summary column.
    pub(crate) fn summary_column(&self, name: &str) -> Option<usize> {
        self.summary_columns.iter().position(|m| m == name)
    }
}

/// Each point's swept values as listings show them (see [`Results::shown_points`]), by the
/// point's number.
fn shown_points(manifest: &Manifest, axes: &[String]) -> Vec<Vec<String>> {
    let n = manifest
        .points
        .iter()
        .map(|p| p.point + 1)
        .max()
        .unwrap_or(0);
    let mut out = vec![vec![String::new(); axes.len()]; n];
    for (a, name) in axes.iter().enumerate() {
        let cells: Vec<String> = manifest
            .points
            .iter()
            .map(|p| p.values.get(name).cloned().unwrap_or_default())
            .collect();
        for (p, shown) in manifest
            .points
            .iter()
            .zip(crate::output::uniform_cells(&cells))
        {
            out[p.point][a] = shown;
        }
    }
    out
}

/// Running mean and variance (Welford), in reading order.
#[derive(Debug, Clone, Copy, Default)]
struct Acc {
    n: usize,
    mean: f64,
    m2: f64,
}

impl Acc {
    fn push(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    fn band(&self, t: &mut TCache) -> Band {
        if self.n == 0 {
            return Band {
                n: 0,
                mean: f64::NAN,
                low: f64::NAN,
                high: f64::NAN,
            };
        }
        if self.n < 2 {
            return Band {
                n: self.n,
                mean: self.mean,
                low: f64::NAN,
                high: f64::NAN,
            };
        }
        let sd = (self.m2 / (self.n - 1) as f64).sqrt();
        let half = t.get(self.n - 1) * sd / (self.n as f64).sqrt();
        Band {
            n: self.n,
            mean: self.mean,
            low: self.mean - half,
            high: self.mean + half,
        }
    }
}

/// Student-t quantiles, computed once per degrees of freedom.
#[derive(Default)]
struct TCache(BTreeMap<usize, f64>);

impl TCache {
    fn get(&mut self, df: usize) -> f64 {
        *self.0.entry(df).or_insert_with(|| t_quantile(df))
    }
}

struct Timeseries {
    metrics: Vec<String>,
    series: Vec<Vec<Vec<(f64, Band)>>>,
    aligned: Vec<Vec<(i64, Band)>>,
    aligned_events: Vec<Vec<Vec<(i64, Band)>>>,
}

/// Streams `timeseries.csv` once: bands of every metric and model over windows of `width`
/// steps, and performance around each shock of `shocks` (also per event of `events` when
/// there are several).
fn read_timeseries(
    folder: &Folder,
    shocks: &[ShockRow],
    events: &[String],
    (pre, post): (u32, u32),
    width: u32,
    models: usize,
) -> Result<Timeseries, PlotError> {
    let (t, mut reader) = folder.open(TIMESERIES)?;
    let ids = folder.ids(&t, true)?;
    let step = t.column("step")?;
    let metric_cols: Vec<usize> = (step + 1..t.header.len()).collect();
    let metrics: Vec<String> = metric_cols.iter().map(|&c| t.header[c].clone()).collect();
    let performance = t
        .optional("performance")
        .and_then(|p| metric_cols.iter().position(|&c| c == p));
    let per_event = events.len() > 1;
    // Run key → (shock step, event index).
    let mut shock_steps: HashMap<&str, Vec<(u32, Option<usize>)>> = HashMap::new();
    for row in shocks {
        let e = events.iter().position(|e| *e == row.event);
        shock_steps
            .entry(row.run.as_str())
            .or_default()
            .push((row.step, e));
    }
    let span = (pre + post + 1) as usize;
    // window → [model][metric]: one value per run (its mean over the window).
    let mut acc: BTreeMap<u32, Vec<Vec<Acc>>> = BTreeMap::new();
    let mut aligned = vec![vec![Acc::default(); span]; models];
    let n_events = if per_event { events.len() } else { 0 };
    let mut aligned_events = vec![vec![vec![Acc::default(); span]; models]; n_events];
    let mut values = vec![0.0; metric_cols.len()];
    let mut current = Window::new(metric_cols.len());
    let mut record = csv::StringRecord::new();
    while t.next(&mut reader, &mut record)? {
        let model = folder.model(&t, &record, ids.model)?;
        let s = t.unsigned(&record, step)?;
        let s = u32::try_from(s).map_err(|_| t.bad(&record, format!("step {s} is too large")))?;
        for (v, &c) in values.iter_mut().zip(&metric_cols) {
            *v = t.number(&record, c)?;
        }
        let key = folder.run_key(&ids, &record);
        let window = window_of(s, width);
        if current.key != key || current.window != window {
            current.flush(&mut acc, models);
            current.start(key, model, window);
        }
        current.add(&values);
        if let (Some(p), false) = (performance, shock_steps.is_empty())
            && let Some(steps) = shock_steps.get(current.key.as_str())
        {
            let v = values[p];
            for &(at, e) in steps {
                let offset = s as i64 - at as i64;
                if -(pre as i64) <= offset && offset <= post as i64 {
                    let i = (offset + pre as i64) as usize;
                    aligned[model][i].push(v);
                    if let (true, Some(e)) = (per_event, e) {
                        aligned_events[e][model][i].push(v);
                    }
                }
            }
        }
    }
    current.flush(&mut acc, models);
    let mut tc = TCache::default();
    let mut series = vec![vec![Vec::with_capacity(acc.len()); models]; metrics.len()];
    let ranges: Vec<_> = metrics
        .iter()
        .map(|m| crate::results::range_of(m))
        .collect();
    for (&w, cell) in &acc {
        let x = window_centre(w, width);
        for (m, per_metric) in cell.iter().enumerate() {
            for (k, a) in per_metric.iter().enumerate() {
                if a.n > 0 {
                    series[k][m].push((x, a.band(&mut tc).within(ranges[k])));
                }
            }
        }
    }
    let mut bands = |per_model: &[Vec<Acc>]| -> Vec<Vec<(i64, Band)>> {
        per_model
            .iter()
            .map(|offsets| {
                offsets
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| a.n > 0)
                    .map(|(i, a)| {
                        let b = a.band(&mut tc).within(crate::metrics::Range::UNIT);
                        (i as i64 - pre as i64, b)
                    })
                    .collect()
            })
            .collect()
    };
    let aligned = bands(&aligned);
    let aligned_events = aligned_events.iter().map(|a| bands(a)).collect();
    Ok(Timeseries {
        metrics,
        series,
        aligned,
        aligned_events,
    })
}

/// The window of step `s` when windows are `width` steps wide: step 0 (the initial state) on its
/// own, then steps 1..=width, width+1..=2·width, …
fn window_of(s: u32, width: u32) -> u32 {
    if s == 0 {
        0
    } else {
        (s - 1) / width.max(1) + 1
    }
}

/// Where window `w` is drawn: its middle step.
fn window_centre(w: u32, width: u32) -> f64 {
    if w == 0 {
        0.0
    } else {
        let width = width.max(1) as f64;
        (w - 1) as f64 * width + (width + 1.0) / 2.0
    }
}

/// The rows of one run within one window, being averaged.
struct Window {
    key: String,
    model: usize,
    window: u32,
    sums: Vec<f64>,
    counts: Vec<u32>,
    rows: u32,
}

impl Window {
    fn new(metrics: usize) -> Window {
        Window {
            key: String::new(),
            model: 0,
            window: u32::MAX,
            sums: vec![0.0; metrics],
            counts: vec![0; metrics],
            rows: 0,
        }
    }

    fn start(&mut self, key: String, model: usize, window: u32) {
        self.key = key;
        self.model = model;
        self.window = window;
        self.sums.iter_mut().for_each(|x| *x = 0.0);
        self.counts.iter_mut().for_each(|x| *x = 0);
        self.rows = 0;
    }

    fn add(&mut self, values: &[f64]) {
        for ((s, c), &v) in self.sums.iter_mut().zip(&mut self.counts).zip(values) {
            if !v.is_nan() {
                *s += v;
                *c += 1;
            }
        }
        self.rows += 1;
    }

    /// Adds the run's window means to `acc`.
    fn flush(&mut self, acc: &mut BTreeMap<u32, Vec<Vec<Acc>>>, models: usize) {
        if self.rows == 0 {
            return;
        }
        let n = self.sums.len();
        let cell = acc
            .entry(self.window)
            .or_insert_with(|| vec![vec![Acc::default(); n]; models]);
        for (a, (&s, &c)) in cell[self.model]
            .iter_mut()
            .zip(self.sums.iter().zip(&self.counts))
        {
            if c > 0 {
                a.push(s / c as f64);
            }
        }
        self.rows = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_stay_inside_the_measure_range() {
        // Counts 0, 0, 0, 1: the t band reaches below 0, which a count's mean cannot.
        let mut a = Acc::default();
        for x in [0.0, 0.0, 0.0, 1.0] {
            a.push(x);
        }
        let raw = a.band(&mut TCache::default());
        assert!(raw.low < 0.0);
        let b = raw.within(crate::results::range_of("innovations"));
        assert_eq!((b.low, b.high, b.mean), (0.0, raw.high, raw.mean));
        let unbounded = raw.within(crate::metrics::Range::ANY);
        assert_eq!(unbounded.low, raw.low);
    }

    #[test]
    fn running_bands_match_the_stats_module() {
        let xs = [0.5, 0.7, 0.65, 0.9, 0.2];
        let mut a = Acc::default();
        for x in xs {
            a.push(x);
        }
        a.push(f64::NAN);
        let b = a.band(&mut TCache::default());
        let d = crate::stats::describe(xs);
        assert_eq!(b.n, 5);
        assert!((b.mean - d.mean).abs() < 1e-12);
        assert!((b.low - d.ci_low).abs() < 1e-12);
        assert!((b.high - d.ci_high).abs() < 1e-12);
        let mut one = Acc::default();
        one.push(1.0);
        assert!(one.band(&mut TCache::default()).low.is_nan());
    }

    #[test]
    fn windows_keep_the_initial_state_apart() {
        assert_eq!(window_of(0, 5), 0);
        assert_eq!(window_of(1, 5), 1);
        assert_eq!(window_of(5, 5), 1);
        assert_eq!(window_of(6, 5), 2);
        assert_eq!(window_centre(1, 5), 3.0);
        assert_eq!(window_centre(2, 5), 8.0);
        assert_eq!(window_of(7, 1), 7);
        assert_eq!(window_centre(7, 1), 7.0);
    }
}
