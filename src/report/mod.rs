//! `report.html`: one self-contained page (no network, no other files) presenting a finished
//! result folder: what was run (the input texts, models and parameters, events, seeds, tool
//! version), the headline comparison with 95% confidence intervals and paired differences, the
//! adaptability table, every chart inline as SVG, and the command that reproduces the result.
//!
//! Like the charts, the report is drawn from the result files alone (`Results`) and is a pure
//! function of them: no clock, no host name, so the same folder gives the same bytes. Every piece
//! of text from the files is HTML-escaped.
//!
//! ```no_run
//! let page = leadsim::report::write(std::path::Path::new("output/baseline"))?;
//! # Ok::<(), leadsim::report::ReportError>(())
//! ```

mod compare;
mod sweep;

use crate::output::REPORT;
use crate::output::manifest::Manifest;
use crate::plot::data::StatRow;
use crate::plot::{self, Chart, ChartKind, PlotError, Results, style::short};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Summary columns shown in the headline table (outcomes), in order.
pub(crate) const HEADLINE: [&str; 5] = [
    "performance_final",
    "performance_mean",
    "innovations_mean",
    "engagement_mean",
    "leadership_skill_final",
];

/// The costs of leading, shown after the outcomes.
const COSTS: [&str; 3] = ["messages_mean", "disputes_mean", "harmful_adoptions_mean"];

/// How the organizations worked, shown after the costs.
const PROCESS: [&str; 5] = [
    "proposals_mean",
    "participation_mean",
    "expired_mean",
    "reversals_mean",
    "departures_mean",
];

/// Manipulation checks: measures the model's definition fixes or drives.
const CHECKS: [&str; 4] = [
    "decision_makers_mean",
    "leadership_centralization_mean",
    "latency_mean",
    "utilization_mean",
];

/// A sweep's table of points is shown open up to this many points, folded beyond.
const OPEN_POINTS: usize = 30;

/// A metric's table over the points of a sweep is folded beyond this many points.
const FOLD_POINTS: usize = 40;

/// Why the report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The result folder could not be read, or a chart not drawn.
    #[error(transparent)]
    Plot(#[from] PlotError),
    /// The report could not be written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error of the system.
        source: std::io::Error,
    },
}

impl ReportError {
    /// Whether the result folder given is at fault (exit 2) rather than the machine (exit 1).
    pub fn is_input(&self) -> bool {
        match self {
            ReportError::Plot(e) => e.is_input(),
            ReportError::Io { .. } => false,
        }
    }
}

/// Writes `dir/report.html` (atomically) and returns its path.
pub fn write(dir: &Path) -> Result<PathBuf, ReportError> {
    let results = Results::load(dir)?;
    let charts = plot::charts(&results);
    let svgs: Vec<String> = charts
        .par_iter()
        .map(Chart::svg)
        .collect::<Result<_, _>>()?;
    let html = render(&results, &charts, &svgs);
    let path = dir.join(REPORT);
    crate::output::write_atomic(&path, html.as_bytes()).map_err(|e| match e {
        crate::output::OutputError::Io { path, source } => ReportError::Io { path, source },
        other => ReportError::Io {
            path: path.clone(),
            source: std::io::Error::other(other.to_string()),
        },
    })?;
    Ok(path)
}

/// Escapes text for HTML element content and attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #202020;
  background: #fff; margin: 0; line-height: 1.45; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 32px 64px; }
h1 { font-size: 1.9em; margin: 0.4em 0 0.2em; }
h2 { font-size: 1.4em; margin-top: 2em; border-bottom: 2px solid #0072B2; padding-bottom: 4px; }
h3 { font-size: 1.1em; margin-top: 1.5em; }
h4 { font-size: 1em; margin: 1.2em 0 0.2em; font-weight: normal; }
p.meta { color: #555; margin-top: 0; }
nav ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 6px 18px; }
nav a, a { color: #0072B2; }
table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.9em; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f3f6f9; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.sig { font-weight: bold; }
.col { color: #777; font-size: 0.85em; font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; }
.es { color: #555; font-size: 0.9em; }
div.scroll { overflow-x: auto; }
pre { background: #f6f6f6; border: 1px solid #e2e2e2; padding: 10px 12px; overflow-x: auto;
  font-size: 0.88em; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; }
figure { margin: 1.2em 0 2em; }
figure svg { width: 100%; height: auto; display: block; border: 1px solid #eee; }
div.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(460px, 1fr));
  gap: 0 28px; }
div.grid figure { margin: 0.8em 0 1.6em; }
figcaption { font-size: 0.9em; color: #333; margin-top: 6px; max-width: 900px; }
figcaption .files { color: #777; }
.note { color: #555; font-size: 0.92em; }
details { margin: 0.6em 0; }
summary { cursor: pointer; color: #0072B2; }
footer { margin-top: 3em; color: #777; font-size: 0.85em; }
"#;

/// The report page for `results` with `charts` and their SVG drawings (`svgs[i]` is chart i).
pub(crate) fn render(results: &Results, charts: &[Chart], svgs: &[String]) -> String {
    let m = &results.manifest;
    let mut h = String::with_capacity(1 << 20);
    let title = format!("leadsim report: {}", m.name);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        escape(&title)
    );
    let _ = writeln!(h, "<h1>{}</h1>", escape(&title));
    let steps = m
        .steps
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let _ = writeln!(
        h,
        "<p class=\"meta\">A {} of {} model{} × {} replicate{}{} ({} runs of {} steps), master seed \
         {}; results of leadsim {}.</p>",
        if results.sweep { "sweep" } else { "run" },
        results.models.len(),
        plural(results.models.len()),
        m.replications,
        plural(m.replications as usize),
        if results.sweep {
            format!(" at {} points", m.points.len())
        } else {
            String::new()
        },
        m.runs,
        escape(&steps),
        m.seed,
        escape(&m.version)
    );
    compare::note(&mut h, results);
    h += "<nav><ul>\
          <li><a href=\"#what\">What was run</a></li>\
          <li><a href=\"#measures\">Measures</a></li>\
          <li><a href=\"#headline\">Headline comparison</a></li>\
          <li><a href=\"#adaptability\">Adaptability</a></li>";
    if !results.sensitivity.is_empty() {
        h += "<li><a href=\"#sensitivity\">Sensitivity</a></li>";
    }
    if !results.discoveries.is_empty() {
        h += "<li><a href=\"#discovery\">Scenario discovery</a></li>";
    }
    h += "<li><a href=\"#charts\">Charts</a></li>\
          <li><a href=\"#reproduce\">Reproduce</a></li>\
          <li><a href=\"#all-statistics\">All statistics</a></li>\
          </ul></nav>\n";
    what_was_run(&mut h, results);
    measures(&mut h, results);
    headline(&mut h, results);
    adaptability(&mut h, results);
    sweep::sensitivity(&mut h, results);
    sweep::discoveries(&mut h, results);
    chart_section(&mut h, charts, svgs);
    reproduce(&mut h, results);
    all_statistics(&mut h, results);
    let _ = writeln!(
        h,
        "<footer>Written by leadsim {} from the files of this result folder (manifest.json, \
         timeseries.csv, summary.csv, shocks.csv, stats.csv). The charts are also in charts/ as \
         PNG and SVG (<code>leadsim plot</code>).</footer>",
        env!("CARGO_PKG_VERSION")
    );
    h += "</main>\n</body>\n</html>\n";
    h
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The scenario (or base scenario) text of the experiment, if recorded.
fn scenario_text(results: &Results) -> Option<&str> {
    let inputs = &results.manifest.inputs;
    inputs
        .iter()
        .find(|i| i.role == "scenario" || i.role == "base")
        .or_else(|| inputs.first())
        .map(|i| i.text.as_str())
}

fn what_was_run(h: &mut String, r: &Results) {
    let m = &r.manifest;
    h.push_str("<section id=\"what\">\n<h2>What was run</h2>\n");
    let parsed: Option<toml::Table> = scenario_text(r).and_then(|t| t.parse().ok());
    // A sweep's own description first, then its base scenario's.
    let sweep_text: Option<toml::Table> = m
        .inputs
        .iter()
        .find(|i| i.role == "sweep")
        .and_then(|i| i.text.parse().ok());
    for t in [sweep_text.as_ref(), parsed.as_ref()].into_iter().flatten() {
        if let Some(desc) = t.get("description").and_then(|d| d.as_str()) {
            let _ = writeln!(h, "<p>{}</p>", escape(desc));
        }
    }
    if r.sweep {
        // What varies, apart from what is fixed: no point's values stand for the scenario.
        sweep::what_is_swept(h, r);
        h.push_str(
            "<h3>Fixed configuration</h3>\n<p class=\"note\">Every point shares these settings; \
             a swept parameter shows as <em>swept</em> (its values are above), and the base \
             scenario's value of a swept parameter (in the input file below) is replaced at \
             every point.</p>\n",
        );
    }
    models_table(h, r);
    events(h, r, parsed.as_ref());
    seeds(h, m, heading(r));
    if r.sweep {
        sweep_design(h, r);
    }
    input_files(h, m);
    h.push_str("</section>\n");
}

/// The heading of the parts of the configuration: under "Fixed configuration" for a sweep.
fn heading(r: &Results) -> &'static str {
    if r.sweep { "h4" } else { "h3" }
}

/// The models as run, with every parameter; for a sweep, a swept parameter says so rather than
/// show the first point's value.
fn models_table(h: &mut String, r: &Results) {
    let m = &r.manifest;
    let level = heading(r);
    let _ = writeln!(
        h,
        "<{level}>Models</{level}>\n<table>\n<tr><th>model</th><th>kind</th><th>rule</th>\
         <th>parameters</th></tr>"
    );
    for model in &m.models {
        let labels = [model.name.as_str(), model.kind.as_str()];
        let params = model
            .params
            .iter()
            .map(|(k, v)| {
                if sweep::swept(r, "models", &labels, k) {
                    format!("{} = <em>swept</em>", escape(k))
                } else {
                    format!("{} = {}", escape(k), escape(v))
                }
            })
            .collect::<Vec<_>>()
            .join("<br>");
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td><code>{params}</code></td></tr>",
            escape(&model.name),
            escape(&model.kind),
            model_rule(&model.kind)
        );
    }
    h.push_str("</table>\n");
}

/// A model kind's rule in two sentences and its ODD section, from the registry `leadsim models`
/// prints; a reference family's variant points to Part II.
fn model_rule(kind: &str) -> String {
    match crate::leadership::find(kind) {
        Some(t) => format!(
            "{} <span class=\"col\">docs/ODD.md {}</span>",
            escape(t.summary),
            escape(t.odd)
        ),
        None => {
            "A variant of a reference model: <span class=\"col\">docs/ODD.md Part II</span>".into()
        }
    }
}

/// The master seed, the overrides and the world seeds.
fn seeds(h: &mut String, m: &Manifest, level: &str) {
    let _ = writeln!(h, "<{level}>Seeds</{level}>");
    let _ = writeln!(
        h,
        "<p>Master seed <code>{}</code>, {} replicate{} per model. Every model of a replicate \
         meets the same world (common random numbers), whose seed is derived from the master \
         seed, the point and the replicate.</p>",
        m.seed,
        m.replications,
        plural(m.replications as usize)
    );
    if !m.overrides.is_empty() {
        let o = m
            .overrides
            .iter()
            .map(|(k, v)| format!("<code>--{} {}</code>", escape(k), escape(v)))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(
            h,
            "<p>Given on the command line (overriding the file): {o}.</p>"
        );
    }
    if !m.seeds.is_empty() {
        let _ = writeln!(
            h,
            "<details><summary>World seeds ({})</summary>\n<table>\n<tr><th>world</th>\
             <th>replicate</th><th>seed</th></tr>",
            m.seeds.len()
        );
        for s in &m.seeds {
            let _ = writeln!(
                h,
                "<tr><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                s.world_key, s.replicate, s.seed
            );
        }
        h.push_str("</table>\n</details>\n");
    }
}

/// A sweep's points, each with its values.
fn sweep_design(h: &mut String, r: &Results) {
    let m = &r.manifest;
    h.push_str("<h3>Points</h3>\n");
    let open = if m.points.len() <= OPEN_POINTS {
        " open"
    } else {
        ""
    };
    let _ = writeln!(
        h,
        "<details{open}><summary>Points</summary>\n<table>\n<tr><th>point</th>{}</tr>",
        r.axes
            .iter()
            .map(|a| format!("<th>{}</th>", escape(a)))
            .collect::<String>()
    );
    for p in &m.points {
        let _ = write!(h, "<tr><td class=\"num\">{}</td>", p.point);
        for v in r.shown_points.get(p.point).into_iter().flatten() {
            let _ = write!(h, "<td>{}</td>", escape(v));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n</details>\n");
}

/// The input files, text in full.
fn input_files(h: &mut String, m: &Manifest) {
    h.push_str("<h3>Input files</h3>\n");
    if m.inputs.is_empty() {
        h.push_str("<p class=\"note\">The manifest records no input files.</p>\n");
    }
    for input in &m.inputs {
        let _ = writeln!(
            h,
            "<p>{} <code>{}</code> <span class=\"note\">(SHA-256 <code>{}</code>)</span></p>\n\
             <pre><code>{}</code></pre>",
            escape(&capitalized(&input.role)),
            escape(&input.path),
            escape(&input.sha256),
            escape(&input.text)
        );
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The events of the scenario file and the shocks that happened.
fn events(h: &mut String, r: &Results, scenario: Option<&toml::Table>) {
    let level = heading(r);
    let _ = writeln!(h, "<{level}>Events</{level}>");
    let mut listed = false;
    for key in ["events", "hazards"] {
        let Some(items) = scenario.and_then(|t| t.get(key)).and_then(|v| v.as_array()) else {
            continue;
        };
        if items.is_empty() {
            continue;
        }
        listed = true;
        let _ = writeln!(
            h,
            "<p>From the scenario's <code>{key}</code>:</p>\n<table>\n<tr><th>#</th><th>kind</th>\
             <th>settings</th></tr>"
        );
        for (i, item) in items.iter().enumerate() {
            let (kind, settings) = match item.as_table() {
                Some(t) => {
                    let kind = t
                        .get("kind")
                        .map(crate::output::tables::cell)
                        .unwrap_or_default();
                    let name = t
                        .get("name")
                        .map(crate::output::tables::cell)
                        .unwrap_or_else(|| kind.clone());
                    let settings = t
                        .iter()
                        .filter(|(k, _)| *k != "kind")
                        .map(|(k, v)| {
                            if sweep::swept(r, key, &[&name, &kind], k) {
                                format!("{} = <em>swept</em>", escape(k))
                            } else {
                                format!("{} = {}", escape(k), escape(&v.to_string()))
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(", ");
                    (kind, settings)
                }
                None => (String::new(), escape(&item.to_string())),
            };
            let _ = writeln!(
                h,
                "<tr><td class=\"num\">{}</td><td>{}</td><td><code>{settings}</code></td></tr>",
                i + 1,
                escape(&kind)
            );
        }
        h.push_str("</table>\n");
    }
    if r.shocks.is_empty() {
        if !listed {
            h.push_str("<p>No events: the organization ran without change events.</p>\n");
        }
        h.push_str("<p>No shocks occurred (shocks.csv has no rows).</p>\n");
        return;
    }
    // (event, kind) → (shocks, distinct steps).
    let mut groups: BTreeMap<(&str, &str), (usize, std::collections::BTreeSet<u32>)> =
        BTreeMap::new();
    for s in &r.shocks {
        let g = groups.entry((&s.event, &s.kind)).or_default();
        g.0 += 1;
        g.1.insert(s.step);
    }
    h.push_str(
        "<p>Shocks that occurred (from shocks.csv):</p>\n<table>\n<tr><th>event</th><th>kind</th>\
         <th>shocks (all runs)</th><th>steps</th></tr>\n",
    );
    for ((event, kind), (count, steps)) in &groups {
        let mut list: Vec<String> = steps.iter().take(12).map(|s| s.to_string()).collect();
        if steps.len() > 12 {
            list.push(format!("… ({} distinct)", steps.len()));
        }
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{count}</td><td>{}</td></tr>",
            escape(event),
            escape(kind),
            escape(&list.join(", "))
        );
    }
    h.push_str("</table>\n");
}

/// "mean [low, high]".
fn with_ci(mean: f64, low: f64, high: f64) -> String {
    if low.is_finite() && high.is_finite() {
        format!("{} [{}, {}]", short(mean), short(low), short(high))
    } else {
        short(mean)
    }
}

/// The point and parameter values of a stats row of a sweep, as table cells.
fn point_cells(r: &Results, s: &StatRow) -> String {
    let mut c = format!("<td class=\"num\">{}</td>", s.point.unwrap_or(0));
    let shown = s.point.and_then(|p| r.shown_points.get(p));
    for v in shown.unwrap_or(&s.axis_values) {
        let _ = write!(c, "<td>{}</td>", escape(v));
    }
    c
}

fn point_headers(r: &Results) -> String {
    if !r.sweep {
        return String::new();
    }
    let mut c = "<th>point</th>".to_string();
    for a in &r.axes {
        let _ = write!(c, "<th>{}</th>", escape(a));
    }
    c
}

/// Differences are marked when their Holm-adjusted p-value is below this.
const SIGNIFICANCE: f64 = 0.05;

/// A p-value as "= 0.034", "&lt; 0.001" (as text; escaped by the caller).
fn p_text(p: f64) -> String {
    if p < 0.001 {
        "< 0.001".into()
    } else {
        format!("= {p:.3}")
    }
}

/// A `stats.csv` row as a table cell: mean [CI], and for a difference its effect size and
/// Holm-adjusted p-value, in bold when that is below [`SIGNIFICANCE`].
/// A statistics cell; `full` is the number of replicates, and a smaller n (a statistic that is
/// NA in some runs, such as the recovery time of shocks never recovered) is shown.
fn stat_cell(s: Option<&&StatRow>, full: usize) -> String {
    let Some(s) = s else {
        return "<td></td>".into();
    };
    let n = if s.n < full {
        format!("<br><span class=\"es\">n = {}</span>", s.n)
    } else {
        String::new()
    };
    if s.versus.is_none() {
        return format!(
            "<td class=\"num\">{}{n}</td>",
            escape(&with_ci(s.mean, s.low, s.high))
        );
    }
    // Marked by the adjusted p-value, not by the interval: the table makes many comparisons.
    let sig = s.p_holm < SIGNIFICANCE;
    let mut d = if s.effect_size.is_finite() {
        format!(
            "<br><span class=\"es\">d<sub>z</sub> = {}</span>",
            escape(&short(s.effect_size))
        )
    } else {
        String::new()
    };
    if !s.p_holm.is_nan() {
        let _ = write!(
            d,
            "<br><span class=\"es\">p<sub>Holm</sub> {}</span>",
            escape(&p_text(s.p_holm))
        );
    }
    format!(
        "<td class=\"num{}\">{}{d}{n}</td>",
        if sig { " sig" } else { "" },
        escape(&with_ci(s.mean, s.low, s.high))
    )
}

const DIFF_NOTE: &str = "<p class=\"note\">Paired differences (column model minus the model \
    after the minus sign, replicate by replicate): mean [95% CI], effect size d<sub>z</sub> and \
    the Holm-adjusted p-value (family: the differences of this kind of measure at this point). \
    Bold: adjusted p &lt; 0.05 (see <a href=\"#measures\">Measures</a>).</p>\n";

/// The note above a table of differences: how they are marked, or that they are not.
fn diff_note(r: &Results) -> &'static str {
    if p_recorded(r) {
        DIFF_NOTE
    } else {
        "<p class=\"note\">Paired differences (column model minus the model after the minus \
         sign, replicate by replicate): mean [95% CI] and effect size d<sub>z</sub>. This \
         stats.csv has no p-values (an earlier version of leadsim), so no difference is \
         marked.</p>\n"
    }
}

/// Tables of `metrics` from `stats.csv`: each model's mean [95% CI] and the paired differences.
/// A run gets one table of models and one of differences, a row per metric; a sweep one table
/// per metric, a row per point. Returns whether `stats.csv` had any of `metrics`.
fn stat_tables(h: &mut String, r: &Results, metrics: &[&str]) -> bool {
    let Some(t) = StatTable::new(r, metrics) else {
        return false;
    };
    if r.sweep {
        t.per_point(h, r);
    } else {
        t.per_run(h, r);
    }
    true
}

/// The rows of `stats.csv` for some metrics, and the columns of their tables.
struct StatTable<'a> {
    rows: Vec<&'a StatRow>,
    /// The metrics that have rows, in the order asked for.
    present: Vec<&'a str>,
    /// The paired differences `(model, versus)`, in file order.
    pairs: Vec<(&'a str, &'a str)>,
    /// Replicates per model (a cell with fewer shows its n).
    full: usize,
    model_heads: String,
    pair_heads: String,
}

impl<'a> StatTable<'a> {
    /// `None` when `stats.csv` has no row of `metrics`.
    fn new(r: &'a Results, metrics: &[&'a str]) -> Option<StatTable<'a>> {
        let rows: Vec<&StatRow> = r
            .stats
            .iter()
            .filter(|s| metrics.contains(&s.metric.as_str()))
            .collect();
        if rows.is_empty() {
            return None;
        }
        let mut present: Vec<&str> = metrics
            .iter()
            .copied()
            .filter(|m| rows.iter().any(|s| s.metric == *m))
            .collect();
        present.dedup();
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        for s in &rows {
            if let Some(v) = &s.versus {
                let p = (s.model.as_str(), v.as_str());
                if !pairs.contains(&p) {
                    pairs.push(p);
                }
            }
        }
        let model_heads: String = r
            .models
            .iter()
            .map(|m| format!("<th>{}</th>", escape(m)))
            .collect();
        let pair_heads: String = pairs
            .iter()
            .map(|(a, b)| format!("<th>{} − {}</th>", escape(a), escape(b)))
            .collect();
        Some(StatTable {
            rows,
            present,
            pairs,
            full: r.manifest.replications as usize,
            model_heads,
            pair_heads,
        })
    }

    /// The cell of `metric` for `model` (or the difference `model − versus`) at `point`.
    fn cell(
        &self,
        point: Option<usize>,
        metric: &str,
        model: &str,
        versus: Option<&str>,
    ) -> String {
        let row = self.rows.iter().find(|s| {
            s.point == point
                && s.metric == metric
                && s.model == model
                && s.versus.as_deref() == versus
        });
        stat_cell(row, self.full)
    }

    /// A run: one table of the models, one of the paired differences, a row per metric.
    fn per_run(&self, h: &mut String, r: &Results) {
        let _ = writeln!(
            h,
            "<div class=\"scroll\"><table>\n<tr><th>metric</th>{}</tr>",
            self.model_heads
        );
        for m in &self.present {
            let _ = write!(h, "<tr><td>{}</td>", metric_name(m));
            for model in &r.models {
                h.push_str(&self.cell(None, m, model, None));
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</table></div>\n");
        if !self.pairs.is_empty() {
            h.push_str(diff_note(r));
            let _ = writeln!(
                h,
                "<div class=\"scroll\"><table>\n<tr><th>metric</th>{}</tr>",
                self.pair_heads
            );
            for m in &self.present {
                let _ = write!(h, "<tr><td>{}</td>", metric_name(m));
                for (a, b) in &self.pairs {
                    h.push_str(&self.cell(None, m, a, Some(b)));
                }
                h.push_str("</tr>\n");
            }
            h.push_str("</table></div>\n");
        }
    }

    /// A sweep: a table per metric, a row per point, the models and then the differences.
    fn per_point(&self, h: &mut String, r: &Results) {
        if !self.pairs.is_empty() {
            h.push_str(diff_note(r));
        }
        for m in &self.present {
            // The points in file order, with their parameter values.
            let mut points: Vec<&StatRow> = Vec::new();
            for s in self.rows.iter().filter(|s| s.metric == *m) {
                if !points.iter().any(|p| p.point == s.point) {
                    points.push(s);
                }
            }
            let wrap = points.len() > FOLD_POINTS;
            if wrap {
                let _ = writeln!(
                    h,
                    "<details><summary>{} ({} points)</summary>",
                    metric_name(m),
                    points.len()
                );
            } else {
                let _ = writeln!(h, "<h4>{}</h4>", metric_name(m));
            }
            let _ = writeln!(
                h,
                "<div class=\"scroll\"><table>\n<tr>{}{}{}</tr>",
                point_headers(r),
                self.model_heads,
                self.pair_heads
            );
            for p in &points {
                let _ = write!(h, "<tr>{}", point_cells(r, p));
                for model in &r.models {
                    h.push_str(&self.cell(p.point, m, model, None));
                }
                for (a, b) in &self.pairs {
                    h.push_str(&self.cell(p.point, m, a, Some(b)));
                }
                h.push_str("</tr>\n");
            }
            h.push_str("</table></div>\n");
            if wrap {
                h.push_str("</details>\n");
            }
        }
    }
}

/// How a stats column is named in tables (HTML): its words and its column name.
fn metric_name(column: &str) -> String {
    let (title, _) = plot::style::stat_words(column);
    format!(
        "{}<br><span class=\"col\">{}</span>",
        escape(&title),
        escape(column)
    )
}

/// What each measure of `stats.csv` is: its definition, kind, unit and range, from the same
/// registry as docs/FORMAT.md, and how the intervals and marks of the tables are computed.
fn measures(h: &mut String, r: &Results) {
    h.push_str("<section id=\"measures\">\n<h2>Measures</h2>\n");
    h.push_str(INTERVALS_NOTE);
    if !p_recorded(r) {
        h.push_str(EARLIER_NOTE);
    }
    // One row per measure, with the columns of stats.csv that hold it (final, run mean).
    let mut found: Vec<(&crate::metrics::Metric, Vec<&str>)> = Vec::new();
    for s in &r.stats {
        let Some(m) = crate::results::measure(&s.metric) else {
            continue;
        };
        let column = s
            .metric
            .split_once('@')
            .map_or(s.metric.as_str(), |(c, _)| c);
        match found.iter_mut().find(|(f, _)| f.name == m.metric.name) {
            Some((_, columns)) if !columns.contains(&column) => columns.push(column),
            Some(_) => {}
            None => found.push((m.metric, vec![column])),
        }
    }
    let mut rows = String::new();
    for (m, columns) in &found {
        let columns: Vec<String> = columns
            .iter()
            .map(|c| format!("<code>{}</code>", escape(c)))
            .collect();
        let _ = writeln!(
            rows,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            columns.join("<br>"),
            escape(m.kind.name()),
            escape(&capitalized(m.meaning)),
            escape(m.unit),
            escape(&m.range.text()),
            escape(m.odd)
        );
    }
    if rows.is_empty() {
        h.push_str("<p>stats.csv holds no measure leadsim knows.</p>\n");
    } else {
        let _ = writeln!(
            h,
            "<p class=\"note\">A column ending in <code>_final</code> holds each run's value at \
             its last step, one in <code>_mean</code> its mean over the steps of the run; the \
             adaptability measures (<code>shock_…</code>) are per run, over its shocks, with \
             <code>@event</code> for one event's shocks.</p>\n\
             <div class=\"scroll\"><table>\n<tr><th>columns</th><th>kind</th><th>definition</th>\
             <th>unit</th><th>range</th><th>docs/ODD.md</th></tr>\n{rows}</table></div>"
        );
    }
    h.push_str("</section>\n");
}

/// Whether `stats.csv` has p-values (results of earlier versions have none, and intervals not
/// cut to each measure's range).
fn p_recorded(r: &Results) -> bool {
    r.stats.iter().any(|s| s.p_recorded)
}

/// Said of a result whose `stats.csv` predates p-values and ranges.
const EARLIER_NOTE: &str = "<p class=\"note\"><strong>This result was written by an earlier \
    version of leadsim:</strong> its stats.csv has no p-values and its intervals are not cut to \
    each measure's range, so no difference is marked. Run the experiment again with \
    <code>--force</code> (the command is under <a href=\"#reproduce\">Reproduce</a>) for \
    both.</p>\n";

/// How every interval and mark of the report's tables is computed (docs/ODD.md §7.7).
const INTERVALS_NOTE: &str = "<p class=\"note\">Each model's value is the mean over replicates \
    with its 95% confidence interval (Student t), cut to the measure's range: a share stays within \
    0 to 1 and a count at or above 0, which removes only values the mean cannot take. A difference \
    between models is paired, replicate by replicate (every model of a replicate meets the same \
    world), with its symmetric 95% interval, the effect size d<sub>z</sub> and the paired t \
    test's p-value adjusted by Holm's method within its family: the differences of one kind of \
    measure (outcomes, costs, process, checks) at one point. A difference is in bold when its \
    adjusted p-value is below 0.05. The median time to recover has a bootstrap interval instead \
    and no p-value, so it is never bold.</p>\n";

fn headline(h: &mut String, r: &Results) {
    h.push_str("<section id=\"headline\">\n<h2>Headline outcomes</h2>\n");
    let _ = writeln!(
        h,
        "<p class=\"note\">Per model: mean over the {} replicates [95% confidence interval, \
         Student t, within the measure's range], from stats.csv. <em>final</em>: value at the last step; <em>run mean</em>: \
         mean over the steps of a run. Innovations are new performance records (docs/ODD.md \
         §7.3).</p>",
        r.manifest.replications
    );
    if !stat_tables(h, r, &HEADLINE) {
        h.push_str("<p>stats.csv holds none of the headline statistics.</p>\n");
    }
    h.push_str("</section>\n");
    let sections: [(&str, &str, &str, &[&str]); 3] = [
        (
            "costs",
            "Costs",
            "The costs of leading: messages sent, members overruled in disputes (consultations, \
             votes), and adopted changes that lowered fitness.",
            &COSTS,
        ),
        (
            "process",
            "How the organizations worked",
            "Proposals made, members proposing, proposals that expired unreviewed, adoptions \
             that changed back a recent one, members leaving.",
            &PROCESS,
        ),
        (
            "checks",
            "Manipulation checks",
            "Not outcomes: these measures are fixed or driven by each model's definition (a \
             centralized organization has one decision maker by construction). They show that \
             each model did what it should: who decided, how unequally, how long decisions took \
             and how much of the review capacity was used.",
            &CHECKS,
        ),
    ];
    for (id, title, note, columns) in sections {
        if !r.stats.iter().any(|s| columns.contains(&s.metric.as_str())) {
            continue;
        }
        let _ = writeln!(
            h,
            "<section id=\"{id}\">\n<h2>{title}</h2>\n<p class=\"note\">{note}</p>"
        );
        stat_tables(h, r, columns);
        h.push_str("</section>\n");
    }
}

fn adaptability(h: &mut String, r: &Results) {
    h.push_str("<section id=\"adaptability\">\n<h2>Adaptability</h2>\n");
    let shock: Vec<&str> = plot::SHOCK_METRICS.to_vec();
    if r.stats.iter().any(|s| s.metric.starts_with("shock_")) {
        h.push_str(
            "<p class=\"note\">Per run, the mean over its shocks of: the drop in performance at \
             the shock (before − after), the deepest drop before recovery (before − trough), the \
             share of shocks recovered (performance back at its pre-shock level) before the run \
             ended, and mean performance over the window after the shock; then mean [95% CI] \
             over replicates. The time to recover is censored when a run ends first, so it is \
             not averaged: it is the Kaplan–Meier median over every shock of the model, with the \
             Brookmeyer–Crowley interval (n = shocks; NA when fewer than half recover), and \
             differences between models have a paired bootstrap interval (docs/ODD.md §7.6). \
             With several events, each also has its own rows (metric@event).</p>\n",
        );
        let mut all: Vec<&str> = shock.clone();
        for s in &r.stats {
            if s.metric.starts_with("shock_") && !all.contains(&s.metric.as_str()) {
                all.push(&s.metric);
            }
        }
        stat_tables(h, r, &all);
    } else {
        h.push_str("<p>There were no shocks in this experiment, so there is no adaptability to report.</p>\n");
    }
    h.push_str("</section>\n");
}

fn chart_section(h: &mut String, charts: &[Chart], svgs: &[String]) {
    h.push_str("<section id=\"charts\">\n<h2>Charts</h2>\n");
    if charts.is_empty() {
        h.push_str("<p>No charts: the result files hold no data to draw.</p>\n");
    }
    for kind in ChartKind::ALL {
        let of_kind: Vec<(&Chart, &String)> = charts
            .iter()
            .zip(svgs)
            .filter(|(c, _)| c.kind == kind)
            .collect();
        if of_kind.is_empty() {
            continue;
        }
        let _ = writeln!(h, "<h3>{}</h3>", escape(kind.heading()));
        let wide = matches!(kind, ChartKind::Comparison | ChartKind::Differences);
        let class = if wide { "wide" } else { "single" };
        h.push_str(if wide {
            "<div>\n"
        } else {
            "<div class=\"grid\">\n"
        });
        for (c, svg) in of_kind {
            let _ = writeln!(
                h,
                "<figure class=\"{class}\" id=\"chart-{}\">\n{}\n<figcaption><strong>{}.</strong> \
                 {} <span class=\"files\">(charts/{}.png, .svg)</span></figcaption>\n</figure>",
                escape(&c.name),
                labelled(svg, c.title()),
                escape(c.title()),
                escape(&c.caption),
                escape(&c.name)
            );
        }
        h.push_str("</div>\n");
    }
    h.push_str("</section>\n");
}

/// The SVG document as inline markup, labelled for screen readers.
fn labelled(svg: &str, title: &str) -> String {
    let svg = svg.trim();
    let svg = svg
        .strip_prefix("<?xml")
        .and_then(|rest| rest.find("?>").map(|i| rest[i + 2..].trim_start()))
        .unwrap_or(svg);
    match svg.strip_prefix("<svg") {
        Some(rest) => format!("<svg role=\"img\" aria-label=\"{}\"{rest}", escape(title)),
        None => svg.to_string(),
    }
}

fn reproduce(h: &mut String, r: &Results) {
    let m = &r.manifest;
    h.push_str("<section id=\"reproduce\">\n<h2>Reproduce</h2>\n");
    if m.command.is_empty() {
        h.push_str("<p>The manifest records no command.</p>\n");
    } else {
        let _ = writeln!(
            h,
            "<p>With leadsim {} and the input files above at the paths shown, this command \
             produces the same tables, byte for byte, whatever the number of threads (it writes \
             to the default folder under <code>output/</code>; add <code>-o DIR</code> to write \
             elsewhere — the folder is not part of the result):</p>\n\
             <pre><code>{}</code></pre>",
            escape(&m.version),
            escape(&m.command)
        );
    }
    let _ = writeln!(
        h,
        "<p class=\"note\">Experiment identity <code>{}</code> (a hash of the tool version, the \
         inputs, the overrides, the seed and the replications).</p>",
        escape(&m.identity)
    );
    if !m.files.is_empty() {
        h.push_str("<table>\n<tr><th>table</th><th>checksum</th></tr>\n");
        for (f, hash) in &m.files {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td><code>{}</code></td></tr>",
                escape(f),
                escape(hash)
            );
        }
        h.push_str("</table>\n");
    }
    h.push_str("</section>\n");
}

/// A p-value for the table of every statistic: three significant digits, empty when NA.
fn p_cell(p: f64) -> String {
    if p.is_nan() {
        String::new()
    } else {
        format!("{p:.3e}")
    }
}

fn all_statistics(h: &mut String, r: &Results) {
    h.push_str("<section id=\"all-statistics\">\n<h2>All statistics</h2>\n");
    let _ = writeln!(
        h,
        "<details><summary>Every row of stats.csv ({} rows)</summary>\n<div class=\"scroll\"><table>\n<tr>{}<th>metric\
         </th><th>model</th><th>versus</th><th>n</th><th>mean</th><th>sd</th><th>95% CI</th>\
         <th>effect size</th><th>p</th><th>p (Holm)</th></tr>",
        r.stats.len(),
        point_headers(r)
    );
    for s in &r.stats {
        let _ = writeln!(
            h,
            "<tr>{}<td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}\
             </td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            if r.sweep {
                point_cells(r, s)
            } else {
                String::new()
            },
            escape(&s.metric),
            escape(&s.model),
            escape(s.versus.as_deref().unwrap_or("")),
            s.n,
            escape(&short(s.mean)),
            escape(&short(s.sd)),
            escape(&if s.low.is_finite() {
                format!("[{}, {}]", short(s.low), short(s.high))
            } else {
                "NA".into()
            }),
            escape(&if s.effect_size.is_finite() {
                short(s.effect_size)
            } else {
                String::new()
            }),
            p_cell(s.p_value),
            p_cell(s.p_holm)
        );
    }
    h.push_str("</table></div>\n</details>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_are_bold_by_their_holm_adjusted_p_value() {
        let row = |low: f64, high: f64, p_holm: f64| StatRow {
            point: None,
            axis_values: Vec::new(),
            metric: "performance_mean".into(),
            kind: "outcome".into(),
            model: "shared".into(),
            versus: Some("centralized".into()),
            n: 10,
            mean: (low + high) / 2.0,
            sd: 0.1,
            se: 0.03,
            low,
            high,
            effect_size: 0.8,
            p_value: p_holm / 20.0,
            p_holm,
            p_recorded: true,
        };
        // The interval excludes zero, but after Holm's adjustment the difference is not
        // significant: not bold.
        let cell = stat_cell(Some(&&row(0.01, 0.05, 0.2)), 10);
        assert!(!cell.contains("sig"), "{cell}");
        assert!(cell.contains("p<sub>Holm</sub> = 0.200"), "{cell}");
        let cell = stat_cell(Some(&&row(0.01, 0.05, 0.0004)), 10);
        assert!(cell.contains("num sig"), "{cell}");
        assert!(cell.contains("p<sub>Holm</sub> &lt; 0.001"), "{cell}");
        // No p-value (a bootstrap interval): never bold, whatever the interval.
        let cell = stat_cell(Some(&&row(0.01, 0.05, f64::NAN)), 10);
        assert!(!cell.contains("sig") && !cell.contains("Holm"), "{cell}");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">Tom & 'Jerry'</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn inline_svg_is_labelled() {
        let s = labelled(
            "<svg width=\"2\" xmlns=\"http://www.w3.org/2000/svg\"></svg>",
            "A<B",
        );
        assert!(s.starts_with("<svg role=\"img\" aria-label=\"A&lt;B\" width=\"2\""));
    }
}
