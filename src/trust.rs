//! Trust (`[behaviour.trust]`, docs/ODD.md §7.2): between members and the members who decide
//! for them, and between leads who consult each other. It is built by changes that helped and
//! eroded by harmful adoptions, ignored proposals and disputes — what the members experienced,
//! whoever decided — and it moves willingness to propose, consent and how much a consulted lead's
//! judgement weighs (Mayer, Davis & Schoorman 1995; bad outcomes weigh more than good ones:
//! Slovic 1993).
//!
//! - **Team trust** R(d, k) ∈ [0, 1]: team d's trust in member k, who decided changes touching
//!   d's loci; it rises `gain`·(1 − R) after a change k adopted helped d's loci and falls
//!   `loss`·R after one harmed them.
//! - **Personal offset** of member i toward the member k who last decided one of its proposals:
//!   up `gain`/2·(1 − T) when heard, down `loss`·T when its proposal expired at k's desk; i's
//!   trust in k is T = clamp(R(d(i), k) + offset). (Being overruled is a dispute among those
//!   who judged, not between a proposer and its decider: it moves lead-to-lead trust.)
//! - **Lead-to-lead trust** L(k, l): k's trust in l, between members who consult or are
//!   consulted; a consulted lead's trust in the decider moves with the true effect of the change
//!   on its own domain when it went ahead, and falls when its objection was overridden; a
//!   decider's trust in a lead that blocked it falls.
//!
//! Every trust starts at `initial`, where every effect is neutral. State is sparse: a few
//! entries per domain (the members who decided for it), a member's last decider, and the pairs
//! of leads who consulted — never one entry per pair of members.

use crate::params::{DefaultValue as D, InputError, Kind, Param, Reader};

/// The parameters of trust; `gain` = `loss` = 0 switch it off.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trust {
    pub initial: f64,
    pub gain: f64,
    pub loss: f64,
    pub participation: f64,
    pub consent: f64,
}

/// `[behaviour.trust] initial`.
pub const INITIAL: Param = Param::rate(
    "initial",
    0.5,
    "trust before any experience (where every effect of trust is neutral)",
);
/// `[behaviour.trust] gain`.
pub const GAIN: Param = Param::rate(
    "gain",
    0.05,
    "after a good experience (a change that helped one's loci; being heard), trust moves this fraction toward 1 (0 with loss 0: off)",
);
/// `[behaviour.trust] loss`.
pub const LOSS: Param = Param::rate(
    "loss",
    0.15,
    "after a bad experience (a change that harmed one's loci; a proposal expired; being overruled or blocked), trust moves this fraction toward 0",
);
/// `[behaviour.trust] participation`.
pub const PARTICIPATION: Param = Param {
    key: "participation",
    kind: Kind::Real {
        min: 0.0,
        max: 10.0,
    },
    default: D::Real(0.5),
    meaning: "a member's propensity to propose × (its trust in whoever decides its proposals / initial)^participation",
};
/// `[behaviour.trust] consent`.
pub const CONSENT: Param = Param {
    key: "consent",
    kind: Kind::Real {
        min: 0.0,
        max: 10.0,
    },
    default: D::Real(1.0),
    meaning: "a consulted lead gives the decider the benefit of the doubt: it perceives the change plus consent · noise · (trust − initial) / initial; and the decider weighs a consulted lead's judgement by trust / initial",
};

impl Trust {
    /// Every parameter, for documentation.
    pub fn params() -> Vec<Param> {
        vec![INITIAL, GAIN, LOSS, PARTICIPATION, CONSENT]
    }

    /// Reads `[behaviour.trust]`.
    pub fn read(r: &mut Reader) -> Result<Trust, InputError> {
        Ok(Trust {
            initial: r.real(&INITIAL)?,
            gain: r.real(&GAIN)?,
            loss: r.real(&LOSS)?,
            participation: r.real(&PARTICIPATION)?,
            consent: r.real(&CONSENT)?,
        })
    }

    /// Whether trust ever moves.
    pub fn is_on(&self) -> bool {
        self.gain > 0.0 || self.loss > 0.0
    }

    /// Trust `x` after a good (`true`) or bad experience.
    #[inline]
    pub fn after(&self, x: f64, good: bool) -> f64 {
        if good {
            x + self.gain * (1.0 - x)
        } else {
            x - self.loss * x
        }
    }

    /// The factor on a member's propensity to propose, from its trust `t` in the member who
    /// decides its proposals.
    #[inline]
    pub fn participation_factor(&self, t: f64) -> f64 {
        if self.participation == 0.0 || self.initial <= 0.0 {
            1.0
        } else {
            (t / self.initial).powf(self.participation)
        }
    }

    /// How much a decider weighs a consulted lead it trusts `t`.
    #[inline]
    pub fn weight(&self, t: f64) -> f64 {
        if self.initial > 0.0 {
            t / self.initial
        } else {
            1.0
        }
    }

    /// The benefit of the doubt a consulted lead trusting the decider `t` adds to its perceived
    /// change, with evaluation noise `noise`.
    #[inline]
    pub fn benefit(&self, t: f64, noise: f64) -> f64 {
        if self.initial > 0.0 {
            self.consent * noise * (t - self.initial) / self.initial
        } else {
            0.0
        }
    }
}

/// Entries kept per domain (members who decided for it) and pairs of leads kept, at most: the
/// least recently used goes first. A run meets few deciders per domain.
const PER_DOMAIN: usize = 16;
const PAIRS: usize = 256;

/// One remembered trust: in member `whom` (by id), last used at step `used`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Entry {
    who: u32,
    whom: u32,
    value: f64,
    used: u32,
}

/// The trust of one run.
#[derive(Debug, Clone)]
pub struct Ledger {
    rule: Trust,
    /// Per domain: its trust in the members who decided for it (`who` is the domain).
    team: Vec<Vec<Entry>>,
    /// Lead-to-lead trust (`who` trusts `whom`).
    leads: Vec<Entry>,
    /// Per slot: the member who last decided one of its proposals (`u32::MAX`: none yet).
    pub last_decider: Vec<u32>,
    /// Per slot: its personal offset toward that member.
    offset: Vec<f64>,
}

impl Ledger {
    /// Fresh trust for `slots` slots in `domains` domains.
    pub fn new(rule: Trust, slots: usize, domains: usize) -> Ledger {
        Ledger {
            rule,
            team: (0..domains)
                .map(|_| Vec::with_capacity(PER_DOMAIN))
                .collect(),
            leads: Vec::with_capacity(PAIRS),
            last_decider: vec![u32::MAX; slots],
            offset: vec![0.0; slots],
        }
    }

    /// The rule.
    pub fn rule(&self) -> &Trust {
        &self.rule
    }

    /// Room for `slots` slots (after growth).
    pub fn fit(&mut self, slots: usize) {
        self.last_decider.resize(slots, u32::MAX);
        self.offset.resize(slots, 0.0);
    }

    /// A newcomer in `slot` starts with no personal history.
    pub fn forget(&mut self, slot: usize) {
        self.last_decider[slot] = u32::MAX;
        self.offset[slot] = 0.0;
    }

    fn get(list: &[Entry], who: u32, whom: u32) -> Option<f64> {
        list.iter()
            .find(|e| e.who == who && e.whom == whom)
            .map(|e| e.value)
    }

    fn update(
        list: &mut Vec<Entry>,
        cap: usize,
        who: u32,
        whom: u32,
        t: u32,
        f: impl Fn(f64) -> f64,
        initial: f64,
    ) {
        if let Some(e) = list.iter_mut().find(|e| e.who == who && e.whom == whom) {
            e.value = f(e.value);
            e.used = t;
            return;
        }
        let entry = Entry {
            who,
            whom,
            value: f(initial),
            used: t,
        };
        if list.len() < cap {
            list.push(entry);
        } else if let Some(oldest) = list.iter_mut().min_by_key(|e| (e.used, e.who, e.whom)) {
            *oldest = entry;
        }
    }

    /// Team `d`'s trust in member `k` (by id).
    #[inline]
    pub fn team(&self, d: usize, k: u32) -> f64 {
        // Every entry of `team[d]` has `who == d` (only `team_saw` writes there), so matching
        // `whom` alone finds the same entry: one compare per entry on this hot path.
        self.team[d]
            .iter()
            .find(|e| e.whom == k)
            .map_or(self.rule.initial, |e| e.value)
    }

    /// Member `i` (slot, of domain `d`) trusts the member who decides its proposals this much.
    #[inline]
    pub fn member(&self, i: usize, d: usize) -> f64 {
        match self.last_decider[i] {
            u32::MAX => self.rule.initial,
            k => (self.team(d, k) + self.offset[i]).clamp(0.0, 1.0),
        }
    }

    /// Lead `k` (by id) trusts lead `l` this much.
    pub fn lead(&self, k: u32, l: u32) -> f64 {
        Self::get(&self.leads, k, l).unwrap_or(self.rule.initial)
    }

    /// A change decided by member `k` helped (`good`) or harmed team `d`'s loci at step `t`.
    pub fn team_saw(&mut self, d: usize, k: u32, good: bool, t: u32) {
        let rule = self.rule;
        Self::update(
            &mut self.team[d],
            PER_DOMAIN,
            d as u32,
            k,
            t,
            |x| rule.after(x, good),
            rule.initial,
        );
    }

    /// Lead `k` (by id) had a good or bad experience of lead `l` at step `t`.
    pub fn lead_saw(&mut self, k: u32, l: u32, good: bool, t: u32) {
        let rule = self.rule;
        Self::update(
            &mut self.leads,
            PAIRS,
            k,
            l,
            t,
            |x| rule.after(x, good),
            rule.initial,
        );
    }

    /// Member `i` (slot, of domain `d`) heard from member `k`: its proposal was decided by `k`
    /// (`good`), or expired at `k`'s desk or `k` overruled it (bad).
    pub fn member_saw(&mut self, i: usize, d: usize, k: u32, good: bool) {
        if self.last_decider[i] != k {
            self.last_decider[i] = k;
            self.offset[i] = 0.0;
        }
        let t = self.member(i, d);
        let next = if good {
            t + self.rule.gain / 2.0 * (1.0 - t)
        } else {
            t - self.rule.loss * t
        };
        self.offset[i] += next - t;
    }

    /// The mean trust of the members of `slots` that have a decider (NaN when none has).
    pub fn mean_member(&self, active: &[bool], domain: &[u16]) -> f64 {
        let (mut sum, mut n) = (0.0, 0usize);
        for (i, &a) in active.iter().enumerate() {
            if a && self.last_decider[i] != u32::MAX {
                sum += self.member(i, domain[i] as usize);
                n += 1;
            }
        }
        if n == 0 { f64::NAN } else { sum / n as f64 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ON: Trust = Trust {
        initial: 0.5,
        gain: 0.05,
        loss: 0.15,
        participation: 0.5,
        consent: 1.0,
    };

    #[test]
    fn trust_follows_its_closed_form() {
        let mut l = Ledger::new(ON, 4, 2);
        for t in 1..=10 {
            l.team_saw(1, 77, true, t);
        }
        let want = 1.0 - (1.0 - 0.5) * 0.95f64.powi(10);
        assert!((l.team(1, 77) - want).abs() < 1e-12);
        assert_eq!(l.team(0, 77), 0.5, "another domain's trust is untouched");
        l.team_saw(1, 77, false, 11);
        assert!((l.team(1, 77) - want * 0.85).abs() < 1e-12);
        // A member's trust in its decider: the team's, plus its own experience.
        l.member_saw(3, 1, 77, false);
        assert!((l.member(3, 1) - want * 0.85 * 0.85).abs() < 1e-12);
        assert_eq!(l.member(2, 1), 0.5, "no decider yet");
        l.forget(3);
        assert_eq!(l.member(3, 1), 0.5);
    }

    #[test]
    fn leads_trust_is_directed_and_bounded_in_memory() {
        let mut l = Ledger::new(ON, 1, 1);
        l.lead_saw(1, 2, false, 1);
        assert_eq!(l.lead(1, 2), 0.5 * 0.85);
        assert_eq!(l.lead(2, 1), 0.5, "directed");
        for k in 0..(PAIRS as u32 + 10) {
            l.lead_saw(100 + k, 1, true, 2 + k);
        }
        assert_eq!(l.leads.len(), PAIRS);
        assert_eq!(
            l.lead(1, 2),
            0.5,
            "the least recently used pair was forgotten"
        );
    }

    #[test]
    fn effects_are_neutral_at_the_initial_trust() {
        assert_eq!(ON.participation_factor(0.5), 1.0);
        assert_eq!(ON.weight(0.5), 1.0);
        assert_eq!(ON.benefit(0.5, 0.05), 0.0);
        assert!((ON.participation_factor(1.0) - 2f64.sqrt()).abs() < 1e-12);
        assert!(ON.benefit(0.25, 0.05) < 0.0, "distrust: quicker to object");
        let off = Trust {
            gain: 0.0,
            loss: 0.0,
            ..ON
        };
        assert!(!off.is_on());
    }

    #[test]
    fn team_lookup_by_whom_alone_finds_the_entry_matched_by_both_keys() {
        // A random history that overflows the per-domain lists (evictions) and reuses ids
        // across domains: the shortcut must agree with matching (who, whom) everywhere.
        let mut l = Ledger::new(ON, 8, 3);
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        for t in 1..=2000 {
            let d = next(3) as usize;
            let k = next(40) as u32;
            l.team_saw(d, k, next(3) > 0, t);
            for d in 0..3 {
                for k in 0..40 {
                    let both = Ledger::get(&l.team[d], d as u32, k).unwrap_or(ON.initial);
                    assert_eq!(l.team(d, k).to_bits(), both.to_bits());
                }
            }
        }
    }
}
