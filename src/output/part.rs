//! One run's contribution to the tables (a *part*), as journaled: the identifying cells, the
//! time-series rows already written as CSV (they go into `timeseries.csv` byte for byte), and the
//! run's summary and shocks as typed values, from which assembly writes `summary.csv` and
//! `shocks.csv` and computes `stats.csv` without reading any text back.
//!
//! A record's payload is a header line `#leadsim-part 4 run=I prefix=P timeseries=T summary=S
//! shocks=H` followed by the four sections: the prefix and the time series as text, the summary
//! as little-endian `f64` bits (finals, then means) and the shocks in a small binary form.

use super::OutputError;
use super::tables::{RowWriter, row_prefix};
use crate::results::{Adaptability, RunResult, Shock, Summary};
use std::path::Path;

const MAGIC: &str = "#leadsim-part 4";

/// Rows one run contributes to the tables.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Part {
    /// The identifying cells as the start of a CSV line, with the separator after the last.
    pub(crate) prefix: Vec<u8>,
    /// Time-series rows (CSV lines without header).
    pub(crate) timeseries: Vec<u8>,
    pub(crate) summary: Summary,
    pub(crate) shocks: Vec<Shock>,
}

impl Part {
    /// The part of the run identified by the cells `id` that gave `result`: its time series
    /// written as CSV, its summary and shocks kept as values.
    pub(crate) fn format(id: &[String], result: RunResult) -> Part {
        let prefix = row_prefix(id);
        let series = &result.series;
        let mut timeseries =
            Vec::with_capacity(series.len() * (prefix.len() + 10 * series.width() + 8));
        let mut rows = RowWriter::new(&prefix);
        for (step, values) in series.rows() {
            rows.push(&mut timeseries, step, values);
        }
        Part {
            prefix,
            timeseries,
            summary: result.summary,
            shocks: result.shocks,
        }
    }
}

/// Serializes `part` (without its time series when `with_series` is false: the ordered file
/// holds it) for the journal record of run `index`.
pub(crate) fn encode(index: u64, part: &Part, with_series: bool) -> Vec<u8> {
    let series: &[u8] = if with_series { &part.timeseries } else { b"" };
    let mut summary = Vec::with_capacity(16 * part.summary.finals.len());
    for x in part.summary.finals.iter().chain(&part.summary.means) {
        summary.extend_from_slice(&x.to_bits().to_le_bytes());
    }
    let mut shocks = Vec::new();
    for s in &part.shocks {
        encode_shock(&mut shocks, s);
    }
    let mut out = Vec::with_capacity(series.len() + summary.len() + shocks.len() + 128);
    out.extend_from_slice(
        format!(
            "{MAGIC} run={index} prefix={} timeseries={} summary={} shocks={}\n",
            part.prefix.len(),
            series.len(),
            summary.len(),
            shocks.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&part.prefix);
    out.extend_from_slice(series);
    out.extend_from_slice(&summary);
    out.extend_from_slice(&shocks);
    out
}

fn encode_shock(out: &mut Vec<u8>, s: &Shock) {
    let a = &s.adaptability;
    for text in [&s.event, &s.kind] {
        out.extend_from_slice(&(text.len() as u32).to_le_bytes());
        out.extend_from_slice(text.as_bytes());
    }
    out.extend_from_slice(&s.step.to_le_bytes());
    for x in [
        s.capacity_lost,
        a.before,
        a.after,
        a.drop,
        a.trough,
        a.max_drop,
        a.window_mean,
        a.effect,
        a.effect_min,
    ] {
        out.extend_from_slice(&x.to_bits().to_le_bytes());
    }
    out.extend_from_slice(&a.recovery_steps.to_le_bytes());
    out.extend_from_slice(&a.window_steps.to_le_bytes());
    out.push(u8::from(a.censored));
}

/// Reads a part back from the payload of run `index`'s record; any damage is an error naming
/// `path`.
pub(crate) fn decode(path: &Path, index: u64, bytes: &[u8]) -> Result<Part, OutputError> {
    let corrupt = |detail: &str| OutputError::Corrupt {
        path: path.to_path_buf(),
        detail: format!(
            "damaged run record ({detail}); delete the journal and resume to re-run its runs"
        ),
    };
    let nl = bytes
        .iter()
        .take(256)
        .position(|&b| b == b'\n')
        .ok_or_else(|| corrupt("no header"))?;
    let header = std::str::from_utf8(&bytes[..nl]).map_err(|_| corrupt("header not UTF-8"))?;
    let mut fields = header.split(' ');
    match (fields.next(), fields.next()) {
        (Some("#leadsim-part"), Some(v)) if MAGIC.ends_with(&format!(" {v}")) => {}
        (Some("#leadsim-part"), Some(_)) => {
            return Err(corrupt(
                "written by another version of leadsim; start over with --force",
            ));
        }
        _ => return Err(corrupt("wrong header")),
    }
    let mut field = |name: &str| -> Result<usize, OutputError> {
        fields
            .next()
            .and_then(|f| f.strip_prefix(name))
            .and_then(|f| f.strip_prefix('='))
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| corrupt(&format!("no {name} in the header")))
    };
    if field("run")? as u64 != index {
        return Err(corrupt("another run's record"));
    }
    let lens = [
        field("prefix")?,
        field("timeseries")?,
        field("summary")?,
        field("shocks")?,
    ];
    let body = &bytes[nl + 1..];
    if Some(body.len()) != lens.iter().try_fold(0usize, |a, &b| a.checked_add(b)) {
        return Err(corrupt("truncated"));
    }
    let (prefix, rest) = body.split_at(lens[0]);
    let (timeseries, rest) = rest.split_at(lens[1]);
    let (summary, shocks) = rest.split_at(lens[2]);
    if !summary.len().is_multiple_of(16) {
        return Err(corrupt("summary of odd length"));
    }
    let values: Vec<f64> = summary
        .chunks_exact(8)
        .map(|c| f64::from_bits(u64::from_le_bytes(c.try_into().expect("8 bytes"))))
        .collect();
    let (finals, means) = values.split_at(values.len() / 2);
    let mut cursor = Cursor { bytes: shocks };
    let mut decoded = Vec::new();
    while !cursor.bytes.is_empty() {
        decoded.push(cursor.shock().ok_or_else(|| corrupt("bad shock"))?);
    }
    Ok(Part {
        prefix: prefix.to_vec(),
        timeseries: timeseries.to_vec(),
        summary: Summary {
            finals: finals.to_vec(),
            means: means.to_vec(),
        },
        shocks: decoded,
    })
}

/// Reads the binary form of shocks.
struct Cursor<'a> {
    bytes: &'a [u8],
}

impl Cursor<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.bytes.split_at_checked(N)?;
        self.bytes = rest;
        head.try_into().ok()
    }

    fn u32(&mut self) -> Option<u32> {
        self.take::<4>().map(u32::from_le_bytes)
    }

    fn f64(&mut self) -> Option<f64> {
        self.take::<8>()
            .map(|b| f64::from_bits(u64::from_le_bytes(b)))
    }

    fn text(&mut self) -> Option<String> {
        let len = self.u32()? as usize;
        let (head, rest) = self.bytes.split_at_checked(len)?;
        self.bytes = rest;
        String::from_utf8(head.to_vec()).ok()
    }

    fn shock(&mut self) -> Option<Shock> {
        let event = self.text()?;
        let kind = self.text()?;
        let step = self.u32()?;
        let [
            capacity_lost,
            before,
            after,
            drop,
            trough,
            max_drop,
            window_mean,
            effect,
            effect_min,
        ] = [
            self.f64()?,
            self.f64()?,
            self.f64()?,
            self.f64()?,
            self.f64()?,
            self.f64()?,
            self.f64()?,
            self.f64()?,
            self.f64()?,
        ];
        let recovery_steps = self.u32()?;
        let window_steps = self.u32()?;
        let censored = match self.take::<1>()? {
            [0] => false,
            [1] => true,
            _ => return None,
        };
        Some(Shock {
            event,
            kind,
            step,
            capacity_lost,
            adaptability: Adaptability {
                before,
                after,
                drop,
                trough,
                max_drop,
                recovery_steps,
                censored,
                window_mean,
                window_steps,
                effect,
                effect_min,
            },
        })
    }
}

/// A small part of run `i` for tests (no NaN, so parts compare equal).
#[cfg(test)]
pub(crate) fn sample(i: u64) -> Part {
    Part {
        prefix: format!("m,{i},").into_bytes(),
        timeseries: format!("m,{i},1\nm,{i},2\n").into_bytes(),
        summary: Summary {
            finals: vec![i as f64, 0.25],
            means: vec![0.5, 2.0],
        },
        shocks: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(i: u64) -> Part {
        Part {
            prefix: format!("m,{i},").into_bytes(),
            timeseries: format!("m,{i},0,1\nm,{i},1,2\n").into_bytes(),
            summary: Summary {
                finals: vec![i as f64, f64::NAN],
                means: vec![0.5, -1e-300],
            },
            shocks: vec![Shock {
                event: "market,\"x\"".into(),
                kind: "landscape_shock".into(),
                step: 3,
                capacity_lost: 0.25,
                adaptability: Adaptability {
                    before: 0.9,
                    after: 0.7,
                    drop: 0.2,
                    trough: 0.6,
                    max_drop: 0.3,
                    recovery_steps: 4,
                    censored: true,
                    window_mean: f64::NAN,
                    window_steps: 2,
                    effect: -0.05,
                    effect_min: -0.1,
                },
            }],
        }
    }

    /// Parts as bit patterns, so NaN values compare equal.
    fn bits(p: &Part) -> String {
        format!("{p:?}")
    }

    #[test]
    fn parts_round_trip_and_damage_is_detected() {
        let p = Path::new("x.runs");
        let full = part(7);
        let bytes = encode(7, &full, true);
        assert_eq!(bits(&decode(p, 7, &bytes).unwrap()), bits(&full));
        let without = decode(p, 7, &encode(7, &full, false)).unwrap();
        assert!(without.timeseries.is_empty());
        assert_eq!(without.prefix, full.prefix);
        assert!(decode(p, 8, &bytes).is_err(), "wrong run");
        assert!(
            decode(p, 7, &bytes[..bytes.len() - 3]).is_err(),
            "truncated"
        );
        let old = b"#leadsim-part 2 run=7 timeseries=0 summary=0 shocks=0\n";
        let e = decode(p, 7, old).unwrap_err().to_string();
        assert!(e.contains("another version"), "{e}");
        let empty = Part::default();
        assert_eq!(decode(p, 1, &encode(1, &empty, true)).unwrap(), empty);
        // A shock cut short is damage, not a panic: an event name, then nothing.
        let mut cut = b"#leadsim-part 3 run=2 prefix=0 timeseries=0 summary=0 shocks=5\n".to_vec();
        cut.extend([1, 0, 0, 0, b'a']);
        assert!(decode(p, 2, &cut).is_err());
    }

    #[test]
    fn formatting_a_result_writes_its_rows_after_the_identifying_cells() {
        let mut series = crate::results::Series::with_capacity(2, 2);
        series.push(0, &[0.5, f64::NAN]);
        series.push(5, &[1.0, 2.25]);
        let p = Part::format(
            &["a,b".to_string(), "0".to_string()],
            RunResult {
                series,
                ..RunResult::default()
            },
        );
        assert_eq!(p.prefix, b"\"a,b\",0,");
        assert_eq!(
            String::from_utf8(p.timeseries).unwrap(),
            "\"a,b\",0,0,0.5,\n\"a,b\",0,5,1,2.25\n"
        );
    }
}
