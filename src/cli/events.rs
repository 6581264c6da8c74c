//! `leadsim events`: the kinds of change, their parameters, defaults and meaning.

use super::Failure;
use super::models::param_lines;
use leadsim::events;
use std::io::Write;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  leadsim events\n\nIn a scenario file:\n  [[events]]\n  kind = \"leader_loss\"\n  at = 200\n  vacancy = 20\n\n  [[events]]\n  kind = \"turnover\"\n  hazard = 0.01        # fires each step with probability 0.01\n  fraction = 0.1"
)]
pub struct Args {}

pub fn run(_args: Args) -> Result<(), Failure> {
    let mut out = String::from(
        "Events ([[events]] kind = ...). Every model of a replicate meets the same events at the same\nsteps, affecting the same slots. A firing marked \"shock\" is measured for adaptability\n(drop, recovery, censoring) in shocks.csv.\n\nTiming and common keys (every kind):\n",
    );
    out += &param_lines(&events::params::timing_params());
    for t in events::registry() {
        let (kind, meaning, params) = (t.name, t.summary, (t.params)());
        let tag = if t.shock {
            "shock"
        } else {
            "not a shock by default"
        };
        out += &format!("\n{kind} ({tag})\n  {meaning}\n");
        if params.is_empty() {
            out += "  no parameters besides the timing ones\n";
        } else {
            out += "  parameters:\n";
            out += &param_lines(&params);
        }
    }
    {
        // A closed pipe (`| head`) is not a failure.
        super::stdout_result(std::io::stdout().write_all(out.as_bytes()));
        Ok(())
    }
}
