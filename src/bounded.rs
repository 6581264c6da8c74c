//! A boundedly rational decision maker (`[behaviour.bounded]`, docs/ODD.md §7.3): judgement
//! gets noisier with the backlog waiting at one's desk and with the breadth of what one must
//! judge, and expertise on other domains fades without exposure (Simon 1947; Galbraith 1974;
//! Rivkin & Siggelkow 2003).
//!
//! The rules are written for every judge, not for "the centre": a central leader pays more only
//! because of what it does — it carries a longer queue when its capacity binds, it judges changes
//! that span domains, and under shared leadership it stops deciding on most domains.

use crate::params::{DefaultValue as D, InputError, Kind, Param, Reader};

/// The parameters of bounded rationality; zeros switch it off.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounded {
    /// Noise grows by this much per `overload_backlog` proposals waiting beyond the first
    /// `overload_backlog`.
    pub backlog: f64,
    /// Noise grows by this much when a change touches every domain in the judge's view (in
    /// proportion for fewer).
    pub breadth: f64,
    /// Per step, expertise on a domain other than one's own moves this fraction of the way
    /// toward the newcomer level of other domains' expertise (exponentially, between
    /// exposures).
    pub fading: f64,
}

/// `[behaviour.bounded] backlog`.
pub const BACKLOG: Param = Param {
    key: "backlog",
    kind: Kind::Real {
        min: 0.0,
        max: 100.0,
    },
    default: D::Real(0.25),
    meaning: "evaluation noise × (1 + backlog · (waiting − overload_backlog) / overload_backlog) when more proposals than behaviour.engagement.overload_backlog wait at the judge's desk (0: off)",
};
/// `[behaviour.bounded] breadth`.
pub const BREADTH: Param = Param {
    key: "breadth",
    kind: Kind::Real {
        min: 0.0,
        max: 100.0,
    },
    default: D::Real(0.5),
    meaning: "evaluation noise × (1 + breadth · (b − 1) / (domains − 1)) for a change whose effects within the judge's view fall in b domains (0: off)",
};
/// `[behaviour.bounded] fading`.
pub const FADING: Param = Param {
    key: "fading",
    kind: Kind::Real { min: 0.0, max: 1.0 },
    default: D::Real(0.005),
    meaning: "per step without exposure, expertise on another domain's decisions moves this rate toward the mean of organization.expertise.other (exponentially; exposure: proposing, reviewing or being consulted on a change; 0: off)",
};

impl Bounded {
    /// Every parameter, for documentation.
    pub fn params() -> Vec<Param> {
        vec![BACKLOG, BREADTH, FADING]
    }

    /// Reads `[behaviour.bounded]`.
    pub fn read(r: &mut Reader) -> Result<Bounded, InputError> {
        Ok(Bounded {
            backlog: r.real(&BACKLOG)?,
            breadth: r.real(&BREADTH)?,
            fading: r.real(&FADING)?,
        })
    }

    /// The factor on a judge's evaluation noise: `waiting` proposals at its desk against the
    /// overload threshold `threshold`, and a change whose effects in the judge's view fall in
    /// `touched` of `domains` domains.
    #[inline]
    pub fn noise_factor(&self, waiting: u32, threshold: f64, touched: u32, domains: usize) -> f64 {
        let mut f = 1.0;
        if self.backlog > 0.0 && threshold > 0.0 && f64::from(waiting) > threshold {
            f *= 1.0 + self.backlog * (f64::from(waiting) - threshold) / threshold;
        }
        if self.breadth > 0.0 && domains > 1 && touched > 1 {
            f *= 1.0 + self.breadth * f64::from(touched - 1) / (domains - 1) as f64;
        }
        f
    }

    /// Expertise `e` after `steps` steps without exposure, fading toward `floor`.
    #[inline]
    pub fn faded(&self, e: f64, floor: f64, steps: u32) -> f64 {
        if self.fading <= 0.0 || steps == 0 || e <= floor {
            return e;
        }
        floor + (e - floor) * (1.0 - self.fading).powi(steps.min(i32::MAX as u32) as i32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ON: Bounded = Bounded {
        backlog: 0.25,
        breadth: 0.5,
        fading: 0.005,
    };

    #[test]
    fn noise_grows_with_backlog_beyond_the_threshold_and_with_breadth() {
        assert_eq!(
            ON.noise_factor(3, 3.0, 1, 4),
            1.0,
            "at the threshold, one domain"
        );
        assert_eq!(
            ON.noise_factor(9, 3.0, 1, 4),
            1.5,
            "two thresholds beyond: + 2 · 0.25"
        );
        assert!((ON.noise_factor(0, 3.0, 3, 4) - (1.0 + 0.5 * 2.0 / 3.0)).abs() < 1e-15);
        assert_eq!(ON.noise_factor(0, 3.0, 4, 4), 1.5, "every domain");
        assert_eq!(ON.noise_factor(9, 3.0, 4, 4), 2.25, "both multiply");
        // A judge of one domain (a lead, a consulted lead) and one organization's only domain
        // have no breadth to pay for.
        assert_eq!(ON.noise_factor(0, 3.0, 1, 8), 1.0);
        assert_eq!(ON.noise_factor(0, 3.0, 1, 1), 1.0);
        let off = Bounded {
            backlog: 0.0,
            breadth: 0.0,
            fading: 0.0,
        };
        assert_eq!(off.noise_factor(100, 3.0, 4, 4), 1.0);
    }

    #[test]
    fn expertise_fades_toward_the_floor_and_never_below() {
        // Half-life ln 2 / 0.005 ≈ 139 steps.
        let e = ON.faded(0.65, 0.25, 139);
        assert!((e - (0.25 + 0.4 * 0.995f64.powi(139))).abs() < 1e-15);
        assert!((e - 0.45).abs() < 0.002, "{e}");
        assert_eq!(ON.faded(0.2, 0.25, 1000), 0.2, "below the floor stays");
        assert_eq!(ON.faded(0.9, 0.25, 0), 0.9);
        let off = Bounded { fading: 0.0, ..ON };
        assert_eq!(off.faded(0.9, 0.25, 10_000), 0.9);
    }
}
