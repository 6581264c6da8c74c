//! Which charts a result folder gets, and the data, titles and captions of each.

use super::data::{Band, Results};
use super::figure::{DiffPanel, Diffs, DotPanel, Dots, Figure, Heat, Line, Lines, XAxis};
use super::style::{metric_words, short, stat_words};
use super::{Chart, ChartKind};
use crate::results::range_of;
use crate::stats::describe;
use std::collections::{BTreeMap, BTreeSet};

/// Metrics compared by their mean over the steps of a run: outcomes, costs, then process.
pub(crate) const MEAN_METRICS: [&str; 12] = [
    "performance",
    "innovations",
    "engagement",
    "leadership_skill",
    "messages",
    "disputes",
    "harmful_adoptions",
    "improvements",
    "reversals",
    "adoptions",
    "participation",
    "expired",
];

/// Manipulation checks, compared by their run means in a figure of their own: they show that
/// a model did what it should, and are not outcomes (docs/ODD.md §7.7).
pub(crate) const CHECK_METRICS: [&str; 4] = [
    "decision_makers",
    "leadership_centralization",
    "latency",
    "utilization",
];

/// State metrics compared by their value at the end of a run.
pub(crate) const FINAL_METRICS: [&str; 6] = [
    "performance",
    "engagement",
    "leadership_skill",
    "distinct_configs",
    "participation",
    "members",
];

/// Adaptability statistics (rows of `stats.csv` when there were shocks).
pub(crate) const SHOCK_METRICS: [&str; 7] = [
    "shock_drop",
    "shock_max_drop",
    "shock_recovered",
    "shock_recovery_median",
    "shock_window_mean",
    "shock_effect",
    "shock_effect_min",
];

/// Summary columns drawn against swept parameters and in heatmaps: the headline outcomes and
/// costs, which the console summary after a run shows too.
pub const SWEEP_METRICS: [&str; 8] = [
    "performance_final",
    "performance_mean",
    "innovations_mean",
    "engagement_mean",
    "leadership_skill_final",
    "messages_mean",
    "disputes_mean",
    "harmful_adoptions_mean",
];

/// Axes with more distinct numeric values than this are binned in heatmaps.
const MAX_CATEGORIES: usize = 12;
const BINS: usize = 8;

/// Every chart for `r`, in report order.
pub(crate) fn charts(r: &Results) -> Vec<Chart> {
    let mut out = Vec::new();
    timeseries(r, &mut out);
    shock_aligned(r, &mut out);
    if !r.sweep {
        comparisons(r, &mut out);
    } else if r.sampled() {
        // Lines and heatmaps join or bin scattered points: a sampled design gets scatter plots.
        super::sampled::scatters(r, &mut out);
    } else {
        sweep_lines(r, &mut out);
        heatmaps(r, &mut out);
    }
    super::sampled::sensitivity(r, &mut out);
    super::sampled::discoveries(r, &mut out);
    // File names must be unique even after sanitizing.
    let mut seen = BTreeSet::new();
    for c in &mut out {
        let base = c.name.clone();
        let mut k = 2;
        while !seen.insert(c.name.clone()) {
            c.name = format!("{base}-{k}");
            k += 1;
        }
    }
    out
}

/// A file-name-safe version of `s`.
pub(super) fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn pooled_note(r: &Results) -> String {
    if r.sweep {
        format!(
            " Runs of all {} sweep points are pooled.",
            r.manifest.points.len()
        )
    } else {
        String::new()
    }
}

/// The shocks' events and steps for a caption (`: market at step 100; exit at 200`), when
/// there are few enough distinct ones to list.
fn shock_list(r: &Results) -> String {
    let mut seen: Vec<(&str, u32)> = Vec::new();
    for s in &r.shocks {
        if !seen.contains(&(s.event.as_str(), s.step)) {
            seen.push((s.event.as_str(), s.step));
        }
    }
    if seen.is_empty() || seen.len() > 8 {
        return String::new();
    }
    let mut parts: Vec<String> = Vec::new();
    for event in &r.events {
        let steps: Vec<String> = seen
            .iter()
            .filter(|(e, _)| e == event)
            .map(|(_, s)| s.to_string())
            .collect();
        if !steps.is_empty() {
            let word = if steps.len() == 1 { "step" } else { "steps" };
            parts.push(format!("{event} at {word} {}", steps.join(", ")));
        }
    }
    format!(": {}", parts.join("; "))
}

fn timeseries(r: &Results, out: &mut Vec<Chart>) {
    let marks: Vec<f64> = r.shock_steps().iter().map(|&s| s as f64).collect();
    // Every time series spans all recorded steps, even where its metric is NA.
    let steps = r
        .series
        .iter()
        .flatten()
        .flat_map(|pts| pts.iter().map(|(s, _)| *s))
        .fold(None, |acc: Option<(f64, f64)>, s| match acc {
            None => Some((s, s)),
            Some((a, b)) => Some((a.min(s), b.max(s))),
        })
        .map(|(a, b)| {
            // The axis ends at the last step, not the middle of the last window.
            let last = r.manifest.steps.iter().copied().max().unwrap_or(0) as f64;
            (a, b.max(last))
        });
    for (k, metric) in r.metrics.iter().enumerate() {
        let lines: Vec<Line> = r.series[k]
            .iter()
            .enumerate()
            .filter(|(_, pts)| pts.iter().any(|(_, b)| b.mean.is_finite()))
            .map(|(m, pts)| Line {
                model: m,
                points: pts.clone(),
            })
            .collect();
        if lines.is_empty() {
            continue;
        }
        let (name, axis) = metric_words(metric);
        let per = if r.window > 1 {
            format!(
                " Each run is first averaged over windows of {} steps (step 0, the initial state, \
                 stands alone).",
                r.window
            )
        } else {
            String::new()
        };
        let mut caption = format!(
            "Mean over the runs of each model (line) with its 95% confidence band (shaded).\
             {per}{}",
            pooled_note(r)
        );
        if !marks.is_empty() {
            caption += &format!(
                " Dashed lines mark the steps at which shocks occurred{}.",
                shock_list(r)
            );
        }
        out.push(Chart {
            name: format!("timeseries-{}", slug(metric)),
            kind: ChartKind::TimeSeries,
            caption,
            figure: Figure::Lines(Lines {
                title: format!("{name} over time"),
                x_label: "Step".into(),
                y_label: axis,
                x: XAxis::Numeric,
                models: r.models.clone(),
                lines,
                x_range: steps,
                marks: marks.clone(),
                mark_label: "shock".into(),
            }),
        });
    }
}

fn shock_aligned(r: &Results, out: &mut Vec<Chart>) {
    if r.shocks.is_empty() {
        return;
    }
    let several = r.events.len() > 1;
    let count = |event: Option<&str>| {
        r.shocks
            .iter()
            .filter(|s| event.is_none_or(|e| s.event == e))
            .count()
    };
    let all = if several {
        format!("all {} shocks ({})", count(None), r.events.join(", "))
    } else {
        format!("all {} shocks", count(None))
    };
    let title = if several {
        "Performance around shocks (all events)".to_string()
    } else {
        "Performance around shocks".to_string()
    };
    if let Some(chart) = aligned_chart(r, &r.aligned, "shock-performance".into(), title, &all) {
        out.push(chart);
    }
    if several {
        for (event, aligned) in r.events.iter().zip(&r.aligned_events) {
            let kind = r
                .shocks
                .iter()
                .find(|s| s.event == *event)
                .map_or(String::new(), |s| format!(" ({})", s.kind));
            let which = format!("the {} shocks of event {event}{kind}", count(Some(event)));
            if let Some(chart) = aligned_chart(
                r,
                aligned,
                format!("shock-performance-{}", slug(event)),
                format!("Performance around {event}"),
                &which,
            ) {
                out.push(chart);
            }
        }
    }
}

/// A chart of performance aligned on shocks: `which` says over which shocks the bands are.
fn aligned_chart(
    r: &Results,
    aligned: &[Vec<(i64, Band)>],
    name: String,
    title: String,
    which: &str,
) -> Option<Chart> {
    let lines: Vec<Line> = aligned
        .iter()
        .enumerate()
        .filter(|(_, pts)| !pts.is_empty())
        .map(|(m, pts)| Line {
            model: m,
            points: pts.iter().map(|&(d, b)| (d as f64, b)).collect(),
        })
        .collect();
    if lines.is_empty() {
        return None;
    }
    let (pre, post) = r.shock_window;
    let (_, axis) = metric_words("performance");
    Some(Chart {
        name,
        kind: ChartKind::ShockAligned,
        caption: format!(
            "Performance from {pre} steps before to {post} steps after each shock (step 0 is the \
             shock step), aligned on the shock steps in shocks.csv: mean over {which} of all \
             runs of each model with its 95% confidence band.{}",
            pooled_note(r)
        ),
        figure: Figure::Lines(Lines {
            title,
            x_label: "Steps since shock".into(),
            y_label: axis,
            x: XAxis::Numeric,
            models: r.models.clone(),
            lines,
            x_range: Some((-(pre as f64), post as f64)),
            marks: vec![0.0],
            mark_label: "shock".into(),
        }),
    })
}

/// One comparison chart (and its paired-difference chart): which `stats.csv` columns, and the
/// words that describe them.
struct ComparisonSet {
    /// Chart names are `compare-<which>` and `diff-<which>`.
    which: String,
    metrics: &'static [&'static str],
    /// `stats.csv` column of a metric: `<metric><suffix>`.
    suffix: String,
    words: String,
    meaning: String,
}

/// Up to this many dot panels stand in one row; more wrap into rows of [`DOT_COLUMNS`].
/// Difference panels stand at most [`DIFF_COLUMNS`] to a row: their horizontal axes need the
/// width for their labels (five in a row left room for the zero's label only).
const ONE_ROW: usize = 5;
const DOT_COLUMNS: usize = 4;
const DIFF_COLUMNS: usize = 3;

/// The model comparisons and paired differences of a run (see [`ComparisonSet`]).
fn comparisons(r: &Results, out: &mut Vec<Chart>) {
    for set in comparison_sets(r) {
        comparison(r, &set, out);
    }
}

/// Run means, final values and adaptability (all shocks, then each measured event when there
/// are several).
fn comparison_sets(r: &Results) -> Vec<ComparisonSet> {
    let mut sets = vec![
        ComparisonSet {
            which: "mean".into(),
            metrics: &MEAN_METRICS,
            suffix: "_mean".into(),
            words: "run means".into(),
            meaning: "the mean over the steps of each run".into(),
        },
        ComparisonSet {
            which: "final".into(),
            metrics: &FINAL_METRICS,
            suffix: "_final".into(),
            words: "final values".into(),
            meaning: "the value at the last step of each run".into(),
        },
        ComparisonSet {
            which: "checks".into(),
            metrics: &CHECK_METRICS,
            suffix: "_mean".into(),
            words: "manipulation checks".into(),
            meaning: "the mean over the steps of each run of measures the model's definition drives (not outcomes)".into(),
        },
        ComparisonSet {
            which: "shocks".into(),
            metrics: &SHOCK_METRICS,
            suffix: String::new(),
            words: if r.events.len() > 1 {
                "adaptability, all shocks".into()
            } else {
                "adaptability".into()
            },
            meaning: "each run's mean over its shocks; the recovery time is the Kaplan–Meier median over every shock of the model"
                .into(),
        },
    ];
    // With several measured events, each gets its own adaptability charts (`shock_drop@<event>`).
    if r.events.len() > 1 {
        for event in &r.events {
            sets.push(ComparisonSet {
                which: format!("shocks-{}", slug(event)),
                metrics: &SHOCK_METRICS,
                suffix: format!("@{event}"),
                words: format!("adaptability to {event}"),
                meaning: format!(
                    "each run's mean over its {event} shocks; the recovery time is the Kaplan–Meier median over every {event} shock of the model"
                ),
            });
        }
    }
    sets
}

/// The comparison chart of `set` and, when `stats.csv` has paired differences, its
/// difference chart.
fn comparison(r: &Results, set: &ComparisonSet, out: &mut Vec<Chart>) {
    let mut panels = Vec::new();
    let mut diff_panels = Vec::new();
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut zero: Vec<String> = Vec::new();
    for metric in set.metrics {
        let column = format!("{metric}{}", set.suffix);
        let rows: Vec<_> = r.stats.iter().filter(|s| s.metric == column).collect();
        // No panel for a statistic no run had (an event that never fired).
        if rows.iter().all(|s| s.n == 0) {
            continue;
        }
        let (name, _) = metric_words(metric);
        // Nor for one that is zero in every run of every model (no proposal ever expired):
        // the caption says so.
        if rows
            .iter()
            .filter(|s| s.n > 0)
            .all(|s| s.mean == 0.0 && (s.sd == 0.0 || s.sd.is_nan()))
        {
            zero.push(name);
            continue;
        }
        let entries: Vec<(usize, Band)> = rows
            .iter()
            .filter(|s| s.versus.is_none())
            .filter_map(|s| {
                let m = r.models.iter().position(|x| *x == s.model)?;
                Some((m, band(s.n, s.mean, s.low, s.high)))
            })
            .collect();
        for s in rows.iter().filter(|s| s.versus.is_some()) {
            let pair = (s.model.clone(), s.versus.clone().unwrap_or_default());
            if !pairs.contains(&pair) {
                pairs.push(pair);
            }
        }
        panels.push(DotPanel {
            title: name.clone(),
            entries,
        });
        diff_panels.push((name, column));
    }
    if panels.is_empty() {
        return;
    }
    let ComparisonSet {
        which,
        words,
        meaning,
        ..
    } = set;
    let n_reps = r.manifest.replications;
    let n_panels = panels.len();
    let omitted = zero_note(&zero);
    out.push(Chart {
        name: format!("compare-{which}"),
        kind: ChartKind::Comparison,
        caption: format!(
            "Model comparison of {words}: for each model, the mean over its {n_reps} \
             replicates of {meaning} (dot) with its 95% confidence interval (whiskers), from \
             stats.csv.{omitted}"
        ),
        figure: Figure::Dots(Dots {
            title: format!("Model comparison: {words} (mean, 95% CI)"),
            models: r.models.clone(),
            panels,
            columns: if n_panels <= ONE_ROW {
                n_panels
            } else {
                DOT_COLUMNS
            },
        }),
    });
    if !pairs.is_empty() {
        let mut chart = differences(r, set, &pairs, diff_panels);
        chart.caption += &omitted;
        out.push(chart);
    }
}

/// A caption's note on the panels left out because their measure is zero in every run.
fn zero_note(zero: &[String]) -> String {
    match zero {
        [] => String::new(),
        [one] => format!(" Not drawn: {one}, zero in every run of every model."),
        many => format!(
            " Not drawn: {}, each zero in every run of every model.",
            many.join(", ")
        ),
    }
}

/// The paired-difference chart of `set`: a panel per `(title, stats.csv column)`, a row per
/// pair of models.
fn differences(
    r: &Results,
    set: &ComparisonSet,
    pairs: &[(String, String)],
    panels: Vec<(String, String)>,
) -> Chart {
    let ComparisonSet {
        which,
        words,
        meaning,
        ..
    } = set;
    let n_panels = panels.len();
    let rows: Vec<String> = pairs.iter().map(|(a, b)| format!("{a} − {b}")).collect();
    // Marked by the Holm-adjusted p-value of stats.csv, as the report's tables are; results of
    // versions without p-values by their intervals, and the legend says which.
    let adjusted = r.stats.iter().any(|s| s.p_recorded);
    let panels = panels
        .into_iter()
        .map(|(title, column)| {
            let rows: Vec<_> = pairs
                .iter()
                .map(|(a, b)| {
                    r.stats.iter().find(|s| {
                        s.metric == column
                            && s.model == *a
                            && s.versus.as_deref() == Some(b.as_str())
                    })
                })
                .collect();
            DiffPanel {
                title,
                values: rows
                    .iter()
                    .map(|s| s.map(|s| band(s.n, s.mean, s.low, s.high)))
                    .collect(),
                marked: rows
                    .iter()
                    .map(|s| {
                        s.is_some_and(|s| {
                            if adjusted {
                                s.p_holm < SIGNIFICANCE
                            } else {
                                s.low > 0.0 || s.high < 0.0
                            }
                        })
                    })
                    .collect(),
            }
        })
        .collect();
    let (marks, mark_words) = if adjusted {
        (
            (
                "Holm-adjusted p < 0.05".to_string(),
                "not significant after Holm".to_string(),
            ),
            "A filled dot marks a difference whose p-value (paired t test), adjusted by Holm's \
             method within the differences of its kind of measure, is below 0.05; grey line: \
             zero.",
        )
    } else {
        (
            (
                "95% CI excludes 0".to_string(),
                "95% CI includes 0".to_string(),
            ),
            "A filled dot marks an interval that excludes zero (grey line); this result has \
             no p-values (an earlier version of leadsim), so the marks are not adjusted for \
             the number of comparisons.",
        )
    };
    Chart {
        name: format!("diff-{which}"),
        kind: ChartKind::Differences,
        caption: format!(
            "Paired differences between models in {words} ({meaning}): mean of the \
             replicate-by-replicate difference (row model minus the model after the minus \
             sign; every model of a replicate faces the same world) with its 95% confidence \
             interval. {mark_words}{}",
            compared(r)
        ),
        figure: Figure::Diffs(Diffs {
            title: format!("Paired differences: {words} (mean, 95% CI)"),
            rows,
            panels,
            // Differences need width for their horizontal axes' labels.
            columns: n_panels.min(DIFF_COLUMNS),
            marks,
        }),
    }
}

/// For a comparison of two results (`leadsim compare`), what the rows between them are.
fn compared(r: &Results) -> String {
    match &r.manifest.compare {
        Some(c) if c.paired => format!(
            " Rows {b}:model − {a}:model compare the two results; they met the same worlds, so \
             these differences are paired replicate by replicate too.",
            a = c.a.label,
            b = c.b.label
        ),
        Some(c) => format!(
            " Rows {b}:model − {a}:model compare the two results; they met different worlds, \
             so these are Welch's differences of the two means, not paired.",
            a = c.a.label,
            b = c.b.label
        ),
        None => String::new(),
    }
}

fn band(n: usize, mean: f64, low: f64, high: f64) -> Band {
    Band { n, mean, low, high }
}

/// Differences are marked (a filled dot, a star) when their Holm-adjusted p-value is below this.
const SIGNIFICANCE: f64 = 0.05;

/// Which cells of a heatmap of paired differences (`[x][y]` → the differences) are marked: the
/// paired t test of each cell, adjusted by Holm's method over the map's cells (a map is one
/// question asked at many cells; the cells pool runs, so stats.csv has no row for them).
fn heat_marks(diffs: &[Vec<Vec<f64>>]) -> Vec<Vec<bool>> {
    let p: Vec<f64> = diffs
        .iter()
        .flatten()
        .map(|v| crate::stats::t_test(&describe(v.iter().copied())))
        .collect();
    let adjusted = crate::stats::holm(&p);
    let height = diffs.first().map_or(0, Vec::len);
    diffs
        .iter()
        .enumerate()
        .map(|(x, col)| {
            (0..col.len())
                .map(|y| adjusted[x * height + y] < SIGNIFICANCE)
                .collect()
        })
        .collect()
}

/// The mean of `values` and its 95% interval (Student t); a caller showing one measure's values
/// keeps it inside the measure's range ([`Band::within`]).
fn from_describe(values: &[f64]) -> Band {
    let d = describe(values.iter().copied());
    band(d.n, d.mean, d.ci_low, d.ci_high)
}

/// The distinct values of a swept parameter in display order: numeric ascending when every
/// value is a number, otherwise in order of first appearance.
fn ordered_values<'a>(values: impl Iterator<Item = &'a str>) -> (Vec<String>, Option<Vec<f64>>) {
    let mut distinct: Vec<String> = Vec::new();
    let mut seen = BTreeSet::new();
    for v in values {
        if seen.insert(v) {
            distinct.push(v.to_string());
        }
    }
    let numbers: Option<Vec<f64>> = distinct
        .iter()
        .map(|v| v.parse::<f64>().ok().filter(|x| x.is_finite()))
        .collect();
    match numbers {
        Some(nums) => {
            let mut pairs: Vec<(f64, String)> = nums.into_iter().zip(distinct).collect();
            pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
            let (nums, names) = pairs.into_iter().unzip();
            (names, Some(nums))
        }
        None => (distinct, None),
    }
}

fn sweep_lines(r: &Results, out: &mut Vec<Chart>) {
    for (a, axis_name) in r.axes.iter().enumerate() {
        let (values, numbers) = ordered_values(r.summary.iter().map(|s| s.axis_values[a].as_str()));
        if values.len() < 2 {
            continue;
        }
        let position: BTreeMap<&str, usize> = values
            .iter()
            .enumerate()
            .map(|(i, v)| (v.as_str(), i))
            .collect();
        for metric in SWEEP_METRICS {
            let Some(col) = r.summary_column(metric) else {
                continue;
            };
            // [model][value] → run values.
            let mut groups = vec![vec![Vec::new(); values.len()]; r.models.len()];
            for s in &r.summary {
                let i = position[s.axis_values[a].as_str()];
                groups[s.model][i].push(s.values[col]);
            }
            let lines: Vec<Line> = groups
                .iter()
                .enumerate()
                .filter(|(_, g)| g.iter().any(|v| !v.is_empty()))
                .map(|(m, g)| Line {
                    model: m,
                    points: g
                        .iter()
                        .enumerate()
                        .filter(|(_, v)| !v.is_empty())
                        .map(|(i, v)| {
                            let x = numbers.as_ref().map_or(i as f64, |n| n[i]);
                            (x, from_describe(v).within(range_of(metric)))
                        })
                        .collect(),
                })
                .collect();
            if lines.is_empty() {
                continue;
            }
            let (title, axis) = stat_words(metric);
            let others = if r.axes.len() > 1 {
                " Runs at every value of the other swept parameters are pooled."
            } else {
                ""
            };
            out.push(Chart {
                name: format!("sweep-{}-by-{}", slug(metric), slug(axis_name)),
                kind: ChartKind::SweepLine,
                caption: format!(
                    "{title} against the swept parameter {axis_name}: mean over the runs of \
                     each model at each value (line) with its 95% confidence band.{others}"
                ),
                figure: Figure::Lines(Lines {
                    title: format!("{title} by {axis_name}"),
                    x_label: axis_name.clone(),
                    y_label: axis,
                    x: match &numbers {
                        Some(n) => XAxis::Values(n.clone()),
                        None => XAxis::Categories(values.clone()),
                    },
                    models: r.models.clone(),
                    lines,
                    x_range: None,
                    marks: Vec::new(),
                    mark_label: String::new(),
                }),
            });
        }
    }
}

/// The cells of one heatmap axis: labels and the cell of each raw value.
struct Bins {
    labels: Vec<String>,
    cell: BTreeMap<String, usize>,
}

fn bins<'a>(values: impl Iterator<Item = &'a str>) -> Bins {
    let (names, numbers) = ordered_values(values);
    match numbers {
        Some(nums) if names.len() > MAX_CATEGORIES => {
            let (lo, hi) = (nums[0], nums[nums.len() - 1]);
            let width = (hi - lo) / BINS as f64;
            let labels = (0..BINS)
                .map(|b| {
                    format!(
                        "{}–{}",
                        short(lo + b as f64 * width),
                        short(lo + (b + 1) as f64 * width)
                    )
                })
                .collect();
            let cell = names
                .iter()
                .zip(&nums)
                .map(|(n, &x)| {
                    let b = (((x - lo) / width) as usize).min(BINS - 1);
                    (n.clone(), b)
                })
                .collect();
            Bins { labels, cell }
        }
        _ => Bins {
            cell: names
                .iter()
                .enumerate()
                .map(|(i, n)| (n.clone(), i))
                .collect(),
            labels: names,
        },
    }
}

fn heatmaps(r: &Results, out: &mut Vec<Chart>) {
    if r.axes.len() < 2 || r.models.len() < 2 {
        return;
    }
    let bx = bins(r.summary.iter().map(|s| s.axis_values[0].as_str()));
    let by = bins(r.summary.iter().map(|s| s.axis_values[1].as_str()));
    if bx.labels.len() < 2 && by.labels.len() < 2 {
        return;
    }
    // (point, replicate) → the runs of each model, in run order.
    let mut replicates: BTreeMap<(usize, &str), Vec<Option<usize>>> = BTreeMap::new();
    for (i, s) in r.summary.iter().enumerate() {
        replicates
            .entry((s.point, s.replicate.as_str()))
            .or_insert_with(|| vec![None; r.models.len()])[s.model] = Some(i);
    }
    let versus = 0;
    for metric in SWEEP_METRICS {
        let Some(col) = r.summary_column(metric) else {
            continue;
        };
        for model in 1..r.models.len() {
            let mut diffs = vec![vec![Vec::new(); by.labels.len()]; bx.labels.len()];
            for runs in replicates.values() {
                let (Some(a), Some(b)) = (runs[model], runs[versus]) else {
                    continue;
                };
                let (ra, rb) = (&r.summary[a], &r.summary[b]);
                let d = ra.values[col] - rb.values[col];
                if d.is_nan() {
                    continue;
                }
                let x = bx.cell[&ra.axis_values[0]];
                let y = by.cell[&ra.axis_values[1]];
                diffs[x][y].push(d);
            }
            if diffs.iter().flatten().all(|v| v.is_empty()) {
                continue;
            }
            let cells = diffs
                .iter()
                .map(|col| {
                    col.iter()
                        .map(|v| (!v.is_empty()).then(|| from_describe(v)))
                        .collect()
                })
                .collect();
            let marked = heat_marks(&diffs);
            let (title, _) = stat_words(metric);
            let (a, b) = (&r.models[model], &r.models[versus]);
            let others = if r.axes.len() > 2 {
                " Runs at every value of the other swept parameters are pooled."
            } else {
                ""
            };
            out.push(Chart {
                name: format!("heatmap-{}-{}-vs-{}", slug(metric), slug(a), slug(b)),
                kind: ChartKind::Heatmap,
                caption: format!(
                    "Paired difference {a} − {b} in {} over {} and {}: mean of the \
                     replicate-by-replicate differences in each cell. Colour: diverging scale \
                     centred on zero (vermillion: {a} higher, blue: {b} higher); * marks cells \
                     whose paired t test's p-value, adjusted by Holm's method over the map's \
                     cells, is below 0.05; grey cells have no runs.{others}",
                    title.to_lowercase(),
                    r.axes[0],
                    r.axes[1]
                ),
                figure: Figure::Heat(Heat {
                    title: format!("{title}: {a} − {b}"),
                    x_label: r.axes[0].clone(),
                    y_label: r.axes[1].clone(),
                    x_ticks: bx.labels.clone(),
                    y_ticks: by.labels.clone(),
                    cells,
                    marked,
                    scale_label: format!("{a} − {b}"),
                }),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heatmap_cells_are_marked_by_holm_over_the_map() {
        // A clear shift; two cells each below 0.05 alone but not once Holm counts the three
        // tests (the smaller is multiplied by 2, the larger can be no lower); a cell whose
        // differences do not vary (0.2 three times, whose mean rounds off 0.2) is no test;
        // empty cells neither.
        let clear = vec![1.0, 1.1, 0.9, 1.05, 0.95];
        let weak = vec![0.5, -0.05, 0.6, 0.3, 0.4];
        let weak2 = vec![0.45, -0.05, 0.6, 0.3, 0.4];
        let p = |v: &[f64]| crate::stats::t_test(&describe(v.iter().copied()));
        let (p1, p2) = (p(&weak), p(&weak2));
        assert!(
            p1 < 0.05 && p2 < 0.05 && 2.0 * p1.min(p2) > 0.05,
            "{p1} {p2}"
        );
        let diffs = vec![
            vec![clear, weak, vec![0.2, 0.2, 0.2]],
            vec![weak2, Vec::new(), Vec::new()],
        ];
        let marks = heat_marks(&diffs);
        assert_eq!(marks, vec![vec![true, false, false], vec![false; 3]]);
    }

    #[test]
    fn swept_values_are_ordered_and_binned() {
        let (names, nums) = ordered_values(["10", "2", "10", "5"].into_iter());
        assert_eq!(names, ["2", "5", "10"]);
        assert_eq!(nums, Some(vec![2.0, 5.0, 10.0]));
        let (names, nums) = ordered_values(["vote", "none", "vote"].into_iter());
        assert_eq!(names, ["vote", "none"]);
        assert!(nums.is_none());
        let many: Vec<String> = (0..40).map(|i| format!("{}", i as f64 / 39.0)).collect();
        let b = bins(many.iter().map(|s| s.as_str()));
        assert_eq!(b.labels.len(), BINS);
        assert_eq!(b.cell["0"], 0);
        assert_eq!(b.cell["1"], BINS - 1);
        assert_eq!(slug("a b/c.d"), "a_b_c.d");
    }
}
