//! Change: events on a timeline and hazards, and the adaptability measured around each shock
//! (SPEC §2.5, §2.6).
//!
//! An event has a kind, its parameters, and a timing: `at` (a step or a list of steps) or a
//! `hazard` (a per-step probability of firing between `from` and `to`). Kinds that last have an
//! end: `until` (the step at which the change is undone) or `duration` (steps). Every draw an
//! event makes — whether a hazard fires, which members leave, which tables are re-drawn, which ties
//! are cut — comes from a stream derived from the world seed, the event's position and the step,
//! so every leadership model of a replicate meets the same events at the same steps, affecting the
//! same slots (common random numbers).
//!
//! **Shocks.** An event firing is a *shock*, whose adaptability is measured (`shocks.csv`), when
//! it changes the task (`landscape_shock`), who leads or how they can decide (`leader_loss`,
//! `reorg`, `crisis`), or who the members are and how they are tied (`turnover`, `growth`,
//! `network_disruption`). `turbulence` (frequent small background shocks) and the interventions
//! (`mentoring`, `cross_functional`, `team_decisions`) are not, unless the event sets
//! `measure = true`; `measure = false` excludes a kind that is measured by default.

use crate::leadership::{LeadershipModel, ModelConfig};
use crate::org::{Hire, Slot};
use crate::output::OutputError;
use crate::params::{Default as D, InputError, Kind, Param, Reader, suggest};
use crate::rng::{self, Purpose, SimRng};
use crate::world::World;
use std::path::Path;
use std::sync::Arc;

/// What an event does.
#[derive(Debug, Clone)]
pub enum EventKind {
    /// Re-draw `fraction` of the landscape's contribution tables.
    LandscapeShock { fraction: f64 },
    /// While in force, each step re-draw `fraction` of the tables with `probability`.
    Turbulence { probability: f64, fraction: f64 },
    /// The `count` leaders ranked first by `select` leave; experienced replacements arrive
    /// after `vacancy` steps.
    LeaderLoss {
        count: usize,
        select: LeaderRank,
        vacancy: u32,
    },
    /// `fraction` of the members (not the formal leader) are replaced by newcomers.
    Turnover { fraction: f64 },
    /// `fraction` of the informal ties are cut and every proposal takes `extra_delay` more
    /// steps while in force; ties come back when it ends.
    NetworkDisruption { fraction: f64, extra_delay: u32 },
    /// While in force: review capacity × `capacity`, and proposals older than `deadline`
    /// steps expire.
    Crisis {
        capacity: f64,
        deadline: Option<u32>,
    },
    /// `members` newcomers join, spread over the domains, each tied to `ties` colleagues.
    Growth { members: usize, ties: usize },
    /// Switch to the model named `to` while in force (to the end when no end is given).
    Reorg {
        to: String,
        config: Arc<dyn ModelConfig>,
    },
    /// While in force the mentoring rate is `rate`.
    Mentoring { rate: f64 },
    /// `ties` new ties between members of different domains (removed when it ends).
    CrossFunctional { ties: usize },
    /// While in force, proposals are decided by a vote of their domain's members.
    TeamDecisions,
}

/// How leaders are ranked for `leader_loss`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaderRank {
    /// Most ties in the informal network first.
    Central,
    /// Most decisions made first.
    Deciding,
}

/// When an event fires.
#[derive(Debug, Clone, PartialEq)]
pub enum Timing {
    /// At these steps.
    At(Vec<u32>),
    /// Each step from `from` to `to` (inclusive) with probability `p`.
    Hazard { p: f64, from: u32, to: u32 },
}

impl Timing {
    /// How many times the event can fire at most.
    pub fn firings(&self) -> usize {
        match self {
            Timing::At(steps) => steps.len(),
            Timing::Hazard { from, to, .. } => {
                (to.saturating_sub(*from) as usize).saturating_add(1)
            }
        }
    }
}

/// A validated event.
#[derive(Debug, Clone)]
pub struct EventSpec {
    pub name: String,
    pub kind: EventKind,
    pub timing: Timing,
    /// Steps the change lasts (`None`: to the end of the run).
    pub duration: Option<u32>,
    /// Whether its firings are shocks whose adaptability is measured.
    pub measure: bool,
    /// The models whose runs meet it (`None`: all).
    pub models: Option<Vec<String>>,
}

impl EventSpec {
    /// The kind's name.
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            EventKind::LandscapeShock { .. } => "landscape_shock",
            EventKind::Turbulence { .. } => "turbulence",
            EventKind::LeaderLoss { .. } => "leader_loss",
            EventKind::Turnover { .. } => "turnover",
            EventKind::NetworkDisruption { .. } => "network_disruption",
            EventKind::Crisis { .. } => "crisis",
            EventKind::Growth { .. } => "growth",
            EventKind::Reorg { .. } => "reorg",
            EventKind::Mentoring { .. } => "mentoring",
            EventKind::CrossFunctional { .. } => "cross_functional",
            EventKind::TeamDecisions => "team_decisions",
        }
    }

    /// One line saying what the event does and when, for `leadsim check`.
    pub fn describe(&self) -> String {
        let what = match &self.kind {
            EventKind::LandscapeShock { fraction } => format!("fraction = {fraction}"),
            EventKind::Turbulence {
                probability,
                fraction,
            } => format!("probability = {probability}, fraction = {fraction}"),
            EventKind::LeaderLoss {
                count,
                select,
                vacancy,
            } => format!(
                "count = {count}, select = {}, vacancy = {vacancy}",
                match select {
                    LeaderRank::Central => "central",
                    LeaderRank::Deciding => "deciding",
                }
            ),
            EventKind::Turnover { fraction } => format!("fraction = {fraction}"),
            EventKind::NetworkDisruption {
                fraction,
                extra_delay,
            } => format!("fraction = {fraction}, extra_delay = {extra_delay}"),
            EventKind::Crisis { capacity, deadline } => match deadline {
                Some(d) => format!("capacity = {capacity}, deadline = {d}"),
                None => format!("capacity = {capacity}"),
            },
            EventKind::Growth { members, ties } => format!("members = {members}, ties = {ties}"),
            EventKind::Reorg { to, .. } => format!("to = {to}"),
            EventKind::Mentoring { rate } => format!("rate = {rate}"),
            EventKind::CrossFunctional { ties } => format!("ties = {ties}"),
            EventKind::TeamDecisions => String::new(),
        };
        let when = match &self.timing {
            Timing::At(steps) if steps.len() == 1 => format!("at step {}", steps[0]),
            Timing::At(steps) => format!(
                "at steps {}",
                steps
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Timing::Hazard { p, from, to } => {
                format!("with probability {p} at each step from {from} to {to}")
            }
        };
        let mut out = format!("{}: {}", self.name, self.kind_name());
        if !what.is_empty() {
            out += &format!(" ({what})");
        }
        out += &format!(" {when}");
        match self.duration {
            Some(d) => out += &format!(", lasting {d} steps"),
            None if is_lasting(self.kind_name()) => out += ", to the end of the run",
            None => {}
        }
        if let Some(ms) = &self.models {
            out += &format!(", only for {}", ms.join(", "));
        }
        out += if self.measure {
            "; a measured shock"
        } else {
            ""
        };
        out
    }

    /// Whether runs of `model` meet this event.
    pub fn applies_to(&self, model: &str) -> bool {
        self.models
            .as_ref()
            .is_none_or(|ms| ms.iter().any(|m| m == model))
    }

    /// Members this event adds at most (for size checks). Capped at `u32::MAX`, so sums over
    /// the events of a scenario cannot overflow.
    pub fn added_members(&self) -> usize {
        let cap = u32::MAX as usize;
        match self.kind {
            EventKind::Growth { members, .. } => {
                members.saturating_mul(self.timing.firings()).min(cap)
            }
            _ => 0,
        }
    }
}

// --- declared parameters -------------------------------------------------------------------

pub const KIND: Param = Param {
    key: "kind",
    kind: Kind::Choice(&[
        "landscape_shock",
        "turbulence",
        "leader_loss",
        "turnover",
        "network_disruption",
        "crisis",
        "growth",
        "reorg",
        "mentoring",
        "cross_functional",
        "team_decisions",
    ]),
    default: D::Required,
    meaning: "what happens",
};
pub const NAME: Param = Param {
    key: "name",
    kind: Kind::Text,
    default: D::Derived("the kind"),
    meaning: "label of the event in shocks.csv (must be unique)",
};
pub const AT: Param = Param {
    key: "at",
    kind: Kind::Whole {
        min: 1,
        max: u32::MAX as u64,
    },
    default: D::Derived("required unless hazard is given; turbulence: 1"),
    meaning: "step (or list of steps) at which the event fires, at the start of the step",
};
pub const HAZARD: Param = Param {
    key: "hazard",
    kind: Kind::Real { min: 0.0, max: 1.0 },
    default: D::Derived("unset"),
    meaning: "instead of at: probability per step that the event fires (between from and to)",
};
pub const FROM: Param = Param {
    key: "from",
    kind: Kind::Whole {
        min: 1,
        max: u32::MAX as u64,
    },
    default: D::Whole(1),
    meaning: "hazard: first step at which it may fire",
};
pub const TO: Param = Param {
    key: "to",
    kind: Kind::Whole {
        min: 1,
        max: u32::MAX as u64,
    },
    default: D::Derived("the last step"),
    meaning: "hazard: last step at which it may fire",
};
pub const UNTIL: Param = Param {
    key: "until",
    kind: Kind::Whole {
        min: 1,
        max: u32::MAX as u64,
    },
    default: D::Derived("unset: lasts to the end"),
    meaning: "lasting kinds: step at whose start the change is undone (after at, at most the last step)",
};
pub const DURATION: Param = Param {
    key: "duration",
    kind: Kind::Whole {
        min: 1,
        max: u32::MAX as u64,
    },
    default: D::Derived("unset: lasts to the end"),
    meaning: "lasting kinds: steps the change lasts (instead of until; needed with hazard)",
};
pub const MEASURE: Param = Param {
    key: "measure",
    kind: Kind::Flag,
    default: D::Derived("true for shocks, false for turbulence and interventions"),
    meaning: "measure adaptability around each firing (a row per firing in shocks.csv)",
};
pub const MODELS: Param = Param {
    key: "only",
    kind: Kind::List("model names"),
    default: D::Derived("all models"),
    meaning: "list of model names whose runs meet the event",
};
const fn fraction(default: f64, meaning: &'static str) -> Param {
    Param {
        key: "fraction",
        kind: Kind::Real { min: 0.0, max: 1.0 },
        default: D::Real(default),
        meaning,
    }
}
pub const SHOCK_FRACTION: Param = fraction(
    0.5,
    "share of the contribution tables re-drawn (the whole interaction structure is kept)",
);
pub const TURBULENCE_FRACTION: Param = fraction(0.1, "share of the tables re-drawn at each firing");
pub const PROBABILITY: Param = Param {
    key: "probability",
    kind: Kind::Real { min: 0.0, max: 1.0 },
    default: D::Real(0.05),
    meaning: "per-step probability of a small shock while in force",
};
pub const COUNT: Param = Param {
    key: "count",
    kind: Kind::Whole { min: 1, max: 64 },
    default: D::Whole(1),
    meaning: "how many leaders leave (the centralized model has one)",
};
pub const SELECT: Param = Param {
    key: "select",
    kind: Kind::Choice(&["central", "deciding"]),
    default: D::Word("central"),
    meaning: "which leaders leave first: most ties in the informal network, or most decisions made",
};
pub const VACANCY: Param = Param {
    key: "vacancy",
    kind: Kind::Whole {
        min: 0,
        max: u32::MAX as u64,
    },
    default: D::Whole(10),
    meaning: "steps the seat stays empty before an experienced replacement arrives",
};
pub const TURNOVER_FRACTION: Param = fraction(
    0.2,
    "share of the members (not the formal leader) replaced by newcomers",
);
pub const DISRUPTION_FRACTION: Param = fraction(0.5, "share of the informal ties cut");
pub const EXTRA_DELAY: Param = Param {
    key: "extra_delay",
    kind: Kind::Whole { min: 0, max: 1000 },
    default: D::Whole(0),
    meaning: "extra steps every proposal takes to reach a decision maker while in force",
};
pub const CAPACITY: Param = Param {
    key: "capacity",
    kind: Kind::Real { min: 0.0, max: 1.0 },
    default: D::Real(0.5),
    meaning: "review capacity is multiplied by this while in force",
};
pub const DEADLINE: Param = Param {
    key: "deadline",
    kind: Kind::Whole {
        min: 1,
        max: u32::MAX as u64,
    },
    default: D::Derived("unset: no deadline"),
    meaning: "proposals older than this many steps expire while in force",
};
pub const MEMBERS: Param = Param {
    key: "members",
    kind: Kind::Whole {
        min: 1,
        max: crate::org::MAX_MEMBERS,
    },
    default: D::Whole(10),
    meaning: "members who join (round-robin over the domains), with newcomer expertise",
};
pub const GROWTH_TIES: Param = Param {
    key: "ties",
    kind: Kind::Whole {
        min: 0,
        max: 10_000,
    },
    default: D::Whole(4),
    meaning: "informal ties each new member makes with members of its domain",
};
pub const TO_MODEL: Param = Param {
    key: "model",
    kind: Kind::Text,
    default: D::Required,
    meaning: "name of the [[models]] entry the organization switches to",
};
pub const RATE: Param = Param {
    key: "rate",
    kind: Kind::Real { min: 0.0, max: 1.0 },
    default: D::Real(0.02),
    meaning: "mentoring rate in force (behaviour.learning.mentor), ten times the default",
};
pub const CROSS_TIES: Param = Param {
    key: "ties",
    kind: Kind::Whole {
        min: 1,
        max: 1_000_000,
    },
    default: D::Derived("half the number of members"),
    meaning: "new informal ties between members of different domains",
};

/// Every event kind: its name, what it does, whether it is a shock by default, and its own
/// parameters (besides the timing ones).
pub fn kinds() -> Vec<(&'static str, &'static str, bool, Vec<Param>)> {
    vec![
        (
            "landscape_shock",
            "a change in the task environment (a market shock): part of the landscape is re-drawn",
            true,
            vec![SHOCK_FRACTION],
        ),
        (
            "turbulence",
            "an unsettled environment: while in force, small re-draws of the landscape happen at random steps",
            false,
            vec![PROBABILITY, TURBULENCE_FRACTION],
        ),
        (
            "leader_loss",
            "leaders leave (the central leader; or the most central or most deciding domain leads and coordinator); their seats stay empty for a vacancy",
            true,
            vec![COUNT, SELECT, VACANCY],
        ),
        (
            "turnover",
            "a share of members leave at once and are replaced by newcomers with low expertise (the same slots under every model)",
            true,
            vec![TURNOVER_FRACTION],
        ),
        (
            "network_disruption",
            "cut communication (e.g. a move to remote work): informal ties are cut and proposals travel slower; ties return when it ends",
            true,
            vec![DISRUPTION_FRACTION, EXTRA_DELAY],
        ),
        (
            "crisis",
            "decisions must be made with reduced capacity or before a deadline",
            true,
            vec![CAPACITY, DEADLINE],
        ),
        (
            "growth",
            "new members join with low expertise",
            true,
            vec![MEMBERS, GROWTH_TIES],
        ),
        (
            "reorg",
            "the organization switches to another leadership model (temporarily, with until/duration)",
            true,
            vec![TO_MODEL],
        ),
        (
            "mentoring",
            "intervention: a mentoring programme raises the mentoring rate",
            false,
            vec![RATE],
        ),
        (
            "cross_functional",
            "intervention: cross-functional projects add informal ties across domains",
            false,
            vec![CROSS_TIES],
        ),
        (
            "team_decisions",
            "intervention: proposals are decided by votes of the domain's members",
            false,
            vec![],
        ),
    ]
}

/// Timing parameters every event takes.
pub fn timing_params() -> Vec<Param> {
    vec![NAME, AT, HAZARD, FROM, TO, UNTIL, DURATION, MEASURE, MODELS]
}

/// What the events are checked against.
pub struct Context<'a> {
    pub steps: u32,
    pub domains: usize,
    pub members: usize,
    pub models: &'a [crate::scenario::ModelEntry],
}

/// Reads one `[[events]]` table.
pub fn read(r: &mut Reader, ctx: &Context) -> Result<EventSpec, InputError> {
    let kind_word = match r.text(&Param {
        kind: Kind::Text,
        ..KIND
    })? {
        Some(k) => k,
        None => return Err(r.missing("kind", format!("is required: give {}", KIND.valid()))),
    };
    let Some(&(kind_name, _, shock, _)) = kinds().iter().find(|k| k.0 == kind_word) else {
        let hint = suggest(&kind_word, kinds().iter().map(|k| k.0))
            .map(|w| format!(" (did you mean \"{w}\"?)"))
            .unwrap_or_default();
        return Err(r.error(
            "kind",
            format!(
                "unknown event kind \"{kind_word}\"{hint}: expected {}",
                KIND.valid()
            ),
        ));
    };
    let name = r.text(&NAME)?.unwrap_or_else(|| kind_name.to_string());
    if !crate::scenario::valid_label(&name) {
        return Err(r.error(
            "name",
            format!("\"{name}\" is not a valid event name: use letters, digits, '_' and '-'"),
        ));
    }
    let steps = ctx.steps;
    let timing = read_timing(r, steps, kind_name == "turbulence")?;
    let lasting = is_lasting(kind_name);
    let duration = read_duration(r, &timing, steps, lasting)?;
    let kind = match kind_name {
        "landscape_shock" => EventKind::LandscapeShock {
            fraction: r.real(&SHOCK_FRACTION)?,
        },
        "turbulence" => EventKind::Turbulence {
            probability: r.real(&PROBABILITY)?,
            fraction: r.real(&TURBULENCE_FRACTION)?,
        },
        "leader_loss" => {
            let count = r.whole(&COUNT)? as usize;
            let most = ctx.domains + 1;
            if count > most {
                return Err(r.error("count", format!("{count} leaders cannot leave: the organization has at most {most} (one lead per domain plus the formal leader); count must be at most {most}")));
            }
            EventKind::LeaderLoss {
                count,
                select: if r.choice(&SELECT)? == "deciding" {
                    LeaderRank::Deciding
                } else {
                    LeaderRank::Central
                },
                vacancy: r.whole(&VACANCY)? as u32,
            }
        }
        "turnover" => EventKind::Turnover {
            fraction: r.real(&TURNOVER_FRACTION)?,
        },
        "network_disruption" => EventKind::NetworkDisruption {
            fraction: r.real(&DISRUPTION_FRACTION)?,
            extra_delay: r.whole(&EXTRA_DELAY)? as u32,
        },
        "crisis" => EventKind::Crisis {
            capacity: r.real(&CAPACITY)?,
            deadline: r.whole_opt(&DEADLINE)?.map(|d| d as u32),
        },
        "growth" => EventKind::Growth {
            members: r.whole(&MEMBERS)? as usize,
            ties: r.whole(&GROWTH_TIES)? as usize,
        },
        "reorg" => {
            let to = r.text(&TO_MODEL)?.ok_or_else(|| {
                r.error(
                    "model",
                    format!(
                        "is required: the name of one of the scenario's models ({})",
                        model_list(ctx)
                    ),
                )
            })?;
            let Some(entry) = ctx.models.iter().find(|m| m.name == to) else {
                let hint = suggest(&to, ctx.models.iter().map(|m| m.name.as_str()))
                    .map(|w| format!(" (did you mean \"{w}\"?)"))
                    .unwrap_or_default();
                return Err(r.error(
                    "model",
                    format!(
                        "\"{to}\" is not one of the scenario's models{hint}: expected one of {}",
                        model_list(ctx)
                    ),
                ));
            };
            EventKind::Reorg {
                to,
                config: entry.config.clone(),
            }
        }
        "mentoring" => EventKind::Mentoring {
            rate: r.real(&RATE)?,
        },
        "cross_functional" => EventKind::CrossFunctional {
            ties: match r.whole_opt(&CROSS_TIES)? {
                Some(t) => t as usize,
                None => (ctx.members / 2).max(1),
            },
        },
        _ => EventKind::TeamDecisions,
    };
    check_size(r, &kind, &timing, duration, ctx)?;
    let measure = if r.has("measure") {
        r.flag(&Param {
            default: D::Flag(shock),
            ..MEASURE
        })?
    } else {
        shock
    };
    let models = read_models(r, ctx)?;
    Ok(EventSpec {
        name,
        kind,
        timing,
        duration,
        measure,
        models,
    })
}

/// The most steps the turbulence windows of one event may cover in total (each covered step
/// draws whether a small shock happens).
pub const MAX_TURBULENCE_STEPS: u64 = 100_000_000;

/// The most work growth events may take per run, in members visited while wiring newcomers
/// (about 0.5 ns each: at most some ten seconds).
pub const MAX_GROWTH_WORK: u64 = 20_000_000_000;

/// Refuses events whose firings would add absurd numbers of ties, or whose turbulence windows
/// would take absurdly long to draw, before anything runs.
fn check_size(
    r: &Reader,
    kind: &EventKind,
    timing: &Timing,
    duration: Option<u32>,
    ctx: &Context,
) -> Result<(), InputError> {
    let steps = ctx.steps;
    let firings = timing.firings() as u64;
    let (key, ties) = match *kind {
        EventKind::Growth { members, ties } => {
            // Each newcomer picks its manager and ties among its domain's members: work grows
            // with the square of the growth.
            let added = (members as u64).saturating_mul(firings);
            let work = added.saturating_mul((ctx.members as u64).saturating_add(added))
                / ctx.domains.max(1) as u64;
            if work > MAX_GROWTH_WORK {
                return Err(r.error(
                    "members",
                    format!(
                        "{firings} firing(s) could add {added} members to {} domains, each newcomer wired among its domain's members: about {work:.1e} operations per run, at most {MAX_GROWTH_WORK:.0e}; add fewer members",
                        ctx.domains
                    ),
                ));
            }
            ("ties", (members as u64).saturating_mul(ties as u64))
        }
        EventKind::CrossFunctional { ties } => ("ties", ties as u64),
        EventKind::Turbulence { .. } => {
            let covered = firings.saturating_mul(duration.unwrap_or(steps) as u64);
            if covered > MAX_TURBULENCE_STEPS {
                return Err(r.error(
                    "at",
                    format!(
                        "{firings} turbulence windows of up to {} steps cover {covered} steps; at most {MAX_TURBULENCE_STEPS}: fire it at fewer steps or give a shorter duration",
                        duration.unwrap_or(steps)
                    ),
                ));
            }
            return Ok(());
        }
        _ => return Ok(()),
    };
    let added = ties.saturating_mul(firings);
    let bytes = added.saturating_mul(crate::org::TIE_BYTES);
    if bytes > crate::org::MAX_ORG_BYTES {
        return Err(r.error(
            key,
            format!(
                "{firings} firing(s) could add {added} informal ties, about {} GiB per run; the limit is {} GiB: lower ties or members, or fire it fewer times",
                bytes >> 30,
                crate::org::MAX_ORG_BYTES >> 30
            ),
        ));
    }
    Ok(())
}

fn model_list(ctx: &Context) -> String {
    ctx.models
        .iter()
        .map(|m| format!("\"{}\"", m.name))
        .collect::<Vec<_>>()
        .join(", ")
}

fn read_models(r: &mut Reader, ctx: &Context) -> Result<Option<Vec<String>>, InputError> {
    if !r.has("only") {
        return Ok(None);
    }
    let value = r.raw_value("only");
    let names: Vec<String> = match value {
        Some(toml::Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                r.error(
                    "only",
                    "expected a list of model names, e.g. only = [\"shared\"]",
                )
            })?,
        Some(toml::Value::String(s)) => vec![s.clone()],
        _ => {
            return Err(r.error(
                "only",
                "expected a list of model names, e.g. only = [\"shared\"]",
            ));
        }
    };
    for n in &names {
        if !ctx.models.iter().any(|m| &m.name == n) {
            let hint = suggest(n, ctx.models.iter().map(|m| m.name.as_str()))
                .map(|w| format!(" (did you mean \"{w}\"?)"))
                .unwrap_or_default();
            return Err(r.error(
                "only",
                format!(
                    "\"{n}\" is not one of the scenario's models{hint}: expected names from {}",
                    model_list(ctx)
                ),
            ));
        }
    }
    Ok(Some(names))
}

fn read_timing(r: &mut Reader, steps: u32, turbulence: bool) -> Result<Timing, InputError> {
    let has_at = r.has("at");
    let has_hazard = r.has("hazard");
    if has_at && has_hazard {
        return Err(r.error(
            "hazard",
            "give either at (fixed steps) or hazard (a probability per step), not both",
        ));
    }
    if has_hazard {
        let p = r.real(&HAZARD)?;
        let from = r.whole(&FROM)? as u32;
        let to = r
            .whole_opt(&Param {
                default: D::Whole(steps as u64),
                ..TO
            })?
            .unwrap_or(steps as u64) as u32;
        if from > steps {
            return Err(r.error(
                "from",
                format!("{from} is after the last step ({steps}): the event could never fire"),
            ));
        }
        if to < from || to > steps {
            return Err(r.error("to", format!("{to} is out of range: expected a step between from = {from} and the last step ({steps})")));
        }
        return Ok(Timing::Hazard { p, from, to });
    }
    for key in ["from", "to"] {
        if r.has(key) {
            return Err(r.error(key, "only applies with hazard"));
        }
    }
    let steps_at: Vec<u32> = match r.raw_value("at") {
        None if turbulence => vec![1],
        None => return Err(r.missing_one_of(&["at", "hazard"], "is required: give the step at which the event fires (at = 100), a list of steps (at = [100, 300]), or a hazard")),
        Some(toml::Value::Integer(i)) => vec![check_step(r, *i, steps)?],
        Some(toml::Value::Array(items)) => {
            if items.is_empty() {
                return Err(r.error("at", "is an empty list: give at least one step"));
            }
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    toml::Value::Integer(i) => out.push(check_step(r, *i, steps)?),
                    v => return Err(r.error("at", format!("expected whole steps, found {}", crate::params::describe(v)))),
                }
            }
            out.sort_unstable();
            out.dedup();
            out
        }
        Some(v) => return Err(r.error("at", format!("expected a step or a list of steps, found {}", crate::params::describe(v)))),
    };
    Ok(Timing::At(steps_at))
}

fn check_step(r: &Reader, i: i64, steps: u32) -> Result<u32, InputError> {
    if i < 1 || i > steps as i64 {
        Err(r.error(
            "at",
            format!(
                "step {i} is outside the run: events happen at steps 1 to {steps} (the horizon)"
            ),
        ))
    } else {
        Ok(i as u32)
    }
}

/// Whether events of `kind` are in force for a while (and undone when they end) rather than
/// happening at once.
fn is_lasting(kind: &str) -> bool {
    matches!(
        kind,
        "turbulence"
            | "network_disruption"
            | "crisis"
            | "reorg"
            | "mentoring"
            | "cross_functional"
            | "team_decisions"
    )
}

fn read_duration(
    r: &mut Reader,
    timing: &Timing,
    steps: u32,
    lasting: bool,
) -> Result<Option<u32>, InputError> {
    let has_until = r.has("until");
    let has_duration = r.has("duration");
    if !lasting {
        for (key, has) in [("until", has_until), ("duration", has_duration)] {
            if has {
                return Err(r.error(key, "this kind of event happens at once and has no end"));
            }
        }
        return Ok(None);
    }
    if has_until && has_duration {
        return Err(r.error("duration", "give either until or duration, not both"));
    }
    if has_duration {
        return Ok(Some(r.whole(&DURATION)? as u32));
    }
    if !has_until && matches!(timing, Timing::Hazard { .. }) {
        // Every firing would last to the end and pile up on the previous ones.
        return Err(r.missing(
            "duration",
            "is required with hazard: a lasting change that fires at random steps needs a duration (steps each firing lasts)",
        ));
    }
    if has_until {
        let until = r.whole(&UNTIL)? as u32;
        let Timing::At(at) = timing else {
            return Err(r.error(
                "until",
                "a hazard can fire at many steps: give duration instead of until",
            ));
        };
        let last_start = *at.last().expect("non-empty");
        if at.len() > 1 {
            return Err(r.error(
                "until",
                "an event at several steps needs duration instead of until",
            ));
        }
        if until <= last_start {
            return Err(r.error("until", format!("the window ends (step {until}) before it starts (step {last_start}): until must be after at")));
        }
        if until > steps {
            return Err(r.error("until", format!("step {until} is after the last step ({steps}); omit until to keep the change to the end")));
        }
        return Ok(Some(until - last_start));
    }
    Ok(None)
}

// --- the timeline of one run ----------------------------------------------------------------

/// What happens to an event at a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    /// A lasting change is undone (ends are applied before anything starts at the same step).
    End,
    /// The event fires.
    Start,
    /// A turbulence window's small shock.
    Pulse,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Firing {
    step: u32,
    phase: Phase,
    event: usize,
    /// Which firing of the event a start or end belongs to.
    instance: u32,
}

/// A lasting change in force.
#[derive(Debug, Clone)]
struct Window {
    event: usize,
    instance: u32,
    /// Ties cut (network disruption) or added (cross-functional) by this firing.
    ties: Vec<(u32, u32)>,
}

/// A shock that happened in a run: which event, when, and performance right after it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShockRecord {
    pub event: usize,
    pub step: u32,
    pub after: f64,
}

/// The events of one run: their precomputed firing steps and the changes in force.
#[derive(Debug)]
pub struct Timeline {
    events: Vec<EventSpec>,
    firings: Vec<Firing>,
    next: usize,
    windows: Vec<Window>,
    vacancies: Vec<(u32, Slot)>,
    seed: u64,
    base_mentor: f64,
    /// The model the run started with (restored when a reorg ends).
    home: Arc<dyn ModelConfig>,
    scratch: Vec<usize>,
    picked: Vec<usize>,
    drained: Vec<crate::world::Proposal>,
    /// Shocks so far.
    pub shocks: Vec<ShockRecord>,
}

impl Timeline {
    /// The timeline of a run of `model` (its name and configuration) over `steps` steps with
    /// world seed `seed`. Hazards and turbulence draw their firing steps here, from streams of
    /// the world seed and the event's position, so every model meets the same firings.
    pub fn new(
        events: &[EventSpec],
        model: &str,
        home: Arc<dyn ModelConfig>,
        steps: u32,
        seed: u64,
        base_mentor: f64,
    ) -> Timeline {
        let mut firings = Vec::new();
        for (e, ev) in events.iter().enumerate() {
            if !ev.applies_to(model) {
                continue;
            }
            let starts: Vec<u32> = match &ev.timing {
                Timing::At(at) => at.clone(),
                Timing::Hazard { p, from, to } => {
                    let mut r = rng::stream(seed, Purpose::Events, &[e as u64, 0]);
                    (*from..=*to).filter(|_| rng::chance(&mut r, *p)).collect()
                }
            };
            for (instance, &start) in starts.iter().enumerate() {
                let instance = instance as u32;
                firings.push(Firing {
                    step: start,
                    phase: Phase::Start,
                    event: e,
                    instance,
                });
                let end = ev.duration.map(|d| start.saturating_add(d));
                if let Some(end) = end.filter(|&x| x <= steps) {
                    firings.push(Firing {
                        step: end,
                        phase: Phase::End,
                        event: e,
                        instance,
                    });
                }
                if let EventKind::Turbulence { probability, .. } = ev.kind {
                    let mut r = rng::stream(seed, Purpose::Events, &[e as u64, 1, instance as u64]);
                    let last = end.map_or(steps, |x| x.saturating_sub(1).min(steps));
                    for t in start..=last {
                        if rng::chance(&mut r, probability) {
                            firings.push(Firing {
                                step: t,
                                phase: Phase::Pulse,
                                event: e,
                                instance,
                            });
                        }
                    }
                }
            }
        }
        firings.sort_unstable();
        Timeline {
            events: events.to_vec(),
            firings,
            next: 0,
            windows: Vec::new(),
            vacancies: Vec::new(),
            seed,
            base_mentor,
            home,
            scratch: Vec::new(),
            picked: Vec::new(),
            drained: Vec::new(),
            shocks: Vec::new(),
        }
    }

    /// The events, in scenario order.
    pub fn events(&self) -> &[EventSpec] {
        &self.events
    }

    /// Steps at which something happens (for tests and reports).
    pub fn firing_steps(&self) -> Vec<(u32, usize)> {
        self.firings
            .iter()
            .filter(|f| f.phase != Phase::End)
            .map(|f| (f.step, f.event))
            .collect()
    }

    /// Applies everything due at step `world.t`: arriving replacements, ends, firings. Returns
    /// whether anything happened.
    pub fn apply(&mut self, world: &mut World, model: &mut Box<dyn LeadershipModel>) -> bool {
        let t = world.t;
        let mut changed = false;
        let mut i = 0;
        while i < self.vacancies.len() {
            if self.vacancies[i].0 <= t {
                let (_, slot) = self.vacancies.remove(i);
                let spec = world.org_spec.clone();
                world.org.replace(slot, t, &spec, Hire::Experienced);
                changed = true;
            } else {
                i += 1;
            }
        }
        let first_shock = self.shocks.len();
        while self.next < self.firings.len() && self.firings[self.next].step <= t {
            let f = self.firings[self.next];
            self.next += 1;
            changed = true;
            match f.phase {
                Phase::End => self.end(f, world, model),
                Phase::Start | Phase::Pulse => {
                    self.start(f, world, model);
                    if self.events[f.event].measure {
                        self.shocks.push(ShockRecord {
                            event: f.event,
                            step: t,
                            after: f64::NAN,
                        });
                    }
                }
            }
        }
        if changed {
            self.set_conditions(world);
            let after = world.land.performance(world.config);
            for s in &mut self.shocks[first_shock..] {
                s.after = after;
            }
        }
        changed
    }

    fn event_rng(&self, purpose: Purpose, f: &Firing) -> SimRng {
        rng::stream(
            self.seed,
            purpose,
            &[
                f.event as u64,
                f.step as u64,
                f.phase as u64,
                f.instance as u64,
            ],
        )
    }

    fn start(&mut self, f: Firing, world: &mut World, model: &mut Box<dyn LeadershipModel>) {
        let t = world.t;
        let ev = self.events[f.event].clone();
        let mut window = Window {
            event: f.event,
            instance: f.instance,
            ties: Vec::new(),
        };
        match &ev.kind {
            EventKind::LandscapeShock { fraction } => {
                world
                    .land
                    .redraw(*fraction, &mut self.event_rng(Purpose::Turbulence, &f));
            }
            EventKind::Turbulence { fraction, .. } => {
                if f.phase == Phase::Pulse {
                    world
                        .land
                        .redraw(*fraction, &mut self.event_rng(Purpose::Turbulence, &f));
                    return;
                }
            }
            EventKind::LeaderLoss {
                count,
                select,
                vacancy,
            } => {
                let mut leaders = model.leaders(world);
                let org = &world.org;
                match select {
                    LeaderRank::Central => {
                        leaders.sort_by_key(|&s| (std::cmp::Reverse(org.network.degree(s)), s))
                    }
                    LeaderRank::Deciding => {
                        leaders.sort_by_key(|&s| (std::cmp::Reverse(org.decided[s]), s))
                    }
                }
                for &slot in leaders.iter().take(*count) {
                    world.org.vacate(slot);
                    world.tally.departures += 1;
                    if *vacancy == 0 {
                        let spec = world.org_spec.clone();
                        world.org.replace(slot, t, &spec, Hire::Experienced);
                    } else {
                        // A vacancy beyond the horizon leaves the seat empty to the end.
                        self.vacancies.push((t.saturating_add(*vacancy), slot));
                    }
                }
            }
            EventKind::Turnover { fraction } => {
                let eligible: Vec<usize> = (1..world.org.slots())
                    .filter(|&s| world.org.active[s])
                    .collect();
                let k = (fraction * eligible.len() as f64).round() as usize;
                let mut r = self.event_rng(Purpose::Events, &f);
                rng::choose_distinct(
                    &mut r,
                    eligible.len(),
                    k,
                    &mut self.scratch,
                    &mut self.picked,
                );
                let spec = world.org_spec.clone();
                for &i in &self.picked {
                    world.org.replace(eligible[i], t, &spec, Hire::Newcomer);
                }
                world.tally.departures += k as u32;
            }
            EventKind::NetworkDisruption { fraction, .. } => {
                let edges = world.org.network.edges();
                let k = (fraction * edges.len() as f64).round() as usize;
                let mut r = self.event_rng(Purpose::Events, &f);
                rng::choose_distinct(&mut r, edges.len(), k, &mut self.scratch, &mut self.picked);
                window.ties.reserve_exact(k);
                window.ties.extend(self.picked.iter().map(|&i| edges[i]));
                drop(edges);
                // In bulk: cutting most ties of a dense network one by one takes hours.
                world.org.network.remove_edges(&window.ties);
            }
            EventKind::Growth { members, ties } => {
                let mut r = self.event_rng(Purpose::Events, &f);
                let spec = world.org_spec.clone();
                for _ in 0..*members {
                    let domain = world.org.slots() % world.org.domains;
                    world.org.grow(domain, t, &spec, *ties, &mut r);
                }
                world.fit_slots();
            }
            EventKind::Reorg { config, .. } => {
                let fresh = config.build(world);
                self.switch(world, model, fresh);
            }
            EventKind::CrossFunctional { ties } => {
                let mut r = self.event_rng(Purpose::Events, &f);
                let n = world.org.slots();
                // No more ties than there are pairs across domains, so the attempts stay
                // proportional to what can be added.
                let mut per_domain = vec![0u64; world.org.domains];
                for s in (0..n).filter(|&s| world.org.active[s]) {
                    per_domain[world.org.domain[s] as usize] += 1;
                }
                let active: u64 = per_domain.iter().sum();
                let same: u64 = per_domain.iter().map(|c| c * c).sum();
                let cross_pairs = ((active * active - same) / 2) as usize;
                let ties = (*ties).min(cross_pairs);
                let mut attempts = 0usize;
                while window.ties.len() < ties && attempts < 100 * ties + 100 {
                    attempts += 1;
                    let a = rng::below(&mut r, n);
                    let b = rng::below(&mut r, n);
                    let org = &mut world.org;
                    if org.active[a]
                        && org.active[b]
                        && org.domain[a] != org.domain[b]
                        && org.network.add_edge(a, b)
                    {
                        window.ties.push((a.min(b) as u32, a.max(b) as u32));
                    }
                }
            }
            EventKind::Crisis { .. } | EventKind::Mentoring { .. } | EventKind::TeamDecisions => {}
        }
        let lasting = matches!(
            ev.kind,
            EventKind::Turbulence { .. }
                | EventKind::NetworkDisruption { .. }
                | EventKind::Crisis { .. }
                | EventKind::Reorg { .. }
                | EventKind::Mentoring { .. }
                | EventKind::CrossFunctional { .. }
                | EventKind::TeamDecisions
        );
        if lasting {
            self.windows.push(window);
        }
    }

    fn end(&mut self, f: Firing, world: &mut World, model: &mut Box<dyn LeadershipModel>) {
        let Some(pos) = self
            .windows
            .iter()
            .position(|w| w.event == f.event && w.instance == f.instance)
        else {
            return;
        };
        let window = self.windows.remove(pos);
        match &self.events[f.event].kind {
            EventKind::NetworkDisruption { .. } => world.org.network.add_edges(&window.ties),
            EventKind::CrossFunctional { .. } => world.org.network.remove_edges(&window.ties),
            EventKind::Reorg { .. } => {
                // Back to the model of the latest reorg still in force, or the run's own.
                let config = self
                    .windows
                    .iter()
                    .rev()
                    .find_map(|w| match &self.events[w.event].kind {
                        EventKind::Reorg { config, .. } => Some(config.clone()),
                        _ => None,
                    })
                    .unwrap_or_else(|| self.home.clone());
                let fresh = config.build(world);
                self.switch(world, model, fresh);
            }
            _ => {}
        }
    }

    /// Replaces the model, handing every waiting proposal to the new one.
    fn switch(
        &mut self,
        world: &mut World,
        model: &mut Box<dyn LeadershipModel>,
        fresh: Box<dyn LeadershipModel>,
    ) {
        self.drained.clear();
        model.drain(&mut self.drained);
        *model = fresh;
        model.begin_step(world);
        for p in self.drained.drain(..) {
            model.submit(p, world);
        }
    }

    /// Derives this step's conditions from the changes in force.
    fn set_conditions(&self, world: &mut World) {
        let mut c = crate::world::Conditions::default();
        let mut mentor: Option<f64> = None;
        for w in &self.windows {
            match &self.events[w.event].kind {
                EventKind::Crisis { capacity, deadline } => {
                    c.capacity_factor *= capacity;
                    if let Some(d) = deadline {
                        c.deadline = Some(c.deadline.map_or(*d, |x| x.min(*d)));
                    }
                }
                EventKind::NetworkDisruption { extra_delay, .. } => c.extra_delay += extra_delay,
                EventKind::TeamDecisions => c.team_decisions = true,
                EventKind::Mentoring { rate } => {
                    mentor = Some(mentor.map_or(*rate, |m| m.max(*rate)))
                }
                _ => {}
            }
        }
        world.conditions = c;
        world.behaviour.mentor = mentor.unwrap_or(self.base_mentor);
    }
}

/// The `shocks.csv` rows of a run, from its shocks and its performance at the end of every step
/// (`performance[t]`, t = 0..=steps).
pub fn shock_rows(
    id: &[String],
    timeline_shocks: &[ShockRecord],
    events: &[EventSpec],
    performance: &[f64],
    window: usize,
) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, s) in timeline_shocks.iter().enumerate() {
        let t = s.step as usize;
        let before = performance[t - 1];
        let a = adaptability(before, s.after, &performance[t..], window);
        let ev = &events[s.event];
        let mut cells = id.to_vec();
        cells.extend([
            i.to_string(),
            ev.name.clone(),
            ev.kind_name().to_string(),
            s.step.to_string(),
            crate::output::number(a.before),
            crate::output::number(a.after),
            crate::output::number(a.drop),
            crate::output::number(a.trough),
            crate::output::number(a.max_drop),
            a.recovery_steps.to_string(),
            a.censored.to_string(),
            crate::output::number(a.window_mean),
            a.window_steps.to_string(),
        ]);
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        w.write_record(&cells).expect("in-memory CSV");
        out.extend(w.into_inner().expect("in-memory CSV"));
    }
    out
}

/// Columns of `shocks.csv` after the identifying ones.
pub const SHOCK_COLUMNS: [&str; 13] = [
    "shock",
    "event",
    "kind",
    "step",
    "before",
    "after",
    "drop",
    "trough",
    "max_drop",
    "recovery_steps",
    "censored",
    "window_mean",
    "window_steps",
];

/// Adaptability around one shock.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Adaptability {
    /// Performance at the end of the step before the shock.
    pub before: f64,
    /// Performance right after the shock was applied (before the organization responds).
    pub after: f64,
    /// `before − after`: the immediate effect.
    pub drop: f64,
    /// The lowest performance within the window, counting `after` (shocks to the members or the
    /// leadership often hurt later, not at once).
    pub trough: f64,
    /// `before − trough`.
    pub max_drop: f64,
    /// Steps from the shock until performance at the end of a step is back to `before`, looking
    /// from the trough on: 0 when performance never fell below `before` within the window. When
    /// the run ends first, the steps observed, with `censored` set.
    pub recovery_steps: u32,
    pub censored: bool,
    /// Mean performance at the end of the shock step and the following steps of the window.
    pub window_mean: f64,
    /// Steps the window covers (fewer than the window when the run ends first).
    pub window_steps: u32,
}

/// Measures adaptability from `series`, the performance at the end of steps `shock_step`,
/// `shock_step + 1`, …, up to the end of the run.
pub fn adaptability(before: f64, after: f64, series: &[f64], window: usize) -> Adaptability {
    let w = window.min(series.len());
    let (mut trough_at, mut trough) = (0usize, after);
    for (i, &p) in series[..w].iter().enumerate() {
        if p < trough {
            trough = p;
            trough_at = i;
        }
    }
    let (recovery_steps, censored) = if trough >= before {
        (0, false)
    } else {
        match series[trough_at..].iter().position(|&p| p >= before) {
            Some(r) => ((trough_at + r) as u32, false),
            None => (series.len() as u32, true),
        }
    };
    let window_mean = if w > 0 {
        series[..w].iter().sum::<f64>() / w as f64
    } else {
        f64::NAN
    };
    Adaptability {
        before,
        after,
        drop: before - after,
        trough,
        max_drop: before - trough,
        recovery_steps,
        censored,
        window_mean,
        window_steps: w as u32,
    }
}

/// Named statistics columns, each `[model][replicate]`.
pub type Columns = Vec<(String, Vec<Vec<f64>>)>;

/// Per-model statistics of shocks for `stats.csv`: for each run, the mean over its shocks of
/// `drop`, `max_drop`, `recovery_steps` (uncensored shocks only), the share censored and
/// `window_mean`; returned as `(column, [model][replicate])`. When `events` (the names of the
/// scenario's measured events, in file order) holds more than one, the same columns follow for
/// each event alone, named `shock_drop@<event>` and so on: averaging a market shock with a
/// leader's departure says little about either. Empty when no run had a shock.
pub fn shock_stats(
    models: usize,
    replications: usize,
    rows: &[Vec<u8>],
    n_id: usize,
    path: &Path,
    events: &[String],
) -> Result<Columns, OutputError> {
    if rows.iter().all(|r| r.is_empty()) {
        return Ok(Vec::new());
    }
    const NAMES: [&str; 5] = [
        "shock_drop",
        "shock_max_drop",
        "shock_recovery_steps",
        "shock_censored",
        "shock_window_mean",
    ];
    // Group 0 is every shock; groups 1… are the events one by one (only with several events).
    let per_event: &[String] = if events.len() > 1 { events } else { &[] };
    let groups = 1 + per_event.len();
    let col = |name: &str| n_id + SHOCK_COLUMNS.iter().position(|c| *c == name).unwrap_or(0);
    let mut out = vec![vec![vec![f64::NAN; replications]; models]; NAMES.len() * groups];
    let mut sums = vec![[0.0f64; 5]; groups];
    let mut counts = vec![[0usize; 5]; groups];
    for (i, bytes) in rows.iter().enumerate() {
        let (m, r) = (i % models, i / models);
        sums.iter_mut().for_each(|s| *s = [0.0; 5]);
        counts.iter_mut().for_each(|c| *c = [0; 5]);
        for record in crate::output::tables::records(bytes) {
            if record.len() != n_id + SHOCK_COLUMNS.len() {
                return Err(OutputError::Corrupt {
                    path: path.to_path_buf(),
                    detail: format!(
                        "bad shock row: {} cells where {} were expected",
                        record.len(),
                        n_id + SHOCK_COLUMNS.len()
                    ),
                });
            }
            let get = |name: &str| -> f64 {
                record
                    .get(col(name))
                    .and_then(|c| crate::output::tables::number_cell(c))
                    .unwrap_or(f64::NAN)
            };
            let censored = record.get(col("censored")).is_some_and(|c| *c == b"true");
            let vals = [
                get("drop"),
                get("max_drop"),
                if censored {
                    f64::NAN
                } else {
                    get("recovery_steps")
                },
                if censored { 1.0 } else { 0.0 },
                get("window_mean"),
            ];
            let event = record.get(col("event")).copied();
            let own = per_event
                .iter()
                .position(|e| Some(e.as_bytes()) == event)
                .map(|g| g + 1);
            for g in std::iter::once(0).chain(own) {
                for (k, v) in vals.iter().enumerate() {
                    if !v.is_nan() {
                        sums[g][k] += v;
                        counts[g][k] += 1;
                    }
                }
            }
        }
        for g in 0..groups {
            for k in 0..NAMES.len() {
                if counts[g][k] > 0 {
                    out[g * NAMES.len() + k][m][r] = sums[g][k] / counts[g][k] as f64;
                }
            }
        }
    }
    let names = std::iter::once(None)
        .chain(per_event.iter().map(Some))
        .flat_map(|e| {
            NAMES.iter().map(move |n| match e {
                None => n.to_string(),
                Some(e) => format!("{n}@{e}"),
            })
        });
    Ok(names.zip(out).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shock_stats_per_event_skip_runs_the_event_missed() {
        // model,replicate,seed + shock,event,kind,step,before,after,drop,trough,max_drop,
        // recovery_steps,censored,window_mean,window_steps
        let row = |event: &str, drop: f64, rec: u32, censored: bool| {
            format!("m,0,1,0,{event},k,5,0.9,0.8,{drop},0.8,{drop},{rec},{censored},0.85,10\n")
        };
        let rows: Vec<Vec<u8>> = vec![
            // model 0, replicate 0: both events.
            format!(
                "{}{}",
                row("market", 0.1, 4, false),
                row("exit", 0.3, 6, true)
            )
            .into_bytes(),
            // model 1, replicate 0: the market shock only.
            row("market", 0.2, 2, false).into_bytes(),
            // model 0, replicate 1: no shock.
            Vec::new(),
            // model 1, replicate 1: the exit only.
            row("exit", 0.4, 8, false).into_bytes(),
        ];
        let events = ["market".to_string(), "exit".to_string()];
        let cols = shock_stats(2, 2, &rows, 3, Path::new("x"), &events).unwrap();
        let get = |name: &str| &cols.iter().find(|(n, _)| n == name).unwrap().1;
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(close(get("shock_drop")[0][0], 0.2), "mean of 0.1 and 0.3");
        assert!(close(get("shock_drop@market")[0][0], 0.1));
        assert!(close(get("shock_drop@exit")[1][1], 0.4));
        assert!(
            get("shock_drop@market")[1][1].is_nan(),
            "no market shock in that run"
        );
        assert!(get("shock_drop")[0][1].is_nan(), "no shock at all");
        // Recovery time over recovered shocks only; the censored share counts both.
        assert!(close(get("shock_recovery_steps")[0][0], 4.0));
        assert!(close(get("shock_censored")[0][0], 0.5));
        assert!(get("shock_recovery_steps@exit")[0][0].is_nan());
        // One event: no per-event columns.
        let one = shock_stats(2, 2, &rows, 3, Path::new("x"), &events[..1]).unwrap();
        assert_eq!(one.len(), 5);
        // A row with the wrong number of cells is corrupt.
        let bad = vec![b"m,0,1,0,market\n".to_vec()];
        assert!(shock_stats(1, 1, &bad, 3, Path::new("x"), &[]).is_err());
    }

    #[test]
    fn recovery_and_censoring_on_hand_made_series() {
        // Drops from 0.8 to 0.5, regains 0.8 three steps after the shock step.
        let a = adaptability(0.8, 0.5, &[0.55, 0.6, 0.7, 0.8, 0.9], 3);
        assert!((a.drop - 0.3).abs() < 1e-12);
        assert_eq!(a.trough, 0.5);
        assert_eq!((a.recovery_steps, a.censored), (3, false));
        assert!((a.window_mean - 0.6166666666666667).abs() < 1e-12);
        assert_eq!(a.window_steps, 3);
        // Never regains it: censored at the number of steps observed.
        let c = adaptability(0.8, 0.5, &[0.6, 0.7], 10);
        assert_eq!((c.recovery_steps, c.censored, c.window_steps), (2, true, 2));
        // No fall at all: recovered at once.
        let z = adaptability(0.5, 0.6, &[0.6, 0.7], 5);
        assert_eq!((z.recovery_steps, z.censored), (0, false));
        assert!(z.drop < 0.0 && z.max_drop < 0.0);
        // A delayed dip (a lost leader): no immediate drop, a trough two steps later, back at
        // the old level four steps after the shock.
        let d = adaptability(0.9, 0.9, &[0.9, 0.85, 0.7, 0.8, 0.9, 0.95], 5);
        assert_eq!(d.drop, 0.0);
        assert_eq!(d.trough, 0.7);
        assert!((d.max_drop - 0.2).abs() < 1e-12);
        assert_eq!((d.recovery_steps, d.censored), (4, false));
    }

    mod timeline {
        use super::super::*;
        use crate::landscape::Config;
        use crate::scenario::Scenario;

        fn scenario(events: &str) -> Scenario {
            Scenario::from_text(
                &format!(
                    "steps = 40\n[landscape]\nn = 10\nk = 3\n[organization]\nmembers = 20\ndomains = 4\n[behaviour.engagement]\nleave_rate = 0\n[[models]]\nkind = \"centralized\"\n[[models]]\nkind = \"shared\"\n{events}"
                ),
                "t.toml",
            )
            .unwrap()
        }

        fn brute_max(world: &World) -> f64 {
            (0..1u64 << world.land.n())
                .map(|c| world.land.fitness(Config(c)))
                .fold(f64::MIN, f64::max)
        }

        #[test]
        fn events_describe_what_they_do_and_when() {
            let s = scenario(
                "[[events]]\nkind = \"landscape_shock\"\nname = \"market\"\nat = [10, 20]\nfraction = 0.4\n[[events]]\nkind = \"crisis\"\nat = 5\nduration = 8\ncapacity = 0.5\nonly = [\"shared\"]\n[[events]]\nkind = \"turnover\"\nhazard = 0.01\nfrom = 3\nto = 30\nfraction = 0.1\nmeasure = false\n[[events]]\nkind = \"team_decisions\"\nat = 2\n",
            );
            let lines: Vec<String> = s.events.iter().map(EventSpec::describe).collect();
            assert_eq!(
                lines,
                [
                    "market: landscape_shock (fraction = 0.4) at steps 10, 20; a measured shock",
                    "crisis: crisis (capacity = 0.5) at step 5, lasting 8 steps, only for shared; a measured shock",
                    "turnover: turnover (fraction = 0.1) with probability 0.01 at each step from 3 to 30",
                    "team_decisions: team_decisions at step 2, to the end of the run",
                ]
            );
        }

        /// Applies the events of `s` up to step `until` to a fresh world of model `m`.
        fn play(s: &Scenario, m: usize, until: u32) -> (World, Timeline) {
            let mut world = crate::sim::build_world(s, 5, m);
            let mut model = s.models[m].config.build(&world);
            let entry = &s.models[m];
            let mut tl = Timeline::new(
                &s.events,
                &entry.name,
                entry.config.clone(),
                s.steps,
                5,
                0.002,
            );
            for t in 1..=until {
                world.begin_step(t);
                tl.apply(&mut world, &mut model);
                model.begin_step(&mut world);
            }
            (world, tl)
        }

        #[test]
        fn a_shock_of_fraction_zero_changes_nothing() {
            let s = scenario("[[events]]\nkind = \"landscape_shock\"\nat = 3\nfraction = 0.0\n");
            let (before, _) = play(&s, 0, 2);
            let (after, tl) = play(&s, 0, 3);
            assert_eq!(after.land.global_max(), before.land.global_max());
            assert_eq!(
                after.land.performance(after.config),
                before.land.performance(before.config)
            );
            assert_eq!(tl.shocks.len(), 1);
            assert_eq!(tl.shocks[0].after, before.land.performance(before.config));
        }

        #[test]
        fn a_full_shock_renormalizes_against_the_new_maximum() {
            let s = scenario("[[events]]\nkind = \"landscape_shock\"\nat = 3\nfraction = 1.0\n");
            let (before, _) = play(&s, 0, 2);
            let (after, tl) = play(&s, 0, 3);
            assert_eq!(
                after.config, before.config,
                "the configuration is unchanged"
            );
            let c = after.config;
            assert_ne!(
                after.land.fitness(c),
                before.land.fitness(c),
                "the landscape is new"
            );
            assert_eq!(after.land.global_max(), brute_max(&after));
            let p = after.land.fitness(c) / brute_max(&after);
            assert!((after.land.performance(c) - p).abs() < 1e-15);
            assert_eq!(tl.shocks[0].after, after.land.performance(c));
        }

        #[test]
        fn events_meet_every_model_at_the_same_steps_and_members() {
            let s = scenario(
                "[[events]]\nkind = \"turnover\"\nhazard = 0.2\nfraction = 0.3\n[[events]]\nkind = \"turbulence\"\nprobability = 0.3\nmeasure = true\n",
            );
            let (w0, t0) = play(&s, 0, 40);
            let (w1, t1) = play(&s, 1, 40);
            assert!(!t0.firing_steps().is_empty());
            assert_eq!(t0.firing_steps(), t1.firing_steps());
            assert_eq!(
                t0.shocks
                    .iter()
                    .map(|x| (x.event, x.step))
                    .collect::<Vec<_>>(),
                t1.shocks
                    .iter()
                    .map(|x| (x.event, x.step))
                    .collect::<Vec<_>>()
            );
            // The same members (by id) left and the same newcomers arrived.
            assert_eq!(w0.org.id, w1.org.id);
            assert_eq!(w0.org.joined, w1.org.joined);
            assert_ne!(
                w0.org.id,
                (0..20).collect::<Vec<u32>>(),
                "turnover happened"
            );
            assert_eq!(
                w0.land.global_max(),
                w1.land.global_max(),
                "same turbulence"
            );
        }

        #[test]
        fn leader_loss_empties_the_seat_until_the_replacement_arrives() {
            let s = scenario("[[events]]\nkind = \"leader_loss\"\nat = 5\nvacancy = 10\n");
            let (w, _) = play(&s, 0, 5);
            assert!(!w.org.active[0], "the central leader is gone");
            let (w, _) = play(&s, 0, 14);
            assert!(!w.org.active[0]);
            let (w, _) = play(&s, 0, 15);
            assert!(w.org.active[0], "replaced after the vacancy");
            assert_eq!(w.org.joined[0], 15);
        }

        #[test]
        fn lasting_changes_are_undone_when_they_end() {
            let s = scenario(
                "[[events]]\nkind = \"network_disruption\"\nat = 2\nuntil = 6\nfraction = 0.5\nextra_delay = 3\n[[events]]\nkind = \"crisis\"\nat = 2\nduration = 4\ncapacity = 0.25\ndeadline = 3\n[[events]]\nkind = \"team_decisions\"\nat = 3\nuntil = 5\n[[events]]\nkind = \"mentoring\"\nat = 2\nuntil = 4\nrate = 0.5\n[[events]]\nkind = \"cross_functional\"\nat = 2\nuntil = 6\nties = 5\n",
            );
            let (start, _) = play(&s, 0, 1);
            let (mid, _) = play(&s, 0, 3);
            assert_eq!(mid.conditions.capacity_factor, 0.25);
            assert_eq!(mid.conditions.deadline, Some(3));
            assert_eq!(mid.conditions.extra_delay, 3);
            assert!(mid.conditions.team_decisions);
            assert_eq!(mid.behaviour.mentor, 0.5);
            assert_ne!(mid.org.network, start.org.network);
            let (end, _) = play(&s, 0, 6);
            assert_eq!(end.conditions, crate::world::Conditions::default());
            assert_eq!(end.behaviour.mentor, 0.002);
            assert_eq!(
                end.org.network, start.org.network,
                "ties restored, project ties removed"
            );
        }

        #[test]
        fn growth_adds_members_and_reorg_switches_model() {
            let s = scenario(
                "[[events]]\nkind = \"growth\"\nat = 2\nmembers = 6\n[[events]]\nkind = \"reorg\"\nat = 3\nuntil = 5\nmodel = \"shared\"\nonly = [\"centralized\"]\n",
            );
            let (w, _) = play(&s, 0, 2);
            assert_eq!(w.org.active_count(), 26);
            assert_eq!(w.feedback.len(), 26);
            let mut world = crate::sim::build_world(&s, 5, 0);
            let mut model = s.models[0].config.build(&world);
            let mut tl = Timeline::new(
                &s.events,
                "centralized",
                s.models[0].config.clone(),
                s.steps,
                5,
                0.002,
            );
            let mut leads = Vec::new();
            for t in 1..=5 {
                world.begin_step(t);
                tl.apply(&mut world, &mut model);
                model.begin_step(&mut world);
                leads.push(model.leaders(&world).len());
            }
            assert_eq!(
                leads,
                vec![1, 1, 4, 4, 1],
                "shared for steps 3 and 4, centralized again at 5"
            );
            let other = Timeline::new(
                &s.events,
                "shared",
                s.models[1].config.clone(),
                s.steps,
                5,
                0.002,
            );
            assert!(
                other.firing_steps().iter().all(|&(_, e)| e == 0),
                "reorg only meets the listed model"
            );
        }
    }
}
