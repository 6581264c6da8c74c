//! Argument parsing and dispatch. Each subcommand lives in its own file; all of them return a
//! [`Failure`] that says whether the input was bad (exit 2) or something else went wrong (exit 1).

/// Prints to standard output. A closed pipe (`leadsim … | head`) is not a failure and must not
/// panic; any other write error (a full disk behind `> file`) is remembered by [`stdout_result`]
/// and makes the command fail at the end.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        $crate::cli::stdout_result(writeln!(std::io::stdout().lock(), $($arg)*));
    }};
}

/// Like [`outln!`] without the newline.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        $crate::cli::stdout_result(write!(std::io::stdout().lock(), $($arg)*));
    }};
}

/// The first error writing to standard output other than a closed pipe.
static STDOUT_ERROR: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// Records the outcome of a write to standard output (see [`outln!`]).
pub fn stdout_result(result: std::io::Result<()>) {
    if let Err(e) = result
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        let mut slot = STDOUT_ERROR.lock().unwrap_or_else(|e| e.into_inner());
        slot.get_or_insert_with(|| e.to_string());
    }
}

mod check;
mod compare;
mod discover;
mod events;
mod experiment;
mod landscape;
mod merge;
mod models;
mod plot;
mod replicate;
mod report;
mod run;
mod sensitivity;
mod slurm;
mod sweep;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Agent-based simulation of centralized versus shared (network) leadership through change.
#[derive(Debug, Parser)]
#[command(name = "leadsim", version, about, long_about = None)]
#[command(
    after_help = "Examples:\n  leadsim run scenarios/baseline.toml                 # compare the models\n  leadsim check scenarios/change/market-shock.toml    # validate and show what would run\n  leadsim sweep scenarios/capacity-shock-sweep.toml   # a parameter sweep on all cores\n  leadsim discover output/capacity-sobol --where \"shared-centralized:performance_mean > 0\"\n  leadsim compare output/baseline output/market-shock   # two results, paired when they can be\n  leadsim models; leadsim events                      # what a scenario file can say\n  leadsim replicate march1991                         # reproduce a published figure\n  leadsim landscape --n 12 --k 3 --samples 50         # statistics of NK landscapes\n\nExit codes: 0 success, 2 bad input (file, argument, result folder), 1 any other failure\n(I/O, interruption, a failed replication check).\nEach command has its own --help with examples."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run every model and replicate of a scenario and write CSV, manifest, charts and report.
    Run(run::Args),
    /// Run a parameter sweep (or one shard of it) and write the same files as `run`.
    Sweep(sweep::Args),
    /// Combine the shard folders of one sweep into the result one machine would have written.
    Merge(merge::Args),
    /// Write the scripts that run a sweep as a Slurm job array and merge its shards.
    Slurm(slurm::Args),
    /// Morris or Sobol' sensitivity indices of a finished sweep (sensitivity.csv, problem.json).
    Sensitivity(sensitivity::Args),
    /// Find where in the swept parameters a condition holds (PRIM scenario discovery).
    Discover(discover::Args),
    /// Validate a scenario or sweep file and print what would run, without running.
    Check(check::Args),
    /// List the leadership models, their parameters, defaults and meaning.
    Models(models::Args),
    /// List the kinds of events (change), their parameters, defaults and meaning.
    Events(events::Args),
    /// Replicate a reference model's published figure (March 1991; Lazer & Friedman 2007; NK).
    Replicate(replicate::Args),
    /// Print statistics of sampled NK landscapes (local optima, optimum fitness, walk lengths).
    Landscape(landscape::Args),
    /// (Re)draw the charts of a result folder as PNG and SVG into DIR/charts/.
    Plot(plot::Args),
    /// Write a self-contained report.html for a result folder.
    Report(report::Args),
    /// Compare two finished results of `run` (paired when they met the same worlds).
    Compare(compare::Args),
}

/// Why a command failed, which decides the exit code.
#[derive(Debug)]
pub enum Failure {
    /// The user's input (a file, an argument, a result folder) is invalid: exit code 2.
    Input(anyhow::Error),
    /// Anything else (I/O, a full disk, an interrupted run): exit code 1.
    Other(anyhow::Error),
}

impl Failure {
    fn code(&self) -> u8 {
        match self {
            Failure::Input(_) => 2,
            Failure::Other(_) => 1,
        }
    }
    fn error(&self) -> &anyhow::Error {
        match self {
            Failure::Input(e) | Failure::Other(e) => e,
        }
    }
}

/// A library error that knows whether the user is at fault (a file, an argument, a result
/// folder: exit 2) or the machine (exit 1).
pub trait Blame: Into<anyhow::Error> {
    /// Whether the user's input is at fault.
    fn is_input(&self) -> bool;
}

impl Blame for leadsim::output::OutputError {
    fn is_input(&self) -> bool {
        self.is_input()
    }
}

impl Blame for leadsim::output::read::ReadError {
    fn is_input(&self) -> bool {
        self.is_input()
    }
}

impl Blame for leadsim::plot::PlotError {
    fn is_input(&self) -> bool {
        self.is_input()
    }
}

impl Blame for leadsim::contrast::CompareError {
    fn is_input(&self) -> bool {
        self.is_input()
    }
}

impl Blame for leadsim::report::ReportError {
    fn is_input(&self) -> bool {
        self.is_input()
    }
}

/// The failure an error means: bad input or another failure, as the error says.
pub fn failure(e: impl Blame) -> Failure {
    if e.is_input() {
        Failure::Input(e.into())
    } else {
        Failure::Other(e.into())
    }
}

/// Marks an error as bad input.
pub trait InputContext<T> {
    fn input(self) -> Result<T, Failure>;
}

impl<T, E: Into<anyhow::Error>> InputContext<T> for Result<T, E> {
    fn input(self) -> Result<T, Failure> {
        self.map_err(|e| Failure::Input(e.into()))
    }
}

/// Marks an error as a failure other than bad input.
pub trait OtherContext<T> {
    fn other(self) -> Result<T, Failure>;
}

impl<T, E: Into<anyhow::Error>> OtherContext<T> for Result<T, E> {
    fn other(self) -> Result<T, Failure> {
        self.map_err(|e| Failure::Other(e.into()))
    }
}

/// The most worker threads `--threads` may ask for: far more than any machine's cores (results
/// do not depend on the count, and threads beyond the cores only slow a run down), few enough
/// that starting them cannot exhaust the system.
pub const MAX_THREADS: usize = 1024;

/// Sizes the global rayon pool; `None` keeps rayon's default (one thread per core).
pub fn set_threads(threads: Option<usize>) -> Result<(), Failure> {
    if let Some(t) = threads {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        if t == 0 || t > MAX_THREADS {
            return Err(Failure::Input(anyhow::anyhow!(
                "--threads {t} is not valid: give between 1 and {MAX_THREADS} (this machine has {cores} cores; results do not depend on the number of threads)"
            )));
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build_global()
            .map_err(|e| {
                Failure::Other(anyhow::anyhow!(
                    "cannot start {t} worker threads ({e}): give fewer with --threads (this machine has {cores} cores), or raise the limit on processes (ulimit -u) or memory (ulimit -v)"
                ))
            })?;
    }
    Ok(())
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Sweep(args) => sweep::run(args),
        Command::Merge(args) => merge::run(args),
        Command::Slurm(args) => slurm::run(args),
        Command::Sensitivity(args) => sensitivity::run(args),
        Command::Discover(args) => discover::run(args),
        Command::Check(args) => check::run(args),
        Command::Models(args) => models::run(args),
        Command::Events(args) => events::run(args),
        Command::Replicate(args) => replicate::run(args),
        Command::Landscape(args) => landscape::run(args),
        Command::Plot(args) => plot::run(args),
        Command::Report(args) => report::run(args),
        Command::Compare(args) => compare::run(args),
    };
    // Output lost to a write error is a failure even when the command itself succeeded.
    let lost = {
        use std::io::Write as _;
        stdout_result(std::io::stdout().flush());
        STDOUT_ERROR
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    };
    let result = match (result, lost) {
        (Ok(()), Some(e)) => Err(Failure::Other(anyhow::anyhow!(
            "cannot write to standard output: {e}"
        ))),
        (result, _) => result,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let err = failure.error();
            let mut top = err.to_string();
            // A whole number beyond what TOML holds: say what the key itself takes.
            let input = err
                .downcast_ref::<leadsim::params::InputError>()
                .or_else(
                    || match err.downcast_ref::<leadsim::scenario::LoadError>() {
                        Some(leadsim::scenario::LoadError::Input(e)) => Some(e),
                        _ => None,
                    },
                );
            if let Some(e) = input
                && e.message.contains("TOML whole numbers must be between")
                && let Some(valid) = leadsim::format::valid_at(&e.key)
            {
                top += &format!("; {} takes {valid}", e.key);
            }
            // A file name or a value quoted in an error never sends control characters (an
            // escape sequence) to the terminal.
            eprintln!("error: {}", leadsim::params::safe(&top));
            // Errors that already quote their cause (`path: No such file…`) don't repeat it.
            for cause in err.chain().skip(1) {
                let cause = cause.to_string();
                if !top.contains(&cause) {
                    eprintln!("  caused by: {}", leadsim::params::safe(&cause));
                }
            }
            ExitCode::from(failure.code())
        }
    }
}
