#!/usr/bin/env python3
"""Independent recomputation of the comparison statistics of `recist batch/compare --recorded`
and `recist compare --against-*`, from the engine's own rs.csv (and TR.csv for the visits'
scan dates), following docs/batch.md, section "Comparison" (not the engine's code):

- recorded RS rows are sorted into read / used / refused / tests_not_compared / other_category
  (RSCAT case-insensitively the rule set's, or empty; other RSTESTCDs not compared);
- values: RSSTRESC else RSORRES, trimmed, upper-cased, `Non-CR / Non-PD` -> NON-CR/NON-PD,
  NOT EVALUABLE -> NE, YES -> Y, NO -> N, EQUIVOCAL -> U; not a word of the test (or blank)
  refuses the row (unknown-response); RSORRES and RSSTRESC both words and different refuses it
  (orres-stresc-disagree); RSDTC not a date refuses it;
- a row is of the engine's visit its VISITNUM names (as a number), else its VISIT
  (case-insensitively), else its RSDTC; two visits answering: the one dated RSDTC, else none;
- one record per subject, evaluator (RSEVAL[/RSEVALID], default INVESTIGATOR), RSCAT, test,
  visit: different values -> all refused (conflicting-values), same value -> best-named kept
  (VISITNUM > VISIT > date; RSCAT before none; first in file), others duplicate-row;
- a date names the visit whose scans (first to last TRDTC) span it ("recorded RS may be dated
  by any of those days"); of two visits answering, the one whose scans span RSDTC, else the
  one dated it;
- NA: the engine writing no TRGRESP/NTRGRESP at a follow-up visit is its NA; compared only
  where a recorded row of that test and visit exists;
- per test: compared, agreed, agreement %, kappa, reference_only, candidate_only, confusion
  matrix; the set of discordant (subject, evaluator, visit, test, reference, candidate);
  date mismatches (RSDTC outside the visit's first..last TRDTC); rows of refused
  subject x evaluators (errors.jsonl, level subject) counted apart.
The same for two rule sets: the reference and candidate rs.csv of two separate batch runs.
iRECIST vocabularies are not modelled.

Usage:
  scripts/check-compare.py recorded --tr TR.csv --recorded RS.csv --out CMPDIR [--partial-dates first|last]
      (CMPDIR from `recist batch|compare ... --recorded RS.csv --out CMPDIR`)
  scripts/check-compare.py against --ref REFDIR --cand CANDDIR --out CMPDIR
      (REFDIR, CANDDIR from two `recist batch` runs; CMPDIR from `recist compare --against-*`)
Prints each difference; exit 1 if any."""
import csv, json, os, re, sys, argparse, datetime
from collections import Counter, defaultdict

TESTS = ["TRGRESP", "NTRGRESP", "NEWLIND", "OVRLRESP", "BESTRESP"]
WORDS = {"TRGRESP": ["CR", "PR", "SD", "PD", "NE", "NA"],
         "NTRGRESP": ["CR", "NON-CR/NON-PD", "PD", "NE", "NA"],
         "NEWLIND": ["Y", "N", "U"],
         "OVRLRESP": ["CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE"],
         "BESTRESP": ["CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE"]}
ORDER = ["CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE", "NA", "Y", "N", "U"]
ALIASES = {"NOT EVALUABLE": "NE", "YES": "Y", "NO": "N", "EQUIVOCAL": "U",
           "NOT APPLICABLE": "NA"}
DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(T.*)?$")


def norm_value(v):
    v = " ".join(v.strip().upper().split())
    v = re.sub(r"\s*/\s*", "/", v)
    return ALIASES.get(v, v)


def parse_date(s):
    m = DATE.match(s.strip())
    if not m:
        return None
    try:
        return datetime.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        return None


def partial_span(s):
    """First and last day of a partial date (2014-03, 2014), or None."""
    m = re.match(r"^(\d{4})(?:-(\d{2}))?$", s.strip())
    if not m:
        return None
    y, mo = int(m[1]), int(m[2]) if m[2] else None
    if mo is not None and not 1 <= mo <= 12:
        return None
    a = datetime.date(y, mo or 1, 1)
    b = datetime.date(y + (mo is None or mo == 12), 1 if mo in (None, 12) else mo + 1, 1) - datetime.timedelta(days=1)
    return a.isoformat(), b.isoformat()


def num(s):
    try:
        x = float(s.strip())
        return x if x == x and abs(x) != float("inf") else None
    except ValueError:
        return None


def evaluator(ev, evid):
    ev = ev.strip().upper() or "INVESTIGATOR"
    evid = evid.strip().upper()
    return f"{ev}/{evid}" if evid else ev


def read_csv(path):
    """(line, header-keyed dict or None when malformed) per record."""
    with open(path, newline="", encoding="utf-8", errors="surrogateescape") as f:
        rd = csv.reader(f)
        header = [h.strip().upper() for h in next(rd)]
        for row in rd:
            line = rd.line_num
            if not row:
                continue
            if len(row) != len(header):
                yield line, None
            else:
                yield line, dict(zip(header, row))


def vkey(visitnum, visit, date):
    n = num(visitnum) if visitnum and visitnum.strip() else None
    if n is not None:
        return ("N", n)
    if visit.strip():
        return ("V", visit.strip().upper())
    return ("D", date)


class Visit:
    def __init__(self, key):
        self.key, self.num, self.names, self.dates = key, None, set(), []
        self.date = None  # the assessment's date (earliest scan)
        self.values = {}  # test -> engine value (rs.csv)
        self.followup = False

    @property
    def name(self):
        return min((n for n in self.names if n), default="")

    def lo(self):
        return min(self.dates) if self.dates else self.date

    def hi(self):
        return max(self.dates) if self.dates else self.date


def tr_visits(path):
    """(subject, evaluator) -> {visit key: Visit} from TR rows with a date."""
    units = defaultdict(dict)
    for _, r in read_csv(path):
        if r is None:
            continue
        d = parse_date(r.get("TRDTC", ""))
        ev = evaluator(r.get("TREVAL", ""), r.get("TREVALID", ""))
        k = vkey(r.get("VISITNUM", ""), r.get("VISIT", ""), d)
        v = units[(r["USUBJID"].strip(), ev)].setdefault(k, Visit(k))
        v.num = k[1] if k[0] == "N" else None
        v.names.add(r.get("VISIT", "").strip().upper())
        if d:
            v.dates.append(d)
    for vs in units.values():
        for v in vs.values():
            v.date = min(v.dates) if v.dates else None
    return units


def engine_rs(path):
    """rscat upper -> {(subject, evaluator): {"visits": {key: Visit}, "best": value}}"""
    out = defaultdict(lambda: defaultdict(lambda: {"visits": {}, "best": None}))
    for _, r in read_csv(path):
        u = out[r["RSCAT"].upper()][(r["USUBJID"], evaluator(r["RSEVAL"], r["RSEVALID"]))]
        t, val = r["RSTESTCD"], r["RSSTRESC"]
        if t == "BESTRESP":
            u["best"] = val
            continue
        k = vkey(r["VISITNUM"], r["VISIT"], r["RSDTC"])
        v = u["visits"].setdefault(k, Visit(k))
        v.followup = True
        v.date = r["RSDTC"]
        v.names.add(r["VISIT"].upper())
        v.values[t] = val
    return out


def refused_units(d, rule_set=None):
    out = set()
    try:
        for l in open(f"{d}/errors.jsonl", encoding="utf-8"):
            e = json.loads(l)
            if e.get("level") == "subject" and e.get("subject") is not None:
                if rule_set and e.get("rule_set") and not e["rule_set"].startswith(rule_set):
                    continue
                out.add((e["subject"], (e.get("evaluator") or "INVESTIGATOR").upper()))
    except FileNotFoundError:
        pass
    return out


def spans(v, date):
    """Whether `date` is a day of the visit's scans (first to last TRDTC)."""
    if not date:
        return False
    return v.lo() <= date <= v.hi() if v.dates else v.date == date


def resolve(visits, visitnum, visit, date):
    """The engine visit (a Visit of `visits`) a row names, or None."""
    vs = list(visits.values())
    n = num(visitnum) if visitnum.strip() else None
    if visitnum.strip():
        cand = [v for v in vs if v.num is not None and v.num == n] if n is not None else []
    elif visit.strip():
        cand = [v for v in vs if visit.strip().upper() in v.names]
    else:
        cand = [v for v in vs if spans(v, date)]
    if len(cand) > 1:  # the one whose scans span RSDTC, else the one dated it
        spanning = [v for v in cand if spans(v, date)]
        cand = spanning if len(spanning) == 1 else [v for v in cand if date and v.date == date]
    return cand[0] if len(cand) == 1 else None


def kappa(counts, labels):
    n = sum(counts.values())
    if n == 0:
        return None
    po = sum(counts[(a, a)] for a in labels) / n
    pe = sum(sum(counts[(a, b)] for b in labels) * sum(counts[(b, a)] for b in labels)
             for a in labels) / (n * n)
    return None if pe == 1 else (po - pe) / (1 - pe)  # undefined (0/0) with one category


class Stats:
    def __init__(self):
        self.t = {t: {"compared": 0, "agreed": 0, "reference_only": 0, "candidate_only": 0,
                      "confusion": Counter()} for t in TESTS}
        self.discordant = Counter()
        self.ref_only = Counter()
        self.cand_only = Counter()
        self.date_mm = Counter()
        self.refused_rows = 0

    def pair(self, test, ref, cand, key):
        s = self.t[test]
        s["compared"] += 1
        s["confusion"][(ref, cand)] += 1
        if ref == cand:
            s["agreed"] += 1
        else:
            self.discordant[key + (ref, cand)] += 1


def compare_stats(P, label, mine, got, cmpdir, index, subject_visits):
    """Compare Stats `mine` with comparison `index` of CMPDIR."""
    c = got["comparisons"][index]
    for test in TESTS:
        m = mine.t[test]
        g = c["tests"].get(test)
        if g is None:
            if m["compared"] or m["reference_only"] or m["candidate_only"]:
                P(f"{label}: {test} missing from comparison.json; model {m}")
            continue
        for k in ("compared", "agreed", "reference_only", "candidate_only"):
            if g[k] != m[k]:
                P(f"{label}: {test} {k}: engine {g[k]} model {m[k]}")
        labels = g["confusion"]["reference_rows_candidate_columns"]
        gc = Counter()
        for i, a in enumerate(labels):
            for j, b in enumerate(labels):
                if g["confusion"]["counts"][i][j]:
                    gc[(a, b)] = g["confusion"]["counts"][i][j]
        if gc != +m["confusion"]:
            P(f"{label}: {test} confusion differs: engine-only {dict(gc - m['confusion'])} "
              f"model-only {dict(m['confusion'] - gc)}")
        mlabels = sorted({x for p in m["confusion"] for x in p}, key=ORDER.index)
        if [x for x in labels if x in mlabels] != mlabels:
            P(f"{label}: {test} matrix labels {labels}, model {mlabels}")
        if m["compared"]:
            pct = round(100 * m["agreed"] / m["compared"], 2)
            if g.get("agreement_pct") is None or abs(g["agreement_pct"] - pct) > 0.006:
                P(f"{label}: {test} agreement_pct engine {g.get('agreement_pct')} model {pct}")
            k = kappa(m["confusion"], mlabels)
            if (g.get("kappa") is None) != (k is None) or (k is not None and abs(g["kappa"] - k) > 0.00006):
                P(f"{label}: {test} kappa engine {g.get('kappa')} model {k}")
    nd = sum(mine.discordant.values())
    if c.get("discordant") != nd:
        P(f"{label}: discordant engine {c.get('discordant')} model {nd}")
    # discordant.jsonl
    gd = Counter()
    gu = {"reference": Counter(), "candidate": Counter()}
    for l in open(f"{cmpdir}/discordant.jsonl", encoding="utf-8"):
        e = json.loads(l)
        if e["comparison"] != index:
            continue
        ev = e["evaluator"].upper()
        if e["test"] == "BESTRESP":
            vk = None
        else:
            v = resolve(subject_visits(e["subject"], ev), e.get("visitnum") or "",
                        e.get("visit") or "", e.get("date") or "")
            vk = v.key if v else ("?", e.get("visitnum"), e.get("visit"), e.get("date"))
        gd[(e["subject"], ev, vk, e["test"], e["reference"], e["candidate"])] += 1
    if gd != mine.discordant:
        a, b = gd - mine.discordant, mine.discordant - gd
        P(f"{label}: discordant.jsonl differs: {sum(a.values())} engine-only, {sum(b.values())} "
          f"model-only; e.g. engine {list(a)[:3]} model {list(b)[:3]}")
    for l in open(f"{cmpdir}/unmatched.jsonl", encoding="utf-8"):
        e = json.loads(l)
        if e["comparison"] == index:
            gu[e["side"]][e["test"]] += 1
    for side, mc in (("reference", mine.ref_only), ("candidate", mine.cand_only)):
        if +gu[side] != +mc:
            P(f"{label}: unmatched.jsonl {side} lines per test {dict(gu[side])} model {dict(mc)}")
    check_md(P, label, c, cmpdir, index)
    return c


def check_md(P, label, c, cmpdir, index):
    """comparison.md's table and sentences of comparison `index` say what comparison.json does."""
    md = open(f"{cmpdir}/comparison.md", encoding="utf-8").read()
    parts = re.split(r"^## Comparison (\d+)", md, flags=re.M)
    sec = dict(zip(parts[1::2], parts[2::2])).get(str(index))
    if sec is None:
        P(f"{label}: comparison.md has no section {index}")
        return
    for test, g in c["tests"].items():
        m = re.search(rf"^\| {test} \| (\d+) \| (\d+) \| [^|]* \| [^|]* \| (\d+) \| (\d+) \|", sec, re.M)
        want = (g["compared"], g["agreed"], g["reference_only"], g["candidate_only"])
        if not m or tuple(map(int, m.groups())) != want:
            P(f"{label}: comparison.md row of {test} {m and m.group(0)!r} != comparison.json {want}")
    m = re.search(r"(\d+) discordant values", sec)
    if not m or int(m[1]) != c["discordant"]:
        P(f"{label}: comparison.md discordant sentence != {c['discordant']}")
    if "date_mismatches" in c:
        m = re.search(r"(\d+) recorded rows dated outside", sec)
        if c["date_mismatches"] and (not m or int(m[1]) != c["date_mismatches"]):
            P(f"{label}: comparison.md date-mismatch sentence != {c['date_mismatches']}")


def run_recorded(a, P):
    got = json.load(open(f"{a.out}/comparison.json"))
    summ = json.load(open(f"{a.out}/summary.json"))
    sets = [s for s in summ["rule_sets"] if s["role"] != "compared"]
    cats = [s["rscat"].upper() for s in sets]
    tr = tr_visits(a.tr)
    eng = engine_rs(f"{a.out}/rs.csv")
    refused = refused_units(a.out)
    subjects_tr = {s for s, _ in tr}
    cnt = Counter(read=0, used=0, refused=0, tests_not_compared=0, other_category=0)
    my_err = Counter()  # (line, code)
    # ---- pass 1: row-level reading
    rows = []
    for line, r in read_csv(a.recorded):
        cnt["read"] += 1
        if r is None:
            cnt["refused"] += 1
            my_err[(line, "malformed-row")] += 1
            continue
        test = r.get("RSTESTCD", "").strip().upper()
        if test not in TESTS:
            cnt["tests_not_compared"] += 1
            continue
        cat = r.get("RSCAT", "").strip().upper()
        if cat and cat not in cats:
            cnt["other_category"] += 1
            continue
        subj = r.get("USUBJID", "").strip()
        orres, stresc = norm_value(r.get("RSORRES", "")), norm_value(r.get("RSSTRESC", ""))
        val = stresc or orres
        dtc = r.get("RSDTC", "").strip()
        d = parse_date(dtc) if dtc else None
        span = (d, d)
        if dtc and d is None and a.partial_dates != "refuse":
            span = partial_span(dtc)
            if span:
                d = span[0] if a.partial_dates == "first" else span[1]
        code = None
        if not subj:
            code = "no-subject"
        elif dtc and d is None:
            code = "partial-date" if re.match(r"^\d{4}(-\d{2})?$", dtc) else "bad-date"
        elif val not in WORDS[test]:
            code = "unknown-response"
        elif orres in WORDS[test] and stresc in WORDS[test] and orres != stresc:
            code = "orres-stresc-disagree"
        if code:
            cnt["refused"] += 1
            my_err[(line, code)] += 1
            continue
        rows.append(dict(line=line, subj=subj, ev=evaluator(r.get("RSEVAL", ""), r.get("RSEVALID", "")),
                         test=test, cat=cat, val=val, vnum=r.get("VISITNUM", "").strip(),
                         visit=r.get("VISIT", "").strip(), dtc=d or "", dtc_raw=dtc, span=span))
    # ---- pass 2: records (per rule set) and duplicates
    recs = defaultdict(list)  # (ci, subj, ev, test, visit key) -> rows
    for row in rows:
        unit = (row["subj"], row["ev"])
        visits = tr.get(unit, {})
        if row["test"] == "BESTRESP":
            v, vk = None, None
        else:
            v = resolve(visits, row["vnum"], row["visit"], row["dtc"])
            vk = v.key if v else ("raw",) + vkey(row["vnum"], row["visit"], row["dtc"])
        row["v"] = v
        row["rank"] = (0 if row["vnum"] else 1 if row["visit"] else 2, 0 if row["cat"] else 1, row["line"])
        for ci, c in enumerate(cats):
            if row["cat"] in ("", c):
                recs[(ci,) + unit + (row["test"], vk)].append(row)
    kept = defaultdict(list)  # ci -> [(row, visit key)]
    bad_lines = {}
    for key, rs in recs.items():
        if len({r["val"] for r in rs}) > 1:
            for r in rs:
                bad_lines[r["line"]] = "conflicting-values"
        elif len(rs) > 1:
            rs.sort(key=lambda r: r["rank"])
            for r in rs[1:]:
                bad_lines.setdefault(r["line"], "duplicate-row")
    for line, code in bad_lines.items():
        my_err[(line, code)] += 1
        cnt["refused"] += 1
    for key, rs in recs.items():
        rs = [r for r in rs if r["line"] not in bad_lines]
        if rs:
            kept[key[0]].append((rs[0], key[-1]))
    cnt["used"] = len({r["line"] for r in rows} - set(bad_lines))
    # ---- counts of rows
    g = summ["rows"]["RS_recorded"]
    for k in cnt:
        if g.get(k) != cnt[k]:
            P(f"RS_recorded.{k}: engine {g.get(k)} model {cnt[k]}")
    # ---- errors.jsonl lines of the recorded file
    ge = Counter()
    for l in open(f"{a.out}/errors.jsonl", encoding="utf-8"):
        e = json.loads(l)
        if e.get("level") == "row" and e.get("file") and (
                e["file"] == a.recorded or os.path.basename(e["file"]) == os.path.basename(a.recorded)):
            ge[(e["row"], e["code"])] += 1
    mine_lines = Counter(l for l, _ in my_err.elements())
    got_lines = Counter(l for l, _ in ge.elements())
    if mine_lines != got_lines:
        P(f"errors.jsonl recorded-row lines: engine-only {sorted((got_lines - mine_lines).elements())[:10]} "
          f"model-only {sorted((mine_lines - got_lines).elements())[:10]}")
    mcodes = {l: c for l, c in my_err}
    for (l, c) in ge:
        if l in mcodes and mcodes[l] != c and not (mcodes[l], c) in (("no-subject", None), ("bad-date", None), ("malformed", None)):
            P(f"errors.jsonl line {l}: engine code {c}, model {mcodes[l]}")
    # ---- per comparison
    gmm = Counter()
    for l in open(f"{a.out}/date_mismatches.jsonl", encoding="utf-8"):
        e = json.loads(l)
        v = resolve(tr.get((e["subject"], e["evaluator"].upper()), {}), e.get("visitnum") or "",
                    e.get("visit") or "", e.get("recorded_date") or "")
        gmm[(e["comparison"], e["subject"], e["evaluator"].upper(), e["test"], v.key if v else None,
             e["recorded_date"], e["engine_date"], tuple(e["engine_scan_dates"]))] += 1
    mmm = Counter()
    idx_of = {ci: next((i for i, x in enumerate(got["comparisons"]) if x["reference"].startswith("recorded ")
                        and x["candidate"].startswith(s["id"] + " ")), None) for ci, s in enumerate(sets)}
    for ci, c in enumerate(cats):
        st = Stats()
        units = eng.get(c, {})
        matched = set()
        for row, vk in kept[ci]:
            unit = (row["subj"], row["ev"])
            t = row["test"]
            if unit in refused or (row["subj"] in {s for s, _ in refused} and unit not in units and unit in tr):
                st.refused_rows += 1
                continue
            u = units.get(unit)
            if t == "BESTRESP":
                if u is None or u["best"] is None:
                    st.t[t]["reference_only"] += 1
                    st.ref_only[t] += 1
                    continue
                matched.add((unit, None, t))
                st.pair(t, row["val"], u["best"], (row["subj"], row["ev"], None, t))
                continue
            v = row["v"]
            ev_visit = u["visits"].get(v.key) if (u and v) else None
            if v is not None and row["dtc"] and (row["span"][1] < v.lo() or row["span"][0] > v.hi()):
                mmm[(idx_of[ci], row["subj"], row["ev"], t, v.key, row["dtc"] if row["span"][0] != row["span"][1] else row["dtc_raw"], v.date, (v.lo(), v.hi()))] += 1
            if ev_visit is None or (t not in ev_visit.values and t not in ("TRGRESP", "NTRGRESP")):
                st.t[t]["reference_only"] += 1
                st.ref_only[t] += 1
                continue
            cand = ev_visit.values.get(t, "NA")
            matched.add((unit, v.key, t))
            st.pair(t, row["val"], cand, (row["subj"], row["ev"], v.key, t))
        for unit, u in units.items():
            if unit in refused:
                continue
            for k, vis in u["visits"].items():
                for t, val in vis.values.items():
                    if (unit, k, t) not in matched:
                        st.t[t]["candidate_only"] += 1
                        st.cand_only[t] += 1
            if u["best"] is not None and (unit, None, "BESTRESP") not in matched:
                st.t["BESTRESP"]["candidate_only"] += 1
                st.cand_only["BESTRESP"] += 1
        idx = [i for i, x in enumerate(got["comparisons"]) if x["reference"].startswith("recorded ")
               and x["candidate"].startswith(sets[ci]["id"] + " ")]
        if len(idx) != 1:
            P(f"comparison.json: {len(idx)} comparisons of recorded RS with {sets[ci]['id']}")
            continue
        label = f"{a.out} comparison {idx[0]} ({c})"
        gc = compare_stats(P, label, st, got, a.out, idx[0], lambda s, e: tr.get((s, e), {}))
        if gc.get("reference_rows_of_refused_subjects") != st.refused_rows:
            P(f"{label}: reference_rows_of_refused_subjects engine "
              f"{gc.get('reference_rows_of_refused_subjects')} model {st.refused_rows}")
        nmm = sum(n for k, n in mmm.items() if k[0] == idx[0])
        if gc.get("date_mismatches") != nmm:
            P(f"{label}: date_mismatches engine {gc.get('date_mismatches')} model {nmm}")
        print(f"   {label}: model " + ", ".join(
            f"{t} {st.t[t]['agreed']}/{st.t[t]['compared']} ro {st.t[t]['reference_only']} co {st.t[t]['candidate_only']}"
            for t in TESTS) + f"; discordant {sum(st.discordant.values())}; date mismatches {nmm}; "
            f"refused-subject rows {st.refused_rows}")
    if gmm != mmm:
        P(f"date_mismatches.jsonl differs: engine-only {list(gmm - mmm)[:3]} model-only {list(mmm - gmm)[:3]}")
    if mmm and not any("date" in w.lower() or "dated" in w.lower() for w in map(str, summ.get("warnings", []))):
        P("date mismatches but no warning in summary.json")
    print(f"   rows: {dict(cnt)}; refused by code {dict(Counter(c for _, c in my_err))}")


def run_against(a, P):
    got = json.load(open(f"{a.out}/comparison.json"))
    def load(d):
        e = engine_rs(f"{d}/rs.csv")
        if len(e) != 1:
            P(f"{d}: rs.csv holds {len(e)} RSCATs; give one rule set per run")
        return next(iter(e.values())), refused_units(d)
    ref, ref_refused = load(a.ref)
    cand, cand_refused = load(a.cand)
    st = Stats()
    ref_vals_refused = cand_vals_refused = 0
    sr = Counter()
    units = set(ref) | set(cand) | ref_refused | cand_refused
    for unit in units:
        rr, cr = unit in ref_refused, unit in cand_refused
        if rr or cr:
            sr["both" if rr and cr else "reference_only" if rr else "candidate_only"] += 1
            if cr and not rr and unit in ref:
                u = ref[unit]
                ref_vals_refused += sum(len(v.values) for v in u["visits"].values()) + (u["best"] is not None)
            if rr and not cr and unit in cand:
                u = cand[unit]
                cand_vals_refused += sum(len(v.values) for v in u["visits"].values()) + (u["best"] is not None)
            continue
        ru, cu = ref.get(unit), cand.get(unit)
        rv = ru["visits"] if ru else {}
        cv = cu["visits"] if cu else {}
        for k in set(rv) | set(cv):
            a_, b_ = rv.get(k), cv.get(k)
            for t in TESTS[:4]:
                x = a_.values.get(t) if a_ else None
                y = b_.values.get(t) if b_ else None
                if a_ and b_ and t in ("TRGRESP", "NTRGRESP"):
                    x, y = x or "NA", y or "NA"
                    if x == y == "NA":
                        continue
                if x is not None and y is not None:
                    st.pair(t, x, y, (unit[0], unit[1], k, t))
                elif x is not None:
                    st.t[t]["reference_only"] += 1
                    st.ref_only[t] += 1
                elif y is not None:
                    st.t[t]["candidate_only"] += 1
                    st.cand_only[t] += 1
        x, y = (ru or {}).get("best"), (cu or {}).get("best")
        if x is not None and y is not None:
            st.pair("BESTRESP", x, y, (unit[0], unit[1], None, "BESTRESP"))
        elif x is not None:
            st.t["BESTRESP"]["reference_only"] += 1
            st.ref_only["BESTRESP"] += 1
        elif y is not None:
            st.t["BESTRESP"]["candidate_only"] += 1
            st.cand_only["BESTRESP"] += 1

    def subject_visits(s, e):
        u = ref.get((s, e)) or cand.get((s, e)) or {"visits": {}}
        vs = dict(u["visits"])
        for k, v in (cand.get((s, e)) or {"visits": {}})["visits"].items():
            vs.setdefault(k, v)
        for v in vs.values():
            if v.num is None and v.key[0] == "N":
                v.num = v.key[1]
        return vs
    idx = [i for i, x in enumerate(got["comparisons"]) if not x["reference"].startswith("recorded ")]
    if a.index is not None:
        idx = [a.index]
    if len(idx) != 1:
        P(f"comparison.json: {len(idx)} comparisons of rule sets; give --index")
        return
    label = f"{a.out} comparison {idx[0]}"
    gc = compare_stats(P, label, st, got, a.out, idx[0], subject_visits)
    for k, m in (("reference_rows_of_refused_subjects", ref_vals_refused),
                 ("candidate_values_of_refused_subjects", cand_vals_refused)):
        if gc.get(k, 0) != m:
            P(f"{label}: {k} engine {gc.get(k)} model {m}")
    gs = gc.get("subject_evaluators_refused", {})
    for k in ("reference_only", "candidate_only", "both"):
        if gs.get(k, 0) != sr[k]:
            P(f"{label}: subject_evaluators_refused.{k} engine {gs.get(k)} model {sr[k]}")
    n_dm = sum(1 for l in open(f"{a.out}/date_mismatches.jsonl") if json.loads(l)["comparison"] == idx[0])
    if n_dm:
        P(f"{label}: date_mismatches.jsonl has {n_dm} lines comparing rule sets")
    print(f"   {label}: model " + ", ".join(
        f"{t} {st.t[t]['agreed']}/{st.t[t]['compared']} ro {st.t[t]['reference_only']} co {st.t[t]['candidate_only']}"
        for t in TESTS) + f"; discordant {sum(st.discordant.values())}; refused units {dict(sr)}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="mode", required=True)
    r = sub.add_parser("recorded")
    r.add_argument("--tr", required=True)
    r.add_argument("--recorded", required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--partial-dates", choices=["refuse", "first", "last"], default="refuse")
    g = sub.add_parser("against")
    g.add_argument("--ref", required=True)
    g.add_argument("--cand", required=True)
    g.add_argument("--out", required=True)
    g.add_argument("--index", type=int, help="the comparison in comparison.json (default: the one rule-set comparison)")
    a = ap.parse_args()
    probs = []
    try:
        if json.load(open(f"{a.out}/summary.json")).get("comparisons") != json.load(open(f"{a.out}/comparison.json"))["comparisons"]:
            probs.append("summary.json comparisons != comparison.json comparisons")
    except FileNotFoundError as e:
        probs.append(f"missing output: {e.filename}")
    (run_recorded if a.mode == "recorded" else run_against)(a, probs.append)
    print(f"== {a.out}: {len(probs)} difference(s)")
    for p in probs[:60]:
        print("  ", p)
    sys.exit(1 if probs else 0)


if __name__ == "__main__":
    main()
