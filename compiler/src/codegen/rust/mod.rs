//! Rust generator: turns the IR into one self-contained, `include!`-able `.rs` file per root.
//!
//! The generator builds a view model (every name already cased and escaped, every type already
//! spelt as a path) and `emit.rs` writes it out, one function per kind of item holding its
//! layout: the text is the output, formatted as rustfmt formats it (`tests/rustfmt.rs` holds it
//! to that). What depends on the length of the user's names (signatures, field types, calls) is
//! laid out by measured width in `layout.rs`. An item the layout does not cover (a line still
//! over rustfmt's width, which only very long names make) is parsed with `syn` and printed
//! with `prettyplease` instead ([`format_item`]).
//!
//! A file is its root's declarations (consts, types, interfaces, notifications, in that order),
//! then a tree of `pub mod`s for the other packages it reaches, one module per segment of a
//! dotted name (`acme.people` in `pub mod acme { pub mod people { ... } }`), each holding its
//! package's declarations in the same order and then the modules below it. Each declaration is
//! rendered on its own, at indentation zero, and indented by its module depth.
//!
//! Generated code names the runtime through one alias, `use ::ipcc_runtime::codegen as
//! ipcc_rt;` at the top of the file and of each package module, and std items through it too
//! (`ipcc_rt::String`, `ipcc_rt::Option`, ...), so user types called `Result`, `Option`,
//! `String`... never capture a name the generated code relies on, and a package called `std`
//! does not either. No IDL name is snake case except a package's module, and the alias takes
//! a `_` when a module has its name.

mod layout;
mod view;

use view::emit;
pub(crate) use view::type_spelling;

use crate::{ir::Ir, parallel, GeneratedFile};
use std::fmt;

/// Why the Rust generator could not produce a file. Any of these is a bug in the generator
/// (the IR it was given passed validation), reported with enough text to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RustGenError {
    /// The rendered text is not valid Rust.
    Syntax {
        /// The output file whose text failed to parse.
        file: String,
        message: String,
        /// The offending text (the item that failed), so the bug can be reproduced.
        text: String,
    },
    /// Two root files would be written to the same output file.
    DuplicateOutput { file: String },
    /// An attribute given in [`RustOptions::type_attributes`] is not one or more outer
    /// attributes (`#[...]`): the caller's mistake, not the generator's.
    Attribute {
        path: String,
        attribute: String,
        message: String,
    },
}

impl fmt::Display for RustGenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RustGenError::Syntax {
                file,
                message,
                text,
            } => write!(
                f,
                "ipcc bug: generated Rust for `{file}` does not parse: {message}\n--- generated text ---\n{text}"
            ),
            RustGenError::DuplicateOutput { file } => write!(
                f,
                "two root files would both generate `{file}`; give the roots distinct file names"
            ),
            RustGenError::Attribute {
                path,
                attribute,
                message,
            } => write!(
                f,
                "type_attribute({path:?}, {attribute:?}): not a Rust attribute such as `#[derive(Hash)]`: {message}"
            ),
        }
    }
}

impl std::error::Error for RustGenError {}

/// Generates one Rust file per root file of `ir`, sorted by path.
///
/// The front end's validation guarantees the IR is generable; should the generator still fail
/// (a bug), the file holds a `compile_error!` carrying the message, so the failure shows up in
/// the build that includes it instead of as a panic. Callers that want the error as a value use
/// [`try_generate`].
pub fn generate(ir: &Ir) -> Vec<GeneratedFile> {
    match try_generate(ir) {
        Ok(files) => files,
        Err(error) => ir
            .files
            .iter()
            .filter(|f| f.is_root)
            .map(|f| GeneratedFile {
                path: format!("{}.rs", f.stem),
                contents: format!("::core::compile_error!({:?});\n", error.to_string()),
            })
            .collect(),
    }
}

/// What the Rust generator emits besides the types (the defaults: both sides, no extra
/// attributes). `ipcc::Builder` sets it (`build_server`, `build_client`, `type_attribute`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RustOptions {
    /// The backend side: handler traits, dispatch tables, `register_*`, notification senders.
    pub server: bool,
    /// The frontend side: clients, notification listener traits and `listen_*`.
    pub client: bool,
    /// `(path, attribute)`: `attribute` (e.g. `#[derive(Hash)]`) on every struct, enum and
    /// union `path` names — a type's qualified name (`Task`, `todo.Task`), a package (`todo`:
    /// its types and those of packages below it), or `.` for every type. Not on aliases: a Rust
    /// `type` alias takes no derives.
    pub type_attributes: Vec<(String, String)>,
}

impl Default for RustOptions {
    fn default() -> Self {
        RustOptions {
            server: true,
            client: true,
            type_attributes: Vec::new(),
        }
    }
}

impl RustOptions {
    /// The extra attributes of the type named `qualified_name`, in the order they were given.
    pub(crate) fn attributes_of(&self, qualified_name: &str) -> Vec<String> {
        let matches = |path: &str| {
            path == "."
                || path == qualified_name
                || qualified_name
                    .strip_prefix(path)
                    .is_some_and(|rest| rest.starts_with('.'))
        };
        self.type_attributes
            .iter()
            .filter(|(path, _)| matches(path))
            .map(|(_, attribute)| attribute.clone())
            .collect()
    }
}

/// Generates one Rust file per root file of `ir`, sorted by path, or the first error.
pub fn try_generate(ir: &Ir) -> Result<Vec<GeneratedFile>, RustGenError> {
    try_generate_with(ir, &RustOptions::default())
}

/// [`try_generate`] with options (only one side, extra attributes on types).
pub fn try_generate_with(
    ir: &Ir,
    options: &RustOptions,
) -> Result<Vec<GeneratedFile>, RustGenError> {
    let mut normalized = options.clone();
    for (path, attribute) in &mut normalized.type_attributes {
        *attribute = normalize_attributes(attribute).map_err(|error| RustGenError::Attribute {
            path: path.clone(),
            attribute: attribute.clone(),
            message: error.to_string(),
        })?;
    }
    let options = &normalized;
    let rt = view::rt_alias(ir);
    let mut files: Vec<GeneratedFile> = Vec::new();
    for (index, file) in ir.files.iter().enumerate() {
        if !file.is_root {
            continue;
        }
        let path = format!("{}.rs", file.stem);
        if files.iter().any(|f| f.path == path) {
            return Err(RustGenError::DuplicateOutput { file: path });
        }
        let model = view::file_view(ir, crate::ir::FileId(index as u32), options);
        let items = file_items(&model);
        let formatted = format_items(&path, &items, worker_count(items.len()))?;
        let mut header = format!(
            "// @generated by ipcc {} from {}. DO NOT EDIT.\n",
            env!("CARGO_PKG_VERSION"),
            file_name(&file.path),
        );
        // The root file's `//!` docs as plain comments: an inner doc (`//!`, `#![doc]`) is not
        // allowed in a file that is `include!`d, and an outer one would document the first
        // item instead. (A package's files document its `pub mod`.)
        let docs = crate::codegen::trimmed_docs(&file.docs);
        if !docs.is_empty() {
            header.push_str("//\n");
        }
        for line in docs {
            header.push_str(if line.is_empty() { "//" } else { "// " });
            header.push_str(line);
            header.push('\n');
        }
        header.push_str(&format!(
            "#[allow(unused_imports)]\nuse ::ipcc_runtime::codegen as {rt};\n"
        ));
        let mut contents = String::with_capacity(
            header.len() + formatted.iter().map(|t| t.len() + 1).sum::<usize>(),
        );
        contents.push_str(&header);
        for (job, text) in items.iter().zip(&formatted) {
            // A blank line between items, none after a module's `{` or before its `}`.
            let after_open = contents.ends_with("{\n") && !contents.ends_with(" {}\n");
            if !text.is_empty() && !matches!(job.item, Item::PackageClose) && !after_open {
                contents.push('\n');
            }
            contents.push_str(text);
        }
        files.push(GeneratedFile { path, contents });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// One piece of a file's text, formatted on its own.
enum Item<'a> {
    Const(&'a view::ConstView),
    Type(&'a view::TypeView),
    Interface(&'a view::InterfaceView),
    Notifications(&'a view::NotificationsView),
    /// `pub mod <segment> {` with its docs, or the whole module when it is empty.
    PackageOpen(&'a view::PackageModule),
    /// The `}` closing a non-empty package module.
    PackageClose,
}

/// An item, and how many package modules it sits in (each one indentation level deeper).
struct Job<'a> {
    item: Item<'a>,
    depth: usize,
}

/// The file's items in output order.
fn file_items(model: &view::FileView) -> Vec<Job<'_>> {
    fn module_items<'a>(jobs: &mut Vec<Job<'a>>, module: &'a view::ModuleView, depth: usize) {
        let items = (module.consts.iter().map(Item::Const))
            .chain(module.wire_schemas.iter().map(Item::Const))
            .chain(module.types.iter().map(Item::Type))
            .chain(module.interfaces.iter().map(Item::Interface))
            .chain(module.notifications.iter().map(Item::Notifications));
        jobs.extend(items.map(|item| Job { item, depth }));
    }
    fn package_items<'a>(jobs: &mut Vec<Job<'a>>, module: &'a view::PackageModule, depth: usize) {
        jobs.push(Job {
            item: Item::PackageOpen(module),
            depth,
        });
        if module.is_empty() {
            return;
        }
        module_items(jobs, &module.body, depth + 1);
        for child in &module.children {
            package_items(jobs, child, depth + 1);
        }
        jobs.push(Job {
            item: Item::PackageClose,
            depth,
        });
    }
    let mut jobs = Vec::new();
    module_items(&mut jobs, &model.root, 0);
    for module in &model.modules {
        package_items(&mut jobs, module, 0);
    }
    jobs
}

/// Files with fewer items than this per extra thread are formatted on the calling thread:
/// below it, starting threads costs more than it saves.
const ITEMS_PER_THREAD: usize = 256;
/// More threads than this stop paying off (allocation contention) and only cost memory.
const MAX_THREADS: usize = 8;

/// How many threads format a file of `items` items.
fn worker_count(items: usize) -> usize {
    parallel::available_threads()
        .min(MAX_THREADS)
        .min(items / ITEMS_PER_THREAD)
        .max(1)
}

/// Formats every item, in order, on `threads` threads. Items are independent, so a large file
/// is spread over the available cores; workers take the next item from a shared counter, so
/// the uneven item sizes (an interface prints to ten times a struct's text) still balance.
fn format_items(
    file: &str,
    items: &[Job<'_>],
    threads: usize,
) -> Result<Vec<String>, RustGenError> {
    let jobs: Vec<&Job<'_>> = items.iter().collect();
    // The first error in file order is reported, as a sequential run would.
    parallel::map_in_order(jobs, threads, |job| format_item(file, job))
        .into_iter()
        .collect()
}

/// What rustfmt leaves long itself (measured): comments, string constants,
/// `-> impl Trait<..>`, an attribute's string, a decoding whose call fits no line.
fn rustfmt_leaves_long(line: &str) -> bool {
    line.starts_with("//")
        || (line.starts_with("pub const ") && line.ends_with(';'))
        || line.starts_with(") -> impl ")
        || line.starts_with("as = \"")
        || (line.starts_with("let arg") && line.contains(" = args.next"))
}

/// The module an item nested in package modules is formatted inside by the fallback, once per
/// level, so prettyplease indents it (and so breaks its lines) as inside the real `pub mod`s.
const NEST_OPEN: &str = "mod m {";
/// One level of indentation as prettyplease prints it.
const INDENT: &str = "    ";

/// Renders one item, indented for the depth of its module. An item with a line over rustfmt's
/// width (besides comments and string constants, which rustfmt leaves long) goes through the
/// fallback: parsed and printed by prettyplease, as all output once was.
fn format_item(file: &str, job: &Job<'_>) -> Result<String, RustGenError> {
    if let Item::PackageClose = job.item {
        return Ok(format!("{}}}\n", INDENT.repeat(job.depth)));
    }
    let text = emit_item(&job.item);
    let width = layout::MAX_WIDTH - INDENT.len() * job.depth;
    // rustfmt itself lets some lines run three columns past the width (`layout.rs`).
    let overflows = text
        .lines()
        .any(|line| line.len() > width + 3 && !rustfmt_leaves_long(line.trim_start()));
    if overflows && !matches!(job.item, Item::PackageOpen(_)) {
        return format_nested(file, &text, job.depth);
    }
    // The emitter ends every line with `\n` and writes no `\r`, so at the top level the text is
    // already what the loop below would make of it.
    if job.depth == 0 && text.ends_with('\n') && !text.contains('\r') {
        return Ok(text);
    }
    let indent = INDENT.repeat(job.depth);
    let mut out = String::with_capacity(text.len() + text.lines().count() * indent.len());
    for line in text.lines() {
        if !line.is_empty() {
            out.push_str(&indent);
            out.push_str(line);
        }
        out.push('\n');
    }
    Ok(out)
}

/// Formats `text` as it prints inside `depth` nested modules: wrapped in as many `mod m {`,
/// formatted, and unwrapped again. Empty when the text holds no item.
fn format_nested(file: &str, text: &str, depth: usize) -> Result<String, RustGenError> {
    if depth == 0 {
        return format_rust(file, text);
    }
    let wrapped = format!(
        "{}{text}\n{}",
        format!("{NEST_OPEN}\n").repeat(depth),
        "}\n".repeat(depth)
    );
    let formatted = format_rust(file, &wrapped)?;
    let lines: Vec<&str> = formatted.lines().collect();
    let wrapper_ok = lines.len() >= 2 * depth
        && (0..depth).all(|level| {
            let indent = INDENT.repeat(level);
            lines[level] == format!("{indent}{NEST_OPEN}")
                && lines[lines.len() - 1 - level] == format!("{indent}}}")
        });
    if wrapper_ok {
        let mut inner = lines[depth..lines.len() - depth].join("\n");
        inner.push('\n');
        return Ok(inner);
    }
    // `mod m { mod m {} }`: the emitter wrote no item, so there is nothing to write.
    let innermost = format!("{}{NEST_OPEN}}}", INDENT.repeat(depth - 1));
    if lines.len() == 2 * depth - 1 && lines[depth - 1] == innermost {
        return Ok(String::new());
    }
    Err(RustGenError::Syntax {
        file: file.to_string(),
        message: "a declaration does not print as one nested item".to_string(),
        text: text.to_string(),
    })
}

/// An item's text at indentation zero (empty for [`Item::PackageClose`]).
fn emit_item(item: &Item<'_>) -> String {
    let mut text = String::new();
    match item {
        Item::Const(view) => emit::constant(&mut text, view),
        Item::Type(view) => emit::type_item(&mut text, view),
        Item::Interface(view) => emit::interface(&mut text, view),
        Item::Notifications(view) => emit::notifications(&mut text, view),
        Item::PackageOpen(module) => emit::package_open(&mut text, module),
        Item::PackageClose => {}
    }
    text
}

/// The last path component: the header names the file, not where it was on the author's disk.
fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Attributes given to the builder as text, checked and printed as rustfmt prints them
/// (`#[derive( Hash )]` as `#[derive(Hash)]`), one per line.
fn normalize_attributes(text: &str) -> Result<String, syn::Error> {
    let attributes = syn::parse::Parser::parse_str(syn::Attribute::parse_outer, text)?;
    let item: syn::File = syn::parse_quote! { #(#attributes)* struct S; };
    let printed = prettyplease::unparse(&item);
    Ok(printed
        .lines()
        .take_while(|line| !line.starts_with("struct S"))
        .collect::<Vec<_>>()
        .join("\n"))
}

/// Parses and pretty-prints rendered text; a parse failure is a generator bug.
fn format_rust(file: &str, text: &str) -> Result<String, RustGenError> {
    match syn::parse_file(text) {
        Ok(parsed) => Ok(prettyplease::unparse(&parsed)),
        Err(e) => Err(RustGenError::Syntax {
            file: file.to_string(),
            message: e.to_string(),
            text: text.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests;
