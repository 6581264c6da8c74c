//! Reference models of organizational learning, used to validate the substrate and as classic
//! baselines: March (1991) and Lazer & Friedman (2007).
