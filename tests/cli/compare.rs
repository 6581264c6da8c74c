//! `leadsim compare A B` (issue 19, item 5): two results of `leadsim run` as one result folder,
//! paired when they met the same worlds and Welch's otherwise, and bad inputs refused.

use crate::run::read_csv;
use crate::{Env, TABLES, assert_close, repo};
use std::path::Path;

/// Runs `tests/data/small.toml` into `a`, the same with `propose_rate = 0.5` (the same seed,
/// so the same worlds) into `b`, and with seed 7 into `c`.
fn results(env: &Env) {
    let text = std::fs::read_to_string(repo("tests/data/small.toml")).unwrap();
    env.write("small.toml", &text);
    env.write(
        "busy.toml",
        &text.replace("propose_rate = 0.3", "propose_rate = 0.5"),
    );
    env.write("other.toml", &text.replace("seed = 2024", "seed = 7"));
    for (file, dir) in [("small.toml", "a"), ("busy.toml", "b"), ("other.toml", "c")] {
        env.run(&["run", file, "-o", dir, "-q", "--no-charts"]).ok();
    }
}

/// `metric` of `model` per replicate, from a result's `summary.csv`.
fn per_replicate(dir: &Path, model: &str, metric: &str) -> Vec<f64> {
    let t = read_csv(&dir.join("summary.csv"));
    let (m, r, c) = (
        t.0.iter().position(|h| h == "model").unwrap(),
        t.0.iter().position(|h| h == "replicate").unwrap(),
        t.0.iter().position(|h| h == metric).unwrap(),
    );
    let mut rows: Vec<(usize, f64)> =
        t.1.iter()
            .filter(|row| row[m] == model)
            .map(|row| (row[r].parse().unwrap(), row[c].parse().unwrap()))
            .collect();
    rows.sort_by_key(|x| x.0);
    rows.into_iter().map(|x| x.1).collect()
}

/// The row of `stats.csv` for `model` versus `versus` (empty for none) and `metric`, by column.
fn stat(dir: &Path, metric: &str, model: &str, versus: &str) -> Vec<(String, String)> {
    let t = read_csv(&dir.join("stats.csv"));
    let col = |name: &str| t.0.iter().position(|h| h == name).unwrap();
    let row =
        t.1.iter()
            .find(|r| {
                r[col("metric")] == metric && r[col("model")] == model && r[col("versus")] == versus
            })
            .unwrap_or_else(|| panic!("no row {metric} {model} − {versus}"));
    t.0.iter().cloned().zip(row.iter().cloned()).collect()
}

fn get(row: &[(String, String)], name: &str) -> f64 {
    let cell = &row.iter().find(|(h, _)| h == name).unwrap().1;
    if cell.is_empty() {
        f64::NAN
    } else {
        cell.parse().unwrap()
    }
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

fn var(x: &[f64]) -> f64 {
    let m = mean(x);
    x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len() - 1) as f64
}

#[test]
fn results_that_met_the_same_worlds_are_paired() {
    let env = Env::new();
    results(&env);
    let out = env.run(&["compare", "a", "b", "-o", "ab"]).ok().stdout();
    assert!(out.contains("the same worlds"), "{out}");
    assert!(out.contains("b:model − a:model"), "{out}");
    assert!(out.contains("report: ab/report.html"), "{out}");
    let dir = env.path("ab");
    for t in TABLES {
        assert!(dir.join(t).is_file(), "{t}");
    }
    // The same columns as a run's stats.csv.
    let run_header = read_csv(&env.path("a/stats.csv")).0;
    assert_eq!(read_csv(&dir.join("stats.csv")).0, run_header);
    // b:shared − a:shared, replicate by replicate, from the runs' summary.csv by hand.
    for metric in ["performance_mean", "messages_mean"] {
        let a = per_replicate(&env.path("a"), "shared", metric);
        let b = per_replicate(&env.path("b"), "shared", metric);
        let d: Vec<f64> = b.iter().zip(&a).map(|(x, y)| x - y).collect();
        let row = stat(&dir, metric, "b:shared", "a:shared");
        assert_eq!(get(&row, "n"), 3.0);
        assert_close("paired mean", get(&row, "mean"), mean(&d), 1e-12);
        assert_close("paired sd", get(&row, "sd"), var(&d).sqrt(), 1e-12);
        // t(0.975; 2) = 4.302653
        let half = 4.302653 * var(&d).sqrt() / 3f64.sqrt();
        assert_close("ci_low", get(&row, "ci_low"), mean(&d) - half, 1e-5);
        assert_close(
            "d_z",
            get(&row, "effect_size"),
            mean(&d) / var(&d).sqrt(),
            1e-9,
        );
        // The paired t test has a p-value, adjusted within the rows between the results.
        let (p, holm) = (get(&row, "p_value"), get(&row, "p_holm"));
        assert!(
            p > 0.0 && p <= 1.0 && holm >= p && holm <= 1.0,
            "{p} {holm}"
        );
    }
    // The rows between the results are one family per kind: Holm over their p-values alone.
    let t = read_csv(&dir.join("stats.csv"));
    let col = |n: &str| t.0.iter().position(|h| h == n).unwrap();
    let (model, versus, kind) = (col("model"), col("versus"), col("kind"));
    let (pv, ph) = (col("p_value"), col("p_holm"));
    let cross: Vec<&Vec<String>> =
        t.1.iter()
            .filter(|r| {
                r[model].starts_with("b:") && r[versus].starts_with("a:") && r[kind] == "outcome"
            })
            .collect();
    let mut p: Vec<(f64, f64)> = cross
        .iter()
        .filter_map(|r| Some((r[pv].parse().ok()?, r[ph].parse().ok()?)))
        .collect();
    assert!(p.len() > 5, "outcome tests between the results");
    p.sort_by(|a, b| a.0.total_cmp(&b.0));
    let m = p.len() as f64;
    assert_close("smallest p, Holm", p[0].1, (m * p[0].0).min(1.0), 1e-12);
    // Each result's own rows are its own stats.csv's, the models renamed.
    let own = stat(&dir, "performance_mean", "a:hybrid", "a:shared");
    let orig = stat(&env.path("a"), "performance_mean", "hybrid", "shared");
    assert_eq!(get(&own, "mean"), get(&orig, "mean"));
    assert_eq!(get(&own, "ci_high"), get(&orig, "ci_high"));
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["kind"], "compare");
    assert_eq!(m["compare"]["paired"], true);
    assert_eq!(m["models"].as_array().unwrap().len(), 6);
    // The tables hold both results' rows, the models renamed.
    let summary = read_csv(&dir.join("summary.csv"));
    assert_eq!(summary.1.len(), 18);
    assert!(summary.1.iter().any(|r| r[0] == "b:hybrid"));
    // Charts and report, like a run's; the difference chart has the rows between the results.
    let (_, texts) = svg_texts(&dir.join("charts/diff-mean.svg"));
    assert!(
        texts.iter().any(|t| t == "b:shared − a:shared"),
        "{texts:?}"
    );
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("A comparison of two results"));
    assert!(html.contains("paired over their 3 common replicates"));
    // `plot` and `report` redraw it; the same command again finds it done.
    env.run(&["plot", "ab"]).ok();
    env.run(&["report", "ab"]).ok();
    let again = env.run(&["compare", "a", "b", "-o", "ab"]).ok();
    assert!(
        again.stderr().contains("nothing to do"),
        "{}",
        again.stderr()
    );
}

fn svg_texts(path: &Path) -> ((), Vec<String>) {
    let text = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let texts = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text().map(|t| t.trim().to_string()))
        .collect();
    ((), texts)
}

#[test]
fn results_of_different_worlds_are_compared_by_welch() {
    let env = Env::new();
    results(&env);
    let out = env
        .run(&["compare", "a", "c", "-o", "ac", "--no-charts"])
        .ok()
        .stdout();
    assert!(out.contains("different worlds"), "{out}");
    assert!(out.contains("Welch"), "{out}");
    let dir = env.path("ac");
    let a = per_replicate(&env.path("a"), "centralized", "performance_final");
    let c = per_replicate(&env.path("c"), "centralized", "performance_final");
    let row = stat(&dir, "performance_final", "c:centralized", "a:centralized");
    assert_eq!(get(&row, "n"), 6.0, "both results' replicates");
    assert_close("difference", get(&row, "mean"), mean(&c) - mean(&a), 1e-12);
    let (qa, qc) = (var(&a) / 3.0, var(&c) / 3.0);
    let se = (qa + qc).sqrt();
    assert_close("se", get(&row, "se"), se, 1e-12);
    assert!(
        get(&row, "sd").is_nan(),
        "no sd of a difference of two means"
    );
    // The Welch–Satterthwaite degrees of freedom lie between 2 and 4: the half-width lies
    // between t(0.975; 4) and t(0.975; 2) standard errors.
    let half = get(&row, "ci_high") - get(&row, "mean");
    assert!(
        half >= 2.776 * se - 1e-9 && half <= 4.303 * se + 1e-9,
        "{half} vs se {se}"
    );
    let df = (qa + qc).powi(2) / (qa * qa / 2.0 + qc * qc / 2.0);
    assert!((2.0..=4.0).contains(&df));
    assert_close(
        "Cohen's d",
        get(&row, "effect_size"),
        (mean(&c) - mean(&a)) / ((var(&a) + var(&c)) / 2.0).sqrt(),
        1e-9,
    );
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["compare"]["paired"], false);
    assert!(!dir.join("charts").exists(), "--no-charts");
}

#[test]
fn bad_inputs_are_refused_naming_the_folder() {
    let env = Env::new();
    results(&env);
    // A shard of a sweep, a whole sweep and an unfinished result.
    let base = std::fs::read_to_string(env.path("small.toml")).unwrap();
    env.write("base.toml", &base);
    env.write(
        "s.toml",
        "base = \"base.toml\"\nreplications = 2\n[[axes]]\npath = \"behaviour.propose_rate\"\nvalues = [0.2, 0.4]\n",
    );
    env.run(&["sweep", "s.toml", "--shard", "1/2", "-o", "shard", "-q"])
        .ok();
    env.run(&["sweep", "s.toml", "-o", "sweep", "-q", "--no-charts"])
        .ok();
    env.run(&["run", "small.toml", "-o", "unfinished", "-q", "--no-charts"])
        .ok();
    std::fs::remove_file(env.path("unfinished/manifest.json")).unwrap();
    let a_before = std::fs::read(env.path("a/stats.csv")).unwrap();
    let cases: [(&[&str], &[&str]); 7] = [
        (
            &["compare", "a", "nowhere", "-o", "x"],
            &["nowhere", "no such result folder"],
        ),
        (
            &["compare", "shard", "a", "-o", "x"],
            &["shard", "shard 1/2", "merge"],
        ),
        (
            &["compare", "a", "sweep", "-o", "x"],
            &["sweep", "is a sweep"],
        ),
        (
            &["compare", "unfinished", "a", "-o", "x"],
            &["unfinished", "unfinished result"],
        ),
        (
            &["compare", "a", "a", "-o", "x"],
            &["a", "same result folder"],
        ),
        (&["compare", "a", "./a", "-o", "x"], &["same result folder"]),
        (
            &["compare", "a", "b", "-o", "b"],
            &["-o b", "one of the result folders compared"],
        ),
    ];
    for (args, needles) in cases {
        env.run(args).fails(2, needles);
        assert!(!env.path("x").exists(), "no output for {args:?}");
    }
    // A table edited after the run.
    let summary = env.path("b/summary.csv");
    let text = std::fs::read_to_string(&summary).unwrap();
    std::fs::write(&summary, text.replacen("0.", "1.", 1)).unwrap();
    env.run(&["compare", "a", "b", "-o", "x"])
        .fails(2, &["b/summary.csv", "changed since leadsim wrote it"]);
    assert!(!env.path("x").exists());
    std::fs::write(&summary, text).unwrap();
    // An existing result is not replaced without --force; with it, the inputs stay whole.
    env.run(&["compare", "a", "c", "-o", "x", "--no-charts"])
        .ok();
    env.run(&["compare", "a", "b", "-o", "x", "--no-charts"])
        .fails(2, &["x", "--force"]);
    env.run(&["compare", "a", "b", "-o", "x", "--no-charts", "--force"])
        .ok();
    assert_eq!(std::fs::read(env.path("a/stats.csv")).unwrap(), a_before);
    env.run(&["plot", "a"]).ok();
    env.run(&["plot", "b"]).ok();
}

#[test]
fn help_gives_an_example() {
    let env = Env::new();
    let help = env.run(&["compare", "--help"]).ok().stdout();
    assert!(
        help.contains("leadsim compare out/base out/shock"),
        "{help}"
    );
    assert!(help.contains("Welch"), "{help}");
    let top = env.run(&["--help"]).ok().stdout();
    assert!(top.contains("compare"), "{top}");
}
