//! The `recist batch`, `recist compare` and `recist generate` subcommands: their arguments
//! (flattened into the CLI's own parser) and what each runs. Rule sets are loaded by the CLI
//! (its `--rules`, `--protocol`, `--set`) and passed in.

use std::path::{Path, PathBuf};
use std::time::Instant;

use recist_rules::RuleSet;
use recist_sdtm::generate::{GenerateOptions, generate as generate_study};
use recist_sdtm::{Mapping, PartialDates, parse_only};

use crate::{BatchConfig, Input, ProgressMode, run_batch, run_warnings};

/// Partial dates, as `--partial-dates` takes them.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum PartialArg {
    /// Refuse the record (default).
    Refuse,
    /// Impute the first day of the period.
    First,
    /// Impute the last day of the period.
    Last,
}

/// Progress display, as `--progress` takes it.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ProgressArg {
    /// A bar on a terminal, plain lines every ten seconds otherwise.
    Auto,
    /// Always a bar.
    Bar,
    /// Plain lines.
    Plain,
    /// Nothing.
    Off,
}

/// Arguments of `recist batch`.
#[derive(Debug, Clone, clap::Args)]
pub struct BatchArgs {
    /// SDTM TU (tumour identification) CSV.
    #[arg(long, value_name = "TU.csv", requires = "tr")]
    pub tu: Option<PathBuf>,
    /// SDTM TR (tumour results) CSV.
    #[arg(long, value_name = "TR.csv", requires = "tu")]
    pub tr: Option<PathBuf>,
    /// SDTM DM CSV: each subject's reference date (RFSTDTC, or the mapping's reference_date).
    #[arg(long, value_name = "DM.csv")]
    pub dm: Option<PathBuf>,
    /// Case files instead of SDTM: a directory (*.yaml, *.json, *.jsonl) or one file.
    #[arg(long, value_name = "DIR|FILE", conflicts_with_all = ["tu", "tr", "dm"], required_unless_present = "tu")]
    pub cases: Option<PathBuf>,
    /// Output directory (results.jsonl, rs.csv, errors.jsonl, summary.json, ...).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// A mapping file extending the bundled test-code and site mapping.
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    /// Partial dates (2014-03): refused, or imputed to the first or last day.
    #[arg(long, value_enum, default_value = "refuse")]
    pub partial_dates: PartialArg,
    /// Recorded RS to compare with the engine's responses (writes comparison.*, discordant.jsonl, unmatched.jsonl and date_mismatches.jsonl).
    #[arg(long, value_name = "RS.csv")]
    pub recorded: Option<PathBuf>,
    /// Worker threads (default: RAYON_NUM_THREADS, else one per core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Subjects adjudicated per parallel chunk.
    #[arg(long, value_name = "N", default_value_t = 1024)]
    pub chunk_subjects: usize,
    /// Largest unsorted input (rows of all files) read into memory; sorted input has no limit.
    #[arg(long, value_name = "ROWS", default_value_t = 5_000_000)]
    pub max_unsorted_rows: u64,
    /// Progress on standard error.
    #[arg(long, value_enum, default_value = "auto")]
    pub progress: ProgressArg,
    /// STUDYID written in rs.csv for case files.
    #[arg(long, value_name = "ID", default_value = "")]
    pub studyid: String,
    /// Write the prose explanation of every follow-up timepoint into results.jsonl (off by
    /// default: `reasons` and every number are written either way; on whenever comparing).
    #[arg(long)]
    pub explanations: bool,
    /// Read quoted CSV values over several lines as values (off: SDTM values are one line, so
    /// a quote left open refuses its line alone and the lines after it are read as rows).
    #[arg(long)]
    pub multiline_values: bool,
    /// Only parse TU and TR with the csv crate and report the speed (the benchmark's floor; `batch` only).
    #[arg(long)]
    pub parse_only: bool,
}

/// Arguments of `recist compare`.
#[derive(Debug, Clone, clap::Args)]
pub struct CompareArgs {
    #[command(flatten)]
    /// The data and outputs, as for `batch`.
    pub batch: BatchArgs,
    /// Compare with these rule sets instead of (or besides) recorded RS: one per `--rules`.
    #[arg(long = "against-rules", value_name = "ID|PATH")]
    pub against_rules: Vec<String>,
    /// Compare with the same rule sets under this protocol file (e.g. an amendment).
    #[arg(long = "against-protocol", value_name = "FILE")]
    pub against_protocol: Option<PathBuf>,
    /// Compare with the same rule sets with this parameter changed; repeatable.
    #[arg(long = "against-set", value_name = "KEY=VALUE")]
    pub against_set: Vec<String>,
}

/// The alternative rule-set selection of `recist compare`: rule ids, protocol, `--set`s.
pub type Against = (Vec<String>, Option<PathBuf>, Vec<String>);

impl CompareArgs {
    /// The rule sets to compare against, given the base selection: `--against-rules` (else the
    /// base ids), `--against-protocol` (else the base protocol), the base `--set`s followed by
    /// `--against-set`s. What the comparison is about wins: a base `--set` of a key that an
    /// `--against-set` or the `--against-protocol` file also sets is left out of the candidate
    /// (the base selection keeps it). `None` when no `--against-*` option is given.
    pub fn against(
        &self,
        base_rules: &[String],
        base_protocol: Option<&PathBuf>,
        base_set: &[String],
    ) -> Option<Against> {
        if self.against_rules.is_empty()
            && self.against_protocol.is_none()
            && self.against_set.is_empty()
        {
            return None;
        }
        let rules = if self.against_rules.is_empty() {
            base_rules.to_vec()
        } else {
            self.against_rules.clone()
        };
        let protocol = self
            .against_protocol
            .clone()
            .or_else(|| base_protocol.cloned());
        let key = |s: &String| {
            s.split_once('=')
                .map_or(s.trim(), |(k, _)| k.trim())
                .to_string()
        };
        let mut replaced: Vec<String> = self.against_set.iter().map(key).collect();
        if let Some(keys) = self
            .against_protocol
            .as_ref()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .and_then(|text| recist_rules::protocol_keys(&text))
        {
            replaced.extend(keys);
        }
        let mut set: Vec<String> = base_set
            .iter()
            .filter(|s| !replaced.contains(&key(s)))
            .cloned()
            .collect();
        set.extend(self.against_set.iter().cloned());
        Some((rules, protocol, set))
    }
}

/// Arguments of `recist generate`.
#[derive(Debug, Clone, clap::Args)]
pub struct GenerateArgs {
    /// Number of subjects.
    #[arg(long, value_name = "N")]
    pub subjects: u64,
    /// Seed: the same seed gives byte-identical files.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// Output directory (TU.csv, TR.csv, DM.csv, RS.csv).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Fraction of recorded timepoint responses that differ from the engine's.
    #[arg(long, value_name = "F", default_value_t = 0.03)]
    pub discordance: f64,
    /// Fraction of subjects also read by an independent assessor.
    #[arg(long, value_name = "F", default_value_t = 0.1)]
    pub independent: f64,
    /// STUDYID.
    #[arg(long, value_name = "ID", default_value = "RECIST-SYN")]
    pub study: String,
    /// mRECIST readings: liver lesions get a baseline pattern (mostly typical HCC), viable
    /// diameters (targets) and arterial enhancement (non-targets) under study test codes, and
    /// DIR gets a mapping.yaml naming them; use with `--rules mrecist`.
    #[arg(long)]
    pub mrecist: bool,
}

/// The command line as typed, quoted where a word needs it: a word that is not UTF-8 (a
/// path may hold any byte) in ANSI-C quotes with its bytes escaped (`$'a\xffb'`), so the
/// command stays exact and a shell reads it back, never a panic.
pub fn command_line() -> String {
    command_words(std::env::args_os())
}

/// [`command_line`] of the given words.
fn command_words(args: impl Iterator<Item = std::ffi::OsString>) -> String {
    args.map(|a| match a.into_string() {
        Ok(a) => shell_word(a),
        Err(raw) => ansi_c_word(raw.as_encoded_bytes()),
    })
    .collect::<Vec<_>>()
    .join(" ")
}

/// A UTF-8 word, single-quoted unless every character is plain.
fn shell_word(a: String) -> String {
    if !a.is_empty()
        && a.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@+".contains(c))
    {
        a
    } else {
        format!("'{}'", a.replace('\'', r"'\''"))
    }
}

/// A word of any bytes as `$'...'`: printable ASCII as is (`\\` and `\'` escaped), every
/// other byte as `\xNN`.
fn ansi_c_word(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() + 3);
    s.push_str("$'");
    for &b in bytes {
        match b {
            b'\\' => s.push_str("\\\\"),
            b'\'' => s.push_str("\\'"),
            0x20..=0x7e => s.push(char::from(b)),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s.push('\'');
    s
}

fn config(args: &BatchArgs, rule_sets: Vec<RuleSet>) -> Result<BatchConfig, String> {
    let input = match (&args.tu, &args.tr, &args.cases) {
        (Some(tu), Some(tr), None) => Input::Sdtm {
            tu: tu.clone(),
            tr: tr.clone(),
            dm: args.dm.clone(),
        },
        (None, None, Some(c)) => {
            // Unreadable input is a usage error (exit 2), as for --tu and --tr.
            let cases = std::fs::canonicalize(c)
                .map_err(|e| format!("--cases {}: cannot read: {e}", c.display()))?;
            // Outputs written among the cases would be read as cases by the next run.
            let out = std::fs::canonicalize(&args.out).unwrap_or_else(|_| {
                let parent = args.out.parent().filter(|p| !p.as_os_str().is_empty());
                let parent = parent.map_or_else(|| Path::new(".").to_path_buf(), Path::to_path_buf);
                std::fs::canonicalize(&parent)
                    .unwrap_or(parent)
                    .join(args.out.file_name().unwrap_or_default())
            });
            if cases.is_dir() && out.starts_with(&cases) {
                return Err(format!(
                    "--out {} is inside --cases {}: the outputs would be read as cases by the next run; write them elsewhere",
                    args.out.display(),
                    c.display()
                ));
            }
            Input::Cases(c.clone())
        }
        _ => return Err("give --tu and --tr, or --cases".into()),
    };
    let mut cfg =
        BatchConfig::new(input, rule_sets, args.out.clone()).map_err(|e| e.to_string())?;
    cfg.mapping = Mapping::load(args.mapping.as_deref()).map_err(|e| e.to_string())?;
    cfg.partial_dates = match args.partial_dates {
        PartialArg::Refuse => PartialDates::Refuse,
        PartialArg::First => PartialDates::First,
        PartialArg::Last => PartialDates::Last,
    };
    cfg.recorded = args.recorded.clone();
    cfg.threads = args.threads;
    cfg.chunk_subjects = args.chunk_subjects.max(1);
    cfg.max_unsorted_rows = args.max_unsorted_rows;
    cfg.progress = match args.progress {
        ProgressArg::Auto => ProgressMode::Auto,
        ProgressArg::Bar => ProgressMode::Bar,
        ProgressArg::Plain => ProgressMode::Plain,
        ProgressArg::Off => ProgressMode::Off,
    };
    cfg.command = command_line();
    cfg.studyid = args.studyid.clone();
    cfg.explanations = args.explanations;
    cfg.multiline_values = args.multiline_values;
    Ok(cfg)
}

fn run(cfg: &BatchConfig) -> Result<u8, String> {
    for w in run_warnings(cfg) {
        eprintln!("recist batch: warning: {w}");
    }
    let report = run_batch(cfg).map_err(|e| e.to_string())?;
    // The warnings known only after the run (after run_warnings' in summary.json).
    let before = run_warnings(cfg).len();
    if let Some(all) = report.summary["warnings"].as_array() {
        for w in all.iter().skip(before).filter_map(|w| w.as_str()) {
            eprintln!("recist batch: warning: {w}");
        }
    }
    let t = &report.tally;
    let rows = t.tr.read + t.tu.read;
    let secs = report.seconds.max(1e-9);
    eprintln!(
        "recist batch: {} subjects ({} subject × evaluator: {} adjudicated, {} refused), {} TU+TR rows, {} error lines; {:.2} s ({:.0} rows/s, {:.0} subjects/s); outputs in {}",
        t.subjects_seen,
        t.units_seen,
        t.units_adjudicated,
        t.units_refused,
        rows,
        report.errors,
        secs,
        rows as f64 / secs,
        t.subjects_seen as f64 / secs,
        cfg.out.display()
    );
    Ok(report.exit_code())
}

/// `recist batch`.
pub fn batch(args: &BatchArgs, rule_sets: Vec<RuleSet>) -> Result<u8, String> {
    if args.parse_only {
        let (Some(tu), Some(tr)) = (&args.tu, &args.tr) else {
            return Err("--parse-only reads --tu and --tr".into());
        };
        let start = Instant::now();
        let (tu_rows, _) = parse_only(tu).map_err(|e| e.to_string())?;
        let (tr_rows, fields) = parse_only(tr).map_err(|e| e.to_string())?;
        let secs = start.elapsed().as_secs_f64().max(1e-9);
        let rows = tu_rows + tr_rows;
        println!(
            "{}",
            serde_json::json!({
                "parse_only": true,
                "rows": rows,
                "tr_fields": fields,
                "seconds": (secs * 1000.0).round() / 1000.0,
                "rows_per_second": (rows as f64 / secs).round(),
            })
        );
        return Ok(0);
    }
    let cfg = config(args, rule_sets)?;
    run(&cfg)
}

/// `recist compare`: a batch with recorded RS and/or alternative rule sets to compare with;
/// prints the comparison report.
pub fn compare(
    args: &CompareArgs,
    rule_sets: Vec<RuleSet>,
    against: Vec<RuleSet>,
) -> Result<u8, String> {
    if args.batch.parse_only {
        return Err(
            "--parse-only measures reading alone: it is an option of `recist batch`".into(),
        );
    }
    if args.batch.recorded.is_none() && against.is_empty() {
        return Err(
            "compare with what? give --recorded RS.csv, or --against-rules/--against-protocol/--against-set"
                .into(),
        );
    }
    let mut cfg = config(&args.batch, rule_sets)?;
    cfg.against = against;
    let code = run(&cfg)?;
    let md = std::fs::read_to_string(cfg.out.join("comparison.md"))
        .map_err(|e| format!("{}: {e}", cfg.out.join("comparison.md").display()))?;
    print!("{md}");
    Ok(code)
}

/// `recist generate`: a synthetic study; RS is recorded under the first rule set.
pub fn generate(args: &GenerateArgs, rule_sets: Vec<RuleSet>) -> Result<u8, String> {
    let Some(rules) = rule_sets.first() else {
        return Err("no rule set".into());
    };
    if !(0.0..=1.0).contains(&args.discordance) || !(0.0..=1.0).contains(&args.independent) {
        return Err("--discordance and --independent are fractions between 0 and 1".into());
    }
    let opts = GenerateOptions {
        subjects: args.subjects,
        seed: args.seed,
        discordance: args.discordance,
        independent: args.independent,
        study: args.study.clone(),
        mrecist: args.mrecist,
    };
    if args.mrecist
        && !rules
            .doc()
            .measurement
            .selectors
            .iter()
            .any(|m| m.measure == recist_rules::Measure::Viable)
    {
        eprintln!(
            "recist generate: warning: --mrecist writes viable diameters, but RS is adjudicated under `{}`, which does not measure them: add `--rules mrecist`",
            rules.doc().id
        );
    }
    let start = Instant::now();
    let s = generate_study(&opts, rules, &args.out).map_err(|e| e.to_string())?;
    eprintln!(
        "recist generate: {} subjects ({} subject × evaluator), {} TU, {} TR, {} DM, {} RS rows ({} recorded differently from the engine) in {:.2} s",
        s.subjects,
        s.units,
        s.tu_rows,
        s.tr_rows,
        s.dm_rows,
        s.rs_rows,
        s.discordant,
        start.elapsed().as_secs_f64()
    );
    println!("{}", serde_json::to_string(&s).unwrap_or_default());
    Ok(0)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn args(against_set: &[&str], against_protocol: Option<PathBuf>) -> CompareArgs {
        use clap::Parser;
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            compare: CompareArgs,
        }
        let mut argv = vec![
            "x".to_string(),
            "--out".into(),
            "o".into(),
            "--cases".into(),
            "c".into(),
        ];
        for s in against_set {
            argv.extend(["--against-set".to_string(), s.to_string()]);
        }
        if let Some(p) = against_protocol {
            argv.extend(["--against-protocol".to_string(), p.display().to_string()]);
        }
        Cli::try_parse_from(argv).unwrap().compare
    }

    /// The amendment is what is compared: a base `--set` of a key the `--against-set`s or the
    /// `--against-protocol` file set again is left out of the candidate.
    #[test]
    fn the_candidate_takes_the_amendment_over_a_base_set_of_the_same_key() {
        let base = vec![
            "confirmation.min_interval_days=28".to_string(),
            "timepoint.pr_persistence=sticky".to_string(),
        ];
        let (_, _, set) = args(&["confirmation.min_interval_days=35"], None)
            .against(&["recist-1.1".into()], None, &base)
            .unwrap();
        assert_eq!(
            set,
            [
                "timepoint.pr_persistence=sticky",
                "confirmation.min_interval_days=35"
            ]
        );
        let tmp = tempfile::Builder::new()
            .prefix("recist-against-")
            .tempdir()
            .unwrap();
        let dir = tmp.path();
        let protocol = dir.join("amendment.yaml");
        std::fs::write(
            &protocol,
            "protocol: amendment 2\nconfirmation:\n  min_interval_days: 35\n",
        )
        .unwrap();
        let (_, p, set) = args(&[], Some(protocol.clone()))
            .against(&["recist-1.1".into()], None, &base)
            .unwrap();
        assert_eq!(p, Some(protocol));
        assert_eq!(set, ["timepoint.pr_persistence=sticky"]);
    }
}
