//! `leadsim sensitivity`: Morris or Sobol' indices of a finished sweep, from its files.

use super::{Blame, Failure, experiment::short, failure};
use leadsim::sensitivity::{self, Analysis, NOISE_SWAMPS, Options, SensitivityError};
use std::path::{Path, PathBuf};

const AFTER_HELP: &str = "Computes the sensitivity indices of a finished morris or sobol sweep from its files \
(manifest.json, stats.csv) and writes sensitivity.csv and problem.json (the sweep as SALib's \
problem) next to its tables, then redraws its charts and report. `leadsim sweep` does this after \
its tables; run it again to analyse other quantities.\n\n\
A quantity is a measure of every model (performance_mean), of one model \
(shared:performance_mean) or the paired difference of two (shared-centralized:performance_mean), \
averaged over each point's replicates. Without --quantity: the sweep file's [analysis] \
quantities, else the headline measures of every model and each model's paired difference from \
the first.\n\n\
The noise share of a quantity is the part of the variance of its per-point means that replicate \
noise accounts for (mean squared standard error over their variance); at 0.5 or more it swamps \
the effects, and the rows are flagged noisy.\n\n\
Examples:\n  leadsim sensitivity output/capacity-sobol\n  leadsim sensitivity output/capacity-sobol --quantity shared-centralized:performance_mean --resamples 2000";

#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Result folder of a finished morris or sobol sweep.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// A quantity to analyse (repeatable): METRIC, MODEL:METRIC or MODEL-MODEL:METRIC.
    #[arg(long = "quantity", value_name = "Q")]
    pub quantities: Vec<String>,
    /// Bootstrap resamples for the confidence intervals (default: the sweep file's, else 1000).
    #[arg(long, value_name = "N")]
    pub resamples: Option<usize>,
    /// Do not redraw the charts and the report.
    #[arg(long)]
    pub no_charts: bool,
}

impl Blame for SensitivityError {
    fn is_input(&self) -> bool {
        self.is_input()
    }
}

pub fn run(args: Args) -> Result<(), Failure> {
    if let Some(r) = args.resamples
        && !(10..=100_000).contains(&r)
    {
        return Err(Failure::Input(anyhow::anyhow!(
            "--resamples {r}: give between 10 and 100000"
        )));
    }
    // Indices or boxes of edited or damaged tables would show what no experiment gave.
    leadsim::output::read::verified(&args.dir).map_err(failure)?;
    let opts = Options {
        quantities: args.quantities.clone(),
        resamples: args.resamples,
    };
    let Some(analysis) = analyse(&args.dir, &opts, true)? else {
        return Err(Failure::Input(anyhow::anyhow!(
            "{} is not a morris or sobol sweep: sensitivity indices need one of those designs (leadsim discover works on any sweep)",
            args.dir.display()
        )));
    };
    super::experiment::charts(&args.dir, args.no_charts)?;
    if analysis.indices.is_empty() {
        return Err(Failure::Input(anyhow::anyhow!(
            "no quantity could be analysed (see above)"
        )));
    }
    Ok(())
}

/// Analyses the sweep in `dir`, writes its files and prints what it found (every index with
/// `full`, else the three largest per quantity); warns on stderr of noise that swamps the
/// effects. `None` for a design without indices (its `problem.json` is still written).
pub fn analyse(dir: &Path, opts: &Options, full: bool) -> Result<Option<Analysis>, Failure> {
    let analysis = sensitivity::analyse(dir, opts).map_err(failure)?;
    let files = sensitivity::write(dir, &analysis).map_err(failure)?;
    if !analysis.design.has_indices() {
        return Ok(None);
    }
    let sobol = matches!(
        analysis.design,
        leadsim::experiment::sweep::Design::Sobol { .. }
    );
    let (main, with) = if sobol {
        ("ST", "S1")
    } else {
        ("mu_star", "sigma")
    };
    outln!(
        "sensitivity ({}): {} per quantity, largest first, [95% CI]; noise: the share of the per-point means' variance that replicate noise accounts for",
        analysis.design.describe(),
        if sobol {
            "total (ST) and first-order (S1) indices"
        } else {
            "μ* (mean absolute elementary effect) and σ"
        }
    );
    for q in &analysis.indices {
        let mut rows: Vec<_> = q.rows.iter().filter(|r| r.index == main).collect();
        rows.sort_by(|a, b| b.estimate.total_cmp(&a.estimate));
        let noise = if q.noise_share.is_nan() {
            "noise NA".to_string()
        } else {
            format!("noise {:.0}%", 100.0 * q.noise_share)
        };
        if !full {
            let top: Vec<String> = rows
                .iter()
                .take(3)
                .map(|r| format!("{} {}", r.parameter, short(r.estimate)))
                .collect();
            outln!("  {}  ({noise})  {main}: {}", q.quantity, top.join(", "));
            continue;
        }
        outln!("  {}  ({noise})", q.quantity);
        for r in &rows {
            let other = q
                .rows
                .iter()
                .find(|o| o.index == with && o.parameter == r.parameter)
                .map_or(String::new(), |o| {
                    format!("   {with} {}", short(o.estimate))
                });
            outln!(
                "    {:<40} {main} {} [{}, {}]{other}",
                r.parameter,
                short(r.estimate),
                short(r.estimate - r.conf),
                short(r.estimate + r.conf)
            );
        }
    }
    warn_noise(&analysis, full);
    for (q, why) in &analysis.skipped {
        eprintln!("warning: {q} not analysed: {why}");
    }
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    outln!("→ {}", names.join(", "));
    Ok(Some(analysis))
}

/// Warns of quantities whose replicate noise swamps their effects: each on its own line with
/// `full`, else all in one.
fn warn_noise(analysis: &Analysis, full: bool) {
    let noisy: Vec<_> = analysis.noisy().collect();
    if noisy.is_empty() {
        return;
    }
    let advice =
        "its indices mostly measure noise; run more replicates (or replications = { target = … })";
    if full || noisy.len() == 1 {
        for q in noisy {
            eprintln!(
                "warning: replicate noise accounts for {:.0}% of the variance of {}'s per-point means (at least {:.0}% swamps the effects): {advice}",
                100.0 * q.noise_share,
                q.quantity,
                100.0 * NOISE_SWAMPS
            );
        }
        return;
    }
    let names: Vec<String> = noisy.iter().map(|q| q.quantity.to_string()).collect();
    eprintln!(
        "warning: replicate noise accounts for at least {:.0}% of the variance of the per-point means of {} of {} quantities, swamping their effects ({}): their indices mostly measure noise; run more replicates (or replications = {{ target = … }}); sensitivity.csv flags them noisy",
        100.0 * NOISE_SWAMPS,
        names.len(),
        analysis.indices.len(),
        names.join(", ")
    );
}
