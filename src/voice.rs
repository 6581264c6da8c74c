//! Voice and psychological safety (`[behaviour.voice]`, docs/ODD.md §7.2): whether speaking up
//! pays is learned from what happened to one's own proposals and caught from one's team.
//!
//! Each member holds a voice expectancy s ∈ [0, 1] (starting at `initial`): after each outcome of
//! its voice it moves a fraction `learning` toward 1 (adopted), `rejected` (heard but not
//! followed) or 0 (ignored: expired unreviewed; overruled in a dispute), a linear operator
//! (Bush & Mosteller 1955); then a fraction `contagion` toward its team's mean (the team's
//! climate of psychological safety, a shared belief: Edmondson 1999; silence spreads: Morrison &
//! Milliken 2000). It multiplies the member's propensity to propose and its share of radical
//! proposals by s/`initial` (Detert & Burris 2007: voice follows whether earlier voice was heard).

use crate::params::{InputError, Param, Reader};

/// The parameters of voice expectancy; `learning` = `contagion` = 0 switch it off.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Voice {
    pub initial: f64,
    pub learning: f64,
    pub rejected: f64,
    pub contagion: f64,
}

/// `[behaviour.voice] initial`.
pub const INITIAL: Param = Param::rate(
    "initial",
    0.5,
    "voice expectancy of a member who has not spoken up yet; proposing is scaled by expectancy / initial",
);
/// `[behaviour.voice] learning`.
pub const LEARNING: Param = Param::rate(
    "learning",
    0.1,
    "per outcome of a member's voice, its expectancy moves this fraction toward 1 (adopted), rejected (rejected) or 0 (expired, overruled) (0: off)",
);
/// `[behaviour.voice] rejected`.
pub const REJECTED: Param = Param::rate(
    "rejected",
    0.5,
    "what a rejection (heard, not followed) teaches about voice, between 0 (ignored) and 1 (adopted)",
);
/// `[behaviour.voice] contagion`.
pub const CONTAGION: Param = Param::rate(
    "contagion",
    0.01,
    "per step, a member's expectancy moves this fraction toward its team's mean (the climate; 0: off)",
);

/// What happened to a member's voice this step.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcomes {
    pub adopted: u16,
    pub rejected: u16,
    pub expired: u16,
    pub overruled: u16,
}

impl Voice {
    /// Every parameter, for documentation.
    pub fn params() -> Vec<Param> {
        vec![INITIAL, LEARNING, REJECTED, CONTAGION]
    }

    /// Reads `[behaviour.voice]`.
    pub fn read(r: &mut Reader) -> Result<Voice, InputError> {
        Ok(Voice {
            initial: r.real(&INITIAL)?,
            learning: r.real(&LEARNING)?,
            rejected: r.real(&REJECTED)?,
            contagion: r.real(&CONTAGION)?,
        })
    }

    /// Whether the mechanism changes anything.
    pub fn is_on(&self) -> bool {
        self.learning > 0.0 || self.contagion > 0.0
    }

    /// Expectancy `s` after this step's `outcomes` (in a fixed order: adopted, rejected,
    /// expired, overruled) and the pull toward the team's `climate`.
    pub fn next(&self, s: f64, o: Outcomes, climate: f64) -> f64 {
        let mut s = s;
        for (count, target) in [
            (o.adopted, 1.0),
            (o.rejected, self.rejected),
            (o.expired, 0.0),
            (o.overruled, 0.0),
        ] {
            for _ in 0..count {
                s += self.learning * (target - s);
            }
        }
        s += self.contagion * (climate - s);
        s.clamp(0.0, 1.0)
    }

    /// The factor on a member's propensity to propose (and share of radical proposals).
    #[inline]
    pub fn factor(&self, s: f64) -> f64 {
        if self.initial > 0.0 {
            s / self.initial
        } else {
            1.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ON: Voice = Voice {
        initial: 0.5,
        learning: 0.1,
        rejected: 0.5,
        contagion: 0.0,
    };

    #[test]
    fn ignored_voice_falls_silent_and_heard_voice_speaks_up() {
        let expired = Outcomes {
            expired: 10,
            ..Outcomes::default()
        };
        let s = ON.next(0.5, expired, 0.5);
        assert!((s - 0.5 * 0.9f64.powi(10)).abs() < 1e-12);
        assert!((ON.factor(s) - 0.9f64.powi(10)).abs() < 1e-12);
        let adopted = Outcomes {
            adopted: 1,
            ..Outcomes::default()
        };
        assert!((ON.next(0.5, adopted, 0.5) - 0.55).abs() < 1e-12);
        // A rejection at expectancy `rejected` teaches nothing new.
        let rejected = Outcomes {
            rejected: 3,
            ..Outcomes::default()
        };
        assert_eq!(ON.next(0.5, rejected, 0.5), 0.5);
        // Contagion pulls toward the climate; nothing else moves without outcomes.
        let catching = Voice {
            contagion: 0.5,
            ..ON
        };
        assert_eq!(catching.next(0.2, Outcomes::default(), 0.6), 0.4);
        assert_eq!(ON.next(0.2, Outcomes::default(), 0.6), 0.2);
        let off = Voice {
            learning: 0.0,
            ..ON
        };
        assert!(!off.is_on());
        assert_eq!(off.next(0.5, expired, 0.1), 0.5);
        assert_eq!(off.factor(0.5), 1.0);
    }
}
