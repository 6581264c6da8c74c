//! The literature's mechanisms (docs/ODD.md §7.2–7.3) at work in whole runs: each moves the
//! way its rule says, and its switch turns it off. (The rules themselves are unit-tested beside
//! them: `src/voice.rs`, `src/trust.rs`, `src/influence.rs`, `src/cognition.rs`,
//! `src/bounded.rs`; correlated errors are measured on the draws in `src/world.rs`.)

use leadsim::metrics::index;
use leadsim::scenario::Scenario;
use leadsim::sim;

const WORLD: &str = "seed = 11\nsteps = 150\n[landscape]\nn = 10\nk = 3\n[organization]\nmembers = 30\ndomains = 3\n";

const MODELS: &str = "[[models]]\nkind = \"centralized\"\n[[models]]\nkind = \"shared\"\n[[models]]\nkind = \"hybrid\"\n";

fn scenario(text: &str) -> Scenario {
    Scenario::from_text(text, "mechanisms.toml").expect("a valid scenario")
}

/// The per-step values of metric `name` in a run of model `model`.
fn series(s: &Scenario, model: usize, seed: u64, name: &str) -> Vec<f64> {
    let i = index(name).expect("a metric");
    sim::run(s, model, seed)
        .recorder
        .rows
        .iter()
        .map(|(_, r)| r[i])
        .collect()
}

fn total(v: &[f64]) -> f64 {
    v.iter().filter(|x| !x.is_nan()).sum()
}

fn last(v: &[f64]) -> f64 {
    *v.last().expect("a row")
}

/// `[[models]]` of every kind, each with `extra` keys.
fn models_with(extra: &str) -> String {
    ["centralized", "shared", "hybrid"]
        .iter()
        .map(|k| format!("[[models]]\nkind = \"{k}\"\n{extra}"))
        .collect()
}

#[test]
fn members_whose_voice_goes_unheard_fall_silent() {
    // Almost no review capacity: most proposals expire unreviewed, under every model.
    let starved = models_with("review_capacity = 0.05\n");
    let world = WORLD.replace("steps = 150", "steps = 400");
    let on = scenario(&format!("{world}{starved}"));
    let off = scenario(&format!(
        "{world}[behaviour.voice]\nlearning = 0.0\ncontagion = 0.0\n{starved}"
    ));
    for model in 0..3 {
        let voice_on = series(&on, model, 3, "voice");
        let voice_off = series(&off, model, 3, "voice");
        assert!(
            voice_off.iter().all(|&v| v == 0.5),
            "switched off, voice stays at its initial value"
        );
        assert!(last(&voice_on) < 0.48, "model {model}: {}", last(&voice_on));
        // The same members, the same draws: silenced members propose less.
        let proposals = |s: &Scenario| -> f64 {
            (1..=4)
                .map(|seed| total(&series(s, model, seed, "proposals")))
                .sum()
        };
        let (p_on, p_off) = (proposals(&on), proposals(&off));
        assert!(p_on < p_off, "model {model}: {p_on} vs {p_off}");
    }
}

#[test]
fn trust_moves_only_when_switched_on_and_follows_what_decisions_did() {
    let off = scenario(&format!(
        "{WORLD}[behaviour.trust]\ngain = 0.0\nloss = 0.0\n{MODELS}"
    ));
    for model in 0..3 {
        let t = series(&off, model, 5, "trust");
        assert!(
            t.iter().all(|&x| x.is_nan() || x == 0.5),
            "switched off, trust stays at its initial value"
        );
    }
    // With very noisy judgement, decisions often harm the teams they touch, and bad experiences
    // weigh three times the good: trust falls. With exact judgement nothing harms the deciders'
    // own view, and trust of the members a domain lead decides for can only rise.
    let noisy = scenario(&format!("{WORLD}[behaviour]\nnoise = 0.5\n{MODELS}"));
    let exact = scenario(&format!(
        "{WORLD}[behaviour]\nnoise = 0.0\n[[models]]\nkind = \"shared\"\ncoordination = \"none\"\n"
    ));
    for model in 0..3 {
        let t = series(&noisy, model, 5, "trust");
        assert!(last(&t) < 0.5, "model {model}: {}", last(&t));
    }
    let t = series(&exact, 0, 5, "trust");
    assert!(
        t.iter().all(|&x| x.is_nan() || x >= 0.5),
        "exact, local decisions never harm the team that made them"
    );
    assert!(last(&t) > 0.5);
}

#[test]
fn sharedness_is_the_tie_density_until_influence_is_earned() {
    // Without earned grants, the influence network is the informal ties at weight `tie`: its
    // density is tie × 2 × ties / (n (n − 1)), the same in every model.
    let s = scenario(&format!(
        "{WORLD}[organization.network]\nkind = \"ring\"\ndegree = 4\n[behaviour.influence]\ngrant = 0.0\ntie = 0.1\n{MODELS}"
    ));
    let n = 30.0;
    let expected = 0.1 * (2.0 * 60.0) / (n * (n - 1.0));
    for model in 0..3 {
        let v = series(&s, model, 2, "sharedness");
        assert!(v.iter().all(|&x| (x - expected).abs() < 1e-12), "{v:?}");
        // A ring: everyone is relied on alike.
        let c = series(&s, model, 2, "influence_centralization");
        assert!(c.iter().all(|&x| x.abs() < 1e-12));
    }
    // Earned influence is an outcome: it varies between replicates within every model.
    let earned = scenario(&format!("{WORLD}{MODELS}"));
    for model in 0..3 {
        let finals: Vec<f64> = (1..=6)
            .map(|seed| last(&series(&earned, model, seed, "sharedness")))
            .collect();
        assert!(
            finals.iter().all(|&x| x >= expected),
            "earned grants only add"
        );
        let spread = finals.iter().cloned().fold(f64::MIN, f64::max)
            - finals.iter().cloned().fold(f64::MAX, f64::min);
        assert!(spread > 0.0, "model {model}: {finals:?}");
    }
}

#[test]
fn a_backlog_makes_the_same_judge_noisier() {
    // The same centralized organization, one leader with a short queue and one with a long one
    // (the same proposals, a tenth of the capacity): with bounded rationality off the harmful
    // adoptions per review do not depend on the queue; with it on, the long queue judges worse.
    let harmful_per_review = |bounded: &str, capacity: f64| {
        let s = scenario(&format!(
            "{WORLD}[behaviour]\nnoise = 0.2\n{bounded}[[models]]\nkind = \"centralized\"\nreview_capacity = {capacity}\nexpiry = 1000\n"
        ));
        let (mut harmful, mut adoptions) = (0.0, 0.0);
        for seed in 1..=8 {
            harmful += total(&series(&s, 0, seed, "harmful_adoptions"));
            adoptions += total(&series(&s, 0, seed, "adoptions"));
        }
        harmful / adoptions
    };
    let on = "[behaviour.bounded]\nbacklog = 2.0\nbreadth = 0.0\nfading = 0.0\n";
    let off = "[behaviour.bounded]\nbacklog = 0.0\nbreadth = 0.0\nfading = 0.0\n";
    let long_on = harmful_per_review(on, 0.08);
    let short_on = harmful_per_review(on, 5.0);
    let long_off = harmful_per_review(off, 0.08);
    assert!(
        long_on > long_off + 0.02,
        "a long queue judges worse: {long_on} vs {long_off}"
    );
    assert!(
        long_on > short_on,
        "the same rule, a short queue: {long_on} vs {short_on}"
    );
}

#[test]
fn under_leaders_search_members_do_not_propose_and_decision_makers_still_improve() {
    let s = scenario(&format!("{WORLD}{}", models_with("search = \"leaders\"\n")));
    for model in 0..3 {
        assert_eq!(total(&series(&s, model, 4, "proposals")), 0.0);
        let adoptions = total(&series(&s, model, 4, "adoptions"));
        assert!(adoptions > 0.0, "model {model}");
        let perf = series(&s, model, 4, "performance");
        assert!(last(&perf) > perf[0], "model {model}: search climbs");
    }
}
