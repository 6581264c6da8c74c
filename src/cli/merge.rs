//! `leadsim merge`: combine the shard folders of one experiment into the result one machine would
//! have written.

use super::experiment::{self, RunArgs};
use super::{Failure, InputContext, OtherContext, failure};
use leadsim::experiment::{Plan, plan_from_manifest};
use leadsim::output::manifest::{Manifest, Provenance};
use leadsim::output::{self, FolderState, MANIFEST};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  leadsim sweep s.toml --shard 1/2 -o out/s1\n  leadsim sweep s.toml --shard 2/2 -o out/s2\n  leadsim merge out/s1 out/s2 -o out/all"
)]
pub struct Args {
    /// The shard folders (each with a finished manifest.json).
    #[arg(required = true, num_args = 1..)]
    pub shards: Vec<PathBuf>,
    /// Folder for the merged result.
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
    /// Replace a result already in the output folder.
    #[arg(long)]
    pub force: bool,
    /// Do not draw charts or write the report.
    #[arg(long)]
    pub no_charts: bool,
}

fn bad(msg: String) -> Failure {
    Failure::Input(anyhow::anyhow!(msg))
}

pub fn run(args: Args) -> Result<(), Failure> {
    let dir = &args.output;
    refuse_input_as_output(dir, &args.shards)?;
    let shards = read_shards(&args.shards)?;
    let n = check_cover(&shards)?;
    let (first_dir, first) = &shards[0];
    let (plan, manifest) = rebuild(first_dir, first)?;
    // Every run of every shard is there and intact before the folder is touched.
    let runs: Vec<PathBuf> = args.shards.iter().map(|d| d.join(output::RUNS)).collect();
    output::tables::check(&plan.layout(), &manifest.identity, &runs).map_err(|e| {
        let what = failure(e);
        match what {
            Failure::Input(e) => Failure::Input(e.context(
                "a shard is not intact, so nothing was merged; run that shard again (its sweep command with --shard and --force)",
            )),
            other => other,
        }
    })?;
    // A merge that failed part way (a full disk) is simply done again: its folder is resumed.
    let common = RunArgs {
        force: args.force,
        resume: !args.force,
        ..RunArgs::default()
    };
    let Some(mut target) = experiment::prepare(dir, &manifest, &common)? else {
        return Ok(());
    };
    let hashes = output::tables::assemble(
        &plan.layout(),
        &manifest.identity,
        &runs,
        &target.work,
        None,
    )
    .map_err(failure)?;
    manifest
        .write_manifest(&target.work, hashes)
        .map_err(failure)?;
    target.commit()?;
    let drawing = RunArgs {
        no_charts: args.no_charts,
        ..RunArgs::default()
    };
    experiment::analyse_and_draw(dir, &drawing)?;
    outln!(
        "merged {n} shards of {} ({} runs) → {}",
        plan.name,
        plan.runs(),
        dir.display()
    );
    std::fs::metadata(dir).other()?;
    Ok(())
}

/// Refuses an output folder that is one of the shards: merging into it would replace the shard
/// being read (and `--force` would delete it).
fn refuse_input_as_output(dir: &Path, shards: &[PathBuf]) -> Result<(), Failure> {
    let Ok(out) = std::fs::canonicalize(dir) else {
        // Not there yet: it cannot be a shard.
        return Ok(());
    };
    for shard in shards {
        if std::fs::canonicalize(shard).is_ok_and(|s| s == out) {
            return Err(bad(format!(
                "-o {} is one of the shards to merge ({}): merge into another folder, e.g. -o {}",
                dir.display(),
                shard.display(),
                dir.with_file_name("merged").display()
            )));
        }
    }
    Ok(())
}

/// The manifests of the shard folders, each of which must be finished.
fn read_shards(dirs: &[PathBuf]) -> Result<Vec<(PathBuf, Manifest)>, Failure> {
    let mut manifests = Vec::new();
    for dir in dirs {
        match output::state(dir).map_err(failure)? {
            FolderState::Complete => {}
            FolderState::Unfinished => {
                return Err(bad(format!(
                    "{} is an unfinished shard (no {MANIFEST}): finish it with the same sweep command and --resume",
                    dir.display()
                )));
            }
            _ => {
                return Err(bad(format!(
                    "{} is not a leadsim result folder (no {MANIFEST})",
                    dir.display()
                )));
            }
        }
        let m = Manifest::read(dir, MANIFEST).map_err(failure)?;
        manifests.push((dir.clone(), m));
    }
    Ok(manifests)
}

/// Checks that the shards are of one experiment and cover it exactly once; returns their
/// number.
fn check_cover(shards: &[(PathBuf, Manifest)]) -> Result<u64, Failure> {
    let (first_dir, first) = &shards[0];
    let mut seen: BTreeMap<u64, PathBuf> = BTreeMap::new();
    let mut total = None;
    for (dir, m) in shards {
        if m.identity != first.identity {
            return Err(bad(format!(
                "{} belongs to another experiment than {} (`{}` versus `{}`: {}): merge only the shards of one sweep",
                dir.display(),
                first_dir.display(),
                m.command,
                first.command,
                m.differences(first).join("; ")
            )));
        }
        let Some((i, n)) = m
            .shard
            .split_once('/')
            .and_then(|(i, n)| Some((i.parse::<u64>().ok()?, n.parse::<u64>().ok()?)))
        else {
            return Err(bad(format!(
                "{} is a whole result, not a shard: there is nothing to merge",
                dir.display()
            )));
        };
        if *total.get_or_insert(n) != n {
            return Err(bad(format!(
                "{} is shard {i}/{n} but other folders are shards of {}",
                dir.display(),
                total.unwrap_or(n)
            )));
        }
        if let Some(other) = seen.insert(i, dir.clone()) {
            return Err(bad(format!(
                "shard {i}/{n} is given twice: {} and {}",
                other.display(),
                dir.display()
            )));
        }
    }
    let n = total.unwrap_or(1);
    let missing: Vec<String> = (1..=n)
        .filter(|i| !seen.contains_key(i))
        .map(|i| format!("{i}/{n}"))
        .collect();
    if !missing.is_empty() {
        return Err(bad(format!(
            "the shards do not cover the sweep: missing {}",
            missing.join(", ")
        )));
    }
    Ok(n)
}

/// The plan the shards ran, rebuilt from the first shard's manifest, and the manifest of the
/// whole experiment; refuses shards whose identity this version of leadsim does not give.
fn rebuild(first_dir: &Path, first: &Manifest) -> Result<(Plan, Manifest), Failure> {
    let plan = plan_from_manifest(first).input()?;
    let prov = Provenance {
        command: first.command.clone(),
        inputs: first.inputs.clone(),
        overrides: first.overrides.clone(),
    };
    let manifest = plan.manifest(&prov, "");
    if manifest.identity != first.identity {
        return Err(bad(format!(
            "{} was written by another version of leadsim; merge with that version",
            first_dir.display()
        )));
    }
    Ok((plan, manifest))
}
