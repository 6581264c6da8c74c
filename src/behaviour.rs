//! Members' behaviour rules (docs/ODD.md §7.2): participation, proposals, screening, engagement
//! dynamics, leaving, and the growth of expertise and leadership skill.
//!
//! The rules are the same under every leadership model; the parameters live in the scenario's
//! `[behaviour]` table. Each member draws a fixed number of random numbers per step
//! ([`DRAWS`]) whether or not it acts, so under common random numbers the same member meets the
//! same draws under every leadership model, and proposals differ only where the models' own
//! decisions have made the organizations differ.

use crate::landscape::Config;
use crate::org::{Idea, Organization, Slot};
use crate::params::{DefaultValue as D, InputError, Kind, Param, Reader};

/// Random 64-bit numbers each member slot consumes per step, used or not.
pub const DRAWS: usize = 7;

/// Where each of a member's per-step draws goes. Choices that need no more than 32 bits share a
/// 64-bit draw (high half, low half), so a member consumes 7 numbers per step.
mod draw {
    /// High half: participation; low half: kind of proposal.
    pub const PARTICIPATE_KIND: usize = 0;
    /// High half: which neighbour to imitate; low half: routing (power sharing).
    pub const NEIGHBOUR_ROUTE: usize = 1;
    /// Two draws, four halves, for the decisions a proposal changes.
    pub const DECISIONS: usize = 2;
    /// Two draws for the screening noise (Box–Muller).
    pub const SCREEN: usize = 4;
    pub const LEAVE: usize = 6;
}

/// The most decisions a radical proposal changes.
pub const MAX_RADICAL: usize = 4;

/// The behaviour rules' parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BehaviourParams {
    /// Probability per step that a fully engaged member proposes, in [0, 1]; a member of
    /// engagement g proposes with probability `propose_rate`·g·v·τ (docs/ODD.md §7.2,
    /// Participation).
    pub propose_rate: f64,
    /// Share of proposals that are radical, in [0, 1] (scaled by the member's voice factor;
    /// docs/ODD.md §7.2, Proposal content).
    pub radical: f64,
    /// Decisions a radical proposal changes, 2 to [`MAX_RADICAL`]; the first is of the member's own
    /// domain.
    pub radical_size: usize,
    /// Share of proposals that re-propose the last idea of a random network neighbour, in [0, 1].
    pub imitate: f64,
    /// Whether members submit only proposals they themselves judge to improve their own domain
    /// (docs/ODD.md §7.2, Screening).
    pub screen: bool,
    /// Evaluation noise, in [0, 10]: a judge of mean expertise e on the decisions touched perceives
    /// the change in fitness plus a normal error of standard deviation about `noise`·(1 − e); 0
    /// makes evaluation exact (the full rule: docs/ODD.md §7.3).
    pub noise: f64,
    /// Engagement gained per proposal of the member's adopted this step, in [0, 1] (key `adopted`;
    /// docs/ODD.md §7.2, Engagement).
    pub adopted_gain: f64,
    /// Engagement gained in a step in which the member's voice was heard, in [0, 1] (key `voice`).
    pub voice_gain: f64,
    /// Engagement gained per decision the member made (a review, or a consultation answered at its
    /// share of a review), in [0, 1] (key `deciding`).
    pub deciding_gain: f64,
    /// Engagement lost per time the member was overruled in a dispute, in [0, 1] (key `dispute`).
    pub dispute_loss: f64,
    /// Engagement lost per proposal of the member's rejected, in [0, 1] (key `rejected`).
    pub rejected_loss: f64,
    /// Engagement lost per proposal of the member's that expired unreviewed, in [0, 1] (key
    /// `expired`).
    pub expired_loss: f64,
    /// Engagement lost per step by the holder of an overloaded desk, in [0, 1] (key `overload`).
    pub overload_loss: f64,
    /// Proposals arrived and waiting at a desk above which its holder is overloaded (a count, not
    /// steps of capacity; key `overload_backlog`).
    pub overload_at: f64,
    /// Fraction of the way engagement moves back toward the member's baseline each step, in [0, 1].
    pub relax: f64,
    /// Engagement below which a member may leave, in [0, 1] (docs/ODD.md §7.2, Leaving).
    pub leave_below: f64,
    /// Probability per step that a member below `leave_below` leaves (replaced at once by a
    /// newcomer in the same slot), in [0, 1].
    pub leave_rate: f64,
    /// Leadership skill gained per review: skill += `learn_decide`·(1 − skill), in [0, 1] (key
    /// `learning.decide`; docs/ODD.md §7.2, Leadership skill).
    pub learn_decide: f64,
    /// Leadership skill gained per vote cast: skill += `learn_vote`·(1 − skill), in [0, 1] (key
    /// `learning.vote`).
    pub learn_vote: f64,
    /// Fraction of the way per step a member moves toward the highest skill among the members
    /// tied to it who decided within the last `recent` steps (mentoring), in [0, 1].
    pub mentor: f64,
    /// Steps after a decision during which its maker mentors the members tied to it.
    pub recent: u32,
    /// Expertise gained on the decisions of one's own proposal: e += `practice`·(1 − e), in [0, 1]
    /// (docs/ODD.md §7.2, Practice).
    pub practice: f64,
    /// Expertise a reviewer gains on the decisions it reviews, in [0, 1].
    pub review_practice: f64,
    /// How skill raises review capacity: a holder of skill l reviews capacity·(1 +
    /// `skill_capacity`·l) proposals per step, in [0, 10]; 0 makes skill irrelevant to capacity.
    pub skill_capacity: f64,
    /// Bounded rationality (`[behaviour.bounded]`).
    pub bounded: crate::bounded::Bounded,
    /// Voice expectancy (`[behaviour.voice]`).
    pub voice: crate::voice::Voice,
    /// Trust (`[behaviour.trust]`).
    pub trust: crate::trust::Trust,
    /// Influence (`[behaviour.influence]`).
    pub influence: crate::influence::Influence,
    /// Team cognition (`[behaviour.cognition]`).
    pub cognition: crate::cognition::Cognition,
}

const fn rate(key: &'static str, default: f64, meaning: &'static str) -> Param {
    Param {
        key,
        kind: Kind::Real { min: 0.0, max: 1.0 },
        default: D::Real(default),
        meaning,
    }
}

pub(crate) const PROPOSE_RATE: Param = rate(
    "propose_rate",
    0.1,
    "probability per step that a fully engaged member proposes; a member with engagement g proposes with probability propose_rate · g",
);
pub(crate) const RADICAL: Param = rate(
    "radical",
    0.1,
    "share of proposals that are radical (change several decisions at once)",
);
pub(crate) const RADICAL_SIZE: Param = Param {
    key: "radical_size",
    kind: Kind::Whole {
        min: 2,
        max: MAX_RADICAL as u64,
    },
    default: D::Whole(3),
    meaning: "decisions a radical proposal changes (drawn from all decisions, the first from the member's own domain)",
};
pub(crate) const IMITATE: Param = rate(
    "imitate",
    0.2,
    "share of proposals that re-propose the last idea of a random network neighbour",
);
pub(crate) const SCREEN: Param = Param {
    key: "screen",
    kind: Kind::Flag,
    default: D::Flag(true),
    meaning: "members submit only proposals they themselves judge to improve their domain",
};
pub(crate) const NOISE: Param = Param {
    key: "noise",
    kind: Kind::Real {
        min: 0.0,
        max: 10.0,
    },
    default: D::Real(0.05),
    meaning: "evaluation noise: an evaluator with mean expertise e on the decisions touched perceives the change in fitness plus Normal(0, noise · (1 − e)); 0 makes evaluation exact",
};
pub(crate) const ADOPTED: Param = rate(
    "adopted",
    0.05,
    "engagement gained when one's proposal is adopted",
);
pub(crate) const VOICE: Param = rate(
    "voice",
    0.01,
    "engagement gained in a step in which the member's voice was heard: a proposal of theirs was decided (adopted or rejected), they were consulted, or they cast a vote",
);
pub(crate) const DECIDING: Param = rate(
    "deciding",
    0.01,
    "engagement gained per decision the member made (a review or a consultation answered): autonomy in proportion to decisions actually made",
);
pub(crate) const DISPUTE: Param = rate(
    "dispute",
    0.02,
    "engagement lost each time the member is overruled in a dispute: a consulted lead whose objection was overridden, a lead whose adoption a consulted lead blocked, a voter in the minority",
);
pub(crate) const REJECTED: Param = rate(
    "rejected",
    0.02,
    "engagement lost when one's proposal is rejected",
);
pub(crate) const EXPIRED: Param = rate(
    "expired",
    0.03,
    "engagement lost when one's proposal expires unreviewed",
);
pub(crate) const OVERLOAD: Param = rate(
    "overload",
    0.02,
    "engagement lost per step by a decision maker with more than overload_backlog proposals waiting at its desk",
);
pub(crate) const OVERLOAD_BACKLOG: Param = Param {
    key: "overload_backlog",
    kind: Kind::Real { min: 0.0, max: 1e6 },
    default: D::Real(3.0),
    meaning: "proposals arrived and waiting at a desk above which its holder is overloaded (a count, not steps of capacity: at equal utilization a small desk and a large one hold queues of the same length)",
};
pub(crate) const RELAX: Param = rate(
    "relax",
    0.02,
    "per step, engagement moves this fraction of the way back to the member's baseline",
);
pub(crate) const LEAVE_BELOW: Param = rate(
    "leave_below",
    0.15,
    "engagement below which a member may leave",
);
pub(crate) const LEAVE_RATE: Param = rate(
    "leave_rate",
    0.05,
    "probability per step that a member below leave_below leaves (replaced at once by a newcomer)",
);
pub(crate) const LEARN_DECIDE: Param = rate(
    "decide",
    0.01,
    "leadership skill gained per review: skill += decide · (1 − skill)",
);
pub(crate) const LEARN_VOTE: Param = rate(
    "vote",
    0.002,
    "leadership skill gained per vote cast: skill += vote · (1 − skill)",
);
pub(crate) const MENTOR: Param = rate(
    "mentor",
    0.002,
    "per step, a member tied to someone of higher skill who made a decision within the last `recent` steps moves this fraction of the way toward that skill (mentoring)",
);
pub(crate) const RECENT: Param = Param {
    key: "recent",
    kind: Kind::Whole {
        min: 1,
        max: 1_000_000,
    },
    default: D::Whole(20),
    meaning: "a member mentors the members tied to it for this many steps after a decision it made",
};
pub(crate) const PRACTICE: Param = rate(
    "practice",
    0.02,
    "expertise gained on the decisions of one's own proposal: e += practice · (1 − e)",
);
pub(crate) const REVIEW_PRACTICE: Param = rate(
    "review_practice",
    0.01,
    "expertise a reviewer gains on the decisions it reviews",
);
pub(crate) const SKILL_CAPACITY: Param = Param {
    key: "skill_capacity",
    kind: Kind::Real {
        min: 0.0,
        max: 10.0,
    },
    default: D::Real(0.5),
    meaning: "review capacity grows with the decision maker's skill: capacity · (1 + skill_capacity · skill)",
};

impl BehaviourParams {
    /// Reads `[behaviour]` with its sub-tables `engagement` and `learning`.
    pub fn read(r: &mut Reader) -> Result<BehaviourParams, InputError> {
        let propose_rate = r.real(&PROPOSE_RATE)?;
        let radical = r.real(&RADICAL)?;
        let radical_size = r.whole(&RADICAL_SIZE)? as usize;
        let imitate = r.real(&IMITATE)?;
        if radical + imitate > 1.0 {
            return Err(r.error(
                "imitate",
                format!(
                    "radical + imitate = {} exceeds 1: they are shares of all proposals",
                    radical + imitate
                ),
            ));
        }
        let screen = r.flag(&SCREEN)?;
        let noise = r.real(&NOISE)?;
        let mut e = r.table("engagement")?;
        e.retired(
            "autonomy",
            "engagement no longer rises with holding decision rights; use voice (per step heard) and deciding (per decision made), docs/ODD.md §7.2",
        )?;
        let adopted_gain = e.real(&ADOPTED)?;
        let voice_gain = e.real(&VOICE)?;
        let deciding_gain = e.real(&DECIDING)?;
        let dispute_loss = e.real(&DISPUTE)?;
        let rejected_loss = e.real(&REJECTED)?;
        let expired_loss = e.real(&EXPIRED)?;
        let overload_loss = e.real(&OVERLOAD)?;
        e.retired(
            "overload_at",
            "overload is now a count of waiting proposals, overload_backlog (not steps of capacity); see docs/ODD.md §7.2",
        )?;
        let overload_at = e.real(&OVERLOAD_BACKLOG)?;
        let relax = e.real(&RELAX)?;
        let leave_below = e.real(&LEAVE_BELOW)?;
        let leave_rate = e.real(&LEAVE_RATE)?;
        e.finish()?;
        let mut l = r.table("learning")?;
        let learn_decide = l.real(&LEARN_DECIDE)?;
        let learn_vote = l.real(&LEARN_VOTE)?;
        let mentor = l.real(&MENTOR)?;
        let recent = l.whole(&RECENT)? as u32;
        let practice = l.real(&PRACTICE)?;
        let review_practice = l.real(&REVIEW_PRACTICE)?;
        let skill_capacity = l.real(&SKILL_CAPACITY)?;
        l.finish()?;
        let mut b = r.table("bounded")?;
        let bounded = crate::bounded::Bounded::read(&mut b)?;
        b.finish()?;
        let mut v = r.table("voice")?;
        let voice = crate::voice::Voice::read(&mut v)?;
        v.finish()?;
        let mut t = r.table("trust")?;
        let trust = crate::trust::Trust::read(&mut t)?;
        t.finish()?;
        let mut i = r.table("influence")?;
        let influence = crate::influence::Influence::read(&mut i)?;
        i.finish()?;
        let mut c = r.table("cognition")?;
        let cognition = crate::cognition::Cognition::read(&mut c)?;
        c.finish()?;
        Ok(BehaviourParams {
            propose_rate,
            radical,
            radical_size,
            imitate,
            screen,
            noise,
            adopted_gain,
            voice_gain,
            deciding_gain,
            dispute_loss,
            rejected_loss,
            expired_loss,
            overload_loss,
            overload_at,
            relax,
            leave_below,
            leave_rate,
            learn_decide,
            learn_vote,
            mentor,
            recent,
            practice,
            review_practice,
            skill_capacity,
            bounded,
            voice,
            trust,
            influence,
            cognition,
        })
    }

    /// Every parameter, by table, for documentation.
    pub fn params() -> Vec<(&'static str, Vec<Param>)> {
        vec![
            (
                "behaviour",
                vec![PROPOSE_RATE, RADICAL, RADICAL_SIZE, IMITATE, SCREEN, NOISE],
            ),
            (
                "behaviour.engagement",
                vec![
                    ADOPTED,
                    VOICE,
                    DECIDING,
                    DISPUTE,
                    REJECTED,
                    EXPIRED,
                    OVERLOAD,
                    OVERLOAD_BACKLOG,
                    RELAX,
                    LEAVE_BELOW,
                    LEAVE_RATE,
                ],
            ),
            (
                "behaviour.learning",
                vec![
                    LEARN_DECIDE,
                    LEARN_VOTE,
                    MENTOR,
                    RECENT,
                    PRACTICE,
                    REVIEW_PRACTICE,
                    SKILL_CAPACITY,
                ],
            ),
            ("behaviour.bounded", crate::bounded::Bounded::params()),
            ("behaviour.voice", crate::voice::Voice::params()),
            ("behaviour.trust", crate::trust::Trust::params()),
            ("behaviour.influence", crate::influence::Influence::params()),
            ("behaviour.cognition", crate::cognition::Cognition::params()),
        ]
    }
}

/// One member's draws for one step.
pub type Draws = [u64; DRAWS];

#[inline]
fn unit_of(x: u64) -> f64 {
    (x >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// The high (`k = 0`) or low (`k = 1`) 32 bits of a draw.
#[inline]
fn half(x: u64, k: usize) -> u32 {
    if k == 0 { (x >> 32) as u32 } else { x as u32 }
}

/// A uniform number in [0, 1) from 32 random bits.
#[inline]
fn unit_of32(x: u32) -> f64 {
    x as f64 * (1.0 / (1u64 << 32) as f64)
}

/// A uniform integer below `n` from 32 random bits.
#[inline]
fn below_of32(x: u32, n: usize) -> usize {
    ((x as u64 * n as u64) >> 32) as usize
}

/// The `k`-th set bit of `mask` chosen by 32 random bits `x` (uniform over the set bits).
#[inline]
fn pick_bit(mask: u64, x: u32) -> usize {
    let k = below_of32(x, mask.count_ones() as usize);
    let mut m = mask;
    for _ in 0..k {
        m &= m - 1;
    }
    m.trailing_zeros() as usize
}

/// What kind of proposal a member makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProposalKind {
    /// Flip one decision of the member's own domain.
    Incremental,
    /// Change `radical_size` decisions at once, the first of the member's own domain.
    Radical,
    /// Re-propose the last idea of a network neighbour.
    Imitated,
}

/// A proposal a member has decided to make, before screening.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Intent {
    /// The decisions the proposal changes and the values it sets them to.
    pub idea: Idea,
    /// How the member came to it (docs/ODD.md §7.2, Proposal content).
    pub kind: ProposalKind,
}

/// Whether the member in `slot` proposes this step, given its draws: with probability
/// `propose_rate` · engagement · `willingness` (its voice expectancy and trust, 1 when neutral).
#[inline]
pub fn participates(p: &BehaviourParams, engagement: f64, willingness: f64, d: &Draws) -> bool {
    unit_of32(half(d[draw::PARTICIPATE_KIND], 0)) < p.propose_rate * engagement * willingness
}

/// The proposal the member in `slot` makes: incremental (one decision of its own domain),
/// radical (`radical_size` decisions, the first in its own domain, the others anywhere) or
/// imitated (a neighbour's last idea, when it would change something; otherwise incremental).
/// `boldness` scales the share of radical proposals (voice expectancy; 1 when neutral).
pub fn intent(
    p: &BehaviourParams,
    org: &Organization,
    slot: Slot,
    config: Config,
    boldness: f64,
    d: &Draws,
) -> Intent {
    let own = org.domain_decisions[org.domain[slot] as usize];
    let k = unit_of32(half(d[draw::PARTICIPATE_KIND], 1));
    let decision = |i: usize| half(d[draw::DECISIONS + i / 2], i % 2);
    let radical = if boldness == 1.0 {
        p.radical
    } else {
        (p.radical * boldness).min(1.0 - p.imitate)
    };
    if k < radical {
        let n = org.n;
        let mut mask = 1u64 << pick_bit(own, decision(0));
        let all = crate::landscape::low_mask(n);
        for i in 1..p.radical_size.min(n) {
            mask |= 1 << pick_bit(all & !mask, decision(i));
        }
        return Intent {
            idea: Idea {
                mask,
                values: !config.0 & mask,
            },
            kind: ProposalKind::Radical,
        };
    }
    if k < radical + p.imitate {
        let neighbours = org.network.neighbours(slot);
        if !neighbours.is_empty() {
            let other = neighbours[below_of32(half(d[draw::NEIGHBOUR_ROUTE], 0), neighbours.len())]
                as usize;
            let idea = org.idea[other];
            if org.active[other] && idea.mask != 0 && (config.0 ^ idea.values) & idea.mask != 0 {
                return Intent {
                    idea,
                    kind: ProposalKind::Imitated,
                };
            }
        }
    }
    let j = pick_bit(own, decision(0));
    Intent {
        idea: Idea {
            mask: 1 << j,
            values: !config.0 & (1 << j),
        },
        kind: ProposalKind::Incremental,
    }
}

/// The decisions an idea would actually change in `config`.
#[inline]
pub fn flips(idea: &Idea, config: Config) -> u64 {
    (config.0 ^ idea.values) & idea.mask
}

/// The member's own error draw for screening its idea this step (a standard normal from its
/// per-step draws, Box–Muller): the world turns it into a judgement by the common rule
/// ([`crate::world::World::screening`]). Submitted only when positive, if screening is on.
pub fn screen_draw(d: &Draws) -> f64 {
    let u1 = 1.0 - unit_of(d[draw::SCREEN]);
    let u2 = unit_of(d[draw::SCREEN + 1]);
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// The draw a leadership model uses to route this proposal (power sharing), aligned across
/// models.
#[inline]
pub fn route_draw(d: &Draws) -> f64 {
    unit_of32(half(d[draw::NEIGHBOUR_ROUTE], 1))
}

/// Whether a member with engagement `g` leaves this step.
#[inline]
pub fn leaves(p: &BehaviourParams, g: f64, d: &Draws) -> bool {
    g < p.leave_below && unit_of(d[draw::LEAVE]) < p.leave_rate
}

/// What happened to a member this step, as far as engagement is concerned: only what the member
/// did or experienced, never a seat it holds (docs/ODD.md §7.2).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Feedback {
    /// The member's proposals adopted this step.
    pub adopted: u16,
    /// The member's proposals rejected this step.
    pub rejected: u16,
    /// The member's proposals that expired unreviewed this step.
    pub expired: u16,
    /// Its voice was heard: a proposal of its was decided, it was consulted, or it voted.
    pub heard: bool,
    /// Decisions it made: reviews, and consultations answered counted at their share of a
    /// review's effort (`consult_cost`).
    pub decided: f64,
    /// Times it was overruled in a dispute.
    pub overruled: u16,
    /// The share of its model's review capacity held at desks with more than
    /// `overload_backlog` proposals waiting (0: not overloaded). A loss in proportion to the
    /// share, as the gains from deciding are in proportion to decisions, so the total loss of an
    /// organization does not grow with the number of desks its capacity is split into.
    pub overloaded: f64,
}

/// Engagement after one step: gains for adoption, for being heard and for decisions made;
/// losses for rejection, expiry, being overruled and overload; then relaxation toward the
/// member's baseline; clamped to [0, 1].
#[inline]
pub fn next_engagement(p: &BehaviourParams, g: f64, baseline: f64, f: &Feedback) -> f64 {
    let mut next = g + p.adopted_gain * f.adopted as f64
        - p.rejected_loss * f.rejected as f64
        - p.expired_loss * f.expired as f64
        + p.deciding_gain * f.decided
        - p.dispute_loss * f.overruled as f64;
    if f.heard {
        next += p.voice_gain;
    }
    next -= p.overload_loss * f.overloaded;
    next += p.relax * (baseline - next);
    next.clamp(0.0, 1.0)
}

/// Skill after mentoring by a tied decision maker of skill `mentor_skill` (if higher).
#[inline]
pub fn mentored(p: &BehaviourParams, skill: f64, mentor_skill: f64) -> f64 {
    if mentor_skill > skill {
        skill + p.mentor * (mentor_skill - skill)
    } else {
        skill
    }
}

/// Skill after `reviews` reviews, consultations answered worth `consulted` reviews of effort,
/// and `votes` votes (learning by doing).
#[inline]
pub fn practised_skill(
    p: &BehaviourParams,
    skill: f64,
    reviews: u16,
    consulted: f64,
    votes: u16,
) -> f64 {
    let mut s = skill;
    for _ in 0..reviews {
        s += p.learn_decide * (1.0 - s);
    }
    if consulted > 0.0 {
        s += (1.0 - (1.0 - p.learn_decide).powf(consulted)) * (1.0 - s);
    }
    for _ in 0..votes {
        s += p.learn_vote * (1.0 - s);
    }
    s
}

/// Review capacity per step of a decision maker of skill `skill`.
#[inline]
pub fn capacity(p: &BehaviourParams, base: f64, skill: f64) -> f64 {
    base * (1.0 + p.skill_capacity * skill)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::Source;
    use crate::rng;

    fn defaults() -> BehaviourParams {
        let t = toml::Table::new();
        let s = Source::unnamed("t");
        BehaviourParams::read(&mut Reader::new(&t, "behaviour", &s)).unwrap()
    }

    #[test]
    fn engagement_rules() {
        let p = defaults();
        let none = Feedback::default();
        // Relaxation only: moves toward the baseline.
        let g = next_engagement(&p, 0.2, 0.6, &none);
        assert!((g - (0.2 + 0.02 * 0.4)).abs() < 1e-12);
        let adopted = Feedback { adopted: 1, ..none };
        assert!(next_engagement(&p, 0.5, 0.5, &adopted) > 0.5);
        let rejected = Feedback {
            rejected: 2,
            ..none
        };
        assert!(next_engagement(&p, 0.5, 0.5, &rejected) < 0.5);
        let expired = Feedback { expired: 1, ..none };
        assert!(
            next_engagement(&p, 0.5, 0.5, &expired)
                < next_engagement(&p, 0.5, 0.5, &rejected) + 0.02
        );
        let heard = Feedback {
            heard: true,
            ..none
        };
        assert!((next_engagement(&p, 0.5, 0.5, &heard) - (0.5 + 0.01 * 0.98)).abs() < 1e-12);
        // Autonomy in proportion to decisions made: two decisions, twice the gain.
        let one = next_engagement(
            &p,
            0.5,
            0.5,
            &Feedback {
                decided: 1.0,
                ..none
            },
        );
        let two = next_engagement(
            &p,
            0.5,
            0.5,
            &Feedback {
                decided: 2.0,
                ..none
            },
        );
        assert!((two - 0.5 - 2.0 * (one - 0.5)).abs() < 1e-12 && one > 0.5);
        let overruled = Feedback {
            overruled: 1,
            ..none
        };
        assert!(next_engagement(&p, 0.5, 0.5, &overruled) < 0.5);
        let over = Feedback {
            overloaded: 1.0,
            ..none
        };
        assert!(next_engagement(&p, 0.5, 0.5, &over) < 0.5);
        assert_eq!(
            next_engagement(&p, 1.0, 1.0, &Feedback { adopted: 9, ..none }),
            1.0
        );
        assert_eq!(
            next_engagement(
                &p,
                0.0,
                0.0,
                &Feedback {
                    rejected: 9,
                    ..none
                }
            ),
            0.0
        );
    }

    #[test]
    fn skill_rules() {
        let p = defaults();
        assert!((practised_skill(&p, 0.5, 1, 0.0, 0) - 0.505).abs() < 1e-12);
        assert_eq!(practised_skill(&p, 0.5, 0, 0.0, 0), 0.5);
        // Two consultations of half a review's effort teach what one review does.
        assert!(
            (practised_skill(&p, 0.5, 0, 1.0, 0) - practised_skill(&p, 0.5, 1, 0.0, 0)).abs()
                < 1e-12
        );
        assert!((mentored(&p, 0.2, 0.7) - (0.2 + 0.002 * 0.5)).abs() < 1e-12);
        assert_eq!(mentored(&p, 0.7, 0.2), 0.7);
        assert!((capacity(&p, 2.0, 0.5) - 2.5).abs() < 1e-12);
    }

    #[test]
    fn picking_bits_is_uniform_over_the_mask() {
        let mask = 0b1011_0000u64;
        let mut seen = [0usize; 64];
        let mut r = rng::from_seed(1);
        for _ in 0..3000 {
            seen[pick_bit(mask, rand::Rng::next_u32(&mut r))] += 1;
        }
        for b in [4, 5, 7] {
            assert!((800..1200).contains(&seen[b]), "{seen:?}");
        }
        assert_eq!(seen.iter().sum::<usize>(), 3000);
    }

    #[test]
    fn participation_rises_with_engagement() {
        let p = defaults();
        let mut d = [0u64; DRAWS];
        d[draw::PARTICIPATE_KIND] = (u32::MAX / 20) as u64 * (1 << 32); // high half ≈ 0.05
        assert!(participates(&p, 0.9, 1.0, &d));
        assert!(!participates(&p, 0.3, 1.0, &d));
        assert!(
            !participates(&p, 0.9, 0.5, &d),
            "an unwilling member stays silent"
        );
    }

    #[test]
    fn leaving_needs_low_engagement() {
        let p = defaults();
        let d = [0u64; DRAWS];
        assert!(leaves(&p, 0.1, &d));
        assert!(!leaves(&p, 0.5, &d));
    }
}
