//! Running the `recist` binary as a user does, shared by the command-line tests.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// The repository's root, where the commands run.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `recist` with these arguments from the repository's root.
pub fn recist(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_recist"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("the recist binary runs")
}

/// Output bytes as text.
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Each line of a JSON Lines text, parsed.
pub fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}
