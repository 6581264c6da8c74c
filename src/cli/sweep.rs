//! `leadsim sweep`: a parameter sweep, whole or one shard of it.

use super::experiment::{self, RunArgs};
use super::{Failure, InputContext, set_threads};
use leadsim::experiment::MAX_SHARDS;
use leadsim::experiment::Plan;
use leadsim::experiment::sweep::Sweep;
use leadsim::output::manifest::{InputFile, PrecisionOutcome, Provenance};
use leadsim::slurm::shell_word;
use std::path::{Path, PathBuf};

const EXAMPLES: &str = "Examples:\n  leadsim sweep scenarios/capacity-shock-sweep.toml\n  leadsim sweep my-sweep.toml --shard 2/4 -o results/shard-2   # one quarter of the runs\n  leadsim merge results/shard-* -o results/all                   # then combine the shards\n  leadsim sweep my-sweep.toml --resume                            # finish an interrupted sweep";

/// `--help`: the examples and every key of a sweep file (`-h` shows the examples only).
fn long_help() -> String {
    format!(
        "{EXAMPLES}\n\nSweep file keys (docs/FORMAT.md has the full reference, with valid values):\n{}",
        leadsim::format::sweep_keys_text()
    )
}

#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES, after_long_help = long_help())]
pub struct Args {
    /// Sweep file (TOML): a base scenario, axes and a design.
    pub sweep: PathBuf,
    /// Run only shard I of N (1-based): every run whose number is I-1 modulo N.
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    pub shard: Option<(u64, u64)>,
    /// Master seed (overrides the sweep's and the base scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Replicates per model and point (overrides the file).
    #[arg(long)]
    pub replications: Option<u32>,
    #[command(flatten)]
    pub common: RunArgs,
}

/// Parses `I/N` with 1 ≤ I ≤ N.
fn parse_shard(s: &str) -> Result<(u64, u64), String> {
    let (i, n) = s
        .split_once('/')
        .ok_or_else(|| format!("\"{s}\" is not of the form I/N, e.g. 2/4"))?;
    let i: u64 = i
        .trim()
        .parse()
        .map_err(|_| format!("\"{i}\" is not a whole number"))?;
    let n: u64 = n
        .trim()
        .parse()
        .map_err(|_| format!("\"{n}\" is not a whole number"))?;
    if n == 0 || i == 0 || i > n || n > MAX_SHARDS {
        return Err(format!(
            "{i}/{n} is not a shard: I must be between 1 and N, and N between 1 and {MAX_SHARDS}"
        ));
    }
    Ok((i, n))
}

/// Loads a sweep and returns it with its provenance (command without shard options).
pub fn load(
    path: &Path,
    seed: Option<u64>,
    replications: Option<u32>,
) -> Result<(Sweep, Provenance), Failure> {
    let sweep = Sweep::load(path).input()?;
    check_base(path, &sweep)?;
    let overrides = experiment::overrides(seed, replications, "--replications")?;
    let mut command = format!("leadsim sweep {}", shell_word(&path.display().to_string()));
    if let Some(s) = seed {
        command += &format!(" --seed {s}");
    }
    if let Some(r) = replications {
        command += &format!(" --replications {r}");
    }
    let mut inputs = vec![InputFile::new(
        "sweep",
        &path.display().to_string(),
        &sweep.text,
    )];
    if let Some(b) = &sweep.base_path {
        inputs.push(InputFile::new(
            "base",
            &b.display().to_string(),
            &sweep.base_text,
        ));
    }
    Ok((
        sweep,
        Provenance {
            command,
            inputs,
            overrides,
        },
    ))
}

/// Refuses a base that is not a scenario: the sweep file itself, or another sweep file (whose
/// expansion would say only that it has no leadership model).
pub fn check_base(path: &Path, sweep: &Sweep) -> Result<(), Failure> {
    let Some(base) = &sweep.base_path else {
        return Ok(());
    };
    let same = match (std::fs::canonicalize(path), std::fs::canonicalize(base)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    let is_sweep = toml::from_str::<toml::Table>(&sweep.base_text)
        .is_ok_and(|t| leadsim::experiment::sweep::is_sweep(&t));
    if !same && !is_sweep {
        return Ok(());
    }
    let what = if same {
        "the sweep file itself".to_string()
    } else {
        format!(
            "{}, a sweep file (it has base, [[axes]] or [design])",
            base.display()
        )
    };
    Err(Failure::Input(
        leadsim::params::InputError {
            file: path.to_path_buf(),
            line: leadsim::params::Source::parse(path, &sweep.text)
                .ok()
                .and_then(|(_, s)| s.line("base")),
            key: "base".into(),
            message: format!(
                "names {what}; base must name a scenario file (one with [[models]]), or be an inline [base] table"
            ),
        }
        .into(),
    ))
}

pub fn run(args: Args) -> Result<(), Failure> {
    let (sweep, prov) = load(&args.sweep, args.seed, args.replications)?;
    let plan = sweep.plan(args.seed, args.replications).input()?;
    set_threads(args.common.threads)?;
    let (shard_text, indices) = match args.shard {
        Some((i, n)) => (format!("{i}/{n}"), plan.shard(i, n)),
        None => (String::new(), (0..plan.runs()).collect()),
    };
    // An empty shard would be a finished result of nothing: refused before any file is written.
    if let (Some((i, n)), true) = (args.shard, indices.is_empty()) {
        return Err(Failure::Input(anyhow::anyhow!(
            "--shard {i}/{n} holds no runs: the sweep has {} runs, so use at most {} shards",
            plan.runs(),
            plan.runs()
        )));
    }
    let dir = args.common.output.clone().unwrap_or_else(|| {
        let base = experiment::default_dir(&plan.name);
        match args.shard {
            Some((i, n)) => base.join(format!("shard-{i}-of-{n}")),
            None => base,
        }
    });
    if plan.precision.is_some() && args.shard.is_some() {
        return Err(Failure::Input(anyhow::anyhow!(
            "{}: replications by precision cannot be sharded: the rule needs every point's results after each batch; run it on one machine, or give a fixed number with --replications N",
            args.sweep.display()
        )));
    }
    let manifest = plan.manifest(&prov, &shard_text);
    let Some(mut target) = experiment::prepare(&dir, &manifest, &args.common)? else {
        // Already finished: where its results are, as if it had just run.
        out!(
            "{}",
            experiment::report_pointer(&dir, experiment::SWEEP_REPORT)
        );
        return Ok(());
    };
    let mut resume = format!(
        "{} -o {}",
        prov.command,
        shell_word(&dir.display().to_string())
    );
    if let Some((i, n)) = args.shard {
        resume += &format!(" --shard {i}/{n}");
    }
    let identity = manifest.identity.clone();
    if plan.precision.is_some() {
        return run_by_precision(&plan, &prov, &identity, &mut target, &args.common, &resume);
    }
    let series = experiment::run_indices(
        &plan,
        &identity,
        &target,
        &indices,
        args.shard.is_none(),
        &args.common,
        &resume,
    )?;
    if let Some((i, n)) = args.shard {
        experiment::finish_shard(&target.work, manifest)?;
        target.commit()?;
        outln!(
            "{}: shard {i}/{n}, {} of {} runs → {}\ncombine the shards with: leadsim merge <the {n} shard folders> -o <folder>",
            plan.name,
            indices.len(),
            plan.runs(),
            dir.display()
        );
        return Ok(());
    }
    experiment::finish(&plan, &target.work, manifest, series.as_ref())?;
    target.commit()?;
    experiment::analyse_and_draw(&dir, &args.common)?;
    outln!(
        "{}: {} runs ({} points × {} models × {} replicates) → {}",
        plan.name,
        plan.runs(),
        plan.points.len(),
        plan.models.len(),
        plan.replications,
        dir.display()
    );
    out!(
        "{}",
        experiment::report_pointer(&dir, experiment::SWEEP_REPORT)
    );
    Ok(())
}

/// A sweep with replications by precision: batches until the rule decides, then the tables of
/// the replicates it chose, and a manifest recording the rule and its decision.
fn run_by_precision(
    plan: &Plan,
    prov: &Provenance,
    identity: &str,
    target: &mut experiment::Target,
    args: &RunArgs,
    resume: &str,
) -> Result<(), Failure> {
    let (chosen, outcome) = experiment::run_by_precision(plan, identity, target, args, resume)?;
    let mut manifest = chosen.manifest(prov, "");
    if let Some(p) = manifest.precision.as_mut() {
        p.outcome = Some(PrecisionOutcome {
            replicates: outcome.replicates,
            half_width: outcome.half_width,
            reached: outcome.reached,
        });
    }
    experiment::finish(&chosen, &target.work, manifest, None)?;
    target.commit()?;
    let dir = &target.dir;
    let metric = plan
        .precision
        .as_ref()
        .map(|p| p.quantity.to_string())
        .unwrap_or_default();
    let how = if outcome.reached {
        format!(
            "the widest 95% half-width of {metric} is {}, below the target",
            experiment::short(outcome.half_width)
        )
    } else {
        format!(
            "the target was not reached: the widest 95% half-width of {metric} is still {} at the most replicates",
            experiment::short(outcome.half_width)
        )
    };
    eprintln!(
        "precision: {} replicates per model and point; {how}",
        outcome.replicates
    );
    experiment::analyse_and_draw(dir, args)?;
    outln!(
        "{}: {} runs ({} points × {} models × {} replicates, chosen by precision) → {}",
        chosen.name,
        chosen.runs(),
        chosen.points.len(),
        chosen.models.len(),
        chosen.replications,
        dir.display()
    );
    out!(
        "{}",
        experiment::report_pointer(dir, experiment::SWEEP_REPORT)
    );
    Ok(())
}
