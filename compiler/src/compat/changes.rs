//! From the judge's findings to changes: each difference between two versions of a channel
//! once, described old → new, with what it does to each direction and to the generated APIs.
//!
//! The judge compares a frontend with a backend; `compat` runs it both ways (an old frontend
//! against the new backend, a new frontend against the old backend) and meets the same
//! difference twice, seen from each side. A finding is turned into a direction-neutral
//! [`Canon`] plus its old and new locations, and findings with the same triple are one change.

use std::collections::BTreeMap;

use ipcc_wire_compat::{
    ChannelKind, ChannelSchema, Finding, FindingKind, Loc, Primitive, Side, WireType,
};

/// A difference, described from the old version to the new one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Canon {
    MemberAdded(String),
    MemberRemoved(String),
    ParamAdded,
    ParamRemoved,
    ParamMoved(String),
    ParamRenamed {
        old: String,
        new: String,
    },
    BecameRequired,
    BecameOptional,
    TypeChanged {
        old: String,
        new: String,
    },
    FieldAdded(String),
    FieldRemoved(String),
    ValueAdded(String),
    ValueRemoved(String),
    VariantAdded(String),
    VariantRemoved(String),
    TypeRenamed {
        old: String,
        new: String,
    },
    ThrowsAdded,
    ThrowsRemoved,
    /// A parameter or the result became a stream (`T` → `AsyncIterable<T>`).
    BecameStream,
    /// A streaming parameter or result became a single value (`AsyncIterable<T>` → `T`).
    BecameSingle,
}

/// Which side of a comparison is the old version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    /// An old frontend (built from the old version) against the new backend.
    OldFrontendNewBackend,
    /// A new frontend against the old backend.
    NewFrontendOldBackend,
}

impl Direction {
    pub const BOTH: [Direction; 2] = [
        Direction::OldFrontendNewBackend,
        Direction::NewFrontendOldBackend,
    ];

    /// How messages name the two sides in this direction.
    pub fn words(self) -> ipcc_wire_compat::Words<'static> {
        match self {
            Direction::OldFrontendNewBackend => ipcc_wire_compat::Words {
                frontend: "an old frontend",
                backend: "the new backend",
            },
            Direction::NewFrontendOldBackend => ipcc_wire_compat::Words {
                frontend: "a new frontend",
                backend: "an old backend",
            },
        }
    }

    /// The JSON name (`oldFrontendNewBackend`).
    pub fn key(self) -> &'static str {
        match self {
            Direction::OldFrontendNewBackend => "oldFrontendNewBackend",
            Direction::NewFrontendOldBackend => "newFrontendOldBackend",
        }
    }

    /// "old frontend → new backend".
    pub fn arrow(self) -> &'static str {
        match self {
            Direction::OldFrontendNewBackend => "old frontend → new backend",
            Direction::NewFrontendOldBackend => "new frontend → old backend",
        }
    }

    /// Whether the old version is the frontend in this direction.
    fn old_is_frontend(self) -> bool {
        self == Direction::OldFrontendNewBackend
    }
}

/// A finding seen as a change: what it is, and where it is in each version.
pub(crate) struct Canonical {
    pub canon: Canon,
    pub old: Loc,
    pub new: Loc,
}

/// Turns a finding of the judge (run in `direction`) into a change.
pub(crate) fn canonical(finding: &Finding, direction: Direction) -> Canonical {
    let (old, new) = if direction.old_is_frontend() {
        (finding.frontend.clone(), finding.backend.clone())
    } else {
        (finding.backend.clone(), finding.frontend.clone())
    };
    // Whether the old version is the one writing the values concerned.
    let old_writes = (finding.role.writer() == Side::Frontend) == direction.old_is_frontend();
    // Whether the side holding the thing a finding is about (the frontend for MemberMissing,
    // the writer or the reader otherwise) is the new version.
    let new_has = |holder_writes: bool| holder_writes != old_writes;
    let member_of = |loc: &Loc| match loc {
        Loc::Member(m) => m.clone(),
        _ => String::new(),
    };
    let canon = match &finding.kind {
        FindingKind::MemberMissing => {
            // The frontend has it.
            if direction.old_is_frontend() {
                Canon::MemberRemoved(member_of(&old))
            } else {
                Canon::MemberAdded(member_of(&new))
            }
        }
        FindingKind::MemberUnknownToFrontend => {
            if direction.old_is_frontend() {
                Canon::MemberAdded(member_of(&new))
            } else {
                Canon::MemberRemoved(member_of(&old))
            }
        }
        // The writer has the extra parameter.
        FindingKind::TooManyArguments { .. } => added_or_removed(new_has(true)),
        // The reader has it.
        FindingKind::ArgumentMissing { .. } | FindingKind::ArgumentExtra { .. } => {
            added_or_removed(new_has(false))
        }
        // The writer may omit, the reader requires.
        FindingKind::ArgumentMayBeOmitted { .. } | FindingKind::MayBeNull => {
            if old_writes {
                Canon::BecameRequired
            } else {
                Canon::BecameOptional
            }
        }
        // The writer always sends, the reader takes it absent too.
        FindingKind::NowOptional => {
            if old_writes {
                Canon::BecameOptional
            } else {
                Canon::BecameRequired
            }
        }
        FindingKind::ParamMoved { name, .. } => Canon::ParamMoved(name.clone()),
        FindingKind::ParamRenamed { writer, reader } => {
            let (old, new) = ordered(old_writes, writer, reader);
            Canon::ParamRenamed { old, new }
        }
        FindingKind::Mismatch { writer, reader } => {
            let (old, new) = ordered(old_writes, writer, reader);
            Canon::TypeChanged { old, new }
        }
        FindingKind::Widened { writer, reader } | FindingKind::Narrowed { writer, reader } => {
            let (old, new) = ordered(old_writes, writer.name(), reader.name());
            Canon::TypeChanged { old, new }
        }
        FindingKind::StreamMismatch { writer_streams } => {
            // The new version streams when the writer streams and is the new one, or the
            // reader (who then streams) is.
            if *writer_streams != old_writes {
                Canon::BecameStream
            } else {
                Canon::BecameSingle
            }
        }
        FindingKind::VoidAsNull => {
            // The writer returns void, the reader an optional value.
            let value = "an optional value".to_owned();
            let (old, new) = ordered(old_writes, "void", &value);
            Canon::TypeChanged { old, new }
        }
        FindingKind::FieldMissing { field } | FindingKind::FieldNeverSent { field } => {
            field_change(new_has(false), field)
        }
        FindingKind::FieldIgnored { field } => field_change(new_has(true), field),
        FindingKind::ValueUnknown { value } => value_change(new_has(true), value),
        FindingKind::ValueNeverSent { value } => value_change(new_has(false), value),
        FindingKind::VariantUnknown { variant } => variant_change(new_has(true), variant),
        FindingKind::VariantNeverSent { variant } => variant_change(new_has(false), variant),
        FindingKind::TypeRenamed { writer, reader } => {
            let (old, new) = ordered(old_writes, writer, reader);
            Canon::TypeRenamed { old, new }
        }
        FindingKind::ThrowsUnknown => {
            if new_has(true) {
                Canon::ThrowsAdded
            } else {
                Canon::ThrowsRemoved
            }
        }
        FindingKind::ThrowsNeverSent => {
            if new_has(false) {
                Canon::ThrowsAdded
            } else {
                Canon::ThrowsRemoved
            }
        }
    };
    Canonical { canon, old, new }
}

fn ordered(old_writes: bool, writer: &str, reader: &str) -> (String, String) {
    if old_writes {
        (writer.to_owned(), reader.to_owned())
    } else {
        (reader.to_owned(), writer.to_owned())
    }
}

fn added_or_removed(new_has: bool) -> Canon {
    if new_has {
        Canon::ParamAdded
    } else {
        Canon::ParamRemoved
    }
}

fn field_change(new_has: bool, field: &str) -> Canon {
    if new_has {
        Canon::FieldAdded(field.to_owned())
    } else {
        Canon::FieldRemoved(field.to_owned())
    }
}

fn value_change(new_has: bool, value: &str) -> Canon {
    if new_has {
        Canon::ValueAdded(value.to_owned())
    } else {
        Canon::ValueRemoved(value.to_owned())
    }
}

fn variant_change(new_has: bool, variant: &str) -> Canon {
    if new_has {
        Canon::VariantAdded(variant.to_owned())
    } else {
        Canon::VariantRemoved(variant.to_owned())
    }
}

/// The two versions of a channel's schema, for words.
pub(crate) struct Versions<'s> {
    pub old: &'s ChannelSchema,
    pub new: &'s ChannelSchema,
}

/// A change in words, with the labels of its old and new places.
pub(crate) struct Described {
    /// A stable name for tools (`fieldAdded`).
    pub kind: &'static str,
    pub summary: String,
    pub old_label: String,
    pub new_label: String,
    /// Which generated APIs change: `rust`, `ts`.
    pub source: Vec<&'static str>,
}

const BOTH: [&str; 2] = ["rust", "ts"];

impl Versions<'_> {
    fn noun(&self) -> &'static str {
        match self.new.kind {
            ChannelKind::Interface => "method",
            ChannelKind::Notifications => "notification",
        }
    }

    fn param(&self, schema: &ChannelSchema, loc: &Loc) -> Option<(String, String, bool)> {
        let Loc::Param { member, index } = loc else {
            return None;
        };
        let param = schema.members.get(member)?.params.get(*index)?;
        Some((member.clone(), param.name.clone(), param.omittable))
    }

    fn type_name(schema: &ChannelSchema, loc: &Loc) -> String {
        let ty = match loc {
            Loc::Type(ty) | Loc::Field { ty, .. } | Loc::EnumValue { ty, .. } => ty,
            Loc::Variant { ty, .. } | Loc::VariantField { ty, .. } => ty,
            _ => return String::new(),
        };
        schema
            .types
            .get(*ty as usize)
            .map_or_else(String::new, |t| t.name().to_owned())
    }

    /// Where in a union a variant's field sits: " of variant `v`" or nothing.
    fn variant_of(loc: &Loc) -> String {
        match loc {
            Loc::Variant { variant, .. } | Loc::VariantField { variant, .. } => {
                format!(" of variant `{variant}`")
            }
            _ => String::new(),
        }
    }

    /// Words and source impact of a change.
    pub fn describe(&self, canon: &Canon, old: &Loc, new: &Loc) -> Described {
        let (old_s, new_s) = (self.old, self.new);
        let events = self.new.kind == ChannelKind::Notifications;
        let d =
            |kind, summary: String, old_label: &str, new_label: &str, source: &[&'static str]| {
                Described {
                    kind,
                    summary,
                    old_label: old_label.to_owned(),
                    new_label: new_label.to_owned(),
                    source: source.to_vec(),
                }
            };
        match canon {
            Canon::MemberAdded(m) => {
                // A handler must implement a new method; a new notification only adds a
                // listener method with a default body and a sender method.
                let source: &[&str] = if events { &[] } else { &BOTH };
                d(
                    if events {
                        "notificationAdded"
                    } else {
                        "methodAdded"
                    },
                    format!("{} `{m}` added", self.noun()),
                    "not in the old version",
                    "added here",
                    source,
                )
            }
            Canon::MemberRemoved(m) => d(
                if events {
                    "notificationRemoved"
                } else {
                    "methodRemoved"
                },
                format!("{} `{m}` removed", self.noun()),
                "removed",
                "not in the new version",
                &BOTH,
            ),
            Canon::ParamAdded => {
                let (member, name, omittable) = self.param(new_s, new).unwrap_or_default();
                let required = if omittable { "optional" } else { "required" };
                // TypeScript callers may leave an optional parameter out; Rust signatures change.
                let source: &[&str] = if omittable { &["rust"] } else { &BOTH };
                d(
                    "parameterAdded",
                    format!("{required} parameter `{name}` added to `{member}`"),
                    "not in the old version",
                    "added here",
                    source,
                )
            }
            Canon::ParamRemoved => {
                let (member, name, _) = self.param(old_s, old).unwrap_or_default();
                d(
                    "parameterRemoved",
                    format!("parameter `{name}` removed from `{member}`"),
                    "removed",
                    "not in the new version",
                    &BOTH,
                )
            }
            Canon::ParamMoved(name) => {
                let position = |loc: &Loc| match loc {
                    Loc::Param { index, .. } => index + 1,
                    _ => 0,
                };
                let member = match new {
                    Loc::Param { member, .. } => member.clone(),
                    _ => String::new(),
                };
                d(
                    "parameterMoved",
                    format!(
                        "parameter `{name}` of `{member}` moved from position {} to {}",
                        position(old),
                        position(new)
                    ),
                    "was here",
                    "now here",
                    &BOTH,
                )
            }
            Canon::ParamRenamed { old: o, new: n } => {
                let member = match new {
                    Loc::Param { member, .. } => member.clone(),
                    _ => String::new(),
                };
                d(
                    "parameterRenamed",
                    format!("parameter `{o}` of `{member}` renamed to `{n}`"),
                    "old name",
                    "new name",
                    &BOTH,
                )
            }
            Canon::BecameRequired => d(
                "becameRequired",
                format!("{} became required", new_s.describe_loc(new)),
                "optional here",
                "required here",
                &BOTH,
            ),
            Canon::BecameOptional => d(
                "becameOptional",
                format!("{} became optional", new_s.describe_loc(new)),
                "required here",
                "optional here",
                &BOTH,
            ),
            Canon::TypeChanged { old: o, new: n } => {
                // Scalars that are all `number` in TypeScript change only the Rust type.
                let source: &[&str] = if is_ts_number(o) && is_ts_number(n) {
                    &["rust"]
                } else {
                    &BOTH
                };
                d(
                    "typeChanged",
                    format!(
                        "the type of {} changed from `{o}` to `{n}`",
                        new_s.describe_loc(new)
                    ),
                    &format!("`{o}` here"),
                    &format!("`{n}` here"),
                    source,
                )
            }
            Canon::FieldAdded(field) => {
                let optional = field_is_optional(new_s, new);
                let required = if optional { "optional" } else { "required" };
                // A Rust struct literal must name every field; a TypeScript object literal
                // only the required ones.
                let source: &[&str] = if optional { &["rust"] } else { &BOTH };
                d(
                    "fieldAdded",
                    format!(
                        "{required} field `{field}` added to `{}`{}",
                        Self::type_name(new_s, new),
                        Self::variant_of(new)
                    ),
                    "not in the old version",
                    "added here",
                    source,
                )
            }
            Canon::FieldRemoved(field) => d(
                "fieldRemoved",
                format!(
                    "field `{field}` removed from `{}`{}",
                    Self::type_name(old_s, old),
                    Self::variant_of(old)
                ),
                "removed",
                "not in the new version",
                &BOTH,
            ),
            Canon::ValueAdded(value) => d(
                "enumValueAdded",
                format!(
                    "value `{value}` added to enum `{}`",
                    Self::type_name(new_s, new)
                ),
                "not in the old version",
                "added here",
                &BOTH,
            ),
            Canon::ValueRemoved(value) => d(
                "enumValueRemoved",
                format!(
                    "value `{value}` removed from enum `{}`",
                    Self::type_name(old_s, old)
                ),
                "removed",
                "not in the new version",
                &BOTH,
            ),
            Canon::VariantAdded(variant) => d(
                "variantAdded",
                format!(
                    "variant `{variant}` added to union `{}`",
                    Self::type_name(new_s, new)
                ),
                "not in the old version",
                "added here",
                &BOTH,
            ),
            Canon::VariantRemoved(variant) => d(
                "variantRemoved",
                format!(
                    "variant `{variant}` removed from union `{}`",
                    Self::type_name(old_s, old)
                ),
                "removed",
                "not in the new version",
                &BOTH,
            ),
            Canon::TypeRenamed { old: o, new: n } => d(
                "typeRenamed",
                format!("type `{o}` renamed to `{n}`"),
                "old name",
                "new name",
                &BOTH,
            ),
            Canon::BecameStream => d(
                "becameStream",
                format!(
                    "{} became a stream (`AsyncIterable`)",
                    new_s.describe_loc(new)
                ),
                "a single value here",
                "a stream here",
                &BOTH,
            ),
            Canon::BecameSingle => d(
                "becameSingle",
                format!(
                    "{} is no longer a stream (`AsyncIterable`)",
                    new_s.describe_loc(new)
                ),
                "a stream here",
                "a single value here",
                &BOTH,
            ),
            Canon::ThrowsAdded => d(
                "throwsAdded",
                format!("`{}` now declares an error", member_name(new)),
                "no `throws` here",
                "added here",
                &BOTH,
            ),
            Canon::ThrowsRemoved => d(
                "throwsRemoved",
                format!("`{}` no longer declares an error", member_name(old)),
                "removed",
                "no `throws` here",
                &BOTH,
            ),
        }
    }
}

fn member_name(loc: &Loc) -> String {
    match loc {
        Loc::Member(m) | Loc::Throws { member: m } | Loc::Result { member: m } => m.clone(),
        Loc::Param { member, .. } => member.clone(),
        _ => String::new(),
    }
}

fn field_is_optional(schema: &ChannelSchema, loc: &Loc) -> bool {
    let fields = match loc {
        Loc::Field { ty, .. } => match schema.types.get(*ty as usize) {
            Some(ipcc_wire_compat::TypeSchema::Struct { fields, .. }) => fields.as_slice(),
            _ => return false,
        },
        Loc::VariantField { ty, variant, .. } => match schema.types.get(*ty as usize) {
            Some(ipcc_wire_compat::TypeSchema::Union { variants, .. }) => {
                match variants.iter().find(|v| &v.name == variant) {
                    Some(v) => v.fields.as_slice(),
                    None => return false,
                }
            }
            _ => return false,
        },
        _ => return false,
    };
    let name = match loc {
        Loc::Field { field, .. } | Loc::VariantField { field, .. } => field,
        _ => return false,
    };
    fields
        .iter()
        .any(|f| &f.name == name && matches!(f.ty, WireType::Optional(_)))
}

/// Scalars TypeScript holds as `number`.
fn is_ts_number(name: &str) -> bool {
    const NUMBERS: [Primitive; 8] = [
        Primitive::I8,
        Primitive::I16,
        Primitive::I32,
        Primitive::U8,
        Primitive::U16,
        Primitive::U32,
        Primitive::F32,
        Primitive::F64,
    ];
    NUMBERS.iter().any(|p| p.name() == name)
}

/// Changes of one pair of channel versions, keyed so that both directions meet.
#[derive(Default)]
pub(crate) struct Merged {
    pub changes: BTreeMap<(Canon, Loc, Loc), MergedChange>,
}

/// One change, with what each direction found about it.
#[derive(Default)]
pub(crate) struct MergedChange {
    /// Per direction: the findings that make it (indices into that direction's judgement).
    pub findings: BTreeMap<Direction, Vec<usize>>,
    /// Members whose messages the change affects, in name order.
    pub members: std::collections::BTreeSet<String>,
    /// Per direction, the members it makes unusable.
    pub broken: BTreeMap<Direction, std::collections::BTreeSet<String>>,
    /// The order the change was first met in (to list changes in a stable, readable order).
    pub first_seen: usize,
}
