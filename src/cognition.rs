//! Team cognition (`[behaviour.cognition]`, docs/ODD.md §7.2): members of a domain who have
//! worked together come to see things alike — a shared mental model — so their evaluation errors
//! are correlated; the correlation grows with time together and falls with turnover (Cannon-Bowers,
//! Salas & Converse 1993; DeChurch & Mesmer-Magnus 2010). Judging together also teaches: after a
//! vote or a consultation each participant's expertise on the decisions judged moves toward the
//! best participant's (Dionne et al. 2010: participation integrates the team's knowledge).
//!
//! A member's *assimilation* is a = 1 − exp(−τ / `assimilation`), τ its time together with its
//! team (steps in the team plus `joint` per vote cast). Its evaluation error is
//! z = λ·C + √(1 − λ²)·u with λ = √`correlation`·a, where C is the team's shared misreading of
//! the proposal (a keyed normal of the team and the proposal, the same for every member of the
//! team and under every model) and u the member's own (the keyed noise of docs/ODD.md §5). Each z
//! is standard normal, so nobody judges better or worse alone; two teammates' errors correlate
//! `correlation`·a·a′, and members of different teams err independently. Votes and a lead's
//! review of its own team's screened proposals lose some of their error-averaging value; an
//! outsider's judgement keeps all of it.

use crate::params::{DefaultValue as D, InputError, Kind, Param, Reader};

/// The parameters of team cognition; `correlation` = `convergence` = 0 switch it off.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cognition {
    pub correlation: f64,
    pub assimilation: f64,
    pub joint: f64,
    pub convergence: f64,
}

/// `[behaviour.cognition] correlation`.
pub const CORRELATION: Param = Param::rate(
    "correlation",
    0.5,
    "correlation of the evaluation errors of two fully assimilated members of a team (0: off)",
);
/// `[behaviour.cognition] assimilation`.
pub const ASSIMILATION: Param = Param {
    key: "assimilation",
    kind: Kind::Real { min: 1.0, max: 1e9 },
    default: D::Real(125.0),
    meaning: "steps of time together after which a member is 63% assimilated into its team's shared mental model (1 − e⁻¹)",
};
/// `[behaviour.cognition] joint`.
pub const JOINT: Param = Param {
    key: "joint",
    kind: Kind::Real {
        min: 0.0,
        max: 1000.0,
    },
    default: D::Real(1.0),
    meaning: "extra steps of time together each vote cast counts for (deciding together speeds assimilation)",
};
/// `[behaviour.cognition] convergence`.
pub const CONVERGENCE: Param = Param::rate(
    "convergence",
    0.05,
    "after a vote or a consultation, each participant's expertise on the decisions judged moves this fraction toward the best participant's (0: off)",
);

impl Cognition {
    /// Every parameter, for documentation.
    pub fn params() -> Vec<Param> {
        vec![CORRELATION, ASSIMILATION, JOINT, CONVERGENCE]
    }

    /// Reads `[behaviour.cognition]`.
    pub fn read(r: &mut Reader) -> Result<Cognition, InputError> {
        Ok(Cognition {
            correlation: r.real(&CORRELATION)?,
            assimilation: r.real(&ASSIMILATION)?,
            joint: r.real(&JOINT)?,
            convergence: r.real(&CONVERGENCE)?,
        })
    }

    /// The loading λ of a member with time together `tau` on its team's shared error.
    #[inline]
    pub fn loading(&self, tau: f64) -> f64 {
        if self.correlation <= 0.0 {
            return 0.0;
        }
        let a = 1.0 - (-tau / self.assimilation).exp();
        self.correlation.sqrt() * a
    }

    /// The error of a member with loading `lambda` from the team's shared error `shared` and
    /// its own `own` (both standard normal).
    #[inline]
    pub fn error(lambda: f64, shared: f64, own: f64) -> f64 {
        if lambda == 0.0 {
            own
        } else {
            lambda * shared + (1.0 - lambda * lambda).sqrt() * own
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::keyed_normal;

    const ON: Cognition = Cognition {
        correlation: 0.5,
        assimilation: 125.0,
        joint: 1.0,
        convergence: 0.05,
    };

    /// Pearson correlation.
    fn corr(a: &[f64], b: &[f64]) -> f64 {
        let n = a.len() as f64;
        let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
        let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
        let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
        let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
        cov / (va * vb).sqrt()
    }

    /// Errors of two members judging the same 20,000 proposals: teammates share the team's
    /// misreading; `same_team` false gives them different teams' misreadings.
    fn errors(la: f64, lb: f64, same_team: bool) -> (Vec<f64>, Vec<f64>) {
        let n = 20_000u64;
        let shared = |team: u64, p: u64| keyed_normal(1, &[team, p]);
        let a = (0..n)
            .map(|p| Cognition::error(la, shared(0, p), keyed_normal(2, &[p])))
            .collect();
        let b = (0..n)
            .map(|p| {
                let team = if same_team { 0 } else { 1 };
                Cognition::error(lb, shared(team, p), keyed_normal(3, &[p]))
            })
            .collect();
        (a, b)
    }

    #[test]
    fn teammates_errors_correlate_as_the_rule_says_and_stay_standard() {
        let full = ON.loading(1e9);
        assert!((full - 0.5f64.sqrt()).abs() < 1e-12);
        let (a, b) = errors(full, full, true);
        assert!((corr(&a, &b) - 0.5).abs() < 0.02, "{}", corr(&a, &b));
        let var = a.iter().map(|x| x * x).sum::<f64>() / a.len() as f64;
        assert!(
            (var - 1.0).abs() < 0.03,
            "each error keeps unit variance: {var}"
        );
        // Half assimilated against fully: 0.5 · 0.5 · 1.
        let half = ON.loading(125.0 * 2f64.ln());
        let (a, b) = errors(half, full, true);
        assert!((corr(&a, &b) - 0.25).abs() < 0.02, "{}", corr(&a, &b));
        // Different teams, or a newcomer: independent.
        let (a, b) = errors(full, full, false);
        assert!(corr(&a, &b).abs() < 0.02);
        assert_eq!(ON.loading(0.0), 0.0);
        let off = Cognition {
            correlation: 0.0,
            ..ON
        };
        assert_eq!(off.loading(1e9), 0.0);
        assert_eq!(
            Cognition::error(0.0, 5.0, 0.3),
            0.3,
            "off: the own error, bit for bit"
        );
    }
}
