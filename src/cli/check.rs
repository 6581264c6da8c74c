//! `leadsim check`: validate a scenario (or sweep) file and show what would run.

use super::{Failure, InputContext, run};
use leadsim::experiment::Plan;
use leadsim::experiment::sweep::{Design, Sweep};
use leadsim::landscape::{CrossModule, Interaction, LinkRule, Normalization};
use leadsim::org::NetworkSpec;
use leadsim::scenario::Scenario;
use leadsim::study::Study;
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
    let is_sweep = std::fs::read_to_string(&args.file)
        .ok()
        .and_then(|t| toml::from_str::<toml::Table>(&t).ok())
        .is_some_and(|t| leadsim::experiment::sweep::is_sweep(&t));
    if is_sweep {
        let (sweep, _) = super::sweep::load(&args.file, None, None)?;
        let plan = sweep.plan(None, None).input()?;
        out!(
            "{}",
            describe_sweep(&sweep, &plan, &args.file.display().to_string())
        );
        return Ok(());
    }
    let (s, _, _) = run::load(&args.file, None, None)?;
    let file = args.file.display().to_string();
    let text = match &s {
        Study::Leadership(s) => describe(s, &file),
        other => describe_reference(other, &file),
    };
    out!("{text}");
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
    let models = s.model_names().len();
    out += &format!(
        "  runs: {models} models × {} replicates = {} runs of {} steps (seed {})\n",
        s.replications(),
        models as u64 * s.replications() as u64,
        s.steps(),
        s.seed()
    );
    out += &format!("  output: output/{} (unless -o is given)\n", s.name());
    out
}

/// A human-readable account of an expanded sweep.
fn describe_sweep(sweep: &Sweep, plan: &Plan, file: &str) -> String {
    let mut out = format!("{file}: valid sweep \"{}\"\n", plan.name);
    if !sweep.description.is_empty() {
        out += &format!("  {}\n", sweep.description);
    }
    let base = sweep
        .base_path
        .as_ref()
        .map_or("inline [base]".to_string(), |p| p.display().to_string());
    let design = match sweep.design {
        Design::Grid => "grid".to_string(),
        Design::Random { samples } => format!("random, {samples} samples"),
        Design::Lhs { samples } => format!("Latin hypercube, {samples} samples"),
    };
    out += &format!(
        "  base scenario: {base}; design: {design}\n  axes: {}\n",
        plan.axes.join(", ")
    );
    let worlds: std::collections::BTreeSet<u64> = plan.points.iter().map(|p| p.world_key).collect();
    out += &format!(
        "  runs: {} points × {} models × {} replicates = {} runs (seed {}; {} distinct worlds per replicate)\n",
        plan.points.len(),
        plan.models.len(),
        plan.replications,
        plan.runs(),
        plan.seed,
        worlds.len()
    );
    out += &format!("  models: {}\n  points:\n", plan.models.join(", "));
    out += &format!("    {:>6}  {}\n", "point", plan.axes.join("  "));
    let shown = plan.points.len().min(20);
    for (i, p) in plan.points.iter().take(shown).enumerate() {
        let vals: Vec<String> = p.values.iter().map(leadsim::output::tables::cell).collect();
        out += &format!("    {i:>6}  {}\n", vals.join("  "));
    }
    if plan.points.len() > shown {
        out += &format!("    … and {} more\n", plan.points.len() - shown);
    }
    out += &format!("  output: output/{} (unless -o is given)\n", plan.name);
    out
}

/// A human-readable account of a validated scenario.
pub fn describe(s: &Scenario, file: &str) -> String {
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
        "  runs: {} models × {} replicates = {} runs of {} steps (seed {})\n",
        s.models.len(),
        s.replications,
        s.runs(),
        s.steps,
        s.seed
    );
    out += &format!("  output: output/{} (unless -o is given)\n", s.name);
    out
}
