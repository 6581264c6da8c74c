//! Fuzzing the loaders (issue 8): mutated scenario and sweep files never make the library panic.
//!
//! The seeds are the bundled files (`scenarios/**/*.toml`, `tests/data/small.toml`). Each case
//! applies a few mutations to one of them — a declared parameter set to the edge of its range;
//! a valid but hostile event or model appended; numbers replaced by extreme, negative,
//! non-finite or huge values; lines deleted, duplicated or swapped; keys, tables and values
//! inserted; quoted words replaced; the text truncated; random characters inserted — and feeds
//! the result through validation (`Scenario::from_text`, `Study::from_text`, `Sweep::parse` and
//! `plan`). An error must name the file and say something. A scenario that validates and is
//! small enough (see [`MAX_MEMBER_STEPS`]) is then run for one model and one world with
//! `sim::run`, and its performance must stay in [0, 1]; small reference studies are run too.
//!
//! Run it alone, longer, with more cases (the proptest seed is random on every run); release
//! builds do not check integer overflow, so a long run should turn the checks on:
//!
//! ```sh
//! cargo test --release --test fuzz                          # the default 256 + 128 cases
//! PROPTEST_CASES=100000 CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS=true \
//!     CARGO_PROFILE_RELEASE_DEBUG_ASSERTIONS=true CARGO_TARGET_DIR=target/fuzz \
//!     cargo test --release --test fuzz -- --nocapture           # a long run
//! ```
//!
//! `--nocapture` shows how many cases validated and ran; `FUZZ_SLOW=1` prints every scenario case
//! that takes over half a second. A failure is shrunk to a minimal list of mutations and printed
//! with the mutated text.

use leadsim::experiment::sweep::Sweep;
use leadsim::params::InputError;
use leadsim::scenario::Scenario;
use leadsim::study::Study;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// Cases that validated and cases that ran (shown with `--nocapture`).
static VALID: AtomicUsize = AtomicUsize::new(0);
static RAN: AtomicUsize = AtomicUsize::new(0);
static TOTAL: AtomicUsize = AtomicUsize::new(0);
/// Mutated sweeps that parsed and that expanded into a plan.
static SWEEP_PARSED: AtomicUsize = AtomicUsize::new(0);
static SWEEP_PLANNED: AtomicUsize = AtomicUsize::new(0);

/// A valid scenario is run only when steps × members (after growth) stays below this, so the
/// fuzzer never asks for a million members over a million steps.
const MAX_MEMBER_STEPS: u64 = 200_000;
/// … and only with landscapes whose exact maximum is quick to find, modest contribution tables
/// and informal networks.
const MAX_RUN_N: usize = 24;
const MAX_RUN_TABLE_BYTES: u64 = 64 << 20;
const MAX_RUN_TIES: f64 = 1e6;
/// A valid sweep is expanded only when it has at most this many points.
const MAX_PLAN_POINTS: u128 = 2_000;

/// The bundled files, by path relative to the repository: scenarios and sweeps.
struct Seeds {
    scenarios: Vec<(String, String)>,
    sweeps: Vec<(String, String)>,
    /// Every bundled text by path, to resolve sweeps' `base` files.
    files: BTreeMap<PathBuf, String>,
}

fn seeds() -> &'static Seeds {
    static SEEDS: OnceLock<Seeds> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut paths = vec![root.join("tests/data/small.toml")];
        collect(&root.join("scenarios"), &mut paths);
        paths.sort();
        let mut seeds = Seeds {
            scenarios: Vec::new(),
            sweeps: Vec::new(),
            files: BTreeMap::new(),
        };
        for p in paths {
            let text = std::fs::read_to_string(&p).unwrap();
            let rel = p.strip_prefix(root).unwrap().to_path_buf();
            let sweep = toml::from_str::<toml::Table>(&text)
                .map(|t| leadsim::experiment::sweep::is_sweep(&t))
                .unwrap_or(false);
            let entry = (rel.display().to_string(), text.clone());
            if sweep {
                seeds.sweeps.push(entry);
            } else {
                seeds.scenarios.push(entry);
            }
            seeds.files.insert(rel, text);
        }
        assert!(seeds.scenarios.len() >= 10, "too few scenario seeds");
        assert!(!seeds.sweeps.is_empty(), "no sweep seeds");
        seeds
    })
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "toml") {
            out.push(p);
        }
    }
}

/// Values a mutation puts where a number (or any value) was.
const EXTREMES: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "2",
    "3",
    "0.5",
    "-0.5",
    "0.999999",
    "1.0000001",
    "2.5",
    "63",
    "64",
    "65",
    "1000",
    "1000000",
    "1000001",
    "10000000",
    "100000000",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "-9223372036854775808",
    "99999999999999999999",
    "1e6",
    "1e15",
    "1e300",
    "-1e300",
    "1e-320",
    "1e999",
    "nan",
    "-nan",
    "inf",
    "+inf",
    "-inf",
    "true",
    "\"x\"",
    "\"\"",
    "[]",
    "[1, 2, 3]",
    "[0.5, \"a\"]",
    "{}",
    "{ mean = 0.5, sd = 0.4 }",
    "{ low = 1, high = 0 }",
    "1979-05-27",
];

/// Words a mutation puts in quotes, or after `kind =`.
const WORDS: &[&str] = &[
    "centralized",
    "shared",
    "hybrid",
    "flat",
    "landscape_shock",
    "turbulence",
    "leader_loss",
    "turnover",
    "network_disruption",
    "crisis",
    "growth",
    "reorg",
    "mentoring",
    "cross_functional",
    "team_decisions",
    "random",
    "adjacent",
    "modular",
    "exact",
    "bound",
    "with_replacement",
    "distinct",
    "hierarchy",
    "small_world",
    "scale_free",
    "complete",
    "ring",
    "teams",
    "none",
    "consult",
    "vote",
    "merit",
    "rotate",
    "central",
    "deciding",
    "grid",
    "lhs",
    "march1991",
    "lazer_friedman2007",
    "leadership",
    "linear",
    "lattice",
    "",
    "a b",
    "../x",
    "models.centralized.capacity",
    "landscape.k",
    "organization.members",
    "events.shock.fraction",
    "baseline.toml",
    "nonexistent.toml",
];

/// Table headers a mutation inserts.
const HEADERS: &[&str] = &[
    "[landscape]",
    "[organization]",
    "[organization.reporting]",
    "[organization.network]",
    "[organization.expertise]",
    "[organization.engagement]",
    "[organization.skill]",
    "[behaviour]",
    "[behaviour.engagement]",
    "[behaviour.learning]",
    "[metrics]",
    "[output]",
    "[[models]]",
    "[[events]]",
    "[design]",
    "[[axes]]",
    "[base]",
    "[base.landscape]",
    "[[base.models]]",
    "[march1991]",
    "[lazer_friedman2007]",
    "[x]",
    "[[landscape]]",
    "[models]",
];

/// Every key a scenario or sweep file knows, plus a few it does not.
fn keys() -> &'static [String] {
    static KEYS: OnceLock<Vec<String>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut keys: Vec<String> = leadsim::scenario::params()
            .iter()
            .chain(leadsim::experiment::sweep::params().iter())
            .flat_map(|(_, ps)| ps.iter().map(|p| p.key.to_string()))
            .collect();
        for t in leadsim::leadership::registry() {
            keys.extend((t.params)().iter().map(|p| p.key.to_string()));
        }
        keys.extend(
            [
                "kind",
                "name",
                "family",
                "membres",
                "x",
                "a.b.c",
                "\"quoted key\"",
            ]
            .map(String::from),
        );
        keys.sort();
        keys.dedup();
        keys
    })
}

/// Every declared parameter of a scenario (`sweep = false`) or a sweep file (`true`: its own
/// parameters, and the scenario's under `base.`) with its table (arrays of tables such as
/// `models` stand for any of their entries), and values at and around the edges of its declared
/// range: mutations that often keep a file valid while pushing it to extremes.
fn settable(sweep: bool) -> &'static [(String, Vec<toml::Value>)] {
    static SCENARIO: OnceLock<Vec<(String, Vec<toml::Value>)>> = OnceLock::new();
    static SWEEP: OnceLock<Vec<(String, Vec<toml::Value>)>> = OnceLock::new();
    let scenario = || {
        let mut params: Vec<(String, leadsim::params::Param)> = leadsim::scenario::params()
            .into_iter()
            .flat_map(|(t, ps)| ps.into_iter().map(move |p| (t.to_string(), p)))
            .collect();
        for t in leadsim::leadership::registry() {
            params.extend((t.params)().into_iter().map(|p| ("models".to_string(), p)));
        }
        // Events' own parameters only make sense on events of their kind: `events:KIND`.
        params
            .retain(|(t, p)| t != "events" || leadsim::events::params::timing_params().contains(p));
        for kind in leadsim::events::registry() {
            params.extend(
                (kind.params)()
                    .into_iter()
                    .map(|p| (format!("events:{}", kind.name), p)),
            );
        }
        params
    };
    if sweep {
        SWEEP.get_or_init(|| {
            let mut params: Vec<(String, leadsim::params::Param)> =
                leadsim::experiment::sweep::params()
                    .into_iter()
                    .flat_map(|(t, ps)| ps.into_iter().map(move |p| (t.to_string(), p)))
                    .collect();
            params.extend(scenario().into_iter().map(|(t, p)| {
                let t = if t.is_empty() {
                    "base".to_string()
                } else {
                    format!("base.{t}")
                };
                (t, p)
            }));
            with_values(params)
        })
    } else {
        SCENARIO.get_or_init(|| with_values(scenario()))
    }
}

/// Values at and around the edges of each parameter's declared range.
fn with_values(params: Vec<(String, leadsim::params::Param)>) -> Vec<(String, Vec<toml::Value>)> {
    use leadsim::params::Kind;
    use toml::Value;
    {
        let whole = |x: u64| Value::Integer(x.min(i64::MAX as u64) as i64);
        let table = |pairs: &[(&str, f64)]| {
            Value::Table(
                pairs
                    .iter()
                    .map(|(k, v)| (k.to_string(), Value::Float(*v)))
                    .collect(),
            )
        };
        params
            .into_iter()
            .map(|(t, p)| {
                let values = match p.kind {
                    Kind::Real { min, max } => {
                        let (lo, hi) = (min.max(-1e6), max.min(1e6));
                        vec![
                            Value::Float(lo),
                            Value::Float(hi),
                            Value::Float((lo + hi) / 2.0),
                            Value::Float(lo + 1e-9),
                        ]
                    }
                    Kind::Whole { min, max } => {
                        vec![
                            whole(min),
                            whole(max),
                            whole(min + 1),
                            whole(max.saturating_sub(1)),
                            whole(min + 2),
                        ]
                    }
                    Kind::Flag => vec![Value::Boolean(true), Value::Boolean(false)],
                    Kind::Choice(words) => {
                        words.iter().map(|w| Value::String(w.to_string())).collect()
                    }
                    Kind::Distribution => vec![
                        Value::Float(0.0),
                        Value::Float(1.0),
                        table(&[("mean", 0.5), ("sd", 0.4999)]),
                        table(&[("mean", 1e-9), ("sd", 1e-5)]),
                        table(&[("low", 1.0), ("high", 1.0)]),
                        table(&[("low", 0.0), ("high", 1.0)]),
                    ],
                    Kind::Text => WORDS
                        .iter()
                        .take(20)
                        .map(|w| Value::String(w.to_string()))
                        .collect(),
                    Kind::List(_) => vec![
                        Value::Array(vec![]),
                        Value::Array(
                            WORDS
                                .iter()
                                .take(3)
                                .map(|w| Value::String(w.to_string()))
                                .collect(),
                        ),
                        Value::Array(vec![Value::Integer(1), Value::Float(0.5)]),
                    ],
                };
                let path = if t.is_empty() {
                    p.key.to_string()
                } else {
                    format!("{t}.{}", p.key)
                };
                (path, values)
            })
            .collect()
    }
}

/// Sets `path` (a dotted path; a part naming an array of tables, such as `models`, addresses its
/// entry `entry`, and `events:KIND` the entry-th event of that kind) to `value` in the parsed
/// text; a text that does not parse, or lacks the array, is left alone.
fn set(text: &str, path: &str, entry: usize, value: toml::Value) -> String {
    let Ok(mut table) = toml::from_str::<toml::Table>(text) else {
        return text.to_string();
    };
    let parts: Vec<&str> = path.split('.').collect();
    let mut current = &mut table;
    for part in &parts[..parts.len() - 1] {
        // `events:KIND` is the entry-th event of that kind; `models` the entry-th model.
        let (name, kind) = part
            .split_once(':')
            .map_or((*part, None), |(n, k)| (n, Some(k)));
        let is_array = matches!(current.get(name), Some(toml::Value::Array(_)));
        if is_array || ["models", "events", "axes"].contains(&name) {
            let Some(toml::Value::Array(items)) = current.get_mut(name) else {
                return text.to_string();
            };
            let mut fitting: Vec<&mut toml::Value> = items
                .iter_mut()
                .filter(|v| kind.is_none_or(|k| v.get("kind").and_then(|x| x.as_str()) == Some(k)))
                .collect();
            if fitting.is_empty() {
                return text.to_string();
            }
            let n = fitting.len();
            current = match fitting.swap_remove(entry % n) {
                toml::Value::Table(t) => t,
                _ => return text.to_string(),
            };
            continue;
        }
        let slot = current
            .entry(name.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        current = match slot {
            toml::Value::Table(t) => t,
            _ => return text.to_string(),
        };
    }
    current.insert(parts[parts.len() - 1].to_string(), value);
    toml::to_string(&table).unwrap_or_else(|_| text.to_string())
}

/// Valid but hostile events and models, appended whole.
const SNIPPETS: &[&str] = &[
    "[[events]]\nkind = \"growth\"\nname = \"g\"\nat = 1\nmembers = 40\nties = 10000\n",
    "[[events]]\nkind = \"leader_loss\"\nname = \"ll\"\nat = [1, 2, 3]\ncount = 5\nvacancy = 4294967295\n",
    "[[events]]\nkind = \"leader_loss\"\nname = \"ll0\"\nhazard = 1\nselect = \"deciding\"\nvacancy = 0\n",
    "[[events]]\nkind = \"turbulence\"\nname = \"tb\"\nprobability = 1\nfraction = 1\n",
    "[[events]]\nkind = \"turnover\"\nname = \"to\"\nhazard = 1\nfraction = 1\n",
    "[[events]]\nkind = \"network_disruption\"\nname = \"nd\"\nat = 1\nfraction = 1\nextra_delay = 1000\nduration = 4294967295\n",
    "[[events]]\nkind = \"crisis\"\nname = \"cr\"\nhazard = 0.5\ncapacity = 0\ndeadline = 1\nduration = 1\n",
    "[[events]]\nkind = \"cross_functional\"\nname = \"cf\"\nat = [1, 2]\nties = 1000000\n",
    "[[events]]\nkind = \"mentoring\"\nname = \"me\"\nat = 1\nrate = 1\n",
    "[[events]]\nkind = \"team_decisions\"\nname = \"td\"\nhazard = 0.3\nduration = 2\n",
    "[[events]]\nkind = \"landscape_shock\"\nname = \"ls\"\nhazard = 1\nfraction = 1\nmeasure = true\n",
    "[[events]]\nkind = \"reorg\"\nname = \"ro\"\nat = 1\nmodel = \"extra\"\nduration = 1\n[[models]]\nkind = \"hybrid\"\nname = \"extra\"\ncapacity = 0\nleader_capacity = 0\n",
    "[[models]]\nkind = \"centralized\"\nname = \"c0\"\ncapacity = 0\ndelay = 1000\nexpiry = 1\n",
    "[[models]]\nkind = \"shared\"\nname = \"s1\"\ncapacity = 1000000\nrotation = 1\nselection = \"rotate\"\ncoordination = \"vote\"\nconsult_delay = 1000\npower_sharing = 0\n",
    "[[models]]\nkind = \"shared\"\nname = \"s2\"\ncoordination = \"consult\"\nconsult_cost = 10\nrotation = 0\n",
];

/// Valid axes appended to sweeps.
const SWEEP_SNIPPETS: &[&str] = &[
    "[[axes]]\npath = \"behaviour.noise\"\nvalues = [0, 10, 5]\n",
    "[[axes]]\npath = \"organization.members\"\nfrom = 2\nto = 100\nsteps = 3\ninteger = true\n",
    "[[axes]]\npath = \"landscape.k\"\nvalues = [0, 1]\n",
    "[[axes]]\npath = \"behaviour.learning.skill_capacity\"\nfrom = 1e-9\nto = 10\nlog = true\nsteps = 4\n",
    "[[axes]]\npath = \"models.centralized.capacity\"\nvalues = [0, 1000000]\n",
    "[[axes]]\npath = \"organization.network.kind\"\nvalues = [\"complete\", \"teams\", \"ring\"]\n",
    "[design]\nkind = \"lhs\"\nsamples = 7\n",
];

/// One edit of a file's text. Indices are taken modulo what they index, so every mutation
/// applies to every text.
#[derive(Debug, Clone)]
enum Mutation {
    /// Set a declared parameter to a value at the edge of its range.
    Set {
        param: usize,
        value: usize,
        entry: usize,
    },
    /// Append a valid but hostile event or model.
    Snippet(usize),
    /// Replace the `i`-th number with `EXTREMES[v]`.
    Number {
        i: usize,
        v: usize,
    },
    /// Multiply the `i`-th number by 10^`p` (and negate it when `negate`).
    Scale {
        i: usize,
        p: u8,
        negate: bool,
    },
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    /// Insert `key = value` before line `at`.
    InsertKey {
        at: usize,
        key: usize,
        value: usize,
    },
    /// Insert a table header before line `at`.
    InsertTable {
        at: usize,
        header: usize,
    },
    /// Replace the `i`-th quoted text with `WORDS[w]`.
    Word {
        i: usize,
        w: usize,
    },
    /// Keep the first `fraction` of the text.
    Truncate {
        fraction: f64,
    },
    /// Insert a character at byte fraction `at`.
    Char {
        at: f64,
        c: char,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let idx = 0usize..10_000;
    prop_oneof![
        8 => (idx.clone(), 0usize..16, 0usize..4).prop_map(|(param, value, entry)| Mutation::Set { param, value, entry }),
        3 => (0..SNIPPETS.len()).prop_map(Mutation::Snippet),
        4 => (idx.clone(), 0..EXTREMES.len()).prop_map(|(i, v)| Mutation::Number { i, v }),
        2 => (idx.clone(), 1u8..12, any::<bool>()).prop_map(|(i, p, negate)| Mutation::Scale { i, p, negate }),
        2 => idx.clone().prop_map(Mutation::DeleteLine),
        1 => idx.clone().prop_map(Mutation::DuplicateLine),
        1 => (idx.clone(), idx.clone()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        3 => (idx.clone(), idx.clone(), 0..EXTREMES.len() + WORDS.len())
            .prop_map(|(at, key, value)| Mutation::InsertKey { at, key, value }),
        1 => (idx.clone(), 0..HEADERS.len()).prop_map(|(at, header)| Mutation::InsertTable { at, header }),
        2 => (idx, 0..WORDS.len()).prop_map(|(i, w)| Mutation::Word { i, w }),
        1 => (0.0..1.0f64).prop_map(|fraction| Mutation::Truncate { fraction }),
        1 => (0.0..1.0f64, any::<char>()).prop_map(|(at, c)| Mutation::Char { at, c }),
    ]
}

/// Byte ranges of the numbers of value positions (after `=`, `[`, `,` or `{`), outside comments.
fn numbers(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut in_comment = false;
    let mut in_string = false;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\n' => in_comment = false,
            b'#' if !in_string => in_comment = true,
            b'"' if !in_comment => in_string = !in_string,
            _ => {}
        }
        let starts = !in_comment
            && !in_string
            && (c.is_ascii_digit()
                || ((c == b'-' || c == b'+') && b.get(i + 1).is_some_and(u8::is_ascii_digit)))
            && text[..i].trim_end().ends_with(['=', '[', ',', '{']);
        if starts {
            let start = i;
            i += 1;
            while i < b.len() && (b[i].is_ascii_digit() || b"._eE+-".contains(&b[i])) {
                i += 1;
            }
            out.push((start, i));
            continue;
        }
        i += 1;
    }
    out
}

/// Byte ranges of the contents of double-quoted texts.
fn quoted(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut open = None;
    for (i, c) in text.char_indices() {
        if c == '\n' {
            open = None;
        } else if c == '"' {
            match open {
                None => open = Some(i + 1),
                Some(s) => {
                    out.push((s, i));
                    open = None;
                }
            }
        }
    }
    out
}

/// The char boundary at or before byte `i`.
fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Applies `m` to the text of a scenario (`sweep = false`) or a sweep file.
fn apply(text: &str, m: &Mutation, sweep: bool) -> String {
    match *m {
        Mutation::Set {
            param,
            value,
            entry,
        } => {
            let all = settable(sweep);
            let (path, values) = &all[param % all.len()];
            set(text, path, entry, values[value % values.len()].clone())
        }
        Mutation::Snippet(i) if sweep => {
            format!("{text}\n{}", SWEEP_SNIPPETS[i % SWEEP_SNIPPETS.len()])
        }
        Mutation::Snippet(i) => format!("{text}\n{}", SNIPPETS[i % SNIPPETS.len()]),
        Mutation::Number { i, v } => {
            let nums = numbers(text);
            if nums.is_empty() {
                return text.to_string();
            }
            let (s, e) = nums[i % nums.len()];
            format!("{}{}{}", &text[..s], EXTREMES[v], &text[e..])
        }
        Mutation::Scale { i, p, negate } => scale(text, i, p, negate),
        Mutation::DeleteLine(_)
        | Mutation::DuplicateLine(_)
        | Mutation::SwapLines(..)
        | Mutation::InsertKey { .. }
        | Mutation::InsertTable { .. } => edit_lines(text, m),
        Mutation::Word { i, w } => {
            let q = quoted(text);
            if q.is_empty() {
                return text.to_string();
            }
            let (s, e) = q[i % q.len()];
            format!("{}{}{}", &text[..s], WORDS[w], &text[e..])
        }
        Mutation::Truncate { fraction } => {
            let cut = floor_boundary(text, (text.len() as f64 * fraction) as usize);
            text[..cut].to_string()
        }
        Mutation::Char { at, c } => {
            let pos = floor_boundary(text, (text.len() as f64 * at) as usize);
            format!("{}{c}{}", &text[..pos], &text[pos..])
        }
    }
}

/// Multiplies number `i` of `text` by 10^`p`, negated if asked (digits appended when an
/// integer would overflow).
fn scale(text: &str, i: usize, p: u8, negate: bool) -> String {
    let nums = numbers(text);
    if nums.is_empty() {
        return text.to_string();
    }
    let (s, e) = nums[i % nums.len()];
    let old = &text[s..e];
    let scaled = match old.parse::<i64>() {
        Ok(x) => x
            .checked_mul(10i64.pow(p as u32))
            .map(|y| if negate { -y } else { y })
            .map_or_else(
                || format!("{old}{}", "0".repeat(p as usize)),
                |y| y.to_string(),
            ),
        Err(_) => {
            let x: f64 = old.parse().unwrap_or(1.0) * 10f64.powi(p as i32);
            format!("{:?}", if negate { -x } else { x })
        }
    };
    format!("{}{scaled}{}", &text[..s], &text[e..])
}

/// Applies a mutation of whole lines: delete, duplicate, swap, or insert a key or a table
/// header.
fn edit_lines(text: &str, m: &Mutation) -> String {
    let mut l: Vec<String> = text.lines().map(String::from).collect();
    match *m {
        Mutation::DeleteLine(i) => {
            if !l.is_empty() {
                let n = l.len();
                l.remove(i % n);
            }
        }
        Mutation::DuplicateLine(i) => {
            if !l.is_empty() {
                let k = i % l.len();
                l.insert(k, l[k].clone());
            }
        }
        Mutation::SwapLines(a, b) => {
            if !l.is_empty() {
                let n = l.len();
                l.swap(a % n, b % n);
            }
        }
        Mutation::InsertKey { at, key, value } => {
            let keys = keys();
            let value = if value < EXTREMES.len() {
                EXTREMES[value].to_string()
            } else {
                format!("\"{}\"", WORDS[value - EXTREMES.len()])
            };
            l.insert(
                at % (l.len() + 1),
                format!("{} = {value}", keys[key % keys.len()]),
            );
        }
        Mutation::InsertTable { at, header } => {
            l.insert(at % (l.len() + 1), HEADERS[header].to_string());
        }
        _ => unreachable!("not a mutation of lines"),
    }
    l.join("\n") + "\n"
}

fn config(default_cases: u32) -> Config {
    // `Config::default()` reads PROPTEST_CASES; keep it when set.
    let mut c = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = default_cases;
    }
    // A failure prints its minimal mutations and text; no regression file is kept.
    c.failure_persistence = None;
    c
}

/// Validates a mutated scenario text and, when it is valid and small, runs it briefly.
fn check_scenario(text: &str, model: usize, world_seed: u64) {
    // The reader the command line uses (any family) must not panic either; small reference
    // studies are run too.
    if let Ok(study) = Study::from_text(text, "fuzz.toml") {
        run_reference(&study, text, model, world_seed);
    }
    TOTAL.fetch_add(1, Relaxed);
    let s = match Scenario::from_text(text, "fuzz.toml") {
        Ok(s) => s,
        Err(e) => {
            assert_clear(&e);
            return;
        }
    };
    VALID.fetch_add(1, Relaxed);
    let grown: u64 = s.events.iter().map(|e| e.added_members() as u64).sum();
    let members = s.organization.members as u64 + grown;
    let ties = s
        .organization
        .network
        .ties(members as usize, s.organization.domains);
    if (s.steps as u64).saturating_mul(members) > MAX_MEMBER_STEPS
        || s.landscape.n > MAX_RUN_N
        || s.landscape.table_bytes() > MAX_RUN_TABLE_BYTES
        || ties > MAX_RUN_TIES
    {
        return;
    }
    let model = model % s.models.len();
    RAN.fetch_add(1, Relaxed);
    let out = leadsim::sim::run(&s, model, world_seed);
    assert_eq!(out.performance.len(), s.steps as usize + 1);
    for (t, &p) in out.performance.iter().enumerate() {
        assert!((0.0..=1.0).contains(&p), "performance {p} at step {t}");
    }
    // The counterfactual twin is the same run until the first shock.
    let twin = (!out.shocks.is_empty()).then(|| {
        let stop = std::sync::atomic::AtomicBool::new(false);
        let twin = leadsim::sim::run_twin(&s, model, world_seed, &stop).expect("not stopped");
        let first = out.shocks[0].step as usize;
        assert_eq!(
            out.performance[..first],
            twin.performance[..first],
            "the twin differs before the first shock"
        );
        twin.performance
    });
    for r in &out.shocks {
        let ev = &s.events[r.event];
        let shock = leadsim::results::Shock::measure(
            &ev.name,
            ev.kind_name(),
            r.step,
            r.after,
            &out.performance,
            twin.as_deref(),
            s.adaptation_window as usize,
        );
        assert!(shock.adaptability.window_steps <= s.adaptation_window);
        let a = shock.adaptability;
        assert!(a.effect.abs() <= 1.0 && a.effect_min <= a.effect, "{a:?}");
    }
    let _ = out.recorder.summary();
}

/// Runs a small reference-family study (March 1991, Lazer & Friedman 2007) for one model.
fn run_reference(study: &Study, text: &str, model: usize, world_seed: u64) {
    if study.leadership().is_some() {
        return;
    }
    let Ok(table) = toml::from_str::<toml::Table>(text) else {
        return;
    };
    let family = study.family();
    let int = |t: &str, k: &str, d: i64| -> i64 {
        table
            .get(t)
            .and_then(|x| x.get(k))
            .and_then(|x| x.as_integer())
            .unwrap_or(d)
    };
    let steps = study.steps() as i64;
    // A complete network of 100000 agents would take 40 GB (see the corpus case
    // ref-lf-complete-huge): keep the agents few.
    let agents = int("lazer_friedman2007", "agents", 100);
    let size = match family {
        "march1991" => int("march1991", "n", 50) * int("march1991", "m", 30),
        "lazer_friedman2007" if int("lazer_friedman2007", "n", 20) <= 20 && agents <= 2000 => {
            agents * 40
        }
        _ => return,
    };
    if steps.saturating_mul(size) > 20 * MAX_MEMBER_STEPS as i64 {
        return;
    }
    let models = study.model_names().len();
    let _ = study.simulate(
        model % models,
        world_seed,
        &std::sync::atomic::AtomicBool::new(false),
    );
}

/// An error names the file and says something.
fn assert_clear(e: &InputError) {
    let shown = e.to_string();
    assert!(
        shown.contains("fuzz") || shown.contains(".toml"),
        "error without a file: {shown}"
    );
    assert!(!e.message.trim().is_empty(), "empty error message: {shown}");
}

/// Parses and plans a mutated sweep text; bases resolve to the bundled files.
fn check_sweep(text: &str, path: &str, seed: Option<u64>) {
    let files = &seeds().files;
    let read_base = |p: &Path| -> Result<String, InputError> {
        let normal: PathBuf = p.components().collect();
        files.get(&normal).cloned().ok_or_else(|| InputError {
            file: p.to_path_buf(),
            line: None,
            key: String::new(),
            message: "no such bundled file".into(),
        })
    };
    let sweep = match Sweep::parse(text, Path::new(path), read_base) {
        Ok(s) => s,
        Err(e) => {
            assert!(!e.message.trim().is_empty(), "empty error message: {e}");
            return;
        }
    };
    SWEEP_PARSED.fetch_add(1, Relaxed);
    if sweep.point_count() > MAX_PLAN_POINTS {
        return;
    }
    match sweep.plan(seed, None) {
        Ok(_) => {
            SWEEP_PLANNED.fetch_add(1, Relaxed);
        }
        Err(e) => assert!(!e.message.trim().is_empty(), "empty error message: {e}"),
    }
}

/// Runs `check` on `text`, turning a panic into a test failure that shows the text.
fn guarded(text: &str, check: impl FnOnce()) -> Result<(), TestCaseError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(check)).map_err(|panic| {
        let msg = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        TestCaseError::fail(format!(
            "panicked: {msg}\n--- mutated text ---\n{text}\n---"
        ))
    })
}

/// Mutated scenario files are refused with an error or run without panicking.
#[test]
fn mutated_scenarios_never_panic() {
    let strategy = (
        any::<prop::sample::Index>(),
        prop::collection::vec(mutation(), 1..5),
        0usize..8,
        any::<u64>(),
    );
    let mut runner = TestRunner::new(config(256));
    let result = runner.run(&strategy, |(seed, mutations, model, world_seed)| {
        let seeds = &seeds().scenarios;
        let (_, original) = &seeds[seed.index(seeds.len())];
        let text = mutations
            .iter()
            .fold(original.clone(), |t, m| apply(&t, m, false));
        let start = std::time::Instant::now();
        let r = guarded(&text, || check_scenario(&text, model, world_seed));
        if start.elapsed().as_secs_f64() > 0.5 && std::env::var_os("FUZZ_SLOW").is_some() {
            eprintln!(
                "slow case ({:.1} s):\n{text}\n",
                start.elapsed().as_secs_f64()
            );
        }
        r
    });
    eprintln!(
        "fuzz: {} mutated scenarios, {} valid, {} run",
        TOTAL.load(Relaxed),
        VALID.load(Relaxed),
        RAN.load(Relaxed)
    );
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// Mutated sweep files are refused with an error or expand into a plan without panicking.
#[test]
fn mutated_sweeps_never_panic() {
    let strategy = (
        any::<prop::sample::Index>(),
        prop::collection::vec(mutation(), 1..6),
        prop::option::of(0u64..1000),
    );
    let mut runner = TestRunner::new(config(128));
    let result = runner.run(&strategy, |(seed, mutations, plan_seed)| {
        let seeds = &seeds().sweeps;
        let (path, original) = &seeds[seed.index(seeds.len())];
        let text = mutations
            .iter()
            .fold(original.clone(), |t, m| apply(&t, m, true));
        guarded(&text, || check_sweep(&text, path, plan_seed))
    });
    eprintln!(
        "fuzz: {} mutated sweeps parsed, {} expanded into plans",
        SWEEP_PARSED.load(Relaxed),
        SWEEP_PLANNED.load(Relaxed)
    );
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// The unmutated seeds are valid and run: the fuzzer starts from working files.
#[test]
fn seeds_are_valid() {
    for (path, text) in &seeds().scenarios {
        Study::from_text(text, path).unwrap_or_else(|e| panic!("{path}: {e}"));
    }
    for (path, text) in &seeds().sweeps {
        let read_base = |p: &Path| -> Result<String, InputError> {
            let normal: PathBuf = p.components().collect();
            Ok(seeds().files[&normal].clone())
        };
        let sweep = Sweep::parse(text, Path::new(path), read_base)
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        sweep
            .plan(None, None)
            .unwrap_or_else(|e| panic!("{path}: {e}"));
    }
    check_scenario(&seeds().files[Path::new("tests/data/small.toml")], 0, 1);
}
