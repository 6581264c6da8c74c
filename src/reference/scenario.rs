//! Scenario files of the reference models, so they run in the same engine as the leadership
//! models — with replications, sweeps, statistics and charts.
//!
//! ```toml
//! family = "march1991"          # or "lazer_friedman2007"
//! steps = 20000                 # periods (rounds); a March run may stop at equilibrium
//! replications = 80
//! [march1991]
//! m = 30
//! n = 50
//! [[models]]                    # the variants compared, each with its own rates
//! name = "fast-socialization"
//! p1 = 0.9
//! p2 = 0.5
//! ```
//!
//! Within a replicate every variant starts from the same state (March: the same reality and
//! beliefs; Lazer & Friedman: the same landscape and starting configurations) and uses the same
//! behaviour stream: common random numbers, as for the leadership models.

use super::lazer_friedman::{self as lf, LfError, Network};
use super::march1991;
use crate::landscape::{Config, EXACT_MAX_N, Landscape, LinkRule};
use crate::metrics::{Metric, MetricKind, Range};
use crate::params::{DefaultValue as D, InputError, Kind, Param, Reader};
use crate::rng::{self, Purpose};
use std::sync::atomic::{AtomicBool, Ordering};

/// Per-period metrics of a March run.
pub(crate) const MARCH_METRICS: [Metric; 4] = [
    Metric {
        name: "code_knowledge",
        meaning: "knowledge of the organizational code: Σ code·reality / m",
        kind: MetricKind::Outcome,
        unit: "score",
        range: Range::SIGNED_UNIT,
        odd: "Part II §7.1",
    },
    Metric {
        name: "individual_knowledge",
        meaning: "mean knowledge of the individuals: Σ belief·reality / m",
        kind: MetricKind::Outcome,
        unit: "score",
        range: Range::SIGNED_UNIT,
        odd: "Part II §7.1",
    },
    Metric {
        name: "equilibrium",
        meaning: "1 once no learning can change the code or any belief, else 0",
        kind: MetricKind::Process,
        unit: "indicator",
        range: Range::UNIT,
        odd: "Part II §7.1",
    },
    Metric {
        name: "period",
        meaning: "the period (its final value is the length of the run)",
        kind: MetricKind::Process,
        unit: "periods",
        range: Range::NON_NEGATIVE,
        odd: "Part II §7.1",
    },
];

/// Per-round metrics of a Lazer & Friedman run.
pub(crate) const LF_METRICS: [Metric; 2] = [
    Metric {
        name: "mean_score",
        meaning: "mean score (F / Fmax)^exponent of the agents' solutions",
        kind: MetricKind::Outcome,
        unit: "score",
        range: Range::UNIT,
        odd: "Part II §7.2",
    },
    Metric {
        name: "distinct_solutions",
        meaning: "number of distinct solutions the agents hold",
        kind: MetricKind::Process,
        unit: "solutions",
        range: Range::NON_NEGATIVE,
        odd: "Part II §7.2",
    },
];

pub(crate) const M: Param = Param {
    key: "m",
    kind: Kind::Whole {
        min: 1,
        max: march1991::MAX_M as u64,
    },
    default: D::Whole(30),
    meaning: "dimensions of reality",
};
pub(crate) const N_INDIVIDUALS: Param = Param {
    key: "n",
    kind: Kind::Whole {
        min: 1,
        max: 1_000_000,
    },
    default: D::Whole(50),
    meaning: "individuals",
};
pub(crate) const STOP: Param = Param {
    key: "stop_at_equilibrium",
    kind: Kind::Flag,
    default: D::Flag(true),
    meaning: "end a run at the first period in equilibrium (steps is then the cap)",
};
pub(crate) const P1: Param = Param::rate("p1", 0.5, "socialization rate");
pub(crate) const P2: Param = Param::rate("p2", 0.5, "code-learning rate");
pub(crate) const P3: Param = Param::rate(
    "p3",
    0.0,
    "turnover: probability per period that an individual is replaced",
);
pub(crate) const P4: Param = Param::rate(
    "p4",
    0.0,
    "turbulence: probability per period that a dimension of reality flips",
);
pub(crate) const FAST_FRACTION: Param = Param::rate(
    "fast_fraction",
    0.0,
    "share of individuals who socialize at p1_fast",
);
pub(crate) const P1_FAST: Param =
    Param::rate("p1_fast", 0.9, "socialization rate of the fast learners");

pub(crate) const AGENTS: Param = Param {
    key: "agents",
    kind: Kind::Whole {
        min: 2,
        max: 100_000,
    },
    default: D::Whole(100),
    meaning: "agents searching the landscape",
};
/// Scores divide by the landscape's exact maximum, so N is at most what that allows.
pub(crate) const LF_N: Param = Param {
    key: "n",
    kind: Kind::Whole {
        min: 1,
        max: EXACT_MAX_N as u64,
    },
    default: D::Whole(20),
    meaning: "landscape decisions N",
};
pub(crate) const LF_K: Param = Param {
    key: "k",
    kind: Kind::Whole {
        min: 0,
        max: EXACT_MAX_N as u64 - 1,
    },
    default: D::Whole(5),
    meaning: "landscape interactions K",
};
pub(crate) const LINKS: Param = Param {
    key: "links",
    kind: Kind::Choice(&["with_replacement", "distinct"]),
    default: D::Word("with_replacement"),
    meaning: "how each decision's K links are drawn (the authors' generator draws with replacement)",
};
pub(crate) const EXPONENT: Param = Param {
    key: "exponent",
    kind: Kind::Whole { min: 1, max: 64 },
    default: D::Whole(8),
    meaning: "score = (F / Fmax)^exponent",
};
pub(crate) const NETWORK: Param = Param {
    key: "kind",
    kind: Kind::Choice(&["linear", "complete", "random", "lattice", "small_world"]),
    default: D::Required,
    meaning: "the network the agents are on",
};
pub(crate) const VELOCITY: Param = Param::rate(
    "velocity",
    1.0,
    "probability per round that an agent looks at its neighbours",
);
pub(crate) const COPY_ERROR: Param = Param::rate(
    "copy_error",
    0.0,
    "probability that a differing bit is not copied",
);
pub(crate) const LINK_P: Param = Param::rate(
    "p",
    0.1,
    "random: link probability (the graph is then connected)",
);
pub(crate) const DEGREE: Param = Param {
    key: "degree",
    kind: Kind::Whole {
        min: 1,
        max: 100_000,
    },
    default: D::Whole(4),
    meaning: "lattice and small_world: ties to the nearest agents on the ring",
};
pub(crate) const REWIRINGS: Param = Param {
    key: "rewirings",
    kind: Kind::Whole {
        min: 0,
        max: 1_000_000,
    },
    default: D::Whole(10),
    meaning: "small_world: random rewirings that keep the graph connected",
};

/// A validated March (1991) study.
#[derive(Debug, Clone, PartialEq)]
pub struct MarchStudy {
    pub(crate) m: usize,
    pub(crate) n: usize,
    /// Whether a run ends at the first period in equilibrium (`stop_at_equilibrium`) instead
    /// of running every step.
    pub stop_at_equilibrium: bool,
    /// The variants, each a full parameter set (m and n from the study).
    pub(crate) variants: Vec<march1991::Params>,
}

/// A validated Lazer & Friedman (2007) study.
#[derive(Debug, Clone, PartialEq)]
pub struct LfStudy {
    pub(crate) agents: usize,
    pub(crate) n: usize,
    pub(crate) k: usize,
    pub(crate) links: LinkRule,
    pub(crate) exponent: u32,
    /// The networks compared, with each one's velocity and copy error.
    pub(crate) variants: Vec<(Network, f64, f64)>,
}

/// Reads the `[march1991]` table and the `[[models]]` variants (already split out by the caller).
pub(crate) fn read_march(
    table: &mut Reader,
    models: &mut [Reader],
) -> Result<MarchStudy, InputError> {
    let m = table.whole(&M)? as usize;
    let n = table.whole(&N_INDIVIDUALS)? as usize;
    let stop_at_equilibrium = table.flag(&STOP)?;
    let mut variants = Vec::new();
    for r in models.iter_mut() {
        let params = march1991::Params {
            m,
            n,
            p1: r.real(&P1)?,
            p2: r.real(&P2)?,
            p3: r.real(&P3)?,
            p4: r.real(&P4)?,
            fast_fraction: r.real(&FAST_FRACTION)?,
            p1_fast: r.real(&P1_FAST)?,
        };
        params
            .validate()
            .map_err(|e| r.error("p1", e.to_string()))?;
        variants.push(params);
    }
    Ok(MarchStudy {
        m,
        n,
        stop_at_equilibrium,
        variants,
    })
}

/// Reads the `[lazer_friedman2007]` table and the `[[models]]` networks.
pub(crate) fn read_lf(table: &mut Reader, models: &mut [Reader]) -> Result<LfStudy, InputError> {
    let agents = table.whole(&AGENTS)? as usize;
    let n = table.whole(&LF_N)? as usize;
    let k = table.whole(&LF_K)? as usize;
    if k >= n {
        return Err(table.error(
            "k",
            format!(
                "K = {k} is out of range for N = {n}: K must be between 0 and N - 1 = {}",
                n - 1
            ),
        ));
    }
    let links = if table.choice(&LINKS)? == "distinct" {
        LinkRule::Distinct
    } else {
        LinkRule::WithReplacement
    };
    let exponent = table.whole(&EXPONENT)? as u32;
    let mut variants = Vec::new();
    for r in models.iter_mut() {
        let network = match r.choice(&NETWORK)? {
            "linear" => Network::Linear,
            "complete" => Network::Complete,
            "random" => Network::Random {
                p: r.real(&LINK_P)?,
            },
            "lattice" => Network::Lattice {
                k: r.whole(&DEGREE)? as usize,
            },
            _ => Network::SmallWorld {
                k: r.whole(&DEGREE)? as usize,
                rewirings: r.whole(&REWIRINGS)? as usize,
            },
        };
        // Each error at the key that can fix it.
        network.validate(agents).map_err(|e| {
            let key = match e {
                LfError::BadDegree { .. } => "degree",
                LfError::TooMuchRewiring { .. } => "rewirings",
                LfError::BadProbability { .. } => "p",
                _ => "kind",
            };
            r.error(key, e.to_string())
        })?;
        variants.push((network, r.real(&VELOCITY)?, r.real(&COPY_ERROR)?));
    }
    Ok(LfStudy {
        agents,
        n,
        k,
        links,
        exponent,
        variants,
    })
}

impl MarchStudy {
    /// Runs variant `v` for at most `steps` periods on the world of `world_seed`: rows of
    /// [`MARCH_METRICS`] for periods 1, 2, … (the state of each period after its turbulence and
    /// turnover, before its learning, as March records it).
    #[cfg(test)]
    pub(crate) fn run(&self, v: usize, steps: u32, world_seed: u64) -> Vec<(u32, Vec<f64>)> {
        self.run_until(v, steps, world_seed, &AtomicBool::new(false))
            .expect("a flag nobody sets never stops the run")
    }

    /// [`MarchStudy::run`], abandoned (`None`) when `stop` is set: it is looked at every 256
    /// periods, so Ctrl-C does not wait for a long run without equilibrium to finish.
    pub(crate) fn run_until(
        &self,
        v: usize,
        steps: u32,
        world_seed: u64,
        stop: &AtomicBool,
    ) -> Option<Vec<(u32, Vec<f64>)>> {
        let params = &self.variants[v];
        let mut init = rng::stream(world_seed, Purpose::Reference, &[0]);
        let mut behaviour = rng::stream(world_seed, Purpose::Reference, &[1]);
        let mut state = march1991::State::new(params, &mut init);
        let mut rows = Vec::with_capacity(steps.min(100_000) as usize);
        for t in 1..=steps {
            if t % 256 == 0 && stop.load(Ordering::Relaxed) {
                return None;
            }
            state.disturb(params, &mut behaviour);
            let p = state.observe();
            rows.push((
                t,
                vec![
                    p.code_knowledge,
                    p.individual_knowledge,
                    f64::from(u8::from(p.equilibrium)),
                    t as f64,
                ],
            ));
            if p.equilibrium && self.stop_at_equilibrium {
                break;
            }
            state.learn(params, &mut behaviour);
        }
        Some(rows)
    }

    /// Parameter values of variant `v`, for the manifest.
    pub(crate) fn describe(&self, v: usize) -> Vec<(&'static str, String)> {
        let p = &self.variants[v];
        vec![
            ("p1", p.p1.to_string()),
            ("p2", p.p2.to_string()),
            ("p3", p.p3.to_string()),
            ("p4", p.p4.to_string()),
            ("fast_fraction", p.fast_fraction.to_string()),
            ("p1_fast", p.p1_fast.to_string()),
        ]
    }
}

impl LfStudy {
    fn params(&self, v: usize, steps: u32) -> lf::Params {
        let (_, velocity, copy_error) = self.variants[v];
        lf::Params {
            agents: self.agents,
            n: self.n,
            k: self.k,
            links: self.links,
            exponent: self.exponent,
            velocity,
            copy_error,
            rounds: steps as usize,
        }
    }

    /// Runs network `v` for `steps` rounds on the world of `world_seed`: rows of [`LF_METRICS`]
    /// for rounds 0 (the common start), 1, …
    pub(crate) fn run(&self, v: usize, steps: u32, world_seed: u64) -> Vec<(u32, Vec<f64>)> {
        let params = self.params(v, steps);
        let land = Landscape::generate(
            &params.spec(),
            &mut rng::stream(world_seed, Purpose::Landscape, &[0]),
        )
        .expect("validated landscape");
        let mut starts = rng::stream(world_seed, Purpose::Reference, &[0]);
        let start: Vec<Config> = (0..self.agents)
            .map(|_| Config::random(self.n, &mut starts))
            .collect();
        let mut net_rng = rng::stream(world_seed, Purpose::Reference, &[2, v as u64]);
        let graph = self.variants[v].0.graph(self.agents, &mut net_rng);
        let mut behaviour = rng::stream(world_seed, Purpose::Reference, &[1]);
        lf::run(
            &land,
            graph.as_ref().into(),
            &start,
            &params,
            &mut behaviour,
        )
        .into_iter()
        .enumerate()
        .map(|(t, r)| (t as u32, vec![r.mean_score, r.distinct as f64]))
        .collect()
    }

    /// Network and rates of variant `v`, for the manifest.
    pub(crate) fn describe(&self, v: usize) -> Vec<(&'static str, String)> {
        let (net, velocity, copy_error) = self.variants[v];
        vec![
            ("network", net.label()),
            ("velocity", velocity.to_string()),
            ("copy_error", copy_error.to_string()),
        ]
    }
}

/// Every parameter of the reference families, by table, for documentation.
pub(crate) fn params() -> Vec<(&'static str, Vec<Param>)> {
    vec![
        ("march1991", vec![M, N_INDIVIDUALS, STOP]),
        (
            "models (march1991)",
            vec![P1, P2, P3, P4, FAST_FRACTION, P1_FAST],
        ),
        (
            "lazer_friedman2007",
            vec![AGENTS, LF_N, LF_K, LINKS, EXPONENT],
        ),
        (
            "models (lazer_friedman2007)",
            vec![NETWORK, VELOCITY, COPY_ERROR, LINK_P, DEGREE, REWIRINGS],
        ),
    ]
}
