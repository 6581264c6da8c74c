//! `shared`: decision rights per domain, held by emergent domain leads who decide in parallel,
//! each judging the change to *its own domain's* contributions (a local view), and pay for
//! coordination across domains (SPEC §2.3; Rivkin & Siggelkow 2003; Pearce & Conger 2003).
//!
//! - Leads are chosen by expertise, skill and peer endorsement and re-chosen every `rotation`
//!   steps ([`super::election`]).
//! - A proposal goes to the lead of the domain it mostly changes, one hop (`delay` steps) away
//!   unless the proposer is the lead.
//! - `coordination = "none"`: the lead decides alone; spillovers onto other domains are unseen.
//!   `"consult"`: when the change affects other domains' contributions, every affected domain's
//!   lead is consulted and must judge its own domain not harmed; each consultation costs two
//!   messages and `consult_cost` of the consulted lead's capacity, and the change takes effect
//!   `consult_delay` steps later. `"vote"`: the domain's members vote (team-based decision).
//! - `power_sharing` < 1 models a formal leader who holds on to authority: each proposal is,
//!   with probability 1 − power_sharing, escalated up the reporting chain to the formal leader
//!   (slot 0), who decides it as in the centralized model with `leader_capacity`.
//!
//! The same machinery runs the `hybrid` model ([`super::hybrid`]), where changes that spill over
//! into other domains go to a coordinating leader instead of being consulted on.

use super::election::{self, Ballot, Selection};
use super::{Desk, LeadershipModel, ModelConfig, ModelType, Queued, hops_to_root, settle_one};
use crate::org::Slot;
use crate::params::{DefaultValue as D, InputError, Kind, Param, Reader};
use crate::world::{Proposal, Verdict, World};
use std::sync::Arc;

pub const CAPACITY: Param = Param {
    key: "capacity",
    kind: Kind::Real { min: 0.0, max: 1e6 },
    default: D::Real(1.5),
    meaning: "proposals each domain lead reviews per step (at skill 0)",
};
pub const COORDINATION: Param = Param {
    key: "coordination",
    kind: Kind::Choice(&["none", "consult", "vote"]),
    default: D::Word("consult"),
    meaning: "how domains coordinate: \"none\" (each lead decides alone), \"consult\" (leads of affected domains must consent), \"vote\" (the domain's members vote)",
};
pub const CONSULT_DELAY: Param = Param {
    key: "consult_delay",
    kind: Kind::Whole { min: 0, max: 1000 },
    default: D::Whole(1),
    meaning: "consult: steps a consulted change waits before taking effect",
};
pub const CONSULT_COST: Param = Param {
    key: "consult_cost",
    kind: Kind::Real {
        min: 0.0,
        max: 1000.0,
    },
    default: D::Real(0.5),
    meaning: "consult: review capacity a consultation takes from each consulted lead",
};
pub const POWER_SHARING: Param = Param {
    key: "power_sharing",
    kind: Kind::Real { min: 0.0, max: 1.0 },
    default: D::Real(1.0),
    meaning: "willingness of the formal leader to delegate: each proposal is escalated to the formal leader with probability 1 − power_sharing",
};
pub const LEADER_CAPACITY: Param = Param {
    key: "leader_capacity",
    kind: Kind::Real { min: 0.0, max: 1e6 },
    default: D::Real(4.0),
    meaning: "proposals the formal leader reviews per step (escalations; the coordinator in hybrid)",
};

/// How domains coordinate in the shared model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coordination {
    None,
    Consult,
    Vote,
}

impl Coordination {
    pub fn parse(word: &str) -> Coordination {
        match word {
            "consult" => Coordination::Consult,
            "vote" => Coordination::Vote,
            _ => Coordination::None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Coordination::None => "none",
            Coordination::Consult => "consult",
            Coordination::Vote => "vote",
        }
    }
}

/// Parameters of the shared model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shared {
    pub capacity: f64,
    pub delay: u32,
    pub expiry: u32,
    pub rotation: u32,
    pub selection: Selection,
    pub coordination: Coordination,
    pub consult_delay: u32,
    pub consult_cost: f64,
    pub power_sharing: f64,
    pub leader_capacity: f64,
}

fn params() -> Vec<Param> {
    vec![
        CAPACITY,
        super::centralized::DELAY,
        super::centralized::EXPIRY,
        election::ROTATION,
        election::SELECTION,
        COORDINATION,
        CONSULT_DELAY,
        CONSULT_COST,
        POWER_SHARING,
        LEADER_CAPACITY,
    ]
}

fn read(r: &mut Reader) -> Result<Arc<dyn ModelConfig>, InputError> {
    Ok(Arc::new(Shared {
        capacity: r.real(&CAPACITY)?,
        delay: r.whole(&super::centralized::DELAY)? as u32,
        expiry: r.whole(&super::centralized::EXPIRY)? as u32,
        rotation: r.whole(&election::ROTATION)? as u32,
        selection: Selection::parse(r.choice(&election::SELECTION)?),
        coordination: Coordination::parse(r.choice(&COORDINATION)?),
        consult_delay: r.whole(&CONSULT_DELAY)? as u32,
        consult_cost: r.real(&CONSULT_COST)?,
        power_sharing: r.real(&POWER_SHARING)?,
        leader_capacity: r.real(&LEADER_CAPACITY)?,
    }))
}

pub const TYPE: ModelType = ModelType {
    kind: "shared",
    summary: "emergent domain leads decide in parallel on their domain's proposals with a local view; domains coordinate by consultation or votes, or not at all",
    params,
    read,
};

impl ModelConfig for Shared {
    fn kind(&self) -> &'static str {
        "shared"
    }
    fn build(&self, world: &World) -> Box<dyn LeadershipModel> {
        Box::new(DomainLeads::new(*self, Routing::Shared, world))
    }
    fn describe(&self) -> Vec<(&'static str, String)> {
        vec![
            ("capacity", self.capacity.to_string()),
            ("delay", self.delay.to_string()),
            ("expiry", self.expiry.to_string()),
            ("rotation", self.rotation.to_string()),
            ("selection", self.selection.name().to_string()),
            ("coordination", self.coordination.name().to_string()),
            ("consult_delay", self.consult_delay.to_string()),
            ("consult_cost", self.consult_cost.to_string()),
            ("power_sharing", self.power_sharing.to_string()),
            ("leader_capacity", self.leader_capacity.to_string()),
        ]
    }
}

/// Where cross-domain changes go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Routing {
    /// To the home domain's lead, who coordinates as `coordination` says.
    Shared,
    /// To the coordinating leader at slot 0 (hybrid).
    Hybrid,
}

/// A consulted change waiting to take effect.
#[derive(Debug, Clone, Copy)]
struct Pending {
    ready: u32,
    q: Queued,
}

/// Domain desks held by elected leads, plus the formal leader's desk.
#[derive(Debug)]
pub(crate) struct DomainLeads {
    params: Shared,
    routing: Routing,
    desks: Vec<Desk>,
    /// Member id of each lead when chosen (a replaced lead's seat is re-filled).
    lead_id: Vec<u32>,
    /// The formal leader's desk: escalations (power sharing) and, in hybrid, coordination.
    authority: Desk,
    pending: Vec<Pending>,
    ballot: Ballot,
}

impl DomainLeads {
    pub(crate) fn new(params: Shared, routing: Routing, world: &World) -> DomainLeads {
        let desks = (0..world.org.domains)
            .map(|d| Desk::new(None, world.domain_view(d), params.capacity))
            .collect();
        DomainLeads {
            params,
            routing,
            desks,
            lead_id: vec![u32::MAX; world.org.domains],
            authority: Desk::new(Some(0), world.whole_view(), params.leader_capacity),
            pending: Vec::with_capacity(64),
            ballot: Ballot::default(),
        }
    }

    fn uses_authority(&self) -> bool {
        self.routing == Routing::Hybrid || self.params.power_sharing < 1.0
    }

    fn excluded(&self) -> Option<Slot> {
        // The hybrid's coordinator does not also lead a domain.
        (self.routing == Routing::Hybrid).then_some(0)
    }

    fn coordination(&self, world: &World) -> Coordination {
        if world.conditions.team_decisions {
            Coordination::Vote
        } else {
            self.params.coordination
        }
    }

    fn consult(&mut self, world: &mut World, d: usize, q: &Queued) -> bool {
        let spill = world.spillover_domains(&q.p, d);
        let mut bits = spill;
        let mut agreed = true;
        while bits != 0 {
            let e = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            // A domain without a lead has nobody to object.
            let Some(h) = self.desks[e].holder else {
                continue;
            };
            world.send(2);
            self.desks[e].charge(self.params.consult_cost);
            let view = self.desks[e].view;
            if !world.consent(h, &q.p, view) {
                agreed = false;
            }
        }
        agreed
    }
}

impl LeadershipModel for DomainLeads {
    fn begin_step(&mut self, world: &mut World) {
        self.authority.holder = world.org.active[0].then_some(0);
        let t = world.t;
        let term_over =
            self.params.rotation > 0 && t > 1 && (t - 1).is_multiple_of(self.params.rotation);
        for d in 0..self.desks.len() {
            let seat_lost = match self.desks[d].holder {
                None => true,
                Some(h) => !world.org.active[h] || world.org.id[h] != self.lead_id[d],
            };
            if seat_lost || term_over {
                let incumbent = if seat_lost {
                    None
                } else {
                    self.desks[d].holder
                };
                let lead = election::elect(
                    world,
                    d,
                    incumbent,
                    self.params.selection,
                    self.excluded(),
                    &mut self.ballot,
                );
                self.desks[d].holder = lead;
                self.lead_id[d] = lead.map_or(u32::MAX, |s| world.org.id[s]);
            }
        }
    }

    fn submit(&mut self, p: Proposal, world: &mut World) {
        let proposer = p.proposer as usize;
        let d = p.home as usize;
        let escalate = p.route < 1.0 - self.params.power_sharing
            || (self.routing == Routing::Hybrid && world.spillover_domains(&p, d) != 0);
        if escalate {
            let hops = hops_to_root(world, proposer);
            world.send(hops);
            self.authority
                .push(p, world.arrival(hops, self.params.delay), hops);
        } else {
            let hops = u32::from(self.desks[d].holder != Some(proposer));
            world.send(hops);
            self.desks[d].push(p, world.arrival(hops, self.params.delay), hops);
        }
    }

    fn decide(&mut self, world: &mut World) {
        let expiry = world.expiry(self.params.expiry);
        if self.uses_authority() {
            self.authority.expire(world, expiry);
            self.authority.refill(world);
            let view = self.authority.view;
            while let Some(q) = self.authority.next(world.t) {
                let holder = self.authority.holder.unwrap_or(0);
                match settle_one(world, holder, view, &q) {
                    Verdict::Adopt => world.adopt(&q.p, q.hops),
                    Verdict::Reject => world.reject(&q.p, q.hops),
                    Verdict::Moot => {}
                }
            }
            self.authority.settle();
        }
        let coordination = self.coordination(world);
        for d in 0..self.desks.len() {
            self.desks[d].expire(world, expiry);
            self.desks[d].refill(world);
            let view = self.desks[d].view;
            while let Some(q) = self.desks[d].next(world.t) {
                let holder = self.desks[d].holder.unwrap_or(0);
                let verdict = match coordination {
                    Coordination::Vote => world.vote(d, &q.p),
                    Coordination::None => world.review(holder, &q.p, view),
                    Coordination::Consult => match world.review(holder, &q.p, view) {
                        Verdict::Adopt if world.spillover_domains(&q.p, d) != 0 => {
                            if self.consult(world, d, &q) {
                                self.pending.push(Pending {
                                    ready: world.t + self.params.consult_delay,
                                    q,
                                });
                                continue;
                            }
                            Verdict::Reject
                        }
                        v => v,
                    },
                };
                match verdict {
                    Verdict::Adopt => world.adopt(&q.p, q.hops),
                    Verdict::Reject => world.reject(&q.p, q.hops),
                    Verdict::Moot => {}
                }
            }
        }
        for desk in &mut self.desks {
            desk.settle();
        }
        let t = world.t;
        let mut i = 0;
        while i < self.pending.len() {
            if self.pending[i].ready <= t {
                let pending = self.pending.remove(i);
                world.adopt(&pending.q.p, pending.q.hops);
            } else {
                i += 1;
            }
        }
    }

    fn holds_rights(&self, slot: Slot) -> bool {
        self.desks.iter().any(|d| d.holder == Some(slot))
            || (self.uses_authority() && self.authority.holder == Some(slot))
    }

    fn load(&self, slot: Slot, world: &World) -> Option<(usize, f64)> {
        if self.uses_authority() && self.authority.holder == Some(slot) {
            return self.authority.load(world);
        }
        self.desks
            .iter()
            .find(|d| d.holder == Some(slot))
            .and_then(|d| d.load(world))
    }

    fn drain(&mut self, out: &mut Vec<Proposal>) {
        self.authority.drain(out);
        for d in &mut self.desks {
            d.drain(out);
        }
        out.extend(self.pending.drain(..).map(|p| p.q.p));
    }

    fn leaders(&self, world: &World) -> Vec<Slot> {
        let mut leads: Vec<Slot> = self.desks.iter().filter_map(|d| d.holder).collect();
        if self.routing == Routing::Hybrid && world.org.active[0] {
            leads.push(0);
        }
        leads.sort_unstable();
        leads.dedup();
        leads
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leadership::testing::*;

    fn shared(coordination: Coordination) -> Shared {
        Shared {
            capacity: 2.0,
            delay: 1,
            expiry: 50,
            rotation: 0,
            selection: Selection::Merit,
            coordination,
            consult_delay: 1,
            consult_cost: 0.5,
            power_sharing: 1.0,
            leader_capacity: 4.0,
        }
    }

    fn step(m: &mut Box<dyn LeadershipModel>, w: &mut World, t: u32) {
        w.begin_step(t);
        m.begin_step(w);
        m.decide(w);
    }

    #[test]
    fn a_shared_organization_has_up_to_one_decider_per_domain() {
        let mut w = world(20, 4, 8, 2, 0.0);
        let mut m = shared(Coordination::None).build(&w);
        w.begin_step(1);
        m.begin_step(&mut w);
        let leads = m.leaders(&w);
        assert_eq!(leads.len(), 4);
        let domains: std::collections::BTreeSet<u16> =
            leads.iter().map(|&s| w.org.domain[s]).collect();
        assert_eq!(domains.len(), 4, "one lead per domain");
        assert_eq!((0..20).filter(|&s| m.holds_rights(s)).count(), 4);
    }

    #[test]
    fn domains_keep_deciding_when_one_lead_is_gone() {
        let mut w = world(20, 4, 8, 0, 0.0);
        let mut m = shared(Coordination::None).build(&w);
        w.begin_step(1);
        m.begin_step(&mut w);
        let lead1 = m
            .leaders(&w)
            .into_iter()
            .find(|&s| w.org.domain[s] == 1)
            .unwrap();
        // Every domain gets a proposal to improve one of its decisions (K = 0: no spillover).
        for d in 0..4usize {
            let j = (0..8).find(|&j| j * 4 / 8 == d && w.land.delta(w.config, 1 << j) > 0.0);
            if let Some(j) = j {
                let proposer = w.org.domain_members[d][1] as usize;
                m.submit(flip(&w, proposer, j), &mut w);
            }
        }
        // The lead of domain 1 leaves and nobody else in the domain is eligible.
        for &s in &w.org.domain_members[1].clone() {
            w.org.vacate(s as usize);
        }
        assert!(!w.org.active[lead1]);
        step(&mut m, &mut w, 2);
        let adopted = w.tally.adoptions;
        assert!(adopted >= 1, "other domains still decide");
        assert!(m.leaders(&w).iter().all(|&s| w.org.domain[s] != 1));
    }

    #[test]
    fn consultation_blocks_changes_that_hurt_another_domain() {
        // K = N − 1: every change spills over into every domain.
        let mut w = world(8, 2, 6, 5, 0.0);
        let mut m = shared(Coordination::Consult).build(&w);
        w.begin_step(1);
        m.begin_step(&mut w);
        let lead0 = m
            .leaders(&w)
            .into_iter()
            .find(|&s| w.org.domain[s] == 0)
            .unwrap();
        // Find a change to domain 0's decisions that helps domain 0 but hurts domain 1.
        let (v0, v1) = (w.domain_view(0), w.domain_view(1));
        let j = (0..3).find(|&j| {
            w.land.delta_within(w.config, 1 << j, v0) > 0.0
                && w.land.delta_within(w.config, 1 << j, v1) < 0.0
        });
        let Some(j) = j else { return };
        m.submit(flip(&w, lead0, j), &mut w);
        step(&mut m, &mut w, 1);
        step(&mut m, &mut w, 2);
        assert_eq!(w.tally.adoptions, 0);
        assert!(w.tally.messages >= 2, "the consultation was paid for");
        // Without coordination the same change goes through: a conflict if it lowers fitness.
        let mut w2 = world(8, 2, 6, 5, 0.0);
        let mut m2 = shared(Coordination::None).build(&w2);
        w2.begin_step(1);
        m2.begin_step(&mut w2);
        m2.submit(flip(&w2, lead0, j), &mut w2);
        m2.decide(&mut w2);
        assert_eq!(w2.tally.adoptions, 1);
    }

    #[test]
    fn unwilling_leaders_take_decisions_back() {
        let mut w = world(20, 4, 8, 2, 0.0);
        let mut cfg = shared(Coordination::None);
        cfg.power_sharing = 0.0;
        let mut m = cfg.build(&w);
        w.begin_step(1);
        m.begin_step(&mut w);
        let p = flip(&w, 17, 0);
        m.submit(p, &mut w);
        // Escalated up three levels to the formal leader.
        assert_eq!(w.tally.messages, 3);
        assert!(m.holds_rights(0));
        for t in 1..=3 {
            step(&mut m, &mut w, t);
            assert_eq!(w.tally.reviews, 0);
        }
        step(&mut m, &mut w, 4);
        assert_eq!(w.reviews[0], 1, "the formal leader reviewed it");
    }
}
