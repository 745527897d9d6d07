//! Overall-response decision tables, compiled from rows and checked for exact coverage.

use std::collections::BTreeMap;

use recist_model::{NewLesions, NonTargetResponse, OverallResponse, TargetResponse};

use crate::doc::{Cell, TableRow};
use crate::error::Problem;

/// The non-target column of a table: a response, or `none` when the scope has no non-target.
pub type NonTargetColumn = Option<NonTargetResponse>;

/// A decision: the overall response and the rule row that gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Overall response.
    pub overall: OverallResponse,
    /// Rule ID of the row.
    pub rule: String,
    /// Further rule IDs the row applies.
    pub also: Vec<String>,
    /// Index of the row in the table, for explanations.
    pub row: usize,
}

/// A compiled decision table: every combination maps to exactly one row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DecisionTable {
    cells: BTreeMap<(Option<TargetResponse>, NonTargetColumn, NewLesions), Decision>,
}

impl DecisionTable {
    /// Looks a combination up; every combination of the table's domain is present.
    pub fn decide(
        &self,
        target: Option<TargetResponse>,
        non_target: NonTargetColumn,
        new_lesions: NewLesions,
    ) -> Option<&Decision> {
        self.cells.get(&(target, non_target, new_lesions))
    }

    /// Compiles rows, reporting unknown values, gaps and overlaps under `path`.
    pub(crate) fn compile(
        rows: &[TableRow],
        with_targets: bool,
        path: &str,
        problems: &mut Vec<Problem>,
    ) -> DecisionTable {
        let target_domain: Vec<Option<TargetResponse>> = if with_targets {
            TargetResponse::ALL.iter().copied().map(Some).collect()
        } else {
            vec![None]
        };
        let mut nt_domain: Vec<NonTargetColumn> =
            NonTargetResponse::ALL.iter().copied().map(Some).collect();
        if with_targets {
            nt_domain.push(None);
        }
        let mut table = DecisionTable::default();
        let mut seen: BTreeMap<(Option<TargetResponse>, NonTargetColumn, NewLesions), usize> =
            BTreeMap::new();
        for (i, row) in rows.iter().enumerate() {
            let row_path = format!("{path}[{i}]");
            let mut problem = |key: &str, message: String| {
                let path = if key.is_empty() {
                    row_path.clone()
                } else {
                    format!("{row_path}.{key}")
                };
                problems.push(Problem {
                    path,
                    line: None,
                    message,
                });
            };
            let targets: Vec<Option<TargetResponse>> = match (&row.target, with_targets) {
                (None, false) => vec![None],
                (Some(_), false) => {
                    problem(
                        "target",
                        "the non-target-only table has no target column".into(),
                    );
                    continue;
                }
                (None, true) => {
                    problem("target", "missing target column".into());
                    continue;
                }
                (Some(cell), true) => {
                    match expand(cell, |s| TargetResponse::parse(s).map(Some), &target_domain) {
                        Ok(v) => v,
                        Err(bad) => {
                            problem(
                                "target",
                                format!(
                                    "unknown target response `{bad}` (expected CR, PR, SD, PD or NE in a list, or `any` alone)"
                                ),
                            );
                            continue;
                        }
                    }
                }
            };
            let parse_nt = |s: &str| {
                if s.eq_ignore_ascii_case("none") {
                    if with_targets { Some(None) } else { None }
                } else {
                    NonTargetResponse::parse(s).map(Some)
                }
            };
            let nts = match expand(&row.non_target, parse_nt, &nt_domain) {
                Ok(v) => v,
                Err(bad) => {
                    problem(
                        "non_target",
                        format!(
                            "unknown non-target response `{bad}` (expected CR, NON-CR/NON-PD, PD, NE{} in a list, or `any` alone)",
                            if with_targets { ", none" } else { "" }
                        ),
                    );
                    continue;
                }
            };
            let news = match expand(&row.new_lesions, NewLesions::parse, NewLesions::ALL) {
                Ok(v) => v,
                Err(bad) => {
                    problem(
                        "new_lesions",
                        format!(
                            "unknown new-lesion value `{bad}` (expected NO, EQUIVOCAL or YES in a list, or `any` alone)"
                        ),
                    );
                    continue;
                }
            };
            let Some(overall) = OverallResponse::parse(&row.overall) else {
                problem(
                    "overall",
                    format!("unknown overall response `{}`", row.overall),
                );
                continue;
            };
            if !with_targets && matches!(overall, OverallResponse::Pr | OverallResponse::Sd) {
                problem(
                    "overall",
                    format!(
                        "`{overall}` needs target lesions; the non-target-only table uses NON-CR/NON-PD"
                    ),
                );
            }
            if with_targets && overall == OverallResponse::NonCrNonPd {
                problem(
                    "overall",
                    "`NON-CR/NON-PD` is the stable category of non-target-only disease; with target lesions it is SD".into(),
                );
            }
            for (key, id) in std::iter::once(("rule".to_string(), &row.rule)).chain(
                row.also
                    .iter()
                    .enumerate()
                    .map(|(j, a)| (format!("also[{j}]"), a)),
            ) {
                if id.trim().is_empty() {
                    problem(&key, "rule ID is empty".into());
                }
            }
            // Overlaps, grouped by the earlier row they collide with.
            let mut overlaps: BTreeMap<usize, Vec<String>> = BTreeMap::new();
            for &t in &targets {
                for &nt in &nts {
                    for &new in &news {
                        let key = (t, nt, new);
                        if let Some(first) = seen.insert(key, i) {
                            overlaps
                                .entry(first)
                                .or_default()
                                .push(describe(key, with_targets));
                        }
                        let decision = Decision {
                            overall,
                            rule: row.rule.clone(),
                            also: row.also.clone(),
                            row: i,
                        };
                        table.cells.insert(key, decision);
                    }
                }
            }
            for (first, combos) in overlaps {
                let what = if combos.len() == 1 {
                    "a combination".to_string()
                } else {
                    format!("{} combinations", combos.len())
                };
                problem(
                    "",
                    format!(
                        "covers {what} already covered by row {first}: {}",
                        combos.join("; ")
                    ),
                );
            }
        }
        for &t in &target_domain {
            for &nt in &nt_domain {
                for &new in NewLesions::ALL {
                    if !seen.contains_key(&(t, nt, new)) {
                        problems.push(Problem {
                            path: path.to_string(),
                            line: None,
                            message: format!(
                                "no row covers {}",
                                describe((t, nt, new), with_targets)
                            ),
                        });
                    }
                }
            }
        }
        table
    }
}

fn describe(
    key: (Option<TargetResponse>, NonTargetColumn, NewLesions),
    with_targets: bool,
) -> String {
    let nt = key.1.map(|n| n.as_str()).unwrap_or("none");
    match (with_targets, key.0) {
        (true, Some(t)) => format!("target {t}, non-target {nt}, new lesions {}", key.2),
        _ => format!("non-target {nt}, new lesions {}", key.2),
    }
}

fn expand<T: Copy>(
    cell: &Cell,
    parse: impl Fn(&str) -> Option<T>,
    domain: &[T],
) -> Result<Vec<T>, String> {
    match cell {
        Cell::Any(_) => Ok(domain.to_vec()),
        Cell::Values(values) => values
            .iter()
            .map(|v| parse(v).ok_or_else(|| v.clone()))
            .collect(),
    }
}
