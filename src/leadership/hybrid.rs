//! `hybrid`: shared domain leads plus a coordinating leader who arbitrates cross-domain changes
//! (centralized integration on top of distributed decisions).
//!
//! A proposal whose change affects only its home domain's contributions goes to that domain's
//! lead, who decides with the domain's view. A proposal that spills over into other domains goes
//! up the reporting chain to the coordinator (slot 0), who judges it on the whole landscape with
//! `leader_capacity` reviews per step. `power_sharing` < 1 escalates a share of the rest too.
//! The coordinator does not also lead a domain.

use super::election::{self, Selection};
use super::shared::{self, Coordination, DomainLeads, Routing, Shared};
use super::{LeadershipModel, ModelConfig, ModelType};
use crate::params::{InputError, Param, Reader};
use crate::world::World;
use std::sync::Arc;

/// Parameters of the hybrid model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hybrid {
    pub capacity: f64,
    pub leader_capacity: f64,
    pub delay: u32,
    pub expiry: u32,
    pub rotation: u32,
    pub selection: Selection,
    pub power_sharing: f64,
}

fn params() -> Vec<Param> {
    vec![
        shared::CAPACITY,
        shared::LEADER_CAPACITY,
        super::centralized::DELAY,
        super::centralized::EXPIRY,
        election::ROTATION,
        election::SELECTION,
        shared::POWER_SHARING,
    ]
}

fn read(r: &mut Reader) -> Result<Arc<dyn ModelConfig>, InputError> {
    Ok(Arc::new(Hybrid {
        capacity: r.real(&shared::CAPACITY)?,
        leader_capacity: r.real(&shared::LEADER_CAPACITY)?,
        delay: r.whole(&super::centralized::DELAY)? as u32,
        expiry: r.whole(&super::centralized::EXPIRY)? as u32,
        rotation: r.whole(&election::ROTATION)? as u32,
        selection: Selection::parse(r.choice(&election::SELECTION)?),
        power_sharing: r.real(&shared::POWER_SHARING)?,
    }))
}

pub const TYPE: ModelType = ModelType {
    kind: "hybrid",
    summary: "domain leads decide changes confined to their domain; changes that spill over go to a coordinating leader who sees the whole landscape",
    params,
    read,
};

impl ModelConfig for Hybrid {
    fn kind(&self) -> &'static str {
        "hybrid"
    }
    fn build(&self, world: &World) -> Box<dyn LeadershipModel> {
        let as_shared = Shared {
            capacity: self.capacity,
            delay: self.delay,
            expiry: self.expiry,
            rotation: self.rotation,
            selection: self.selection,
            coordination: Coordination::None,
            consult_delay: 0,
            consult_cost: 0.0,
            power_sharing: self.power_sharing,
            leader_capacity: self.leader_capacity,
        };
        Box::new(DomainLeads::new(as_shared, Routing::Hybrid, world))
    }
    fn describe(&self) -> Vec<(&'static str, String)> {
        vec![
            ("capacity", self.capacity.to_string()),
            ("leader_capacity", self.leader_capacity.to_string()),
            ("delay", self.delay.to_string()),
            ("expiry", self.expiry.to_string()),
            ("rotation", self.rotation.to_string()),
            ("selection", self.selection.name().to_string()),
            ("power_sharing", self.power_sharing.to_string()),
        ]
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
                capacity: 2.0,
                leader_capacity: 2.0,
                delay: 1,
                expiry: 50,
                rotation: 0,
                selection: Selection::Merit,
                power_sharing: 1.0,
            }
            .build(&w);
            w.begin_step(1);
            m.begin_step(&mut w);
            // The coordinator (slot 0, in domain 0) does not also lead domain 0.
            let leads = m.leaders(&w);
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
}
