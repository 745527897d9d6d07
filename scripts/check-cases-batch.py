#!/usr/bin/env python3
"""Checks `recist batch --cases DIR` against `recist assess FILE --format jsonl` on a directory of
random cases (scripts/r11-oracle.py's gen_case/to_yaml) written as multi-document YAML, single
JSON and JSON Lines files, with bad inputs planted among them (docs/batch.md, "Reading case
files"; case-format.md, "What is an error"):
  - a YAML document with a syntax error among good documents (`invalid-case`, its file and a
    line inside that document; the file's other subjects still adjudicated);
  - a subject the engine refuses (a finding for a lesion not identified at baseline);
  - a case with an unknown key (a rule-set section `rules:` the case format does not have);
  - a JSON Lines file with one bad line among good ones (`invalid-case` at that line);
  - one subject id in two files (`duplicate-case`: one line, at the first case, naming both
    files and lines; neither copy adjudicated);
  - an empty file (`unreadable-file`, level `file`);
  - a non-case file: `notes.txt` (not a case file name: must not be read or reported) and
    `config.json` holding JSON that is no case (refused once).
What is checked: every other subject's results.jsonl lines equal assess's (per subject ×
evaluator × rule set × scope; without --explanations, equal once the follow-ups' `explanations`
are removed from assess's; with --explanations, byte for byte per line), every planted problem
reported once at the right file and line, nothing else refused, summary.json counts
reconciling, outputs identical with --threads 1 and 4 (summary.json aside, which records the
command), and scripts/check-batch-outputs.py finding no problem.
Usage: scripts/check-cases-batch.py [SEED [COUNT]]; $RECIST (default target/debug/recist).
Prints each problem; exit 1 if any."""

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

import oracle_run

SEED = int(sys.argv[1]) if len(sys.argv) > 1 else 1
COUNT = int(sys.argv[2]) if len(sys.argv) > 2 else 300
RECIST = os.environ.get("RECIST", "target/debug/recist")
HERE = os.path.dirname(os.path.abspath(__file__))

sys.argv = sys.argv[:1]  # r11-oracle reads its own arguments when loaded
r11 = oracle_run.load("r11_oracle", "r11-oracle.py")
r11.R = random.Random(SEED)
R = random.Random(SEED * 7919 + 1)
PROBLEMS = []
P = PROBLEMS.append


def num(v):
    s = r11.mm(v)
    return float(s) if "." in s else int(s)


def to_dict(c):
    """The case of `to_yaml` as a JSON value (same structure)."""
    d = {"subject": c["subject"], "treatment_start": str(c["ts"]), "lesions": [], "assessments": []}
    for tid, site, nodal in c["targets"]:
        d["lesions"].append({"id": tid, "site": site, "role": "target", "nodal": nodal})
    for nid, site, nodal in c["nts"]:
        d["lesions"].append({"id": nid, "site": "hilar node" if nodal else site,
                             "role": "non-target", "nodal": nodal})
    nodal = {t[0]: t[2] for t in c["targets"]}
    for day, f, new in c["visits"]:
        items = {}
        for k, v in f.items():
            axis = "short_axis" if nodal.get(k) else "long_axis"
            if v[0] == "omit":
                continue
            elif v[0] == "m":
                items[k] = {axis: num(v[1])}
            elif v[0] == "ne":
                items[k] = "not-evaluated"
            elif v[0] == "merge":
                items[k] = {"merged_into": v[1]}
            elif v[0] == "frag":
                items[k] = {"fragments": [{axis: num(v[1])}, {axis: num(v[2])}]}
            elif v[0] == "tstm":
                items[k] = "too-small"
            else:
                items[k] = v[0]
        a = {"date": str(day), "findings": items}
        news = []
        for x in new:
            if len(x) == 3:
                n = {"id": x[0], "site": "axilla", "nodal": True}
                if x[2] is not None:
                    n["short_axis"] = num(x[2])
            else:
                n = {"id": x[0], "site": "lung", "long_axis": 12}
            if x[1]:
                n["equivocal"] = True
            news.append(n)
        if news:
            a["new_lesions"] = news
        d["assessments"].append(a)
    return d


def run(args):
    return subprocess.run([RECIST] + args, capture_output=True)


def build(cases_dir):
    """Writes the case directory; returns (expected refusals, good subjects, files written).
    A refusal: (code, file name, line or None, subject or None, (lo, hi) line range)."""
    os.makedirs(cases_dir)
    cases = [r11.gen_case(k) for k in range(COUNT)]
    for i, c in enumerate(cases):
        c["subject"] = f"S{SEED}-{i:04d}"
    R.shuffle(cases)
    n = len(cases)
    parts = {"a-multi.yaml": cases[: n // 3], "b-multi.yml": cases[n // 3: n // 2],
             "c-lines.jsonl": cases[n // 2: 3 * n // 4]}
    singles = cases[3 * n // 4:]
    expected, good = [], set(c["subject"] for c in cases)
    where = {}  # subject: file of its case (random cases the engine refuses are expected there)
    for f, cs in parts.items():
        for c in cs:
            where[c["subject"]] = f

    # a-multi.yaml: good documents, a broken one in the middle, an engine refusal, an unknown key
    docs = [r11.to_yaml(c) for c in parts["a-multi.yaml"]]
    bad_yaml = "subject: BAD-YAML\nlesions: [{id: T0, site: lung, role: target\nassessments: []\n"
    engine_bad = ("subject: BAD-ENGINE\nlesions:\n  - {id: T0, site: liver, role: target}\n"
                  "  - {id: T1, site: liver, role: target}\n  - {id: T2, site: liver, role: target}\n"
                  "assessments:\n  - date: 2024-01-01\n"
                  "    findings: {T0: {long_axis: 20}, T1: {long_axis: 20}, T2: {long_axis: 20}}\n")
    unknown_key = ("subject: BAD-KEY\nrules: {confirmation: {required: false}}\nlesions:\n"
                   "  - {id: T0, site: lung, role: target}\nassessments:\n"
                   "  - date: 2024-01-01\n    findings: {T0: {long_axis: 20}}\n")
    k = len(docs) // 2
    docs[k:k] = [bad_yaml, engine_bad, unknown_key]
    text, line = "", 1
    for i, d in enumerate(docs):
        if i:
            text += "---\n"
            line += 1
        lo, hi = line, line + d.count("\n") - 1
        # at the line of the fault: the unclosed bracket, the third liver target, the key
        if d is bad_yaml:
            expected.append(("invalid-case", "a-multi.yaml", lo + 1, "BAD-YAML", (lo + 1, lo + 1)))
        elif d is engine_bad:
            # (the engine names the case's first line; case-format.md asks for "the line where
            # the parser gives one", which a rule-set limit need not have: any line of the case)
            expected.append(("engine", "a-multi.yaml", lo, "BAD-ENGINE", (lo, hi)))
        elif d is unknown_key:
            expected.append(("invalid-case", "a-multi.yaml", lo + 1, "BAD-KEY", (lo + 1, lo + 1)))
        text += d
        line = hi + 1
    open(os.path.join(cases_dir, "a-multi.yaml"), "w").write(text)

    # b-multi.yml: starts with '---', holds the first copy of a duplicated subject
    dup = parts["b-multi.yml"][0]
    open(os.path.join(cases_dir, "b-multi.yml"), "w").write(
        "".join("---\n" + r11.to_yaml(c) for c in parts["b-multi.yml"]))
    good.discard(dup["subject"])

    # c-lines.jsonl: one bad line among good ones
    lines = [json.dumps(to_dict(c)) for c in parts["c-lines.jsonl"]]
    j = len(lines) // 2
    lines.insert(j, '{"subject": "BAD-LINE", "lesions": [')
    open(os.path.join(cases_dir, "c-lines.jsonl"), "w").write("\n".join(lines) + "\n")
    expected.append(("invalid-case", "c-lines.jsonl", j + 1, None, (j + 1, j + 1)))

    # d-NNNN.json / .yaml: one case each, alternating forms; the duplicate's second copy
    for i, c in enumerate(singles):
        where[c["subject"]] = f"d-{i:04d}.json" if i % 2 else f"d-{i:04d}.yaml"
        if i % 2:
            open(os.path.join(cases_dir, f"d-{i:04d}.json"), "w").write(json.dumps(to_dict(c), indent=2) + "\n")
        else:
            open(os.path.join(cases_dir, f"d-{i:04d}.yaml"), "w").write(r11.to_yaml(c))
    open(os.path.join(cases_dir, "e-dup.json"), "w").write(json.dumps(to_dict(dup)) + "\n")
    expected.append(("duplicate-case", "b-multi.yml", 2, dup["subject"], (2, 2)))

    # f-empty.yaml: nothing; config.json: JSON that is no case; notes.txt: not a case file name
    open(os.path.join(cases_dir, "f-empty.yaml"), "w").write("")
    expected.append(("unreadable-file", "f-empty.yaml", None, None, None))
    open(os.path.join(cases_dir, "config.json"), "w").write('{"threads": 4, "output": "run"}\n')
    expected.append(("invalid-case", "config.json", 1, None, (1, 1)))
    open(os.path.join(cases_dir, "notes.txt"), "w").write("subject: NOT-A-CASE\n")
    return expected, good, where


def key(r):
    return (r["subject"], r["evaluator"], r["rule_set"]["id"], r["scope"])


def strip_explanations(r):
    r = json.loads(json.dumps(r))
    for t in r.get("timepoints") or []:
        t.pop("explanations", None)
    return r


def main():
    work = tempfile.mkdtemp(prefix="check-cases-")
    cases_dir = os.path.join(work, "cases")
    expected, good, where = build(cases_dir)
    files = sorted(f for f in os.listdir(cases_dir) if f.rsplit(".", 1)[-1] in ("yaml", "yml", "json", "jsonl"))

    # assess, file by file: the reference lines per result
    ref = {}
    for f in files:
        res = run(["assess", os.path.join(cases_dir, f), "--format", "jsonl"])
        if res.returncode not in (0, 1):
            if f not in ("f-empty.yaml", "config.json"):
                P(f"assess {f}: exit {res.returncode}: {res.stderr.decode()[:300]}")
            continue
        for raw in res.stdout.decode().splitlines():
            if raw.strip():
                r = json.loads(raw)
                ref.setdefault(key(r), []).append(raw)
    # random cases that assess refuses (three nodes in the one nodal organ, say): the engine's
    # refusals, expected in batch too, at their files
    for subject in sorted(good - {k[0] for k in ref}):
        good.discard(subject)
        expected.append(("engine", where[subject], None, subject, None))

    outs = {}
    for name, extra in (("t1", ["--threads", "1"]), ("t4", ["--threads", "4"]),
                        ("ex", ["--explanations", "--threads", "2"])):
        out = os.path.join(work, name)
        res = run(["batch", "--cases", cases_dir, "--studyid", "CHK", "--out", out] + extra)
        outs[name] = out
        if res.returncode != 1:
            P(f"batch {name}: exit {res.returncode} (1 expected: some refused): {res.stderr.decode()[:300]}")
        if not os.path.exists(os.path.join(out, "summary.json")):
            P(f"batch {name}: no summary.json")
            print("\n".join(PROBLEMS))
            sys.exit(1)

    # threads 1 and 4: same bytes (summary.json records the command: compare it without that)
    for f in sorted(os.listdir(outs["t1"])):
        a = open(os.path.join(outs["t1"], f), "rb").read()
        b = open(os.path.join(outs["t4"], f), "rb").read()
        if f == "summary.json":
            a, b = json.loads(a), json.loads(b)
            for x in (a, b):
                x.pop("command", None)
                x.pop("run_id", None)
        if a != b:
            P(f"--threads 1 and 4 differ in {f}")
    if sorted(os.listdir(outs["t1"])) != sorted(os.listdir(outs["t4"])):
        P("--threads 1 and 4 write different files")

    # results against assess
    compared = {}
    for name in ("t1", "ex"):
        got = {}
        for raw in open(os.path.join(outs[name], "results.jsonl"), encoding="utf-8").read().splitlines():
            r = json.loads(raw)
            got.setdefault(key(r), []).append(raw)
        subjects = {k[0] for k in got}
        if subjects != good:
            P(f"{name}: adjudicated subjects differ from the good ones: extra "
              f"{sorted(subjects - good)[:5]}, missing {sorted(good - subjects)[:5]}")
        bad = 0
        compared[name] = len(got)
        for k, lines in got.items():
            if len(lines) != 1:
                P(f"{name}: {k} has {len(lines)} results")
            want = ref.get(k)
            if not want or len(want) != 1:
                if k[0] in good:
                    P(f"{name}: {k}: assess gives {len(want or [])} results")
                continue
            if name == "ex":
                same = lines[0] == want[0]
            else:
                same = json.loads(lines[0]) == strip_explanations(json.loads(want[0]))
            if not same:
                bad += 1
                if bad <= 3:
                    P(f"{name}: {k}: batch and assess differ\n  batch:  {lines[0][:400]}\n  assess: {want[0][:400]}")
        missing = [k for k in ref if k[0] in good and k not in got]
        if missing:
            P(f"{name}: {len(missing)} assess results missing from batch, e.g. {missing[:3]}")
        if bad:
            P(f"{name}: {bad} results differ from assess")

    # errors: every planted problem once, at its file and line; nothing else
    errors = [json.loads(l) for l in open(os.path.join(outs["t1"], "errors.jsonl"), encoding="utf-8")]
    matched = set()
    for code, fname, line, subject, span in expected:
        hits = []
        for i, e in enumerate(errors):
            if os.path.basename(str(e.get("file") or "")) != fname:
                continue
            if subject is not None and e.get("subject") != subject:
                continue
            if code == "engine" and (e.get("level") != "subject" or e.get("code") != "engine"):
                continue
            if code not in ("engine", "invalid-case") and e.get("code") != code:
                continue
            if code == "invalid-case" and e.get("code") != "invalid-case":
                continue
            hits.append(i)
        what = f"{code} {fname}:{line or span} {subject or ''}"
        if len(hits) != 1:
            P(f"planted {what}: reported {len(hits)} times: {[errors[i] for i in hits][:3]}")
            continue
        e = errors[hits[0]]
        matched.add(hits[0])
        row = e.get("row")
        if span is not None and (row is None or not span[0] <= row <= span[1]):
            P(f"planted {what}: reported at line {row}: {e}")
        if code == "duplicate-case":
            r = e.get("reason", "")
            if "e-dup.json:1" not in r or "b-multi.yml:2" not in r:
                P(f"duplicate-case does not name both files: {e}")
    for i, e in enumerate(errors):
        if i not in matched:
            P(f"unexpected refusal: {e}")

    # counts
    s = json.load(open(os.path.join(outs["t1"], "summary.json")))
    if not oracle_run.all_true(s.get("reconciliation")):
        P(f"summary reconciliation not all true: {s.get('reconciliation')}")
    se, su = s["subject_evaluators"], s["subjects"]
    # a case whose subject cannot be read (the bad JSON line, config.json) is counted as a
    # subject refused: the engine's reading (docs/batch.md does not say), which reconciles
    n_subject_refusals = sum(1 for x in expected if x[0] != "unreadable-file")
    if se["adjudicated"] != len(good) or se["refused"] != n_subject_refusals:
        P(f"subject_evaluators {se}: expected {len(good)} adjudicated, {n_subject_refusals} refused")
    if su["adjudicated"] != len(good):
        P(f"subjects adjudicated {su['adjudicated']} != {len(good)}")
    if su["refused"] != n_subject_refusals:
        P(f"subjects refused {su['refused']} != {n_subject_refusals}")
    n_engine = sum(1 for x in expected if x[0] == "engine")
    if se["refused_by_engine"] != n_engine:
        P(f"refused_by_engine {se['refused_by_engine']} != {n_engine}")
    cases_row = s.get("rows", {}).get("cases")
    n_docs = COUNT + 4 + 1  # cases, three planted YAML documents and a JSON line, the duplicate copy
    if cases_row is None:
        P("summary rows.cases missing")
    else:
        read = cases_row.get("read") if isinstance(cases_row, dict) else cases_row
        if read != n_docs + 1:  # config.json's document is a case read too (a refused one)
            P(f"rows.cases {cases_row} != {n_docs + 1}")

    res = subprocess.run([sys.executable, os.path.join(HERE, "check-batch-outputs.py"), outs["t1"], outs["ex"]],
                         capture_output=True, text=True)
    # (a case whose subject cannot be read is `level: subject` with subject and evaluator null,
    # as docs/batch.md says and check-batch-outputs.py accepts)
    for l in res.stdout.splitlines():
        if not l.strip() or l.startswith("=="):
            continue
        P(f"check-batch-outputs: {l.strip()}")

    for p in PROBLEMS:
        print(p)
    print(f"seed {SEED}: {COUNT} cases, {len(good)} subjects adjudicated, results compared with assess "
          f"{compared}, {len(errors)} error lines ({len(expected)} expected), "
          f"{len(PROBLEMS)} problems ({work})")
    if not PROBLEMS:
        shutil.rmtree(work)
    sys.exit(1 if PROBLEMS else 0)


if __name__ == "__main__":
    main()
