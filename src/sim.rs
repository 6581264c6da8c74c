//! One run: a world, one leadership model, `steps` steps, observed by a [`Recorder`].
//!
//! The order of a step (ODD "process overview and scheduling"):
//! 1. tallies are cleared;
//! 2. events due at the step are applied ([`Timeline`]);
//! 3. the leadership model starts its step (elections, empty seats);
//! 4. members act in slot order: each draws its fixed set of random numbers; an active member
//!    may propose (participation), builds the proposal, screens it, and submits it to the model;
//! 5. the model decides within its capacities (adoptions change the configuration at once);
//! 6. members update: engagement, skill (practice, mentoring), and disengaged members leave and
//!    are replaced by newcomers;
//! 7. the recorder observes.
//!
//! Common random numbers: a run's world streams are derived from its *world seed* only, so every
//! model run with the same world seed gets the same landscape, members, networks, initial
//! configuration and member draws. Only the model's own stream (evaluation noise of its decision
//! makers) is derived from the model's position in the scenario as well.

use crate::behaviour::{self, DRAWS, Draws};
use crate::events::{ShockRecord, Timeline};
use crate::landscape::{Config, Landscape};
use crate::leadership::LeadershipModel;
use crate::metrics::Recorder;
use crate::org::Organization;
use crate::rng::{self, Purpose, SimRng};
use crate::scenario::Scenario;
use crate::world::{Proposal, World};
use rand::RngExt;
use std::sync::atomic::{AtomicBool, Ordering};

/// The streams and state every model of a replicate shares, built from the world seed.
pub fn build_world(s: &Scenario, world_seed: u64) -> World {
    let land = Landscape::generate(
        &s.landscape,
        &mut rng::stream(world_seed, Purpose::Landscape, &[0]),
    )
    .expect("validated landscape");
    let config = Config::random(
        s.landscape.n,
        &mut rng::stream(world_seed, Purpose::Landscape, &[1]),
    );
    let org = Organization::build(&s.organization, s.landscape.n, world_seed);
    World::new(
        land,
        config,
        org,
        s.organization.clone(),
        s.behaviour,
        noise_key(world_seed),
        s.window,
    )
}

/// The key of a run's evaluation noise: the world seed's alone, so every model of a replicate,
/// wherever it stands in the scenario, meets the same noise for the same judgement.
pub fn noise_key(world_seed: u64) -> u64 {
    rng::derive_seed(world_seed, &[Purpose::Decisions.code()])
}

/// What one run observed: the recorder's rows and summary, performance at every step and the
/// shocks met (index into the scenario's events).
#[derive(Debug)]
pub struct RunOutput {
    /// The metrics recorded: the kept time-series rows and the run's summary.
    pub recorder: Recorder,
    /// Performance at the end of every step (index 0: the initial state).
    pub performance: Vec<f64>,
    /// Shocks met, with the events they came from.
    pub shocks: Vec<ShockRecord>,
}

/// Runs model `model_index` of `s` on the world of `world_seed`.
pub fn run(s: &Scenario, model_index: usize, world_seed: u64) -> RunOutput {
    run_until(s, model_index, world_seed, &AtomicBool::new(false))
        .expect("a flag nobody sets never stops the run")
}

/// How many steps pass between two looks at the stop flag: often enough that Ctrl-C stops a
/// long run within a fraction of a second, rarely enough to cost nothing in the step loop.
const STOP_CHECK_STEPS: u32 = 256;

/// [`run`], abandoned (returning `None`) when `stop` is set: a run of a large organization over
/// many steps can take minutes, and an interrupted sweep must not wait for it to finish.
pub fn run_until(
    s: &Scenario,
    model_index: usize,
    world_seed: u64,
    stop: &AtomicBool,
) -> Option<RunOutput> {
    run_with(s, model_index, world_seed, stop, false)
}

/// The counterfactual twin of a run of model `model_index` on the world of `world_seed`: the
/// same run without its measured events (docs/ODD.md §7.6); `None` when `stop` was set.
pub fn run_twin(
    s: &Scenario,
    model_index: usize,
    world_seed: u64,
    stop: &AtomicBool,
) -> Option<RunOutput> {
    run_with(s, model_index, world_seed, stop, true)
}

fn run_with(
    s: &Scenario,
    model_index: usize,
    world_seed: u64,
    stop: &AtomicBool,
    twin: bool,
) -> Option<RunOutput> {
    let mut world = build_world(s, world_seed);
    let mut model = s.models[model_index].config.build(&world);
    let mut recorder = Recorder::new(s.window as usize, s.every, s.steps, world.org.slots());
    let mut behaviour_rng = rng::stream(world_seed, Purpose::Behaviour, &[]);
    let mut draws: Vec<Draws> = vec![[0; DRAWS]; world.org.slots()];
    let mut climate = Vec::with_capacity(world.org.domains);
    let entry = &s.models[model_index];
    let mut timeline = Timeline::new(
        &s.events,
        &entry.name,
        entry.config.clone(),
        s.steps,
        world_seed,
        s.behaviour.mentor,
        s.drift,
    );
    if twin {
        timeline = timeline.without_shocks();
    }
    let mut performance = Vec::with_capacity(s.steps as usize + 1);
    recorder.observe(&world);
    performance.push(world.land.performance(world.config));
    for t in 1..=s.steps {
        if t % STOP_CHECK_STEPS == 0 && stop.load(Ordering::Relaxed) {
            return None;
        }
        world.begin_step(t);
        timeline.apply(&mut world, &mut model);
        step(
            &mut world,
            model.as_mut(),
            &mut behaviour_rng,
            &mut draws,
            &mut climate,
        );
        recorder.observe(&world);
        performance.push(world.land.performance(world.config));
    }
    Some(RunOutput {
        recorder,
        performance,
        shocks: timeline.shocks,
    })
}

/// One step of the world under `model`, after `world.begin_step` and the step's events.
/// `draws` and `climate` are buffers kept between steps.
pub fn step(
    world: &mut World,
    model: &mut dyn LeadershipModel,
    behaviour_rng: &mut SimRng,
    draws: &mut Vec<Draws>,
    climate: &mut Vec<(f64, u32)>,
) {
    // Events may have changed ties: lay them out for fast reading again (no-op otherwise).
    world.org.network.freeze();
    model.begin_step(world);
    members_act(world, model, behaviour_rng, draws);
    model.decide(world);
    model.mark_overload(world);
    members_update(world, draws, climate);
}

fn members_act(
    world: &mut World,
    model: &mut dyn LeadershipModel,
    behaviour_rng: &mut SimRng,
    draws: &mut Vec<Draws>,
) {
    let slots = world.org.slots();
    draws.resize(slots, [0; DRAWS]);
    world.trust_factor.resize(slots, (f64::NAN, f64::NAN));
    let params = world.behaviour;
    // Under `search = "leaders"` only decision makers generate alternatives.
    let propose = model.members_propose();
    // Every slot consumes its draws, acting or not, to keep streams aligned across models.
    // Nothing else draws from this stream during the loop, so all of them are drawn at once
    // before it, in slot order: `fill` makes each u64 of two consecutive words, low first, as
    // `next_u64` does, so the values are the same (test `filling_draws_equals_drawing_them`),
    // copied block by block instead of a buffer check per draw.
    behaviour_rng.fill(draws.as_flattened_mut());
    for (slot, d) in draws.iter().enumerate() {
        if !propose || !world.org.active[slot] {
            continue;
        }
        let org = &world.org;
        let domain = org.domain[slot] as usize;
        let voice = params.voice.factor(org.voice[slot]);
        // The factor is a power of the member's trust, which changes only when a decision
        // touches it: recomputed only then (the same value bit for bit).
        let t = org.trust.member(slot, domain);
        let memo = &mut world.trust_factor[slot];
        if memo.0.to_bits() != t.to_bits() {
            *memo = (t, params.trust.participation_factor(t));
        }
        let trust = memo.1;
        if !behaviour::participates(&params, org.engagement[slot], voice * trust, d) {
            continue;
        }
        let intent = behaviour::intent(&params, org, slot, world.config, voice, d);
        let flip = behaviour::flips(&intent.idea, world.config);
        if flip == 0 {
            continue;
        }
        if params.screen {
            let own = behaviour::screen_draw(d);
            if world.screening(slot, intent.idea.mask, intent.idea.values, own) <= 0.0 {
                continue;
            }
        }
        world.tally.proposals += 1;
        world.proposals[slot] = world.proposals[slot].saturating_add(1);
        world.org.idea[slot] = intent.idea;
        world.org.practise(slot, flip, params.practice);
        let own = world.org.domain[slot];
        let p = Proposal {
            mask: intent.idea.mask,
            values: intent.idea.values,
            proposer: slot as u32,
            proposer_id: world.org.id[slot],
            created: world.t,
            home: world.home_domain(flip, own),
            radical: intent.kind == behaviour::ProposalKind::Radical,
            route: behaviour::route_draw(d),
        };
        model.submit(p, world);
    }
}

/// Engagement, skill and leaving, from what each member did or experienced this step
/// (docs/ODD.md §7.2): nothing here asks who holds a seat.
fn members_update(world: &mut World, draws: &[Draws], climate: &mut Vec<(f64, u32)>) {
    let params = world.behaviour;
    let t = world.t;
    team_climate(world, climate);
    // Who could mentor this step: active members who decided within the last `recent` steps.
    let slots = world.org.slots();
    let mut mentors = std::mem::take(&mut world.mentor_bits);
    mentors.clear();
    mentors.resize(slots.div_ceil(64), 0);
    let mut any_mentor = false;
    for s in 0..slots {
        let last = world.org.last_decided[s];
        if world.org.active[s] && last != u32::MAX && t - last < params.recent {
            mentors[s >> 6] |= 1 << (s & 63);
            any_mentor = true;
        }
    }
    for (slot, d) in draws.iter().enumerate().take(slots) {
        if !world.org.active[slot] {
            continue;
        }
        let mut f = world.feedback[slot];
        let reviews = world.reviews[slot] - world.consults[slot];
        f.decided = f64::from(reviews) + world.consult_effort[slot];
        let org = &mut world.org;
        org.engagement[slot] =
            behaviour::next_engagement(&params, org.engagement[slot], org.baseline[slot], &f);
        org.skill[slot] = behaviour::practised_skill(
            &params,
            org.skill[slot],
            reviews,
            world.consult_effort[slot],
            world.votes[slot],
        );
        // Mentors: tied members who made a decision within the last `recent` steps (looked up
        // in a bitset of this step's possible mentors, which stays in cache).
        let mut mentor = 0.0f64;
        if any_mentor {
            for &nb in org.network.neighbours(slot) {
                let nb = nb as usize;
                if (mentors[nb >> 6] >> (nb & 63)) & 1 == 1 {
                    mentor = mentor.max(org.skill[nb]);
                }
            }
        }
        org.skill[slot] = behaviour::mentored(&params, org.skill[slot], mentor);
        // Voice: what happened to one's voice, and the team's climate.
        if params.voice.is_on() {
            let mean = climate[org.domain[slot] as usize].0;
            let outcomes = crate::voice::Outcomes {
                adopted: f.adopted,
                rejected: f.rejected,
                expired: f.expired,
                overruled: f.overruled,
            };
            org.voice[slot] = params.voice.next(org.voice[slot], outcomes, mean);
        }
        org.together[slot] += 1.0;
        if behaviour::leaves(&params, org.engagement[slot], d) {
            // The formal leader's slot is refilled from outside with a leader's expertise, as
            // after a leader loss without vacancy, under every model alike.
            let hire = if slot == 0 {
                crate::org::Hire::Experienced
            } else {
                crate::org::Hire::Newcomer
            };
            let spec = world.org_spec.clone();
            world.org.replace(slot, world.t, &spec, hire);
            world.tally.departures += 1;
            // The newcomer has decided nothing: no mentor for the members after it.
            mentors[slot >> 6] &= !(1 << (slot & 63));
        }
    }
    world.mentor_bits = mentors;
    world.org.grants.decay();
}

/// Each team's voice climate before this step's updates: `(mean expectancy, members)`. The
/// mean is divided out once per team here rather than once per member in the update loop (the
/// same division of the same sum: the same bits).
fn team_climate(world: &World, climate: &mut Vec<(f64, u32)>) {
    climate.clear();
    climate.resize(world.org.domains, (0.0, 0));
    if !world.behaviour.voice.is_on() {
        return;
    }
    for s in (0..world.org.slots()).filter(|&s| world.org.active[s]) {
        let c = &mut climate[world.org.domain[s] as usize];
        c.0 += world.org.voice[s];
        c.1 += 1;
    }
    for c in climate.iter_mut() {
        c.0 /= f64::from(c.1.max(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{Row, index};

    /// Rows as bit patterns, so NaN (NA) cells compare equal.
    fn bits(rows: &[(u32, Row)]) -> Vec<(u32, Vec<u64>)> {
        rows.iter()
            .map(|(t, r)| (*t, r.iter().map(|x| x.to_bits()).collect()))
            .collect()
    }

    fn scenario(extra: &str) -> Scenario {
        Scenario::from_text(
            &format!(
                "steps = 60\n[organization]\nmembers = 16\n{extra}\n[[models]]\nkind = \"centralized\"\n[[models]]\nkind = \"shared\"\n[[models]]\nkind = \"hybrid\"\n"
            ),
            "t.toml",
        )
        .unwrap()
    }

    #[test]
    fn a_set_stop_flag_abandons_a_long_run_and_an_unset_one_changes_nothing() {
        let long = Scenario::from_text(
            "steps = 600\n[organization]\nmembers = 8\n[[models]]\nkind = \"shared\"\n",
            "t.toml",
        )
        .unwrap();
        assert!(run_until(&long, 0, 7, &AtomicBool::new(true)).is_none());
        let free = run_until(&long, 0, 7, &AtomicBool::new(false)).unwrap();
        assert!(bits(&free.recorder.rows) == bits(&run(&long, 0, 7).recorder.rows));
        // A run shorter than one check interval never looks at the flag.
        let short = scenario("");
        assert!(run_until(&short, 0, 7, &AtomicBool::new(true)).is_some());
    }

    #[test]
    fn runs_are_reproducible_and_performance_stays_in_range() {
        let s = scenario("");
        for m in 0..3 {
            let a = run(&s, m, 42);
            let b = run(&s, m, 42);
            assert!(bits(&a.recorder.rows) == bits(&b.recorder.rows));
            let perf = index("performance").unwrap();
            for (_, row) in &a.recorder.rows {
                assert!((0.0..=1.0).contains(&row[perf]));
            }
        }
    }

    #[test]
    fn every_model_starts_from_the_same_world() {
        let s = scenario("");
        let rows: Vec<_> = (0..3)
            .map(|m| bits(&run(&s, m, 9).recorder.rows[..1]))
            .collect();
        assert!(rows[0] == rows[1] && rows[0] == rows[2]);
        let worlds: Vec<World> = (0..3).map(|_| build_world(&s, 9)).collect();
        for w in &worlds[1..] {
            assert_eq!(w.config, worlds[0].config);
            assert_eq!(w.org.expertise, worlds[0].org.expertise);
            assert_eq!(w.org.network, worlds[0].org.network);
            assert_eq!(w.land.global_max(), worlds[0].land.global_max());
        }
    }

    #[test]
    fn filling_draws_equals_drawing_them() {
        use rand::Rng;
        // From every offset within a block (and across block ends), for several slot counts.
        for skip in 0..70 {
            for slots in [1, 3, 17, 50] {
                let mut a = rng::stream(5, Purpose::Behaviour, &[]);
                for _ in 0..skip {
                    a.next_u32();
                }
                let mut b = a.clone();
                let mut filled = vec![[0u64; DRAWS]; slots];
                a.fill(filled.as_flattened_mut());
                let drawn: Vec<Draws> = (0..slots)
                    .map(|_| std::array::from_fn(|_| b.next_u64()))
                    .collect();
                assert_eq!(filled, drawn);
                assert_eq!(a.next_u64(), b.next_u64(), "the streams go on alike");
            }
        }
    }

    #[test]
    fn the_centralized_model_has_one_decision_maker() {
        let s = scenario("");
        let out = run(&s, 0, 3);
        let dm = index("decision_makers").unwrap();
        assert!(out.recorder.rows.iter().all(|(_, r)| r[dm] <= 1.0));
        assert!(out.recorder.rows.iter().any(|(_, r)| r[dm] == 1.0));
    }
}
