//! The library's modules form layers and every `crate::` path points to a lower layer (no
//! circles, arrows only downward), as ARCHITECTURE.md states. This test reads the code of
//! `src/` (not comments, not `#[cfg(test)]` items: tests may reach up to build what they need)
//! and fails on an arrow that points sideways or up, naming the file and the line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The layers, lowest first. A module may use modules of lower layers only.
const LAYERS: &[&[&str]] = &[
    &["rng", "stats", "params"],
    &[
        "network",
        "analysis",
        "bounded",
        "voice",
        "trust",
        "influence",
        "cognition",
    ],
    &["landscape"],
    &["org"],
    &["behaviour"],
    &["world"],
    &["leadership"],
    &["events"],
    &["metrics"],
    &["scenario"],
    &["sim"],
    &["reference"],
    &["results"],
    &["output"],
    &["study"],
    &["experiment"],
    &["plot", "slurm"],
    &["sensitivity", "discover", "contrast"],
    &["report", "replicate", "format"],
    &["patterns"],
];

/// Narrower rules than the layers: the storage layer knows the shape of an experiment's tables
/// (its `Layout`) and the typed results, never the plan, the scenario or the model.
const ONLY: &[(&str, &[&str])] = &[("output", &["results", "stats"])];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// The top-level module a file of `src/` belongs to (`None`: the crate root or the binary).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?.to_string();
    let name = first.strip_suffix(".rs").unwrap_or(&first).to_string();
    match name.as_str() {
        "lib" | "main" | "cli" => None,
        _ => Some(name),
    }
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("src/ is readable")
        .map(|e| e.expect("an entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of `text` with comments blanked and `#[cfg(test)]` items removed, line numbers kept.
fn code(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text
        .lines()
        .map(|l| match l.find("//") {
            // A `//` inside a string literal is rare in this code base and harmless: the rest of
            // that line is only not searched.
            Some(i) => l[..i].to_string(),
            None => l.to_string(),
        })
        .collect();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() == "#[cfg(test)]" {
            // Blank the item that follows: up to its matching closing brace, or its `;`.
            let mut depth = 0i32;
            let mut opened = false;
            let mut j = i;
            'item: while j < lines.len() {
                let line = std::mem::take(&mut lines[j]);
                let mut in_str = false;
                let mut prev = ' ';
                for c in line.chars() {
                    match c {
                        '"' if prev != '\\' && prev != '\'' => in_str = !in_str,
                        '{' if !in_str && prev != '\'' => {
                            depth += 1;
                            opened = true;
                        }
                        '}' if !in_str && prev != '\'' => depth -= 1,
                        ';' if !in_str && !opened => break 'item,
                        _ => {}
                    }
                    prev = if prev == '\\' && c == '\\' { ' ' } else { c };
                }
                if opened && depth == 0 {
                    break;
                }
                j += 1;
            }
            i = j;
        }
        i += 1;
    }
    lines
}

/// Every `crate::NAME` in the code of `lines`, with its line number (from 1).
fn arrows(lines: &[String]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        let mut rest = line.as_str();
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let len = name.len();
            if !name.is_empty() {
                out.push((n + 1, name));
            } else if let Some(group) = after.strip_prefix('{') {
                // `use crate::{a, b::c};`
                let inner = group.split('}').next().unwrap_or("");
                for part in inner.split(',') {
                    let name: String = part
                        .trim()
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        out.push((n + 1, name));
                    }
                }
            }
            rest = &after[len..];
        }
    }
    out
}

#[test]
fn imports_point_only_downward() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = root.join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let mut modules = BTreeMap::new();
    let mut wrong = Vec::new();
    for file in &all {
        let Some(module) = module_of(&src, file) else {
            continue;
        };
        let Some(from) = layer(&module) else {
            wrong.push(format!(
                "{}: module `{module}` has no layer in tests/layers.rs (and ARCHITECTURE.md)",
                file.display()
            ));
            continue;
        };
        modules.insert(module.clone(), from);
        let text = std::fs::read_to_string(file).expect("a source file");
        for (line, target) in arrows(&code(&text)) {
            if target == module {
                continue;
            }
            let at = format!("{}:{line}", file.strip_prefix(root).unwrap().display());
            match layer(&target) {
                None => wrong.push(format!("{at}: `{module}` uses `{target}`, which has no layer")),
                Some(to) if to >= from => wrong.push(format!(
                    "{at}: `{module}` (layer {from}) uses `{target}` (layer {to}): arrows must point down"
                )),
                Some(_) => {}
            }
            if let Some((_, allowed)) = ONLY.iter().find(|(m, _)| *m == module)
                && !allowed.contains(&target.as_str())
            {
                wrong.push(format!(
                    "{at}: `{module}` may use only {allowed:?}, not `{target}`"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
    // Every layer's modules exist: the table does not describe a code base that is gone.
    for m in LAYERS.iter().flat_map(|l| l.iter()) {
        assert!(
            modules.contains_key(*m),
            "tests/layers.rs lists `{m}`, which is not in src/"
        );
    }
}

#[test]
fn the_reader_finds_upward_arrows_and_skips_tests_and_comments() {
    let text = "use crate::rng;\nuse crate::{stats, output::part};\n// crate::cli in a comment\nfn f() { crate::sim::run(); }\n#[cfg(test)]\nmod tests {\n    use crate::study::Study;\n    fn g() { let s = \"}\"; }\n}\nfn h() { crate::world::x(); }\n";
    let found = arrows(&code(text));
    let names: Vec<&str> = found.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(names, ["rng", "stats", "output", "sim", "world"]);
    assert_eq!(found.last().unwrap().0, 10, "line numbers are kept");
}
