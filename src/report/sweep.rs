//! The report's sections on a sweep: what is swept (each axis, its distribution, the design)
//! apart from the fixed configuration, the sensitivity indices and the discovered boxes.

use super::{escape, plural};
use crate::output::analysis::{Discovery, IndexRow};
use crate::output::manifest::Manifest;
use crate::plot::Results;
use crate::plot::style::short;
use std::fmt::Write as _;

/// Whether the sweep's axes include parameter `param` of the `[[models]]` or `[[events]]`
/// entry labelled `label` (its name, or its kind): then no single value is the experiment's.
pub(super) fn swept(r: &Results, table: &str, labels: &[&str], param: &str) -> bool {
    r.axes.iter().any(|a| {
        let mut parts = a.splitn(3, '.');
        parts.next() == Some(table)
            && parts.next().is_some_and(|l| labels.contains(&l))
            && parts.next() == Some(param)
    })
}

/// "What is swept": the design and each axis (path, distribution, range or values).
pub(super) fn what_is_swept(h: &mut String, r: &Results) {
    h.push_str("<h3>What is swept</h3>\n");
    match &r.design {
        Some((design, axes)) => {
            let _ = writeln!(
                h,
                "<p>Design: {}; {} point{}, each run with every model and replicate; the \
                 tables start with the point and its values.</p>\n<table>\n\
                 <tr><th>parameter (path)</th><th>distribution</th><th>range or values</th></tr>",
                escape(&design.describe()),
                r.manifest.points.len(),
                plural(r.manifest.points.len())
            );
            for a in axes {
                let dist = match (a.distribution, a.steps) {
                    (_, Some(_)) => "grid".to_string(),
                    ("values", _) => "discrete, each value equally likely".to_string(),
                    (d, _) => d.replace('_', "-"),
                };
                let _ = writeln!(
                    h,
                    "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                    escape(&a.path),
                    escape(&dist),
                    escape(&a.describe())
                );
            }
            h.push_str("</table>\n");
        }
        None => {
            let axes = r
                .axes
                .iter()
                .map(|a| format!("<code>{}</code>", escape(a)))
                .collect::<Vec<_>>()
                .join(", ");
            let _ = writeln!(
                h,
                "<p>{} point{} over {axes} (the manifest holds no sweep file this version \
                 reads, so the design is not shown).</p>",
                r.manifest.points.len(),
                plural(r.manifest.points.len())
            );
        }
    }
    if let Some(p) = &r.manifest.precision {
        precision(h, p, &r.manifest);
    }
}

/// How replications by precision chose the number of replicates.
fn precision(h: &mut String, p: &crate::output::manifest::PrecisionInfo, m: &Manifest) {
    let outcome = match &p.outcome {
        Some(o) if o.reached => format!(
            "it stopped after {} replicates, when the widest 95% half-width over the points was {}",
            o.replicates,
            short(o.half_width)
        ),
        Some(o) => format!(
            "it ran the most, {} replicates, without reaching the target: the widest 95% \
             half-width over the points is {}",
            o.replicates,
            short(o.half_width)
        ),
        None => format!("{} replicates", m.replications),
    };
    let _ = writeln!(
        h,
        "<p>Replicates by precision: batches of {} until the 95% confidence half-width of \
         <code>{}</code> was below {} at every point, at most {}; {outcome}.</p>",
        p.batch,
        escape(&p.metric),
        short(p.target),
        p.max
    );
}

/// The sensitivity indices of `sensitivity.csv`, a table per quantity.
pub(super) fn sensitivity(h: &mut String, r: &Results) {
    if r.sensitivity.is_empty() {
        return;
    }
    h.push_str("<section id=\"sensitivity\">\n<h2>Sensitivity</h2>\n");
    let morris = r.sensitivity.iter().any(|x| x.index == "mu_star");
    h.push_str(if morris {
        "<p class=\"note\">Morris elementary effects (from sensitivity.csv): μ* is the mean \
         absolute change of the quantity per step of a parameter (a step is p/(2(p−1)) of its \
         range), with a bootstrap 95% interval; μ the signed mean; σ their standard deviation \
         (non-linearity or interactions). Largest μ* first.</p>\n"
    } else {
        "<p class=\"note\">Sobol' indices (from sensitivity.csv): S1, the share of the \
         variance of the quantity's per-point means due to the parameter alone; ST, alone and \
         in interactions; bootstrap 95% intervals. Largest ST first. SALib 1.6's estimators \
         (docs/ODD.md §8); problem.json is the sweep as SALib's problem.</p>\n"
    });
    let mut quantities: Vec<&str> = Vec::new();
    for x in &r.sensitivity {
        if !quantities.contains(&x.quantity.as_str()) {
            quantities.push(&x.quantity);
        }
    }
    for q in quantities {
        let rows: Vec<&IndexRow> = r.sensitivity.iter().filter(|x| x.quantity == q).collect();
        quantity_table(h, q, &rows, morris);
    }
    h.push_str("</section>\n");
}

/// One quantity's indices.
fn quantity_table(h: &mut String, q: &str, rows: &[&IndexRow], morris: bool) {
    let first = rows[0];
    let noise = if first.noise_share.is_nan() {
        "replicate noise unknown".to_string()
    } else {
        format!(
            "replicate noise {:.0}% of the variance of the per-point means",
            100.0 * first.noise_share
        )
    };
    let _ = writeln!(
        h,
        "<h4><code>{}</code> <span class=\"note\">({} points × {} replicates; {noise})</span></h4>",
        escape(q),
        first.points,
        first.replicates
    );
    if first.noisy {
        h.push_str(
            "<p><strong>Warning:</strong> replicate noise swamps the effects (half or more of \
             the variance): these indices mostly measure noise; run more replicates.</p>\n",
        );
    }
    let (main, heads): (&str, &[&str]) = if morris {
        ("mu_star", &["mu_star", "mu", "sigma"])
    } else {
        ("ST", &["ST", "S1"])
    };
    let cell = |param: &str, index: &str| -> String {
        rows.iter()
            .find(|x| x.parameter == param && x.index == index && x.other.is_empty())
            .map_or(String::new(), |x| {
                if x.conf.is_finite() {
                    format!(
                        "{} [{}, {}]",
                        short(x.estimate),
                        short(x.estimate - x.conf),
                        short(x.estimate + x.conf)
                    )
                } else {
                    short(x.estimate)
                }
            })
    };
    let mut order: Vec<&&IndexRow> = rows.iter().filter(|x| x.index == main).collect();
    order.sort_by(|a, b| b.estimate.total_cmp(&a.estimate));
    let _ = writeln!(
        h,
        "<table>\n<tr><th>parameter</th>{}</tr>",
        heads
            .iter()
            .map(|i| format!("<th>{i}</th>"))
            .collect::<String>()
    );
    for x in order {
        let _ = write!(h, "<tr><td><code>{}</code></td>", escape(&x.parameter));
        for i in heads {
            let _ = write!(
                h,
                "<td class=\"num\">{}</td>",
                escape(&cell(&x.parameter, i))
            );
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
    let s2: Vec<&&IndexRow> = rows.iter().filter(|x| x.index == "S2").collect();
    if !s2.is_empty() {
        let _ = writeln!(
            h,
            "<details><summary>Second-order indices S2 ({})</summary>\n<table>\n<tr><th>parameters</th><th>S2 [95% CI]</th></tr>",
            s2.len()
        );
        for x in s2 {
            let _ = writeln!(
                h,
                "<tr><td><code>{}</code> × <code>{}</code></td><td class=\"num\">{} [{}, {}]</td></tr>",
                escape(&x.parameter),
                escape(&x.other),
                short(x.estimate),
                short(x.estimate - x.conf),
                short(x.estimate + x.conf)
            );
        }
        h.push_str("</table>\n</details>\n");
    }
}

/// The discovered boxes.
pub(super) fn discoveries(h: &mut String, r: &Results) {
    if r.discoveries.is_empty() {
        return;
    }
    h.push_str(
        "<section id=\"discovery\">\n<h2>Scenario discovery</h2>\n<p class=\"note\">PRIM \
         (Friedman &amp; Fisher 1999, EMA Workbench's algorithm) over the swept parameters, from \
         the per-point means: coverage is the share of the points where the condition holds \
         that the box keeps, density the share of the box's points where it holds, mass the \
         share of all points in the box. The chosen box is the densest on the peeling \
         trajectory with at least the minimum coverage (<code>leadsim discover \
         --min-coverage</code>, 0.5 by default).</p>\n",
    );
    for d in &r.discoveries {
        discovery(h, d);
    }
    h.push_str("</section>\n");
}

fn discovery(h: &mut String, d: &Discovery) {
    let Some(chosen) = d.boxes.iter().find(|b| b.chosen) else {
        return;
    };
    let cases = d.points.iter().filter(|p| p.case).count();
    let _ = writeln!(
        h,
        "<h4><code>{}</code></h4>\n<p>Holds at {cases} of {} points (base rate {}). Chosen box \
         {}: coverage {}, density {}, {} points.</p>\n<table>\n<tr><th>parameter</th><th>lower</th>\
         <th>upper</th></tr>",
        escape(&d.condition),
        d.points.len(),
        short(d.boxes[0].density),
        chosen.index,
        short(chosen.coverage),
        short(chosen.density),
        chosen.points
    );
    let mut any = false;
    for (p, &(lo, hi, restricted)) in d.parameters.iter().zip(&chosen.bounds) {
        if restricted {
            any = true;
            let _ = writeln!(
                h,
                "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                escape(p),
                short(lo),
                short(hi)
            );
        }
    }
    if !any {
        h.push_str("<tr><td colspan=\"3\">no parameter is restricted</td></tr>\n");
    }
    h.push_str("</table>\n<details><summary>Peeling trajectory</summary>\n<table>\n<tr><th>box</th><th>step</th><th>coverage</th><th>density</th><th>mass</th><th>points</th><th>restricted</th></tr>\n");
    for b in &d.boxes {
        let _ = writeln!(
            h,
            "<tr><td class=\"num\">{}{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            b.index,
            if b.chosen { " (chosen)" } else { "" },
            escape(&b.step),
            short(b.coverage),
            short(b.density),
            short(b.mass),
            b.points,
            b.restricted
        );
    }
    h.push_str("</table>\n</details>\n");
}
