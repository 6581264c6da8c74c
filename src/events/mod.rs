//! Change: events on a timeline and hazards, and the adaptability measured around each shock
//! (docs/ODD.md §7.6; adaptability §7.7).
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

mod describe;
pub mod params;
mod read;
mod timeline;

pub use read::{Context, MAX_GROWTH_WORK, MAX_TURBULENCE_STEPS, read};
pub use timeline::{ShockRecord, Timeline};

use crate::leadership::ModelConfig;
use crate::params::{InputError, Param, Reader};
use std::sync::Arc;

/// The environment's own pace of change (`[landscape] drift`, `drift_fraction`): each step, with
/// probability `probability`, a `fraction` of the landscape's tables are re-drawn. Not a
/// measured shock: the background against which organizations keep searching.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Drift {
    /// Per-step probability, in [0, 1], that drift re-draws tables (0: a fixed landscape).
    pub probability: f64,
    /// Share of the contribution tables re-drawn when it does, in [0, 1].
    pub fraction: f64,
}

/// What an event does.
#[derive(Debug, Clone)]
pub enum EventKind {
    /// Re-draw `fraction` of the landscape's contribution tables.
    LandscapeShock {
        /// Share of the tables re-drawn, in [0, 1]; the interaction structure is kept.
        fraction: f64,
    },
    /// While in force, each step re-draw `fraction` of the tables with `probability`.
    Turbulence {
        /// Per-step probability of a small shock while in force, in [0, 1].
        probability: f64,
        /// Share of the tables re-drawn at each small shock, in [0, 1].
        fraction: f64,
    },
    /// The `count` leaders ranked first by `select` leave; experienced replacements arrive
    /// after `vacancy` steps.
    LeaderLoss {
        /// How many leaders leave, 1 to 64 (the centralized model has one).
        count: usize,
        /// Which leaders leave first.
        select: LeaderRank,
        /// Steps each seat stays empty (an acting holder decides meanwhile, docs/ODD.md §7.3).
        vacancy: u32,
    },
    /// `fraction` of the members (not the formal leader) are replaced by newcomers.
    Turnover {
        /// Share of the members replaced, in [0, 1].
        fraction: f64,
    },
    /// `fraction` of the informal ties are cut and every proposal takes `extra_delay` more
    /// steps while in force; ties come back when it ends.
    NetworkDisruption {
        /// Share of the informal ties cut, in [0, 1].
        fraction: f64,
        /// Extra steps every proposal takes to reach a decision maker while in force.
        extra_delay: u32,
    },
    /// While in force: review capacity × `capacity`, and proposals older than `deadline`
    /// steps expire.
    Crisis {
        /// Factor on every desk's review capacity while in force, in [0, 1].
        capacity: f64,
        /// Age in steps at which waiting proposals expire while in force (`None`: no deadline).
        deadline: Option<u32>,
    },
    /// `members` newcomers join, spread over the domains, each tied to `ties` colleagues.
    Growth {
        /// Newcomers who join, round-robin over the domains, with newcomer expertise and skill.
        members: usize,
        /// Informal ties each newcomer makes with members of its domain.
        ties: usize,
    },
    /// Switch to the model named `to` while in force (to the end when no end is given).
    Reorg {
        /// Name of the scenario's `[[models]]` entry switched to.
        to: String,
        /// That entry's validated configuration, which builds the new model on the running world.
        config: Arc<dyn ModelConfig>,
    },
    /// While in force the mentoring rate is `rate`.
    Mentoring {
        /// The mentoring rate in force (in place of `behaviour.learning.mentor`), in [0, 1].
        rate: f64,
    },
    /// `ties` new ties between members of different domains (removed when it ends).
    CrossFunctional {
        /// Ties added, each between two members of different domains.
        ties: usize,
    },
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
    /// Largest share of the model's review capacity first (the same-sized treatment in every
    /// model: the decision makers who hold most of the capacity).
    Capacity,
}

/// When an event fires.
#[derive(Debug, Clone, PartialEq)]
pub enum Timing {
    /// At these steps.
    At(Vec<u32>),
    /// Each step from `from` to `to` (inclusive) with probability `p`.
    Hazard {
        /// Per-step probability of firing, in [0, 1].
        p: f64,
        /// First step at which it may fire.
        from: u32,
        /// Last step at which it may fire.
        to: u32,
    },
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
    /// The event's name in the scenario (`name`, by default its kind's name), as `shocks.csv`
    /// and the timeline name it.
    pub name: String,
    /// What it does, with its kind's parameters.
    pub kind: EventKind,
    /// When it fires.
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
        self.kind.event_type().name
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

/// A kind of event: its name, what it does, whether its firings are measured shocks by default,
/// whether it lasts (is in force for a while and undone when it ends), its own parameters (besides
/// the timing ones every event takes) and the reader of those parameters. The one place that
/// knows the kinds, as [`crate::leadership::registry`] is for leadership models.
pub struct EventType {
    /// The kind's name, the value of an event's `kind` key (`landscape_shock`, …).
    pub name: &'static str,
    /// One line on what it does, for `leadsim events` and docs/FORMAT.md.
    pub summary: &'static str,
    /// Whether its firings are measured shocks unless the event sets `measure`.
    pub shock: bool,
    /// Whether it is in force for a while (`until`, `duration`) and undone when it ends.
    pub lasting: bool,
    /// Its own parameters, besides the timing ones every event takes.
    pub params: fn() -> Vec<Param>,
    /// Reads and validates those parameters from an `[[events]]` entry.
    pub read: fn(&mut Reader, &Context) -> Result<EventKind, InputError>,
}

impl std::fmt::Debug for EventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

use params as p;

const LANDSCAPE_SHOCK: EventType = EventType {
    name: "landscape_shock",
    summary: "a change in the task environment (a market shock): part of the landscape is re-drawn",
    shock: true,
    lasting: false,
    params: || vec![p::SHOCK_FRACTION],
    read: read::landscape_shock,
};
const TURBULENCE: EventType = EventType {
    name: "turbulence",
    summary: "an unsettled environment: while in force, small re-draws of the landscape happen at random steps",
    shock: false,
    lasting: true,
    params: || vec![p::PROBABILITY, p::TURBULENCE_FRACTION],
    read: read::turbulence,
};
const LEADER_LOSS: EventType = EventType {
    name: "leader_loss",
    summary: "leaders leave (the central leader; or the most central or most deciding domain leads and coordinator); their seats stay empty for a vacancy",
    shock: true,
    lasting: false,
    params: || vec![p::COUNT, p::SELECT, p::VACANCY],
    read: read::leader_loss,
};
const TURNOVER: EventType = EventType {
    name: "turnover",
    summary: "a share of members leave at once and are replaced by newcomers with low expertise (the same slots under every model)",
    shock: true,
    lasting: false,
    params: || vec![p::TURNOVER_FRACTION],
    read: read::turnover,
};
const NETWORK_DISRUPTION: EventType = EventType {
    name: "network_disruption",
    summary: "cut communication (e.g. a move to remote work): informal ties are cut and proposals travel slower; ties return when it ends",
    shock: true,
    lasting: true,
    params: || vec![p::DISRUPTION_FRACTION, p::EXTRA_DELAY],
    read: read::network_disruption,
};
const CRISIS: EventType = EventType {
    name: "crisis",
    summary: "decisions must be made with reduced capacity or before a deadline",
    shock: true,
    lasting: true,
    params: || vec![p::CAPACITY, p::DEADLINE],
    read: read::crisis,
};
const GROWTH: EventType = EventType {
    name: "growth",
    summary: "new members join with low expertise",
    shock: true,
    lasting: false,
    params: || vec![p::MEMBERS, p::GROWTH_TIES],
    read: read::growth,
};
const REORG: EventType = EventType {
    name: "reorg",
    summary: "the organization switches to another leadership model (temporarily, with until/duration)",
    shock: true,
    lasting: true,
    params: || vec![p::TO_MODEL],
    read: read::reorg,
};
const MENTORING: EventType = EventType {
    name: "mentoring",
    summary: "intervention: a mentoring programme raises the mentoring rate",
    shock: false,
    lasting: true,
    params: || vec![p::RATE],
    read: read::mentoring,
};
const CROSS_FUNCTIONAL: EventType = EventType {
    name: "cross_functional",
    summary: "intervention: cross-functional projects add informal ties across domains",
    shock: false,
    lasting: true,
    params: || vec![p::CROSS_TIES],
    read: read::cross_functional,
};
const TEAM_DECISIONS: EventType = EventType {
    name: "team_decisions",
    summary: "intervention: proposals are decided by votes of the domain's members",
    shock: false,
    lasting: true,
    params: Vec::new,
    read: |_, _| Ok(EventKind::TeamDecisions),
};

/// Every event kind, in the order `leadsim events` and `docs/FORMAT.md` list them.
const KINDS: [EventType; 11] = [
    LANDSCAPE_SHOCK,
    TURBULENCE,
    LEADER_LOSS,
    TURNOVER,
    NETWORK_DISRUPTION,
    CRISIS,
    GROWTH,
    REORG,
    MENTORING,
    CROSS_FUNCTIONAL,
    TEAM_DECISIONS,
];

const fn names() -> [&'static str; KINDS.len()] {
    let mut out = [""; KINDS.len()];
    let mut i = 0;
    while i < KINDS.len() {
        out[i] = KINDS[i].name;
        i += 1;
    }
    out
}

/// The names of the event kinds (the valid values of `kind`).
pub const NAMES: [&str; KINDS.len()] = names();

/// Every event kind.
pub fn registry() -> &'static [EventType] {
    &KINDS
}

/// The event kind named `name`.
pub fn find(name: &str) -> Option<&'static EventType> {
    registry().iter().find(|t| t.name == name)
}

impl EventKind {
    /// The kind of event this is.
    pub fn event_type(&self) -> &'static EventType {
        match self {
            EventKind::LandscapeShock { .. } => &LANDSCAPE_SHOCK,
            EventKind::Turbulence { .. } => &TURBULENCE,
            EventKind::LeaderLoss { .. } => &LEADER_LOSS,
            EventKind::Turnover { .. } => &TURNOVER,
            EventKind::NetworkDisruption { .. } => &NETWORK_DISRUPTION,
            EventKind::Crisis { .. } => &CRISIS,
            EventKind::Growth { .. } => &GROWTH,
            EventKind::Reorg { .. } => &REORG,
            EventKind::Mentoring { .. } => &MENTORING,
            EventKind::CrossFunctional { .. } => &CROSS_FUNCTIONAL,
            EventKind::TeamDecisions => &TEAM_DECISIONS,
        }
    }
}
