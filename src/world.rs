//! The state of one run that the step and the leadership models share: the landscape and the
//! organization's current configuration, the members, this step's tallies and the decision
//! primitives every leadership model uses (evaluate, review, vote, adopt, reject, expire).
//!
//! The primitives are here, not in the models, so that every model evaluates, adopts and counts
//! in exactly the same way, and every gain a member gets comes from what it did or experienced
//! (a decision made, a proposal decided, a consultation, a vote), never from a seat: models
//! differ only in who decides, seeing what, with what capacity and delay (docs/ODD.md §7.3).

use crate::behaviour::{self, BehaviourParams, Feedback};
use crate::landscape::{Config, Landscape};
use crate::org::{OrgSpec, Organization, Slot};
use crate::rng;
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
    /// Adoptions that lifted performance above its best since the landscape last changed.
    pub innovations: u32,
    /// Adoptions that raised true fitness.
    pub improvements: u32,
    /// Adoptions that undid part of a change adopted within the reversal window.
    pub reversals: u32,
    pub radical_adoptions: u32,
    /// Adoptions that lowered true fitness.
    pub harmful_adoptions: u32,
    /// Times someone was overruled: a consulted lead's objection overridden, a lead's adoption
    /// blocked by a consulted lead, a voter in the minority.
    pub disputes: u32,
    pub expired: u32,
    pub messages: u64,
    pub reviews: u32,
    /// Review capacity the occupied desks had this step (the denominator of utilization).
    pub capacity: f64,
    /// Review capacity spent this step: one per review, a consultation's cost.
    pub spent: f64,
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
#[derive(Debug, Clone)]
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
    /// Key of the evaluation noise ([`rng::keyed_normal`]), from the world seed: the same
    /// judgement meets the same noise under every model.
    noise_key: u64,
    /// The best performance since the landscape last changed (innovations beat it).
    record: f64,
    /// Per decision: the step an adoption last changed it (`u32::MAX`: never).
    last_flip: [u32; 64],
    /// An adoption changing a decision adopted fewer than this many steps ago is a reversal.
    reversal_window: u32,
    /// Configurations adopted so far (only their number is reported).
    seen: HashSet<u64>,
}

impl World {
    /// A world at step 0. `noise_key` keys the evaluation noise; an adoption that changes a
    /// decision adopted fewer than `reversal_window` steps before is a reversal.
    pub fn new(
        land: Landscape,
        config: Config,
        org: Organization,
        org_spec: OrgSpec,
        behaviour: BehaviourParams,
        noise_key: u64,
        reversal_window: u32,
    ) -> World {
        let slots = org.slots();
        let mut seen = HashSet::with_capacity(1024);
        seen.insert(config.0);
        let record = land.performance(config);
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
            noise_key,
            record,
            last_flip: [u32::MAX; 64],
            reversal_window,
            seen,
        }
    }

    /// The landscape changed (a shock, turbulence, drift): innovations are judged against the
    /// best performance from here on.
    pub fn landscape_changed(&mut self) {
        self.record = self.land.performance(self.config);
    }

    /// The best performance since the landscape last changed.
    pub fn record(&self) -> f64 {
        self.record
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

    /// Reviews per step of `holder` at a desk of base capacity `base` (before an acting
    /// holder's reduction).
    #[inline]
    pub fn capacity(&self, holder: Slot, base: f64) -> f64 {
        behaviour::capacity(&self.behaviour, base, self.org.skill[holder])
            * self.conditions.capacity_factor
    }

    /// How `evaluator` perceives the change `p` would make to the loci in `view`: the true
    /// change there plus Normal(0, noise · (1 − mean expertise on the decisions changed)). The
    /// noise is keyed by the evaluator (member id), the proposal (proposer, step made, decisions)
    /// and the step, so every model meets the same noise for the same judgement.
    pub fn perceive(&mut self, evaluator: Slot, p: &Proposal, view: u64) -> f64 {
        let flip = self.flips(p);
        let sigma = self.behaviour.noise * (1.0 - self.org.mean_expertise(evaluator, flip));
        let z = if sigma > 0.0 {
            rng::keyed_normal(
                self.noise_key,
                &[
                    u64::from(self.org.id[evaluator]),
                    u64::from(p.proposer_id),
                    u64::from(p.created),
                    p.mask,
                    u64::from(self.t),
                ],
            )
        } else {
            0.0
        };
        self.land.delta_within(self.config, flip, view) + sigma * z
    }

    /// `holder` reviews `p` seeing the loci in `view`; counts the review and the reviewer's
    /// learning by doing. Adopts only what it perceives as an improvement.
    pub fn review(&mut self, holder: Slot, p: &Proposal, view: u64) -> Verdict {
        if self.flips(p) == 0 {
            return Verdict::Moot;
        }
        if self.judge(holder, p, view) > 0.0 {
            Verdict::Adopt
        } else {
            Verdict::Reject
        }
    }

    /// `holder`'s judgement of `p` on the loci in `view` (its perceived change), counted as a
    /// decision it made (a review, or a consultation answered).
    pub fn judge(&mut self, holder: Slot, p: &Proposal, view: u64) -> f64 {
        let flip = self.flips(p);
        let perceived = self.perceive(holder, p, view);
        self.count_review(holder, flip);
        perceived
    }

    /// A consulted lead's judgement of `p` on its loci `view`: being consulted is voice heard,
    /// and answering is a decision made.
    pub fn consulted(&mut self, holder: Slot, p: &Proposal, view: u64) -> f64 {
        self.feedback[holder].heard = true;
        self.judge(holder, p, view)
    }

    fn count_review(&mut self, holder: Slot, flip: u64) {
        self.tally.reviews += 1;
        self.reviews[holder] = self.reviews[holder].saturating_add(1);
        self.org.decided[holder] += 1;
        self.org.last_decided[holder] = self.t;
        self.org
            .practise(holder, flip, self.behaviour.review_practice);
    }

    /// `slot` was overruled in a dispute.
    pub fn overrule(&mut self, slot: Slot) {
        self.tally.disputes += 1;
        let f = &mut self.feedback[slot];
        f.overruled = f.overruled.saturating_add(1);
    }

    /// The active members of domain `d` vote on `p`, each judging the domain's loci with its own
    /// expertise; adopted on a strict majority. Costs two messages per voter. Every voter is
    /// heard; the voters on the losing side are overruled.
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
            self.feedback[s].heard = true;
        }
        self.tally.messages += 2 * voters as u64;
        if voters == 0 {
            return Verdict::Reject;
        }
        self.tally.reviews += 1;
        let adopt = 2 * yes > voters;
        // The minority is overruled: judged again with the same keyed noise, so each voter's
        // side is the one it voted.
        for i in 0..self.org.domain_members[d].len() {
            let s = self.org.domain_members[d][i] as usize;
            if self.org.active[s] && (self.perceive(s, p, view) > 0.0) != adopt {
                self.overrule(s);
            }
        }
        if adopt {
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

    /// Puts `p` into effect and counts it: an improvement if it raised true fitness, harmful if
    /// it lowered it, an innovation if it lifted performance above its best since the landscape
    /// last changed, a reversal if it changed back a decision adopted within the reversal
    /// window. `feedback_hops` messages carry the decision back to the proposer.
    pub fn adopt(&mut self, p: &Proposal, feedback_hops: u32) {
        let flip = self.flips(p);
        if flip == 0 {
            return;
        }
        let delta = self.land.delta(self.config, flip);
        self.config = self.config.flipped(flip);
        self.tally.adoptions += 1;
        if delta > 0.0 {
            self.tally.improvements += 1;
        } else if delta < 0.0 {
            self.tally.harmful_adoptions += 1;
        }
        let performance = self.land.performance(self.config);
        if performance > self.record {
            self.tally.innovations += 1;
            self.record = performance;
        }
        let t = self.t;
        let mut bits = flip;
        let mut reversal = false;
        while bits != 0 {
            let j = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            let last = self.last_flip[j];
            reversal |= last != u32::MAX && t - last < self.reversal_window;
            self.last_flip[j] = t;
        }
        if reversal {
            self.tally.reversals += 1;
        }
        if p.radical {
            self.tally.radical_adoptions += 1;
        }
        self.seen.insert(self.config.0);
        self.close(p, feedback_hops);
        if self.same_member(p) {
            let f = &mut self.feedback[p.proposer as usize];
            f.adopted = f.adopted.saturating_add(1);
            f.heard = true;
        }
    }

    /// Turns `p` down and tells the proposer (whose voice was heard, if not followed).
    pub fn reject(&mut self, p: &Proposal, feedback_hops: u32) {
        self.close(p, feedback_hops);
        if self.same_member(p) {
            let f = &mut self.feedback[p.proposer as usize];
            f.rejected = f.rejected.saturating_add(1);
            f.heard = true;
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
