"""What every oracle script shares: writing its random cases to one case file and running
`recist assess` on it, loading a sibling script as a module, comparing a model's follow-ups with
the engine's timepoints and reporting the subjects that differ (the models themselves stay
apart, each written from the reference)."""

import importlib.util
import json
import os
import subprocess
import sys
import tempfile


def arguments():
    """An oracle script's command line, `[SEED [COUNT [KEY=VALUE...]]]` (defaults 1 and 500),
    and the engine binary, $RECIST (default target/debug/recist)."""
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    return seed, count, sys.argv[3:], os.environ.get("RECIST", "target/debug/recist")


def all_true(tree):
    """Whether every leaf of a JSON value (summary.json's `reconciliation`) is `true`."""
    if isinstance(tree, dict):
        return all(all_true(v) for v in tree.values())
    if isinstance(tree, list):
        return all(all_true(v) for v in tree)
    return tree is True


def load(name, file):
    """A sibling script imported as a module (its file name has hyphens)."""
    spec = importlib.util.spec_from_file_location(name, os.path.join(os.path.dirname(__file__), file))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def assess(recist, texts, rules, sets):
    """The results `recist assess` gives for the case texts under `rules` (a list of rule-set
    ids; none: the default) with `--set` overrides `sets`. Exits on an engine failure (exit
    status other than 0 or 1: 1 is a refused subject, whose result is missing)."""
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write("---\n".join(texts))
        path = f.name
    args = [recist, "assess", path] + sum((["--rules", r] for r in rules), [])
    args += sum((["--set", kv] for kv in sets), [])
    res = subprocess.run(args, capture_output=True, text=True)
    os.unlink(path)
    if res.returncode not in (0, 1):
        sys.exit(res.stderr)
    return json.loads(res.stdout), res


def by_subject_and_scope(results):
    """Engine results keyed by subject, then by scope."""
    got = {}
    for r in results:
        got.setdefault(r["subject"], {})[r["scope"]] = r
    return got


def timepoint_diffs(out, timepoints):
    """Differences between a model's follow-ups (dicts with date, target, non_target,
    new_lesions, overall, sum and nadir) and an engine result's timepoints after the baseline:
    (date, what, model, engine) each."""
    diffs = []
    for m, e in zip(out, timepoints[1:]):
        for k in ("target", "non_target", "new_lesions", "overall"):
            if m[k] != e.get(k):
                diffs.append((m["date"], k, m[k], e.get(k)))
        s = e.get("sum_mm")
        if (m["sum"] is None) != (s is None) or (s is not None and float(m["sum"]) != s):
            diffs.append((m["date"], "sum", m["sum"] and float(m["sum"]), s))
        if m["nadir"] is not None and float(m["nadir"]) != e.get("nadir_mm"):
            diffs.append((m["date"], "nadir", float(m["nadir"]), e.get("nadir_mm")))
    return diffs


def subject_diffs(expected, r):
    """A whole-subject model's (follow-ups, best, confirmed best, progression date) against an
    engine result: the follow-ups, then each of the others that differs."""
    out, best, confirmed, prog = expected
    diffs = timepoint_diffs(out, r["timepoints"])
    for k, want in (("best_overall_response", best),
                    ("confirmed_best_overall_response", confirmed)):
        if want != r[k]:
            diffs.append((k, want, r[k]))
    if prog != (r.get("progression") or {}).get("date"):
        diffs.append(("progression", prog, (r.get("progression") or {}).get("date")))
    return diffs


def report(rows, count, res=None):
    """Prints the first five subjects whose model and engine differ, with their case text, and
    the counts, then exits (1 if any differ). `rows`: (subject, differences, case text) for
    each subject the engine assessed; `res`, where given, the engine run, whose messages are
    printed when it refused subjects."""
    assessed = bad = 0
    for subject, diffs, text in rows:
        assessed += 1
        if diffs:
            bad += 1
            if bad <= 5:
                print("== model vs engine:", subject, diffs)
                print(text)
    print(f"{assessed} subjects assessed ({count - assessed} refused), {bad} differ from the model")
    if res is not None and res.returncode == 1 and assessed < count:
        print(res.stderr[:2000])
    sys.exit(1 if bad else 0)
