//! `leadsim discover`: where in the swept parameters a condition holds (PRIM).

use super::{Blame, Failure, experiment::short, failure};
use leadsim::analysis::prim::PrimOptions;
use leadsim::discover::{self, DiscoverError, MIN_COVERAGE, Options};
use std::path::PathBuf;

const AFTER_HELP: &str = "Finds a box of the swept parameters where a condition on a quantity's per-point mean \
holds, with PRIM (Friedman & Fisher 1999; EMA Workbench's algorithm): from the box around every \
point it peels off the 5% slice of points that most raises the share of points where the \
condition holds (density), until a box would hold under 5% of the points, then pastes back \
slices that raise the density. Prints the peeling trajectory (coverage: the share of all points \
where the condition holds that the box keeps; density; mass: the share of all points in the \
box) and the chosen box: the densest one whose coverage is at least --min-coverage (0.5: it \
keeps half of the points where the condition holds); ties go to the higher coverage.\n\n\
Writes discover-<condition>.csv (the trajectory) and discover-<condition>-bounds.csv (every \
box's bounds) next to the tables, then redraws the charts (the chosen box on its two most \
restricted parameters) and the report.\n\n\
The condition: QUANTITY OP VALUE with OP one of >, >=, <, <=; QUANTITY is MODEL:METRIC or the \
paired difference MODEL-MODEL:METRIC (any metric of stats.csv).\n\n\
Examples:\n  leadsim discover output/capacity-sobol --where \"shared-centralized:performance_mean > 0\"\n  leadsim discover output/capacity-lhs --where \"shared:engagement_mean >= 0.6\" --min-coverage 0.8";

#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Result folder of a finished sweep (any design).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The condition, e.g. "shared-centralized:performance_mean > 0".
    #[arg(long = "where", value_name = "CONDITION")]
    pub condition: String,
    /// The chosen box is the densest whose coverage is at least this.
    #[arg(long, value_name = "SHARE", default_value_t = MIN_COVERAGE)]
    pub min_coverage: f64,
    /// Share of a box's points each peel removes (EMA's peel_alpha).
    #[arg(long, value_name = "SHARE", default_value_t = 0.05)]
    pub peel_alpha: f64,
    /// Stop peeling before a box holds less than this share of all points (EMA's mass_min).
    #[arg(long, value_name = "SHARE", default_value_t = 0.05)]
    pub mass_min: f64,
    /// Do not paste after peeling.
    #[arg(long)]
    pub no_paste: bool,
    /// Do not redraw the charts and the report.
    #[arg(long)]
    pub no_charts: bool,
}

impl Blame for DiscoverError {
    fn is_input(&self) -> bool {
        self.is_input()
    }
}

pub fn run(args: Args) -> Result<(), Failure> {
    // Indices or boxes of edited or damaged tables would show what no experiment gave.
    leadsim::output::read::verified(&args.dir).map_err(failure)?;
    let opts = Options {
        prim: PrimOptions {
            peel_alpha: args.peel_alpha,
            mass_min: args.mass_min,
            paste: !args.no_paste,
            ..PrimOptions::default()
        },
        min_coverage: args.min_coverage,
    };
    let found = discover::discover(&args.dir, &args.condition, &opts).map_err(failure)?;
    let files = discover::write(&args.dir, &found).map_err(failure)?;
    let d = &found.discovery;
    outln!(
        "{}: holds at {} of {} points{}",
        d.condition,
        found.cases,
        found.points,
        if found.excluded > 0 {
            format!(" ({} points with an NA mean left out)", found.excluded)
        } else {
            String::new()
        }
    );
    outln!("peeling trajectory:\n    box  step      coverage  density  mass    points  restricted");
    for b in &d.boxes {
        outln!(
            "  {}{:>3}  {:<8}  {:>8}  {:>7}  {:>6}  {:>6}  {:>10}",
            if b.chosen { "*" } else { " " },
            b.index,
            b.step,
            short(b.coverage),
            short(b.density),
            short(b.mass),
            b.points,
            b.restricted
        );
    }
    let chosen = &d.boxes[found.chosen];
    outln!(
        "chosen box {} (* above; the densest with coverage ≥ {}): coverage {}, density {} (base rate {}), {} points",
        chosen.index,
        args.min_coverage,
        trim(chosen.coverage),
        trim(chosen.density),
        trim(d.boxes[0].density),
        chosen.points
    );
    let mut any = false;
    for (j, (p, &(lo, hi, restricted))) in d.parameters.iter().zip(&chosen.bounds).enumerate() {
        if !restricted {
            continue;
        }
        any = true;
        let text = match &found.labels[j] {
            Some(words) => {
                let inside: Vec<&str> = words
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| lo <= *i as f64 && *i as f64 <= hi)
                    .map(|(_, w)| w.as_str())
                    .collect();
                format!("one of {}", inside.join(", "))
            }
            None => format!("{} ≤ x ≤ {}", trim(lo), trim(hi)),
        };
        outln!("  {p}: {text}");
    }
    if !any {
        outln!(
            "  no parameter is restricted: the condition is not concentrated in a box of the swept parameters"
        );
    }
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    outln!("→ {}", names.join(", "));
    super::experiment::charts(&args.dir, args.no_charts)
}

/// `x` to four decimals without trailing zeros (0.65, 1, 0.0833).
fn trim(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}
