//! The identity event register as the reports show it: each event with its kind, status,
//! owner, the decision it implements (or the technical events implementing it), the KPIs
//! it should move and its evidence. The JSON report lists them; the board pack marks them
//! on the charts of the KPIs they move.

use super::{Location, locate};
use crate::diag::Label;
use crate::model::{Event, EventKind};
use crate::settle::Report;
use serde::Serialize;

/// One event, as the JSON report writes it.
#[derive(Debug, Serialize)]
pub struct EventLine<'a> {
    /// Its id.
    pub id: &'a str,
    /// `strategic` or `technical`, when readable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    /// Its title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<&'a str>,
    /// `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Its status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'static str>,
    /// Who is accountable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<&'a str>,
    /// Technical events: the decision implemented.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub implements: Option<&'a str>,
    /// Strategic events: the technical events that name it in `implements`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub implemented_by: Vec<&'a str>,
    /// The KPIs it should move.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub moves: Vec<MoveLine<'a>>,
    /// Links to its evidence.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<&'a str>,
    /// Where it is written (its id).
    #[serde(flatten)]
    pub at: Location<'a>,
}

/// A KPI an event should move.
#[derive(Debug, Serialize)]
pub struct MoveLine<'a> {
    /// The KPI or metric id.
    pub kpi: &'a str,
    /// `up` or `down`; absent: the way the KPI improves.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<&'static str>,
}

/// Every event of the report's registers, in file order; `None` when none was read.
#[must_use]
pub fn lines(report: &Report) -> Option<Vec<EventLine<'_>>> {
    let registers = &report.model.as_ref()?.registers;
    let events: Vec<&Event> = registers.iter().flat_map(|r| &r.events).collect();
    if events.is_empty() {
        return None;
    }
    // Each decision's technical events, found in one pass: a register may be large.
    let mut implementers: crate::hash::Map<&str, Vec<&str>> = crate::hash::Map::default();
    for t in events.iter().filter(|t| t.is(EventKind::Technical)) {
        if let Some(i) = &t.implements {
            implementers
                .entry(i.value.as_str())
                .or_default()
                .push(t.id.value.as_str());
        }
    }
    Some(
        events
            .iter()
            .map(|e| EventLine {
                id: &e.id.value,
                kind: e.kind.as_ref().map(|k| k.value.as_str()),
                title: e.title.as_ref().map(|t| t.value.as_str()),
                date: e.date.as_ref().map(|d| d.value.to_string()),
                status: e.status.as_ref().map(|s| s.value.as_str()),
                owner: e.owner.as_ref().map(|o| o.value.as_str()),
                implements: e.implements.as_ref().map(|i| i.value.as_str()),
                implemented_by: if e.is(EventKind::Strategic) {
                    implementers
                        .get(e.id.value.as_str())
                        .cloned()
                        .unwrap_or_default()
                } else {
                    Vec::new()
                },
                moves: e
                    .moves
                    .iter()
                    .map(|m| MoveLine {
                        kpi: &m.kpi.value,
                        direction: m.toward.as_ref().map(|t| t.value.as_str()),
                    })
                    .collect(),
                evidence: e.evidence.iter().map(|l| l.value.as_str()).collect(),
                at: locate(report, &Label::at(e.file, e.id.span)),
            })
            .collect(),
    )
}
