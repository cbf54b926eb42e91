//! Schema hashes: a fingerprint of everything on a channel that affects the wire.
//!
//! The hash is SHA-256 over a canonical text, cut to 16 lowercase hex digits. The text holds:
//! the channel name; each method (or notification) by name, members sorted by name since the
//! wire addresses them by name; each parameter's name, type and optional-ness, in order (names
//! are not on the wire, but arguments are positional: two parameters of one type that swap
//! places change what a call means, so the hash must change and the handshake judge the
//! channel, where a mere rename is found compatible); the result and `throws`
//! types; which parameter and whether the result is a stream (`AsyncIterable<T>`: written
//! `stream T`, and only then, so channels without streams keep their hashes); and the full structure of every type reached: struct and union field names,
//! optional-ness and types, enum and union variant names. Type *names* and aliases are not on
//! the wire, so types are written structurally and numbered in first-visit order (`#0`, `#1`,
//! ...), which also ends recursion. Docs, comments, formatting, attribute order,
//! `@deprecated` and `@since` never reach the text.
//!
//! To stay linear when many channels reach the same (possibly long) chains of types, every
//! named type first gets a digest of its own structure, in dependency order (Merkle style): a
//! reference to a type outside the current strongly connected component is written as `@` and
//! the first 16 bytes of that type's digest; inside a recursive component, the first-visit numbering applies.

use sha2::{Digest, Sha256};

use crate::ir::model::*;
use crate::ir::validation::{all_refs, field_types, strongly_connected};
use crate::parallel;

/// SHA-256 of a type's canonical text.
type TypeDigest = [u8; 32];

/// Fills in `schema_hash` of every interface and notifications block.
pub(crate) fn fill(ir: &mut Ir) {
    let digests = type_digests(ir);
    let interface_hashes = channel_hashes(ir, &digests, &ir.interfaces, |c, i| c.interface(i));
    let notification_hashes =
        channel_hashes(ir, &digests, &ir.notifications, |c, n| c.notifications(n));
    for (interface, hash) in ir.interfaces.iter_mut().zip(interface_hashes) {
        interface.schema_hash = hash;
    }
    for (block, hash) in ir.notifications.iter_mut().zip(notification_hashes) {
        block.schema_hash = hash;
    }
}

/// Channels fewer than this are hashed on the calling thread only (see [`channel_hashes`]).
const PARALLEL_MIN_CHANNELS: usize = 256;

/// The schema hash of each block, in order. Once the type digests are known each block's hash
/// depends on nothing else, so many blocks are hashed in contiguous runs on several threads.
fn channel_hashes<'a, T: Sync>(
    ir: &'a Ir,
    digests: &'a [TypeDigest],
    blocks: &[T],
    write: fn(&mut Canonical<'a>, &T),
) -> Vec<String> {
    let hash_run = |run: &[T]| -> Vec<String> {
        let mut canon = Canonical::new(ir, digests, None);
        run.iter()
            .map(|block| {
                write(&mut canon, block);
                channel_hash(&canon.take())
            })
            .collect()
    };
    let threads = parallel::available_threads();
    if blocks.len() < PARALLEL_MIN_CHANNELS || threads < 2 {
        return hash_run(blocks);
    }
    let runs: Vec<&[T]> = blocks.chunks(blocks.len().div_ceil(threads)).collect();
    parallel::map_in_order(runs, threads, hash_run)
        .into_iter()
        .flatten()
        .collect()
}

/// The first 8 bytes of the SHA-256 of a channel's text, as 16 lowercase hex digits.
fn channel_hash(text: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(text);
    let mut hex = String::with_capacity(16);
    for byte in &digest[..8] {
        hex.push(HEX[(byte >> 4) as usize] as char);
        hex.push(HEX[(byte & 15) as usize] as char);
    }
    hex
}

/// Digest of every named type's structure (an alias: of its target), indexed by `TypeId`.
fn type_digests(ir: &Ir) -> Vec<TypeDigest> {
    let edges: Vec<Vec<usize>> = ir
        .types
        .iter()
        .map(|def| {
            let mut refs = Vec::new();
            for ty in field_types(def) {
                all_refs(ty, &mut refs);
            }
            refs
        })
        .collect();
    let component = strongly_connected(&edges);
    // Tarjan numbers a component after every component it reaches: ascending ids are an
    // order in which each type's dependencies already have their digests.
    let mut order: Vec<usize> = (0..ir.types.len()).collect();
    order.sort_by_key(|&id| component[id]);
    let mut digests: Vec<TypeDigest> = vec![[0; 32]; ir.types.len()];
    let mut text = Vec::new();
    for id in order {
        let mut canon = Canonical::new(ir, &digests, Some((&component, component[id])));
        canon.out = std::mem::take(&mut text);
        canon.out.extend_from_slice(b"type ");
        canon.ty(&TypeRef::Named {
            id: TypeId(id as u32),
        });
        text = canon.take();
        digests[id] = Sha256::digest(&text).into();
        text.clear();
    }
    digests
}

struct Canonical<'a> {
    ir: &'a Ir,
    /// Types of the current component already written, with their first-visit numbers
    /// (a component is usually one type, so a list beats a map).
    numbers: Vec<(TypeId, usize)>,
    /// Digests of the types computed so far.
    digests: &'a [TypeDigest],
    /// While computing a type's digest: each type's component, and the current one. Types of
    /// the current component are written out; all others by digest.
    component: Option<(&'a [usize], usize)>,
    out: Vec<u8>,
}

impl<'a> Canonical<'a> {
    fn new(ir: &'a Ir, digests: &'a [TypeDigest], component: Option<(&'a [usize], usize)>) -> Self {
        Canonical {
            ir,
            numbers: Vec::new(),
            digests,
            component,
            out: Vec::new(),
        }
    }

    /// The text written so far; starts a new one.
    fn take(&mut self) -> Vec<u8> {
        self.numbers.clear();
        std::mem::take(&mut self.out)
    }

    fn push(&mut self, text: &str) {
        self.out.extend_from_slice(text.as_bytes());
    }

    /// A decimal number, for lengths and first-visit numbers.
    fn number(&mut self, value: usize) {
        self.push(&value.to_string());
    }

    fn interface(&mut self, interface: &Interface) {
        self.push("ipcc-schema 1\ninterface\n");
        self.channel(&interface.channel);
        let mut methods: Vec<&Method> = interface.methods.iter().collect();
        methods.sort_by(|a, b| a.name.cmp(&b.name));
        for method in methods {
            self.push("\nmethod ");
            self.push(&method.name);
            self.params(&method.params);
            self.push(" -> ");
            // Only streaming results are marked, so that the text (and the hash) of every
            // channel without streams stays what it was.
            if method.result_stream {
                self.push("stream ");
            }
            match &method.result {
                Some(result) => self.ty(result),
                None => self.push("void"),
            }
            if let Some(id) = method.throws {
                self.push(" throws ");
                self.ty(&TypeRef::Named { id });
            }
        }
    }

    fn notifications(&mut self, block: &Notifications) {
        self.push("ipcc-schema 1\nnotifications\n");
        self.channel(&block.channel);
        let mut events: Vec<&Event> = block.events.iter().collect();
        events.sort_by(|a, b| a.name.cmp(&b.name));
        for event in events {
            self.push("\nevent ");
            self.push(&event.name);
            self.params(&event.params);
        }
    }

    /// Length-prefixed, so no channel name can imitate the text around it.
    fn channel(&mut self, value: &str) {
        self.push("channel ");
        self.number(value.len());
        self.push(":");
        self.push(value);
    }

    fn params(&mut self, params: &[Param]) {
        self.push("(");
        for (index, param) in params.iter().enumerate() {
            if index > 0 {
                self.push(",");
            }
            if param.optional {
                self.push("omittable ");
            }
            if param.stream {
                self.push("stream ");
            }
            self.push(&param.name);
            self.push(":");
            self.ty(&param.ty);
        }
        self.push(")");
    }

    fn ty(&mut self, ty: &TypeRef) {
        let ir = self.ir;
        match ir.resolve_alias(ty) {
            TypeRef::Primitive { primitive } => self.push(primitive.idl_name()),
            TypeRef::Array { element } => {
                self.push("[");
                self.ty(element);
                self.push("]");
            }
            TypeRef::Map { key, value } => {
                self.push("map<");
                self.ty(key);
                self.push(",");
                self.ty(value);
                self.push(">");
            }
            TypeRef::Optional { inner } => {
                self.push("opt<");
                self.ty(inner);
                self.push(">");
            }
            TypeRef::Named { id } => {
                let inside = match self.component {
                    Some((component, current)) => component[id.0 as usize] == current,
                    None => false,
                };
                if !inside {
                    // Fixed length, so the raw bytes cannot run into what follows; 128 bits
                    // keep collisions out of reach at half the bytes to hash.
                    self.push("@");
                    let digest = self.digests[id.0 as usize];
                    self.out.extend_from_slice(&digest[..16]);
                    return;
                }
                if let Some(&(_, number)) = self.numbers.iter().find(|(seen, _)| seen == id) {
                    self.push("#");
                    self.number(number);
                    return;
                }
                let number = self.numbers.len();
                self.numbers.push((*id, number));
                self.push("#");
                self.number(number);
                self.push("=");
                match &ir.ty(*id).kind {
                    TypeDefKind::Struct { fields } => {
                        self.push("struct{");
                        self.fields(fields);
                        self.push("}");
                    }
                    TypeDefKind::Enum { variants } => {
                        let mut names: Vec<&str> =
                            variants.iter().map(|v| v.name.as_str()).collect();
                        names.sort_unstable();
                        self.push("enum{");
                        self.push(&names.join(","));
                        self.push("}");
                    }
                    TypeDefKind::Union { variants } => {
                        let mut sorted: Vec<&UnionVariant> = variants.iter().collect();
                        sorted.sort_by(|a, b| a.name.cmp(&b.name));
                        self.push("union{");
                        for variant in sorted {
                            self.push(&variant.name);
                            if !variant.unit {
                                self.push("{");
                                self.fields(&variant.fields);
                                self.push("}");
                            }
                            self.push(";");
                        }
                        self.push("}");
                    }
                    // `resolve_alias` never stops at an alias.
                    TypeDefKind::Alias { target } => self.ty(target),
                }
            }
        }
    }

    fn fields(&mut self, fields: &[Field]) {
        let mut sorted: Vec<&Field> = fields.iter().collect();
        sorted.sort_by(|a, b| a.name.cmp(&b.name));
        for field in sorted {
            self.push(&field.name);
            self.push(":");
            self.ty(&field.ty);
            self.push(";");
        }
    }
}
