//! Sweeps as Slurm job arrays: the scripts that run every shard of a sweep as one task of a job
//! array and then merge the shards in a job that waits for all of them.
//!
//! Three scripts, generated as text by [`scripts`] (no I/O here; `leadsim slurm` writes them):
//! - `array.sbatch`: task K of an array of N runs `leadsim sweep --shard K+1/N --resume` into
//!   `DIR/shard-(K+1)-of-N`. `--resume` makes a task safe to run again: it starts a missing
//!   folder, finishes an unfinished one and leaves a finished one alone.
//! - `merge.sbatch`: `leadsim merge` of the N shard folders into `DIR/merged`, then
//!   `leadsim report` of the merged folder (best effort: the tables are the result).
//! - `submit.sh`: submits the array, then the merge with `--dependency=afterok:<array>` and
//!   `--kill-on-invalid-dep=yes`, so a failed task cancels the merge instead of leaving it
//!   pending forever.
//!
//! Jobs run on other machines, so every path in the scripts is absolute; [`check`] insists.
//!
//! ```
//! use leadsim::slurm::{Options, check, scripts};
//! let opts = Options {
//!     leadsim: "/opt/leadsim/bin/leadsim".into(),
//!     sweep: "/home/me/sweep.toml".into(),
//!     dir: "/scratch/me/sweep".into(),
//!     name: "sweep".into(),
//!     runs: 288,
//!     tasks: 3,
//!     cpus: 4,
//!     partition: None,
//!     time: Some("1:00:00".into()),
//!     seed: None,
//!     replications: None,
//! };
//! check(&opts).unwrap();
//! let s = scripts(&opts);
//! assert!(s.array.contains("#SBATCH --array=0-2"));
//! assert!(s.submit.contains("--dependency=afterok:"));
//! ```

use std::path::{Path, PathBuf};

/// The script that submits the array and the merge.
pub const SUBMIT: &str = "submit.sh";
/// The job array, one shard per task.
pub const ARRAY: &str = "array.sbatch";
/// The merge job.
pub const MERGE: &str = "merge.sbatch";
/// The folder of the jobs' logs (it must exist before a job starts).
pub const LOGS: &str = "logs";
/// The folder of the merged result.
pub const MERGED: &str = "merged";
/// The most tasks: one shard each.
pub(crate) const MAX_TASKS: u64 = crate::experiment::MAX_SHARDS;

/// What to generate: the sweep, where its folders go and the resources of each task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The `leadsim` binary the jobs run (absolute).
    pub leadsim: PathBuf,
    /// The sweep file (absolute).
    pub sweep: PathBuf,
    /// The folder for the scripts, logs, shard folders and the merged result (absolute).
    pub dir: PathBuf,
    /// The sweep's name, for the job names.
    pub name: String,
    /// Runs in the sweep.
    pub runs: u64,
    /// Array tasks, one shard each.
    pub tasks: u64,
    /// CPUs per array task (the sweep's `--threads`).
    pub cpus: u32,
    /// Slurm partition (`None`: the cluster's default).
    pub partition: Option<String>,
    /// Time limit per job in a Slurm format such as `90`, `1:30:00` or `2-00:00:00` (`None`:
    /// the partition's default).
    pub time: Option<String>,
    /// `--seed` passed on to `leadsim sweep`.
    pub seed: Option<u64>,
    /// `--replications` passed on to `leadsim sweep`.
    pub replications: Option<u32>,
}

/// The generated scripts, by file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scripts {
    /// `submit.sh`.
    pub submit: String,
    /// `array.sbatch`.
    pub array: String,
    /// `merge.sbatch`.
    pub merge: String,
}

/// Why options cannot make working scripts.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SlurmError {
    /// The task count is zero or larger than the runs (or `MAX_TASKS`).
    #[error(
        "--tasks {tasks} is not valid: give between 1 and {max} (the sweep has {runs} runs, and each task runs at least one)"
    )]
    Tasks {
        /// The task count given.
        tasks: u64,
        /// The sweep's runs.
        runs: u64,
        /// The most tasks allowed.
        max: u64,
    },
    /// No CPU per task.
    #[error("--cpus 0 is not valid: give at least 1")]
    Cpus,
    /// The time limit is not in a format Slurm reads.
    #[error(
        "--time \"{0}\" is not a Slurm time limit: give minutes (90), hours:minutes:seconds (1:30:00) or days-hours:minutes:seconds (2-00:00:00)"
    )]
    Time(String),
    /// The partition is not a plain name (or comma-separated names).
    #[error(
        "--partition \"{0}\" is not a partition name: use letters, digits and - _ . (several partitions separated by commas)"
    )]
    Partition(String),
    /// A path is relative.
    #[error("{what} {path} is not an absolute path: the jobs run elsewhere and need one")]
    Relative {
        /// Which path (the binary, the sweep file, the folder).
        what: &'static str,
        /// The path given.
        path: PathBuf,
    },
    /// A path is not UTF-8.
    #[error("{what} {path} is not valid UTF-8 text, which the scripts must hold")]
    NotText {
        /// Which path (the binary, the sweep file, the folder).
        what: &'static str,
        /// The path given.
        path: PathBuf,
    },
    /// The folder's path holds a character `#SBATCH` lines cannot carry.
    #[error(
        "the folder {path} contains {found:?}, which #SBATCH lines cannot carry: choose a folder whose path has no spaces, quotes, backslashes or %"
    )]
    Unsafe {
        /// The folder given.
        path: PathBuf,
        /// The first such character.
        found: char,
    },
}

/// Checks that `opts` make scripts that work: a task count between 1 and the number of runs,
/// absolute UTF-8 paths, a folder path that `#SBATCH` lines can carry, a Slurm time format and
/// a plain partition name.
pub fn check(opts: &Options) -> Result<(), SlurmError> {
    let max = opts.runs.min(MAX_TASKS);
    if opts.tasks == 0 || opts.tasks > max {
        return Err(SlurmError::Tasks {
            tasks: opts.tasks,
            runs: opts.runs,
            max,
        });
    }
    if opts.cpus == 0 {
        return Err(SlurmError::Cpus);
    }
    for (what, path) in [
        ("the leadsim binary", &opts.leadsim),
        ("the sweep file", &opts.sweep),
        ("the folder", &opts.dir),
    ] {
        if !path.is_absolute() {
            return Err(SlurmError::Relative {
                what,
                path: path.clone(),
            });
        }
        if path.to_str().is_none() {
            return Err(SlurmError::NotText {
                what,
                path: path.clone(),
            });
        }
    }
    let dir = text(&opts.dir);
    if let Some(found) = dir
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || "\"'\\%".contains(*c))
    {
        return Err(SlurmError::Unsafe {
            path: opts.dir.clone(),
            found,
        });
    }
    if let Some(t) = &opts.time
        && !is_time(t)
    {
        return Err(SlurmError::Time(t.clone()));
    }
    // Every name of a comma-separated list is a name: `,` or `short,` names none.
    if let Some(p) = &opts.partition
        && p.split(',').any(|name| {
            name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        })
    {
        return Err(SlurmError::Partition(p.clone()));
    }
    Ok(())
}

/// Whether `t` is a Slurm time limit: `M`, `M:S`, `H:M:S`, `D-H`, `D-H:M`, `D-H:M:S`, or
/// `UNLIMITED`/`INFINITE`.
fn is_time(t: &str) -> bool {
    if t.eq_ignore_ascii_case("unlimited") || t.eq_ignore_ascii_case("infinite") {
        return true;
    }
    let digits = |s: &str| !s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit());
    let clock = match t.split_once('-') {
        Some((days, clock)) if digits(days) => clock,
        Some(_) => return false,
        None => t,
    };
    let parts: Vec<&str> = clock.split(':').collect();
    if parts.len() > 3 || !parts.iter().all(|p| digits(p)) {
        return false;
    }
    // The first field is unbounded (minutes, or hours without days); hours after days are
    // below 24, minutes and seconds after the first field below 60: `1:60:00` is no time.
    let value = |p: &str| p.parse::<u64>().unwrap_or(u64::MAX);
    let days = clock.len() != t.len();
    parts.iter().enumerate().all(|(i, p)| match i {
        0 if days => value(p) < 24,
        0 => true,
        _ => value(p) < 60,
    })
}

/// The scripts for `opts`, which should have passed [`check`].
pub fn scripts(opts: &Options) -> Scripts {
    let about = format!("the sweep \"{}\" ({} runs)", opts.name, opts.runs);
    Scripts {
        submit: submit_script(opts, &about),
        array: array_script(opts, &about),
        merge: merge_script(opts, &about),
    }
}

/// The `#SBATCH` lines of a job named `name` with `cpus` CPUs per task, logging to `log` in
/// the folder's logs.
fn resources(opts: &Options, name: &str, cpus: u32, log: &str) -> String {
    let dir = text(&opts.dir);
    let mut s =
        format!("#SBATCH --job-name={name}\n#SBATCH --ntasks=1\n#SBATCH --cpus-per-task={cpus}\n");
    if let Some(p) = &opts.partition {
        s += &format!("#SBATCH --partition={p}\n");
    }
    if let Some(t) = &opts.time {
        s += &format!("#SBATCH --time={t}\n");
    }
    s += &format!("#SBATCH --output={dir}/{LOGS}/{log}\n");
    s
}

/// `submit.sh`: submits the array, then the merge that waits for it.
fn submit_script(opts: &Options, about: &str) -> String {
    let (n, dir) = (opts.tasks, text(&opts.dir));
    format!(
        r#"#!/bin/sh
# Submits {about} to Slurm:
# - {ARRAY}, a job array of {n} tasks that run one shard of the sweep each;
# - {MERGE}, which merges the shards once every task has succeeded (and is cancelled
#   if one fails).
# Written by `leadsim slurm`; run it with: sh {dir}/{SUBMIT}
set -eu
dir={qdir}
mkdir -p "$dir/{LOGS}"
array=$(sbatch --parsable "$dir/{ARRAY}")
array=${{array%%;*}}
merge=$(sbatch --parsable --dependency=afterok:"$array" --kill-on-invalid-dep=yes "$dir/{MERGE}")
merge=${{merge%%;*}}
echo "array job: $array ({n} tasks)"
echo "merge job: $merge"
echo "follow with: squeue -j $array,$merge"
echo "the merged result will be in $dir/{MERGED}; logs are in $dir/{LOGS}"
echo "if a task fails, see the comments at the top of $dir/{ARRAY}"
"#,
        qdir = shell_word(dir),
    )
}

/// `array.sbatch`: task K runs shard K+1 with `--resume`.
fn array_script(opts: &Options, about: &str) -> String {
    let (n, dir) = (opts.tasks, text(&opts.dir));
    let mut sweep_args = format!("sweep {}", shell_word(text(&opts.sweep)));
    if let Some(s) = opts.seed {
        sweep_args += &format!(" --seed {s}");
    }
    if let Some(r) = opts.replications {
        sweep_args += &format!(" --replications {r}");
    }
    format!(
        r#"#!/bin/sh
#SBATCH --array=0-{last}
{resources}#
# Task K of this array runs shard K+1 of {n} of {about}
# into {dir}/shard-<K+1>-of-{n}. Written by `leadsim slurm`; submitted by {SUBMIT}.
#
# If a task fails, the merge job is cancelled. Read the task's log ({LOGS}/array-<job>_<K>.out),
# fix the cause, then run that task again and the merge after it:
#   j=$(sbatch --parsable --array=K {dir}/{ARRAY})
#   sbatch --dependency=afterok:${{j%%;*}} {dir}/{MERGE}
# Running a task again is safe (--resume): it starts a missing shard folder, finishes an
# unfinished one without repeating its finished runs, and leaves a finished one alone.
set -eu
leadsim={leadsim}
dir={qdir}
shard=$((SLURM_ARRAY_TASK_ID + 1))
echo "leadsim: array task $SLURM_ARRAY_TASK_ID runs shard $shard/{n} on $(hostname)"
exec "$leadsim" {sweep_args} --shard "$shard/{n}" \
    --threads "${{SLURM_CPUS_PER_TASK:-{cpus}}}" --resume -o "$dir/shard-$shard-of-{n}"
"#,
        last = n - 1,
        resources = resources(opts, &job_name(&opts.name), opts.cpus, "array-%A_%a.out"),
        leadsim = shell_word(text(&opts.leadsim)),
        qdir = shell_word(dir),
        cpus = opts.cpus,
    )
}

/// `merge.sbatch`: merges the shards, then writes the report (best effort).
fn merge_script(opts: &Options, about: &str) -> String {
    let (n, dir) = (opts.tasks, text(&opts.dir));
    format!(
        r#"#!/bin/sh
{resources}#
# Merges the {n} shard folders of {about}
# into {dir}/{MERGED}, then writes its report. Written by `leadsim slurm`; {SUBMIT}
# submits it to start once every array task has succeeded. Submitting it again merges again
# (same result). The merged tables are the result: the report is drawn from them, so a leadsim
# without `report` or a failed report does not fail this job (redraw it with `leadsim report`).
set -eu
leadsim={leadsim}
dir={qdir}
set --
i=1
while [ "$i" -le {n} ]; do
    set -- "$@" "$dir/shard-$i-of-{n}"
    i=$((i + 1))
done
"$leadsim" merge "$@" --force -o "$dir/{MERGED}"
if "$leadsim" report --help >/dev/null 2>&1; then
    "$leadsim" report "$dir/{MERGED}" ||
        echo "leadsim: no report, but the merged tables are complete; retry with: $leadsim report $dir/{MERGED}" >&2
else
    echo "leadsim: this leadsim has no report command; the merged tables are complete" >&2
fi
"#,
        resources = resources(
            opts,
            &format!("{}-merge", job_name(&opts.name)),
            1,
            "merge-%j.out"
        ),
        leadsim = shell_word(text(&opts.leadsim)),
        qdir = shell_word(dir),
    )
}

/// A path as text (checked to be UTF-8 by [`check`]).
fn text(p: &Path) -> &str {
    p.to_str().unwrap_or_default()
}

/// `leadsim-<name>` with anything but letters, digits and `._-` replaced by `-`.
fn job_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("leadsim-{clean}")
}

/// Quotes a word for a POSIX shell when needed: the paths in these scripts, and in the command
/// a manifest records to reproduce its result.
pub fn shell_word(w: &str) -> String {
    if !w.is_empty()
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@".contains(c))
    {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> Options {
        Options {
            leadsim: "/opt/leadsim".into(),
            sweep: "/data/s.toml".into(),
            dir: "/scratch/s".into(),
            name: "s".into(),
            runs: 10,
            tasks: 2,
            cpus: 1,
            partition: None,
            time: None,
            seed: None,
            replications: None,
        }
    }

    /// Checks `change(opts())` against the expected error (`None`: valid).
    fn check_with(change: impl FnOnce(&mut Options), expected: Option<&str>) {
        let mut o = opts();
        change(&mut o);
        let got = check(&o).err().map(|e| e.to_string());
        match (got, expected) {
            (None, None) => {}
            (Some(g), Some(e)) if g.contains(e) => {}
            (g, e) => panic!("{o:?}: got {g:?}, expected {e:?}"),
        }
    }

    #[test]
    fn task_counts_between_one_and_the_runs() {
        check_with(|_| {}, None);
        check_with(|o| o.tasks = 10, None);
        check_with(|o| o.tasks = 0, Some("--tasks 0 is not valid"));
        check_with(|o| o.tasks = 11, Some("between 1 and 10"));
        check_with(
            |o| {
                o.runs = 1 << 40;
                o.tasks = MAX_TASKS + 1;
            },
            Some("between 1 and 100000"),
        );
        check_with(|o| o.cpus = 0, Some("--cpus 0"));
    }

    #[test]
    fn paths_must_be_absolute_and_fit_in_sbatch_lines() {
        check_with(|o| o.sweep = "s.toml".into(), Some("the sweep file s.toml"));
        check_with(|o| o.leadsim = "leadsim".into(), Some("not an absolute"));
        check_with(|o| o.dir = "/my results".into(), Some("contains ' '"));
        check_with(|o| o.dir = "/a%b".into(), Some("contains '%'"));
        // Only the folder appears in #SBATCH lines; other paths are quoted for the shell.
        check_with(|o| o.sweep = "/my sweeps/it's.toml".into(), None);
    }

    #[test]
    fn slurm_time_formats() {
        for ok in [
            "90",
            "90:30",
            "1:30:00",
            "2-0",
            "2-12",
            "2-12:30",
            "2-12:30:00",
            "UNLIMITED",
        ] {
            assert!(is_time(ok), "{ok}");
        }
        for bad in [
            "",
            "1h",
            "1:2:3:4",
            "-1",
            "1-",
            "a-1",
            "1:",
            "1 0",
            "1:30:00\n#",
            "1:60:00",
            "1:00:60",
            "90:60",
            "2-24",
            "2-12:60",
            "2-12:30:60",
        ] {
            assert!(!is_time(bad), "{bad:?}");
        }
        check_with(|o| o.time = Some("2h".into()), Some("--time \"2h\""));
        check_with(
            |o| o.partition = Some("gpu\n#x".into()),
            Some("--partition"),
        );
        check_with(|o| o.partition = Some("short,long".into()), None);
        for bad in [",", "short,", ",short", "short,,long"] {
            check_with(|o| o.partition = Some(bad.into()), Some("--partition"));
        }
        assert!(is_time("100:59:59") && is_time("0-23:59:59") && is_time("2000"));
    }

    #[test]
    fn paths_are_quoted_for_the_shell() {
        let mut o = opts();
        o.sweep = "/my sweeps/it's.toml".into();
        let s = scripts(&o);
        assert!(
            s.array.contains(r"sweep '/my sweeps/it'\''s.toml' --shard"),
            "{}",
            s.array
        );
        assert_eq!(job_name("a b/c"), "leadsim-a-b-c");
    }

    #[test]
    fn overrides_and_resources_reach_the_scripts() {
        let mut o = opts();
        o.seed = Some(7);
        o.replications = Some(3);
        o.partition = Some("short".into());
        o.time = Some("10".into());
        o.cpus = 4;
        let s = scripts(&o);
        assert!(s.array.contains("--seed 7 --replications 3 --shard"));
        assert!(s.array.contains("#SBATCH --cpus-per-task=4\n"));
        assert!(s.merge.contains("#SBATCH --cpus-per-task=1\n"));
        for script in [&s.array, &s.merge] {
            assert!(script.contains("#SBATCH --partition=short\n#SBATCH --time=10\n"));
        }
        let plain = scripts(&opts());
        assert!(!plain.array.contains("--partition") && !plain.array.contains("--time"));
    }
}
