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

/// The command that resumes the experiment running now, for the second Ctrl-C (which ends the
/// process at once, before the error that would say it).
static RESUME: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// The process-wide stop flag, set by Ctrl-C or SIGTERM.
fn stop_flag() -> Arc<AtomicBool> {
    static FLAG: std::sync::OnceLock<Arc<AtomicBool>> = std::sync::OnceLock::new();
    FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let f = flag.clone();
        // If a handler cannot be installed the run simply cannot be stopped gracefully.
        let _ = ctrlc::set_handler(move || {
            if f.swap(true, Ordering::SeqCst) {
                let hint = RESUME
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .as_ref()
                    .map(|c| format!("\nresume with: {c} --resume"))
                    .unwrap_or_default();
                eprintln!("\nleadsim: stopping now; finished runs are kept{hint}");
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
            "{bar:40.cyan/blue} {pos}/{len} runs  {rate}  ETA {eta}  {msg}",
        )
        .map(|style| {
            style.with_key(
                "rate",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = w.write_str(&rate_text(state.per_sec()));
                },
            )
        })
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// Runs per second as the progress bar shows it: three significant figures at most
/// ("24.96…" is "25.0 runs/s", "1234.5" is "1234 runs/s").
fn rate_text(per_sec: f64) -> String {
    if !per_sec.is_finite() || per_sec <= 0.0 {
        "– runs/s".to_string()
    } else if per_sec >= 100.0 {
        format!("{per_sec:.0} runs/s")
    } else if per_sec >= 10.0 {
        format!("{per_sec:.1} runs/s")
    } else {
        format!("{per_sec:.2} runs/s")
    }
}

/// Where an experiment writes, as [`prepare`] decided, with the folder's lock held.
pub struct Target {
    /// The result folder asked for.
    pub dir: PathBuf,
    /// Where the result is written until it is finished: `dir` itself, or (`--force` over a
    /// result) a fresh folder beside it that replaces it once finished ([`Target::commit`]), so
    /// the old result is not lost before the new one exists.
    pub work: PathBuf,
    lock: FolderLock,
    staged: Option<FolderLock>,
}

impl Target {
    /// Puts a finished result built beside the folder in its place (nothing to do for one
    /// written in place).
    pub fn commit(&mut self) -> Result<(), Failure> {
        if self.staged.is_none() {
            return Ok(());
        }
        let leftover = output::replace(&self.dir, &self.work).map_err(failure)?;
        if let Some(staged) = self.staged.as_mut() {
            staged.moved_to(&self.dir);
        }
        // The old folder's lock file went with the old folder: nothing is left to remove.
        self.lock.moved_to(&self.work);
        self.work = self.dir.clone();
        if let Some(old) = leftover {
            eprintln!(
                "note: the replaced result could not be removed; delete {} yourself",
                old.display()
            );
        }
        Ok(())
    }
}

/// Checks the folder, takes the lock and writes (or checks) the plan. Returns `None` when the
/// folder already holds this experiment's finished result (checked against its checksums), so
/// there is nothing to do: a resume of it, or the same command run again. A different
/// experiment is refused unless `--force`, which builds the new result beside the old one.
pub fn prepare(dir: &Path, manifest: &Manifest, args: &RunArgs) -> Result<Option<Target>, Failure> {
    let state = output::state(dir).map_err(failure)?;
    if state == FolderState::NotAFolder {
        return Err(failure(OutputError::NotAFolder {
            path: dir.to_path_buf(),
        }));
    }
    // A `--force` run stopped before it replaced the old result is resumed where it is built.
    if args.resume
        && matches!(state, FolderState::Complete | FolderState::Unfinished)
        && let Some(target) = resume_staged(dir, manifest)?
    {
        return Ok(Some(target));
    }
    // (A replacement found finished has just been put in place.)
    let state = output::state(dir).map_err(failure)?;
    match state {
        FolderState::Complete if args.resume || !args.force => {
            let done = Manifest::read(dir, output::MANIFEST).map_err(failure)?;
            check_identity(dir, &done, manifest, args.resume)?;
            // Nothing to resume only if the result is whole.
            leadsim::output::read::verify(dir, &done).map_err(failure)?;
            eprintln!(
                "{} already holds this experiment's finished result: nothing to do (--force runs it again)",
                dir.display()
            );
            return Ok(None);
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
    if args.force && matches!(state, FolderState::Complete | FolderState::Unfinished) {
        // The old result stays whole until the new one is finished beside it.
        let work = output::staging(dir).map_err(failure)?;
        if work.exists() {
            std::fs::remove_dir_all(&work)
                .map_err(output::io_at(&work))
                .map_err(failure)?;
        }
        let staged = FolderLock::acquire(&work).map_err(failure)?;
        manifest.write_plan(&work).map_err(failure)?;
        return Ok(Some(Target {
            dir: dir.to_path_buf(),
            work,
            lock,
            staged: Some(staged),
        }));
    }
    if args.force {
        // A folder of other files: leadsim's own files go, the others stay.
        output::clear(dir).map_err(failure)?;
    }
    output::clean_temporaries(dir);
    if args.resume && state == FolderState::Unfinished {
        let old = Manifest::read(dir, output::PLAN).map_err(failure)?;
        check_identity(dir, &old, manifest, true)?;
    } else {
        manifest.write_plan(dir).map_err(failure)?;
    }
    Ok(Some(Target {
        dir: dir.to_path_buf(),
        work: dir.to_path_buf(),
        lock,
        staged: None,
    }))
}

/// The unfinished result a `--force` run was building beside `dir` when it stopped, locked and
/// checked to be `manifest`'s experiment; `None` when there is none.
fn resume_staged(dir: &Path, manifest: &Manifest) -> Result<Option<Target>, Failure> {
    let Ok(work) = output::staging(dir) else {
        return Ok(None);
    };
    if !work.join(output::PLAN).is_file() {
        return Ok(None);
    }
    let old = Manifest::read(&work, output::PLAN).map_err(failure)?;
    if old.identity != manifest.identity || old.shard != manifest.shard {
        // Another experiment's abandoned replacement: the folder itself decides.
        return Ok(None);
    }
    let lock = FolderLock::acquire(dir).map_err(failure)?;
    let staged = FolderLock::acquire(&work).map_err(failure)?;
    output::clean_temporaries(&work);
    let mut target = Target {
        dir: dir.to_path_buf(),
        work,
        lock,
        staged: Some(staged),
    };
    if target.work.join(output::MANIFEST).is_file() {
        // Finished, then stopped before the swap: only the swap is left to do.
        target.commit()?;
        return Ok(None);
    }
    Ok(Some(target))
}

/// Refuses a folder holding another experiment than `new` (`old` is its plan or manifest),
/// saying what differs; `resume` says whether a resume or a new run was asked for.
fn check_identity(dir: &Path, old: &Manifest, new: &Manifest, resume: bool) -> Result<(), Failure> {
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
        let advice = if resume {
            "resume with the same command, or use --force to start over"
        } else {
            "use --force to replace it, or -o to choose another folder"
        };
        return Err(failure(OutputError::Mismatch {
            path: dir.to_path_buf(),
            detail: format!("{what}; {advice}"),
        }));
    }
    Ok(())
}

/// Runs `indices` of `plan` into `target` with a progress bar, in journals of the experiment
/// `identity`; on interruption says how to resume. For a whole experiment (`ordered`:
/// `indices` are every run) returns the complete ordered time-series file for [`finish`].
pub fn run_indices(
    plan: &Plan,
    identity: &str,
    target: &Target,
    indices: &[u64],
    ordered: bool,
    args: &RunArgs,
    resume_command: &str,
) -> Result<Option<Complete>, Failure> {
    let stop = stop_flag();
    *RESUME.lock().unwrap_or_else(|e| e.into_inner()) = Some(resume_command.to_string());
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
    let runs = target.work.join(output::RUNS);
    let result = runner::execute(plan, identity, &runs, indices, ordered, &stop, &progress);
    bar.finish_and_clear();
    let dir = target.dir.display();
    match result {
        Ok(complete) => Ok(complete),
        Err(RunError::Interrupted { done, total }) => Err(Failure::Other(anyhow::anyhow!(
            "interrupted: {done} of {total} runs are finished and kept in {}\nresume with: {resume_command} --resume",
            target.work.display()
        ))),
        // A full disk or a failing device: what was journaled before it is kept.
        Err(RunError::Output(e)) if !e.is_input() => Err(Failure::Other(anyhow::anyhow!(
            "{e}\nthe runs finished before this are kept in {}{}; fix the cause (e.g. free disk space) and resume with: {resume_command} --resume",
            target.work.display(),
            if target.work == target.dir {
                String::new()
            } else {
                format!(" (the result in {dir} is kept until this one is finished)")
            }
        ))),
        Err(RunError::Output(e)) => Err(failure(e)),
    }
}

/// Runs the batches of a precision plan into `target` (journals of the experiment `identity`)
/// until its rule decides, saying on stderr
/// after each batch how wide the widest interval is; returns the plan its tables describe
/// (with the chosen number of replicates) and the decision.
pub fn run_by_precision(
    plan: &Plan,
    identity: &str,
    target: &Target,
    args: &RunArgs,
    resume_command: &str,
) -> Result<(Plan, Outcome), Failure> {
    let dir = &target.work;
    let stop = stop_flag();
    *RESUME.lock().unwrap_or_else(|e| e.into_inner()) = Some(resume_command.to_string());
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
    let result = precision::execute(plan, identity, &runs, &stop, &progress, &on_batch);
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

/// Runs every run of `plan` into `target` (from [`prepare`]), assembles the tables, writes the
/// manifest, puts the result in place and draws the charts; `command` (without `-o`) is what
/// resumes it.
pub fn run_all(
    plan: &Plan,
    target: &mut Target,
    manifest: Manifest,
    args: &RunArgs,
    command: &str,
) -> Result<(), Failure> {
    let indices: Vec<u64> = (0..plan.runs()).collect();
    let resume = format!(
        "{command} -o {}",
        shell_word(&target.dir.display().to_string())
    );
    let identity = manifest.identity.clone();
    let series = run_indices(plan, &identity, target, &indices, true, args, &resume)?;
    finish(plan, &target.work, manifest, series.as_ref())?;
    target.commit()?;
    charts(&target.dir, args.no_charts)
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
    let hashes = output::tables::assemble(&plan.layout(), &manifest.identity, std::slice::from_ref(&runs), dir, series).map_err(|e| {
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
    let sweep = rows.iter().any(|r| r.point.is_some());
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
        "mean_score_final",
    ];
    let reference_process = ["period_final", "distinct_solutions_final"];
    let sections: [(&str, Vec<&str>); 3] = [
        (
            "Outcomes and costs",
            leadsim::plot::SWEEP_METRICS
                .into_iter()
                .chain(reference)
                .collect(),
        ),
        ("Process", reference_process.to_vec()),
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
                body += &format!("{}{}\n", r.metric, unit_text(&r.metric));
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
            out += &format!(
                "{title} — mean [95% CI] over replicates{at}\n{body}",
                at = if sweep { ", at point 0" } else { "" }
            );
        }
    }
    out += &report_pointer(
        dir,
        "Paired differences, Holm-adjusted p-values and what every measure means",
    );
    Ok(out)
}

/// "`what`: DIR/report.html" and a newline when the folder has its report (not with
/// `--no-charts`), else nothing.
pub fn report_pointer(dir: &Path, what: &str) -> String {
    let report = dir.join(leadsim::output::REPORT);
    if report.is_file() {
        format!("{what}: {}\n", report.display())
    } else {
        String::new()
    }
}

/// What a sweep's report holds, for the line that points to it.
pub const SWEEP_REPORT: &str = "Every point's statistics, the charts and what every measure means";

/// "  (share of the maximum, 0 to 1)": a column's unit and range for the console summary.
fn unit_text(column: &str) -> String {
    match leadsim::results::measure(column) {
        Some(m) => format!(
            "  ({}; {}, {})",
            m.reduction(),
            m.metric.unit,
            m.metric.range.text()
        ),
        None => String::new(),
    }
}

pub fn short(x: f64) -> String {
    if x.is_nan() {
        "NA".into()
    } else {
        format!("{x:.4}")
    }
}

#[cfg(test)]
mod tests {
    use super::rate_text;

    #[test]
    fn the_rate_has_few_digits_and_a_unit() {
        assert_eq!(rate_text(24.9611), "25.0 runs/s");
        assert_eq!(rate_text(1234.5), "1234 runs/s");
        assert_eq!(rate_text(0.4567), "0.46 runs/s");
        assert_eq!(rate_text(0.0), "– runs/s");
        assert_eq!(rate_text(f64::NAN), "– runs/s");
    }
}
