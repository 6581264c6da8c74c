//! The report's note on a comparison of two results (`leadsim compare`): what was compared and
//! whether the differences between the two are paired.

use super::escape;
use crate::plot::Results;
use std::fmt::Write as _;

/// A paragraph saying which two results the folder compares, and how (nothing for other
/// results).
pub(super) fn note(h: &mut String, r: &Results) {
    let Some(c) = &r.manifest.compare else {
        return;
    };
    let side = |s: &crate::output::manifest::ComparedResult| {
        format!(
            "<strong>{}</strong> (folder <code>{}</code>, made by <code>{}</code>)",
            escape(&s.label),
            escape(&s.path),
            escape(&s.command)
        )
    };
    let _ = writeln!(
        h,
        "<p class=\"note\">A comparison of two results: {} and {}. Each model is named \
         <code>LABEL:model</code>; rows <code>{b}:model − {a}:model</code> compare the two \
         results model by model, the others each result's own models. {}.</p>",
        side(&c.a),
        side(&c.b),
        escape(&capital(&c.pairing)),
        a = escape(&c.a.label),
        b = escape(&c.b.label),
    );
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
