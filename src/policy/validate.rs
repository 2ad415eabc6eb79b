//! What the JSON Schema cannot check in a policy: that `[rules]` entries and exceptions
//! name rules kpilint has, and rules a policy may configure or waive.

use super::Policy;
use crate::diag::{Diagnostics, Label, Message};
use crate::model::PolicyFile;
use crate::rule::{Group, Rule, SCHEMA};
use crate::source::{FileId, Span};

/// Resolves the rule names a layer's `[rules]` entries and exceptions write.
pub fn resolve(layer: &mut PolicyFile, rules: &[&'static Rule]) {
    for r in &mut layer.rules {
        r.rule = crate::rule::by_name(rules, &r.name);
    }
    for x in &mut layer.exceptions {
        x.rule_ref = crate::rule::by_name(rules, &x.rule.value);
    }
}

/// Reports unknown rule names, and names of rules no policy may set or waive.
pub fn rule_names(policy: &Policy, rules: &[&'static Rule], diags: &mut Diagnostics) {
    for layer in &policy.layers {
        for r in &layer.rules {
            named(
                r.rule,
                &r.name,
                r.file,
                r.key_span,
                "`[rules]`",
                rules,
                diags,
            );
        }
        for x in &layer.exceptions {
            named(
                x.rule_ref,
                &x.rule.value,
                x.file,
                x.rule.span,
                "exception",
                rules,
                diags,
            );
            if x.rule_ref.is_some_and(|r| r.group == Group::Diff) {
                diags
                    .push(
                        &SCHEMA,
                        x.rule.at().with_message("cannot be waived"),
                        msg!(
                            "exception names `{}`: a `kpilint diff` finding is about one change and cannot be waived",
                            x.rule.value
                        ),
                    )
                    .help("approve the change in its review; once merged, the finding does not come back");
            }
        }
    }
}

/// Reports `name` (resolved to `rule`) written at `span` by `what`.
fn named(
    rule: Option<&'static Rule>,
    name: &str,
    file: FileId,
    span: Span,
    what: &'static str,
    rules: &[&'static Rule],
    diags: &mut Diagnostics,
) {
    let what = Message::from(what);
    match rule {
        Some(rule) if !rule.is_configurable() => {
            diags
                .push(
                    &SCHEMA,
                    Label::at(file, span).with_message("always an error"),
                    msg!("{} names `{}`, which cannot be configured or waived", what, name),
                )
                .help("a file kpilint cannot read, or a key it does not know, is always an error: fix the file instead");
        }
        Some(_) => {}
        None => {
            let f = diags.push(
                &SCHEMA,
                Label::at(file, span).with_message("unknown rule"),
                msg!("{} names unknown rule `{}`", what, name),
            );
            f.help(crate::diag::did_you_mean(
                crate::rule::suggest(rules, name),
                "`kpilint rules` lists every rule name",
            ));
        }
    }
}
