//! Scenario files: TOML text → a validated [`Scenario`], the only form the engine accepts.
//!
//! Loading parses the text (syntax errors carry the line), then reads every table against the
//! declared parameters ([`crate::params`]): unknown keys, wrong types and out-of-range values are
//! errors naming the file, the line and the key path, and saying what would be valid. Every
//! parameter has a documented default, so a minimal scenario is a few lines:
//!
//! ```
//! let s = leadsim::scenario::Scenario::from_text(
//!     "seed = 7\n[[models]]\nkind = \"centralized\"\n[[models]]\nkind = \"shared\"\n",
//!     "minimal.toml",
//! ).unwrap();
//! assert_eq!(s.models.len(), 2);
//! assert_eq!(s.landscape.n, 12);
//! ```

use crate::behaviour::BehaviourParams;
use crate::events::{self, Drift, EventSpec};
use crate::landscape::{CrossModule, Interaction, LandscapeError, LinkRule, NkSpec, Normalization};
use crate::leadership;
use crate::org::OrgSpec;
use crate::params::{
    DefaultValue as D, InputError, Kind, Param, Reader, Source, hint, valid_label,
};
use std::path::Path;
use std::sync::Arc;

pub use crate::leadership::ModelEntry;

/// Bytes of CSV text of one time-series row at most, about (its identifying cells, the step and
/// the metrics' shortest round-trip texts).
const ROW_TEXT_BYTES: u64 = 260;

/// The largest number of runs an experiment may hold.
pub const MAX_RUNS: u64 = 100_000_000;

pub(crate) const FAMILY: Param = Param {
    key: "family",
    kind: Kind::Choice(&["leadership", "march1991", "lazer_friedman2007"]),
    default: D::Word("leadership"),
    meaning: "what the scenario simulates: the leadership models, or a reference model (March 1991; Lazer & Friedman 2007)",
};

/// A validated scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The scenario's name (`name`; by default the file's stem), which names the output folder.
    pub name: String,
    /// What the scenario is about, shown in the report (may be empty); shared by the points
    /// of a sweep.
    pub description: Arc<str>,
    /// The master seed: every random stream of every run derives from it (docs/ODD.md §5).
    pub seed: u64,
    /// Steps per run (docs/ODD.md §2, Time).
    pub steps: u32,
    /// Replicates per model; replicate r gives every model the same world (common random
    /// numbers, docs/ODD.md §8).
    pub replications: u32,
    /// The task environment (`[landscape]`, docs/ODD.md §7.1).
    pub landscape: NkSpec,
    /// How the organization is built (`[organization]`, docs/ODD.md §2, §5).
    pub organization: OrgSpec,
    /// The members' behaviour rules (`[behaviour]`, docs/ODD.md §7.2).
    pub behaviour: BehaviourParams,
    /// Window (steps) of the windowed metrics.
    pub window: u32,
    /// Keep every `every`-th step in the time series.
    pub every: u32,
    /// The environment's own pace of change.
    pub drift: Drift,
    /// The leadership models compared, in file order (`[[models]]`, docs/ODD.md §7.3–7.5).
    pub models: Vec<ModelEntry>,
    /// Events and hazards, in file order.
    pub events: Vec<EventSpec>,
    /// Steps after a shock over which mean performance is measured.
    pub adaptation_window: u32,
    /// Whether shocks are measured against a twin run without them (`metrics.counterfactual`).
    pub counterfactual: bool,
    /// The text of the file (for the manifest and the report), shared by a sweep's points.
    pub text: Arc<str>,
    /// Where the text came from, for error messages.
    pub source: Arc<Source>,
}

pub(crate) const NAME: Param = Param {
    key: "name",
    kind: Kind::Text,
    default: D::Derived("the file name without .toml"),
    meaning: "name of the scenario (names the output folder)",
};
pub(crate) const DESCRIPTION: Param = Param {
    key: "description",
    kind: Kind::Text,
    default: D::Derived("empty"),
    meaning: "what the scenario is about, shown in the report",
};
pub(crate) const SEED: Param = Param {
    key: "seed",
    kind: Kind::Whole {
        min: 0,
        max: i64::MAX as u64,
    },
    default: D::Whole(1),
    meaning: "master seed: every random stream of every run is derived from it",
};
pub(crate) const STEPS: Param = Param {
    key: "steps",
    kind: Kind::Whole {
        min: 1,
        max: 10_000_000,
    },
    default: D::Whole(500),
    meaning: "steps per run",
};
pub(crate) const REPLICATIONS: Param = Param {
    key: "replications",
    kind: Kind::Whole {
        min: 1,
        max: 1_000_000,
    },
    default: D::Whole(10),
    meaning: "replicates per model (each replicate gives every model the same world)",
};
pub(crate) const N: Param = Param {
    key: "n",
    kind: Kind::Whole { min: 1, max: 64 },
    default: D::Whole(12),
    meaning: "number of binary decisions N",
};
pub(crate) const K: Param = Param {
    key: "k",
    kind: Kind::Whole { min: 0, max: 63 },
    default: D::Whole(3),
    meaning: "interactions per decision K (0 to N − 1)",
};
pub(crate) const INTERACTION: Param = Param {
    key: "interaction",
    kind: Kind::Choice(&["random", "adjacent", "modular"]),
    default: D::Word("random"),
    meaning: "interaction pattern",
};
pub(crate) const MODULES: Param = Param {
    key: "modules",
    kind: Kind::Whole { min: 1, max: 64 },
    default: D::Derived("organization.domains"),
    meaning: "modular: number of modules (blocks of decisions)",
};
pub(crate) const CROSS: Param = Param {
    key: "cross",
    kind: Kind::Whole { min: 0, max: 63 },
    default: D::Whole(0),
    meaning: "modular: cross-module links per decision",
};
pub(crate) const CROSS_PROBABILITY: Param = Param {
    key: "cross_probability",
    kind: Kind::Real { min: 0.0, max: 1.0 },
    default: D::Derived("unset (use cross)"),
    meaning: "modular: probability that each link crosses modules (instead of cross)",
};
pub(crate) const LINKS: Param = Param {
    key: "links",
    kind: Kind::Choice(&["distinct", "with_replacement"]),
    default: D::Word("distinct"),
    meaning: "random interactions: K distinct others, or K draws with replacement (Lazer & Friedman's generator)",
};
pub(crate) const NORMALIZATION: Param = Param {
    key: "normalization",
    kind: Kind::Choice(&["exact", "bound"]),
    default: D::Word("exact"),
    meaning: "performance = fitness / exact global maximum (N ≤ 32), or / the sum of table maxima (any N)",
};
pub(crate) const DRIFT: Param = Param {
    key: "drift",
    kind: Kind::Real { min: 0.0, max: 1.0 },
    default: D::Real(0.04),
    meaning: "the environment's own pace of change: probability per step that drift_fraction of the tables are re-drawn (not a measured shock; 0 keeps the task fixed)",
};
pub(crate) const DRIFT_FRACTION: Param = Param {
    key: "drift_fraction",
    kind: Kind::Real { min: 0.0, max: 1.0 },
    default: D::Real(0.1),
    meaning: "share of the tables each drift re-draws (at least one locus of a 12-decision task at the default)",
};
pub(crate) const WINDOW: Param = Param {
    key: "window",
    kind: Kind::Whole {
        min: 1,
        max: 100_000,
    },
    default: D::Whole(20),
    meaning: "steps over which participation, decision makers and centralization are measured",
};
pub(crate) const ADAPTATION_WINDOW: Param = Param {
    key: "adaptation_window",
    kind: Kind::Whole {
        min: 1,
        max: 10_000_000,
    },
    default: D::Whole(50),
    meaning: "steps after a shock over which mean performance is measured (window_mean in shocks.csv)",
};
pub(crate) const COUNTERFACTUAL: Param = Param {
    key: "counterfactual",
    kind: Kind::Flag,
    default: D::Flag(true),
    meaning: "run each model and replicate that meets a shock a second time without its measured events, and report the shock's effect as the paired difference (effect, effect_min in shocks.csv)",
};
pub(crate) const EVERY: Param = Param {
    key: "every",
    kind: Kind::Whole {
        min: 1,
        max: 10_000_000,
    },
    default: D::Whole(1),
    meaning: "write every this-many-th step to timeseries.csv (summaries always use every step)",
};
pub(crate) const MODEL_KIND: Param = Param {
    key: "kind",
    kind: Kind::Text,
    default: D::Required,
    meaning: "leadership model (see `leadsim models`)",
};
pub(crate) const MODEL_NAME: Param = Param {
    key: "name",
    kind: Kind::Text,
    default: D::Derived("the kind"),
    meaning: "label of the model in the results (must be unique)",
};

/// The most memory one run may need (runs in parallel each need theirs).
pub const MAX_RUN_BYTES: u64 = 2 << 30;

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read {file}")]
    Io {
        /// The path, as given.
        file: String,
        /// Why reading failed.
        source: std::io::Error,
    },
    /// The file was read but is not a valid scenario.
    #[error(transparent)]
    Input(#[from] InputError),
}

impl Scenario {
    /// Loads and validates the scenario file at `path`.
    pub fn load(path: &Path) -> Result<Scenario, LoadError> {
        let bytes = read_file(path).map_err(|source| LoadError::Io {
            file: path.display().to_string(),
            source,
        })?;
        let text = text_of(path, bytes)?;
        Ok(Scenario::from_text_at(&text, path)?)
    }

    /// Validates a scenario given as text; `file` names it in errors.
    pub fn from_text(text: &str, file: &str) -> Result<Scenario, InputError> {
        Scenario::from_text_at(text, Path::new(file))
    }

    fn from_text_at(text: &str, path: &Path) -> Result<Scenario, InputError> {
        let (table, source) = Source::parse(path, text)?;
        let stem = crate::params::default_name(path, "scenario");
        Scenario::from_table(&table, &Arc::new(source), &Arc::from(text), &stem)
    }

    /// Validates a parsed table (possibly with sweep overrides applied).
    pub fn from_table(
        table: &toml::Table,
        source: &Arc<Source>,
        text: &Arc<str>,
        default_name: &str,
    ) -> Result<Scenario, InputError> {
        let mut r = Reader::new(table, "", source);
        if r.has("family") && r.choice(&FAMILY)? != "leadership" {
            return Err(r.error(
                "family",
                "a reference model's scenario is read by leadsim::study::Study, not Scenario",
            ));
        }
        let name = read_name(&mut r, default_name)?;
        let description = r.shared_text(&DESCRIPTION)?.unwrap_or_default();
        let seed = r.whole(&SEED)?;
        let steps = r.whole(&STEPS)? as u32;
        let replications = r.whole(&REPLICATIONS)? as u32;

        let mut org_r = r.table("organization")?;
        // The landscape is read first: domains are checked against N.
        let mut land_r = r.table("landscape")?;
        let landscape = read_landscape(&mut land_r, table)?;
        let drift = Drift {
            probability: land_r.real(&DRIFT)?,
            fraction: land_r.real(&DRIFT_FRACTION)?,
        };
        let organization = OrgSpec::read(&mut org_r, landscape.n)?;
        org_r.finish()?;
        land_r.finish()?;

        let mut beh_r = r.table("behaviour")?;
        let behaviour = BehaviourParams::read(&mut beh_r)?;
        beh_r.finish()?;

        let mut met_r = r.table("metrics")?;
        let window = met_r.whole(&WINDOW)? as u32;
        let adaptation_window = met_r.whole(&ADAPTATION_WINDOW)? as u32;
        let counterfactual = met_r.flag(&COUNTERFACTUAL)?;
        met_r.finish()?;
        let mut out_r = r.table("output")?;
        let every = out_r.whole(&EVERY)? as u32;
        out_r.finish()?;

        let models = read_models(&mut r)?;
        let ctx = events::Context {
            steps,
            domains: organization.domains,
            members: organization.members,
            models: &models,
        };
        let event_list = read_events(&mut r, &ctx)?;
        check_runs(&r, models.len(), replications as u64)?;
        let grown: usize = event_list.iter().map(|e| e.added_members()).sum();
        if (organization.members + grown) as u64 > crate::org::MAX_MEMBERS {
            return Err(source.error(
                "events",
                format!(
                    "growth events could bring the organization to {} members; at most {} are supported",
                    organization.members + grown,
                    crate::org::MAX_MEMBERS
                ),
            ));
        }
        r.finish()?;
        let scenario = Scenario {
            name,
            description,
            seed,
            steps,
            replications,
            landscape,
            organization,
            behaviour,
            window,
            every,
            drift,
            models,
            events: event_list,
            adaptation_window,
            counterfactual,
            text: text.clone(),
            source: source.clone(),
        };
        scenario.check_memory()?;
        Ok(scenario)
    }

    /// Refuses a scenario one run of which would need more than [`MAX_RUN_BYTES`], naming the
    /// key that drives the largest part.
    fn check_memory(&self) -> Result<(), InputError> {
        let (bytes, key, what) = self.memory_estimate();
        if bytes > MAX_RUN_BYTES {
            let gib = |b: u64| b as f64 / (1u64 << 30) as f64;
            let (_, part) = self
                .memory_parts()
                .into_iter()
                .find(|(k, _)| *k == key)
                .unwrap_or((key, bytes));
            return Err(self.source.error(
                key,
                format!(
                    "a run of this scenario needs about {:.1} GiB of memory, {:.1} GiB of it for {what}; one run may use at most {:.0} GiB: make it smaller",
                    gib(bytes),
                    gib(part),
                    gib(MAX_RUN_BYTES)
                ),
            ));
        }
        Ok(())
    }

    /// The memory one run needs, by the key that drives each part: `(key, bytes)`.
    pub fn memory_parts(&self) -> Vec<(&'static str, u64)> {
        let grown: u64 = self.events.iter().map(|e| e.added_members() as u64).sum();
        let slots = self.organization.members as u64 + grown;
        let n = self.landscape.n as u64;
        let steps = self.steps as u64;
        let rows = steps / self.every.max(1) as u64 + 2;
        let ties = self
            .organization
            .network
            .ties(slots as usize, self.organization.domains);
        vec![
            (
                "organization.members",
                crate::org::memory_bytes(slots as usize, n as usize, 0.0),
            ),
            (
                "organization.network.kind",
                crate::org::memory_bytes(0, 0, ties),
            ),
            (
                "landscape.k",
                self.landscape.table_bytes().saturating_mul(2),
            ),
            (
                "metrics.window",
                (self.window as u64).saturating_mul(slots).saturating_mul(2),
            ),
            // Kept rows (a value per metric), the performance series and the rows' text before
            // it is journaled.
            (
                "steps",
                rows.saturating_mul(8 * crate::metrics::N_METRICS as u64 + ROW_TEXT_BYTES)
                    + steps * 8,
            ),
        ]
    }

    /// The total memory one run needs, the key of its largest part and what that part is.
    pub fn memory_estimate(&self) -> (u64, &'static str, &'static str) {
        let parts = self.memory_parts();
        let total = parts.iter().fold(0u64, |a, (_, b)| a.saturating_add(*b));
        let (key, _) = parts
            .iter()
            .max_by_key(|(_, b)| *b)
            .copied()
            .unwrap_or(("steps", 0));
        let what = match key {
            "organization.members" => "the members' expertise (members × N)",
            "organization.network.kind" => "the ties of the informal network",
            "landscape.k" => "the landscape's tables (N × 2^(K+2))",
            "metrics.window" => "the windowed metrics (window × members)",
            _ => "the time series (steps / output.every rows)",
        };
        (total, key, what)
    }

    /// Number of runs: models × replications.
    pub fn runs(&self) -> u64 {
        self.models.len() as u64 * self.replications as u64
    }
}

fn kinds() -> String {
    leadership::registry()
        .iter()
        .map(|t| format!("\"{}\"", t.kind))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads the `[[models]]` tables (at least one), each through its kind's reader.
fn read_models(r: &mut Reader) -> Result<Vec<ModelEntry>, InputError> {
    let mut models = Vec::new();
    let model_tables = r.tables("models")?;
    if model_tables.is_empty() {
        return Err(r.missing(
            "models",
            "no leadership model to run: add at least one [[models]] table with kind = one of \"centralized\", \"shared\", \"hybrid\"",
        ));
    }
    for mut m in model_tables {
        let kind = m
            .text(&MODEL_KIND)?
            .ok_or_else(|| m.error("kind", format!("is required: give one of {}", kinds())))?;
        let Some(t) = leadership::find(&kind) else {
            return Err(m.error(
                "kind",
                format!(
                    "unknown leadership model \"{kind}\"{}: expected one of {}",
                    hint(&kind, leadership::registry().iter().map(|t| t.kind)),
                    kinds()
                ),
            ));
        };
        let name = read_model_name(
            &mut m,
            &kind,
            models.iter().map(|e: &ModelEntry| e.name.as_str()),
        )?;
        let config = (t.read)(&mut m)?;
        m.finish()?;
        models.push(ModelEntry { name, config });
    }
    Ok(models)
}

/// Reads the `[[events]]` tables, in file order, refusing two of the same name.
fn read_events(r: &mut Reader, ctx: &events::Context) -> Result<Vec<EventSpec>, InputError> {
    let mut event_list: Vec<EventSpec> = Vec::new();
    for mut e in r.tables("events")? {
        let ev = events::read(&mut e, ctx)?;
        if event_list.iter().any(|x| x.name == ev.name) {
            return Err(e.error(
                "name",
                format!(
                    "two events are named \"{}\": give each [[events]] a distinct name",
                    ev.name
                ),
            ));
        }
        e.finish()?;
        event_list.push(ev);
    }
    Ok(event_list)
}

/// Reads a `[[models]]` table's `name` (default: its kind): a plain label, unlike the names
/// already `taken`.
pub fn read_model_name<'a>(
    m: &mut Reader,
    kind: &str,
    mut taken: impl Iterator<Item = &'a str>,
) -> Result<String, InputError> {
    let name = m.text(&MODEL_NAME)?.unwrap_or_else(|| kind.to_string());
    if !valid_label(&name) {
        return Err(m.error(
            "name",
            format!("\"{name}\" is not a valid model name: use letters, digits, '_' and '-'"),
        ));
    }
    if taken.any(|t| t == name) {
        return Err(m.error(
            "name",
            format!("two models are named \"{name}\": give each [[models]] a distinct name"),
        ));
    }
    Ok(name)
}

/// Reads an explicit `name` (it names the output folder, so it must be a plain label); the
/// default comes from the file name.
pub fn read_name(r: &mut Reader, default_name: &str) -> Result<String, InputError> {
    match r.text(&NAME)? {
        Some(name) if !valid_label(&name) => Err(r.error(
            "name",
            format!(
                "\"{name}\" is not a valid scenario name: use letters, digits, '_' and '-' (it names the output folder)"
            ),
        )),
        Some(name) => Ok(name),
        None => Ok(default_name.to_string()),
    }
}

/// Refuses more runs than an experiment may hold.
pub fn check_runs(r: &Reader, models: usize, replications: u64) -> Result<(), InputError> {
    let runs = models as u128 * replications as u128;
    if runs > MAX_RUNS as u128 {
        return Err(r.error(
            "replications",
            format!(
                "{models} models × {replications} replicates = {runs} runs; at most {} runs are supported: lower replications",
                MAX_RUNS
            ),
        ));
    }
    Ok(())
}

/// The largest scenario or sweep file leadsim reads: far more than any scenario needs (an `at`
/// list of 40,000 steps takes 300 KB), little enough to parse in well under a second.
pub const MAX_FILE_BYTES: u64 = 8 << 20;

/// Reads the bytes of a scenario or sweep file: a regular file of at most [`MAX_FILE_BYTES`].
/// A device (`/dev/zero` never ends), a FIFO (blocks until someone writes) or a socket is
/// refused before it is opened, and a file growing past the limit while read is refused too.
pub fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::{Error, ErrorKind, Read};
    let mib = |b: u64| b as f64 / (1u64 << 20) as f64;
    let too_large = |len: String| {
        Error::new(
            ErrorKind::InvalidInput,
            format!(
                "the file is {len}; scenario and sweep files may be at most {:.0} MiB",
                mib(MAX_FILE_BYTES)
            ),
        )
    };
    let meta = std::fs::metadata(path)?;
    if meta.is_dir() {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            "it is a folder, not a file: give a scenario or sweep file",
        ));
    }
    if !meta.is_file() {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            "it is not a regular file (a device, a FIFO or a socket): give a scenario or sweep file",
        ));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large(format!("{:.1} MiB", mib(meta.len()))));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)?
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large("larger than that".into()));
    }
    Ok(bytes)
}

/// Decodes a file's bytes as UTF-8, naming the file and the offending byte otherwise.
pub fn text_of(path: &Path, bytes: Vec<u8>) -> Result<String, InputError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(InputError {
            file: path.to_path_buf(),
            line: Some(1),
            key: String::new(),
            message: "not valid UTF-8 text: the file is UTF-16 (it starts with a byte-order mark); save it as UTF-8".into(),
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        InputError {
            file: path.to_path_buf(),
            line: Some(line),
            key: String::new(),
            message: format!(
                "not valid UTF-8 text (byte {offset}): scenario files must be UTF-8 TOML"
            ),
        }
    })
}

fn read_landscape(r: &mut Reader, top: &toml::Table) -> Result<NkSpec, InputError> {
    let n = r.whole(&N)? as usize;
    let k = r.whole(&K)? as usize;
    let interaction = match r.choice(&INTERACTION)? {
        "adjacent" => Interaction::Adjacent,
        "modular" => {
            let default_modules = top
                .get("organization")
                .and_then(|o| o.get("domains"))
                .and_then(|d| d.as_integer())
                .unwrap_or(4);
            let modules = match r.whole_opt(&MODULES)? {
                Some(m) => m as usize,
                None => default_modules.max(1) as usize,
            };
            let cross = match r.real_opt(&CROSS_PROBABILITY)? {
                Some(p) => {
                    if r.has("cross") {
                        return Err(r.error(
                            "cross",
                            "give either cross (a count) or cross_probability, not both",
                        ));
                    }
                    CrossModule::Probability(p)
                }
                None => CrossModule::Count(r.whole(&CROSS)? as usize),
            };
            Interaction::Modular { modules, cross }
        }
        _ => Interaction::Random,
    };
    if !matches!(interaction, Interaction::Modular { .. }) {
        for key in ["modules", "cross", "cross_probability"] {
            if r.has(key) {
                return Err(r.error(key, "only applies to interaction = \"modular\""));
            }
        }
    }
    let links = match r.choice(&LINKS)? {
        "with_replacement" => LinkRule::WithReplacement,
        _ => LinkRule::Distinct,
    };
    let normalization = match r.choice(&NORMALIZATION)? {
        "bound" => Normalization::Bound,
        _ => Normalization::Exact,
    };
    let spec = NkSpec {
        n,
        k,
        interaction,
        links,
        normalization,
    };
    spec.validate().map_err(|e| {
        let key = match e {
            LandscapeError::BadN { .. } => "n",
            LandscapeError::BadK { .. } | LandscapeError::TooLarge { .. } => "k",
            LandscapeError::BadModules { .. } => "modules",
            LandscapeError::BadCrossCount { .. } => "cross",
            LandscapeError::BadCrossProbability { .. } => "cross_probability",
            LandscapeError::ReplacementNeedsRandom => "links",
            LandscapeError::ExactTooLarge { .. } => "normalization",
        };
        r.error(key, e.to_string())
    })?;
    Ok(spec)
}

/// Every top-level and landscape parameter, by table, for documentation.
pub fn params() -> Vec<(&'static str, Vec<Param>)> {
    let mut out = vec![
        (
            "",
            vec![FAMILY, NAME, DESCRIPTION, SEED, STEPS, REPLICATIONS],
        ),
        (
            "landscape",
            vec![
                N,
                K,
                INTERACTION,
                MODULES,
                CROSS,
                CROSS_PROBABILITY,
                LINKS,
                NORMALIZATION,
                DRIFT,
                DRIFT_FRACTION,
            ],
        ),
    ];
    out.extend(OrgSpec::params());
    out.extend(BehaviourParams::params());
    out.push(("metrics", vec![WINDOW, ADAPTATION_WINDOW, COUNTERFACTUAL]));
    out.push(("output", vec![EVERY]));
    out.push(("models", vec![MODEL_KIND, MODEL_NAME]));
    let mut ev = events::params::timing_params();
    for kind in events::registry() {
        ev.extend((kind.params)());
    }
    out.push(("events", ev));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        Scenario::from_text(text, "bad.toml")
            .unwrap_err()
            .to_string()
    }

    const MODELS: &str = "[[models]]\nkind = \"centralized\"\n";

    #[test]
    fn minimal_scenario_takes_defaults() {
        let s = Scenario::from_text(MODELS, "x.toml").unwrap();
        assert_eq!(s.name, "x");
        assert_eq!((s.steps, s.replications, s.seed), (500, 10, 1));
        assert_eq!(s.organization.members, 50);
        assert_eq!(s.models[0].name, "centralized");
    }

    #[test]
    fn errors_name_the_key_and_what_is_valid() {
        let e = err(&format!("[landscape]\nn = 8\nk = 8\n{MODELS}"));
        assert!(e.contains("bad.toml:3: landscape.k"), "{e}");
        assert!(e.contains("between 0 and N - 1 = 7"), "{e}");
        let e = err(&format!("[organization]\nmembres = 5\n{MODELS}"));
        assert!(
            e.contains("organization.membres: unknown key (did you mean \"members\"?)"),
            "{e}"
        );
        let e = err(&format!("[organization]\nmembers = 0\n{MODELS}"));
        assert!(e.contains("organization.members: 0 is out of range"), "{e}");
        let e = err("[[models]]\nkind = \"centralised\"\n");
        assert!(e.contains("did you mean \"centralized\"?"), "{e}");
        let e = err("seed = 1\n");
        assert!(e.contains("no leadership model"), "{e}");
        let e = err(&format!("[behaviour]\npropose_rate = -0.1\n{MODELS}"));
        assert!(
            e.contains("behaviour.propose_rate: -0.1 is out of range"),
            "{e}"
        );
        let e = err(&format!("steps = \"many\"\n{MODELS}"));
        assert!(e.contains("steps: expected a whole number"), "{e}");
        let e = err(&format!("{MODELS}{MODELS}"));
        assert!(e.contains("two models are named \"centralized\""), "{e}");
        let e = err(&format!(
            "{MODELS}review_capacity = 1\ncoordination = \"vote\"\n"
        ));
        assert!(e.contains("models[0].coordination: unknown key"), "{e}");
        // Keys of earlier versions say what replaced them rather than meaning something else.
        let e = err(&format!("{MODELS}capacity = 1\n"));
        assert!(
            e.contains("models[0].capacity: is no longer a parameter")
                && e.contains("review_capacity"),
            "{e}"
        );
        let e = err(&format!(
            "[behaviour.engagement]\nautonomy = 0.01\n{MODELS}"
        ));
        assert!(
            e.contains("behaviour.engagement.autonomy: is no longer a parameter")
                && e.contains("voice")
                && e.contains("deciding"),
            "{e}"
        );
        let e = err(&format!("[organization]\ndomains = 20\n{MODELS}"));
        assert!(e.contains("organization.domains"), "{e}");
        let e = err(&format!(
            "[landscape]\ninteraction = \"random\"\nmodules = 3\n{MODELS}"
        ));
        assert!(e.contains("landscape.modules: only applies"), "{e}");
    }

    #[test]
    fn runs_that_cannot_fit_in_memory_are_refused_with_the_estimate() {
        let e = err(
            "[organization]\nmembers = 1000000\n[organization.network]\nkind = \"ring\"\n[metrics]\nwindow = 100000\n[[models]]\nkind = \"shared\"\n",
        );
        assert!(e.contains("bad.toml:6: metrics.window"), "{e}");
        assert!(
            e.contains("GiB of memory") && e.contains("windowed metrics"),
            "{e}"
        );
        let e = err("steps = 10000000\n[[models]]\nkind = \"shared\"\n");
        assert!(e.contains("steps:") && e.contains("time series"), "{e}");
        // Keeping every 1000th step makes the same run fit.
        Scenario::from_text(
            "steps = 10000000\n[output]\nevery = 1000\n[[models]]\nkind = \"shared\"\n",
            "ok.toml",
        )
        .unwrap();
        let s = Scenario::from_text(MODELS, "x.toml").unwrap();
        assert!(
            s.memory_estimate().0 < 10 << 20,
            "the baseline needs a few MiB"
        );
    }

    #[test]
    fn modular_landscapes_default_to_one_module_per_domain() {
        let s = Scenario::from_text(
            &format!(
                "[landscape]\ninteraction = \"modular\"\n[organization]\ndomains = 3\n{MODELS}"
            ),
            "m.toml",
        )
        .unwrap();
        assert_eq!(
            s.landscape.interaction,
            Interaction::Modular {
                modules: 3,
                cross: CrossModule::Count(0)
            }
        );
    }

    #[test]
    fn non_utf8_is_named() {
        let e = text_of(Path::new("b.toml"), vec![b'a', b'\n', 0xff]).unwrap_err();
        assert!(e.to_string().contains("b.toml:2"), "{e}");
    }

    /// The ODD document names every parameter a scenario can set.
    #[test]
    fn every_parameter_is_documented_in_the_odd() {
        let odd = include_str!("../docs/ODD.md");
        let mut keys: Vec<&str> = params()
            .iter()
            .flat_map(|(_, ps)| ps.iter().map(|p| p.key))
            .collect();
        for t in leadership::registry() {
            keys.extend((t.params)().iter().map(|p| p.key));
        }
        for key in keys {
            assert!(
                odd.contains(&format!("`{key}`")),
                "docs/ODD.md does not mention `{key}`"
            );
        }
    }
}
