//! `shared`: decision rights per domain, held by emergent domain leads who decide in parallel,
//! each judging the change to *its own domain's* contributions (a local view), and pay for
//! coordination across domains (docs/ODD.md §7.5; Rivkin & Siggelkow 2003; Pearce & Conger
//! 2003).
//!
//! - Leads are chosen by expertise, skill and peer endorsement and re-chosen every `rotation`
//!   steps ([`super::election`]).
//! - A proposal goes to the lead of the domain it mostly changes, one hop (`delay` steps) away
//!   unless the proposer is the lead.
//! - `coordination = "none"`: the lead decides alone; spillovers onto other domains are unseen.
//!   `"consult"`: when the lead would adopt a change that affects other domains'
//!   contributions, every affected domain's lead is consulted and the change goes ahead as the
//!   `consent` rule says (`"sum"`: the perceived changes of the deciding and consulted leads add
//!   up to a gain; `"majority"`: most of them perceive no harm; `"veto"`: none perceives harm);
//!   each consultation costs two messages and `consult_cost` of the consulted lead's capacity,
//!   and the change takes effect `consult_delay` steps later. Whoever the decision goes against
//!   is overruled (a dispute). `"vote"`: the domain's members vote (team-based decision).
//! - `power_sharing` < 1 models a formal leader who holds on to authority: each proposal is,
//!   with probability 1 − power_sharing, escalated up the reporting chain to the formal leader
//!   (slot 0), who decides it as in the centralized model. The model's review capacity is split
//!   as the proposals are: 1 − power_sharing to the formal leader, the rest equally among the
//!   domain leads; so with power_sharing = 0 the model makes the centralized model's decisions.
//!
//! The same machinery runs the `hybrid` model ([`super::hybrid`]), where changes that spill over
//! into other domains go to a coordinating leader instead of being consulted on.

use super::election::{self, Ballot, Selection};
use super::{
    Common, Desk, Interim, LeadershipModel, ModelConfig, ModelType, Queued, Search, hops_to_root,
    seat_formal_leader, settle_one,
};
use crate::org::Slot;
use crate::params::{DefaultValue as D, InputError, Kind, Param, Reader};
use crate::world::{Proposal, Verdict, World};
use std::sync::Arc;

pub(crate) const COORDINATION: Param = Param {
    key: "coordination",
    kind: Kind::Choice(&["none", "consult", "vote"]),
    default: D::Word("consult"),
    meaning: "how domains coordinate: \"none\" (each lead decides alone), \"consult\" (leads of affected domains are consulted, see consent), \"vote\" (the domain's members vote)",
};
pub(crate) const CONSENT: Param = Param {
    key: "consent",
    kind: Kind::Choice(&["sum", "majority", "veto"]),
    default: D::Word("sum"),
    meaning: "consult: when a consulted change goes ahead: \"sum\" (the perceived changes of the deciding and consulted leads, each on its own domain, add up to a gain), \"majority\" (most of those leads perceive no harm), \"veto\" (no consulted lead perceives harm)",
};
pub(crate) const CONSULT_DELAY: Param = Param {
    key: "consult_delay",
    kind: Kind::Whole { min: 0, max: 1000 },
    default: D::Whole(1),
    meaning: "consult: steps a consulted change waits before taking effect",
};
pub(crate) const CONSULT_COST: Param = Param {
    key: "consult_cost",
    kind: Kind::Real {
        min: 0.0,
        max: 1000.0,
    },
    default: D::Real(0.5),
    meaning: "consult: review capacity a consultation takes from each consulted lead",
};
pub(crate) const POWER_SHARING: Param = Param {
    key: "power_sharing",
    kind: Kind::Real { min: 0.0, max: 1.0 },
    default: D::Real(1.0),
    meaning: "willingness of the formal leader to delegate: each proposal is escalated to the formal leader with probability 1 − power_sharing (who gets that share of review_capacity)",
};

/// How domains coordinate in the shared model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coordination {
    None,
    Consult,
    Vote,
}

impl Coordination {
    /// The coordination named `word` (a validated choice).
    pub fn parse(word: &str) -> Coordination {
        match word {
            "consult" => Coordination::Consult,
            "vote" => Coordination::Vote,
            _ => Coordination::None,
        }
    }
    /// Its name in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Coordination::None => "none",
            Coordination::Consult => "consult",
            Coordination::Vote => "vote",
        }
    }
}

/// When a consulted change goes ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consent {
    /// The perceived changes of the deciding and the consulted leads add up to a gain: their
    /// views together cover the change.
    Sum,
    /// A strict majority of the deciding and consulted leads perceive no harm.
    Majority,
    /// No consulted lead perceives harm (unanimity).
    Veto,
}

impl Consent {
    /// The rule named `word` (a validated choice).
    pub fn parse(word: &str) -> Consent {
        match word {
            "majority" => Consent::Majority,
            "veto" => Consent::Veto,
            _ => Consent::Sum,
        }
    }
    /// Its name in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Consent::Sum => "sum",
            Consent::Majority => "majority",
            Consent::Veto => "veto",
        }
    }

    /// Whether the change goes ahead, given the deciding lead's perceived change `own` (a
    /// gain: it wants to adopt) and the consulted leads' perceived changes with the weight the
    /// deciding lead gives each (its trust in them; 1 when trust is neutral or off).
    pub fn agrees(self, own: f64, others: impl Iterator<Item = (f64, f64)> + Clone) -> bool {
        match self {
            Consent::Sum => own + others.map(|(p, w)| w * p).sum::<f64>() > 0.0,
            Consent::Majority => {
                let (mut yes, mut all) = (if own >= 0.0 { 1.0 } else { 0.0 }, 1.0f64);
                for (p, w) in others {
                    if p >= 0.0 {
                        yes += w;
                    }
                    all += w;
                }
                2.0 * yes > all
            }
            Consent::Veto => others.clone().all(|(p, _)| p >= 0.0),
        }
    }
}

/// Parameters of the shared model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shared {
    pub common: Common,
    pub rotation: u32,
    pub selection: Selection,
    pub coordination: Coordination,
    pub consent: Consent,
    pub consult_delay: u32,
    pub consult_cost: f64,
    pub power_sharing: f64,
}

fn params() -> Vec<Param> {
    let mut p = Common::params();
    p.extend([
        election::ROTATION,
        election::SELECTION,
        COORDINATION,
        CONSENT,
        CONSULT_DELAY,
        CONSULT_COST,
        POWER_SHARING,
    ]);
    p
}

fn read(r: &mut Reader) -> Result<Arc<dyn ModelConfig>, InputError> {
    Ok(Arc::new(Shared {
        common: Common::read(r)?,
        rotation: r.whole(&election::ROTATION)? as u32,
        selection: Selection::parse(r.choice(&election::SELECTION)?),
        coordination: Coordination::parse(r.choice(&COORDINATION)?),
        consent: Consent::parse(r.choice(&CONSENT)?),
        consult_delay: r.whole(&CONSULT_DELAY)? as u32,
        consult_cost: r.real(&CONSULT_COST)?,
        power_sharing: r.real(&POWER_SHARING)?,
    }))
}

/// The shared model in the registry.
pub const TYPE: ModelType = ModelType {
    kind: "shared",
    summary: "Domain leads, elected by their peers for merit, decide in parallel on their own domain's proposals, each seeing only its domain's part of the landscape. Changes that spill over into other domains are coordinated by consulting the affected leads, by a vote of the domain's members, or not at all, and power_sharing below 1 sends a share of proposals to the formal leader instead.",
    odd: "Part I §7.5",
    params,
    read,
};

impl ModelConfig for Shared {
    fn kind(&self) -> &'static str {
        "shared"
    }
    fn build(&self, world: &World) -> Box<dyn LeadershipModel> {
        let total = self.common.review_capacity;
        let leads = self.power_sharing * total / world.org.domains as f64;
        Box::new(DomainLeads::new(
            *self,
            Routing::Shared,
            leads,
            (1.0 - self.power_sharing) * total,
            world,
        ))
    }
    fn describe(&self) -> Vec<(&'static str, String)> {
        let mut d = self.common.describe();
        d.extend([
            ("rotation", self.rotation.to_string()),
            ("selection", self.selection.name().to_string()),
            ("coordination", self.coordination.name().to_string()),
            ("consent", self.consent.name().to_string()),
            ("consult_delay", self.consult_delay.to_string()),
            ("consult_cost", self.consult_cost.to_string()),
            ("power_sharing", self.power_sharing.to_string()),
        ]);
        d
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

/// A consulted change waiting to take effect, and the lead who decided it.
#[derive(Debug, Clone, Copy)]
struct Pending {
    ready: u32,
    q: Queued,
    by: Slot,
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
    /// Desks of `lead_capacity` per domain and `authority_capacity` for the formal leader.
    pub(crate) fn new(
        params: Shared,
        routing: Routing,
        lead_capacity: f64,
        authority_capacity: f64,
        world: &World,
    ) -> DomainLeads {
        let search = params.common.search;
        let desks = (0..world.org.domains)
            .map(|d| Desk::new(None, world.domain_view(d), lead_capacity).searching(search))
            .collect();
        DomainLeads {
            params,
            routing,
            desks,
            lead_id: vec![u32::MAX; world.org.domains],
            authority: Desk::new(Some(0), world.whole_view(), authority_capacity).searching(search),
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

    /// Consults the leads of the domains the change of `q` spills into; `own` is the deciding
    /// lead's perceived change. Returns whether the change goes ahead; whoever the decision
    /// goes against is overruled. Trust enters twice (docs/ODD.md §7.2): a consulted lead gives
    /// a decider it trusts the benefit of the doubt, and the decider weighs a consulted lead's
    /// judgement by its trust in it; afterwards each learns from the other.
    fn consult(&mut self, world: &mut World, d: usize, q: &Queued, own: f64) -> bool {
        let Some(lead) = self.desks[d].holder else {
            return false;
        };
        let rule = world.behaviour.trust;
        let noise = world.behaviour.noise;
        let lead_id = world.org.id[lead];
        let mut bits = world.spillover_domains(&q.p, d);
        // (consulted lead, its perceived change after the benefit of the doubt, its weight)
        let mut judged = [(0usize, 0.0f64, 1.0f64); 64];
        let mut n = 0;
        while bits != 0 {
            let e = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            // A domain without a lead has nobody to object.
            let Some(h) = self.desks[e].holder else {
                continue;
            };
            world.send(2);
            self.desks[e].charge(world, self.params.consult_cost);
            let view = self.desks[e].view;
            world.judge_backlog = self.desks[e].ready(world.t) as u32;
            let h_id = world.org.id[h];
            let perceived = world.consulted(h, &q.p, view, self.params.consult_cost)
                + rule.benefit(world.org.trust.lead(h_id, lead_id), noise);
            let weight = rule.weight(world.org.trust.lead(lead_id, h_id));
            judged[n] = (h, perceived, weight);
            n += 1;
        }
        let judged = &judged[..n];
        let go = self
            .params
            .consent
            .agrees(own, judged.iter().map(|&(_, p, w)| (p, w)));
        let t = world.t;
        let flip = world.flips(&q.p);
        for &(h, p, _) in judged {
            let h_id = world.org.id[h];
            if go {
                if p < 0.0 {
                    world.overrule(h);
                    world.org.trust.lead_saw(h_id, lead_id, false, t);
                } else {
                    // A lead that let the change through learns from what it did to its domain.
                    let view = world.domain_view(world.org.domain[h] as usize);
                    let effect = world.land.delta_within(world.config, flip, view);
                    world.org.trust.lead_saw(h_id, lead_id, effect >= 0.0, t);
                }
            } else if p < 0.0 {
                world.org.trust.lead_saw(lead_id, h_id, false, t);
            }
        }
        if !go {
            world.overrule(lead);
        }
        let mu = world.behaviour.cognition.convergence;
        if mu > 0.0 && n > 0 {
            let mut who = [0usize; 65];
            who[0] = lead;
            for (i, &(h, ..)) in judged.iter().enumerate() {
                who[i + 1] = h;
            }
            world.org.converge(&who[..=n], flip, mu);
        }
        go
    }

    /// Fills domain `d`'s seat: the interim rule while its departed lead's slot stands vacant,
    /// an election when the seat is lost otherwise, when an interim ends or a term is over.
    fn seat_domain(&mut self, world: &World, d: usize, term_over: bool) {
        let t = world.t;
        let (holder, interim_until) = (self.desks[d].holder, self.desks[d].interim_until);
        let lost = match holder {
            None => true,
            Some(h) => !world.org.active[h] || world.org.id[h] != self.lead_id[d],
        };
        let elect = |me: &mut Self, incumbent: Option<Slot>| {
            let lead = election::elect(
                world,
                d,
                incumbent,
                me.params.selection,
                me.excluded(),
                &mut me.ballot,
            );
            me.desks[d].seat(lead);
            me.lead_id[d] = lead.map_or(u32::MAX, |s| world.org.id[s]);
        };
        if interim_until > 0 {
            if t >= interim_until {
                // The replacement has arrived: the domain chooses its lead again.
                elect(self, None);
            } else if lost && holder.is_some() {
                // The acting holder left too: the next one acts.
                self.interim(world, d, interim_until);
            }
            return;
        }
        if lost {
            match holder {
                Some(s) if world.org.is_vacant(s, t) => {
                    let until = world.org.vacant_until[s];
                    self.desks[d].holder = Some(s);
                    self.interim(world, d, until);
                }
                _ => elect(self, None),
            }
        } else if term_over {
            elect(self, self.desks[d].holder);
        }
    }

    /// Starts (or continues) the interim of domain `d`'s seat until step `until`; the seat's
    /// holder is the departed lead (or the acting holder who left).
    fn interim(&mut self, world: &World, d: usize, until: u32) {
        let common = self.params.common;
        let departed = self.desks[d].holder;
        let excluded = self.excluded();
        let org = &world.org;
        let in_domain = |s: Slot| org.domain[s] as usize == d && Some(s) != excluded;
        let acting = match common.interim {
            Interim::None => None,
            Interim::Deputy => match departed {
                Some(s) => org.deputy(s, &org.domain_members[d], in_domain),
                None => None,
            },
            Interim::Election => {
                election::elect(world, d, None, Selection::Merit, excluded, &mut self.ballot)
            }
        };
        let desk = &mut self.desks[d];
        desk.holder = acting;
        desk.factor = if common.interim == Interim::Deputy {
            common.deputy_capacity
        } else {
            1.0
        };
        desk.interim_until = until;
        self.lead_id[d] = acting.map_or(u32::MAX, |s| world.org.id[s]);
    }
}

impl LeadershipModel for DomainLeads {
    fn begin_step(&mut self, world: &mut World) {
        let t = world.t;
        let term_over =
            self.params.rotation > 0 && t > 1 && (t - 1).is_multiple_of(self.params.rotation);
        for d in 0..self.desks.len() {
            self.seat_domain(world, d, term_over);
        }
        // An acting formal leader or coordinator is not one of the domain leads (who decide:
        // a lead's seat without capacity is no seat).
        let desks = &self.desks;
        seat_formal_leader(
            &mut self.authority,
            world,
            &self.params.common,
            |s| {
                !desks
                    .iter()
                    .any(|d| d.capacity > 0.0 && d.holder == Some(s))
            },
            &mut self.ballot,
        );
    }

    fn submit(&mut self, p: Proposal, world: &mut World) {
        let proposer = p.proposer as usize;
        let d = p.home as usize;
        let delay = self.params.common.delay;
        let upward = p.route < 1.0 - self.params.power_sharing
            || (self.routing == Routing::Hybrid && world.spillover_domains(&p, d) != 0);
        // A desk without capacity decides nothing: a proposal goes to the other one instead of
        // waiting there to expire (docs/ODD.md §7.5), unless neither has any.
        let (up_can, lead_can) = (self.authority.capacity > 0.0, self.desks[d].capacity > 0.0);
        let escalate = if upward {
            up_can || !lead_can
        } else {
            !lead_can && up_can
        };
        if escalate {
            let hops = hops_to_root(world, proposer);
            world.send(hops);
            self.authority.push(p, world.arrival(hops, delay), hops);
        } else {
            let hops = u32::from(self.desks[d].holder != Some(proposer));
            world.send(hops);
            self.desks[d].push(p, world.arrival(hops, delay), hops);
        }
    }

    fn decide(&mut self, world: &mut World) {
        let expiry = world.expiry(self.params.common.expiry);
        if self.uses_authority() {
            self.authority.expire(world, expiry);
            self.authority.refill(world);
            let view = self.authority.view;
            while let Some(q) = self.authority.next(world) {
                let holder = self.authority.holder.unwrap_or(0);
                settle_one(world, holder, view, &q);
            }
            self.authority.settle();
        }
        let coordination = self.coordination(world);
        for d in 0..self.desks.len() {
            self.desks[d].expire(world, expiry);
            self.desks[d].refill(world);
            let view = self.desks[d].view;
            while let Some(q) = self.desks[d].next(world) {
                let holder = self.desks[d].holder.unwrap_or(0);
                if self.routing == Routing::Hybrid
                    && self.authority.capacity > 0.0
                    && world.spillover_domains(&q.p, d) != 0
                {
                    // A lead's own alternative that spills over is the coordinator's to judge,
                    // as a member's proposal would be.
                    let hops = hops_to_root(world, holder);
                    world.send(hops);
                    let arrival = world.arrival(hops, self.params.common.delay);
                    self.authority.push(q.p, arrival, hops);
                    continue;
                }
                let by = (coordination != Coordination::Vote).then_some(holder);
                let verdict = match coordination {
                    Coordination::Vote => world.vote(d, &q.p),
                    Coordination::None => world.review(holder, &q.p, view),
                    Coordination::Consult => {
                        if world.flips(&q.p) == 0 {
                            Verdict::Moot
                        } else {
                            let own = world.judge(holder, &q.p, view);
                            if own <= 0.0 {
                                Verdict::Reject
                            } else if world.spillover_domains(&q.p, d) == 0 {
                                Verdict::Adopt
                            } else if self.consult(world, d, &q, own) {
                                self.pending.push(Pending {
                                    ready: world.t + self.params.consult_delay,
                                    q,
                                    by: holder,
                                });
                                continue;
                            } else {
                                Verdict::Reject
                            }
                        }
                    }
                };
                match verdict {
                    Verdict::Adopt => world.adopt(&q.p, q.hops, by),
                    Verdict::Reject => world.reject(&q.p, q.hops, by),
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
                world.adopt(&pending.q.p, pending.q.hops, Some(pending.by));
            } else {
                i += 1;
            }
        }
    }

    fn each_desk(&self, f: &mut dyn FnMut(&Desk)) {
        if self.uses_authority() {
            f(&self.authority);
        }
        for d in &self.desks {
            f(d);
        }
    }

    fn drain(&mut self, out: &mut Vec<Proposal>) {
        self.authority.drain(out);
        for d in &mut self.desks {
            d.drain(out);
        }
        out.extend(self.pending.drain(..).map(|p| p.q.p));
    }

    fn members_propose(&self) -> bool {
        self.params.common.search != Search::Leaders
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::landscape::Config;
    use crate::leadership::testing::*;

    fn shared(coordination: Coordination) -> Shared {
        Shared {
            common: common(8.0, 50),
            rotation: 0,
            selection: Selection::Merit,
            coordination,
            consent: Consent::Veto,
            consult_delay: 1,
            consult_cost: 0.5,
            power_sharing: 1.0,
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
        let leads = m.leaders();
        assert_eq!(leads.len(), 4);
        let domains: std::collections::BTreeSet<u16> =
            leads.iter().map(|&s| w.org.domain[s]).collect();
        assert_eq!(domains.len(), 4, "one lead per domain");
        assert_eq!((0..20).filter(|&s| m.holds_desk(s)).count(), 4);
        let mut capacity = 0.0;
        m.each_desk(&mut |d| capacity += d.capacity);
        assert_eq!(capacity, 8.0, "the leads share the model's review capacity");
    }

    #[test]
    fn domains_keep_deciding_when_one_lead_is_gone() {
        let mut w = world(20, 4, 8, 0, 0.0);
        let mut m = shared(Coordination::None).build(&w);
        w.begin_step(1);
        m.begin_step(&mut w);
        let lead1 = m
            .leaders()
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
            w.org.vacate(s as usize, 0);
        }
        assert!(!w.org.active[lead1]);
        step(&mut m, &mut w, 2);
        let adopted = w.tally.adoptions;
        assert!(adopted >= 1, "other domains still decide");
        assert!(m.leaders().iter().all(|&s| w.org.domain[s] != 1));
    }

    /// Configurations and changes to domain 0's decisions that help domain 0 and hurt domain 1
    /// (K = N − 1: every change spills over): one whose net effect is a gain and one whose net
    /// effect is a loss, as `(configuration, decision, gain, harm)`.
    fn contested(w: &World) -> [(Config, usize, f64, f64); 2] {
        let (v0, v1) = (w.domain_view(0), w.domain_view(1));
        let find = |net_gain: bool| {
            (0..64u64)
                .flat_map(|c| (0..3).map(move |j| (Config(c), j)))
                .find_map(|(c, j)| {
                    let gain = w.land.delta_within(c, 1 << j, v0);
                    let harm = w.land.delta_within(c, 1 << j, v1);
                    (gain > 0.0 && harm < 0.0 && (gain + harm > 0.0) == net_gain)
                        .then_some((c, j, gain, harm))
                })
                .expect("the test landscape has contested changes of both signs")
        };
        [find(true), find(false)]
    }

    #[test]
    fn consultation_decides_by_the_consent_rule_and_the_overruled_dispute() {
        let w0 = world(8, 2, 6, 5, 0.0);
        for (config, j, gain, harm) in contested(&w0) {
            for consent in [Consent::Veto, Consent::Sum, Consent::Majority] {
                let mut w = world(8, 2, 6, 5, 0.0);
                w.config = config;
                let mut cfg = shared(Coordination::Consult);
                cfg.consent = consent;
                let mut m = cfg.build(&w);
                w.begin_step(1);
                m.begin_step(&mut w);
                let lead = |w: &World, m: &dyn LeadershipModel, d: u16| {
                    m.leaders()
                        .into_iter()
                        .find(|&s| w.org.domain[s] == d)
                        .unwrap()
                };
                let (lead0, lead1) = (lead(&w, m.as_ref(), 0), lead(&w, m.as_ref(), 1));
                m.submit(flip(&w, lead0, j), &mut w);
                step(&mut m, &mut w, 1);
                let disputes = w.tally.disputes;
                let overruled = (w.feedback[lead0].overruled, w.feedback[lead1].overruled);
                let heard = w.feedback[lead1].heard;
                step(&mut m, &mut w, 2);
                let adopted = w.tally.adoptions == 1;
                // Sum: the change goes ahead when domain 0's gain outweighs domain 1's harm.
                // Majority: one for, one against of two is no majority. Veto: one objection
                // blocks.
                let want = consent == Consent::Sum && gain + harm > 0.0;
                assert_eq!(adopted, want, "{consent:?}, net {}", gain + harm);
                assert_eq!(disputes, 1, "{consent:?}: one side is overruled");
                assert_eq!(overruled, if want { (0, 1) } else { (1, 0) }, "{consent:?}");
                assert!(heard, "the consulted lead was heard");
            }
        }
        // Without coordination the change goes through, unseen by domain 1, and nobody
        // disputes it.
        let (config, j, ..) = contested(&w0)[1];
        let mut w2 = world(8, 2, 6, 5, 0.0);
        w2.config = config;
        let mut m2 = shared(Coordination::None).build(&w2);
        w2.begin_step(1);
        m2.begin_step(&mut w2);
        let lead0 = m2
            .leaders()
            .into_iter()
            .find(|&s| w2.org.domain[s] == 0)
            .unwrap();
        m2.submit(flip(&w2, lead0, j), &mut w2);
        m2.decide(&mut w2);
        assert_eq!(w2.tally.adoptions, 1);
        assert_eq!(w2.tally.harmful_adoptions, 1);
        assert_eq!(w2.tally.disputes, 0);
    }

    #[test]
    fn consent_rules() {
        fn others(v: &[f64]) -> impl Iterator<Item = (f64, f64)> + Clone + '_ {
            v.iter().map(|&p| (p, 1.0))
        }
        assert!(Consent::Sum.agrees(0.3, others(&[-0.1, -0.1])));
        assert!(!Consent::Sum.agrees(0.1, others(&[-0.1, 0.0])));
        assert!(Consent::Majority.agrees(0.1, others(&[-0.5, 0.0])));
        assert!(!Consent::Majority.agrees(0.1, others(&[-0.5, -0.1])));
        assert!(
            !Consent::Majority.agrees(0.1, others(&[-0.5])),
            "1 of 2 is no majority"
        );
        assert!(Consent::Veto.agrees(0.1, others(&[0.0, 0.2])));
        assert!(!Consent::Veto.agrees(0.9, others(&[0.2, -0.01])));
        assert!(Consent::Veto.agrees(0.1, others(&[])), "nobody to object");
        // Weights (trust): a distrusted objector counts for less, a trusted one for more.
        assert!(!Consent::Sum.agrees(0.1, [(-0.15, 1.0)].into_iter()));
        assert!(Consent::Sum.agrees(0.1, [(-0.15, 0.2)].into_iter()));
        assert!(Consent::Majority.agrees(0.1, [(-0.5, 0.5)].into_iter()));
        assert!(
            !Consent::Veto.agrees(0.1, [(-0.15, 0.01)].into_iter()),
            "a veto is a veto"
        );
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
        // Escalated up three levels to the formal leader, who has all the capacity: the leads
        // hold seats with none, decide nothing and are no leaders.
        assert_eq!(w.tally.messages, 3);
        assert_eq!(m.leaders(), vec![0]);
        for t in 1..=3 {
            step(&mut m, &mut w, t);
            assert_eq!(w.tally.reviews, 0);
        }
        step(&mut m, &mut w, 4);
        assert_eq!(w.reviews[0], 1, "the formal leader reviewed it");
    }

    #[test]
    fn a_departed_lead_seat_is_held_as_the_interim_rule_says() {
        for interim in [Interim::None, Interim::Deputy, Interim::Election] {
            let mut w = world(20, 4, 8, 2, 0.0);
            let mut cfg = shared(Coordination::None);
            cfg.common.interim = interim;
            let mut m = cfg.build(&w);
            w.begin_step(1);
            m.begin_step(&mut w);
            let lead2 = m
                .leaders()
                .into_iter()
                .find(|&s| w.org.domain[s] == 2)
                .unwrap();
            w.org.vacate(lead2, 10);
            w.begin_step(2);
            m.begin_step(&mut w);
            let mut seat = None;
            m.each_desk(&mut |d| {
                if d.view == w.domain_view(2) {
                    seat = Some((d.holder, d.factor));
                }
            });
            let (holder, factor) = seat.unwrap();
            match interim {
                Interim::None => assert_eq!(holder, None, "empty for the vacancy"),
                Interim::Deputy => {
                    assert_eq!(factor, 0.5);
                    assert_eq!(w.org.domain[holder.unwrap()], 2);
                }
                Interim::Election => assert_eq!(factor, 1.0),
            }
            assert_ne!(holder, Some(lead2));
            // The replacement arrives: the domain elects its lead, at full capacity.
            w.org.replace(
                lead2,
                10,
                &w.org_spec.clone(),
                crate::org::Hire::Experienced,
            );
            w.begin_step(10);
            m.begin_step(&mut w);
            m.each_desk(&mut |d| {
                if d.view == w.domain_view(2) {
                    seat = Some((d.holder, d.factor));
                }
            });
            assert!(
                seat.unwrap().0.is_some() && seat.unwrap().1 == 1.0,
                "{interim:?}"
            );
        }
    }
}
