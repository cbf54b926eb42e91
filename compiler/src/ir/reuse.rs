//! The editor's re-check: each top-level declaration's lowered form and lowering diagnostics,
//! kept by its text, so that a keystroke parses and lowers only the declarations it changed.
//!
//! A declaration is reused only where the parser vouches for it (see
//! `syntax::parse_reusing`): same text, parsed at a declaration start, one item, no syntax
//! diagnostic. Lowering looks at nothing but the item itself, so its result, moved to where the
//! text now stands, is what lowering it again would give. Everything after lowering (names,
//! validation, nesting) runs on the whole model every time, as in any other check.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use crate::diagnostics::{Diagnostic, SourceId, Span};
use crate::ir::fast_hash::FastHashMap;
use crate::ir::lowering::{
    lower_items_each, ChannelExpr, Decl, DeclKind, EventDecl, FieldDecl, LoweredFile, Meta,
    MethodDecl, Name, ParamDecl, TypeExpr, TypeExprKind, UnionVariantDecl,
};
use crate::syntax;

/// What one check leaves for the next check of the same files: per file, its declarations'
/// lowered forms by text. Files the last check did not read are dropped, so it holds at most
/// one copy of what the files currently declare.
#[derive(Debug, Default)]
pub struct ReuseCache {
    files: HashMap<PathBuf, FileReuse>,
}

/// One file's reusable declarations, by their text (leading docs and comments included).
#[derive(Debug, Default)]
struct FileReuse {
    declarations: FastHashMap<Box<str>, Reusable>,
}

/// A declaration lowered once, with spans counted from the start of its text.
#[derive(Debug)]
struct Reusable {
    decl: Decl,
    diagnostics: Vec<Diagnostic>,
}

impl ReuseCache {
    /// Forgets every file not in `read` (the files the check that just ran read).
    pub(crate) fn keep_only(&mut self, read: &[PathBuf]) {
        self.files.retain(|path, _| read.contains(path));
    }

    /// Parses and lowers one file like `syntax::parse` and `lower_file`, reusing what the last
    /// check of `key` lowered for the declarations whose text is unchanged. Syntax diagnostics
    /// go to `parse_diags`, lowering ones to `lowering_diags`, in the order a full pass gives.
    pub(crate) fn parse_and_lower(
        &mut self,
        key: &Path,
        source: SourceId,
        text: &str,
        parse_diags: &mut Vec<Diagnostic>,
        lowering_diags: &mut Vec<Diagnostic>,
    ) -> LoweredFile {
        let mut last = self.files.remove(key).unwrap_or_default();
        let (file, diagnostics, layout) = if last.declarations.is_empty() {
            syntax::parse_keeping(source, text)
        } else {
            syntax::parse_reusing(source, text, &|declaration| {
                last.declarations.contains_key(declaration)
            })
        };
        parse_diags.extend(diagnostics);
        let lowered = lower_items_each(text, file.items);

        let mut next = FileReuse {
            declarations: FastHashMap::with_capacity_and_hasher(
                layout.skipped.len() + layout.reusable.len(),
                Default::default(),
            ),
        };
        for (index, range) in &layout.reusable {
            let (decl, diagnostics) = &lowered[*index];
            let to_relative = Move::from_to(source, range.start, 0);
            next.declarations.insert(
                text[range.clone()].into(),
                Reusable {
                    decl: to_relative.decl(decl),
                    diagnostics: diagnostics
                        .iter()
                        .map(|d| to_relative.diagnostic(d))
                        .collect(),
                },
            );
        }
        // What was skipped moves from the last check's set into this one's (a declaration
        // written twice is found there the second time).
        for (_, range) in &layout.skipped {
            let text = &text[range.clone()];
            if let Some((text, reusable)) = last.declarations.remove_entry(text) {
                next.declarations.insert(text, reusable);
            }
        }

        let mut decls = Vec::with_capacity(lowered.len() + layout.skipped.len());
        let mut skipped = layout.skipped.into_iter().peekable();
        let reuse = |range: Range<usize>, decls: &mut Vec<Decl>, diags: &mut Vec<Diagnostic>| {
            let reusable = next
                .declarations
                .get(&text[range.clone()])
                .expect("a skipped declaration was known, and moved into this check's set");
            let to_here = Move::from_to(source, 0, range.start);
            decls.push(to_here.decl(&reusable.decl));
            diags.extend(reusable.diagnostics.iter().map(|d| to_here.diagnostic(d)));
        };
        for (index, (decl, diagnostics)) in lowered.into_iter().enumerate() {
            while let Some((_, range)) = skipped.next_if(|(before, _)| *before == index) {
                reuse(range, &mut decls, lowering_diags);
            }
            decls.push(decl);
            lowering_diags.extend(diagnostics);
        }
        for (_, range) in skipped {
            reuse(range, &mut decls, lowering_diags);
        }
        self.files.insert(key.to_path_buf(), next);

        LoweredFile {
            source,
            docs: file.docs.iter().map(|line| line.to_string()).collect(),
            package: file.package.map(|package| Name {
                text: package.text.to_string(),
                span: package.span,
            }),
            imports: file.imports,
            decls,
        }
    }
}

/// Copies lowered declarations with every span moved: from `from` onwards to `to` onwards, in
/// `source`.
struct Move {
    source: SourceId,
    from: u32,
    to: u32,
}

impl Move {
    fn from_to(source: SourceId, from: usize, to: usize) -> Self {
        Move {
            source,
            from: from as u32,
            to: to as u32,
        }
    }

    fn span(&self, span: Span) -> Span {
        let at = |offset: u32| offset.wrapping_sub(self.from).wrapping_add(self.to);
        Span {
            source: self.source,
            start: at(span.start),
            end: at(span.end),
        }
    }

    fn name(&self, name: &Name) -> Name {
        Name {
            text: name.text.clone(),
            span: self.span(name.span),
        }
    }

    fn meta(&self, meta: &Meta) -> Meta {
        let docs = meta
            .docs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        Meta {
            name: self.name(&meta.name),
            docs: Mutex::new(docs),
            deprecated: meta.deprecated.clone(),
            since: meta.since.clone(),
        }
    }

    fn ty(&self, ty: &TypeExpr) -> TypeExpr {
        let kind = match &ty.kind {
            TypeExprKind::Primitive(primitive) => TypeExprKind::Primitive(*primitive),
            TypeExprKind::Named(path) => TypeExprKind::Named(path.moved_to(self.span(path.span))),
            TypeExprKind::Array(item) => TypeExprKind::Array(Box::new(self.ty(item))),
            TypeExprKind::Map(key, value) => {
                TypeExprKind::Map(Box::new(self.ty(key)), Box::new(self.ty(value)))
            }
            TypeExprKind::Optional(inner) => TypeExprKind::Optional(Box::new(self.ty(inner))),
            TypeExprKind::Invalid => TypeExprKind::Invalid,
        };
        TypeExpr {
            kind,
            span: self.span(ty.span),
        }
    }

    fn channel(&self, channel: &ChannelExpr) -> ChannelExpr {
        match channel {
            ChannelExpr::Literal(text, span) => {
                ChannelExpr::Literal(text.clone(), self.span(*span))
            }
            ChannelExpr::Const(path) => ChannelExpr::Const(path.moved_to(self.span(path.span))),
        }
    }

    fn field(&self, field: &FieldDecl) -> FieldDecl {
        FieldDecl {
            meta: self.meta(&field.meta),
            ty: self.ty(&field.ty),
        }
    }

    fn fields(&self, fields: &[FieldDecl]) -> Vec<FieldDecl> {
        fields.iter().map(|f| self.field(f)).collect()
    }

    fn params(&self, params: &[ParamDecl]) -> Vec<ParamDecl> {
        params
            .iter()
            .map(|param| ParamDecl {
                name: self.name(&param.name),
                optional: param.optional,
                stream: param.stream,
                ty: self.ty(&param.ty),
            })
            .collect()
    }

    fn decl(&self, decl: &Decl) -> Decl {
        let kind = match &decl.kind {
            DeclKind::Const(value) => DeclKind::Const(value.clone()),
            DeclKind::Struct(fields) => DeclKind::Struct(self.fields(fields)),
            DeclKind::Enum(members) => {
                DeclKind::Enum(members.iter().map(|m| self.meta(m)).collect())
            }
            DeclKind::Union(variants) => DeclKind::Union(
                variants
                    .iter()
                    .map(|variant| UnionVariantDecl {
                        meta: self.meta(&variant.meta),
                        fields: variant.fields.as_deref().map(|fields| self.fields(fields)),
                    })
                    .collect(),
            ),
            DeclKind::Alias(ty) => DeclKind::Alias(self.ty(ty)),
            DeclKind::Interface { channel, methods } => DeclKind::Interface {
                channel: channel.as_ref().map(|c| self.channel(c)),
                methods: methods
                    .iter()
                    .map(|method| MethodDecl {
                        meta: self.meta(&method.meta),
                        params: self.params(&method.params),
                        result: method.result.as_ref().map(|ty| self.ty(ty)),
                        result_stream: method.result_stream,
                        throws: method.throws.as_ref().map(|ty| self.ty(ty)),
                    })
                    .collect(),
            },
            DeclKind::Notifications { channel, events } => DeclKind::Notifications {
                channel: channel.as_ref().map(|c| self.channel(c)),
                events: events
                    .iter()
                    .map(|event| EventDecl {
                        meta: self.meta(&event.meta),
                        params: self.params(&event.params),
                    })
                    .collect(),
            },
        };
        Decl {
            meta: self.meta(&decl.meta),
            kind,
        }
    }

    fn diagnostic(&self, diagnostic: &Diagnostic) -> Diagnostic {
        Diagnostic {
            span: diagnostic.span.map(|span| self.span(span)),
            secondary: diagnostic
                .secondary
                .iter()
                .map(|(span, label)| (self.span(*span), label.clone()))
                .collect(),
            ..diagnostic.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{check_reusing, check_with, MemoryLoader};

    const MAIN: &str = "\
package acme.app;
import \"./people.ipc\";

const version = \"v1\";
const limit = 10;

/// A task.
@since(\"1.1\")
struct Task {
  /// Its id.
  id: i64;
  title: string;
  owner?: acme.people.Person;
  tags: map<string, string[]>;
}

/// States. // not a comment: \"}\" ; stays in the doc
enum State { open, done, }

union Shape { circle { r: f64; } square { side: f64; } empty }

type Tasks = Task[];

@channel(\"app/tasks-\" )
interface Tasks1 {
  /// Lists them.
  list(filter?: State): Promise<Tasks>;
  get(id: i64): Promise<Task?> throws Shape;
  watch(): AsyncIterable<Task>;
  @deprecated(\"use list\")
  all(): Promise<Task[]>;
}

@channel(version)
notifications Events { changed(task: Task, by: acme.people.Person); }
";

    const PEOPLE: &str = "package acme.people;\n/// Someone.\nstruct Person { name: string; }\n";

    /// Checks `main` both ways and asserts the same outcome; returns how many declarations the
    /// cache now holds for it.
    fn same_as_full_check(main: &str, people: &str, cache: &mut ReuseCache) -> usize {
        let loader = MemoryLoader::default()
            .with("app/main.ipc", main)
            .with("app/people.ipc", people);
        let roots = [PathBuf::from("app/main.ipc")];
        let full = check_with(&roots, &mut loader.clone());
        let reusing = check_reusing(&roots, &mut loader.clone(), cache);
        assert_eq!(
            format!("{:#?}", reusing.diagnostics),
            format!("{:#?}", full.diagnostics),
            "diagnostics of\n{main}"
        );
        // The reusing check leaves the hashes out; everything else must be the same.
        let mut reused_ir = reusing.ir;
        if let Some(ir) = reused_ir.as_mut() {
            assert!(ir.interfaces.iter().all(|i| i.schema_hash.is_empty()));
            crate::ir::schema_hash::fill(ir);
        }
        assert_eq!(reused_ir, full.ir, "model of\n{main}");
        assert_eq!(reusing.inputs, full.inputs);
        cache
            .files
            .get(&crate::ir::loader::normalize(Path::new("app/main.ipc")))
            .map_or(0, |f| f.declarations.len())
    }

    #[test]
    fn every_edit_checks_exactly_as_a_full_check() {
        let mut cache = ReuseCache::default();
        let mut main = MAIN.to_string();
        let loader = MemoryLoader::default()
            .with("app/main.ipc", MAIN)
            .with("app/people.ipc", PEOPLE);
        let valid = check_with(&[PathBuf::from("app/main.ipc")], &mut loader.clone());
        assert!(valid.ir.is_some(), "{:#?}", valid.diagnostics);
        let kept = same_as_full_check(&main, PEOPLE, &mut cache);
        assert_eq!(kept, 8, "every item is kept");
        // Each edit applies to the text left by the ones before.
        type Edit = Box<dyn Fn(&mut String)>;
        let edits: Vec<Edit> = vec![
            // Typing into a field name (spans after it move by one).
            Box::new(|t| t.insert(t.find("title").unwrap() + 2, 'x')),
            Box::new(|t| *t = t.replacen("tixtle", "title", 1)),
            // A lowering error (`@since` on nothing allowed) kept with its declaration...
            Box::new(|t| *t = t.replacen("enum State", "@frobnicate\nenum State", 1)),
            // ... and reused when something before it grows.
            Box::new(|t| *t = t.replacen("const limit = 10;", "const limit = 10000;", 1)),
            Box::new(|t| *t = t.replacen("@frobnicate\n", "", 1)),
            // A syntax error, then its fix.
            Box::new(|t| *t = t.replacen("id: i64;", "id i64;", 1)),
            Box::new(|t| *t = t.replacen("id i64;", "id: i64;", 1)),
            // An unclosed brace swallows the rest, then is closed.
            Box::new(|t| *t = t.replacen("type Tasks = Task[];", "struct Open {", 1)),
            Box::new(|t| *t = t.replacen("struct Open {", "type Tasks = Task[];", 1)),
            // An unterminated string: no declaration ends are found at all.
            Box::new(|t| *t = t.replacen("\"v1\"", "\"v1", 1)),
            Box::new(|t| *t = t.replacen("\"v1", "\"v1\"", 1)),
            // The same declaration twice (a duplicate name), then one removed.
            Box::new(|t| {
                t.push_str("\nunion Shape { circle { r: f64; } square { side: f64; } empty }\n")
            }),
            Box::new(|t| {
                let at = t.rfind("\nunion Shape").unwrap();
                t.truncate(at + 1);
            }),
            // Declarations swapped.
            Box::new(|t| {
                let union = "union Shape { circle { r: f64; } square { side: f64; } empty }\n";
                *t = t.replacen(union, "", 1).replacen(
                    "/// A task.",
                    &format!("{union}/// A task."),
                    1,
                );
            }),
            // A byte-order mark, and a `package` that moved below a declaration.
            Box::new(|t| t.insert(0, '\u{feff}')),
            Box::new(|t| {
                *t = t.replacen("package acme.app;\n", "", 1).replacen(
                    "const limit",
                    "package acme.app;\nconst limit",
                    1,
                )
            }),
            Box::new(|t| {
                *t = t.replacen("package acme.app;\n", "", 1).replacen(
                    '\u{feff}',
                    "\u{feff}package acme.app;\n",
                    1,
                )
            }),
            // Non-ASCII text before the changes.
            Box::new(|t| *t = t.replacen("/// A task.", "/// Eine Aufgabe — ✓ 🎉.", 1)),
            Box::new(|t| *t = t.replacen("limit = 10000", "limit = 1", 1)),
        ];
        for (step, edit) in edits.iter().enumerate() {
            edit(&mut main);
            let kept = same_as_full_check(&main, PEOPLE, &mut cache);
            assert!(
                kept > 0 || main.contains("\"v1;"),
                "step {step}: nothing kept"
            );
        }
        // An edit in the imported file only.
        same_as_full_check(
            &main,
            "package acme.people;\nstruct Person { nam: string; }\n",
            &mut cache,
        );
        same_as_full_check(
            &main,
            "package acme.people;\nstruct Person { name: strin; }\n",
            &mut cache,
        );
    }

    #[test]
    fn files_no_longer_read_are_forgotten() {
        let mut cache = ReuseCache::default();
        same_as_full_check(MAIN, PEOPLE, &mut cache);
        assert_eq!(cache.files.len(), 2);
        let alone = MAIN.replacen("import \"./people.ipc\";\n", "", 1);
        same_as_full_check(&alone, PEOPLE, &mut cache);
        assert_eq!(cache.files.len(), 1);
    }
}
