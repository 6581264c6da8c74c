//! The files of a sweep's analysis, written next to its tables and read back by the charts and
//! the report: `sensitivity.csv` (Morris and Sobol' indices), `problem.json` (the sweep as
//! SALib's problem), and `discover-<condition>.csv` with `discover-<condition>-bounds.csv`
//! and `-points.csv` (PRIM's peeling trajectory, its boxes' bounds and the points searched).
//!
//! All are tidy tables (one row per estimate, per box, per bound) that `read.csv` and
//! `pandas.read_csv` read without options; NA is an empty cell. They are derived from the
//! tables and the manifest, like the charts: a redo (`leadsim sensitivity DIR`, `leadsim
//! discover DIR`) rewrites them, and the manifest's checksums do not cover them.

use super::read::{ReadError, open};
use super::{OutputError, number, write_atomic};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The sensitivity indices of a sweep.
pub const SENSITIVITY: &str = "sensitivity.csv";
/// The sweep as SALib's problem.
pub const PROBLEM: &str = "problem.json";
/// The start of the names of discovery files.
pub(crate) const DISCOVER_PREFIX: &str = "discover-";

/// The columns of `sensitivity.csv`.
pub const SENSITIVITY_COLUMNS: [&str; 15] = [
    "quantity",
    "metric",
    "model",
    "versus",
    "parameter",
    "other",
    "index",
    "estimate",
    "conf",
    "ci_low",
    "ci_high",
    "points",
    "replicates",
    "noise_share",
    "noisy",
];

/// One estimate of `sensitivity.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexRow {
    /// The analysed quantity as text (`shared:performance_mean`, `shared-centralized:…`).
    pub quantity: String,
    /// Its measure.
    pub metric: String,
    /// Its model (the first of a pair).
    pub model: String,
    /// For a paired difference, the model subtracted; empty otherwise.
    pub versus: String,
    /// The parameter (a swept path).
    pub parameter: String,
    /// The second parameter of a second-order index; empty otherwise.
    pub other: String,
    /// `S1`, `ST`, `S2` (Sobol') or `mu`, `mu_star`, `sigma` (Morris).
    pub index: String,
    /// The estimate.
    pub estimate: f64,
    /// Half-width of its 95% bootstrap interval (NaN where none is estimated: Morris μ, σ).
    pub conf: f64,
    /// Design points the indices are computed from.
    pub points: usize,
    /// Replicates averaged at each point.
    pub replicates: usize,
    /// The share of the variance of the per-point means that replicate noise accounts for.
    pub noise_share: f64,
    /// Whether that share is large enough to swamp the effects.
    pub noisy: bool,
}

/// `sensitivity.csv` as bytes.
pub fn sensitivity_csv(rows: &[IndexRow]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing to memory cannot fail.
    w.write_record(SENSITIVITY_COLUMNS).expect("in-memory CSV");
    for r in rows {
        let (low, high) = (r.estimate - r.conf, r.estimate + r.conf);
        w.write_record([
            r.quantity.clone(),
            r.metric.clone(),
            r.model.clone(),
            r.versus.clone(),
            r.parameter.clone(),
            r.other.clone(),
            r.index.clone(),
            number(r.estimate),
            number(r.conf),
            number(low),
            number(high),
            r.points.to_string(),
            r.replicates.to_string(),
            number(r.noise_share),
            r.noisy.to_string(),
        ])
        .expect("in-memory CSV");
    }
    w.into_inner().expect("in-memory CSV")
}

/// Reads `sensitivity.csv` of `dir`; `None` when the folder has none.
pub fn sensitivity(dir: &Path) -> Result<Option<Vec<IndexRow>>, ReadError> {
    if !dir.join(SENSITIVITY).exists() {
        return Ok(None);
    }
    let (t, mut reader) = open(dir, SENSITIVITY)?;
    let col = |name: &str| t.column(name);
    let c: Vec<usize> = SENSITIVITY_COLUMNS
        .iter()
        .filter(|n| !matches!(**n, "ci_low" | "ci_high"))
        .map(|n| col(n))
        .collect::<Result<_, _>>()?;
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    while t.next(&mut reader, &mut record)? {
        let text = |i: usize| record.get(c[i]).unwrap_or("").to_string();
        rows.push(IndexRow {
            quantity: text(0),
            metric: text(1),
            model: text(2),
            versus: text(3),
            parameter: text(4),
            other: text(5),
            index: text(6),
            estimate: t.number(&record, c[7])?,
            conf: t.number(&record, c[8])?,
            points: t.unsigned(&record, c[9])? as usize,
            replicates: t.unsigned(&record, c[10])? as usize,
            noise_share: t.number(&record, c[11])?,
            noisy: text(12) == "true",
        });
    }
    Ok(Some(rows))
}

/// A sweep as SALib reads a problem (`num_vars`, `names`, `bounds`, `dists`), with what SALib
/// has no words for under `leadsim`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    /// Number of swept parameters.
    pub num_vars: usize,
    /// Their dotted paths, in axis order.
    pub names: Vec<String>,
    /// Per parameter, SALib's bounds: `[lo, hi]`, or `[lo, hi, mean, sd]` for `truncnorm`;
    /// `[0, 1]` for a discrete axis (see `leadsim.axes`).
    pub bounds: Vec<Vec<f64>>,
    /// Per parameter, SALib's distribution: `unif`, `logunif` or `truncnorm`.
    pub dists: Vec<String>,
    /// The design and the discrete axes, which SALib's problem cannot state.
    pub leadsim: ProblemNotes,
}

/// What `problem.json` adds to SALib's keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProblemNotes {
    /// The design's kind (`random`, `lhs`, `morris`, `sobol`).
    pub design: String,
    /// Its parameters: `samples`, `second_order`, `skip_values` (Sobol'); `trajectories`,
    /// `num_levels` (Morris).
    pub parameters: std::collections::BTreeMap<String, serde_json::Value>,
    /// Per axis: its distribution in leadsim's words and, for a discrete axis, its values.
    pub axes: Vec<ProblemAxis>,
    /// How to read the rest, in a sentence.
    pub note: String,
}

/// One axis in `problem.json`'s notes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProblemAxis {
    /// The dotted path.
    pub name: String,
    /// `uniform`, `log_uniform`, `normal` or `values`.
    pub distribution: String,
    /// A discrete axis's values, as cells: the unit coordinate u selects value ⌊u·m⌋.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// Whether values are rounded to whole numbers.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub integer: bool,
}

/// Writes `problem.json` into `dir`.
pub fn write_problem(dir: &Path, problem: &Problem) -> Result<PathBuf, OutputError> {
    let mut bytes = serde_json::to_vec_pretty(problem).expect("serializable");
    bytes.push(b'\n');
    let path = dir.join(PROBLEM);
    write_atomic(&path, &bytes)?;
    Ok(path)
}

/// Reads `problem.json` of `dir`; `None` when the folder has none.
pub fn problem(dir: &Path) -> Result<Option<Problem>, ReadError> {
    let path = dir.join(PROBLEM);
    if !path.exists() {
        return Ok(None);
    }
    let bytes = std::fs::read(&path).map_err(|source| ReadError::Io {
        path: path.clone(),
        source,
    })?;
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| ReadError::Malformed {
            path,
            detail: format!("not a leadsim problem: {e}"),
        })
}

/// Writes `sensitivity.csv` into `dir`.
pub fn write_sensitivity(dir: &Path, rows: &[IndexRow]) -> Result<PathBuf, OutputError> {
    let path = dir.join(SENSITIVITY);
    write_atomic(&path, &sensitivity_csv(rows))?;
    Ok(path)
}

/// The columns of a discovery's trajectory file.
pub const TRAJECTORY_COLUMNS: [&str; 10] = [
    "condition",
    "box",
    "step",
    "points",
    "cases",
    "coverage",
    "density",
    "mass",
    "restricted",
    "chosen",
];

/// The columns of a discovery's bounds file.
pub const BOUNDS_COLUMNS: [&str; 6] = [
    "condition",
    "box",
    "parameter",
    "lower",
    "upper",
    "restricted",
];

/// One box of a PRIM trajectory.
#[derive(Debug, Clone, PartialEq)]
pub struct BoxRow {
    /// Its number on the trajectory (0: every point).
    pub index: usize,
    /// How it was reached: `initial`, `peel` or `paste`.
    pub step: String,
    /// Design points in the box.
    pub points: usize,
    /// Points in the box where the condition holds.
    pub cases: usize,
    /// Cases in the box / all cases.
    pub coverage: f64,
    /// Cases in the box / points in the box.
    pub density: f64,
    /// Points in the box / all points.
    pub mass: f64,
    /// Parameters the box restricts.
    pub restricted: usize,
    /// Whether this is the box the choice rule picked.
    pub chosen: bool,
    /// Per parameter (in axis order): lower and upper bound and whether it is restricted.
    pub bounds: Vec<(f64, f64, bool)>,
}

/// One design point of a discovery.
#[derive(Debug, Clone, PartialEq)]
pub struct PointRow {
    /// The point's number.
    pub point: usize,
    /// Its coordinates as PRIM saw them, in parameter order (an axis of words by position).
    pub coords: Vec<f64>,
    /// The quantity's mean at the point.
    pub mean: f64,
    /// Whether the condition holds there.
    pub case: bool,
}

/// A discovery as written: the condition, the parameters, the trajectory's boxes and the
/// points PRIM searched.
#[derive(Debug, Clone, PartialEq)]
pub struct Discovery {
    /// The condition as given (`shared-centralized:performance_mean > 0`).
    pub condition: String,
    /// The swept parameters, in axis order.
    pub parameters: Vec<String>,
    /// The boxes, first the one around every point.
    pub boxes: Vec<BoxRow>,
    /// The points (those with a defined mean), in point order.
    pub points: Vec<PointRow>,
}

/// The file names of a discovery of `condition`: `discover-<slug>.csv`,
/// `discover-<slug>-bounds.csv` and `discover-<slug>-points.csv`, the slug keeping letters,
/// digits, `.`, `_` and `-` and spelling the comparison (`gt`, `ge`, `lt`, `le`).
pub fn discovery_files(condition: &str) -> (String, String, String) {
    let mut slug = String::new();
    let text = condition
        .replace(">=", " ge ")
        .replace("<=", " le ")
        .replace('>', " gt ")
        .replace('<', " lt ");
    for word in text.split_whitespace() {
        if !slug.is_empty() {
            slug.push('_');
        }
        slug.extend(word.chars().map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        }));
    }
    (
        format!("{DISCOVER_PREFIX}{slug}.csv"),
        format!("{DISCOVER_PREFIX}{slug}-bounds.csv"),
        format!("{DISCOVER_PREFIX}{slug}-points.csv"),
    )
}

/// The name of the other file of the discovery whose trajectory file is `name`: its
/// `-bounds.csv` or `-points.csv`.
fn sibling(name: &str, suffix: &str) -> String {
    format!("{}-{suffix}.csv", name.trim_end_matches(".csv"))
}

/// Writes a discovery's three files into `dir`; returns their paths.
pub fn write_discovery(dir: &Path, d: &Discovery) -> Result<[PathBuf; 3], OutputError> {
    let (traj, bounds, points) = discovery_files(&d.condition);
    let csv = |header: &[&str], rows: Vec<Vec<String>>| {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        w.write_record(header).expect("in-memory CSV");
        for r in rows {
            w.write_record(r).expect("in-memory CSV");
        }
        w.into_inner().expect("in-memory CSV")
    };
    let traj_rows = d
        .boxes
        .iter()
        .map(|b| {
            vec![
                d.condition.clone(),
                b.index.to_string(),
                b.step.clone(),
                b.points.to_string(),
                b.cases.to_string(),
                number(b.coverage),
                number(b.density),
                number(b.mass),
                b.restricted.to_string(),
                b.chosen.to_string(),
            ]
        })
        .collect();
    let bound_rows = d
        .boxes
        .iter()
        .flat_map(|b| {
            d.parameters
                .iter()
                .zip(&b.bounds)
                .map(|(p, &(lo, hi, restricted))| {
                    vec![
                        d.condition.clone(),
                        b.index.to_string(),
                        p.clone(),
                        number(lo),
                        number(hi),
                        restricted.to_string(),
                    ]
                })
        })
        .collect();
    let mut point_header = vec!["point"];
    point_header.extend(d.parameters.iter().map(String::as_str));
    point_header.extend(["mean", "case"]);
    let point_rows = d
        .points
        .iter()
        .map(|p| {
            let mut r = vec![p.point.to_string()];
            r.extend(p.coords.iter().map(|&x| number(x)));
            r.extend([number(p.mean), p.case.to_string()]);
            r
        })
        .collect();
    let (tp, bp, pp) = (dir.join(traj), dir.join(bounds), dir.join(points));
    write_atomic(&tp, &csv(&TRAJECTORY_COLUMNS, traj_rows))?;
    write_atomic(&bp, &csv(&BOUNDS_COLUMNS, bound_rows))?;
    write_atomic(&pp, &csv(&point_header, point_rows))?;
    Ok([tp, bp, pp])
}

/// Every discovery written into `dir`, in file-name order.
pub fn discoveries(dir: &Path) -> Result<Vec<Discovery>, ReadError> {
    let mut names: Vec<String> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| {
                n.starts_with(DISCOVER_PREFIX)
                    && n.ends_with(".csv")
                    && !n.ends_with("-bounds.csv")
                    && !n.ends_with("-points.csv")
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    names.sort();
    names.iter().map(|n| read_discovery(dir, n)).collect()
}

/// Reads the discovery whose trajectory file is `name` (and its bounds file).
fn read_discovery(dir: &Path, name: &str) -> Result<Discovery, ReadError> {
    let (t, mut reader) = open(dir, name)?;
    let c: Vec<usize> = TRAJECTORY_COLUMNS
        .iter()
        .map(|n| t.column(n))
        .collect::<Result<_, _>>()?;
    let mut d = Discovery {
        condition: String::new(),
        parameters: Vec::new(),
        boxes: Vec::new(),
        points: Vec::new(),
    };
    let mut record = csv::StringRecord::new();
    while t.next(&mut reader, &mut record)? {
        let text = |i: usize| record.get(c[i]).unwrap_or("").to_string();
        d.condition = text(0);
        d.boxes.push(BoxRow {
            index: t.unsigned(&record, c[1])? as usize,
            step: text(2),
            points: t.unsigned(&record, c[3])? as usize,
            cases: t.unsigned(&record, c[4])? as usize,
            coverage: t.number(&record, c[5])?,
            density: t.number(&record, c[6])?,
            mass: t.number(&record, c[7])?,
            restricted: t.unsigned(&record, c[8])? as usize,
            chosen: text(9) == "true",
            bounds: Vec::new(),
        });
    }
    let (t, mut reader) = open(dir, &sibling(name, "bounds"))?;
    let c: Vec<usize> = BOUNDS_COLUMNS
        .iter()
        .map(|n| t.column(n))
        .collect::<Result<_, _>>()?;
    while t.next(&mut reader, &mut record)? {
        let index = t.unsigned(&record, c[1])? as usize;
        let parameter = record.get(c[2]).unwrap_or("").to_string();
        let bound = (
            t.number(&record, c[3])?,
            t.number(&record, c[4])?,
            record.get(c[5]) == Some("true"),
        );
        let Some(b) = d.boxes.iter_mut().find(|b| b.index == index) else {
            return Err(t.bad(&record, format!("box {index} is not in {name}")));
        };
        if !d.parameters.contains(&parameter) {
            d.parameters.push(parameter);
        }
        b.bounds.push(bound);
    }
    read_points(dir, &sibling(name, "points"), &mut d)?;
    Ok(d)
}

/// Reads a discovery's points file into `d` (whose parameters are known by now).
fn read_points(dir: &Path, name: &str, d: &mut Discovery) -> Result<(), ReadError> {
    let (t, mut reader) = open(dir, name)?;
    let point = t.column("point")?;
    let coords: Vec<usize> = d
        .parameters
        .iter()
        .map(|p| t.column(p))
        .collect::<Result<_, _>>()?;
    let (mean, case) = (t.column("mean")?, t.column("case")?);
    let mut record = csv::StringRecord::new();
    while t.next(&mut reader, &mut record)? {
        d.points.push(PointRow {
            point: t.unsigned(&record, point)? as usize,
            coords: coords
                .iter()
                .map(|&c| t.number(&record, c))
                .collect::<Result<_, _>>()?,
            mean: t.number(&record, mean)?,
            case: record.get(case) == Some("true"),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_files_are_named_by_their_condition() {
        assert_eq!(
            discovery_files("shared-centralized:performance_mean > 0").0,
            "discover-shared-centralized_performance_mean_gt_0.csv"
        );
        assert_eq!(
            discovery_files("engagement_mean<=0.5").1,
            "discover-engagement_mean_le_0.5-bounds.csv"
        );
    }

    #[test]
    fn analysis_files_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let row = IndexRow {
            quantity: "a-b:m".into(),
            metric: "m".into(),
            model: "a".into(),
            versus: "b".into(),
            parameter: "x.y".into(),
            other: String::new(),
            index: "S1".into(),
            estimate: 0.25,
            conf: 0.125,
            points: 40,
            replicates: 3,
            noise_share: 0.1,
            noisy: false,
        };
        write_sensitivity(dir.path(), std::slice::from_ref(&row)).unwrap();
        let text = std::fs::read_to_string(dir.path().join(SENSITIVITY)).unwrap();
        assert!(
            text.contains(",S1,0.25,0.125,0.125,0.375,40,3,0.1,false\n"),
            "{text}"
        );
        assert_eq!(sensitivity(dir.path()).unwrap(), Some(vec![row]));
        let d = Discovery {
            condition: "m > 0".into(),
            parameters: vec!["x".into(), "y".into()],
            boxes: vec![BoxRow {
                index: 0,
                step: "initial".into(),
                points: 10,
                cases: 4,
                coverage: 1.0,
                density: 0.4,
                mass: 1.0,
                restricted: 0,
                chosen: true,
                bounds: vec![(0.0, 1.0, false), (2.0, 3.0, false)],
            }],
            points: vec![PointRow {
                point: 3,
                coords: vec![0.5, 2.5],
                mean: 1.25,
                case: true,
            }],
        };
        write_discovery(dir.path(), &d).unwrap();
        assert_eq!(discoveries(dir.path()).unwrap(), vec![d]);
    }
}
