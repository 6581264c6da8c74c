//! Emergent domain leads (shared and hybrid models): chosen by expertise, skill and peer
//! endorsement, and re-chosen every `rotation` steps, so leadership can move as expertise and
//! skill develop.
//!
//! A member's *merit* in its domain is its mean expertise on the domain's decisions plus its
//! leadership skill. Every active member of the domain endorses the member of highest merit among
//! itself and its same-domain network neighbours (people judge those they work with). A
//! candidate's *score* is merit plus the share of the domain that endorses it. Under
//! `selection = "merit"` the highest score leads (the incumbent may stay); under `"rotate"` the
//! incumbent steps aside for the best other candidate (turn-taking). Ties go to the lowest slot.

use crate::org::Slot;
use crate::params::{DefaultValue as D, Kind, Param};
use crate::world::World;

pub(crate) const ROTATION: Param = Param {
    key: "rotation",
    kind: Kind::Whole {
        min: 0,
        max: 1_000_000,
    },
    default: D::Whole(50),
    meaning: "domain leads are re-chosen every this many steps (0: only when a lead leaves)",
};
pub(crate) const SELECTION: Param = Param {
    key: "selection",
    kind: Kind::Choice(&["merit", "rotate"]),
    default: D::Word("merit"),
    meaning: "\"merit\": the best-scoring member leads (may be re-chosen); \"rotate\": the incumbent steps aside for the best other member",
};

/// How a lead is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    Merit,
    Rotate,
}

impl Selection {
    pub fn parse(word: &str) -> Selection {
        if word == "rotate" {
            Selection::Rotate
        } else {
            Selection::Merit
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Selection::Merit => "merit",
            Selection::Rotate => "rotate",
        }
    }
}

/// Reusable buffers for elections.
#[derive(Debug, Clone, Default)]
pub struct Ballot {
    endorsements: Vec<u32>,
    /// Every slot, for seats whose constituency is the whole organization.
    everyone: Vec<u32>,
}

impl Ballot {
    /// Every slot of an organization of `slots` slots (kept between calls).
    pub fn everyone(&mut self, slots: usize) -> Vec<u32> {
        let mut all = std::mem::take(&mut self.everyone);
        if all.len() != slots {
            all.clear();
            all.extend(0..slots as u32);
        }
        all
    }

    /// Gives back the list [`Ballot::everyone`] lent.
    pub fn give_back(&mut self, everyone: Vec<u32>) {
        self.everyone = everyone;
    }
}

/// A member's merit for a seat whose view is `view`: mean expertise on those decisions plus
/// leadership skill.
pub fn merit(world: &World, slot: Slot, view: u64) -> f64 {
    world.org.mean_expertise(slot, view) + world.org.skill[slot]
}

/// What member `m`'s earned influence grant to member `c` adds to `c`'s standing in `m`'s
/// endorsement: `influence.elections` × its excess over the tie baseline (docs/ODD.md §7.2).
fn influence(world: &World, m: Slot, c: Slot) -> f64 {
    let rule = world.behaviour.influence;
    if rule.elections == 0.0 {
        return 0.0;
    }
    let g = world.org.grants.earned(m, world.org.id[c]);
    rule.elections * (g - rule.tie).max(0.0)
}

/// Chooses the lead of domain `d` among its active members, never `excluded` (the coordinator
/// of a hybrid organization). `None` when nobody is eligible.
pub fn elect(
    world: &World,
    d: usize,
    incumbent: Option<Slot>,
    selection: Selection,
    excluded: Option<Slot>,
    ballot: &mut Ballot,
) -> Option<Slot> {
    let org = &world.org;
    elect_among(
        world,
        &org.domain_members[d],
        world.domain_view(d),
        incumbent,
        selection,
        &|s| org.domain[s] as usize == d && Some(s) != excluded,
        ballot,
    )
}

/// Chooses a holder for a seat with view `view` among the active members of `members` that
/// `eligible` accepts: each active member of `members` endorses the eligible member of highest
/// merit among itself and its network neighbours; score = merit + share endorsing.
pub fn elect_among(
    world: &World,
    members: &[u32],
    view: u64,
    incumbent: Option<Slot>,
    selection: Selection,
    eligible: &dyn Fn(Slot) -> bool,
    ballot: &mut Ballot,
) -> Option<Slot> {
    let org = &world.org;
    let eligible = |s: Slot| org.active[s] && eligible(s);
    ballot.endorsements.resize(org.slots(), 0);
    let mut voters = 0u32;
    for &m in members {
        let m = m as usize;
        if !org.active[m] {
            continue;
        }
        voters += 1;
        let mut choice = if eligible(m) { Some(m) } else { None };
        let mut best = choice.map_or(f64::MIN, |c| merit(world, c, view));
        for &nb in org.network.neighbours(m) {
            let nb = nb as usize;
            if !eligible(nb) {
                continue;
            }
            let v = merit(world, nb, view) + influence(world, m, nb);
            if v > best || (v == best && choice.is_some_and(|c| nb < c)) {
                best = v;
                choice = Some(nb);
            }
        }
        if let Some(c) = choice {
            ballot.endorsements[c] += 1;
        }
    }
    let mut winner: Option<(f64, Slot)> = None;
    let count = members.iter().filter(|&&m| eligible(m as usize)).count();
    for &m in members {
        let m = m as usize;
        if !eligible(m) || (selection == Selection::Rotate && Some(m) == incumbent && count > 1) {
            continue;
        }
        let share = if voters > 0 {
            ballot.endorsements[m] as f64 / voters as f64
        } else {
            0.0
        };
        let score = merit(world, m, view) + share;
        if winner.is_none_or(|(s, _)| score > s) {
            winner = Some((score, m));
        }
    }
    for &m in members {
        ballot.endorsements[m as usize] = 0;
        for &nb in org.network.neighbours(m as usize) {
            ballot.endorsements[nb as usize] = 0;
        }
    }
    winner.map(|(_, s)| s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leadership::testing::world;

    #[test]
    fn the_most_expert_member_leads_and_rotation_moves_the_lead() {
        let mut w = world(12, 2, 8, 2, 0.0);
        // Domain 1 holds slots 1, 3, 5, 7, 9, 11; make slot 7 the expert.
        for j in 0..8 {
            w.org.expertise[7 * 8 + j] = 1.0;
        }
        let mut b = Ballot::default();
        assert_eq!(elect(&w, 1, None, Selection::Merit, None, &mut b), Some(7));
        assert_eq!(
            elect(&w, 1, Some(7), Selection::Merit, None, &mut b),
            Some(7)
        );
        let next = elect(&w, 1, Some(7), Selection::Rotate, None, &mut b);
        assert!(next.is_some() && next != Some(7));
        // Excluded and inactive members are never chosen.
        assert_ne!(
            elect(&w, 1, None, Selection::Merit, Some(7), &mut b),
            Some(7)
        );
        w.org.vacate(7, 0);
        assert_ne!(elect(&w, 1, None, Selection::Merit, None, &mut b), Some(7));
    }

    #[test]
    fn endorsement_breaks_ties_between_equal_experts() {
        let mut w = world(12, 2, 8, 2, 0.0);
        // Domain 0: slots 0, 2, 4, 6, 8, 10, all equally expert except the leader's 0.6.
        for s in [0usize, 2, 4, 6, 8, 10] {
            for j in 0..8 {
                w.org.expertise[s * 8 + j] = 0.5;
            }
        }
        // Tie 4 to two same-domain colleagues so it collects endorsements.
        w.org.network.add_edge(4, 8);
        w.org.network.add_edge(4, 10);
        w.org.skill[4] = 0.01;
        let mut b = Ballot::default();
        assert_eq!(elect(&w, 0, None, Selection::Merit, None, &mut b), Some(4));
    }
}
