//! `ipcc watch`: `ipcc gen` once, then again on every change of an input, an import or the
//! project file, until Ctrl-C, SIGTERM or the end of a piped stdin (docs/cli.md).
//!
//! Directories are watched, not files: an editor that saves by writing a temporary file and
//! renaming it over the original (or by deleting and creating it) replaces the file, and a watch
//! on the old file would go quiet. Every event is matched by path against what the last run
//! depended on ([`WatchSet`]), so the generated files, even inside an input directory, never
//! cause a run; the events of one save become one run ([`QUIET`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use clap::Args;
use notify::event::{AccessKind, AccessMode, EventKind, ModifyKind};
use notify::{RecursiveMode, Watcher};

use crate::check::{plural, CheckSummary};
use crate::generate::{GenArgs, GenPlan, Outputs};
use crate::inputs::{expanded, find_project, Inputs};
use crate::{Output, UsageError};

/// How long the watched files must stay quiet after a change before a run starts. One save is
/// a burst of events (a temporary file written, renamed over the original), all within a few
/// milliseconds; it makes one run.
const QUIET: Duration = Duration::from_millis(50);

/// The longest a run waits for quiet, so that files that never stop changing still get runs.
const MAX_DELAY: Duration = Duration::from_millis(500);

/// How every status line starts; nothing else `ipcc watch` prints starts so.
const STATUS: &str = "[watch]";

/// When this environment variable is set, every file event read is printed to stderr on a line
/// of its own, `[event] counts KIND PATHS` (the event starts or extends the wait for a run) or
/// `[event] ignored KIND PATHS`. For the tests: that a file change causes no run is seen in
/// this line, not by waiting to see whether a run comes.
const TRACE_VARIABLE: &str = "IPCC_WATCH_TRACE_EVENTS";

#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(flatten)]
    outputs: Outputs,
    #[command(flatten)]
    inputs: Inputs,
}

/// What wakes the watch up.
enum Message {
    /// Something happened in a watched directory (or the watcher failed).
    Fs(notify::Result<notify::Event>),
    /// Ctrl-C, SIGTERM or SIGHUP, or the end of a piped stdin: exit with status 0.
    Stop,
}

pub fn run_watch(args: &WatchArgs, output: Output) -> Result<ExitCode, UsageError> {
    let gen_args = GenArgs::writing(
        args.outputs.clone(),
        Inputs {
            paths: args.inputs.paths.clone(),
        },
    );
    // Bad arguments or a bad project file at the start end the command, as they end `gen`.
    let mut plan = Some(GenPlan::from_args(&gen_args)?);
    let project = if gen_args.uses_project() {
        find_project()?.map(|project| file_key(&project.file))
    } else {
        None
    };
    let (sender, messages) = mpsc::channel();
    let mut watches = Watches::new(sender.clone())?;
    stop_on_signals(sender.clone())?;
    stop_on_stdin_eof(sender);

    let mut read: Vec<PathBuf> = Vec::new();
    let mut first = true;
    loop {
        // One run. Its directories are watched before it reads anything, so a change made
        // while it runs is not lost, and the imports it found are watched before its status
        // line is printed, so whoever waits for that line may edit any of them.
        let mut set = watch_set(plan.as_ref(), project.as_ref(), &read);
        let mut roots = None;
        if let Some(plan) = &plan {
            watches.update(&set);
            roots = expanded(&plan.inputs);
            let started = Instant::now();
            let mut summary = CheckSummary::default();
            let result = plan.run_summarized(output, false, &mut summary);
            read = summary.read;
            set = watch_set(Some(plan), project.as_ref(), &read);
            watches.update(&set);
            match result {
                Ok(Some(report)) => {
                    if !output.quiet {
                        eprintln!("{STATUS} {}", report.status(started));
                    }
                }
                // An input that cannot be read (E0101, E0104) at the start ends the command
                // with status 2; later, it may be a file on its way back, so it is reported
                // and waited out.
                Ok(None) if first && summary.unreadable_roots => return Ok(ExitCode::from(2)),
                Ok(None) => eprintln!(
                    "{STATUS} {}; waiting for changes",
                    plural(summary.errors, "error")
                ),
                Err(error) if first => return Err(error),
                Err(error) => {
                    error.print(output.color);
                    eprintln!("{STATUS} failed; waiting for changes");
                }
            }
        }
        first = false;

        // Wait until a change calls for the next run.
        loop {
            let Some(change) = next_change(&messages, &set) else {
                return Ok(ExitCode::SUCCESS);
            };
            watches.forget(&change.lost);
            if change.project || plan.is_none() {
                match GenPlan::from_args(&gen_args) {
                    Ok(new) => plan = Some(new),
                    Err(error) => {
                        // Nothing runs until the project file is usable again.
                        plan = None;
                        set = watch_set(None, project.as_ref(), &read);
                        watches.update(&set);
                        error.print(output.color);
                        eprintln!("{STATUS} failed; waiting for changes");
                        continue;
                    }
                }
                break;
            }
            let Some(plan) = &plan else { continue };
            if change.inputs {
                break;
            }
            // Only the layout of an input directory changed (a folder moved in or out, a file
            // that is not `.ipc`): a run is due only if the set of `.ipc` files changed.
            if expanded(&plan.inputs) != roots {
                break;
            }
            set = watch_set(Some(plan), project.as_ref(), &read);
            watches.update(&set);
        }
    }
}

/// The [`WatchSet`] of `plan` (`None` while the project file is unusable) after a run that
/// read `read`.
fn watch_set(plan: Option<&GenPlan>, project: Option<&PathBuf>, read: &[PathBuf]) -> WatchSet {
    match plan {
        Some(plan) => {
            let outputs: Vec<&PathBuf> = [&plan.rust, &plan.ts]
                .into_iter()
                .flatten()
                .chain(plan.templates.iter().map(|t| &t.out))
                .collect();
            let templates: Vec<PathBuf> = plan.templates.iter().map(|t| t.dir.clone()).collect();
            let mut set = WatchSet::new(&plan.inputs, &outputs, project, read);
            set.add_templates(&templates);
            set
        }
        None => WatchSet::new(&[], &[], project, read),
    }
}

/// What a burst of events asks for.
#[derive(Debug, Default)]
struct Change {
    /// An input or an import changed, appeared or went (or the watcher lost events).
    inputs: bool,
    /// Something that is not an `.ipc` file came or went in an input directory.
    layout: bool,
    /// The project file changed: read it again.
    project: bool,
    /// Watched directories that were removed or renamed: their watches are gone.
    lost: BTreeSet<PathBuf>,
}

impl Change {
    fn any(&self) -> bool {
        self.inputs || self.layout || self.project
    }
}

/// Waits for a change that matters to `set`, then for the files to be quiet for [`QUIET`]
/// (at most [`MAX_DELAY`]). `None` when the watch is to stop.
fn next_change(messages: &Receiver<Message>, set: &WatchSet) -> Option<Change> {
    let trace = std::env::var_os(TRACE_VARIABLE).is_some();
    let mut change = Change::default();
    // When the first and the latest change that mattered arrived.
    let mut burst: Option<(Instant, Instant)> = None;
    loop {
        let message = match burst {
            None => messages.recv().ok()?,
            Some((first, latest)) => {
                let due = (latest + QUIET).min(first + MAX_DELAY);
                let now = Instant::now();
                if now >= due {
                    return Some(change);
                }
                match messages.recv_timeout(due - now) {
                    Ok(message) => message,
                    Err(RecvTimeoutError::Timeout) => return Some(change),
                    Err(RecvTimeoutError::Disconnected) => return None,
                }
            }
        };
        let mattered = match message {
            Message::Stop => return None,
            Message::Fs(Ok(event)) => {
                let mattered = set.classify(&event, &mut change);
                if trace {
                    let paths: Vec<String> = event
                        .paths
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect();
                    eprintln!(
                        "[event] {} {:?} {}",
                        if mattered { "counts" } else { "ignored" },
                        event.kind,
                        paths.join(" ")
                    );
                }
                mattered
            }
            Message::Fs(Err(error)) => {
                eprintln!("warning: watching files: {error}");
                change.inputs = true;
                true
            }
        };
        if mattered && change.any() {
            let now = Instant::now();
            burst = Some(burst.map_or((now, now), |(first, _)| (first, now)));
        }
    }
}

/// What the last run depended on, as events name paths ([`dir_key`], [`file_key`]), and the
/// directories watched for it.
#[derive(Debug, Default)]
struct WatchSet {
    /// The project file, when the plan comes from one.
    project: Option<PathBuf>,
    /// Inputs named one by one, and every file the last run read or tried to read.
    files: BTreeSet<PathBuf>,
    /// Input directories: every `.ipc` file below one is an input.
    trees: Vec<PathBuf>,
    /// Output directories: what comes and goes there is not a change of layout.
    outputs: Vec<PathBuf>,
    /// Directories to watch, recursively (`true`) or not: each input directory, and the
    /// directory of each file. For a directory that does not exist, its nearest existing
    /// ancestor, so that its return is seen.
    dirs: BTreeMap<PathBuf, bool>,
    /// Directories wanted in `dirs` that do not exist.
    missing: Vec<PathBuf>,
    /// Template folders (`--template`, `[[templates]]`): any change below one is a change of
    /// what a run writes.
    templates: Vec<PathBuf>,
}

impl WatchSet {
    /// The set of a plan's `inputs` and `outputs` (none while the project file is unusable).
    fn new(
        inputs: &[PathBuf],
        outputs: &[&PathBuf],
        project: Option<&PathBuf>,
        read: &[PathBuf],
    ) -> WatchSet {
        let mut set = WatchSet {
            project: project.cloned(),
            outputs: outputs.iter().map(|dir| dir_key(dir)).collect(),
            ..WatchSet::default()
        };
        for input in inputs {
            if input.is_dir() {
                set.trees.push(dir_key(input));
            } else {
                // Also an input directory that is gone: its parent is watched for it.
                set.files.insert(file_key(input));
            }
        }
        set.files.extend(read.iter().map(|file| file_key(file)));

        let mut wanted: BTreeMap<PathBuf, bool> =
            set.trees.iter().map(|tree| (tree.clone(), true)).collect();
        for file in set.files.iter().chain(&set.project) {
            if let Some(dir) = file.parent() {
                wanted.entry(dir.to_path_buf()).or_insert(false);
            }
        }
        // A directory inside an input directory is already watched with it.
        let trees = set.trees.clone();
        wanted.retain(|dir, _| {
            !trees
                .iter()
                .any(|tree| dir != tree && dir.starts_with(tree))
        });
        for (dir, recursive) in wanted {
            if dir.is_dir() {
                *set.dirs.entry(dir).or_default() |= recursive;
            } else {
                if let Some(existing) = dir.ancestors().find(|a| a.is_dir()) {
                    set.dirs.entry(existing.to_path_buf()).or_default();
                }
                set.missing.push(dir);
            }
        }
        set
    }

    /// Watches template folders too, recursively.
    fn add_templates(&mut self, dirs: &[PathBuf]) {
        for dir in dirs {
            let key = dir_key(dir);
            if key.is_dir() {
                self.dirs.insert(key.clone(), true);
            }
            self.templates.push(key);
        }
    }

    /// Adds what `event` means to `change`; whether it meant anything.
    fn classify(&self, event: &notify::Event, change: &mut Change) -> bool {
        if event.need_rescan() {
            change.inputs = true;
            return true;
        }
        // Whether a file or folder came, went or was renamed (not only written).
        let layout = match event.kind {
            // Opening and reading: every run reads the inputs, and must not cause the next.
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => false,
            EventKind::Access(_) => return false,
            EventKind::Modify(ModifyKind::Name(_)) => true,
            EventKind::Modify(_) => false,
            EventKind::Create(_) | EventKind::Remove(_) | EventKind::Any | EventKind::Other => true,
        };
        let mut mattered = false;
        for path in &event.paths {
            if self.project.as_ref() == Some(path) {
                change.project = true;
            } else if self.files.contains(path)
                // Generated files are never `.ipc` files, even in an input directory.
                || (is_ipc(path) && self.in_tree(path))
                // Anything below a template folder is a template or a partial.
                || self.templates.iter().any(|dir| path.starts_with(dir))
            {
                change.inputs = true;
            } else if !layout {
                continue;
            } else if self.dirs.contains_key(path) {
                change.lost.insert(path.clone());
                change.inputs = true;
            } else if self.missing.iter().any(|dir| dir.starts_with(path)) {
                change.inputs = true;
            } else if self.in_tree(path) && !self.outputs.iter().any(|o| path.starts_with(o)) {
                change.layout = true;
            } else {
                continue;
            }
            mattered = true;
        }
        mattered
    }

    fn in_tree(&self, path: &Path) -> bool {
        self.trees.iter().any(|tree| path.starts_with(tree))
    }
}

fn is_ipc(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "ipc")
}

/// The directories being watched.
struct Watches {
    watcher: notify::RecommendedWatcher,
    /// Each watched directory, and whether recursively.
    watched: BTreeMap<PathBuf, bool>,
    /// Directories that could not be watched, each reported once.
    failed: BTreeSet<PathBuf>,
}

impl Watches {
    fn new(sender: Sender<Message>) -> Result<Watches, UsageError> {
        let watcher = notify::recommended_watcher(move |event| {
            // The receiver is gone only when the watch is ending.
            let _ = sender.send(Message::Fs(event));
        })
        .map_err(|e| UsageError::new(format!("cannot watch files: {e}")))?;
        Ok(Watches {
            watcher,
            watched: BTreeMap::new(),
            failed: BTreeSet::new(),
        })
    }

    /// Watches `set`'s directories and stops watching the others.
    fn update(&mut self, set: &WatchSet) {
        let stale: Vec<PathBuf> = self
            .watched
            .iter()
            .filter(|(dir, recursive)| set.dirs.get(*dir) != Some(recursive))
            .map(|(dir, _)| dir.clone())
            .collect();
        for dir in stale {
            self.watched.remove(&dir);
            // Fails only when the directory went, and its watch with it.
            let _ = self.watcher.unwatch(&dir);
        }
        for (dir, &recursive) in &set.dirs {
            if self.watched.contains_key(dir) {
                continue;
            }
            let mode = if recursive {
                RecursiveMode::Recursive
            } else {
                RecursiveMode::NonRecursive
            };
            match self.watcher.watch(dir, mode) {
                Ok(()) => {
                    self.watched.insert(dir.clone(), recursive);
                    self.failed.remove(dir);
                }
                Err(error) => {
                    if self.failed.insert(dir.clone()) {
                        eprintln!("warning: cannot watch `{}`: {error}", dir.display());
                    }
                }
            }
        }
    }

    /// Drops the watches of directories that were removed or renamed; the next
    /// [`Watches::update`] watches them again if they are back, or their parent if not.
    fn forget(&mut self, lost: &BTreeSet<PathBuf>) {
        for dir in lost {
            if self.watched.remove(dir).is_some() {
                let _ = self.watcher.unwatch(dir);
            }
        }
    }
}

/// Ctrl-C (SIGINT), SIGTERM and SIGHUP end the watch with status 0.
fn stop_on_signals(sender: Sender<Message>) -> Result<(), UsageError> {
    ctrlc::set_handler(move || {
        let _ = sender.send(Message::Stop);
    })
    .map_err(|e| UsageError::new(format!("cannot handle Ctrl-C: {e}")))
}

/// When stdin is a pipe (or a socket), its end ends the watch with status 0: the process that
/// started `ipcc watch` closed it or died, and a watcher must not outlive it. A terminal,
/// `/dev/null` or a file on stdin is ignored, so `ipcc watch &` and `ipcc watch < /dev/null`
/// keep watching. What is written to stdin is read and ignored.
fn stop_on_stdin_eof(sender: Sender<Message>) {
    if !stdin_is_pipe() {
        return;
    }
    let reader = std::thread::Builder::new()
        .name("stdin".into())
        .spawn(move || {
            use std::io::Read;
            let mut stdin = std::io::stdin().lock();
            let mut buffer = [0u8; 4096];
            loop {
                match stdin.read(&mut buffer) {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    // An unreadable stdin says nothing about the parent: keep watching.
                    Err(_) => return,
                }
            }
            let _ = sender.send(Message::Stop);
        });
    if let Err(error) = reader {
        eprintln!("warning: cannot read stdin ({error}); its end will not stop the watch");
    }
}

#[cfg(unix)]
fn stdin_is_pipe() -> bool {
    use std::os::fd::AsFd;
    use std::os::unix::fs::FileTypeExt;
    let Ok(fd) = std::io::stdin().as_fd().try_clone_to_owned() else {
        return false;
    };
    std::fs::File::from(fd).metadata().is_ok_and(|metadata| {
        let kind = metadata.file_type();
        kind.is_fifo() || kind.is_socket()
    })
}

#[cfg(not(unix))]
fn stdin_is_pipe() -> bool {
    false
}

/// A directory as events name paths below it: absolute, with the part that exists resolved
/// (symbolic links, `..`) as the watcher reports it, and the rest as written.
fn dir_key(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut rest = Vec::new();
    let mut existing = absolute.as_path();
    loop {
        if let Ok(resolved) = existing.canonicalize() {
            return rest
                .iter()
                .rev()
                .fold(resolved, |path, name| path.join(name));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name);
                existing = parent;
            }
            _ => return absolute.clone(),
        }
    }
}

/// A file as events name it: its directory's [`dir_key`] and its own name. The file itself is
/// not resolved: an event names a symbolic link, not its target.
fn file_key(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match (absolute.parent(), absolute.file_name()) {
        (Some(dir), Some(name)) => dir_key(dir).join(name),
        _ => absolute,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: EventKind, path: &Path) -> notify::Event {
        notify::Event::new(kind).add_path(path.to_path_buf())
    }

    /// A set for `root/common` (an input directory with its output inside) and an import
    /// `root/shared/types.ipc`, with the project file `root/ipcc.toml`.
    fn set(root: &Path) -> WatchSet {
        std::fs::create_dir_all(root.join("common/generated")).unwrap();
        std::fs::create_dir_all(root.join("shared")).unwrap();
        WatchSet::new(
            &[root.join("common")],
            &[&root.join("common/generated")],
            Some(&file_key(&root.join("ipcc.toml"))),
            &[root.join("common/api.ipc"), root.join("shared/types.ipc")],
        )
    }

    #[test]
    fn directories_are_watched_not_files() {
        let root = std::env::temp_dir().join(format!("ipcc-watch-set-{}", std::process::id()));
        let set = set(&root);
        let root = dir_key(&root);
        let dirs: Vec<(PathBuf, bool)> = set.dirs.into_iter().collect();
        assert_eq!(
            dirs,
            [
                (root.clone(), false),
                (root.join("common"), true),
                (root.join("shared"), false)
            ]
        );
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn events_are_matched_by_path() {
        let root = std::env::temp_dir().join(format!("ipcc-watch-match-{}", std::process::id()));
        let set = set(&root);
        let root = dir_key(&root);
        let classify = |kind: EventKind, path: PathBuf| {
            let mut change = Change::default();
            set.classify(&event(kind, &path), &mut change);
            change
        };
        let written = EventKind::Modify(ModifyKind::Data(notify::event::DataChange::Any));
        let created = EventKind::Create(notify::event::CreateKind::File);
        let opened = EventKind::Access(AccessKind::Open(AccessMode::Any));
        assert!(classify(written, root.join("shared/types.ipc")).inputs);
        assert!(classify(written, root.join("common/new.ipc")).inputs);
        assert!(classify(written, root.join("ipcc.toml")).project);
        // Reads, generated files, other files beside an import, editors' temporary files.
        assert!(!classify(opened, root.join("shared/types.ipc")).any());
        assert!(!classify(written, root.join("common/generated/api.ts")).any());
        assert!(!classify(created, root.join("common/generated/new.ts")).any());
        assert!(!classify(created, root.join("shared/other.ipc")).any());
        assert!(!classify(written, root.join("common/.api.ipc.swp")).any());
        assert!(classify(created, root.join("common/.api.ipc.swp")).layout);
        // A watched directory that goes.
        let removed = EventKind::Remove(notify::event::RemoveKind::Folder);
        let gone = classify(removed, root.join("shared"));
        assert!(gone.inputs && gone.lost.contains(&root.join("shared")));
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn a_missing_directory_is_watched_through_its_parent() {
        let root = std::env::temp_dir().join(format!("ipcc-watch-gone-{}", std::process::id()));
        std::fs::create_dir_all(&root).unwrap();
        let set = WatchSet::new(&[root.join("common")], &[&root.join("out")], None, &[]);
        let root = dir_key(&root);
        assert_eq!(set.dirs.keys().collect::<Vec<_>>(), [&root]);
        let mut change = Change::default();
        let created = EventKind::Create(notify::event::CreateKind::Folder);
        assert!(set.classify(&event(created, &root.join("common")), &mut change));
        assert!(change.inputs);
        let _ = std::fs::remove_dir_all(&root);
    }
}
