//! Reading and validating one `[[events]]` table: its kind (through the registry), timing,
//! duration, its kind's parameters, size limits and the models it meets.

use super::params::*;
use super::{EventKind, EventSpec, LeaderRank, Timing};
use crate::leadership::ModelEntry;
use crate::params::{DefaultValue as D, InputError, Kind, Param, Reader, hint, valid_label};

/// What the events are checked against.
pub struct Context<'a> {
    /// The run's length: steps named by a timing must lie in 1 ..= `steps`.
    pub steps: u32,
    /// The organization's domains (bounds on growth and cross-functional ties).
    pub domains: usize,
    /// The organization's members at the start (bounds on leader loss, ties and growth).
    pub members: usize,
    /// The scenario's models, which `models` and a `reorg`'s `model` must name.
    pub models: &'a [ModelEntry],
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
    let Some(kind_type) = super::find(&kind_word) else {
        return Err(r.error(
            "kind",
            format!(
                "unknown event kind \"{kind_word}\"{}: expected {}",
                hint(&kind_word, super::NAMES),
                KIND.valid()
            ),
        ));
    };
    let name = r.text(&NAME)?.unwrap_or_else(|| kind_type.name.to_string());
    if !valid_label(&name) {
        return Err(r.error(
            "name",
            format!("\"{name}\" is not a valid event name: use letters, digits, '_' and '-'"),
        ));
    }
    let steps = ctx.steps;
    let timing = read_timing(r, steps, kind_type.name == "turbulence")?;
    let duration = read_duration(r, &timing, steps, kind_type.lasting)?;
    let kind = (kind_type.read)(r, ctx)?;
    check_size(r, &kind, &timing, duration, ctx)?;
    let measure = if r.has("measure") {
        r.flag(&Param {
            default: D::Flag(kind_type.shock),
            ..MEASURE
        })?
    } else {
        kind_type.shock
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

pub(super) fn landscape_shock(r: &mut Reader, _: &Context) -> Result<EventKind, InputError> {
    Ok(EventKind::LandscapeShock {
        fraction: r.real(&SHOCK_FRACTION)?,
    })
}

pub(super) fn turbulence(r: &mut Reader, _: &Context) -> Result<EventKind, InputError> {
    Ok(EventKind::Turbulence {
        probability: r.real(&PROBABILITY)?,
        fraction: r.real(&TURBULENCE_FRACTION)?,
    })
}

pub(super) fn leader_loss(r: &mut Reader, ctx: &Context) -> Result<EventKind, InputError> {
    let count = r.whole(&COUNT)? as usize;
    let most = ctx.domains + 1;
    if count > most {
        return Err(r.error("count", format!("{count} leaders cannot leave: the organization has at most {most} (one lead per domain plus the formal leader); count must be at most {most}")));
    }
    Ok(EventKind::LeaderLoss {
        count,
        select: match r.choice(&SELECT)? {
            "deciding" => LeaderRank::Deciding,
            "capacity" => LeaderRank::Capacity,
            _ => LeaderRank::Central,
        },
        vacancy: r.whole(&VACANCY)? as u32,
    })
}

pub(super) fn turnover(r: &mut Reader, _: &Context) -> Result<EventKind, InputError> {
    Ok(EventKind::Turnover {
        fraction: r.real(&TURNOVER_FRACTION)?,
    })
}

pub(super) fn network_disruption(r: &mut Reader, _: &Context) -> Result<EventKind, InputError> {
    Ok(EventKind::NetworkDisruption {
        fraction: r.real(&DISRUPTION_FRACTION)?,
        extra_delay: r.whole(&EXTRA_DELAY)? as u32,
    })
}

pub(super) fn crisis(r: &mut Reader, _: &Context) -> Result<EventKind, InputError> {
    Ok(EventKind::Crisis {
        capacity: r.real(&CAPACITY)?,
        deadline: r.whole_opt(&DEADLINE)?.map(|d| d as u32),
    })
}

pub(super) fn growth(r: &mut Reader, _: &Context) -> Result<EventKind, InputError> {
    Ok(EventKind::Growth {
        members: r.whole(&MEMBERS)? as usize,
        ties: r.whole(&GROWTH_TIES)? as usize,
    })
}

pub(super) fn reorg(r: &mut Reader, ctx: &Context) -> Result<EventKind, InputError> {
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
        return Err(r.error(
            "model",
            format!(
                "\"{to}\" is not one of the scenario's models{}: expected one of {}",
                hint(&to, ctx.models.iter().map(|m| m.name.as_str())),
                model_list(ctx)
            ),
        ));
    };
    Ok(EventKind::Reorg {
        to,
        config: entry.config.clone(),
    })
}

pub(super) fn mentoring(r: &mut Reader, _: &Context) -> Result<EventKind, InputError> {
    Ok(EventKind::Mentoring {
        rate: r.real(&RATE)?,
    })
}

pub(super) fn cross_functional(r: &mut Reader, ctx: &Context) -> Result<EventKind, InputError> {
    if ctx.domains < 2 {
        return Err(r.error(
            "kind",
            "cross_functional ties members of different domains, and the organization has one domain: give organization.domains of at least 2, or leave the event out",
        ));
    }
    let ties = match r.whole_opt(&CROSS_TIES)? {
        Some(t) => t as usize,
        None => (ctx.members / 2).max(1),
    };
    let cross = cross_pairs(ctx.members, ctx.domains);
    if ties as u64 > cross {
        return Err(r.error(
            "ties",
            format!(
                "{ties} ties cannot be added: {} members in {} domains make only {cross} pairs of members of different domains; ties must be at most {cross}",
                ctx.members, ctx.domains
            ),
        ));
    }
    Ok(EventKind::CrossFunctional { ties })
}

/// Pairs of members in different domains when `members` are dealt round the `domains` (as the
/// organization places them).
fn cross_pairs(members: usize, domains: usize) -> u64 {
    let (m, d) = (members as u64, domains.max(1) as u64);
    let (size, extra) = (m / d, m % d);
    let same = extra * (size + 1) * (size + 1) + (d - extra) * size * size;
    (m * m - same) / 2
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
    if names.is_empty() {
        return Err(r.error(
            "only",
            format!(
                "only = [] names no model, so the event would affect none: name models from {}, or leave out only for every model",
                model_list(ctx)
            ),
        ));
    }
    for n in &names {
        if !ctx.models.iter().any(|m| &m.name == n) {
            let hint = hint(n, ctx.models.iter().map(|m| m.name.as_str()));
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
