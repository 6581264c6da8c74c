//! Cost grows linearly with the organization (docs/ODD.md §8; ARCHITECTURE.md invariants): the
//! time per member-step of a 100,000-member organization is within a small factor of that of a
//! 1,000-member one, on a scenario where proposals pile up at the desks (one review per step,
//! long expiry) — the case where removing expired proposals one at a time from a long queue
//! once made a run quadratic. Times are compared as a ratio measured in this one process (best
//! of several tries), never against an absolute figure.

use leadsim::scenario::Scenario;
use std::time::Instant;

fn scenario(members: usize) -> Scenario {
    Scenario::from_text(
        &format!(
            "steps = 60\nseed = 5\n[landscape]\nn = 16\nk = 3\n[organization]\nmembers = {members}\ndomains = 8\n\
             [[models]]\nkind = \"centralized\"\nreview_capacity = 1\nexpiry = 10\n\
             [[models]]\nkind = \"shared\"\nreview_capacity = 1\nexpiry = 10\n\
             [[models]]\nkind = \"hybrid\"\nreview_capacity = 1\nexpiry = 10\n"
        ),
        "scaling.toml",
    )
    .expect("valid scenario")
}

/// Best time per member-step over `tries` runs of every model.
fn per_member_step(s: &Scenario, tries: usize) -> f64 {
    let mut best = f64::INFINITY;
    let mut expired = 0.0;
    for k in 0..tries {
        let start = Instant::now();
        for m in 0..s.models.len() {
            let out = leadsim::sim::run(s, m, 11 + k as u64);
            let i = leadsim::metrics::index("expired").expect("a metric");
            expired += out.recorder.summary().means[i];
        }
        let t = start.elapsed().as_secs_f64();
        best = best.min(t / (s.organization.members as f64 * f64::from(s.steps)));
    }
    // The scenario is the one it claims to be: proposals do expire at the desks.
    assert!(expired > 0.0, "no proposal expired: the queues never grew");
    best
}

#[test]
fn cost_per_member_step_does_not_grow_with_the_organization() {
    let small = per_member_step(&scenario(1_000), 5);
    let large = per_member_step(&scenario(100_000), 1);
    let ratio = large / small;
    eprintln!(
        "per member-step: {:.0} ns at 1,000 members, {:.0} ns at 100,000 (ratio {ratio:.2})",
        small * 1e9,
        large * 1e9
    );
    assert!(
        ratio < 3.0,
        "a member-step costs {ratio:.2}× as much at 100,000 members as at 1,000 ({:.0} ns vs {:.0} ns)",
        large * 1e9,
        small * 1e9
    );
}
