//! `kpilint diff --base REV`: what a pull request changes in the policy and catalogues.
//!
//! The policy and catalogue files (`.toml`, `.json`) of REV are materialised from git into
//! a temporary directory and checked there exactly as the working tree is, so layering,
//! `implements` and framework resolution mean the same on both sides. The two validated
//! models are then compared; every finding is located in the working-tree file and names
//! the base value. Only the base commit needs to be present (a shallow CI fetch works).

use crate::check::{self, Fatal, Model, Options, Report};
use crate::diag::{Diagnostics, Label, Message};
use crate::lint::{Loosening, num, rule_level};
use crate::model::{Direction, Metric, Sp};
use crate::rules::{
    COVERAGE_REGRESSED, EXCEPTION_ADDED, KPI_REMOVED, OWNER_REMOVED, POLICY_WEAKENED,
    THRESHOLD_LOOSENED,
};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
    }
}

/// Runs the check on the working tree, then compares it with `base`.
///
/// # Errors
/// Exit-2 problems: not a git repository, an unknown revision, an unreadable base.
pub fn run(opts: &Options, base: &str) -> Result<Report, Fatal> {
    let cwd = std::env::current_dir().map_err(|e| Fatal::msg(e.to_string()))?;
    let top = git(&cwd, &["rev-parse", "--show-toplevel"])
        .map_err(|e| Fatal::msg(format!("`kpilint diff` needs a git repository: {e}")))?;
    let top = PathBuf::from(String::from_utf8_lossy(&top).trim());
    let rev = format!("{base}^{{commit}}");
    git(&top, &["rev-parse", "--verify", "--quiet", &rev]).map_err(|_| {
        Fatal::msg(format!(
            "unknown revision `{base}`: fetch it first (for example `git fetch --depth=1 origin {base}`)"
        ))
    })?;
    // Materialise the base revision's TOML and JSON files.
    let tmp = tempfile::tempdir()
        .map_err(|e| Fatal::msg(format!("cannot create a temporary directory: {e}")))?;
    let listing = git(&top, &["ls-tree", "-r", "-z", "--name-only", &rev]).map_err(Fatal::msg)?;
    for name in listing.split(|&b| b == 0).filter(|n| !n.is_empty()) {
        let name = String::from_utf8_lossy(name);
        if !(name.ends_with(".toml") || name.ends_with(".json")) {
            continue;
        }
        let blob = git(&top, &["show", &format!("{rev}:{name}")]).map_err(Fatal::msg)?;
        let dest = tmp.path().join(&*name);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Fatal::msg(e.to_string()))?;
        }
        std::fs::write(&dest, blob).map_err(|e| Fatal::msg(e.to_string()))?;
    }
    let rel_cwd = cwd.canonicalize().ok().and_then(|c| {
        top.canonicalize()
            .ok()
            .and_then(|t| c.strip_prefix(t).ok().map(Path::to_path_buf))
    });
    let base_root = tmp.path().join(rel_cwd.unwrap_or_default());
    let map = |p: &PathBuf| -> PathBuf { base_root.join(p) };
    let base_opts = Options {
        paths: opts.paths.iter().map(map).filter(|p| p.exists()).collect(),
        policies: opts
            .policies
            .iter()
            .map(map)
            .filter(|p| p.exists())
            .collect(),
        as_of: opts.as_of,
        config: opts.config.as_ref().map(|c| {
            let mut c = c.clone();
            let rel = c
                .root
                .strip_prefix(&top)
                .map(Path::to_path_buf)
                .unwrap_or_default();
            c.root = tmp.path().join(rel);
            c
        }),
        root: Some(base_root.clone()),
    };
    // A base whose named paths did not exist yet, or that had nothing kpilint reads (the
    // pull request that adopts kpilint), has nothing to compare.
    let base_report = if !opts.paths.is_empty() && base_opts.paths.is_empty() {
        None
    } else {
        match check::run(&base_opts) {
            Ok(r) => Some(r),
            Err(f) if f.nothing_to_check => None,
            Err(f) => {
                return Err(Fatal::msg(format!(
                    "cannot check the files as they are at `{base}`: {}",
                    f.message
                )));
            }
        }
    };
    let comparison = base_report
        .as_ref()
        .and_then(|r| r.model.as_deref())
        .map(|base| check::Comparison { base, compare });
    check::run_with(opts, comparison)
}

/// How `head` loosens `base` (its own revision): (head span, message naming the base).
/// `inherited` is the direction of the KPI a metric implements, for metrics that leave
/// theirs out.
fn loosenings(
    base: &Metric,
    head: &Metric,
    inherited: Option<Direction>,
) -> Vec<(crate::source::Span, Message)> {
    let fallback = head.thresholds.as_ref().map_or(head.id.span, |t| t.span);
    crate::lint::loosenings(base, head, true, inherited)
        .into_iter()
        .map(|l| match l {
            Loosening::Level {
                level,
                strict,
                loose: None,
            } => (
                fallback,
                msg!("drops {} (was {})", level.as_str(), num(strict.value)),
            ),
            Loosening::Level {
                level,
                strict,
                loose: Some(h),
            } => {
                let verb = if h.value < strict.value {
                    "lowers"
                } else {
                    "raises"
                };
                (
                    h.span,
                    msg!(
                        "{} {} from {} to {}",
                        verb,
                        level.as_str(),
                        num(strict.value),
                        num(h.value)
                    ),
                )
            }
            Loosening::Trend { strict, loose } => {
                let now = loose.map_or(Message::text("none"), |t| msg!("`{}`", t.value.as_str()));
                (
                    loose.map_or(fallback, |t| t.span),
                    msg!(
                        "changes the trend target from `{}` to {}",
                        strict.value.as_str(),
                        now
                    ),
                )
            }
            Loosening::Cadence { strict, loose } => (
                loose.span,
                msg!(
                    "reports `{}` instead of `{}`",
                    loose.value.as_str(),
                    strict.value.as_str()
                ),
            ),
            Loosening::Required { loose, .. } => (
                loose.map_or(head.id.span, |r| r.span),
                "is no longer `required`".into(),
            ),
        })
        .collect()
}

/// The controls a revision's KPIs evidence, as `uncovered-control` judges coverage.
fn covered(m: &Model) -> BTreeSet<(String, String)> {
    crate::lint::covered_controls(&m.policy, &m.catalogues, &m.frameworks)
}

/// The directions of a revision's policy KPIs, by id (the first of a duplicated id).
fn kpi_directions(model: &Model) -> HashMap<&str, Direction> {
    let mut out = HashMap::new();
    for k in &model.policy.kpis {
        if let Some(d) = &k.direction {
            out.entry(k.id.value.as_str()).or_insert(d.value);
        }
    }
    out
}

fn compare(base: &Model, head: &Model, as_of: jiff::civil::Date, out: &mut Diagnostics) {
    // Where findings about things that are gone are located: the head policy's id (the
    // last layer read from disk), else the first head catalogue.
    let policy_anchor = head
        .policy
        .layers
        .last()
        .map(|l| Label::at(l.file, l.id.span));
    let anchor_for_catalogue = |cat_id: Option<&str>| {
        head.catalogues
            .iter()
            .find(|c| c.id.as_ref().map(|i| i.value.as_str()) == cat_id)
            .or(head.catalogues.first())
            .map(|c| Label::at(c.file, c.id.as_ref().map_or(c.span, |i| i.span)))
            .or(policy_anchor.clone())
    };

    // Policy KPIs.
    let head_kpis: HashMap<&str, &Metric> = head
        .policy
        .kpis
        .iter()
        .map(|k| (k.id.value.as_str(), k))
        .collect();
    for b in &base.policy.kpis {
        match head_kpis.get(b.id.value.as_str()) {
            Some(h) => {
                loosened(b, h, "KPI", None, out);
                for (what, was, now) in [
                    ("decision owner", &b.decision_owner, &h.decision_owner),
                    (
                        "implementation owner",
                        &b.implementation_owner,
                        &h.implementation_owner,
                    ),
                ] {
                    owner_gone(
                        &msg!("KPI `{}`", h.id.value),
                        what,
                        was,
                        now,
                        Label::at(h.file, h.id.span),
                        &h.id.value,
                        out,
                    );
                }
            }
            None => {
                if let Some(at) = policy_anchor.clone() {
                    out.push(
                        &KPI_REMOVED,
                        at.with_message("removed from the policy"),
                        msg!("KPI `{}` was removed from the policy", b.id.value),
                    )
                    .subject(b.id.value.clone())
                    .help(
                        "removing a KPI stops its reporting: get the removal approved explicitly",
                    );
                }
            }
        }
    }
    // Catalogue metrics; one without a direction is judged by its KPI's.
    let (base_dirs, head_dirs) = (kpi_directions(base), kpi_directions(head));
    let head_metrics: HashMap<&str, &Metric> = head
        .catalogues
        .iter()
        .flat_map(|c| c.metrics.iter())
        .map(|m| (m.id.value.as_str(), m))
        .collect();
    for c in &base.catalogues {
        for b in &c.metrics {
            match head_metrics.get(b.id.value.as_str()) {
                Some(h) => {
                    let inherited = base_dirs
                        .get(b.kpi_id())
                        .or_else(|| head_dirs.get(h.kpi_id()))
                        .copied();
                    loosened(b, h, "metric", inherited, out);
                    owner_gone(
                        &msg!("metric `{}`", h.id.value),
                        "owner",
                        &b.owner,
                        &h.owner,
                        Label::at(h.file, h.id.span),
                        &h.id.value,
                        out,
                    );
                }
                None => {
                    if let Some(at) = anchor_for_catalogue(c.id.as_ref().map(|i| i.value.as_str()))
                    {
                        out.push(&KPI_REMOVED, at.with_message("removed from this catalogue"), msg!("metric `{}` was removed", b.id.value))
                            .subject(b.id.value.clone())
                            .help("removing a metric stops its reporting: get the removal approved explicitly");
                    }
                }
            }
        }
    }
    // Catalogue and category owners.
    for b in &base.catalogues {
        let (Some(id), Some(h)) = (
            &b.id,
            head.catalogues
                .iter()
                .find(|c| c.id.as_ref().map(|i| &i.value) == b.id.as_ref().map(|i| &i.value)),
        ) else {
            continue;
        };
        let at = Label::at(h.file, h.id.as_ref().map_or(h.span, |i| i.span));
        owner_gone(
            &msg!("catalogue `{}`", id.value),
            "owner",
            &b.owner,
            &h.owner,
            at,
            &id.value,
            out,
        );
    }
    for b in &base.policy.categories {
        let Some(h) = head
            .policy
            .categories
            .iter()
            .find(|c| c.id.value == b.id.value)
        else {
            continue;
        };
        let at = Label::at(h.file, h.id.span);
        owner_gone(
            &msg!("category `{}`", h.id.value),
            "owner",
            &b.owner,
            &h.owner,
            at,
            &h.id.value,
            out,
        );
    }
    weakened(base, head, as_of, policy_anchor.as_ref(), out);
    // Coverage.
    let now = covered(head);
    for (fw, control) in covered(base).difference(&now) {
        let at = head
            .policy
            .coverage
            .first()
            .map(|(file, req)| Label::at(*file, req.span))
            .or(policy_anchor.clone());
        if let Some(at) = at {
            out.push(&COVERAGE_REGRESSED, at.with_message("coverage lost"), msg!("`{}` control `{}` lost its last KPI", fw, control))
                .subject(control.clone())
                .help(msg!("map a KPI to it with `frameworks = [\"{}\"]`, or record why it is no longer measured", control));
        }
    }
    // Exceptions.
    for h in &head.policy.exceptions {
        let before = base
            .policy
            .exceptions
            .iter()
            .find(|b| b.rule.value == h.rule.value && b.subject.value == h.subject.value);
        let expires = h.expires.as_ref().map_or("no date", |e| e.value.as_str());
        let message = match before {
            None => msg!(
                "new exception waives `{}` for `{}` until {}",
                h.rule.value,
                h.subject.value,
                expires
            ),
            Some(b)
                if b.expires.as_ref().map(|e| &e.value) < h.expires.as_ref().map(|e| &e.value) =>
            {
                msg!(
                    "exception for `{}` on `{}` extended from {} to {}",
                    h.rule.value,
                    h.subject.value,
                    b.expires.as_ref().map_or("no date", |e| e.value.as_str()),
                    expires
                )
            }
            Some(_) => continue,
        };
        let approver = h
            .approved_by
            .as_ref()
            .map_or("nobody", |a| a.value.as_str());
        out.push(
            &EXCEPTION_ADDED,
            Label::at(h.file, h.rule.span).with_message("needs approval"),
            message,
        )
        .subject(h.subject.value.clone())
        .help(msg!(
            "approved by {}: confirm that approval in the review",
            approver
        ));
    }
}

/// Reports an owner `was` had and `now` lacks.
fn owner_gone(
    whose: &Message,
    role: &str,
    was: &Option<Sp<String>>,
    now: &Option<Sp<String>>,
    at: Label,
    subject: &str,
    out: &mut Diagnostics,
) {
    let named = |o: &Option<Sp<String>>| {
        o.as_ref()
            .filter(|o| !o.value.trim().is_empty())
            .map(|o| o.value.clone())
    };
    let (Some(was), None) = (named(was), named(now)) else {
        return;
    };
    out.push(
        &OWNER_REMOVED,
        at.with_message(format!("{role} removed")),
        msg!("{} no longer names its {} (was `{}`)", whose, role, was),
    )
    .subject(subject.to_owned())
    .help("measuring without ownership is how a KPI stops being acted on: name who owns it");
}

/// Reports how the head policy is weaker than the base's, apart from its KPIs.
fn weakened(
    base: &Model,
    head: &Model,
    as_of: jiff::civil::Date,
    anchor: Option<&Label>,
    out: &mut Diagnostics,
) {
    let (b, h) = (&base.policy, &head.policy);
    let mut report = |at: Option<Label>, subject: &str, message: Message| {
        let Some(at) = at.or_else(|| anchor.cloned()) else {
            return;
        };
        out.push(&POLICY_WEAKENED, at.with_message("weakened"), message)
            .subject(subject.to_owned())
            .help("weakening the policy needs its owner's approval: revert it, or say why in the pull request");
    };
    // Rules: off or a lower severity, judged as they stand once every `effective` date
    // has come; a date pushed later, and a lock removed, on their own.
    let settled = jiff::civil::Date::MAX;
    for rule in crate::rules::ALL
        .iter()
        .filter(|r| crate::rules::is_configurable(r))
    {
        let (was, now) = (rule_level(b, rule, settled), rule_level(h, rule, settled));
        let setting = h.rules.get(rule.name);
        let at = setting.map(|s| Label::at(s.file, s.key_span));
        if now < was {
            report(
                at.clone(),
                rule.name,
                msg!(
                    "rule `{}` goes from {} to {}",
                    rule.name,
                    was.as_str(),
                    now.as_str()
                ),
            );
        }
        let effective = |p: &crate::lint::Policy| {
            p.rules
                .get(rule.name)
                .and_then(|s| s.effective.as_ref())
                .map(|e| e.value.clone())
        };
        // A date added, or pushed later, that has not come yet keeps the rule at most a
        // warning until then.
        if let Some(now_date) = effective(h)
            && now_date > as_of.to_string()
            && effective(b).is_none_or(|was_date| now_date > was_date)
        {
            let was = effective(b).map_or_else(|| Message::text("now"), |d| msg!("on {}", d));
            let at = setting
                .and_then(|s| s.effective.as_ref().map(|e| Label::at(s.file, e.span)))
                .or(at.clone());
            report(
                at,
                rule.name,
                msg!(
                    "rule `{}` takes full effect on {} instead of {} (a warning until then)",
                    rule.name,
                    now_date,
                    was
                ),
            );
        }
        let locked = |p: &crate::lint::Policy| p.rules.get(rule.name).is_some_and(|s| s.locked);
        if locked(b) && !locked(h) {
            report(
                at,
                rule.name,
                msg!(
                    "rule `{}` is no longer `locked`: exceptions can now waive it",
                    rule.name
                ),
            );
        }
    }
    // Banned vanity metrics removed.
    for bb in &b.banned {
        if !h
            .banned
            .iter()
            .any(|x| x.banned.id.value == bb.banned.id.value)
        {
            report(
                None,
                &bb.banned.id.value,
                msg!(
                    "banned metric `{}` was removed from the policy",
                    bb.banned.id.value
                ),
            );
        }
    }
    // Coverage requirements dropped.
    for (_, req) in &b.coverage {
        if !h.coverage.iter().any(|(_, x)| x.value == req.value) {
            report(
                None,
                &req.value,
                msg!("coverage requirement `{}` was dropped", req.value),
            );
        }
    }
    // Settings.
    for (name, was, now, at) in [
        (
            "max_board_kpis",
            b.max_board_kpis().0,
            h.max_board_kpis().0,
            h.settings.max_board_kpis.as_ref(),
        ),
        (
            "stale_grace_days",
            b.stale_grace_days(),
            h.stale_grace_days(),
            h.settings.stale_grace_days.as_ref(),
        ),
    ] {
        if now > was {
            report(
                at.map(|(f, v)| Label::at(*f, v.span)),
                name,
                msg!("`{}` goes from {} to {}", name, was, now),
            );
        }
    }
    let (was, _) = b.require_mapping();
    let (now, at) = h.require_mapping();
    for tier in was.iter().filter(|t| !now.contains(t)) {
        report(
            at.clone(),
            "require_mapping",
            msg!("`require_mapping` no longer includes `{}`", tier.as_str()),
        );
    }
}

fn loosened(
    base: &Metric,
    head: &Metric,
    what: &str,
    inherited: Option<Direction>,
    out: &mut Diagnostics,
) {
    for (span, change) in loosenings(base, head, inherited) {
        out.push(&THRESHOLD_LOOSENED, Label::at(head.file, span).with_message("loosened"), msg!("this change {} for {} `{}`", change, what, head.id.value))
            .subject(head.id.value.clone())
            .help("loosening a KPI needs the policy owner's approval: tighten it back, or say why in the pull request");
    }
}
