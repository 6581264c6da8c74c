//! The reference of the input formats (`docs/FORMAT.md`): every key of scenario and sweep files
//! with its default, valid values and meaning. It is generated from the same parameter
//! registries the readers validate against, so the document cannot drift from the code; a test
//! compares the committed file with [`markdown`].

use crate::params::Param;

/// Markdown table of `params`, each key prefixed by `prefix` (e.g. `landscape.`).
fn table(params: &[Param]) -> String {
    let mut out = String::from("| key | default | valid values | meaning |\n|---|---|---|---|\n");
    for p in params {
        out += &format!(
            "| `{}` | {} | {} | {} |\n",
            p.key,
            cell(&p.default_text()),
            cell(&p.valid()),
            cell(p.meaning)
        );
    }
    out
}

/// Escapes a table cell (a `|` would end it).
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// Heading text of a table path: `""` is the file's top level.
fn where_(table: &str) -> String {
    if table.is_empty() {
        "Top level".into()
    } else {
        format!("`[{table}]`")
    }
}

/// The whole reference, as Markdown.
pub fn markdown() -> String {
    let mut out = format!(
        "# Input formats: scenario and sweep files\n\n\
         Generated from the parameter registries of the code (`leadsim::format::markdown`); a test \
         fails when this file and the code disagree (regenerate with \
         `LEADSIM_UPDATE_GOLDEN=1 cargo test --release format`). `leadsim models` and \
         `leadsim events` print the same facts for models and events; `docs/ODD.md` says what \
         the rules mean.\n\n\
         Files are UTF-8 TOML: regular files of at most {max} MiB (a device, a FIFO or a folder \
         is refused). Unknown keys are errors (with the nearest valid key suggested), as are \
         wrong types, values out of range, non-finite numbers and text holding control characters \
         (other than newlines and tabs). Every key has a default unless \
         marked (required).\n\n\
         ## Scenario files (leadership)\n\n\
         A minimal scenario is one `[[models]]` table; everything else has a default:\n\n\
         ```toml\n[[models]]\nkind = \"centralized\"\n\n[[models]]\nkind = \"shared\"\n```\n\n",
        max = crate::scenario::MAX_FILE_BYTES >> 20,
    );
    for (t, params) in crate::scenario::params() {
        // Models and events are documented per kind below.
        if t == "models" || t == "events" {
            continue;
        }
        out += &format!("### {}\n\n{}\n", where_(t), table(&params));
    }
    out += "### `[[models]]`: the leadership models to compare\n\n\
            Every `[[models]]` table takes `kind` (required) and `name` (a unique label; default: \
            the kind), plus the parameters of its kind.\n\n";
    for t in crate::leadership::registry() {
        out += &format!(
            "#### kind = \"{}\"\n\n{} (docs/ODD.md {}.)\n\n{}\n",
            t.kind,
            t.summary,
            t.odd,
            table(&(t.params)())
        );
    }
    out += "### `[[events]]`: change on a timeline or by hazard\n\n\
            Every event takes `kind` (required) and the timing keys below, plus the parameters of \
            its kind. Give `at` (one step) or `hazard` (a per-step probability, optionally \
            between `from` and `to`). A *shock* is measured for adaptability in `shocks.csv`.\n\n\
            #### Timing and common keys\n\n";
    out += &table(&crate::events::params::timing_params());
    for t in crate::events::registry() {
        let (kind, meaning, params) = (t.name, t.summary, (t.params)());
        let tag = if t.shock {
            "a shock"
        } else {
            "not a shock by default"
        };
        out += &format!("\n#### kind = \"{kind}\" ({tag})\n\n{meaning}\n\n");
        if params.is_empty() {
            out += "No parameters besides the timing keys.\n";
        } else {
            out += &table(&params);
        }
    }
    out += "\n## Scenario files (reference families)\n\n\
            With `family = \"march1991\"` or `family = \"lazer_friedman2007\"` at the top level, \
            a scenario runs a reference model (docs/ODD.md, Part II) instead of the leadership \
            model: the top-level keys above still apply (`seed`, `steps`, `replications`, \
            `name`, `description`, `[output]`), the family's own table replaces the \
            organization, and each `[[models]]` table is one variant of the family.\n\n";
    for (t, params) in crate::reference::scenario::params() {
        let heading = match t.split_once(' ') {
            Some((table, family)) => format!("`[[{table}]]` {family}"),
            None => where_(t),
        };
        out += &format!("### {heading}\n\n{}\n", table(&params));
    }
    out += &sweep_section();
    out += &measures_section();
    out += COMPARE_SECTION;
    out
}

/// The section on the measures of the result tables, from the registries of
/// [`crate::results::registry`].
fn measures_section() -> String {
    let mut out = String::from(
        "## Measures in the result tables\n\n\
         Every per-step metric is a column of `timeseries.csv`; `summary.csv` holds, per run, its \
         value at the last step (`<metric>_final`) and its mean over steps 1…T (`<metric>_mean`); \
         `stats.csv` summarizes those per model with a 95% confidence interval kept inside the \
         measure's range (below), and compares models by paired differences with Holm-adjusted \
         p-values (docs/ODD.md Part I §7.7). The adaptability measures are per run, over its \
         shocks. The report of a result lists the same facts for the measures it shows.\n\n\
         | measure | kind | unit | range | meaning | docs/ODD.md |\n|---|---|---|---|---|---|\n",
    );
    for m in crate::results::registry() {
        out += &format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            m.name,
            m.kind.name(),
            cell(m.unit),
            cell(&m.range.text()),
            cell(m.meaning),
            m.odd
        );
    }
    out
}

/// The section on the result folder of `leadsim compare` (its files are a run's).
const COMPARE_SECTION: &str = "\n## Compared results (`leadsim compare A B`)\n\n\
    `leadsim compare A B -o DIR` writes the comparison of two finished results of `leadsim run` \
    (say two variants of a scenario) as a result folder with the files of a run \
    (`timeseries.csv`, `summary.csv`, `shocks.csv`, `stats.csv`, `manifest.json`, `charts/`, \
    `report.html`; default folder `output/<A>-vs-<B>`), so `plot` and `report` redraw it. Both \
    folders are first checked against their manifests' checksums; a missing, unfinished or \
    edited folder, a shard, a sweep, the same folder twice and an output folder that is one of \
    them are refused (exit 2) before anything is written.\n\n\
    - **Models** are named `LABEL:model`, `LABEL` being the result's folder name (`A` and `B` \
    when both folders have the same name). `timeseries.csv`, `summary.csv` and `shocks.csv` hold \
    A's rows, then B's, so renamed.\n\
    - **`stats.csv`** has the columns of a run's. Metric by metric it holds A's models and the \
    paired differences between them (A's own `stats.csv` rows), the same for B, then for every \
    model both results have (by name) `model = B:model`, `versus = A:model`: what going from A \
    to B did to that model. Kaplan–Meier recovery medians have no difference rows.\n\
    - **Paired or not.** Replicate r of A and replicate r of B met the same world when their \
    world seeds agree (the same master seed) and what builds the world is the same: for the \
    leadership family `[landscape]` and `[organization]` as read (defaults included), for the \
    reference families the whole scenario apart from `[[models]]`, `replications`, `steps`, \
    `name` and `description`. Then `B:model − A:model` is paired over the replicates both have, \
    as differences between the models of a run are (n pairs, mean, sd, t interval, Cohen's \
    d_z, paired t test). Otherwise it is Welch's: `n` counts both results' replicates, `mean` is the \
    difference of the means, `sd` is empty, `se` is `sqrt(s_A²/n_A + s_B²/n_B)`, the 95% \
    interval uses the Welch–Satterthwaite degrees of freedom, and `effect_size` is Cohen's d \
    with the mean of the two variances, `(m_B − m_A) / sqrt((s_A² + s_B²)/2)`. `p_value` is the \
    paired or Welch t test's, and `p_holm` adjusts it by Holm's method within the rows \
    `B:model − A:model` of one kind of measure (each result's own rows keep their own \
    adjustment).\n\
    - **`manifest.json`** has `kind = \"compare\"`, both results' input files (roles prefixed \
    by their labels) and models, and a `compare` object: each result's label, folder, identity \
    and command, `paired`, and `pairing` (why, in words). Running the same comparison again \
    finds it done; another one is refused without `--force`, which builds the new folder beside \
    the old and swaps it in.\n";

/// The section on sweep files: what they hold, then their keys.
fn sweep_section() -> String {
    let mut out = String::new();
    out += "## Sweep files\n\n\
            A sweep file names a base scenario and the axes to vary; `leadsim check` shows the \
            expanded points before anything runs.\n\n\
            ```toml\nbase = \"baseline.toml\"      # or an inline [base] table\nreplications = 20\n\n\
            [design]\nkind = \"grid\"\n\n[[axes]]\npath = \"models.centralized.capacity\"   # a model or event by name\n\
            values = [0.5, 1, 2, 4]\n\n[[axes]]\npath = \"organization.members\"\nfrom = 10\nto = 80\nsteps = 3\nlog = true\ninteger = true\n```\n\n\
            An axis `path` is a dotted path into the base scenario: `landscape.k`, \
            `behaviour.engagement.relax`, `models.NAME.KEY` and `events.NAME.KEY` (NAME is the \
            table's `name`, or its kind when it has none). `seed`, `replications`, `name` and \
            `family` are set at the sweep's top level, not swept. A grid takes every combination of its axes' values; `random` and `lhs` draw \
            `samples` points from each axis' distribution (or uniformly among its `values`).\n\n\
";
    out += &format!(
        "A sweep has at most {} points (`experiment::sweep::MAX_POINTS`; more are refused, \
         naming the count): `leadsim sweep` holds every point as a validated scenario, while \
         `leadsim check` validates them one at a time, in memory that does not grow with their \
         number, and lists the first 20, each parameter's numbers with one precision (`0.0`, \
         `0.5`, `1.0`; the tables keep every value exactly).\n\n",
        crate::experiment::sweep::MAX_POINTS
    );
    out += "\
            For sensitivity analysis (`leadsim sensitivity`, docs/ODD.md §8), `morris` places \
            `trajectories` Morris trajectories on a grid of `levels` levels (r(k+1) points for k \
            axes) and `sobol` places Saltelli's arrangement of a Sobol' sequence with base sample \
            `samples` = N (N(k+2) points, N(2k+2) with `second_order`), both in SALib's point \
            order; their points map through each axis' distribution exactly as SALib maps them. A \
            list of `values` (or a range of whole numbers) is a discrete axis: each value gets an \
            equal share, and every Morris step changes it.\n\n\
            ```toml\nbase = \"baseline.toml\"\nreplications = 10\n\n[design]\nkind = \"sobol\"\nsamples = 256\n\n\
            [[axes]]\npath = \"models.centralized.review_capacity\"\nfrom = 0.25\nto = 4\ndistribution = \"log_uniform\"\n\n\
            [[axes]]\npath = \"behaviour.noise\"\nfrom = 0\nto = 0.3\ndistribution = \"normal\"\nmean = 0.1\nsd = 0.05\n\n\
            [analysis]\nquantities = [\"shared-centralized:performance_mean\", \"performance_mean\"]\n```\n\n\
            `replications` may instead be a table, `replications = { target = 0.01, metric = \
            \"performance_mean\", max = 500 }`: replicates then run in batches until the 95% \
            confidence half-width of the metric's mean is below `target` at every point (for \
            every model, one model `MODEL:column`, or the paired difference \
            `MODEL-MODEL:column`), or `max` replicates; every point gets the same number, and the \
            manifest records the rule and what it decided. `--replications N` replaces the rule \
            with a fixed number.\n\n";
    for (t, params) in crate::experiment::sweep::params() {
        let heading = match t {
            "axes" => "`[[axes]]`".to_string(),
            "replications" => "`replications = { … }` (replications by precision)".to_string(),
            other => where_(other),
        };
        out += &format!("### {heading}\n\n{}\n", table(&params));
    }
    out
}

/// What values the key at `path` accepts (a key path as errors name it: `seed`,
/// `organization.members`, `models[1].delay`), when the registries say it unambiguously; for
/// errors about a value the file format itself cannot hold (a whole number beyond 64 bits).
pub fn valid_at(path: &str) -> Option<String> {
    // `models[1].delay` → table `models`, key `delay`.
    let mut plain = String::with_capacity(path.len());
    let mut depth = 0usize;
    for c in path.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            c if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    let (table, key) = plain.rsplit_once('.').unwrap_or(("", &plain));
    let mut tables = crate::scenario::params();
    tables.extend(crate::reference::scenario::params());
    tables.extend(crate::experiment::sweep::params());
    tables.push((
        "models",
        crate::leadership::registry()
            .iter()
            .flat_map(|t| (t.params)())
            .collect(),
    ));
    let valid: std::collections::BTreeSet<String> = tables
        .iter()
        .filter(|(t, _)| t.split(' ').next() == Some(table))
        .flat_map(|(_, params)| params.iter())
        .filter(|p| p.key == key)
        .map(|p| p.valid())
        .collect();
    (valid.len() == 1).then(|| valid.into_iter().next().unwrap_or_default())
}

/// The sweep-file keys as plain text, for `leadsim sweep --help`.
pub fn sweep_keys_text() -> String {
    let mut out = String::new();
    for (t, params) in crate::experiment::sweep::params() {
        out += &match t {
            "" => "top level:\n".to_string(),
            "axes" => "[[axes]] (one or more):\n".to_string(),
            "replications" => "replications = { ... } (replications by precision):\n".to_string(),
            other => format!("[{other}]:\n"),
        };
        for p in params {
            out += &format!(
                "  {:<13} {}\n  {:<13} default: {}\n",
                p.key,
                p.meaning,
                "",
                p.default_text()
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `docs/FORMAT.md` is exactly what the registries say (a new or changed key must update
    /// it: `LEADSIM_UPDATE_GOLDEN=1 cargo test --release format`).
    #[test]
    fn valid_values_of_key_paths() {
        assert_eq!(
            valid_at("seed").as_deref(),
            Some("a whole number between 0 and 9223372036854775807")
        );
        assert_eq!(
            valid_at("organization.members"),
            Some(crate::org::MEMBERS.valid())
        );
        assert!(
            valid_at("models[2].review_capacity").is_some(),
            "a model's key"
        );
        assert_eq!(valid_at("nothing.here"), None);
    }

    #[test]
    fn format_reference_matches_the_registries() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/FORMAT.md");
        let now = markdown();
        if std::env::var_os("LEADSIM_UPDATE_GOLDEN").is_some() {
            std::fs::write(&path, &now).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == now,
            "docs/FORMAT.md is out of date: regenerate it with LEADSIM_UPDATE_GOLDEN=1 cargo test --release format"
        );
    }

    #[test]
    fn every_key_of_every_table_is_documented() {
        let doc = markdown();
        let mut tables = crate::scenario::params();
        tables.extend(crate::reference::scenario::params());
        tables.extend(crate::experiment::sweep::params());
        for (_, params) in tables {
            for p in params {
                assert!(doc.contains(&format!("| `{}` |", p.key)), "{}", p.key);
            }
        }
        for t in crate::leadership::registry() {
            assert!(doc.contains(&format!("kind = \"{}\"", t.kind)));
        }
        for kind in crate::events::NAMES {
            assert!(doc.contains(&format!("kind = \"{kind}\"")), "{kind}");
        }
    }
}
