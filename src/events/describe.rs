//! One line per event saying what it does and when (`leadsim check`).

use super::{EventKind, EventSpec, LeaderRank, Timing};

impl EventSpec {
    /// One line saying what the event does and when, for `leadsim check`.
    pub fn describe(&self) -> String {
        let what = match &self.kind {
            EventKind::LandscapeShock { fraction } => format!("fraction = {fraction}"),
            EventKind::Turbulence {
                probability,
                fraction,
            } => format!("probability = {probability}, fraction = {fraction}"),
            EventKind::LeaderLoss {
                count,
                select,
                vacancy,
            } => format!(
                "count = {count}, select = {}, vacancy = {vacancy}",
                match select {
                    LeaderRank::Central => "central",
                    LeaderRank::Deciding => "deciding",
                    LeaderRank::Capacity => "capacity",
                }
            ),
            EventKind::Turnover { fraction } => format!("fraction = {fraction}"),
            EventKind::NetworkDisruption {
                fraction,
                extra_delay,
            } => format!("fraction = {fraction}, extra_delay = {extra_delay}"),
            EventKind::Crisis { capacity, deadline } => match deadline {
                Some(d) => format!("capacity = {capacity}, deadline = {d}"),
                None => format!("capacity = {capacity}"),
            },
            EventKind::Growth { members, ties } => format!("members = {members}, ties = {ties}"),
            EventKind::Reorg { to, .. } => format!("to = {to}"),
            EventKind::Mentoring { rate } => format!("rate = {rate}"),
            EventKind::CrossFunctional { ties } => format!("ties = {ties}"),
            EventKind::TeamDecisions => String::new(),
        };
        let when = match &self.timing {
            Timing::At(steps) if steps.len() == 1 => format!("at step {}", steps[0]),
            Timing::At(steps) => format!(
                "at steps {}",
                steps
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Timing::Hazard { p, from, to } => {
                format!("with probability {p} at each step from {from} to {to}")
            }
        };
        let mut out = format!("{}: {}", self.name, self.kind_name());
        if !what.is_empty() {
            out += &format!(" ({what})");
        }
        out += &format!(" {when}");
        match self.duration {
            Some(d) => out += &format!(", lasting {d} steps"),
            None if self.kind.event_type().lasting => out += ", to the end of the run",
            None => {}
        }
        if let Some(ms) = &self.models {
            out += &format!(", only for {}", ms.join(", "));
        }
        out += if self.measure {
            "; a measured shock"
        } else {
            ""
        };
        out
    }
}
