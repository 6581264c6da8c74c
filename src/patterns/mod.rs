//! `leadsim replicate patterns`: the stylized facts of docs/ODD.md §1 and the claims the
//! simulator exists to test, each run as a paired experiment from the files in
//! `scenarios/patterns/` and judged from the result tables by a criterion fixed in the ODD.
//!
//! A row of the table says what is compared, our estimate with its interval, the published
//! value where there is one, the criterion and whether it holds. Its role says what a failure
//! means: a **claimed** pattern is one the ODD says the model produces (its failure fails the
//! command); a **check** is a fairness property that must hold whatever the claims; a
//! **test** is a hypothesis (the seed essay's claims, the meta-analytic correlations) reported
//! whatever it comes out as, never failing the command.
//!
//! Like `replicate march1991`, the comparison reads the result folders, never the live model,
//! so a varied copy of a pattern file (or old results) can be judged again.

pub(crate) mod stats;

use crate::output::read::{self, Folder, ReadError};
use stats::Estimate;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// One file of `scenarios/patterns/`: its name (the result folder's), path and bundled text.
#[derive(Debug, Clone, Copy)]
pub struct PatternFile {
    /// The file's stem, which names its result folder.
    pub name: &'static str,
    /// Its path in the repository (`scenarios/patterns/….toml`).
    pub path: &'static str,
    /// Its text, compiled into the binary.
    pub text: &'static str,
}

macro_rules! pattern_file {
    ($name:literal) => {
        PatternFile {
            name: $name,
            path: concat!("scenarios/patterns/", $name, ".toml"),
            text: include_str!(concat!("../../scenarios/patterns/", $name, ".toml")),
        }
    };
}

/// Every pattern file, in the order of the table.
pub const FILES: [PatternFile; 15] = [
    pattern_file!("decomposable"),
    pattern_file!("decomposable-binding"),
    pattern_file!("interdependent"),
    pattern_file!("temporary-decentralization"),
    pattern_file!("temporary-decentralization-members"),
    pattern_file!("participation"),
    pattern_file!("participation-no-cognition"),
    pattern_file!("large-organization"),
    pattern_file!("meta-analytic"),
    pattern_file!("leader-loss-none"),
    pattern_file!("leader-loss-deputy"),
    pattern_file!("leader-loss-election"),
    pattern_file!("leader-loss-market-only"),
    pattern_file!("reluctance"),
    pattern_file!("meta-analytic-hybrid"),
];

/// What a row's failure means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The ODD says the model produces it: a failure fails the command.
    Claimed,
    /// A fairness property: a failure fails the command.
    Check,
    /// A hypothesis tested and reported whatever it comes out as.
    Test,
    /// A figure reported beside the others (no criterion).
    Report,
}

impl Role {
    /// The word in the table.
    pub fn name(self) -> &'static str {
        match self {
            Role::Claimed => "claimed",
            Role::Check => "check",
            Role::Test => "test",
            Role::Report => "reported",
        }
    }
}

/// One row of the patterns table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The pattern, e.g. `"1 decomposable task"`.
    pub pattern: String,
    /// The literature it comes from.
    pub source: String,
    /// What is compared and on which measure.
    pub compared: String,
    /// The estimate with its 95% interval and p-value.
    pub estimate: Estimate,
    /// The published value, where there is one.
    pub published: String,
    /// When it holds.
    pub criterion: String,
    /// What a failure of the criterion means.
    pub role: Role,
    /// Whether the criterion holds (`None` for a figure reported without one).
    pub holds: Option<bool>,
}

impl Row {
    /// Whether this row fails the command.
    pub fn fails(&self) -> bool {
        matches!(self.role, Role::Claimed | Role::Check) && self.holds == Some(false)
    }

    /// The verdict as a word.
    pub fn verdict(&self) -> &'static str {
        match self.holds {
            Some(true) => "holds",
            Some(false) => "does not hold",
            None => "",
        }
    }
}

/// The summary table of one result folder, indexed for the comparisons.
struct Results {
    dir: std::path::PathBuf,
    models: Vec<String>,
    axes: Vec<String>,
    columns: Vec<String>,
    rows: Vec<read::SummaryRow>,
}

/// A run of a folder: its point and replicate.
type RunKey = (usize, u64);

impl Results {
    fn load(dir: &Path) -> Result<Results, ReadError> {
        let manifest = read::manifest(dir)?;
        let models: Vec<String> = manifest.models.iter().map(|m| m.name.clone()).collect();
        let index: HashMap<String, usize> = models
            .iter()
            .enumerate()
            .map(|(i, m)| (m.clone(), i))
            .collect();
        let axes = manifest.axes.clone();
        let folder = Folder {
            dir,
            axes: &axes,
            sweep: manifest.kind == "sweep" || !axes.is_empty(),
            models: &index,
        };
        let (mut columns, mut rows) = folder.summary()?;
        // The effect and capacity lost of each measured event (the first time it fires in a
        // run) as columns `effect@<event>`, `capacity_lost@<event>`, so that shocks pair like
        // any summary measure.
        if dir.join(crate::output::SHOCKS).exists() {
            let at: HashMap<(usize, usize, String), usize> = rows
                .iter()
                .enumerate()
                .map(|(i, r)| ((r.point, r.model, r.replicate.clone()), i))
                .collect();
            let width = columns.len();
            for r in &mut rows {
                r.values.resize(width, f64::NAN);
            }
            let mut cells = folder
                .shock_column("effect")?
                .into_iter()
                .map(|x| ("effect", x))
                .collect::<Vec<_>>();
            cells.extend(
                folder
                    .shock_column("capacity_lost")?
                    .into_iter()
                    .map(|x| ("capacity_lost", x)),
            );
            for (what, (event, s)) in cells {
                let name = format!("{what}@{event}");
                let c = match columns.iter().position(|c| *c == name) {
                    Some(c) => c,
                    None => {
                        columns.push(name);
                        for r in &mut rows {
                            r.values.push(f64::NAN);
                        }
                        columns.len() - 1
                    }
                };
                if let Some(&i) = at.get(&(s.point, s.model, s.replicate))
                    && rows[i].values[c].is_nan()
                {
                    rows[i].values[c] = s.values[0];
                }
            }
        }
        Ok(Results {
            dir: dir.to_path_buf(),
            models,
            axes,
            columns,
            rows,
        })
    }

    fn missing(&self, what: String) -> ReadError {
        ReadError::Malformed {
            path: self.dir.join(crate::output::SUMMARY),
            detail: format!(
                "{what}: this folder does not hold the pattern's experiment (rerun with --force)"
            ),
        }
    }

    fn model(&self, name: &str) -> Result<usize, ReadError> {
        self.models
            .iter()
            .position(|m| m == name)
            .ok_or_else(|| self.missing(format!("no model \"{name}\"")))
    }

    fn column(&self, name: &str) -> Result<usize, ReadError> {
        self.columns
            .iter()
            .position(|c| c == name)
            .ok_or_else(|| self.missing(format!("no column {name}")))
    }

    fn axis(&self, path: &str) -> Result<usize, ReadError> {
        self.axes
            .iter()
            .position(|a| a == path)
            .ok_or_else(|| self.missing(format!("no axis {path}")))
    }

    /// `column` of `model`, run by run.
    fn by_run(&self, model: &str, column: &str) -> Result<BTreeMap<RunKey, f64>, ReadError> {
        let (m, c) = (self.model(model)?, self.column(column)?);
        Ok(self
            .rows
            .iter()
            .filter(|r| r.model == m)
            .map(|r| ((r.point, r.replicate.parse().unwrap_or(0)), r.values[c]))
            .collect())
    }

    /// `column` of `a` minus that of `b`, replicate by replicate (common random numbers pair
    /// them), over the runs `keep` accepts.
    fn paired(
        &self,
        a: &str,
        b: &str,
        column: &str,
        keep: impl Fn(&RunKey) -> bool,
    ) -> Result<Vec<f64>, ReadError> {
        let (x, y) = (self.by_run(a, column)?, self.by_run(b, column)?);
        Ok(x.iter()
            .filter(|(k, _)| keep(k))
            .filter_map(|(k, v)| y.get(k).map(|w| v - w))
            .collect())
    }

    /// The value of axis `path` at each point.
    fn axis_values(&self, path: &str) -> Result<BTreeMap<usize, String>, ReadError> {
        let a = self.axis(path)?;
        Ok(self
            .rows
            .iter()
            .map(|r| (r.point, r.axis_values[a].clone()))
            .collect())
    }
}

/// Loads the folder of pattern file `name` under `root`.
fn results(root: &Path, name: &str) -> Result<Results, ReadError> {
    Results::load(&root.join(name))
}

fn row(
    pattern: &str,
    source: &str,
    compared: impl Into<String>,
    estimate: Estimate,
    criterion: &str,
    role: Role,
    holds: Option<bool>,
) -> Row {
    Row {
        pattern: pattern.into(),
        source: source.into(),
        compared: compared.into(),
        estimate,
        published: String::new(),
        criterion: criterion.into(),
        role,
        holds,
    }
}

/// Above 0 with the interval excluding 0.
fn above(e: &Estimate) -> Option<bool> {
    Some(e.low > 0.0)
}

/// Below 0 with the interval excluding 0.
fn below(e: &Estimate) -> Option<bool> {
    Some(e.high < 0.0)
}

/// Judges every pattern from the result folders under `root` (one per file of [`FILES`]).
pub fn assess(root: &Path) -> Result<Vec<Row>, ReadError> {
    let mut rows = Vec::new();
    rows.extend(decomposable(root)?);
    rows.extend(interdependent(root)?);
    rows.extend(temporary(root)?);
    rows.extend(participation(root)?);
    rows.extend(large_organization(root)?);
    rows.extend(meta_analytic(root, "meta-analytic", "shared")?);
    rows.extend(meta_analytic(root, "meta-analytic-hybrid", "hybrid")?);
    rows.extend(leader_loss(root)?);
    rows.extend(reluctance(root)?);
    Ok(rows)
}

/// The equivalence margin of pattern 1 (docs/ODD.md §1).
pub const EQUIVALENCE: f64 = 0.01;

fn decomposable(root: &Path) -> Result<Vec<Row>, ReadError> {
    const P: &str = "1 decomposable task";
    const S: &str = "Rivkin & Siggelkow 2003; ODD pattern 1";
    let r = results(root, "decomposable")?;
    let all = |_: &RunKey| true;
    let eq = stats::mean_ci(
        &r.paired("shared-none", "centralized", "performance_final", all)?,
        0.90,
    );
    let consult = stats::mean_ci(
        &r.paired("shared-consult", "centralized", "performance_final", all)?,
        0.90,
    );
    let within = |e: &Estimate| Some(e.low > -EQUIVALENCE && e.high < EQUIVALENCE);
    let b = results(root, "decomposable-binding")?;
    let speed = stats::mean_ci(
        &b.paired("shared-none", "centralized", "performance_mean", all)?,
        0.95,
    );
    Ok(vec![
        row(
            P,
            S,
            "final performance, shared-none − centralized (90% CI)",
            eq,
            "90% CI within ±0.01 (equivalent)",
            Role::Claimed,
            within(&eq),
        ),
        row(
            P,
            S,
            "final performance, shared-consult − centralized (90% CI)",
            consult,
            "90% CI within ±0.01 (equivalent)",
            Role::Claimed,
            within(&consult),
        ),
        row(
            P,
            S,
            "mean performance over 100 steps at a binding capacity (0.3 reviews per step in total, every model), shared-none − centralized",
            speed,
            "above 0 (shared reaches it sooner)",
            Role::Test,
            above(&speed),
        ),
    ])
}

fn interdependent(root: &Path) -> Result<Vec<Row>, ReadError> {
    const P: &str = "2 pervasive interactions";
    const S: &str = "Rivkin & Siggelkow 2003; ODD pattern 2";
    let r = results(root, "interdependent")?;
    let all = |_: &RunKey| true;
    let d = |a: &str, b: &str, c: &str| -> Result<Estimate, ReadError> {
        Ok(stats::mean_ci(&r.paired(a, b, c, all)?, 0.95))
    };
    let perf = d("shared-none", "centralized", "performance_final")?;
    let harm = d("shared-none", "centralized", "harmful_adoptions_mean")?;
    let fewer = d("shared-consult", "shared-none", "harmful_adoptions_mean")?;
    let cost = d("shared-consult", "shared-none", "messages_mean")?;
    Ok(vec![
        row(
            P,
            S,
            "final performance, shared-none − centralized",
            perf,
            "below 0",
            Role::Claimed,
            below(&perf),
        ),
        row(
            P,
            S,
            "harmful adoptions per step, shared-none − centralized",
            harm,
            "above 0",
            Role::Claimed,
            above(&harm),
        ),
        row(
            P,
            S,
            "harmful adoptions per step, shared-consult − shared-none",
            fewer,
            "below 0 (consultation removes some)",
            Role::Claimed,
            below(&fewer),
        ),
        row(
            P,
            S,
            "messages per step, shared-consult − shared-none",
            cost,
            "above 0 (at a cost)",
            Role::Claimed,
            above(&cost),
        ),
    ])
}

/// Pattern 3: the reintegration step is chosen per landscape on the first half of the
/// replicates (calibration) and tested on the second half, so picking the best of four does
/// not bias the test; the two landscape cells are Holm-adjusted.
fn temporary(root: &Path) -> Result<Vec<Row>, ReadError> {
    const P: &str = "3 temporary decentralization";
    const S: &str = "Siggelkow & Levinthal 2003; ODD pattern 3";
    let r = results(root, "temporary-decentralization")?;
    let ks = r.axis_values("landscape.k")?;
    let ts = r.axis_values("events.decentralize.until")?;
    let replicates = r
        .rows
        .iter()
        .map(|x| x.replicate.parse::<u64>().unwrap_or(0) + 1)
        .max()
        .unwrap_or(0);
    let half = replicates / 2;
    let mut cells: Vec<String> = ks.values().cloned().collect();
    cells.dedup();
    cells.sort_by(|a, b| {
        a.parse::<f64>()
            .unwrap_or(0.0)
            .total_cmp(&b.parse().unwrap_or(0.0))
    });
    cells.dedup();
    let mut out = Vec::new();
    let mut tests = Vec::new();
    for k in &cells {
        // Calibration: the reintegration step with the best mean of temporary − centralized.
        let points: Vec<usize> = ks
            .iter()
            .filter(|(_, v)| *v == k)
            .map(|(p, _)| *p)
            .collect();
        let mut best: Option<(f64, usize)> = None;
        for &p in &points {
            let d = r.paired("temporary", "centralized", "performance_final", |key| {
                key.0 == p && key.1 < half
            })?;
            let m = stats::mean_ci(&d, 0.95).value;
            if best.is_none_or(|(b, _)| m > b) {
                best = Some((m, p));
            }
        }
        let Some((_, p)) = best else { continue };
        let test = |other: &str| -> Result<Estimate, ReadError> {
            Ok(stats::mean_ci(
                &r.paired("temporary", other, "performance_final", |key| {
                    key.0 == p && key.1 >= half
                })?,
                0.95,
            ))
        };
        let (vc, vs) = (test("centralized")?, test("shared-none")?);
        tests.push((k.clone(), ts[&p].clone(), vc, vs));
    }
    // Both differences must be positive: the p-value of the cell is the larger one-sided p.
    let one_sided = |e: &Estimate| if e.value > 0.0 { e.p / 2.0 } else { 1.0 };
    let cell_p: Vec<f64> = tests
        .iter()
        .map(|(_, _, a, b)| one_sided(a).max(one_sided(b)))
        .collect();
    let adjusted = stats::holm(&cell_p);
    let mut any = false;
    for ((k, t, vc, vs), p) in tests.iter().zip(&adjusted) {
        let holds = *p < 0.05;
        any |= holds;
        out.push(row(
            P,
            S,
            format!("K = {k}, reintegration at step {t} (chosen on calibration replicates): final performance, temporary − centralized"),
            *vc,
            "above 0, with temporary − shared-none above 0 (Holm-adjusted over landscapes)",
            Role::Report,
            Some(holds && vc.value > 0.0),
        ));
        out.push(row(
            P,
            S,
            format!(
                "K = {k}, reintegration at step {t}: final performance, temporary − shared-none"
            ),
            *vs,
            "above 0",
            Role::Report,
            above(vs),
        ));
    }
    out.push(row(
        P,
        S,
        "local search (search = \"leaders\"): temporary beats both permanent forms on held-out replicates in some landscape",
        Estimate::bare(adjusted.iter().copied().fold(f64::NAN, f64::min)),
        "Holm-adjusted p < 0.05 in at least one landscape (the estimate is the smallest adjusted p)",
        Role::Claimed,
        Some(any),
    ));
    out.extend(temporary_members(root, P, S)?);
    Ok(out)
}

/// Pattern 3's tests with members proposing (`temporary-decentralization-members`): temporary
/// decentralization against each permanent form, rows labelled `p` and `s`.
fn temporary_members(root: &Path, p: &str, s: &str) -> Result<Vec<Row>, ReadError> {
    let m = results(root, "temporary-decentralization-members")?;
    let all = |_: &RunKey| true;
    let mut out = Vec::new();
    for other in ["centralized", "shared-none"] {
        let e = stats::mean_ci(
            &m.paired("temporary", other, "performance_final", all)?,
            0.95,
        );
        out.push(row(
            p,
            s,
            format!("members propose, noisy judgement, drifting task: final performance, temporary − {other}"),
            e,
            "above 0",
            Role::Test,
            above(&e),
        ));
    }
    Ok(out)
}

/// Pattern 4: the interaction of decision rule (vote vs lead) and expertise heterogeneity.
fn participation(root: &Path) -> Result<Vec<Row>, ReadError> {
    const P: &str = "4 participation × heterogeneous expertise";
    const S: &str = "Dionne et al. 2010; ODD pattern 4";
    let mut out = Vec::new();
    for (file, label, role) in [
        ("participation", "team cognition on", Role::Test),
        (
            "participation-no-cognition",
            "team cognition off",
            Role::Report,
        ),
    ] {
        let r = results(root, file)?;
        let sd = r.axis_values("organization.expertise.own.sd")?;
        let at = |level: f64| -> Result<Vec<f64>, ReadError> {
            r.paired("shared-vote", "shared-lead", "performance_mean", |k| {
                sd.get(&k.0)
                    .and_then(|v| v.parse::<f64>().ok())
                    .is_some_and(|v| (v - level).abs() < 1e-9)
            })
        };
        let (het, hom) = (at(0.3)?, at(0.02)?);
        let i = stats::welch(&het, &hom);
        out.push(row(
            P,
            S,
            format!("{label}: interaction (vote − lead | heterogeneous) − (vote − lead | homogeneous), mean performance"),
            i,
            "above 0 (voting pays more when expertise differs)",
            role,
            above(&i),
        ));
        let h = stats::mean_ci(&hom, 0.95);
        out.push(row(
            P,
            S,
            format!("{label}: vote − lead in homogeneous teams, mean performance"),
            h,
            "below 0 (Dionne et al.: participation hurts homogeneous teams)",
            Role::Test,
            below(&h),
        ));
    }
    Ok(out)
}

/// Pattern 5: small against ample capacity, per kind of model.
fn large_organization(root: &Path) -> Result<Vec<Row>, ReadError> {
    const P: &str = "5 small capacity, large organization";
    const S: &str = "ODD pattern 5";
    let r = results(root, "large-organization")?;
    let all = |_: &RunKey| true;
    let mut out = Vec::new();
    for kind in ["centralized", "shared", "hybrid"] {
        let (small, ample) = (format!("{kind}-small"), format!("{kind}-ample"));
        let d = |c: &str| -> Result<Estimate, ReadError> {
            Ok(stats::mean_ci(&r.paired(&small, &ample, c, all)?, 0.95))
        };
        let expired = d("expired_mean")?;
        let engagement = d("engagement_final")?;
        let participation = d("participation_final")?;
        let voice = d("voice_final")?;
        out.push(row(
            P,
            S,
            format!("{kind}: expired proposals per step, capacity 1 − capacity 10"),
            expired,
            "above 0",
            Role::Claimed,
            above(&expired),
        ));
        out.push(row(
            P,
            S,
            format!("{kind}: final engagement, capacity 1 − capacity 10"),
            engagement,
            "below 0",
            Role::Claimed,
            below(&engagement),
        ));
        out.push(row(
            P,
            S,
            format!("{kind}: final voice expectancy, capacity 1 − capacity 10"),
            voice,
            "below 0",
            Role::Claimed,
            below(&voice),
        ));
        // Participation also answers to what is left to propose: an organization that has
        // exhausted its improvements proposes less whatever its capacity (ODD §1, pattern 5).
        out.push(row(
            P,
            S,
            format!("{kind}: final participation, capacity 1 − capacity 10"),
            participation,
            "below 0",
            Role::Test,
            below(&participation),
        ));
    }
    Ok(out)
}

/// The meta-analytic pattern over a population of teams (one run each) of `model`.
// Long because it is the pattern's rows in report order, each published figure, statistic and
// criterion beside its description; the columns it reads are shared by most of the rows.
fn meta_analytic(root: &Path, file: &str, model: &str) -> Result<Vec<Row>, ReadError> {
    let p = format!("6 meta-analytic population ({model})");
    let p = p.as_str();
    let r = results(root, file)?;
    let column = |c: &str| -> Result<Vec<f64>, ReadError> {
        Ok(r.by_run(model, c)?.into_values().collect())
    };
    let axis = |a: &str| -> Result<Vec<f64>, ReadError> {
        let values = r.axis_values(a)?;
        let runs = r.by_run(model, "performance_mean")?;
        Ok(runs
            .keys()
            .map(|k| {
                values
                    .get(&k.0)
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(f64::NAN)
            })
            .collect())
    };
    let s = column("sharedness_mean")?;
    let perf = column("performance_mean")?;
    let eng = column("engagement_mean")?;
    let trust = column("trust_mean")?;
    let size = axis("organization.members")?;
    let corr = |x: &[f64], y: &[f64]| {
        let (r, n) = stats::pearson(x, y);
        (stats::fisher(r, n), r, n)
    };
    let (sp, r_sp, n) = corr(&s, &perf);
    let (se_, r_se, _) = corr(&s, &eng);
    let (r_pe, _) = stats::pearson(&perf, &eng);
    let mut out = Vec::new();
    let mut published = |mut x: Row, text: &str| {
        x.published = text.into();
        out.push(x);
    };
    published(
        row(
            p,
            "D'Innocenzo, Mathieu & Kukenberger 2016",
            format!("r(sharedness, performance) over {n} teams"),
            sp,
            "above 0",
            Role::Test,
            above(&sp),
        ),
        "ρ ≈ .18",
    );
    published(
        row(
            p,
            "Wang, Waldman & Zhang 2014",
            "r(sharedness, engagement)",
            se_,
            "above 0",
            Role::Test,
            above(&se_),
        ),
        "ρ ≈ .34 overall, stronger for attitudes",
    );
    let st = stats::steiger(r_se, r_sp, r_pe, n);
    published(
        row(
            p,
            "Wang, Waldman & Zhang 2014",
            "r(sharedness, engagement) − r(sharedness, performance), Fisher z (Steiger 1980)",
            st,
            "above 0 (stronger for attitudinal outcomes)",
            Role::Test,
            above(&st),
        ),
        "attitudinal > performance",
    );
    for (label, x, y) in [("performance", &s, &perf), ("engagement", &s, &eng)] {
        let (rp, np) = stats::partial(x, y, &size);
        let e = stats::fisher(rp, np);
        out.push(row(
            p,
            "team size held constant",
            format!("partial r(sharedness, {label} | team size)"),
            e,
            "",
            Role::Report,
            None,
        ));
        let (rs, ns) = stats::spearman(x, y);
        out.push(row(
            p,
            "rank correlation",
            format!("Spearman r(sharedness, {label})"),
            stats::fisher(rs, ns),
            "",
            Role::Report,
            None,
        ));
    }
    // Moderators: terciles of task complexity, interdependence and tenure.
    for (path, what, rising, falling) in [
        (
            "landscape.k",
            "task complexity K",
            "Wang et al. 2014: stronger for complex work",
            "D'Innocenzo et al. 2016: weaker for complex tasks",
        ),
        (
            "landscape.cross_probability",
            "interdependence (cross-module links)",
            "Nicolaides et al. 2014: stronger with interdependence",
            "D'Innocenzo et al. 2016: no moderation by interdependence",
        ),
        (
            "steps",
            "tenure (steps)",
            "",
            "Nicolaides et al. 2014: weaker with longer tenure",
        ),
    ] {
        let x = axis(path)?;
        let mut sorted: Vec<f64> = x.iter().copied().filter(|v| !v.is_nan()).collect();
        sorted.sort_by(f64::total_cmp);
        if sorted.len() < 9 {
            continue;
        }
        let cut = |q: f64| sorted[((sorted.len() - 1) as f64 * q) as usize];
        let (c1, c2) = (cut(1.0 / 3.0), cut(2.0 / 3.0));
        let part = |lo: f64, hi: f64, first: bool| {
            let keep: Vec<usize> = (0..x.len())
                .filter(|&i| (x[i] > lo || (first && x[i] >= lo)) && x[i] <= hi)
                .collect();
            let pick = |v: &[f64]| keep.iter().map(|&i| v[i]).collect::<Vec<f64>>();
            stats::pearson(&pick(&s), &pick(&perf))
        };
        let low = part(f64::NEG_INFINITY, c1, true);
        let high = part(c2, f64::INFINITY, false);
        for (name, (rr, nn)) in [
            ("lowest", low),
            ("middle", part(c1, c2, false)),
            ("highest", high),
        ] {
            out.push(row(
                p,
                "",
                format!("r(sharedness, performance), {name} third of {what}"),
                stats::fisher(rr, nn),
                "",
                Role::Report,
                None,
            ));
        }
        let diff = stats::independent_correlations(high.0, high.1, low.0, low.1);
        if !rising.is_empty() {
            out.push(row(
                p,
                rising,
                format!("r in the highest − lowest third of {what}, Fisher z"),
                diff,
                "above 0",
                Role::Test,
                above(&diff),
            ));
        }
        out.push(row(
            p,
            falling,
            format!("r in the highest − lowest third of {what}, Fisher z"),
            diff,
            if falling.contains("no moderation") {
                "interval includes 0"
            } else {
                "below 0"
            },
            Role::Test,
            if falling.contains("no moderation") {
                Some(diff.low <= 0.0 && diff.high >= 0.0)
            } else {
                below(&diff)
            },
        ));
    }
    let (rt, nt) = stats::pearson(&trust, &perf);
    let mut t = row(
        p,
        "De Jong, Dirks & Gillespie 2016",
        "r(trust, performance)",
        stats::fisher(rt, nt),
        "above 0",
        Role::Test,
        above(&stats::fisher(rt, nt)),
    );
    t.published = "ρ ≈ .30".into();
    out.push(t);
    let _ = r_sp;
    Ok(out)
}

/// The seed essay's claim that shared leadership adapts better, under each interim rule.
fn leader_loss(root: &Path) -> Result<Vec<Row>, ReadError> {
    const P: &str = "7 leader loss and a market shock";
    const S: &str = "seed essay: shared leadership adapts better";
    let mut out = Vec::new();
    let mut all_hold = true;
    for interim in ["none", "deputy", "election"] {
        let r = results(root, &format!("leader-loss-{interim}"))?;
        let every = |_: &RunKey| true;
        for other in ["shared", "hybrid"] {
            let e = stats::mean_ci(
                &r.paired(other, "centralized", "effect@market", every)?,
                0.95,
            );
            if other == "shared" {
                all_hold &= e.low > 0.0;
            }
            out.push(row(
                P,
                S,
                format!("interim = {interim}: effect of the shocks (performance − no-shock twin over 50 steps), {other} − centralized"),
                e,
                "above 0",
                Role::Test,
                above(&e),
            ));
        }
    }
    // What the loss takes: the share of each model's review capacity whose holder left.
    let r = results(root, "leader-loss-none")?;
    for model in ["centralized", "shared", "hybrid"] {
        let lost: Vec<f64> = r
            .by_run(model, "capacity_lost@departure")?
            .into_values()
            .collect();
        out.push(row(
            P,
            "how much the loss takes",
            format!("{model}: share of review capacity lost with the departing leader"),
            stats::mean_ci(&lost, 0.95),
            "",
            Role::Report,
            None,
        ));
    }
    // The control: the market shock alone.
    let m = results(root, "leader-loss-market-only")?;
    for other in ["shared", "hybrid"] {
        let e = stats::mean_ci(
            &m.paired(other, "centralized", "effect@market", |_| true)?,
            0.95,
        );
        out.push(row(
            P,
            "control: no leader loss",
            format!("market shock alone: effect of the shock, {other} − centralized"),
            e,
            "above 0",
            Role::Test,
            above(&e),
        ));
    }
    out.push(row(
        P,
        S,
        "shared − centralized effect above 0 under every interim rule",
        Estimate::bare(f64::NAN),
        "holds under none, deputy and election",
        Role::Test,
        Some(all_hold),
    ));
    Ok(out)
}

/// The seed essay's claim that an unwilling leader erodes the benefits of sharing.
fn reluctance(root: &Path) -> Result<Vec<Row>, ReadError> {
    const P: &str = "8 reluctance to share power";
    const S: &str = "seed essay: an unwilling leader erodes the benefits";
    let r = results(root, "reluctance")?;
    let levels = [
        ("sharing-10", 1.0),
        ("sharing-07", 0.7),
        ("sharing-04", 0.4),
        ("sharing-01", 0.1),
        ("sharing-00", 0.0),
    ];
    let mut out = Vec::new();
    for outcome in [
        "performance_mean",
        "engagement_mean",
        "innovations_mean",
        "leadership_skill_final",
    ] {
        let base = r.by_run("centralized", outcome)?;
        let mut per: BTreeMap<RunKey, Vec<(f64, f64)>> = BTreeMap::new();
        for (name, ps) in levels {
            for (k, v) in r.by_run(name, outcome)? {
                if let Some(b) = base.get(&k) {
                    per.entry(k).or_default().push((ps, v - b));
                }
            }
        }
        let replicates: Vec<Vec<(f64, f64)>> = per.into_values().collect();
        let e = stats::slope_over_replicates(&replicates, 8);
        out.push(row(
            P,
            S,
            format!("slope of the benefit (shared − centralized {outcome}) on power_sharing"),
            e,
            "above 0 (more sharing, more benefit)",
            Role::Test,
            above(&e),
        ));
        // Fairness: at power_sharing 0 the shared organization makes the centralized one's
        // decisions, so its benefit must vanish.
        let zero: Vec<f64> = replicates
            .iter()
            .flat_map(|v| v.iter().filter(|x| x.0 == 0.0).map(|x| x.1))
            .collect();
        let z = stats::mean_ci(&zero, 0.90);
        out.push(row(
            P,
            "fairness (docs/ODD.md §4)",
            format!("benefit at power_sharing 0 ({outcome}, 90% CI)"),
            z,
            "within ±0.005 (the centralized organization's decisions, so no benefit)",
            Role::Check,
            // No spread at all (every replicate equal) leaves the interval's ends undefined.
            Some(
                z.value.abs() <= 0.005
                    && (z.low.is_nan() || z.low >= -0.005)
                    && (z.high.is_nan() || z.high <= 0.005),
            ),
        ));
    }
    Ok(out)
}

/// The table as CSV (`patterns.csv`): one row per comparison, an empty cell for a missing
/// number.
pub fn csv(rows: &[Row]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let header = [
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
        "verdict",
    ];
    // Writing to memory cannot fail.
    w.write_record(header).expect("in-memory CSV");
    let num = crate::output::number;
    for r in rows {
        w.write_record([
            r.pattern.clone(),
            r.source.clone(),
            r.compared.clone(),
            num(r.estimate.value),
            num(r.estimate.low),
            num(r.estimate.high),
            num(r.estimate.p),
            r.published.clone(),
            r.criterion.clone(),
            r.role.name().to_string(),
            r.verdict().to_string(),
        ])
        .expect("in-memory CSV");
    }
    w.into_inner().expect("in-memory CSV")
}

/// `text` (a pattern file) with `times` as many replicates — or, for a population of one run
/// per point (a random or Latin-hypercube design with one replicate), as many points.
pub fn scaled(text: &str, times: u32) -> Result<String, String> {
    if times == 1 {
        return Ok(text.to_string());
    }
    let mut table: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
    let int = |t: &toml::Table, k: &str| t.get(k).and_then(toml::Value::as_integer);
    let replications = int(&table, "replications").unwrap_or(1);
    let sampled = table
        .get("design")
        .and_then(toml::Value::as_table)
        .filter(|d| {
            matches!(
                d.get("kind").and_then(toml::Value::as_str),
                Some("lhs" | "random")
            )
        });
    if replications == 1
        && let Some(samples) = sampled.and_then(|d| int(d, "samples"))
    {
        let design = table
            .get_mut("design")
            .and_then(toml::Value::as_table_mut)
            .expect("checked above");
        design.insert(
            "samples".into(),
            toml::Value::Integer(samples.saturating_mul(i64::from(times))),
        );
    } else {
        table.insert(
            "replications".into(),
            toml::Value::Integer(replications.saturating_mul(i64::from(times))),
        );
    }
    toml::to_string(&table).map_err(|e| e.to_string())
}

/// `report.html` of the patterns: the table, each pattern's folder linked to its own report
/// (charts, inputs, statistics). Self-contained and a pure function of the rows.
pub fn html(rows: &[Row]) -> String {
    use crate::report::escape;
    use std::fmt::Write as _;
    let mut h = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>leadsim replicate patterns</title>\n<style>\
         body{font-family:system-ui,sans-serif;margin:2em;color:#222}\
         table{border-collapse:collapse;font-size:0.9em}\
         td,th{border-bottom:1px solid #ddd;padding:0.3em 0.6em;text-align:left;vertical-align:top}\
         td.n{text-align:right;font-variant-numeric:tabular-nums}\
         .holds{color:#1b7837}.fails{color:#b2182b;font-weight:bold}.no{color:#b35806}\
         </style>\n</head>\n<body>\n<h1>Patterns and claims</h1>\n",
    );
    h += "<p>Each stylized fact of docs/ODD.md §1 and each claim of the seed essay, run as a \
          paired experiment from <code>scenarios/patterns/</code>. <em>claimed</em>: the ODD says \
          the model produces it (a failure fails the command); <em>check</em>: a fairness \
          property; <em>test</em>: a hypothesis reported whatever it says. Intervals are 95% \
          unless the row says otherwise. Each pattern's folder holds its own report and charts: ";
    let links: Vec<String> = FILES
        .iter()
        .map(|f| format!("<a href=\"{0}/report.html\">{0}</a>", escape(f.name)))
        .collect();
    h += &links.join(", ");
    h += ".</p>\n<table>\n<tr><th>pattern</th><th>compared</th><th>estimate</th><th>95% CI</th>\
          <th>published</th><th>criterion</th><th>role</th><th>verdict</th></tr>\n";
    let num = |x: f64| {
        if x.is_nan() {
            String::new()
        } else {
            format!("{x:.4}")
        }
    };
    for r in rows {
        let e = &r.estimate;
        let ci = if e.low.is_nan() {
            String::new()
        } else {
            format!("[{}, {}]", num(e.low), num(e.high))
        };
        let class = match (r.holds, r.fails()) {
            (_, true) => "fails",
            (Some(true), _) => "holds",
            (Some(false), _) => "no",
            (None, _) => "",
        };
        let _ = writeln!(
            h,
            "<tr><td>{}<br><small>{}</small></td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td class=\"{class}\">{}</td></tr>",
            escape(&r.pattern),
            escape(&r.source),
            escape(&r.compared),
            num(e.value),
            ci,
            escape(&r.published),
            escape(&r.criterion),
            r.role.name(),
            r.verdict(),
        );
    }
    h += "</table>\n";
    for (name, title, caption, _) in chart_groups(rows) {
        let _ = writeln!(
            h,
            "<figure><img src=\"charts/{0}.svg\" alt=\"{1}\" style=\"max-width:100%\">\
             <figcaption>{2} (<a href=\"charts/{0}.png\">PNG</a>)</figcaption></figure>",
            escape(&name),
            escape(&title),
            escape(&caption),
        );
    }
    h += "</body>\n</html>\n";
    h
}

/// A chart group per pattern: its file stem, title, caption and estimates with intervals.
type Group = crate::plot::EstimateGroup;

/// The rows grouped into one forest plot per pattern (only estimates with an interval).
fn chart_groups(rows: &[Row]) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for r in rows {
        let e = &r.estimate;
        if !(e.value.is_finite() && e.low.is_finite() && e.high.is_finite()) {
            continue;
        }
        if groups.last().is_none_or(|g| g.1 != r.pattern) {
            let stem: String = r
                .pattern
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '-'
                    }
                })
                .collect();
            let stem = stem
                .split('-')
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join("-");
            groups.push((
                format!("patterns-{stem}"),
                r.pattern.clone(),
                format!(
                    "Pattern {}: each estimate of the table with its interval (95% unless its label says otherwise) and a line at 0.",
                    r.pattern
                ),
                Vec::new(),
            ));
        }
        let label = format!("{} — {}", r.compared, r.role.name());
        groups
            .last_mut()
            .expect("pushed above")
            .3
            .push((label, e.value, e.low, e.high));
    }
    groups
}

/// The forest plots of the table, one per pattern (`charts/patterns-*.png` and `.svg`).
pub fn charts(rows: &[Row]) -> Vec<crate::plot::Chart> {
    crate::plot::estimate_charts(&chart_groups(rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn est(value: f64, low: f64, high: f64) -> Estimate {
        Estimate {
            value,
            low,
            high,
            p: f64::NAN,
        }
    }

    #[test]
    fn every_bundled_file_parses_and_is_named_as_its_folder() {
        for f in FILES {
            let t: toml::Table =
                toml::from_str(f.text).unwrap_or_else(|e| panic!("{}: {e}", f.path));
            let name = t
                .get("name")
                .or_else(|| t.get("base").and_then(|b| b.get("name")))
                .and_then(toml::Value::as_str);
            // A sweep's name may sit in [base]; the folder is always the file's stem.
            assert!(f.path.ends_with(&format!("{}.toml", f.name)), "{}", f.path);
            assert!(name.is_some(), "{} has no name", f.path);
        }
    }

    #[test]
    fn scaling_multiplies_replicates_or_a_population_points() {
        let run = "name = \"x\"\nreplications = 60\n[landscape]\nn = 8\n";
        assert_eq!(
            scaled(run, 1).unwrap(),
            run,
            "one time is the file unchanged"
        );
        let t: toml::Table = toml::from_str(&scaled(run, 3).unwrap()).unwrap();
        assert_eq!(t["replications"].as_integer(), Some(180));
        assert_eq!(
            t["landscape"]["n"].as_integer(),
            Some(8),
            "nothing else moves"
        );
        // One run per point of a sampled design: more points, not more replicates.
        let lhs = "replications = 1\n[design]\nkind = \"lhs\"\nsamples = 2000\n";
        let t: toml::Table = toml::from_str(&scaled(lhs, 2).unwrap()).unwrap();
        assert_eq!(t["design"]["samples"].as_integer(), Some(4000));
        assert_eq!(t["replications"].as_integer(), Some(1));
        // A grid with replicates gets more replicates.
        let grid = "replications = 300\n[design]\nkind = \"grid\"\n";
        let t: toml::Table = toml::from_str(&scaled(grid, 2).unwrap()).unwrap();
        assert_eq!(t["replications"].as_integer(), Some(600));
        assert!(scaled("replications = [", 2).is_err());
    }

    #[test]
    fn only_claims_and_checks_that_fail_fail_the_command() {
        let mk = |role, holds| row("p", "s", "c", est(0.0, -1.0, 1.0), "", role, holds);
        assert!(mk(Role::Claimed, Some(false)).fails());
        assert!(mk(Role::Check, Some(false)).fails());
        assert!(!mk(Role::Claimed, Some(true)).fails());
        assert!(
            !mk(Role::Test, Some(false)).fails(),
            "a refuted hypothesis is a result"
        );
        assert!(!mk(Role::Report, None).fails());
        assert_eq!(above(&est(0.2, 0.1, 0.3)), Some(true));
        assert_eq!(above(&est(0.2, -0.1, 0.3)), Some(false));
        assert_eq!(below(&est(-0.2, -0.3, -0.1)), Some(true));
    }

    #[test]
    fn charts_group_rows_by_pattern_and_skip_bare_figures() {
        let rows = vec![
            row(
                "1 a b",
                "s",
                "x",
                est(0.1, 0.0, 0.2),
                "",
                Role::Claimed,
                Some(true),
            ),
            row(
                "1 a b",
                "s",
                "y",
                Estimate::bare(0.3),
                "",
                Role::Test,
                Some(true),
            ),
            row(
                "2 c",
                "s",
                "z",
                est(-0.1, -0.2, 0.0),
                "",
                Role::Test,
                Some(false),
            ),
            row(
                "3 d",
                "s",
                "w",
                Estimate::bare(f64::NAN),
                "",
                Role::Test,
                None,
            ),
        ];
        let g = chart_groups(&rows);
        let names: Vec<&str> = g.iter().map(|x| x.0.as_str()).collect();
        assert_eq!(names, ["patterns-1-a-b", "patterns-2-c"]);
        assert_eq!(g[0].3.len(), 1, "the bare estimate is not drawn");
        assert_eq!(g[0].3[0].0, "x — claimed");
        assert_eq!(charts(&rows).len(), 2);
        let page = html(&rows);
        assert!(page.contains("charts/patterns-2-c.svg") && !page.contains("patterns-3"));
    }

    #[test]
    fn the_table_leaves_missing_numbers_empty() {
        let rows = vec![row(
            "p, with comma",
            "s",
            "c",
            Estimate::bare(f64::NAN),
            "",
            Role::Report,
            None,
        )];
        let text = String::from_utf8(csv(&rows)).unwrap();
        let mut lines = text.lines();
        assert!(
            lines
                .next()
                .unwrap()
                .starts_with("pattern,source,compared,estimate")
        );
        // Missing numbers are empty cells, which R and pandas read as NA.
        assert_eq!(
            lines.next().unwrap(),
            "\"p, with comma\",s,c,,,,,,,reported,"
        );
    }
}
