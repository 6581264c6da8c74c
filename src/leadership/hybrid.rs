//! `hybrid`: shared domain leads plus a coordinating leader who arbitrates cross-domain changes
//! (centralized integration on top of distributed decisions; docs/ODD.md §7.5).
//!
//! A proposal whose change affects only its home domain's contributions goes to that domain's
//! lead, who decides with the domain's view. A proposal that spills over into other domains goes
//! up the reporting chain to the coordinator (slot 0), who judges it on the whole landscape.
//! `power_sharing` < 1 escalates a share of the rest too. The coordinator does not also lead a
//! domain. The model's review capacity is split as the proposals are expected to be: by default
//! the coordinator's share is the share of proposals expected to spill over in the run's
//! landscape ([`expected_spill`]) plus its share of escalations, the rest split equally among
//! the domain leads.

use super::election::{self, Selection};
use super::shared::{self, Consent, Coordination, DomainLeads, Routing, Shared};
use super::{Common, LeadershipModel, ModelConfig, ModelType};
use crate::params::{DefaultValue as D, InputError, Kind, Param, Reader};
use crate::world::World;
use std::sync::Arc;

pub(crate) const COORDINATOR_SHARE: Param = Param {
    key: "coordinator_share",
    kind: Kind::Real { min: 0.0, max: 1.0 },
    default: D::Derived(
        "the share of proposals expected to reach the coordinator: those expected to spill over into another domain in the run's landscape (single-decision changes and radical proposals), plus (1 − power_sharing) of the rest",
    ),
    meaning: "share of review_capacity the coordinator has; the rest is split equally among the domain leads",
};

/// Parameters of the hybrid model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hybrid {
    pub common: Common,
    pub rotation: u32,
    pub selection: Selection,
    pub power_sharing: f64,
    /// `None`: the expected share of proposals (see [`COORDINATOR_SHARE`]).
    pub coordinator_share: Option<f64>,
}

fn params() -> Vec<Param> {
    let mut p = Common::params();
    p.extend([
        election::ROTATION,
        election::SELECTION,
        shared::POWER_SHARING,
        COORDINATOR_SHARE,
    ]);
    p
}

fn read(r: &mut Reader) -> Result<Arc<dyn ModelConfig>, InputError> {
    Ok(Arc::new(Hybrid {
        common: Common::read(r)?,
        rotation: r.whole(&election::ROTATION)? as u32,
        selection: Selection::parse(r.choice(&election::SELECTION)?),
        power_sharing: r.real(&shared::POWER_SHARING)?,
        coordinator_share: r.real_opt(&COORDINATOR_SHARE)?,
    }))
}

/// The hybrid model in the registry.
pub const TYPE: ModelType = ModelType {
    kind: "hybrid",
    summary: "Domain leads, elected by their peers for merit, decide the changes confined to their own domain with a local view. Changes that spill over into other domains go up to the formal leader as coordinator, who judges them on the whole landscape.",
    odd: "Part I §7.5",
    params,
    read,
};

/// The share of a single-decision change's spilling over into another domain in `world`'s
/// landscape: the share of decisions whose change alters a locus outside their own domain.
pub fn spillover_share(world: &World) -> f64 {
    let n = world.land.n();
    let org = &world.org;
    let spill = (0..n)
        .filter(|&j| {
            let home = org.domain_decisions[j * org.domains / n];
            world.land.affected(1 << j) & !home != 0
        })
        .count();
    spill as f64 / n as f64
}

/// The share of alternatives expected to spill over into another domain (so to reach the
/// coordinator): single-decision changes spill with the landscape's [`spillover_share`] s; a
/// radical proposal (share `radical` of members' proposals) changes `radical_size` decisions,
/// the first in its home domain and the others anywhere, and stays home only if none of them
/// spills and the others fall in the home domain: probability (1 − s)^size · (1/D)^(size − 1),
/// treating the decisions as independent. Decision makers' own search (`search = "leaders"`)
/// makes single-decision changes only.
pub fn expected_spill(world: &World, search: super::Search) -> f64 {
    let s = spillover_share(world);
    if search == super::Search::Leaders {
        return s;
    }
    let b = &world.behaviour;
    let size = b.radical_size as i32;
    let home = (1.0 / world.org.domains as f64).powi(size - 1);
    let radical_spill = 1.0 - (1.0 - s).powi(size) * home;
    (1.0 - b.radical) * s + b.radical * radical_spill
}

impl ModelConfig for Hybrid {
    fn kind(&self) -> &'static str {
        "hybrid"
    }
    fn build(&self, world: &World) -> Box<dyn LeadershipModel> {
        let share = self.coordinator_share.unwrap_or_else(|| {
            let s = expected_spill(world, self.common.search);
            s + (1.0 - s) * (1.0 - self.power_sharing)
        });
        let total = self.common.review_capacity;
        let as_shared = Shared {
            common: self.common,
            rotation: self.rotation,
            selection: self.selection,
            coordination: Coordination::None,
            consent: Consent::Sum,
            consult_delay: 0,
            consult_cost: 0.0,
            power_sharing: self.power_sharing,
        };
        Box::new(DomainLeads::new(
            as_shared,
            Routing::Hybrid,
            (1.0 - share) * total / world.org.domains as f64,
            share * total,
            world,
        ))
    }
    fn describe(&self) -> Vec<(&'static str, String)> {
        let mut d = self.common.describe();
        d.extend([
            ("rotation", self.rotation.to_string()),
            ("selection", self.selection.name().to_string()),
            ("power_sharing", self.power_sharing.to_string()),
            (
                "coordinator_share",
                self.coordinator_share
                    .map_or_else(|| "expected".to_string(), |s| s.to_string()),
            ),
        ]);
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leadership::testing::*;

    #[test]
    fn spillovers_go_to_the_coordinator_and_local_changes_to_leads() {
        // Modular-like: K = 0 has no spillover at all; K = N − 1 spills everywhere.
        for (k, coordinator_reviews) in [(0usize, 0u16), (7, 1)] {
            let mut w = world(20, 4, 8, k, 0.0);
            let mut m = Hybrid {
                common: common(10.0, 50),
                rotation: 0,
                selection: Selection::Merit,
                power_sharing: 1.0,
                coordinator_share: Some(0.2),
            }
            .build(&w);
            w.begin_step(1);
            m.begin_step(&mut w);
            // The coordinator (slot 0, in domain 0) does not also lead domain 0.
            let leads = m.leaders();
            assert!(leads.contains(&0));
            assert_eq!(
                leads
                    .iter()
                    .filter(|&&s| s != 0 && w.org.domain[s] == 0)
                    .count(),
                1
            );
            // Slot 4 is the head of domain 0 (depth 1): one hop to the coordinator.
            m.submit(flip(&w, 4, 0), &mut w);
            for t in 1..=3 {
                w.begin_step(t);
                m.begin_step(&mut w);
                m.decide(&mut w);
                if t == 2 {
                    assert_eq!(w.reviews[0], coordinator_reviews, "K = {k}");
                }
            }
        }
    }

    #[test]
    fn capacity_follows_the_expected_routing() {
        // K = 0: no single-decision change spills over, so the coordinator gets only the
        // radical proposals that leave their home domain: radical (0.1) × (1 − (1/4)²) of
        // them, as three decisions stay home with probability (1/4)² (the first is home);
        // K = N − 1: everything spills over.
        for (k, single, coordinator) in
            [(0usize, 0.0, 4.0 * 0.1 * (1.0 - 1.0 / 16.0)), (7, 1.0, 4.0)]
        {
            let w = world(20, 4, 8, k, 0.0);
            assert_eq!(spillover_share(&w), single, "K = {k}");
            let m = Hybrid {
                common: common(4.0, 50),
                rotation: 0,
                selection: Selection::Merit,
                power_sharing: 1.0,
                coordinator_share: None,
            }
            .build(&w);
            let mut total = 0.0;
            let mut first = None;
            m.each_desk(&mut |d| {
                total += d.capacity;
                first.get_or_insert(d.capacity);
            });
            assert!(
                (total - 4.0).abs() < 1e-12,
                "the whole review capacity, split"
            );
            assert!(
                (first.unwrap() - coordinator).abs() < 1e-12,
                "K = {k}: the coordinator's share {first:?}"
            );
        }
    }

    #[test]
    fn proposals_never_wait_at_a_desk_without_capacity() {
        // All capacity to the coordinator: a local change goes to it, not to a lead that could
        // never review it. No capacity for the coordinator: a spilling change goes to its lead.
        for (k, share, decider_is_coordinator) in [(0usize, 1.0, true), (7, 0.0, false)] {
            let mut w = world(20, 4, 8, k, 0.0);
            let mut m = Hybrid {
                common: common(4.0, 50),
                rotation: 0,
                selection: Selection::Merit,
                power_sharing: 1.0,
                coordinator_share: Some(share),
            }
            .build(&w);
            w.begin_step(1);
            m.begin_step(&mut w);
            m.submit(flip(&w, 4, 0), &mut w);
            let mut reviewed_by = None;
            for t in 1..=4 {
                w.begin_step(t);
                m.begin_step(&mut w);
                m.decide(&mut w);
                m.mark_overload(&mut w);
                if let Some(s) = (0..20).find(|&s| w.reviews[s] > 0) {
                    reviewed_by.get_or_insert(s);
                }
                assert!(w.feedback.iter().all(|f| f.overloaded == 0.0));
            }
            let s = reviewed_by.expect("the proposal was reviewed, not left to expire");
            assert_eq!(
                s == 0,
                decider_is_coordinator,
                "K = {k}, share {share}: slot {s}"
            );
        }
    }
}
