//! The organization: members in slots, domains, the formal reporting tree and the informal
//! communication network (docs/ODD.md §2, §5).
//!
//! Plain data: one vector per member attribute, indexed by slot. A slot is a position in the
//! organization; when a member leaves and is replaced, the newcomer takes the same slot (and its
//! ties) under a new member id. Slot 0 is the formal leader, the root of the reporting tree.
//!
//! Decisions are split into `domains` contiguous blocks (decision `j` belongs to domain
//! ⌊j·domains/N⌋, aligned with the modules of a modular landscape of as many modules); member
//! slot `s` belongs to domain `s mod domains`.

use crate::network::{self, Graph};
use crate::params::{DefaultValue as D, Dist, InputError, Kind, Param, Reader};
use crate::rng::{self, Purpose, SimRng};
use rand_distr::Distribution;

/// A slot index.
pub type Slot = usize;

/// The informal communication network.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NetworkSpec {
    /// The reporting tree itself.
    Hierarchy,
    /// Watts–Strogatz: ring of `degree`, each tie rewired with probability `rewire`.
    SmallWorld {
        /// Ties per member in the ring before rewiring (even; 1 to 10,000).
        degree: usize,
        /// Probability that a ring tie is rewired to a random member, in [0, 1].
        rewire: f64,
    },
    /// Barabási–Albert with `m` ties per newcomer.
    ScaleFree {
        /// Ties each member makes as it joins, by preferential attachment.
        m: usize,
    },
    /// Everyone linked to everyone.
    Complete,
    /// A ring, each linked to its `degree` nearest.
    Ring {
        /// Ties per member: its `degree`/2 nearest on each side.
        degree: usize,
    },
    /// Same-domain pairs linked with probability `inside`, others with `between`.
    Teams {
        /// Tie probability between members of the same domain, in [0, 1].
        inside: f64,
        /// Tie probability between members of different domains, in [0, 1].
        between: f64,
    },
}

/// Everything that defines how an organization is built.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgSpec {
    /// Members at the start, 2 to [`MAX_MEMBERS`]; slot 0 is the formal leader.
    pub members: usize,
    /// Domains (teams, departments) the decisions and members are split into, 1 to 64 and at
    /// most N and `members` (docs/ODD.md §2, Domains).
    pub domains: usize,
    /// Direct reports per manager inside a domain in the reporting tree (docs/ODD.md §2).
    pub span: usize,
    /// The informal communication network.
    pub network: NetworkSpec,
    /// Members' expertise on their own domain's decisions, each in [0, 1] (docs/ODD.md §5).
    pub expertise_own: Dist,
    /// Members' expertise on other domains' decisions.
    pub expertise_other: Dist,
    /// The formal leader's expertise on every decision (a generalist).
    pub expertise_leader: Dist,
    /// Newcomers' expertise on their own domain's decisions (on others: `expertise_other`).
    pub expertise_newcomer: Dist,
    /// Initial engagement, in [0, 1]; each member's draw is also the baseline it relaxes to.
    pub engagement: Dist,
    /// Initial leadership skill, in [0, 1].
    pub skill: Dist,
    /// Leadership skill of newcomers (replacements and growth).
    pub skill_newcomer: Dist,
}

/// The largest organization a scenario may ask for (members, after growth).
pub const MAX_MEMBERS: u64 = 1_000_000;

/// The most memory the organization of one run may take (members' attributes, expertise and
/// informal ties): the budget of a whole run (`scenario::MAX_RUN_BYTES`), checked here first so
/// the error names the network parameter. Runs go in parallel, one per thread, each with its own
/// organization.
pub const MAX_ORG_BYTES: u64 = 2 << 30;

/// Bytes a member takes besides its expertise row: attributes, the adjacency list's header, the
/// step's draws and the metrics' windows (an upper estimate).
pub const MEMBER_BYTES: u64 = 200;

/// Bytes an informal tie takes at the peak, when a network disruption cuts it: an entry in both
/// ends' adjacency lists (8), the draw of the ties to cut (16), the record of cut ties (8) and
/// both orientations while cutting in bulk (16).
pub const TIE_BYTES: u64 = 48;

/// The largest organization whose network draws every pair of members (`complete`, `teams`).
pub const MAX_PAIRWISE_MEMBERS: usize = 20_000;

pub(crate) const MEMBERS: Param = Param {
    key: "members",
    kind: Kind::Whole {
        min: 2,
        max: MAX_MEMBERS,
    },
    default: D::Whole(50),
    meaning: "number of members (slot 0 is the formal leader)",
};
pub(crate) const DOMAINS: Param = Param {
    key: "domains",
    kind: Kind::Whole { min: 1, max: 64 },
    default: D::Whole(4),
    meaning: "number of domains (teams/departments); decisions and members are split among them; at most N and at most members",
};
pub(crate) const SPAN: Param = Param {
    key: "span",
    kind: Kind::Whole { min: 1, max: 1000 },
    default: D::Whole(4),
    meaning: "reporting tree: direct reports per manager inside a domain (under the leader, one head per domain)",
};
pub(crate) const NETWORK_KIND: Param = Param {
    key: "kind",
    kind: Kind::Choice(&[
        "hierarchy",
        "small_world",
        "scale_free",
        "complete",
        "ring",
        "teams",
    ]),
    default: D::Word("small_world"),
    meaning: "informal communication network",
};
pub(crate) const DEGREE: Param = Param {
    key: "degree",
    kind: Kind::Whole {
        min: 1,
        max: 10_000,
    },
    default: D::Whole(4),
    meaning: "small_world and ring: ties per member in the ring",
};
pub(crate) const REWIRE: Param = Param {
    key: "rewire",
    kind: Kind::Real { min: 0.0, max: 1.0 },
    default: D::Real(0.1),
    meaning: "small_world: probability that a ring tie is rewired",
};
pub(crate) const ATTACH: Param = Param {
    key: "m",
    kind: Kind::Whole { min: 1, max: 1000 },
    default: D::Whole(2),
    meaning: "scale_free: ties each new member makes (preferential attachment; below members)",
};
pub(crate) const INSIDE: Param = Param {
    key: "inside",
    kind: Kind::Real { min: 0.0, max: 1.0 },
    default: D::Real(0.8),
    meaning: "teams: tie probability between members of the same domain",
};
pub(crate) const BETWEEN: Param = Param {
    key: "between",
    kind: Kind::Real { min: 0.0, max: 1.0 },
    default: D::Real(0.02),
    meaning: "teams: tie probability between members of different domains",
};
pub(crate) const EXPERTISE_OWN: Param = Param {
    key: "own",
    kind: Kind::Distribution,
    default: D::Dist(Dist::Beta {
        mean: 0.6,
        sd: 0.15,
    }),
    meaning: "expertise of members on their own domain's decisions",
};
pub(crate) const EXPERTISE_OTHER: Param = Param {
    key: "other",
    kind: Kind::Distribution,
    default: D::Dist(Dist::Beta {
        mean: 0.25,
        sd: 0.1,
    }),
    meaning: "expertise of members on other domains' decisions",
};
pub(crate) const EXPERTISE_LEADER: Param = Param {
    key: "leader",
    kind: Kind::Distribution,
    default: D::Dist(Dist::Beta {
        mean: 0.6,
        sd: 0.15,
    }),
    meaning: "expertise of the formal leader (slot 0) on every decision: a generalist",
};
pub(crate) const EXPERTISE_NEWCOMER: Param = Param {
    key: "newcomer",
    kind: Kind::Distribution,
    default: D::Dist(Dist::Beta {
        mean: 0.25,
        sd: 0.1,
    }),
    meaning: "expertise of replacements and new members on their own domain's decisions (others: `other`)",
};
pub(crate) const ENGAGEMENT: Param = Param {
    key: "initial",
    kind: Kind::Distribution,
    default: D::Dist(Dist::Beta {
        mean: 0.6,
        sd: 0.15,
    }),
    meaning: "initial engagement; each member's draw is also the baseline its engagement relaxes to",
};
pub(crate) const SKILL: Param = Param {
    key: "initial",
    kind: Kind::Distribution,
    default: D::Dist(Dist::Beta { mean: 0.3, sd: 0.1 }),
    meaning: "initial leadership skill",
};
pub(crate) const SKILL_NEWCOMER: Param = Param {
    key: "newcomer",
    kind: Kind::Distribution,
    default: D::Dist(Dist::Beta {
        mean: 0.15,
        sd: 0.05,
    }),
    meaning: "leadership skill of replacements and new members",
};

/// Reads `[organization.network]` (`net`) for `members` members in `domains` domains with `n`
/// decisions, refusing a network that cannot be drawn or stored in reasonable time and memory.
fn read_network(
    net: &mut Reader,
    members: usize,
    domains: usize,
    n: usize,
) -> Result<NetworkSpec, InputError> {
    let network = match net.choice(&NETWORK_KIND)? {
        "hierarchy" => NetworkSpec::Hierarchy,
        "small_world" => NetworkSpec::SmallWorld {
            degree: net.whole(&DEGREE)? as usize,
            rewire: net.real(&REWIRE)?,
        },
        "scale_free" => NetworkSpec::ScaleFree {
            m: net.whole(&ATTACH)? as usize,
        },
        "complete" => NetworkSpec::Complete,
        "ring" => NetworkSpec::Ring {
            degree: net.whole(&DEGREE)? as usize,
        },
        _ => NetworkSpec::Teams {
            inside: net.real(&INSIDE)?,
            between: net.real(&BETWEEN)?,
        },
    };
    if let NetworkSpec::SmallWorld { degree, .. } | NetworkSpec::Ring { degree } = network
        && degree >= members
    {
        {
            return Err(net.error(
                "degree",
                format!(
                    "{degree} ties per member with {members} members: degree must be below members"
                ),
            ));
        }
    }
    if let NetworkSpec::ScaleFree { m } = network
        && m >= members
    {
        return Err(net.error(
            "m",
            format!("{m} ties per new member with {members} members: each new member ties to m earlier ones, so m must be below members"),
        ));
    }
    if matches!(network, NetworkSpec::Complete) && members > MAX_PAIRWISE_MEMBERS {
        return Err(net.error(
            "kind",
            format!("a complete network of {members} members has {} ties; use a sparse network above {MAX_PAIRWISE_MEMBERS} members", members * (members - 1) / 2),
        ));
    }
    if matches!(network, NetworkSpec::Teams { .. }) && members > MAX_PAIRWISE_MEMBERS {
        return Err(net.error(
            "kind",
            format!("a teams network draws a tie for every pair of members: {members} members make {} pairs; use teams with at most {MAX_PAIRWISE_MEMBERS} members, or a sparse network (small_world, scale_free, ring, hierarchy)", members as u64 * (members as u64 - 1) / 2),
        ));
    }
    let ties = network.ties(members, domains);
    let bytes = memory_bytes(members, n, ties);
    if bytes > MAX_ORG_BYTES {
        let (key, what) = match network {
            NetworkSpec::SmallWorld { .. } | NetworkSpec::Ring { .. } => (
                "degree",
                "lower organization.members or the network's degree",
            ),
            NetworkSpec::ScaleFree { .. } => ("m", "lower organization.members or the network's m"),
            NetworkSpec::Teams { .. } => (
                "inside",
                "lower organization.members or the tie probabilities",
            ),
            NetworkSpec::Hierarchy | NetworkSpec::Complete => {
                ("kind", "lower organization.members")
            }
        };
        return Err(net.error(
            key,
            format!(
                "{members} members with N = {n} decisions and about {ties:.0} informal ties need about {:.1} GiB per run; the limit is {} GiB: {what}",
                bytes as f64 / (1u64 << 30) as f64,
                MAX_ORG_BYTES >> 30
            ),
        ));
    }
    Ok(network)
}

impl OrgSpec {
    /// Reads `[organization]` (`r`), checked against `n` decisions.
    pub fn read(r: &mut Reader, n: usize) -> Result<OrgSpec, InputError> {
        let members = r.whole(&MEMBERS)? as usize;
        let domains = r.whole(&DOMAINS)? as usize;
        if domains > n {
            return Err(r.error(
                "domains",
                format!("{domains} domains for N = {n} decisions: every domain needs at least one decision, so domains must be at most {n}"),
            ));
        }
        if domains > members {
            return Err(r.error(
                "domains",
                format!("{domains} domains for {members} members: domains must be at most members"),
            ));
        }
        let mut rep = r.table("reporting")?;
        let span = rep.whole(&SPAN)? as usize;
        rep.finish()?;
        let mut net = r.table("network")?;
        let network = read_network(&mut net, members, domains, n)?;
        net.finish()?;
        let mut ex = r.table("expertise")?;
        let expertise_own = ex.dist(&EXPERTISE_OWN)?;
        let expertise_other = ex.dist(&EXPERTISE_OTHER)?;
        let expertise_leader = ex.dist(&EXPERTISE_LEADER)?;
        let expertise_newcomer = ex.dist(&EXPERTISE_NEWCOMER)?;
        ex.finish()?;
        let mut en = r.table("engagement")?;
        let engagement = en.dist(&ENGAGEMENT)?;
        en.finish()?;
        let mut sk = r.table("skill")?;
        let skill = sk.dist(&SKILL)?;
        let skill_newcomer = sk.dist(&SKILL_NEWCOMER)?;
        sk.finish()?;
        Ok(OrgSpec {
            members,
            domains,
            span,
            network,
            expertise_own,
            expertise_other,
            expertise_leader,
            expertise_newcomer,
            engagement,
            skill,
            skill_newcomer,
        })
    }

    /// Every parameter of `[organization]`, by sub-table, for documentation.
    pub fn params() -> Vec<(&'static str, Vec<Param>)> {
        vec![
            ("organization", vec![MEMBERS, DOMAINS]),
            ("organization.reporting", vec![SPAN]),
            (
                "organization.network",
                vec![NETWORK_KIND, DEGREE, REWIRE, ATTACH, INSIDE, BETWEEN],
            ),
            (
                "organization.expertise",
                vec![
                    EXPERTISE_OWN,
                    EXPERTISE_OTHER,
                    EXPERTISE_LEADER,
                    EXPERTISE_NEWCOMER,
                ],
            ),
            ("organization.engagement", vec![ENGAGEMENT]),
            ("organization.skill", vec![SKILL, SKILL_NEWCOMER]),
        ]
    }
}

impl NetworkSpec {
    /// The expected number of informal ties among `members` members in `domains` domains (for
    /// the size check).
    pub fn ties(&self, members: usize, domains: usize) -> f64 {
        let m = members as f64;
        let pairs = m * (m - 1.0) / 2.0;
        match *self {
            NetworkSpec::Hierarchy => m - 1.0,
            NetworkSpec::SmallWorld { degree, .. } | NetworkSpec::Ring { degree } => {
                m * degree.min(members.saturating_sub(1)).div_ceil(2) as f64
            }
            NetworkSpec::ScaleFree { m: attach } => (m * attach as f64).min(pairs),
            NetworkSpec::Complete => pairs,
            NetworkSpec::Teams { inside, between } => {
                let size = m / domains.max(1) as f64;
                let within = domains as f64 * size * (size - 1.0).max(0.0) / 2.0;
                inside * within + between * (pairs - within).max(0.0)
            }
        }
    }
}

/// Bytes the organization of one run takes with `members` members, `n` decisions and `ties`
/// informal ties (an upper estimate; see [`MAX_ORG_BYTES`]).
pub fn memory_bytes(members: usize, n: usize, ties: f64) -> u64 {
    let per_member = (n as u64).saturating_mul(8).saturating_add(MEMBER_BYTES);
    (members as u64)
        .saturating_mul(per_member)
        .saturating_add((ties * TIE_BYTES as f64).min(u64::MAX as f64) as u64)
}

/// Draws one value from a distribution on [0, 1].
pub fn sample(d: &Dist, rng: &mut SimRng) -> f64 {
    match *d {
        Dist::Constant(v) => v,
        Dist::Uniform { low, high } => low + (high - low) * rng::unit(rng),
        Dist::Beta { mean, sd } => {
            let c = mean * (1.0 - mean) / (sd * sd) - 1.0;
            // Validation guarantees c > 0, so both shapes are positive.
            match rand_distr::Beta::new(mean * c, (1.0 - mean) * c) {
                Ok(beta) => beta.sample(rng).clamp(0.0, 1.0),
                Err(_) => mean,
            }
        }
    }
}

/// Who fills a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hire {
    /// A newcomer: own-domain expertise from `expertise.newcomer`.
    Newcomer,
    /// An experienced hire replacing a leader: expertise and skill drawn like the slot's
    /// original member (`expertise.leader` for the formal leader, `expertise.own` for a domain
    /// member; `skill.initial`).
    Experienced,
}

/// Trust that never moves (until [`Organization::equip`] sets the run's rules).
const NEUTRAL_TRUST: crate::trust::Trust = crate::trust::Trust {
    initial: 0.5,
    gain: 0.0,
    loss: 0.0,
    participation: 0.0,
    consent: 0.0,
};

/// No influence (until [`Organization::equip`] sets the run's rules).
const NO_INFLUENCE: crate::influence::Influence = crate::influence::Influence {
    grant: 0.0,
    tie: 0.0,
    decay: 0.0,
    elections: 0.0,
};

/// An idea a member last proposed: set the decisions in `mask` to the bits of `values`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Idea {
    /// The decisions it changes, one bit per decision (0: no idea yet).
    pub mask: u64,
    /// The values it sets them to (bits outside `mask` are ignored).
    pub values: u64,
}

/// The members and their ties.
#[derive(Debug, Clone)]
pub struct Organization {
    /// Number of decisions.
    pub n: usize,
    /// Number of domains.
    pub domains: usize,
    /// Decisions of each domain, as a bit set.
    pub domain_decisions: Vec<u64>,
    /// Member id in each slot (ids are never reused).
    pub id: Vec<u32>,
    /// Whether the slot is occupied (a vacated leader's seat is not).
    pub active: Vec<bool>,
    /// Domain of each slot.
    pub domain: Vec<u16>,
    /// Expertise, `slots × n`, row per slot.
    pub expertise: Vec<f64>,
    /// Engagement of each slot's member, in [0, 1] (docs/ODD.md §7.2, Engagement).
    pub engagement: Vec<f64>,
    /// The engagement each member relaxes toward (its initial draw).
    pub baseline: Vec<f64>,
    /// Leadership skill of each slot's member, in [0, 1] (docs/ODD.md §7.2, Leadership skill).
    pub skill: Vec<f64>,
    /// The step at which the slot's current member joined.
    pub joined: Vec<u32>,
    /// Each member's last idea (mask 0: none yet).
    pub idea: Vec<Idea>,
    /// Formal manager of each slot (`u32::MAX` for the root).
    pub parent: Vec<u32>,
    /// Depth in the reporting tree (root 0).
    pub depth: Vec<u16>,
    /// Slots of each domain, ascending.
    pub domain_members: Vec<Vec<u32>>,
    /// Informal communication network.
    pub network: Graph,
    /// Decisions (reviews, consultations, votes) the slot's current member has made.
    pub decided: Vec<u32>,
    /// The step of the last review or consultation the slot's current member made (`u32::MAX`:
    /// none yet): who mentors (docs/ODD.md §7.2).
    pub last_decided: Vec<u32>,
    /// For a slot emptied by the loss of a leader, the step its replacement arrives (0: not
    /// vacant). Leadership models read it to apply their interim rule (docs/ODD.md §7.3).
    pub vacant_until: Vec<u32>,
    /// The domain of each decision.
    decision_domain: Vec<u16>,
    /// `slots × domains`: the step each member's expertise on each domain was last brought up
    /// to date (its last exposure, or its arrival).
    exposed: Vec<u32>,
    /// The current step, for expertise fading without exposure.
    now: u32,
    /// Fading of expertise without exposure: the rule and the level it fades toward (the mean
    /// of other domains' expertise).
    fading: Option<(crate::bounded::Bounded, f64)>,
    /// Trust between members and those who decide for them, and between leads.
    pub trust: crate::trust::Ledger,
    /// Influence members grant each other (earned grants).
    pub grants: crate::influence::Grants,
    /// Per slot: voice expectancy (what speaking up brings).
    pub voice: Vec<f64>,
    /// Per slot: time together with its team (steps in it, plus joint decisions).
    pub together: Vec<f64>,
    /// The voice expectancy a newcomer starts with.
    voice_initial: f64,
    next_id: u32,
    seed: u64,
}

impl Organization {
    /// Builds the organization of `spec` for `n` decisions from `seed`'s organization stream.
    pub fn build(spec: &OrgSpec, n: usize, seed: u64) -> Organization {
        let mut rng = rng::stream(seed, Purpose::Organization, &[0]);
        let m = spec.members;
        let domains = spec.domains;
        let mut domain_decisions = vec![0u64; domains];
        for j in 0..n {
            domain_decisions[j * domains / n] |= 1 << j;
        }
        let domain: Vec<u16> = (0..m).map(|s| (s % domains) as u16).collect();
        let mut expertise = vec![0.0; m * n];
        let mut engagement = vec![0.0; m];
        let mut skill = vec![0.0; m];
        for s in 0..m {
            let own = domain_decisions[domain[s] as usize];
            for j in 0..n {
                let d = if s == 0 {
                    &spec.expertise_leader
                } else if own >> j & 1 == 1 {
                    &spec.expertise_own
                } else {
                    &spec.expertise_other
                };
                expertise[s * n + j] = sample(d, &mut rng);
            }
            engagement[s] = sample(&spec.engagement, &mut rng);
            skill[s] = sample(&spec.skill, &mut rng);
        }
        let mut domain_members = vec![Vec::new(); domains];
        for s in 0..m {
            domain_members[domain[s] as usize].push(s as u32);
        }
        let (parent, depth) = reporting_tree(&domain_members, m, spec.span);
        let mut net_rng = rng::stream(seed, Purpose::Organization, &[1]);
        let mut network = match spec.network {
            NetworkSpec::Hierarchy => {
                let mut g = Graph::empty(m);
                for (s, &p) in parent.iter().enumerate().skip(1) {
                    g.add_edge(s, p as usize);
                }
                g
            }
            NetworkSpec::SmallWorld { degree, rewire } => {
                network::watts_strogatz(m, degree, rewire, &mut net_rng)
            }
            NetworkSpec::ScaleFree { m: attach } => {
                network::barabasi_albert(m, attach, &mut net_rng)
            }
            NetworkSpec::Complete => network::complete(m),
            NetworkSpec::Ring { degree } => network::ring_lattice(m, degree),
            NetworkSpec::Teams { inside, between } => {
                let team_of: Vec<usize> = domain.iter().map(|&d| d as usize).collect();
                network::teams(&team_of, inside, between, &mut net_rng)
            }
        };
        network.freeze();
        Organization {
            n,
            domains,
            domain_decisions,
            id: (0..m as u32).collect(),
            active: vec![true; m],
            domain,
            expertise,
            baseline: engagement.clone(),
            engagement,
            skill,
            joined: vec![0; m],
            idea: vec![Idea::default(); m],
            parent,
            depth,
            domain_members,
            network,
            decided: vec![0; m],
            last_decided: vec![u32::MAX; m],
            vacant_until: vec![0; m],
            decision_domain: (0..n).map(|j| (j * domains / n) as u16).collect(),
            exposed: vec![0; m * domains],
            now: 0,
            fading: None,
            trust: crate::trust::Ledger::new(NEUTRAL_TRUST, m, domains),
            grants: crate::influence::Grants::new(NO_INFLUENCE, m),
            voice: vec![0.5; m],
            together: vec![0.0; m],
            voice_initial: 0.5,
            next_id: m as u32,
            seed,
        }
    }

    /// Number of slots (occupied or not).
    #[inline]
    pub fn slots(&self) -> usize {
        self.id.len()
    }

    /// Number of occupied slots.
    pub fn active_count(&self) -> usize {
        self.active.iter().filter(|&&a| a).count()
    }

    /// Expertise of `slot` on decision `j` now (faded since its last exposure).
    #[inline]
    pub fn expertise(&self, slot: Slot, j: usize) -> f64 {
        let e = self.expertise[slot * self.n + j];
        match self.fading {
            Some((rule, floor)) => {
                let d = self.decision_domain[j];
                if d == self.domain[slot] {
                    // One's own domain is one's daily work: never faded.
                    e
                } else {
                    let since = self.now - self.exposed[slot * self.domains + d as usize];
                    rule.faded(e, floor, since)
                }
            }
            None => e,
        }
    }

    /// Mean expertise of `slot` over the decisions in `mask` (0 for an empty mask).
    #[inline]
    pub fn mean_expertise(&self, slot: Slot, mask: u64) -> f64 {
        let (mut sum, mut count) = (0.0, 0u32);
        let mut m = mask;
        while m != 0 {
            sum += self.expertise(slot, m.trailing_zeros() as usize);
            count += 1;
            m &= m - 1;
        }
        if count == 0 { 0.0 } else { sum / count as f64 }
    }

    /// Raises expertise on the decisions in `mask` by `rate · (1 − e)` (learning by practice).
    /// Practice exposes the member to the domains of those decisions: their expertise is
    /// brought up to date (faded) first, and fades from now on.
    #[inline]
    pub fn practise(&mut self, slot: Slot, mask: u64, rate: f64) {
        if self.fading.is_some() {
            self.expose(slot, mask);
        }
        let row = &mut self.expertise[slot * self.n..(slot + 1) * self.n];
        let mut m = mask;
        while m != 0 {
            let e = &mut row[m.trailing_zeros() as usize];
            *e += rate * (1.0 - *e);
            m &= m - 1;
        }
    }

    /// Brings `slot`'s expertise on every domain the decisions of `mask` belong to up to date
    /// and marks it exposed to them now.
    fn expose(&mut self, slot: Slot, mask: u64) {
        let mut domains = 0u64;
        let mut m = mask;
        while m != 0 {
            domains |= 1 << self.decision_domain[m.trailing_zeros() as usize];
            m &= m - 1;
        }
        while domains != 0 {
            let d = domains.trailing_zeros() as usize;
            domains &= domains - 1;
            for j in (0..self.n).filter(|&j| self.decision_domain[j] as usize == d) {
                self.expertise[slot * self.n + j] = self.expertise(slot, j);
            }
            self.exposed[slot * self.domains + d] = self.now;
        }
    }

    /// After the active members of domain `d` judged a change of the decisions in `mask`
    /// together, each one's expertise on each of those decisions moves `rate` of the way toward
    /// the best of theirs (team cognition: deciding together integrates knowledge).
    pub fn converge_domain(&mut self, d: usize, mask: u64, rate: f64) {
        let n = self.domain_members[d].len();
        self.converge_by(n, |org, i| org.domain_members[d][i] as usize, mask, rate);
    }

    /// As [`Organization::converge_domain`] for the members in `slots` (a consultation).
    pub fn converge(&mut self, slots: &[usize], mask: u64, rate: f64) {
        self.converge_by(slots.len(), |_, i| slots[i], mask, rate);
    }

    fn converge_by(
        &mut self,
        count: usize,
        slot: impl Fn(&Organization, usize) -> usize,
        mask: u64,
        rate: f64,
    ) {
        if self.fading.is_some() {
            // Judging together is exposure: expertise is brought up to date before it learns.
            for i in 0..count {
                let s = slot(self, i);
                if self.active[s] {
                    self.expose(s, mask);
                }
            }
        }
        let mut m = mask;
        while m != 0 {
            let j = m.trailing_zeros() as usize;
            m &= m - 1;
            let best = (0..count)
                .map(|i| slot(self, i))
                .filter(|&s| self.active[s])
                .map(|s| self.expertise(s, j))
                .fold(f64::MIN, f64::max);
            if best == f64::MIN {
                continue;
            }
            for i in 0..count {
                let s = slot(self, i);
                if self.active[s] {
                    let e = &mut self.expertise[s * self.n + j];
                    *e += rate * (best - *e);
                }
            }
        }
    }

    /// Starts step `t` (expertise fades by it).
    pub fn set_step(&mut self, t: u32) {
        self.now = t;
    }

    /// Expertise on other domains fades without exposure as `rule` says, toward `floor`.
    pub fn fade(&mut self, rule: crate::bounded::Bounded, floor: f64) {
        self.fading = (rule.fading > 0.0).then_some((rule, floor));
    }

    /// Sets the members' social state for these rules: trust, influence and voice start
    /// neutral, nobody has been in its team for any time yet.
    pub fn equip(
        &mut self,
        trust: crate::trust::Trust,
        influence: crate::influence::Influence,
        voice: crate::voice::Voice,
    ) {
        let (slots, domains) = (self.slots(), self.domains);
        self.trust = crate::trust::Ledger::new(trust, slots, domains);
        self.grants = crate::influence::Grants::new(influence, slots);
        self.voice_initial = voice.initial;
        self.voice = vec![voice.initial; slots];
        self.together = vec![0.0; slots];
    }

    /// The stream a newcomer's attributes are drawn from: keyed by the newcomer's id, so the
    /// same newcomer has the same attributes under every leadership model.
    fn newcomer_rng(&self, id: u32) -> SimRng {
        rng::stream(self.seed, Purpose::Organization, &[2, id as u64])
    }

    /// Fills `slot` with a new member (new id) joining at step `t`; keeps the slot's ties and
    /// place in the reporting tree. Returns the new id.
    pub fn replace(&mut self, slot: Slot, t: u32, spec: &OrgSpec, hire: Hire) -> u32 {
        let id = self.next_id;
        self.next_id += 1;
        let mut rng = self.newcomer_rng(id);
        let own = self.domain_decisions[self.domain[slot] as usize];
        for j in 0..self.n {
            let d = match hire {
                Hire::Experienced if slot == 0 => &spec.expertise_leader,
                Hire::Experienced if own >> j & 1 == 1 => &spec.expertise_own,
                Hire::Newcomer if own >> j & 1 == 1 => &spec.expertise_newcomer,
                _ => &spec.expertise_other,
            };
            self.expertise[slot * self.n + j] = sample(d, &mut rng);
        }
        let g = sample(&spec.engagement, &mut rng);
        self.engagement[slot] = g;
        self.baseline[slot] = g;
        // An experienced hire brings a member's skill (`skill.initial`), a newcomer a
        // newcomer's: the formal leader's seat is not refilled by a novice.
        let skill = match hire {
            Hire::Experienced => &spec.skill,
            Hire::Newcomer => &spec.skill_newcomer,
        };
        self.skill[slot] = sample(skill, &mut rng);
        self.id[slot] = id;
        self.active[slot] = true;
        self.joined[slot] = t;
        self.idea[slot] = Idea::default();
        self.decided[slot] = 0;
        self.last_decided[slot] = u32::MAX;
        self.vacant_until[slot] = 0;
        let row = slot * self.domains;
        self.exposed[row..row + self.domains].fill(t);
        // A newcomer has no history with anyone, and no time with its team.
        self.trust.forget(slot);
        self.grants.forget(slot);
        self.voice[slot] = self.voice_initial;
        self.together[slot] = 0.0;
        id
    }

    /// Empties `slot` (its member left) until step `until`, when a replacement arrives.
    pub fn vacate(&mut self, slot: Slot, until: u32) {
        self.active[slot] = false;
        self.idea[slot] = Idea::default();
        self.vacant_until[slot] = until;
    }

    /// Whether `slot` stands empty after the loss of a leader at step `t`, awaiting a
    /// replacement.
    #[inline]
    pub fn is_vacant(&self, slot: Slot, t: u32) -> bool {
        !self.active[slot] && self.vacant_until[slot] > t
    }

    /// The deputy of `slot` among the members `eligible` accepts: its first eligible direct
    /// report in slot order, else its manager, else the eligible member highest in the reporting
    /// tree (lowest depth, then lowest slot) among `pool`. `None` when nobody is eligible.
    pub fn deputy(
        &self,
        slot: Slot,
        pool: &[u32],
        eligible: impl Fn(Slot) -> bool,
    ) -> Option<Slot> {
        let ok = |s: Slot| self.active[s] && s != slot && eligible(s);
        if let Some(s) = (0..self.slots()).find(|&s| self.parent[s] as usize == slot && ok(s)) {
            return Some(s);
        }
        let boss = self.parent[slot] as usize;
        if boss < self.slots() && ok(boss) {
            return Some(boss);
        }
        pool.iter()
            .map(|&s| s as usize)
            .filter(|&s| ok(s))
            .min_by_key(|&s| (self.depth[s], s))
    }

    /// Adds a new member to `domain` at step `t` (growth): a newcomer who reports to a uniformly
    /// chosen member of the domain and is tied to `ties` members of the domain (or of the whole
    /// organization when the domain is empty), chosen uniformly from `rng`. Returns the slot.
    pub fn grow(
        &mut self,
        domain: usize,
        t: u32,
        spec: &OrgSpec,
        ties: usize,
        rng: &mut SimRng,
    ) -> Slot {
        let slot = self.id.len();
        let peers: Vec<u32> = self.domain_members[domain]
            .iter()
            .copied()
            .filter(|&s| self.active[s as usize])
            .collect();
        self.id.push(0);
        self.active.push(true);
        self.domain.push(domain as u16);
        self.expertise.extend(std::iter::repeat_n(0.0, self.n));
        self.engagement.push(0.0);
        self.baseline.push(0.0);
        self.skill.push(0.0);
        self.joined.push(t);
        self.idea.push(Idea::default());
        self.network.add_node();
        self.decided.push(0);
        self.last_decided.push(u32::MAX);
        self.vacant_until.push(0);
        self.exposed.extend(std::iter::repeat_n(t, self.domains));
        self.trust.fit(slot + 1);
        self.grants.fit(slot + 1);
        self.voice.push(self.voice_initial);
        self.together.push(0.0);
        let boss = if peers.is_empty() {
            0
        } else {
            peers[rng::below(rng, peers.len())]
        };
        self.parent.push(boss);
        self.depth.push(self.depth[boss as usize].saturating_add(1));
        self.domain_members[domain].push(slot as u32);
        let pool: Vec<u32> = if peers.is_empty() {
            (0..slot as u32).collect()
        } else {
            peers
        };
        let mut scratch = Vec::new();
        let mut picked = Vec::new();
        rng::choose_distinct(
            rng,
            pool.len(),
            ties.min(pool.len()),
            &mut scratch,
            &mut picked,
        );
        for &i in &picked {
            self.network.add_edge(slot, pool[i] as usize);
        }
        self.replace(slot, t, spec, Hire::Newcomer);
        slot
    }
}

/// The formal reporting tree: slot 0 at the root; under it one head per domain (the domain's
/// first member other than slot 0); inside a domain, its members in slot order form a tree in
/// which each manager has up to `span` direct reports.
fn reporting_tree(domain_members: &[Vec<u32>], m: usize, span: usize) -> (Vec<u32>, Vec<u16>) {
    let mut parent = vec![u32::MAX; m];
    let mut depth = vec![0u16; m];
    for members in domain_members {
        let list: Vec<u32> = members.iter().copied().filter(|&s| s != 0).collect();
        for (i, &s) in list.iter().enumerate() {
            let p = if i == 0 { 0 } else { list[(i - 1) / span] };
            parent[s as usize] = p;
            depth[s as usize] = depth[p as usize].saturating_add(1);
        }
    }
    (parent, depth)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(members: usize, domains: usize) -> OrgSpec {
        OrgSpec {
            members,
            domains,
            span: 3,
            network: NetworkSpec::SmallWorld {
                degree: 4,
                rewire: 0.1,
            },
            expertise_own: Dist::Beta { mean: 0.6, sd: 0.1 },
            expertise_other: Dist::Constant(0.2),
            expertise_leader: Dist::Constant(0.5),
            expertise_newcomer: Dist::Constant(0.1),
            engagement: Dist::Uniform {
                low: 0.4,
                high: 0.8,
            },
            skill: Dist::Constant(0.3),
            skill_newcomer: Dist::Constant(0.1),
        }
    }

    #[test]
    fn domains_partition_decisions_and_members() {
        let org = Organization::build(&spec(20, 4), 10, 1);
        let all = org.domain_decisions.iter().fold(0u64, |a, &m| {
            assert_eq!(a & m, 0);
            a | m
        });
        assert_eq!(all, (1 << 10) - 1);
        assert_eq!(org.domain_decisions[0], 0b111);
        assert_eq!(org.domain_members[1], vec![1, 5, 9, 13, 17]);
        assert!(org.engagement.iter().all(|g| (0.4..=0.8).contains(g)));
    }

    #[test]
    fn reporting_tree_has_domain_heads_under_the_leader() {
        let org = Organization::build(&spec(20, 4), 10, 1);
        assert_eq!(org.parent[0], u32::MAX);
        // Heads: first non-root member of each domain.
        for head in [4, 1, 2, 3] {
            assert_eq!(org.parent[head], 0);
            assert_eq!(org.depth[head], 1);
        }
        // Domain 1 members 1, 5, 9, 13, 17 with span 3: 5, 9, 13 report to 1; 17 to 5.
        assert_eq!(org.parent[5], 1);
        assert_eq!(org.parent[13], 1);
        assert_eq!(org.parent[17], 5);
        assert_eq!(org.depth[17], 3);
    }

    #[test]
    fn leader_is_a_generalist_and_experts_know_their_domain() {
        let org = Organization::build(&spec(20, 4), 10, 1);
        assert!((0..10).all(|j| org.expertise(0, j) == 0.5));
        assert_eq!(org.expertise(1, 0), 0.2);
        assert!(org.mean_expertise(1, org.domain_decisions[1]) > 0.3);
    }

    #[test]
    fn replacement_is_the_same_under_any_history() {
        let s = spec(20, 4);
        let mut a = Organization::build(&s, 10, 7);
        let mut b = a.clone();
        let ida = a.replace(3, 10, &s, Hire::Newcomer);
        // Another history: two departures elsewhere, earlier, before slot 3's.
        assert_eq!(b.replace(5, 2, &s, Hire::Newcomer), ida);
        assert_eq!(b.replace(6, 2, &s, Hire::Newcomer), ida + 1);
        assert_eq!(b.replace(3, 10, &s, Hire::Newcomer), ida + 2);
        // Newcomer ids differ by history, but a given id always draws the same attributes,
        // whatever its slot and step: b's first newcomer is a's, in another slot.
        assert_eq!(b.engagement[5], a.engagement[3]);
        assert_eq!(b.baseline[5], a.baseline[3]);
        assert_eq!(b.skill[5], a.skill[3]);
        assert_eq!(a.replace(8, 4, &s, Hire::Newcomer), ida + 1);
        assert_eq!(a.replace(9, 4, &s, Hire::Newcomer), ida + 2);
        assert_eq!(b.engagement[6], a.engagement[8]);
        assert_eq!(b.engagement[3], a.engagement[9]);
        assert_ne!(b.engagement[3], a.engagement[3], "another id, another draw");
        // Expertise follows the slot's domain (5 mod 4 = 1: decisions 3 and 4 of 10), not the id.
        assert_eq!(b.expertise(5, 3), 0.1);
        assert_eq!(b.expertise(5, 8), 0.2);
        assert_eq!(b.joined[5], 2);
        assert_eq!(b.joined[3], 10);
        let mut c = Organization::build(&s, 10, 7);
        let idc = c.replace(3, 10, &s, Hire::Newcomer);
        assert_eq!(c.replace(0, 11, &s, Hire::Experienced), idc + 1);
        assert_eq!(
            c.expertise(0, 0),
            0.5,
            "an experienced leader hire draws the leader's expertise"
        );
        assert_eq!(ida, idc);
        assert_eq!(a.engagement[3], c.engagement[3]);
        assert_eq!(a.expertise(3, 8), 0.1);
        assert_eq!(a.expertise(3, 4), 0.2);
        assert_eq!(a.joined[3], 10);
    }

    #[test]
    fn growth_adds_a_connected_member() {
        let s = spec(12, 3);
        let mut org = Organization::build(&s, 9, 3);
        let mut r = rng::stream(3, Purpose::Events, &[]);
        let slot = org.grow(2, 5, &s, 3, &mut r);
        assert_eq!(slot, 12);
        assert_eq!(org.network.degree(slot), 3);
        assert_eq!(org.domain[slot], 2);
        assert!(org.domain_members[2].contains(&12));
        assert_eq!(org.depth[slot], org.depth[org.parent[slot] as usize] + 1);
        assert_eq!(org.active_count(), 13);
    }

    /// Issue 8: organizations that cannot fit or would take hours to wire are refused.
    #[test]
    fn absurd_networks_are_refused_before_building() {
        let load = |org: &str| {
            crate::scenario::Scenario::from_text(
                &format!("{org}\n[[models]]\nkind = \"shared\"\n"),
                "o.toml",
            )
        };
        let e = load("[organization]\nmembers = 1000000\n[organization.network]\nkind = \"small_world\"\ndegree = 10000").unwrap_err().to_string();
        assert!(
            e.contains("o.toml:5: organization.network.degree") && e.contains("GiB"),
            "{e}"
        );
        let e = load("[organization]\nmembers = 500000\n[organization.network]\nkind = \"teams\"")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("organization.network.kind") && e.contains("at most 20000"),
            "{e}"
        );
        load("[organization]\nmembers = 1000000\n[landscape]\nn = 64\nk = 2\nnormalization = \"bound\"").unwrap();
    }

    #[test]
    fn tie_estimates_match_the_generators() {
        let mut r = rng::stream(1, Purpose::Organization, &[]);
        let cases = [
            (
                NetworkSpec::Ring { degree: 5 },
                network::ring_lattice(40, 5),
            ),
            (
                NetworkSpec::SmallWorld {
                    degree: 4,
                    rewire: 0.3,
                },
                network::watts_strogatz(40, 4, 0.3, &mut r),
            ),
            (
                NetworkSpec::ScaleFree { m: 3 },
                network::barabasi_albert(40, 3, &mut r),
            ),
            (NetworkSpec::Complete, network::complete(40)),
        ];
        for (spec, g) in cases {
            let est = spec.ties(40, 4);
            let got = g.edge_count() as f64;
            assert!(
                est >= got && est <= 1.1 * got + 5.0,
                "{spec:?}: estimated {est}, built {got}"
            );
        }
    }

    #[test]
    fn practice_moves_expertise_toward_one() {
        let mut org = Organization::build(&spec(4, 2), 4, 1);
        let before = org.expertise(1, 2);
        org.practise(1, 1 << 2, 0.5);
        assert!((org.expertise(1, 2) - (before + 0.5 * (1.0 - before))).abs() < 1e-12);
    }
}
