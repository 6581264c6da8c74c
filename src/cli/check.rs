//! `leadsim check`: validate a scenario (or sweep) file and show what would run.

use super::{Failure, InputContext, experiment, run};
use leadsim::experiment::sweep::Sweep;
use leadsim::landscape::{CrossModule, Interaction, LinkRule, Normalization};
use leadsim::org::NetworkSpec;
use leadsim::scenario::Scenario;
use leadsim::study::{Study, Work};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  leadsim check scenarios/baseline.toml\n  leadsim check my-sweep.toml"
)]
pub struct Args {
    /// Scenario or sweep file (TOML).
    pub file: PathBuf,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let is_sweep = leadsim::scenario::read_file(&args.file)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|t| toml::from_str::<toml::Table>(&t).ok())
        .is_some_and(|t| leadsim::experiment::sweep::is_sweep(&t));
    if is_sweep {
        let (sweep, _) = super::sweep::load(&args.file, None, None)?;
        let text = describe_sweep(&sweep, &args.file.display().to_string())?;
        out!("{}", leadsim::params::safe(&text));
        return Ok(());
    }
    let (s, _, _) = run::load(&args.file, None, None)?;
    let file = args.file.display().to_string();
    let text = match &s {
        Study::Leadership(l) => describe(l, &file, &s),
        other => describe_reference(other, &file),
    };
    // Text values cannot hold control characters; the file name given could.
    out!("{}", leadsim::params::safe(&text));
    Ok(())
}

/// A human-readable account of a validated reference-model scenario.
fn describe_reference(s: &Study, file: &str) -> String {
    let mut out = format!(
        "{file}: valid scenario \"{}\" (family {})\n",
        s.name(),
        s.family()
    );
    if !s.description().is_empty() {
        out += &format!("  {}\n", s.description());
    }
    out += "  models:\n";
    for m in s.model_info() {
        let params: Vec<String> = m.params.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        out += &format!("    {} ({}): {}\n", m.name, m.kind, params.join(", "));
    }
    let models = s.model_names().len() as u64;
    let runs = models * u64::from(s.replications());
    out += &format!(
        "  runs: {} × {} = {} of {} steps (seed {})\n",
        count(models, "model"),
        count(u64::from(s.replications()), "replicate"),
        count(runs, "run"),
        s.steps(),
        s.seed()
    );
    out += &estimate(s.work_per_run().times(runs), s, runs, None, None);
    out += &format!(
        "  output: {} (unless -o is given)\n",
        experiment::default_dir(s.name()).display()
    );
    out
}

/// Member-steps per second per core of each kind of leadership model (the shared model by its
/// coordination), a rough guide for the estimate: measured with the default behaviour on the
/// 2-core machine of the benchmarks while other work ran (`cargo bench --bench run` alone runs
/// the baseline about twice as fast). Voting asks every member of a domain, so it is slowest.
fn member_steps_per_second(kind: &str, coordination: Option<&str>) -> f64 {
    match (kind, coordination) {
        ("centralized", _) => 9e6,
        ("hybrid", _) => 8.5e6,
        ("shared", Some("vote")) => 5e6,
        ("shared", _) => 8e6,
        _ => 6e6,
    }
}

/// Seconds to set up one member of a run (expertise, network, slots): what a run of a huge
/// organization over a few steps costs (a million members take about two seconds).
const SETUP_SECONDS_PER_MEMBER: f64 = 2e-6;

/// Seconds to write one time-series row.
const ROW_SECONDS: f64 = 1.2e-6;

/// Rough seconds of one replicate of every model of the leadership scenario `study` on one
/// core (`None` for the reference families, which are not estimated).
fn replicate_seconds(study: &Study) -> Option<f64> {
    let Study::Leadership(s) = study else {
        return None;
    };
    let work = study.work_per_run();
    let members = s.organization.members as f64;
    Some(
        s.models
            .iter()
            .map(|m| {
                let described = m.config.describe();
                let coordination = described
                    .iter()
                    .find(|(k, _)| *k == "coordination")
                    .map(|(_, v)| v.as_str());
                work.agent_steps as f64 / member_steps_per_second(m.config.kind(), coordination)
                    + members * SETUP_SECONDS_PER_MEMBER
                    + work.rows as f64 * ROW_SECONDS
            })
            .sum(),
    )
}

/// Bytes one run of `study` needs at most, by its leadership scenario's estimate.
fn run_bytes(study: &Study) -> Option<u64> {
    match study {
        Study::Leadership(s) => Some(s.memory_estimate().0),
        _ => None,
    }
}

/// The points of a sweep `check` lists; the rest are counted.
const SHOWN_POINTS: usize = 20;

/// `n` things, in the singular for one.
fn count(n: u64, thing: &str) -> String {
    if n == 1 {
        format!("1 {thing}")
    } else {
        format!("{n} {thing}s")
    }
}

/// Human-readable size: 1.5 k, 2.3 M, 4.1 G…
fn human(x: f64) -> String {
    let units = [(1e12, " T"), (1e9, " G"), (1e6, " M"), (1e3, " k")];
    for (scale, unit) in units {
        if x >= scale {
            return format!("{:.1}{unit}", x / scale);
        }
    }
    format!("{x:.0}")
}

/// Lines estimating the work, time, memory and output of `runs` runs costing `work` in total:
/// `seconds` on one core (`None`: not estimated), `bytes` the largest run's memory.
fn estimate(
    work: Work,
    study: &Study,
    runs: u64,
    seconds: Option<f64>,
    bytes: Option<u64>,
) -> String {
    let (agents, at_most) = match study {
        Study::Leadership(_) => ("member", ""),
        Study::March(_, m) if m.stop_at_equilibrium => ("individual", "at most "),
        Study::March(..) => ("individual", ""),
        Study::LazerFriedman(..) => ("agent", ""),
    };
    let mut out = format!(
        "  work: {at_most}{} {agents}-steps",
        human(work.agent_steps as f64)
    );
    if !at_most.is_empty() {
        out += ", if no run reached equilibrium before the steps cap (runs stop there, usually long before)";
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Runs go to the cores one each: fewer runs than cores leave some idle.
    let at_once = (cores as u64).min(runs.max(1));
    if let Some(seconds) = seconds {
        let seconds = seconds / at_once as f64;
        let time = if seconds < 1.0 {
            "under a second".to_string()
        } else if seconds < 60.0 {
            format!("roughly {seconds:.0} s")
        } else if seconds < 7200.0 {
            format!("roughly {:.0} min", seconds / 60.0)
        } else {
            format!("roughly {:.1} h", seconds / 3600.0)
        };
        out += &format!(
            " ({time} on {cores} cores, by each model's speed: 5 to 9 M member-steps per second per core, voting the slowest; decisions and events change it)"
        );
    }
    if let Some(bytes) = bytes {
        let b = bytes as f64;
        out += &if at_once == 1 {
            format!("\n  memory: about {}B (one run at a time)", human(b))
        } else {
            format!(
                "\n  memory: about {}B per run, {}B with {at_once} runs at once (one per core; --threads sets how many)",
                human(b),
                human(b * at_once as f64)
            )
        };
    }
    let bytes = work.csv_bytes(runs) as f64;
    out += &format!(
        "\n  files: {}{}B of CSV ({} time-series rows{}); [output] every = k keeps every k-th step\n",
        if at_most.is_empty() {
            "about "
        } else {
            at_most
        },
        human(bytes),
        human(work.rows as f64),
        if work.shocks > 0 {
            format!(", up to {} shock rows", human(work.shocks as f64))
        } else {
            String::new()
        }
    );
    out
}

/// A human-readable account of a sweep, every point validated one at a time (a sweep of up to
/// `MAX_POINTS` points is checked without holding its points in memory).
fn describe_sweep(sweep: &Sweep, file: &str) -> Result<String, Failure> {
    // Gathered point by point: the estimate, and the first points to list.
    let mut work = Work::default();
    let mut seconds = Some(0.0);
    let mut bytes = Some(0u64);
    let mut first: Option<Study> = None;
    let mut shown: Vec<Vec<toml::Value>> = Vec::new();
    let outline = sweep
        .outline(None, None, |i, p| {
            if i < SHOWN_POINTS {
                shown.push(p.values.clone());
            }
            if first.is_none() {
                first = Some(p.scenario.clone());
            }
            work += p.scenario.work_per_run();
            seconds = seconds
                .zip(replicate_seconds(&p.scenario))
                .map(|(a, b)| a + b);
            bytes = bytes.zip(run_bytes(&p.scenario)).map(|(a, b)| a.max(b));
        })
        .input()?;
    let plan = &outline.plan;
    // The visits above counted one run and one replicate per point: scale them.
    let per_point_runs = plan.models.len() as u64 * u64::from(plan.replications);
    let work = work.times(per_point_runs);
    let seconds = seconds.map(|s| s * f64::from(plan.replications));
    let mut out = format!("{file}: valid sweep \"{}\"\n", plan.name);
    if !sweep.description.is_empty() {
        out += &format!("  {}\n", sweep.description);
    }
    let base = sweep
        .base_path
        .as_ref()
        .map_or("inline [base]".to_string(), |p| p.display().to_string());
    out += &format!(
        "  base scenario: {base}; design: {}\n  axes:\n",
        sweep.design.describe()
    );
    for a in sweep.axis_summaries() {
        out += &format!("    {}: {}\n", a.path, a.describe());
    }
    let at_most = if plan.precision.is_some() {
        "at most "
    } else {
        ""
    };
    out += &format!(
        "  runs: {} × {} × {at_most}{} = {at_most}{} (seed {}; {} per replicate)\n",
        count(outline.points, "point"),
        count(plan.models.len() as u64, "model"),
        count(u64::from(plan.replications), "replicate"),
        count(outline.runs(), "run"),
        plan.seed,
        count(outline.worlds, "distinct world")
    );
    if let Some(p) = &plan.precision {
        out += &format!("  replicates by precision: {}\n", p.describe());
    }
    if sweep.design.has_indices() {
        let quantities = if sweep.analysis.quantities.is_empty() {
            "the headline measures of every model".to_string()
        } else {
            sweep.analysis.quantities.join(", ")
        };
        out += &format!(
            "  analysis: sensitivity.csv of {quantities} ({} bootstrap resamples)\n",
            sweep.analysis.resamples
        );
    }
    if let Some(s) = &first {
        out += &estimate(work, s, outline.runs(), seconds, bytes);
    }
    out += &format!("  models: {}\n  points:\n", plan.models.join(", "));
    out += &points_table(&plan.axes, &shown);
    if outline.points > shown.len() as u64 {
        out += &format!("    … and {} more\n", outline.points - shown.len() as u64);
    }
    out += &format!(
        "  output: {} (unless -o is given)\n",
        experiment::default_dir(&plan.name).display()
    );
    Ok(out)
}

/// The listed points of a sweep as a table: a column per axis under its name, right-aligned,
/// each axis's numbers written with the same decimals (`output::uniform_cells`).
fn points_table(axes: &[String], points: &[Vec<toml::Value>]) -> String {
    let mut columns: Vec<Vec<String>> = vec![vec!["point".to_string()]];
    columns[0].extend((0..points.len()).map(|i| i.to_string()));
    for (a, name) in axes.iter().enumerate() {
        let cells: Vec<String> = points
            .iter()
            .map(|p| {
                p.get(a)
                    .map(leadsim::output::tables::cell)
                    .unwrap_or_default()
            })
            .collect();
        let mut column = vec![name.clone()];
        column.extend(leadsim::output::uniform_cells(&cells));
        columns.push(column);
    }
    let widths: Vec<usize> = columns
        .iter()
        .map(|c| c.iter().map(|s| s.chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in 0..=points.len() {
        out += "   ";
        for (c, w) in columns.iter().zip(&widths) {
            out += &format!(" {:>w$}", c[row], w = *w);
        }
        out += "\n";
    }
    out
}

/// A human-readable account of a validated scenario.
pub fn describe(s: &Scenario, file: &str, study: &Study) -> String {
    let l = &s.landscape;
    let interaction = match l.interaction {
        Interaction::Random => "random".to_string(),
        Interaction::Adjacent => "adjacent".to_string(),
        Interaction::Modular { modules, cross } => match cross {
            CrossModule::Count(c) => {
                format!("modular, {modules} modules, {c} cross-module links per decision")
            }
            CrossModule::Probability(p) => {
                format!("modular, {modules} modules, cross-module probability {p}")
            }
        },
    };
    let links = if l.links == LinkRule::WithReplacement {
        ", links drawn with replacement"
    } else {
        ""
    };
    let norm = match l.normalization {
        Normalization::Exact => "exact global maximum",
        Normalization::Bound => "sum of table maxima (bound)",
    };
    let o = &s.organization;
    let network = match o.network {
        NetworkSpec::Hierarchy => "the reporting tree".to_string(),
        NetworkSpec::SmallWorld { degree, rewire } => {
            format!("small world (degree {degree}, rewiring {rewire})")
        }
        NetworkSpec::ScaleFree { m } => format!("scale free (m = {m})"),
        NetworkSpec::Complete => "complete".to_string(),
        NetworkSpec::Ring { degree } => format!("ring (degree {degree})"),
        NetworkSpec::Teams { inside, between } => {
            format!("teams (inside {inside}, between {between})")
        }
    };
    let mut out = format!("{file}: valid scenario \"{}\"\n", s.name);
    if !s.description.is_empty() {
        out += &format!("  {}\n", s.description);
    }
    out += &format!(
        "  landscape: N = {}, K = {}, {interaction}{links}; performance normalized by the {norm}\n",
        l.n, l.k
    );
    out += &format!(
        "  organization: {} members in {} domains, reporting span {}, informal network: {network}\n",
        o.members, o.domains, o.span
    );
    out += "  models:\n";
    for m in &s.models {
        let params: Vec<String> = m
            .config
            .describe()
            .into_iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect();
        out += &format!(
            "    {} ({}): {}\n",
            m.name,
            m.config.kind(),
            params.join(", ")
        );
    }
    out += &format!(
        "  runs: {} × {} = {} of {} steps (seed {})\n",
        count(s.models.len() as u64, "model"),
        count(u64::from(s.replications), "replicate"),
        count(s.runs(), "run"),
        s.steps,
        s.seed
    );
    if s.events.is_empty() {
        out += "  events: none\n";
    } else {
        out += "  events:\n";
        for e in &s.events {
            out += &format!("    {}\n", e.describe());
        }
    }
    let runs = s.runs();
    out += &estimate(
        study.work_per_run().times(runs),
        study,
        runs,
        replicate_seconds(study).map(|r| r * f64::from(s.replications)),
        run_bytes(study),
    );
    out += &format!("  output: output/{} (unless -o is given)\n", s.name);
    out
}
