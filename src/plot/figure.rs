//! The kinds of figure (and [`super::scatter`]'s two), as plain data, and how each is drawn on any plotters backend (the
//! same code draws the PNG and the SVG).
//!
//! - [`Lines`]: mean lines with a shaded 95% confidence band between the lower and upper curves,
//!   optional vertical marks (shocks); time series, shock-aligned and parameter charts.
//! - [`Dots`]: panels of dot-and-whisker (mean, 95% CI), one dot per model; model comparison.
//! - [`Diffs`]: panels of paired differences with their CI and a zero line; a filled dot for a
//!   marked difference (its Holm-adjusted p-value below 0.05, or for estimates its interval
//!   excluding zero), as the legend says.
//! - [`Heat`]: a grid over two swept parameters coloured on a diverging scale, with a colour bar.
//!
//! Legends sit in a strip between the title and the plot, never over data. Ticks are chosen here
//! ([`nice_ticks`]) rather than by plotters so that labels are round numbers.

use super::data::Band;
use super::style::{self, GREY, GRID, INK, MISSING, model_colour, short, tick};
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// A chart's drawing, independent of the output format.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Figure {
    Lines(Lines),
    Dots(Dots),
    Diffs(Diffs),
    Heat(Heat),
    Scatter(super::scatter::Scatter),
    Bars(super::scatter::Bars),
}

/// The horizontal axis of a [`Lines`] figure.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum XAxis {
    Numeric,
    /// Numeric, with ticks at these values (the swept values) when their labels fit.
    Values(Vec<f64>),
    /// Categories at x = 0, 1, …, with these labels.
    Categories(Vec<String>),
}

/// One model's line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    /// Index of the model (fixes its colour).
    pub(crate) model: usize,
    pub(crate) points: Vec<(f64, Band)>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Lines {
    pub(crate) title: String,
    pub(crate) x_label: String,
    pub(crate) y_label: String,
    pub(crate) x: XAxis,
    /// Every model name (for the legend).
    pub(crate) models: Vec<String>,
    pub(crate) lines: Vec<Line>,
    /// The horizontal extent (by default, that of the data).
    pub(crate) x_range: Option<(f64, f64)>,
    /// Vertical reference marks (x values) and their legend label.
    pub(crate) marks: Vec<f64>,
    pub(crate) mark_label: String,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DotPanel {
    pub(crate) title: String,
    /// `(model index, band)`.
    pub(crate) entries: Vec<(usize, Band)>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Dots {
    pub(crate) title: String,
    pub(crate) models: Vec<String>,
    pub(crate) panels: Vec<DotPanel>,
    pub(crate) columns: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DiffPanel {
    pub(crate) title: String,
    /// One entry per row of [`Diffs::rows`].
    pub(crate) values: Vec<Option<Band>>,
    /// Per row, whether its dot is filled (what that means is [`Diffs::marks`]).
    pub(crate) marked: Vec<bool>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Diffs {
    pub(crate) title: String,
    /// Row labels (`model − versus`), top to bottom.
    pub(crate) rows: Vec<String>,
    pub(crate) panels: Vec<DiffPanel>,
    pub(crate) columns: usize,
    /// The legend of a filled and of a hollow dot.
    pub(crate) marks: (String, String),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Heat {
    pub(crate) title: String,
    pub(crate) x_label: String,
    pub(crate) y_label: String,
    pub(crate) x_ticks: Vec<String>,
    pub(crate) y_ticks: Vec<String>,
    /// `cells[x][y]`: the difference in that cell, if any run fell in it.
    pub(crate) cells: Vec<Vec<Option<Band>>>,
    /// `marked[x][y]`: whether the cell's label gets a star (the caption says why).
    pub(crate) marked: Vec<Vec<bool>>,
    /// What the colour measures (label of the colour bar).
    pub(crate) scale_label: String,
}

pub(super) type Area<DB> = DrawingArea<DB, Shift>;
pub(super) type Fallible<T, DB> =
    Result<T, DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

const PANEL_HEIGHT: u32 = 430;
const HEAT_SIZE: (u32, u32) = (1040, 800);
/// Pixels under a heatmap and its colour bar for the x labels, the same for both so their
/// plots align.
const HEAT_BOTTOM: u32 = 110;

impl Figure {
    pub(crate) fn title(&self) -> &str {
        match self {
            Figure::Lines(f) => &f.title,
            Figure::Dots(f) => &f.title,
            Figure::Diffs(f) => &f.title,
            Figure::Heat(f) => &f.title,
            Figure::Scatter(f) => &f.title,
            Figure::Bars(f) => &f.title,
        }
    }

    /// The canvas size in pixels.
    pub(crate) fn size(&self) -> (u32, u32) {
        let panels = |n: usize, cols: usize| {
            let rows = n.div_ceil(cols.max(1)).max(1) as u32;
            (style::WIDE, 150 + rows * PANEL_HEIGHT)
        };
        match self {
            Figure::Lines(_) => style::SINGLE,
            Figure::Dots(f) => panels(f.panels.len(), f.columns),
            Figure::Diffs(f) => {
                let (w, h) = panels(f.panels.len(), f.columns);
                (w, h + 30 * f.rows.len().saturating_sub(3) as u32)
            }
            Figure::Heat(_) => HEAT_SIZE,
            Figure::Scatter(f) => f.size(),
            Figure::Bars(f) => f.size(),
        }
    }

    /// Draws the figure on `root`.
    pub(crate) fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Fallible<(), DB> {
        root.fill(&WHITE)?;
        match self {
            Figure::Lines(f) => draw_lines(root, f),
            Figure::Dots(f) => draw_dots(root, f),
            Figure::Diffs(f) => draw_diffs(root, f),
            Figure::Heat(f) => draw_heat(root, f),
            Figure::Scatter(f) => super::scatter::draw_scatter(root, f),
            Figure::Bars(f) => super::scatter::draw_bars(root, f),
        }
    }
}

/// Round tick positions inside `[lo, hi]`: about `target` of them, and at least three.
pub(crate) fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    ticks_at_least(lo, hi, target, 3)
}

/// Round tick positions inside `[lo, hi]`: about `target` of them, and at least `min`.
fn ticks_at_least(lo: f64, hi: f64, target: usize, min: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return vec![lo];
    }
    const MANTISSAS: [f64; 4] = [1.0, 2.0, 2.5, 5.0];
    let raw = (hi - lo) / target.max(1) as f64;
    // The smallest step m × 10^e (m in MANTISSAS) not below `raw`.
    let mut e = raw.log10().floor() as i32;
    let mut i = MANTISSAS
        .iter()
        .position(|m| m * 10f64.powi(e) >= raw * (1.0 - 1e-9))
        .unwrap_or_else(|| {
            e += 1;
            0
        });
    let mut ticks = Vec::new();
    for _ in 0..8 {
        let step = MANTISSAS[i] * 10f64.powi(e);
        let first = (lo / step - 1e-9).ceil() as i64;
        let last = (hi / step + 1e-9).floor() as i64;
        ticks = (first..=last).map(|k| k as f64 * step).collect();
        if ticks.len() >= min {
            break;
        }
        // The next smaller step.
        if i == 0 {
            i = MANTISSAS.len() - 1;
            e -= 1;
        } else {
            i -= 1;
        }
    }
    ticks
}

/// Ticks for a horizontal axis `width` pixels wide spanning `[lo, hi]`, and which of them are
/// labelled: about `target` round ticks, fewer if their labels would run into each other, and
/// as a last resort only every other label (zero keeps its label).
pub(super) fn fitting_ticks<DB: DrawingBackend>(
    root: &Area<DB>,
    lo: f64,
    hi: f64,
    target: usize,
    width: u32,
) -> Fallible<(Vec<f64>, Vec<bool>), DB> {
    let mut keys = Vec::new();
    for t in (2..=target.max(2)).rev() {
        keys = ticks_at_least(lo, hi, t, if t > 2 { 3 } else { 2 });
        let all = vec![true; keys.len()];
        if labels_fit(root, &keys, &all, lo, hi, width)? {
            return Ok((keys, all));
        }
    }
    // Fewer labels: every other (or third, fourth) tick, zero kept, as long as two or more
    // stay labelled; else the two outermost ticks, so the axis always reads as a scale (a lone
    // "0.0" between unlabelled lines does not).
    let anchor = keys.iter().position(|k| k.abs() < 1e-12).unwrap_or(0) as isize;
    for every in 2..=4isize {
        let shown: Vec<bool> = (0..keys.len() as isize)
            .map(|i| (i - anchor).rem_euclid(every) == 0)
            .collect();
        if shown.iter().filter(|s| **s).count() >= 2
            && labels_fit(root, &keys, &shown, lo, hi, width)?
        {
            return Ok((keys, shown));
        }
    }
    let last = keys.len().saturating_sub(1);
    let shown = (0..keys.len()).map(|i| i == 0 || i == last).collect();
    Ok((keys, shown))
}

/// Whether the `shown` labels of ticks `keys` on an axis `[lo, hi]` `width` pixels wide keep
/// apart.
fn labels_fit<DB: DrawingBackend>(
    root: &Area<DB>,
    keys: &[f64],
    shown: &[bool],
    lo: f64,
    hi: f64,
    width: u32,
) -> Fallible<bool, DB> {
    if hi <= lo {
        return Ok(true);
    }
    let ts = style::text(style::TICK);
    let dec = style::decimals_for(keys);
    let mut right = f64::NEG_INFINITY;
    for (k, _) in keys.iter().zip(shown).filter(|(_, s)| **s) {
        let w = text_width(root, &tick(*k, dec), &ts)? as f64;
        let x = (k - lo) / (hi - lo) * width as f64;
        if x - w / 2.0 < right + 14.0 {
            return Ok(false);
        }
        right = x + w / 2.0;
    }
    Ok(true)
}

/// The label of tick `v`: empty when it is not among the `shown` ticks of `keys`.
pub(super) fn shown_label(v: f64, keys: &[f64], shown: &[bool], decimals: usize) -> String {
    match keys.iter().position(|k| *k == v) {
        Some(i) if !shown[i] => String::new(),
        _ => tick(v, decimals),
    }
}

/// An axis over more swept values than this gets round-number ticks instead of the values.
const MAX_VALUE_TICKS: usize = 12;

/// Whether tick labels at `values` on an axis `[lo, hi]` `width` pixels wide stay apart.
fn values_fit<DB: DrawingBackend>(
    root: &Area<DB>,
    values: &[f64],
    lo: f64,
    hi: f64,
    width: u32,
) -> Fallible<bool, DB> {
    if values.len() > MAX_VALUE_TICKS || hi <= lo {
        return Ok(false);
    }
    let ts = style::text(style::TICK);
    let dec = style::decimals_for(values);
    let px = |v: f64| (v - lo) / (hi - lo) * width as f64;
    for pair in values.windows(2) {
        let a = text_width(root, &tick(pair[0], dec), &ts)? as f64;
        let b = text_width(root, &tick(pair[1], dec), &ts)? as f64;
        if px(pair[1]) - px(pair[0]) < (a + b) / 2.0 + 16.0 {
            return Ok(false);
        }
    }
    Ok(true)
}

/// A padded range covering `values` (and `include`), never empty.
pub(super) fn range_of(values: impl Iterator<Item = f64>, include: &[f64], pad: f64) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values
        .chain(include.iter().copied())
        .filter(|v| v.is_finite())
    {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if hi - lo < 1e-12 * lo.abs().max(1.0) {
        let d = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        return (lo - d, hi + d);
    }
    let d = (hi - lo) * pad;
    (lo - d, hi + d)
}

/// A linear axis whose ticks are exactly `keys` (plotters' own choice would ignore ours).
#[derive(Debug, Clone)]
pub(super) struct Axis {
    lo: f64,
    hi: f64,
    keys: Vec<f64>,
}

pub(super) fn axis(lo: f64, hi: f64, keys: Vec<f64>) -> Axis {
    Axis { lo, hi, keys }
}

impl Ranged for Axis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        if self.hi == self.lo {
            return (limit.0 + limit.1) / 2;
        }
        let t = (v - self.lo) / (self.hi - self.lo);
        let len = (limit.1 - limit.0) as f64;
        limit.0 + (len * t).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.keys.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

fn text_width<DB: DrawingBackend>(
    root: &Area<DB>,
    s: &str,
    st: &TextStyle<'static>,
) -> Fallible<u32, DB> {
    Ok(root.estimate_text_size(s, st)?.0)
}

/// The size of the panel titles of a figure: `size`, made smaller until every title fits its
/// panel (`titles` with the width each has), so all panels share one title font.
pub(super) fn common_title_size<DB: DrawingBackend>(
    root: &Area<DB>,
    titles: &[(&str, u32)],
    size: f64,
) -> Fallible<f64, DB> {
    let mut z = size;
    while z > 20.0 {
        let mut fits = true;
        for (t, w) in titles {
            if text_width(root, t, &style::bold(z))? > *w {
                fits = false;
                break;
            }
        }
        if fits {
            break;
        }
        z -= 2.0;
    }
    Ok(z)
}

/// `size`, made smaller until `s` fits in `width`.
pub(super) fn fitting<DB: DrawingBackend>(
    root: &Area<DB>,
    s: &str,
    size: f64,
    width: u32,
    bold: bool,
) -> Fallible<TextStyle<'static>, DB> {
    let make = |z: f64| if bold { style::bold(z) } else { style::text(z) };
    let mut z = size;
    while z > 20.0 && text_width(root, s, &make(z))? > width {
        z -= 2.0;
    }
    Ok(make(z))
}

/// How a legend entry is drawn.
#[derive(Debug, Clone, Copy)]
pub(super) enum Swatch {
    /// A model's line over its band.
    Band(RGBColor),
    /// A model's dot with its whisker.
    Dot(RGBColor),
    /// A dashed reference mark.
    Mark,
    /// A filled or hollow dot.
    Filled(bool),
    /// An outlined rectangle (a box drawn over the data).
    Outline,
}

/// Draws the title and a centred legend under it; returns the area left below.
pub(super) fn header<DB: DrawingBackend>(
    root: &Area<DB>,
    title: &str,
    legend: &[(Swatch, String)],
) -> Fallible<Area<DB>, DB> {
    let (w, _) = root.dim_in_pixel();
    let ts = fitting(root, title, style::TITLE, w.saturating_sub(40), true)?;
    let (_, th) = root.estimate_text_size(title, &ts)?;
    root.draw(&Text::new(
        title.to_string(),
        (w as i32 / 2, 16),
        style::anchored(ts, HPos::Center, VPos::Top),
    ))?;
    let mut y = 16 + th as i32 + 18;
    if legend.is_empty() {
        return Ok(root.split_vertically(y).1);
    }
    let ls = style::text(style::LEGEND);
    const SWATCH: i32 = 56;
    const GAP: i32 = 12;
    const SPACING: i32 = 44;
    let widths: Vec<i32> = legend
        .iter()
        .map(|(_, label)| Ok(SWATCH + GAP + text_width(root, label, &ls)? as i32))
        .collect::<Fallible<_, DB>>()?;
    // Greedy rows.
    let mut rows: Vec<Vec<usize>> = vec![Vec::new()];
    let mut used = 0;
    for (i, &wd) in widths.iter().enumerate() {
        let row = rows.last_mut().expect("one row");
        if !row.is_empty() && used + SPACING + wd > w as i32 - 40 {
            rows.push(vec![i]);
            used = wd;
        } else {
            used += if row.is_empty() { wd } else { SPACING + wd };
            row.push(i);
        }
    }
    let row_h = 44;
    for row in &rows {
        let total: i32 =
            row.iter().map(|&i| widths[i]).sum::<i32>() + SPACING * (row.len() as i32 - 1);
        let mut x = (w as i32 - total) / 2;
        let cy = y + row_h / 2;
        for &i in row {
            let (swatch, label) = &legend[i];
            draw_swatch(root, *swatch, x, cy, SWATCH)?;
            root.draw(&Text::new(
                label.clone(),
                (x + SWATCH + GAP, cy),
                style::anchored(ls.clone(), HPos::Left, VPos::Center),
            ))?;
            x += widths[i] + SPACING;
        }
        y += row_h;
    }
    Ok(root.split_vertically(y + 8).1)
}

fn draw_swatch<DB: DrawingBackend>(
    root: &Area<DB>,
    swatch: Swatch,
    x: i32,
    cy: i32,
    w: i32,
) -> Fallible<(), DB> {
    match swatch {
        Swatch::Band(c) => {
            root.draw(&Rectangle::new(
                [(x, cy - 14), (x + w, cy + 14)],
                c.mix(style::BAND_ALPHA).filled(),
            ))?;
            root.draw(&PathElement::new(
                vec![(x, cy), (x + w, cy)],
                c.stroke_width(style::LINE),
            ))?;
        }
        Swatch::Dot(c) => {
            let mx = x + w / 2;
            root.draw(&PathElement::new(
                vec![(mx, cy - 16), (mx, cy + 16)],
                c.stroke_width(style::LINE),
            ))?;
            root.draw(&Circle::new((mx, cy), 9, c.filled()))?;
        }
        Swatch::Mark => {
            for k in 0..3 {
                let x0 = x + k * 20;
                root.draw(&PathElement::new(
                    vec![(x0, cy), (x0 + 12, cy)],
                    GREY.stroke_width(style::THIN + 1),
                ))?;
            }
        }
        Swatch::Filled(filled) => dot(root, (x + w / 2, cy), filled)?,
        Swatch::Outline => {
            root.draw(&Rectangle::new(
                [(x + 6, cy - 14), (x + w - 6, cy + 14)],
                INK.stroke_width(style::LINE),
            ))?;
        }
    }
    Ok(())
}

/// A black dot, filled or hollow, in pixel coordinates.
fn dot<DB: DrawingBackend>(root: &Area<DB>, at: (i32, i32), filled: bool) -> Fallible<(), DB> {
    let fill = if filled { INK } else { WHITE };
    root.draw(&Circle::new(at, 9, fill.filled()))?;
    root.draw(&Circle::new(at, 9, INK.stroke_width(3)))?;
    Ok(())
}

/// Draws a panel's title centred over its plot (the cell minus `left` and `right` pixels) and
/// returns the area below it.
pub(super) fn panel_title<DB: DrawingBackend>(
    cell: &Area<DB>,
    text: &str,
    style: TextStyle<'static>,
    left: u32,
    right: u32,
) -> Fallible<Area<DB>, DB> {
    let (w, _) = cell.dim_in_pixel();
    let (tw, th) = cell.estimate_text_size(text, &style)?;
    // Over the plot, but never beyond the cell.
    let centre = (left + w.saturating_sub(left + right) / 2) as i32;
    let half = tw as i32 / 2 + 4;
    let centre = centre.min(w as i32 - half).max(half);
    cell.draw(&Text::new(
        text.to_string(),
        (centre, 14),
        style::anchored(style, HPos::Center, VPos::Top),
    ))?;
    Ok(cell.split_vertically(14 + th as i32).1)
}

/// Width of a y label area holding `labels` (and, with `desc`, a rotated axis title).
pub(super) fn label_width<DB: DrawingBackend>(
    root: &Area<DB>,
    labels: &[String],
    desc: bool,
) -> Fallible<u32, DB> {
    let ts = style::text(style::TICK);
    let mut w = 0;
    for l in labels {
        w = w.max(text_width(root, l, &ts)?);
    }
    Ok(w + 24 + if desc { 56 } else { 0 })
}

pub(super) fn mesh_line() -> ShapeStyle {
    GRID.stroke_width(2)
}

/// A chart on two [`Axis`]es.
pub(super) type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<Axis, Axis>>;

/// Lines with this many points or fewer show a dot at each point (and leave room for the dots
/// at either end of the axis).
const DOTTED_POINTS: usize = 25;

/// Up to this many marks are dashed; more are drawn as faint solid lines.
const DASHED_MARKS: usize = 40;

fn draw_lines<DB: DrawingBackend>(root: &Area<DB>, f: &Lines) -> Fallible<(), DB> {
    let mut legend: Vec<(Swatch, String)> = f
        .lines
        .iter()
        .map(|l| {
            (
                Swatch::Band(model_colour(l.model)),
                f.models.get(l.model).cloned().unwrap_or_default(),
            )
        })
        .collect();
    if !f.marks.is_empty() {
        legend.push((Swatch::Mark, f.mark_label.clone()));
    }
    let area = header(root, &f.title, &legend)?;
    let all = || f.lines.iter().flat_map(|l| l.points.iter());
    let (y0, y1) = range_of(all().flat_map(|(_, b)| [b.mean, b.low, b.high]), &[], 0.06);
    let y_keys = nice_ticks(y0, y1, 6);
    let y_dec = style::decimals_for(&y_keys);
    let y_labels: Vec<String> = y_keys.iter().map(|&v| tick(v, y_dec)).collect();
    let y_label_w = label_width(root, &y_labels, true)?;
    let plot_w = area.dim_in_pixel().0.saturating_sub(y_label_w + 56);
    let x = x_ticks(root, f, plot_w)?;
    let x_dec = style::decimals_for(&x.keys);
    let x_fmt = |v: &f64| match &x.names {
        Some(names) => names
            .get(v.round().max(0.0) as usize)
            .cloned()
            .unwrap_or_default(),
        None => shown_label(*v, &x.keys, &x.shown, x_dec),
    };
    let y_fmt = |v: &f64| tick(*v, y_dec);
    // Axis titles shrink, if they must, to fit the plot's height.
    let (_, area_h) = area.dim_in_pixel();
    let longer = if f.y_label.chars().count() > f.x_label.chars().count() {
        &f.y_label
    } else {
        &f.x_label
    };
    let desc = fitting(
        root,
        longer,
        style::LABEL,
        area_h.saturating_sub(124),
        false,
    )?;
    let mut chart = ChartBuilder::on(&area)
        .margin_left(12)
        .margin_right(44)
        .margin_top(8)
        .margin_bottom(8)
        .x_label_area_size(104)
        .y_label_area_size(y_label_w)
        .build_cartesian_2d(axis(x.lo, x.hi, x.keys.clone()), axis(y0, y1, y_keys))?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .bold_line_style(mesh_line())
        .light_line_style(TRANSPARENT)
        .axis_style(INK.stroke_width(2))
        .set_all_tick_mark_size(8)
        .label_style(style::text(style::TICK))
        .axis_desc_style(desc)
        .x_desc(f.x_label.clone())
        .y_desc(f.y_label.clone())
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .draw()?;
    // Marks under the data.
    draw_marks(&mut chart, &f.marks, y0, y1)?;
    draw_bands_and_means(&mut chart, &f.lines)
}

/// The x axis of a line chart: its range, ticks (whether each is labelled) and, for
/// categories, their names.
struct XTicks {
    lo: f64,
    hi: f64,
    keys: Vec<f64>,
    shown: Vec<bool>,
    names: Option<Vec<String>>,
}

/// Ticks that fit `plot_w` pixels: round numbers, or the swept values themselves when they fit.
fn x_ticks<DB: DrawingBackend>(root: &Area<DB>, f: &Lines, plot_w: u32) -> Fallible<XTicks, DB> {
    let all = || f.lines.iter().flat_map(|l| l.points.iter());
    Ok(match &f.x {
        XAxis::Numeric | XAxis::Values(_) => {
            let (lo, hi) = f
                .x_range
                .unwrap_or_else(|| range_of(all().map(|p| p.0), &f.marks, 0.0));
            // Leave room for a dot at either end when points are few.
            let pad = if all().count() <= DOTTED_POINTS * f.lines.len() {
                0.04 * (hi - lo)
            } else {
                0.0
            };
            let (lo, hi) = (lo - pad, hi + pad);
            let (mut keys, mut shown) = fitting_ticks(root, lo, hi, 6, plot_w)?;
            if let XAxis::Values(values) = &f.x
                && values_fit(root, values, lo, hi, plot_w)?
            {
                keys = values.clone();
                shown = vec![true; keys.len()];
            }
            XTicks {
                lo,
                hi,
                keys,
                shown,
                names: None,
            }
        }
        XAxis::Categories(names) => {
            let n = names.len().max(1) as f64;
            XTicks {
                lo: -0.4,
                hi: n - 0.6,
                keys: (0..names.len()).map(|i| i as f64).collect(),
                shown: vec![true; names.len()],
                names: Some(names.clone()),
            }
        }
    })
}

/// Vertical marks (shocks) from `y0` to `y1`: dashed, or faint when there are many.
fn draw_marks<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    marks: &[f64],
    y0: f64,
    y1: f64,
) -> Fallible<(), DB> {
    let dashed = marks.len() <= DASHED_MARKS;
    for &m in marks {
        if dashed {
            let n = 30;
            let seg = (y1 - y0) / n as f64;
            chart.draw_series((0..n).step_by(2).map(|k| {
                let a = y0 + k as f64 * seg;
                PathElement::new(vec![(m, a), (m, a + seg)], GREY.stroke_width(style::THIN))
            }))?;
        } else {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(m, y0), (m, y1)],
                GREY.mix(0.35).stroke_width(1),
            )))?;
        }
    }
    Ok(())
}

/// Every line's confidence band, then every line's mean (with dots when points are few), so no
/// band covers a mean.
fn draw_bands_and_means<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    lines: &[Line],
) -> Fallible<(), DB> {
    for l in lines {
        let c = model_colour(l.model);
        for run in runs(&l.points, |b| b.low.is_finite() && b.high.is_finite()) {
            if run.len() < 2 {
                continue;
            }
            let mut poly: Vec<(f64, f64)> = run.iter().map(|(x, b)| (*x, b.high)).collect();
            poly.extend(run.iter().rev().map(|(x, b)| (*x, b.low)));
            chart.draw_series(std::iter::once(Polygon::new(
                poly,
                c.mix(style::BAND_ALPHA).filled(),
            )))?;
        }
    }
    for l in lines {
        let c = model_colour(l.model);
        for run in runs(&l.points, |b| b.mean.is_finite()) {
            chart.draw_series(std::iter::once(PathElement::new(
                run.iter().map(|(x, b)| (*x, b.mean)).collect::<Vec<_>>(),
                c.stroke_width(style::LINE),
            )))?;
        }
        if l.points.len() <= DOTTED_POINTS {
            chart.draw_series(
                l.points
                    .iter()
                    .filter(|(_, b)| b.mean.is_finite())
                    .map(|(x, b)| Circle::new((*x, b.mean), 7, c.filled())),
            )?;
        }
    }
    Ok(())
}

/// Maximal runs of consecutive points whose band satisfies `ok`.
fn runs(points: &[(f64, Band)], ok: impl Fn(&Band) -> bool) -> Vec<&[(f64, Band)]> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, (_, b)) in points.iter().enumerate() {
        match (ok(b), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(&points[s..i]);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(&points[s..]);
    }
    out
}

fn draw_dots<DB: DrawingBackend>(root: &Area<DB>, f: &Dots) -> Fallible<(), DB> {
    let legend: Vec<(Swatch, String)> = f
        .models
        .iter()
        .enumerate()
        .map(|(i, m)| (Swatch::Dot(model_colour(i)), m.clone()))
        .collect();
    let area = header(root, &f.title, &legend)?;
    let cols = f.columns.max(1);
    let rows = f.panels.len().div_ceil(cols).max(1);
    let cells = area.split_evenly((rows, cols));
    let n = f.models.len().max(1) as f64;
    let titles: Vec<(&str, u32)> = f
        .panels
        .iter()
        .zip(&cells)
        .map(|(p, cell)| (p.title.as_str(), cell.dim_in_pixel().0.saturating_sub(20)))
        .collect();
    let title_size = common_title_size(root, &titles, style::PANEL_TITLE)?;
    for (panel, cell) in f.panels.iter().zip(&cells) {
        let title = style::bold(title_size);
        let (y0, y1) = range_of(
            panel
                .entries
                .iter()
                .flat_map(|(_, b)| [b.mean, b.low, b.high]),
            &[],
            0.12,
        );
        let keys = nice_ticks(y0, y1, 4);
        let dec = style::decimals_for(&keys);
        let labels: Vec<String> = keys.iter().map(|&v| tick(v, dec)).collect();
        let y_fmt = |v: &f64| tick(*v, dec);
        let label_w = label_width(root, &labels, false)?;
        let below = panel_title(cell, &panel.title, title, 14 + label_w, 24)?;
        let mut chart = ChartBuilder::on(&below)
            .margin(14)
            .margin_top(22)
            .margin_right(24)
            .x_label_area_size(12)
            .y_label_area_size(label_w)
            .build_cartesian_2d(axis(-0.6, n - 0.4, vec![]), axis(y0, y1, keys))?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .bold_line_style(mesh_line())
            .light_line_style(TRANSPARENT)
            .axis_style(INK.stroke_width(2))
            .set_all_tick_mark_size(8)
            .label_style(style::text(style::TICK))
            .y_label_formatter(&y_fmt)
            .draw()?;
        for &(m, b) in &panel.entries {
            let c = model_colour(m);
            let x = m as f64;
            if b.low.is_finite() && b.high.is_finite() {
                chart.draw_series([
                    PathElement::new(vec![(x, b.low), (x, b.high)], c.stroke_width(style::LINE)),
                    PathElement::new(
                        vec![(x - 0.12, b.low), (x + 0.12, b.low)],
                        c.stroke_width(style::LINE),
                    ),
                    PathElement::new(
                        vec![(x - 0.12, b.high), (x + 0.12, b.high)],
                        c.stroke_width(style::LINE),
                    ),
                ])?;
            }
            if b.mean.is_finite() {
                chart.draw_series(std::iter::once(Circle::new((x, b.mean), 10, c.filled())))?;
            }
        }
    }
    Ok(())
}

fn draw_diffs<DB: DrawingBackend>(root: &Area<DB>, f: &Diffs) -> Fallible<(), DB> {
    let legend = vec![
        (Swatch::Filled(true), f.marks.0.clone()),
        (Swatch::Filled(false), f.marks.1.clone()),
    ];
    let area = header(root, &f.title, &legend)?;
    let (w, h) = area.dim_in_pixel();
    let cols = f.columns.max(1);
    let rows = f.panels.len().div_ceil(cols).max(1);
    let gutter = label_width(root, &f.rows, false)? as i32;
    let inner = (w as i32 - gutter) / cols as i32;
    let xs: Vec<i32> = (1..cols as i32).map(|c| gutter + c * inner).collect();
    let ys: Vec<i32> = (1..rows as i32)
        .map(|r| r * h as i32 / rows as i32)
        .collect();
    let cells = area.split_by_breakpoints(xs, ys);
    let n = f.rows.len().max(1) as f64;
    // Row i is drawn at y = n − 1 − i so the first row is on top.
    let y_of = |i: usize| n - 1.0 - i as f64;
    let width = |k: usize, cell: &Area<DB>| {
        let (cw, _) = cell.dim_in_pixel();
        if k.is_multiple_of(cols) {
            cw.saturating_sub(gutter as u32)
        } else {
            cw
        }
    };
    // One title font for every panel: the size at which the widest title fits its panel.
    let titles: Vec<(&str, u32)> = f
        .panels
        .iter()
        .zip(&cells)
        .enumerate()
        .map(|(k, (p, cell))| (p.title.as_str(), width(k, cell).saturating_sub(20)))
        .collect();
    let title_size = common_title_size(root, &titles, style::PANEL_TITLE)?;
    for (k, (panel, cell)) in f.panels.iter().zip(&cells).enumerate() {
        let first = k % cols == 0;
        let cw = width(k, cell);
        let title = style::bold(title_size);
        let values = || panel.values.iter().flatten();
        let (x0, x1) = range_of(values().flat_map(|b| [b.mean, b.low, b.high]), &[0.0], 0.12);
        // The cell less its margins and the y label area.
        let plot_w = cw.saturating_sub(58 + if first { 0 } else { 12 });
        let (keys, shown) = fitting_ticks(root, x0, x1, 4, plot_w)?;
        let dec = style::decimals_for(&keys);
        let x_fmt = |v: &f64| shown_label(*v, &keys, &shown, dec);
        let names = f.rows.clone();
        let y_fmt = move |v: &f64| {
            let i = (n - 1.0 - v.round()).max(0.0) as usize;
            if first {
                names.get(i).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        };
        let left = 14 + if first { gutter as u32 } else { 12 };
        let below = panel_title(cell, &panel.title, title, left, 44)?;
        let mut chart = ChartBuilder::on(&below)
            .margin(14)
            .margin_top(22)
            .margin_right(44)
            .x_label_area_size(56)
            .y_label_area_size(if first { gutter } else { 12 })
            .build_cartesian_2d(
                axis(x0, x1, keys.clone()),
                axis(-0.6, n - 0.4, (0..f.rows.len()).map(|i| i as f64).collect()),
            )?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .bold_line_style(mesh_line())
            .light_line_style(TRANSPARENT)
            .axis_style(INK.stroke_width(2))
            .set_all_tick_mark_size(8)
            .label_style(style::text(style::TICK))
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .draw()?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, -0.6), (0.0, n - 0.4)],
            GREY.stroke_width(style::THIN),
        )))?;
        for (i, v) in panel.values.iter().enumerate() {
            let Some(b) = v else { continue };
            let y = y_of(i);
            if b.low.is_finite() && b.high.is_finite() {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(b.low, y), (b.high, y)],
                    INK.stroke_width(3),
                )))?;
            }
            if b.mean.is_finite() {
                let at = chart.backend_coord(&(b.mean, y));
                dot(root, at, panel.marked.get(i).copied().unwrap_or(false))?;
            }
        }
    }
    Ok(())
}

fn draw_heat<DB: DrawingBackend>(root: &Area<DB>, f: &Heat) -> Fallible<(), DB> {
    let area = header(root, &f.title, &[])?;
    let nx = f.x_ticks.len().max(1);
    let ny = f.y_ticks.len().max(1);
    let limit = f
        .cells
        .iter()
        .flatten()
        .flatten()
        .map(|b| b.mean.abs())
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let limit = if limit > 0.0 { limit } else { 1.0 };
    let keys = nice_ticks(-limit, limit, 6);
    let dec = style::decimals_for(&keys);
    let labels: Vec<String> = keys.iter().map(|&v| tick(v, dec)).collect();
    let bar_labels = label_width(root, &labels, true)? + 16;
    let (w, _) = area.dim_in_pixel();
    let (main, bar) = area.split_horizontally(w.saturating_sub(bar_labels + 90));
    let x_names = f.x_ticks.clone();
    let y_names = f.y_ticks.clone();
    let x_fmt = move |v: &f64| {
        x_names
            .get(v.round().max(0.0) as usize)
            .cloned()
            .unwrap_or_default()
    };
    let y_fmt = move |v: &f64| {
        y_names
            .get(v.round().max(0.0) as usize)
            .cloned()
            .unwrap_or_default()
    };
    let mut chart = ChartBuilder::on(&main)
        .margin(12)
        .margin_right(20)
        .x_label_area_size(HEAT_BOTTOM)
        .y_label_area_size(label_width(root, &f.y_ticks, true)?)
        .build_cartesian_2d(
            axis(-0.5, nx as f64 - 0.5, (0..nx).map(|i| i as f64).collect()),
            axis(-0.5, ny as f64 - 0.5, (0..ny).map(|i| i as f64).collect()),
        )?;
    chart
        .configure_mesh()
        .disable_mesh()
        .axis_style(INK.stroke_width(2))
        .set_all_tick_mark_size(8)
        .label_style(style::text(style::TICK))
        .axis_desc_style(style::text(style::LABEL))
        .x_desc(f.x_label.clone())
        .y_desc(f.y_label.clone())
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .draw()?;
    draw_cells(root, &mut chart, f, limit)?;
    // The colour bar, aligned with the plot's height.
    draw_colour_bar(&bar, f, limit, keys, bar_labels)
}

/// The heatmap's cells: coloured by their mean on the diverging scale of ±`limit`, labelled
/// (a star when the cell is marked) where the label fits.
fn draw_cells<DB: DrawingBackend>(
    root: &Area<DB>,
    chart: &mut Plot<'_, DB>,
    f: &Heat,
    limit: f64,
) -> Fallible<(), DB> {
    let cell_px = {
        let (a, _) = chart.backend_coord(&(0.0, 0.0));
        let (b, _) = chart.backend_coord(&(1.0, 0.0));
        (b - a).unsigned_abs()
    };
    let cell_text = style::text(style::CELL);
    for (i, column) in f.cells.iter().enumerate() {
        for (j, cell) in column.iter().enumerate() {
            let (x, y) = (i as f64, j as f64);
            let fill = match cell {
                Some(b) if b.mean.is_finite() => style::diverging(b.mean, limit),
                _ => MISSING,
            };
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                fill.filled(),
            )))?;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                WHITE.stroke_width(2),
            )))?;
            let label = match cell {
                Some(b) if b.mean.is_finite() => {
                    let star = if f.marked[i][j] { "*" } else { "" };
                    format!("{}{star}", short(b.mean))
                }
                _ => "NA".to_string(),
            };
            if text_width(root, &label, &cell_text)? + 12 <= cell_px {
                let colour = if style::needs_light_text(fill) {
                    WHITE
                } else {
                    INK
                };
                let at = chart.backend_coord(&(x, y));
                root.draw(&Text::new(
                    label,
                    at,
                    style::anchored(cell_text.clone().color(&colour), HPos::Center, VPos::Center),
                ))?;
            }
        }
    }
    Ok(())
}

/// The colour bar of ±`limit`, with ticks at `keys` and `labels_w` pixels for their labels.
fn draw_colour_bar<DB: DrawingBackend>(
    bar: &Area<DB>,
    f: &Heat,
    limit: f64,
    keys: Vec<f64>,
    labels_w: u32,
) -> Fallible<(), DB> {
    let dec = style::decimals_for(&keys);
    let fmt = |v: &f64| tick(*v, dec);
    let mut cb = ChartBuilder::on(bar)
        .margin(12)
        .margin_left(10)
        .margin_right(8)
        .x_label_area_size(HEAT_BOTTOM)
        .right_y_label_area_size(labels_w)
        .build_cartesian_2d(0.0..1.0, -limit..limit)?
        .set_secondary_coord(0.0..1.0, axis(-limit, limit, keys));
    let slices = 120;
    cb.draw_series((0..slices).map(|k| {
        let a = -limit + 2.0 * limit * k as f64 / slices as f64;
        let b = -limit + 2.0 * limit * (k + 1) as f64 / slices as f64;
        Rectangle::new(
            [(0.0, a), (1.0, b)],
            style::diverging((a + b) / 2.0, limit).filled(),
        )
    }))?;
    cb.draw_series(std::iter::once(Rectangle::new(
        [(0.0, -limit), (1.0, limit)],
        INK.stroke_width(2),
    )))?;
    cb.configure_secondary_axes()
        .axis_style(INK.stroke_width(2))
        .set_all_tick_mark_size(8)
        .label_style(style::text(style::TICK))
        .axis_desc_style(style::text(style::LABEL))
        .y_desc(f.scale_label.clone())
        .y_label_formatter(&fmt)
        .draw()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_inside() {
        assert_eq!(
            nice_ticks(0.0, 500.0, 6),
            vec![0.0, 100.0, 200.0, 300.0, 400.0, 500.0]
        );
        let t = nice_ticks(0.61, 0.97, 6);
        assert!(t.iter().all(|&v| (0.61..=0.97).contains(&v)));
        assert!(t.len() >= 3 && t.len() <= 8, "{t:?}");
        assert_eq!(nice_ticks(1.0, 1.0, 5), vec![1.0]);
    }

    #[test]
    fn runs_split_at_missing_values() {
        let b = |m: f64| Band {
            n: 2,
            mean: m,
            low: m,
            high: m,
        };
        let pts = vec![
            (0.0, b(1.0)),
            (1.0, b(f64::NAN)),
            (2.0, b(2.0)),
            (3.0, b(3.0)),
        ];
        let r = runs(&pts, |b| b.mean.is_finite());
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].len(), 2);
    }
}
