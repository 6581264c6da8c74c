//! `leadsim compare`: two finished results of `leadsim run` as one result folder.

use super::experiment::{self, RunArgs, short};
use super::{Failure, failure};
use leadsim::contrast;
use leadsim::slurm::shell_word;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
#[command(after_help = "\
Compare two finished results of `leadsim run` (two variants of a scenario): every model of A \
and of B with a 95% CI, the differences between the models of each, and for every model both \
have (by name) the difference B:model − A:model, written as a result folder with the columns of \
a run's stats.csv, its charts and report.html. Models are named LABEL:model, LABEL being the \
folder's name (A and B when both folders have the same name).\n\n\
The differences between A and B are paired replicate by replicate when the two met the same \
worlds: the same world seeds (the same master seed) and the same [landscape] and \
[organization] (for the reference families: the same scenario apart from its models, \
replications and steps); otherwise they are Welch's differences of means. manifest.json says \
which and why. Both folders are checked against their manifests' checksums first.\n\n\
Examples:\n  leadsim run scenarios/baseline.toml -o out/base\n  \
leadsim run scenarios/change/market-shock.toml -o out/shock\n  \
leadsim compare out/base out/shock -o out/base-vs-shock")]
pub struct Args {
    /// The first result folder (written by `leadsim run`): the one subtracted.
    #[arg(value_name = "A")]
    pub a: PathBuf,
    /// The second result folder.
    #[arg(value_name = "B")]
    pub b: PathBuf,
    /// Folder for the comparison (default: output/<A>-vs-<B>).
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,
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
    let c = contrast::open(&args.a, &args.b).map_err(failure)?;
    let (la, lb) = c.labels();
    let dir = args
        .output
        .clone()
        .unwrap_or_else(|| experiment::default_dir(&format!("{la}-vs-{lb}")));
    refuse_input_as_output(&dir, &[&args.a, &args.b])?;
    let command = format!(
        "leadsim compare {} {}",
        shell_word(&args.a.display().to_string()),
        shell_word(&args.b.display().to_string())
    );
    let manifest = c.manifest(&command);
    // A comparison that failed part way (a full disk) is simply done again in its folder.
    let common = RunArgs {
        force: args.force,
        resume: !args.force,
        ..RunArgs::default()
    };
    if let Some(mut target) = experiment::prepare(&dir, &manifest, &common)? {
        c.write(&target.work, manifest).map_err(failure)?;
        target.commit()?;
        experiment::charts(&dir, args.no_charts)?;
    }
    outln!("{}", summary(&c, &dir)?);
    Ok(())
}

/// Refuses an output folder that is one of the inputs: writing there would replace a result
/// being compared.
fn refuse_input_as_output(dir: &Path, inputs: &[&PathBuf]) -> Result<(), Failure> {
    let Ok(out) = std::fs::canonicalize(dir) else {
        return Ok(());
    };
    for input in inputs {
        if std::fs::canonicalize(input).is_ok_and(|i| i == out) {
            return Err(bad(format!(
                "-o {} is one of the result folders compared ({}): write the comparison into another folder",
                dir.display(),
                input.display()
            )));
        }
    }
    Ok(())
}

/// What the console shows: how the results were paired, the headline differences B − A per
/// model, and where the report is.
fn summary(c: &contrast::Comparison, dir: &Path) -> Result<String, Failure> {
    let (la, lb) = c.labels();
    let (_, why) = c.pairing();
    let (_, rows) = leadsim::output::read::stats(dir).map_err(failure)?;
    let mut out = format!("{lb} compared with {la} → {}\n{why}\n", dir.display());
    let common = c.common_models();
    if common.is_empty() {
        out += "the two results have no model of the same name: only each result's own statistics are compared\n";
    } else {
        out += &format!(
            "{lb}:model − {la}:model, mean [95% CI] of the difference (* when its Holm-adjusted p-value is below 0.05)\n"
        );
        for metric in leadsim::plot::SWEEP_METRICS {
            let mut body = String::new();
            for m in &common {
                let (bm, am) = (format!("{lb}:{m}"), format!("{la}:{m}"));
                if let Some(r) = rows.iter().find(|r| {
                    r.metric == metric && r.model == bm && r.versus.as_deref() == Some(am.as_str())
                }) {
                    let sig = if r.p_holm < 0.05 { " *" } else { "" };
                    body += &format!(
                        "  {:<16} {:>9}  [{}, {}]{sig}\n",
                        m,
                        short(r.mean),
                        short(r.low),
                        short(r.high)
                    );
                }
            }
            if !body.is_empty() {
                out += &format!("{metric}\n{body}");
            }
        }
    }
    let report = dir.join("report.html");
    if report.is_file() {
        out += &format!("report: {}\n", report.display());
    }
    out += &format!("every statistic: {}", dir.join("stats.csv").display());
    Ok(out)
}
