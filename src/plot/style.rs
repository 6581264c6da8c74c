//! The look shared by every chart: the embedded font, the palette, sizes, number formatting and
//! the words used for each metric.

use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, RGBColor, TextStyle};
use std::sync::OnceLock;

/// The font family charts ask for. The name is written verbatim into SVG `font-family`
/// attributes, so it is a CSS font list: a viewer with DejaVu Sans shows exactly what the PNG
/// shows, any other falls back to its own sans-serif.
pub(crate) const FAMILY: &str = "DejaVu Sans, sans-serif";

/// Registers the embedded DejaVu Sans with plotters (once per process). Returns whether it is
/// usable; it always is unless the embedded font data were damaged.
pub(crate) fn register_fonts() -> bool {
    static DONE: OnceLock<bool> = OnceLock::new();
    *DONE.get_or_init(|| {
        use plotters::style::register_font;
        // Also under plotters' default family, so no text can ever ask for a system font.
        [FAMILY, "sans-serif"].iter().all(|name| {
            register_font(name, FontStyle::Normal, dejavu::sans::regular()).is_ok()
                && register_font(name, FontStyle::Bold, dejavu::sans::bold()).is_ok()
        })
    })
}

/// The Okabe–Ito colour-blind-safe palette, in the order models receive it (yellow, which is
/// hard to see on white, and black, kept for reference marks, come last).
pub(crate) const PALETTE: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0xF0, 0xE4, 0x42), // yellow
    RGBColor(0x00, 0x00, 0x00), // black
];

/// The colour of the model at `index` in the manifest's model order (the palette repeats after
/// eight models).
pub(crate) fn model_colour(index: usize) -> RGBColor {
    PALETTE[index % PALETTE.len()]
}

pub(crate) const INK: RGBColor = RGBColor(0x20, 0x20, 0x20);
pub(crate) const GREY: RGBColor = RGBColor(0x70, 0x70, 0x70);
pub(crate) const GRID: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);
pub(crate) const MISSING: RGBColor = RGBColor(0xD9, 0xD9, 0xD9);

/// Canvas of a single chart. Meant to fill one column of a two-column paper (about 3.5 in), where
/// the text sizes below come out at about 7–9 pt.
pub(crate) const SINGLE: (u32, u32) = (960, 720);
/// Width of a multi-panel figure, meant to span both columns (about 7 in) at the same text size.
pub(crate) const WIDE: u32 = 1920;

// Text sizes in plotters' units (the em is the size / 1.24).
pub(crate) const TITLE: f64 = 44.0;
pub(crate) const LABEL: f64 = 36.0;
pub(crate) const TICK: f64 = 34.0;
pub(crate) const LEGEND: f64 = 34.0;
pub(crate) const PANEL_TITLE: f64 = 36.0;
pub(crate) const CELL: f64 = 30.0;

/// Line widths.
pub(crate) const LINE: u32 = 4;
pub(crate) const THIN: u32 = 2;
/// Opacity of confidence bands.
pub(crate) const BAND_ALPHA: f64 = 0.2;

pub(crate) fn text(size: f64) -> TextStyle<'static> {
    TextStyle::from((FAMILY, size)).color(&INK)
}

pub(crate) fn bold(size: f64) -> TextStyle<'static> {
    TextStyle::from((FAMILY, size, FontStyle::Bold)).color(&INK)
}

pub(crate) fn anchored<'a>(style: TextStyle<'a>, h: HPos, v: VPos) -> TextStyle<'a> {
    style.pos(Pos::new(h, v))
}

/// A number in about three significant digits, with a true minus sign.
pub(crate) fn short(x: f64) -> String {
    if x.is_nan() {
        return "NA".into();
    }
    if x == 0.0 {
        return "0".into();
    }
    let a = x.abs();
    let s = if !(1e-4..1e6).contains(&a) {
        format!("{x:.2e}")
    } else {
        let magnitude = a.log10().floor() as i32;
        let decimals = (2 - magnitude).clamp(0, 6) as usize;
        trim(format!("{x:.decimals$}"))
    };
    minus(&s)
}

/// The fewest decimals that write every tick of `keys` exactly (at most 8).
pub(crate) fn decimals_for(keys: &[f64]) -> usize {
    (0..8)
        .find(|&d| {
            let scale = 10f64.powi(d as i32);
            keys.iter()
                .all(|k| ((k * scale).round() - k * scale).abs() < 1e-6 * scale.max(1.0))
        })
        .unwrap_or(8)
}

/// A tick label with `decimals` decimals and a true minus sign.
pub(crate) fn tick(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    // "-0.00" is zero.
    if s.trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        return s.trim_start_matches('-').to_string();
    }
    minus(&s)
}

fn trim(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

fn minus(s: &str) -> String {
    s.replace('-', "\u{2212}")
}

/// How a metric is named in titles and on axes: `(name, axis label with its meaning)`.
pub(crate) fn metric_words(metric: &str) -> (String, String) {
    // A shock statistic of one event (`shock_drop@market`): the statistic's words, then whose.
    if let Some((m, event)) = metric.split_once('@') {
        let (name, axis) = metric_words(m);
        return (format!("{name} — {event}"), axis);
    }
    let (name, axis) = match metric {
        "performance" => ("Performance", "Performance (fitness / max)"),
        "proposals" => ("Proposals", "Proposals per step"),
        "adoptions" => ("Adoptions", "Adopted proposals per step"),
        "innovations" => ("Innovations", "New performance records per step"),
        "improvements" => ("Improvements", "Fitness-raising adoptions per step"),
        "reversals" => ("Reversals", "Reversed adoptions per step"),
        "radical_adoptions" => ("Radical adoptions", "Radical adoptions per step"),
        "distinct_configs" => ("Distinct configurations", "Configurations held so far"),
        "engagement" => ("Engagement", "Mean engagement (0–1)"),
        "participation" => ("Participation", "Share of members proposing"),
        "decision_makers" => ("Decision makers", "Members who decided recently"),
        "leadership_centralization" => ("Leadership centralization", "Gini of decisions made"),
        "leadership_skill" => ("Leadership skill", "Mean leadership skill (0–1)"),
        "messages" => ("Messages", "Messages per step"),
        "latency" => ("Decision latency", "Latency (steps)"),
        "harmful_adoptions" => ("Harmful adoptions", "Fitness-lowering adoptions per step"),
        "disputes" => ("Disputes", "Members overruled per step"),
        "utilization" => ("Utilization", "Capacity spent / available"),
        "expired" => ("Expired proposals", "Proposals expired per step"),
        "members" => ("Members", "Members"),
        "departures" => ("Departures", "Members leaving per step"),
        "shock_drop" => ("Drop at shock", "Drop (before − after)"),
        "shock_max_drop" => ("Deepest drop", "Drop (before − trough)"),
        "shock_recovered" => ("Recovered shocks", "Share recovered by the end"),
        "shock_recovery_median" => ("Recovery time", "Median steps to recover (KM)"),
        "shock_window_mean" => ("Level after shock", "Mean performance in window"),
        "shock_effect" => ("Effect of shock", "Performance − no-shock twin"),
        "shock_effect_min" => ("Worst effect of shock", "Lowest performance − twin"),
        other => return (capitalize(&other.replace('_', " ")), other.to_string()),
    };
    (name.to_string(), axis.to_string())
}

/// Words for a summary column `<metric>_final` / `<metric>_mean` (or a `shock_*` column):
/// `(title, axis label)`. The statistic is named in the title; axis labels stay short enough
/// for the height of a single chart.
pub(crate) fn stat_words(column: &str) -> (String, String) {
    if column.starts_with("shock_") {
        return metric_words(column);
    }
    if let Some(m) = column.strip_suffix("_final") {
        let (name, axis) = metric_words(m);
        return (format!("{name} (final)"), axis);
    }
    if let Some(m) = column.strip_suffix("_mean") {
        let (name, axis) = metric_words(m);
        return (format!("{name} (run mean)"), axis);
    }
    metric_words(column)
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Blends `c` toward white by `1 − t` (t = 1 gives `c`).
pub(crate) fn toward_white(c: RGBColor, t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let mix = |x: u8| (255.0 - (255.0 - x as f64) * t).round() as u8;
    RGBColor(mix(c.0), mix(c.1), mix(c.2))
}

/// The diverging scale of heatmaps: blue below zero, white at zero, vermillion above, saturated
/// at `±limit`.
pub(crate) fn diverging(value: f64, limit: f64) -> RGBColor {
    let t = if limit > 0.0 { value / limit } else { 0.0 };
    if t < 0.0 {
        toward_white(PALETTE[0], -t)
    } else {
        toward_white(PALETTE[1], t)
    }
}

/// Whether text on `c` should be white rather than dark.
pub(crate) fn needs_light_text(c: RGBColor) -> bool {
    0.299 * c.0 as f64 + 0.587 * c.1 as f64 + 0.114 * c.2 as f64 <= 140.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(short(0.95510866), "0.955");
        assert_eq!(short(-0.0286604), "\u{2212}0.0287");
        assert_eq!(short(12.0), "12");
        assert_eq!(short(2.5), "2.5");
        assert_eq!(short(f64::NAN), "NA");
        assert_eq!(tick(0.30000000000000004, 1), "0.3");
        assert_eq!(tick(-0.0001, 1), "0.0");
        assert_eq!(tick(250.0, 0), "250");
        assert_eq!(tick(-0.05, 2), "\u{2212}0.05");
        assert_eq!(decimals_for(&[0.0, 0.02, 0.04]), 2);
        assert_eq!(decimals_for(&[0.0, 100.0, 200.0]), 0);
        assert_eq!(decimals_for(&[0.6, 0.7000000000000001, 0.8]), 1);
        assert_eq!(decimals_for(&[0.025, 0.05]), 3);
    }

    #[test]
    fn per_event_shock_statistics_are_named_with_their_event() {
        assert_eq!(
            stat_words("shock_drop@market"),
            (
                "Drop at shock — market".to_string(),
                "Drop (before − after)".to_string()
            )
        );
        assert_eq!(stat_words("shock_drop").0, "Drop at shock");
    }

    #[test]
    fn fonts_register_and_colours_diverge() {
        assert!(register_fonts());
        assert_eq!(diverging(0.0, 1.0), RGBColor(255, 255, 255));
        assert_eq!(diverging(-1.0, 1.0), PALETTE[0]);
        assert_eq!(diverging(2.0, 1.0), PALETTE[1]);
        assert!(needs_light_text(PALETTE[0]));
        assert!(!needs_light_text(RGBColor(255, 255, 255)));
    }
}
