//! `ipcc watch` end to end: the real binary as a child process in a scratch project, driven by
//! real file changes. Every step waits for the status line of the run it causes (a thread reads
//! the child's stderr line by line); the 30 s timeout only turns a hang into a failure. That a
//! change causes no run is read from the watch's report of each file event
//! (`IPCC_WATCH_TRACE_EVENTS`), up to a barrier ([`Watch::assert_quiet`]), not waited out.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How long a step may take before the test fails (a guard, never a way to wait).
const TIMEOUT: Duration = Duration::from_secs(30);

/// Makes `ipcc watch` print a line for every file event it reads (`compiler/src/cli/watch.rs`).
const TRACE_VARIABLE: &str = "IPCC_WATCH_TRACE_EVENTS";

/// How those lines start.
const EVENT: &str = "[event] ";

/// A running `ipcc watch`.
struct Watch {
    child: Child,
    lines: Receiver<String>,
    /// Every line printed so far, for failure messages and the final count.
    log: Vec<String>,
    /// The project directory, where [`Watch::assert_quiet`] creates its barriers.
    dir: PathBuf,
    /// How many barriers were created (each has a name of its own).
    barriers: usize,
}

impl Watch {
    /// Starts `ipcc watch ARGS` in `dir`, with stdin a pipe that stays open until
    /// [`Watch::close_stdin`].
    fn start(dir: &Path, args: &[&str]) -> Watch {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ipcc"))
            .arg("watch")
            .args(["--color", "never"])
            .args(args)
            .current_dir(dir)
            .env(TRACE_VARIABLE, "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("ipcc watch starts");
        let stderr = child.stderr.take().expect("stderr is piped");
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Watch {
            child,
            lines,
            log: Vec::new(),
            dir: dir.to_path_buf(),
            barriers: 0,
        }
    }

    /// The next line; `None` when the process has closed stderr (it ended).
    fn next_line(&mut self, deadline: Instant) -> Option<String> {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.lines.recv_timeout(left) {
            Ok(line) => {
                self.log.push(line.clone());
                Some(line)
            }
            Err(RecvTimeoutError::Disconnected) => None,
            Err(RecvTimeoutError::Timeout) => panic!(
                "nothing from ipcc watch within {TIMEOUT:?}; its output so far:\n{}",
                self.log.join("\n")
            ),
        }
    }

    /// The lines of the next run: what it printed, its status line last (the file events it
    /// reported are only in the log).
    fn next_run(&mut self) -> Vec<String> {
        let deadline = Instant::now() + TIMEOUT;
        let mut run = Vec::new();
        loop {
            let Some(line) = self.next_line(deadline) else {
                panic!(
                    "ipcc watch ended ({:?}); its output:\n{}",
                    self.child.wait(),
                    self.log.join("\n")
                )
            };
            if line.starts_with(EVENT) {
                continue;
            }
            let is_status = line.starts_with("[watch] ");
            run.push(line);
            if is_status {
                return run;
            }
        }
    }

    /// The next status line.
    fn status(&mut self) -> String {
        self.next_run()
            .pop()
            .expect("a run ends with its status line")
    }

    /// The lines of the run after which `done` holds. A change made in several steps (truncate
    /// and write, delete and create) can be seen half-way by one run when the test is
    /// descheduled between the steps for longer than the debounce, as an editor could be; one
    /// such run before it is allowed.
    fn run_where(&mut self, done: impl Fn(&[String]) -> bool) -> Vec<String> {
        let run = self.next_run();
        if done(&run) {
            return run;
        }
        let run = self.next_run();
        assert!(
            done(&run),
            "not done after two runs:\n{}",
            self.log.join("\n")
        );
        run
    }

    /// The status line of the run after which the file at `path` contains `text`.
    fn status_when(&mut self, path: &Path, text: &str) -> String {
        let run = self.run_where(|_| read(path).contains(text));
        run.last().expect("a run ends with its status line").clone()
    }

    /// Asserts that no file event read since the last status line asks for a run, and that
    /// nothing but those events was printed. The barrier is a new file in the project's
    /// directory (watched for `ipcc.toml`; nothing else there counts): the watch reads events in
    /// the order they happened, so once it reports the barrier's, it has read and reported every
    /// event before it, each `ignored` or `counts`.
    fn assert_quiet(&mut self, after: &str) {
        self.barriers += 1;
        let barrier = format!("/barrier-{}.txt", self.barriers);
        std::fs::write(self.dir.join(&barrier[1..]), "").unwrap();
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let Some(line) = self.next_line(deadline) else {
                panic!("ipcc watch ended after {after}:\n{}", self.log.join("\n"))
            };
            let Some(event) = line.strip_prefix(EVENT) else {
                panic!(
                    "unexpected output after {after}: {line:?}; all output:\n{}",
                    self.log.join("\n")
                )
            };
            assert!(
                event.starts_with("ignored "),
                "after {after}, an event that asks for a run: {line:?}; all output:\n{}",
                self.log.join("\n")
            );
            if event.ends_with(&barrier) {
                return;
            }
        }
    }

    fn assert_running(&mut self) {
        let exited = self.child.try_wait().expect("try_wait");
        assert!(exited.is_none(), "ipcc watch exited: {exited:?}");
    }

    /// Sends `signal` (`TERM`, `INT`) and waits for the process to end.
    fn signal(&mut self, signal: &str) -> ExitStatus {
        let sent = Command::new("kill")
            .args([format!("-{signal}"), self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success());
        self.wait_for_exit()
    }

    /// Closes the write end of the child's stdin and waits for the process to end.
    fn close_stdin(&mut self) -> ExitStatus {
        drop(self.child.stdin.take());
        self.wait_for_exit()
    }

    /// Reads the rest of the output (stderr closes when the process ends) and reaps it.
    fn wait_for_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + TIMEOUT;
        while self.next_line(deadline).is_some() {}
        self.child.wait().expect("wait")
    }

    /// The number of status lines printed so far.
    fn runs(&self) -> usize {
        self.log
            .iter()
            .filter(|l| l.starts_with("[watch] "))
            .count()
    }

    /// What the child printed on stdout (read after it ended).
    fn stdout(&mut self) -> String {
        use std::io::Read;
        let mut text = String::new();
        if let Some(mut stdout) = self.child.stdout.take() {
            stdout.read_to_string(&mut text).expect("stdout");
        }
        text
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        // A failed test must not leave a watcher running.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Asserts that `line` is a success status line with these counts.
fn assert_generated(line: &str, files: usize, written: usize, unchanged: usize) {
    let files = format!("{files} file{}", if files == 1 { "" } else { "s" });
    assert!(
        line.starts_with(&format!("[watch] generated {files} in "))
            && line.ends_with(&format!(": {written} written, {unchanged} unchanged")),
        "expected {files}, {written} written, {unchanged} unchanged: {line:?}"
    );
}

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ipcc-watch-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const API: &str = r#"import "../shared/types.ipc";

@channel("api-v1")
interface Api {
  get(id: i64): Promise<types.Item>;
}
"#;

const TYPES: &str = "package types;\n\nstruct Item { name: string; }\n";

/// A project: `ipcc.toml` with the input directory `common` (whose root `api.ipc` imports
/// `shared/types.ipc`, outside it) and TypeScript written into `common/generated`, inside the
/// input directory's tree.
fn project(name: &str) -> PathBuf {
    let dir = scratch(name);
    std::fs::create_dir_all(dir.join("common")).unwrap();
    std::fs::create_dir_all(dir.join("shared")).unwrap();
    std::fs::write(
        dir.join("ipcc.toml"),
        "inputs = [\"common\"]\n\n[ts]\nout = \"common/generated\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("common/api.ipc"), API).unwrap();
    std::fs::write(dir.join("shared/types.ipc"), TYPES).unwrap();
    dir
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// Replaces the file at `path` in one step: written beside it, renamed over it.
fn replace(path: &Path, text: &str) {
    let temporary = path.with_extension("tmp");
    std::fs::write(&temporary, text).unwrap();
    std::fs::rename(&temporary, path).unwrap();
}

#[test]
fn edits_of_roots_imports_and_saves_by_rename_regenerate_and_outputs_do_not() {
    let dir = project("edits");
    let generated = dir.join("common/generated");
    let mut watch = Watch::start(&dir, &[]);

    // The first run, then nothing: its own writes into the input directory cause no run.
    assert_generated(&watch.status(), 2, 2, 0);
    assert!(read(&generated.join("api.ts")).contains("get(id: bigint)"));
    watch.assert_quiet("the first run");

    // A root, edited in place.
    let api = dir.join("common/api.ipc");
    std::fs::write(&api, API.replace("}\n", "  count(): Promise<u32>;\n}\n")).unwrap();
    let line = watch.status_when(&generated.join("api.ts"), "count(): Promise<number>");
    assert_generated(&line, 2, 1, 1);

    // A file the root imports, outside the input directory, saved by rename.
    replace(
        &dir.join("shared/types.ipc"),
        &TYPES.replace("string;", "string; size: u32;"),
    );
    // The channel's schema hash in `api.ts` covers the imported type.
    assert_generated(&watch.status(), 2, 2, 0);
    assert!(read(&generated.join("types.ts")).contains("size: number;"));

    // Saved by rename: a temporary file written beside it and renamed over it. One save, one
    // run.
    let temporary = dir.join("common/.api.ipc.swp");
    std::fs::write(
        &temporary,
        API.replace("}\n", "  renamed(): Promise<void>;\n}\n"),
    )
    .unwrap();
    std::fs::rename(&temporary, &api).unwrap();
    assert_generated(&watch.status(), 2, 1, 1);
    assert!(read(&generated.join("api.ts")).contains("renamed(): Promise<void>"));
    watch.assert_quiet("a save by rename");

    // The renamed file is still watched; saved by delete and create this time.
    std::fs::remove_file(&api).unwrap();
    std::fs::write(
        &api,
        API.replace("}\n", "  recreated(): Promise<void>;\n}\n"),
    )
    .unwrap();
    let line = watch.status_when(&generated.join("api.ts"), "recreated(): Promise<void>");
    assert_generated(&line, 2, 1, 1);

    // A new file in the input directory, in a new folder.
    std::fs::create_dir_all(dir.join("common/more")).unwrap();
    std::fs::write(
        dir.join("common/more/extra.ipc"),
        "struct Extra { a: i32; }\n",
    )
    .unwrap();
    let line = watch.status_when(&generated.join("extra.ts"), "a: number;");
    assert_generated(&line, 3, 1, 2);

    // A generated file edited and a file added to the output folder: no run. The next real
    // change makes one run, which also restores the edited file (2 written): nothing ran in
    // between.
    let runs = watch.runs();
    std::fs::write(generated.join("api.ts"), "// edited by hand\n").unwrap();
    std::fs::write(generated.join("notes.txt"), "not generated\n").unwrap();
    watch.assert_quiet("an edit in the output folder");
    replace(
        &dir.join("common/more/extra.ipc"),
        "struct Extra { b: i32; }\n",
    );
    assert_generated(&watch.status(), 3, 2, 1);
    assert_eq!(watch.runs(), runs + 1);
    assert!(read(&generated.join("api.ts")).contains("recreated(): Promise<void>"));

    watch.assert_running();
    let status = watch.signal("TERM");
    assert_eq!(status.code(), Some(0), "{status:?}");
    assert_eq!(watch.stdout(), "");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn errors_are_reported_and_the_watch_goes_on() {
    let dir = project("errors");
    let generated = dir.join("common/generated");
    let mut watch = Watch::start(&dir, &[]);
    assert_generated(&watch.status(), 2, 2, 0);

    // A syntax error in a root: its diagnostic, then a status line saying the run failed.
    let api = dir.join("common/api.ipc");
    std::fs::write(
        &api,
        API.replace("Promise<types.Item>;", "Promise<types.Item>"),
    )
    .unwrap();
    let run = watch.run_where(|run| run.join("\n").contains("error["));
    let text = run.join("\n");
    assert!(
        text.contains("error[E0001]: expected `throws` or `;`"),
        "{text}"
    );
    assert!(text.contains("--> common/api.ipc:"), "{text}");
    assert_eq!(
        run.last().unwrap(),
        "[watch] 1 error; waiting for changes",
        "{text}"
    );
    watch.assert_running();

    // Fixed, differently: generated again.
    std::fs::write(&api, API.replace("get(id", "fetch(id")).unwrap();
    let line = watch.status_when(&generated.join("api.ts"), "fetch(id: bigint)");
    assert_generated(&line, 2, 1, 1);

    // An import of a file that does not exist yet: reported; creating it is a change.
    let importing = format!("import \"../shared/later.ipc\";\n{API}")
        .replace("Promise<types.Item>", "Promise<later.Thing>");
    std::fs::write(&api, importing).unwrap();
    let run = watch.run_where(|run| run.join("\n").contains("error["));
    let text = run.join("\n");
    assert!(text.contains("cannot read imported file"), "{text}");
    assert!(
        run.last().unwrap().ends_with("; waiting for changes"),
        "{text}"
    );
    std::fs::write(
        dir.join("shared/later.ipc"),
        "package later;\n\nstruct Thing { x: i32; }\n",
    )
    .unwrap();
    let line = watch.status_when(&generated.join("later.ts"), "x: number;");
    assert_generated(&line, 3, 2, 1);

    // The end of stdin (a pipe: the parent closed it or died) ends the watch cleanly.
    let status = watch.close_stdin();
    assert_eq!(status.code(), Some(0), "{status:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_template_that_changes_renders_again() {
    let dir = project("templates");
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    let template = dir.join("templates/{{stem}}.txt.hbs");
    std::fs::write(&template, "first: {{stem}}\n").unwrap();
    let mut watch = Watch::start(&dir, &["--template", "templates", "--out", "out"]);
    let rendered = dir.join("out/api.txt");
    watch.status_when(&rendered, "first: api");

    // An edit of the template (saved by rename, as editors do) renders again.
    replace(&template, "second: {{stem}}\n");
    let line = watch.status_when(&rendered, "second: api");
    assert_generated(&line, 1, 1, 0);

    // What the template writes does not start a run of its own.
    std::fs::write(&rendered, "edited by hand\n").unwrap();
    watch.assert_quiet("an edit of the template's output");
    let status = watch.signal("TERM");
    assert_eq!(status.code(), Some(0), "{status:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_project_file_is_read_again_when_it_changes() {
    let dir = project("project");
    let mut watch = Watch::start(&dir, &[]);
    assert_generated(&watch.status(), 2, 2, 0);

    // A new output folder: the next run writes Rust too.
    let toml = dir.join("ipcc.toml");
    let with_rust =
        "inputs = [\"common\"]\n\n[ts]\nout = \"common/generated\"\n\n[rust]\nout = \"gen/rust\"\n";
    std::fs::write(&toml, with_rust).unwrap();
    let line = watch.status_when(&dir.join("gen/rust/api.rs"), "pub trait Api");
    assert_generated(&line, 3, 1, 2);

    // A broken project file is reported, and waited out.
    std::fs::write(&toml, "inputs = [\"common\"]\n[ts]\nout = 5\n").unwrap();
    let run = watch.run_where(|run| run.join("\n").contains("integer `5`"));
    let text = run.join("\n");
    assert!(text.contains("error[E0601]"), "{text}");
    assert_eq!(
        run.last().unwrap(),
        "[watch] failed; waiting for changes",
        "{text}"
    );
    watch.assert_running();
    std::fs::write(&toml, with_rust).unwrap();
    let line = watch.run_where(|run| run.last().unwrap().starts_with("[watch] generated"));
    assert_generated(line.last().unwrap(), 3, 0, 3);

    let status = watch.signal("INT");
    assert_eq!(status.code(), Some(0), "{status:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_input_directory_that_goes_is_reported_and_watched_for() {
    let dir = project("gone");
    // Paths on the command line this time; no project file is read.
    let mut watch = Watch::start(&dir, &["--ts", "out", "common"]);
    assert_generated(&watch.status(), 2, 2, 0);

    std::fs::remove_dir_all(dir.join("common")).unwrap();
    let run = watch.run_where(|run| run.join("\n").contains("cannot read `common`"));
    let text = run.join("\n");
    assert!(
        text.contains("error[E0101]: cannot read `common`"),
        "{text}"
    );
    assert_eq!(run.last().unwrap(), "[watch] 1 error; waiting for changes");
    watch.assert_running();

    std::fs::create_dir(dir.join("common")).unwrap();
    std::fs::write(dir.join("common/back.ipc"), "struct Back { a: i32; }\n").unwrap();
    // The folder may be seen before its file: then one run finds it empty first.
    let line = watch.status_when(&dir.join("out/back.ts"), "export interface Back");
    assert_generated(&line, 1, 1, 0);

    let status = watch.signal("TERM");
    assert_eq!(status.code(), Some(0), "{status:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn quiet_keeps_diagnostics_and_drops_success_lines() {
    let dir = project("quiet");
    let mut watch = Watch::start(&dir, &["-q"]);
    // Stop is handled after the first run, which prints nothing when it succeeds.
    let status = watch.close_stdin();
    assert_eq!(status.code(), Some(0), "{status:?}");
    // Nothing but the test-only trace of file events (the first run's own reads may show up
    // there, or not, depending on when the watcher starts).
    let printed: Vec<&String> = watch.log.iter().filter(|l| !l.starts_with(EVENT)).collect();
    assert_eq!(printed, Vec::<&String>::new());
    assert!(dir.join("common/generated/api.ts").is_file());

    std::fs::write(dir.join("common/api.ipc"), "struct A { x: i32 }\n").unwrap();
    let mut watch = Watch::start(&dir, &["--quiet"]);
    let run = watch.next_run();
    assert!(run.join("\n").contains("error[E0001]"), "{run:?}");
    assert_eq!(run.last().unwrap(), "[watch] 1 error; waiting for changes");
    assert_eq!(watch.signal("TERM").code(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_arguments_end_the_command_at_once() {
    let dir = scratch("usage");
    // No inputs outside a project; an input that does not exist.
    for args in [vec![], vec!["--ts", "out", "missing.ipc"]] {
        let output = Command::new(env!("CARGO_BIN_EXE_ipcc"))
            .arg("watch")
            .args(&args)
            .current_dir(&dir)
            .stdin(Stdio::null())
            .output()
            .expect("ipcc runs");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let text = String::from_utf8_lossy(&output.stderr);
        let expected = if args.is_empty() {
            "error: no inputs"
        } else {
            "error[E0101]: cannot read `missing.ipc`"
        };
        assert!(text.starts_with(expected), "{text}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
