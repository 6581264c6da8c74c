//! `leadsim replicate patterns`: the stylized facts and the seed essay's claims, run from the
//! bundled files, judged, and failing the command when a claimed row breaks.

use super::Env;
use super::run::{column, read_csv};

/// Adds `by` to column `metric` of model `model` in a summary table, in place.
/// Adds `by` to `metric` of every row of `model` in the table at `path`, and records the
/// table's new checksum in its folder's manifest.
fn shift(path: &std::path::Path, model: &str, metric: &str, by: f64) {
    let (header, rows) = read_csv(path);
    let m = header.iter().position(|h| h == "model").unwrap();
    let c = header.iter().position(|h| h == metric).unwrap();
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(&header).unwrap();
    for mut r in rows {
        if r[m] == model {
            let v: f64 = r[c].parse().unwrap();
            r[c] = (v + by).to_string();
        }
        w.write_record(&r).unwrap();
    }
    w.flush().unwrap();
    drop(w);
    let name = path.file_name().unwrap().to_str().unwrap();
    crate::reseal(path.parent().unwrap(), name);
}

#[test]
fn patterns_hold_as_claimed_and_a_broken_claim_exits_1() {
    let env = Env::new();
    // The working folder has no scenarios/patterns/: the copies bundled in the binary run.
    let out = env
        .run(&["replicate", "patterns", "-q", "-o", "pat"])
        .ok()
        .stdout();
    for pattern in [
        "1 decomposable task",
        "2 pervasive interactions",
        "3 temporary decentralization",
        "4 participation",
        "5 small capacity",
        "6 meta-analytic population (shared)",
        "6 meta-analytic population (hybrid)",
        "7 leader loss",
        "8 reluctance",
    ] {
        assert!(out.contains(pattern), "{pattern} missing: {out}");
    }
    assert!(
        out.contains("every claimed pattern and fairness check holds"),
        "{out}"
    );
    let table = read_csv(&env.path("pat/patterns.csv"));
    assert_eq!(
        table.0,
        [
            "pattern",
            "source",
            "compared",
            "estimate",
            "ci_low",
            "ci_high",
            "p",
            "published",
            "criterion",
            "role",
            "verdict"
        ]
    );
    let roles = column(&table, "role");
    let verdicts = column(&table, "verdict");
    for (role, verdict) in roles.iter().zip(&verdicts) {
        assert!(
            ["claimed", "check", "test", "reported"].contains(role),
            "{role}"
        );
        if matches!(*role, "claimed" | "check") {
            assert_eq!(*verdict, "holds");
        }
    }
    assert!(roles.iter().filter(|r| **r == "claimed").count() >= 15);
    assert!(roles.contains(&"check") && roles.contains(&"test"));
    // A test is reported whatever it says: some do not hold, and the command still passed.
    assert!(
        roles
            .iter()
            .zip(&verdicts)
            .any(|(r, v)| *r == "test" && *v == "does not hold")
    );
    for name in [
        "patterns-1-decomposable-task",
        "patterns-7-leader-loss-and-a-market-shock",
    ] {
        for ext in ["png", "svg"] {
            assert!(
                env.path(&format!("pat/charts/{name}.{ext}")).is_file(),
                "{name}.{ext}"
            );
        }
    }
    let report = std::fs::read_to_string(env.path("pat/report.html")).unwrap();
    assert!(report.contains("decomposable/report.html") && report.contains("charts/patterns-1"));
    assert!(env.path("pat/decomposable/report.html").is_file());

    // A claimed pattern that stops holding fails the command (exit 1) and names the row: make
    // the shared organization of the decomposable task end 0.5 higher than it did.
    shift(
        &env.path("pat/decomposable/summary.csv"),
        "shared-none",
        "performance_final",
        0.5,
    );
    env.run(&["replicate", "patterns", "-q", "-o", "pat"])
        .fails(
            1,
            &[
                "do not hold",
                "1 decomposable task",
                "shared-none − centralized",
            ],
        );
    let table = read_csv(&env.path("pat/patterns.csv"));
    assert!(column(&table, "verdict").contains(&"does not hold"));
}

#[test]
fn patterns_refuse_what_does_not_apply() {
    let env = Env::new();
    env.run(&["replicate", "patterns", "--runs", "0", "-o", "p"])
        .fails(2, &["--runs 0"]);
    env.run(&["replicate", "patterns", "--scenario", "x.toml", "-o", "p"])
        .fails(2, &["--scenario does not apply to patterns"]);
    assert!(!env.path("p").exists(), "nothing written on refused input");
}
