//! `leadsim slurm`: write the scripts that run a sweep as a Slurm job array and merge its shards.

use super::{Failure, InputContext, OtherContext, experiment, failure};
use leadsim::output::{self, OutputError};
use leadsim::slurm::{self, Options, Scripts};
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Writes DIR/array.sbatch (task K runs `leadsim sweep --shard K+1/N --resume` into \
DIR/shard-<K+1>-of-N), DIR/merge.sbatch (merges the shards into DIR/merged, then writes its \
report) and DIR/submit.sh (submits the array, then the merge to start once every task has \
succeeded). The scripts hold absolute paths: DIR, the sweep file and the leadsim binary must be \
reachable from the compute nodes.\n\nIf task K fails, the merge is cancelled. Fix the cause, \
then run the task again (safe: --resume keeps its finished runs) and the merge after it:\n  \
j=$(sbatch --parsable --array=K DIR/array.sbatch)\n  \
sbatch --dependency=afterok:${j%%;*} DIR/merge.sbatch\n\nExamples:\n  \
leadsim slurm scenarios/capacity-shock-sweep.toml --tasks 8 --cpus 4 \\\n      \
--time 1:00:00 -o /scratch/me/capacity\n  \
sh /scratch/me/capacity/submit.sh      # submit the array and the merge\n  \
leadsim slurm my-sweep.toml --tasks 50 --partition short --leadsim ~/bin/leadsim"
)]
pub struct Args {
    /// Sweep file (TOML), as for `leadsim sweep`.
    pub sweep: PathBuf,
    /// Array tasks, one shard of the sweep each (default: 10, or the number of runs if fewer).
    #[arg(long, value_name = "N")]
    pub tasks: Option<u64>,
    /// Slurm partition of the jobs (default: the cluster's default partition).
    #[arg(long, value_name = "P")]
    pub partition: Option<String>,
    /// Time limit of each job, in Slurm's format: 90, 1:30:00, 2-00:00:00 (default: the
    /// partition's).
    #[arg(long, value_name = "T")]
    pub time: Option<String>,
    /// CPUs per array task; the task runs that many threads.
    #[arg(long, value_name = "C", default_value_t = 1)]
    pub cpus: u32,
    /// Folder for the scripts, the logs, the shard folders and the merged result (default:
    /// output/<name>-slurm).
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// The leadsim binary the jobs run (default: this one).
    #[arg(long, value_name = "PATH")]
    pub leadsim: Option<PathBuf>,
    /// Master seed (overrides the sweep's and the base scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Replicates per model and point (overrides the file).
    #[arg(long)]
    pub replications: Option<u32>,
    /// Replace scripts of another sweep or other options already in the folder.
    #[arg(long)]
    pub force: bool,
}

/// Default number of array tasks.
const DEFAULT_TASKS: u64 = 10;
/// Slurm's default `MaxArraySize`: arrays of more tasks need a site that raised it.
const SLURM_MAX_ARRAY_SIZE: u64 = 1001;

pub fn run(args: Args) -> Result<(), Failure> {
    if args.cpus as usize > super::MAX_THREADS {
        return Err(Failure::Input(anyhow::anyhow!(
            "--cpus {} is not valid: each task runs that many threads, at most {}",
            args.cpus,
            super::MAX_THREADS
        )));
    }
    let (sweep, _) = super::sweep::load(&args.sweep, args.seed, args.replications)?;
    let plan = sweep.plan(args.seed, args.replications).input()?;
    if plan.precision.is_some() {
        return Err(Failure::Input(anyhow::anyhow!(
            "{}: replications by precision cannot run as a job array: the rule needs every point's results after each batch; give a fixed number with --replications N, or run `leadsim sweep` on one machine",
            args.sweep.display()
        )));
    }
    let runs = plan.runs();
    let dir = args
        .output
        .clone()
        .unwrap_or_else(|| experiment::default_dir(&format!("{}-slurm", plan.name)));
    let leadsim = match &args.leadsim {
        Some(p) => {
            check_program(p)?;
            std::path::absolute(p).input()?
        }
        None => std::env::current_exe().other()?,
    };
    let mut opts = Options {
        leadsim,
        sweep: std::fs::canonicalize(&args.sweep).input()?,
        // Checked before the folder exists, so that bad options create nothing.
        dir: std::path::absolute(&dir).input()?,
        name: plan.name.clone(),
        runs,
        tasks: args.tasks.unwrap_or(DEFAULT_TASKS.min(runs)),
        cpus: args.cpus,
        partition: args.partition.clone(),
        time: args.time.clone(),
        seed: args.seed,
        replications: args.replications,
    };
    slurm::check(&opts).input()?;
    std::fs::create_dir_all(dir.join(slurm::LOGS))
        .map_err(output::io_at(&dir))
        .map_err(failure)?;
    opts.dir = std::fs::canonicalize(&dir).other()?;
    slurm::check(&opts).input()?;
    let scripts = slurm::scripts(&opts);
    write(&opts.dir, &scripts, args.force)?;

    let n = opts.tasks;
    let d = opts.dir.display();
    outln!(
        "{}: {runs} runs in a job array of {n} tasks ({} CPU{} each) → {d}",
        plan.name,
        opts.cpus,
        if opts.cpus == 1 { "" } else { "s" }
    );
    outln!(
        "  {d}/{}  task K runs shard K+1/{n} into {d}/shard-<K+1>-of-{n}",
        slurm::ARRAY
    );
    outln!(
        "  {d}/{}  merges the shards into {d}/{} once every task has succeeded",
        slurm::MERGE,
        slurm::MERGED
    );
    outln!("submit with: sh {d}/{}", slurm::SUBMIT);
    outln!(
        "if task K fails: fix the cause, then\n  j=$(sbatch --parsable --array=K {d}/{})\n  sbatch --dependency=afterok:${{j%%;*}} {d}/{}",
        slurm::ARRAY,
        slurm::MERGE
    );
    if n > SLURM_MAX_ARRAY_SIZE {
        eprintln!(
            "note: {n} tasks exceed Slurm's default limit of {SLURM_MAX_ARRAY_SIZE} per array; check your cluster's with `scontrol show config | grep MaxArraySize`"
        );
    }
    Ok(())
}

/// Refuses a `--leadsim` that is not a program the jobs could run: a missing path, a folder,
/// or a file without permission to execute.
fn check_program(path: &Path) -> Result<(), Failure> {
    let bad = |why: &str| {
        Failure::Input(anyhow::anyhow!(
            "--leadsim {}: {why}; give the path of a leadsim binary (e.g. target/release/leadsim), or leave --leadsim out to use this one",
            path.display()
        ))
    };
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(bad("no such file")),
        Err(e) => return Err(bad(&format!("cannot be read ({e})"))),
    };
    if meta.is_dir() {
        return Err(bad("it is a folder, not a program"));
    }
    if !meta.is_file() {
        return Err(bad("it is not a regular file"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o111 == 0 {
            return Err(bad("it is not executable (chmod +x it, if it is leadsim)"));
        }
    }
    Ok(())
}

/// Writes the scripts into `dir`, refusing to replace different ones without `force`.
fn write(dir: &Path, scripts: &Scripts, force: bool) -> Result<(), Failure> {
    let files = [
        (slurm::SUBMIT, &scripts.submit),
        (slurm::ARRAY, &scripts.array),
        (slurm::MERGE, &scripts.merge),
    ];
    if !force {
        for (name, text) in files {
            let path = dir.join(name);
            if path.exists() && std::fs::read_to_string(&path).ok().as_ref() != Some(text) {
                return Err(Failure::Input(anyhow::anyhow!(
                    "{} already holds Slurm scripts for another sweep or other options ({name} differs); choose another folder with -o, or use --force to replace them",
                    dir.display()
                )));
            }
        }
    }
    for (name, text) in files {
        let path = dir.join(name);
        output::write_atomic(&path, text.as_bytes()).map_err(failure)?;
    }
    make_executable(&dir.join(slurm::SUBMIT))
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<(), Failure> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| OutputError::Io {
            path: path.to_path_buf(),
            source: e,
        })
        .map_err(failure)
}

#[cfg(not(unix))]
fn make_executable(_: &Path) -> Result<(), Failure> {
    Ok(())
}
