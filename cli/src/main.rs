//! `ratespec`: check vendors' rate-limit documents, print their endpoint table, resolve
//! requests to endpoints, and show what changed between two versions of a document.

mod embedded;
mod render;
mod route;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ratespec_parser::model::diff::diff;
use ratespec_parser::report::{self, EndpointRow};
use ratespec_parser::{Diagnostic, Load, Options};

const USAGE: &str = r#"usage:
  ratespec check [--include-commented] [--json] PATH...   documents or specs folders
  ratespec table [--include-commented] [--json]           the embedded specs/, as generated
  ratespec route [--include-commented] [METHOD TARGET]    the endpoint of a request; without
                                                          operands, one `METHOD TARGET` per
                                                          stdin line
  ratespec diff OLD NEW                                   what changed between two versions
                                                          (OLD is read with NEW's limits.toml entry)

check prints the endpoint table, or the diagnostics (exit status 1).
route answers one JSON object per request: {"provider", "endpoint", "path", "params"}, or
{"error": "not_found"} / {"error": "method_not_allowed", "allowed": [...]} (exit status 1
for a single request that is not found or not allowed).
--include-commented counts rows inside HTML comments; --json prints an array of objects."#;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// Flags and operands of one command line.
struct Command<'a> {
    name: &'a str,
    json: bool,
    include_commented: bool,
    operands: Vec<&'a str>,
}

fn parse(args: &[String]) -> Result<Command<'_>, String> {
    let (name, rest) = args.split_first().ok_or("no command given")?;
    let mut command = Command {
        name,
        json: false,
        include_commented: false,
        operands: Vec::new(),
    };
    for arg in rest {
        match arg.as_str() {
            "--json" => command.json = true,
            "--include-commented" => command.include_commented = true,
            flag if flag.starts_with("--") => return Err(format!("unknown option `{flag}`")),
            operand => command.operands.push(operand),
        }
    }
    Ok(command)
}

fn run(args: &[String]) -> Result<ExitCode, String> {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return Ok(ExitCode::SUCCESS);
    }
    let command = parse(args)?;
    let options = Options {
        include_commented: command.include_commented,
    };
    match command.name {
        "check" => {
            if command.operands.is_empty() {
                return Err("check needs at least one document or folder".into());
            }
            let paths: Vec<PathBuf> = command.operands.iter().map(PathBuf::from).collect();
            Ok(print_table(
                ratespec_parser::load(&paths, &options),
                command.json,
            ))
        }
        "table" => {
            if !command.operands.is_empty() {
                return Err("table takes no operands".into());
            }
            print_rows(&embedded::rows(command.include_commented), command.json);
            Ok(ExitCode::SUCCESS)
        }
        "route" => match command.operands[..] {
            [method, target] => {
                let resolved = embedded::resolve(method, target, command.include_commented);
                println!("{}", route::json(&resolved));
                Ok(match resolved {
                    embedded::Resolved::Found { .. } => ExitCode::SUCCESS,
                    _ => ExitCode::FAILURE,
                })
            }
            [] => route::lines(command.include_commented)
                .map(|()| ExitCode::SUCCESS)
                .map_err(|error| format!("reading stdin: {error}")),
            _ => Err("route needs METHOD TARGET, or no operands to read stdin".into()),
        },
        "diff" => {
            let [old, new] = command.operands[..] else {
                return Err("diff needs two documents: OLD NEW".into());
            };
            // The old version is read with the new one's limits.toml entry, wherever it is saved.
            let old = ratespec_parser::load_as(Path::new(old), Path::new(new), &options);
            let new = ratespec_parser::load(&[PathBuf::from(new)], &options);
            // What changed among the rows each version could read, then what could not be.
            let (Some(old_doc), Some(new_doc)) =
                (old.catalog.documents.first(), new.catalog.documents.first())
            else {
                report_diagnostics(&old.diagnostics, false);
                report_diagnostics(&new.diagnostics, false);
                return Err("diff needs two documents".into());
            };
            let changes = diff(old_doc, new_doc);
            if changes.is_empty() {
                println!("no changes");
            }
            for change in changes {
                println!("{change}");
            }
            let failed = report_diagnostics(&old.diagnostics, false)
                | report_diagnostics(&new.diagnostics, false);
            Ok(if failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        other => Err(format!("unknown command `{other}`")),
    }
}

/// Prints every endpoint read, then every diagnostic, then the summary; exit status 1 when
/// any diagnostic is an error. With `--json`, the rows are a JSON array on stdout and each
/// diagnostic is a JSON object on a line of stderr.
fn print_table(load: Load, json: bool) -> ExitCode {
    print_rows(&report::rows(&load.catalog), json);
    let failed = report_diagnostics(&load.diagnostics, json);
    if !json {
        println!("{}", report::Summary::of(&load));
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Prints rows as the aligned table or as a JSON array.
fn print_rows(rows: &[EndpointRow], json: bool) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(rows).expect("rows are plain data")
        );
    } else {
        print!("{}", render::table(rows));
        println!("{} endpoints", rows.len());
    }
}

/// Prints every diagnostic to stderr (as rustc does, or as JSON lines); true when any is an
/// error.
fn report_diagnostics(diagnostics: &[Diagnostic], json: bool) -> bool {
    for diagnostic in diagnostics {
        if json {
            let object = serde_json::json!({
                "file": diagnostic.file.display().to_string(),
                "line": diagnostic.at.line,
                "column": diagnostic.at.column,
                "severity": diagnostic.severity.as_str(),
                "message": diagnostic.message,
                "text": diagnostic.text,
                "help": diagnostic.help,
            });
            eprintln!("{object}");
        } else {
            eprintln!("{diagnostic}");
        }
    }
    diagnostics.iter().any(Diagnostic::is_error)
}
