//! `leadsim plot` and `leadsim report` (issue 6): every chart kind as PNG and SVG, redrawn
//! identically from the result files, a self-contained report, and clear refusals of bad folders.

use crate::{Env, repo};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Runs `tests/data/small.toml` (3 models × 3 replicates × 30 steps) into `out`.
fn small_result(env: &Env) -> PathBuf {
    let text = std::fs::read_to_string(repo("tests/data/small.toml")).unwrap();
    env.write("small.toml", &text);
    env.run(&["run", "small.toml", "-o", "out", "-q", "--no-charts"])
        .ok();
    env.path("out")
}

/// Copies the synthetic sweep result folder `tests/data/charts/sweep` into the temp folder.
fn sweep_result(env: &Env) -> PathBuf {
    let from = repo("tests/data/charts/sweep");
    let to = env.path("sweep");
    std::fs::create_dir_all(&to).unwrap();
    for entry in std::fs::read_dir(&from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
    to
}

/// The chart names (file stems) in `dir/charts`, with both a PNG and an SVG.
fn chart_names(dir: &Path) -> BTreeSet<String> {
    let files: BTreeSet<String> = std::fs::read_dir(dir.join("charts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let names: BTreeSet<String> = files
        .iter()
        .filter_map(|f| f.strip_suffix(".svg").map(String::from))
        .collect();
    for n in &names {
        assert!(files.contains(&format!("{n}.png")), "{n}.png missing");
    }
    assert_eq!(
        files.len(),
        2 * names.len(),
        "only PNG and SVG pairs in charts/: {files:?}"
    );
    names
}

/// Decodes a PNG and returns its size.
fn png_size(path: &Path) -> (u32, u32) {
    let file = std::fs::File::open(path).unwrap();
    let mut reader = png::Decoder::new(file)
        .read_info()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader
        .next_frame(&mut buf)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // Not blank: a chart has text, lines and a white background.
    let first = &buf[..3];
    assert!(
        buf.chunks(info.line_size / info.width as usize)
            .any(|px| &px[..3] != first),
        "{} is blank",
        path.display()
    );
    (info.width, info.height)
}

/// Parses an SVG as XML and returns its size and every text it shows.
fn svg_texts(path: &Path) -> ((u32, u32), Vec<String>) {
    let text = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&text)
        .unwrap_or_else(|e| panic!("{} is not XML: {e}", path.display()));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    let dim = |a: &str| root.attribute(a).unwrap().parse::<u32>().unwrap();
    let texts = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text().map(|t| t.trim().to_string()))
        .collect();
    ((dim("width"), dim("height")), texts)
}

/// Checks one chart's PNG and SVG: same size, the PNG decodes, the SVG is XML showing `texts`.
#[track_caller]
fn check_chart(dir: &Path, name: &str, size: Option<(u32, u32)>, texts: &[&str]) {
    let charts = dir.join("charts");
    let png = png_size(&charts.join(format!("{name}.png")));
    let (svg, shown) = svg_texts(&charts.join(format!("{name}.svg")));
    assert_eq!(png, svg, "{name}: PNG and SVG sizes differ");
    if let Some(size) = size {
        assert_eq!(png, size, "{name}: size");
    }
    for t in texts {
        assert!(
            shown.iter().any(|s| s.contains(t)),
            "{name}.svg does not show {t:?}; it shows {shown:?}"
        );
    }
}

const SINGLE: Option<(u32, u32)> = Some((960, 720));
const MODELS: [&str; 3] = ["centralized", "shared", "hybrid"];

#[test]
fn plot_draws_every_chart_kind_of_a_run() {
    let env = Env::new();
    let dir = small_result(&env);
    let out = env.run(&["plot", "out"]).ok();
    assert!(out.stdout().contains("charts"), "{}", out.stdout());
    let names = chart_names(&dir);
    // One time series per per-step metric of timeseries.csv.
    let header = std::fs::read_to_string(dir.join("timeseries.csv")).unwrap();
    let header = header.lines().next().unwrap();
    let metrics: Vec<&str> = header
        .split(',')
        .skip_while(|c| *c != "step")
        .skip(1)
        .collect();
    assert_eq!(metrics, leadsim::metrics::METRICS.map(|m| m.name));
    for m in &metrics {
        assert!(names.contains(&format!("timeseries-{m}")), "timeseries-{m}");
    }
    let mut perf = vec![
        "Performance over time",
        "Step",
        "Performance (fitness / max)",
    ];
    perf.extend(MODELS);
    check_chart(&dir, "timeseries-performance", SINGLE, &perf);
    check_chart(
        &dir,
        "timeseries-engagement",
        SINGLE,
        &["Step", "Mean engagement (0–1)", "hybrid"],
    );
    for which in ["mean", "final"] {
        let mut texts = vec!["Model comparison", "Performance", "Engagement"];
        texts.extend(MODELS);
        check_chart(&dir, &format!("compare-{which}"), None, &texts);
        check_chart(
            &dir,
            &format!("diff-{which}"),
            None,
            &[
                "Paired differences",
                "shared − centralized",
                "hybrid − centralized",
                "hybrid − shared",
                "Holm-adjusted p < 0.05",
                "Leadership skill",
            ],
        );
    }
    let (size, _) = svg_texts(&dir.join("charts/compare-mean.svg"));
    assert_eq!(size.0, 1920, "multi-panel figures span two columns");
    // A run without shocks has no shock charts, and no sweep charts.
    assert!(
        !names
            .iter()
            .any(|n| n.starts_with("shock") || n.starts_with("sweep") || n.starts_with("heatmap")),
        "{names:?}"
    );
}

#[test]
fn plot_draws_every_chart_kind_of_a_sweep() {
    let env = Env::new();
    let dir = sweep_result(&env);
    env.run(&["plot", "sweep"]).ok();
    let names = chart_names(&dir);
    let model = "shared & co <b>";
    for axis in ["organization.members", "landscape.k"] {
        for col in ["performance_final", "performance_mean", "engagement_mean"] {
            let name = format!("sweep-{col}-by-{axis}");
            assert!(names.contains(&name), "{name} in {names:?}");
        }
        check_chart(
            &dir,
            &format!("sweep-performance_final-by-{axis}"),
            SINGLE,
            &[axis, "Performance (fitness / max)", "centralized", model],
        );
    }
    let heat = "heatmap-performance_mean-shared___co__b_-vs-centralized";
    assert!(names.contains(heat), "{names:?}");
    check_chart(
        &dir,
        heat,
        None,
        &[
            "organization.members",
            "landscape.k",
            "shared & co <b> − centralized",
            "40",
        ],
    );
    check_chart(
        &dir,
        "shock-performance",
        SINGLE,
        &[
            "Performance around shocks",
            "Steps since shock",
            "shock",
            model,
        ],
    );
    check_chart(
        &dir,
        "timeseries-performance",
        SINGLE,
        &["Step", "centralized", model, "shock"],
    );
    // Sweeps compare models through the parameter charts, not the run panels.
    assert!(!names.iter().any(|n| n.starts_with("compare")), "{names:?}");
}

/// Runs `tests/data/charts/shock.toml` (`small.toml` with a landscape shock at step 10) into
/// `shock`.
fn shock_result(env: &Env) -> PathBuf {
    let text = std::fs::read_to_string(repo("tests/data/charts/shock.toml")).unwrap();
    env.write("shock.toml", &text);
    env.run(&["run", "shock.toml", "-o", "shock", "-q", "--no-charts"])
        .ok();
    env.path("shock")
}

#[test]
fn shocks_get_an_aligned_chart_adaptability_panels_and_marks() {
    let env = Env::new();
    let dir = shock_result(&env);
    env.run(&["plot", "shock"]).ok();
    let names = chart_names(&dir);
    for n in ["shock-performance", "compare-shocks", "diff-shocks"] {
        assert!(names.contains(n), "{n} in {names:?}");
    }
    check_chart(
        &dir,
        "shock-performance",
        SINGLE,
        &[
            "Performance around shocks",
            "Steps since shock",
            "0",
            "shock",
            "hybrid",
        ],
    );
    check_chart(
        &dir,
        "compare-shocks",
        None,
        &[
            "Drop at shock",
            "Recovery time",
            "Recovered shocks",
            "shared",
        ],
    );
    check_chart(
        &dir,
        "diff-shocks",
        None,
        &["Deepest drop", "hybrid − shared"],
    );
    // The shock step is marked on the time series.
    let (_, texts) = svg_texts(&dir.join("charts/timeseries-performance.svg"));
    assert!(texts.iter().any(|t| t == "shock"), "{texts:?}");
    env.run(&["report", "shock"]).ok();
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("shock_recovery_median"), "adaptability table");
    assert!(html.contains("market-shock"), "events");
    assert!(html.contains("<td>landscape_shock</td>"), "events table");
    assert!(!html.contains("There were no shocks"));
}

/// Several measured events: besides the pooled charts, each event gets its own aligned chart
/// and adaptability comparisons, and the time-series captions name the events and steps. One
/// event gets no per-event charts (`shocks_get_an_aligned_chart_adaptability_panels_and_marks`).
#[test]
fn several_events_get_charts_of_their_own() {
    let env = Env::new();
    let text = std::fs::read_to_string(repo("tests/data/charts/shock.toml")).unwrap();
    env.write(
        "two.toml",
        &format!(
            "{text}\n[[events]]\nkind = \"leader_loss\"\nname = \"exit\"\nat = 20\nvacancy = 3\n[[events]]\nkind = \"turnover\"\nname = \"rare\"\nhazard = 1e-12\n"
        ),
    );
    env.run(&["run", "two.toml", "-o", "two", "-q"]).ok();
    let dir = env.path("two");
    let names = chart_names(&dir);
    for n in [
        "shock-performance",
        "shock-performance-market-shock",
        "shock-performance-exit",
        "compare-shocks-exit",
        "diff-shocks-market-shock",
    ] {
        assert!(names.contains(n), "{n} in {names:?}");
    }
    check_chart(
        &dir,
        "shock-performance-exit",
        SINGLE,
        &["Performance around exit", "Steps since shock"],
    );
    check_chart(
        &dir,
        "compare-shocks-market-shock",
        None,
        &["adaptability to market-shock", "Drop at shock"],
    );
    // An event that never fired has its (empty) statistics but no charts.
    assert!(!names.iter().any(|n| n.ends_with("-rare")), "{names:?}");
    let stats = std::fs::read_to_string(dir.join("stats.csv")).unwrap();
    assert!(
        stats.contains("shock_drop@rare,outcome,centralized,,0,"),
        "{stats}"
    );
    assert!(
        stats.contains("shock_recovery_median@rare,outcome,shared,centralized,0,"),
        "{stats}"
    );
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(
        html.contains("market-shock at step 10; exit at step 20"),
        "caption"
    );
    assert!(html.contains("shock_drop@exit"), "per-event table rows");
    // Redrawing removes result charts the results no longer have, and nothing else.
    let charts = dir.join("charts");
    std::fs::write(charts.join("compare-shocks-gone.png"), b"old").unwrap();
    std::fs::write(charts.join("compare-shocks-gone.svg"), b"old").unwrap();
    std::fs::write(charts.join("notes.png"), b"mine").unwrap();
    env.run(&["plot", "two"]).ok();
    assert!(!charts.join("compare-shocks-gone.png").exists());
    assert!(!charts.join("compare-shocks-gone.svg").exists());
    assert!(charts.join("compare-shocks-exit.png").exists());
    assert!(charts.join("notes.png").exists());
    let one = shock_result(&env);
    env.run(&["plot", "shock"]).ok();
    assert!(
        !chart_names(&one)
            .iter()
            .any(|n| n.starts_with("shock-performance-") || n.starts_with("compare-shocks-")),
        "one event: pooled charts only"
    );
}

#[test]
fn a_sweep_run_by_leadsim_is_drawn() {
    let env = Env::new();
    let text = std::fs::read_to_string(repo("tests/data/small.toml")).unwrap();
    env.write("small.toml", &text);
    env.write(
        "sweep.toml",
        "name = \"tiny\"\nbase = \"small.toml\"\nreplications = 2\n\n[[axes]]\npath = \
         \"organization.members\"\nvalues = [8, 12]\n\n[[axes]]\npath = \"landscape.k\"\n\
         values = [1, 2]\n",
    );
    env.run(&["sweep", "sweep.toml", "-o", "tiny", "-q", "--no-charts"])
        .ok();
    let dir = env.path("tiny");
    env.run(&["plot", "tiny"]).ok();
    env.run(&["report", "tiny"]).ok();
    let names = chart_names(&dir);
    for n in [
        "timeseries-performance",
        "sweep-performance_final-by-organization.members",
        "sweep-performance_final-by-landscape.k",
        "heatmap-performance_final-shared-vs-centralized",
        "heatmap-performance_final-hybrid-vs-centralized",
    ] {
        assert!(names.contains(n), "{n} in {names:?}");
    }
    check_chart(
        &dir,
        "heatmap-performance_mean-hybrid-vs-centralized",
        None,
        &[
            "organization.members",
            "landscape.k",
            "8",
            "12",
            "hybrid − centralized",
        ],
    );
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert_eq!(inline_svgs(&html), names.len());
}

#[test]
fn redrawing_from_the_result_files_gives_identical_charts() {
    let env = Env::new();
    for dir in [small_result(&env), sweep_result(&env)] {
        let name = dir.file_name().unwrap().to_str().unwrap().to_string();
        env.run(&["plot", &name]).ok();
        let read = |d: &Path| {
            chart_names(d)
                .into_iter()
                .map(|n| {
                    let svg = std::fs::read(d.join("charts").join(format!("{n}.svg"))).unwrap();
                    let png = std::fs::read(d.join("charts").join(format!("{n}.png"))).unwrap();
                    (n, svg, png)
                })
                .collect::<Vec<_>>()
        };
        let first = read(&dir);
        assert!(first.len() > 10);
        // Again in place, and from a copy of the tables elsewhere.
        env.run(&["plot", &name]).ok();
        let copy = env.path(&format!("copy-{name}"));
        std::fs::create_dir_all(&copy).unwrap();
        for f in [
            "manifest.json",
            "timeseries.csv",
            "summary.csv",
            "shocks.csv",
            "stats.csv",
        ] {
            std::fs::copy(dir.join(f), copy.join(f)).unwrap();
        }
        env.run(&["plot", &format!("copy-{name}")]).ok();
        for other in [read(&dir), read(&copy)] {
            assert_eq!(other.len(), first.len());
            for ((n, svg, png), (m, svg2, png2)) in first.iter().zip(&other) {
                assert_eq!(n, m);
                assert!(svg == svg2, "{n}.svg differs when redrawn");
                assert!(png == png2, "{n}.png differs when redrawn");
            }
        }
        // And the report too.
        env.run(&["report", &name]).ok();
        let a = std::fs::read(dir.join("report.html")).unwrap();
        env.run(&["report", &name]).ok();
        assert!(a == std::fs::read(dir.join("report.html")).unwrap());
    }
}

/// The inline `<svg` elements of a page.
fn inline_svgs(html: &str) -> usize {
    html.matches("<svg ").count()
}

/// Asserts that a page loads nothing from elsewhere.
#[track_caller]
fn self_contained(html: &str) {
    for bad in [
        " src=",
        "<link",
        "<script",
        "@import",
        "url(",
        "href=\"http",
    ] {
        assert!(!html.contains(bad), "report refers outside itself: {bad}");
    }
}

#[test]
fn report_holds_the_scenario_tables_and_every_chart_inline() {
    let env = Env::new();
    let dir = small_result(&env);
    env.run(&["plot", "out"]).ok();
    let out = env.run(&["report", "out"]).ok();
    assert!(out.stdout().contains("report.html"), "{}", out.stdout());
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    self_contained(&html);
    // One inline SVG per chart.
    assert_eq!(inline_svgs(&html), chart_names(&dir).len());
    // The scenario, escaped; models and parameters; seeds; version; the command.
    assert!(html.contains("name = &quot;small&quot;"), "scenario text");
    assert!(html.contains("propose_rate = 0.3"));
    for m in MODELS {
        assert!(html.contains(&format!("<td>{m}</td>")), "model {m}");
    }
    assert!(html.contains("review_capacity = 1"), "model parameters");
    assert!(html.contains("Master seed <code>2024</code>"));
    assert!(html.contains("leadsim 0.1.0") || html.contains(env!("CARGO_PKG_VERSION")));
    assert!(
        html.contains("<pre><code>leadsim run small.toml"),
        "command"
    );
    // Headline table with CIs, and paired differences.
    for h in [
        "What was run",
        "Headline outcomes",
        "Costs",
        "Manipulation checks",
        "Adaptability",
        "Charts",
        "Reproduce",
    ] {
        assert!(html.contains(&format!("{h}</h2>")), "section {h}");
    }
    assert!(html.contains("performance_final"));
    assert!(html.contains("<th>shared − centralized</th>"));
    assert!(html.contains("d<sub>z</sub> = "), "effect sizes");
    assert!(
        html.matches(" [").count() > 20,
        "confidence intervals in the tables"
    );
    assert!(html.contains("There were no shocks"));
    // What the models and the measures are (issue 19, item 1), from the registries: each model's
    // rule and its ODD section; each measure's definition, unit and range.
    assert!(html.contains("Measures</h2>"), "a section on the measures");
    assert!(
        html.contains("One leader at the root of the reporting tree decides on every proposal")
            && html.contains("docs/ODD.md Part I §7.4"),
        "the centralized model's rule"
    );
    assert!(
        html.contains("docs/ODD.md Part I §7.5"),
        "the shared model's section"
    );
    assert!(
        html.contains("<code>innovations_final</code><br><code>innovations_mean</code>")
            && html.contains("Adopted changes that lifted performance above its best")
            && html.contains("<td>adoptions per step</td><td>≥ 0</td>"),
        "a measure with its definition, unit and range"
    );
    assert!(html.contains("<td>share of the maximum</td><td>0 to 1</td>"));
    // Many comparisons (item 3): differences carry Holm-adjusted p-values, and bold follows
    // them, not the interval.
    assert!(
        html.contains("p<sub>Holm</sub> "),
        "adjusted p-values in the tables"
    );
    assert!(html.contains("Bold: adjusted p &lt; 0.05"));
    assert!(html.contains("<th>p (Holm)</th>"));
    // Every difference in bold has an adjusted p-value below 0.05 in stats.csv.
    let stats = std::fs::read_to_string(dir.join("stats.csv")).unwrap();
    let header: Vec<&str> = stats.lines().next().unwrap().split(',').collect();
    let holm = header.iter().position(|h| *h == "p_holm").unwrap();
    let below = stats
        .lines()
        .skip(1)
        .filter(|l| {
            let c: Vec<&str> = l.split(',').collect();
            c[holm].parse::<f64>().is_ok_and(|p| p < 0.05)
        })
        .count();
    assert!(html.matches("class=\"num sig\"").count() <= below);
}

/// A result of an earlier version (no p-value columns in stats.csv, intervals not cut) gets a
/// report that says so rather than notes about marks it cannot make.
#[test]
fn a_report_of_an_earlier_result_says_it_has_no_p_values() {
    let env = Env::new();
    let dir = small_result(&env);
    let stats = std::fs::read_to_string(dir.join("stats.csv")).unwrap();
    let old: String = stats
        .lines()
        .map(|l| {
            let mut cells: Vec<&str> = l.split(',').collect();
            cells.truncate(cells.len() - 2);
            cells.join(",") + "\n"
        })
        .collect();
    assert!(old.starts_with("metric,kind,model,versus,n,mean,sd,se,ci_low,ci_high,effect_size\n"));
    std::fs::write(dir.join("stats.csv"), old).unwrap();
    // As an earlier version would have left it: no checksum of the rewritten table.
    let path = dir.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    manifest["files"]
        .as_object_mut()
        .unwrap()
        .remove("stats.csv")
        .expect("stats.csv has a checksum");
    std::fs::write(&path, manifest.to_string()).unwrap();
    env.run(&["report", "out"]).ok();
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(
        html.contains("written by an earlier version of leadsim"),
        "the measures note"
    );
    assert!(
        html.contains("This stats.csv has no p-values"),
        "the differences note"
    );
    assert!(!html.contains("Bold: adjusted p"));
    assert!(!html.contains("num sig"));
    // A current result does not say so.
    let env = Env::new();
    let dir = small_result(&env);
    env.run(&["report", "out"]).ok();
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(!html.contains("earlier version"));
}

#[test]
fn sweep_report_escapes_names_and_lists_the_design() {
    let env = Env::new();
    let dir = sweep_result(&env);
    env.run(&["plot", "sweep"]).ok();
    env.run(&["report", "sweep"]).ok();
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    self_contained(&html);
    assert_eq!(inline_svgs(&html), chart_names(&dir).len());
    // The model name `shared & co <b>` and the description are escaped everywhere.
    assert!(!html.contains("co <b>"), "unescaped model name");
    assert!(html.contains("shared &amp; co &lt;b&gt;"));
    assert!(html.contains("Synthetic data &lt;for&gt; tests &amp; checks"));
    assert!(html.contains("What is swept") && html.contains("Fixed configuration"));
    assert!(html.contains("<th>organization.members</th>"));
    assert!(html.contains("<pre><code>leadsim sweep sweep.toml -o &#39;out dir&#39; --seed 7"));
    assert!(
        html.contains("shock_window_mean"),
        "adaptability from stats.csv"
    );
    assert!(html.contains("landscape_shock"));
}

#[test]
fn bad_result_folders_are_refused_with_exit_2() {
    let env = Env::new();
    for cmd in ["plot", "report"] {
        env.run(&[cmd, "nowhere"])
            .fails(2, &["nowhere", "no such result folder"]);
    }
    // Unfinished: a plan but no manifest.
    let dir = small_result(&env);
    let unfinished = env.path("unfinished");
    std::fs::create_dir_all(&unfinished).unwrap();
    std::fs::copy(dir.join("manifest.json"), unfinished.join("plan.json")).unwrap();
    for cmd in ["plot", "report"] {
        env.run(&[cmd, "unfinished"])
            .fails(2, &["unfinished", "manifest.json"]);
    }
    assert!(!unfinished.join("charts").exists());
    assert!(!unfinished.join("report.html").exists());
    // Not a result folder at all.
    env.write("empty/notes.txt", "hello");
    env.run(&["plot", "empty"])
        .fails(2, &["empty", "not a leadsim result folder"]);
    // Damaged files, each named.
    let copy = |name: &str| {
        let to = env.path(name);
        std::fs::create_dir_all(&to).unwrap();
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap();
            if f.path().is_file() {
                std::fs::copy(f.path(), to.join(f.file_name())).unwrap();
            }
        }
        to
    };
    let d = copy("badjson");
    std::fs::write(d.join("manifest.json"), "{ not json").unwrap();
    for cmd in ["plot", "report"] {
        env.run(&[cmd, "badjson"])
            .fails(2, &["manifest.json", "not a leadsim manifest"]);
    }
    let d = copy("badnumber");
    let ts = std::fs::read_to_string(d.join("timeseries.csv")).unwrap();
    let mut lines: Vec<String> = ts.lines().map(String::from).collect();
    lines[3] = lines[3].replacen(",0.", ",zero.", 1);
    std::fs::write(d.join("timeseries.csv"), lines.join("\n") + "\n").unwrap();
    // Each table edited below is resealed (its checksum recorded anew) so that the reader,
    // not the checksum, meets the damage; `harden.rs` tests the checksums.
    crate::reseal(&d, "timeseries.csv");
    env.run(&["plot", "badnumber"])
        .fails(2, &["timeseries.csv", "line 4", "not a number"]);
    let d = copy("nostats");
    std::fs::remove_file(d.join("stats.csv")).unwrap();
    for cmd in ["plot", "report"] {
        env.run(&[cmd, "nostats"])
            .fails(2, &["stats.csv", "missing"]);
    }
    let d = copy("ragged");
    let mut s = std::fs::read_to_string(d.join("summary.csv")).unwrap();
    s += "centralized,9\n";
    std::fs::write(d.join("summary.csv"), s).unwrap();
    crate::reseal(&d, "summary.csv");
    env.run(&["plot", "ragged"]).fails(2, &["summary.csv"]);
    let d = copy("stranger");
    let s = std::fs::read_to_string(d.join("stats.csv")).unwrap();
    std::fs::write(d.join("stats.csv"), s.replacen("hybrid", "martian", 1)).unwrap();
    crate::reseal(&d, "stats.csv");
    env.run(&["report", "stranger"])
        .fails(2, &["stats.csv", "\"martian\"", "not one of the models"]);
    let d = copy("nocolumn");
    let s = std::fs::read_to_string(d.join("shocks.csv")).unwrap();
    std::fs::write(d.join("shocks.csv"), s.replacen(",step,", ",stop,", 1)).unwrap();
    crate::reseal(&d, "shocks.csv");
    env.run(&["plot", "nocolumn"])
        .fails(2, &["shocks.csv", "no column `step`"]);
}

#[test]
fn help_explains_with_examples() {
    let env = Env::new();
    for cmd in ["plot", "report"] {
        let out = env.run(&[cmd, "--help"]).ok();
        let text = out.stdout();
        assert!(text.contains("Examples"), "{text}");
        assert!(
            text.contains(&format!("leadsim {cmd} output/baseline")),
            "{text}"
        );
        assert!(text.contains("DIR"), "{text}");
    }
}

/// Renders `report.html` of a small run in headless Chromium and checks that the page really
/// displays: a non-blank screenshot of the requested size, the expected headings and figures in
/// the DOM, and no console messages. Needs /usr/bin/chromium (or `$CHROMIUM`; `.ci/run` installs
/// it); run with `cargo test --release --test cli -- --ignored report_renders_in_chromium`. With
/// `LEADSIM_SCREENSHOT_DIR` set, the screenshot is kept there as `report.png`.
#[test]
#[ignore = "needs chromium; run by .ci/run"]
fn report_renders_in_chromium() {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).exists(),
        "{chromium} is missing: apt-get install -y --no-install-recommends chromium"
    );
    let env = Env::new();
    let dir = small_result(&env);
    env.run(&["plot", "out"]).ok();
    env.run(&["report", "out"]).ok();
    let page = format!("file://{}", dir.join("report.html").display());
    let shot = env.path("shot.png");
    let browse = |extra: &[&str], profile: &str| {
        let profile = env.path(profile);
        std::fs::create_dir_all(&profile).unwrap();
        let out = std::process::Command::new(&chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--enable-logging=stderr",
                "--v=0",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(extra)
            .arg(&page)
            .output()
            .expect("chromium runs");
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "chromium failed:\n{err}");
        for line in err.lines() {
            assert!(!line.contains(":CONSOLE"), "console message: {line}");
        }
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    browse(
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,2000",
        ],
        "profile-shot",
    );
    // The screenshot: the window's size, and a real page (many distinct colours: text, tables,
    // the first chart), not a blank or an error page.
    let file = std::fs::File::open(&shot).expect("screenshot written");
    let mut reader = png::Decoder::new(file).read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (1280, 2000));
    let bpp = info.line_size / info.width as usize;
    let colours: BTreeSet<&[u8]> = buf[..info.buffer_size()]
        .chunks(bpp)
        .map(|px| &px[..3])
        .collect();
    if let Ok(keep) = std::env::var("LEADSIM_SCREENSHOT_DIR") {
        std::fs::copy(&shot, Path::new(&keep).join("report.png")).unwrap();
    }
    assert!(colours.len() > 50, "only {} colours", colours.len());
    // Ink on a white page: mostly white, but a good share of non-white pixels.
    let inked = buf
        .chunks(bpp)
        .filter(|px| px[..3].iter().any(|&c| c < 200))
        .count();
    let total = (info.width * info.height) as usize;
    assert!(inked * 100 > total, "the page is nearly blank");
    // The rendered DOM holds the sections and one SVG per chart.
    let dom = browse(&["--dump-dom"], "profile-dom");
    for h in [
        "What was run",
        "Headline outcomes",
        "Manipulation checks",
        "Adaptability",
        "Charts",
        "Reproduce",
    ] {
        assert!(dom.contains(&format!("{h}</h2>")), "DOM lacks {h}");
    }
    assert_eq!(inline_svgs(&dom), chart_names(&dir).len());
}

/// Issue 17: an LHS over a model's capacity and an event's fraction, as a new user tried it.
fn lhs_result(env: &Env) -> PathBuf {
    let text = std::fs::read_to_string(repo("tests/data/small.toml")).unwrap();
    env.write(
        "small.toml",
        &format!("{text}\n[[events]]\nkind = \"landscape_shock\"\nname = \"market\"\nat = 15\nfraction = 0.3\n"),
    );
    env.write(
        "lhs.toml",
        "name = \"lhs\"\nbase = \"small.toml\"\nreplications = 2\n[design]\nkind = \"lhs\"\nsamples = 12\n\n[[axes]]\npath = \"models.centralized.review_capacity\"\nfrom = 0.5\nto = 4\n\n[[axes]]\npath = \"events.market.fraction\"\nfrom = 0.2\nto = 0.8\n",
    );
    env.run(&["sweep", "lhs.toml", "-o", "lhs", "-q"]).ok();
    env.path("lhs")
}

#[test]
fn sampled_designs_get_scatter_plots_not_lines_or_heatmaps() {
    let env = Env::new();
    let dir = lhs_result(&env);
    let names = chart_names(&dir);
    assert!(
        !names
            .iter()
            .any(|n| n.starts_with("sweep-") || n.starts_with("heatmap-")),
        "no line through scattered points, no binned heatmap: {names:?}"
    );
    for m in ["performance_mean", "performance_final", "engagement_mean"] {
        assert!(
            names.contains(&format!("scatter-{m}")),
            "scatter-{m} in {names:?}"
        );
    }
    check_chart(
        &dir,
        "scatter-performance_mean",
        Some((1920, 790)),
        &[
            "Performance (run mean) by swept parameter",
            "models.centralized.review_capacity",
            "events.market.fraction",
            "centralized",
            "hybrid",
        ],
    );
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert_eq!(inline_svgs(&html), names.len());
    // The caption says what the dots and the line are, and never that runs are pooled.
    assert!(html.contains("one dot per design point and model"));
    assert!(
        html.contains("the mean at each value of the parameter")
            || html.contains("running mean over the")
    );
    assert!(!html.contains("other swept parameters are pooled"));
    // What is swept, apart from the fixed configuration: no point's value as the scenario's.
    assert!(html.contains("Latin hypercube, 12 samples"));
    assert!(html.contains("<code>models.centralized.review_capacity</code></td><td>uniform</td><td>uniform on [0.5, 4]</td>"), "the axis with its distribution");
    assert!(
        html.contains("review_capacity = <em>swept</em>"),
        "the models table marks the swept capacity"
    );
    assert!(
        html.contains("fraction = <em>swept</em>"),
        "the events table marks the swept fraction"
    );
    assert!(
        !html.contains("fraction = 0.3, name"),
        "the base value of a swept fraction is not shown as the scenario's"
    );
    let point0 = std::fs::read_to_string(dir.join("summary.csv")).unwrap();
    let capacity = point0
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .nth(1)
        .unwrap()
        .to_string();
    assert!(
        !html.contains(&format!("review_capacity = {capacity}")),
        "point 0's capacity {capacity}"
    );
    assert!(dir.join("problem.json").exists());
}

#[test]
fn sobol_morris_and_discovery_get_their_charts_and_report_sections() {
    let env = Env::new();
    let text = std::fs::read_to_string(repo("tests/data/small.toml")).unwrap();
    env.write("small.toml", &text);
    let axes = "[[axes]]\npath = \"behaviour.noise\"\nfrom = 0\nto = 0.3\n\n[[axes]]\npath = \"models.shared.coordination\"\nvalues = [\"none\", \"consult\", \"vote\"]\n[analysis]\nquantities = [\"shared-centralized:performance_mean\"]\nresamples = 20\n";
    env.write(
        "sobol.toml",
        &format!("name = \"sob\"\nbase = \"small.toml\"\nreplications = 2\n[design]\nkind = \"sobol\"\nsamples = 8\n{axes}"),
    );
    env.write(
        "morris.toml",
        &format!("name = \"mor\"\nbase = \"small.toml\"\nreplications = 2\n[design]\nkind = \"morris\"\ntrajectories = 4\n{axes}"),
    );
    env.run(&["sweep", "sobol.toml", "-o", "sob", "-q"]).ok();
    env.run(&["sweep", "morris.toml", "-o", "mor", "-q"]).ok();
    let sob = env.path("sob");
    check_chart(
        &sob,
        "sobol-shared-centralized_performance_mean",
        None,
        &[
            "Sobol' indices: Performance (run mean): shared − centralized",
            "S1 (first order)",
            "ST (total)",
            "behaviour.noise",
            "models.shared.coordination",
        ],
    );
    // A word axis is drawn at its values' positions, labelled by them.
    check_chart(
        &sob,
        "scatter-performance_mean",
        None,
        &["none", "consult", "vote"],
    );
    let html = std::fs::read_to_string(sob.join("report.html")).unwrap();
    assert!(html.contains("Sensitivity</h2>") && html.contains("href=\"#sensitivity\""));
    assert!(
        html.contains("base sample (the A and B rows, 16)"),
        "a Sobol' scatter shows the base sample"
    );
    check_chart(
        &env.path("mor"),
        "morris-shared-centralized_performance_mean",
        SINGLE,
        &[
            "μ* (mean absolute elementary effect)",
            "σ of the elementary effects",
            "behaviour.noise",
        ],
    );
    // A discovery draws its box and joins the report.
    let stats = std::fs::read_to_string(sob.join("stats.csv")).unwrap();
    let diffs: Vec<f64> = stats
        .lines()
        .filter(|l| l.contains(",performance_mean,") && l.contains(",shared,centralized,"))
        .map(|l| l.split(',').nth(8).unwrap().parse().unwrap())
        .collect();
    let mut sorted = diffs.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    let condition = format!("shared-centralized:performance_mean > {median}");
    env.run(&["discover", "sob", "--where", &condition]).ok();
    let names = chart_names(&sob);
    let chart = names
        .iter()
        .find(|n| n.starts_with("discover-"))
        .expect("a discovery chart");
    check_chart(
        &sob,
        chart,
        SINGLE,
        &["condition holds", "does not hold", "chosen box"],
    );
    let html = std::fs::read_to_string(sob.join("report.html")).unwrap();
    assert!(html.contains("Scenario discovery</h2>"));
    assert!(html.contains(&format!("<code>{}</code>", condition.replace('>', "&gt;"))));
    assert_eq!(inline_svgs(&html), names.len());
}

/// Every text of an SVG with its position, size and weight.
fn svg_text_runs(path: &Path) -> Vec<(String, f64, f64, String, bool)> {
    let text = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| {
            let t = n.text()?.trim().to_string();
            let num = |a: &str| n.attribute(a).and_then(|v| v.parse::<f64>().ok());
            Some((
                t,
                num("x")?,
                num("y")?,
                n.attribute("font-size").unwrap_or("").to_string(),
                n.attribute("font-weight") == Some("bold"),
            ))
        })
        .filter(|r| !r.0.is_empty())
        .collect()
}

/// Issue 19, item 4: the difference panels of adaptability (five without a counterfactual
/// twin) each label their horizontal axis with two or more numbers, not a lone "0.0" between
/// unlabelled ±0.5 lines, and every panel title has the same font.
#[test]
fn difference_panels_label_their_axes_and_share_one_title_font() {
    let env = Env::new();
    let text = std::fs::read_to_string(repo("tests/data/charts/shock.toml")).unwrap();
    env.write(
        "nocf.toml",
        &format!("{text}\n[metrics]\ncounterfactual = false\n"),
    );
    env.run(&["run", "nocf.toml", "-o", "nocf", "-q"]).ok();
    let runs = svg_text_runs(&env.path("nocf/charts/diff-shocks.svg"));
    let titles: Vec<_> = runs.iter().filter(|r| r.4 && r.2 > 16.0).collect();
    assert_eq!(titles.len(), 5, "five panels: {titles:?}");
    let sizes: BTreeSet<&str> = titles.iter().map(|t| t.3.as_str()).collect();
    assert_eq!(sizes.len(), 1, "one title font: {titles:?}");
    let numbers: Vec<_> = runs
        .iter()
        .filter(|r| !r.4 && r.0.replace('\u{2212}', "-").parse::<f64>().is_ok())
        .collect();
    for t in &titles {
        // A label belongs to the nearest title above it.
        let own = numbers
            .iter()
            .filter(|n| {
                let above = titles
                    .iter()
                    .filter(|u| u.2 < n.2)
                    .map(|u| u.2)
                    .fold(f64::NEG_INFINITY, f64::max);
                let nearest = titles
                    .iter()
                    .filter(|u| u.2 == above)
                    .min_by(|a, b| (a.1 - n.1).abs().total_cmp(&(b.1 - n.1).abs()))
                    .unwrap();
                nearest.0 == t.0
            })
            .count();
        assert!(own >= 2, "panel {:?} labels {own} ticks: {runs:?}", t.0);
    }
}

/// Issue 19, item 4: a measure that is zero in every run of every model (disputes, with no
/// shared model) gets no panel, and the caption says it was left out.
#[test]
fn panels_zero_everywhere_are_left_out_with_a_note() {
    let env = Env::new();
    let text = std::fs::read_to_string(repo("tests/data/small.toml")).unwrap();
    env.write(
        "quiet.toml",
        &text.replace("[[models]]\nkind = \"shared\"\n\n", ""),
    );
    env.run(&["run", "quiet.toml", "-o", "quiet", "-q"]).ok();
    let stats = std::fs::read_to_string(env.path("quiet/stats.csv")).unwrap();
    assert!(
        stats
            .lines()
            .filter(|l| l.starts_with("disputes_mean,"))
            .all(|l| l.contains(",3,0,0,0,0,0,")),
        "disputes are zero everywhere:\n{stats}"
    );
    for chart in ["compare-mean", "diff-mean"] {
        let (_, shown) = svg_texts(&env.path(&format!("quiet/charts/{chart}.svg")));
        assert!(!shown.iter().any(|t| t == "Disputes"), "{chart}: {shown:?}");
        assert!(shown.iter().any(|t| t == "Messages"), "{chart}: {shown:?}");
    }
    let html = std::fs::read_to_string(env.path("quiet/report.html")).unwrap();
    assert!(
        html.contains("Not drawn: Disputes") && html.contains("zero in every run of every model"),
        "the caption says which panels were left out"
    );
}
