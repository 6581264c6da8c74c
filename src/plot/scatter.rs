//! Figures for sampled designs and their analysis:
//!
//! - [`Scatter`]: panels of points (one per design point and series) with a smoother per series,
//!   optionally a rectangle (a discovered box), horizontal whiskers and text labels (a Morris
//!   μ*–σ plot); metric against parameter charts, the μ*–σ plot and the discovered box.
//! - [`Bars`]: horizontal grouped bars with 95% whiskers, one row per parameter (Sobol' S1 and
//!   ST).
//!
//! Drawn with the same header, axes and palette as the other figures ([`super::figure`]).

use super::figure::{
    Area, Fallible, Plot, Swatch, axis, fitting, fitting_ticks, header, label_width, mesh_line,
    nice_ticks, panel_title, range_of, shown_label,
};
use super::style::{self, GREY, INK, model_colour, tick};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// One series of a scatter panel: its colour and legend entry are [`Scatter::series`]'s.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Points {
    /// Index into [`Scatter::series`] (and the palette).
    pub(crate) series: usize,
    pub(crate) points: Vec<(f64, f64)>,
    /// The smoother through the points (empty for none).
    pub(crate) smooth: Vec<(f64, f64)>,
}

/// One panel of a [`Scatter`].
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct ScatterPanel {
    pub(crate) title: String,
    pub(crate) x_label: String,
    /// Category names for a horizontal axis of words (at x = 0, 1, …); empty for numbers.
    pub(crate) categories: Vec<String>,
    pub(crate) data: Vec<Points>,
    /// A rectangle `(x0, x1, y0, y1)` drawn over the points (a discovered box).
    pub(crate) rect: Option<(f64, f64, f64, f64)>,
    /// Horizontal whiskers `(y, x_low, x_high)`.
    pub(crate) whiskers: Vec<(f64, f64, f64)>,
    /// Text labels `(x, y, text)` beside points.
    pub(crate) labels: Vec<(f64, f64, String)>,
}

/// Panels of points sharing a vertical axis.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Scatter {
    pub(crate) title: String,
    pub(crate) y_label: String,
    /// Series names, in palette order (the legend).
    pub(crate) series: Vec<String>,
    /// Palette index of each series (models keep their colour).
    pub(crate) colours: Vec<usize>,
    pub(crate) panels: Vec<ScatterPanel>,
    pub(crate) columns: usize,
    /// The legend name of the rectangle, if any.
    pub(crate) rect_label: String,
}

/// Horizontal grouped bars with whiskers.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Bars {
    pub(crate) title: String,
    pub(crate) x_label: String,
    /// Row labels, top to bottom.
    pub(crate) rows: Vec<String>,
    /// Group names (the legend), one bar per group in each row.
    pub(crate) groups: Vec<String>,
    /// Palette index of each group.
    pub(crate) colours: Vec<usize>,
    /// `values[group][row]`: estimate, lower and upper end of its 95% interval.
    pub(crate) values: Vec<Vec<Option<(f64, f64, f64)>>>,
}

/// Height of one row of scatter panels.
const SCATTER_ROW: u32 = 620;
/// Height of a bar chart row.
const BAR_ROW: u32 = 110;
/// Points drawn with this alpha, so that overlaps show.
const POINT_ALPHA: f64 = 0.45;

impl Scatter {
    pub(crate) fn size(&self) -> (u32, u32) {
        if self.panels.len() <= 1 {
            return style::SINGLE;
        }
        let rows = self.panels.len().div_ceil(self.columns.max(1)).max(1) as u32;
        (style::WIDE, 170 + rows * SCATTER_ROW)
    }
}

impl Bars {
    pub(crate) fn size(&self) -> (u32, u32) {
        (
            style::SINGLE.0 + 240,
            260 + BAR_ROW * self.rows.len().max(1) as u32,
        )
    }
}

/// Draws a [`Scatter`].
pub(crate) fn draw_scatter<DB: DrawingBackend>(root: &Area<DB>, f: &Scatter) -> Fallible<(), DB> {
    let mut legend: Vec<(Swatch, String)> = f
        .series
        .iter()
        .zip(&f.colours)
        .map(|(s, &c)| (Swatch::Dot(model_colour(c)), s.clone()))
        .collect();
    if f.panels.iter().any(|p| p.rect.is_some()) && !f.rect_label.is_empty() {
        legend.push((Swatch::Outline, f.rect_label.clone()));
    }
    let area = header(root, &f.title, &legend)?;
    let cols = f.columns.max(1);
    let rows = f.panels.len().div_ceil(cols).max(1);
    let cells = area.split_evenly((rows, cols));
    // One vertical range for every panel: the panels compare parameters on one scale.
    let ys = f.panels.iter().flat_map(|p| {
        p.data
            .iter()
            .flat_map(|d| d.points.iter().chain(&d.smooth).map(|q| q.1))
            .chain(p.rect.iter().flat_map(|r| [r.2, r.3]))
    });
    let (y0, y1) = range_of(ys, &[], 0.06);
    for (panel, cell) in f.panels.iter().zip(&cells) {
        draw_panel(root, cell, f, panel, (y0, y1), f.panels.len() > 1)?;
    }
    Ok(())
}

/// One scatter panel in `cell`, its vertical axis `[y0, y1]`.
fn draw_panel<DB: DrawingBackend>(
    root: &Area<DB>,
    cell: &Area<DB>,
    f: &Scatter,
    panel: &ScatterPanel,
    (y0, y1): (f64, f64),
    titled: bool,
) -> Fallible<(), DB> {
    let (cw, _) = cell.dim_in_pixel();
    let y_keys = nice_ticks(y0, y1, 5);
    let y_dec = style::decimals_for(&y_keys);
    let y_labels: Vec<String> = y_keys.iter().map(|&v| tick(v, y_dec)).collect();
    let label_w = label_width(root, &y_labels, true)?;
    let area = if titled && !panel.title.is_empty() {
        let ts = fitting(
            root,
            &panel.title,
            style::PANEL_TITLE,
            cw.saturating_sub(20),
            true,
        )?;
        panel_title(cell, &panel.title, ts, 14 + label_w, 24)?
    } else {
        cell.clone()
    };
    let words = !panel.categories.is_empty();
    let xs = panel
        .data
        .iter()
        .flat_map(|d| d.points.iter().map(|q| q.0))
        .chain(panel.whiskers.iter().flat_map(|w| [w.1, w.2]))
        .chain(panel.rect.iter().flat_map(|r| [r.0, r.1]));
    let (x0, x1) = if words {
        (-0.5, panel.categories.len() as f64 - 0.5)
    } else {
        range_of(xs, &[], 0.04)
    };
    let plot_w = cw.saturating_sub(label_w + 70);
    let (x_keys, shown) = if words {
        let n = panel.categories.len();
        ((0..n).map(|i| i as f64).collect(), vec![true; n])
    } else {
        fitting_ticks(root, x0, x1, 5, plot_w)?
    };
    let x_dec = style::decimals_for(&x_keys);
    let names = panel.categories.clone();
    let x_fmt = |v: &f64| {
        if words {
            names
                .get(v.round().max(0.0) as usize)
                .cloned()
                .unwrap_or_default()
        } else {
            shown_label(*v, &x_keys, &shown, x_dec)
        }
    };
    let y_fmt = |v: &f64| tick(*v, y_dec);
    let desc = fitting(root, &panel.x_label, style::LABEL, plot_w, false)?;
    let mut chart = ChartBuilder::on(&area)
        .margin(12)
        .margin_right(36)
        .x_label_area_size(100)
        .y_label_area_size(label_w)
        .build_cartesian_2d(axis(x0, x1, x_keys.clone()), axis(y0, y1, y_keys))?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .bold_line_style(mesh_line())
        .light_line_style(TRANSPARENT)
        .axis_style(INK.stroke_width(2))
        .set_all_tick_mark_size(8)
        .label_style(style::text(style::TICK))
        .axis_desc_style(desc)
        .x_desc(panel.x_label.clone())
        .y_desc(f.y_label.clone())
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .draw()?;
    draw_data(root, &mut chart, f, panel)
}

/// A panel's points, smoothers, whiskers, rectangle and labels.
fn draw_data<DB: DrawingBackend>(
    root: &Area<DB>,
    chart: &mut Plot<'_, DB>,
    f: &Scatter,
    panel: &ScatterPanel,
) -> Fallible<(), DB> {
    for d in &panel.data {
        let c = model_colour(f.colours.get(d.series).copied().unwrap_or(d.series));
        chart.draw_series(
            d.points
                .iter()
                .map(|&(x, y)| Circle::new((x, y), 6, c.mix(POINT_ALPHA).filled())),
        )?;
    }
    // Smoothers over every series' points, so no cloud hides a line.
    for d in &panel.data {
        let c = model_colour(f.colours.get(d.series).copied().unwrap_or(d.series));
        if d.smooth.len() > 1 {
            chart.draw_series(std::iter::once(PathElement::new(
                d.smooth.clone(),
                c.stroke_width(style::LINE + 1),
            )))?;
        }
    }
    for &(y, lo, hi) in &panel.whiskers {
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(lo, y), (hi, y)],
            GREY.stroke_width(style::THIN + 1),
        )))?;
    }
    if let Some((a, b, c, d)) = panel.rect {
        chart.draw_series(std::iter::once(Rectangle::new(
            [(a, c), (b, d)],
            INK.stroke_width(style::LINE),
        )))?;
    }
    let ls = style::text(style::CELL);
    for (x, y, text) in &panel.labels {
        let (px, py) = chart.backend_coord(&(*x, *y));
        root.draw(&Text::new(
            text.clone(),
            (px + 12, py - 6),
            style::anchored(ls.clone(), HPos::Left, VPos::Bottom),
        ))?;
    }
    Ok(())
}

/// Draws [`Bars`].
pub(crate) fn draw_bars<DB: DrawingBackend>(root: &Area<DB>, f: &Bars) -> Fallible<(), DB> {
    let legend: Vec<(Swatch, String)> = f
        .groups
        .iter()
        .zip(&f.colours)
        .map(|(g, &c)| (Swatch::Dot(model_colour(c)), g.clone()))
        .collect();
    let area = header(root, &f.title, &legend)?;
    let values = || f.values.iter().flatten().flatten();
    let (x0, x1) = range_of(values().flat_map(|v| [v.0, v.1, v.2]), &[0.0], 0.06);
    let gutter = label_width(root, &f.rows, false)?;
    let (w, _) = area.dim_in_pixel();
    let plot_w = w.saturating_sub(gutter + 60);
    let (keys, shown) = fitting_ticks(root, x0, x1, 6, plot_w)?;
    let dec = style::decimals_for(&keys);
    let x_fmt = |v: &f64| shown_label(*v, &keys, &shown, dec);
    let n = f.rows.len().max(1) as f64;
    let names = f.rows.clone();
    let y_fmt = move |v: &f64| {
        let i = (n - 1.0 - v.round()).max(0.0) as usize;
        names.get(i).cloned().unwrap_or_default()
    };
    let mut chart = ChartBuilder::on(&area)
        .margin(14)
        .margin_right(44)
        .x_label_area_size(100)
        .y_label_area_size(gutter)
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
        .axis_desc_style(style::text(style::LABEL))
        .x_desc(f.x_label.clone())
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .draw()?;
    let groups = f.groups.len().max(1) as f64;
    let height = 0.7 / groups;
    for (g, per_row) in f.values.iter().enumerate() {
        let c = model_colour(f.colours.get(g).copied().unwrap_or(g));
        for (i, v) in per_row.iter().enumerate() {
            let Some((est, lo, hi)) = *v else { continue };
            // Row i is drawn at y = n − 1 − i so the first row is on top; groups top down.
            let top = n - 1.0 - i as f64 + 0.35 - g as f64 * height;
            let (a, b) = (top - height * 0.9, top);
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, a), (est, b)],
                c.filled(),
            )))?;
            if lo.is_finite() && hi.is_finite() {
                let mid = (a + b) / 2.0;
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(lo, mid), (hi, mid)],
                    INK.stroke_width(style::THIN + 1),
                )))?;
            }
        }
    }
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, -0.6), (0.0, n - 0.4)],
        INK.stroke_width(style::THIN),
    )))?;
    Ok(())
}
