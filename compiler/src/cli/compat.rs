//! `ipcc compat`: two versions of a contract (two paths, or the working tree against a git
//! revision) checked, compared channel by channel, and reported.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use ipcc::compat::{self, CompatOptions, Deploy, Direction, GitLoader, Report};
use ipcc::{Checked, FsLoader, SourceLoader};

use crate::inputs::{find_project, no_inputs};
use crate::{Output, UsageError};

#[derive(Debug, Args)]
pub struct CompatArgs {
    /// Compare the files as they are at this git revision (old) with the working tree (new).
    /// Default: `[compat] against` of `ipcc.toml` when no paths are given.
    #[arg(long, value_name = "REV")]
    against: Option<String>,
    /// `human` (diagnostics on stderr, the list of changes on stdout) or `json` (everything on
    /// stdout, for tools).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Which side a deployment updates first: `any` (both directions are errors), `backend-first`
    /// (only an old frontend meets a new backend) or `frontend-first`. Default: `[compat]
    /// deploy` of `ipcc.toml`, else `any`.
    #[arg(long, value_name = "ORDER", value_parser = ["any", "backend-first", "frontend-first"])]
    deploy: Option<String>,
    /// `OLD NEW` (files or directories), or with `--against`, the files and directories to
    /// compare (default: the `inputs` of `ipcc.toml`).
    #[arg(value_name = "PATHS")]
    paths: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Human,
    Json,
}

pub fn run_compat(args: &CompatArgs, output: Output) -> Result<ExitCode, UsageError> {
    let project = find_project()?;
    let deploy_name = args
        .deploy
        .clone()
        .or_else(|| project.as_ref().and_then(|p| p.compat_deploy.clone()))
        .unwrap_or_else(|| "any".to_owned());
    let deploy = Deploy::parse(&deploy_name).ok_or_else(|| {
        UsageError::new(format!(
            "`deploy` is `{deploy_name}`: expected `any`, `backend-first` or `frontend-first`"
        ))
    })?;
    let against = args.against.clone().or_else(|| {
        if args.paths.is_empty() {
            project.as_ref().and_then(|p| p.compat_against.clone())
        } else {
            None
        }
    });
    let (old, new) = match against {
        Some(revision) => {
            let paths = if args.paths.is_empty() {
                project
                    .as_ref()
                    .map(|p| p.inputs.clone())
                    .ok_or_else(no_inputs)?
            } else {
                args.paths.clone()
            };
            let mut git = GitLoader::new(&revision)
                .map_err(|e| UsageError::new(format!("cannot read revision `{revision}`: {e}")))?;
            let mut old = ipcc::check_with(&paths, &mut git);
            old.sources.prefix_paths(&format!("{revision}:"));
            (old, ipcc::check_with(&paths, &mut FsLoader))
        }
        None => {
            let [old_path, new_path] = args.paths.as_slice() else {
                return Err(UsageError::new(
                    "pass `OLD NEW` (two files or directories), or `--against REV` (or set `[compat] against` in `ipcc.toml`)",
                ));
            };
            (
                check(std::slice::from_ref(old_path), &mut FsLoader),
                check(std::slice::from_ref(new_path), &mut FsLoader),
            )
        }
    };
    // Both versions must be valid contracts before they can be compared.
    let mut broken = false;
    for (which, checked) in [("old", &old), ("new", &new)] {
        if !checked.diagnostics.is_empty() && checked.has_errors() {
            eprint!(
                "{}",
                ipcc::diagnostics::render(&checked.diagnostics, &checked.sources, output.color)
            );
            eprintln!("error: the {which} version has errors; fix them to compare");
            broken = true;
        }
    }
    if broken {
        return Ok(ExitCode::from(1));
    }
    let report = compat::compare(&old, &new, &CompatOptions { deploy });
    match args.format {
        Format::Json => {
            let text = serde_json::to_string_pretty(&report.to_json())
                .map_err(|e| UsageError::new(format!("cannot serialize the report: {e}")))?;
            let mut stdout = std::io::stdout().lock();
            writeln!(stdout, "{text}")
                .and_then(|()| stdout.flush())
                .map_err(|e| UsageError::new(format!("cannot write to stdout: {e}")))?;
        }
        Format::Human => {
            eprint!("{}", report.render(output.color));
            if !output.quiet {
                print!("{}", listing(&report));
            }
        }
    }
    Ok(if report.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn check(roots: &[PathBuf], loader: &mut dyn SourceLoader) -> Checked {
    ipcc::check_with(roots, loader)
}

/// Every channel and change, one line each:
///
/// ```text
/// my-interface-v1.2: 2 changes
///   wire-breaking    field `age` of `Person` became required (old frontend → new backend)
///   compatible       method `ping` added
/// greeter-events-v1: unchanged
/// ```
fn listing(report: &Report) -> String {
    let mut out = String::new();
    for channel in &report.channels {
        let name = match (&channel.old_channel, &channel.new_channel) {
            (Some(old), Some(new)) if old != new => format!("{old} → {new}"),
            (_, Some(name)) | (Some(name), None) => name.clone(),
            (None, None) => continue,
        };
        let status = match channel.status {
            compat::ChannelStatus::Unchanged => "unchanged".to_owned(),
            compat::ChannelStatus::Added => "added".to_owned(),
            compat::ChannelStatus::Removed => "removed".to_owned(),
            compat::ChannelStatus::Renamed => format!("renamed, {}", count(channel.changes.len())),
            compat::ChannelStatus::Changed => count(channel.changes.len()),
        };
        out.push_str(&format!("{name}: {status}\n"));
        for change in &channel.changes {
            let classes = Direction::BOTH.map(|d| change.class(d));
            let worst = classes[0].max(classes[1]);
            let directions = if classes[0] == classes[1] {
                String::new()
            } else {
                let only: Vec<&str> = Direction::BOTH
                    .into_iter()
                    .filter(|&d| change.class(d) == worst)
                    .map(Direction::arrow)
                    .collect();
                format!(" ({})", only.join(", "))
            };
            out.push_str(&format!(
                "  {:<16} {}{directions}\n",
                worst.as_str(),
                change.summary
            ));
        }
    }
    out
}

fn count(changes: usize) -> String {
    format!("{changes} change{}", if changes == 1 { "" } else { "s" })
}
