//! Resolution: declaration namespaces (one per package, one global), unique and
//! collision-free names, and every written name turned into an id of the IR.

use std::path::Path;

use crate::analysis::{FileIndex, RefKind, SymbolRef};
use crate::diagnostics::{Diagnostic, SourceId, SourceMap, Span};
use crate::ident;
use crate::ir::codes;
use crate::ir::fast_hash::FastHashMap;
use crate::ir::loader::{display_path, normalize};
use crate::ir::loading::LoadedFile;
use crate::ir::lowering::{
    closest, ChannelExpr, Decl, DeclKind, FieldDecl, Meta, Name, ParamDecl, PathPart, PathRef,
    TypeExpr, TypeExprKind,
};
use crate::ir::model::*;
use crate::parallel;

/// Where a declaration is: file index and index in that file's declarations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DeclRef {
    pub file: usize,
    pub decl: usize,
}

/// What a declaration became in the IR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entity {
    Type(TypeId),
    Const(usize),
    /// Interfaces and notifications blocks cannot be referred to by name.
    Channel,
}

/// The IR before validation, and where each of its entities was declared.
pub(crate) struct Resolved {
    pub ir: Ir,
    /// Indexed by `TypeId`.
    pub type_decls: Vec<DeclRef>,
    /// Indexed like `Ir::interfaces`.
    pub interface_decls: Vec<DeclRef>,
    /// Indexed like `Ir::notifications`.
    pub notification_decls: Vec<DeclRef>,
}

/// What a lookup expects to find.
#[derive(Clone, Copy, PartialEq)]
enum Expect {
    Type,
    Const,
}

impl Expect {
    fn noun(self) -> &'static str {
        match self {
            Expect::Type => "type",
            Expect::Const => "const",
        }
    }

    fn accepts(self, kind: &DeclKind) -> bool {
        match self {
            Expect::Type => kind.is_type(),
            Expect::Const => matches!(kind, DeclKind::Const(_)),
        }
    }
}

/// What every lookup reads: built once, then shared by every thread that resolves a run of
/// declarations.
struct Tables<'f> {
    files: &'f [LoadedFile],
    /// Per file: declaration name → index of its first declaration of that name.
    names: Vec<FastHashMap<&'f str, usize>>,
    /// Per file, per declaration: what it became.
    entities: Vec<Vec<Entity>>,
    /// Per file: the files its unqualified names are looked up in (see `unqualified_scope`).
    scopes: Vec<Vec<usize>>,
}

/// Resolves names against the shared tables; each thread has its own, with its own
/// diagnostics. Reads of the tables go through `Deref`.
struct Resolver<'r, 'f> {
    tables: &'r Tables<'f>,
    diags: &'r mut Vec<Diagnostic>,
}

impl<'f> std::ops::Deref for Resolver<'_, 'f> {
    type Target = Tables<'f>;

    fn deref(&self) -> &Tables<'f> {
        self.tables
    }
}

/// Below this many types and interfaces together, resolution runs on the calling thread only:
/// starting threads would cost more than it saves.
const PARALLEL_MIN_DECLS: usize = 2_048;

/// Builds the IR from loaded files (already in dependency order).
pub(crate) fn resolve(files: &[LoadedFile], diags: &mut Vec<Diagnostic>) -> Resolved {
    check_namespaces(files, diags);
    check_package_modules(files, diags);

    // Ids follow file order then source order, as the IR promises.
    let mut type_decls = Vec::new();
    let mut interface_decls = Vec::new();
    let mut notification_decls = Vec::new();
    let mut const_count = 0;
    let mut entities = Vec::with_capacity(files.len());
    for (file_index, file) in files.iter().enumerate() {
        let mut file_entities = Vec::with_capacity(file.lowered.decls.len());
        for (decl_index, decl) in file.lowered.decls.iter().enumerate() {
            let at = DeclRef {
                file: file_index,
                decl: decl_index,
            };
            file_entities.push(match decl.kind {
                DeclKind::Const(_) => {
                    const_count += 1;
                    Entity::Const(const_count - 1)
                }
                DeclKind::Interface { .. } => {
                    interface_decls.push(at);
                    Entity::Channel
                }
                DeclKind::Notifications { .. } => {
                    notification_decls.push(at);
                    Entity::Channel
                }
                _ => {
                    type_decls.push(at);
                    Entity::Type(TypeId(type_decls.len() as u32 - 1))
                }
            });
        }
        entities.push(file_entities);
    }

    let names = files
        .iter()
        .map(|file| {
            let mut map =
                FastHashMap::with_capacity_and_hasher(file.lowered.decls.len(), Default::default());
            for (index, decl) in file.lowered.decls.iter().enumerate() {
                map.entry(decl.meta.name.text.as_str()).or_insert(index);
            }
            map
        })
        .collect();
    let mut tables = Tables {
        files,
        names,
        entities,
        scopes: Vec::new(),
    };
    tables.scopes = (0..files.len())
        .map(|file| tables.unqualified_scope(file))
        .collect();
    let tables = tables;

    let ir_files = files
        .iter()
        .map(|file| SourceFile {
            path: file.model_path.clone(),
            stem: file.stem.clone(),
            package: file.lowered.package.as_ref().map(|p| p.text.clone()),
            docs: file.lowered.docs.clone(),
            imports: file.imports.iter().map(|i| FileId(*i as u32)).collect(),
            is_root: file.is_root,
        })
        .collect();

    // Types, interfaces and notifications blocks are resolved in runs, on several threads for a
    // large schema; each result and diagnostic keeps its declaration order.
    let threads = if type_decls.len() + interface_decls.len() >= PARALLEL_MIN_DECLS {
        parallel::available_threads()
    } else {
        1
    };
    let types = resolve_in_runs(&tables, &type_decls, threads, diags, |resolver, at| {
        resolver.type_def(at)
    });

    let mut resolver = Resolver {
        tables: &tables,
        diags,
    };
    let mut consts = Vec::with_capacity(const_count);
    // `None` where the literal was invalid (reported): a channel naming it stays silent.
    let mut const_values: Vec<Option<ConstValue>> = Vec::with_capacity(const_count);
    for (file_index, file) in files.iter().enumerate() {
        for decl in &file.lowered.decls {
            if let DeclKind::Const(value) = &decl.kind {
                consts.push(ConstDef {
                    meta: resolver.meta(file_index, &decl.meta),
                    // The placeholder never leaves the phase: its error stops the run.
                    value: value.clone().unwrap_or(ConstValue::Integer(0)),
                });
                const_values.push(value.clone());
            }
        }
    }

    // Channels are claimed in declaration order (the first use of a name wins), on this thread.
    let mut claimed = FastHashMap::default();
    let interface_channels =
        resolver.claim_channels(&interface_decls, "interface", &const_values, &mut claimed);
    let notification_channels = resolver.claim_channels(
        &notification_decls,
        "notifications block",
        &const_values,
        &mut claimed,
    );

    let mut interfaces = resolve_in_runs(&tables, &interface_decls, threads, diags, |r, at| {
        r.interface(at)
    });
    for (interface, channel) in interfaces.iter_mut().zip(interface_channels) {
        interface.channel = channel;
    }
    let mut notifications =
        resolve_in_runs(&tables, &notification_decls, threads, diags, |r, at| {
            r.notifications(at)
        });
    for (block, channel) in notifications.iter_mut().zip(notification_channels) {
        block.channel = channel;
    }

    Resolved {
        ir: Ir {
            version: IR_VERSION,
            files: ir_files,
            types,
            consts,
            interfaces,
            notifications,
        },
        type_decls,
        interface_decls,
        notification_decls,
    }
}

/// Completes the analysis index collected while loading (one entry per source, see
/// `crate::analysis`): every reference gets the declaration it denotes, found by the very
/// lookup resolution uses (but reporting nothing: the check reports), every import string the
/// file it names, and every file its scopes.
pub(crate) fn resolve_index(
    files: &[LoadedFile],
    sources: &SourceMap,
    mut index: Vec<FileIndex>,
) -> Vec<FileIndex> {
    while index.len() < sources.len() {
        index.push(FileIndex::empty(SourceId(index.len() as u32)));
    }
    let mut tables = Tables {
        files,
        names: files
            .iter()
            .map(|file| {
                let mut map = FastHashMap::default();
                for (i, decl) in file.lowered.decls.iter().enumerate() {
                    map.entry(decl.meta.name.text.as_str()).or_insert(i);
                }
                map
            })
            .collect(),
        entities: Vec::new(),
        scopes: Vec::new(),
    };
    tables.scopes = (0..files.len())
        .map(|file| tables.unqualified_scope(file))
        .collect();
    let source_of = |file: usize| files[file].lowered.source;
    let by_path: FastHashMap<&str, SourceId> = files
        .iter()
        .map(|f| (f.path.as_str(), f.lowered.source))
        .collect();
    // The symbol of each file's n-th declaration (lowering keeps one declaration per item).
    let declarations: Vec<Vec<usize>> = files
        .iter()
        .map(|f| {
            index
                .get(f.lowered.source.0 as usize)
                .map(|i| i.declarations.clone())
                .unwrap_or_default()
        })
        .collect();
    for (file_index, file) in files.iter().enumerate() {
        let source = file.lowered.source;
        let text = sources.text(source);
        let Some(entry) = index.get_mut(source.0 as usize) else {
            continue;
        };
        entry.scope = tables.scopes[file_index]
            .iter()
            .map(|&f| source_of(f))
            .collect();
        entry.packages = tables
            .packages_in_scope(file_index)
            .into_iter()
            .map(|package| {
                let scope = tables.qualified_scope(file_index, package);
                (
                    package.to_string(),
                    scope.into_iter().map(source_of).collect(),
                )
            })
            .collect();
        let base = Path::new(&file.path).parent().unwrap_or(Path::new(""));
        for import in &mut entry.imports {
            let target = display_path(&normalize(&base.join(&import.path)));
            import.target = by_path.get(target.as_str()).copied();
        }
        for reference in &mut entry.references {
            if reference.kind == RefKind::Primitive {
                continue;
            }
            let written = text
                .get(reference.span.start as usize..reference.span.end as usize)
                .unwrap_or("");
            let (qualifier, name) = match written.rsplit_once('.') {
                Some((qualifier, name)) => (Some(qualifier), name),
                None => (None, written),
            };
            reference.target = tables
                .find(file_index, qualifier, name)
                .ok()
                .and_then(|at| {
                    let symbol = *declarations.get(at.file)?.get(at.decl)?;
                    Some(SymbolRef {
                        source: source_of(at.file),
                        symbol,
                    })
                });
        }
    }
    index
}

/// Resolves `decls` with `build`, in contiguous runs on up to `threads` threads; the results
/// (declarations that are not of the kind `build` expects give none) and the diagnostics come
/// back in declaration order.
fn resolve_in_runs<'f, T: Send>(
    tables: &Tables<'f>,
    decls: &[DeclRef],
    threads: usize,
    diags: &mut Vec<Diagnostic>,
    build: impl Fn(&mut Resolver<'_, 'f>, DeclRef) -> Option<T> + Sync,
) -> Vec<T> {
    let run = decls.len().div_ceil(threads.max(1)).max(1);
    let runs: Vec<&[DeclRef]> = decls.chunks(run).collect();
    let resolved = parallel::map_in_order(runs, threads, |run| {
        let mut run_diags = Vec::new();
        let mut resolver = Resolver {
            tables,
            diags: &mut run_diags,
        };
        let built: Vec<T> = run
            .iter()
            .filter_map(|&at| build(&mut resolver, at))
            .collect();
        (built, run_diags)
    });
    let mut out = Vec::with_capacity(decls.len());
    for (mut built, mut run_diags) in resolved {
        out.append(&mut built);
        diags.append(&mut run_diags);
    }
    out
}

/// Unique names per namespace, and no two names that become one Rust identifier.
fn check_namespaces(files: &[LoadedFile], diags: &mut Vec<Diagnostic>) {
    type Key<'a> = (Option<&'a str>, String);
    let mut exact: FastHashMap<(Option<&str>, &str), (usize, &Name)> = FastHashMap::default();
    let mut rust_names: FastHashMap<Key<'_>, (usize, &Name)> = FastHashMap::default();
    for (file_index, file) in files.iter().enumerate() {
        let package = file.lowered.package.as_ref().map(|p| p.text.as_str());
        for decl in &file.lowered.decls {
            let name = &decl.meta.name;
            if let Some((first_file, first)) = exact.get(&(package, name.text.as_str())) {
                let mut error = Diagnostic::error(
                    codes::DUPLICATE_DECL,
                    match package {
                        Some(p) => format!("`{}` is declared twice in package `{p}`", name.text),
                        None => format!("`{}` is declared twice", name.text),
                    },
                    name.span,
                )
                .with_label("declared again here")
                .with_secondary(first.span, "first declared here");
                if *first_file != file_index {
                    error = error.with_help(format!(
                        "files without a `package` share one namespace; give `{}` or `{}` a `package`",
                        files[*first_file].path, file.path
                    ));
                    if package.is_some() {
                        error.help = Some("rename one of them".to_string());
                    }
                } else {
                    error = error.with_help("rename one of them");
                }
                diags.push(error);
                continue;
            }
            exact.insert((package, &name.text), (file_index, name));
            let (converted, space) = match decl.kind {
                DeclKind::Const(_) => (ident::shouty_snake_case(&name.text), "const"),
                _ => (
                    ident::rust_ident(&ident::pascal_case(&ident::snake_case(&name.text))),
                    "type",
                ),
            };
            let key = (package, format!("{space}:{converted}"));
            if let Some((_, first)) = rust_names.get(&key) {
                diags.push(
                    Diagnostic::error(
                        codes::DECL_CASE_COLLISION,
                        format!(
                            "`{}` and `{}` both become `{converted}` in Rust",
                            first.text, name.text
                        ),
                        name.span,
                    )
                    .with_label(format!("becomes `{converted}`"))
                    .with_secondary(first.span, format!("`{}` declared here", first.text))
                    .with_help("rename one of them"),
                );
                continue;
            }
            rust_names.insert(key, (file_index, name));
        }
    }
    check_shared_top_level(files, &rust_names, diags);
}

/// The import graph read backwards (who imports a file), to find the roots whose Rust file
/// holds a given file's declarations. Built only when a collision is suspected.
struct Importers<'f> {
    files: &'f [LoadedFile],
    /// Per file, the files that import it directly.
    direct: Vec<Vec<usize>>,
}

impl<'f> Importers<'f> {
    fn new(files: &'f [LoadedFile]) -> Self {
        let mut direct = vec![Vec::new(); files.len()];
        for (importer, file) in files.iter().enumerate() {
            for &import in &file.imports {
                direct[import].push(importer);
            }
        }
        Importers { files, direct }
    }

    /// The root files that reach any of `starts` through imports (a start that is a root
    /// reaches itself): those whose Rust file holds their declarations. Marked by file index.
    fn roots_reaching(&self, starts: impl IntoIterator<Item = usize>) -> Vec<bool> {
        let mut seen = vec![false; self.files.len()];
        let mut stack: Vec<usize> = starts.into_iter().collect();
        while let Some(file) = stack.pop() {
            if std::mem::replace(&mut seen[file], true) {
                continue;
            }
            stack.extend(self.direct[file].iter().copied().filter(|&i| !seen[i]));
        }
        for (file, mark) in seen.iter_mut().enumerate() {
            *mark &= self.files[file].is_root;
        }
        seen
    }

    /// The first root (in file order) that reaches both sets of files and satisfies `accept`.
    fn common_root(
        &self,
        a: impl IntoIterator<Item = usize>,
        b: impl IntoIterator<Item = usize>,
        accept: impl Fn(usize) -> bool,
    ) -> Option<usize> {
        let a = self.roots_reaching(a);
        let b = self.roots_reaching(b);
        (0..self.files.len()).find(|&root| a[root] && b[root] && accept(root))
    }
}

/// The Rust file of a root holds the root's package and every file without a package at its
/// top level (docs/generated-code.md), so a declaration of the root's package and one without a
/// package must not become the same Rust name there. `rust_names` is `check_namespaces`'s map
/// of each namespace's Rust names; only names that a package and the root namespace share are
/// looked at further.
fn check_shared_top_level(
    files: &[LoadedFile],
    rust_names: &FastHashMap<(Option<&str>, String), (usize, &Name)>,
    diags: &mut Vec<Diagnostic>,
) {
    let has_package = |f: &LoadedFile| f.lowered.package.is_some();
    if !files.iter().any(has_package) || files.iter().all(has_package) {
        return;
    }
    let mut suspects: Vec<(usize, &Name, usize, &Name, &str)> = rust_names
        .iter()
        .filter_map(|((package, key), &(file, name))| {
            (*package)?;
            let &(other_file, other) = rust_names.get(&(None, key.clone()))?;
            let converted = key.split_once(':').map_or(key.as_str(), |(_, c)| c);
            Some((file, name, other_file, other, converted))
        })
        .collect();
    if suspects.is_empty() {
        return;
    }
    // The map's order is arbitrary; diagnostics are not.
    suspects.sort_by_key(|&(file, name, ..)| (file, name.span.start));
    let importers = Importers::new(files);
    let package_of = |file: usize| {
        files[file]
            .lowered
            .package
            .as_ref()
            .map(|p| p.text.as_str())
    };
    for (file, name, other_file, other, converted) in suspects {
        let package = package_of(file);
        let Some(root) =
            importers.common_root([file], [other_file], |root| package_of(root) == package)
        else {
            continue;
        };
        let package = package.unwrap_or_default();
        diags.push(
            Diagnostic::error(
                codes::TOP_LEVEL_COLLISION,
                format!(
                    "`{}` of package `{package}` and `{}` of `{}` both become `{converted}` in the Rust file of `{}`",
                    name.text, other.text, files[other_file].path, files[root].path
                ),
                name.span,
            )
            .with_label(format!("becomes `{converted}`"))
            .with_secondary(other.span, format!("`{}` declared here, without a package", other.text))
            .with_help(format!(
                "a root's Rust file holds its own package and the files without a package at its top level; rename one of them, or give `{}` a package",
                files[other_file].path
            )),
        );
    }
}

/// Every package becomes a Rust module path (`acme.people` → `acme::people`, each segment
/// snake_case and escaped), and every package a root reaches is in that root's one Rust file:
/// two such packages must not become the same module.
fn check_package_modules(files: &[LoadedFile], diags: &mut Vec<Diagnostic>) {
    // Module path → the first package that has it.
    let mut modules: FastHashMap<Vec<String>, &Name> = FastHashMap::default();
    let mut suspects: Vec<(&Name, &Name)> = Vec::new();
    for loaded in files {
        let Some(package) = &loaded.lowered.package else {
            continue;
        };
        let path = ident::rust_module_path(&package.text);
        match modules.get(&path) {
            Some(&first) if first.text != package.text => {
                if !suspects.iter().any(|(p, _)| p.text == package.text) {
                    suspects.push((package, first));
                }
            }
            Some(_) => {}
            None => {
                modules.insert(path, package);
            }
        }
    }
    if suspects.is_empty() {
        return;
    }
    let importers = Importers::new(files);
    let files_of = |package: &str| -> Vec<usize> {
        (0..files.len())
            .filter(|&f| {
                files[f].lowered.package.as_ref().map(|p| p.text.as_str()) == Some(package)
            })
            .collect()
    };
    for (package, first) in suspects {
        let Some(root) =
            importers.common_root(files_of(&package.text), files_of(&first.text), |_| true)
        else {
            continue;
        };
        let module = ident::rust_module_path(&package.text).join("::");
        diags.push(
            Diagnostic::error(
                codes::PACKAGE_MODULE_COLLISION,
                format!(
                    "packages `{}` and `{}` both become module `{module}` in the Rust file of `{}`",
                    first.text, package.text, files[root].path
                ),
                package.span,
            )
            .with_label(format!("becomes `{module}`"))
            .with_secondary(
                first.span,
                format!("package `{}` declared here", first.text),
            )
            .with_help("rename one of the packages; package names are usually all lowercase"),
        );
    }
}

/// Why a name was not found (see [`Tables::find`]).
enum Miss {
    /// The placeholder of a type that did not parse: already reported.
    Placeholder,
    /// A plain name that no file in scope declares.
    Unqualified,
    /// A qualifier that names no package the file can see.
    UnknownPackage,
    /// A package the file can see (these files) that does not declare the name.
    NotInPackage(Vec<usize>),
}

impl<'f> Tables<'f> {
    /// The declaration `qualifier.name` (or plain `name`) denotes in `file`, whatever its kind:
    /// the one rule of name lookup, shared by resolution (which reports a miss and checks the
    /// kind) and the analysis index (which records what was found).
    fn find(&self, file: usize, qualifier: Option<&str>, name: &str) -> Result<DeclRef, Miss> {
        if name.is_empty() {
            return Err(Miss::Placeholder);
        }
        // `a.b.C` is declaration `C` of package `a.b`: the whole qualifier is the package.
        match qualifier {
            None => self
                .find_in(&self.scopes[file], name)
                .ok_or(Miss::Unqualified),
            Some(package) => {
                let scope = self.qualified_scope(file, package);
                if scope.is_empty() {
                    return Err(Miss::UnknownPackage);
                }
                self.find_in(&scope, name).ok_or(Miss::NotInPackage(scope))
            }
        }
    }

    fn find_in(&self, scope: &[usize], name: &str) -> Option<DeclRef> {
        scope.iter().find_map(|&file| {
            self.names[file]
                .get(name)
                .map(|&decl| DeclRef { file, decl })
        })
    }

    /// Files whose declarations `package.Name` may refer to from `file`.
    fn qualified_scope(&self, file: usize, package: &str) -> Vec<usize> {
        if self.package_of(file) == Some(package) {
            return self
                .unqualified_scope(file)
                .into_iter()
                .filter(|&f| self.package_of(f) == Some(package))
                .collect();
        }
        self.files[file]
            .imports
            .iter()
            .copied()
            .filter(|&f| self.package_of(f) == Some(package))
            .collect()
    }

    /// The packages `file` can name: its own and those of the files it imports, each once, in
    /// import order.
    fn packages_in_scope(&self, file: usize) -> Vec<&'f str> {
        let mut packages: Vec<&'f str> = Vec::new();
        let own = self.package_of(file);
        let imported = self.files[file].imports.iter().map(|&i| self.package_of(i));
        for package in std::iter::once(own).chain(imported).flatten() {
            if !packages.contains(&package) {
                packages.push(package);
            }
        }
        packages
    }

    fn decl(&self, at: DeclRef) -> &'f Decl {
        &self.files[at.file].lowered.decls[at.decl]
    }

    fn package_of(&self, file: usize) -> Option<&'f str> {
        self.files[file]
            .lowered
            .package
            .as_ref()
            .map(|p| p.text.as_str())
    }

    /// The files `file` can see unqualified declarations of, in lookup order: itself, the
    /// imports of its own package, then (for a packaged file) imports without a package.
    fn unqualified_scope(&self, file: usize) -> Vec<usize> {
        let package = self.package_of(file);
        let mut scope = vec![file];
        for &import in &self.files[file].imports {
            if self.package_of(import) == package {
                scope.push(import);
            }
        }
        if package.is_some() {
            for &import in &self.files[file].imports {
                if self.package_of(import).is_none() {
                    scope.push(import);
                }
            }
        }
        scope
    }
}

impl<'f> Resolver<'_, 'f> {
    /// A named type's definition; `None` for other declarations.
    fn type_def(&mut self, at: DeclRef) -> Option<TypeDef> {
        let decl = self.decl(at);
        let kind = match &decl.kind {
            DeclKind::Struct(fields) => TypeDefKind::Struct {
                fields: self.fields(at.file, fields),
            },
            DeclKind::Enum(variants) => TypeDefKind::Enum {
                variants: variants
                    .iter()
                    .map(|v| EnumVariant {
                        name: v.name.text.clone(),
                        docs: v.take_docs(),
                        deprecated: v.deprecated.clone(),
                    })
                    .collect(),
            },
            DeclKind::Union(variants) => TypeDefKind::Union {
                variants: variants
                    .iter()
                    .map(|v| UnionVariant {
                        name: v.meta.name.text.clone(),
                        docs: v.meta.take_docs(),
                        deprecated: v.meta.deprecated.clone(),
                        fields: v
                            .fields
                            .as_ref()
                            .map(|f| self.fields(at.file, f))
                            .unwrap_or_default(),
                        unit: v.fields.is_none(),
                    })
                    .collect(),
            },
            DeclKind::Alias(target) => TypeDefKind::Alias {
                target: self.type_ref(at.file, target),
            },
            _ => return None,
        };
        Some(TypeDef {
            meta: self.meta(at.file, &decl.meta),
            kind,
        })
    }

    /// An interface with its methods; its channel is filled in by the caller, which claims
    /// channels in declaration order.
    fn interface(&mut self, at: DeclRef) -> Option<Interface> {
        let decl = self.decl(at);
        let DeclKind::Interface { methods, .. } = &decl.kind else {
            return None;
        };
        let methods = methods
            .iter()
            .map(|m| Method {
                name: m.meta.name.text.clone(),
                docs: m.meta.take_docs(),
                deprecated: m.meta.deprecated.clone(),
                since: m.meta.since.clone(),
                params: self.params(at.file, &m.params),
                result: m.result.as_ref().map(|t| self.type_ref(at.file, t)),
                result_stream: m.result_stream,
                throws: m.throws.as_ref().and_then(|t| self.throws(at.file, t)),
            })
            .collect();
        Some(Interface {
            meta: self.meta(at.file, &decl.meta),
            channel: String::new(),
            schema_hash: String::new(),
            methods,
        })
    }

    /// A notifications block with its events; its channel is filled in by the caller.
    fn notifications(&mut self, at: DeclRef) -> Option<Notifications> {
        let decl = self.decl(at);
        let DeclKind::Notifications { events, .. } = &decl.kind else {
            return None;
        };
        let events = events
            .iter()
            .map(|e| Event {
                name: e.meta.name.text.clone(),
                docs: e.meta.take_docs(),
                deprecated: e.meta.deprecated.clone(),
                since: e.meta.since.clone(),
                params: self.params(at.file, &e.params),
            })
            .collect();
        Some(Notifications {
            meta: self.meta(at.file, &decl.meta),
            channel: String::new(),
            schema_hash: String::new(),
            events,
        })
    }

    fn meta(&self, file: usize, meta: &Meta) -> DeclMeta {
        DeclMeta {
            name: meta.name.text.clone(),
            qualified_name: match self.package_of(file) {
                Some(package) => format!("{package}.{}", meta.name.text),
                None => meta.name.text.clone(),
            },
            file: FileId(file as u32),
            docs: meta.take_docs(),
            deprecated: meta.deprecated.clone(),
            since: meta.since.clone(),
        }
    }

    fn fields(&mut self, file: usize, fields: &[FieldDecl]) -> Vec<Field> {
        fields
            .iter()
            .map(|f| Field {
                name: f.meta.name.text.clone(),
                docs: f.meta.take_docs(),
                deprecated: f.meta.deprecated.clone(),
                since: f.meta.since.clone(),
                ty: self.type_ref(file, &f.ty),
                boxed: false,
            })
            .collect()
    }

    fn params(&mut self, file: usize, params: &[ParamDecl]) -> Vec<Param> {
        params
            .iter()
            .map(|p| Param {
                name: p.name.text.clone(),
                optional: p.optional,
                stream: p.stream,
                ty: self.type_ref(file, &p.ty),
            })
            .collect()
    }

    /// Resolves a written type. Errors are reported and replaced by a placeholder (the IR of a
    /// run with errors is never returned).
    fn type_ref(&mut self, file: usize, ty: &TypeExpr) -> TypeRef {
        const PLACEHOLDER: TypeRef = TypeRef::Primitive {
            primitive: Primitive::Bool,
        };
        match &ty.kind {
            TypeExprKind::Primitive(primitive) => TypeRef::Primitive {
                primitive: *primitive,
            },
            TypeExprKind::Named(path) => match self.lookup(file, path, Expect::Type) {
                Some(Entity::Type(id)) => TypeRef::Named { id },
                _ => PLACEHOLDER,
            },
            TypeExprKind::Array(element) => TypeRef::Array {
                element: Box::new(self.type_ref(file, element)),
            },
            TypeExprKind::Map(key, value) => TypeRef::Map {
                key: Box::new(self.type_ref(file, key)),
                value: Box::new(self.type_ref(file, value)),
            },
            TypeExprKind::Optional(inner) => TypeRef::Optional {
                inner: Box::new(self.type_ref(file, inner)),
            },
            TypeExprKind::Invalid => PLACEHOLDER,
        }
    }

    /// A `throws` type must be a name; what it names is checked in validation.
    fn throws(&mut self, file: usize, ty: &TypeExpr) -> Option<TypeId> {
        match &ty.kind {
            TypeExprKind::Named(path) => match self.lookup(file, path, Expect::Type) {
                Some(Entity::Type(id)) => Some(id),
                _ => None,
            },
            TypeExprKind::Invalid => None,
            _ => {
                self.diags.push(
                    Diagnostic::error(
                        codes::BAD_THROWS,
                        "`throws` must name a struct, enum or union",
                        ty.span,
                    )
                    .with_label("not a declared type")
                    .with_help(
                        "declare the error as a type, e.g. `union MyError { notFound, denied }`",
                    ),
                );
                None
            }
        }
    }

    fn channel(
        &mut self,
        file: usize,
        channel: Option<&ChannelExpr>,
        consts: &[Option<ConstValue>],
    ) -> (String, Span) {
        let name_span_of_file = Span::new(self.files[file].lowered.source, 0, 0);
        match channel {
            // Missing: already reported in lowering.
            None => (String::new(), name_span_of_file),
            Some(ChannelExpr::Literal(value, span)) => (value.clone(), *span),
            Some(ChannelExpr::Const(path)) => match self.lookup(file, path, Expect::Const) {
                Some(Entity::Const(index)) => match &consts[index] {
                    None => (String::new(), path.span),
                    Some(ConstValue::String(value)) => {
                        if value.is_empty() {
                            self.diags.push(
                                Diagnostic::error(
                                    codes::BAD_CHANNEL,
                                    "a channel name cannot be empty",
                                    path.span,
                                )
                                .with_label(format!("`{}` is the empty string", path.text()))
                                .with_help(
                                    "write a name with a version, e.g. `\"my-interface-v1\"`",
                                ),
                            );
                        }
                        (value.clone(), path.span)
                    }
                    Some(other) => {
                        let kind = match other {
                            ConstValue::Integer(_) => "an integer",
                            ConstValue::Float(_) => "a float",
                            ConstValue::Bool(_) => "a bool",
                            ConstValue::String(_) => "a string",
                        };
                        self.diags.push(
                            Diagnostic::error(
                                codes::BAD_CHANNEL,
                                format!("channel const `{}` is not a string", path.text()),
                                path.span,
                            )
                            .with_label(format!("`{}` is {kind}", path.text()))
                            .with_help("a channel name is a string, e.g. `const myChannel = \"my-interface-v1\";`"),
                        );
                        (String::new(), path.span)
                    }
                },
                _ => (String::new(), path.span),
            },
        }
    }

    /// Resolves the channel of each interface or notifications block (`what`) in `decls` and
    /// claims it in `claimed`, in order; the channel names, in the same order.
    fn claim_channels(
        &mut self,
        decls: &[DeclRef],
        what: &str,
        consts: &[Option<ConstValue>],
        claimed: &mut FastHashMap<String, (Span, String)>,
    ) -> Vec<String> {
        let mut names = Vec::with_capacity(decls.len());
        for &at in decls {
            let decl = self.decl(at);
            let (DeclKind::Interface { channel, .. } | DeclKind::Notifications { channel, .. }) =
                &decl.kind
            else {
                continue;
            };
            let (channel, span) = self.channel(at.file, channel.as_ref(), consts);
            self.claim_channel(claimed, &channel, span, what, &decl.meta);
            names.push(channel);
        }
        names
    }

    fn claim_channel(
        &mut self,
        channels: &mut FastHashMap<String, (Span, String)>,
        channel: &str,
        span: Span,
        what: &str,
        meta: &Meta,
    ) {
        if channel.is_empty() {
            return;
        }
        match channels.get(channel) {
            Some((first_span, first_owner)) => self.diags.push(
                Diagnostic::error(
                    codes::DUPLICATE_CHANNEL,
                    format!("channel `{channel}` is already used by {first_owner}"),
                    span,
                )
                .with_label(format!("{what} `{}` uses it again", meta.name.text))
                .with_secondary(*first_span, "first used here")
                .with_help(
                    "every channel name must be unique; change one, e.g. with a version suffix",
                ),
            ),
            None => {
                channels.insert(
                    channel.to_string(),
                    (span, format!("{what} `{}`", meta.name.text)),
                );
            }
        }
    }

    fn lookup(&mut self, file: usize, path: &PathRef, expect: Expect) -> Option<Entity> {
        let name = path.name();
        let qualifier = path.qualifier();
        let found = match self.find(file, qualifier.map(|q| q.text), name.text) {
            Ok(at) => at,
            Err(Miss::Placeholder) => return None,
            Err(Miss::Unqualified) => {
                self.report_unqualified(file, name, expect);
                return None;
            }
            Err(Miss::UnknownPackage) => {
                if let Some(package) = qualifier {
                    self.report_unknown_package(file, package, name, expect);
                }
                return None;
            }
            Err(Miss::NotInPackage(scope)) => {
                if let Some(package) = qualifier {
                    self.report_not_in_package(file, package, name, &scope, expect);
                }
                return None;
            }
        };
        let decl = self.decl(found);
        if !expect.accepts(&decl.kind) {
            let mut error = Diagnostic::error(
                codes::WRONG_KIND,
                format!(
                    "`{}` is {} {}, not a {}",
                    path.text(),
                    article(decl.kind.describe()),
                    decl.kind.describe(),
                    expect.noun()
                ),
                path.span,
            )
            .with_label(format!("expected a {}", expect.noun()))
            .with_secondary(decl.meta.name.span, "declared here");
            if expect == Expect::Const {
                error = error.with_help("`@channel` takes a string or the name of a string const");
            }
            self.diags.push(error);
            return None;
        }
        Some(self.entities[found.file][found.decl])
    }

    /// Distinct declared names of `file` of the expected kind (did-you-mean candidates).
    fn accepted_names(&self, file: usize, expect: Expect) -> impl Iterator<Item = &'f str> + '_ {
        let decls = &self.files[file].lowered.decls;
        self.names[file]
            .iter()
            .filter(move |(_, &index)| expect.accepts(&decls[index].kind))
            .map(|(&name, _)| name)
    }

    fn report_unqualified(&mut self, file: usize, name: PathPart<'_>, expect: Expect) {
        // Declared in an imported file of another package: needs the qualifier.
        for &import in &self.files[file].imports {
            if let Some(package) = self.package_of(import) {
                if self.names[import].contains_key(name.text) {
                    self.diags.push(
                        Diagnostic::error(
                            codes::UNQUALIFIED_NAME,
                            format!("`{}` is declared in package `{package}`", name.text),
                            name.span,
                        )
                        .with_label("needs its package name")
                        .with_help(format!("write `{package}.{}`", name.text)),
                    );
                    return;
                }
            }
        }
        // Declared in a file compiled alongside that this file does not import.
        for (other, loaded) in self.files.iter().enumerate() {
            if other == file || self.files[file].imports.contains(&other) {
                continue;
            }
            if self.names[other].contains_key(name.text) {
                let how = match self.package_of(other) {
                    Some(package) => format!(
                        "add `import \"{}\";` and write `{package}.{}`",
                        relative_import(&self.files[file].path, &loaded.path),
                        name.text
                    ),
                    None => format!(
                        "add `import \"{}\";`",
                        relative_import(&self.files[file].path, &loaded.path)
                    ),
                };
                self.diags.push(
                    Diagnostic::error(
                        codes::NOT_IMPORTED,
                        format!(
                            "`{}` is declared in `{}`, which this file does not import",
                            name.text, loaded.path
                        ),
                        name.span,
                    )
                    .with_label("not imported")
                    .with_help(how),
                );
                return;
            }
        }
        let scope = self.unqualified_scope(file);
        let mut candidates: Vec<String> = scope
            .iter()
            .flat_map(|&f| self.accepted_names(f, expect))
            .map(str::to_string)
            .collect();
        for &import in &self.files[file].imports {
            if let Some(package) = self.package_of(import) {
                if Some(package) != self.package_of(file) {
                    candidates.extend(
                        self.accepted_names(import, expect)
                            .map(|n| format!("{package}.{n}")),
                    );
                }
            }
        }
        if expect == Expect::Type {
            candidates.extend(
                [
                    "bool", "boolean", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32",
                    "f64", "number", "string", "bytes",
                ]
                .iter()
                .map(|s| s.to_string()),
            );
        }
        // Many declarations may share a name (each a reported duplicate): measure each once.
        candidates.sort_unstable();
        candidates.dedup();
        let mut error = Diagnostic::error(
            codes::UNKNOWN_NAME,
            format!("unknown {} `{}`", expect.noun(), name.text),
            name.span,
        )
        .with_label(format!("no {} of this name", expect.noun()));
        let suggestion = closest(name.text, candidates.iter().map(String::as_str))
            .map(str::to_string)
            .or_else(|| common_slip(name.text, expect).map(str::to_string));
        if let Some(best) = suggestion {
            error = error.with_help(format!("did you mean `{best}`?"));
        }
        self.diags.push(error);
    }

    /// Whether package `package`, as `file` sees it, declares `name` of the expected kind.
    fn package_declares(&self, file: usize, package: &str, name: &str, expect: Expect) -> bool {
        self.qualified_scope(file, package).iter().any(|&f| {
            self.names[f]
                .get(name)
                .is_some_and(|&index| expect.accepts(&self.files[f].lowered.decls[index].kind))
        })
    }

    fn report_unknown_package(
        &mut self,
        file: usize,
        package: PathPart<'_>,
        name: PathPart<'_>,
        expect: Expect,
    ) {
        let mut error = Diagnostic::error(
            codes::UNKNOWN_PACKAGE,
            format!("unknown package `{}`", package.text),
            package.span,
        )
        .with_label("no imported file has this package");
        let own = self.package_of(file);
        let in_scope = self.packages_in_scope(file);
        // Packages are not nested scopes: `people.Person` does not find `acme.people.Person`,
        // nor `acme.Person` it. A package in scope whose name ends or starts with the written
        // one and declares the name is the likely meaning.
        let suffix = format!(".{}", package.text);
        let prefix = format!("{}.", package.text);
        let related = in_scope.iter().copied().find(|candidate| {
            (candidate.ends_with(&suffix) || candidate.starts_with(&prefix))
                && self.package_declares(file, candidate, name.text, expect)
        });
        if let Some((other, _)) = self
            .files
            .iter()
            .enumerate()
            .find(|(i, _)| self.package_of(*i) == Some(package.text))
        {
            error = error.with_help(format!(
                "package `{}` is declared in `{}`; add `import \"{}\";`",
                package.text,
                self.files[other].path,
                relative_import(&self.files[file].path, &self.files[other].path)
            ));
        } else if let Some(related) = related {
            error = error.with_help(if Some(related) == own {
                format!(
                    "`{}` is in this file's own package: write `{}` or `{related}.{}`",
                    name.text, name.text, name.text
                )
            } else {
                format!(
                    "packages are not nested: write the whole package name, `{related}.{}`",
                    name.text
                )
            });
        } else if let Some(best) = closest(package.text, in_scope.into_iter()) {
            error = error.with_help(format!("did you mean `{best}`?"));
        }
        self.diags.push(error);
    }

    /// A qualified name whose package exists but does not declare it.
    fn report_not_in_package(
        &mut self,
        file: usize,
        package: PathPart<'_>,
        name: PathPart<'_>,
        scope: &[usize],
        expect: Expect,
    ) {
        let mut error = Diagnostic::error(
            codes::NOT_IN_PACKAGE,
            format!(
                "package `{}` has no {} `{}`",
                package.text,
                expect.noun(),
                name.text
            ),
            name.span,
        )
        .with_label(format!("not in package `{}`", package.text));
        // Declared in another package this file can name, or in the file's own namespace.
        let elsewhere = self.packages_in_scope(file).into_iter().find(|&other| {
            other != package.text && self.package_declares(file, other, name.text, expect)
        });
        let unqualified = self.scopes[file].iter().any(|&f| {
            self.names[f]
                .get(name.text)
                .is_some_and(|&index| expect.accepts(&self.files[f].lowered.decls[index].kind))
        });
        if let Some(other) = elsewhere {
            error = error.with_help(format!(
                "`{}` is declared in package `{other}`: write `{other}.{}`",
                name.text, name.text
            ));
        } else if unqualified {
            error = error.with_help(format!(
                "`{}` is declared without a package: write `{}`",
                name.text, name.text
            ));
        } else {
            let candidates: Vec<&str> = scope
                .iter()
                .flat_map(|&f| self.accepted_names(f, expect))
                .collect();
            if let Some(best) = closest(name.text, candidates.into_iter()) {
                error = error.with_help(format!("did you mean `{}.{best}`?", package.text));
            }
        }
        self.diags.push(error);
    }
}

/// Names TypeScript and Rust users reach for, mapped to this language's spelling.
fn common_slip(name: &str, expect: Expect) -> Option<&'static str> {
    if expect != Expect::Type {
        return None;
    }
    Some(match name {
        "String" | "str" => "string",
        "int" | "integer" | "Int" | "long" => "i64",
        "float" | "double" | "Number" => "f64",
        "Boolean" | "Bool" => "bool",
        "Uint8Array" | "Buffer" | "ArrayBuffer" | "Bytes" => "bytes",
        _ => return None,
    })
}

fn article(noun: &str) -> &'static str {
    match noun.as_bytes().first() {
        Some(b'a' | b'e' | b'i' | b'o' | b'u') => "an",
        _ => "a",
    }
}

/// The import string that reaches `target` from the file at `from` (both `/`-separated).
fn relative_import(from: &str, target: &str) -> String {
    let from_dir: Vec<&str> = match from.rsplit_once('/') {
        Some((dir, _)) => dir.split('/').filter(|s| !s.is_empty()).collect(),
        None => Vec::new(),
    };
    let target_parts: Vec<&str> = target.split('/').filter(|s| !s.is_empty()).collect();
    let common = from_dir
        .iter()
        .zip(target_parts.iter())
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts: Vec<&str> = vec![".."; from_dir.len() - common];
    if parts.is_empty() {
        parts.push(".");
    }
    parts.extend(&target_parts[common.min(target_parts.len())..]);
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::relative_import;

    #[test]
    fn relative_imports() {
        assert_eq!(relative_import("a/b.ipc", "a/c.ipc"), "./c.ipc");
        assert_eq!(relative_import("a/b.ipc", "d/c.ipc"), "../d/c.ipc");
        assert_eq!(relative_import("b.ipc", "d/c.ipc"), "./d/c.ipc");
        assert_eq!(relative_import("a/x/b.ipc", "a/c.ipc"), "../c.ipc");
    }
}
