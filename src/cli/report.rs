//! `leadsim report`: write the self-contained `report.html` of a result folder.

use super::{Failure, failure};
use leadsim::report;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
#[command(after_help = concat!(
    "Write DIR/report.html from a finished result folder: one self-contained HTML \
file (no network, no other files) with what was run (scenario text, models and parameters, \
events, seeds, tool version), the headline comparison with 95% confidence intervals and paired \
differences, the adaptability table, every chart inline as SVG, and the command that \
reproduces the result.\n\n",
    "Examples:\n  leadsim report output/baseline\n  leadsim report output/baseline && xdg-open output/baseline/report.html"
))]
pub struct Args {
    /// Result folder written by `leadsim run` or `leadsim sweep`.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

pub fn run(args: Args) -> Result<(), Failure> {
    // A report of edited or damaged tables would show what no experiment gave.
    leadsim::output::read::verified(&args.dir).map_err(failure)?;
    let path = report::write(&args.dir).map_err(failure)?;
    outln!("report → {}", path.display());
    Ok(())
}
