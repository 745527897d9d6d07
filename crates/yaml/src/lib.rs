//! The one place recist reads YAML.
//!
//! YAML goes through [`serde_saphyr`], a maintained, panic-free, pure-Rust implementation with
//! limits on size, depth and aliases (the design card's `serde_yaml` is archived and flagged
//! unmaintained, RUSTSEC-2024-0320). Text is first parsed into a [`serde_json::Value`] (so rule
//! sets can be merged and overridden), then typed with [`from_value`], which reports the key
//! path of any mismatch; [`locate`] turns that path back into a line of the source text.
//!
//! ```
//! use recist_yaml::{locate, parse_documents, PathSegment};
//! let text = "a: 1\nb:\n  - x: 1\n  - x: 2\n    y: [1, 2]\n";
//! let docs = parse_documents(text).unwrap();
//! assert_eq!(docs[0].value["b"][1]["x"], 2);
//! let path = [PathSegment::Key("b".into()), PathSegment::Index(1), PathSegment::Key("y".into())];
//! assert_eq!(locate(text, &path), Some(5));
//! ```

use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::Value;

/// A YAML text that could not be parsed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
pub struct YamlError {
    /// 1-based line in the whole text, where the parser gives one.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

/// One YAML document of a text, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The document's content.
    pub value: Value,
    /// 1-based line of the text where the document's content starts.
    pub first_line: usize,
    /// The document's own text (lines are relative to `first_line`).
    pub text: String,
}

/// One step of a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSegment {
    /// A mapping key.
    Key(String),
    /// A sequence index.
    Index(usize),
}

/// Renders a path as `a.b[2].c`.
pub fn display_path(path: &[PathSegment]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            PathSegment::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            PathSegment::Index(i) => {
                out.push_str(&format!("[{i}]"));
            }
        }
    }
    out
}

/// A typed value that did not fit: where, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeError {
    /// Key path of the offending value.
    pub path: Vec<PathSegment>,
    /// Message from the type.
    pub message: String,
}

impl fmt::Display for TypeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "`{}`: {}", display_path(&self.path), self.message)
        }
    }
}

fn options() -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    // `NO`, `YES`, `on` stay strings: response values such as `NO` must not become booleans.
    options.strict_booleans = true;
    options
}

/// The parser's error, its line, and its message in the user's terms: the parser's own
/// advice (options and functions of the YAML library) means nothing to someone writing a file.
fn yaml_error(e: &serde_saphyr::Error) -> YamlError {
    let message = e.without_snippet().to_string();
    let message = if let Some(rest) = message.strip_prefix("duplicate mapping key: ") {
        let (key, place) = rest
            .split_once(", set DuplicateKeyPolicy")
            .unwrap_or((rest, ""));
        let place = place.find(" at line").map_or("", |i| &place[i..]);
        format!("duplicate key `{key}`{place}")
    } else if let Some(rest) = message.strip_prefix("multiple YAML documents detected") {
        let place = rest.find(" at line").map_or("", |i| &rest[i..]);
        format!("a second YAML document starts here (a `---` line){place}: this file holds one")
    } else {
        message
    };
    YamlError {
        line: e.location().map(|l| l.line() as usize),
        message,
    }
}

/// Parses one YAML text into a value, with the parser's line on failure.
pub fn parse_value(text: &str) -> Result<Value, YamlError> {
    serde_saphyr::from_str_with_options::<Value>(text, options()).map_err(|e| yaml_error(&e))
}

/// Parses one YAML text straight into `T` (no [`Value`] built on the way): for reading a few
/// keys of a large document cheaply. Unknown keys are skipped as the type allows.
pub fn parse_as<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    serde_saphyr::from_str_with_options::<T>(text, options()).map_err(|e| yaml_error(&e))
}

/// Splits a text into its `---`-separated documents and parses each; the first syntax error
/// fails the whole text (see [`split_documents`] to keep the other documents).
///
/// Empty documents (a leading `---`, a trailing separator) are skipped.
pub fn parse_documents(text: &str) -> Result<Vec<Document>, YamlError> {
    split_documents(text).into_iter().collect()
}

/// Splits a text into its documents and parses each on its own, so a syntax error in one
/// document does not hide the others: each document is its own `Ok` or `Err`, and an error's
/// line (also in its message) counts from the start of the whole text.
///
/// Documents are split at document markers: a line that starts, at column 0, with `---` or
/// `...` followed by a space, a tab or the end of the line. YAML forbids such a line inside
/// any scalar (plain, quoted or block) and inside flow collections (`c-forbidden`), so the
/// split is always where a parser of the whole stream would end the document. Content after
/// `---` on the marker line (`--- {a: 1}`, `--- |`) stays in the document, in its column.
/// Directive lines (`%YAML`, `%TAG`) stay with the document they precede. Empty documents (a
/// leading `---`, a trailing separator, comments only) are skipped.
pub fn split_documents(text: &str) -> Vec<Result<Document, YamlError>> {
    let chunks = document_texts(text);
    let several = chunks.len() > 1;
    chunks
        .into_iter()
        .map(|(first_line, text)| parse_document(first_line, text, several))
        .collect()
}

/// Parses one document of [`document_texts`] (its first line, its text): an error's line (also
/// in its message) counts from the start of the whole text, and is the document's first line
/// when the parser gives none and the text holds `several` documents.
pub fn parse_document(
    first_line: usize,
    text: String,
    several: bool,
) -> Result<Document, YamlError> {
    parse_document_value(first_line, &text, several).map(|value| Document {
        value,
        first_line,
        text,
    })
}

/// [`parse_document`]'s value alone, the text borrowed (so a caller keeps it for an error).
pub fn parse_document_value(
    first_line: usize,
    text: &str,
    several: bool,
) -> Result<Value, YamlError> {
    parse_value(text).map_err(|e| {
        let offset = first_line - 1;
        YamlError {
            line: e.line.map(|l| l + offset).or(several.then_some(first_line)),
            message: shift_lines(&e.message, offset),
        }
    })
}

/// The documents of a text, split as [`split_documents`] splits them but not parsed: each
/// with its first line (counted from the start of the text).
pub fn document_texts(text: &str) -> Vec<(usize, String)> {
    let mut chunks: Vec<(usize, String)> = Vec::new();
    let mut current = String::new();
    let mut start_line = 1;
    // Whether `current` holds a content line (not blank, comment, directive or marker).
    let mut has_body = false;
    // Whether `current` holds directives, and then whether their `---` too.
    let mut directives = false;
    let mut directives_marked = false;
    for (i, line) in text.lines().enumerate() {
        let Some(rest) = document_marker(line) else {
            if !has_body && line.starts_with('%') {
                directives = true;
            } else if is_content(line) {
                has_body = true;
            }
            current.push_str(line);
            current.push('\n');
            continue;
        };
        if has_body {
            chunks.push((start_line, std::mem::take(&mut current)));
            has_body = false;
        } else if directives && !directives_marked {
            // `%YAML …` then its `---`: the parser reads them together.
            current.push_str(line);
            current.push('\n');
            directives_marked = true;
            has_body = rest.is_some();
            continue;
        }
        // A new document; what came before it was blank or comments only.
        current.clear();
        directives = false;
        directives_marked = false;
        match rest {
            None => start_line = i + 2,
            Some(content) => {
                // `--- content`: the content stays in the document, in its column.
                start_line = i + 1;
                current.push_str(&" ".repeat(line.len() - content.len()));
                current.push_str(content);
                current.push('\n');
                has_body = true;
            }
        }
    }
    if has_body {
        chunks.push((start_line, current));
    }
    chunks
}

/// A document marker line: `Some(None)` for `---` or `...` alone (or with a comment),
/// `Some(Some(rest))` for `---` followed by content, `None` for any other line.
fn document_marker(line: &str) -> Option<Option<&str>> {
    let (is_start, rest) = if let Some(rest) = line.strip_prefix("---") {
        (true, rest)
    } else if let Some(rest) = line.strip_prefix("...") {
        (false, rest)
    } else {
        return None;
    };
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    let content = rest.trim_start_matches([' ', '\t']);
    if content.is_empty() || content.starts_with('#') {
        Some(None)
    } else if is_start {
        Some(Some(content))
    } else {
        // Content after `...` is not YAML: leave the line to the parser, which says so.
        None
    }
}

fn is_content(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && !t.starts_with('#')
}

/// Adds `offset` to every `line N` of a parser message (its lines count from the start of
/// the document, the caller's from the start of the text).
fn shift_lines(message: &str, offset: usize) -> String {
    if offset == 0 {
        return message.to_string();
    }
    let mut out = String::with_capacity(message.len() + 4);
    let mut rest = message;
    while let Some(at) = rest.find("line ") {
        let (before, after) = rest.split_at(at + "line ".len());
        out.push_str(before);
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        match after[..digits].parse::<usize>() {
            Ok(n) if digits > 0 => out.push_str(&(n + offset).to_string()),
            _ => out.push_str(&after[..digits]),
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

/// Types a value, reporting the key path of the first mismatch.
///
/// Where the offending value is a scalar the type's message does not already quote (a date
/// such as `2021-13-04` gives only "input is out of range"), the message names it.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, TypeError> {
    serde_path_to_error::deserialize(&value).map_err(|e| {
        let path: Vec<PathSegment> = e
            .path()
            .iter()
            .filter_map(|seg| match seg {
                serde_path_to_error::Segment::Map { key } => Some(PathSegment::Key(key.clone())),
                serde_path_to_error::Segment::Seq { index } => Some(PathSegment::Index(*index)),
                serde_path_to_error::Segment::Enum { .. }
                | serde_path_to_error::Segment::Unknown => None,
            })
            .collect();
        let mut message = e.into_inner().to_string();
        if let Some(shown) = scalar_at(&value, &path)
            && !message.contains(&shown)
        {
            message.push_str(&format!(" (the value is `{shown}`)"));
        }
        TypeError { path, message }
    })
}

/// The scalar at a key path of a value, as written (strings without quotes); `None` for a
/// mapping, a sequence, null or a path that leads nowhere.
fn scalar_at(value: &Value, path: &[PathSegment]) -> Option<String> {
    let mut at = value;
    for seg in path {
        at = match seg {
            PathSegment::Key(k) => at.get(k)?,
            PathSegment::Index(i) => at.get(i)?,
        };
    }
    match at {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// Finds the 1-based line of a key path in a block-style YAML text.
///
/// Best effort: it follows block mappings and sequences by indentation; where a value is
/// written inline (`{…}` or `[…]`), the line of the deepest key found is returned.
pub fn locate(text: &str, path: &[PathSegment]) -> Option<usize> {
    // JSON (a rule set saved from `rules check`, say) is YAML too, but its keys do not sit at
    // block indentation: follow its tokens instead.
    if text.trim_start().starts_with(['{', '[']) {
        return locate_json(text, path);
    }
    let lines: Vec<&str> = text.lines().collect();
    // A block is a range of lines plus the column its entries start at; `first_offset`
    // handles a sequence item whose first key sits on the dash line.
    let mut start = 0usize;
    let mut end = lines.len();
    let mut found: Option<usize> = None;
    let mut column: Option<usize> = None;
    for seg in path {
        let col = match column {
            Some(c) => c,
            None => match (start..end).find_map(|i| content_column(lines[i])) {
                Some(c) => c,
                None => return found.map(|l| l + 1),
            },
        };
        match seg {
            PathSegment::Key(key) => {
                let hit = (start..end).find(|&i| {
                    effective(lines[i]).is_some_and(|(c, rest)| c == col && key_matches(rest, key))
                });
                let Some(line) = hit else {
                    return found.map(|l| l + 1);
                };
                found = Some(line);
                let block_end = (line + 1..end)
                    .find(|&i| effective(lines[i]).is_some_and(|(c, _)| c <= col))
                    .unwrap_or(end);
                // A sequence written at the same indent as its key belongs to the key.
                let block_end = if block_end < end
                    && lines[block_end].trim_start().starts_with("- ")
                    && raw_indent(lines[block_end]) == col
                {
                    (block_end..end)
                        .find(|&i| {
                            effective(lines[i]).is_some_and(|(c, _)| c <= col)
                                && !(raw_indent(lines[i]) == col
                                    && lines[i].trim_start().starts_with("- "))
                        })
                        .unwrap_or(end)
                } else {
                    block_end
                };
                start = line + 1;
                end = block_end;
                column = None;
            }
            PathSegment::Index(index) => {
                let dashes: Vec<usize> = (start..end)
                    .filter(|&i| raw_indent(lines[i]) == col && is_dash(lines[i]))
                    .collect();
                let Some(&line) = dashes.get(*index) else {
                    return found.map(|l| l + 1);
                };
                found = Some(line);
                let item_end = dashes.get(index + 1).copied().unwrap_or(end);
                start = line;
                end = item_end;
                column = Some(col + 2);
            }
        }
    }
    found.map(|l| l + 1)
}

fn raw_indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_dash(line: &str) -> bool {
    let t = line.trim_start_matches(' ');
    t == "-" || t.starts_with("- ")
}

/// The column where a line's content starts once leading `- ` markers are read as indentation.
fn effective(line: &str) -> Option<(usize, &str)> {
    let mut col = 0;
    let mut rest = line;
    loop {
        let spaces = rest.len() - rest.trim_start_matches(' ').len();
        col += spaces;
        rest = &rest[spaces..];
        if rest.starts_with("- ") {
            col += 2;
            rest = &rest[2..];
        } else {
            break;
        }
    }
    if rest.is_empty() || rest.starts_with('#') || rest == "-" {
        None
    } else {
        Some((col, rest))
    }
}

/// [`locate`] in JSON text: the line where the value at `path` starts, or the deepest part
/// of the path found. Best effort on text that parsed (strings, escapes, nesting).
fn locate_json(text: &str, path: &[PathSegment]) -> Option<usize> {
    /// Where the scan is: inside an object (the key just read) or an array (the index).
    enum Frame {
        Object(Option<String>),
        Array(usize),
    }
    let bytes = text.as_bytes();
    let mut line = 1usize;
    let mut stack: Vec<Frame> = Vec::new();
    let mut best: Option<(usize, usize)> = None; // (matched depth, line)
    // How many segments of `path` the current position matches.
    let matched = |stack: &[Frame]| -> usize {
        let mut n = 0;
        for (frame, seg) in stack.iter().zip(path) {
            let same = match (frame, seg) {
                (Frame::Object(Some(k)), PathSegment::Key(want)) => k == want,
                (Frame::Array(i), PathSegment::Index(want)) => i == want,
                _ => false,
            };
            if !same {
                break;
            }
            n += 1;
        }
        n
    };
    let mut i = 0;
    // A value starts here: record its line if the path so far matches.
    let value_at = |stack: &[Frame], line: usize, best: &mut Option<(usize, usize)>| {
        let depth = matched(stack);
        if depth == stack.len() && best.is_none_or(|(d, _)| depth > d) {
            *best = Some((depth, line));
        }
    };
    let mut expecting_key = false;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\n' => line += 1,
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while let Some(&c) = bytes.get(j) {
                    match c {
                        b'\\' => j += 2,
                        b'"' => break,
                        b'\n' => {
                            line += 1;
                            j += 1;
                        }
                        _ => j += 1,
                    }
                }
                let word = text.get(start..j.min(text.len())).unwrap_or("");
                if expecting_key {
                    if let Some(Frame::Object(key)) = stack.last_mut() {
                        *key = Some(word.replace("\\\"", "\""));
                    }
                    expecting_key = false;
                } else {
                    value_at(&stack, line, &mut best);
                }
                i = j;
            }
            b'{' => {
                value_at(&stack, line, &mut best);
                stack.push(Frame::Object(None));
                expecting_key = true;
            }
            b'[' => {
                value_at(&stack, line, &mut best);
                stack.push(Frame::Array(0));
            }
            b'}' | b']' => {
                stack.pop();
                expecting_key = false;
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array(n)) => *n += 1,
                Some(Frame::Object(_)) => expecting_key = true,
                None => {}
            },
            b':' | b' ' | b'\t' | b'\r' => {}
            _ => {
                // A number, true, false or null: one value, to the next delimiter.
                value_at(&stack, line, &mut best);
                while bytes
                    .get(i + 1)
                    .is_some_and(|c| !matches!(c, b',' | b'}' | b']' | b'\n' | b' '))
                {
                    i += 1;
                }
            }
        }
        i += 1;
    }
    best.map(|(_, line)| line)
}

fn content_column(line: &str) -> Option<usize> {
    let t = line.trim_start_matches(' ');
    if t.is_empty() || t.starts_with('#') {
        None
    } else {
        Some(raw_indent(line))
    }
}

fn key_matches(rest: &str, key: &str) -> bool {
    let unquoted = rest
        .strip_prefix('"')
        .and_then(|r| r.strip_prefix(key))
        .and_then(|r| r.strip_prefix('"'))
        .or_else(|| {
            rest.strip_prefix('\'')
                .and_then(|r| r.strip_prefix(key))
                .and_then(|r| r.strip_prefix('\''))
        })
        .or_else(|| rest.strip_prefix(key));
    unquoted.is_some_and(|r| r.starts_with(':'))
}

/// Parses a command-line scalar (`28`, `true`, `sticky`) the way YAML would.
pub fn parse_scalar(text: &str) -> Value {
    match parse_value(text) {
        Ok(v @ (Value::Bool(_) | Value::Number(_) | Value::String(_) | Value::Null)) => v,
        _ => Value::String(text.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> PathSegment {
        PathSegment::Key(k.to_string())
    }

    const TEXT: &str = "\
id: x
lesions:
- id: T1
  site: liver
- id: T2
  site: lung
assessments:
  - date: 2019-03-01
    findings:
      T1: {long_axis: 10}
      T2:
        long_axis: 12
";

    #[test]
    fn locates_keys_items_and_nested_keys() {
        assert_eq!(locate(TEXT, &[key("id")]), Some(1));
        assert_eq!(
            locate(TEXT, &[key("lesions"), PathSegment::Index(1), key("site")]),
            Some(6)
        );
        assert_eq!(
            locate(
                TEXT,
                &[key("assessments"), PathSegment::Index(0), key("date")]
            ),
            Some(8)
        );
        assert_eq!(
            locate(
                TEXT,
                &[
                    key("assessments"),
                    PathSegment::Index(0),
                    key("findings"),
                    key("T2"),
                    key("long_axis")
                ]
            ),
            Some(12)
        );
        // Inline values: the deepest key found.
        assert_eq!(
            locate(
                TEXT,
                &[
                    key("assessments"),
                    PathSegment::Index(0),
                    key("findings"),
                    key("T1"),
                    key("long_axis")
                ]
            ),
            Some(10)
        );
    }

    /// A rule set saved as JSON (as `rules check` prints it) is located by its tokens.
    #[test]
    fn locates_keys_and_items_in_json() {
        let text = "{\n  \"a\": 1,\n  \"b\": {\n    \"c\": \"x, \\\"y\\\"\",\n    \"d\": [\n      {\"e\": 2},\n      {\n        \"e\": null\n      }\n    ]\n  }\n}\n";
        assert_eq!(locate(text, &[key("a")]), Some(2));
        assert_eq!(locate(text, &[key("b"), key("c")]), Some(4));
        assert_eq!(locate(text, &[key("b"), key("d")]), Some(5));
        assert_eq!(
            locate(text, &[key("b"), key("d"), PathSegment::Index(0), key("e")]),
            Some(6)
        );
        assert_eq!(
            locate(text, &[key("b"), key("d"), PathSegment::Index(1), key("e")]),
            Some(8)
        );
        // A key that is not there: the deepest part found.
        assert_eq!(locate(text, &[key("b"), key("zz")]), Some(3));
    }

    #[test]
    fn splits_documents_with_their_lines() {
        let docs = parse_documents("---\na: 1\n---\nb: 2\nc: [\n").err();
        assert_eq!(docs.and_then(|e| e.line), Some(5));
        let docs = parse_documents("a: 1\n---\nb: NO\n").unwrap_or_default();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].first_line, 3);
        assert_eq!(docs[1].value["b"], "NO");
    }

    #[test]
    fn a_syntax_error_refuses_its_document_only() {
        let text = "a: 1\n---\nb: \"open\nc: 2\n---\n# third\nd: 3\n";
        let docs = split_documents(text);
        assert_eq!(docs.len(), 3);
        assert_eq!(
            docs[0].as_ref().map(|d| d.value["a"].clone()).ok(),
            Some(1.into())
        );
        let err = docs[1].clone().err();
        // The parser's line (and the one in its message) counts from the start of the text.
        assert_eq!(err.as_ref().and_then(|e| e.line), Some(3));
        let message = err.map(|e| e.message).unwrap_or_default();
        assert!(message.contains("line 3,"), "{message}");
        assert!(!message.contains("line 1,"), "{message}");
        let third = docs[2].as_ref().ok();
        assert_eq!(third.map(|d| d.first_line), Some(6));
        assert_eq!(third.map(|d| d.value["d"].clone()), Some(3.into()));
    }

    #[test]
    fn markers_with_content_and_directives_keep_their_documents() {
        // Content after `---` is part of the document (it used to be dropped).
        let docs = parse_documents("--- {a: 1}\n---   # note\nb: 2\n...\n").unwrap_or_default();
        assert_eq!(docs.len(), 2);
        assert_eq!(
            (docs[0].first_line, docs[0].value["a"].clone()),
            (1, 1.into())
        );
        assert_eq!(
            (docs[1].first_line, docs[1].value["b"].clone()),
            (3, 2.into())
        );
        // Directives go with the document they precede.
        let docs = parse_documents("a: 1\n...\n%YAML 1.2\n---\nb: 2\n").unwrap_or_default();
        assert_eq!(docs.len(), 2);
        assert_eq!(
            (docs[1].first_line, docs[1].value["b"].clone()),
            (3, 2.into())
        );
        // An indented `---` is content, not a marker.
        let docs = parse_documents("a: |\n  x\n  ---\n  y\n").unwrap_or_default();
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].value["a"], "x\n---\ny\n");
    }

    #[test]
    fn type_errors_name_a_scalar_value_the_type_does_not_quote() {
        /// A type whose error, like chrono's dates, does not say what it was given.
        #[derive(Debug)]
        struct Day;
        impl<'de> serde::Deserialize<'de> for Day {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Day, D::Error> {
                let _ = String::deserialize(d)?;
                Err(serde::de::Error::custom("input is out of range"))
            }
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct S {
            days: Vec<Day>,
            n: u8,
        }
        let v = parse_value("days: [2021-13-04]\nn: 1\n").unwrap_or_default();
        let err = from_value::<S>(v).err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("`days[0]`: input is out of range (the value is `2021-13-04`)")
        );
        // A message that already quotes the value does not repeat it.
        let v = parse_value("days: []\nn: 300\n").unwrap_or_default();
        let err = from_value::<S>(v).err().map(|e| e.to_string());
        let err = err.unwrap_or_default();
        assert!(
            err.contains("300") && !err.contains("the value is"),
            "{err}"
        );
    }

    #[test]
    fn type_errors_name_the_path() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct S {
            a: Vec<T>,
        }
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct T {
            n: u32,
        }
        let v = parse_value("a:\n  - n: 1\n  - n: x\n").unwrap_or_default();
        let err = from_value::<S>(v).err().map(|e| display_path(&e.path));
        assert_eq!(err.as_deref(), Some("a[1].n"));
    }
}
