//! `centralized`: one leader at the root of the reporting tree decides on everything
//! (docs/ODD.md §7.4).
//!
//! Proposals travel up the reporting chain, `delay` steps per level, to the leader's desk; the
//! leader reviews the model's whole `review_capacity` per step (more with skill), judging the
//! change to the *whole* landscape with its own expertise-dependent noise, and adopts what it
//! judges an improvement. Unreviewed proposals wait and expire after `expiry` steps. The leader
//! has the integrated view — no cross-domain spillovers go unseen — but a single, distant desk.
//! While the leader is gone (leader loss), the seat is held as the `interim` rule says.

use super::election::Ballot;
use super::{
    Common, Desk, LeadershipModel, ModelConfig, ModelType, Search, hops_to_root,
    seat_formal_leader, settle_one,
};
use crate::params::{InputError, Param, Reader};
use crate::world::{Proposal, World};
use std::sync::Arc;

/// Parameters of the centralized model: only those every model takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Centralized {
    pub common: Common,
}

fn params() -> Vec<Param> {
    Common::params()
}

fn read(r: &mut Reader) -> Result<Arc<dyn ModelConfig>, InputError> {
    Ok(Arc::new(Centralized {
        common: Common::read(r)?,
    }))
}

/// The centralized model in the registry.
pub const TYPE: ModelType = ModelType {
    kind: "centralized",
    summary: "One leader at the root of the reporting tree decides on every proposal, seeing the whole landscape, with the model's whole review capacity. A proposal climbs the reporting chain to it, one delay per level, and waits in its single queue.",
    odd: "Part I §7.4",
    params,
    read,
};

impl ModelConfig for Centralized {
    fn kind(&self) -> &'static str {
        "centralized"
    }
    fn build(&self, world: &World) -> Box<dyn LeadershipModel> {
        Box::new(CentralizedState {
            common: self.common,
            desk: Desk::new(Some(0), world.whole_view(), self.common.review_capacity)
                .searching(self.common.search),
            ballot: Ballot::default(),
        })
    }
    fn describe(&self) -> Vec<(&'static str, String)> {
        self.common.describe()
    }
}

#[derive(Debug)]
struct CentralizedState {
    common: Common,
    desk: Desk,
    ballot: Ballot,
}

impl LeadershipModel for CentralizedState {
    fn begin_step(&mut self, world: &mut World) {
        seat_formal_leader(
            &mut self.desk,
            world,
            &self.common,
            |_| true,
            &mut self.ballot,
        );
    }

    fn submit(&mut self, p: Proposal, world: &mut World) {
        let hops = hops_to_root(world, p.proposer as usize);
        world.send(hops);
        self.desk
            .push(p, world.arrival(hops, self.common.delay), hops);
    }

    fn decide(&mut self, world: &mut World) {
        let expiry = world.expiry(self.common.expiry);
        self.desk.expire(world, expiry);
        self.desk.refill(world);
        let view = self.desk.view;
        while let Some(q) = self.desk.next(world) {
            let holder = self.desk.holder.unwrap_or(0);
            settle_one(world, holder, view, &q);
        }
        self.desk.settle();
    }

    fn each_desk(&self, f: &mut dyn FnMut(&Desk)) {
        f(&self.desk);
    }

    fn drain(&mut self, out: &mut Vec<Proposal>) {
        self.desk.drain(out);
    }

    fn members_propose(&self) -> bool {
        self.common.search != Search::Leaders
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leadership::Interim;
    use crate::leadership::testing::*;

    fn centralized(capacity: f64, delay: u32, expiry: u32, interim: Interim) -> Centralized {
        Centralized {
            common: Common {
                review_capacity: capacity,
                delay,
                expiry,
                interim,
                deputy_capacity: 0.5,
                search: Search::Members,
            },
        }
    }

    #[test]
    fn proposals_wait_for_the_chain_and_the_leader_decides_alone() {
        let mut w = world(20, 4, 8, 2, 0.0);
        let mut m = centralized(1.0, 2, 50, Interim::Deputy).build(&w);
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
        assert!(m.holds_desk(0) && !m.holds_desk(17));
        assert_eq!(m.leaders(), vec![0]);
    }

    #[test]
    fn the_interim_rule_decides_who_holds_the_seat_of_a_departed_leader() {
        for (interim, acting) in [
            (Interim::None, None),
            (Interim::Deputy, Some(0.5)),
            (Interim::Election, Some(1.0)),
        ] {
            let mut w = world(8, 2, 8, 2, 0.0);
            let mut m = centralized(5.0, 0, 3, interim).build(&w);
            w.begin_step(1);
            w.org.vacate(0, 10);
            m.begin_step(&mut w);
            let mut seen = None;
            m.each_desk(&mut |d| seen = d.holder.map(|h| (h, d.factor)));
            assert_eq!(seen.map(|s| s.1), acting, "{interim:?}");
            if let Some((h, _)) = seen {
                assert_ne!(h, 0);
                if interim == Interim::Deputy {
                    assert_eq!(w.org.parent[h], 0, "the deputy reports to the leader");
                }
            }
            // The replacement arrives: the seat is the formal leader's again, at full capacity.
            w.begin_step(10);
            w.org
                .replace(0, 10, &w.org_spec.clone(), crate::org::Hire::Experienced);
            m.begin_step(&mut w);
            m.each_desk(&mut |d| seen = d.holder.map(|h| (h, d.factor)));
            assert_eq!(seen, Some((0, 1.0)));
        }
    }

    #[test]
    fn nothing_is_adopted_while_the_seat_is_empty() {
        let mut w = world(8, 2, 8, 2, 0.0);
        let mut m = centralized(5.0, 0, 3, Interim::None).build(&w);
        w.org.vacate(0, 100);
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
            assert_eq!(w.tally.capacity, 0.0, "an empty seat has no capacity");
            expired += w.tally.expired;
        }
        assert_eq!(expired, 1);
    }
}
