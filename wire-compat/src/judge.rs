//! Whether a frontend built from one schema of a channel can talk to a backend built from
//! another: every difference between the two, and for each of the frontend's members whether
//! it still works.
//!
//! The rules follow the decoders (docs/protocol.md, "Values"): a value written by one side must
//! decode on the other. Writers and readers swap by direction: the frontend writes arguments,
//! the backend writes results, declared errors and notifications. So a struct that only
//! travels in results may gain a required field (an old frontend ignores it) while one that
//! travels in arguments may not (a new backend would miss it from an old frontend).
//!
//! Streams (`AsyncIterable<T>`, format 2) travel as their items: a stream on one side and a
//! single value on the other never meet (the calls differ on the wire), and the items of an
//! input stream are judged like an argument, those of an output stream like a result.
//!
//! Declared errors (`throws`) are judged like values, but a value the reader cannot decode
//! there never makes a member unusable: the call fails either way, only untyped.
//!
//! Work is bounded: shared types are compared once per pair (and per direction), types are
//! walked with an explicit work list (no recursion on type depth), and [`judge`] gives up
//! after a budget of steps, so a hostile schema costs a bounded amount of time.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use crate::schema::{
    ChannelKind, ChannelSchema, FieldSchema, MemberSchema, ParamSchema, Primitive, TypeSchema,
    WireType,
};

/// Steps [`judge`] may take by default: far above any real schema (a step is one type use or
/// one field), low enough to bound a hostile one to milliseconds.
pub const DEFAULT_BUDGET: usize = 1_000_000;

/// One side of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    Frontend,
    Backend,
}

/// Who writes the values a comparison is about, and on which path they travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Call arguments.
    FrontendWrites,
    /// Results and notifications.
    BackendWrites,
    /// Declared errors: written by the backend; an undecodable one still fails the call.
    BackendFails,
}

impl Role {
    pub fn writer(self) -> Side {
        match self {
            Role::FrontendWrites => Side::Frontend,
            Role::BackendWrites | Role::BackendFails => Side::Backend,
        }
    }
}

/// A place in one side's schema.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Loc {
    /// The channel as a whole (where a member that does not exist on this side would be).
    Channel,
    Member(String),
    /// A parameter, by position.
    Param {
        member: String,
        index: usize,
    },
    Result {
        member: String,
    },
    Throws {
        member: String,
    },
    /// A named type, by index into its schema's `types`.
    Type(u32),
    Field {
        ty: u32,
        field: String,
    },
    Variant {
        ty: u32,
        variant: String,
    },
    VariantField {
        ty: u32,
        variant: String,
        field: String,
    },
    EnumValue {
        ty: u32,
        value: String,
    },
}

/// What differs. "Writer" and "reader" are the sides given by the finding's role.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FindingKind {
    /// The frontend has a member the backend does not.
    MemberMissing,
    /// The backend has a member the frontend does not (a notification: never sent to it).
    MemberUnknownToFrontend,
    /// The writer may send more arguments than the reader takes.
    TooManyArguments { writer: usize, reader: usize },
    /// The reader requires an argument the writer does not have.
    ArgumentMissing { index: usize },
    /// The reader requires an argument the writer may leave out.
    ArgumentMayBeOmitted { index: usize },
    /// The reader takes a trailing optional argument the writer does not have.
    ArgumentExtra { index: usize },
    /// A parameter the writer sends at one position is read at another.
    ParamMoved {
        name: String,
        writer_index: usize,
        reader_index: usize,
    },
    /// The parameter at a position has another name (names are not on the wire).
    ParamRenamed { writer: String, reader: String },
    /// Values of the writer's type do not decode as the reader's.
    Mismatch { writer: String, reader: String },
    /// Every value of the writer's scalar is a value of the reader's (`u8` → `u16`).
    Widened {
        writer: Primitive,
        reader: Primitive,
    },
    /// Some values of the writer's scalar are not values of the reader's (`u16` → `u8`).
    Narrowed {
        writer: Primitive,
        reader: Primitive,
    },
    /// The writer may send null (or leave a field out); the reader requires a value.
    MayBeNull,
    /// The writer always sends a value; the reader would also take null.
    NowOptional,
    /// The writer returns `void` (null); the reader expects an optional value.
    VoidAsNull,
    /// One side has a stream (`AsyncIterable<T>`) where the other has a single value: a
    /// parameter, or the result. `writer_streams` says which side streams.
    StreamMismatch { writer_streams: bool },
    /// The reader requires a field the writer does not have.
    FieldMissing { field: String },
    /// The writer sends a field the reader does not know (ignored on arrival).
    FieldIgnored { field: String },
    /// The reader has an optional field the writer never sends.
    FieldNeverSent { field: String },
    /// The writer may send an enum value the reader does not know.
    ValueUnknown { value: String },
    /// The reader knows an enum value the writer never sends.
    ValueNeverSent { value: String },
    /// The writer may send a union variant the reader does not know.
    VariantUnknown { variant: String },
    /// The reader knows a union variant the writer never sends.
    VariantNeverSent { variant: String },
    /// The same type has another name on each side (names are not on the wire).
    TypeRenamed { writer: String, reader: String },
    /// The writer may fail with a declared error; the reader declares none.
    ThrowsUnknown,
    /// The reader declares an error the writer never sends.
    ThrowsNeverSent,
}

/// One difference between the two schemas.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Finding {
    pub kind: FindingKind,
    /// Who writes the values concerned.
    pub role: Role,
    /// Where it is in the frontend's schema, and in the backend's.
    pub frontend: Loc,
    pub backend: Loc,
    /// Whether it makes the members that reach it unusable.
    pub breaking: bool,
}

/// What one of the frontend's members can do against this backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberVerdict {
    /// `None` when the member works; else the first reason it does not, in words
    /// (see [`Finding::describe`]).
    pub unusable: Option<String>,
}

/// The outcome of [`judge`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    /// Every member of the frontend's schema.
    pub members: BTreeMap<String, MemberVerdict>,
    /// Members only the backend has (notifications among them are not sent to this frontend).
    pub backend_only: Vec<String>,
    /// Every difference, each once, in the order found.
    pub findings: Vec<Finding>,
    /// Which findings and pairs each member and each pair of types has, for [`Judgement::reached`].
    graph: Graph,
}

/// The findings and child pairs of each member and of each pair of types.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Graph {
    members: BTreeMap<String, (Vec<usize>, Vec<usize>)>,
    nodes: Vec<(Vec<usize>, Vec<usize>)>,
}

impl Judgement {
    /// Indices into [`Judgement::findings`] of every difference `member` reaches: its own, then
    /// breadth first through the types. Unbounded (for tools such as `ipcc compat`; the runtime
    /// needs only the verdicts).
    pub fn reached(&self, member: &str) -> Vec<usize> {
        let Some((own, children)) = self.graph.members.get(member) else {
            return Vec::new();
        };
        let mut reached = own.clone();
        let mut seen: HashSet<usize> = own.iter().copied().collect();
        let mut visited: HashSet<usize> = children.iter().copied().collect();
        let mut frontier: VecDeque<usize> = children.iter().copied().collect();
        while let Some(index) = frontier.pop_front() {
            let (findings, children) = &self.graph.nodes[index];
            for &finding in findings {
                if seen.insert(finding) {
                    reached.push(finding);
                }
            }
            for &child in children {
                if visited.insert(child) {
                    frontier.push_back(child);
                }
            }
        }
        reached
    }
}

/// The budget ran out: the schemas are too large to compare here. Callers treat the channel as
/// they would without schemas (compare the schema hashes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooComplex;

/// Compares a frontend's schema of a channel with a backend's. Both must be of the same kind
/// (an interface against an interface); otherwise every member of the frontend is missing.
pub fn judge(
    frontend: &ChannelSchema,
    backend: &ChannelSchema,
    budget: usize,
) -> Result<Judgement, TooComplex> {
    let mut judge = Judge {
        frontend,
        backend,
        findings: Vec::new(),
        seen: HashMap::new(),
        pairs: HashMap::new(),
        nodes: Vec::new(),
        queue: Vec::new(),
        budget,
        allowance: budget,
    };
    let same_kind = frontend.kind == backend.kind;
    let mut member_nodes = BTreeMap::new();
    for (name, f_member) in &frontend.members {
        let mut node = Node::default();
        match backend.members.get(name).filter(|_| same_kind) {
            None => {
                let (role, writer, reader) =
                    members_role(frontend.kind, Loc::Member(name.clone()), Loc::Channel);
                judge.record(
                    &mut node,
                    FindingKind::MemberMissing,
                    role,
                    writer,
                    reader,
                    true,
                )
            }
            Some(b_member) => judge.member(name, f_member, b_member, &mut node)?,
        }
        member_nodes.insert(name.clone(), node);
        judge.drain()?;
    }
    let mut backend_only = Vec::new();
    for name in backend.members.keys() {
        if !same_kind || !frontend.members.contains_key(name) {
            backend_only.push(name.clone());
            let (role, writer, reader) =
                members_role(backend.kind, Loc::Channel, Loc::Member(name.clone()));
            let mut scratch = Node::default();
            judge.record(
                &mut scratch,
                FindingKind::MemberUnknownToFrontend,
                role,
                writer,
                reader,
                false,
            );
        }
    }
    judge.verdicts(member_nodes, backend_only)
}

/// The role of a whole member's messages (the frontend writes calls, the backend notifications)
/// and the frontend's and backend's locations put in writer, reader order.
fn members_role(kind: ChannelKind, frontend: Loc, backend: Loc) -> (Role, Loc, Loc) {
    match kind {
        ChannelKind::Interface => (Role::FrontendWrites, frontend, backend),
        ChannelKind::Notifications => (Role::BackendWrites, backend, frontend),
    }
}

/// What one member or one pair of types found directly, and which type pairs it reaches (each
/// once, in the order found; the sets make "once" cheap however many there are).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Node {
    findings: Vec<usize>,
    children: Vec<usize>,
    seen_findings: HashSet<usize>,
    seen_children: HashSet<usize>,
}

impl Node {
    fn add_finding(&mut self, index: usize) {
        if self.seen_findings.insert(index) {
            self.findings.push(index);
        }
    }

    fn add_child(&mut self, index: usize) {
        if self.seen_children.insert(index) {
            self.children.push(index);
        }
    }
}

struct Judge<'s> {
    frontend: &'s ChannelSchema,
    backend: &'s ChannelSchema,
    findings: Vec<Finding>,
    /// Each finding once (a field shared by several members is one difference).
    seen: HashMap<Finding, usize>,
    /// Type pairs compared or queued, by (role, writer's type, reader's type).
    pairs: HashMap<(Role, u32, u32), usize>,
    nodes: Vec<Node>,
    /// Pairs whose node is still to be filled.
    queue: Vec<(Role, u32, u32, usize)>,
    budget: usize,
    /// Pair visits the verdicts may make: as many as the comparison's budget of steps.
    allowance: usize,
}

impl<'s> Judge<'s> {
    fn step(&mut self) -> Result<(), TooComplex> {
        self.budget = self.budget.checked_sub(1).ok_or(TooComplex)?;
        Ok(())
    }

    /// The schema of the side that writes under `role`, then the reader's.
    fn sides(&self, role: Role) -> (&'s ChannelSchema, &'s ChannelSchema) {
        match role.writer() {
            Side::Frontend => (self.frontend, self.backend),
            Side::Backend => (self.backend, self.frontend),
        }
    }

    /// Records a finding given writer's and reader's locations.
    fn record(
        &mut self,
        node: &mut Node,
        kind: FindingKind,
        role: Role,
        writer: Loc,
        reader: Loc,
        breaking: bool,
    ) {
        let (frontend, backend) = match role.writer() {
            Side::Frontend => (writer, reader),
            Side::Backend => (reader, writer),
        };
        let finding = Finding {
            kind,
            role,
            frontend,
            backend,
            // On the error path a value the reader cannot decode still ends the call with an
            // error: nothing that worked stops working.
            breaking: breaking && role != Role::BackendFails,
        };
        let index = match self.seen.get(&finding) {
            Some(&index) => index,
            None => {
                self.findings.push(finding.clone());
                self.seen.insert(finding, self.findings.len() - 1);
                self.findings.len() - 1
            }
        };
        node.add_finding(index);
    }

    fn member(
        &mut self,
        name: &str,
        f_member: &MemberSchema,
        b_member: &MemberSchema,
        node: &mut Node,
    ) -> Result<(), TooComplex> {
        match self.frontend.kind {
            ChannelKind::Interface => {
                self.params(
                    name,
                    Role::FrontendWrites,
                    &f_member.params,
                    &b_member.params,
                    node,
                )?;
                let (result_loc, throws_loc) = (
                    Loc::Result {
                        member: name.to_owned(),
                    },
                    Loc::Throws {
                        member: name.to_owned(),
                    },
                );
                if b_member.result_stream != f_member.result_stream {
                    let kind = FindingKind::StreamMismatch {
                        writer_streams: b_member.result_stream,
                    };
                    self.record(
                        node,
                        kind,
                        Role::BackendWrites,
                        result_loc.clone(),
                        result_loc.clone(),
                        true,
                    );
                }
                match (&b_member.result, &f_member.result) {
                    // A stream against a single value: the one finding above says it all.
                    _ if b_member.result_stream != f_member.result_stream => {}
                    (None, None) => {}
                    (Some(w), Some(r)) => {
                        self.compare(Role::BackendWrites, w, r, &result_loc, &result_loc, node)?
                    }
                    (None, Some(r)) => {
                        let nullable = matches!(r, WireType::Optional(_));
                        let kind = if nullable {
                            FindingKind::VoidAsNull
                        } else {
                            FindingKind::Mismatch {
                                writer: "void".into(),
                                reader: self.describe_type(Side::Frontend, r),
                            }
                        };
                        self.record(
                            node,
                            kind,
                            Role::BackendWrites,
                            result_loc.clone(),
                            result_loc,
                            !nullable,
                        );
                    }
                    (Some(w), None) => {
                        let kind = FindingKind::Mismatch {
                            writer: self.describe_type(Side::Backend, w),
                            reader: "void".into(),
                        };
                        self.record(
                            node,
                            kind,
                            Role::BackendWrites,
                            result_loc.clone(),
                            result_loc,
                            true,
                        );
                    }
                }
                match (&b_member.throws, &f_member.throws) {
                    (None, None) => {}
                    (Some(w), Some(r)) => {
                        self.compare(Role::BackendFails, w, r, &throws_loc, &throws_loc, node)?
                    }
                    (Some(_), None) => self.record(
                        node,
                        FindingKind::ThrowsUnknown,
                        Role::BackendFails,
                        throws_loc,
                        Loc::Member(name.to_owned()),
                        true,
                    ),
                    (None, Some(_)) => self.record(
                        node,
                        FindingKind::ThrowsNeverSent,
                        Role::BackendFails,
                        Loc::Member(name.to_owned()),
                        throws_loc,
                        false,
                    ),
                }
                Ok(())
            }
            ChannelKind::Notifications => self.params(
                name,
                Role::BackendWrites,
                &b_member.params,
                &f_member.params,
                node,
            ),
        }
    }

    /// Positional arguments written by `role`'s writer (`w`) and read by the other side (`r`).
    fn params(
        &mut self,
        member: &str,
        role: Role,
        w: &[ParamSchema],
        r: &[ParamSchema],
        node: &mut Node,
    ) -> Result<(), TooComplex> {
        let param = |index: usize| Loc::Param {
            member: member.to_owned(),
            index,
        };
        let w_index: HashMap<&str, usize> = w
            .iter()
            .enumerate()
            .map(|(i, p)| (p.name.as_str(), i))
            .collect();
        let r_index: HashMap<&str, usize> = r
            .iter()
            .enumerate()
            .map(|(i, p)| (p.name.as_str(), i))
            .collect();
        let whole = || Loc::Member(member.to_owned());
        if w.len() > r.len() {
            let kind = FindingKind::TooManyArguments {
                writer: w.len(),
                reader: r.len(),
            };
            self.record(node, kind, role, param(r.len()), whole(), true);
        }
        for (index, r_param) in r.iter().enumerate() {
            self.step()?;
            let Some(w_param) = w.get(index) else {
                let kind = if r_param.omittable {
                    FindingKind::ArgumentExtra { index }
                } else {
                    FindingKind::ArgumentMissing { index }
                };
                self.record(node, kind, role, whole(), param(index), !r_param.omittable);
                continue;
            };
            if w_param.name != r_param.name {
                match r_index.get(w_param.name.as_str()).copied() {
                    Some(reader_index) => {
                        let kind = FindingKind::ParamMoved {
                            name: w_param.name.clone(),
                            writer_index: index,
                            reader_index,
                        };
                        self.record(node, kind, role, param(index), param(reader_index), true);
                    }
                    None if w_index.contains_key(r_param.name.as_str()) => {
                        // Found from the other end: the reader's name is written elsewhere.
                        let writer_index = w_index.get(r_param.name.as_str()).copied();
                        let kind = FindingKind::ParamMoved {
                            name: r_param.name.clone(),
                            writer_index: writer_index.unwrap_or(index),
                            reader_index: index,
                        };
                        self.record(
                            node,
                            kind,
                            role,
                            param(writer_index.unwrap_or(index)),
                            param(index),
                            true,
                        );
                    }
                    None => {
                        let kind = FindingKind::ParamRenamed {
                            writer: w_param.name.clone(),
                            reader: r_param.name.clone(),
                        };
                        self.record(node, kind, role, param(index), param(index), false);
                    }
                }
            }
            if w_param.omittable && !r_param.omittable {
                let kind = FindingKind::ArgumentMayBeOmitted { index };
                self.record(node, kind, role, param(index), param(index), true);
            }
            if w_param.stream != r_param.stream {
                // The writer sends items where the reader reads one argument, or the reverse:
                // comparing the types would add nothing to that.
                let kind = FindingKind::StreamMismatch {
                    writer_streams: w_param.stream,
                };
                self.record(node, kind, role, param(index), param(index), true);
                continue;
            }
            self.compare(
                role,
                &w_param.ty,
                &r_param.ty,
                &param(index),
                &param(index),
                node,
            )?;
        }
        Ok(())
    }

    /// Compares one use of a type: values written as `w` at `wloc`, read as `r` at `rloc`.
    fn compare(
        &mut self,
        role: Role,
        w: &WireType,
        r: &WireType,
        wloc: &Loc,
        rloc: &Loc,
        node: &mut Node,
    ) -> Result<(), TooComplex> {
        // Type uses nest (`T[][]?`) only as deep as the JSON parser allowed, so recursion on
        // them is bounded; named types go through the work list instead.
        self.step()?;
        let (w_side, r_side) = match role.writer() {
            Side::Frontend => (Side::Frontend, Side::Backend),
            Side::Backend => (Side::Backend, Side::Frontend),
        };
        match (w, r) {
            (WireType::Optional(wi), WireType::Optional(ri)) => {
                self.compare(role, wi, ri, wloc, rloc, node)
            }
            (WireType::Optional(wi), _) => {
                self.record(
                    node,
                    FindingKind::MayBeNull,
                    role,
                    wloc.clone(),
                    rloc.clone(),
                    true,
                );
                self.compare(role, wi, r, wloc, rloc, node)
            }
            (_, WireType::Optional(ri)) => {
                self.record(
                    node,
                    FindingKind::NowOptional,
                    role,
                    wloc.clone(),
                    rloc.clone(),
                    false,
                );
                self.compare(role, w, ri, wloc, rloc, node)
            }
            (WireType::Primitive(a), WireType::Primitive(b)) => {
                if a != b {
                    let (kind, breaking) = match scalar_widens(*a, *b) {
                        true => (
                            FindingKind::Widened {
                                writer: *a,
                                reader: *b,
                            },
                            false,
                        ),
                        false if is_numeric(*a) && is_numeric(*b) => (
                            FindingKind::Narrowed {
                                writer: *a,
                                reader: *b,
                            },
                            true,
                        ),
                        false => (
                            FindingKind::Mismatch {
                                writer: a.name().into(),
                                reader: b.name().into(),
                            },
                            true,
                        ),
                    };
                    self.record(node, kind, role, wloc.clone(), rloc.clone(), breaking);
                }
                Ok(())
            }
            (WireType::Array(a), WireType::Array(b)) => self.compare(role, a, b, wloc, rloc, node),
            (WireType::Map(wk, wv), WireType::Map(rk, rv)) => {
                if let (WireType::Primitive(a), WireType::Primitive(b)) = (&**wk, &**rk) {
                    if a != b {
                        let widens = key_widens(*a, *b);
                        let kind = if widens {
                            FindingKind::Widened {
                                writer: *a,
                                reader: *b,
                            }
                        } else {
                            FindingKind::Mismatch {
                                writer: format!("map keys `{}`", a.name()),
                                reader: format!("map keys `{}`", b.name()),
                            }
                        };
                        self.record(node, kind, role, wloc.clone(), rloc.clone(), !widens);
                    }
                }
                self.compare(role, wv, rv, wloc, rloc, node)
            }
            (WireType::Ref(a), WireType::Ref(b)) => {
                let index = self.pair(role, *a, *b);
                node.add_child(index);
                Ok(())
            }
            _ => {
                let kind = FindingKind::Mismatch {
                    writer: self.describe_type(w_side, w),
                    reader: self.describe_type(r_side, r),
                };
                self.record(node, kind, role, wloc.clone(), rloc.clone(), true);
                Ok(())
            }
        }
    }

    /// The node of a pair of named types, queued for comparison when new.
    fn pair(&mut self, role: Role, w: u32, r: u32) -> usize {
        if let Some(&index) = self.pairs.get(&(role, w, r)) {
            return index;
        }
        let index = self.nodes.len();
        self.nodes.push(Node::default());
        self.pairs.insert((role, w, r), index);
        self.queue.push((role, w, r, index));
        index
    }

    /// Compares every queued pair of named types (and the pairs they reach).
    fn drain(&mut self) -> Result<(), TooComplex> {
        while let Some((role, w, r, index)) = self.queue.pop() {
            let mut node = Node::default();
            self.named(role, w, r, &mut node)?;
            self.nodes[index] = node;
        }
        Ok(())
    }

    fn named(&mut self, role: Role, w: u32, r: u32, node: &mut Node) -> Result<(), TooComplex> {
        self.step()?;
        let (w_schema, r_schema) = self.sides(role);
        let (wt, rt) = (&w_schema.types[w as usize], &r_schema.types[r as usize]);
        if wt.name() != rt.name() {
            let kind = FindingKind::TypeRenamed {
                writer: wt.name().to_owned(),
                reader: rt.name().to_owned(),
            };
            self.record(node, kind, role, Loc::Type(w), Loc::Type(r), false);
        }
        match (wt, rt) {
            (TypeSchema::Struct { fields: wf, .. }, TypeSchema::Struct { fields: rf, .. }) => {
                self.fields(role, (w, wf), (r, rf), None, node)
            }
            (TypeSchema::Enum { values: wv, .. }, TypeSchema::Enum { values: rv, .. }) => {
                let (w_set, r_set): (HashSet<&String>, HashSet<&String>) =
                    (wv.iter().collect(), rv.iter().collect());
                for value in wv {
                    self.step()?;
                    if !r_set.contains(value) {
                        let kind = FindingKind::ValueUnknown {
                            value: value.clone(),
                        };
                        let wloc = Loc::EnumValue {
                            ty: w,
                            value: value.clone(),
                        };
                        self.record(node, kind, role, wloc, Loc::Type(r), true);
                    }
                }
                for value in rv {
                    self.step()?;
                    if !w_set.contains(value) {
                        let kind = FindingKind::ValueNeverSent {
                            value: value.clone(),
                        };
                        let rloc = Loc::EnumValue {
                            ty: r,
                            value: value.clone(),
                        };
                        self.record(node, kind, role, Loc::Type(w), rloc, false);
                    }
                }
                Ok(())
            }
            (TypeSchema::Union { variants: wv, .. }, TypeSchema::Union { variants: rv, .. }) => {
                let r_map: HashMap<&str, &crate::VariantSchema> =
                    rv.iter().map(|v| (v.name.as_str(), v)).collect();
                let w_names: HashSet<&str> = wv.iter().map(|v| v.name.as_str()).collect();
                for variant in wv {
                    self.step()?;
                    let wloc = Loc::Variant {
                        ty: w,
                        variant: variant.name.clone(),
                    };
                    match r_map.get(variant.name.as_str()) {
                        Some(r_variant) => self.fields(
                            role,
                            (w, &variant.fields),
                            (r, &r_variant.fields),
                            Some(&variant.name),
                            node,
                        )?,
                        None => {
                            let kind = FindingKind::VariantUnknown {
                                variant: variant.name.clone(),
                            };
                            self.record(node, kind, role, wloc, Loc::Type(r), true);
                        }
                    }
                }
                for variant in rv {
                    self.step()?;
                    if !w_names.contains(variant.name.as_str()) {
                        let kind = FindingKind::VariantNeverSent {
                            variant: variant.name.clone(),
                        };
                        let rloc = Loc::Variant {
                            ty: r,
                            variant: variant.name.clone(),
                        };
                        self.record(node, kind, role, Loc::Type(w), rloc, false);
                    }
                }
                Ok(())
            }
            _ => {
                let kind = FindingKind::Mismatch {
                    writer: format!("{} `{}`", wt.shape(), wt.name()),
                    reader: format!("{} `{}`", rt.shape(), rt.name()),
                };
                self.record(node, kind, role, Loc::Type(w), Loc::Type(r), true);
                Ok(())
            }
        }
    }

    /// The fields of a struct, or of a union variant (`variant`), matched by name.
    fn fields(
        &mut self,
        role: Role,
        (w, wf): (u32, &[FieldSchema]),
        (r, rf): (u32, &[FieldSchema]),
        variant: Option<&str>,
        node: &mut Node,
    ) -> Result<(), TooComplex> {
        let field_loc = |ty: u32, field: &str| match variant {
            Some(variant) => Loc::VariantField {
                ty,
                variant: variant.to_owned(),
                field: field.to_owned(),
            },
            None => Loc::Field {
                ty,
                field: field.to_owned(),
            },
        };
        let owner_loc = |ty: u32| match variant {
            Some(variant) => Loc::Variant {
                ty,
                variant: variant.to_owned(),
            },
            None => Loc::Type(ty),
        };
        let w_map: HashMap<&str, &FieldSchema> = wf.iter().map(|f| (f.name.as_str(), f)).collect();
        let r_names: HashSet<&str> = rf.iter().map(|f| f.name.as_str()).collect();
        for r_field in rf {
            self.step()?;
            let rloc = field_loc(r, &r_field.name);
            match w_map.get(r_field.name.as_str()) {
                Some(w_field) => {
                    let wloc = field_loc(w, &w_field.name);
                    self.compare(role, &w_field.ty, &r_field.ty, &wloc, &rloc, node)?;
                }
                None => {
                    let optional = matches!(r_field.ty, WireType::Optional(_));
                    let kind = if optional {
                        FindingKind::FieldNeverSent {
                            field: r_field.name.clone(),
                        }
                    } else {
                        FindingKind::FieldMissing {
                            field: r_field.name.clone(),
                        }
                    };
                    self.record(node, kind, role, owner_loc(w), rloc, !optional);
                }
            }
        }
        for w_field in wf {
            self.step()?;
            if !r_names.contains(w_field.name.as_str()) {
                let kind = FindingKind::FieldIgnored {
                    field: w_field.name.clone(),
                };
                self.record(
                    node,
                    kind,
                    role,
                    field_loc(w, &w_field.name),
                    owner_loc(r),
                    false,
                );
            }
        }
        Ok(())
    }

    /// A type use as messages show it: `string`, `Person`, `Person[]`, `map<string, f64>`.
    fn describe_type(&self, side: Side, ty: &WireType) -> String {
        let schema = match side {
            Side::Frontend => self.frontend,
            Side::Backend => self.backend,
        };
        describe_type(schema, ty)
    }

    /// Member verdicts: a member is unusable when a breaking finding is reachable from it.
    fn verdicts(
        self,
        members: BTreeMap<String, Node>,
        backend_only: Vec<String>,
    ) -> Result<Judgement, TooComplex> {
        // Which type pairs reach a breaking finding: propagate backwards from the pairs that
        // hold one (a linear pass over the pair graph, cycles included).
        let mut parents: Vec<Vec<usize>> = vec![Vec::new(); self.nodes.len()];
        for (index, node) in self.nodes.iter().enumerate() {
            for &child in &node.children {
                parents[child].push(index);
            }
        }
        let own_breaking = |node: &Node| node.findings.iter().any(|&f| self.findings[f].breaking);
        let mut breaks: Vec<bool> = self.nodes.iter().map(own_breaking).collect();
        let mut pending: Vec<usize> = (0..self.nodes.len()).filter(|&i| breaks[i]).collect();
        while let Some(index) = pending.pop() {
            for &parent in &parents[index] {
                if !breaks[parent] {
                    breaks[parent] = true;
                    pending.push(parent);
                }
            }
        }
        // Each member's first breaking finding: its own, else the nearest, breadth first
        // through the pairs that reach one (the others hold none, and neither does anything they
        // reach, so leaving them out keeps the order). The walks together may visit as many
        // pairs as the comparison had steps: a schema of many members over long chains of types
        // would otherwise cost quadratic time.
        let first_breaking = |node: &Node| {
            node.findings
                .iter()
                .copied()
                .find(|&f| self.findings[f].breaking)
        };
        let mut visits = self.allowance;
        let mut verdicts = BTreeMap::new();
        for (name, node) in &members {
            let mut first = first_breaking(node);
            if first.is_none() && node.children.iter().any(|&c| breaks[c]) {
                let mut visited: HashSet<usize> = HashSet::new();
                let mut frontier: VecDeque<usize> = VecDeque::new();
                for &child in &node.children {
                    if breaks[child] && visited.insert(child) {
                        frontier.push_back(child);
                    }
                }
                while first.is_none() {
                    let Some(index) = frontier.pop_front() else {
                        break;
                    };
                    visits = visits.checked_sub(1).ok_or(TooComplex)?;
                    let pair = &self.nodes[index];
                    first = first_breaking(pair);
                    for &child in &pair.children {
                        if breaks[child] && visited.insert(child) {
                            frontier.push_back(child);
                        }
                    }
                }
            }
            let unusable = first
                .map(|f| self.findings[f].describe(self.frontend, self.backend, &Words::RUNTIME));
            verdicts.insert(name.clone(), MemberVerdict { unusable });
        }
        Ok(Judgement {
            members: verdicts,
            backend_only,
            findings: self.findings,
            graph: Graph {
                members: members
                    .into_iter()
                    .map(|(name, node)| (name, (node.findings, node.children)))
                    .collect(),
                nodes: self
                    .nodes
                    .into_iter()
                    .map(|node| (node.findings, node.children))
                    .collect(),
            },
        })
    }
}

/// Whether every value of scalar `w` decodes as scalar `r` and means the same.
fn scalar_widens(w: Primitive, r: Primitive) -> bool {
    if w == r {
        return true;
    }
    if w.is_number_integer() && r.is_number_integer() {
        return range_within(w, r);
    }
    match r {
        // Floats decode any JSON number; exact for integers up to 2^24 (f32) and 2^53 (f64).
        Primitive::F64 => w.is_number_integer() || w == Primitive::F32,
        Primitive::F32 => matches!(
            w,
            Primitive::I8 | Primitive::U8 | Primitive::I16 | Primitive::U16
        ),
        // `i64` and `u64` travel as decimal strings: a `string` reader takes them as they are
        // (as an integer map key widens into a `string` one).
        Primitive::String => matches!(w, Primitive::I64 | Primitive::U64),
        _ => false,
    }
}

/// Map keys travel as strings: an integer key widens into any integer key type whose range
/// holds it, and into `string`.
fn key_widens(w: Primitive, r: Primitive) -> bool {
    w == r
        || (w.integer_range().is_some() && r == Primitive::String)
        || (w.integer_range().is_some() && r.integer_range().is_some() && range_within(w, r))
}

fn range_within(w: Primitive, r: Primitive) -> bool {
    match (w.integer_range(), r.integer_range()) {
        (Some((w_min, w_max)), Some((r_min, r_max))) => r_min <= w_min && w_max <= r_max,
        _ => false,
    }
}

fn is_numeric(p: Primitive) -> bool {
    p.integer_range().is_some() || matches!(p, Primitive::F32 | Primitive::F64)
}

impl ChannelSchema {
    /// A type use as messages show it: `string`, `Person`, `Person[]?`, `map<string, f64>`.
    pub fn describe(&self, ty: &WireType) -> String {
        describe_type(self, ty)
    }

    /// A location in this schema as messages name it: "argument #2 `age` of `addPerson`",
    /// "field `age` of `Person`", "the result of `find`".
    pub fn describe_loc(&self, loc: &Loc) -> String {
        place(self, loc)
    }
}

/// A type use as messages show it.
fn describe_type(schema: &ChannelSchema, ty: &WireType) -> String {
    match ty {
        WireType::Primitive(p) => p.name().to_owned(),
        WireType::Array(inner) => format!("{}[]", describe_type(schema, inner)),
        WireType::Optional(inner) => format!("{}?", describe_type(schema, inner)),
        WireType::Map(k, v) => format!(
            "map<{}, {}>",
            describe_type(schema, k),
            describe_type(schema, v)
        ),
        WireType::Ref(index) => schema
            .types
            .get(*index as usize)
            .map_or_else(|| format!("#{index}"), |t| t.name().to_owned()),
    }
}

/// How a description names the two sides: the runtime says "the frontend"; `ipcc compat` says
/// "an old frontend" or "the new backend".
#[derive(Debug, Clone, Copy)]
pub struct Words<'w> {
    pub frontend: &'w str,
    pub backend: &'w str,
}

impl Words<'static> {
    pub const RUNTIME: Words<'static> = Words {
        frontend: "the frontend",
        backend: "the backend",
    };
}

impl Finding {
    /// The finding in words, e.g. "the frontend may leave out field `age` of `Person`, which
    /// the backend requires". `frontend` and `backend` are the schemas it was found in.
    pub fn describe(
        &self,
        frontend: &ChannelSchema,
        backend: &ChannelSchema,
        words: &Words<'_>,
    ) -> String {
        let (writer, reader) = match self.role.writer() {
            Side::Frontend => (words.frontend, words.backend),
            Side::Backend => (words.backend, words.frontend),
        };
        let (w_schema, r_schema, wloc, rloc) = match self.role.writer() {
            Side::Frontend => (frontend, backend, &self.frontend, &self.backend),
            Side::Backend => (backend, frontend, &self.backend, &self.frontend),
        };
        let what_w = place(w_schema, wloc);
        let what_r = place(r_schema, rloc);
        let member = member_of(&self.frontend)
            .or_else(|| member_of(&self.backend))
            .unwrap_or_default();
        let noun = |schema: &ChannelSchema| match schema.kind {
            ChannelKind::Interface => "method",
            ChannelKind::Notifications => "notification",
        };
        let param_name = |schema: &ChannelSchema, index: usize| {
            schema
                .members
                .get(member)
                .and_then(|m| m.params.get(index))
                .map_or_else(String::new, |p| format!(" `{}`", p.name))
        };
        match &self.kind {
            FindingKind::MemberMissing => match frontend.kind {
                ChannelKind::Interface => format!("{} has no method `{member}`", words.backend),
                ChannelKind::Notifications => {
                    format!("{} does not send notification `{member}`", words.backend)
                }
            },
            FindingKind::MemberUnknownToFrontend => format!(
                "{} does not know {} `{member}`",
                words.frontend,
                noun(backend)
            ),
            FindingKind::TooManyArguments { writer: n, reader: m } => format!(
                "{writer} may send {n} arguments to `{member}`; {reader} takes at most {m}"
            ),
            FindingKind::ArgumentMissing { index } => format!(
                "{reader} requires argument #{}{} of `{member}`, which {writer} does not send",
                index + 1,
                param_name(r_schema, *index)
            ),
            FindingKind::ArgumentMayBeOmitted { index } => format!(
                "{writer} may leave out argument #{}{} of `{member}`, which {reader} requires",
                index + 1,
                param_name(r_schema, *index)
            ),
            FindingKind::ArgumentExtra { index } => format!(
                "{reader} takes an optional argument #{}{} of `{member}` that {writer} does not send",
                index + 1,
                param_name(r_schema, *index)
            ),
            FindingKind::ParamMoved {
                name,
                writer_index,
                reader_index,
            } => format!(
                "{writer} sends `{name}` as argument #{} of `{member}`; {reader} reads it as argument #{}",
                writer_index + 1,
                reader_index + 1
            ),
            FindingKind::ParamRenamed { writer: w, reader: r } => {
                format!("argument `{w}` of `{member}` is named `{r}` by {reader} (names are not on the wire)")
            }
            FindingKind::Mismatch { writer: w, reader: r } => {
                format!("{writer} sends {what_w} as `{w}`; {reader} expects `{r}`")
            }
            FindingKind::Widened { writer: w, reader: r } => format!(
                "{writer} sends {what_w} as `{}`; {reader} reads the wider `{}`",
                w.name(),
                r.name()
            ),
            FindingKind::Narrowed { writer: w, reader: r } => format!(
                "{writer} sends {what_w} as `{}`; {reader} reads only `{}`",
                w.name(),
                r.name()
            ),
            FindingKind::MayBeNull => {
                format!("{writer} may leave out {what_w} (or send null), which {reader} requires")
            }
            FindingKind::NowOptional => {
                format!("{writer} always sends {what_w}, which {reader} also takes as absent")
            }
            FindingKind::VoidAsNull => format!(
                "{writer} returns nothing from `{member}`; {reader} reads that as an absent value"
            ),
            FindingKind::StreamMismatch { writer_streams } => {
                if *writer_streams {
                    format!("{writer} sends {what_w} as a stream of items; {reader} expects a single value")
                } else {
                    format!("{writer} sends {what_w} as a single value; {reader} expects a stream of items")
                }
            }
            FindingKind::FieldMissing { field } => format!(
                "{writer} sends {what_w} without field `{field}`, which {reader} requires"
            ),
            FindingKind::FieldIgnored { .. } => {
                format!("{reader} ignores {what_w}, which {writer} sends")
            }
            FindingKind::FieldNeverSent { .. } => {
                format!("{writer} never sends optional {what_r}")
            }
            FindingKind::ValueUnknown { .. } | FindingKind::VariantUnknown { .. } => {
                format!("{writer} may send {what_w}, which {reader} does not know")
            }
            FindingKind::ValueNeverSent { .. } | FindingKind::VariantNeverSent { .. } => {
                format!("{writer} never sends {what_r}")
            }
            FindingKind::TypeRenamed { writer: w, reader: r } => {
                format!("type `{w}` of {writer} is named `{r}` by {reader} (names are not on the wire)")
            }
            FindingKind::ThrowsUnknown => format!(
                "{writer} may fail `{member}` with a declared error, which {reader} does not declare (it sees an untyped `declared` error)"
            ),
            FindingKind::ThrowsNeverSent => {
                format!("{reader} declares an error for `{member}` that {writer} never sends")
            }
        }
    }
}

/// The member a location belongs to, when it is one of a member's parts.
fn member_of(loc: &Loc) -> Option<&str> {
    match loc {
        Loc::Member(member)
        | Loc::Param { member, .. }
        | Loc::Result { member }
        | Loc::Throws { member } => Some(member),
        _ => None,
    }
}

/// A location as messages name it: "argument #2 `age` of `addPerson`", "field `age` of
/// `Person`", "the result of `find`", "`Person`".
fn place(schema: &ChannelSchema, loc: &Loc) -> String {
    let type_name = |ty: &u32| {
        schema
            .types
            .get(*ty as usize)
            .map_or_else(|| format!("#{ty}"), |t| t.name().to_owned())
    };
    match loc {
        Loc::Channel => "the channel".to_owned(),
        Loc::Member(member) => format!("`{member}`"),
        Loc::Param { member, index } => {
            let name = schema
                .members
                .get(member)
                .and_then(|m| m.params.get(*index))
                .map_or_else(String::new, |p| format!(" `{}`", p.name));
            format!("argument #{}{name} of `{member}`", index + 1)
        }
        Loc::Result { member } => format!("the result of `{member}`"),
        Loc::Throws { member } => format!("the declared error of `{member}`"),
        Loc::Type(ty) => format!("`{}`", type_name(ty)),
        Loc::Field { ty, field } => format!("field `{field}` of `{}`", type_name(ty)),
        Loc::Variant { ty, variant } => format!("variant `{variant}` of `{}`", type_name(ty)),
        Loc::VariantField { ty, variant, field } => {
            format!(
                "field `{field}` of variant `{variant}` of `{}`",
                type_name(ty)
            )
        }
        Loc::EnumValue { ty, value } => format!("value `{value}` of `{}`", type_name(ty)),
    }
}

#[cfg(test)]
mod tests;
