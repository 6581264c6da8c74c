//! Leadership models: who decides on members' proposals, seeing what, with what capacity and
//! delay (docs/ODD.md §7.3–7.5). This is the variable under study.
//!
//! Every model implements [`LeadershipModel`]; its parameters are declared with
//! [`Param`](crate::params::Param)s and read by a [`ModelType`] in [`registry`]. Adding a model
//! is one new file with one type implementing the trait and one line in the registry; the engine
//! ([`crate::sim`]) does not change.
//!
//! **Fairness.** All models share the decision primitives of [`World`] (evaluation with
//! expertise-dependent noise, review, consultation, vote, adopt, reject, expire), the [`Desk`]
//! below (a decision maker's queue with arrival delay, expiry and per-step capacity) and the
//! [`Common`] parameters every model takes with the same meaning and default: one total review
//! capacity split among the model's desks in proportion to the proposals expected to reach each,
//! the delay per hop, the expiry, and the `interim` rule that fills a departed leader's seat for
//! the vacancy. So they differ only in routing, views and how capacity is split; a seat that
//! decides nothing gives its holder nothing.

pub(crate) mod centralized;
pub(crate) mod election;
pub(crate) mod hybrid;
pub(crate) mod shared;

use crate::org::Slot;
use crate::params::{DefaultValue as D, InputError, Kind, Param, Reader};
use crate::world::{Proposal, World};
use std::fmt::Debug;
use std::sync::Arc;

/// The runtime state of one leadership model in one run.
pub trait LeadershipModel: Send + Debug {
    /// Start of a step: seats filled (elections, interim holders).
    fn begin_step(&mut self, world: &mut World);
    /// A member's new proposal enters the decision system.
    fn submit(&mut self, p: Proposal, world: &mut World);
    /// This step's reviews, within capacity; decisions go through `world`.
    fn decide(&mut self, world: &mut World);
    /// Calls `f` with every desk of the model.
    fn each_desk(&self, f: &mut dyn FnMut(&Desk));
    /// Takes every proposal still waiting (when the organization switches model).
    fn drain(&mut self, out: &mut Vec<Proposal>);
    /// Whether members propose changes (`search` is not `"leaders"`).
    fn members_propose(&self) -> bool;
}

impl dyn LeadershipModel + '_ {
    /// The slots whose seats an event of leader loss would empty: the holders of desks with
    /// review capacity, ascending.
    pub fn leaders(&self) -> Vec<Slot> {
        let mut leads = Vec::new();
        self.each_desk(&mut |d| {
            if let Some(h) = d.holder
                && d.capacity > 0.0
            {
                leads.push(h);
            }
        });
        leads.sort_unstable();
        leads.dedup();
        leads
    }

    /// The leaders (as [`Self::leaders`]) with the review capacity each holds, by slot.
    pub fn leader_capacity(&self) -> Vec<(Slot, f64)> {
        let mut held: Vec<(Slot, f64)> = Vec::new();
        self.each_desk(&mut |d| {
            if let Some(h) = d.holder
                && d.capacity > 0.0
            {
                match held.iter_mut().find(|x| x.0 == h) {
                    Some(x) => x.1 += d.capacity,
                    None => held.push((h, d.capacity)),
                }
            }
        });
        held.sort_unstable_by_key(|x| x.0);
        held
    }

    /// Marks the holders of desks with more than `overload_backlog` proposals arrived and
    /// waiting as overloaded this step, each by its desk's share of the model's review capacity
    /// (a desk without capacity decides nothing and is never overloaded).
    pub fn mark_overload(&self, world: &mut World) {
        let at = world.behaviour.overload_at;
        let mut total = 0.0;
        self.each_desk(&mut |d| total += d.capacity);
        if total <= 0.0 {
            return;
        }
        // At most one desk per domain (64 decisions at most) and the formal leader's.
        let mut over: [(Slot, f64); 65] = [(0, 0.0); 65];
        let mut n = 0;
        self.each_desk(&mut |d| {
            if d.capacity > 0.0
                && let Some((backlog, _)) = d.load(world)
                && backlog as f64 > at
                && n < over.len()
                && let Some(h) = d.holder
            {
                over[n] = (h, d.capacity / total);
                n += 1;
            }
        });
        for &(h, share) in &over[..n] {
            world.feedback[h].overloaded += share;
        }
    }

    /// Whether `slot` holds a desk with review capacity now.
    pub fn holds_desk(&self, slot: Slot) -> bool {
        let mut found = false;
        self.each_desk(&mut |d| found |= d.holder == Some(slot) && d.capacity > 0.0);
        found
    }
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
    /// The validated parameters, which build the model's state for each run.
    pub config: Arc<dyn ModelConfig>,
}

/// A kind of leadership model: its name, what it is, its parameters and its reader.
pub struct ModelType {
    /// The value of a `[[models]]` entry's `kind` key (`centralized`, `shared`, `hybrid`).
    pub kind: &'static str,
    /// Its rule in two sentences, for `leadsim models`, docs/FORMAT.md and the report.
    pub summary: &'static str,
    /// The section of docs/ODD.md that defines it.
    pub odd: &'static str,
    /// Its parameters, the common ones ([`Common::params`]) first.
    pub params: fn() -> Vec<Param>,
    /// Reads and validates a `[[models]]` entry of this kind.
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

// --- the parameters every model takes ---------------------------------------------------------

pub(crate) const REVIEW_CAPACITY: Param = Param {
    key: "review_capacity",
    kind: Kind::Real { min: 0.0, max: 1e6 },
    default: D::Real(0.75),
    meaning: "reviews per step the model's decision makers make together (at skill 0), split among its desks in proportion to the proposals expected to reach each",
};
pub(crate) const DELAY: Param = Param {
    key: "delay",
    kind: Kind::Whole { min: 0, max: 1000 },
    default: D::Whole(1),
    meaning: "steps a proposal takes per hop: per level of the reporting chain, or to a domain lead",
};
pub(crate) const EXPIRY: Param = Param {
    key: "expiry",
    kind: Kind::Whole {
        min: 1,
        max: 1_000_000,
    },
    default: D::Whole(20),
    meaning: "steps after which an unreviewed proposal expires",
};
pub(crate) const INTERIM: Param = Param {
    key: "interim",
    kind: Kind::Choice(&["none", "deputy", "election"]),
    default: D::Word("deputy"),
    meaning: "who holds a departed leader's seat during the vacancy: \"none\" (it stays empty), \"deputy\" (the next in the reporting line acts, with deputy_capacity), \"election\" (an acting leader chosen at once by merit)",
};
pub(crate) const SEARCH: Param = Param {
    key: "search",
    kind: Kind::Choice(&["members", "leaders", "both"]),
    default: D::Word("members"),
    meaning: "who generates alternatives: \"members\" (members' proposals), \"leaders\" (each decision maker's own local search: one-decision changes within its view, judged like a review, with its review capacity; members do not propose), \"both\" (decision makers search with the capacity proposals leave)",
};
pub(crate) const DEPUTY_CAPACITY: Param = Param {
    key: "deputy_capacity",
    kind: Kind::Real { min: 0.0, max: 1.0 },
    default: D::Real(0.5),
    meaning: "interim = \"deputy\": share of the seat's review capacity the acting deputy has",
};

/// Who holds a departed leader's seat for the vacancy (the same rule in every model).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interim {
    /// The seat stays empty.
    None,
    /// The next in the reporting line acts, with reduced capacity.
    Deputy,
    /// An acting leader is chosen at once by merit, with the seat's capacity.
    Election,
}

impl Interim {
    fn parse(word: &str) -> Interim {
        match word {
            "none" => Interim::None,
            "election" => Interim::Election,
            _ => Interim::Deputy,
        }
    }

    /// The rule's name in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Interim::None => "none",
            Interim::Deputy => "deputy",
            Interim::Election => "election",
        }
    }
}

/// Who generates alternatives (the same choice in every model).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Search {
    /// Members propose; decision makers judge what they propose.
    Members,
    /// Decision makers search their own view one decision at a time (Rivkin & Siggelkow 2003;
    /// Siggelkow & Levinthal 2003); members do not propose.
    Leaders,
    /// Both: decision makers search with the capacity members' proposals leave.
    Both,
}

impl Search {
    fn parse(word: &str) -> Search {
        match word {
            "leaders" => Search::Leaders,
            "both" => Search::Both,
            _ => Search::Members,
        }
    }

    /// The choice's name in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Search::Members => "members",
            Search::Leaders => "leaders",
            Search::Both => "both",
        }
    }

    /// Whether decision makers search with their spare capacity.
    pub fn by_leaders(self) -> bool {
        self != Search::Members
    }
}

/// The parameters every model takes, with the same meaning and default.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Common {
    /// Reviews per step the model's decision makers make together at skill 0, split among its
    /// desks (docs/ODD.md §7.3, Review capacity).
    pub review_capacity: f64,
    /// Steps a proposal takes per hop to a desk.
    pub delay: u32,
    /// Age in steps at which an unreviewed proposal expires.
    pub expiry: u32,
    /// Who holds a departed leader's seat during the vacancy (docs/ODD.md §7.3, Interim).
    pub interim: Interim,
    /// Share, in [0, 1], of the seat's review capacity an acting deputy has.
    pub deputy_capacity: f64,
    /// Who generates alternatives (docs/ODD.md §7.3, Who generates alternatives).
    pub search: Search,
}

impl Common {
    /// The declared parameters, in `leadsim models` order.
    pub fn params() -> Vec<Param> {
        vec![
            REVIEW_CAPACITY,
            DELAY,
            EXPIRY,
            INTERIM,
            DEPUTY_CAPACITY,
            SEARCH,
        ]
    }

    /// Reads them; the per-desk capacities of earlier versions fail with what replaced them.
    pub fn read(r: &mut Reader) -> Result<Common, InputError> {
        r.retired(
            "capacity",
            "every model now takes review_capacity, the reviews per step its decision makers make together (shared and hybrid split it among their desks: a per-lead capacity c with D domains is review_capacity = c × D); see docs/ODD.md §7.3",
        )?;
        r.retired(
            "leader_capacity",
            "the formal leader's and the coordinator's capacity is now their share of review_capacity (shared: 1 − power_sharing; hybrid: coordinator_share); see docs/ODD.md §7.5",
        )?;
        Ok(Common {
            review_capacity: r.real(&REVIEW_CAPACITY)?,
            delay: r.whole(&DELAY)? as u32,
            expiry: r.whole(&EXPIRY)? as u32,
            interim: Interim::parse(r.choice(&INTERIM)?),
            deputy_capacity: r.real(&DEPUTY_CAPACITY)?,
            search: Search::parse(r.choice(&SEARCH)?),
        })
    }

    /// Parameter values, for the manifest and reports.
    pub fn describe(&self) -> Vec<(&'static str, String)> {
        vec![
            ("review_capacity", self.review_capacity.to_string()),
            ("delay", self.delay.to_string()),
            ("expiry", self.expiry.to_string()),
            ("interim", self.interim.name().to_string()),
            ("deputy_capacity", self.deputy_capacity.to_string()),
            ("search", self.search.name().to_string()),
        ]
    }
}

// --- desks -----------------------------------------------------------------------------------

/// The arrival step marking a reviewed proposal's slot in a desk's queue (a tombstone): no
/// step reaches it, so it is never ready.
const TAKEN: u32 = u32::MAX;

/// A proposal waiting at a desk.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Queued {
    /// The proposal itself.
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
    /// The desk's share of the model's review capacity (reviews per step at skill 0).
    pub capacity: f64,
    /// The holder's share of that capacity: below 1 for an acting deputy.
    pub factor: f64,
    /// While an interim holder acts for a departed leader: the step the replacement arrives
    /// (0: no interim).
    pub interim_until: u32,
    /// Whether the holder searches its view with capacity no proposal takes (`search`).
    pub search: bool,
    /// Waiting proposals in queue order, with reviewed ones left as tombstones (arrival
    /// [`TAKEN`]) until the next compaction, so that taking one is O(1) rather than a shift.
    queue: Vec<Queued>,
    /// Tombstones in `queue`.
    taken: usize,
    credit: f64,
    /// Own alternatives tried this step (keys the next one).
    tried: u32,
}

impl Desk {
    /// An empty desk.
    pub fn new(holder: Option<Slot>, view: u64, capacity: f64) -> Desk {
        Desk {
            holder,
            view,
            capacity,
            factor: 1.0,
            interim_until: 0,
            search: false,
            queue: Vec::with_capacity(64),
            taken: 0,
            credit: 0.0,
            tried: 0,
        }
    }

    /// The desk of a model whose decision makers search as `search` says.
    pub fn searching(mut self, search: Search) -> Desk {
        self.search = search.by_leaders();
        self
    }

    /// Queues `p`, reviewable from step `arrival`.
    pub fn push(&mut self, p: Proposal, arrival: u32, hops: u32) {
        // No run reaches step u32::MAX (the tombstone), but keep the mark unambiguous.
        let arrival = arrival.min(TAKEN - 1);
        self.queue.push(Queued { p, arrival, hops });
    }

    /// Number of proposals waiting (arrived or not).
    pub fn len(&self) -> usize {
        self.queue.len() - self.taken
    }

    /// Whether nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Proposals arrived and waiting at step `t`.
    pub fn ready(&self, t: u32) -> usize {
        self.queue.iter().filter(|q| q.arrival <= t).count()
    }

    /// Drops every proposal older than `expiry` steps, counting it as expired (in queue
    /// order), and the tombstones of reviewed ones: one pass, O(queue) whatever expires.
    pub fn expire(&mut self, world: &mut World, expiry: u32) {
        let t = world.t;
        let mut keep = 0;
        for i in 0..self.queue.len() {
            let q = self.queue[i];
            if q.arrival == TAKEN {
                continue;
            }
            if t - q.p.created > expiry {
                world.expire(&q.p, self.holder);
            } else {
                self.queue[keep] = q;
                keep += 1;
            }
        }
        self.queue.truncate(keep);
        self.taken = 0;
    }

    /// Removes the tombstones of reviewed proposals, keeping the queue order.
    fn compact(&mut self) {
        self.queue.retain(|q| q.arrival != TAKEN);
        self.taken = 0;
    }

    /// Reviews per step of the current holder (0 for an empty seat).
    pub fn rate(&self, world: &World) -> f64 {
        self.holder
            .map_or(0.0, |h| world.capacity(h, self.capacity) * self.factor)
    }

    /// Adds this step's review capacity (none for an empty seat), and counts it as capacity
    /// available this step.
    pub fn refill(&mut self, world: &mut World) {
        let rate = self.rate(world);
        self.credit += rate;
        world.tally.capacity += rate;
        self.tried = 0;
    }

    /// Spends capacity elsewhere (a consultation).
    pub fn charge(&mut self, world: &mut World, cost: f64) {
        self.credit -= cost;
        world.tally.spent += cost;
    }

    /// The next proposal to review (earliest arrival, then queue order) if capacity allows;
    /// spends one review. With nothing arrived and `search` on, the holder's own alternative
    /// ([`Desk::alternative`]).
    pub fn next(&mut self, world: &mut World) -> Option<Queued> {
        let t = world.t;
        let holder = self.holder?;
        if self.credit < 1.0 {
            return None;
        }
        loop {
            let mut best: Option<usize> = None;
            let mut waiting = 0u32;
            for (i, q) in self.queue.iter().enumerate() {
                if q.arrival <= t {
                    waiting += 1;
                    if best.is_none_or(|b| q.arrival < self.queue[b].arrival) {
                        best = Some(i);
                    }
                }
            }
            // The holder judges with this many proposals waiting (bounded rationality).
            world.judge_backlog = waiting;
            let q = match best {
                Some(i) => {
                    let q = self.queue[i];
                    self.queue[i].arrival = TAKEN;
                    self.taken += 1;
                    q
                }
                None if self.search => self.alternative(world, holder),
                None => return None,
            };
            if world.flips(&q.p) == 0 {
                // It would change nothing any more: dropped without a review, at no cost.
                continue;
            }
            self.credit -= 1.0;
            world.tally.spent += 1.0;
            return Some(q);
        }
    }

    /// The holder's own local alternative: one decision of its view, chosen by a keyed draw
    /// (holder, step, attempt), set to its other value — a one-decision change as the
    /// departments and CEOs of Rivkin & Siggelkow (2003) and Siggelkow & Levinthal (2003)
    /// search. Judged like any proposal, made by the holder itself.
    fn alternative(&mut self, world: &World, holder: Slot) -> Queued {
        let decisions = self.view & world.whole_view();
        let k = world.keyed_below(
            &[
                SEARCH_TAG,
                u64::from(world.org.id[holder]),
                u64::from(world.t),
                u64::from(self.tried),
            ],
            decisions.count_ones().max(1) as usize,
        );
        self.tried += 1;
        let mut m = decisions;
        for _ in 0..k {
            m &= m - 1;
        }
        let bit = 1u64 << m.trailing_zeros();
        Queued {
            p: Proposal {
                mask: bit,
                values: !world.config.0 & bit,
                proposer: holder as u32,
                proposer_id: world.org.id[holder],
                created: world.t,
                home: world.home_domain(bit, world.org.domain[holder]),
                radical: false,
                // Never routed elsewhere by power sharing: the holder judges its own idea.
                route: 1.0,
            },
            arrival: world.t,
            hops: 0,
        }
    }

    /// End of step: unused capacity does not accumulate beyond one review. Tombstones go when
    /// they are many (a desk whose queue is not expired this step still stays compact).
    pub fn settle(&mut self) {
        self.credit = self.credit.min(1.0);
        if self.taken > 32 && 2 * self.taken > self.queue.len() {
            self.compact();
        }
    }

    /// Takes every waiting proposal.
    pub fn drain(&mut self, out: &mut Vec<Proposal>) {
        out.extend(
            self.queue
                .drain(..)
                .filter(|q| q.arrival != TAKEN)
                .map(|q| q.p),
        );
        self.taken = 0;
    }

    /// `(ready backlog, reviews per step)` of an occupied desk, for overload.
    pub fn load(&self, world: &World) -> Option<(usize, f64)> {
        self.holder.map(|_| (self.ready(world.t), self.rate(world)))
    }

    /// Seats `holder` for good (not acting).
    fn seat(&mut self, holder: Option<Slot>) {
        self.holder = holder;
        self.factor = 1.0;
        self.interim_until = 0;
    }
}

/// Fills the desk whose rightful holder is the formal leader (slot 0): the centralized leader's,
/// the shared model's escalation desk, the hybrid's coordinator's. While slot 0 stands vacant
/// after a leader loss, the interim rule decides who acts; `eligible` says who may act (not the
/// holder of another of the model's desks).
pub fn seat_formal_leader(
    desk: &mut Desk,
    world: &World,
    common: &Common,
    eligible: impl Fn(Slot) -> bool,
    ballot: &mut election::Ballot,
) {
    let t = world.t;
    if world.org.active[0] {
        desk.seat(Some(0));
        return;
    }
    if !world.org.is_vacant(0, t) {
        desk.seat(None);
        return;
    }
    if desk.interim_until == world.org.vacant_until[0]
        && (common.interim == Interim::None || desk.holder.is_some_and(|h| world.org.active[h]))
    {
        return;
    }
    // Only when an interim starts (or its holder leaves): the list is kept in the ballot.
    let everyone = ballot.everyone(world.org.slots());
    let acting = match common.interim {
        Interim::None => None,
        Interim::Deputy => world.org.deputy(0, &everyone, &eligible),
        Interim::Election => election::elect_among(
            world,
            &everyone,
            world.whole_view(),
            None,
            election::Selection::Merit,
            &|s| s != 0 && eligible(s),
            ballot,
        ),
    };
    ballot.give_back(everyone);
    desk.holder = acting;
    desk.factor = if common.interim == Interim::Deputy {
        common.deputy_capacity
    } else {
        1.0
    };
    desk.interim_until = world.org.vacant_until[0];
}

/// The first identifier of the keys of decision makers' own alternatives ("SEARCH"), apart
/// from every other keyed draw.
const SEARCH_TAG: u64 = 0x5345_4152_4348;

/// Hops from `proposer` to the formal leader at the root of the reporting tree.
pub fn hops_to_root(world: &World, proposer: Slot) -> u32 {
    world.org.depth[proposer] as u32
}

/// Decides one queued proposal at `desk` by the holder's review of the desk's view, or by a
/// vote of the home domain when team decisions are in force; then adopts or rejects it, naming
/// who decided (nobody for a team vote).
pub fn settle_one(world: &mut World, holder: Slot, view: u64, q: &Queued) {
    let (verdict, by) = if world.conditions.team_decisions {
        (world.vote(q.p.home as usize, &q.p), None)
    } else {
        (world.review(holder, &q.p, view), Some(holder))
    };
    match verdict {
        crate::world::Verdict::Adopt => world.adopt(&q.p, q.hops, by),
        crate::world::Verdict::Reject => world.reject(&q.p, q.hops, by),
        crate::world::Verdict::Moot => {}
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

    /// A world of `members` in `domains`, an N = `n`, K = `k` landscape, evaluation noise
    /// `noise`, skill not raising capacity.
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
        World::new(land, Config(0), org, spec, behaviour, 7, 20)
    }

    /// The parameters every model takes, with `capacity` reviews per step in all and no delay
    /// beyond one step per hop.
    pub fn common(capacity: f64, expiry: u32) -> super::Common {
        super::Common {
            review_capacity: capacity,
            delay: 1,
            expiry,
            interim: super::Interim::Deputy,
            deputy_capacity: 0.5,
            search: super::Search::Members,
        }
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
        desk.refill(&mut w);
        assert!(desk.next(&mut w).is_none(), "not arrived yet");
        desk.settle();
        w.begin_step(3);
        assert_eq!(desk.ready(3), 1);
        assert_eq!(desk.next(&mut w).unwrap().hops, 2);
        // Expiry: created at step 1, expiry 5 → gone at step 7.
        desk.push(p, 1, 0);
        w.begin_step(7);
        desk.expire(&mut w, 5);
        assert_eq!(desk.len(), 0);
        assert_eq!(w.tally.expired, 1);
        assert_eq!(w.feedback[1].expired, 1);
    }

    #[test]
    fn reviewed_proposals_leave_the_queue_in_order_and_expire_in_order() {
        let mut w = world(8, 2, 8, 2, 0.0);
        let mut desk = Desk::new(Some(0), w.whole_view(), 3.0);
        w.begin_step(1);
        // Five proposals by members 1…5 on different decisions, arriving at 1, 2, 1, 2, 1.
        for (k, arrival) in [1, 2, 1, 2, 1].into_iter().enumerate() {
            desk.push(flip(&w, k + 1, k), arrival, 0);
        }
        w.begin_step(2);
        desk.refill(&mut w);
        // Earliest arrival first, then queue order: members 1, 3, 5.
        let got: Vec<u32> = std::iter::from_fn(|| desk.next(&mut w))
            .map(|q| q.p.proposer)
            .collect();
        assert_eq!(got, [1, 3, 5]);
        assert_eq!((desk.len(), desk.ready(2)), (2, 2));
        desk.settle();
        // Expiring drops the two left (members 2 and 4), in queue order, and the tombstones.
        w.begin_step(10);
        desk.expire(&mut w, 5);
        assert!(desk.is_empty());
        assert_eq!(w.tally.expired, 2);
        assert_eq!((w.feedback[2].expired, w.feedback[4].expired), (1, 1));
        // Draining after reviews hands over only what still waits.
        desk.push(flip(&w, 6, 6), 10, 0);
        desk.push(flip(&w, 7, 7), 10, 0);
        desk.refill(&mut w);
        assert_eq!(desk.next(&mut w).unwrap().p.proposer, 6);
        let mut out = Vec::new();
        desk.drain(&mut out);
        assert_eq!(out.iter().map(|p| p.proposer).collect::<Vec<_>>(), [7]);
        assert_eq!(desk.len(), 0);
    }

    #[test]
    fn capacity_accrues_fractionally() {
        let mut w = world(8, 2, 8, 2, 0.0);
        let mut desk = Desk::new(Some(0), w.whole_view(), 0.5);
        let mut reviewed = 0;
        for t in 1..=10 {
            w.begin_step(t);
            desk.push(flip(&w, 1, (t % 8) as usize), t, 1);
            desk.refill(&mut w);
            while desk.next(&mut w).is_some() {
                reviewed += 1;
            }
            assert!(w.tally.spent <= w.tally.capacity + 1.0);
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
        w.adopt(&good, 2, Some(0));
        assert!(w.land.fitness(w.config) > before);
        assert_eq!(w.tally.improvements, 1);
        assert_eq!(w.tally.messages, 2);
        assert_eq!(w.review(0, &good, view), crate::world::Verdict::Moot);
    }
}
