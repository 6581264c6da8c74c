//! The manifest of a plan: what the experiment is, named by an identity, so every number can be
//! reproduced (`plan.json`, then `manifest.json`; their format is [`crate::output::manifest`]).

use super::Plan;
use crate::output;
use crate::output::manifest::{Manifest, PointInfo, PrecisionInfo, Provenance, SeedInfo};
use std::collections::BTreeMap;

impl Plan {
    /// The `plan.json` of this plan as invoked (`shard` empty for a whole experiment).
    pub fn manifest(&self, prov: &Provenance, shard: &str) -> Manifest {
        let plan = self;
        let version = env!("CARGO_PKG_VERSION").to_string();
        let identity = {
            // A precision plan's identity is its rule, not the count the rule chooses, so the
            // plan written first and the manifest written last (and a resume) agree.
            let replications = match &plan.precision {
                Some(p) => format!("by precision: {}", p.describe()),
                None => plan.replications.to_string(),
            };
            let mut id = format!(
                "leadsim {version}\nseed {}\nreplications {replications}\n",
                plan.seed
            );
            for f in &prov.inputs {
                id += &format!("{} {}\n", f.role, f.sha256);
            }
            for (k, v) in &prov.overrides {
                id += &format!("override {k}={v}\n");
            }
            output::sha256(id.as_bytes())
        };
        let models = plan.points[0].scenario.model_info();
        let points = plan
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| PointInfo {
                point: i,
                values: plan
                    .axes
                    .iter()
                    .cloned()
                    .zip(p.values.iter().map(output::cell))
                    .collect(),
                world_key: p.world_key,
            })
            .collect();
        let mut keys: Vec<(u64, usize)> = plan
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| (p.world_key, i))
            .collect();
        keys.sort_unstable();
        keys.dedup_by_key(|k| k.0);
        let seeds = keys
            .iter()
            .flat_map(|&(key, point)| {
                (0..plan.replications).map(move |r| SeedInfo {
                    world_key: key,
                    replicate: r,
                    seed: plan.world_seed(point, r),
                })
            })
            .collect();
        let mut steps: Vec<u32> = plan.points.iter().map(|p| p.scenario.steps()).collect();
        steps.sort_unstable();
        steps.dedup();
        Manifest {
            tool: "leadsim".into(),
            version,
            kind: if plan.is_sweep() { "sweep" } else { "run" }.into(),
            name: plan.name.clone(),
            identity,
            command: prov.command.clone(),
            overrides: prov.overrides.clone(),
            inputs: prov.inputs.clone(),
            seed: plan.seed,
            replications: plan.replications,
            steps,
            runs: plan.runs(),
            models,
            axes: plan.axes.clone(),
            points,
            seeds,
            shard: shard.into(),
            files: BTreeMap::new(),
            precision: plan.precision.as_ref().map(|p| PrecisionInfo {
                metric: p.quantity.to_string(),
                target: p.rule.target(),
                batch: p.rule.batch() as u32,
                max: p.rule.max() as u32,
                outcome: None,
            }),
            compare: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::manifest::InputFile;
    use crate::output::manifest::Provenance;
    use crate::study::Study;

    fn manifest(text: &str, overrides: &[(&str, &str)]) -> Manifest {
        let study = Study::from_text(text, "s.toml").unwrap();
        let prov = Provenance {
            command: "leadsim run s.toml".into(),
            inputs: vec![InputFile::new("scenario", "s.toml", text)],
            overrides: overrides
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        Plan::single(study).manifest(&prov, "")
    }

    #[test]
    fn differences_name_what_changed_once() {
        let base = "seed = 1\nreplications = 2\n[[models]]\nkind = \"shared\"\n";
        let a = manifest(base, &[]);
        assert!(a.differences(&a.clone()).is_empty());
        // A changed file.
        let b = manifest(&base.replace("seed = 1", "seed = 1\nsteps = 9"), &[]);
        assert_eq!(a.differences(&b), ["the scenario file (s.toml) differs"]);
        // A file that differs only in a comment says so.
        let b = manifest(&format!("# a note\n{base}"), &[]);
        assert_eq!(
            a.differences(&b),
            [
                "the scenario file (s.toml) differs only in comments or layout (every value is the same)"
            ]
        );
        // An override of the seed shows as the seed, not twice.
        let mut c = manifest(base, &[("seed", "7")]);
        c.seed = 7;
        assert_eq!(a.differences(&c), ["seed 1 versus 7"]);
        // An override equal to the file's value changes the identity: it is named.
        let d = manifest(base, &[("seed", "1")]);
        assert_eq!(
            a.differences(&d),
            ["command-line overrides none versus --seed 1"]
        );
        assert_ne!(a.identity, d.identity);
        let mut e = a.clone();
        e.version = "0.0.0".into();
        e.inputs.clear();
        assert_eq!(
            a.differences(&e),
            [
                format!("leadsim {} versus 0.0.0", a.version),
                "a scenario file (s.toml) on one side only".to_string()
            ]
        );
    }
}
