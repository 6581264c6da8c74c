//! Running a plan into a result folder: folder checks, the lock, progress, interruption,
//! assembly, the manifest and the closing summary. Shared by `run` and `sweep`.

use super::{Failure, OtherContext, failure};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use leadsim::experiment::Plan;
use leadsim::experiment::precision::{self, Outcome};
use leadsim::experiment::runner::{self, RunError};
use leadsim::output::manifest::Manifest;
use leadsim::output::series::Complete;
use leadsim::output::{self, FolderLock, FolderState, OutputError};
use leadsim::slurm::shell_word;
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The folder under which results go unless `-o` is given.
const OUTPUT: &str = "output";

/// The default result folder of an experiment named `name`: `output/<name>`.
pub fn default_dir(name: &str) -> PathBuf {
    Path::new(OUTPUT).join(name)
}

/// Options shared by commands that run experiments.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RunArgs {
    /// Result folder (default: output/<name>).
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Replace a finished or unfinished result in the folder.
    #[arg(long, conflicts_with = "resume")]
    pub force: bool,
    /// Finish an interrupted run in the folder, running only what is missing.
    #[arg(long)]
    pub resume: bool,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, value_name = "T")]
    pub threads: Option<usize>,
    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,
    /// Do not draw charts or write the report.
    #[arg(long)]
    pub no_charts: bool,
}

/// The `seed` and `replications` given on the command line, by key, as the manifest records
/// them; refuses, naming the option (`flag`: `--replications`, or `--runs` for `replicate`),
/// values that a scenario file could not hold: zero replicates would be an empty experiment.
pub fn overrides(
    seed: Option<u64>,
    replications: Option<u32>,
    flag: &str,
) -> Result<BTreeMap<String, String>, Failure> {
    let mut overrides = BTreeMap::new();
    if let Some(s) = seed {
        if s > i64::MAX as u64 {
            return Err(Failure::Input(anyhow::anyhow!(
                "--seed {s} is too large: seeds must be at most {}",
                i64::MAX
            )));
        }
        overrides.insert("seed".to_string(), s.to_string());
    }
    if let Some(r) = replications {
        // The range the scenario's own `replications` key takes (its registry entry).
        let (min, max) = leadsim::scenario::params()
            .iter()
            .filter(|(table, _)| table.is_empty())
            .flat_map(|(_, params)| params.iter())
            .find(|p| p.key == "replications")
            .and_then(|p| match p.kind {
                leadsim::params::Kind::Whole { min, max } => Some((min, max)),
                _ => None,
            })
            .unwrap_or((1, u64::from(u32::MAX)));
        if !(min..=max).contains(&u64::from(r)) {
            return Err(Failure::Input(anyhow::anyhow!(
                "{flag} {r} is not valid: give a whole number between {min} and {max} (an experiment needs at least one replicate)"
            )));
        }
        overrides.insert("replications".to_string(), r.to_string());
    }
    Ok(overrides)
}

/// The process-wide stop flag, set by Ctrl-C or SIGTERM.
fn stop_flag() -> Arc<AtomicBool> {
    static FLAG: std::sync::OnceLock<Arc<AtomicBool>> = std::sync::OnceLock::new();
    FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let f = flag.clone();
        // If a handler cannot be installed the run simply cannot be stopped gracefully.
        let _ = ctrlc::set_handler(move || {
            if f.swap(true, Ordering::SeqCst) {
                eprintln!("\nleadsim: stopping now; finished runs are kept");
                std::process::exit(130);
            }
            eprintln!("\nleadsim: stopping; finished runs are kept, runs in progress are abandoned and rerun by --resume");
        });
        flag
    })
    .clone()
}

fn progress_bar(total: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:40.cyan/blue} {pos}/{len} runs  {per_sec}  ETA {eta}  {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// Checks the folder, takes the lock and writes (or checks) the plan. Returns `None` when a
/// resumed folder is already complete.
pub fn prepare(
    dir: &Path,
    manifest: &Manifest,
    args: &RunArgs,
) -> Result<Option<FolderLock>, Failure> {
    let state = output::state(dir).map_err(failure)?;
    match state {
        FolderState::NotAFolder => {
            return Err(failure(OutputError::NotAFolder {
                path: dir.to_path_buf(),
            }));
        }
        FolderState::Complete if args.resume => {
            let done = Manifest::read(dir, output::MANIFEST).map_err(failure)?;
            check_identity(dir, &done, manifest)?;
            eprintln!("{} is already complete; nothing to resume", dir.display());
            return Ok(None);
        }
        FolderState::Complete if !args.force => {
            return Err(failure(OutputError::Exists {
                path: dir.to_path_buf(),
            }));
        }
        FolderState::Unfinished if !args.force && !args.resume => {
            return Err(failure(OutputError::Unfinished {
                path: dir.to_path_buf(),
            }));
        }
        FolderState::Foreign if !args.force => {
            return Err(failure(OutputError::Foreign {
                path: dir.to_path_buf(),
            }));
        }
        _ => {}
    }
    let lock = FolderLock::acquire(dir).map_err(failure)?;
    if args.force {
        output::clear(dir).map_err(failure)?;
    }
    if args.resume && state == FolderState::Unfinished {
        let old = Manifest::read(dir, output::PLAN).map_err(failure)?;
        check_identity(dir, &old, manifest)?;
    } else {
        manifest.write_plan(dir).map_err(failure)?;
    }
    Ok(Some(lock))
}

fn check_identity(dir: &Path, old: &Manifest, new: &Manifest) -> Result<(), Failure> {
    if old.identity != new.identity || old.shard != new.shard {
        let what = if old.shard != new.shard {
            format!("shard \"{}\", not \"{}\"", old.shard, new.shard)
        } else {
            let diff = old.differences(new);
            let diff = if diff.is_empty() {
                String::new()
            } else {
                format!(": {}", diff.join("; "))
            };
            format!(
                "it was started with `{}`, and differs from this invocation{diff}",
                old.command
            )
        };
        return Err(failure(OutputError::Mismatch {
            path: dir.to_path_buf(),
            detail: format!("{what}; resume with the same command, or use --force to start over"),
        }));
    }
    Ok(())
}

/// Runs `indices` of `plan` into `dir` with a progress bar; on interruption says how to resume.
/// For a whole experiment (`ordered`: `indices` are every run) returns the complete ordered
/// time-series file for [`finish`].
pub fn run_indices(
    plan: &Plan,
    dir: &Path,
    indices: &[u64],
    ordered: bool,
    args: &RunArgs,
    resume_command: &str,
) -> Result<Option<Complete>, Failure> {
    let stop = stop_flag();
    let bar = progress_bar(indices.len() as u64, args.quiet);
    let first = std::sync::Once::new();
    let progress = |done: u64, total: u64| {
        // The first call reports the runs already journaled: say what a resume reuses.
        first.call_once(|| {
            if args.resume && done > 0 && !args.quiet {
                eprintln!("resuming: {done} of {total} runs were already finished and are kept");
            }
        });
        bar.set_position(done)
    };
    let runs = dir.join(output::RUNS);
    let result = runner::execute(plan, &runs, indices, ordered, &stop, &progress);
    bar.finish_and_clear();
    match result {
        Ok(complete) => Ok(complete),
        Err(RunError::Interrupted { done, total }) => Err(Failure::Other(anyhow::anyhow!(
            "interrupted: {done} of {total} runs are finished and kept in {}\nresume with: {resume_command} --resume",
            dir.display()
        ))),
        // A full disk or a failing device: what was journaled before it is kept.
        Err(RunError::Output(e)) if !e.is_input() => Err(Failure::Other(anyhow::anyhow!(
            "{e}\nthe runs finished before this are kept in {}; fix the cause (e.g. free disk space) and resume with: {resume_command} --resume",
            dir.display()
        ))),
        Err(RunError::Output(e)) => Err(failure(e)),
    }
}

/// Runs the batches of a precision plan into `dir` until its rule decides, saying on stderr
/// after each batch how wide the widest interval is; returns the plan its tables describe
/// (with the chosen number of replicates) and the decision.
pub fn run_by_precision(
    plan: &Plan,
    dir: &Path,
    args: &RunArgs,
    resume_command: &str,
) -> Result<(Plan, Outcome), Failure> {
    let stop = stop_flag();
    let bar = std::sync::Mutex::new(progress_bar(0, args.quiet));
    let progress = |done: u64, total: u64| {
        let bar = bar.lock().unwrap_or_else(|e| e.into_inner());
        bar.set_length(total);
        bar.set_position(done);
    };
    let on_batch = |from: u32, to: u32, widest: f64| {
        if args.quiet {
            return;
        }
        let bar = bar.lock().unwrap_or_else(|e| e.into_inner());
        let so_far = if widest.is_finite() {
            format!(
                "widest 95% half-width {} after {from} replicates; ",
                short(widest)
            )
        } else if from > 0 {
            format!("fewer than two defined values after {from} replicates; ")
        } else {
            String::new()
        };
        bar.suspend(|| eprintln!("precision: {so_far}running replicates {from}–{}", to - 1));
    };
    let runs = dir.join(output::RUNS);
    let result = precision::execute(plan, &runs, &stop, &progress, &on_batch);
    bar.lock()
        .unwrap_or_else(|e| e.into_inner())
        .finish_and_clear();
    match result {
        Ok(outcome) => Ok((plan.with_replications(outcome.replicates), outcome)),
        Err(RunError::Interrupted { done, total }) => Err(Failure::Other(anyhow::anyhow!(
            "interrupted: {done} of the {total} runs of this batch are finished and kept in {}\nresume with: {resume_command} --resume",
            dir.display()
        ))),
        Err(RunError::Output(e)) if !e.is_input() => Err(Failure::Other(anyhow::anyhow!(
            "{e}\nthe runs finished before this are kept in {}; fix the cause (e.g. free disk space) and resume with: {resume_command} --resume",
            dir.display()
        ))),
        Err(RunError::Output(e)) => Err(failure(e)),
    }
}

/// Runs every run of `plan` into `dir` (prepared by [`prepare`]), assembles the tables, writes
/// the manifest and draws the charts; `command` (without `-o`) is what resumes it.
pub fn run_all(
    plan: &Plan,
    dir: &Path,
    manifest: Manifest,
    args: &RunArgs,
    command: &str,
) -> Result<(), Failure> {
    let indices: Vec<u64> = (0..plan.runs()).collect();
    let resume = format!("{command} -o {}", shell_word(&dir.display().to_string()));
    let series = run_indices(plan, dir, &indices, true, args, &resume)?;
    finish(plan, dir, manifest, series.as_ref())?;
    charts(dir, args.no_charts)
}

/// Assembles the tables (the time series from `series`, the ordered file [`run_indices`]
/// returned), writes the manifest and removes the journals.
pub fn finish(
    plan: &Plan,
    dir: &Path,
    manifest: Manifest,
    series: Option<&Complete>,
) -> Result<Manifest, Failure> {
    let runs = dir.join(output::RUNS);
    let hashes = output::tables::assemble(&plan.layout(), std::slice::from_ref(&runs), dir, series).map_err(|e| {
        if e.is_input() {
            failure(e)
        } else {
            Failure::Other(anyhow::anyhow!(
                "{e}\nevery run is finished and kept in {}; fix the cause (e.g. free disk space) and run the same command with --resume to write the tables",
                dir.display()
            ))
        }
    })?;
    let manifest = manifest.write_manifest(dir, hashes).map_err(failure)?;
    std::fs::remove_dir_all(&runs).other()?;
    Ok(manifest)
}

/// Draws the charts and writes the report of a finished result folder, unless `no_charts`. The
/// results are complete before this runs, so a failure here loses nothing.
pub fn charts(dir: &Path, no_charts: bool) -> Result<(), Failure> {
    if no_charts {
        return Ok(());
    }
    let redraw = |e: anyhow::Error| {
        Failure::Other(e.context(format!(
            "the results in {} are complete, but drawing failed; redraw with `leadsim plot {0}` and `leadsim report {0}`",
            dir.display()
        )))
    };
    leadsim::plot::draw_all(dir).map_err(|e| redraw(e.into()))?;
    leadsim::report::write(dir).map_err(|e| redraw(e.into()))?;
    Ok(())
}

/// After a sweep's tables: its sensitivity analysis (Morris and Sobol' designs), then the
/// charts and the report (unless `--no-charts`). The tables are complete before this runs, so a
/// failure here loses nothing; `leadsim sensitivity DIR` and `leadsim plot DIR` redo it.
pub fn analyse_and_draw(dir: &Path, args: &RunArgs) -> Result<(), Failure> {
    let sweep = Manifest::read(dir, output::MANIFEST).is_ok_and(|m| m.is_sweep());
    let analysed = if sweep {
        super::sensitivity::analyse(dir, &Default::default(), false).map(|_| ())
    } else {
        Ok(())
    };
    // The analysis is derived from the tables, like the charts: if it fails the result stands,
    // and `leadsim sensitivity` can redo it.
    if let Err(e) = analysed {
        let e = match e {
            Failure::Input(e) | Failure::Other(e) => e,
        };
        eprintln!(
            "warning: the sensitivity analysis failed: {e:#}\nthe results in {} are complete; redo it with `leadsim sensitivity {0}`",
            dir.display()
        );
    }
    charts(dir, args.no_charts)
}

/// Marks a finished shard: its manifest, and its per-run parts kept for `leadsim merge`.
pub fn finish_shard(dir: &Path, manifest: Manifest) -> Result<Manifest, Failure> {
    manifest
        .write_manifest(dir, Default::default())
        .map_err(failure)
}

/// A short table of headline statistics per model from `stats.csv`, for the terminal.
pub fn headline(dir: &Path) -> Result<String, Failure> {
    let (_, rows) = leadsim::output::read::stats(dir).map_err(failure)?;
    // The headline outcomes and costs of the charts, the reference families' figures, then the
    // manipulation checks apart.
    let checks = [
        "decision_makers_mean",
        "leadership_centralization_mean",
        "latency_mean",
        "utilization_mean",
    ];
    let reference = [
        "code_knowledge_final",
        "individual_knowledge_final",
        "period_final",
        "mean_score_final",
        "distinct_solutions_final",
    ];
    let sections: [(&str, Vec<&str>); 2] = [
        (
            "Outcomes and costs",
            leadsim::plot::SWEEP_METRICS
                .into_iter()
                .chain(reference)
                .collect(),
        ),
        (
            "Manipulation checks (fixed or driven by each model's definition; not outcomes)",
            checks.to_vec(),
        ),
    ];
    let mut out = String::new();
    for (title, wanted) in &sections {
        let mut body = String::new();
        let mut current = "";
        for r in rows.iter().filter(|r| {
            r.point.is_none_or(|p| p == 0)
                && r.versus.is_none()
                && wanted.contains(&r.metric.as_str())
        }) {
            if r.metric != current {
                body += &format!("{}\n", r.metric);
                current = &r.metric;
            }
            body += &format!(
                "  {:<16} {:>9}  [{}, {}]\n",
                r.model,
                short(r.mean),
                short(r.low),
                short(r.high)
            );
        }
        if !body.is_empty() {
            out += &format!("{title} — mean [95% CI] over replicates\n{body}");
        }
    }
    Ok(out)
}

pub fn short(x: f64) -> String {
    if x.is_nan() {
        "NA".into()
    } else {
        format!("{x:.4}")
    }
}
