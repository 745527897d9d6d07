#!/usr/bin/env python3
"""An independent model of `recist batch` reading SDTM TU/TR/DM under RECIST 1.1, written from
the contract (cdisc.md) and docs/batch.md, not from the reader (crates/sdtm), run against the
engine's rs.csv, errors.jsonl and summary.json.

It writes random subjects as SDTM rows directly (its own generator, not `recist generate`):
- 0-5 targets (at most two per organ, at most two nodes; nodes recognised from TULOC:
  `LYMPH NODE(S)`, `NODAL`, beside the decoys `EXTRANODAL`, `NON-NODAL`, `NON NODAL`) measured
  by `LDIAM`, `LPERP` or `DIAMETER`, in mm or cm (the standard result in mm, in cm, by TRSTRESN
  or TRSTRESC alone, padded `15.00`, or none); absent (0 mm, `TUMSTATE`/`LNSTATE` `ABSENT`);
  `TOO SMALL TO MEASURE` (in TRORRES, with TRSTRESN 5, or in TRSTRESC alone); `TRSTAT NOT
  DONE`; no TR row at a follow-up (not evaluated); an agreeing `PRESENT` beside a length;
- 0-3 non-targets by `TUMSTATE` (`PRESENT`, `ABSENT`, `UNEQUIVOCAL PROGRESSION`, `UNEQUIVOCAL`,
  `EQUIVOCAL`: present, `NOT EVALUABLE`/`NE`), `LNSTATE`, or a node's short axis (`LPERP`,
  `DIAMETER`) alone (R11-NODE-NORMAL: under 10 mm or too small is gone), with a status beside
  it (the status wins) or a long axis alone (present);
- new lesions identified in TU at a follow-up (by VISITNUM, by VISIT alone or by TUDTC alone),
  with no TR row there (new), `NOT DONE` (new), `PRESENT`, a length, `EQUIVOCAL` (NEWLIND `U`),
  and later rows confirming, absent, not done or none; listed in TU again later; new nodes by
  short axis (under 10 mm: no lesion) or by state;
- up to three evaluators (`INVESTIGATOR`, `INDEPENDENT ASSESSOR`/`RADIOLOGIST 1|2`), an empty
  `TREVAL`/`TUEVAL` for the investigator on some rows; `VISITNUM` written `2`, `2.0` or `02`
  (RS: the smallest text), unscheduled visits `3.1`, `VISIT` missing or in another case on some
  rows (RS: the smallest name), scans of a visit over up to three days (RSDTC: the earliest),
  times of day in TRDTC, visits that are no assessment (rows all NOT DONE and undated, SUMDIAM
  alone), SUMDIAM rows; values and codes in other case or with spaces;
- DM's RFSTDTC 0-13 days after baseline, a repeated DM row with the same date, no DM row (days
  from the baseline assessment), a DM subject with no tumour data;
- each subject's rows shuffled, subjects in USUBJID order (on seeds divisible by 4 all rows
  shuffled: the engine's in-memory mode), CRLF line ends on seeds 3 mod 5, the column
  `TRLINKID` for `TRLNKID` on seeds 2 mod 3.
Every generated subject is valid. Unless PLANT=0, 2 % of subjects are then made invalid in one
evaluator (`PLANTS`: unknown TRTESTCD, conflicting values, lesion in TR not in TU, a
non-target without a baseline row, a new lesion of no visit, a baseline lesion before TR's
first visit, visits out of order, NOT DONE with a value, TRORRES and TRSTRESC disagreeing, 0 mm
with PRESENT, TRGRPID against TU, a node by LDIAM alone, a new lesion NOT EVALUABLE at its TU
visit) and 1 % get an exact duplicate TR row: exactly those evaluators must be refused (with the
code docs/batch.md names, where it names one) and those rows refused by themselves, everything
else adjudicated, and summary.json's counts must reconcile with what was written.

The expected responses come from the RECIST 1.1 model of scripts/r11-oracle.py (`model`), fed a
case built here from the SDTM semantics of cdisc.md/docs/batch.md. Compared per subject,
evaluator, visit and test: RSORRES/RSSTRESC, VISIT, RSDTC, and BESTRESP (the confirmed best
response: RECIST 1.1 requires confirmation); RSSEQ must run 1..n per USUBJID.

Usage: scripts/sdtm-oracle.py [SEED [COUNT]]   (engine: $RECIST, default target/debug/recist)
  PLANT=0 writes valid subjects only; KEEP=1 keeps the files and outputs (printed); STRICT=1
  fails a planted refusal that lists further problems derived from the planted one (a
  malformed baseline row also reported as `missing-baseline`/`no-baseline-row`).
Prints the first mismatches with the subject's rows, the refusal codes met per planted kind and
a tally of the values compared; exit 1 if any mismatch.
"""

import csv
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from fractions import Fraction as F

import oracle_run

SEED, COUNT, _, RECIST = oracle_run.arguments()
R11 = oracle_run.load("r11", "r11-oracle.py")
R = random.Random(SEED * 7919 + 13)
PLANT = os.environ.get("PLANT", "1") != "0"
STRICT = os.environ.get("STRICT", "0") != "0"  # a planted refusal must list its problem alone

TU_COLS = ["STUDYID", "DOMAIN", "USUBJID", "TUSEQ", "TULNKID", "TUTESTCD", "TUTEST", "TUORRES",
           "TUSTRESC", "TULOC", "TUMETHOD", "TUEVAL", "TUEVALID", "VISITNUM", "VISIT", "TUDTC"]
LNK = "TRLINKID" if SEED % 3 == 2 else "TRLNKID"  # the alias seen in the wild, on some seeds
TR_COLS = ["STUDYID", "DOMAIN", "USUBJID", "TRSEQ", "TRGRPID", LNK, "TRTESTCD", "TRTEST",
           "TRORRES", "TRORRESU", "TRSTRESC", "TRSTRESN", "TRSTRESU", "TRSTAT", "TRREASND",
           "TRMETHOD", "TREVAL", "TREVALID", "VISITNUM", "VISIT", "TRDTC"]
DM_COLS = ["STUDYID", "DOMAIN", "USUBJID", "SUBJID", "RFSTDTC", "SITEID", "AGE", "AGEU", "SEX"]
ORGANS = ["LIVER", "LUNG", "KIDNEY", "SPLEEN", "ADRENAL GLAND", "BRAIN", "EXTRANODAL MASS",
          "NON-NODAL SOFT TISSUE", "PANCREAS", "NON NODAL MASS"]
NODES = ["MEDIASTINAL LYMPH NODE", "AXILLARY NODAL MASS", "LYMPH NODES, PELVIC",
         "Inguinal Lymph Node"]
NT_SITES = ["BONE", "PERITONEUM", "LUNG", "LIVER", "SKIN"]
TESTNAME = {"LDIAM": "Longest Diameter", "LPERP": "Longest Perpendicular", "DIAMETER": "Diameter",
            "TUMSTATE": "Tumor State", "LNSTATE": "Lymph Node State", "SUMDIAM": "Sum of Diameter"}
NEWL = {"NO": "N", "YES": "Y", "EQUIVOCAL": "U"}
TESTS = ("TRGRESP", "NTRGRESP", "NEWLIND", "OVRLRESP")


def vary(w, p=0.08):
    """A word as some rows write it: values are compared trimmed and case-insensitively."""
    if not w or R.random() >= p:
        return w
    return R.choice([w.lower(), w.title(), " " + w, w + " "])


def spell(role):
    """A role as some rows spell it (the mapping's `roles`)."""
    if role == "NON-TARGET" and R.random() < 0.1:
        return R.choice(["NON TARGET", "NONTARGET"])
    return role


def num(v):
    """A length in the file: at most two decimals, no trailing zeros."""
    s = f"{float(v):.3f}".rstrip("0").rstrip(".")
    return s


class Subject:
    def __init__(self, k):
        self.id = "SO-%05d" % k
        self.tu, self.tr, self.dm = [], [], []
        self.cases = {}  # evaluator name -> r11 case (built while the rows are written)
        self.rs = {}  # (evaluator, visitnum, test) -> (value, visit, date)
        self.best = {}
        self.eval_rows = {}  # evaluator -> (RSEVAL, RSEVALID)
        self.planted = None  # why the subject must be refused, when it must

    # ---- rows
    def tu_row(self, ev, lid, role, loc, vnum, vname, day):
        self.tu.append(dict(STUDYID="SORC", DOMAIN="TU", USUBJID=self.id, TULNKID=lid,
                            TUTESTCD="TUMIDENT", TUTEST="Tumor Identification",
                            TUORRES=vary(spell(role)) if R.random() < 0.9 else "",
                            TUSTRESC=vary(spell(role)) if R.random() < 0.8 else "", TULOC=vary(loc),
                            TUMETHOD="CT SCAN", TUEVAL=ev[0], TUEVALID=ev[1],
                            VISITNUM=vnum, VISIT=vname, TUDTC=str(day)))
        if not self.tu[-1]["TUORRES"] and not self.tu[-1]["TUSTRESC"]:
            self.tu[-1]["TUSTRESC"] = role

    def tr_row(self, ev, grp, lid, test, vnum, vname, day, res=None, mm=None, status=None):
        """One TR row: `res` a word (state or too small) or None, `mm` a length in mm (written
        in mm or cm), `status` NOT DONE."""
        r = dict(STUDYID="SORC", DOMAIN="TR", USUBJID=self.id, TRGRPID=vary(spell(grp)), TRLNKID=lid,
                 TRTESTCD=vary(test, 0.03), TRTEST=TESTNAME[test], TRORRES="", TRORRESU="", TRSTRESC="",
                 TRSTRESN="", TRSTRESU="", TRSTAT="", TRREASND="", TRMETHOD="CT SCAN",
                 TREVAL=ev[0], TREVALID=ev[1], VISITNUM=vnum, VISIT=vname,
                 TRDTC=str(day) + (R.choice(["T09:30", "T14:05:00"]) if R.random() < 0.05 else ""))
        if status:
            r["TRSTAT"], r["TRREASND"] = vary("NOT DONE"), "SCAN NOT PERFORMED"
            if R.random() < 0.15:
                r["TRDTC"] = ""  # a test not done, undated
        elif mm is not None:
            unit = self.unit
            r["TRORRES"] = num(mm / 10 if unit == "cm" else mm)
            r["TRORRESU"] = unit if R.random() < 0.7 else unit.upper()
            std = R.choice(["mm", "mm", "mm", "same", "none", "n-only", "c-only", "padded"])
            if std == "mm":
                r["TRSTRESC"] = r["TRSTRESN"] = num(mm)
                r["TRSTRESU"] = "mm"
            elif std in ("n-only", "c-only"):  # one standard result only
                r["TRSTRESN" if std == "n-only" else "TRSTRESC"] = num(mm)
                r["TRSTRESU"] = "mm"
            elif std == "padded":  # the same number written another way
                r["TRSTRESC"] = r["TRSTRESN"] = f"{float(mm):.2f}"
                r["TRSTRESU"] = "mm"
            elif std == "same":
                r["TRSTRESC"] = r["TRSTRESN"] = r["TRORRES"]
                r["TRSTRESU"] = unit
        elif res.upper().startswith("TOO SMALL") and R.random() < 0.4:
            if R.random() < 0.5:  # the standard value of too small: 5 mm
                r.update(TRORRES=vary(res), TRSTRESC="5", TRSTRESN="5", TRSTRESU="mm")
            else:  # standardised only
                r["TRSTRESC"] = vary(res)
        else:
            r["TRORRES"] = vary(res)
            if R.random() < 0.7:
                r["TRSTRESC"] = vary(res)
        self.tr.append(r)


def vnum_variant(n):
    """VISITNUM as some rows write it: `2.0` for `2`, `03` for `3`, `3.10` for `3.1`."""
    if "." in n:
        return n + "0"
    return R.choice([n + ".0", "0" + n])


def gen_subject(k):
    s = Subject(k)
    s.unit = "cm" if R.random() < 0.1 else "mm"
    base_day = dt.date(2021, 1, 4) + dt.timedelta(days=R.randint(0, 700))
    days = [(base_day, "1", "SCREENING")]  # (scan day, VISITNUM, VISIT)
    last = days[0]
    for i in range(R.randint(1, 7)):
        gap = R.choice([28, 35, 41, 42, 43, 49, 56, 63])
        if gap >= 35 and R.random() < 0.07:  # an unscheduled visit between two scheduled ones
            days.append((last[0] + dt.timedelta(days=R.randint(14, gap - 17)), last[1] + ".1",
                         "UNSCHEDULED"))
        last = (last[0] + dt.timedelta(days=gap), str(i + 2), "WEEK %d" % (6 * (i + 1)))
        days.append(last)
    ts = base_day + dt.timedelta(days=R.choice([0, 0, 0, 3, 7, 13]))
    has_dm = R.random() < 0.9
    if has_dm:
        s.dm.append(dict(STUDYID="SORC", DOMAIN="DM", USUBJID=s.id, SUBJID=str(k), RFSTDTC=str(ts),
                         SITEID="101", AGE="60", AGEU="YEARS", SEX=R.choice("FM")))
    else:
        ts = None  # no DM row: days from the baseline scan (its assessment's date)
    evals = [("INVESTIGATOR", "")]
    if R.random() < 0.2:
        evals.append(("INDEPENDENT ASSESSOR", "RADIOLOGIST 1"))
        if R.random() < 0.25:
            evals.append(("INDEPENDENT ASSESSOR", "RADIOLOGIST 2"))
    for ev in evals:
        gen_evaluator(s, ev, days, ts)
    return s


def gen_evaluator(s, ev, days, ts):
    name = ev[0] if not ev[1] else f"{ev[0]}/{ev[1]}"
    inv = ev[0] == "INVESTIGATOR"

    def evw():  # the investigator is also the default evaluator: TREVAL may be empty; the
        # evaluator is a value, compared trimmed and case-insensitively
        return ("", "") if inv and R.random() < 0.15 else (vary(ev[0], 0.05), vary(ev[1], 0.05))

    nt_n = R.choice([0, 0, 1, 1, 2, 3])
    tg_n = R.choice([0, 1, 2, 3, 4, 5]) if nt_n else R.choice([1, 2, 3, 4, 5])
    organs = R.sample(ORGANS, len(ORGANS))
    targets = []  # (id, loc, nodal, test, base mm)
    n_nodes = 0
    for i in range(tg_n):
        nodal = n_nodes < 2 and R.random() < 0.25
        if nodal:
            n_nodes += 1
            loc = NODES[(n_nodes - 1 + R.randint(0, 1) * 2) % len(NODES)]
            test = "LPERP" if R.random() < 0.8 else "DIAMETER"
            b = F(R.choice([15, 16, 18, 20, 25, 30, 42]))
        else:
            loc = organs.pop()
            test = "LDIAM" if R.random() < 0.8 else "DIAMETER"
            b = F(R.choice([10, 12, 15, 20, 25, 30, 41, 50, 65])) + R.choice([0, 0, 0, F(1, 2)])
        targets.append(("T%02d" % (i + 1), loc, nodal, test, b))
    nts = []  # (id, loc, nodal, how)
    for i in range(nt_n):
        nodal = R.random() < 0.3
        if nodal:
            how = R.choice(["TUMSTATE", "LNSTATE", "LPERP", "LPERP", "DIAMETER"])
            nts.append(("NT%02d" % (i + 1), "HILAR LYMPH NODE", True, how))
        else:
            nts.append(("NT%02d" % (i + 1), R.choice(NT_SITES), False, "TUMSTATE"))
    trend = R.choice([F(1, 2), F(3, 5), F(4, 5), F(1), F(1), F(6, 5), F(3, 2), F(0)])
    vnums = [n if i == 0 or R.random() < 0.95 else vnum_variant(n)
             for i, (_, n, _) in enumerate(days)]
    for tid, loc, nodal, _, _ in targets:
        s.tu_row(evw(), tid, "TARGET", loc, R.choice(["1"] * 8 + ["1.0", "01"]), "SCREENING",
                 days[0][0])
    for nid, loc, nodal, _ in nts:
        s.tu_row(evw(), nid, "NON-TARGET", loc, R.choice(["1"] * 8 + ["1.0", "01"]), "SCREENING",
                 days[0][0])

    visits = []  # (visit index, model findings, model new lesions)
    news = []  # (id, loc, nodal, TU visit index)
    for vi, (day, vnum0, vname0) in enumerate(days):
        f, new = {}, []
        rows_before = len(s.tr)
        tu_new = None

        def when():
            return day + dt.timedelta(days=R.choice([0] * 8 + [1, 2]))

        def vname():  # VISIT missing on some rows, in other case on others
            return vname0 if R.random() < 0.93 else R.choice(["", vname0.title()])

        def row(grp, lid, test, **kw):
            s.tr_row(evw(), grp, lid, test, vnums[vi] if R.random() < 0.9 else vnum0,
                     vname(), when(), **kw)

        # targets
        frac = F(1) + (trend - 1) * F(vi, max(1, len(days) - 1))
        for tid, loc, nodal, test, b in targets:
            if vi == 0:
                f[tid] = ("m", b)
                row("TARGET", tid, test, mm=b)
                continue
            x = R.random()
            if x < 0.04:
                f[tid] = ("ne",)
                row("TARGET", tid, test, status=True)
            elif x < 0.08:
                f[tid] = ("omit",)
            elif x < 0.13:
                f[tid] = ("absent",)
                row("TARGET", tid, "LNSTATE" if nodal and R.random() < 0.5 else "TUMSTATE",
                    res="ABSENT")
            elif x < 0.2:
                f[tid] = ("tstm",)
                row("TARGET", tid, test, res=R.choice(["TOO SMALL TO MEASURE", "Too small to measure"]))
            else:
                v = b * frac * R.choice([F(9, 10), F(1), F(1), F(11, 10)])
                if R.random() < 0.15:
                    v = R.choice([F(0), F(5), F(8), F(9), F(10), F(12), b * F(7, 10), b * F(6, 5),
                                  b + 5])
                v = F(round(v * 2), 2)  # half millimetres: two decimals in cm
                f[tid] = ("absent",) if v == 0 else ("m", v)
                row("TARGET", tid, test, mm=v)
                if v > 0 and R.random() < 0.05:  # a status beside the measurement, agreeing
                    row("TARGET", tid, "TUMSTATE", res="PRESENT")
        # non-targets
        for nid, loc, nodal, how in nts:
            if vi == 0:
                f[nid] = ("present",)
                if how in ("LPERP", "DIAMETER"):
                    row("NON-TARGET", nid, how, mm=F(R.choice([10, 11, 12, 14])))
                else:
                    row("NON-TARGET", nid, how, res="PRESENT")
                continue
            st = R.choices(["present", "absent", "progression", "ne", "omit", "equivocal"],
                           [6, 4, 1, 1, 1, 1])[0]
            if st == "omit":
                f[nid] = ("omit",)
            elif st == "ne":
                f[nid] = ("not-evaluated",)
                if R.random() < 0.3:
                    row("NON-TARGET", nid, "TUMSTATE" if how in ("LPERP", "DIAMETER") else how,
                        res=R.choice(["NOT EVALUABLE", "NE"]))
                else:
                    row("NON-TARGET", nid, how, status=True)
            elif how in ("LPERP", "DIAMETER") and R.random() < 0.15:
                # a status given wins over a measurement; a node's long axis alone says
                # nothing of its short axis and reads as present
                if R.random() < 0.5:
                    row("NON-TARGET", nid, "LDIAM", mm=F(R.choice([6, 9, 14, 20])))
                    f[nid] = ("present",)
                else:
                    word = R.choice(["PRESENT", "ABSENT"])
                    row("NON-TARGET", nid, how, mm=F(R.choice([5, 8, 12, 16])))
                    row("NON-TARGET", nid, R.choice(["TUMSTATE", "LNSTATE"]), res=word)
                    f[nid] = (word.lower(),)
            elif how in ("LPERP", "DIAMETER") and st in ("present", "absent", "equivocal"):
                v = R.choice([F(0), F(5), F(8), F(19, 2), F(10), F(12), F(15), None])
                if v is None:
                    f[nid] = ("absent",)  # too small is below any node threshold
                    row("NON-TARGET", nid, how, res="TOO SMALL TO MEASURE")
                else:
                    f[nid] = ("present",) if v >= 10 else ("absent",)
                    row("NON-TARGET", nid, how, mm=v)
            else:
                word = {"present": "PRESENT", "absent": "ABSENT", "equivocal": "EQUIVOCAL",
                        "progression": R.choice(["UNEQUIVOCAL PROGRESSION", "UNEQUIVOCAL"])}[st]
                f[nid] = ("progression",) if st == "progression" else (
                    ("absent",) if st == "absent" else ("present",))
                row("NON-TARGET", nid, "TUMSTATE" if how in ("LPERP", "DIAMETER") else how, res=word)
        # new lesions: earlier ones seen again, then one identified here
        if vi > 0:
            for lid, loc, nodal, tv in news:
                x = R.random()
                if x < 0.35:
                    if R.random() < 0.1:  # listed in TU again, no TR row: new here too
                        s.tu_row(evw(), lid, "NEW", loc, vnums[vi], vname0, day)
                        new.append((lid, False, None) if nodal else (lid, False))
                    continue  # no row: not seen
                test = "LPERP" if nodal else "LDIAM"
                if x < 0.55:
                    row("NEW", lid, "TUMSTATE", res="PRESENT")
                    new.append((lid, False, None) if nodal else (lid, False))
                    if R.random() < 0.2:  # listed in TU again (not a duplicate: another visit)
                        s.tu_row(evw(), lid, "NEW", loc, vnums[vi], vname0, day)
                elif x < 0.7:
                    row("NEW", lid, "TUMSTATE", res="EQUIVOCAL")
                    new.append((lid, True, None) if nodal else (lid, True))
                elif x < 0.85:
                    row("NEW", lid, "TUMSTATE", res="ABSENT")
                elif x < 0.9:
                    row("NEW", lid, test, status=True)
                else:
                    v = F(R.choice([8, 12, 15, 20]))
                    row("NEW", lid, test, mm=v)
                    new.append((lid, False, v) if nodal else (lid, False))
            if R.random() < 0.15:
                lid = "NEW%02d" % (len(news) + 1)
                nodal = R.random() < 0.25
                loc = "AXILLARY LYMPH NODE" if nodal else R.choice(["LUNG", "LIVER", "BONE", "BRAIN"])
                news.append((lid, loc, nodal, vi))
                s.tu_row(evw(), lid, "NEW", loc, vnums[vi], vname0, day)
                tu_new = s.tu[-1]  # named by VISIT or TUDTC alone on some rows (below)
                x = R.random()
                test = "LPERP" if nodal else "LDIAM"
                if x < 0.3:
                    new.append((lid, False, None) if nodal else (lid, False))  # TU alone
                elif x < 0.4:
                    row("NEW", lid, test, status=True)  # not done: still new at its TU visit
                    new.append((lid, False, None) if nodal else (lid, False))
                elif x < 0.6:
                    row("NEW", lid, "TUMSTATE", res="PRESENT")
                    new.append((lid, False, None) if nodal else (lid, False))
                elif x < 0.8:
                    row("NEW", lid, "TUMSTATE", res="EQUIVOCAL")
                    new.append((lid, True, None) if nodal else (lid, True))
                else:
                    v = F(R.choice([8, 10, 12, 15, 22]))
                    row("NEW", lid, test, mm=v)
                    new.append((lid, False, v) if nodal else (lid, False))
        lesion_rows = s.tr[rows_before:]
        if vi > 0 and not new and R.random() < 0.03:
            # not an assessment: rows all NOT DONE and undated, or SUMDIAM rows alone
            del s.tr[rows_before:]
            if R.random() < 0.5:
                for lid in [t[0] for t in targets] + [n[0] for n in nts]:
                    row("TARGET" if lid.startswith("T") else "NON-TARGET", lid,
                        "TUMSTATE", status=True)
                    s.tr[-1]["TRDTC"] = ""
            elif targets:
                row("TARGET", "", "SUMDIAM", mm=F(R.choice([10, 33, 50])))
            continue
        if vi > 0 and not lesion_rows:
            # a visit with no row of this evaluator is no assessment of it; a new lesion
            # identified in TU there would match no assessment: give it a TR row
            if new:
                lid = new[0][0]
                row("NEW", lid, "TUMSTATE", res="EQUIVOCAL" if new[0][1] else "PRESENT")
                lesion_rows = s.tr[rows_before:]
            else:
                continue
        if targets and R.random() < 0.3 and all(f[t[0]][0] in ("m", "absent") for t in targets):
            tot = sum((f[t[0]][1] if f[t[0]][0] == "m" else F(0)) for t in targets)
            row("TARGET", "", "SUMDIAM", mm=tot)
            lesion_rows = s.tr[rows_before:]  # a SUMDIAM row is a row of the visit too
        if not any(r["TRDTC"] for r in lesion_rows):
            if not new:
                continue  # rows all NOT DONE and undated: no assessment
            lesion_rows[0]["TRDTC"] = str(day)
        date = min(r["TRDTC"][:10] for r in lesion_rows if r["TRDTC"])
        vis = min({r["VISIT"] for r in lesion_rows if r["VISIT"]} or {""})
        if tu_new is not None and R.random() < 0.15:
            if R.random() < 0.5 and vis and vname0 != "UNSCHEDULED":
                tu_new["VISITNUM"] = ""  # the one assessment with its VISIT
            else:
                tu_new.update(VISITNUM="", VISIT="", TUDTC=date)  # the one dated its TUDTC
        visits.append((dt.date.fromisoformat(date), f, new, vi,
                       min({r["VISITNUM"] for r in lesion_rows}), vis))
    case = dict(subject=s.id, targets=[t[:3] for t in targets], nts=[n[:3] for n in nts],
                visits=[v[:3] for v in visits], ts=ts or visits[0][0])
    s.cases[name] = case
    s.eval_rows[name] = ev
    out, best, confirmed, prog = R11.model(case)
    for (day, f, new, vi, vnum, vis), tp in zip(visits[1:], out):
        for test, key, want in (("TRGRESP", "target", bool(targets)),
                                ("NTRGRESP", "non_target", bool(nts)),
                                ("NEWLIND", "new_lesions", True), ("OVRLRESP", "overall", True)):
            if want:
                v = tp[key]
                s.rs[(name, vnum, test)] = (NEWL.get(v, v), vis, str(day))
    s.best[name] = confirmed


def write_csv(path, cols, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n" if SEED % 5 == 3 else "\n")
        w.writerow(cols)
        for r in rows:
            w.writerow([r.get("TRLNKID" if c == "TRLINKID" else c, "") for c in cols])


def write_study(tmp, tables, rng, cols=(TU_COLS, TR_COLS, DM_COLS), write=write_csv):
    """Writes `tables` (the TU, TR and DM rows) to TU.csv, TR.csv and DM.csv in `tmp`; on seeds
    divisible by 4 the rows of all subjects are shuffled first (with `rng`), so that the engine
    reads them into memory."""
    if SEED % 4 == 0:
        for rows in tables:
            rng.shuffle(rows)
    for name, c, rows in zip(("TU", "TR", "DM"), cols, tables):
        write(f"{tmp}/{name}.csv", c, rows)


def run_batch(args, out):
    """Runs `recist batch` with `args` (its --out is `out`); exits when it fails (neither 0 nor
    1, or no rs.csv). Returns rs.csv's rows, errors.jsonl's lines, summary.json, seconds taken."""
    t = time.time()
    res = subprocess.run(args, capture_output=True, text=True)
    took = time.time() - t
    if res.returncode not in (0, 1) or not os.path.exists(f"{out}/rs.csv"):
        sys.exit(f"engine failed ({res.returncode}): {' '.join(args)}\n{res.stderr[:3000]}")
    with open(f"{out}/rs.csv", newline="") as f:
        rs = list(csv.DictReader(f))
    errors = [json.loads(l) for l in open(f"{out}/errors.jsonl")]
    summ = json.load(open(f"{out}/summary.json"))
    return rs, errors, summ, took


LENGTHS = ("LDIAM", "LPERP", "DIAMETER")
# the code each planted kind must be refused with (None: any; the codes seen are printed)
PLANTS = {"unknown-test": "unknown-test", "conflict": "conflicting-values",
          "not-in-tu": "lesion-not-in-tu", "no-baseline-row": "no-baseline-row",
          "new-without-visit": "new-without-visit", "missing-baseline": "missing-baseline",
          "visit-order": "visit-order", "not-done-with-value": None, "orres-stresc": None,
          "zero-with-present": None, "grpid": None, "node-ldiam": None, "ne-new": None}


def plant(s, kind):
    """Makes a valid subject invalid in one way (docs/batch.md's refusals); the row it is
    about, or None when the subject has nothing to plant it in."""
    def lesion_rows(pred):
        return [r for r in s.tr if r["TRLNKID"] and r["TRTESTCD"].strip().upper() != "SUMDIAM"
                and pred(r)]

    def up(r, k):
        return r[k].strip().upper()

    def ev(r, p="TR"):
        return ((r[p + "EVAL"].strip() or "INVESTIGATOR").upper(), r[p + "EVALID"].strip().upper())

    def num_ok(r):
        return up(r, "TRTESTCD") in LENGTHS and r["TRORRESU"] and not r["TRSTAT"]

    cands = lesion_rows(lambda r: True)
    if kind == "unknown-test":
        r = R.choice(cands)
        s.tr.append(dict(r, TRTESTCD="LVOLUME", TRTEST="Volume"))
    elif kind == "conflict":
        r = R.choice(cands)
        r2 = dict(r, TRSTAT="", TRREASND="")
        if up(r, "TRTESTCD") in LENGTHS:  # another length
            r2.update(TRORRES="77.7", TRORRESU="mm", TRSTRESC="77.7", TRSTRESN="77.7", TRSTRESU="mm")
        else:
            w = "ABSENT" if up(r, "TRORRES") != "ABSENT" else "PRESENT"
            r2.update(TRORRES=w, TRSTRESC=w)
        s.tr.append(r2)
    elif kind == "not-in-tu":
        r = R.choice(cands)
        s.tr.append(dict(r, TRLNKID="NT99", TRGRPID="NON-TARGET", TRTESTCD="TUMSTATE",
                         TRTEST="Tumor State", TRORRES="PRESENT", TRORRESU="", TRSTRESC="PRESENT",
                         TRSTRESN="", TRSTRESU="", TRSTAT="", TRREASND=""))
    elif kind == "no-baseline-row":  # a non-target with TR rows, none at the baseline visit
        nts = {r["TRLNKID"] for r in lesion_rows(lambda r: up(r, "TRGRPID") == "NON-TARGET"
                                                 and r["VISITNUM"] != "1")}
        base = [r for r in lesion_rows(lambda r: r["TRLNKID"] in nts and r["VISITNUM"] == "1")]
        if not base:
            return None
        r = R.choice(base)
        s.tr = [x for x in s.tr if not (x["TRLNKID"] == r["TRLNKID"] and x["VISITNUM"] == "1"
                                        and ev(x) == ev(r))]
        if not any(x["VISITNUM"] == "1" and ev(x) == ev(r) for x in s.tr):
            return None  # no baseline visit left: that is missing-baseline
    elif kind == "new-without-visit":
        r = R.choice(cands)
        s.tu.append(dict(s.tu[0], TULNKID="NEW99", TUORRES="NEW", TUSTRESC="NEW", TULOC="LUNG",
                         TUEVAL=r["TREVAL"], TUEVALID=r["TREVALID"], VISITNUM="99",
                         VISIT="WEEK 99", TUDTC="2029-01-01"))
    elif kind == "missing-baseline":  # TU identifies a baseline lesion before TR's first visit
        tus = [t for t in s.tu if up(t, "TUSTRESC") in ("TARGET", "NON-TARGET")
               or up(t, "TUORRES") in ("TARGET", "NON-TARGET")]
        t = R.choice(tus)
        r = next(x for x in cands if x["TRLNKID"] == t["TULNKID"] and ev(x) == ev(t, "TU"))
        day = dt.date.fromisoformat(t["TUDTC"]) - dt.timedelta(days=10)
        t.update(VISITNUM="0", VISIT="PRE-SCREENING", TUDTC=str(day))
    elif kind == "visit-order":  # visit 2 dated after the last visit
        e = ev(R.choice(cands))
        nums = sorted({float(x["VISITNUM"]) for x in cands if ev(x) == e})
        if len(nums) < 3:
            return None
        last = max(x["TRDTC"][:10] for x in s.tr)
        late = str(dt.date.fromisoformat(last) + dt.timedelta(days=30))
        for x in s.tr:
            if float(x["VISITNUM"]) == nums[1] and ev(x) == e:
                x["TRDTC"] = late
        r = next(x for x in cands if float(x["VISITNUM"]) == nums[1] and ev(x) == e)
    elif kind == "not-done-with-value":
        c = [x for x in cands if num_ok(x)]
        if not c:
            return None
        r = R.choice(c)
        r.update(TRSTAT="NOT DONE", TRREASND="SCAN NOT PERFORMED")
    elif kind == "orres-stresc":  # TRORRES and TRSTRESC lengths that differ
        c = [x for x in cands if num_ok(x)]
        if not c:
            return None
        r = R.choice(c)
        v = float(r["TRORRES"]) * (10 if r["TRORRESU"].lower() == "cm" else 1) + 3
        r.update(TRSTRESC=num(v), TRSTRESN=num(v), TRSTRESU="mm")
    elif kind == "zero-with-present":  # 0 mm on a target with a status saying it is there
        c = [x for x in cands if num_ok(x) and up(x, "TRGRPID") == "TARGET" and x["VISITNUM"] != "1"]
        if not c:
            return None
        r = R.choice(c)
        r.update(TRORRES="0", TRORRESU="mm", TRSTRESC="0", TRSTRESN="0", TRSTRESU="mm")
        s.tr = [x for x in s.tr if not (x["TRLNKID"] == r["TRLNKID"] and ev(x) == ev(r) and
                                        x["VISITNUM"] == r["VISITNUM"] and up(x, "TRTESTCD") == "TUMSTATE")]
        s.tr.append(dict(r, TRTESTCD="TUMSTATE", TRTEST="Tumor State", TRORRES="PRESENT",
                         TRORRESU="", TRSTRESC="PRESENT", TRSTRESN="", TRSTRESU=""))
    elif kind == "grpid":  # TRGRPID contradicting TU
        r = R.choice(cands)
        r["TRGRPID"] = "NON-TARGET" if up(r, "TRGRPID") == "TARGET" else "TARGET"
    elif kind == "node-ldiam":  # a node measured only by its long axis
        c = [x for x in cands if up(x, "TRTESTCD") == "LPERP" and up(x, "TRGRPID") == "TARGET"]
        if not c:
            return None
        r = R.choice(c)
        for x in s.tr:
            if x["TRLNKID"] == r["TRLNKID"] and ev(x) == ev(r) and up(x, "TRTESTCD") == "LPERP":
                x["TRTESTCD"] = "LDIAM"
    elif kind == "ne-new":  # TR says only NOT EVALUABLE at a new lesion's TU visit
        news = [t for t in s.tu if "NEW" in (up(t, "TUSTRESC"), up(t, "TUORRES")) and t["VISITNUM"]]
        if not news:
            return None
        t = R.choice(news)
        s.tr = [x for x in s.tr if not (x["TRLNKID"] == t["TULNKID"] and ev(x) == ev(t, "TU") and
                                        float(x["VISITNUM"]) == float(t["VISITNUM"]))]
        vis = [x for x in s.tr if x["VISITNUM"] == t["VISITNUM"] and ev(x) == ev(t, "TU")]
        if not vis:
            return None
        r = dict(vis[0], TRGRPID="NEW", TRLNKID=t["TULNKID"], TRTESTCD="TUMSTATE", TRTEST="Tumor State",
                 TRORRES="NOT EVALUABLE", TRORRESU="", TRSTRESC="NOT EVALUABLE", TRSTRESN="",
                 TRSTRESU="", TRSTAT="", TRREASND="", TREVAL=t["TUEVAL"], TREVALID=t["TUEVALID"])
        s.tr.append(r)
    s.planted = kind
    ev = ((r["TREVAL"].strip() or "INVESTIGATOR").upper(), r["TREVALID"].strip().upper())
    s.planted_eval = ev[0] + ("/" + ev[1] if ev[1] else "")
    return r


def main():
    t0 = time.time()
    subjects = [gen_subject(k) for k in range(COUNT)]
    dup_rows = {}  # subject -> number of exact duplicate TR rows added
    if PLANT:
        for s in R.sample(subjects, min(len(subjects), max(3, COUNT // 50))):
            for _ in range(10):
                saved = ([dict(r) for r in s.tu], [dict(r) for r in s.tr])
                if plant(s, R.choice(list(PLANTS))):
                    break
                s.tu, s.tr = saved
        for s in R.sample(subjects, min(len(subjects), max(2, COUNT // 100))):
            if s.planted is None:
                r = R.choice(s.tr)
                s.tr.append(dict(r))
                if r["TRDTC"] and "T" not in r["TRDTC"] and R.random() < 0.5:  # time of day: not read
                    s.tr[-1]["TRDTC"] += "T23:59"
                dup_rows[s.id] = 1
    dm_dups = 0
    for s in R.sample(subjects, max(1, COUNT // 50)):  # a further DM row with the same date
        if s.dm:
            s.dm.append(dict(s.dm[0]))
            dm_dups += 1
    extra_dm = [dict(STUDYID="SORC", DOMAIN="DM", USUBJID="SO-99999", SUBJID="99999",
                     RFSTDTC="2021-01-04", SITEID="101", AGE="60", AGEU="YEARS", SEX="F")]
    for s in subjects:
        R.shuffle(s.tu)
        R.shuffle(s.tr)
        for i, r in enumerate(s.tu):
            r["TUSEQ"] = str(i + 1)
        for i, r in enumerate(s.tr):
            r["TRSEQ"] = str(i + 1)
    tmp = tempfile.mkdtemp(prefix="sdtm-oracle-")
    tu_rows = [r for s in subjects for r in s.tu]
    tr_rows = [r for s in subjects for r in s.tr]
    dm_rows = [r for s in subjects for r in s.dm] + extra_dm  # a subject with no TU/TR row
    write_study(tmp, (tu_rows, tr_rows, dm_rows), R)
    t1 = time.time()
    rs, errors, summ, took = run_batch([RECIST, "batch", "--tu", f"{tmp}/TU.csv", "--tr",
                                        f"{tmp}/TR.csv", "--dm", f"{tmp}/DM.csv", "--out",
                                        f"{tmp}/out"], f"{tmp}/out")
    t2 = t1 + took
    problems = []  # (subject or None, text)

    # refusals: exactly the planted subjects (subject level) and the duplicate rows (row level)
    planted = {s.id: s.planted for s in subjects if s.planted}
    refused_subj, row_errs = {}, {}
    for e in errors:
        if e.get("level") == "subject":
            refused_subj.setdefault(e.get("subject"), []).append(e)
        elif e.get("level") == "row":
            row_errs.setdefault(e.get("subject"), []).append(e)
        else:
            problems.append((None, f"unexpected error line {e}"))
    for sid, kind in planted.items():
        if sid not in refused_subj:
            problems.append((sid, f"planted {kind}, not refused"))
    for sid, es in refused_subj.items():
        if sid not in planted:
            problems.append((sid, "refused: " + "; ".join(
                f"{e.get('code')} {e.get('reason')} {e.get('problems', '')}"[:600] for e in es)))
    for sid, es in row_errs.items():
        want = dup_rows.get(sid, 0) + (1 if planted.get(sid) == "unknown-test" else 0)
        if len(es) != want:
            problems.append((sid, f"{len(es)} row errors, expected {want}: " + "; ".join(
                f"{e.get('code')} {e.get('reason')}"[:300] for e in es)))
    for sid, n in dup_rows.items():
        if sid not in row_errs:
            problems.append((sid, "exact duplicate TR row not refused"))

    # rs.csv against the model
    got, best, seq = {}, {}, {}
    for r in rs:
        ev = r["RSEVAL"] + ("/" + r["RSEVALID"] if r["RSEVALID"] else "")
        seq.setdefault(r["USUBJID"], []).append(int(r["RSSEQ"]))
        if r["RSORRES"] != r["RSSTRESC"] or r["RSCAT"] != "RECIST 1.1" or r["DOMAIN"] != "RS":
            problems.append((r["USUBJID"], f"odd row {r}"))
        if r["RSTESTCD"] == "BESTRESP":
            best[(r["USUBJID"], ev)] = r["RSSTRESC"]
        else:
            key = (r["USUBJID"], ev, r["VISITNUM"], r["RSTESTCD"])
            if key in got:
                problems.append((r["USUBJID"], f"two rows for {key}"))
            got[key] = (r["RSSTRESC"], r["VISIT"], r["RSDTC"])
    for sid, q in seq.items():
        if q != list(range(1, len(q) + 1)):
            problems.append((sid, f"RSSEQ {q}"))
    by_id = {s.id: s for s in subjects}

    # the order of rs.csv: subjects as first met in TR, a subject's evaluators as first met in
    # its TR rows; per evaluator its visits by date, each visit's tests in the order
    # TRGRESP, NTRGRESP, NEWLIND, OVRLRESP, then BESTRESP
    first = {}
    for r in tr_rows:
        e = (r["TREVAL"].strip() or "INVESTIGATOR").upper() + (
            "/" + r["TREVALID"].strip().upper() if r["TREVALID"].strip() else "")
        first.setdefault(r["USUBJID"], []).append(e) if e not in first.get(r["USUBJID"], []) else None
    subj_order = [u for u in first if any(k[0] == u for k in best)]
    rs_subjects = list(dict.fromkeys(r["USUBJID"] for r in rs))
    if rs_subjects != subj_order:
        problems.append((None, f"rs.csv subject order differs from TR's first-met order "
                               f"(first differing at {next((a, b) for a, b in zip(rs_subjects + [None], subj_order + [None]) if a != b)})"))
    blocks = {}
    for r in rs:
        e = r["RSEVAL"] + ("/" + r["RSEVALID"] if r["RSEVALID"] else "")
        blocks.setdefault(r["USUBJID"], []).append((e, r))
    for u, rows_u in blocks.items():
        evs = list(dict.fromkeys(e for e, _ in rows_u))
        want_evs = [e for e in first.get(u, []) if e in evs]
        if evs != want_evs or [e for e, _ in rows_u] != sorted((e for e, _ in rows_u), key=evs.index):
            problems.append((u, f"evaluators in rs.csv {evs}, first met in TR {first.get(u)}"))
            continue
        for e in evs:
            seq_e = [(r["RSDTC"], r["RSTESTCD"]) for ee, r in rows_u if ee == e]
            keyed = [(d if t != "BESTRESP" else "9999", TESTS.index(t) if t in TESTS else 9)
                     for d, t in seq_e]
            if keyed != sorted(keyed) or seq_e[-1][1] != "BESTRESP":
                problems.append((u, f"rows of {e} out of order: {seq_e}"))
    got_of = {}  # subject -> its keys in rs.csv
    for k in list(got) + list(best):
        got_of.setdefault(k[0], set()).add(k)
    compared = 0
    tally = {}  # (test, value) -> count, to show what was compared
    for s in subjects:
        if s.planted:  # the evaluator it was planted in is refused, any other adjudicated
            if any(k[:2] == (s.id, s.planted_eval) for k in got_of.get(s.id, ())):
                problems.append((s.id, f"refused evaluator {s.planted_eval} has RS rows"))
            for ev in list(s.rs):
                if ev[0] == s.planted_eval:
                    del s.rs[ev]
            s.best.pop(s.planted_eval, None)
        compared += 1
        diffs = []
        want = {(s.id,) + k: v for k, v in s.rs.items()}
        for k in sorted(set(want) | {k for k in got_of.get(s.id, ()) if k in got}):
            if k in want:
                tally[(k[3], want[k][0])] = tally.get((k[3], want[k][0]), 0) + 1
            if want.get(k) != got.get(k):
                diffs.append(f"{k[1:]}: model {want.get(k)} engine {got.get(k)}")
        for ev, b in s.best.items():
            tally[("BESTRESP", b)] = tally.get(("BESTRESP", b), 0) + 1
            if best.get((s.id, ev)) != b:
                diffs.append(f"BESTRESP {ev}: model {b} engine {best.get((s.id, ev))}")
        if diffs:
            problems.append((s.id, "\n  ".join(diffs)))

    # summary counts
    rec = summ.get("reconciliation", {})
    if not oracle_run.all_true(rec):
        problems.append((None, f"reconciliation {rec}"))
    n_tu = sum(len(s.tu) for s in subjects)
    n_tr = sum(len(s.tr) for s in subjects)
    rows = summ.get("rows", {})
    for dom, n in (("TU", n_tu), ("TR", n_tr)):
        if rows.get(dom, {}).get("read") != n:
            problems.append((None, f"summary rows.{dom}.read {rows.get(dom)} != {n}"))
    if rows.get("TR", {}).get("refused") != sum(dup_rows.values()) + sum(
            1 for k in planted.values() if k == "unknown-test"):
        problems.append((None, f"summary rows.TR {rows.get('TR')}"))
    n_dm = len(dm_rows)
    dmc = rows.get("DM", {})
    if dmc.get("read") != n_dm or dmc.get("refused") != 0 or \
            dmc.get("in_subjects_without_tumour_data") != 1 or dmc.get("subjects_without_tumour_data") != 1:
        problems.append((None, f"summary rows.DM {dmc}: expected read {n_dm}, one subject without "
                               "tumour data"))
    subj, se = summ.get("subjects", {}), summ.get("subject_evaluators", {})
    if subj.get("seen") != COUNT or subj.get("refused") != len(planted):
        problems.append((None, f"summary subjects {subj}: expected seen {COUNT}, refused {len(planted)}"))
    n_se = sum(len(s.cases) for s in subjects)
    if se.get("seen") != n_se or se.get("refused_while_reading") != len(planted) \
            or se.get("refused_by_engine") != 0:
        problems.append((None, f"summary subject_evaluators {se}: expected seen {n_se}, "
                               f"refused while reading {len(planted)}"))
    seen_codes = {}
    for sid, kind in planted.items():
        got_codes = {c.get("code") for e in refused_subj.get(sid, []) for c in e.get("problems", [e])}
        seen_codes.setdefault(kind, set()).update(got_codes)
        if refused_subj.get(sid) and PLANTS[kind] and PLANTS[kind] not in got_codes:
            problems.append((sid, f"planted {kind}, refused with {got_codes}"))
        elif STRICT and len(got_codes) > 1:  # a problem derived from the planted one
            problems.append((sid, f"planted {kind}, refused with {got_codes}: " + "; ".join(
                c.get("reason", "")[:300] for e in refused_subj[sid] for c in e.get("problems", [e]))))

    shown = 0
    for sid, text in problems:
        shown += 1
        if shown > 5:
            break
        print("== model vs engine:", sid or "(run)", text)
        if sid in by_id:
            s = by_id[sid]
            for r in s.tu:
                print("TU", ",".join(r.get(c, "") for c in TU_COLS[2:]))
            for r in s.tr:
                print("TR", ",".join(r.get(c if c != "TRLINKID" else "TRLNKID", "") for c in TR_COLS[4:]))
            for r in s.dm:
                print("DM", ",".join(r.get(c, "") for c in DM_COLS[2:]))
    bad = len({sid for sid, _ in problems})
    print(f"mode {summ.get('mode')}, {'CRLF' if SEED % 5 == 3 else 'LF'}, {LNK}, "
          f"{dm_dups} subjects with a repeated DM row")
    print(f"{COUNT} subjects ({len(planted)} planted invalid, {len(dup_rows)} with a duplicate row), "
          f"{compared} compared, {len(problems)} problems in {bad} subjects/run; "
          f"generate {t1 - t0:.1f}s, engine {t2 - t1:.1f}s")
    print("  refused as planted:", "; ".join(f"{k} -> {', '.join(sorted(map(str, v)))}"
                                         for k, v in sorted(seen_codes.items())))
    for t in TESTS + ("BESTRESP",):
        print(f"  {t}: " + ", ".join(f"{v} {n}" for (tt, v), n in sorted(tally.items()) if tt == t))
    if problems or os.environ.get("KEEP"):
        print("files kept in", tmp)
    else:
        shutil.rmtree(tmp)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
