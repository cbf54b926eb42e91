//! `ipcc gen`: check, generate, and write the files whose contents changed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::Args;
use ipcc::codegen::template::TemplateDir;
use ipcc::project::TemplateTarget;

use crate::check::{check_summarized, elapsed, plural, CheckSummary};
use crate::inputs::{no_inputs, Inputs};
use crate::{Output, UsageError};

/// Where generated code goes, shared by `gen` and `watch`.
#[derive(Debug, Clone, Args)]
pub struct Outputs {
    /// Write the generated Rust into this directory. Default: `[rust] out` of `ipcc.toml`.
    #[arg(long, value_name = "DIR")]
    rust: Option<PathBuf>,
    /// Write the generated TypeScript into this directory. Default: `[ts] out` of `ipcc.toml`.
    #[arg(long, value_name = "DIR")]
    ts: Option<PathBuf>,
    /// Render the handlebars templates of this folder against the model (docs/templates.md)
    /// into `--out`. Default: the `[[templates]]` of `ipcc.toml`.
    #[arg(long, value_name = "DIR", requires = "out")]
    template: Option<PathBuf>,
    /// Where `--template` writes.
    #[arg(long, value_name = "DIR", requires = "template")]
    out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct GenArgs {
    #[command(flatten)]
    outputs: Outputs,
    /// Write nothing; exit 1 and list the files that are missing or out of date (for CI).
    #[arg(long)]
    check: bool,
    #[command(flatten)]
    inputs: Inputs,
}

impl GenArgs {
    /// The arguments of a `gen` that writes (no `--check`): what `ipcc watch` runs.
    pub fn writing(outputs: Outputs, inputs: Inputs) -> GenArgs {
        GenArgs {
            outputs,
            check: false,
            inputs,
        }
    }

    /// Whether any output is on the command line; then it replaces all of the project file's.
    pub fn outputs_given(&self) -> bool {
        let outputs = &self.outputs;
        outputs.rust.is_some() || outputs.ts.is_some() || outputs.template.is_some()
    }

    /// Whether the plan takes anything from the project file: the inputs, or the outputs.
    pub fn uses_project(&self) -> bool {
        self.inputs.paths.is_empty() || !self.outputs_given()
    }
}

/// What one `gen` run reads and writes; `ipcc watch` runs it again on every change.
#[derive(Debug, Clone)]
pub struct GenPlan {
    /// Files and directories as given (directories are expanded on every run, so a new file in
    /// one is picked up).
    pub inputs: Vec<PathBuf>,
    pub rust: Option<PathBuf>,
    pub ts: Option<PathBuf>,
    /// Template folders and where each writes; read again on every run.
    pub templates: Vec<TemplateTarget>,
}

/// What a run did.
#[derive(Debug, Default)]
pub struct GenReport {
    /// Files written (new or changed).
    pub written: Vec<PathBuf>,
    /// Files already up to date, left untouched.
    pub unchanged: usize,
    /// With `check`: files missing or out of date (nothing was written).
    pub stale: Vec<PathBuf>,
}

impl GenPlan {
    /// The plan of `ipcc gen ARGS`: arguments first, the project file for what they leave out.
    pub fn from_args(args: &GenArgs) -> Result<GenPlan, UsageError> {
        let outputs_given = args.outputs_given();
        let project = if args.uses_project() {
            crate::inputs::find_project()?
        } else {
            None
        };
        let inputs = match &project {
            _ if !args.inputs.paths.is_empty() => args.inputs.paths.clone(),
            Some(project) => project.inputs.clone(),
            None => return Err(no_inputs()),
        };
        let (mut rust, mut ts) = (args.outputs.rust.clone(), args.outputs.ts.clone());
        let mut templates: Vec<TemplateTarget> =
            (args.outputs.template.iter().zip(&args.outputs.out))
                .map(|(dir, out)| TemplateTarget {
                    dir: dir.clone(),
                    out: out.clone(),
                })
                .collect();
        if !outputs_given {
            if let Some(project) = &project {
                rust = project.rust_out.clone();
                ts = project.ts_out.clone();
                templates = project.templates.clone();
            }
        }
        if rust.is_none() && ts.is_none() && templates.is_empty() {
            return Err(UsageError::new(
                "nothing to generate: pass `--rust DIR`, `--ts DIR` or `--template DIR --out DIR`, or set `[rust] out`, `[ts] out` or `[[templates]]` in `ipcc.toml`",
            ));
        }
        Ok(GenPlan {
            inputs,
            rust,
            ts,
            templates,
        })
    }

    /// Checks and generates; writes changed files (or, with `check_only`, lists them).
    /// `Ok(None)` when the inputs have errors (already printed).
    pub fn run(&self, output: Output, check_only: bool) -> Result<Option<GenReport>, UsageError> {
        self.run_summarized(output, check_only, &mut CheckSummary::default())
    }

    /// As [`GenPlan::run`], filling `summary` with what the check read and found.
    pub fn run_summarized(
        &self,
        output: Output,
        check_only: bool,
        summary: &mut CheckSummary,
    ) -> Result<Option<GenReport>, UsageError> {
        let options = ipcc::GenOptions {
            rust: self.rust.is_some(),
            ts: self.ts.is_some(),
        };
        let Some(ir) = check_summarized(&self.inputs, output, summary) else {
            return Ok(None);
        };
        let generated = ipcc::generate(&ir, &options);
        let Some(rendered) = self.render_templates(&ir, output)? else {
            return Ok(None);
        };
        let targets = [
            (self.rust.as_deref(), &generated.rust),
            (self.ts.as_deref(), &generated.ts),
        ]
        .into_iter()
        .filter_map(|(dir, files)| Some((dir?, files)))
        .chain(rendered.iter().map(|(dir, files)| (dir.as_path(), files)));
        let mut report = GenReport::default();
        for (dir, files) in targets {
            for file in files {
                let path = dir.join(&file.path);
                let current = std::fs::read(&path).ok();
                if current.as_deref() == Some(file.contents.as_bytes()) {
                    report.unchanged += 1;
                } else if check_only {
                    report.stale.push(path);
                } else {
                    write_file(&path, &file.contents)?;
                    report.written.push(path);
                }
            }
        }
        Ok(Some(report))
    }
}

/// The files one template folder renders, and the folder they go to.
type RenderedTemplates = (PathBuf, Vec<ipcc::GeneratedFile>);

impl GenPlan {
    /// Reads and renders every template folder: the files of each output folder, or `None`
    /// when a template has errors (printed; nothing is written then).
    fn render_templates(
        &self,
        ir: &ipcc::ir::Ir,
        output: Output,
    ) -> Result<Option<Vec<RenderedTemplates>>, UsageError> {
        let mut rendered = Vec::with_capacity(self.templates.len());
        let mut failed = false;
        for target in &self.templates {
            let dir = TemplateDir::read(&target.dir).map_err(|e| UsageError::new(e.to_string()))?;
            match dir.render(ir) {
                Ok(files) => rendered.push((target.out.clone(), files)),
                Err(errors) => {
                    eprint!("{}", errors.render(output.color));
                    failed = true;
                }
            }
        }
        Ok((!failed).then_some(rendered))
    }
}

impl GenReport {
    /// The status line: `generated 12 files in 41 ms: 2 written, 10 unchanged`.
    pub fn status(&self, started: Instant) -> String {
        let total = self.written.len() + self.unchanged + self.stale.len();
        format!(
            "generated {} in {}: {} written, {} unchanged",
            plural(total, "file"),
            elapsed(started),
            self.written.len(),
            self.unchanged
        )
    }
}

pub fn run_gen(args: &GenArgs, output: Output) -> Result<ExitCode, UsageError> {
    let started = Instant::now();
    let plan = GenPlan::from_args(args)?;
    let Some(report) = plan.run(output, args.check)? else {
        return Ok(ExitCode::from(1));
    };
    if report.stale.is_empty() {
        if !output.quiet {
            if args.check {
                eprintln!(
                    "checked {} in {}: all up to date",
                    plural(report.unchanged, "generated file"),
                    elapsed(started)
                );
            } else {
                eprintln!("{}", report.status(started));
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    for path in &report.stale {
        eprintln!("out of date: {}", path.display());
    }
    eprintln!(
        "error: {} generated file{} out of date; run `ipcc gen` without `--check` to update",
        report.stale.len(),
        if report.stale.len() == 1 {
            " is"
        } else {
            "s are"
        }
    );
    Ok(ExitCode::from(1))
}

fn write_file(path: &Path, contents: &str) -> Result<(), UsageError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| {
            UsageError::new(format!(
                "cannot create directory `{}`: {e}",
                parent.display()
            ))
        })?;
    }
    std::fs::write(path, contents)
        .map_err(|e| UsageError::new(format!("cannot write `{}`: {e}", path.display())))
}
