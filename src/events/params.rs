//! The declared parameters of events: the timing every event takes and each kind's own.

use crate::params::{DefaultValue as D, Kind, Param};

pub(crate) const KIND: Param = Param {
    key: "kind",
    kind: Kind::Choice(&super::NAMES),
    default: D::Required,
    meaning: "what happens",
};
pub(crate) const NAME: Param = Param {
    key: "name",
    kind: Kind::Text,
    default: D::Derived("the kind"),
    meaning: "label of the event in shocks.csv (must be unique)",
};
pub(crate) const AT: Param = Param {
    key: "at",
    kind: Kind::Whole {
        min: 1,
        max: u32::MAX as u64,
    },
    default: D::Derived("required unless hazard is given; turbulence: 1"),
    meaning: "step (or list of steps) at which the event fires, at the start of the step",
};
pub(crate) const HAZARD: Param = Param {
    key: "hazard",
    kind: Kind::Real { min: 0.0, max: 1.0 },
    default: D::Derived("unset"),
    meaning: "instead of at: probability per step that the event fires (between from and to)",
};
pub(crate) const FROM: Param = Param {
    key: "from",
    kind: Kind::Whole {
        min: 1,
        max: u32::MAX as u64,
    },
    default: D::Whole(1),
    meaning: "hazard: first step at which it may fire",
};
pub(crate) const TO: Param = Param {
    key: "to",
    kind: Kind::Whole {
        min: 1,
        max: u32::MAX as u64,
    },
    default: D::Derived("the last step"),
    meaning: "hazard: last step at which it may fire",
};
pub(crate) const UNTIL: Param = Param {
    key: "until",
    kind: Kind::Whole {
        min: 1,
        max: u32::MAX as u64,
    },
    default: D::Derived("unset: lasts to the end"),
    meaning: "lasting kinds: step at whose start the change is undone (after at, at most the last step)",
};
pub(crate) const DURATION: Param = Param {
    key: "duration",
    kind: Kind::Whole {
        min: 1,
        max: u32::MAX as u64,
    },
    default: D::Derived("unset: lasts to the end"),
    meaning: "lasting kinds: steps the change lasts (instead of until; needed with hazard)",
};
pub(crate) const MEASURE: Param = Param {
    key: "measure",
    kind: Kind::Flag,
    default: D::Derived("true for shocks, false for turbulence and interventions"),
    meaning: "measure adaptability around each firing (a row per firing in shocks.csv)",
};
pub(crate) const MODELS: Param = Param {
    key: "only",
    kind: Kind::List("model names"),
    default: D::Derived("all models"),
    meaning: "list of model names whose runs meet the event (at least one)",
};
const fn fraction(default: f64, meaning: &'static str) -> Param {
    Param {
        key: "fraction",
        kind: Kind::Real { min: 0.0, max: 1.0 },
        default: D::Real(default),
        meaning,
    }
}
pub(crate) const SHOCK_FRACTION: Param = fraction(
    0.5,
    "share of the contribution tables re-drawn (the whole interaction structure is kept)",
);
pub(crate) const TURBULENCE_FRACTION: Param =
    fraction(0.1, "share of the tables re-drawn at each firing");
pub(crate) const PROBABILITY: Param = Param {
    key: "probability",
    kind: Kind::Real { min: 0.0, max: 1.0 },
    default: D::Real(0.05),
    meaning: "per-step probability of a small shock while in force",
};
pub(crate) const COUNT: Param = Param {
    key: "count",
    kind: Kind::Whole { min: 1, max: 64 },
    default: D::Whole(1),
    meaning: "how many leaders leave (the centralized model has one)",
};
pub(crate) const SELECT: Param = Param {
    key: "select",
    kind: Kind::Choice(&["central", "deciding", "capacity"]),
    default: D::Word("central"),
    meaning: "which leaders leave first: most ties in the informal network, most decisions made, or most review capacity held (shocks.csv's capacity_lost gives the share of capacity lost)",
};
pub(crate) const VACANCY: Param = Param {
    key: "vacancy",
    kind: Kind::Whole {
        min: 0,
        max: u32::MAX as u64,
    },
    default: D::Whole(10),
    meaning: "steps the seat stays empty before an experienced replacement arrives",
};
pub(crate) const TURNOVER_FRACTION: Param = fraction(
    0.2,
    "share of the members (not the formal leader) replaced by newcomers",
);
pub(crate) const DISRUPTION_FRACTION: Param = fraction(0.5, "share of the informal ties cut");
pub(crate) const EXTRA_DELAY: Param = Param {
    key: "extra_delay",
    kind: Kind::Whole { min: 0, max: 1000 },
    default: D::Whole(0),
    meaning: "extra steps every proposal takes to reach a decision maker while in force",
};
pub(crate) const CAPACITY: Param = Param {
    key: "capacity",
    kind: Kind::Real { min: 0.0, max: 1.0 },
    default: D::Real(0.5),
    meaning: "review capacity is multiplied by this while in force",
};
pub(crate) const DEADLINE: Param = Param {
    key: "deadline",
    kind: Kind::Whole {
        min: 1,
        max: u32::MAX as u64,
    },
    default: D::Derived("unset: no deadline"),
    meaning: "proposals older than this many steps expire while in force",
};
pub(crate) const MEMBERS: Param = Param {
    key: "members",
    kind: Kind::Whole {
        min: 1,
        max: crate::org::MAX_MEMBERS,
    },
    default: D::Whole(10),
    meaning: "members who join (round-robin over the domains), with newcomer expertise",
};
pub(crate) const GROWTH_TIES: Param = Param {
    key: "ties",
    kind: Kind::Whole {
        min: 0,
        max: 10_000,
    },
    default: D::Whole(4),
    meaning: "informal ties each new member makes with members of its domain",
};
pub(crate) const TO_MODEL: Param = Param {
    key: "model",
    kind: Kind::Text,
    default: D::Required,
    meaning: "name of the [[models]] entry the organization switches to",
};
pub(crate) const RATE: Param = Param {
    key: "rate",
    kind: Kind::Real { min: 0.0, max: 1.0 },
    default: D::Real(0.02),
    meaning: "mentoring rate in force (behaviour.learning.mentor), ten times the default",
};
pub(crate) const CROSS_TIES: Param = Param {
    key: "ties",
    kind: Kind::Whole {
        min: 1,
        max: 1_000_000,
    },
    default: D::Derived("half the number of members"),
    meaning: "new informal ties between members of different domains (needs 2 domains or more; at most the pairs of members in different domains)",
};

/// Timing parameters every event takes.
pub fn timing_params() -> Vec<Param> {
    vec![NAME, AT, HAZARD, FROM, TO, UNTIL, DURATION, MEASURE, MODELS]
}
