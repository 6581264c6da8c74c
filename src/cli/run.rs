//! `leadsim run`: every model and replicate of one scenario.

use super::experiment::{self, RunArgs};
use super::{Failure, InputContext, set_threads};
use leadsim::experiment::Plan;
use leadsim::output::manifest::{InputFile, Provenance};
use leadsim::params::Source;
use leadsim::scenario::{LoadError, text_of};
use leadsim::slurm::shell_word;
use leadsim::study::{Study, set_overrides};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  leadsim run scenarios/baseline.toml\n  leadsim run scenarios/baseline.toml -o output/base-r50 --replications 50 --seed 7\n  leadsim run scenarios/baseline.toml --resume        # finish an interrupted run"
)]
pub struct Args {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// Master seed (overrides the file's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Replicates per model (overrides the file's `replications`).
    #[arg(long)]
    pub replications: Option<u32>,
    #[command(flatten)]
    pub common: RunArgs,
}

/// Reads a scenario file applying command-line overrides; bad input is exit 2.
pub fn load(
    path: &Path,
    seed: Option<u64>,
    replications: Option<u32>,
) -> Result<(Study, String, BTreeMap<String, String>), Failure> {
    let bytes = leadsim::scenario::read_file(path)
        .map_err(|source| LoadError::Io {
            file: path.display().to_string(),
            source,
        })
        .input()?;
    let text = text_of(path, bytes).input()?;
    let (mut table, source) = Source::parse(path, &text).input()?;
    if leadsim::experiment::sweep::is_sweep(&table) {
        return Err(Failure::Input(anyhow::anyhow!(
            "{} is a sweep file (it has base, [[axes]] or [design]), not a scenario: run it with `leadsim sweep {}`",
            path.display(),
            path.display()
        )));
    }
    let overrides = experiment::overrides(seed, replications, "--replications")?;
    set_overrides(&mut table, seed, replications);
    let scenario = Study::from_file(path, &text, &table, source)
        .map_err(|mut e| {
            // A value given on the command line is not at the file's line.
            let option = match e.key.as_str() {
                "replications" => replications.map(|r| format!("--replications {r}")),
                "seed" => seed.map(|s| format!("--seed {s}")),
                _ => None,
            };
            if let Some(option) = option {
                e.line = None;
                e.message = format!("(given as {option} on the command line) {}", e.message);
            }
            e
        })
        .input()?;
    Ok((scenario, text, overrides))
}

pub fn run(args: Args) -> Result<(), Failure> {
    let (scenario, text, overrides) = load(&args.scenario, args.seed, args.replications)?;
    set_threads(args.common.threads)?;
    let dir = args
        .common
        .output
        .clone()
        .unwrap_or_else(|| experiment::default_dir(scenario.name()));
    let mut command = format!(
        "leadsim run {}",
        shell_word(&args.scenario.display().to_string())
    );
    for (k, v) in &overrides {
        command += &format!(" --{k} {v}");
    }
    let prov = Provenance {
        command: command.clone(),
        inputs: vec![InputFile::new(
            "scenario",
            &args.scenario.display().to_string(),
            &text,
        )],
        overrides,
    };
    let plan = Plan::single(scenario);
    let manifest = plan.manifest(&prov, "");
    let Some(mut target) = experiment::prepare(&dir, &manifest, &args.common)? else {
        // Already finished: its summary, as if it had just run.
        out!("{}", experiment::headline(&dir)?);
        return Ok(());
    };
    experiment::run_all(&plan, &mut target, manifest, &args.common, &command)?;
    outln!(
        "{}: {} runs ({} models × {} replicates) → {}",
        plan.name,
        plan.runs(),
        plan.models.len(),
        plan.replications,
        dir.display()
    );
    out!("{}", experiment::headline(&dir)?);
    Ok(())
}
