//! `leadsim landscape`: statistics of sampled NK landscapes.

use super::{Failure, InputContext, set_threads};
use clap::ValueEnum;
use leadsim::landscape::stats::{self, LandscapeSummary, MAX_ENUMERATION_N};
use leadsim::landscape::{CrossModule, Interaction, LinkRule, NkSpec, Normalization};
use std::io::Write;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum InteractionArg {
    Random,
    Adjacent,
    Modular,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LinksArg {
    Distinct,
    /// Links drawn with replacement (as Lazer & Friedman's code does); also `with_replacement`,
    /// the spelling of scenario files.
    #[value(alias = "with_replacement")]
    WithReplacement,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  leadsim landscape --n 12 --k 0            # one optimum, walks of N/2\n  leadsim landscape --n 14 --k 13 --json     # about 2^N/(N+1) optima\n  leadsim landscape --n 16 --k 3 --interaction modular --modules 4 --cross 1"
)]
pub struct Args {
    #[arg(long, help = format!("Number of decisions N (1 to {MAX_ENUMERATION_N} here, since every configuration is enumerated)"))]
    n: usize,
    /// Interactions per decision K (0 to N-1).
    #[arg(long)]
    k: usize,
    /// Interaction pattern.
    #[arg(long, value_enum, default_value = "random")]
    interaction: InteractionArg,
    /// Number of modules (with --interaction modular).
    #[arg(long, default_value_t = 1)]
    modules: usize,
    /// Cross-module links per decision (with --interaction modular).
    #[arg(long, conflicts_with = "cross_prob")]
    cross: Option<usize>,
    /// Probability that a link crosses modules (with --interaction modular).
    #[arg(long)]
    cross_prob: Option<f64>,
    /// How links are drawn for random interactions.
    #[arg(long, value_enum, default_value = "distinct")]
    links: LinksArg,
    /// Number of landscapes to sample.
    #[arg(long, default_value_t = 20)]
    samples: usize,
    /// Adaptive walks per landscape.
    #[arg(long, default_value_t = 100)]
    walks: usize,
    /// Master seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
}

pub fn run(args: Args) -> Result<(), Failure> {
    if !matches!(args.interaction, InteractionArg::Modular)
        && (args.modules != 1 || args.cross.is_some() || args.cross_prob.is_some())
    {
        return Err(Failure::Input(anyhow::anyhow!(
            "--modules, --cross and --cross-prob shape modular interactions only: add --interaction modular"
        )));
    }
    let interaction = match args.interaction {
        InteractionArg::Random => Interaction::Random,
        InteractionArg::Adjacent => Interaction::Adjacent,
        InteractionArg::Modular => Interaction::Modular {
            modules: args.modules,
            cross: match args.cross_prob {
                Some(p) => CrossModule::Probability(p),
                None => CrossModule::Count(args.cross.unwrap_or(0)),
            },
        },
    };
    let spec = NkSpec {
        n: args.n,
        k: args.k,
        interaction,
        links: match args.links {
            LinksArg::Distinct => LinkRule::Distinct,
            LinksArg::WithReplacement => LinkRule::WithReplacement,
        },
        normalization: Normalization::Exact,
    };
    stats::check_request(&spec, args.samples, args.walks).input()?;
    set_threads(args.threads)?;
    let summary = stats::sample(&spec, args.seed, args.samples, args.walks).input()?;
    let text = if args.json {
        json(&spec, args.seed, &summary)
    } else {
        table(&spec, args.seed, &summary)
    };
    {
        // A closed pipe (`| head`) is not a failure.
        super::stdout_result(std::io::stdout().write_all(text.as_bytes()));
        Ok(())
    }
}

fn interaction_name(spec: &NkSpec) -> String {
    match spec.interaction {
        Interaction::Random => "random".into(),
        Interaction::Adjacent => "adjacent".into(),
        Interaction::Modular { modules, cross } => match cross {
            CrossModule::Count(c) => format!("modular ({modules} modules, {c} cross links)"),
            CrossModule::Probability(p) => {
                format!("modular ({modules} modules, cross probability {p})")
            }
        },
    }
}

fn links_name(spec: &NkSpec) -> &'static str {
    match spec.links {
        LinkRule::Distinct => "distinct",
        LinkRule::WithReplacement => "with_replacement",
    }
}

fn json(spec: &NkSpec, seed: u64, s: &LandscapeSummary) -> String {
    let value = serde_json::json!({
        "n": spec.n,
        "k": spec.k,
        "interaction": interaction_name(spec),
        "links": links_name(spec),
        "samples": s.samples,
        "walks": s.walks,
        "seed": seed,
        "local_optima": s.local_optima.mean,
        "local_optima_sd": s.local_optima.sd,
        "local_optimum_fitness": s.local_optimum_fitness.mean,
        "local_optimum_fitness_sd": s.local_optimum_fitness.sd,
        "global_max": s.global_max.mean,
        "global_max_sd": s.global_max.sd,
        "walk_length": s.walk_length.mean,
        "walk_length_sd": s.walk_length.sd,
    });
    format!("{value}\n")
}

fn table(spec: &NkSpec, seed: u64, s: &LandscapeSummary) -> String {
    let mut out = format!(
        "NK landscapes: N = {}, K = {}, interaction {}, links {}\n{} landscapes, {} adaptive walks each, seed {}\n\n",
        spec.n,
        spec.k,
        interaction_name(spec),
        links_name(spec),
        s.samples,
        s.walks,
        seed
    );
    out += &format!("{:<34}{:>12}{:>12}\n", "per landscape", "mean", "sd");
    let rows = [
        ("local optima (one-bit moves)", &s.local_optima),
        ("mean fitness of local optima", &s.local_optimum_fitness),
        ("global maximum fitness", &s.global_max),
        ("adaptive-walk length (moves)", &s.walk_length),
    ];
    for (name, v) in rows {
        out += &format!("{name:<34}{:>12.4}{:>12.4}\n", v.mean, v.sd);
    }
    out
}
