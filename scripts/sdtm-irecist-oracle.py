#!/usr/bin/env python3
"""An independent model of `recist batch --rules irecist` reading SDTM TU/TR/DM, end to end:
random subjects written as SDTM rows, the engine's rs.csv compared with the iRECIST model of
scripts/irecist-oracle.py (`model`, written from the rules reference section 3 and DESIGN.md's
iRECIST readings, not from the engine), and with `--rules recist-1.1 --rules irecist` on the
same files, each RSCAT's rows with its own model (RECIST 1.1: scripts/r11-oracle.py).

Subjects are the iRECIST oracle's (`gen_case`: targets T1 lung and T2 liver or none,
non-targets NT1 bone and NT2 pleura, spells of complete response and disease seen again, new
lesions in lung, brain, skin or neck nodes that appear, grow, shrink, are not listed, equivocal
first, `increased` or `progression`; follow-ups 10-70 days apart, so that scans fall before,
inside and after the confirmation window; iUPD by target growth, by a new lesion and by
non-target progression, confirmed or reset), moved to a random baseline date, with no new
anticancer therapy (SDTM TU/TR/DM hold none), written as SDTM (cdisc.md, docs/batch.md):
- TU: `TARGET`/`NON-TARGET` at the baseline visit, a `NEW` row at the visit where a new lesion
  is first listed (by VISITNUM; on some rows VISIT alone or TUDTC alone), sometimes again later;
  one in ten new lesions has no TR finding at its TU visit (no row, or `NOT DONE`): new there
  with no diameter (the model's listing has none: an NLNT, a node without a short axis); a new
  lesion not listed at a later visit has a `TUMSTATE ABSENT` row, a `NOT DONE` row or none;
- TR: targets by `LDIAM` (`DIAMETER` on some rows; 0 mm or `TUMSTATE ABSENT` when gone, `TRSTAT NOT DONE` when not
  evaluated); non-targets by `TUMSTATE` `PRESENT`, `ABSENT`, `UNEQUIVOCAL PROGRESSION`,
  `INCREASED` (iRECIST: grew since the previous assessment, IR-CPD-NT; RECIST 1.1: present),
  `EQUIVOCAL` (present, with a warning),
  `NOT DONE` or `NOT EVALUABLE`; new lesions at every listing by `LDIAM` (a node by `LPERP`, or
  `TUMSTATE PRESENT` without a short axis), `TUMSTATE EQUIVOCAL` while equivocal (no diameter:
  the model's listing is given none either), and a lesion with a diameter marked `INCREASED` or
  `UNEQUIVOCAL PROGRESSION` by a TUMSTATE row beside its `LDIAM` (docs/batch.md: growth and
  unequivocal progression of a new lesion under iRECIST, present under RECIST 1.1); a node's
  short axis never has a state beside it (a state wins over a measurement); a lesion listed
  again is on some rows given by its state alone (`PRESENT`, `INCREASED`, `UNEQUIVOCAL
  PROGRESSION`: no diameter, so an NLT sum is unknown there);
- DM: RFSTDTC 0-13 days after baseline and before the first follow-up (the model's treatment
  start; a scan on or before it is no follow-up, R11-BOR-DEF, which neither model reads), or no
  DM row (days from the baseline assessment);
- TREVAL empty or `INVESTIGATOR`; for one subject in six an `INDEPENDENT ASSESSOR` (TREVALID
  `RADIOLOGIST 1` or none) reading a course of its own, adjudicated apart;
- each subject's rows shuffled; on seeds divisible by 4 all rows shuffled (the engine's
  in-memory mode).
Not modelled here: refusals, units, visit spellings (scripts/sdtm-oracle.py covers them).

Compared per subject and follow-up visit (VISITNUM): TRGRESP (when the subject has targets),
NTRGRESP, NEWLIND (RECIST 1.1's words under every reading, docs/batch.md: the model's RECIST 1.1
components, `parts`), OVRLRESP (iRECIST's words under RSCAT `iRECIST`), VISIT and RSDTC; per
subject BESTRESP: the confirmed best overall response (docs/batch.md "NEWLIND and BESTRESP":
irecist extends recist-1.1, whose `confirmation.required` is true), i.e. the iBOR window of the
model (to the first iCPD, the iUPDs of its block counting as iCPD; iSD/NON-iCR/NON-iUPD before
day 42 NE) with iCR/iPR confirmed as R11-CONF-* confirms CR/PR (DESIGN.md: "The confirmed best
response confirms iCR/iPR as CR/PR are; an iUPD between breaks the confirmation"): a later iCR
(iCR or iPR for iPR) at least 28 days on, at most one NE between, anything else breaking it;
unconfirmed, iSD (NON-iCR/NON-iUPD without targets) from day 42, else NE. RSSEQ must run 1..n
per subject, RSCAT be the rule set's, summary.json count every subject and subject × evaluator
adjudicated and reconcile, errors.jsonl be empty.

Usage: scripts/sdtm-irecist-oracle.py [SEED [COUNT [KEY=VALUE...]]]   (engine: $RECIST,
  default target/debug/recist). KEY=VALUE are the iRECIST oracle's overrides (its usage lists
  them), read by the model and given to the engine as that oracle does (protocol parameters by
  `--set`, the others by a modified copy of rules/irecist.yaml, RSCAT still `iRECIST`).
  BOTH=0 skips the run with both rule sets; RECORDED=0 the comparisons with recorded RS giving
  the model's values (RSCAT iRECIST, IRECIST or none; with both rule sets RECIST 1.1 rows too;
  spelled `ICR`, `Non-iCR / Non-iUPD`, `NOT EVALUABLE`, `YES`...: every value must be compared
  and agree, and no note say the sides answer in two vocabularies); KEEP=1 keeps the files.
Prints the first mismatches with the subject's rows and a tally of the values compared; exit 1
if any mismatch.
"""

import csv
import datetime as dt
import json
import os
import random
import shutil
import sys
import tempfile
import time
from fractions import Fraction as F

import oracle_run

SEED, COUNT, SETS, RECIST = oracle_run.arguments()
IR = oracle_run.load("irecist_oracle", "irecist-oracle.py")  # draws its subjects from SEED
R11 = oracle_run.load("r11_oracle", "r11-oracle.py")
SO = oracle_run.load("sdtm_oracle", "sdtm-oracle.py")  # write_study (its own columns and writer)
R = random.Random("sdtm-irecist-%d" % SEED)
BOTH = os.environ.get("BOTH", "1") != "0"
COVER = {}  # iRECIST paths taken (printed)
RECORDED = os.environ.get("RECORDED", "1") != "0"

TU_COLS = ["STUDYID", "DOMAIN", "USUBJID", "TUSEQ", "TULNKID", "TUTESTCD", "TUTEST", "TUORRES",
           "TUSTRESC", "TULOC", "TUMETHOD", "TUEVAL", "TUEVALID", "VISITNUM", "VISIT", "TUDTC"]
TR_COLS = ["STUDYID", "DOMAIN", "USUBJID", "TRSEQ", "TRGRPID", "TRLNKID", "TRTESTCD", "TRTEST",
           "TRORRES", "TRORRESU", "TRSTRESC", "TRSTRESN", "TRSTRESU", "TRSTAT", "TRREASND",
           "TRMETHOD", "TREVAL", "TREVALID", "VISITNUM", "VISIT", "TRDTC"]
DM_COLS = ["STUDYID", "DOMAIN", "USUBJID", "SUBJID", "RFSTDTC", "SITEID", "AGE", "AGEU", "SEX"]
LOC = {"T1": "LUNG", "T2": "LIVER", "NT1": "BONE", "NT2": "PLEURA", "lung": "LUNG",
       "brain": "BRAIN", "skin": "SKIN", "neck node": "CERVICAL LYMPH NODE"}
TESTNAME = {"LDIAM": "Longest Diameter", "LPERP": "Longest Perpendicular", "DIAMETER": "Diameter",
            "TUMSTATE": "Tumor State"}
NEWL = {"NO": "N", "YES": "Y", "EQUIVOCAL": "U"}
TESTS = ("TRGRESP", "NTRGRESP", "NEWLIND", "OVRLRESP")
RANK = {"iCR": 8, "iPR": 7, "iSD": 6, "NON-iCR/NON-iUPD": 5, "iUPD": 3, "iCPD": 2, "NE": 1}


def vary(w):
    """A word as some rows write it: values are compared trimmed and case-insensitively."""
    return w if R.random() >= 0.1 else R.choice([w.lower(), w.title(), " " + w])


def cover(out, parts, c):
    """Counts the iRECIST paths a subject takes: what started each iUPD (from the RECIST 1.1
    components there), whether it was confirmed, reset or left pending, and how far after it."""
    dates = [dt.date.fromisoformat(a["date"]) for a in c["assessments"][1:]]
    start = None
    for i, (o, (tg, nt, nl)) in enumerate(zip(out, parts)):
        prev = out[i - 1] if i else None
        if o == "iUPD" and prev != "iUPD":
            start = i
            why = "+".join(w for w, on in (("target", tg == "PD"), ("non-target", nt == "PD"),
                                           ("new lesion", nl == "YES")) if on) or "other"
            COVER["iUPD by " + why] = COVER.get("iUPD by " + why, 0) + 1
        elif start is not None and o != "iUPD":
            days = (dates[i] - dates[start]).days
            when = "before the window" if days < 26 else "inside it" if days <= 58 else "after it"
            key = ("confirmed (iCPD) " if o == "iCPD" else "reset " if o != "NE" else "NE ") + when
            COVER[key] = COVER.get(key, 0) + 1
            start = None if o != "NE" else start
            if o == "iCPD":
                break
    if start is not None and out[-1] == "iUPD":
        COVER["iUPD pending at the last scan"] = COVER.get("iUPD pending at the last scan", 0) + 1
    if any(o == "iCR" for o in out) and any(o == "iUPD" for o in out[out.index("iCR"):]):
        COVER["iUPD after an iCR"] = COVER.get("iUPD after an iCR", 0) + 1


def num(v):
    return f"{float(v):.3f}".rstrip("0").rstrip(".")


def prepare(k):
    """The iRECIST oracle's cases of subject `k`, one per evaluator (an independent reader
    beside the investigator for one subject in six, reading a course of its own), made what
    SDTM can say: dates moved (alike), no new therapy, an equivocal listing with no diameter,
    no state beside a node's short axis, `progression` rather than both words; one treatment
    start (DM) for all."""
    evs = [R.choice([("INVESTIGATOR", ""), ("", ""), ("INVESTIGATOR", "")])]
    if R.random() < 1 / 6:
        evs.append(("INDEPENDENT ASSESSOR", R.choice(["RADIOLOGIST 1", ""])))
    shift = dt.timedelta(days=R.randint(0, 900))
    cases = [one_case(k, shift, ev) for ev in evs]
    base = dt.date.fromisoformat(cases[0]["assessments"][0]["date"])
    has_dm = R.random() < 0.9
    # before the first follow-up (a scan on or before treatment start is no follow-up,
    # R11-BOR-DEF: neither model reads such a scan)
    first = min((dt.date.fromisoformat(c["assessments"][1]["date"]) - base).days for c in cases)
    ts = str(base + dt.timedelta(days=R.choice(
        [d for d in (0, 1, 1, 1, 3, 7, 13) if d < first])) if has_dm else base)
    for i, c in enumerate(cases):
        c["treatment_start"], c["dm_row"] = ts, has_dm and i == 0
    return cases


def one_case(k, shift, ev):
    c = IR.gen_case(k)
    c.pop("follow_up", None)
    c["ev"] = ev
    first_seen = set()
    for a in c["assessments"]:
        a["date"] = str(dt.date.fromisoformat(a["date"]) + shift)
        for x in a.get("new_lesions", []):
            if x["id"] not in first_seen and not x.get("equivocal") and R.random() < 0.1:
                # identified in TU with no TR finding there (no row, or NOT DONE): new at its
                # TU visit, with no diameter (docs/batch.md)
                x["tu_only"] = R.choice(["no row", "not done"])
                for key in ("long_axis", "short_axis", "increased", "progression"):
                    x.pop(key, None)
            elif x["id"] in first_seen and not x.get("nodal") and not x.get("equivocal") \
                    and R.random() < 0.1:
                x["state_only"] = True  # listed again by its state alone, no diameter
                x.pop("long_axis", None)
            first_seen.add(x["id"])
            if x.get("equivocal"):
                for key in ("long_axis", "short_axis", "increased", "progression"):
                    x.pop(key, None)
            elif x.get("nodal") and x.get("short_axis") is not None:
                x.pop("increased", None)
                x.pop("progression", None)
            if x.get("progression"):
                x.pop("increased", None)
    return c


def write_subject(c, sid):
    """TU, TR and DM rows of case `c` for subject `sid`, and (per follow-up) the visit's
    VISITNUM, VISIT and date; also the RECIST 1.1 model's case (scripts/r11-oracle.py)."""
    tu, tr, dm = [], [], []
    ev = c["ev"]
    first = c["assessments"][0]["findings"]
    tids = [t for t in ("T1", "T2") if t in first]
    nids = ["NT1", "NT2"]

    def tu_row(lid, role, loc, vnum, vname, day):
        tu.append(dict(STUDYID="SIRC", DOMAIN="TU", USUBJID=sid, TULNKID=lid, TUTESTCD="TUMIDENT",
                       TUTEST="Tumor Identification", TUORRES=role, TUSTRESC=role, TULOC=loc,
                       TUMETHOD="CT SCAN", TUEVAL=ev[0], TUEVALID=ev[1], VISITNUM=vnum,
                       VISIT=vname, TUDTC=day))

    def tr_row(grp, lid, test, vnum, vname, day, res=None, mm=None, not_done=False):
        r = dict(STUDYID="SIRC", DOMAIN="TR", USUBJID=sid, TRGRPID=grp, TRLNKID=lid,
                 TRTESTCD=test, TRTEST=TESTNAME[test], TRMETHOD="CT SCAN", TREVAL=ev[0],
                 TREVALID=ev[1], VISITNUM=vnum, VISIT=vname, TRDTC=day)
        if not_done:
            r.update(TRSTAT="NOT DONE", TRREASND="SCAN NOT PERFORMED")
        elif mm is not None:
            r.update(TRORRES=num(mm), TRORRESU="mm", TRSTRESC=num(mm), TRSTRESN=num(mm), TRSTRESU="mm")
        else:
            r.update(TRORRES=res, TRSTRESC=res)
        tr.append(r)

    for t in tids:
        tu_row(t, "TARGET", LOC[t], "1", "SCREENING", c["assessments"][0]["date"])
    for n in nids:
        tu_row(n, "NON-TARGET", LOC[n], "1", "SCREENING", c["assessments"][0]["date"])
    seen_new = set()
    visits = []  # (VISITNUM, VISIT, date) per assessment
    r11_visits = []
    for vi, a in enumerate(c["assessments"]):
        vnum, vname, day = str(vi + 1), "SCREENING" if vi == 0 else "WEEK %d" % vi, a["date"]
        n_rows = len(tr)
        f, f11, new11 = a["findings"], {}, []
        for t in tids:
            v = f[t]
            if isinstance(v, dict):
                tr_row("TARGET", t, "LDIAM" if R.random() < 0.9 else "DIAMETER", vnum, vname, day,
                       mm=F(str(v["long_axis"])))
                f11[t] = ("m", F(str(v["long_axis"]))) if v["long_axis"] else ("absent",)
            elif v == "absent":
                if R.random() < 0.5:
                    tr_row("TARGET", t, "LDIAM", vnum, vname, day, mm=0)
                else:
                    tr_row("TARGET", t, "TUMSTATE", vnum, vname, day, res="ABSENT")
                f11[t] = ("absent",)
            else:  # not evaluated
                if R.random() < 0.7:
                    tr_row("TARGET", t, "LDIAM", vnum, vname, day, not_done=True)
                    f11[t] = ("ne",)
                else:
                    f11[t] = ("omit",)
        for n in nids:
            v = f[n]
            if isinstance(v, dict):
                tr_row("NON-TARGET", n, "TUMSTATE", vnum, vname, day,
                       res=vary(R.choice(["INCREASED", "INCREASED", "FURTHER INCREASE",
                                          "INCREASED FROM LAST ASSESSMENT"])))
                f11[n] = ("present",)
            elif v == "not-evaluated":
                x = R.random()
                if x < 0.5:
                    tr_row("NON-TARGET", n, "TUMSTATE", vnum, vname, day, not_done=True)
                    f11[n] = ("not-evaluated",)
                elif x < 0.75:
                    tr_row("NON-TARGET", n, "TUMSTATE", vnum, vname, day, res="NOT EVALUABLE")
                    f11[n] = ("not-evaluated",)
                else:
                    f11[n] = ("omit",)
            else:
                word = {"present": "PRESENT" if R.random() < 0.95 else "EQUIVOCAL", "absent": "ABSENT",
                        "progression": R.choice(["UNEQUIVOCAL PROGRESSION", "UNEQUIVOCAL"])}[v]
                tr_row("NON-TARGET", n, "TUMSTATE", vnum, vname, day, res=vary(word))
                f11[n] = (v,)
        for x in a.get("new_lesions", []):
            i, nodal = x["id"], x.get("nodal", False)
            if i not in seen_new or R.random() < 0.05:  # listed in TU again: new there too
                seen_new.add(i)
                how = R.random()
                tu_row(i, "NEW", LOC[x["site"]], vnum if how < 0.85 else "",
                       vname if how < 0.93 else "", day)
            if x.get("tu_only"):
                if x["tu_only"] == "not done":
                    tr_row("NEW", i, "LPERP" if nodal else "LDIAM", vnum, vname, day, not_done=True)
                new11.append((i, False, None) if nodal else (i, False))
                continue
            if x.get("equivocal"):
                tr_row("NEW", i, "TUMSTATE", vnum, vname, day, res=vary("EQUIVOCAL"))
                new11.append((i, True, None) if nodal else (i, True))
                continue
            sa = x.get("short_axis")
            if nodal and sa is not None:
                tr_row("NEW", i, "LPERP", vnum, vname, day, mm=F(str(sa)))
                new11.append((i, False, F(str(sa))))
                continue
            if nodal or x.get("state_only"):
                state = ("UNEQUIVOCAL PROGRESSION" if x.get("progression") else
                         "INCREASED" if x.get("increased") else "PRESENT")
                tr_row("NEW", i, "TUMSTATE", vnum, vname, day, res=vary(state))
                new11.append((i, False, None) if nodal else (i, False))
                continue
            tr_row("NEW", i, "LDIAM", vnum, vname, day, mm=F(str(x["long_axis"])))
            if x.get("progression"):
                tr_row("NEW", i, "TUMSTATE", vnum, vname, day, res=vary("UNEQUIVOCAL PROGRESSION"))
            elif x.get("increased"):
                tr_row("NEW", i, "TUMSTATE", vnum, vname, day, res=vary(R.choice(
                    ["INCREASED", "FURTHER INCREASE"])))
            new11.append((i, False))
        listed = {x["id"] for x in a.get("new_lesions", [])}
        for i in sorted(seen_new - listed):  # a new lesion not seen here: ABSENT, NOT DONE or no row
            x = R.random()
            if x < 0.4:
                tr_row("NEW", i, "TUMSTATE", vnum, vname, day, res=vary("ABSENT"))
            elif x < 0.5:
                tr_row("NEW", i, "TUMSTATE", vnum, vname, day, not_done=True)
        if vi > 0 and any(r["TRGRPID"] != "NEW" and r["TRDTC"] == day for r in tr[n_rows:]) \
                and R.random() < 0.2:  # new lesions on a scan a day later: RSDTC the earliest
            later = str(dt.date.fromisoformat(day) + dt.timedelta(days=1))
            for r in tr[n_rows:]:
                if r["TRGRPID"] == "NEW":
                    r["TRDTC"] = later
        if len(tr) == n_rows:  # every lesion omitted: a dated NOT DONE row keeps the assessment
            n = nids[0]
            tr_row("NON-TARGET", n, "TUMSTATE", vnum, vname, day, not_done=True)
            f11[n] = ("not-evaluated",)
        visits.append((vnum, vname, day))
        r11_visits.append((dt.date.fromisoformat(day), f11, new11))
    if c["dm_row"]:
        dm.append(dict(STUDYID="SIRC", DOMAIN="DM", USUBJID=sid, SUBJID=sid[-5:],
                       RFSTDTC=c["treatment_start"], SITEID="101", AGE="60", AGEU="YEARS", SEX="F"))
    r11 = dict(subject=sid, targets=[(t, LOC[t], False) for t in tids],
               nts=[(n, LOC[n], False) for n in nids], visits=r11_visits,
               ts=dt.date.fromisoformat(c["treatment_start"]))
    return tu, tr, dm, visits, r11


def confirmed_ibor(c, out):
    """The confirmed iBOR: the model's iBOR window, iCR/iPR confirmed as R11-CONF-* confirms
    CR/PR (min 28 days, at most one NE between, anything else breaks it)."""
    day0 = dt.date.fromisoformat(c["treatment_start"])
    dates = [dt.date.fromisoformat(a["date"]) for a in c["assessments"][1:]]
    seq = IR.icpd_block(out)
    has_targets = "T1" in c["assessments"][0]["findings"]
    stable = "iSD" if has_targets else "NON-iCR/NON-iUPD"

    days = [(d.toordinal(), o) for o, d in zip(seq, dates)]

    def confirmed_by(i, accept):  # R11-CONF-INT with the rule set's 28 days, one NE between
        return R11.confirming(days, i, accept, dict(min_int=28, max_ne=1, accept_sd=False)) is not None

    best = "NE"
    for i, (o, d) in enumerate(zip(seq, dates)):
        v = None
        if o == "iCR":
            v = "iCR" if confirmed_by(i, ["iCR"]) else "iPR" if confirmed_by(i, ["iCR", "iPR"]) else None
        elif o == "iPR":
            v = "iPR" if confirmed_by(i, ["iCR", "iPR"]) else None
        if v is None:
            if o in ("iCR", "iPR", "iSD", "NON-iCR/NON-iUPD"):
                v = stable if (d - day0).days >= 42 else "NE"
            else:
                v = o
        if RANK[v] > RANK[best]:
            best = v
    return best


def write_csv(path, cols, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(cols)
        for r in rows:
            w.writerow([r.get(c, "") for c in cols])


def run(tmp, rules, out, sets=()):
    args = [RECIST, "batch", "--tu", f"{tmp}/TU.csv", "--tr", f"{tmp}/TR.csv", "--dm",
            f"{tmp}/DM.csv", "--out", f"{tmp}/{out}"] + sum((["--rules", r] for r in rules), [])
    args += list(sets)
    rs, errors, summ, took = SO.run_batch(args, f"{tmp}/{out}")
    return rs, errors, summ, took, " ".join(args)


def compare(rs, want, best_want, rscat, problems, tally):
    """rs.csv rows of `rscat` against the expected values; problems appended per subject."""
    got, best = {}, {}
    for r in rs:
        if r["RSCAT"] != rscat:
            continue
        if r["RSORRES"] != r["RSSTRESC"] or r["DOMAIN"] != "RS":
            problems.append((r["USUBJID"], f"odd row {r}"))
        u = (r["USUBJID"], r["RSEVAL"] + ("/" + r["RSEVALID"] if r["RSEVALID"] else ""))
        if r["RSTESTCD"] == "BESTRESP":
            if u in best:
                problems.append((r["USUBJID"], f"two {rscat} BESTRESP rows of {u[1]}"))
            best[u] = r["RSSTRESC"]
        else:
            key = (u, r["VISITNUM"], r["RSTESTCD"])
            if key in got:
                problems.append((r["USUBJID"], f"two {rscat} rows for {key}"))
            got[key] = (r["RSSTRESC"], r["VISIT"], r["RSDTC"])
    subjects = sorted({k[0] for k in want} | {k[0] for k in got} | set(best_want) | set(best))
    by = {}
    for k in set(want) | set(got):
        by.setdefault(k[0], []).append(k)
    for u in subjects:
        diffs = []
        for k in sorted(by.get(u, [])):
            if k in want:
                tally[(rscat, k[2], want[k][0])] = tally.get((rscat, k[2], want[k][0]), 0) + 1
            if want.get(k) != got.get(k):
                diffs.append(f"{rscat} {u[1]} {k[1:]}: model {want.get(k)} engine {got.get(k)}")
        b = best_want.get(u)
        tally[(rscat, "BESTRESP", b)] = tally.get((rscat, "BESTRESP", b), 0) + 1
        if best.get(u) != b:
            diffs.append(f"{rscat} {u[1]} BESTRESP: model {b} engine {best.get(u)}")
        if diffs:
            problems.append((u[0], "\n  ".join(diffs)))


def main():
    IR.set_options(SETS)
    for kv in SETS:  # RECIST 1.1's own key, read by both rule sets
        if kv.startswith("new_lesions.node_without_short_axis="):
            R11.OPT["node_no_sa"] = kv.split("=", 1)[1]
    t0 = time.time()
    subjects = []  # (sid, [(evaluator, case, visits, r11 case)], tu, tr, dm)
    n_se = 0
    for k in range(COUNT):
        sid = "SI-%05d" % k
        evs, tu, tr, dm = [], [], [], []
        for c in prepare(k):
            tu1, tr1, dm1, visits, r11 = write_subject(c, sid)
            tu += tu1
            tr += tr1
            dm += dm1
            evs.append(((c["ev"][0] or "INVESTIGATOR") + ("/" + c["ev"][1] if c["ev"][1] else ""),
                        c, visits, r11))
        n_se += len(evs)
        subjects.append((sid, evs, tu, tr, dm))
    want_ir, best_ir, want_11, best_11 = {}, {}, {}, {}
    for sid, evname, c, visits, r11 in ((s[0],) + e for s in subjects for e in s[1]):
        u = (sid, evname)
        parts = []
        out, _, _ = IR.model(dict(c, assessments=c["assessments"]), parts=parts)
        for (vnum, vname, day), o, (tg, nt, nl) in zip(visits[1:], out, parts):
            for test, v in (("TRGRESP", tg), ("NTRGRESP", nt), ("NEWLIND", NEWL[nl]),
                            ("OVRLRESP", o)):
                if v is not None:
                    want_ir[(u, vnum, test)] = (v, vname, day)
        best_ir[u] = confirmed_ibor(c, out)
        cover(out, parts, c)
        out11, _, confirmed11, _ = R11.model(r11)
        for (vnum, vname, day), tp in zip(visits[1:], out11):
            for test, key in (("TRGRESP", "target"), ("NTRGRESP", "non_target"),
                              ("NEWLIND", "new_lesions"), ("OVRLRESP", "overall")):
                if test == "TRGRESP" and not r11["targets"]:
                    continue
                want_11[(u, vnum, test)] = (NEWL.get(tp[key], tp[key]), vname, day)
        best_11[u] = confirmed11
    tmp = tempfile.mkdtemp(prefix="sdtm-irecist-")
    tu_rows, tr_rows, dm_rows = [], [], [r for s in subjects for r in s[4]]
    for s in subjects:
        R.shuffle(s[2])
        R.shuffle(s[3])
        for i, r in enumerate(s[2]):
            r["TUSEQ"] = str(i + 1)
        for i, r in enumerate(s[3]):
            r["TRSEQ"] = str(i + 1)
        tu_rows += s[2]
        tr_rows += s[3]
    SO.write_study(tmp, [tu_rows, tr_rows, dm_rows], R, (TU_COLS, TR_COLS, DM_COLS), write_csv)
    t1 = time.time()
    problems, tally = [], {}
    rules, sets = IR.engine_rules(SETS) if SETS else ("irecist", [])
    rs, errors, summ, took, cmd = run(tmp, [rules], "out", sets)
    print(f"{cmd}: {took:.1f}s")
    for e in errors:
        problems.append((e.get("subject"), f"error line {json.dumps(e)[:800]}"))
    if any(r["RSCAT"] != "iRECIST" for r in rs):
        problems.append((None, "rs.csv rows of another RSCAT than iRECIST"))
    compare(rs, want_ir, best_ir, "iRECIST", problems, tally)
    seq = {}
    for r in rs:
        seq.setdefault(r["USUBJID"], []).append(int(r["RSSEQ"]))
    for sid, q in seq.items():
        if q != list(range(1, len(q) + 1)):
            problems.append((sid, f"RSSEQ {q}"))
    subj, se = summ.get("subjects", {}), summ.get("subject_evaluators", {})
    if subj.get("seen") != COUNT or subj.get("refused") != 0:
        problems.append((None, f"summary subjects {subj}"))
    if se.get("seen") != n_se or se.get("refused") != 0:
        problems.append((None, f"summary subject_evaluators {se}: expected seen {n_se}"))
    problems += tally_diffs(rs, summ)
    if not oracle_run.all_true(summ.get("reconciliation", {})):
        problems.append((None, f"reconciliation {summ.get('reconciliation')}"))
    both = BOTH and not any(a.startswith("irecist.") for a in sets)
    if BOTH and not both:  # `--set` applies to every rule set: recist-1.1 refuses irecist.*
        print("  (no run with both rule sets: --set irecist.* is no parameter of recist-1.1)")
    if both:
        rs2, errors2, summ2, took2, cmd2 = run(tmp, ["recist-1.1", rules], "out2", sets)
        problems += tally_diffs(rs2, summ2)
        print(f"{cmd2}: {took2:.1f}s")
        for e in errors2:
            problems.append((e.get("subject"), f"error line (both) {json.dumps(e)[:800]}"))
        cats = {r["RSCAT"] for r in rs2}
        if cats != {"RECIST 1.1", "iRECIST"}:
            problems.append((None, f"RSCATs with both rule sets: {cats}"))
        compare(rs2, want_ir, best_ir, "iRECIST", problems, {})
        compare(rs2, want_11, best_11, "RECIST 1.1", problems, tally)
        seq = {}
        for r in rs2:
            seq.setdefault(r["USUBJID"], []).append(int(r["RSSEQ"]))
        for sid, q in seq.items():
            if q != list(range(1, len(q) + 1)):
                problems.append((sid, f"RSSEQ (both) {q}"))
    if RECORDED:  # recorded RS giving the model's values, compared by the engine
        rec = recorded_rows(want_ir, best_ir, ["iRECIST", "IRECIST", ""])
        write_csv(f"{tmp}/RS.csv", RS_COLS, rec)
        run(tmp, [rules], "cmp", list(sets) + ["--recorded", f"{tmp}/RS.csv"])
        problems += comparison_diffs(tmp, "cmp", len(rec))
        if both:
            rec2 = recorded_rows(want_ir, best_ir, ["iRECIST", "irecist"]) + recorded_rows(
                want_11, best_11, ["RECIST 1.1", "recist 1.1"])
            rec2.sort(key=lambda r: r["USUBJID"])
            write_csv(f"{tmp}/RS2.csv", RS_COLS, rec2)
            run(tmp, ["recist-1.1", rules], "cmp2", list(sets) + ["--recorded", f"{tmp}/RS2.csv"])
            problems += comparison_diffs(tmp, "cmp2", len(rec2))
    by_id = {s[0]: s for s in subjects}
    shown = set()
    for sid, text in problems:
        if len(shown) >= 5 and sid not in shown:
            continue
        print("== model vs engine:", sid or "(run)", text)
        if sid in by_id and sid not in shown:
            s = by_id[sid]
            for r in s[2]:
                print("TU", ",".join(r.get(c, "") for c in TU_COLS[2:]))
            for r in sorted(s[3], key=lambda r: (float(r["VISITNUM"]), r["TRLNKID"])):
                print("TR", ",".join(r.get(c, "") for c in TR_COLS[4:]))
            for r in s[4]:
                print("DM", ",".join(r.get(c, "") for c in DM_COLS[2:]))
        shown.add(sid)
    bad = len({sid for sid, _ in problems})
    print(f"{COUNT} subjects, {len(problems)} problems in {bad} subjects/run; generate "
          f"{t1 - t0:.1f}s, engine {took:.1f}s (irecist)" + (f", {took2:.1f}s (both)" if both else ""))
    print("  iRECIST paths:", ", ".join(f"{k} {v}" for k, v in sorted(COVER.items())))
    for cat in ("iRECIST", "RECIST 1.1"):
        for t in TESTS + ("BESTRESP",):
            vals = sorted((v, n) for (c, tt, v), n in tally.items() if c == cat and tt == t)
            if vals:
                print(f"  {cat} {t}: " + ", ".join(f"{v} {n}" for v, n in vals))
    if problems or os.environ.get("KEEP"):
        print("files kept in", tmp)
    else:
        shutil.rmtree(tmp)
    sys.exit(1 if problems else 0)


SPELL = {"iCR": ["ICR", "icr"], "iPR": ["IPR"], "iSD": ["ISD"], "iUPD": ["IUPD"], "iCPD": ["ICPD"],
         "NON-iCR/NON-iUPD": ["Non-iCR / Non-iUPD", "NON-ICR/NON-IUPD"], "NE": ["NOT EVALUABLE"],
         "NON-CR/NON-PD": ["Non-CR / Non-PD"], "Y": ["YES"], "N": ["NO"], "U": ["EQUIVOCAL"]}
RS_COLS = ["STUDYID", "DOMAIN", "USUBJID", "RSSEQ", "RSTESTCD", "RSTEST", "RSCAT", "RSORRES",
           "RSSTRESC", "RSEVAL", "RSEVALID", "VISIT", "VISITNUM", "RSDTC"]


def recorded_rows(want, best, cats):
    """Recorded RS giving the model's values (what a sponsor recorded under iRECIST, spelled as
    recorded RS may spell them: docs/batch.md "Comparison" normalises `ICR`, `Non-iCR /
    Non-iUPD`, `NOT EVALUABLE`, `YES`...), RSCAT one of `cats` (an empty one: iRECIST's words
    are then a record of the iRECIST rule set, RECIST 1.1's of every compared one)."""
    rows = []
    items = [(u, vnum, test, v) for (u, vnum, test), v in want.items()]
    items += [(u, None, "BESTRESP", (b, "", "")) for u, b in best.items()]
    for u, vnum, test, (v, vname, day) in items:
        ev, _, evid = u[1].partition("/")
        w = R.choice(SPELL[v]) if v in SPELL and R.random() < 0.15 else v
        rows.append(dict(STUDYID="SIRC", DOMAIN="RS", USUBJID=u[0], RSTESTCD=test, RSTEST=test,
                         RSCAT=R.choice(cats), RSORRES=w, RSSTRESC=w if R.random() < 0.7 else "",
                         RSEVAL=ev, RSEVALID=evid, VISIT=vname, VISITNUM=vnum or "", RSDTC=day))
    rows.sort(key=lambda r: r["USUBJID"])
    for i, r in enumerate(rows):
        r["RSSEQ"] = str(i + 1)
    return rows


def comparison_diffs(tmp, out, n_rows):
    """A comparison with recorded RS giving the model's values: every value compared and agreed,
    nothing on one side only, no error; and no note of two vocabularies where both sides answer
    in one (docs/batch.md: the note is for one side in RECIST 1.1's words, the other in
    iRECIST's)."""
    diffs = []
    comp = json.load(open(f"{tmp}/{out}/comparison.json"))["comparisons"]
    compared = 0
    for c in comp:
        for test, x in c["tests"].items():
            compared += x["compared"]
            if x["agreed"] != x["compared"] or x["reference_only"] or x["candidate_only"]:
                diffs.append((None, f"{out}: {c['reference']} vs {c['candidate']} {test}: "
                                    f"compared {x['compared']}, agreed {x['agreed']}, reference only "
                                    f"{x['reference_only']}, candidate only {x['candidate_only']}"))
        if c.get("note") and "vocabular" in c["note"]:
            diffs.append((None, f"{out}: comparison.json note for {c['reference']} vs "
                                f"{c['candidate']}: {c['note']}"))
    if compared != n_rows:
        diffs.append((None, f"{out}: {compared} values compared, {n_rows} recorded rows"))
    for f in ("discordant.jsonl", "unmatched.jsonl", "errors.jsonl", "date_mismatches.jsonl"):
        lines = open(f"{tmp}/{out}/{f}").read().splitlines()
        if lines:
            diffs.append((None, f"{out}/{f}: {len(lines)} lines, first {lines[0][:600]}"))
    return diffs


def tally_diffs(rs, summ):
    """summary.json's responses per rule set against the rows of its RSCAT in rs.csv, and its
    best response named the confirmed one."""
    out = []
    for rset in summ.get("rule_sets", []):
        counts = {}
        for r in rs:
            if r["RSCAT"] == rset.get("rscat"):
                d = counts.setdefault(r["RSTESTCD"], {})
                d[r["RSSTRESC"]] = d.get(r["RSSTRESC"], 0) + 1
        if counts != rset.get("responses"):
            out.append((None, f"summary responses of {rset.get('id')} {rset.get('responses')} "
                              f"differ from rs.csv {counts}"))
        if "confirmed" not in rset.get("bestresp", "") or not rset.get("confirmation", {}).get("required"):
            out.append((None, f"summary bestresp of {rset.get('id')}: {rset.get('bestresp')}"))
    return out


if __name__ == "__main__":
    main()
