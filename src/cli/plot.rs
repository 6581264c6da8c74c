//! `leadsim plot`: (re)draw the charts of a result folder.

use super::{Failure, failure};
use leadsim::plot;
use std::path::PathBuf;

/// `--help` after the options: what is drawn, and examples.
fn after_help() -> String {
    format!(
        "Draw (or redraw) the charts of a finished result folder into DIR/{}/, each as \
PNG and SVG: time series per metric with 95% confidence bands, performance around shocks, model \
comparisons and paired differences (runs), metrics against swept parameters and heatmaps of \
differences (sweeps). Charts are drawn from the result files alone, so old results can be \
redrawn; the same files give the same charts.\n\n\
A time-series line has at most {} points: over longer runs each run's values are \
first averaged over equal windows of steps, then the mean and 95% band are taken over runs; \
the caption in report.html names the window. The CSV files keep every recorded step.\n\n\
Examples:\n  leadsim plot output/baseline\n  leadsim run scenarios/baseline.toml -o output/b --no-charts && leadsim plot output/b",
        plot::CHARTS,
        plot::POINTS
    )
}

#[derive(Debug, clap::Args)]
#[command(after_help = after_help())]
pub struct Args {
    /// Result folder written by `leadsim run` or `leadsim sweep`.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

pub fn run(args: Args) -> Result<(), Failure> {
    // Charts of edited or damaged tables would show what no experiment gave.
    leadsim::output::read::verified(&args.dir).map_err(failure)?;
    let files = plot::draw_all(&args.dir).map_err(failure)?;
    outln!(
        "{} charts (PNG and SVG) → {}",
        files.len() / 2,
        args.dir.join(plot::CHARTS).display()
    );
    Ok(())
}
