//! Leadership that emerges as an influence network (`[behaviour.influence]`, docs/ODD.md §7.2,
//! §7.7; Carson, Tesluk & Marrone 2007; DeRue & Ashford 2010): members grant influence to those
//! whose proposals and decisions proved good, and a little to those they are tied to.
//!
//! Member i's grant to member j, g(i→j) ∈ [0, 1], is earned: when i sees an act of j — a
//! proposal of j's adopted, if i is tied to j; a change j decided that touched i's domain — it
//! moves `grant` of the way toward 1 if the act helped (performance rose; i's domain's loci
//! gained) and toward 0 if it harmed; without acts it decays by `decay` per step toward 0. Each
//! member keeps its largest few grants ([`HELD`]). The influence network's weights are
//! w(i→j) = max(`tie` if i and j are tied, g(i→j)). Its density is **sharedness** (Carson,
//! Tesluk & Marrone 2007: the sum of the ties' values over the ordered pairs of members), and
//! its **influence centralization** is Freeman's (1979) degree centralization of the weighted
//! in-strength: 0 when everyone is relied on alike, 1 when everyone relies fully on one member.
//! Both vary within every leadership model: they come from acts and outcomes, not from seats.
//! Influence also enters elections: a member endorses the candidate of highest merit +
//! `elections` · its grant to the candidate.

use crate::params::{DefaultValue as D, InputError, Kind, Param, Reader};

/// Grants each member keeps (the largest; a new one replaces the smallest when larger).
pub const HELD: usize = 4;

/// The parameters of influence; `grant` = 0 (no earned influence) with `tie` = 0 leaves the
/// network empty and elections as they were.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Influence {
    /// Fraction, in [0, 1], of the way a grant moves toward 1 after a helpful act seen (toward
    /// 0 after a harmful one; docs/ODD.md §7.2, Influence network).
    pub grant: f64,
    /// Influence, in [0, 1], every informal tie carries, earned or not.
    pub tie: f64,
    /// Fraction, in [0, 1], by which grants decay per step without acts.
    pub decay: f64,
    /// Weight of earned influence in an endorsement in elections, in [0, 100] (docs/ODD.md §7.5).
    pub elections: f64,
}

/// `[behaviour.influence] grant`.
pub const GRANT: Param = Param::rate(
    "grant",
    0.1,
    "when a member sees an act of another (a tied member's adopted proposal; a change another decided that touched its domain), its grant to that member moves this fraction toward 1 if the act helped, toward 0 if it harmed (0: off)",
);
/// `[behaviour.influence] tie`.
pub const TIE: Param = Param::rate(
    "tie",
    0.1,
    "influence a member grants to those it is tied to in the informal network, earned or not",
);
/// `[behaviour.influence] decay`.
pub const DECAY: Param = Param::rate(
    "decay",
    0.01,
    "per step without acts, an earned grant moves this fraction toward 0",
);
/// `[behaviour.influence] elections`.
pub const ELECTIONS: Param = Param {
    key: "elections",
    kind: Kind::Real {
        min: 0.0,
        max: 100.0,
    },
    default: D::Real(1.0),
    meaning: "a member endorses the candidate of highest merit + elections · its grant to the candidate (0: influence does not enter elections)",
};

impl Influence {
    /// Every parameter, for documentation.
    pub fn params() -> Vec<Param> {
        vec![GRANT, TIE, DECAY, ELECTIONS]
    }

    /// Reads `[behaviour.influence]`.
    pub fn read(r: &mut Reader) -> Result<Influence, InputError> {
        Ok(Influence {
            grant: r.real(&GRANT)?,
            tie: r.real(&TIE)?,
            decay: r.real(&DECAY)?,
            elections: r.real(&ELECTIONS)?,
        })
    }
}

/// One earned grant: to member `to` (by id), in slot `slot` when granted.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Grant {
    to: u32,
    slot: u32,
    value: f64,
}

/// The earned grants of one run, [`HELD`] per slot.
#[derive(Debug, Clone)]
pub struct Grants {
    rule: Influence,
    held: Vec<[Grant; HELD]>,
}

const NONE: Grant = Grant {
    to: u32::MAX,
    slot: u32::MAX,
    value: 0.0,
};

impl Grants {
    /// No grants yet, for `slots` slots.
    pub fn new(rule: Influence, slots: usize) -> Grants {
        Grants {
            rule,
            held: vec![[NONE; HELD]; slots],
        }
    }

    /// The rule.
    pub fn rule(&self) -> &Influence {
        &self.rule
    }

    /// Room for `slots` slots (after growth).
    pub fn fit(&mut self, slots: usize) {
        self.held.resize(slots, [NONE; HELD]);
    }

    /// A newcomer in `slot` has granted nothing yet.
    pub fn forget(&mut self, slot: usize) {
        self.held[slot] = [NONE; HELD];
    }

    /// `slot`'s earned grant to member `to` (by id).
    pub fn earned(&self, slot: usize, to: u32) -> f64 {
        self.held[slot]
            .iter()
            .find(|g| g.to == to)
            .map_or(0.0, |g| g.value)
    }

    /// `slot`'s earned grants: the member (id) each goes to, the slot that member held when
    /// granted, and the grant.
    pub fn of(&self, slot: usize) -> impl Iterator<Item = (u32, usize, f64)> + '_ {
        self.held[slot]
            .iter()
            .filter(|g| g.to != u32::MAX)
            .map(|g| (g.to, g.slot as usize, g.value))
    }

    /// `slot` saw an act of member `to` (in slot `to_slot`) that helped (`good`) or harmed.
    pub fn saw(&mut self, slot: usize, to: u32, to_slot: usize, good: bool) {
        let target = if good { 1.0 } else { 0.0 };
        let g = self.rule.grant;
        if g == 0.0 {
            return;
        }
        let held = &mut self.held[slot];
        if let Some(e) = held.iter_mut().find(|e| e.to == to) {
            e.value += g * (target - e.value);
            return;
        }
        let value = g * target;
        if value == 0.0 {
            // Nothing earned: nothing to keep.
            return;
        }
        // Replace the smallest grant when the new one is larger (ties: the later slot in the
        // array, a fixed rule).
        if let Some(smallest) = held
            .iter_mut()
            .min_by(|a, b| a.value.total_cmp(&b.value))
            .filter(|e| e.to == u32::MAX || e.value < value)
        {
            *smallest = Grant {
                to,
                slot: to_slot as u32,
                value,
            };
        }
    }

    /// One step without acts: every earned grant decays.
    pub fn decay(&mut self) {
        let d = self.rule.decay;
        if d == 0.0 {
            return;
        }
        // Empty entries (`to == u32::MAX`) hold exactly 0.0 (`NONE`; `saw` fills an entry only
        // with a grant and a member), and 0 − d·0 = 0: decaying them too changes nothing, and a
        // loop without the test is a straight one over every value.
        for held in &mut self.held {
            for e in held.iter_mut() {
                e.value -= d * e.value;
            }
        }
    }
}

/// Freeman's degree centralization of non-negative in-strengths `s` (each over n − 1):
/// Σ (max − s_j) / (n − 1), 0 for equal strengths, 1 for a star of full strength; NaN for fewer
/// than two members.
pub fn centralization(s: &[f64]) -> f64 {
    let n = s.len();
    if n < 2 {
        return f64::NAN;
    }
    let max = s.iter().copied().fold(0.0f64, f64::max);
    s.iter().map(|&x| max - x).sum::<f64>() / (n - 1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    const ON: Influence = Influence {
        grant: 0.1,
        tie: 0.1,
        decay: 0.01,
        elections: 1.0,
    };

    #[test]
    fn grants_follow_good_acts_and_decay() {
        let mut g = Grants::new(ON, 2);
        for _ in 0..10 {
            g.saw(0, 7, 7, true);
        }
        assert!((g.earned(0, 7) - (1.0 - 0.9f64.powi(10))).abs() < 1e-12);
        g.saw(0, 7, 7, false);
        assert!((g.earned(0, 7) - 0.9 * (1.0 - 0.9f64.powi(10))).abs() < 1e-12);
        let before = g.earned(0, 7);
        g.decay();
        assert!((g.earned(0, 7) - 0.99 * before).abs() < 1e-15);
        assert_eq!(g.earned(1, 7), 0.0);
        g.forget(0);
        assert_eq!(g.earned(0, 7), 0.0);
    }

    #[test]
    fn only_the_largest_grants_are_kept() {
        let mut g = Grants::new(ON, 1);
        for to in 0..HELD as u32 {
            g.saw(0, to, to as usize, true);
            g.saw(0, to, to as usize, true);
        }
        // A new grant of 0.1 is smaller than the four of 0.19: not kept.
        g.saw(0, 99, 99, true);
        assert_eq!(g.earned(0, 99), 0.0);
        g.saw(0, 2, 2, false);
        g.saw(0, 2, 2, false);
        g.saw(0, 2, 2, false);
        // Now member 2's grant (0.19 · 0.9³ ≈ 0.14) is still larger than a fresh 0.1.
        g.saw(0, 99, 99, true);
        assert_eq!(g.earned(0, 99), 0.0);
        for _ in 0..10 {
            g.saw(0, 2, 2, false);
        }
        g.saw(0, 99, 99, true);
        assert_eq!(g.earned(0, 99), 0.1, "replaced the smallest");
        assert_eq!(g.of(0).count(), HELD);
    }

    #[test]
    fn centralization_of_known_networks() {
        assert_eq!(centralization(&[0.5, 0.5, 0.5]), 0.0);
        // A star: the centre relied on fully by the n − 1 others, nobody else relied on.
        assert_eq!(centralization(&[1.0, 0.0, 0.0, 0.0]), 1.0);
        assert!(centralization(&[1.0]).is_nan());
    }

    #[test]
    fn decaying_every_entry_equals_decaying_the_held_ones() {
        // A random history of good and bad acts, forgetting and decay, against the decay that
        // skips empty entries: the same bits, and empty entries stay exactly 0.
        let mut g = Grants::new(ON, 6);
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        for _ in 0..3000 {
            match next(10) {
                0 => g.forget(next(6) as usize),
                1..=3 => {
                    let mut skipping = g.held.clone();
                    for e in skipping.iter_mut().flatten().filter(|e| e.to != u32::MAX) {
                        e.value -= ON.decay * e.value;
                    }
                    g.decay();
                    assert_eq!(g.held, skipping);
                    for e in g.held.iter().flatten().filter(|e| e.to == u32::MAX) {
                        assert_eq!(e.value.to_bits(), 0.0f64.to_bits());
                    }
                }
                _ => {
                    let to = next(12) as u32;
                    g.saw(next(6) as usize, to, to as usize, next(3) > 0);
                }
            }
        }
    }
}
