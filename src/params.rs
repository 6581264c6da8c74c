//! Declared parameters and the reader that turns a TOML table into validated values.
//!
//! Every parameter of a scenario — of the organization, of a leadership model, of an event — is
//! declared once as a [`Param`]: its key, its default, its valid range and its meaning. The same
//! declaration is used to read the value (with the range check and a clear error) and to document
//! it (`leadsim models`, `leadsim events`, `docs/FORMAT.md`), so a default cannot drift between
//! the code and the documentation.
//!
//! A [`Reader`] reads one table. It remembers which keys were read; `Reader::finish` rejects
//! any other key with the nearest valid one as a suggestion. Errors carry the dotted key path and,
//! when the table came from a file, the line ([`Source`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};
use toml::Value;

/// Where a scenario text came from, for error messages: the file and the line of every key.
#[derive(Debug, Clone, Default)]
pub struct Source {
    /// The file name as given by the user (`<inline>` for texts without a file).
    pub(crate) file: PathBuf,
    lines: BTreeMap<String, usize>,
    /// The first long text read from this source, shared by every scenario read from it: the
    /// points of a sweep share their base's source, so a long description is held once, not
    /// once per point ([`Reader::shared_text`]).
    shared: std::sync::OnceLock<std::sync::Arc<str>>,
}

impl Source {
    /// A source without line information (for tests that build tables by hand).
    #[cfg(test)]
    pub(crate) fn unnamed(name: &str) -> Source {
        Source {
            file: PathBuf::from(name),
            lines: BTreeMap::new(),
            shared: Default::default(),
        }
    }

    /// Parses `text` (from `file`) and records the line of every key path.
    pub fn parse(file: &Path, text: &str) -> Result<(toml::Table, Source), InputError> {
        let newlines = Lines::new(text);
        let spanned = toml::de::DeTable::parse(text)
            .map_err(|e| syntax_error(file, text, &newlines, &e, None))?;
        let mut lines = BTreeMap::new();
        index_lines(&newlines, "", spanned.get_ref(), &mut lines);
        // Values the spanned parse accepts can still fail to convert (a whole number beyond
        // 64 bits, a float that overflows); name their key.
        let table: toml::Table = toml::from_str(text)
            .map_err(|e| syntax_error(file, text, &newlines, &e, Some(spanned.get_ref())))?;
        Ok((
            table,
            Source {
                file: file.to_path_buf(),
                lines,
                shared: Default::default(),
            },
        ))
    }

    /// The line (1-based) of `path` in the file, or of its closest enclosing key.
    pub fn line(&self, path: &str) -> Option<usize> {
        let mut p = path;
        loop {
            if let Some(&l) = self.lines.get(p) {
                return Some(l);
            }
            let cut = p.rfind(['.', '['])?;
            p = &p[..cut];
        }
    }

    /// The lines of the keys under the table `prefix`, keyed relative to it: an inline table
    /// (a sweep's `[base]`) read as if it were a file of its own keeps its lines.
    pub(crate) fn within(&self, prefix: &str) -> Source {
        let dotted = format!("{prefix}.");
        Source {
            file: self.file.clone(),
            lines: self
                .lines
                .iter()
                .filter_map(|(k, &l)| k.strip_prefix(&dotted).map(|k| (k.to_string(), l)))
                .collect(),
            shared: Default::default(),
        }
    }

    /// An error at `key` with `message`.
    pub(crate) fn error(&self, key: &str, message: impl Into<String>) -> InputError {
        InputError {
            file: self.file.clone(),
            line: self.line(key),
            key: key.to_string(),
            message: message.into(),
        }
    }
}

/// The line of any offset of a text, found by a binary search over where its lines start: the
/// text is scanned once, so indexing every key of a file costs time linear in its size (counting
/// newlines from the start for each key made a file of 80,000 keys take minutes).
struct Lines {
    /// Offsets of the newlines, in order.
    newlines: Vec<usize>,
}

impl Lines {
    fn new(text: &str) -> Lines {
        Lines {
            newlines: text
                .bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i)
                .collect(),
        }
    }

    /// The line (1-based) holding byte `offset`.
    fn of(&self, offset: usize) -> usize {
        self.newlines.partition_point(|&n| n < offset) + 1
    }
}

fn syntax_error(
    file: &Path,
    text: &str,
    lines: &Lines,
    e: &toml::de::Error,
    parsed: Option<&toml::de::DeTable<'_>>,
) -> InputError {
    let span = e.span();
    let line = span.as_ref().map(|s| lines.of(s.start));
    let snippet = span
        .as_ref()
        .and_then(|s| text.get(s.clone()))
        .unwrap_or("")
        .trim();
    let key = match (parsed, &span) {
        (Some(t), Some(s)) => key_at(t, "", s.start).unwrap_or_default(),
        _ => String::new(),
    };
    let message = e.message().trim();
    let message = if message.contains("as i128")
        || message.contains("as u64")
        || message.contains("u64 value was too large")
    {
        format!(
            "{snippet} is too large: TOML whole numbers must be between {} and {}",
            i64::MIN,
            i64::MAX
        )
    } else if message.contains("floating-point number overflowed") {
        format!(
            "{snippet} is too large: numbers must be at most {:e} in magnitude",
            f64::MAX
        )
    } else if message == "duplicate key" && !snippet.is_empty() && snippet.len() <= 80 {
        format!("not valid TOML: duplicate key `{snippet}`: a key or table may be given only once")
    } else {
        format!("not valid TOML: {message}")
    };
    InputError {
        file: file.to_path_buf(),
        line,
        key,
        message,
    }
}

/// The dotted path of the value whose span contains `offset`, if any.
fn key_at(table: &toml::de::DeTable<'_>, prefix: &str, offset: usize) -> Option<String> {
    for (key, value) in table {
        let path = if prefix.is_empty() {
            key.get_ref().to_string()
        } else {
            format!("{prefix}.{}", key.get_ref())
        };
        if let Some(found) = value_key_at(&path, value, offset) {
            return Some(found);
        }
    }
    None
}

fn value_key_at(
    path: &str,
    value: &toml::Spanned<toml::de::DeValue<'_>>,
    offset: usize,
) -> Option<String> {
    match value.get_ref() {
        toml::de::DeValue::Table(t) => key_at(t, path, offset),
        toml::de::DeValue::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| value_key_at(&format!("{path}[{i}]"), item, offset)),
        _ => value.span().contains(&offset).then(|| path.to_string()),
    }
}

fn index_lines(
    text: &Lines,
    prefix: &str,
    table: &toml::de::DeTable<'_>,
    out: &mut BTreeMap<String, usize>,
) {
    for (key, value) in table {
        let path = if prefix.is_empty() {
            key.get_ref().to_string()
        } else {
            format!("{prefix}.{}", key.get_ref())
        };
        out.insert(path.clone(), text.of(key.span().start));
        index_value(text, &path, value, out);
    }
}

fn index_value(
    text: &Lines,
    path: &str,
    value: &toml::Spanned<toml::de::DeValue<'_>>,
    out: &mut BTreeMap<String, usize>,
) {
    match value.get_ref() {
        toml::de::DeValue::Table(t) => index_lines(text, path, t, out),
        toml::de::DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let p = format!("{path}[{i}]");
                out.insert(p.clone(), text.of(item.span().start));
                index_value(text, &p, item, out);
            }
        }
        _ => {}
    }
}

/// Bad input: the file, the line when known, the key path and what is wrong and what is valid.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct InputError {
    /// The file, as given (`<inline>` for a text without one).
    pub file: PathBuf,
    /// The line of the key, when known.
    pub line: Option<usize>,
    /// The dotted key path (empty for the file as a whole).
    pub key: String,
    /// What is wrong and what is valid.
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", safe(&self.file.display().to_string()))?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        if !self.key.is_empty() {
            write!(f, ": {}", clip(&self.key))?;
        }
        write!(f, ": {}", clip(&self.message))
    }
}

/// Longest word of an error message shown whole: a longer one (a key or value of a hostile
/// file, a megabyte long) is cut, so errors stay readable.
const MAX_WORD: usize = 200;

/// Longest error message shown whole.
const MAX_MESSAGE: usize = 2000;

/// `text` safe for a terminal: control characters (an escape sequence, a bell, NUL) written as
/// escapes (`\u{1b}`) instead of being sent raw; newlines and tabs are kept.
pub fn safe(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Whether `c` must not reach a terminal raw: a control character other than newline and tab
/// (C0, DEL and C1, which holds the 8-bit escape sequence introducer).
pub fn unsafe_char(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// `text` for an error message: terminal-safe, every word of more than [`MAX_WORD`]
/// characters cut, and the whole at most [`MAX_MESSAGE`] characters.
fn clip(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_MESSAGE + 8));
    let mut word = 0usize;
    let mut total = 0usize;
    let mut cut = false;
    for c in text.chars() {
        if total >= MAX_MESSAGE {
            out.push_str(" …");
            break;
        }
        if c.is_whitespace() {
            word = 0;
            cut = false;
        } else {
            word += 1;
            if word > MAX_WORD {
                if !cut {
                    out.push('…');
                    cut = true;
                }
                continue;
            }
        }
        total += 1;
        if unsafe_char(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// A number or choice a parameter accepts, for documentation and checking.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// A finite real number in `[min, max]`.
    Real {
        /// The least value.
        min: f64,
        /// The greatest value.
        max: f64,
    },
    /// A whole number in `[min, max]`.
    Whole {
        /// The least value.
        min: u64,
        /// The greatest value.
        max: u64,
    },
    /// `true` or `false`.
    Flag,
    /// One of the listed words.
    Choice(&'static [&'static str]),
    /// A distribution on [0, 1] (see [`Dist`]).
    Distribution,
    /// Free text.
    Text,
    /// A list (read by its own code; the words say of what).
    List(&'static str),
}

/// A parameter's default.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum DefaultValue {
    Real(f64),
    Whole(u64),
    Flag(bool),
    Word(&'static str),
    Dist(Dist),
    /// No default: the key must be given.
    Required,
    /// The default is computed from other parameters (explained in the meaning).
    Derived(&'static str),
}

/// One declared parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Param {
    /// The key in its table.
    pub key: &'static str,
    /// What values it takes.
    pub kind: Kind,
    /// Its value when the key is absent.
    pub(crate) default: DefaultValue,
    /// What it means, in a few words (for `leadsim models`, `leadsim events` and
    /// `docs/FORMAT.md`).
    pub meaning: &'static str,
}

impl Param {
    /// A probability or share: a real number in [0, 1] with its default.
    pub(crate) const fn rate(key: &'static str, default: f64, meaning: &'static str) -> Param {
        Param {
            key,
            kind: Kind::Real { min: 0.0, max: 1.0 },
            default: DefaultValue::Real(default),
            meaning,
        }
    }

    /// What values are valid, in words.
    pub fn valid(&self) -> String {
        match self.kind {
            Kind::Real { min, max } => match (min == f64::MIN, max == f64::MAX) {
                (true, true) => "a number".into(),
                // The smallest normal number stands for "above zero".
                (false, true) if min == f64::MIN_POSITIVE => "a positive number".into(),
                (false, true) => format!("a number of at least {min}"),
                (true, false) => format!("a number of at most {max}"),
                (false, false) => format!("a number between {min} and {max}"),
            },
            Kind::Whole { min, max } => {
                if max == u64::MAX {
                    format!("a whole number of at least {min}")
                } else {
                    format!("a whole number between {min} and {max}")
                }
            }
            Kind::Flag => "true or false".into(),
            Kind::Choice(words) => format!("one of {}", quote_list(words)),
            Kind::Distribution => {
                "a number in [0, 1], or a table { mean = m, sd = s } (beta distribution) or { low = a, high = b } (uniform) within [0, 1]".into()
            }
            Kind::Text => "text".into(),
            Kind::List(what) => format!("a list of {what}"),
        }
    }

    /// The default, in words.
    pub fn default_text(&self) -> String {
        match self.default {
            DefaultValue::Real(x) => format!("{x}"),
            DefaultValue::Whole(x) => format!("{x}"),
            DefaultValue::Flag(b) => format!("{b}"),
            DefaultValue::Word(w) => format!("\"{w}\""),
            DefaultValue::Dist(d) => d.to_string(),
            DefaultValue::Required => "(required)".into(),
            DefaultValue::Derived(how) => how.into(),
        }
    }
}

fn quote_list(words: &[&str]) -> String {
    words
        .iter()
        .map(|w| format!("\"{w}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The word among `candidates` closest to `word`, if it is close enough to be a likely typo:
/// a few edits, keeping at least half of the longer word (`p1` is no typo of `m`).
pub(crate) fn suggest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    // No key, kind or name is this long: a megabyte-long word of a hostile file is no typo,
    // and comparing it would cost time and memory.
    if word.len() > 2 * MAX_WORD {
        return None;
    }
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|&(d, c)| d <= 2.max(c.len() / 3) && 2 * d <= word.len().max(c.len()))
        .min_by_key(|&(d, c)| (d, c))
        .map(|(_, c)| c)
}

/// `" (did you mean \"x\"?)"` when `word` is close to one of `candidates`, else empty: the
/// hint every "unknown …" message carries.
pub(crate) fn hint<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    suggest(word, candidates)
        .map(did_you_mean)
        .unwrap_or_default()
}

/// `" (did you mean \"word\"?)"`.
fn did_you_mean(word: &str) -> String {
    format!(" (did you mean \"{word}\"?)")
}

/// The name of what the file `path` holds when the file gives none: its stem (`baseline` for
/// `scenarios/baseline.toml`), or `fallback` for a path without one.
pub(crate) fn default_name(path: &Path, fallback: &str) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| fallback.into())
}

/// Whether `name` is usable as a label in files and folder names (scenario, model and event
/// names): 1 to 64 ASCII letters, digits, '_' and '-'.
pub(crate) fn valid_label(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A distribution of a quantity that lives in [0, 1] (expertise, engagement, skill).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Dist {
    /// Always this value.
    Constant(f64),
    /// Uniform on `[low, high]`.
    Uniform {
        /// The least value.
        low: f64,
        /// The greatest value.
        high: f64,
    },
    /// Beta with this mean and standard deviation.
    Beta {
        /// The mean.
        mean: f64,
        /// The standard deviation.
        sd: f64,
    },
}

impl Dist {
    /// The distribution's mean.
    pub(crate) fn mean(&self) -> f64 {
        match *self {
            Dist::Constant(v) => v,
            Dist::Uniform { low, high } => (low + high) / 2.0,
            Dist::Beta { mean, .. } => mean,
        }
    }
}

impl fmt::Display for Dist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Dist::Constant(v) => write!(f, "{v}"),
            Dist::Uniform { low, high } => write!(f, "{{ low = {low}, high = {high} }}"),
            Dist::Beta { mean, sd } => write!(f, "{{ mean = {mean}, sd = {sd} }}"),
        }
    }
}

/// Reads one TOML table, checking every value against its declaration.
pub struct Reader<'a> {
    table: &'a toml::Table,
    path: String,
    source: &'a Source,
    used: BTreeSet<String>,
}

impl<'a> Reader<'a> {
    /// A reader of `table`, whose keys are under `path` (empty for the top level).
    pub(crate) fn new(table: &'a toml::Table, path: &str, source: &'a Source) -> Reader<'a> {
        Reader {
            table,
            path: path.to_string(),
            source,
            used: BTreeSet::new(),
        }
    }

    /// The dotted path of `key` in this table.
    pub(crate) fn key_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// An error at `key` of this table.
    pub(crate) fn error(&self, key: &str, message: impl Into<String>) -> InputError {
        self.source.error(&self.key_path(key), message)
    }

    /// An error for the required `key`, which is absent: reported at a near-miss spelling of it
    /// when the table has one (`sampels` for `samples`), else at `key`.
    pub(crate) fn missing(&self, key: &str, message: impl Into<String>) -> InputError {
        self.missing_one_of(&[key], message)
    }

    /// An error for required keys of which one must be given (`values` or `from`): reported at
    /// a near-miss spelling of any of them when the table has one, else at the first.
    pub(crate) fn missing_one_of(&self, keys: &[&str], message: impl Into<String>) -> InputError {
        let message = message.into();
        for key in keys {
            // Stricter than `suggest`: keys not read yet may be valid ones (`rate` is no typo
            // of `at`).
            let limit = if key.len() >= 7 { 2 } else { 1 };
            let typo = self
                .table
                .keys()
                .filter(|k| !keys.contains(&k.as_str()) && !self.used.contains(k.as_str()))
                .filter(|k| k.len() <= 2 * MAX_WORD)
                .find(|k| strsim::damerau_levenshtein(k, key) <= limit);
            if let Some(t) = typo {
                return self.error(
                    t,
                    format!("unknown key{}; {}: {message}", did_you_mean(key), keys[0]),
                );
            }
        }
        self.error(keys[0], message)
    }

    /// Whether `key` is present (marks it as known).
    pub(crate) fn has(&mut self, key: &str) -> bool {
        self.used.insert(key.to_string());
        self.table.contains_key(key)
    }

    /// Refuses `key`, a parameter of an earlier version, saying what replaced it (`instead`), so
    /// an old scenario file fails with a message saying what to change rather than meaning
    /// something else.
    pub fn retired(&self, key: &str, instead: &str) -> Result<(), InputError> {
        if self.table.contains_key(key) {
            return Err(self.error(key, format!("is no longer a parameter: {instead}")));
        }
        Ok(())
    }

    /// The raw value of `key` (marks it as known), for values the caller checks itself.
    pub(crate) fn raw_value(&mut self, key: &str) -> Option<&'a Value> {
        self.raw(key)
    }

    fn raw(&mut self, key: &str) -> Option<&'a Value> {
        self.used.insert(key.to_string());
        self.table.get(key)
    }

    fn type_error(&self, p: &Param, v: &Value) -> InputError {
        self.error(
            p.key,
            format!("expected {}, found {}", p.valid(), describe(v)),
        )
    }

    /// A real number (integers are accepted).
    pub(crate) fn real(&mut self, p: &Param) -> Result<f64, InputError> {
        let Kind::Real { min, max } = p.kind else {
            panic!("{} is not declared as a real", p.key)
        };
        let x = match self.raw(p.key) {
            None => match p.default {
                DefaultValue::Real(x) => return Ok(x),
                _ => return Err(self.missing(p.key, format!("is required: give {}", p.valid()))),
            },
            Some(Value::Float(x)) => *x,
            Some(Value::Integer(i)) => *i as f64,
            Some(v) => return Err(self.type_error(p, v)),
        };
        if !x.is_finite() {
            return Err(self.error(
                p.key,
                format!("{} is not finite: expected {}", number(x), p.valid()),
            ));
        }
        if x < min || x > max {
            return Err(self.error(
                p.key,
                format!("{} is out of range: expected {}", number(x), p.valid()),
            ));
        }
        Ok(x)
    }

    /// A real number, or `None` when absent and the parameter has no numeric default.
    pub(crate) fn real_opt(&mut self, p: &Param) -> Result<Option<f64>, InputError> {
        if self.table.contains_key(p.key) || matches!(p.default, DefaultValue::Real(_)) {
            self.real(p).map(Some)
        } else {
            self.used.insert(p.key.to_string());
            Ok(None)
        }
    }

    /// A whole number.
    pub(crate) fn whole(&mut self, p: &Param) -> Result<u64, InputError> {
        let Kind::Whole { min, max } = p.kind else {
            panic!("{} is not declared as a whole number", p.key)
        };
        let x = match self.raw(p.key) {
            None => match p.default {
                DefaultValue::Whole(x) => return Ok(x),
                _ => return Err(self.missing(p.key, format!("is required: give {}", p.valid()))),
            },
            Some(Value::Integer(i)) => {
                if *i < 0 {
                    return Err(
                        self.error(p.key, format!("{i} is negative: expected {}", p.valid()))
                    );
                }
                *i as u64
            }
            Some(Value::Float(x)) if x.fract() == 0.0 && *x >= 0.0 && *x < 9.0e15 => *x as u64,
            Some(v) => return Err(self.type_error(p, v)),
        };
        if x < min || x > max {
            return Err(self.error(
                p.key,
                format!("{x} is out of range: expected {}", p.valid()),
            ));
        }
        Ok(x)
    }

    /// A whole number, or `None` when absent and the parameter has no numeric default.
    pub(crate) fn whole_opt(&mut self, p: &Param) -> Result<Option<u64>, InputError> {
        if self.table.contains_key(p.key) || matches!(p.default, DefaultValue::Whole(_)) {
            self.whole(p).map(Some)
        } else {
            self.used.insert(p.key.to_string());
            Ok(None)
        }
    }

    /// `true` or `false`.
    pub(crate) fn flag(&mut self, p: &Param) -> Result<bool, InputError> {
        match self.raw(p.key) {
            None => match p.default {
                DefaultValue::Flag(b) => Ok(b),
                _ => Err(self.missing(p.key, "is required: give true or false")),
            },
            Some(Value::Boolean(b)) => Ok(*b),
            Some(v) => Err(self.type_error(p, v)),
        }
    }

    /// One of the declared words.
    pub(crate) fn choice(&mut self, p: &Param) -> Result<&'static str, InputError> {
        let Kind::Choice(words) = p.kind else {
            panic!("{} is not declared as a choice", p.key)
        };
        match self.raw(p.key) {
            None => match p.default {
                DefaultValue::Word(w) => Ok(w),
                _ => Err(self.missing(p.key, format!("is required: give {}", p.valid()))),
            },
            Some(Value::String(s)) => match words.iter().find(|w| **w == s.as_str()) {
                Some(w) => Ok(w),
                None => {
                    let hint = hint(s, words.iter().copied());
                    Err(self.error(
                        p.key,
                        format!(
                            "\"{}\" is not valid{hint}: expected {}",
                            shorten(s),
                            p.valid()
                        ),
                    ))
                }
            },
            Some(v) => Err(self.type_error(p, v)),
        }
    }

    /// Free text, without control characters other than newline and tab: a description or a
    /// name is printed by `check` and written into the report, where an escape sequence
    /// (`\u001b]0;…\u0007`) or a NUL would act on the terminal or break the page.
    pub(crate) fn text(&mut self, p: &Param) -> Result<Option<String>, InputError> {
        match self.raw(p.key) {
            None => Ok(None),
            Some(Value::String(s)) => match s.chars().find(|&c| unsafe_char(c)) {
                Some(c) => Err(self.error(
                    p.key,
                    format!(
                        "holds the control character {}: text may hold no control characters but newlines and tabs",
                        c.escape_unicode()
                    ),
                )),
                None => Ok(Some(s.clone())),
            },
            Some(v) => Err(self.type_error(p, v)),
        }
    }

    /// Free text as [`Reader::text`] reads it, held once for every scenario read from the same
    /// source when it is the same text (a sweep's points and their description).
    pub(crate) fn shared_text(
        &mut self,
        p: &Param,
    ) -> Result<Option<std::sync::Arc<str>>, InputError> {
        let Some(text) = self.text(p)? else {
            return Ok(None);
        };
        let first = self.source.shared.get_or_init(|| text.as_str().into());
        Ok(Some(if **first == *text {
            first.clone()
        } else {
            text.into()
        }))
    }

    /// A distribution on [0, 1].
    pub(crate) fn dist(&mut self, p: &Param) -> Result<Dist, InputError> {
        let path = self.key_path(p.key);
        match self.raw(p.key) {
            None => match p.default {
                DefaultValue::Dist(d) => Ok(d),
                _ => Err(self.missing(p.key, format!("is required: give {}", p.valid()))),
            },
            Some(Value::Float(_) | Value::Integer(_)) => {
                let v = self.real(&Param {
                    kind: Kind::Real { min: 0.0, max: 1.0 },
                    ..*p
                })?;
                Ok(Dist::Constant(v))
            }
            Some(Value::Table(t)) => {
                let mut r = Reader::new(t, &path, self.source);
                const KEYS: [&str; 4] = ["mean", "sd", "low", "high"];
                if let Some(key) = t.keys().find(|k| !KEYS.contains(&k.as_str())) {
                    let hint = hint(key, KEYS);
                    return Err(r.error(key, format!("unknown key{hint}: expected {}", p.valid())));
                }
                let dist = if r.has("mean") || r.has("sd") {
                    let mean = r.real(&MEAN)?;
                    let sd = r.real(&SD)?;
                    if sd == 0.0 {
                        Dist::Constant(mean)
                    } else {
                        let max_sd = (mean * (1.0 - mean)).sqrt();
                        if sd >= max_sd {
                            return Err(r.error(
                                "sd",
                                format!(
                                    "{sd} is too large for mean {mean}: a distribution on [0, 1] with that mean needs sd < sqrt(mean·(1 − mean)) = {max_sd:.4}"
                                ),
                            ));
                        }
                        Dist::Beta { mean, sd }
                    }
                } else if r.has("low") || r.has("high") {
                    let low = r.real(&LOW)?;
                    let high = r.real(&HIGH)?;
                    if low > high {
                        return Err(r.error(
                            "high",
                            format!("{high} is below low = {low}: expected low <= high"),
                        ));
                    }
                    Dist::Uniform { low, high }
                } else {
                    return Err(self.error(
                        p.key,
                        format!("expected {}, found an empty table", p.valid()),
                    ));
                };
                r.finish()?;
                Ok(dist)
            }
            Some(v) => Err(self.type_error(p, v)),
        }
    }

    /// A sub-table (an empty one when absent).
    pub(crate) fn table(&mut self, key: &str) -> Result<Reader<'a>, InputError> {
        static EMPTY: std::sync::OnceLock<toml::Table> = std::sync::OnceLock::new();
        let path = self.key_path(key);
        match self.raw(key) {
            None => Ok(Reader::new(
                EMPTY.get_or_init(toml::Table::new),
                &path,
                self.source,
            )),
            Some(Value::Table(t)) => Ok(Reader::new(t, &path, self.source)),
            Some(v) => Err(self.error(key, format!("expected a table, found {}", describe(v)))),
        }
    }

    /// An array of tables (`[[key]]`); empty when absent.
    pub(crate) fn tables(&mut self, key: &str) -> Result<Vec<Reader<'a>>, InputError> {
        let path = self.key_path(key);
        match self.raw(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| match item {
                    Value::Table(t) => Ok(Reader::new(t, &format!("{path}[{i}]"), self.source)),
                    v => Err(self.source.error(
                        &format!("{path}[{i}]"),
                        format!("expected a table, found {}", describe(v)),
                    )),
                })
                .collect(),
            Some(v) => Err(self.error(
                key,
                format!(
                    "expected an array of tables ([[{key}]]), found {}",
                    describe(v)
                ),
            )),
        }
    }

    /// Rejects every key that was not read, suggesting the nearest known one.
    pub(crate) fn finish(self) -> Result<(), InputError> {
        for key in self.table.keys() {
            if !self.used.contains(key) {
                let known: Vec<&str> = self.used.iter().map(String::as_str).collect();
                let hint = hint(key, known.iter().copied());
                let mut valid = known.clone();
                valid.sort_unstable();
                let list = if valid.is_empty() {
                    "no keys are valid here".to_string()
                } else {
                    format!("valid keys here: {}", valid.join(", "))
                };
                return Err(self.error(key, format!("unknown key{hint}; {list}")));
            }
        }
        Ok(())
    }
}

/// A number as a TOML file would spell it, short even when huge or tiny (`1e300`, not 301
/// digits), for error messages.
pub(crate) fn number(x: f64) -> String {
    if x.is_nan() {
        "nan".into()
    } else if x.is_infinite() {
        if x > 0.0 { "inf".into() } else { "-inf".into() }
    } else if x != 0.0 && !(1e-6..1e15).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// A value's TOML type in words, for error messages.
pub(crate) fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("the text \"{}\"", shorten(s)),
        Value::Integer(i) => format!("the whole number {i}"),
        Value::Float(x) => format!("the number {}", number(*x)),
        Value::Boolean(b) => format!("{b}"),
        Value::Datetime(d) => format!("the date {d}"),
        Value::Array(_) => "an array".into(),
        Value::Table(_) => "a table".into(),
    }
}

/// `s`, cut to a length an error message can show.
fn shorten(s: &str) -> String {
    const MAX: usize = 60;
    match s.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_string(),
    }
}

const MEAN: Param = Param {
    key: "mean",
    kind: Kind::Real { min: 0.0, max: 1.0 },
    default: DefaultValue::Required,
    meaning: "mean of the beta distribution",
};
const SD: Param = Param {
    key: "sd",
    kind: Kind::Real { min: 0.0, max: 0.5 },
    default: DefaultValue::Real(0.0),
    meaning: "standard deviation of the beta distribution",
};
const LOW: Param = Param {
    key: "low",
    kind: Kind::Real { min: 0.0, max: 1.0 },
    default: DefaultValue::Real(0.0),
    meaning: "lower end of the uniform distribution",
};
const HIGH: Param = Param {
    key: "high",
    kind: Kind::Real { min: 0.0, max: 1.0 },
    default: DefaultValue::Real(1.0),
    meaning: "upper end of the uniform distribution",
};

#[cfg(test)]
mod tests {
    use super::*;

    const CAP: Param = Param {
        key: "capacity",
        kind: Kind::Real {
            min: 0.0,
            max: 100.0,
        },
        default: DefaultValue::Real(3.0),
        meaning: "reviews per step",
    };
    const COUNT: Param = Param {
        key: "count",
        kind: Kind::Whole { min: 1, max: 10 },
        default: DefaultValue::Required,
        meaning: "a count",
    };
    const MODE: Param = Param {
        key: "mode",
        kind: Kind::Choice(&["none", "consult", "vote"]),
        default: DefaultValue::Word("none"),
        meaning: "coordination",
    };
    const D: Param = Param {
        key: "d",
        kind: Kind::Distribution,
        default: DefaultValue::Dist(Dist::Constant(0.5)),
        meaning: "a distribution",
    };

    fn read<T>(
        text: &str,
        f: impl FnOnce(&mut Reader) -> Result<T, InputError>,
    ) -> Result<T, InputError> {
        let (table, source) = Source::parse(Path::new("s.toml"), text)?;
        let mut r = Reader::new(&table, "", &source);
        let out = f(&mut r)?;
        r.finish()?;
        Ok(out)
    }

    /// Checks that reading `text` fails with a message containing every needle.
    fn check_err<T: fmt::Debug>(
        text: &str,
        f: impl FnOnce(&mut Reader) -> Result<T, InputError>,
        needles: &[&str],
    ) {
        let e = read(text, f).unwrap_err().to_string();
        for n in needles {
            assert!(e.contains(n), "{e:?} lacks {n:?}");
        }
    }

    #[test]
    fn defaults_and_values() {
        assert_eq!(read("", |r| r.real(&CAP)).unwrap(), 3.0);
        assert_eq!(read("capacity = 2", |r| r.real(&CAP)).unwrap(), 2.0);
        assert_eq!(
            read("mode = \"vote\"", |r| r.choice(&MODE)).unwrap(),
            "vote"
        );
        assert_eq!(read("count = 4", |r| r.whole(&COUNT)).unwrap(), 4);
        assert_eq!(
            read("d = { mean = 0.5, sd = 0.1 }", |r| r.dist(&D)).unwrap(),
            Dist::Beta { mean: 0.5, sd: 0.1 }
        );
        assert_eq!(
            read("d = 0.3", |r| r.dist(&D)).unwrap(),
            Dist::Constant(0.3)
        );
    }

    #[test]
    fn errors_name_file_line_key_and_what_is_valid() {
        check_err(
            "\n\ncapacity = -1",
            |r| r.real(&CAP),
            &[
                "s.toml:3: capacity: -1 is out of range",
                "between 0 and 100",
            ],
        );
        check_err(
            "capacity = \"lots\"",
            |r| r.real(&CAP),
            &[
                "capacity",
                "expected a number between 0 and 100, found the text \"lots\"",
            ],
        );
        check_err("", |r| r.whole(&COUNT), &["count: is required"]);
        check_err("count = 2.5", |r| r.whole(&COUNT), &["whole number"]);
        check_err(
            "mode = \"consul\"",
            |r| r.choice(&MODE),
            &[
                "did you mean \"consult\"?",
                "one of \"none\", \"consult\", \"vote\"",
            ],
        );
        check_err(
            "capacty = 2",
            |r| r.real(&CAP),
            &["capacty: unknown key (did you mean \"capacity\"?)"],
        );
        check_err(
            "d = { mean = 0.5, sd = 0.6 }",
            |r| r.dist(&D),
            &["d.sd", "out of range"],
        );
        check_err(
            "d = { mean = 0.9, sd = 0.4 }",
            |r| r.dist(&D),
            &["d.sd: 0.4 is too large for mean 0.9"],
        );
        check_err("capacity = nan", |r| r.real(&CAP), &["not finite"]);
        check_err("x = [", |r| r.real(&CAP), &["s.toml:1", "not valid TOML"]);
    }

    /// Issue 8: hostile numbers and typos get messages that name the key and what is valid.
    #[test]
    fn hostile_values_and_near_misses() {
        check_err(
            "a = 1\nseed = 99999999999999999999\n",
            |r| r.whole(&COUNT),
            &[
                "s.toml:2: seed: 99999999999999999999 is too large",
                "9223372036854775807",
            ],
        );
        check_err(
            "x = 1e999",
            |r| r.real(&CAP),
            &["s.toml:1: x: 1e999 is too large"],
        );
        check_err(
            "capacity = 1\ncapacity = 2\n",
            |r| r.real(&CAP),
            &["s.toml:2", "duplicate key `capacity`"],
        );
        check_err(
            "capacity = 1e300",
            |r| r.real(&CAP),
            &["1e300 is out of range"],
        );
        check_err("capacity = -inf", |r| r.real(&CAP), &["-inf is not finite"]);
        check_err(
            "cuont = 3",
            |r| r.whole(&COUNT),
            &["cuont: unknown key (did you mean \"count\"?); count: is required"],
        );
        // A valid key read later is no typo of a missing one.
        check_err(
            "rate = 0.5",
            |r| r.whole(&Param { key: "at", ..COUNT }),
            &["s.toml: at: is required"],
        );
        check_err(
            "d = { mena = 0.5 }",
            |r| r.dist(&D),
            &["d.mena: unknown key (did you mean \"mean\"?)"],
        );
        assert_eq!(number(f64::NAN), "nan");
        assert_eq!(number(1e300), "1e300");
        assert_eq!(number(0.25), "0.25");
        let long = "x".repeat(500);
        let e = read(&format!("mode = \"{long}\""), |r| r.choice(&MODE)).unwrap_err();
        assert!(e.to_string().len() < 300, "{e}");
    }

    #[test]
    fn an_inline_table_keeps_its_lines() {
        let (_, source) = Source::parse(
            Path::new("w.toml"),
            "a = 1\n[base]\nsteps = 3\n[base.landscape]\nk = 9\n",
        )
        .unwrap();
        let inner = source.within("base");
        assert_eq!(inner.line("landscape.k"), Some(5));
        assert_eq!(inner.line("steps"), Some(3));
        assert_eq!(inner.line("a"), None);
    }

    #[test]
    fn lines_of_nested_keys() {
        let text =
            "a = 1\n[org]\nmembers = 5\n\n[[models]]\nkind = \"x\"\n[[models]]\nkind = \"y\"\n";
        let (_, source) = Source::parse(Path::new("f.toml"), text).unwrap();
        assert_eq!(source.line("org.members"), Some(3));
        assert_eq!(source.line("models[1].kind"), Some(8));
        assert_eq!(source.line("models[1].capacity"), Some(7));
        assert_eq!(source.line("nothing"), None);
    }

    #[test]
    fn lines_of_offsets() {
        let lines = Lines::new("a\nbc\n\nd");
        let got: Vec<usize> = (0..8).map(|o| lines.of(o)).collect();
        assert_eq!(got, [1, 1, 2, 2, 2, 3, 4, 4]);
        assert_eq!(Lines::new("").of(0), 1);
    }

    #[test]
    fn errors_are_terminal_safe_and_short() {
        let e = InputError {
            file: PathBuf::from("f\u{7}.toml"),
            line: Some(2),
            key: "k".repeat(10_000),
            message: format!(
                "\"{}\u{1b}]0;x\u{7}\" is not valid: a, b",
                "v".repeat(5_000)
            ),
        };
        let text = e.to_string();
        assert!(text.len() < 1000, "{}", text.len());
        assert!(!text.chars().any(unsafe_char), "{text:?}");
        assert!(text.starts_with("f\\u{7}.toml:2: kkk"), "{text}");
        assert!(text.ends_with("… is not valid: a, b"), "{text}");
        assert_eq!(safe("a\u{1b}[31m\tb\n\u{0}"), "a\\u{1b}[31m\tb\n\\u{0}");
        let long = "w ".repeat(5_000);
        assert!(clip(&long).chars().count() <= MAX_MESSAGE + 2);
    }

    #[test]
    fn suggestions_only_for_near_misses() {
        assert_eq!(suggest("membres", ["members", "domains"]), Some("members"));
        assert_eq!(suggest("zzz", ["members", "domains"]), None);
        assert_eq!(suggest("p1", ["m", "n"]), None);
        assert_eq!(suggest("kk", ["k", "n"]), Some("k"));
    }
}
