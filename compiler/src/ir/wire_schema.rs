//! The wire schema of a channel ([`ipcc_wire_compat::ChannelSchema`]): what generated code
//! embeds and sends in the handshake, and what `ipcc compat` compares. Derived from the IR
//! alone: aliases resolved, named types numbered in first-use order.

use std::collections::BTreeMap;
use std::sync::Arc;

use ipcc_wire_compat::{
    format_of, ChannelEntry, ChannelKind, ChannelSchema, FieldSchema, MemberSchema, ParamSchema,
    Primitive as WirePrimitive, SchemaSet, TypeSchema, VariantSchema, WireType,
};

use crate::ir::model::*;

/// A channel's schema, and which IR type each of its `types` entries is.
#[derive(Debug, Clone, PartialEq)]
pub struct WireSchema {
    pub schema: ChannelSchema,
    /// `type_ids[i]` is the IR type of `schema.types[i]`.
    pub type_ids: Vec<TypeId>,
}

/// The schema of an interface's channel.
pub fn interface_schema(ir: &Ir, interface: &Interface) -> WireSchema {
    let mut builder = Builder::new(ir);
    let members = builder.interface_members(interface);
    builder.finish(ChannelKind::Interface, members)
}

/// The schema of a notifications block's channel.
pub fn notifications_schema(ir: &Ir, block: &Notifications) -> WireSchema {
    let mut builder = Builder::new(ir);
    let members = builder.notification_members(block);
    builder.finish(ChannelKind::Notifications, members)
}

/// A channel of the IR, for [`schema_set`].
#[derive(Debug, Clone, Copy)]
pub enum ChannelRef<'a> {
    Interface(&'a Interface),
    Notifications(&'a Notifications),
}

/// The schemas of several channels over one table of types, as generated code embeds them (one
/// set per generated module), so that a type many channels reach is written once. Each
/// channel's [`SchemaSet::channel`] gives, through [`ChannelSchema::to_json`], the same text as
/// [`interface_schema`] or [`notifications_schema`].
pub fn schema_set<'a>(ir: &Ir, channels: impl IntoIterator<Item = ChannelRef<'a>>) -> SchemaSet {
    let mut builder = Builder::new(ir);
    let mut entries = BTreeMap::new();
    for channel in channels {
        let (name, entry) = match channel {
            ChannelRef::Interface(interface) => (
                interface.channel.clone(),
                ChannelEntry {
                    kind: ChannelKind::Interface,
                    members: builder.interface_members(interface),
                },
            ),
            ChannelRef::Notifications(block) => (
                block.channel.clone(),
                ChannelEntry {
                    kind: ChannelKind::Notifications,
                    members: builder.notification_members(block),
                },
            ),
        };
        entries.insert(name, entry);
    }
    let types = builder.finish_types();
    SchemaSet {
        // Format 2 only when a channel streams: a set of channels without streams keeps the
        // text readers of format 1 take.
        format: format_of(
            entries
                .values()
                .flat_map(|e: &ChannelEntry| e.members.values()),
        ),
        types: Arc::new(types),
        channels: entries,
    }
}

struct Builder<'a> {
    ir: &'a Ir,
    /// Schema index of each IR type met so far.
    index: BTreeMap<TypeId, u32>,
    type_ids: Vec<TypeId>,
    /// Filled in once each type's own uses are numbered (`None` while pending).
    types: Vec<Option<TypeSchema>>,
}

impl<'a> Builder<'a> {
    /// An interface's members: methods in name order, so that the numbering of types does not
    /// depend on the order methods are written in.
    fn interface_members(&mut self, interface: &Interface) -> BTreeMap<String, MemberSchema> {
        let mut methods: Vec<&Method> = interface.methods.iter().collect();
        methods.sort_by(|a, b| a.name.cmp(&b.name));
        let mut members = BTreeMap::new();
        for method in methods {
            let params = self.params(&method.params);
            let result = method.result.as_ref().map(|ty| self.ty(ty));
            let throws = method.throws.map(|id| self.ty(&TypeRef::Named { id }));
            members.insert(
                method.name.clone(),
                MemberSchema {
                    params,
                    result,
                    result_stream: method.result_stream,
                    throws,
                },
            );
        }
        members
    }

    fn notification_members(&mut self, block: &Notifications) -> BTreeMap<String, MemberSchema> {
        let mut events: Vec<&Event> = block.events.iter().collect();
        events.sort_by(|a, b| a.name.cmp(&b.name));
        let mut members = BTreeMap::new();
        for event in events {
            let params = self.params(&event.params);
            members.insert(
                event.name.clone(),
                MemberSchema {
                    params,
                    result: None,
                    result_stream: false,
                    throws: None,
                },
            );
        }
        members
    }

    fn new(ir: &'a Ir) -> Self {
        Builder {
            ir,
            index: BTreeMap::new(),
            type_ids: Vec::new(),
            types: Vec::new(),
        }
    }

    fn params(&mut self, params: &[Param]) -> Vec<ParamSchema> {
        params
            .iter()
            .map(|param| ParamSchema {
                name: param.name.clone(),
                ty: self.ty(&param.ty),
                omittable: param.optional,
                stream: param.stream,
            })
            .collect()
    }

    /// A type use. Named types get an index on first use; their structure is built later, by
    /// [`Builder::finish`], so that long chains of types are not walked recursively.
    fn ty(&mut self, ty: &TypeRef) -> WireType {
        match self.ir.resolve_alias(ty) {
            TypeRef::Primitive { primitive } => WireType::Primitive(primitive_of(*primitive)),
            TypeRef::Array { element } => WireType::Array(Box::new(self.ty(element))),
            TypeRef::Map { key, value } => {
                WireType::Map(Box::new(self.ty(key)), Box::new(self.ty(value)))
            }
            TypeRef::Optional { inner } => WireType::Optional(Box::new(self.ty(inner))),
            TypeRef::Named { id } => WireType::Ref(self.reference(*id)),
        }
    }

    fn reference(&mut self, id: TypeId) -> u32 {
        if let Some(&index) = self.index.get(&id) {
            return index;
        }
        let index = self.type_ids.len() as u32;
        self.index.insert(id, index);
        self.type_ids.push(id);
        self.types.push(None);
        index
    }

    fn fields(&mut self, fields: &[Field]) -> Vec<FieldSchema> {
        fields
            .iter()
            .map(|field| FieldSchema {
                name: field.name.clone(),
                ty: self.ty(&field.ty),
            })
            .collect()
    }

    fn finish(mut self, kind: ChannelKind, members: BTreeMap<String, MemberSchema>) -> WireSchema {
        let types = self.finish_types();
        WireSchema {
            schema: ChannelSchema {
                format: format_of(members.values()),
                kind,
                members,
                types: Arc::new(types),
            },
            type_ids: self.type_ids,
        }
    }

    /// Builds the structure of every type numbered so far (and of the types they reach).
    fn finish_types(&mut self) -> Vec<TypeSchema> {
        // First-in, first-out: types are numbered breadth first from the members.
        let mut next = 0;
        while next < self.type_ids.len() {
            let id = self.type_ids[next];
            let def = self.ir.ty(id);
            let name = def.meta.qualified_name.clone();
            let schema = match &def.kind {
                TypeDefKind::Struct { fields } => TypeSchema::Struct {
                    name,
                    fields: self.fields(fields),
                },
                TypeDefKind::Enum { variants } => TypeSchema::Enum {
                    name,
                    values: variants.iter().map(|v| v.name.clone()).collect(),
                },
                TypeDefKind::Union { variants } => TypeSchema::Union {
                    name,
                    variants: variants
                        .iter()
                        .map(|variant| VariantSchema {
                            name: variant.name.clone(),
                            fields: self.fields(&variant.fields),
                        })
                        .collect(),
                },
                // `ty` resolves aliases before numbering, so no alias is ever referenced.
                TypeDefKind::Alias { .. } => TypeSchema::Struct {
                    name,
                    fields: Vec::new(),
                },
            };
            self.types[next] = Some(schema);
            next += 1;
        }
        std::mem::take(&mut self.types)
            .into_iter()
            .flatten()
            .collect()
    }
}

fn primitive_of(primitive: Primitive) -> WirePrimitive {
    match primitive {
        Primitive::Bool => WirePrimitive::Bool,
        Primitive::I8 => WirePrimitive::I8,
        Primitive::I16 => WirePrimitive::I16,
        Primitive::I32 => WirePrimitive::I32,
        Primitive::I64 => WirePrimitive::I64,
        Primitive::U8 => WirePrimitive::U8,
        Primitive::U16 => WirePrimitive::U16,
        Primitive::U32 => WirePrimitive::U32,
        Primitive::U64 => WirePrimitive::U64,
        Primitive::F32 => WirePrimitive::F32,
        Primitive::F64 => WirePrimitive::F64,
        Primitive::String => WirePrimitive::String,
        Primitive::Bytes => WirePrimitive::Bytes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemoryLoader;
    use std::path::PathBuf;

    fn ir(text: &str) -> Ir {
        let checked = crate::check_with(
            &[PathBuf::from("a.ipc")],
            &mut MemoryLoader::default().with("a.ipc", text),
        );
        assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
        checked.ir.unwrap()
    }

    #[test]
    fn aliases_vanish_and_types_are_numbered_from_the_members() {
        let ir = ir(r#"
            type Id = i64;
            struct Person { id: Id; friends: Person[]; mood?: Mood; }
            enum Mood { happy, sad }
            union LookupError { notFound { id: Id; } forbidden }
            @channel("people-v1")
            interface People {
              zap(): Promise<void>;
              find(id: Id, hint?: string): Promise<Person?> throws LookupError;
            }
            @channel("other-v1")
            interface Other {
              mood(): Promise<Mood>;
            }
        "#);
        let wire = interface_schema(&ir, &ir.interfaces[0]);
        assert_eq!(
            wire.schema.to_json(),
            r#"{"format":1,"kind":"interface","members":{"find":{"params":[{"name":"id","type":"i64"},{"name":"hint","type":{"optional":"string"},"omittable":true}],"result":{"optional":{"ref":0}},"throws":{"ref":1}},"zap":{"params":[]}},"types":[{"kind":"struct","name":"Person","fields":[{"name":"id","type":"i64"},{"name":"friends","type":{"array":{"ref":0}}},{"name":"mood","type":{"optional":{"ref":2}}}]},{"kind":"union","name":"LookupError","variants":[{"name":"notFound","fields":[{"name":"id","type":"i64"}]},{"name":"forbidden"}]},{"kind":"enum","name":"Mood","values":["happy","sad"]}]}"#
        );
        // What the schema says, it can read back.
        assert_eq!(
            ChannelSchema::from_json(&wire.schema.to_json()).unwrap(),
            wire.schema
        );
        // A set of this channel and another gives each the same text as on its own.
        let set = schema_set(
            &ir,
            [
                ChannelRef::Interface(&ir.interfaces[0]),
                ChannelRef::Interface(&ir.interfaces[1]),
            ],
        );
        assert_eq!(
            set.channel("people-v1").unwrap().to_json(),
            wire.schema.to_json()
        );
        assert_eq!(
            set.channel("other-v1").unwrap().to_json(),
            interface_schema(&ir, &ir.interfaces[1]).schema.to_json()
        );
        assert_eq!(SchemaSet::from_json(&set.to_json()).unwrap(), set);
        let names: Vec<&str> = wire
            .type_ids
            .iter()
            .map(|id| ir.ty(*id).meta.name.as_str())
            .collect();
        assert_eq!(names, ["Person", "LookupError", "Mood"]);
    }
}
