//! `ipcc compat`: every change between two versions of a contract, per channel and per
//! direction, classified as wire-breaking, source-breaking or compatible (docs/evolution.md).
//!
//! Wire verdicts come from `ipcc-wire-compat`'s judge, the very code the Rust runtime runs in
//! its handshake, so that what `compat` calls compatible is what the runtime lets through.
//! Source impact (which generated APIs change) is this module's own table, in
//! [`changes::Versions::describe`].

mod changes;
mod git;
pub(crate) mod locate;

use std::collections::{BTreeMap, BTreeSet};

use ipcc_wire_compat::{judge, ChannelKind, Judgement, Loc};
use serde::Serialize;

use crate::diagnostics::{Diagnostic, SourceMap, Span};
use crate::ir::wire_schema::{interface_schema, notifications_schema, WireSchema};
use crate::ir::{Ir, TypeId};
use crate::Checked;

pub use changes::Direction;
use changes::{canonical, Canon, Merged, MergedChange, Versions};
pub use git::GitLoader;
use locate::Locations;

/// A wire-breaking change on a channel that kept its name.
pub const WIRE_BREAKING: &str = "E0501";
/// A change of the generated Rust or TypeScript API (the wire is unaffected, or affected only in
/// a direction the deployment rules out).
pub const SOURCE_BREAKING: &str = "W0502";
/// A channel that the new version no longer has.
pub const CHANNEL_REMOVED: &str = "W0503";

/// The work budget of one comparison: generous, since `compat` runs offline (the runtime uses
/// `ipcc_wire_compat::DEFAULT_BUDGET`).
const BUDGET: usize = 100_000_000;

/// Which directions a deployment can produce, so which of them make a change an error.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Deploy {
    /// Either side may be updated first: both directions count.
    #[default]
    Any,
    /// Backends are always updated first: only old frontends meet new backends.
    BackendFirst,
    /// Frontends are always updated first: only new frontends meet old backends.
    FrontendFirst,
}

impl Deploy {
    pub fn counts(self, direction: Direction) -> bool {
        match self {
            Deploy::Any => true,
            Deploy::BackendFirst => direction == Direction::OldFrontendNewBackend,
            Deploy::FrontendFirst => direction == Direction::NewFrontendOldBackend,
        }
    }

    /// Reads `any`, `backend-first` or `frontend-first`.
    pub fn parse(text: &str) -> Option<Deploy> {
        match text {
            "any" => Some(Deploy::Any),
            "backend-first" => Some(Deploy::BackendFirst),
            "frontend-first" => Some(Deploy::FrontendFirst),
            _ => None,
        }
    }
}

/// How a change affects one direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    Compatible,
    SourceBreaking,
    WireBreaking,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Compatible => "compatible",
            Class::SourceBreaking => "source-breaking",
            Class::WireBreaking => "wire-breaking",
        }
    }
}

/// A place in one version, for tools.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Position {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

/// One change between the two versions of a channel.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// A stable name of the kind of change (`fieldAdded`, `methodRemoved`, ...).
    pub kind: &'static str,
    /// The change in words, old → new.
    pub summary: String,
    pub old_frontend_new_backend: Class,
    pub new_frontend_old_backend: Class,
    /// The generated APIs that change: `rust`, `ts`.
    pub source: Vec<&'static str>,
    /// Why it breaks the wire, per direction that it breaks.
    pub reasons: BTreeMap<&'static str, String>,
    /// Members whose messages it affects.
    pub members: Vec<String>,
    pub old: Option<Position>,
    pub new: Option<Position>,
    /// Per direction that it breaks, the members it makes unusable there.
    #[serde(skip)]
    broken: BTreeMap<Direction, Vec<String>>,
    #[serde(skip)]
    old_span: Option<Span>,
    #[serde(skip)]
    new_span: Option<Span>,
    #[serde(skip)]
    old_label: String,
    #[serde(skip)]
    new_label: String,
}

impl Change {
    pub fn class(&self, direction: Direction) -> Class {
        match direction {
            Direction::OldFrontendNewBackend => self.old_frontend_new_backend,
            Direction::NewFrontendOldBackend => self.new_frontend_old_backend,
        }
    }
}

/// What became of one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ChannelStatus {
    Unchanged,
    Changed,
    /// The same interface (or notifications block) on a new channel name.
    Renamed,
    Added,
    Removed,
}

/// One channel's changes.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelReport {
    /// `interface` or `notifications`.
    pub kind: &'static str,
    pub old_channel: Option<String>,
    pub new_channel: Option<String>,
    /// Qualified name of the declaration in each version.
    pub old_name: Option<String>,
    pub new_name: Option<String>,
    pub status: ChannelStatus,
    pub changes: Vec<Change>,
    /// What the runtime does with each of the frontend's members in each direction (the
    /// handshake's verdicts): `null` when it works, else the reason it fails with
    /// `versionMismatch`. Only for a channel whose name did not change.
    pub verdicts: Option<BTreeMap<&'static str, BTreeMap<String, Option<String>>>>,
}

/// The outcome of [`compare`].
#[derive(Debug)]
pub struct Report {
    pub channels: Vec<ChannelReport>,
    /// Errors (wire-breaking changes on channels that kept their names) and warnings.
    pub diagnostics: Vec<Diagnostic>,
    /// The old sources, then the new ones, for rendering the diagnostics.
    pub sources: SourceMap,
}

impl Report {
    /// The diagnostics as the CLI prints them, with a closing line that counts them.
    pub fn render(&self, color: bool) -> String {
        let mut out = crate::diagnostics::render_each(&self.diagnostics, &self.sources, color);
        let errors = self
            .diagnostics
            .iter()
            .filter(|d| d.severity == crate::Severity::Error)
            .count();
        let warnings = self.diagnostics.len() - errors;
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let warned = plural(warnings, "warning", "warnings");
        let (style, bold, reset) = if color {
            ("\x1b[1;31m", "\x1b[1m", "\x1b[0m")
        } else {
            ("", "", "")
        };
        if errors > 0 {
            let warned = if warnings > 0 {
                format!("; {warned} emitted")
            } else {
                String::new()
            };
            out.push_str(&format!(
                "{style}error{reset}{bold}: {} on channels that kept their names{warned}{reset}\n",
                plural(errors, "wire-breaking change", "wire-breaking changes"),
            ));
        } else if warnings > 0 {
            let style = if color { "\x1b[1;33m" } else { "" };
            out.push_str(&format!(
                "{style}warning{reset}{bold}: {warned} emitted{reset}\n"
            ));
        }
        out
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == crate::Severity::Error)
    }

    /// The report as `--format json` prints it.
    pub fn to_json(&self) -> serde_json::Value {
        let diagnostics: Vec<serde_json::Value> = self
            .diagnostics
            .iter()
            .map(|d| {
                let at = d.span.map(|span| {
                    let (line, column) = self.sources.line_col(span.source, span.start);
                    serde_json::json!({
                        "file": self.sources.path(span.source),
                        "line": line,
                        "column": column,
                    })
                });
                serde_json::json!({
                    "severity": d.severity,
                    "code": d.code,
                    "message": d.message,
                    "at": at,
                    "notes": d.notes,
                    "help": d.help,
                })
            })
            .collect();
        serde_json::json!({
            "version": 1,
            "channels": self.channels,
            "diagnostics": diagnostics,
        })
    }
}

/// Options of [`compare`].
#[derive(Debug, Clone, Copy, Default)]
pub struct CompatOptions {
    pub deploy: Deploy,
}

/// One version: its model, its sources (as rendered: ids shifted by `offset` in the report's
/// map) and where its declarations are written.
struct Version<'a> {
    ir: &'a Ir,
    offset: u32,
    locations: Locations,
}

/// A channel of one version: its declaration, channel name and wire schema.
struct ChannelOf {
    kind: ChannelKind,
    channel: String,
    decl: String,
    schema: WireSchema,
}

fn channels_of(ir: &Ir) -> Vec<ChannelOf> {
    let interfaces = ir.interfaces.iter().map(|i| ChannelOf {
        kind: ChannelKind::Interface,
        channel: i.channel.clone(),
        decl: i.meta.qualified_name.clone(),
        schema: interface_schema(ir, i),
    });
    let blocks = ir.notifications.iter().map(|n| ChannelOf {
        kind: ChannelKind::Notifications,
        channel: n.channel.clone(),
        decl: n.meta.qualified_name.clone(),
        schema: notifications_schema(ir, n),
    });
    interfaces.chain(blocks).collect()
}

/// Compares two checked versions of a contract. Both must be free of errors (`ir` present).
pub fn compare(old: &Checked, new: &Checked, options: &CompatOptions) -> Report {
    let mut sources = old.sources.clone();
    let offset = sources.append(&new.sources);
    let (Some(old_ir), Some(new_ir)) = (&old.ir, &new.ir) else {
        return Report {
            channels: Vec::new(),
            diagnostics: Vec::new(),
            sources,
        };
    };
    let old_version = Version {
        ir: old_ir,
        offset: 0,
        locations: Locations::of(&old.sources, 0),
    };
    let new_version = Version {
        ir: new_ir,
        offset,
        locations: Locations::of(&new.sources, 0),
    };
    let old_channels = channels_of(old_ir);
    let new_channels = channels_of(new_ir);

    // Pairs: same channel name (and kind) first, then the same declaration on a new name.
    let mut pairs: Vec<(Option<usize>, Option<usize>)> = Vec::new();
    let mut new_taken = vec![false; new_channels.len()];
    let mut old_left = Vec::new();
    for (o, old_channel) in old_channels.iter().enumerate() {
        match new_channels.iter().enumerate().position(|(n, c)| {
            !new_taken[n] && c.channel == old_channel.channel && c.kind == old_channel.kind
        }) {
            Some(n) => {
                new_taken[n] = true;
                pairs.push((Some(o), Some(n)));
            }
            None => old_left.push(o),
        }
    }
    for o in old_left {
        let old_channel = &old_channels[o];
        match new_channels.iter().enumerate().position(|(n, c)| {
            !new_taken[n] && c.decl == old_channel.decl && c.kind == old_channel.kind
        }) {
            Some(n) => {
                new_taken[n] = true;
                pairs.push((Some(o), Some(n)));
            }
            None => pairs.push((Some(o), None)),
        }
    }
    for (n, taken) in new_taken.iter().enumerate() {
        if !taken {
            pairs.push((None, Some(n)));
        }
    }

    let mut channels = Vec::new();
    let mut diagnostics = Vec::new();
    for (o, n) in pairs {
        let report = match (o, n) {
            (Some(o), Some(n)) => compare_channel(
                (&old_version, &old_channels[o]),
                (&new_version, &new_channels[n]),
                options,
                &mut diagnostics,
            ),
            (Some(o), None) => {
                let channel = &old_channels[o];
                let mut diagnostic = Diagnostic::warning(
                    CHANNEL_REMOVED,
                    format!(
                        "channel `{}` was removed: old frontends calling it get `unknownChannel`",
                        channel.channel
                    ),
                    Span::new(crate::diagnostics::SourceId(0), 0, 0),
                )
                .with_label("not in the new version");
                diagnostic.span = old_version.decl_span(&channel.decl);
                diagnostics.push(diagnostic);
                // Old frontends calling it get `unknownChannel`; code using it no longer builds.
                let removed = channel_change(
                    "channelRemoved",
                    format!("channel `{}` removed", channel.channel),
                    [Class::WireBreaking, Class::SourceBreaking],
                    vec!["rust", "ts"],
                    (old_version.decl_span(&channel.decl), None),
                );
                ChannelReport {
                    kind: kind_name(channel.kind),
                    old_channel: Some(channel.channel.clone()),
                    new_channel: None,
                    old_name: Some(channel.decl.clone()),
                    new_name: None,
                    status: ChannelStatus::Removed,
                    changes: vec![removed],
                    verdicts: None,
                }
            }
            (None, Some(n)) => {
                let channel = &new_channels[n];
                // A new capability: nothing that worked before changes.
                let added = channel_change(
                    "channelAdded",
                    format!("channel `{}` added", channel.channel),
                    [Class::Compatible, Class::Compatible],
                    Vec::new(),
                    (None, new_version.decl_span(&channel.decl)),
                );
                ChannelReport {
                    kind: kind_name(channel.kind),
                    old_channel: None,
                    new_channel: Some(channel.channel.clone()),
                    old_name: None,
                    new_name: Some(channel.decl.clone()),
                    status: ChannelStatus::Added,
                    changes: vec![added],
                    verdicts: None,
                }
            }
            (None, None) => continue,
        };
        channels.push(report);
    }
    let position = |span: Option<Span>| {
        span.map(|span| {
            let (line, column) = sources.line_col(span.source, span.start);
            Position {
                file: sources.path(span.source).to_owned(),
                line,
                column,
            }
        })
    };
    for change in channels.iter_mut().flat_map(|c| c.changes.iter_mut()) {
        change.old = position(change.old_span);
        change.new = position(change.new_span);
    }
    Report {
        channels,
        diagnostics,
        sources,
    }
}

/// A change of a whole channel (added, removed, renamed).
fn channel_change(
    kind: &'static str,
    summary: String,
    classes: [Class; 2],
    source: Vec<&'static str>,
    (old_span, new_span): (Option<Span>, Option<Span>),
) -> Change {
    Change {
        kind,
        summary,
        old_frontend_new_backend: classes[0],
        new_frontend_old_backend: classes[1],
        source,
        reasons: BTreeMap::new(),
        members: Vec::new(),
        broken: BTreeMap::new(),
        old: None,
        new: None,
        old_span,
        new_span,
        old_label: "before".into(),
        new_label: "now".into(),
    }
}

fn kind_name(kind: ChannelKind) -> &'static str {
    match kind {
        ChannelKind::Interface => "interface",
        ChannelKind::Notifications => "notifications",
    }
}

impl Version<'_> {
    fn shift(&self, span: Span) -> Span {
        Span {
            source: crate::diagnostics::SourceId(span.source.0 + self.offset),
            ..span
        }
    }

    fn decl_span(&self, qualified: &str) -> Option<Span> {
        let decl = self.locations.decl(qualified)?;
        decl.name.map(|span| self.shift(span))
    }

    /// The span of `loc` in this version's channel `channel` (declared as `decl`), or of the
    /// nearest enclosing thing that has one.
    fn span(&self, channel: &ChannelOf, loc: &Loc) -> Option<Span> {
        let type_decl = |ty: &u32| -> Option<String> {
            let id: TypeId = *channel.schema.type_ids.get(*ty as usize)?;
            Some(self.ir.ty(id).meta.qualified_name.clone())
        };
        let decl = |name: &str| self.locations.decl(name);
        let found = match loc {
            Loc::Channel => decl(&channel.decl).and_then(|d| d.name),
            Loc::Member(m) => {
                decl(&channel.decl).and_then(|d| d.members.get(m).copied().or(d.name))
            }
            Loc::Param { member, index } => decl(&channel.decl).and_then(|d| {
                d.params
                    .get(&(member.clone(), *index))
                    .or(d.members.get(member))
                    .copied()
            }),
            Loc::Result { member } => decl(&channel.decl)
                .and_then(|d| d.results.get(member).or(d.members.get(member)).copied()),
            Loc::Throws { member } => decl(&channel.decl)
                .and_then(|d| d.throws.get(member).or(d.members.get(member)).copied()),
            Loc::Type(ty) => type_decl(ty).and_then(|name| decl(&name)?.name),
            Loc::Field { ty, field: member }
            | Loc::Variant {
                ty,
                variant: member,
            }
            | Loc::EnumValue { ty, value: member } => type_decl(ty).and_then(|name| {
                let d = decl(&name)?;
                d.members.get(member).copied().or(d.name)
            }),
            Loc::VariantField { ty, variant, field } => type_decl(ty).and_then(|name| {
                let d = decl(&name)?;
                d.variant_fields
                    .get(&(variant.clone(), field.clone()))
                    .or(d.members.get(variant))
                    .copied()
                    .or(d.name)
            }),
        };
        found.map(|span| self.shift(span))
    }
}

/// Compares one channel's two versions; pushes its diagnostics.
fn compare_channel(
    (old_version, old): (&Version<'_>, &ChannelOf),
    (new_version, new): (&Version<'_>, &ChannelOf),
    options: &CompatOptions,
    diagnostics: &mut Vec<Diagnostic>,
) -> ChannelReport {
    let renamed = old.channel != new.channel;
    let judgements: Vec<(Direction, Option<Judgement>)> = Direction::BOTH
        .iter()
        .map(|&direction| {
            let (frontend, backend) = match direction {
                Direction::OldFrontendNewBackend => (&old.schema.schema, &new.schema.schema),
                Direction::NewFrontendOldBackend => (&new.schema.schema, &old.schema.schema),
            };
            (direction, judge(frontend, backend, BUDGET).ok())
        })
        .collect();

    let mut merged = Merged::default();
    let mut seen = 0;
    for (direction, judgement) in &judgements {
        let Some(judgement) = judgement else { continue };
        // Which members reach each finding.
        let mut reached_by: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
        for member in judgement.members.keys() {
            for finding in judgement.reached(member) {
                reached_by
                    .entry(finding)
                    .or_default()
                    .insert(member.clone());
            }
        }
        for (index, finding) in judgement.findings.iter().enumerate() {
            let canonical = canonical(finding, *direction);
            let change = merged
                .changes
                .entry((canonical.canon, canonical.old, canonical.new))
                .or_insert_with(|| MergedChange {
                    first_seen: seen,
                    ..MergedChange::default()
                });
            seen += 1;
            change.findings.entry(*direction).or_default().push(index);
            let members = reached_by.get(&index).into_iter().flatten().cloned();
            if finding.breaking {
                change
                    .broken
                    .entry(*direction)
                    .or_default()
                    .extend(members.clone());
            }
            change.members.extend(members);
        }
    }

    let versions = Versions {
        old: &old.schema.schema,
        new: &new.schema.schema,
    };
    let mut ordered: Vec<_> = merged.changes.iter().collect();
    ordered.sort_by_key(|(_, change)| change.first_seen);
    let mut changes = Vec::new();
    if renamed {
        // The version bump itself: peers of the two versions no longer meet on one channel
        // (an old frontend's calls get `unknownChannel` unless the backend serves both).
        changes.push(channel_change(
            "channelRenamed",
            format!("channel `{}` renamed to `{}`", old.channel, new.channel),
            [Class::WireBreaking, Class::WireBreaking],
            Vec::new(),
            (
                old_version.decl_span(&old.decl),
                new_version.decl_span(&new.decl),
            ),
        ));
    }
    for ((canon, old_loc, new_loc), merged_change) in ordered {
        let described = versions.describe(canon, old_loc, new_loc);
        let mut reasons = BTreeMap::new();
        let mut classes = BTreeMap::new();
        for (direction, judgement) in &judgements {
            let Some(judgement) = judgement else { continue };
            let findings = merged_change
                .findings
                .get(direction)
                .map(Vec::as_slice)
                .unwrap_or_default();
            // A member the old version did not have cannot have worked before: its absence on
            // an old backend is the new capability not being there yet, not a break.
            let breaking_finding = findings
                .iter()
                .map(|&f| &judgement.findings[f])
                .find(|f| f.breaking && !matches!(canon, Canon::MemberAdded(_)));
            let class = match breaking_finding {
                Some(finding) => {
                    let (frontend, backend) = match direction {
                        Direction::OldFrontendNewBackend => (versions.old, versions.new),
                        Direction::NewFrontendOldBackend => (versions.new, versions.old),
                    };
                    reasons.insert(
                        direction.key(),
                        finding.describe(frontend, backend, &direction.words()),
                    );
                    Class::WireBreaking
                }
                None if described.source.is_empty() => Class::Compatible,
                None => Class::SourceBreaking,
            };
            classes.insert(*direction, class);
        }
        let old_span = old_version.span(old, old_loc);
        let new_span = new_version.span(new, new_loc);
        changes.push(Change {
            kind: described.kind,
            summary: described.summary,
            old_frontend_new_backend: classes
                .get(&Direction::OldFrontendNewBackend)
                .copied()
                .unwrap_or(Class::WireBreaking),
            new_frontend_old_backend: classes
                .get(&Direction::NewFrontendOldBackend)
                .copied()
                .unwrap_or(Class::WireBreaking),
            source: described.source,
            reasons,
            members: merged_change.members.iter().cloned().collect(),
            broken: merged_change
                .broken
                .iter()
                .map(|(d, m)| (*d, m.iter().cloned().collect()))
                .collect(),
            old: None,
            new: None,
            old_span,
            new_span,
            old_label: described.old_label,
            new_label: described.new_label,
        });
    }
    if old.decl != new.decl {
        changes.push(Change {
            kind: "declarationRenamed",
            summary: format!("`{}` renamed to `{}`", old.decl, new.decl),
            old_frontend_new_backend: Class::SourceBreaking,
            new_frontend_old_backend: Class::SourceBreaking,
            source: vec!["rust", "ts"],
            reasons: BTreeMap::new(),
            members: Vec::new(),
            broken: BTreeMap::new(),
            old: None,
            new: None,
            old_span: old_version.decl_span(&old.decl),
            new_span: new_version.decl_span(&new.decl),
            old_label: "old name".into(),
            new_label: "new name".into(),
        });
    }
    let too_complex = judgements.iter().any(|(_, j)| j.is_none());

    // Diagnostics: a wire-breaking change on a channel that kept its name is an error when a
    // deployment can produce that direction; every other breaking change is a warning.
    for change in changes.iter().filter(|c| c.kind != "channelRenamed") {
        let breaking: Vec<Direction> = Direction::BOTH
            .into_iter()
            .filter(|&d| change.class(d) == Class::WireBreaking)
            .collect();
        let counted: Vec<Direction> = breaking
            .iter()
            .copied()
            .filter(|&d| options.deploy.counts(d))
            .collect();
        let error = !renamed && !counted.is_empty();
        // On a renamed channel peers of the two versions do not meet: only the generated APIs
        // are worth a word.
        let breaking = if renamed { Vec::new() } else { breaking };
        if !error && breaking.is_empty() && change.source.is_empty() {
            continue;
        }
        let message = if error {
            format!(
                "{} on channel `{}`, which kept its name",
                change.summary, new.channel
            )
        } else if renamed {
            format!(
                "{}: the generated {} changes (channel `{}` is now `{}`)",
                change.summary,
                languages(&change.source),
                old.channel,
                new.channel
            )
        } else if breaking.is_empty() {
            format!(
                "{}: the generated {} changes",
                change.summary,
                languages(&change.source)
            )
        } else {
            format!(
                "{} breaks {} only, which `--deploy` rules out",
                change.summary,
                breaking
                    .iter()
                    .map(|d| d.arrow())
                    .collect::<Vec<_>>()
                    .join(" and ")
            )
        };
        let anchor = change.new_span.or(change.old_span);
        let mut diagnostic = Diagnostic {
            span: anchor,
            ..if error {
                Diagnostic::error(
                    WIRE_BREAKING,
                    message,
                    Span::new(crate::diagnostics::SourceId(0), 0, 0),
                )
            } else {
                Diagnostic::warning(
                    SOURCE_BREAKING,
                    message,
                    Span::new(crate::diagnostics::SourceId(0), 0, 0),
                )
            }
        };
        match (change.new_span, change.old_span) {
            (Some(_), Some(old_span)) => {
                diagnostic.label = Some(change.new_label.clone());
                diagnostic
                    .secondary
                    .push((old_span, change.old_label.clone()));
            }
            (Some(_), None) => diagnostic.label = Some(change.new_label.clone()),
            (None, _) => diagnostic.label = Some(change.old_label.clone()),
        }
        for direction in &breaking {
            if let Some(reason) = change.reasons.get(direction.key()) {
                let broken = change
                    .broken
                    .get(direction)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                let affected = if broken.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (breaks {})",
                        broken
                            .iter()
                            .map(|m| format!("`{m}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                diagnostic
                    .notes
                    .push(format!("{}: {reason}{affected}", direction.arrow()));
            }
        }
        if !change.source.is_empty() && !error {
            diagnostic.notes.push(format!(
                "code written against the old generated {} may no longer compile",
                languages(&change.source)
            ));
        }
        if error {
            diagnostic.help = Some(format!(
                "if the change is intended, give the channel a new name (`{}` → `{}`), so that peers of the two versions do not meet on it",
                new.channel,
                next_channel_name(&new.channel)
            ));
        }
        diagnostics.push(diagnostic);
    }
    if too_complex {
        let mut diagnostic = Diagnostic::error(
            WIRE_BREAKING,
            format!(
                "channel `{}` is too large to compare; treat every difference as breaking",
                new.channel
            ),
            Span::new(crate::diagnostics::SourceId(0), 0, 0),
        );
        diagnostic.span = new_version.decl_span(&new.decl);
        diagnostics.push(diagnostic);
    }

    let verdicts = (!renamed).then(|| {
        judgements
            .iter()
            .filter_map(|(direction, judgement)| {
                let judgement = judgement.as_ref()?;
                let members = judgement
                    .members
                    .iter()
                    .map(|(m, v)| (m.clone(), v.unusable.clone()))
                    .collect();
                Some((direction.key(), members))
            })
            .collect()
    });
    let status = if renamed {
        ChannelStatus::Renamed
    } else if changes.is_empty() {
        ChannelStatus::Unchanged
    } else {
        ChannelStatus::Changed
    };
    ChannelReport {
        kind: kind_name(new.kind),
        old_channel: Some(old.channel.clone()),
        new_channel: Some(new.channel.clone()),
        old_name: Some(old.decl.clone()),
        new_name: Some(new.decl.clone()),
        status,
        changes,
        verdicts,
    }
}

/// "Rust and TypeScript code", "Rust code".
fn languages(source: &[&str]) -> String {
    let names: Vec<&str> = source
        .iter()
        .map(|s| if *s == "rust" { "Rust" } else { "TypeScript" })
        .collect();
    format!("{} code", names.join(" and "))
}

/// The channel name a breaking change should move to: the last number in the name plus one
/// (`my-interface-v1.2` → `my-interface-v1.3`, `orders-v9` → `orders-v10`), or `-v2` appended
/// when the name has no number.
pub fn next_channel_name(channel: &str) -> String {
    let bytes = channel.as_bytes();
    let Some(end) = bytes.iter().rposition(u8::is_ascii_digit).map(|i| i + 1) else {
        return format!("{channel}-v2");
    };
    let start = bytes[..end]
        .iter()
        .rposition(|b| !b.is_ascii_digit())
        .map_or(0, |i| i + 1);
    let digits = &channel[start..end];
    // Keep a leading zero's width (`v09` → `v10`); beyond u64, append a digit instead.
    let next = match digits.parse::<u64>().ok().and_then(|n| n.checked_add(1)) {
        Some(n) => format!("{n:0width$}", width = digits.len()),
        None => format!("{digits}1"),
    };
    format!("{}{next}{}", &channel[..start], &channel[end..])
}

#[cfg(test)]
mod tests {
    use super::next_channel_name;

    #[test]
    fn the_next_channel_name_bumps_the_last_number() {
        assert_eq!(next_channel_name("my-interface-v1.2"), "my-interface-v1.3");
        assert_eq!(next_channel_name("orders-v9"), "orders-v10");
        assert_eq!(next_channel_name("orders-v09"), "orders-v10");
        assert_eq!(next_channel_name("v2-orders"), "v3-orders");
        assert_eq!(next_channel_name("orders"), "orders-v2");
    }
}
