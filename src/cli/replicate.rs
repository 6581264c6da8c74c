//! `leadsim replicate`: run a reference model's published experiment from its scenario file and
//! print the published figures beside ours.

use super::experiment::{self, RunArgs};
use super::{Failure, InputContext, failure, set_threads};
use clap::ValueEnum;
use leadsim::experiment::Plan;
use leadsim::experiment::sweep::Sweep;
use leadsim::output::manifest::{InputFile, Manifest, Provenance};
use leadsim::params::Source;
use leadsim::reference::{Check, Replication};
use leadsim::replicate::{self, LF_FIG4, MARCH_FIG1};
use leadsim::slurm::shell_word;
use leadsim::study::{Study, set_overrides};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Name {
    /// March (1991), Fig. 1: equilibrium code knowledge against p1 and p2.
    March1991,
    /// Lazer & Friedman (2007), Fig. 4: linear vs complete network over 100 rounds.
    #[value(name = "lazer-friedman-2007")]
    LazerFriedman2007,
    /// Kauffman's NK results: local optima and adaptive walks for K = 0 and K = N - 1.
    Nk,
    /// The ODD's stylized facts and the seed essay's claims, from scenarios/patterns/.
    Patterns,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  leadsim replicate march1991\n  leadsim replicate patterns            # every stylized fact of docs/ODD.md §1, about a minute on 2 cores\n  leadsim replicate patterns --runs 3   # three times the replicates of every pattern\n  leadsim replicate lazer-friedman-2007 --runs 200\n  leadsim replicate march1991 --scenario my-fig1-sweep.toml   # a varied copy of the reference file\n  leadsim replicate nk\n\nResults go to output/replicate-<name>/ (with --scenario FILE: output/replicate-<name>-<FILE without .toml>/) unless -o is given; a finished replication there is compared again without re-running (--force runs it afresh). Exit code 1 when a published figure is not reproduced within its tolerance, or (patterns) when a pattern the ODD claims or a fairness check does not hold."
)]
pub struct Args {
    /// Which publication to replicate.
    pub name: Name,
    /// A varied copy of the reference file to run instead (march1991: a sweep over p1 and p2
    /// like scenarios/reference/march1991-fig1-sweep.toml; lazer-friedman-2007: a scenario like
    /// scenarios/reference/lazer-friedman-2007.toml). Not for nk.
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// Runs per point (March), landscapes (Lazer & Friedman), landscapes per setting (nk), or
    /// a multiple of every pattern's replicates and of the meta-analytic population (patterns).
    #[arg(long)]
    pub runs: Option<u32>,
    /// Master seed.
    #[arg(long)]
    pub seed: Option<u64>,
    #[command(flatten)]
    pub common: RunArgs,
}

/// Landscapes per setting of `leadsim replicate nk` unless `--runs` says otherwise.
const NK_SAMPLES: u32 = 40;

pub fn run(args: Args) -> Result<(), Failure> {
    set_threads(args.common.threads)?;
    let rep = match args.name {
        Name::Nk if args.scenario.is_some() => {
            return Err(Failure::Input(anyhow::anyhow!(
                "--scenario does not apply to nk: its landscapes are sampled directly (use --runs and --seed)"
            )));
        }
        Name::Nk => {
            if args.runs == Some(0) {
                return Err(Failure::Input(anyhow::anyhow!(
                    "--runs 0 is not valid: nk needs at least 1 landscape per setting"
                )));
            }
            let samples = args.runs.unwrap_or(NK_SAMPLES) as usize;
            let rep = replicate::nk(samples, args.seed.unwrap_or(1)).input()?;
            if !args.common.no_charts {
                let dir = args
                    .common
                    .output
                    .clone()
                    .unwrap_or_else(|| default_dir(&args));
                match leadsim::output::state(&dir).map_err(failure)? {
                    leadsim::output::FolderState::Missing | leadsim::output::FolderState::Empty => {
                    }
                    leadsim::output::FolderState::NotAFolder => {
                        return Err(failure(leadsim::output::OutputError::NotAFolder {
                            path: dir.clone(),
                        }));
                    }
                    _ if args.common.force => leadsim::output::clear(&dir).map_err(failure)?,
                    _ => {
                        return Err(Failure::Input(anyhow::anyhow!(
                            "{} already holds results; use --force to replace them, or -o to choose another folder",
                            dir.display()
                        )));
                    }
                }
                leadsim::output::write_atomic_dir(
                    &dir.join(leadsim::output::REPLICATION),
                    &replicate::checks_csv(&rep),
                )
                .map_err(failure)?;
                leadsim::plot::write_charts(&leadsim::plot::replication_charts(&rep), &dir)
                    .map_err(|e| Failure::Other(e.into()))?;
                outln!("results: {}", dir.display());
            }
            rep
        }
        Name::March1991 | Name::LazerFriedman2007 => experiment_replication(&args)?,
        Name::Patterns => return patterns(&args),
    };
    out!("{}", table(&rep));
    if rep.passed() {
        outln!("all {} checks passed", rep.checks.len());
        Ok(())
    } else {
        let failed = rep.checks.iter().filter(|c| !c.pass).count();
        Err(Failure::Other(anyhow::anyhow!(
            "{failed} of {} checks failed: {} is not reproduced within the stated tolerances",
            rep.checks.len(),
            rep.name
        )))
    }
}

/// Runs the reference file through the engine into a result folder, then compares.
fn experiment_replication(args: &Args) -> Result<Replication, Failure> {
    let (path, text) = reference_text(args)?;
    let overrides = experiment::overrides(args.seed, args.runs, "--runs")?;
    let (plan, inputs) = reference_plan(args, &path, &text)?;
    match args.name {
        Name::March1991 => replicate::march_fig1_shape(&plan),
        _ => replicate::lf_fig4_shape(&plan),
    }
    .map_err(|e| Failure::Input(anyhow::anyhow!("{}: {e}", path.display())))?;
    let prov = Provenance {
        command: command(args, &overrides),
        inputs,
        overrides,
    };
    let dir = args
        .common
        .output
        .clone()
        .unwrap_or_else(|| default_dir(args));
    let manifest = plan.manifest(&prov, "");
    // A finished replication of the same experiment is compared again without re-running it;
    // an interrupted one is resumed.
    let common = RunArgs {
        resume: !args.common.force,
        ..args.common.clone()
    };
    if let Some(mut target) = experiment::prepare(&dir, &manifest, &common)? {
        experiment::run_all(&plan, &mut target, manifest, &args.common, &prov.command)?;
    }
    let manifest = Manifest::read(&dir, leadsim::output::MANIFEST).map_err(failure)?;
    let rep = match args.name {
        Name::March1991 => replicate::march_fig1(&dir, &manifest),
        _ => replicate::lazer_friedman_fig4(&dir, &manifest),
    }
    .input()?;
    leadsim::output::write_atomic(
        &dir.join(leadsim::output::REPLICATION),
        &replicate::checks_csv(&rep),
    )
    .map_err(failure)?;
    if !args.common.no_charts {
        leadsim::plot::write_charts(&leadsim::plot::replication_charts(&rep), &dir)
            .map_err(|e| Failure::Other(e.into()))?;
    }
    outln!("results: {}", dir.display());
    Ok(rep)
}

/// The default result folder of `leadsim replicate NAME`: `output/replicate-NAME`, or with
/// `--scenario FILE` (a varied copy, another experiment) `output/replicate-NAME-STEM`, where
/// STEM is the file's name without `.toml`.
fn default_dir(args: &Args) -> PathBuf {
    let name = args
        .name
        .to_possible_value()
        .map_or("?".into(), |v| v.get_name().to_string());
    match args.scenario.as_ref().and_then(|p| p.file_stem()) {
        Some(stem) => {
            experiment::default_dir(&format!("replicate-{name}-{}", stem.to_string_lossy()))
        }
        None => experiment::default_dir(&format!("replicate-{name}")),
    }
}

/// The reference file to run and its text: `--scenario`, or the file in `scenarios/reference/`,
/// or (when that is not at hand) the copy bundled in the binary.
fn reference_text(args: &Args) -> Result<(PathBuf, String), Failure> {
    let (default_path, bundled) = match args.name {
        Name::March1991 => MARCH_FIG1,
        _ => LF_FIG4,
    };
    let path = args
        .scenario
        .clone()
        .unwrap_or_else(|| PathBuf::from(default_path));
    let text = match leadsim::scenario::read_file(&path) {
        Ok(bytes) => leadsim::scenario::text_of(&path, bytes).input()?,
        Err(_) if args.scenario.is_none() => bundled.to_string(),
        Err(e) => {
            return Err(Failure::Input(anyhow::anyhow!(
                "cannot read {}: {e}",
                path.display()
            )));
        }
    };
    Ok((path, text))
}

/// The command that reproduces the replication (without `-o`).
fn command(args: &Args, overrides: &BTreeMap<String, String>) -> String {
    let mut command = format!(
        "leadsim replicate {}",
        args.name
            .to_possible_value()
            .map_or("?".into(), |v| v.get_name().to_string())
    );
    if let Some(s) = &args.scenario {
        command += &format!(" --scenario {}", shell_word(&s.display().to_string()));
    }
    for (k, v) in overrides {
        let flag = if k == "replications" { "runs" } else { k };
        command += &format!(" --{flag} {v}");
    }
    command
}

/// The plan of the reference file `path` (a sweep for March, a scenario for Lazer & Friedman)
/// with `--seed` and `--runs` applied, and its input files for the manifest.
fn reference_plan(args: &Args, path: &Path, text: &str) -> Result<(Plan, Vec<InputFile>), Failure> {
    plan_of(path, text, args.seed, args.runs)
}

/// The plan of the scenario or sweep file `path` holding `text`, with the `seed` and
/// replications overrides, and its input files for the manifest.
fn plan_of(
    path: &Path,
    text: &str,
    seed: Option<u64>,
    runs: Option<u32>,
) -> Result<(Plan, Vec<InputFile>), Failure> {
    let (mut table, source) = Source::parse(path, text).input()?;
    let is_sweep = leadsim::experiment::sweep::is_sweep(&table);
    let role = if is_sweep { "sweep" } else { "scenario" };
    let file = InputFile::new(role, &path.display().to_string(), text);
    if !is_sweep {
        set_overrides(&mut table, seed, runs);
        let study =
            Study::from_table(&table, &Arc::new(source), &Arc::from(text), "reference").input()?;
        return Ok((Plan::single(study), vec![file]));
    }
    let sweep = Sweep::parse(text, path, |p: &Path| {
        let bytes = leadsim::scenario::read_file(p).map_err(|e| leadsim::params::InputError {
            file: p.to_path_buf(),
            line: None,
            key: String::new(),
            message: format!("cannot read the base scenario: {e}"),
        })?;
        leadsim::scenario::text_of(p, bytes)
    })
    .input()?;
    let plan = sweep.plan(seed, runs).input()?;
    let mut inputs = vec![file];
    if let Some(b) = &sweep.base_path {
        inputs.push(InputFile::new(
            "base",
            &b.display().to_string(),
            &sweep.base_text,
        ));
    }
    Ok((plan, inputs))
}

/// The comparison table for the terminal.
fn table(rep: &Replication) -> String {
    let mut out = format!("{}\n{}\n\n", rep.name, rep.source);
    out += &format!(
        "{:<58} {:>9} {:>18} {:>9}  {}\n",
        "check", "published", "ours ± se", "tolerance", "verdict"
    );
    for c in &rep.checks {
        out += &format!(
            "{:<58} {:>9} {:>18} {:>9}  {}\n",
            c.label,
            short(c.published),
            ours(c),
            format!("±{}", short(c.tolerance)),
            if c.pass { "ok" } else { "FAILED" }
        );
    }
    for note in &rep.notes {
        out += &format!("note: {note}\n");
    }
    out
}

fn short(x: f64) -> String {
    if x.is_nan() {
        "NA".into()
    } else if x.fract() == 0.0 && x.abs() < 1e9 {
        format!("{x}")
    } else {
        format!("{x:.4}")
    }
}

fn ours(c: &Check) -> String {
    match c.se {
        Some(se) => format!("{} ± {}", short(c.ours), short(se)),
        None => short(c.ours),
    }
}

/// `leadsim replicate patterns`: runs every file of `scenarios/patterns/` (the one on disk, or
/// the copy bundled in the binary) into its own folder, judges the patterns from the tables,
/// writes `patterns.csv` and `report.html`, prints the table, and fails when a claimed pattern
/// or a fairness check does not hold.
fn patterns(args: &Args) -> Result<(), Failure> {
    use leadsim::patterns;
    if args.scenario.is_some() {
        return Err(Failure::Input(anyhow::anyhow!(
            "--scenario does not apply to patterns: edit the files in scenarios/patterns/ (read from there when present) and rerun with --force"
        )));
    }
    let times = args.runs.unwrap_or(1);
    if times == 0 {
        return Err(Failure::Input(anyhow::anyhow!(
            "--runs 0: patterns needs at least one replicate (--runs multiplies every pattern's)"
        )));
    }
    let root = args
        .common
        .output
        .clone()
        .unwrap_or_else(|| default_dir(args));
    if let leadsim::output::FolderState::NotAFolder =
        leadsim::output::state(&root).map_err(failure)?
    {
        return Err(failure(leadsim::output::OutputError::NotAFolder {
            path: root,
        }));
    }
    std::fs::create_dir_all(&root).map_err(|e| Failure::Other(e.into()))?;
    for file in patterns::FILES {
        let path = PathBuf::from(file.path);
        let text = match leadsim::scenario::read_file(&path) {
            Ok(bytes) => leadsim::scenario::text_of(&path, bytes).input()?,
            Err(_) => file.text.to_string(),
        };
        let text = patterns::scaled(&text, times)
            .map_err(|e| Failure::Input(anyhow::anyhow!("{}: {e}", path.display())))?;
        let (plan, inputs) = plan_of(&path, &text, args.seed, None)?;
        let mut command = "leadsim replicate patterns".to_string();
        if times > 1 {
            command += &format!(" --runs {times}");
        }
        if let Some(seed) = args.seed {
            command += &format!(" --seed {seed}");
        }
        let prov = Provenance {
            command: command.clone(),
            inputs,
            overrides: args
                .seed
                .map(|s| BTreeMap::from([("seed".to_string(), s.to_string())]))
                .unwrap_or_default(),
        };
        let dir = root.join(file.name);
        let manifest = plan.manifest(&prov, "");
        let common = RunArgs {
            resume: !args.common.force,
            ..args.common.clone()
        };
        if let Some(mut target) = experiment::prepare(&dir, &manifest, &common)? {
            experiment::run_all(&plan, &mut target, manifest, &args.common, &command)?;
        }
    }
    let rows = patterns::assess(&root).input()?;
    leadsim::output::write_atomic(&root.join("patterns.csv"), &patterns::csv(&rows))
        .map_err(failure)?;
    leadsim::output::write_atomic(&root.join("report.html"), patterns::html(&rows).as_bytes())
        .map_err(failure)?;
    leadsim::plot::write_charts(&patterns::charts(&rows), &root).map_err(failure)?;
    out!("{}", patterns_table(&rows));
    outln!("results: {}", root.display());
    let failed: Vec<&patterns::Row> = rows.iter().filter(|r| r.fails()).collect();
    if failed.is_empty() {
        outln!(
            "every claimed pattern and fairness check holds ({} rows; tests of hypotheses are reported above whatever they say)",
            rows.len()
        );
        Ok(())
    } else {
        Err(Failure::Other(anyhow::anyhow!(
            "{} claimed pattern rows or checks do not hold: {}",
            failed.len(),
            failed
                .iter()
                .map(|r| format!("{} — {}", r.pattern, r.compared))
                .collect::<Vec<_>>()
                .join("; ")
        )))
    }
}

/// The patterns table for the terminal, one block per pattern.
fn patterns_table(rows: &[leadsim::patterns::Row]) -> String {
    let mut out = String::new();
    let mut last = "";
    let mut header = "";
    for r in rows {
        if r.pattern != last {
            out += &format!("\n{} — {}\n", r.pattern, r.source);
            last = &r.pattern;
            header = &r.source;
        }
        let e = &r.estimate;
        let interval = if e.low.is_nan() {
            String::new()
        } else {
            format!(" [{}, {}]", short(e.low), short(e.high))
        };
        let published = if r.published.is_empty() {
            String::new()
        } else {
            format!("; published {}", r.published)
        };
        let verdict = match (r.holds, r.role) {
            (None, _) => String::new(),
            (Some(h), role) => format!(
                "  → {} ({}{})",
                if h { "holds" } else { "does not hold" },
                role.name(),
                if r.fails() { ", FAILED" } else { "" }
            ),
        };
        out += &format!(
            "  {}: {}{}{}\n",
            r.compared,
            short(e.value),
            interval,
            published
        );
        if !r.criterion.is_empty() || !verdict.is_empty() {
            // A row that answers another source than its pattern's names it.
            let source = if r.source.is_empty() || r.source == header {
                String::new()
            } else {
                format!(" [{}]", r.source)
            };
            out += &format!("      criterion: {}{}{}\n", r.criterion, source, verdict);
        }
    }
    out
}
