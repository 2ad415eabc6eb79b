//! Extraction: a policy's or catalogue's [`Node`] tree read into the model, leniently
//! (the schema has reported every shape problem; a value of the wrong type is absent).

use crate::framework::{Control, Framework};
use crate::model::{
    Banned, BannedMatch, Cadence, Catalogue, Category, DataSource, Direction, Event, EventKind,
    EventStatus, Exception, Field, Metric, Move, Okr, Origin, PolicyFile, Register, RequiredIn,
    RuleSetting, Settings, Sp, Thresholds, Tier, Toward, Trend, Unit, Unreadable, Visibility,
};
use crate::num::Num;
use crate::parse::node::Node;
use crate::source::FileId;
use jiff::civil::Date;

/// Reads the values of one file's document, each with where it is written.
#[derive(Clone, Copy)]
struct Reader {
    file: FileId,
}

impl Reader {
    fn sp<T>(self, value: T, node: &Node) -> Sp<T> {
        Sp::new(value, node.span, self.file)
    }

    fn string(self, node: &Node, key: &str) -> Option<Sp<String>> {
        let n = node.get(key)?;
        n.as_str().map(|s| self.sp(s.to_owned(), n))
    }

    /// A `YYYY-MM-DD` date (a TOML date or a string); anything else is left to the schema.
    fn date(self, node: &Node, key: &str) -> Option<Sp<Date>> {
        let n = node.get(key)?;
        n.as_str()
            .and_then(|s| s.parse().ok())
            .map(|v| self.sp(v, n))
    }

    fn number(self, node: &Node, key: &str) -> Option<Sp<Num>> {
        let n = node.get(key)?;
        n.as_num().map(|v| self.sp(v, n))
    }

    fn parsed<T>(self, node: &Node, key: &str, parse: fn(&str) -> Option<T>) -> Option<Sp<T>> {
        let n = node.get(key)?;
        n.as_str().and_then(parse).map(|v| self.sp(v, n))
    }

    fn strings(self, node: &Node, key: &str) -> Vec<Sp<String>> {
        node.get(key).map_or_else(Vec::new, |n| {
            n.items()
                .iter()
                .filter_map(|i| i.as_str().map(|s| self.sp(s.to_owned(), i)))
                .collect()
        })
    }

    fn thresholds(self, node: &Node) -> Option<Thresholds> {
        let t = node.get("thresholds")?;
        Some(Thresholds {
            span: t.span,
            file: self.file,
            target: self.number(t, "target"),
            warn: self.number(t, "warn"),
            critical: self.number(t, "critical"),
            trend: self.parsed(t, "trend", Trend::parse),
        })
    }

    fn flag(self, node: &Node, key: &str) -> Option<Sp<bool>> {
        let n = node.get(key)?;
        n.as_bool().map(|b| self.sp(b, n))
    }

    fn banned(self, b: &Node) -> Option<Banned> {
        let m = b.get("match");
        Some(Banned {
            file: self.file,
            span: b.span,
            id: self.string(b, "id")?,
            matcher: BannedMatch {
                name: m.and_then(|m| self.string(m, "name")),
                words: m.map(|m| self.strings(m, "words")).unwrap_or_default(),
                activity: m.and_then(|m| self.flag(m, "activity")),
                posing_as_outcome: m.and_then(|m| self.flag(m, "posing_as_outcome")),
                fields: m
                    .map(Node::entries)
                    .unwrap_or_default()
                    .iter()
                    .filter(|e| !BannedMatch::SPECIAL.contains(&&*e.key))
                    .filter_map(|e| {
                        let v = e.value.as_str()?;
                        Some((e.key.to_string(), self.sp(v.to_owned(), &e.value)))
                    })
                    .collect(),
            },
            reason: self.string(b, "reason").map(|s| s.value),
            suggest: self.string(b, "suggest").map(|s| s.value),
        })
    }

    fn exception(self, x: &Node) -> Option<Exception> {
        let rule = self.string(x, "rule")?;
        Some(Exception {
            file: self.file,
            span: x.span,
            rule_ref: None,
            rule,
            subject: self.string(x, "subject")?,
            reason: self.string(x, "reason"),
            approved_by: self.string(x, "approved_by"),
            expires: self.date(x, "expires"),
        })
    }

    fn okr(self, node: &Node) -> Option<Okr> {
        let o = node.get("okr")?;
        Some(Okr {
            span: o.span,
            file: self.file,
            objective: self.string(o, "objective"),
            baseline: self.number(o, "baseline"),
            target: self.number(o, "target"),
            due: self.date(o, "due"),
            start: self.date(o, "start"),
        })
    }
}

/// The exponent of a power of ten from 0.001 to 1,000,000 (what `scale` takes), else
/// `None` (the schema reports it).
fn power_of_ten(v: f64) -> Option<i32> {
    (-3..=6).find(|&e| (v - 10f64.powi(e)).abs() <= 10f64.powi(e) * 1e-9)
}

/// Extracts a `[[kpi]]` or `[[metric]]` entry; `None` if it has no string `id`.
#[must_use]
pub fn metric(node: &Node, file: FileId, origin: Origin) -> Option<Metric> {
    let r = Reader { file };
    let id = r.string(node, "id")?;
    let name = match origin {
        Origin::Policy => r.string(node, "title"),
        Origin::Catalogue => r.string(node, "name"),
    };
    let mut metric = Metric {
        origin,
        file,
        span: node.span,
        id,
        name,
        description: r.string(node, "description"),
        implements: r.string(node, "implements"),
        tier: r.parsed(node, "tier", Tier::parse),
        category: r.string(node, "category"),
        unit: r.parsed(node, "unit", Unit::parse),
        direction: r.parsed(node, "direction", Direction::parse),
        owner: r.string(node, "owner"),
        cadence: r.parsed(node, "cadence", Cadence::parse),
        source: r.parsed(node, "source", DataSource::parse),
        visibility: r.parsed(node, "visibility", Visibility::parse),
        frameworks: r.strings(node, "frameworks"),
        thresholds: r.thresholds(node),
        okr: r.okr(node),
        required: r.flag(node, "required"),
        rolls_up: r.strings(node, "rolls_up"),
        decision_owner: r.string(node, "decision_owner"),
        implementation_owner: r.string(node, "implementation_owner"),
        guardrail: r.string(node, "guardrail"),
        drives: r.string(node, "drives"),
        formula: r.string(node, "formula").map(crate::model::Formula::new),
        scale: r
            .number(node, "scale")
            .and_then(|n| Some(Sp::new(power_of_ten(n.value.value())?, n.span, n.file))),
        unreadable: Unreadable::default(),
    };
    let written = |key: &str| node.get(key).is_some();
    let u = &mut metric.unreadable;
    u.note(Field::Owner, written("owner"), metric.owner.is_some());
    u.note(Field::Cadence, written("cadence"), metric.cadence.is_some());
    u.note(
        Field::Thresholds,
        written("thresholds"),
        metric.thresholds.as_ref().is_some_and(|t| !t.is_empty()),
    );
    if let (Some(o), Some(okr)) = (node.get("okr"), &metric.okr) {
        let written = |key: &str| o.get(key).is_some();
        u.note(
            Field::OkrObjective,
            written("objective"),
            okr.objective.is_some(),
        );
        u.note(
            Field::OkrBaseline,
            written("baseline"),
            okr.baseline.is_some(),
        );
        u.note(Field::OkrTarget, written("target"), okr.target.is_some());
        u.note(Field::OkrDue, written("due"), okr.due.is_some());
    }
    Some(metric)
}

/// Extracts a catalogue document.
#[must_use]
pub fn catalogue(root: &Node, file: FileId) -> Catalogue {
    let r = Reader { file };
    let header = root.get("catalogue");
    Catalogue {
        file,
        span: header.map_or(root.span, |h| h.span),
        id: header.and_then(|h| r.string(h, "id")),
        owner: header.and_then(|h| r.string(h, "owner")),
        metrics: {
            use rayon::prelude::*;
            // Collected by index, then filtered in place: a metric is large, and a
            // filtered parallel collect would copy each one again as its chunks are joined.
            // (`flatten` would not reuse the allocation: 84 MB more at 100k metrics.)
            let all: Vec<Option<Metric>> = root
                .get("metric")
                .map(Node::items)
                .unwrap_or_default()
                .par_iter()
                .map(|m| metric(m, file, Origin::Catalogue))
                .collect();
            #[allow(
                clippy::filter_map_identity,
                reason = "collects in place; flatten does not"
            )]
            all.into_iter().filter_map(std::convert::identity).collect()
        },
    }
}

fn setting(settings: Option<&Node>, key: &str, file: FileId) -> Option<(FileId, Sp<i64>)> {
    let r = Reader { file };
    let n = settings?.get(key)?;
    n.as_i64().map(|v| (file, r.sp(v, n)))
}

/// Extracts a policy document; `None` if `[policy] id` is missing (the schema reports it).
#[must_use]
pub fn policy(root: &Node, file: FileId) -> Option<PolicyFile> {
    let r = Reader { file };
    let header = root.get("policy")?;
    let id = r.string(header, "id")?;
    let settings_node = root.get("settings");
    let tiers = |settings: Option<&Node>, key: &str| {
        settings.and_then(|s| s.get(key)).map(|n| {
            let tiers = n
                .items()
                .iter()
                .filter_map(|i| i.as_str().and_then(Tier::parse));
            (file, r.sp(tiers.collect(), n))
        })
    };
    let settings = Settings {
        max_board_kpis: setting(settings_node, "max_board_kpis", file),
        stale_grace_days: setting(settings_node, "stale_grace_days", file),
        trend_window: setting(settings_node, "trend_window", file),
        event_grace_days: setting(settings_node, "event_grace_days", file),
        event_effect_periods: setting(settings_node, "event_effect_periods", file),
        require_mapping: tiers(settings_node, "require_mapping"),
        require_guardrail: tiers(settings_node, "require_guardrail"),
        required_kpis: settings_node
            .and_then(|s| r.parsed(s, "required_kpis", RequiredIn::parse))
            .map(|v| (file, v)),
    };
    let rules = root
        .get("rules")
        .map(Node::entries)
        .unwrap_or_default()
        .iter()
        .map(|e| {
            let v = &e.value;
            let (level, locked, effective) = match v.as_str() {
                Some(s) => (crate::diag::Level::parse(s).map(|l| r.sp(l, v)), None, None),
                None => (
                    v.get("severity").and_then(|n| {
                        n.as_str()
                            .and_then(crate::diag::Level::parse)
                            .map(|l| r.sp(l, n))
                    }),
                    v.get("locked").and_then(|n| Some((n.as_bool()?, n.span))),
                    r.date(v, "effective"),
                ),
            };
            RuleSetting {
                file,
                key_span: e.key_span,
                name: e.key.to_string(),
                rule: None,
                level,
                locked: locked.is_some_and(|(l, _)| l),
                locked_at: locked.map(|(_, at)| at),
                effective,
            }
        })
        .collect();
    let items = |key: &str| root.get(key).map(Node::items).unwrap_or_default();
    Some(PolicyFile {
        file,
        extends: r.strings(header, "extends"),
        id,
        settings,
        rules,
        categories: items("category")
            .iter()
            .filter_map(|c| {
                Some(Category {
                    file,
                    span: c.span,
                    id: r.string(c, "id")?,
                    owner: r.string(c, "owner"),
                })
            })
            .collect(),
        kpis: items("kpi")
            .iter()
            .filter_map(|k| metric(k, file, Origin::Policy))
            .collect(),
        banned: items("banned").iter().filter_map(|b| r.banned(b)).collect(),
        exceptions: items("exception")
            .iter()
            .filter_map(|x| r.exception(x))
            .collect(),
        coverage: root
            .get("coverage")
            .map(|c| r.strings(c, "require"))
            .unwrap_or_default(),
    })
}

/// Most `moves` an event may list (`schemas/events.schema.json` says so).
const MAX_MOVES: usize = 100;

/// Extracts an identity event register: its events with a string `id` (the schema reports
/// the others).
#[must_use]
pub fn register(root: &Node, file: FileId) -> Register {
    let r = Reader { file };
    let header = root.get("register");
    let events = root
        .get("event")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| {
            let owner = r.string(e, "owner");
            Some(Event {
                file,
                span: e.span,
                id: r.string(e, "id")?,
                kind: r.parsed(e, "kind", EventKind::parse),
                title: r.string(e, "title"),
                date: r.date(e, "date"),
                status: r.parsed(e, "status", EventStatus::parse),
                owner_unreadable: e.get("owner").is_some() && owner.is_none(),
                owner,
                implements: r.string(e, "implements"),
                // At most as many as the schema allows (it reports the rest): what each
                // event names is read for every event implementing it.
                moves: e
                    .get("moves")
                    .map(Node::items)
                    .unwrap_or_default()
                    .iter()
                    .take(MAX_MOVES)
                    .filter_map(|m| {
                        if m.as_str().is_some() {
                            return Some(Move {
                                kpi: r.sp(m.as_str()?.to_owned(), m),
                                toward: None,
                            });
                        }
                        let toward = r.parsed(m, "direction", Toward::parse);
                        // A direction that cannot be read (the schema reports it) must not
                        // become the KPI's own: `UP` on a falling KPI would be judged down.
                        if m.get("direction").is_some() && toward.is_none() {
                            return None;
                        }
                        Some(Move {
                            kpi: r.string(m, "kpi")?,
                            toward,
                        })
                    })
                    .collect(),
                evidence: r.strings(e, "evidence"),
            })
        })
        .collect();
    Register {
        file,
        span: header.map_or(root.span, |h| h.span),
        id: header.and_then(|h| r.string(h, "id")),
        events,
    }
}

/// A framework catalogue; `None` without `[framework] id`.
#[must_use]
pub fn framework(root: &Node, file: Option<FileId>) -> Option<Framework> {
    let header = root.get("framework")?;
    let id_node = header.get("id")?;
    let id = id_node.as_str()?.to_owned();
    let text = |n: &Node, k: &str| n.get(k).and_then(Node::as_str).map(str::to_owned);
    let list = |n: &Node, k: &str| {
        n.get(k)
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|i| i.as_str().map(str::to_owned))
            .collect::<Vec<_>>()
    };
    let controls = root
        .get("control")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|c| {
            Some(Control {
                id: text(c, "id")?,
                id_span: c.get("id").map_or(c.span, |n| n.span),
                title: text(c, "title"),
                text: text(c, "text"),
                level: text(c, "level"),
                parent: text(c, "parent"),
                aliases: list(c, "aliases"),
                withdrawn: text(c, "status").as_deref() == Some("withdrawn"),
                superseded_by: list(c, "superseded_by"),
                span: c.span,
            })
        })
        .collect();
    Some(Framework::new(
        id.clone(),
        text(header, "name")
            .or_else(|| text(header, "title"))
            .unwrap_or(id),
        text(header, "version"),
        controls,
        file,
        id_node.span,
    ))
}

#[cfg(test)]
mod tests {
    /// A `direction` the schema rejects drops its move: judged as the KPI's own way, `UP`
    /// on a KPI that improves by falling would be read as "down".
    #[test]
    fn a_move_with_an_unreadable_direction_is_dropped() {
        let root = crate::parse::toml::parse(
            "[register]\nid = \"r\"\n[[event]]\nid = \"d\"\nkind = \"strategic\"\nmoves = [\n  { kpi = \"a\", direction = \"UP\" },\n  { kpi = \"b\", direction = \"down\" },\n  \"c\",\n]\n",
        )
        .unwrap();
        let register = super::register(&root, crate::source::FileId(0));
        let moves: Vec<(&str, bool)> = register.events[0]
            .moves
            .iter()
            .map(|m| (m.kpi.value.as_str(), m.toward.is_some()))
            .collect();
        assert_eq!(moves, [("b", true), ("c", false)]);
    }
}
