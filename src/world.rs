//! The state of one run that the step and the leadership models share: the landscape and the
//! organization's current configuration, the members, this step's tallies and the decision
//! primitives every leadership model uses (evaluate, review, vote, adopt, reject, expire).
//!
//! The primitives are here, not in the models, so that every model evaluates, adopts and counts
//! in exactly the same way: models differ only in who decides, seeing what, with what capacity
//! and delay (SPEC §2.3).

use crate::behaviour::{self, BehaviourParams, Feedback};
use crate::landscape::{Config, Landscape};
use crate::org::{OrgSpec, Organization, Slot};
use crate::rng::{self, SimRng};
use std::collections::HashSet;

/// A proposal in the decision system: set the decisions in `mask` to the bits of `values`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Proposal {
    pub mask: u64,
    pub values: u64,
    /// Slot of the member who proposed it.
    pub proposer: u32,
    /// Member id of the proposer (a replaced member gets no feedback).
    pub proposer_id: u32,
    /// Step at which it was proposed.
    pub created: u32,
    /// Domain whose decisions it mostly changes (ties: the proposer's, else the lowest).
    pub home: u16,
    pub radical: bool,
    /// A uniform draw, aligned across models, that models use to route it (power sharing).
    pub route: f64,
}

/// Counts of one step, reset at its start.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tally {
    pub proposals: u32,
    pub adoptions: u32,
    pub innovations: u32,
    pub radical_adoptions: u32,
    pub conflicts: u32,
    pub expired: u32,
    pub messages: u64,
    pub reviews: u32,
    pub latency_sum: u64,
    pub latency_count: u32,
    pub departures: u32,
}

/// Temporary conditions set by events (crises, team decisions).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Conditions {
    /// Review capacity is multiplied by this (a crisis lowers it).
    pub capacity_factor: f64,
    /// A decision deadline: proposals older than this many steps expire (overrides a model's
    /// longer expiry).
    pub deadline: Option<u32>,
    /// Team decisions: domain proposals are decided by a vote of the domain's members.
    pub team_decisions: bool,
    /// Extra steps every proposal takes to reach a desk (disrupted communication).
    pub extra_delay: u32,
}

impl Default for Conditions {
    fn default() -> Self {
        Conditions {
            capacity_factor: 1.0,
            deadline: None,
            team_decisions: false,
            extra_delay: 0,
        }
    }
}

/// What a review concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The proposal would change nothing any more (already in place).
    Moot,
    Adopt,
    Reject,
}

/// The shared state of one run.
#[derive(Debug)]
pub struct World {
    /// The current step (0 before the first).
    pub t: u32,
    pub land: Landscape,
    pub config: Config,
    pub org: Organization,
    pub org_spec: OrgSpec,
    pub behaviour: BehaviourParams,
    pub conditions: Conditions,
    pub tally: Tally,
    /// Per slot: what happened to the member this step.
    pub feedback: Vec<Feedback>,
    /// Per slot: reviews made this step.
    pub reviews: Vec<u16>,
    /// Per slot: votes cast this step.
    pub votes: Vec<u16>,
    /// Per slot: proposals submitted this step.
    pub proposals: Vec<u16>,
    /// The leadership model's own stream (evaluation noise of decision makers).
    pub rng: SimRng,
    /// Configurations adopted so far (only their number is reported).
    seen: HashSet<u64>,
}

impl World {
    /// A world at step 0.
    pub fn new(
        land: Landscape,
        config: Config,
        org: Organization,
        org_spec: OrgSpec,
        behaviour: BehaviourParams,
        rng: SimRng,
    ) -> World {
        let slots = org.slots();
        let mut seen = HashSet::with_capacity(1024);
        seen.insert(config.0);
        World {
            t: 0,
            land,
            config,
            org,
            org_spec,
            behaviour,
            conditions: Conditions::default(),
            tally: Tally::default(),
            feedback: vec![Feedback::default(); slots],
            reviews: vec![0; slots],
            votes: vec![0; slots],
            proposals: vec![0; slots],
            rng,
            seen,
        }
    }

    /// Number of distinct configurations the organization has held (including the first).
    pub fn distinct_configs(&self) -> usize {
        self.seen.len()
    }

    /// Clears the per-step tallies (and sizes them to the current number of slots).
    pub fn begin_step(&mut self, t: u32) {
        self.t = t;
        self.tally = Tally::default();
        self.clear_slots();
    }

    /// Sizes the per-slot tallies to the current number of slots (after growth), keeping
    /// what this step has recorded so far.
    pub fn fit_slots(&mut self) {
        let slots = self.org.slots();
        self.feedback.resize(slots, Feedback::default());
        self.reviews.resize(slots, 0);
        self.votes.resize(slots, 0);
        self.proposals.resize(slots, 0);
    }

    fn clear_slots(&mut self) {
        let slots = self.org.slots();
        self.feedback.clear();
        self.feedback.resize(slots, Feedback::default());
        self.reviews.clear();
        self.reviews.resize(slots, 0);
        self.votes.clear();
        self.votes.resize(slots, 0);
        self.proposals.clear();
        self.proposals.resize(slots, 0);
    }

    /// The domain a change of `flip` mostly falls in (ties: `own` if among the tied, else the
    /// lowest).
    pub fn home_domain(&self, flip: u64, own: u16) -> u16 {
        let mut best = own;
        let mut best_count = (flip & self.org.domain_decisions[own as usize]).count_ones();
        for (d, &mask) in self.org.domain_decisions.iter().enumerate() {
            let c = (flip & mask).count_ones();
            if c > best_count {
                best = d as u16;
                best_count = c;
            }
        }
        best
    }

    /// The loci (= decisions) of domain `d`.
    #[inline]
    pub fn domain_view(&self, d: usize) -> u64 {
        self.org.domain_decisions[d]
    }

    /// Every locus.
    #[inline]
    pub fn whole_view(&self) -> u64 {
        crate::landscape::low_mask(self.land.n())
    }

    /// The decisions `p` would change now.
    #[inline]
    pub fn flips(&self, p: &Proposal) -> u64 {
        (self.config.0 ^ p.values) & p.mask
    }

    /// The domains, other than `home`, whose loci the change of `p` affects (bit set).
    pub fn spillover_domains(&self, p: &Proposal, home: usize) -> u64 {
        let affected = self.land.affected(self.flips(p));
        let mut out = 0u64;
        for (d, &mask) in self.org.domain_decisions.iter().enumerate() {
            if d != home && affected & mask != 0 {
                out |= 1 << d;
            }
        }
        out
    }

    /// The step at which a proposal sent now over `hops` hops of `delay` steps arrives.
    #[inline]
    pub fn arrival(&self, hops: u32, delay: u32) -> u32 {
        let extra = if hops > 0 {
            self.conditions.extra_delay
        } else {
            0
        };
        self.t + hops * delay + extra
    }

    /// Steps after which a proposal expires: the model's `expiry`, or a shorter crisis deadline.
    #[inline]
    pub fn expiry(&self, expiry: u32) -> u32 {
        self.conditions.deadline.map_or(expiry, |d| d.min(expiry))
    }

    /// Reviews per step of `holder` at a desk of base capacity `base`.
    #[inline]
    pub fn capacity(&self, holder: Slot, base: f64) -> f64 {
        behaviour::capacity(&self.behaviour, base, self.org.skill[holder])
            * self.conditions.capacity_factor
    }

    /// How `evaluator` perceives the change `p` would make to the loci in `view`: the true
    /// change there plus Normal(0, noise · (1 − mean expertise on the decisions changed)).
    pub fn perceive(&mut self, evaluator: Slot, p: &Proposal, view: u64) -> f64 {
        let flip = self.flips(p);
        let sigma = self.behaviour.noise * (1.0 - self.org.mean_expertise(evaluator, flip));
        let z = rng::normal(&mut self.rng);
        self.land.delta_within(self.config, flip, view) + sigma * z
    }

    /// `holder` reviews `p` seeing the loci in `view`; counts the review and the reviewer's
    /// learning by doing. Adopts only what it perceives as an improvement.
    pub fn review(&mut self, holder: Slot, p: &Proposal, view: u64) -> Verdict {
        let flip = self.flips(p);
        if flip == 0 {
            return Verdict::Moot;
        }
        let perceived = self.perceive(holder, p, view);
        self.count_review(holder, flip);
        if perceived > 0.0 {
            Verdict::Adopt
        } else {
            Verdict::Reject
        }
    }

    /// A consulted lead's judgement: consents unless it perceives harm to the loci in `view`.
    /// Counts as a review (the consulted lead learns by deciding).
    pub fn consent(&mut self, holder: Slot, p: &Proposal, view: u64) -> bool {
        let flip = self.flips(p);
        if flip == 0 {
            return true;
        }
        let perceived = self.perceive(holder, p, view);
        self.count_review(holder, flip);
        perceived >= 0.0
    }

    fn count_review(&mut self, holder: Slot, flip: u64) {
        self.tally.reviews += 1;
        self.reviews[holder] = self.reviews[holder].saturating_add(1);
        self.org.decided[holder] += 1;
        self.org
            .practise(holder, flip, self.behaviour.review_practice);
    }

    /// The active members of domain `d` vote on `p`, each judging the domain's loci with its own
    /// expertise; adopted on a strict majority. Costs two messages per voter.
    pub fn vote(&mut self, d: usize, p: &Proposal) -> Verdict {
        let flip = self.flips(p);
        if flip == 0 {
            return Verdict::Moot;
        }
        let view = self.domain_view(d);
        let (mut yes, mut voters) = (0u32, 0u32);
        for i in 0..self.org.domain_members[d].len() {
            let s = self.org.domain_members[d][i] as usize;
            if !self.org.active[s] {
                continue;
            }
            voters += 1;
            if self.perceive(s, p, view) > 0.0 {
                yes += 1;
            }
            self.votes[s] = self.votes[s].saturating_add(1);
            self.org.decided[s] += 1;
            self.feedback[s].voice = true;
        }
        self.tally.messages += 2 * voters as u64;
        if voters == 0 {
            return Verdict::Reject;
        }
        self.tally.reviews += 1;
        if 2 * yes > voters {
            Verdict::Adopt
        } else {
            Verdict::Reject
        }
    }

    fn close(&mut self, p: &Proposal, feedback_hops: u32) {
        self.tally.latency_sum += (self.t - p.created) as u64;
        self.tally.latency_count += 1;
        self.tally.messages += feedback_hops as u64;
    }

    #[inline]
    fn same_member(&self, p: &Proposal) -> bool {
        let s = p.proposer as usize;
        s < self.org.slots() && self.org.id[s] == p.proposer_id && self.org.active[s]
    }

    /// Puts `p` into effect and counts it: an innovation if it raised true fitness, a conflict
    /// if it lowered it. `feedback_hops` messages carry the decision back to the proposer.
    pub fn adopt(&mut self, p: &Proposal, feedback_hops: u32) {
        let flip = self.flips(p);
        if flip == 0 {
            return;
        }
        let delta = self.land.delta(self.config, flip);
        self.config = self.config.flipped(flip);
        self.tally.adoptions += 1;
        if delta > 0.0 {
            self.tally.innovations += 1;
        } else if delta < 0.0 {
            self.tally.conflicts += 1;
        }
        if p.radical {
            self.tally.radical_adoptions += 1;
        }
        self.seen.insert(self.config.0);
        self.close(p, feedback_hops);
        if self.same_member(p) {
            let f = &mut self.feedback[p.proposer as usize];
            f.adopted = f.adopted.saturating_add(1);
        }
    }

    /// Turns `p` down and tells the proposer.
    pub fn reject(&mut self, p: &Proposal, feedback_hops: u32) {
        self.close(p, feedback_hops);
        if self.same_member(p) {
            let f = &mut self.feedback[p.proposer as usize];
            f.rejected = f.rejected.saturating_add(1);
        }
    }

    /// `p` died unreviewed.
    pub fn expire(&mut self, p: &Proposal) {
        self.tally.expired += 1;
        if self.same_member(p) {
            let f = &mut self.feedback[p.proposer as usize];
            f.expired = f.expired.saturating_add(1);
        }
    }

    /// Counts messages (a proposal travelling, a consultation).
    #[inline]
    pub fn send(&mut self, messages: u32) {
        self.tally.messages += messages as u64;
    }
}
