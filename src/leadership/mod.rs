//! Leadership models: who decides on members' proposals, seeing what, with what capacity and
//! delay (SPEC §2.3). This is the variable under study.
//!
//! Every model implements [`LeadershipModel`]; its parameters are declared with
//! [`Param`](crate::params::Param)s and read by a [`ModelType`] in [`registry`]. Adding a model
//! is one new file with one type implementing the trait and one line in the registry; the engine
//! ([`crate::sim`]) does not change.
//!
//! All models share the decision primitives of [`World`] (evaluation with expertise-dependent
//! noise, review, vote, adopt, reject, expire) and the [`Desk`] below (a decision maker's queue
//! with arrival delay, expiry and per-step capacity), so they differ only in routing, views,
//! capacities and delays.

pub mod centralized;
pub mod election;
pub mod hybrid;
pub mod shared;

use crate::org::Slot;
use crate::params::{InputError, Param, Reader};
use crate::world::{Proposal, World};
use std::fmt::Debug;
use std::sync::Arc;

/// The runtime state of one leadership model in one run.
pub trait LeadershipModel: Send + Debug {
    /// Start of a step: elections, changes of who holds which desk.
    fn begin_step(&mut self, world: &mut World);
    /// A member's new proposal enters the decision system.
    fn submit(&mut self, p: Proposal, world: &mut World);
    /// This step's reviews, within capacity; decisions go through `world`.
    fn decide(&mut self, world: &mut World);
    /// Whether `slot` holds decision rights now.
    fn holds_rights(&self, slot: Slot) -> bool;
    /// `(ready backlog, reviews per step)` of the desk `slot` holds, if it holds one.
    fn load(&self, slot: Slot, world: &World) -> Option<(usize, f64)>;
    /// Takes every proposal still waiting (when the organization switches model).
    fn drain(&mut self, out: &mut Vec<Proposal>);
    /// The slots whose seats an event of leader loss would empty, most central first.
    fn leaders(&self, world: &World) -> Vec<Slot>;
}

/// A validated model configuration that can build the model's state for a run.
pub trait ModelConfig: Send + Sync + Debug {
    /// The model kind (`centralized`, …).
    fn kind(&self) -> &'static str;
    /// Fresh state for a run in `world`.
    fn build(&self, world: &World) -> Box<dyn LeadershipModel>;
    /// Parameter values, for the manifest and reports.
    fn describe(&self) -> Vec<(&'static str, String)>;
}

/// One leadership model to compare, with its label.
#[derive(Debug, Clone)]
pub struct ModelEntry {
    /// Unique label (defaults to the kind).
    pub name: String,
    pub config: Arc<dyn ModelConfig>,
}

/// A kind of leadership model: its name, what it is, its parameters and its reader.
pub struct ModelType {
    pub kind: &'static str,
    pub summary: &'static str,
    pub params: fn() -> Vec<Param>,
    pub read: fn(&mut Reader) -> Result<Arc<dyn ModelConfig>, InputError>,
}

/// Every leadership model kind.
pub fn registry() -> &'static [ModelType] {
    &[centralized::TYPE, shared::TYPE, hybrid::TYPE]
}

/// The model type named `kind`.
pub fn find(kind: &str) -> Option<&'static ModelType> {
    registry().iter().find(|t| t.kind == kind)
}

/// A proposal waiting at a desk.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Queued {
    pub p: Proposal,
    /// Step from which it can be reviewed (after travelling).
    pub arrival: u32,
    /// Hops it travelled, the messages the decision takes back.
    pub hops: u32,
}

/// A decision maker's seat: who holds it, what it sees, its capacity and its queue.
#[derive(Debug, Clone, PartialEq)]
pub struct Desk {
    /// The member deciding here (`None`: the seat is empty).
    pub holder: Option<Slot>,
    /// Loci the holder sees when judging.
    pub view: u64,
    /// Reviews per step before skill and crisis adjustments.
    pub capacity: f64,
    queue: Vec<Queued>,
    credit: f64,
}

impl Desk {
    /// An empty desk.
    pub fn new(holder: Option<Slot>, view: u64, capacity: f64) -> Desk {
        Desk {
            holder,
            view,
            capacity,
            queue: Vec::with_capacity(64),
            credit: 0.0,
        }
    }

    /// Queues `p`, reviewable from step `arrival`.
    pub fn push(&mut self, p: Proposal, arrival: u32, hops: u32) {
        self.queue.push(Queued { p, arrival, hops });
    }

    /// Number of proposals waiting (arrived or not).
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Proposals arrived and waiting at step `t`.
    pub fn ready(&self, t: u32) -> usize {
        self.queue.iter().filter(|q| q.arrival <= t).count()
    }

    /// Drops every proposal older than `expiry` steps, counting it as expired.
    pub fn expire(&mut self, world: &mut World, expiry: u32) {
        let t = world.t;
        let mut i = 0;
        while i < self.queue.len() {
            if t - self.queue[i].p.created > expiry {
                let q = self.queue.remove(i);
                world.expire(&q.p);
            } else {
                i += 1;
            }
        }
    }

    /// Adds this step's review capacity (none for an empty seat).
    pub fn refill(&mut self, world: &World) {
        if let Some(h) = self.holder {
            self.credit += world.capacity(h, self.capacity);
        }
    }

    /// Spends capacity elsewhere (a consultation).
    pub fn charge(&mut self, cost: f64) {
        self.credit -= cost;
    }

    /// The next proposal to review (earliest arrival, then queue order) if capacity allows;
    /// spends one review.
    pub fn next(&mut self, t: u32) -> Option<Queued> {
        if self.holder.is_none() || self.credit < 1.0 {
            return None;
        }
        let mut best: Option<usize> = None;
        for (i, q) in self.queue.iter().enumerate() {
            if q.arrival <= t && best.is_none_or(|b| q.arrival < self.queue[b].arrival) {
                best = Some(i);
            }
        }
        let i = best?;
        self.credit -= 1.0;
        Some(self.queue.remove(i))
    }

    /// End of step: unused capacity does not accumulate beyond one review.
    pub fn settle(&mut self) {
        self.credit = self.credit.min(1.0);
    }

    /// Takes every waiting proposal.
    pub fn drain(&mut self, out: &mut Vec<Proposal>) {
        out.extend(self.queue.drain(..).map(|q| q.p));
    }

    /// `(ready backlog, reviews per step)` for overload.
    pub fn load(&self, world: &World) -> Option<(usize, f64)> {
        self.holder
            .map(|h| (self.ready(world.t), world.capacity(h, self.capacity)))
    }
}

/// Hops from `proposer` to the formal leader at the root of the reporting tree.
pub fn hops_to_root(world: &World, proposer: Slot) -> u32 {
    world.org.depth[proposer] as u32
}

/// Decides one queued proposal at `desk` by the holder's review of the desk's view, or by a
/// vote of the home domain when team decisions are in force.
pub fn settle_one(world: &mut World, holder: Slot, view: u64, q: &Queued) -> crate::world::Verdict {
    if world.conditions.team_decisions {
        world.vote(q.p.home as usize, &q.p)
    } else {
        world.review(holder, &q.p, view)
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! A small world for the models' unit tests.
    use crate::behaviour::BehaviourParams;
    use crate::landscape::{Config, Landscape, NkSpec};
    use crate::org::{NetworkSpec, OrgSpec, Organization};
    use crate::params::{Dist, Reader, Source};
    use crate::rng::{self, Purpose};
    use crate::world::{Proposal, World};

    pub fn world(members: usize, domains: usize, n: usize, k: usize, noise: f64) -> World {
        let spec = OrgSpec {
            members,
            domains,
            span: 3,
            network: NetworkSpec::Ring { degree: 2 },
            expertise_own: Dist::Constant(0.8),
            expertise_other: Dist::Constant(0.2),
            expertise_leader: Dist::Constant(0.6),
            expertise_newcomer: Dist::Constant(0.2),
            engagement: Dist::Constant(0.6),
            skill: Dist::Constant(0.0),
            skill_newcomer: Dist::Constant(0.0),
        };
        let t = toml::Table::new();
        let s = Source::unnamed("t");
        let mut behaviour = BehaviourParams::read(&mut Reader::new(&t, "behaviour", &s)).unwrap();
        behaviour.noise = noise;
        behaviour.skill_capacity = 0.0;
        let land = Landscape::generate(
            &NkSpec::random(n, k),
            &mut rng::stream(1, Purpose::Landscape, &[]),
        )
        .unwrap();
        let org = Organization::build(&spec, n, 1);
        World::new(
            land,
            Config(0),
            org,
            spec,
            behaviour,
            rng::stream(1, Purpose::Decisions, &[]),
        )
    }

    /// A proposal by `proposer` to flip decision `j`.
    pub fn flip(world: &World, proposer: usize, j: usize) -> Proposal {
        Proposal {
            mask: 1 << j,
            values: !world.config.0 & (1 << j),
            proposer: proposer as u32,
            proposer_id: world.org.id[proposer],
            created: world.t,
            home: world.home_domain(1 << j, world.org.domain[proposer]),
            radical: false,
            route: 0.99,
        }
    }

    /// The best single flip of the current configuration, and the worst.
    pub fn best_and_worst_flip(world: &World) -> (usize, usize) {
        let n = world.land.n();
        let deltas: Vec<f64> = (0..n)
            .map(|j| world.land.delta(world.config, 1 << j))
            .collect();
        let best = (0..n)
            .max_by(|&a, &b| deltas[a].total_cmp(&deltas[b]))
            .unwrap();
        let worst = (0..n)
            .min_by(|&a, &b| deltas[a].total_cmp(&deltas[b]))
            .unwrap();
        (best, worst)
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;

    #[test]
    fn desk_respects_arrival_capacity_and_expiry() {
        let mut w = world(8, 2, 8, 2, 0.0);
        let mut desk = Desk::new(Some(0), w.whole_view(), 1.0);
        w.begin_step(1);
        let p = flip(&w, 1, 0);
        desk.push(p, 3, 2);
        desk.refill(&w);
        assert!(desk.next(1).is_none(), "not arrived yet");
        desk.settle();
        w.begin_step(3);
        assert_eq!(desk.ready(3), 1);
        assert_eq!(desk.next(3).unwrap().hops, 2);
        // Expiry: created at step 1, expiry 5 → gone at step 7.
        desk.push(p, 1, 0);
        w.begin_step(7);
        desk.expire(&mut w, 5);
        assert_eq!(desk.len(), 0);
        assert_eq!(w.tally.expired, 1);
        assert_eq!(w.feedback[1].expired, 1);
    }

    #[test]
    fn capacity_accrues_fractionally() {
        let mut w = world(8, 2, 8, 2, 0.0);
        let mut desk = Desk::new(Some(0), w.whole_view(), 0.5);
        let mut reviewed = 0;
        for t in 1..=10 {
            w.begin_step(t);
            desk.push(flip(&w, 1, (t % 8) as usize), t, 1);
            desk.refill(&w);
            while desk.next(t).is_some() {
                reviewed += 1;
            }
            desk.settle();
        }
        assert_eq!(reviewed, 5);
    }

    #[test]
    fn exact_review_adopts_improvements_only() {
        let mut w = world(8, 2, 10, 3, 0.0);
        let (best, worst) = best_and_worst_flip(&w);
        let view = w.whole_view();
        let good = flip(&w, 1, best);
        let bad = flip(&w, 1, worst);
        assert_eq!(w.review(0, &good, view), crate::world::Verdict::Adopt);
        assert_eq!(w.review(0, &bad, view), crate::world::Verdict::Reject);
        let before = w.land.fitness(w.config);
        w.adopt(&good, 2);
        assert!(w.land.fitness(w.config) > before);
        assert_eq!(w.tally.innovations, 1);
        assert_eq!(w.tally.messages, 2);
        assert_eq!(w.review(0, &good, view), crate::world::Verdict::Moot);
    }
}
