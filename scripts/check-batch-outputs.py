#!/usr/bin/env python3
"""Cross-checks the outputs of `recist batch --out DIR` runs against each other and the
contract (cdisc.md, results.md, docs/batch.md): summary counts and tallies against rs.csv,
results.jsonl and errors.jsonl; rs.csv columns, vocabulary, RSSEQ, one BESTRESP per unit.
Usage: scripts/check-batch-outputs.py DIR [DIR...]; prints each problem, exit 1 if any.
STUDYID empty is reported (case files without --studyid)."""
import csv, json, re, sys, uuid, datetime
from collections import Counter, defaultdict

HEADER = ["STUDYID", "DOMAIN", "USUBJID", "RSSEQ", "RSTESTCD", "RSTEST", "RSCAT", "RSORRES",
          "RSSTRESC", "RSEVAL", "RSEVALID", "VISIT", "VISITNUM", "RSDTC"]
TESTS = {"TRGRESP": "Target Response", "NTRGRESP": "Non-target Response",
         "NEWLIND": "New Lesion Indicator", "OVRLRESP": "Overall Response",
         "BESTRESP": "Best Overall Response"}
VOCAB = {"TRGRESP": {"CR", "PR", "SD", "PD", "NE"},
         "NTRGRESP": {"CR", "NON-CR/NON-PD", "PD", "NE"},
         "NEWLIND": {"Y", "N", "U"},
         "OVRLRESP": {"CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE"},
         "BESTRESP": {"CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE"}}
NEWL = {"NO": "N", "YES": "Y", "EQUIVOCAL": "U"}
JV = {"target": VOCAB["TRGRESP"], "non_target": VOCAB["NTRGRESP"],
      "new_lesions": set(NEWL), "overall": VOCAB["OVRLRESP"]}
RULE_ID = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Za-z0-9]+)+$")


def check(d):
    probs = []
    P = probs.append
    summ = json.load(open(f"{d}/summary.json"))
    results = [json.loads(l) for l in open(f"{d}/results.jsonl", encoding="utf-8")]
    errors = [json.loads(l) for l in open(f"{d}/errors.jsonl", encoding="utf-8")]
    with open(f"{d}/rs.csv", newline="", encoding="utf-8") as f:
        rd = csv.reader(f)
        header = next(rd)
        rs = [dict(zip(HEADER, r)) | {"_n": len(r)} for r in rd]
    raw_rs_lines = sum(1 for _ in open(f"{d}/rs.csv", "rb")) - 1

    # ---------------- summary basics
    try:
        uuid.UUID(summ["run_id"])
    except Exception:
        P(f"run_id not a UUID: {summ.get('run_id')}")
    if not summ.get("command"):
        P("no command")
    sets = summ["rule_sets"]
    primary = [s for s in sets if s["role"] != "compared"]
    cat_of = {s["id"]: s["rscat"] for s in primary}
    set_by_sha = {s["sha256"]: s for s in sets}
    if len(set_by_sha) != len(sets):
        P("two rule sets with one sha256 (results cannot be told apart)")
    out = summ["outputs"]
    if out["results.jsonl"]["lines"] != len(results):
        P(f"summary results lines {out['results.jsonl']['lines']} != {len(results)}")
    if out["rs.csv"]["rows"] != raw_rs_lines or raw_rs_lines != len(rs):
        P(f"summary rs rows {out['rs.csv']['rows']} != lines {raw_rs_lines} / records {len(rs)}")
    if out["errors.jsonl"]["lines"] != len(errors):
        P(f"summary errors lines {out['errors.jsonl']['lines']} != {len(errors)}")

    rows = summ["rows"]
    for k in ("TU", "TR"):
        c = rows[k]
        ok = c["read"] == c["used"] + c["refused"] + c["in_refused_subjects"]
        if ok != c["reconciles"] or not ok:
            P(f"rows {k} do not reconcile: {c}")
    c = rows["DM"]
    ok = c["read"] == c["used"] + c["refused"] + c["in_refused_subjects"] + c["in_subjects_without_tumour_data"]
    if ok != c["reconciles"] or not ok:
        P(f"rows DM do not reconcile: {c}")
    c = rows["RS_recorded"]
    ok = c["read"] == c["used"] + c["refused"] + c["tests_not_compared"] + c["other_category"]
    if ok != c["reconciles"] or not ok:
        P(f"rows RS_recorded do not reconcile: {c}")
    s = summ["subjects"]
    if s["seen"] != s["adjudicated"] + s["refused"]:
        P(f"subjects do not reconcile {s}")
    u = summ["subject_evaluators"]
    if u["seen"] != u["adjudicated"] + u["refused"]:
        P(f"subject_evaluators do not reconcile {u}")
    if u["refused"] != u["refused_while_reading"] + u["refused_by_engine"]:
        P(f"units refused != reading + engine {u}")
    for st in sets:
        se = st["subject_evaluators"]
        if se["adjudicated"] + se["refused"] != u["seen"]:
            P(f"rule set {st['id']}: per-set units do not reconcile {se} seen {u['seen']}")
        if se["adjudicated"] < u["adjudicated"]:
            P(f"rule set {st['id']}: fewer adjudicated than overall")
    if not summ["reconciliation"]["all"]:
        P(f"reconciliation.all false: {summ['reconciliation']}")

    # ---------------- errors.jsonl
    row_err = Counter()
    for i, e in enumerate(errors, 1):
        for k in ("level", "file", "row", "subject", "evaluator", "code", "reason"):
            if k not in e:
                P(f"errors.jsonl:{i}: no key {k}: {e}")
        lvl = e.get("level")
        if lvl == "row":
            row_err["row"] += 1
            if not e.get("file") or e.get("row") is None:
                P(f"errors.jsonl:{i}: row error without file/row: {e}")
        elif lvl == "subject":
            # A case whose subject cannot be read at all (docs/batch.md, reading case files):
            # `invalid-case` named by file and line, subject and evaluator null.
            unreadable = (e.get("code") == "invalid-case" and e.get("subject") is None
                          and e.get("evaluator") is None and e.get("file") and e.get("row"))
            if not e.get("subject") and not unreadable:
                P(f"errors.jsonl:{i}: subject error without subject: {e}")
            if e.get("evaluator") is None and not unreadable:
                P(f"errors.jsonl:{i}: subject error without evaluator: {e}")
        elif lvl != "file":
            P(f"errors.jsonl:{i}: level {lvl}")
    refused_rows = rows["TU"]["refused"] + rows["TR"]["refused"] + rows["DM"]["refused"] + rows["RS_recorded"]["refused"]
    if row_err["row"] != refused_rows:
        P(f"row-level errors {row_err['row']} != refused rows {refused_rows}")

    # ---------------- results.jsonl
    tallies = {st["sha256"]: defaultdict(Counter) for st in sets}
    res_count = Counter()
    expected_rs = []  # (usubjid, evaluator label, rscat, test, value, date or None)
    units_by_set = defaultdict(set)
    for i, r in enumerate(results, 1):
        for k in ("subject", "evaluator", "rule_set", "scope", "timepoints",
                  "best_overall_response", "confirmed_best_overall_response", "progression", "warnings"):
            if k not in r:
                P(f"results.jsonl:{i}: no {k}")
        rsr = r["rule_set"]
        for k in ("id", "version", "sha256"):
            if k not in rsr:
                P(f"results.jsonl:{i}: rule_set without {k}")
        st = set_by_sha.get(rsr["sha256"])
        if st is None or st["id"] != rsr["id"] or st["version"] != rsr["version"]:
            P(f"results.jsonl:{i}: rule set {rsr} not in summary")
            continue
        res_count[rsr["sha256"]] += 1
        if r["scope"] not in ("all", "in-field", "out-of-field"):
            P(f"results.jsonl:{i}: scope {r['scope']}")
        tps = r["timepoints"]
        if not tps or not tps[0].get("baseline"):
            P(f"results.jsonl:{i}: first timepoint not baseline")
        dates = [t["date"] for t in tps]
        if dates != sorted(dates) or len(set(dates)) != len(dates):
            P(f"results.jsonl:{i}: timepoint dates not strictly increasing")
        offs = set()
        for t in tps:
            for k in ("date", "day", "baseline", "sum_mm"):
                if k not in t:
                    P(f"results.jsonl:{i}: timepoint without {k}")
            offs.add(datetime.date.fromisoformat(t["date"]).toordinal() - t["day"])
            if t["baseline"]:
                continue
            for k in ("nadir_mm", "change_from_baseline_pct", "change_from_nadir_pct",
                      "change_from_nadir_mm", "target", "non_target", "new_lesions", "overall", "reasons"):
                if k not in t:
                    P(f"results.jsonl:{i}: follow-up without {k}")
            for k, voc in JV.items():
                v = t.get(k)
                if v is None and k in ("target", "non_target"):
                    continue
                if v not in voc:
                    P(f"results.jsonl:{i}: {k} = {v!r}")
            if not t.get("reasons"):
                P(f"results.jsonl:{i}: {t['date']}: no reasons")
            for rid in t.get("reasons", []):
                if not RULE_ID.match(rid):
                    P(f"results.jsonl:{i}: reason {rid!r} not a rule id")
        if len(offs) > 1:
            P(f"results.jsonl:{i}: days not from one day 0")
        for k in ("best_overall_response", "confirmed_best_overall_response"):
            if r[k] not in VOCAB["OVRLRESP"]:
                P(f"results.jsonl:{i}: {k} = {r[k]!r}")
        pg = r["progression"]
        if pg is not None:
            if pg.get("site") not in (None, "in-field", "out-of-field", "both", "combined"):
                P(f"results.jsonl:{i}: progression site {pg.get('site')}")
            first_pd = next((t["date"] for t in tps if not t["baseline"] and t["overall"] == "PD"), None)
            if first_pd is None:
                P(f"results.jsonl:{i}: progression without a PD timepoint")
            elif pg["date"] > first_pd:
                P(f"results.jsonl:{i}: progression dated after the first PD")
        elif r["scope"] == "all" and any(not t["baseline"] and t["overall"] == "PD" for t in tps):
            P(f"results.jsonl:{i}: PD timepoint but progression null")
        if r["scope"] != "all":
            continue
        units_by_set[rsr["sha256"]].add((r["subject"], r["evaluator"]))
        tl = tallies[rsr["sha256"]]
        for t in tps:
            if t["baseline"]:
                continue
            if t["target"] is not None:
                tl["TRGRESP"][t["target"]] += 1
            if t["non_target"] is not None:
                tl["NTRGRESP"][t["non_target"]] += 1
            tl["NEWLIND"][NEWL[t["new_lesions"]]] += 1
            tl["OVRLRESP"][t["overall"]] += 1
        best = r["confirmed_best_overall_response"] if st["confirmation"]["required"] else r["best_overall_response"]
        tl["BESTRESP"][best] += 1
        if st["role"] != "compared":
            ev = (r["evaluator"] or "INVESTIGATOR").upper()
            for t in tps:
                if t["baseline"]:
                    continue
                for test, k in (("TRGRESP", "target"), ("NTRGRESP", "non_target"),
                                ("NEWLIND", "new_lesions"), ("OVRLRESP", "overall")):
                    v = t[k]
                    if v is None:
                        continue
                    if test == "NEWLIND":
                        v = NEWL[v]
                    expected_rs.append((r["subject"], ev, st["rscat"], test, v, t["date"]))
            expected_rs.append((r["subject"], ev, st["rscat"], "BESTRESP", best, None))
    for st in sets:
        if res_count[st["sha256"]] != st["results"]:
            P(f"rule set {st['id']}: summary results {st['results']} != {res_count[st['sha256']]}")
        if len(units_by_set[st["sha256"]]) != st["subject_evaluators"]["adjudicated"]:
            P(f"rule set {st['id']}: adjudicated {st['subject_evaluators']['adjudicated']} != "
              f"distinct all-scope units {len(units_by_set[st['sha256']])}")
        want = {k: dict(v) for k, v in tallies[st["sha256"]].items()}
        got = st["responses"]
        if want != got:
            P(f"rule set {st['id']}: summary responses {got} != results.jsonl {want}")

    # ---------------- subjects: results and refusals
    s_res = {r["subject"] for r in results if r["scope"] == "all"}
    s_err = {e["subject"] for e in errors if e.get("level") == "subject" and e.get("subject")}
    s_rowerr = {e["subject"] for e in errors if e.get("level") == "row" and e.get("subject")}
    if summ["subjects"]["adjudicated"] != len(s_res - s_err):
        P(f"subjects adjudicated {summ['subjects']['adjudicated']} != with results and no refusal {len(s_res - s_err)}")
    if summ["subjects"]["refused"] < len(s_err):
        P(f"subjects refused {summ['subjects']['refused']} < subjects with a subject-level error {len(s_err)}")
    if summ["subjects"]["seen"] < len(s_res | s_err):
        P(f"subjects seen {summ['subjects']['seen']} < {len(s_res | s_err)}")

    # ---------------- rs.csv
    if header != HEADER:
        P(f"rs.csv header {header}")
    seq = defaultdict(list)
    got_rs = []
    per_visit = defaultdict(Counter)
    best_n = Counter()
    rs_tally = defaultdict(lambda: defaultdict(Counter))
    last_subject, closed = None, set()
    for n, r in enumerate(rs, 2):
        if r["_n"] != len(HEADER):
            P(f"rs.csv:{n}: {r['_n']} fields")
            continue
        if r["DOMAIN"] != "RS":
            P(f"rs.csv:{n}: DOMAIN {r['DOMAIN']}")
        if not r["STUDYID"]:
            P(f"rs.csv:{n}: empty STUDYID")
        s = r["USUBJID"]
        if s != last_subject:
            if s in closed:
                P(f"rs.csv:{n}: rows of {s} not contiguous")
            if last_subject is not None:
                closed.add(last_subject)
            last_subject = s
        try:
            seq[s].append(int(r["RSSEQ"]))
        except ValueError:
            P(f"rs.csv:{n}: RSSEQ {r['RSSEQ']!r}")
        t = r["RSTESTCD"]
        if TESTS.get(t) != r["RSTEST"]:
            P(f"rs.csv:{n}: RSTESTCD/RSTEST {t}/{r['RSTEST']}")
            continue
        if r["RSORRES"] != r["RSSTRESC"]:
            P(f"rs.csv:{n}: RSORRES != RSSTRESC")
        if r["RSSTRESC"] not in VOCAB[t]:
            P(f"rs.csv:{n}: {t} value {r['RSSTRESC']!r}")
        if r["RSCAT"] not in cat_of.values():
            P(f"rs.csv:{n}: RSCAT {r['RSCAT']!r}")
        ev = (r["RSEVAL"] + ("/" + r["RSEVALID"] if r["RSEVALID"] else "")).upper()
        if t == "BESTRESP":
            if r["VISIT"] or r["VISITNUM"] or r["RSDTC"]:
                P(f"rs.csv:{n}: BESTRESP with visit/date")
            best_n[(s, ev, r["RSCAT"])] += 1
            got_rs.append((s, ev, r["RSCAT"], t, r["RSSTRESC"], None))
        else:
            try:
                datetime.date.fromisoformat(r["RSDTC"])
            except ValueError:
                P(f"rs.csv:{n}: RSDTC {r['RSDTC']!r}")
            if not r["VISIT"] and not r["VISITNUM"]:
                pass
            per_visit[(s, ev, r["RSCAT"], r["RSDTC"])][t] += 1
            got_rs.append((s, ev, r["RSCAT"], t, r["RSSTRESC"], r["RSDTC"]))
        rs_tally[r["RSCAT"]][t][r["RSSTRESC"]] += 1
    for s, l in seq.items():
        if l != list(range(1, len(l) + 1)):
            P(f"rs.csv: RSSEQ of {s} is not 1..n in order: {l[:20]}")
    for k, c in per_visit.items():
        if c["OVRLRESP"] != 1 or c["NEWLIND"] != 1 or c["TRGRESP"] > 1 or c["NTRGRESP"] > 1:
            P(f"rs.csv: {k}: tests {dict(c)}")
        if c["TRGRESP"] == 0 and c["NTRGRESP"] == 0:
            P(f"rs.csv: {k}: neither TRGRESP nor NTRGRESP")
    for k, c in best_n.items():
        if c != 1:
            P(f"rs.csv: {k}: {c} BESTRESP rows")
    units = {(a, b, c) for (a, b, c, *_rest) in got_rs}
    if set(best_n) != units:
        P(f"rs.csv: units without BESTRESP: {sorted(units - set(best_n))[:5]}")
    # rs.csv equals what results.jsonl says, as multisets, and per-category tallies equal summary
    ce, cg = Counter(expected_rs), Counter(got_rs)
    if ce != cg:
        P(f"rs.csv vs results.jsonl: missing {list((ce - cg).items())[:5]} extra {list((cg - ce).items())[:5]}")
    for st in primary:
        got = {k: dict(v) for k, v in rs_tally[st["rscat"]].items()}
        if got != st["responses"]:
            P(f"rs.csv tallies for RSCAT {st['rscat']}: {got} != summary {st['responses']}")
    return probs


def main():
    bad = 0
    for d in sys.argv[1:]:
        p = check(d)
        print(f"== {d}: {len(p)} problem(s)")
        for x in p[:60]:
            print("  ", x)
        bad += len(p)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
