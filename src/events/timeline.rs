//! The events of one run: firing steps drawn up front from the world seed, the changes in force,
//! and what each kind of event does to the world when it starts and ends.

use super::{Drift, EventKind, EventSpec, LeaderRank, Timing};
use crate::leadership::{LeadershipModel, ModelConfig};
use crate::org::{Hire, Slot};
use crate::rng::{self, Purpose, SimRng};
use crate::world::World;
use std::sync::Arc;

/// What happens to an event at a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    /// A lasting change is undone (ends are applied before anything starts at the same step).
    End,
    /// The event fires.
    Start,
    /// A turbulence window's small shock.
    Pulse,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Firing {
    step: u32,
    phase: Phase,
    event: usize,
    /// Which firing of the event a start or end belongs to.
    instance: u32,
}

/// A lasting change in force.
#[derive(Debug, Clone)]
struct Window {
    event: usize,
    instance: u32,
    /// Ties cut (network disruption) or added (cross-functional) by this firing.
    ties: Vec<(u32, u32)>,
}

/// A shock that happened in a run: which event, when, and performance right after it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShockRecord {
    /// The event's index in the scenario's `[[events]]`.
    pub event: usize,
    /// The step at which it fired.
    pub step: u32,
    /// Performance (fitness of the configuration, in [0, 1]) at the end of that step, the
    /// first value adaptability is measured from (docs/ODD.md §7.7).
    pub after: f64,
    /// The share of the model's review capacity whose holders left (a leader loss; NaN for
    /// other kinds): the size of the treatment, which differs between models.
    pub capacity_lost: f64,
}

/// The stream identifier of the environment's drift ("DRIFT").
const DRIFT: u64 = 0x0044_5249_4654;

/// The events of one run: their precomputed firing steps and the changes in force.
#[derive(Debug)]
pub struct Timeline {
    events: Vec<EventSpec>,
    firings: Vec<Firing>,
    next: usize,
    windows: Vec<Window>,
    vacancies: Vec<(u32, Slot)>,
    /// Steps at which the landscape drifts, ascending, and the next one.
    drift_steps: Vec<u32>,
    next_drift: usize,
    drift: Drift,
    seed: u64,
    base_mentor: f64,
    /// The model the run started with (restored when a reorg ends).
    home: Arc<dyn ModelConfig>,
    scratch: Vec<usize>,
    picked: Vec<usize>,
    drained: Vec<crate::world::Proposal>,
    /// Shocks so far.
    pub shocks: Vec<ShockRecord>,
    /// The capacity share the last firing's leader loss took (NaN: not a leader loss).
    lost: f64,
}

impl Timeline {
    /// The same timeline without the firings of measured events (the shocks): the
    /// counterfactual twin of a run (docs/ODD.md §7.6). Every other firing, the drift and every
    /// draw stay as they were, so the twin differs from the run only by the shocks.
    pub fn without_shocks(mut self) -> Timeline {
        let events = &self.events;
        self.firings.retain(|f| !events[f.event].measure);
        self
    }

    /// The timeline of a run of `model` (its name and configuration) over `steps` steps with
    /// world seed `seed`, in an environment that drifts as `drift` says. Hazards, turbulence
    /// and drift draw their steps here, from streams of the world seed (and the event's
    /// position), so every model meets the same firings.
    pub fn new(
        events: &[EventSpec],
        model: &str,
        home: Arc<dyn ModelConfig>,
        steps: u32,
        seed: u64,
        base_mentor: f64,
        drift: Drift,
    ) -> Timeline {
        let mut drift_rng = rng::stream(seed, Purpose::Turbulence, &[DRIFT]);
        let drift_steps = if drift.probability > 0.0 {
            (1..=steps)
                .filter(|_| rng::chance(&mut drift_rng, drift.probability))
                .collect()
        } else {
            Vec::new()
        };
        let mut firings = Vec::new();
        for (e, ev) in events.iter().enumerate() {
            if !ev.applies_to(model) {
                continue;
            }
            let starts: Vec<u32> = match &ev.timing {
                Timing::At(at) => at.clone(),
                Timing::Hazard { p, from, to } => {
                    let mut r = rng::stream(seed, Purpose::Events, &[e as u64, 0]);
                    (*from..=*to).filter(|_| rng::chance(&mut r, *p)).collect()
                }
            };
            for (instance, &start) in starts.iter().enumerate() {
                let instance = instance as u32;
                firings.push(Firing {
                    step: start,
                    phase: Phase::Start,
                    event: e,
                    instance,
                });
                let end = ev.duration.map(|d| start.saturating_add(d));
                if let Some(end) = end.filter(|&x| x <= steps) {
                    firings.push(Firing {
                        step: end,
                        phase: Phase::End,
                        event: e,
                        instance,
                    });
                }
                if let EventKind::Turbulence { probability, .. } = ev.kind {
                    let mut r = rng::stream(seed, Purpose::Events, &[e as u64, 1, instance as u64]);
                    let last = end.map_or(steps, |x| x.saturating_sub(1).min(steps));
                    for t in start..=last {
                        if rng::chance(&mut r, probability) {
                            firings.push(Firing {
                                step: t,
                                phase: Phase::Pulse,
                                event: e,
                                instance,
                            });
                        }
                    }
                }
            }
        }
        firings.sort_unstable();
        Timeline {
            events: events.to_vec(),
            firings,
            next: 0,
            windows: Vec::new(),
            vacancies: Vec::new(),
            drift_steps,
            next_drift: 0,
            drift,
            seed,
            base_mentor,
            home,
            scratch: Vec::new(),
            picked: Vec::new(),
            drained: Vec::new(),
            shocks: Vec::new(),
            lost: f64::NAN,
        }
    }

    /// The events, in scenario order.
    pub fn events(&self) -> &[EventSpec] {
        &self.events
    }

    /// Steps at which something happens (for tests and reports).
    pub fn firing_steps(&self) -> Vec<(u32, usize)> {
        self.firings
            .iter()
            .filter(|f| f.phase != Phase::End)
            .map(|f| (f.step, f.event))
            .collect()
    }

    /// Applies everything due at step `world.t`: arriving replacements, ends, firings. Returns
    /// whether anything happened.
    pub fn apply(&mut self, world: &mut World, model: &mut Box<dyn LeadershipModel>) -> bool {
        let t = world.t;
        let mut changed = false;
        let mut i = 0;
        while i < self.vacancies.len() {
            if self.vacancies[i].0 <= t {
                let (_, slot) = self.vacancies.remove(i);
                let spec = world.org_spec.clone();
                world.org.replace(slot, t, &spec, Hire::Experienced);
                changed = true;
            } else {
                i += 1;
            }
        }
        while self.next_drift < self.drift_steps.len() && self.drift_steps[self.next_drift] <= t {
            let step = self.drift_steps[self.next_drift];
            self.next_drift += 1;
            let mut r = rng::stream(self.seed, Purpose::Turbulence, &[DRIFT, u64::from(step)]);
            world.land.redraw(self.drift.fraction, &mut r);
            world.landscape_changed();
            changed = true;
        }
        let first_shock = self.shocks.len();
        while self.next < self.firings.len() && self.firings[self.next].step <= t {
            let f = self.firings[self.next];
            self.next += 1;
            changed = true;
            match f.phase {
                Phase::End => self.end(f, world, model),
                Phase::Start | Phase::Pulse => {
                    self.lost = f64::NAN;
                    self.start(f, world, model);
                    if self.events[f.event].measure {
                        self.shocks.push(ShockRecord {
                            event: f.event,
                            step: t,
                            after: f64::NAN,
                            capacity_lost: self.lost,
                        });
                    }
                }
            }
        }
        if changed {
            self.set_conditions(world);
            let after = world.land.performance(world.config);
            for s in &mut self.shocks[first_shock..] {
                s.after = after;
            }
        }
        changed
    }

    fn event_rng(&self, purpose: Purpose, f: &Firing) -> SimRng {
        rng::stream(
            self.seed,
            purpose,
            &[
                f.event as u64,
                f.step as u64,
                f.phase as u64,
                f.instance as u64,
            ],
        )
    }

    fn start(&mut self, f: Firing, world: &mut World, model: &mut Box<dyn LeadershipModel>) {
        let kind = self.events[f.event].kind.clone();
        let mut window = Window {
            event: f.event,
            instance: f.instance,
            ties: Vec::new(),
        };
        match &kind {
            EventKind::LandscapeShock { fraction } => self.redraw(world, *fraction, &f),
            EventKind::Turbulence { fraction, .. } => {
                if f.phase == Phase::Pulse {
                    // A small shock inside a turbulence window, not the window itself.
                    self.redraw(world, *fraction, &f);
                    return;
                }
            }
            EventKind::LeaderLoss {
                count,
                select,
                vacancy,
            } => self.leader_loss(world, model.as_ref(), *count, *select, *vacancy),
            EventKind::Turnover { fraction } => self.turnover(world, *fraction, &f),
            EventKind::NetworkDisruption { fraction, .. } => {
                self.cut_ties(world, *fraction, &f, &mut window.ties)
            }
            EventKind::Growth { members, ties } => self.grow(world, *members, *ties, &f),
            EventKind::Reorg { config, .. } => {
                let fresh = config.build(world);
                self.switch(world, model, fresh);
            }
            EventKind::CrossFunctional { ties } => {
                self.tie_across(world, *ties, &f, &mut window.ties)
            }
            // Conditions in force only: `set_conditions` reads them from the windows.
            EventKind::Crisis { .. } | EventKind::Mentoring { .. } | EventKind::TeamDecisions => {}
        }
        if kind.event_type().lasting {
            self.windows.push(window);
        }
    }

    /// Re-draws `fraction` of the landscape's tables (a market shock, or a turbulence pulse).
    fn redraw(&self, world: &mut World, fraction: f64, f: &Firing) {
        world
            .land
            .redraw(fraction, &mut self.event_rng(Purpose::Turbulence, f));
        world.landscape_changed();
    }

    /// The `count` leaders ranked first by `select` leave; their seats are filled by
    /// experienced replacements after `vacancy` steps.
    fn leader_loss(
        &mut self,
        world: &mut World,
        model: &dyn LeadershipModel,
        count: usize,
        select: LeaderRank,
        vacancy: u32,
    ) {
        let t = world.t;
        let mut leaders = model.leader_capacity();
        let mut total = 0.0;
        model.each_desk(&mut |d| total += d.capacity);
        let org = &world.org;
        match select {
            LeaderRank::Central => {
                leaders.sort_by_key(|&(s, _)| (std::cmp::Reverse(org.network.degree(s)), s))
            }
            LeaderRank::Deciding => {
                leaders.sort_by_key(|&(s, _)| (std::cmp::Reverse(org.decided[s]), s))
            }
            LeaderRank::Capacity => leaders.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))),
        }
        let lost: f64 = leaders.iter().take(count).map(|l| l.1).sum();
        self.lost = if total > 0.0 { lost / total } else { 0.0 };
        for &(slot, _) in leaders.iter().take(count) {
            // A vacancy beyond the horizon leaves the slot empty to the end.
            let until = t.saturating_add(vacancy);
            world.org.vacate(slot, until);
            world.tally.departures += 1;
            if vacancy == 0 {
                let spec = world.org_spec.clone();
                world.org.replace(slot, t, &spec, Hire::Experienced);
            } else {
                self.vacancies.push((until, slot));
            }
        }
    }

    /// `fraction` of the active members, chosen uniformly, are replaced at once: by newcomers,
    /// and the formal leader (if chosen) by an experienced hire, under every model alike.
    fn turnover(&mut self, world: &mut World, fraction: f64, f: &Firing) {
        let eligible: Vec<usize> = (0..world.org.slots())
            .filter(|&s| world.org.active[s])
            .collect();
        let k = (fraction * eligible.len() as f64).round() as usize;
        let mut r = self.event_rng(Purpose::Events, f);
        rng::choose_distinct(
            &mut r,
            eligible.len(),
            k,
            &mut self.scratch,
            &mut self.picked,
        );
        let spec = world.org_spec.clone();
        for &i in &self.picked {
            let slot = eligible[i];
            let hire = if slot == 0 {
                Hire::Experienced
            } else {
                Hire::Newcomer
            };
            world.org.replace(slot, world.t, &spec, hire);
        }
        world.tally.departures += k as u32;
    }

    /// Cuts `fraction` of the informal ties, remembered in `cut` to restore them at the end.
    fn cut_ties(
        &mut self,
        world: &mut World,
        fraction: f64,
        f: &Firing,
        cut: &mut Vec<(u32, u32)>,
    ) {
        let edges = world.org.network.edges();
        let k = (fraction * edges.len() as f64).round() as usize;
        let mut r = self.event_rng(Purpose::Events, f);
        rng::choose_distinct(&mut r, edges.len(), k, &mut self.scratch, &mut self.picked);
        cut.reserve_exact(k);
        cut.extend(self.picked.iter().map(|&i| edges[i]));
        drop(edges);
        // In bulk: cutting most ties of a dense network one by one takes hours.
        world.org.network.remove_edges(cut);
    }

    /// `members` newcomers join, round-robin over the domains, each tied to `ties` colleagues.
    fn grow(&self, world: &mut World, members: usize, ties: usize, f: &Firing) {
        let mut r = self.event_rng(Purpose::Events, f);
        let spec = world.org_spec.clone();
        for _ in 0..members {
            let domain = world.org.slots() % world.org.domains;
            world.org.grow(domain, world.t, &spec, ties, &mut r);
        }
        world.fit_slots();
    }

    /// Adds up to `ties` ties between members of different domains, remembered in `added` to
    /// remove them at the end.
    fn tie_across(&self, world: &mut World, ties: usize, f: &Firing, added: &mut Vec<(u32, u32)>) {
        let mut r = self.event_rng(Purpose::Events, f);
        let n = world.org.slots();
        // No more ties than there are pairs across domains, so the attempts stay
        // proportional to what can be added.
        let mut per_domain = vec![0u64; world.org.domains];
        for s in (0..n).filter(|&s| world.org.active[s]) {
            per_domain[world.org.domain[s] as usize] += 1;
        }
        let active: u64 = per_domain.iter().sum();
        let same: u64 = per_domain.iter().map(|c| c * c).sum();
        let cross_pairs = ((active * active - same) / 2) as usize;
        let ties = ties.min(cross_pairs);
        let mut attempts = 0usize;
        while added.len() < ties && attempts < 100 * ties + 100 {
            attempts += 1;
            let a = rng::below(&mut r, n);
            let b = rng::below(&mut r, n);
            let org = &mut world.org;
            if org.active[a]
                && org.active[b]
                && org.domain[a] != org.domain[b]
                && org.network.add_edge(a, b)
            {
                added.push((a.min(b) as u32, a.max(b) as u32));
            }
        }
    }

    fn end(&mut self, f: Firing, world: &mut World, model: &mut Box<dyn LeadershipModel>) {
        let Some(pos) = self
            .windows
            .iter()
            .position(|w| w.event == f.event && w.instance == f.instance)
        else {
            return;
        };
        let window = self.windows.remove(pos);
        match &self.events[f.event].kind {
            EventKind::NetworkDisruption { .. } => world.org.network.add_edges(&window.ties),
            EventKind::CrossFunctional { .. } => world.org.network.remove_edges(&window.ties),
            EventKind::Reorg { .. } => {
                // Back to the model of the latest reorg still in force, or the run's own.
                let config = self
                    .windows
                    .iter()
                    .rev()
                    .find_map(|w| match &self.events[w.event].kind {
                        EventKind::Reorg { config, .. } => Some(config.clone()),
                        _ => None,
                    })
                    .unwrap_or_else(|| self.home.clone());
                let fresh = config.build(world);
                self.switch(world, model, fresh);
            }
            _ => {}
        }
    }

    /// Replaces the model, handing every waiting proposal to the new one.
    fn switch(
        &mut self,
        world: &mut World,
        model: &mut Box<dyn LeadershipModel>,
        fresh: Box<dyn LeadershipModel>,
    ) {
        self.drained.clear();
        model.drain(&mut self.drained);
        *model = fresh;
        model.begin_step(world);
        for p in self.drained.drain(..) {
            model.submit(p, world);
        }
    }

    /// Derives this step's conditions from the changes in force.
    fn set_conditions(&self, world: &mut World) {
        let mut c = crate::world::Conditions::default();
        let mut mentor: Option<f64> = None;
        for w in &self.windows {
            match &self.events[w.event].kind {
                EventKind::Crisis { capacity, deadline } => {
                    c.capacity_factor *= capacity;
                    if let Some(d) = deadline {
                        c.deadline = Some(c.deadline.map_or(*d, |x| x.min(*d)));
                    }
                }
                EventKind::NetworkDisruption { extra_delay, .. } => c.extra_delay += extra_delay,
                EventKind::TeamDecisions => c.team_decisions = true,
                EventKind::Mentoring { rate } => {
                    mentor = Some(mentor.map_or(*rate, |m| m.max(*rate)))
                }
                _ => {}
            }
        }
        world.conditions = c;
        world.behaviour.mentor = mentor.unwrap_or(self.base_mentor);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::EventSpec;
    use crate::landscape::Config;
    use crate::scenario::Scenario;

    fn scenario(events: &str) -> Scenario {
        Scenario::from_text(
            &format!(
                "steps = 40\n[landscape]\nn = 10\nk = 3\n[organization]\nmembers = 20\ndomains = 4\n[behaviour.engagement]\nleave_rate = 0\n[[models]]\nkind = \"centralized\"\n[[models]]\nkind = \"shared\"\n{events}"
            ),
            "t.toml",
        )
        .unwrap()
    }

    fn brute_max(world: &World) -> f64 {
        (0..1u64 << world.land.n())
            .map(|c| world.land.fitness(Config(c)))
            .fold(f64::MIN, f64::max)
    }

    #[test]
    fn events_describe_what_they_do_and_when() {
        let s = scenario(
            "[[events]]\nkind = \"landscape_shock\"\nname = \"market\"\nat = [10, 20]\nfraction = 0.4\n[[events]]\nkind = \"crisis\"\nat = 5\nduration = 8\ncapacity = 0.5\nonly = [\"shared\"]\n[[events]]\nkind = \"turnover\"\nhazard = 0.01\nfrom = 3\nto = 30\nfraction = 0.1\nmeasure = false\n[[events]]\nkind = \"team_decisions\"\nat = 2\n",
        );
        let lines: Vec<String> = s.events.iter().map(EventSpec::describe).collect();
        assert_eq!(
            lines,
            [
                "market: landscape_shock (fraction = 0.4) at steps 10, 20; a measured shock",
                "crisis: crisis (capacity = 0.5) at step 5, lasting 8 steps, only for shared; a measured shock",
                "turnover: turnover (fraction = 0.1) with probability 0.01 at each step from 3 to 30",
                "team_decisions: team_decisions at step 2, to the end of the run",
            ]
        );
    }

    /// Applies the events of `s` up to step `until` to a fresh world of model `m`.
    fn play(s: &Scenario, m: usize, until: u32) -> (World, Timeline) {
        let mut world = crate::sim::build_world(s, 5);
        let mut model = s.models[m].config.build(&world);
        let entry = &s.models[m];
        let mut tl = Timeline::new(
            &s.events,
            &entry.name,
            entry.config.clone(),
            s.steps,
            5,
            0.002,
            s.drift,
        );
        for t in 1..=until {
            world.begin_step(t);
            tl.apply(&mut world, &mut model);
            model.begin_step(&mut world);
        }
        (world, tl)
    }

    #[test]
    fn a_shock_of_fraction_zero_changes_nothing() {
        let s = scenario("[[events]]\nkind = \"landscape_shock\"\nat = 3\nfraction = 0.0\n");
        let (before, _) = play(&s, 0, 2);
        let (after, tl) = play(&s, 0, 3);
        assert_eq!(after.land.global_max(), before.land.global_max());
        assert_eq!(
            after.land.performance(after.config),
            before.land.performance(before.config)
        );
        assert_eq!(tl.shocks.len(), 1);
        assert_eq!(tl.shocks[0].after, before.land.performance(before.config));
    }

    #[test]
    fn a_full_shock_renormalizes_against_the_new_maximum() {
        let s = scenario("[[events]]\nkind = \"landscape_shock\"\nat = 3\nfraction = 1.0\n");
        let (before, _) = play(&s, 0, 2);
        let (after, tl) = play(&s, 0, 3);
        assert_eq!(
            after.config, before.config,
            "the configuration is unchanged"
        );
        let c = after.config;
        assert_ne!(
            after.land.fitness(c),
            before.land.fitness(c),
            "the landscape is new"
        );
        assert_eq!(after.land.global_max(), brute_max(&after));
        let p = after.land.fitness(c) / brute_max(&after);
        assert!((after.land.performance(c) - p).abs() < 1e-15);
        assert_eq!(tl.shocks[0].after, after.land.performance(c));
    }

    #[test]
    fn events_meet_every_model_at_the_same_steps_and_members() {
        let s = scenario(
            "[[events]]\nkind = \"turnover\"\nhazard = 0.2\nfraction = 0.3\n[[events]]\nkind = \"turbulence\"\nprobability = 0.3\nmeasure = true\n",
        );
        let (w0, t0) = play(&s, 0, 40);
        let (w1, t1) = play(&s, 1, 40);
        assert!(!t0.firing_steps().is_empty());
        assert_eq!(t0.firing_steps(), t1.firing_steps());
        assert_eq!(
            t0.shocks
                .iter()
                .map(|x| (x.event, x.step))
                .collect::<Vec<_>>(),
            t1.shocks
                .iter()
                .map(|x| (x.event, x.step))
                .collect::<Vec<_>>()
        );
        // The same members (by id) left and the same newcomers arrived.
        assert_eq!(w0.org.id, w1.org.id);
        assert_eq!(w0.org.joined, w1.org.joined);
        assert_ne!(
            w0.org.id,
            (0..20).collect::<Vec<u32>>(),
            "turnover happened"
        );
        assert_eq!(
            w0.land.global_max(),
            w1.land.global_max(),
            "same turbulence"
        );
    }

    #[test]
    fn leader_loss_empties_the_seat_until_the_replacement_arrives() {
        let s = scenario("[[events]]\nkind = \"leader_loss\"\nat = 5\nvacancy = 10\n");
        let (w, _) = play(&s, 0, 5);
        assert!(!w.org.active[0], "the central leader is gone");
        let (w, _) = play(&s, 0, 14);
        assert!(!w.org.active[0]);
        let (w, _) = play(&s, 0, 15);
        assert!(w.org.active[0], "replaced after the vacancy");
        assert_eq!(w.org.joined[0], 15);
    }

    #[test]
    fn a_leader_loss_records_the_share_of_capacity_it_took() {
        // One leader: all of the centralized model's capacity, a quarter of four domain leads'.
        for (select, m, share) in [
            ("central", 0, 1.0),
            ("capacity", 1, 0.25),
            ("deciding", 1, 0.25),
        ] {
            let s = scenario(&format!(
                "[[events]]\nkind = \"leader_loss\"\nat = 5\nselect = \"{select}\"\n"
            ));
            let (_, tl) = play(&s, m, 5);
            assert_eq!(tl.shocks.len(), 1);
            assert!(
                (tl.shocks[0].capacity_lost - share).abs() < 1e-12,
                "{select}, model {m}: {}",
                tl.shocks[0].capacity_lost
            );
        }
        // Other shocks take no leader.
        let s = scenario("[[events]]\nkind = \"landscape_shock\"\nat = 5\n");
        let (_, tl) = play(&s, 1, 5);
        assert!(tl.shocks[0].capacity_lost.is_nan());
    }

    #[test]
    fn turnover_replaces_the_formal_leader_with_an_experienced_hire() {
        // Everyone leaves: slot 0 is refilled with the leader's expertise and an incumbent's
        // skill, the others with newcomers'.
        let mut s = scenario("[[events]]\nkind = \"turnover\"\nat = 3\nfraction = 1.0\n");
        let o = &mut s.organization;
        o.expertise_leader = crate::params::Dist::Constant(0.9);
        o.expertise_newcomer = crate::params::Dist::Constant(0.1);
        o.skill = crate::params::Dist::Constant(0.4);
        o.skill_newcomer = crate::params::Dist::Constant(0.05);
        let (w, _) = play(&s, 0, 3);
        assert_eq!(w.org.joined[0], 3);
        assert_eq!(w.org.expertise(0, 5), 0.9, "a leader's expertise");
        assert_eq!(w.org.skill[0], 0.4, "an incumbent's skill");
        assert_eq!(w.org.skill[1], 0.05, "a newcomer's skill");
    }

    #[test]
    fn without_shocks_drops_only_the_measured_events() {
        let s = scenario(
            "[[events]]\nkind = \"landscape_shock\"\nat = 5\n[[events]]\nkind = \"mentoring\"\nat = 2\nuntil = 9\nrate = 0.3\n",
        );
        let mut world = crate::sim::build_world(&s, 5);
        let mut model = s.models[0].config.build(&world);
        let entry = &s.models[0];
        let mut tl = Timeline::new(
            &s.events,
            &entry.name,
            entry.config.clone(),
            s.steps,
            5,
            0.002,
            s.drift,
        )
        .without_shocks();
        for t in 1..=6 {
            world.begin_step(t);
            tl.apply(&mut world, &mut model);
        }
        assert!(tl.shocks.is_empty(), "the market shock is gone");
        assert_eq!(
            world.behaviour.mentor, 0.3,
            "the intervention is not a shock: kept"
        );
    }

    #[test]
    fn lasting_changes_are_undone_when_they_end() {
        let s = scenario(
            "[[events]]\nkind = \"network_disruption\"\nat = 2\nuntil = 6\nfraction = 0.5\nextra_delay = 3\n[[events]]\nkind = \"crisis\"\nat = 2\nduration = 4\ncapacity = 0.25\ndeadline = 3\n[[events]]\nkind = \"team_decisions\"\nat = 3\nuntil = 5\n[[events]]\nkind = \"mentoring\"\nat = 2\nuntil = 4\nrate = 0.5\n[[events]]\nkind = \"cross_functional\"\nat = 2\nuntil = 6\nties = 5\n",
        );
        let (start, _) = play(&s, 0, 1);
        let (mid, _) = play(&s, 0, 3);
        assert_eq!(mid.conditions.capacity_factor, 0.25);
        assert_eq!(mid.conditions.deadline, Some(3));
        assert_eq!(mid.conditions.extra_delay, 3);
        assert!(mid.conditions.team_decisions);
        assert_eq!(mid.behaviour.mentor, 0.5);
        assert_ne!(mid.org.network, start.org.network);
        let (end, _) = play(&s, 0, 6);
        assert_eq!(end.conditions, crate::world::Conditions::default());
        assert_eq!(end.behaviour.mentor, 0.002);
        assert_eq!(
            end.org.network, start.org.network,
            "ties restored, project ties removed"
        );
    }

    #[test]
    fn growth_adds_members_and_reorg_switches_model() {
        let s = scenario(
            "[[events]]\nkind = \"growth\"\nat = 2\nmembers = 6\n[[events]]\nkind = \"reorg\"\nat = 3\nuntil = 5\nmodel = \"shared\"\nonly = [\"centralized\"]\n",
        );
        let (w, _) = play(&s, 0, 2);
        assert_eq!(w.org.active_count(), 26);
        assert_eq!(w.feedback.len(), 26);
        let mut world = crate::sim::build_world(&s, 5);
        let mut model = s.models[0].config.build(&world);
        let mut tl = Timeline::new(
            &s.events,
            "centralized",
            s.models[0].config.clone(),
            s.steps,
            5,
            0.002,
            s.drift,
        );
        let mut leads = Vec::new();
        for t in 1..=5 {
            world.begin_step(t);
            tl.apply(&mut world, &mut model);
            model.begin_step(&mut world);
            leads.push(model.leaders().len());
        }
        assert_eq!(
            leads,
            vec![1, 1, 4, 4, 1],
            "shared for steps 3 and 4, centralized again at 5"
        );
        let other = Timeline::new(
            &s.events,
            "shared",
            s.models[1].config.clone(),
            s.steps,
            5,
            0.002,
            s.drift,
        );
        assert!(
            other.firing_steps().iter().all(|&(_, e)| e == 0),
            "reorg only meets the listed model"
        );
    }
}
