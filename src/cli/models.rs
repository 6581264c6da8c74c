//! `leadsim models`: the leadership models, their parameters, defaults and meaning.

use super::Failure;
use leadsim::leadership;
use leadsim::params::Param;
use std::io::Write;

#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  leadsim models")]
pub struct Args {}

/// Formats a parameter list as an indented table.
pub fn param_lines(params: &[Param]) -> String {
    let mut out = String::new();
    for p in params {
        out += &format!("    {:<18} default {}\n", p.key, p.default_text());
        out += &format!("    {:<18} {}; {}\n", "", p.meaning, p.valid());
    }
    out
}

pub fn run(_args: Args) -> Result<(), Failure> {
    let mut out = String::from(
        "Leadership models ([[models]] kind = ...). Every model faces the same members and proposals;\nthey differ in who decides, seeing what, with what capacity and delay.\n",
    );
    for t in leadership::registry() {
        out += &format!(
            "\n{}\n  {} (docs/ODD.md {}.)\n  parameters:\n",
            t.kind, t.summary, t.odd
        );
        out += &param_lines(&(t.params)());
    }
    out +=
        "\nEvery [[models]] table also takes name = \"...\" (a unique label; default: the kind).\n";
    {
        // A closed pipe (`| head`) is not a failure.
        super::stdout_result(std::io::stdout().write_all(out.as_bytes()));
        Ok(())
    }
}
