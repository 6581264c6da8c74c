//! Charts of a finished result folder, as PNG and SVG in `DIR/charts/`.
//!
//! Charts are drawn from the result files (`manifest.json`, `timeseries.csv`, `summary.csv`,
//! `shocks.csv`, `stats.csv`), never from a live model, so old results can be redrawn; the same
//! files always give the same SVG bytes (and the same PNG pixels). A folder without
//! `manifest.json` is unfinished (or not a result) and is refused.
//!
//! ```no_run
//! let written = leadsim::plot::draw_all(std::path::Path::new("output/baseline"))?;
//! # Ok::<(), leadsim::plot::PlotError>(())
//! ```
//!
//! # The charts
//!
//! | kind | file stem | when |
//! |---|---|---|
//! | time series of each per-step metric, per model: mean line and 95% CI band, shock steps marked | `timeseries-<metric>` | always |
//! | performance aligned on shocks, per model, mean and 95% CI | `shock-performance` | when `shocks.csv` has rows |
//! | model comparison, dot-and-whisker panels (from `stats.csv`) | `compare-mean`, `compare-final`, `compare-shocks` | runs |
//! | paired differences between models, with a zero line | `diff-mean`, `diff-final`, `diff-shocks` | runs with two or more models |
//! | a headline metric against one swept parameter, per model: mean line and 95% CI band | `sweep-<column>-by-<parameter>` | grid sweeps |
//! | heatmap over the first two swept parameters of each model's paired difference from the first model, diverging colours, colour bar | `heatmap-<column>-<model>-vs-<model>` | grid sweeps with two or more parameters |
//! | a headline metric against every swept parameter (a panel each): one dot per design point and model (its mean over replicates), a running-mean smoother per model | `scatter-<column>` | sampled sweeps (random, lhs, morris, sobol) |
//! | Sobol' S1 and ST bars with bootstrap 95% intervals, per analysed quantity | `sobol-<quantity>` | sobol sweeps with `sensitivity.csv` |
//! | Morris μ* against σ, a labelled dot per parameter, μ*'s 95% interval | `morris-<quantity>` | morris sweeps with `sensitivity.csv` |
//! | the design points on the two parameters the chosen PRIM box restricts most, coloured by the condition, and the box | `discover-<condition>` | sweeps after `leadsim discover` |
//!
//! Confidence intervals are Student-t 95% intervals over runs (replicates, and the points of a
//! sweep where runs are pooled), as in `stats.csv`. Time series of long runs average each run
//! over windows of steps first, so that a line has at most [`POINTS`] points and per-step
//! counts (proposals, innovations) are not drawn as noise; the caption says how wide. For sweeps
//! the time series and shock charts pool the runs of every point; the comparison across models
//! is what the parameter charts and heatmaps show, point by point. Heatmaps use the first two
//! swept parameters (pooling any others) and bin a parameter with more than 12 distinct
//! numeric values into 8 intervals.
//!
//! # Look
//!
//! Each model keeps one colour in every chart: the Okabe–Ito colour-blind-safe palette, in the
//! model order of the manifest. Legends sit between the title and the plot, never over data.
//! Single charts are 960 × 720 px and multi-panel figures 1920 px wide: text comes out at about
//! 7–9 pt when a single chart fills one column of a two-column paper and a multi-panel figure
//! spans both.
//!
//! # Fonts
//!
//! plotters is built without its system-font support (no fontconfig), with `ab_glyph`: text is
//! rendered from DejaVu Sans (regular and bold), embedded in the binary by the `dejavu` crate
//! and registered once with `plotters::style::register_font` before the first chart is drawn
//! (`style::register_fonts`). So PNGs render identically on a fresh machine with no fonts
//! installed. SVGs name the family `DejaVu Sans, sans-serif`: a viewer shows DejaVu Sans if it
//! has it and its own sans-serif otherwise (glyphs are not embedded in the SVG).

mod build;
pub(crate) mod data;
pub(crate) mod figure;
mod sampled;
mod scatter;
pub(crate) mod style;

pub(crate) use build::SHOCK_METRICS;
pub use build::SWEEP_METRICS;
use data::Band;
pub use data::POINTS;
pub(crate) use data::Results;
use figure::{Figure, Line, Lines, XAxis};
use plotters::prelude::*;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

pub use crate::output::CHARTS;

/// Why charts could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// The result folder could not be read.
    #[error(transparent)]
    Read(#[from] crate::output::read::ReadError),
    /// A file of the result folder does not hold what a chart needs.
    #[error("{path}: {detail}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// A chart could not be written.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The error of the system.
        source: std::io::Error,
    },
    /// The plotting library failed to draw a chart.
    #[error("could not draw {chart}: {detail}")]
    Draw {
        /// The chart's name.
        chart: String,
        /// The library's message.
        detail: String,
    },
}

impl PlotError {
    /// Whether the result folder given is at fault (exit 2) rather than the machine (exit 1).
    pub fn is_input(&self) -> bool {
        match self {
            PlotError::Read(e) => e.is_input(),
            PlotError::Malformed { .. } => true,
            PlotError::Io { .. } | PlotError::Draw { .. } => false,
        }
    }
}

/// The kinds of chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum ChartKind {
    TimeSeries,
    ShockAligned,
    Comparison,
    Differences,
    SweepLine,
    Heatmap,
    Scatter,
    Sensitivity,
    Discovery,
}

impl ChartKind {
    pub(crate) const ALL: [ChartKind; 9] = [
        ChartKind::TimeSeries,
        ChartKind::ShockAligned,
        ChartKind::Comparison,
        ChartKind::Differences,
        ChartKind::SweepLine,
        ChartKind::Heatmap,
        ChartKind::Scatter,
        ChartKind::Sensitivity,
        ChartKind::Discovery,
    ];

    /// A heading for charts of this kind.
    pub(crate) fn heading(self) -> &'static str {
        match self {
            ChartKind::TimeSeries => "Time series",
            ChartKind::ShockAligned => "Adaptability around shocks",
            ChartKind::Comparison => "Model comparison",
            ChartKind::Differences => "Paired differences between models",
            ChartKind::SweepLine => "Metrics against swept parameters",
            ChartKind::Heatmap => "Differences over two swept parameters",
            ChartKind::Scatter => "Metrics against swept parameters (design points)",
            ChartKind::Sensitivity => "Sensitivity indices",
            ChartKind::Discovery => "Scenario discovery",
        }
    }
}

/// One chart, ready to be drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// File stem, unique within a folder (`charts/<name>.png`, `.svg`).
    pub(crate) name: String,
    pub(crate) kind: ChartKind,
    /// A sentence saying what is shown, for the report.
    pub(crate) caption: String,
    pub(crate) figure: Figure,
}

impl Chart {
    pub(crate) fn title(&self) -> &str {
        self.figure.title()
    }

    /// The chart as an SVG document.
    pub(crate) fn svg(&self) -> Result<String, PlotError> {
        style::register_fonts();
        let mut buf = String::new();
        {
            let root = SVGBackend::with_string(&mut buf, self.figure.size()).into_drawing_area();
            self.figure.draw(&root).map_err(|e| self.failed(e))?;
            root.present().map_err(|e| self.failed(e))?;
        }
        Ok(buf)
    }

    /// Draws the chart as a PNG file at `path` (whose name must end in `.png`).
    pub(crate) fn write_png(&self, path: &Path) -> Result<(), PlotError> {
        style::register_fonts();
        let root = BitMapBackend::new(path, self.figure.size()).into_drawing_area();
        self.figure.draw(&root).map_err(|e| self.failed(e))?;
        root.present().map_err(|e| self.failed(e))?;
        Ok(())
    }

    fn failed(&self, e: impl std::fmt::Display) -> PlotError {
        PlotError::Draw {
            chart: self.name.clone(),
            detail: e.to_string(),
        }
    }
}

/// The charts of a loaded result, in report order.
pub(crate) fn charts(results: &Results) -> Vec<Chart> {
    build::charts(results)
}

/// Draws every chart of the result folder `dir` into `dir/charts/` as PNG and SVG (replacing
/// charts of the same name) and returns the files written, in chart order (PNG then SVG).
pub fn draw_all(dir: &Path) -> Result<Vec<PathBuf>, PlotError> {
    let results = Results::load(dir)?;
    let written = write_charts(&charts(&results), dir)?;
    prune_stale(&dir.join(CHARTS), &written)?;
    Ok(written)
}

/// Name prefixes of the charts [`draw_all`] draws (not the replication charts, which
/// `leadsim replicate` writes beside them).
const RESULT_CHART_PREFIXES: [&str; 10] = [
    "timeseries-",
    "compare-",
    "diff-",
    "shock-performance",
    "sweep-",
    "heatmap-",
    "scatter-",
    "sobol-",
    "morris-",
    "discover-",
];

/// Removes result charts a previous drawing left that this one did not draw (say, of an event
/// that no longer fires), so `charts/` shows exactly the current results. Other files are left
/// alone.
fn prune_stale(charts: &Path, written: &[PathBuf]) -> Result<(), PlotError> {
    let io = |source| PlotError::Io {
        path: charts.to_path_buf(),
        source,
    };
    for entry in std::fs::read_dir(charts).map_err(io)? {
        let path = entry.map_err(io)?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let Some(name) = name else { continue };
        let ours = (name.ends_with(".png") || name.ends_with(".svg"))
            && RESULT_CHART_PREFIXES.iter().any(|p| name.starts_with(p));
        if ours && !written.contains(&path) {
            std::fs::remove_file(&path).map_err(|source| PlotError::Io {
                path: path.clone(),
                source,
            })?;
        }
    }
    Ok(())
}

/// Writes one chart's PNG and SVG, each under a temporary name renamed into place.
fn write_chart(chart: &Chart, out: &Path) -> Result<Vec<PathBuf>, PlotError> {
    let pid = std::process::id();
    let png = out.join(format!("{}.png", chart.name));
    // The temporary name keeps the extension: the encoder picks the format from it.
    let tmp = out.join(format!(".{}.{pid}.tmp.png", chart.name));
    let result = chart.write_png(&tmp).and_then(|()| commit(&tmp, &png));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result?;
    let svg = out.join(format!("{}.svg", chart.name));
    crate::output::write_atomic(&svg, chart.svg()?.as_bytes()).map_err(|e| match e {
        crate::output::OutputError::Io { path, source } => PlotError::Io { path, source },
        other => PlotError::Draw {
            chart: chart.name.clone(),
            detail: other.to_string(),
        },
    })?;
    Ok(vec![png, svg])
}

/// Flushes `tmp` to disk and renames it to `dest`.
fn commit(tmp: &Path, dest: &Path) -> Result<(), PlotError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| PlotError::Io { path, source }
    };
    std::fs::File::open(tmp)
        .and_then(|f| f.sync_all())
        .map_err(io(tmp))?;
    std::fs::rename(tmp, dest).map_err(io(dest))
}

/// The figures of a reference-model replication (`leadsim replicate`) as charts: one line per
/// series (for Fig. 1, one per p2) with a 95% band of ±1.96 standard errors.
pub fn replication_charts(rep: &crate::reference::Replication) -> Vec<Chart> {
    rep.figures
        .iter()
        .map(|f| {
            let models: Vec<String> = f.series.iter().map(|s| s.label.clone()).collect();
            let lines = f
                .series
                .iter()
                .enumerate()
                .map(|(i, s)| Line {
                    model: i,
                    points: s
                        .x
                        .iter()
                        .zip(s.mean.iter().zip(&s.se))
                        .map(|(&x, (&m, &se))| {
                            (
                                x,
                                Band {
                                    n: rep.samples,
                                    mean: m,
                                    low: m - 1.96 * se,
                                    high: m + 1.96 * se,
                                },
                            )
                        })
                        .collect(),
                })
                .collect();
            let ticks: Vec<f64> = f.series.first().map(|s| s.x.clone()).unwrap_or_default();
            Chart {
                name: format!("replication-{}", f.name),
                kind: ChartKind::SweepLine,
                caption: format!("{} ({}; mean ± 1.96 standard errors)", f.title, rep.source),
                figure: Figure::Lines(Lines {
                    title: f.title.clone(),
                    x_label: f.x_label.clone(),
                    y_label: f.y_label.clone(),
                    x: if ticks.len() <= 12 {
                        XAxis::Values(ticks)
                    } else {
                        XAxis::Numeric
                    },
                    models,
                    lines,
                    x_range: None,
                    marks: Vec::new(),
                    mark_label: String::new(),
                }),
            }
        })
        .collect()
}

/// A group of estimates for [`estimate_charts`]: file stem, title, caption, and each estimate as
/// (label, estimate, low, high).
pub type EstimateGroup = (String, String, String, Vec<(String, f64, f64, f64)>);

/// Forest plots of estimates and their intervals (the summary of `leadsim replicate patterns`):
/// one chart per group `(file stem, title, caption, estimates)`, one panel per estimate
/// `(label, estimate, low, high)` with its zero line; estimates without an interval are left
/// out, and so is a group left empty.
pub fn estimate_charts(groups: &[EstimateGroup]) -> Vec<Chart> {
    groups
        .iter()
        .filter_map(|(name, title, caption, estimates)| {
            let panels: Vec<figure::DiffPanel> = estimates
                .iter()
                .filter(|(_, m, lo, hi)| m.is_finite() && lo.is_finite() && hi.is_finite())
                .map(|(label, m, lo, hi)| figure::DiffPanel {
                    title: label.clone(),
                    values: vec![Some(Band {
                        n: 0,
                        mean: *m,
                        low: *lo,
                        high: *hi,
                    })],
                    marked: vec![*lo > 0.0 || *hi < 0.0],
                })
                .collect();
            (!panels.is_empty()).then(|| Chart {
                name: name.clone(),
                kind: ChartKind::Differences,
                caption: caption.clone(),
                figure: Figure::Diffs(figure::Diffs {
                    title: title.clone(),
                    rows: vec!["estimate".into()],
                    columns: panels.len().min(2),
                    panels,
                    marks: (
                        "95% CI excludes 0".to_string(),
                        "95% CI includes 0".to_string(),
                    ),
                }),
            })
        })
        .collect()
}

/// Draws `charts` into `dir/charts/` as PNG and SVG; returns the files written.
pub fn write_charts(charts: &[Chart], dir: &Path) -> Result<Vec<PathBuf>, PlotError> {
    let out = dir.join(CHARTS);
    std::fs::create_dir_all(&out).map_err(|source| PlotError::Io {
        path: out.clone(),
        source,
    })?;
    let written: Vec<Vec<PathBuf>> = charts
        .par_iter()
        .map(|c| write_chart(c, &out))
        .collect::<Result<_, _>>()?;
    Ok(written.into_iter().flatten().collect())
}
