//! The `recist` command line.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use recist::{RuleSet, SubjectResult};

/// Tumour response assessment (RECIST 1.1 and rule sets like it), with the criteria as data.
#[derive(Parser)]
#[command(name = "recist", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Rule-set selection shared by the commands that adjudicate.
#[derive(clap::Args, Clone)]
struct RuleArgs {
    /// Rule set: a bundled id (see `recist rules list`) or a path; repeat for several.
    #[arg(long = "rules", value_name = "ID|PATH", default_value = "recist-1.1")]
    rules: Vec<String>,
    /// Protocol file: YAML overrides of protocol parameters (e.g. `confirmation: {min_interval_days: 35}`).
    #[arg(long, value_name = "FILE")]
    protocol: Option<PathBuf>,
    /// Override one protocol parameter, e.g. `--set confirmation.min_interval_days=35`; repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
}

/// Where results go (results.md: "results to stdout or `--out`").
#[derive(clap::Args, Clone)]
struct OutArg {
    /// Write the results to this file (whole or not at all: written beside it, then renamed)
    /// instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

impl OutArg {
    /// Writes `text` to the file, or to stdout.
    fn emit(&self, text: &str) -> Result<(), String> {
        match &self.out {
            None => std::io::stdout()
                .lock()
                .write_all(text.as_bytes())
                .map_err(|e| format!("writing output: {e}")),
            Some(path) => {
                let mut tmp = path.clone().into_os_string();
                tmp.push(".partial");
                let tmp = PathBuf::from(tmp);
                std::fs::write(&tmp, text)
                    .and_then(|()| std::fs::rename(&tmp, path))
                    .map_err(|e| {
                        let _ = std::fs::remove_file(&tmp);
                        format!("{}: cannot write: {e}", path.display())
                    })
            }
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// A JSON array.
    Json,
    /// One JSON result per line.
    Jsonl,
}

#[derive(Subcommand)]
enum Command {
    /// Adjudicate case files (YAML, JSON or JSON Lines) and print the results.
    Assess {
        /// Case files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        rules: RuleArgs,
        /// Output format.
        #[arg(long, value_enum, default_value = "json")]
        format: Format,
        #[command(flatten)]
        out: OutArg,
    },
    /// Adjudicate and print a readable table per timepoint with every number and rule.
    Explain {
        /// Case file.
        file: PathBuf,
        #[command(flatten)]
        rules: RuleArgs,
        #[command(flatten)]
        out: OutArg,
    },
    /// Best overall response from responses recorded per visit (CSV or SDTM RS); one JSON line per subject.
    Bor {
        /// CSV with `subject,date,response[,reference_date]`, or an SDTM RS CSV.
        #[arg(long, value_name = "FILE")]
        responses: PathBuf,
        /// SDTM DM CSV giving each subject's reference date (`USUBJID`, `RFSTDTC`).
        #[arg(long, value_name = "FILE")]
        dm: Option<PathBuf>,
        #[command(flatten)]
        rules: RuleArgs,
        #[command(flatten)]
        out: OutArg,
    },
    /// Re-adjudicate SDTM TU/TR (or case files) in bulk: results, RS, errors and a summary in --out.
    Batch {
        #[command(flatten)]
        rules: RuleArgs,
        #[command(flatten)]
        args: recist_batch::cli::BatchArgs,
    },
    /// Compare the engine with recorded RS, or two rule sets or protocol settings, over the same data.
    Compare {
        #[command(flatten)]
        rules: RuleArgs,
        #[command(flatten)]
        args: recist_batch::cli::CompareArgs,
    },
    /// Write a synthetic SDTM study (TU, TR, DM, and RS with some discordance).
    Generate {
        #[command(flatten)]
        rules: RuleArgs,
        #[command(flatten)]
        args: recist_batch::cli::GenerateArgs,
    },
    /// Rule sets: list the bundled ones, check a file, print the format's JSON Schema.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
}

#[derive(Subcommand)]
enum RulesCommand {
    /// List the bundled rule sets.
    List,
    /// Validate a rule file (or bundled id) and print the effective rule set it loads to.
    Check {
        /// Rule file or bundled id.
        file: String,
        #[command(flatten)]
        overrides: OverrideArgs,
    },
    /// Print the JSON Schema of the rule-set format.
    Schema,
    /// List a rule set's parameters a protocol may change (`--all`: every key), with their
    /// values and meanings (docs/parameters.md says more).
    Params {
        /// Rule file or bundled id.
        #[arg(default_value = "recist-1.1")]
        file: String,
        /// Every key of the rule set, the fixed criteria too.
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        overrides: OverrideArgs,
    },
}

#[derive(clap::Args, Clone)]
struct OverrideArgs {
    /// Protocol file of overrides to apply before printing.
    #[arg(long, value_name = "FILE")]
    protocol: Option<PathBuf>,
    /// Override one protocol parameter; repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
}

impl OverrideArgs {
    /// The rule file or bundled id `file` with these overrides applied.
    fn load(self, file: String) -> Result<Vec<RuleSet>, String> {
        load_rules(&RuleArgs {
            rules: vec![file],
            protocol: self.protocol,
            set: self.set,
        })
    }
}

/// Exit status of `results.md`: 0 success, 1 some input refused, 2 usage or rule-set error.
const REFUSED: u8 = 1;
const USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { USAGE } else { 0 });
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(USAGE)
        }
    }
}

fn load_rules(args: &RuleArgs) -> Result<Vec<RuleSet>, String> {
    let sets = parse_sets(&args.set)?;
    let protocol = match &args.protocol {
        Some(p) => Some((
            std::fs::read_to_string(p).map_err(|e| format!("{}: cannot read: {e}", p.display()))?,
            p.display().to_string(),
        )),
        None => None,
    };
    let mut out = Vec::new();
    for id in &args.rules {
        let rules = RuleSet::resolve(id).map_err(|e| e.to_string())?;
        let rules = if sets.is_empty() && protocol.is_none() {
            rules
        } else {
            rules
                .with_overrides(
                    protocol.as_ref().map(|(t, n)| (t.as_str(), n.as_str())),
                    &sets,
                )
                .map_err(|e| e.to_string())?
        };
        // The same rule set twice would give every result twice, under one id.
        if let Some(first) = out.iter().find(|r: &&RuleSet| r.sha256() == rules.sha256()) {
            return Err(format!(
                "--rules `{id}` is the same rule set as `{}` given before ({} {}): name each rule set once",
                first.origin(),
                rules.doc().id,
                rules.doc().version
            ));
        }
        out.push(rules);
    }
    Ok(out)
}

fn parse_sets(sets: &[String]) -> Result<Vec<(String, String)>, String> {
    sets.iter()
        .map(|s| {
            s.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .ok_or_else(|| format!("--set `{s}`: expected KEY=VALUE"))
        })
        .collect()
}

/// Reads and adjudicates files; refused subjects are reported on stderr and counted.
///
/// Every file is read before any case is adjudicated: a subject × evaluator with cases in
/// several places (files or documents) is refused as a whole, with one error naming them all.
fn adjudicate(files: &[PathBuf], rule_sets: &[RuleSet]) -> (Vec<Vec<SubjectResult>>, usize) {
    let mut per_subject = Vec::new();
    let mut refused = 0;
    let mut keyed = Vec::new();
    for file in files {
        match recist::read_case_file_keyed(file) {
            Ok(c) => keyed.extend(c),
            Err(e) => {
                eprintln!("error: {e}");
                refused += 1;
            }
        }
    }
    for case in recist::refuse_duplicates(keyed) {
        let case = match case {
            Ok(c) => c,
            Err(e) => {
                eprintln!("error: {e}");
                refused += 1;
                continue;
            }
        };
        let mut results = Vec::new();
        for rules in rule_sets {
            match recist::assess_subject(rules, &case.subject) {
                Ok(mut r) => {
                    case.note_in(&mut r);
                    results.extend(r);
                }
                Err(e) => {
                    eprintln!(
                        "error: {}:{}: {} ({})",
                        case.file,
                        case.line,
                        e,
                        rules.doc().id
                    );
                    refused += 1;
                }
            }
        }
        per_subject.push(results);
    }
    (per_subject, refused)
}

fn run(cli: Cli) -> Result<u8, String> {
    let mut stdout = std::io::stdout().lock();
    let write = |out: &mut std::io::StdoutLock<'_>, text: &str| {
        out.write_all(text.as_bytes())
            .map_err(|e| format!("writing output: {e}"))
    };
    match cli.command {
        Command::Assess {
            files,
            rules,
            format,
            out,
        } => {
            let rule_sets = load_rules(&rules)?;
            let (per_subject, refused) = adjudicate(&files, &rule_sets);
            let results: Vec<SubjectResult> = per_subject.into_iter().flatten().collect();
            let text = match format {
                Format::Json => recist::to_json(&results),
                Format::Jsonl => recist::to_jsonl(&results),
            };
            out.emit(&text)?;
            Ok(if refused > 0 { REFUSED } else { 0 })
        }
        Command::Explain { file, rules, out } => {
            let rule_sets = load_rules(&rules)?;
            let (per_subject, refused) = adjudicate(std::slice::from_ref(&file), &rule_sets);
            let tables: Vec<String> = per_subject
                .iter()
                .filter(|r| !r.is_empty())
                .map(|r| recist::explain(r))
                .collect();
            out.emit(&tables.join("\n"))?;
            Ok(if refused > 0 { REFUSED } else { 0 })
        }
        Command::Bor {
            responses,
            dm,
            rules,
            out,
        } => {
            let mut text = String::new();
            let rule_sets = load_rules(&rules)?;
            let references = match dm {
                Some(dm) => recist::read_reference_dates(&dm).map_err(|e| e.to_string())?,
                None => Default::default(),
            };
            // iRECIST's words are read when a rule set derived has an `irecist` section,
            // under its RSCAT (matched per RSCAT, as the comparison does).
            let irecist: Vec<String> = rule_sets
                .iter()
                .filter(|r| r.doc().irecist.is_some())
                .map(|r| r.doc().rscat.clone())
                .collect();
            let recorded = recist::read_recorded_with(
                &responses,
                &references,
                (!irecist.is_empty()).then_some(irecist.as_slice()),
            )
            .map_err(|e| e.to_string())?;
            let mut refused = recorded.refused.len();
            for e in &recorded.refused {
                eprintln!("error: {e}");
            }
            for s in &recorded.subjects {
                let Some(reference) = s.reference_date else {
                    eprintln!(
                        "error: {}: subject `{}`: no reference date for the SD minimum (add a reference_date column, or --dm with RFSTDTC)",
                        responses.display(),
                        s.subject
                    );
                    refused += 1;
                    continue;
                };
                let visits: Vec<_> = s.visits.iter().map(|&(d, r, _)| (d, r)).collect();
                for rules in &rule_sets {
                    // iRECIST's words are not RECIST 1.1's or mRECIST's: refused under them.
                    if rules.doc().irecist.is_none() {
                        let errors =
                            s.irecist_refusals(&responses.display().to_string(), &rules.doc().id);
                        if !errors.is_empty() {
                            for e in &errors {
                                eprintln!("error: {e}");
                            }
                            refused += errors.len();
                            continue;
                        }
                    }
                    let (best, warnings) = recist::derive_best_recorded_with(
                        rules,
                        &visits,
                        reference,
                        s.non_target_only,
                        &s.target_cr_non_target_ne,
                    );
                    let line = serde_json::json!({
                        "subject": s.subject,
                        "evaluator": s.evaluator,
                        "category": s.category,
                        "rule_set": {
                            "id": rules.doc().id,
                            "version": rules.doc().version,
                            "sha256": rules.sha256(),
                            "overrides": rules.overrides(),
                        },
                        "reference_date": reference,
                        "best_overall_response": best.unconfirmed,
                        "confirmed_best_overall_response": best.confirmed,
                        "response_dates": {
                            "first_response": best.first_response_date,
                            "confirmed_response": best.confirmed_response_date,
                            "confirmation": best.confirmation_date,
                        },
                        "best_response_reasons": best.explanations,
                        "warnings": warnings,
                    });
                    text.push_str(&format!("{line}\n"));
                }
            }
            out.emit(&text)?;
            Ok(if refused > 0 { REFUSED } else { 0 })
        }
        Command::Batch { rules, args } => recist_batch::cli::batch(&args, load_rules(&rules)?),
        Command::Compare { rules, args } => {
            let against = match args.against(&rules.rules, rules.protocol.as_ref(), &rules.set) {
                Some((rules, protocol, set)) => load_rules(&RuleArgs {
                    rules,
                    protocol,
                    set,
                })?,
                None => Vec::new(),
            };
            recist_batch::cli::compare(&args, load_rules(&rules)?, against)
        }
        Command::Generate { rules, args } => {
            recist_batch::cli::generate(&args, load_rules(&rules)?)
        }
        Command::Rules {
            command: RulesCommand::List,
        } => {
            for (id, version, title) in recist::bundled_ids() {
                write(&mut stdout, &format!("{id:<14}{version:<9}{title}\n"))?;
            }
            Ok(0)
        }
        Command::Rules {
            command: RulesCommand::Check { file, overrides },
        } => {
            let rules = overrides.load(file)?;
            for r in rules {
                let mut text = format!(
                    "ok: {} {} from {}\nsha256: {}\n",
                    r.doc().id,
                    r.doc().version,
                    r.origin(),
                    r.sha256()
                );
                if let Some(base) = &r.doc().extends {
                    text.push_str(&format!(
                        "extends: {base} (every key below is the effective value)\n"
                    ));
                }
                for o in r.overrides() {
                    text.push_str(&format!(
                        "override: {} = {} ({})\n",
                        o.key, o.value, o.origin
                    ));
                }
                text.push_str("effective rule set:\n");
                text.push_str(&r.effective_json());
                text.push('\n');
                write(&mut stdout, &text)?;
            }
            Ok(0)
        }
        Command::Rules {
            command:
                RulesCommand::Params {
                    file,
                    all,
                    overrides,
                },
        } => {
            let rules = overrides.load(file)?;
            for r in rules {
                let params: Vec<_> = r
                    .parameters()
                    .into_iter()
                    .filter(|p| all || p.protocol)
                    .collect();
                let values: Vec<String> = params
                    .iter()
                    .map(|p| p.value.as_ref().map_or_else(|| "—".into(), param_value))
                    .collect();
                let key_width = params.iter().map(|p| p.key.len()).max().unwrap_or(0);
                let value_width = values.iter().map(|v| v.chars().count()).max().unwrap_or(0);
                let mut text = format!("{} {}\n", r.doc().id, r.doc().version);
                for (p, value) in params.iter().zip(&values) {
                    let change = if p.protocol { "protocol" } else { "fixed" };
                    let pad = value_width.saturating_sub(value.chars().count());
                    text.push_str(&format!(
                        "{:<key_width$}  {value}{:pad$}  {change:<8}  {}\n",
                        p.key, "", p.meaning
                    ));
                }
                write(&mut stdout, &text)?;
            }
            Ok(0)
        }
        Command::Rules {
            command: RulesCommand::Schema,
        } => {
            write(&mut stdout, &recist::json_schema())?;
            Ok(0)
        }
    }
}

/// A parameter's value on one line: a scalar or a list of scalars as YAML would write it, a
/// list of entries or a map by its size.
fn param_value(value: &serde_json::Value) -> String {
    use serde_json::Value;
    fn scalar(v: &Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(match n.as_f64() {
                Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 1e15 => {
                    format!("{}", f as i64)
                }
                _ => n.to_string(),
            }),
            Value::Bool(_) | Value::Null => Some(v.to_string()),
            Value::Array(_) | Value::Object(_) => None,
        }
    }
    match value {
        // A long list (the organs) by its size too, so that the columns stay narrow.
        Value::Array(items) => match items.iter().map(scalar).collect::<Option<Vec<_>>>() {
            Some(words) if words.iter().map(|w| w.len() + 2).sum::<usize>() <= 48 => {
                format!("[{}]", words.join(", "))
            }
            _ => format!("{} entries", items.len()),
        },
        Value::Object(map) => format!("{} entries", map.len()),
        v => scalar(v).unwrap_or_default(),
    }
}
