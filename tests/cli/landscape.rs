//! `leadsim landscape` against Kauffman's known results, determinism and bad arguments.

use crate::{Env, assert_close};
use leadsim::rng::{self, Purpose};

fn stats(env: &Env, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["landscape", "--json"];
    all.extend_from_slice(args);
    env.run(&all).ok().json()
}

fn num(v: &serde_json::Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} missing in {v}"))
}

/// K = 0 (Kauffman 1993, ch. 2): every decision contributes independently, so there is a single
/// optimum; its fitness is the mean of N maxima of two U(0,1) draws, 2/3 on average; and an
/// adaptive walk flips each wrong decision once: Binomial(N, 1/2) moves, N/2 on average.
#[test]
fn k_zero_matches_kauffman() {
    let env = Env::new();
    let (n, samples, walks): (f64, f64, f64) = (16.0, 40.0, 200.0);
    let v = stats(
        &env,
        &[
            "--n",
            "16",
            "--k",
            "0",
            "--samples",
            "40",
            "--walks",
            "200",
            "--seed",
            "11",
        ],
    );
    assert_eq!(num(&v, "local_optima"), 1.0);
    assert_eq!(num(&v, "local_optima_sd"), 0.0);
    // Var(max of two U(0,1)) = 1/18; the optimum is a mean of N of them.
    let se_opt = (1.0 / (18.0 * n * samples)).sqrt();
    assert_close(
        "optimum fitness",
        num(&v, "global_max"),
        2.0 / 3.0,
        4.0 * se_opt,
    );
    assert_eq!(num(&v, "local_optimum_fitness"), num(&v, "global_max"));
    // Walk length ~ Binomial(N, 1/2): sd sqrt(N)/2 per walk.
    let se_walk = (n.sqrt() / 2.0) / (samples * walks).sqrt();
    assert_close(
        "walk length",
        num(&v, "walk_length"),
        n / 2.0,
        4.0 * se_walk,
    );
}

/// K = N − 1: flipping any decision re-draws every contribution, so fitness values are
/// independent across configurations (Kauffman's "random" landscape). A configuration is a local
/// optimum with probability 1/(N+1), giving 2^N/(N+1) optima on average (Kauffman & Levin 1987);
/// their mean fitness is the mean of the largest of N + 1 independent fitness values.
#[test]
fn k_max_matches_kauffman() {
    let env = Env::new();
    let n = 14usize;
    let samples = 30.0;
    let v = stats(
        &env,
        &[
            "--n",
            "14",
            "--k",
            "13",
            "--samples",
            "30",
            "--walks",
            "400",
            "--seed",
            "5",
        ],
    );
    let expected_optima = (1u64 << n) as f64 / (n as f64 + 1.0);
    let se = num(&v, "local_optima_sd") / f64::sqrt(samples);
    assert_close(
        "local optima",
        num(&v, "local_optima"),
        expected_optima,
        4.0 * se + 1.0,
    );

    // Independent reference by Monte Carlo: the max of N + 1 fitness values, each a mean of N
    // uniforms, and adaptive walks on a landscape of independent values.
    let mut r = rng::stream(99, Purpose::Sampling, &[]);
    let draws = 100_000;
    let mut total = 0.0;
    for _ in 0..draws {
        let best = (0..=n)
            .map(|_| (0..n).map(|_| rng::unit(&mut r)).sum::<f64>() / n as f64)
            .fold(f64::MIN, f64::max);
        total += best;
    }
    let expected_fitness = total / draws as f64;
    // The Monte Carlo agrees with the exact integral `replicate nk` checks against.
    assert_close(
        "exact optimum fitness",
        leadsim::landscape::stats::uncorrelated_optimum_fitness(n),
        expected_fitness,
        0.001,
    );
    let se_fit = num(&v, "local_optimum_fitness_sd") / f64::sqrt(samples);
    assert_close(
        "local-optimum fitness",
        num(&v, "local_optimum_fitness"),
        expected_fitness,
        4.0 * se_fit + 0.002,
    );

    let mut lengths = Vec::new();
    for _ in 0..4 {
        let values: Vec<f64> = (0..1usize << n).map(|_| rng::unit(&mut r)).collect();
        for _ in 0..2000 {
            let mut c = rng::below(&mut r, 1 << n);
            let mut steps = 0;
            loop {
                let fitter: Vec<usize> = (0..n)
                    .map(|j| c ^ (1 << j))
                    .filter(|&x| values[x] > values[c])
                    .collect();
                if fitter.is_empty() {
                    break;
                }
                c = fitter[rng::below(&mut r, fitter.len())];
                steps += 1;
            }
            lengths.push(steps as f64);
        }
    }
    let m = lengths.iter().sum::<f64>() / lengths.len() as f64;
    let sd = (lengths.iter().map(|x| (x - m).powi(2)).sum::<f64>() / lengths.len() as f64).sqrt();
    // Both estimates are means of thousands of walks (12,000 and 8,000).
    let tol = 4.0 * sd * (1.0 / 12_000f64 + 1.0 / 8_000f64).sqrt();
    assert_close("walk length", num(&v, "walk_length"), m, tol);
    // And the textbook approximation: about ln N moves.
    assert_close("walk length vs ln N", m, (n as f64).ln(), 0.5);
}

#[test]
fn same_seed_same_output_for_any_thread_count() {
    let env = Env::new();
    let args = [
        "landscape",
        "--n",
        "12",
        "--k",
        "3",
        "--samples",
        "16",
        "--seed",
        "3",
    ];
    let one = env.run(&[&args[..], &["--threads", "1"]].concat()).ok();
    let two = env.run(&[&args[..], &["--threads", "2"]].concat()).ok();
    assert_eq!(one.stdout(), two.stdout());
    let mut other = args;
    other[args.len() - 1] = "4";
    let other_seed = env.run(&other).ok();
    assert_ne!(one.stdout(), other_seed.stdout());
    let json1 = env.run(&[&args[..], &["--json"]].concat()).ok().json();
    let json2 = env
        .run(&[&args[..], &["--json", "--threads", "1"]].concat())
        .ok()
        .json();
    assert_eq!(json1, json2);
    for key in [
        "n",
        "k",
        "samples",
        "local_optima",
        "local_optimum_fitness",
        "global_max",
        "walk_length",
    ] {
        assert!(json1.get(key).is_some(), "{key} missing");
    }
}

/// Modular interactions without cross-module links split the landscape into independent
/// blocks: with K = block size − 1 each block is a fully connected landscape of b decisions,
/// with 2^b/(b + 1) optima on average (Kauffman & Levin 1987), and a configuration is a local
/// optimum exactly when every block is one, so the mean count is (2^b/(b + 1))^blocks: 16 for
/// four blocks of three, where random links of the same K give about 11.
#[test]
fn modular_blocks_multiply_their_optima() {
    let env = Env::new();
    let samples = 400.0;
    let v = stats(
        &env,
        &[
            "--n",
            "12",
            "--k",
            "2",
            "--interaction",
            "modular",
            "--modules",
            "4",
            "--cross",
            "0",
            "--samples",
            "400",
            "--walks",
            "1",
            "--seed",
            "8",
        ],
    );
    let b = 3.0_f64;
    let expected = (b.exp2() / (b + 1.0)).powi(4);
    let se = num(&v, "local_optima_sd") / f64::sqrt(samples);
    assert_close("local optima", num(&v, "local_optima"), expected, 4.0 * se);
}

/// Adjacent interactions tie each decision to its neighbours on a ring (K = 2: the one after
/// and the one before). The mean number of local optima matches landscapes built here from
/// that rule alone (about 9.0 for N = 10, where K = 2 random links give about 7.7).
#[test]
fn adjacent_links_give_the_optima_of_a_ring() {
    let env = Env::new();
    let (n, samples) = (10usize, 400.0);
    let v = stats(
        &env,
        &[
            "--n",
            "10",
            "--k",
            "2",
            "--interaction",
            "adjacent",
            "--samples",
            "400",
            "--walks",
            "1",
            "--seed",
            "6",
        ],
    );
    // Reference: decision i contributes a uniform draw per value of (x_{i-1}, x_i, x_{i+1}).
    let mut r = rng::stream(17, Purpose::Sampling, &[]);
    let landscapes = 2000;
    let counts: Vec<f64> = (0..landscapes)
        .map(|_| {
            let tables: Vec<[f64; 8]> = (0..n)
                .map(|_| std::array::from_fn(|_| rng::unit(&mut r)))
                .collect();
            let bit = |c: usize, j: usize| (c >> (j % n)) & 1;
            let fitness: Vec<f64> = (0..1usize << n)
                .map(|c| {
                    (0..n)
                        .map(|i| tables[i][bit(c, i + n - 1) << 2 | bit(c, i) << 1 | bit(c, i + 1)])
                        .sum()
                })
                .collect();
            (0..1usize << n)
                .filter(|&c| (0..n).all(|j| fitness[c ^ (1 << j)] < fitness[c]))
                .count() as f64
        })
        .collect();
    let mean = counts.iter().sum::<f64>() / landscapes as f64;
    let sd = (counts.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / landscapes as f64).sqrt();
    let se_cli = num(&v, "local_optima_sd") / f64::sqrt(samples);
    let se_ref = sd / f64::sqrt(landscapes as f64);
    let tol = 4.0 * (se_cli * se_cli + se_ref * se_ref).sqrt();
    assert_close("local optima", num(&v, "local_optima"), mean, tol);
}

#[test]
fn bad_arguments_exit_2_and_say_what_is_valid() {
    let env = Env::new();
    env.run(&["landscape", "--n", "8", "--k", "8"])
        .fails(2, &["K = 8", "between 0 and N - 1 = 7"]);
    env.run(&["landscape", "--n", "0", "--k", "0"])
        .fails(2, &["N = 0", "between 1 and 64"]);
    env.run(&["landscape", "--n", "30", "--k", "2"])
        .fails(2, &["2^N", "at most 24"]);
    env.run(&["landscape", "--n", "10", "--k", "2", "--samples", "0"])
        .fails(2, &["samples = 0"]);
    env.run(&[
        "landscape",
        "--n",
        "12",
        "--k",
        "3",
        "--interaction",
        "modular",
        "--modules",
        "4",
    ])
    .fails(2, &["cross"]);
    env.run(&["landscape", "--n", "ten", "--k", "2"])
        .fails(2, &["invalid value"]);
    env.run(&["landscape", "--n", "12", "--k", "3", "--cross", "1"])
        .fails(2, &["modular interactions only", "--interaction modular"]);
    // The scenario files' spelling of the link rule works here too.
    let out = env
        .run(&[
            "landscape",
            "--n",
            "8",
            "--k",
            "2",
            "--samples",
            "2",
            "--links",
            "with_replacement",
        ])
        .ok()
        .stdout();
    assert!(out.contains("links with_replacement"), "{out}");
}
