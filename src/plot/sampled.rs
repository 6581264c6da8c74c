//! Charts of sampled designs (random, Latin hypercube, Morris, Sobol') and of a sweep's
//! analysis: metric against parameter scatter plots, Morris μ*–σ plots, Sobol' index bars and
//! discovered boxes.
//!
//! The points of a sampled design are scattered: neighbouring x values share nothing else, so
//! joining them into a line with a confidence band (as for a grid, where every value of one
//! parameter meets the same values of the others) would draw the other parameters' variation
//! as a trend. Each point is a design point's mean over its replicates; the smoother is a
//! running mean over neighbours in x, which averages the other parameters out.

use super::build::{SWEEP_METRICS, slug};
use super::data::Results;
use super::figure::Figure;
use super::scatter::{Bars, Points, Scatter, ScatterPanel};
use super::style::stat_words;
use super::{Chart, ChartKind};
use crate::experiment::sweep::Design;
use crate::output::analysis::{Discovery, IndexRow};

/// Points drawn per series in a panel, at most: beyond, every k-th point in point order (the
/// smoother still uses all).
const MAX_DRAWN: usize = 600;
/// Palette indices of the discovery chart's two classes and of the index bars.
const HOLDS: usize = 1;
const FAILS: usize = 5;
const FIRST_ORDER: usize = 5;
const TOTAL: usize = 0;
/// Axes with at most this many distinct values are smoothed by the mean at each value.
const FEW_VALUES: usize = 12;

/// A panel's horizontal positions of every point of one axis: numbers, or the position of a
/// word among the axis's values (with those values).
fn positions(r: &Results, axis: usize) -> (Vec<f64>, Vec<String>) {
    let name = &r.axes[axis];
    let cells: Vec<&str> = r
        .manifest
        .points
        .iter()
        .map(|p| p.values.get(name).map_or("", String::as_str))
        .collect();
    let numbers: Option<Vec<f64>> = cells
        .iter()
        .map(|c| c.parse::<f64>().ok().filter(|x| x.is_finite()))
        .collect();
    if let Some(n) = numbers {
        return (n, Vec::new());
    }
    let mut words: Vec<String> = r
        .design
        .as_ref()
        .and_then(|(_, axes)| axes.get(axis))
        .map(|a| a.values.clone())
        .unwrap_or_default();
    for c in &cells {
        if !words.iter().any(|w| w == c) {
            words.push(c.to_string());
        }
    }
    let x = cells
        .iter()
        .map(|c| words.iter().position(|w| w == c).unwrap_or(0) as f64)
        .collect();
    (x, words)
}

/// The points a scatter shows: every point, except for a Sobol' design its base sample (the A
/// and B rows, 2N quasi-random points; the other rows repeat their coordinates but one).
fn shown_points(r: &Results) -> (Vec<usize>, String) {
    let n = r.manifest.points.len();
    match r.design.as_ref().map(|(d, _)| *d) {
        Some(Design::Sobol { second_order, .. }) => {
            let k = r.axes.len();
            let rows = if second_order { 2 * k + 2 } else { k + 2 };
            let pts = (0..n)
                .filter(|p| p % rows == 0 || p % rows == rows - 1)
                .collect::<Vec<_>>();
            let note = format!(
                " Of the Sobol' design's {n} points, its base sample (the A and B rows, {}) is shown.",
                pts.len()
            );
            (pts, note)
        }
        _ => ((0..n).collect(), String::new()),
    }
}

/// A running mean of `points`: the mean at each distinct x when there are few, else over the
/// `2h + 1` points nearest in x order. Returns the curve and `h` (0 for means at each value).
fn smoother(points: &[(f64, f64)]) -> (Vec<(f64, f64)>, usize) {
    let mut sorted: Vec<(f64, f64)> = points.iter().copied().filter(|p| p.1.is_finite()).collect();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut distinct: Vec<f64> = sorted.iter().map(|p| p.0).collect();
    distinct.dedup();
    if distinct.len() <= FEW_VALUES {
        let curve = distinct
            .iter()
            .map(|&x| {
                let ys: Vec<f64> = sorted.iter().filter(|p| p.0 == x).map(|p| p.1).collect();
                (x, ys.iter().sum::<f64>() / ys.len() as f64)
            })
            .collect();
        return (curve, 0);
    }
    // A window of about a quarter of the points: smooth enough to show a trend, narrow enough
    // to follow a bend.
    let h = (sorted.len() / 8).max(4);
    let curve = (0..sorted.len())
        .map(|i| {
            let (a, b) = (i.saturating_sub(h), (i + h + 1).min(sorted.len()));
            let w = &sorted[a..b];
            (
                sorted[i].0,
                w.iter().map(|p| p.1).sum::<f64>() / w.len() as f64,
            )
        })
        .collect();
    (curve, h)
}

/// Every `k`-th of `points`, so that at most [`MAX_DRAWN`] are drawn.
fn thinned(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let k = points.len().div_ceil(MAX_DRAWN).max(1);
    points.iter().step_by(k).copied().collect()
}

/// One figure per headline metric: a panel per swept parameter, each design point's mean per
/// model, and a smoother per model.
pub(crate) fn scatters(r: &Results, out: &mut Vec<Chart>) {
    let (shown, note) = shown_points(r);
    let columns: Vec<(Vec<f64>, Vec<String>)> =
        (0..r.axes.len()).map(|a| positions(r, a)).collect();
    for metric in SWEEP_METRICS {
        // [model][point] → the point's mean.
        let mut means = vec![vec![f64::NAN; r.manifest.points.len()]; r.models.len()];
        for s in r
            .stats
            .iter()
            .filter(|s| s.metric == metric && s.versus.is_none())
        {
            let (Some(p), Some(m)) = (s.point, r.models.iter().position(|x| *x == s.model)) else {
                continue;
            };
            if p < r.manifest.points.len() {
                means[m][p] = s.mean;
            }
        }
        if means.iter().flatten().all(|v| !v.is_finite()) {
            continue;
        }
        let mut widest = 0;
        let panels = r
            .axes
            .iter()
            .zip(&columns)
            .map(|(axis, (x, words))| {
                let data = (0..r.models.len())
                    .map(|m| {
                        let pts: Vec<(f64, f64)> = shown
                            .iter()
                            .map(|&p| (x[p], means[m][p]))
                            .filter(|q| q.1.is_finite())
                            .collect();
                        let (smooth, h) = smoother(&pts);
                        widest = widest.max(h);
                        Points {
                            series: m,
                            points: thinned(&pts),
                            smooth,
                        }
                    })
                    .collect();
                ScatterPanel {
                    title: axis.clone(),
                    x_label: axis.clone(),
                    categories: words.clone(),
                    data,
                    ..ScatterPanel::default()
                }
            })
            .collect::<Vec<_>>();
        let (title, y_label) = stat_words(metric);
        let smooth = if widest > 0 {
            format!(
                "a running mean over the {} design points nearest in the parameter (the mean at each value where an axis has at most {FEW_VALUES})",
                2 * widest + 1
            )
        } else {
            "the mean at each value of the parameter".to_string()
        };
        let drawn = if shown.len() > MAX_DRAWN {
            format!(
                " Every {}th point is drawn; the line uses all.",
                shown.len().div_ceil(MAX_DRAWN)
            )
        } else {
            String::new()
        };
        out.push(Chart {
            name: format!("scatter-{}", slug(metric)),
            kind: ChartKind::Scatter,
            caption: format!(
                "{title} against each swept parameter: one dot per design point and model, the \
                 point's mean over its {} replicates; the line is {smooth}, which averages over \
                 the other parameters. The design's points are sampled, so neighbouring values \
                 differ in the other parameters too: no line joins them.{note}{drawn}",
                r.manifest.replications
            ),
            figure: Figure::Scatter(Scatter {
                title: format!("{title} by swept parameter"),
                y_label,
                series: r.models.clone(),
                colours: (0..r.models.len()).collect(),
                columns: panels.len().clamp(1, 3),
                panels,
                rect_label: String::new(),
            }),
        });
    }
}

/// The quantities of `sensitivity.csv` in file order.
fn quantities(rows: &[IndexRow]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for r in rows {
        if !out.contains(&r.quantity.as_str()) {
            out.push(&r.quantity);
        }
    }
    out
}

/// A quantity in words: "Performance (mean over steps): shared − centralized".
fn quantity_words(row: &IndexRow) -> String {
    let (words, _) = stat_words(&row.metric);
    let who = if row.versus.is_empty() {
        row.model.clone()
    } else {
        format!("{} − {}", row.model, row.versus)
    };
    format!("{words}: {who}")
}

/// What the noise share of a quantity means for its indices, for a caption.
fn noise_note(row: &IndexRow) -> String {
    if row.noise_share.is_nan() {
        return " The replicate noise is unknown (fewer than two replicates per point).".into();
    }
    let pct = (100.0 * row.noise_share).round();
    if row.noisy {
        format!(
            " Warning: replicate noise accounts for {pct}% of the variance of the per-point means, which swamps the effects: these indices mostly measure noise."
        )
    } else {
        format!(" Replicate noise accounts for {pct}% of the variance of the per-point means.")
    }
}

/// A Morris μ*–σ plot or Sobol' bars per quantity of `sensitivity.csv`.
pub(crate) fn sensitivity(r: &Results, out: &mut Vec<Chart>) {
    let Some((design, _)) = &r.design else {
        return;
    };
    for q in quantities(&r.sensitivity) {
        let rows: Vec<&IndexRow> = r.sensitivity.iter().filter(|x| x.quantity == q).collect();
        let first = rows[0];
        let params: Vec<&str> = {
            let mut p: Vec<&str> = Vec::new();
            for x in &rows {
                if !p.contains(&x.parameter.as_str()) {
                    p.push(&x.parameter);
                }
            }
            p
        };
        let value = |param: &str, index: &str| {
            rows.iter()
                .find(|x| x.parameter == param && x.index == index && x.other.is_empty())
                .map(|x| (x.estimate, x.estimate - x.conf, x.estimate + x.conf))
        };
        let about = format!(
            "from the means over {} replicates at each of the {} design points.{}",
            first.replicates,
            first.points,
            noise_note(first)
        );
        match design {
            Design::Sobol { samples, .. } => {
                out.push(sobol_bars(q, first, &params, &value, *samples, &about))
            }
            Design::Morris { .. } => out.push(morris_plot(q, first, &params, &value, &about)),
            _ => {}
        }
    }
}

type IndexOf<'a> = dyn Fn(&str, &str) -> Option<(f64, f64, f64)> + 'a;

fn sobol_bars(
    q: &str,
    first: &IndexRow,
    params: &[&str],
    value: &IndexOf,
    samples: usize,
    about: &str,
) -> Chart {
    Chart {
        name: format!("sobol-{}", slug(q)),
        kind: ChartKind::Sensitivity,
        caption: format!(
            "Sobol' indices of {q}: first-order S1 (the share of the variance due to the parameter \
             alone) and total ST (alone and in interaction with the others), with bootstrap 95% \
             intervals; Saltelli (2010) and Jansen (1999) estimators (SALib 1.6's), base sample \
             N = {samples}, {about} A total index well above the first-order one marks \
             interactions; indices of a noisy quantity can fall below 0 or exceed 1."
        ),
        figure: Figure::Bars(Bars {
            title: format!("Sobol' indices: {}", quantity_words(first)),
            x_label: "Index (share of variance)".into(),
            rows: params.iter().map(|p| p.to_string()).collect(),
            groups: vec!["S1 (first order)".into(), "ST (total)".into()],
            colours: vec![FIRST_ORDER, TOTAL],
            values: ["S1", "ST"]
                .iter()
                .map(|i| params.iter().map(|p| value(p, i)).collect())
                .collect(),
        }),
    }
}

fn morris_plot(q: &str, first: &IndexRow, params: &[&str], value: &IndexOf, about: &str) -> Chart {
    let mut points = Vec::new();
    let mut whiskers = Vec::new();
    let mut labels = Vec::new();
    for p in params {
        let (Some(mu), Some(sigma)) = (value(p, "mu_star"), value(p, "sigma")) else {
            continue;
        };
        points.push((mu.0, sigma.0));
        if mu.1.is_finite() && mu.2.is_finite() {
            whiskers.push((sigma.0, mu.1, mu.2));
        }
        labels.push((mu.0, sigma.0, p.to_string()));
    }
    Chart {
        name: format!("morris-{}", slug(q)),
        kind: ChartKind::Sensitivity,
        caption: format!(
            "Morris screening of {q}: per parameter, μ* (the mean absolute elementary effect, \
             per unit step of its range: how much it matters) against σ (their standard \
             deviation: non-linear effects or interactions), with μ*'s bootstrap 95% interval \
             (grey), {about} Parameters near the origin can be fixed."
        ),
        figure: Figure::Scatter(Scatter {
            title: format!("Morris μ*–σ: {}", quantity_words(first)),
            y_label: "σ of the elementary effects".into(),
            series: Vec::new(),
            colours: vec![0],
            panels: vec![ScatterPanel {
                x_label: "μ* (mean absolute elementary effect)".into(),
                data: vec![Points {
                    series: 0,
                    points,
                    smooth: Vec::new(),
                }],
                whiskers,
                labels,
                ..ScatterPanel::default()
            }],
            columns: 1,
            rect_label: String::new(),
        }),
    }
}

/// The chosen box of each discovery, drawn on its two most restricted parameters.
pub(crate) fn discoveries(r: &Results, out: &mut Vec<Chart>) {
    for d in &r.discoveries {
        if let Some(chart) = discovery_chart(r, d) {
            out.push(chart);
        }
    }
}

/// The two parameters the chosen box narrows most (its width over the data's, smallest first;
/// an unrestricted parameter counts as 1), or one when the sweep has one.
fn most_restricted(d: &Discovery, chosen: usize) -> Vec<usize> {
    let all = &d.boxes[0].bounds;
    let b = &d.boxes[chosen].bounds;
    let mut order: Vec<(f64, usize)> = (0..b.len())
        .map(|j| {
            let range = all[j].1 - all[j].0;
            let width = if range > 0.0 {
                (b[j].1 - b[j].0) / range
            } else {
                1.0
            };
            (if b[j].2 { width } else { 1.0 + j as f64 }, j)
        })
        .collect();
    order.sort_by(|a, c| a.0.total_cmp(&c.0));
    order.into_iter().take(2).map(|(_, j)| j).collect()
}

fn discovery_chart(r: &Results, d: &Discovery) -> Option<Chart> {
    let chosen = d.boxes.iter().position(|b| b.chosen)?;
    let b = &d.boxes[chosen];
    let axes = most_restricted(d, chosen);
    let (xj, yj) = (axes[0], axes.get(1).copied());
    let words = r
        .axes
        .iter()
        .position(|x| *x == d.parameters[xj])
        .map(|a| positions(r, a).1)
        .unwrap_or_default();
    let point = |p: &crate::output::analysis::PointRow| match yj {
        Some(y) => (p.coords[xj], p.coords[y]),
        None => (p.coords[xj], p.mean),
    };
    let class = |holds: bool| Points {
        series: usize::from(!holds),
        points: d
            .points
            .iter()
            .filter(|p| p.case == holds)
            .map(point)
            .collect(),
        smooth: Vec::new(),
    };
    let (x0, x1) = (b.bounds[xj].0, b.bounds[xj].1);
    let rect = match yj {
        Some(y) => (x0, x1, b.bounds[y].0, b.bounds[y].1),
        None => {
            let ys = d.points.iter().map(|p| p.mean);
            let (lo, hi) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, c), v| {
                (a.min(v), c.max(v))
            });
            (x0, x1, lo, hi)
        }
    };
    let x_label = d.parameters[xj].clone();
    let y_label = yj.map_or("the quantity's per-point mean".to_string(), |y| {
        d.parameters[y].clone()
    });
    let restricted: Vec<String> = d
        .parameters
        .iter()
        .zip(&b.bounds)
        .filter(|(_, bd)| bd.2)
        .map(|(p, bd)| format!("{p} in [{}, {}]", short(bd.0), short(bd.1)))
        .collect();
    Some(Chart {
        name: crate::output::analysis::discovery_files(&d.condition)
            .0
            .trim_end_matches(".csv")
            .to_string(),
        kind: ChartKind::Discovery,
        caption: format!(
            "Where {} holds: each design point (its per-point mean over replicates), vermillion \
             where the condition holds; the box PRIM chose (the densest on its peeling trajectory \
             with coverage at least the chosen minimum) drawn on {}: coverage {}, density {} \
             (base rate {}), {} points. The box restricts {}.",
            d.condition,
            if yj.is_some() {
                "its two most restricted parameters"
            } else {
                "the one swept parameter"
            },
            short(b.coverage),
            short(b.density),
            short(d.boxes[0].density),
            b.points,
            if restricted.is_empty() {
                "no parameter".to_string()
            } else {
                restricted.join(", ")
            }
        ),
        figure: Figure::Scatter(Scatter {
            title: format!("Discovered box: {}", d.condition),
            y_label,
            series: vec!["condition holds".into(), "does not hold".into()],
            colours: vec![HOLDS, FAILS],
            panels: vec![ScatterPanel {
                x_label,
                categories: words,
                data: vec![class(true), class(false)],
                rect: Some(rect),
                ..ScatterPanel::default()
            }],
            columns: 1,
            rect_label: "chosen box".into(),
        }),
    })
}

fn short(x: f64) -> String {
    let s = format!("{x:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smoothers_average_neighbours_or_values() {
        let few = [(1.0, 2.0), (2.0, 4.0), (1.0, 4.0)];
        assert_eq!(smoother(&few), (vec![(1.0, 3.0), (2.0, 4.0)], 0));
        let many: Vec<(f64, f64)> = (0..40)
            .map(|i| (i as f64, if i % 2 == 0 { 1.0 } else { 3.0 }))
            .collect();
        let (curve, h) = smoother(&many);
        assert_eq!(h, 5);
        assert_eq!(curve.len(), 40);
        // Eleven neighbours around the middle: six odd (3) and five even (1).
        assert!((curve[20].1 - 23.0 / 11.0).abs() < 1e-12);
        assert_eq!(thinned(&many).len(), 40);
    }
}
