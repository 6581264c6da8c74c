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
    /// The decisions it changes, one bit per decision (bit j: decision j).
    pub mask: u64,
    /// The values it sets them to (bits outside `mask` are ignored).
    pub values: u64,
    /// Slot of the member who proposed it.
    pub proposer: u32,
    /// Member id of the proposer (a replaced member gets no feedback).
    pub proposer_id: u32,
    /// Step at which it was proposed.
    pub created: u32,
    /// Domain whose decisions it mostly changes (ties: the proposer's, else the lowest).
    pub home: u16,
    /// Whether it is a radical proposal (several decisions at once, docs/ODD.md §7.2).
    pub radical: bool,
    /// A uniform draw, aligned across models, that models use to route it (power sharing).
    pub route: f64,
}

/// Counts of one step, reset at its start.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tally {
    /// Proposals members submitted this step (after screening).
    pub proposals: u32,
    /// Proposals adopted this step.
    pub adoptions: u32,
    /// Adoptions that lifted performance above its best since the landscape last changed.
    pub innovations: u32,
    /// Adoptions that raised true fitness.
    pub improvements: u32,
    /// Adoptions that undid part of a change adopted within the reversal window.
    pub reversals: u32,
    /// Adoptions of radical proposals.
    pub radical_adoptions: u32,
    /// Adoptions that lowered true fitness.
    pub harmful_adoptions: u32,
    /// Times someone was overruled: a consulted lead's objection overridden, a lead's adoption
    /// blocked by a consulted lead, a voter in the minority.
    pub disputes: u32,
    /// Proposals that expired unreviewed (past the model's expiry or a crisis deadline).
    pub expired: u32,
    /// Messages sent: each hop of a proposal to a desk and of the decision back, consultations,
    /// two per voter (docs/ODD.md §7.7, Costs).
    pub messages: u64,
    /// Reviews made (consultations answered included).
    pub reviews: u32,
    /// Review capacity the occupied desks had this step (the denominator of utilization).
    pub capacity: f64,
    /// Review capacity spent this step: one per review, a consultation's cost.
    pub spent: f64,
    /// Sum over the proposals decided this step of the steps from proposal to decision (the
    /// numerator of `latency`).
    pub latency_sum: u64,
    /// Proposals decided this step (the denominator of `latency`).
    pub latency_count: u32,
    /// Members who left this step (docs/ODD.md §7.2, Leaving).
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

/// The first identifier of a team's shared misreading of a proposal ("TEAM"), apart from every
/// other keyed draw (whose first identifier is a member id below 2³²).
const TEAM_TAG: u64 = 0x5445_414D_0000_0000;

/// What a review concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The proposal would change nothing any more (already in place).
    Moot,
    /// Adopt it: set its decisions in the configuration.
    Adopt,
    /// Reject it: the configuration stays.
    Reject,
}

/// The shared state of one run.
#[derive(Debug, Clone)]
pub struct World {
    /// The current step (0 before the first).
    pub t: u32,
    /// The task environment (changed only by events and drift).
    pub land: Landscape,
    /// The organization's current configuration: one bit per decision.
    pub config: Config,
    /// The members, their attributes and ties.
    pub org: Organization,
    /// How the organization was built; newcomers (turnover, growth) are drawn from it.
    pub org_spec: OrgSpec,
    /// The members' behaviour rules' parameters (a mentoring event changes them while in force).
    pub behaviour: BehaviourParams,
    /// What events in force change about deciding (crisis, disruption, team decisions).
    pub conditions: Conditions,
    /// This step's counts.
    pub tally: Tally,
    /// Per slot: what happened to the member this step.
    pub feedback: Vec<Feedback>,
    /// Per slot: reviews made this step (consultations answered included).
    pub reviews: Vec<u16>,
    /// Per slot: consultations answered this step (counted in `reviews` too).
    pub consults: Vec<u16>,
    /// Per slot: the review effort of those consultations (`consult_cost` each).
    pub consult_effort: Vec<f64>,
    /// Per slot: votes cast this step.
    pub votes: Vec<u16>,
    /// Per slot: proposals submitted this step.
    pub proposals: Vec<u16>,
    /// Key of the evaluation noise ([`rng::keyed_normal`]), from the world seed: the same
    /// judgement meets the same noise under every model.
    noise_key: u64,
    /// The best performance of any configuration held since the landscape last changed, on the
    /// current landscape (innovations beat it), and the configuration that holds it.
    record: f64,
    record_config: Config,
    /// Per decision: the step an adoption last changed it (`u32::MAX`: never).
    last_flip: [u32; 64],
    /// An adoption changing a decision adopted fewer than this many steps ago is a reversal.
    reversal_window: u32,
    /// Proposals waiting at the desk whose holder judges now (for bounded rationality; 0 for a
    /// vote or a member's own screening).
    pub judge_backlog: u32,
    /// Scratch of the members' update: this step's possible mentors as bits (reused, so the
    /// step loop does not allocate).
    pub(crate) mentor_bits: Vec<u64>,
    /// Per slot: the last trust a member's participation factor was computed for, and the
    /// factor (NaN: none yet).
    pub(crate) trust_factor: Vec<(f64, f64)>,
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
        let mut org = org;
        org.fade(behaviour.bounded, org_spec.expertise_other.mean());
        org.equip(behaviour.trust, behaviour.influence, behaviour.voice);
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
            consults: vec![0; slots],
            consult_effort: vec![0.0; slots],
            votes: vec![0; slots],
            proposals: vec![0; slots],
            noise_key,
            record,
            record_config: config,
            last_flip: [u32::MAX; 64],
            reversal_window,
            judge_backlog: 0,
            mentor_bits: Vec::new(),
            trust_factor: Vec::new(),
            seen,
        }
    }

    /// The landscape changed (a shock, turbulence, drift): innovations are judged against the
    /// best performance from here on.
    pub fn landscape_changed(&mut self) {
        // The record configuration is re-scored on the new landscape and kept if it still
        // beats the current one: an organization that has slid below its best does not earn
        // cheap "records" by climbing back after every drift (docs/ODD.md §7.3).
        let current = self.land.performance(self.config);
        let best = self.land.performance(self.record_config);
        if current >= best {
            self.record = current;
            self.record_config = self.config;
        } else {
            self.record = best;
        }
    }

    /// The best performance since the landscape last changed.
    pub fn record(&self) -> f64 {
        self.record
    }

    /// A uniform integer below `n` that is a pure function of the world seed and `ids` (the
    /// same under every model of a replicate).
    pub fn keyed_below(&self, ids: &[u64], n: usize) -> usize {
        rng::keyed_below(self.noise_key, ids, n)
    }

    /// Number of distinct configurations the organization has held (including the first).
    pub fn distinct_configs(&self) -> usize {
        self.seen.len()
    }

    /// Clears the per-step tallies (and sizes them to the current number of slots).
    pub fn begin_step(&mut self, t: u32) {
        self.t = t;
        self.org.set_step(t);
        self.tally = Tally::default();
        self.clear_slots();
    }

    /// Sizes the per-slot tallies to the current number of slots (after growth), keeping
    /// what this step has recorded so far.
    pub fn fit_slots(&mut self) {
        let slots = self.org.slots();
        self.feedback.resize(slots, Feedback::default());
        self.reviews.resize(slots, 0);
        self.consults.resize(slots, 0);
        self.consult_effort.resize(slots, 0.0);
        self.votes.resize(slots, 0);
        self.proposals.resize(slots, 0);
    }

    fn clear_slots(&mut self) {
        let slots = self.org.slots();
        self.feedback.clear();
        self.feedback.resize(slots, Feedback::default());
        self.reviews.clear();
        self.reviews.resize(slots, 0);
        self.consults.clear();
        self.consults.resize(slots, 0);
        self.consult_effort.clear();
        self.consult_effort.resize(slots, 0.0);
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
    /// change there plus its evaluation error ([`World::sigma`] times a standard normal keyed by
    /// the evaluator (member id), the proposal (proposer, step made, decisions) and the step, so
    /// every model meets the same noise for the same judgement).
    pub fn perceive(&mut self, evaluator: Slot, p: &Proposal, view: u64) -> f64 {
        let own = rng::keyed_normal(
            self.noise_key,
            &[
                u64::from(self.org.id[evaluator]),
                u64::from(p.proposer_id),
                u64::from(p.created),
                p.mask,
                u64::from(self.t),
            ],
        );
        self.judgement(
            evaluator,
            p.proposer_id,
            p.created,
            p.mask,
            p.values,
            view,
            own,
        )
    }

    /// A member's own screening of its idea (`mask`, `values`) on its domain, with its own
    /// standard normal draw `own` (from its per-step draws): the same rule as every judgement.
    pub fn screening(&self, slot: Slot, mask: u64, values: u64, own: f64) -> f64 {
        let view = self.domain_view(self.org.domain[slot] as usize);
        self.judgement(slot, self.org.id[slot], self.t, mask, values, view, own)
    }

    /// The judgement of `evaluator` on the change setting `mask` to `values`, proposed by
    /// `proposer` (id) at step `created`, seen on the loci in `view`, with own error `own`.
    #[allow(clippy::too_many_arguments)]
    fn judgement(
        &self,
        evaluator: Slot,
        proposer: u32,
        created: u32,
        mask: u64,
        values: u64,
        view: u64,
        own: f64,
    ) -> f64 {
        let flip = (self.config.0 ^ values) & mask;
        let sigma = self.sigma(evaluator, flip, view);
        let error = if sigma > 0.0 {
            sigma * self.team_error(evaluator, proposer, created, mask, own)
        } else {
            0.0
        };
        self.land.delta_within(self.config, flip, view) + error
    }

    /// The standard deviation of `evaluator`'s error on the change of `flip` seen on `view`
    /// (docs/ODD.md §7.3): `noise` · (1 − e) · √share · M, where e is its expertise on the loci
    /// the change affects within its view (the parts of the task whose response it judges),
    /// share the fraction of the loci the change affects that lie in its view (errors per locus
    /// add up, so judging a part of the change is judging less of it), and M the bounded-
    /// rationality factor.
    pub fn sigma(&self, evaluator: Slot, flip: u64, view: u64) -> f64 {
        let noise = self.behaviour.noise;
        if noise == 0.0 || flip == 0 {
            return 0.0;
        }
        let affected = self.land.affected(flip);
        let seen = affected & view;
        let judged = if seen == 0 { flip } else { seen };
        let share = (seen.count_ones() as f64 / affected.count_ones().max(1) as f64).max(
            // A change that affects nothing in the view is still judged, as if on one locus.
            1.0 / affected.count_ones().max(1) as f64,
        );
        noise
            * (1.0 - self.org.mean_expertise(evaluator, judged))
            * share.sqrt()
            * self.bounded_factor(flip, view)
    }

    /// The evaluation error of `evaluator` judging the proposal of `proposer` (id) made at step
    /// `created` changing `mask`, from its own error `own`: with team cognition on, part of it is
    /// its team's shared misreading of the proposal (docs/ODD.md §7.2).
    pub fn team_error(
        &self,
        evaluator: Slot,
        proposer: u32,
        created: u32,
        mask: u64,
        own: f64,
    ) -> f64 {
        let rule = &self.behaviour.cognition;
        if rule.correlation <= 0.0 {
            return own;
        }
        let lambda = rule.loading(self.org.together[evaluator]);
        if lambda == 0.0 {
            return own;
        }
        let shared = rng::keyed_normal(
            self.noise_key,
            &[
                TEAM_TAG,
                u64::from(self.org.domain[evaluator]),
                u64::from(proposer),
                u64::from(created),
                mask,
            ],
        );
        crate::cognition::Cognition::error(lambda, shared, own)
    }

    /// The factor on a judge's noise from bounded rationality: the backlog at its desk and the
    /// number of domains whose loci in `view` the change of `flip` affects.
    fn bounded_factor(&self, flip: u64, view: u64) -> f64 {
        let rule = &self.behaviour.bounded;
        if rule.backlog <= 0.0 && rule.breadth <= 0.0 {
            return 1.0;
        }
        let seen = self.land.affected(flip) & view;
        let touched = self
            .org
            .domain_decisions
            .iter()
            .filter(|&&d| d & seen != 0)
            .count() as u32;
        rule.noise_factor(
            self.judge_backlog,
            self.behaviour.overload_at,
            touched,
            self.org.domains,
        )
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
    /// and answering is a decision made, worth `effort` of a review (the capacity it took) for
    /// engagement and skill.
    pub fn consulted(&mut self, holder: Slot, p: &Proposal, view: u64, effort: f64) -> f64 {
        self.feedback[holder].heard = true;
        self.consults[holder] = self.consults[holder].saturating_add(1);
        self.consult_effort[holder] += effort;
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
        // A voter is at no desk: no backlog to weigh on it.
        self.judge_backlog = 0;
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
            // Deciding together counts as time together (team cognition).
            self.org.together[s] += self.behaviour.cognition.joint;
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
    /// window. `feedback_hops` messages carry the decision back to the proposer. `by` is the
    /// member who decided it (`None`: a team vote): the teams whose loci it changed, and the
    /// proposer's ties, learn whom to trust and to rely on from what it did.
    pub fn adopt(&mut self, p: &Proposal, feedback_hops: u32, by: Option<Slot>) {
        let flip = self.flips(p);
        if flip == 0 {
            return;
        }
        self.social_effects(p, flip, by);
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
            self.record_config = self.config;
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
            let s = p.proposer as usize;
            let f = &mut self.feedback[s];
            f.adopted = f.adopted.saturating_add(1);
            f.heard = true;
            self.heard_from(s, by, true);
        }
    }

    /// What the change of `flip` about to be adopted teaches (trust, influence): each team whose
    /// loci it changes learns about the decider `by`, and the proposer's ties about the proposer.
    fn social_effects(&mut self, p: &Proposal, flip: u64, by: Option<Slot>) {
        let trust_on = self.behaviour.trust.is_on();
        let influence_on = self.behaviour.influence.grant > 0.0;
        if !trust_on && !influence_on {
            return;
        }
        let t = self.t;
        if let Some(k) = by {
            let k_id = self.org.id[k];
            let touched = self.land.affected(flip);
            for d in 0..self.org.domains {
                if touched & self.org.domain_decisions[d] == 0 {
                    continue;
                }
                let delta = self
                    .land
                    .delta_within(self.config, flip, self.domain_view(d));
                if delta == 0.0 {
                    continue;
                }
                let good = delta > 0.0;
                if trust_on {
                    self.org.trust.team_saw(d, k_id, good, t);
                }
                if influence_on {
                    for i in 0..self.org.domain_members[d].len() {
                        let s = self.org.domain_members[d][i] as usize;
                        if s != k && self.org.active[s] {
                            self.org.grants.saw(s, k_id, k, good);
                        }
                    }
                }
            }
        }
        if influence_on && self.same_member(p) {
            let j = p.proposer as usize;
            let good = self.land.delta(self.config, flip) > 0.0;
            for i in 0..self.org.network.neighbours(j).len() {
                let s = self.org.network.neighbours(j)[i] as usize;
                if self.org.active[s] {
                    self.org.grants.saw(s, p.proposer_id, j, good);
                }
            }
        }
    }

    /// Member `slot`'s proposal was decided (`heard`) by `by`, or ignored at its desk.
    fn heard_from(&mut self, slot: Slot, by: Option<Slot>, heard: bool) {
        if let Some(k) = by
            && k != slot
            && self.behaviour.trust.is_on()
        {
            let d = self.org.domain[slot] as usize;
            self.org.trust.member_saw(slot, d, self.org.id[k], heard);
        }
    }

    /// Turns `p` down and tells the proposer (whose voice was heard, if not followed); `by`
    /// decided it (`None`: a team vote).
    pub fn reject(&mut self, p: &Proposal, feedback_hops: u32, by: Option<Slot>) {
        self.close(p, feedback_hops);
        if self.same_member(p) {
            let s = p.proposer as usize;
            let f = &mut self.feedback[s];
            f.rejected = f.rejected.saturating_add(1);
            f.heard = true;
            self.heard_from(s, by, true);
        }
    }

    /// `p` died unreviewed at the desk of `at` (`None`: an empty seat).
    pub fn expire(&mut self, p: &Proposal, at: Option<Slot>) {
        self.tally.expired += 1;
        if self.same_member(p) {
            let s = p.proposer as usize;
            let f = &mut self.feedback[s];
            f.expired = f.expired.saturating_add(1);
            self.heard_from(s, at, false);
        }
    }

    /// Counts messages (a proposal travelling, a consultation).
    #[inline]
    pub fn send(&mut self, messages: u32) {
        self.tally.messages += messages as u64;
    }
}

#[cfg(test)]
mod tests {
    use crate::leadership::testing::{best_and_worst_flip, flip, world};

    #[test]
    fn climbing_back_after_a_landscape_change_is_no_innovation() {
        let mut w = world(8, 2, 8, 2, 0.0);
        w.t = 1;
        let (best, worst) = best_and_worst_flip(&w);
        let up = flip(&w, 1, best);
        w.adopt(&up, 1, Some(0));
        assert_eq!(w.tally.innovations, 1, "a new record");
        let down = flip(&w, 1, worst);
        w.adopt(&down, 1, Some(0));
        // The landscape "changes" (here, to itself): the record stays with the configuration
        // that holds it, so climbing back to it is no new record.
        w.landscape_changed();
        let back = flip(&w, 1, worst);
        w.adopt(&back, 1, Some(0));
        assert_eq!(w.tally.innovations, 1, "climbing back is not an innovation");
        assert_eq!(w.tally.adoptions, 3);
    }

    #[test]
    fn team_trust_follows_what_a_decider_did_to_the_team() {
        let mut w = world(8, 2, 8, 2, 0.0);
        w.t = 1;
        let rule = w.behaviour.trust;
        let (best, worst) = best_and_worst_flip(&w);
        let k = w.org.id[0];
        let touched = |w: &super::World, j: usize| {
            (0..2)
                .filter(|&d| {
                    w.land.affected(1 << j) & w.org.domain_decisions[d] != 0
                        && w.land.delta_within(w.config, 1 << j, w.domain_view(d)) != 0.0
                })
                .map(|d| {
                    (
                        d,
                        w.land.delta_within(w.config, 1 << j, w.domain_view(d)) > 0.0,
                    )
                })
                .collect::<Vec<_>>()
        };
        let effects = touched(&w, worst);
        assert!(!effects.is_empty());
        let p = flip(&w, 1, worst);
        w.adopt(&p, 1, Some(0));
        for &(d, good) in &effects {
            let expected = rule.after(rule.initial, good);
            assert_eq!(w.org.trust.team(d, k), expected, "domain {d}");
        }
        // Without a decider (a vote), nobody is trusted or blamed.
        let before: Vec<f64> = (0..2).map(|d| w.org.trust.team(d, k)).collect();
        let p = flip(&w, 1, best);
        w.adopt(&p, 1, None);
        let after: Vec<f64> = (0..2).map(|d| w.org.trust.team(d, k)).collect();
        assert_eq!(before, after);
    }

    #[test]
    fn judging_together_brings_expertise_toward_the_best_judge() {
        let mut w = world(8, 2, 8, 2, 0.05);
        w.t = 1;
        let rate = w.behaviour.cognition.convergence;
        // Domain 0's members: slots 0, 2, 4, 6. Make slot 2 the expert on decision 1.
        let n = w.org.n;
        w.org.expertise[2 * n + 1] = 0.9;
        let before = w.org.expertise(4, 1);
        w.org.converge_domain(0, 1 << 1, rate);
        let after = w.org.expertise(4, 1);
        assert!((after - (before + rate * (0.9 - before))).abs() < 1e-12);
        assert_eq!(w.org.expertise(2, 1), 0.9, "the best keeps its own");
    }

    /// The errors of `judges` on `count` single-decision proposals of domain 0, in a world
    /// with evaluation noise and the given time together per judge.
    fn errors(together: &[(usize, f64)], count: u32) -> Vec<Vec<f64>> {
        let mut w = world(16, 2, 8, 2, 0.1);
        for &(s, tau) in together {
            w.org.together[s] = tau;
        }
        let view = w.domain_view(0);
        let mut out = vec![Vec::new(); together.len()];
        for c in 0..count {
            w.t = c + 1;
            let p = flip(&w, 2, (c % 4) as usize);
            let truth = w.land.delta_within(w.config, w.flips(&p), view);
            for (i, &(s, _)) in together.iter().enumerate() {
                out[i].push(w.perceive(s, &p, view) - truth);
            }
        }
        out
    }

    fn correlation(a: &[f64], b: &[f64]) -> f64 {
        let n = a.len() as f64;
        let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
        let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
        let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
        let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
        cov / (va * vb).sqrt()
    }

    #[test]
    fn teammates_who_worked_together_err_together() {
        // Slots 2 and 4 are in domain 0, slot 3 in domain 1 (slot mod 2); all equally expert on
        // their own domain, so only team cognition can correlate their errors.
        let long = 1.0e6;
        let e = errors(&[(2, long), (4, long), (3, long), (6, 0.0)], 4000);
        let teammates = correlation(&e[0], &e[1]);
        // Fully assimilated teammates: correlation `correlation` = 0.5 (± sampling error).
        assert!((teammates - 0.5).abs() < 0.06, "teammates {teammates}");
        // Another team's member errs independently of domain 0's shared misreading.
        let outsider = correlation(&e[0], &e[2]);
        assert!(outsider.abs() < 0.06, "outsider {outsider}");
        // A newcomer to the team (no time together) errs alone.
        let newcomer = correlation(&e[0], &e[3]);
        assert!(newcomer.abs() < 0.06, "newcomer {newcomer}");
        // Nobody judges worse for it: each error keeps the same spread.
        let sd = |v: &[f64]| {
            let m = v.iter().sum::<f64>() / v.len() as f64;
            (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / v.len() as f64).sqrt()
        };
        let (a, b) = (sd(&e[0]), sd(&e[3]));
        assert!((a / b - 1.0).abs() < 0.08, "spreads {a} and {b}");
    }

    #[test]
    fn without_team_cognition_teammates_err_independently() {
        let mut w = world(16, 2, 8, 2, 0.1);
        w.behaviour.cognition.correlation = 0.0;
        let view = w.domain_view(0);
        w.org.together[2] = 1.0e6;
        w.org.together[4] = 1.0e6;
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for c in 0..4000u32 {
            w.t = c + 1;
            let p = flip(&w, 2, (c % 4) as usize);
            let truth = w.land.delta_within(w.config, w.flips(&p), view);
            a.push(w.perceive(2, &p, view) - truth);
            b.push(w.perceive(4, &p, view) - truth);
        }
        let r = correlation(&a, &b);
        assert!(r.abs() < 0.06, "{r}");
    }
}
