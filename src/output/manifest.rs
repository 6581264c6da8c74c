//! `plan.json` and `manifest.json`: what an experiment is, so every number can be reproduced.
//!
//! The plan is written before the first run and names the experiment by an *identity* (a hash of
//! the tool version, the input texts, the command-line overrides, the seed and the number of
//! replications): a resumed run or a merge checks it. The manifest is the plan plus the CRC-32
//! of every table (`output::checksum_text`), written last; its presence marks the folder
//! complete. Neither holds a clock time or a host name, so the same experiment gives the same
//! manifest everywhere.

use super::{MANIFEST, OutputError, PLAN, io_at, sha256, write_atomic};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// An input file of the experiment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputFile {
    /// `scenario` or `sweep` (or `base` for a sweep's base scenario).
    pub(crate) role: String,
    /// The path as given.
    pub(crate) path: String,
    /// SHA-256 of the text, as lowercase hex.
    pub(crate) sha256: String,
    /// The file's text, as read.
    pub(crate) text: String,
}

/// A model as run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// The model's unique name in the experiment (the `model` column of the tables).
    pub name: String,
    /// Its kind (`centralized`, `march1991`, `linear`, …).
    pub kind: String,
    /// Every parameter of the model as run, defaults included, as text.
    pub params: BTreeMap<String, String>,
}

/// One point of the experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct PointInfo {
    pub(crate) point: usize,
    pub(crate) values: BTreeMap<String, String>,
    pub(crate) world_key: u64,
}

/// The world seed of one replicate of one world.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SeedInfo {
    pub(crate) world_key: u64,
    pub(crate) replicate: u32,
    pub(crate) seed: u64,
}

/// The content of `plan.json` and `manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub(crate) tool: String,
    pub(crate) version: String,
    /// `run` or `sweep`.
    pub(crate) kind: String,
    pub(crate) name: String,
    /// Hash naming the experiment: equal for every shard of it and for a resumed run.
    pub identity: String,
    /// The command that reproduces the result.
    pub command: String,
    /// Values given on the command line that override the files (`seed`, `replications`).
    pub overrides: BTreeMap<String, String>,
    /// The input files, texts included, so the plan can be rebuilt without them.
    pub inputs: Vec<InputFile>,
    pub(crate) seed: u64,
    pub(crate) replications: u32,
    pub(crate) steps: Vec<u32>,
    pub(crate) runs: u64,
    pub(crate) models: Vec<ModelInfo>,
    pub(crate) axes: Vec<String>,
    pub(crate) points: Vec<PointInfo>,
    pub(crate) seeds: Vec<SeedInfo>,
    /// `"i/n"` for a shard, empty for a whole experiment.
    pub shard: String,
    /// Checksum of each table (manifest only), as [`super::checksum_text`].
    pub(crate) files: BTreeMap<String, String>,
    /// Replications by precision: the rule, and (manifest only) what it decided. Absent for a
    /// fixed number of replications, so those manifests are unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<PrecisionInfo>,
    /// A comparison of two results (`leadsim compare`): what was compared and how. Absent
    /// otherwise, so other manifests are unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compare: Option<CompareInfo>,
}

/// What a comparison of two result folders (`leadsim compare A B`) compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareInfo {
    /// The first result (the one subtracted).
    pub a: ComparedResult,
    /// The second result.
    pub b: ComparedResult,
    /// Whether replicate r of A and replicate r of B met the same world, so that differences
    /// between the two results are paired replicate by replicate (else Welch's).
    pub paired: bool,
    /// Why they are paired or not, in words.
    pub pairing: String,
}

/// One of the two results a comparison compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparedResult {
    /// The label its models carry (`LABEL:model`): the folder's name.
    pub label: String,
    /// The folder as given.
    pub path: String,
    /// Its experiment's identity.
    pub identity: String,
    /// The command that reproduces it.
    pub command: String,
}

/// A precision rule as run (`replications = { target, metric, max, batch }`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrecisionInfo {
    /// What had to be precise (a quantity such as `shared-centralized:performance_mean`).
    pub metric: String,
    /// The 95% half-width to get under.
    pub target: f64,
    /// Replicates added at a time.
    pub batch: u32,
    /// The most replicates.
    pub max: u32,
    /// What the rule decided (the manifest only; the plan is written before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<PrecisionOutcome>,
}

/// What a precision rule decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrecisionOutcome {
    /// Replicates every point ran (the manifest's `replications`).
    pub replicates: u32,
    /// The widest 95% half-width over the points at that count.
    pub half_width: f64,
    /// Whether the target was reached, rather than `max` replicates run without reaching it.
    pub reached: bool,
}

/// How the experiment was invoked (the binary supplies it).
#[derive(Debug, Clone, Default)]
pub struct Provenance {
    /// The command that reproduces the result (see [`Manifest::command`]).
    pub command: String,
    /// The input files read.
    pub inputs: Vec<InputFile>,
    /// Values given on the command line that override the files (see [`Manifest::overrides`]).
    pub overrides: BTreeMap<String, String>,
}

impl InputFile {
    /// The input file of `role` read from `path`, with its text and that text's SHA-256.
    pub fn new(role: &str, path: &str, text: &str) -> InputFile {
        InputFile {
            role: role.into(),
            path: path.into(),
            sha256: sha256(text.as_bytes()),
            text: text.into(),
        }
    }
}

impl Manifest {
    /// Whether the experiment is a sweep.
    pub fn is_sweep(&self) -> bool {
        self.kind == "sweep"
    }

    /// What makes the experiments of `self` and `other` different, in words (empty when their
    /// identities agree): the tool version, the seed, the replications, the command-line
    /// overrides (when they do not show in those already) and the input files' contents. The
    /// wording is symmetric: neither side is assumed to be the earlier one.
    pub fn differences(&self, other: &Manifest) -> Vec<String> {
        let mut out = Vec::new();
        if self.version != other.version {
            out.push(format!("leadsim {} versus {}", self.version, other.version));
        }
        if self.seed != other.seed {
            out.push(format!("seed {} versus {}", self.seed, other.seed));
        }
        if self.replications != other.replications {
            out.push(format!(
                "replications {} versus {}",
                self.replications, other.replications
            ));
        }
        // An override that changes the seed or replications was reported just above.
        if out.len() <= usize::from(self.version != other.version)
            && self.overrides != other.overrides
        {
            let show = |o: &BTreeMap<String, String>| {
                if o.is_empty() {
                    "none".to_string()
                } else {
                    o.iter()
                        .map(|(k, v)| format!("--{k} {v}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                }
            };
            out.push(format!(
                "command-line overrides {} versus {}",
                show(&self.overrides),
                show(&other.overrides)
            ));
        }
        for f in &self.inputs {
            match other.inputs.iter().find(|g| g.role == f.role) {
                Some(g) if g.sha256 != f.sha256 => {
                    // Comments and layout are part of the text, hence of the identity; say when
                    // they are all that changed.
                    let values = |text: &str| toml::from_str::<toml::Table>(text).ok();
                    let only = match (values(&f.text), values(&g.text)) {
                        (Some(a), Some(b)) if a == b => {
                            " only in comments or layout (every value is the same)"
                        }
                        _ => "",
                    };
                    out.push(format!("the {} file ({}) differs{only}", f.role, f.path));
                }
                None => out.push(format!("a {} file ({}) on one side only", f.role, f.path)),
                _ => {}
            }
        }
        for g in &other.inputs {
            if !self.inputs.iter().any(|f| f.role == g.role) {
                out.push(format!("a {} file ({}) on one side only", g.role, g.path));
            }
        }
        out
    }

    /// Serializes as pretty JSON with a final newline.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut b = serde_json::to_vec_pretty(self).expect("serializable");
        b.push(b'\n');
        b
    }

    /// Reads `plan.json` or `manifest.json` of `dir`.
    pub fn read(dir: &Path, name: &str) -> Result<Manifest, OutputError> {
        let path = dir.join(name);
        let bytes = std::fs::read(&path).map_err(io_at(&path))?;
        serde_json::from_slice(&bytes).map_err(|e| OutputError::Corrupt {
            path: path.clone(),
            detail: format!("not a leadsim {name}: {e}"),
        })
    }

    /// Writes `plan.json` into `dir`.
    pub fn write_plan(&self, dir: &Path) -> Result<(), OutputError> {
        write_atomic(&dir.join(PLAN), &self.to_bytes())
    }

    /// Records the tables' checksums (by file name) and writes `manifest.json` into `dir`, last.
    pub fn write_manifest(
        mut self,
        dir: &Path,
        files: BTreeMap<String, String>,
    ) -> Result<Manifest, OutputError> {
        self.files = files;
        write_atomic(&dir.join(MANIFEST), &self.to_bytes())?;
        Ok(self)
    }
}
