//! `leadsim merge`: combine the shard folders of one experiment into the result one machine would
//! have written.

use super::experiment::{self, output_error};
use super::{Failure, InputContext, OtherContext};
use leadsim::experiment::plan_from_manifest;
use leadsim::output::manifest::{Manifest, Provenance};
use leadsim::output::{self, FolderLock, FolderState, OutputError};
use std::collections::BTreeMap;
use std::path::PathBuf;

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
    let mut manifests = Vec::new();
    for dir in &args.shards {
        match output::state(dir).map_err(output_error)? {
            FolderState::Complete => {}
            FolderState::Unfinished => {
                return Err(bad(format!(
                    "{} is an unfinished shard (no manifest.json): finish it with the same sweep command and --resume",
                    dir.display()
                )));
            }
            _ => {
                return Err(bad(format!(
                    "{} is not a leadsim result folder (no manifest.json)",
                    dir.display()
                )));
            }
        }
        let m = Manifest::read(dir, output::MANIFEST).map_err(output_error)?;
        manifests.push((dir.clone(), m));
    }
    let (first_dir, first) = &manifests[0];
    let mut seen: BTreeMap<u64, PathBuf> = BTreeMap::new();
    let mut total = None;
    for (dir, m) in &manifests {
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
    let dir = &args.output;
    match output::state(dir).map_err(output_error)? {
        FolderState::Missing | FolderState::Empty => {}
        FolderState::NotAFolder => {
            return Err(output_error(OutputError::NotAFolder { path: dir.clone() }));
        }
        _ if args.force => {}
        FolderState::Complete => {
            return Err(output_error(OutputError::Exists { path: dir.clone() }));
        }
        FolderState::Unfinished => {
            return Err(output_error(OutputError::Unfinished { path: dir.clone() }));
        }
        FolderState::Foreign => {
            return Err(output_error(OutputError::Foreign { path: dir.clone() }));
        }
    }
    let _lock = FolderLock::acquire(dir).map_err(output_error)?;
    if args.force {
        output::clear(dir).map_err(output_error)?;
    }
    manifest.write_plan(dir).map_err(output_error)?;
    let runs: Vec<PathBuf> = args.shards.iter().map(|d| d.join(output::RUNS)).collect();
    let hashes =
        output::tables::assemble(&plan.layout(), &runs, dir, None).map_err(output_error)?;
    manifest.write_manifest(dir, hashes).map_err(output_error)?;
    experiment::charts(dir, args.no_charts)?;
    outln!(
        "merged {n} shards of {} ({} runs) → {}",
        plan.name,
        plan.runs(),
        dir.display()
    );
    std::fs::metadata(dir).other()?;
    Ok(())
}
