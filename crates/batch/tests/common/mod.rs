//! Helpers shared by the batch tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use std::path::{Path, PathBuf};

use recist_batch::{BatchConfig, BatchReport, Input, run_batch};
use recist_rules::RuleSet;

/// A fresh, empty directory for one test, removed when the value is dropped (at the end of
/// the test, passed or failed), so that test runs leave nothing in the temporary directory.
/// It dereferences to its path, or to a path within it ([`TestDir::child`]).
pub struct TestDir {
    /// Removed on drop (empty once handed to a child).
    root: PathBuf,
    path: PathBuf,
}

impl TestDir {
    /// The same directory, kept as long as the value returned, which names `name` within it.
    pub fn child(mut self, name: &str) -> TestDir {
        let path = self.path.join(name);
        TestDir {
            root: std::mem::take(&mut self.root),
            path,
        }
    }
}

impl std::ops::Deref for TestDir {
    type Target = PathBuf;
    fn deref(&self) -> &PathBuf {
        &self.path
    }
}

impl AsRef<Path> for TestDir {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

impl Drop for TestDir {
    fn drop(&mut self) {
        if !self.root.as_os_str().is_empty() {
            let _ = std::fs::remove_dir_all(&self.root);
        }
    }
}

/// A fresh, empty directory for one test (see [`TestDir`]).
pub fn tmp(name: &str) -> TestDir {
    let dir = std::env::temp_dir().join(format!("recist-batch-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    TestDir {
        root: dir.clone(),
        path: dir,
    }
}

/// Writes `dir/file`: the header line, then the rows; returns its path.
pub fn write_csv(dir: &Path, file: &str, header: &str, rows: &[&str]) -> PathBuf {
    let mut text = vec![header];
    text.extend(rows);
    let path = dir.join(file);
    std::fs::write(&path, text.join("\n") + "\n").unwrap();
    path
}

/// The repository's `fixtures/sdtm`.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/sdtm")
}

pub fn recist() -> RuleSet {
    RuleSet::bundled("recist-1.1").unwrap()
}

/// A configuration over TU/TR (and DM) with the defaults and a fixed command.
pub fn sdtm_config(tu: &Path, tr: &Path, dm: Option<&Path>, out: &Path) -> BatchConfig {
    let mut cfg = BatchConfig::new(
        Input::Sdtm {
            tu: tu.to_path_buf(),
            tr: tr.to_path_buf(),
            dm: dm.map(Path::to_path_buf),
        },
        vec![recist()],
        out.to_path_buf(),
    )
    .unwrap();
    cfg.command = "recist batch (test)".into();
    cfg
}

/// [`sdtm_config`] over a study directory's `TU.csv`, `TR.csv` and `DM.csv`.
pub fn study_config(dir: &Path, out: &Path) -> BatchConfig {
    sdtm_config(
        &dir.join("TU.csv"),
        &dir.join("TR.csv"),
        Some(&dir.join("DM.csv")),
        out,
    )
}

pub fn run(cfg: &BatchConfig) -> BatchReport {
    run_batch(cfg).unwrap()
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn summary(out: &Path) -> serde_json::Value {
    serde_json::from_str(&read(&out.join("summary.json"))).unwrap()
}

pub fn errors(out: &Path) -> Vec<serde_json::Value> {
    read(&out.join("errors.jsonl"))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Asserts every count of the summary reconciles.
pub fn assert_reconciles(s: &serde_json::Value) {
    for domain in ["TU", "TR"] {
        let r = &s["rows"][domain];
        let (read, used, refused, inr) = (
            r["read"].as_u64().unwrap(),
            r["used"].as_u64().unwrap(),
            r["refused"].as_u64().unwrap(),
            r["in_refused_subjects"].as_u64().unwrap(),
        );
        assert_eq!(read, used + refused + inr, "{domain} rows: {r}");
    }
    let n = |v: &serde_json::Value| v.as_u64().unwrap();
    let dm = &s["rows"]["DM"];
    assert_eq!(
        n(&dm["read"]),
        n(&dm["used"])
            + n(&dm["refused"])
            + n(&dm["in_refused_subjects"])
            + n(&dm["in_subjects_without_tumour_data"]),
        "DM rows: {dm}"
    );
    let rs = &s["rows"]["RS_recorded"];
    assert_eq!(
        n(&rs["read"]),
        n(&rs["used"])
            + n(&rs["refused"])
            + n(&rs["tests_not_compared"])
            + n(&rs["other_category"]),
        "recorded RS rows: {rs}"
    );
    let u = &s["subject_evaluators"];
    assert_eq!(
        u["seen"].as_u64().unwrap(),
        u["adjudicated"].as_u64().unwrap() + u["refused"].as_u64().unwrap(),
        "{u}"
    );
    assert_eq!(
        u["refused"].as_u64().unwrap(),
        u["refused_while_reading"].as_u64().unwrap() + u["refused_by_engine"].as_u64().unwrap(),
        "{u}"
    );
    let sub = &s["subjects"];
    assert_eq!(
        sub["seen"].as_u64().unwrap(),
        sub["adjudicated"].as_u64().unwrap() + sub["refused"].as_u64().unwrap(),
        "{sub}"
    );
    for r in s["rule_sets"].as_array().unwrap() {
        let e = &r["subject_evaluators"];
        assert_eq!(
            e["adjudicated"].as_u64().unwrap() + e["refused"].as_u64().unwrap(),
            u["seen"].as_u64().unwrap(),
            "{r}"
        );
    }
    assert_eq!(s["reconciliation"]["all"], true, "{}", s["reconciliation"]);
}

/// TU columns of the tests that write their rows inline.
pub const TU_HEADER: &str =
    "STUDYID,DOMAIN,USUBJID,TULNKID,TUTESTCD,TUORRES,TUSTRESC,TULOC,VISITNUM,VISIT,TUDTC";
/// TR columns of the tests that write their rows inline.
pub const TR_HEADER: &str = "STUDYID,DOMAIN,USUBJID,TRGRPID,TRLNKID,TRTESTCD,TRORRES,TRORRESU,TRSTRESC,TRSTRESN,TRSTRESU,TRSTAT,VISITNUM,VISIT,TRDTC";

/// `(VISIT, value)` of each rs.csv row of a subject and test, in file order.
pub fn rs_values(rs: &str, subject: &str, test: &str) -> Vec<(String, String)> {
    rs.lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|f| f[2] == subject && f[4] == test)
        .map(|f| (f[11].to_string(), f[8].to_string()))
        .collect()
}

/// Owned pairs, to compare with [`rs_values`].
pub fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}
