//! What a sensitivity analysis, a scenario-discovery condition or a precision rule looks at: a
//! measure (a `summary.csv` column such as `performance_mean`, or any metric of `stats.csv`) of
//! every model, of one model, or the paired difference between two models.
//!
//! Written as text in sweep files and on the command line:
//!
//! | text | meaning |
//! |---|---|
//! | `performance_mean` | the measure of every model, each on its own |
//! | `shared:performance_mean` | the measure of the model named `shared` |
//! | `shared-centralized:performance_mean` | the paired difference shared − centralized, replicate by replicate |
//!
//! Model names may themselves hold `-`, so a pair is read by trying every `-` for a split into
//! two model names; a text that splits in two ways is refused as ambiguous.

use crate::params::hint;

/// A measure of every model, one model, or the paired difference of two.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quantity {
    /// The measure: a `summary.csv` column or a `stats.csv` metric.
    pub metric: String,
    /// The model, or `None` for every model.
    pub model: Option<String>,
    /// For a paired difference `model − versus`, the model subtracted.
    pub versus: Option<String>,
}

impl Quantity {
    /// Reads `text` (see the module documentation) against the experiment's `models` and the
    /// measures it has (`metrics`); the error says what is valid.
    pub fn parse(text: &str, models: &[String], metrics: &[String]) -> Result<Quantity, String> {
        let text = text.trim();
        let (who, metric) = match text.rsplit_once(':') {
            Some((w, m)) => (Some(w.trim()), m.trim()),
            None => (None, text),
        };
        if !metrics.iter().any(|m| m == metric) {
            return Err(format!(
                "\"{metric}\" is not a measure of this experiment{}; valid measures: {}",
                hint(metric, metrics.iter().map(String::as_str)),
                list(metrics)
            ));
        }
        let metric = metric.to_string();
        let Some(who) = who else {
            return Ok(Quantity {
                metric,
                model: None,
                versus: None,
            });
        };
        let known = |name: &str| models.iter().any(|m| m == name);
        if known(who) {
            return Ok(Quantity {
                metric,
                model: Some(who.to_string()),
                versus: None,
            });
        }
        let splits: Vec<(&str, &str)> = who
            .match_indices('-')
            .map(|(i, _)| (who[..i].trim(), who[i + 1..].trim()))
            .filter(|(a, b)| known(a) && known(b))
            .collect();
        match splits.as_slice() {
            [(a, b)] if a == b => Err(format!(
                "\"{who}\": a paired difference needs two different models"
            )),
            [(a, b)] => Ok(Quantity {
                metric,
                model: Some(a.to_string()),
                versus: Some(b.to_string()),
            }),
            [] => Err(format!(
                "\"{who}\" is neither a model nor a pair MODEL-MODEL of this experiment{}; its models: {}",
                hint(who, models.iter().map(String::as_str)),
                list(models)
            )),
            _ => Err(format!(
                "\"{who}\" splits into two models in more than one way; rename a model so that \
                 the pair is unambiguous"
            )),
        }
    }

    /// Every quantity this one stands for: one per model for a measure of every model (in the
    /// order of `models`), else itself.
    pub fn expand(&self, models: &[String]) -> Vec<Quantity> {
        match &self.model {
            Some(_) => vec![self.clone()],
            None => models
                .iter()
                .map(|m| Quantity {
                    model: Some(m.clone()),
                    ..self.clone()
                })
                .collect(),
        }
    }

    /// Whether this is a paired difference.
    pub fn is_pair(&self) -> bool {
        self.versus.is_some()
    }

    /// Indices of the model and the model subtracted (if any) in `models`.
    pub fn indices(&self, models: &[String]) -> (Option<usize>, Option<usize>) {
        let at = |name: &Option<String>| {
            name.as_ref()
                .and_then(|n| models.iter().position(|m| m == n))
        };
        (at(&self.model), at(&self.versus))
    }
}

impl std::fmt::Display for Quantity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.model, &self.versus) {
            (Some(a), Some(b)) => write!(f, "{a}-{b}:{}", self.metric),
            (Some(a), None) => write!(f, "{a}:{}", self.metric),
            _ => write!(f, "{}", self.metric),
        }
    }
}

/// `"a", "b", "c"`, shortened to the first 12 and a count beyond.
fn list(items: &[String]) -> String {
    let mut out: Vec<String> = items.iter().take(12).map(|s| format!("\"{s}\"")).collect();
    if items.len() > 12 {
        out.push(format!("… ({} in all)", items.len()));
    }
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: Result<(&str, Option<&str>, Option<&str>), &str>) {
        let models: Vec<String> = ["centralized", "shared", "shared-x", "x"]
            .map(String::from)
            .to_vec();
        let metrics: Vec<String> = ["performance_mean", "performance_final"]
            .map(String::from)
            .to_vec();
        let got = Quantity::parse(text, &models, &metrics);
        match expected {
            Ok((metric, model, versus)) => {
                let q = got.unwrap_or_else(|e| panic!("{text}: {e}"));
                assert_eq!(q.metric, metric);
                assert_eq!(q.model.as_deref(), model);
                assert_eq!(q.versus.as_deref(), versus);
                assert_eq!(
                    Quantity::parse(&q.to_string(), &models, &metrics).as_ref(),
                    Ok(&q),
                    "{text} round-trips"
                );
            }
            Err(part) => {
                let e = got.expect_err(text);
                assert!(e.contains(part), "{text}: {e}");
            }
        }
    }

    #[test]
    fn quantities_are_read_with_every_model_one_model_or_a_pair() {
        check("performance_mean", Ok(("performance_mean", None, None)));
        check(
            "shared:performance_mean",
            Ok(("performance_mean", Some("shared"), None)),
        );
        check(
            "shared - centralized : performance_final",
            Ok(("performance_final", Some("shared"), Some("centralized"))),
        );
        // A model name holding `-` is still a model; a pair splits at the one `-` that gives two.
        check(
            "shared-x:performance_mean",
            Ok(("performance_mean", Some("shared-x"), None)),
        );
        check(
            "shared-x-centralized:performance_mean",
            Ok(("performance_mean", Some("shared-x"), Some("centralized"))),
        );
        check("performance_mea", Err("did you mean \"performance_mean\""));
        check(
            "performance_mea",
            Err("valid measures: \"performance_mean\""),
        );
        check(
            "hybrid:performance_mean",
            Err("its models: \"centralized\""),
        );
        check(
            "shared-shared:performance_mean",
            Err("two different models"),
        );
    }

    #[test]
    fn a_measure_of_every_model_expands_to_each() {
        let models = vec!["a".to_string(), "b".to_string()];
        let q = Quantity::parse("m", &models, &["m".to_string()]).unwrap();
        let each: Vec<String> = q.expand(&models).iter().map(|q| q.to_string()).collect();
        assert_eq!(each, ["a:m", "b:m"]);
        let pair = Quantity::parse("b-a:m", &models, &["m".to_string()]).unwrap();
        assert_eq!(pair.indices(&models), (Some(1), Some(0)));
        assert!(pair.is_pair());
    }
}
