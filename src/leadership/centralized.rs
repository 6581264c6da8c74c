//! `centralized`: one leader at the root of the reporting tree decides on everything.
//!
//! Proposals travel up the reporting chain, `delay` steps per level, to the leader's desk; the
//! leader reviews at most `capacity` proposals per step (more with skill), judging the change to
//! the *whole* landscape with its own expertise-dependent noise, and adopts what it judges an
//! improvement. Unreviewed proposals wait and expire after `expiry` steps. The leader has the
//! integrated view — no cross-domain conflicts by construction — but a single, distant desk.

use super::{Desk, LeadershipModel, ModelConfig, ModelType, hops_to_root, settle_one};
use crate::org::Slot;
use crate::params::{DefaultValue as D, InputError, Kind, Param, Reader};
use crate::world::{Proposal, Verdict, World};
use std::sync::Arc;

pub const CAPACITY: Param = Param {
    key: "capacity",
    kind: Kind::Real { min: 0.0, max: 1e6 },
    default: D::Real(4.0),
    meaning: "proposals the leader reviews per step (at skill 0; see behaviour.learning.skill_capacity)",
};
pub const DELAY: Param = Param {
    key: "delay",
    kind: Kind::Whole { min: 0, max: 1000 },
    default: D::Whole(1),
    meaning: "steps a proposal takes per level of the reporting chain (and per hop to a lead)",
};
pub const EXPIRY: Param = Param {
    key: "expiry",
    kind: Kind::Whole {
        min: 1,
        max: 1_000_000,
    },
    default: D::Whole(20),
    meaning: "steps after which an unreviewed proposal expires",
};

/// Parameters of the centralized model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Centralized {
    pub capacity: f64,
    pub delay: u32,
    pub expiry: u32,
}

fn params() -> Vec<Param> {
    vec![CAPACITY, DELAY, EXPIRY]
}

fn read(r: &mut Reader) -> Result<Arc<dyn ModelConfig>, InputError> {
    Ok(Arc::new(Centralized {
        capacity: r.real(&CAPACITY)?,
        delay: r.whole(&DELAY)? as u32,
        expiry: r.whole(&EXPIRY)? as u32,
    }))
}

pub const TYPE: ModelType = ModelType {
    kind: "centralized",
    summary: "one leader at the root of the reporting tree decides on every proposal, with the whole landscape in view, limited review capacity and a reporting-chain delay",
    params,
    read,
};

impl ModelConfig for Centralized {
    fn kind(&self) -> &'static str {
        "centralized"
    }
    fn build(&self, world: &World) -> Box<dyn LeadershipModel> {
        Box::new(CentralizedState {
            params: *self,
            desk: Desk::new(Some(0), world.whole_view(), self.capacity),
        })
    }
    fn describe(&self) -> Vec<(&'static str, String)> {
        vec![
            ("capacity", self.capacity.to_string()),
            ("delay", self.delay.to_string()),
            ("expiry", self.expiry.to_string()),
        ]
    }
}

#[derive(Debug)]
struct CentralizedState {
    params: Centralized,
    desk: Desk,
}

impl LeadershipModel for CentralizedState {
    fn begin_step(&mut self, world: &mut World) {
        // The seat is empty while the leader is gone (leader loss) and filled by whoever
        // occupies slot 0 again.
        self.desk.holder = world.org.active[0].then_some(0);
    }

    fn submit(&mut self, p: Proposal, world: &mut World) {
        let hops = hops_to_root(world, p.proposer as usize);
        world.send(hops);
        self.desk
            .push(p, world.arrival(hops, self.params.delay), hops);
    }

    fn decide(&mut self, world: &mut World) {
        let expiry = world.expiry(self.params.expiry);
        self.desk.expire(world, expiry);
        self.desk.refill(world);
        let view = self.desk.view;
        while let Some(q) = self.desk.next(world.t) {
            let holder = self.desk.holder.unwrap_or(0);
            match settle_one(world, holder, view, &q) {
                Verdict::Adopt => world.adopt(&q.p, q.hops),
                Verdict::Reject => world.reject(&q.p, q.hops),
                Verdict::Moot => {}
            }
        }
        self.desk.settle();
    }

    fn holds_rights(&self, slot: Slot) -> bool {
        self.desk.holder == Some(slot)
    }

    fn load(&self, slot: Slot, world: &World) -> Option<(usize, f64)> {
        if self.holds_rights(slot) {
            self.desk.load(world)
        } else {
            None
        }
    }

    fn drain(&mut self, out: &mut Vec<Proposal>) {
        self.desk.drain(out);
    }

    fn leaders(&self, _world: &World) -> Vec<Slot> {
        vec![0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leadership::testing::*;

    #[test]
    fn proposals_wait_for_the_chain_and_the_leader_decides_alone() {
        let mut w = world(20, 4, 8, 2, 0.0);
        let model = Centralized {
            capacity: 1.0,
            delay: 2,
            expiry: 50,
        };
        let mut m = model.build(&w);
        w.begin_step(1);
        m.begin_step(&mut w);
        let (best, _) = best_and_worst_flip(&w);
        // Slot 17 sits three levels down: arrives at step 1 + 3·2 = 7.
        assert_eq!(w.org.depth[17], 3);
        m.submit(flip(&w, 17, best), &mut w);
        assert_eq!(w.tally.messages, 3);
        for t in 1..7 {
            w.begin_step(t);
            m.begin_step(&mut w);
            m.decide(&mut w);
            assert_eq!(w.tally.adoptions, 0, "step {t}");
        }
        w.begin_step(7);
        m.begin_step(&mut w);
        m.decide(&mut w);
        assert_eq!(w.tally.adoptions, 1);
        assert_eq!(w.reviews[0], 1);
        assert_eq!(w.tally.latency_sum, 6);
        assert!(m.holds_rights(0) && !m.holds_rights(17));
    }

    #[test]
    fn nothing_is_adopted_while_the_seat_is_empty() {
        let mut w = world(8, 2, 8, 2, 0.0);
        let mut m = Centralized {
            capacity: 5.0,
            delay: 0,
            expiry: 3,
        }
        .build(&w);
        w.org.vacate(0);
        let (best, _) = best_and_worst_flip(&w);
        let mut expired = 0;
        for t in 1..=6 {
            w.begin_step(t);
            m.begin_step(&mut w);
            if t == 1 {
                m.submit(flip(&w, 3, best), &mut w);
            }
            m.decide(&mut w);
            assert_eq!(w.tally.adoptions, 0);
            expired += w.tally.expired;
        }
        assert_eq!(expired, 1);
    }
}
