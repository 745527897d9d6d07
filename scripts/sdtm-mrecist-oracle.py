#!/usr/bin/env python3
"""An independent model of `recist batch --rules mrecist` reading SDTM TU/TR/DM with the
study's mRECIST test codes (docs/batch.md: `viable`, `pattern`, `enhancement` through the
mapping), written from docs/batch.md, cdisc.md and the rules reference, not from the reader
(crates/sdtm), run against the engine's rs.csv and errors.jsonl.

It writes random subjects as SDTM rows (its own generator; the row writing of
scripts/sdtm-oracle.py, imported) together with the case the mRECIST model of
scripts/mrecist-oracle.py (`model`) reads, and the mapping file naming the study codes
`VIABDIAM` (viable), `HCCPATT` (pattern) and `ARTENH` (enhancement):
- liver targets (`LIVER`, `LIVER SEGMENT 8`, `RIGHT HEPATIC LOBE`): typical HCC (`HCCPATT`
  `TYPICAL` at baseline) measured by the viable diameter (MR-MEAS), with or without `LDIAM`
  beside it, viable 0 mm (no viable tumour left), gone (`ABSENT`, 0 mm), too small, no viable
  diameter read (MR-IMG: not evaluated); atypical ones (`ATYPICAL` or no pattern) and typical
  ones under 10 mm viable at baseline, followed as non-targets (MR-TGT-ELIG);
- extrahepatic targets (lung, adrenal) by `LDIAM`; nodal targets by `LPERP`, some at the porta
  hepatis (a target from 20 mm; 15-19 mm followed as a non-target, MR-PHNODE);
- non-targets in the liver, bone, a retroperitoneal node: `TUMSTATE` `PRESENT`, `ABSENT`,
  `UNEQUIVOCAL PROGRESSION`, `NOT EVALUABLE`, with `ARTENH` `ENHANCING`/`NON-ENHANCING` or a
  viable diameter (0 mm: non-viable) beside a present one (MR-NT-CR);
- new lesions identified in TU at a follow-up: liver nodules of 6-15 mm typical or atypical per
  sighting (`HCCPATT` at each sighting: MR-NEW-TYPICAL, MR-NEW-ATYPICAL), lung lesions, axillary
  nodes by short axis; not listed at some later visits;
- `TRSTAT NOT DONE` rows (not evaluated), missing rows at follow-ups, mm and cm, DM's RFSTDTC
  0-7 days after baseline; each subject's rows shuffled (all rows on seeds divisible by 4: the
  engine's in-memory mode), and sdtm-oracle's writing: CRLF on seeds 3 mod 5, `TRLINKID` on
  seeds 2 mod 3, values in other case or with spaces.
Every subject is valid: errors.jsonl must be empty and every subject adjudicated, unless
PLANT=1 (default), where 2 % of subjects get one of the mRECIST refusals docs/batch.md names
(`MR_PLANTS`: a viable diameter longer than the long axis (the engine's
refusal, `engine`; docs/batch.md names none), a viable diameter above 0 mm on a target gone or too small, an unknown pattern
word, a viable diameter too small to measure, a non-target ABSENT with enhancing tumour, its
viable diameter and enhancement disagreeing, an enhancement given on a non-target not
evaluated): exactly those subjects must be refused, nothing else.
Compared per subject and visit: TRGRESP, NTRGRESP, NEWLIND, OVRLRESP (RSSTRESC), and BESTRESP
(the confirmed best response).

Usage: scripts/sdtm-mrecist-oracle.py [SEED [COUNT]]   (engine: $RECIST, default
  target/debug/recist). PLANT=0 writes valid subjects only; KEEP=1 keeps the files (printed);
  STRICT=1 fails a planted refusal that lists further problems beside the planted one.
Prints the first differences with the subject's rows, the refusal codes met per planted kind
and a tally of the values compared; exit 1 on any difference.
"""

import datetime as dt
import os
import random
import shutil
import sys
import tempfile
import time
from fractions import Fraction as F

import oracle_run

SEED, COUNT, _, RECIST = oracle_run.arguments()
SO = oracle_run.load("sdtm_oracle", "sdtm-oracle.py")  # row writing (tr_row, tu_row, write_csv)
MR = oracle_run.load("mrecist_oracle", "mrecist-oracle.py")  # the mRECIST model
R = random.Random(SEED * 104729 + 7)
SO.R = R  # the row writer's variations drawn from this script's stream
SO.TESTNAME.update(VIABDIAM="Viable Tumor Diameter", HCCPATT="HCC Pattern",
                   ARTENH="Arterial Enhancement")
PLANT = os.environ.get("PLANT", "1") != "0"
STRICT = os.environ.get("STRICT", "0") != "0"  # a planted refusal must list its problem alone
# The study's codes: docs/batch.md's on odd seeds, others on even ones, with result words the
# mapping adds (`patterns: {LR-5: typical}`, `enhancement: {APHE: enhancing}`) on some rows.
CODES = ({"VIABDIAM": "VIABDIAM", "HCCPATT": "HCCPATT", "ARTENH": "ARTENH"} if SEED % 2 else
         {"VIABDIAM": "VIABLD", "HCCPATT": "LIRADS", "ARTENH": "APHE"})
MAPPING = f"""# The study's mRECIST test codes (docs/batch.md)
tests:
  {CODES['VIABDIAM']}: viable
  {CODES['HCCPATT']}: pattern
  {CODES['ARTENH']}: enhancement
patterns:
  LR-5: typical
enhancement:
  WASH-IN: enhancing
"""
WORDS = {"TYPICAL": "LR-5", "ENHANCING": "WASH-IN"}
EV = ("INVESTIGATOR", "")
LIVER = ["LIVER", "LIVER SEGMENT 8", "RIGHT HEPATIC LOBE"]
NEWL = {"NO": "N", "YES": "Y", "EQUIVOCAL": "U"}
RSW = {"NON-CR/NON-PD": "NON-CR/NON-PD"}
TESTS = ("TRGRESP", "NTRGRESP", "NEWLIND", "OVRLRESP")


def r1(v):
    """A length to 0.1 mm (two decimals in cm)."""
    return F(round(F(v) * 10), 10)


def gen_subject(k):
    s = SO.Subject(k)
    s.id = "MR-%05d" % k
    s.unit = "cm" if R.random() < 0.1 else "mm"
    s.planted = None
    les = []  # mrecist-oracle lesion dicts (cls drives the model) + SDTM site
    for i in range(R.choice([0, 1, 1, 2, 2])):
        cls = R.choices(["liver", "atyp", "small"], [8, 1, 1])[0]
        les.append(dict(id="T%02d" % (len(les) + 1), cls=cls, role="target", site=R.choice(LIVER),
                        nodal=False, typical=cls != "atyp"))
    for site in R.sample(["LUNG", "ADRENAL GLAND"], R.choice([0, 0, 1, 2])):
        les.append(dict(id="T%02d" % (len(les) + 1), cls="extra", role="target", site=site,
                        nodal=False, typical=False))
    for i in range(min(R.choice([0, 0, 1, 2]), 5 - len(les))):
        cls = R.choices(["node", "ph", "phdem"], [3, 2, 1])[0]
        les.append(dict(id="T%02d" % (len(les) + 1), cls=cls, role="target", nodal=True, typical=False,
                        site="PORTA HEPATIS LYMPH NODE" if cls != "node" else "MEDIASTINAL LYMPH NODE"))
    for cls in R.sample(["ntliver", "bone", "ntnode", "phdem"], R.choice([0, 0, 1, 1, 2, 3])):
        # phdem here: a porta hepatis node listed as a non-target and measured on its short
        # axis alone (normal below mRECIST's 20 mm, R11-NODE-NORMAL, MR-PHNODE)
        les.append(dict(id="NT%02d" % (len(les) + 1), cls=cls, role="non-target",
                        nodal=cls in ("ntnode", "phdem"), typical=False,
                        site={"ntliver": R.choice(LIVER), "bone": "BONE", "phdem": "PORTA HEPATIS LYMPH NODE",
                              "ntnode": "RETROPERITONEAL LYMPH NODE"}[cls]))
    if not les:
        les.append(dict(id="T01", cls="liver", role="target", site="LIVER", nodal=False, typical=True))
    base_day = dt.date(2021, 1, 4) + dt.timedelta(days=R.randint(0, 700))
    days = [(base_day, "1", "SCREENING")]
    for i in range(R.randint(1, 6)):
        days.append((days[-1][0] + dt.timedelta(days=R.choice([28, 35, 42, 43, 56])), str(i + 2),
                     "WEEK %d" % (6 * (i + 1))))
    ts = base_day + dt.timedelta(days=R.choice([0, 0, 3, 7]))
    s.dm.append(dict(STUDYID="SORC", DOMAIN="DM", USUBJID=s.id, SUBJID=str(k), RFSTDTC=str(ts),
                     SITEID="101", AGE="60", AGEU="YEARS", SEX=R.choice("FM")))
    pzero = R.choice([0.05, 0.2, 0.5])

    def row(lid, grp, test, vi, **kw):
        d, vn, vname = days[vi]
        s.tr_row(EV, grp, lid, test, vn, vname, d, **kw)

    for L in les:
        s.tu_row(EV, L["id"], L["role"].upper(), L["site"], "1", "SCREENING", base_day)
    base = {}
    visits = []
    news, nn = {}, 0
    for vi, (day, vn, vname) in enumerate(days):
        f, new = {}, []
        for L in les:
            i, c, grp = L["id"], L["cls"], L["role"].upper()
            if vi == 0:
                if c == "liver":
                    v = F(R.choice([10, 12, 15, 20, 25, 30, 40]))
                    f[i] = ("m", v + R.choice([0, 2, 10]), v)
                elif c == "small":
                    f[i] = ("m", F(R.choice([12, 20, 30])), F(R.choice([4, 6, 8, F(99, 10)])))
                elif c == "atyp":
                    la = F(R.choice([12, 20, 35]))
                    f[i] = ("m", la, min(la, F(R.choice([15, 20]))) if R.random() < 0.3 else None)
                elif c == "extra":
                    f[i] = ("m", F(R.choice([10, 12, 15, 20, 30])), None)
                elif c == "phdem" and L["role"] == "non-target":
                    f[i] = ("n", F(R.choice([20, 22, 25])))
                elif c in ("node", "ph", "phdem"):
                    f[i] = ("n", F(R.choice({"node": [15, 16, 20, 25], "ph": [20, 22, 25, 30],
                                             "phdem": [15, 17, 19]}[c])))
                else:
                    f[i] = ("present",)
                base[i] = f[i]
            else:
                f[i] = follow(L, base[i], pzero)
            write_finding(row, L, f[i], vi)
            if vi == 0 and c in ("liver", "small"):
                row(i, grp, "HCCPATT", 0, res="TYPICAL")
            elif vi == 0 and c == "atyp" and R.random() < 0.6:
                row(i, grp, "HCCPATT", 0, res="ATYPICAL")
            elif vi == 0 and c in ("extra", "ntliver") and R.random() < 0.15:
                row(i, grp, "HCCPATT", 0, res="TYPICAL")  # extrahepatic: ignored; non-target: as read
        if vi > 0:
            for nid, n in list(news.items()):
                if R.random() < 0.15:
                    continue  # no TR row: not seen this time
                n["size"] += R.choice([0, 0, 2, 4, 5, 6, 10, 12])
                if n["kind"] in ("typ", "atyp"):
                    n["typical"] = R.random() < (0.9 if n["kind"] == "typ" else 0.1)
                if n["eq"] and R.random() < 0.5:
                    n["eq"] = False
                if R.random() < 0.1:  # listed in TU again: new there as well (docs/batch.md)
                    s.tu_row(EV, nid, "NEW", n["site"], vn, vname, day)
                new.append((nid, dict(n)))
            if R.random() < 0.25:
                nn += 1
                kind = R.choices(["typ", "atyp", "extra", "node"], [3, 3, 2, 1])[0]
                n = dict(kind=kind, typical=kind == "typ", eq=kind != "node" and R.random() < 0.2, cyto=None, typical_extra=False,
                         site=R.choice(LIVER) if kind in ("typ", "atyp") else
                         ("LUNG" if kind == "extra" else "AXILLARY LYMPH NODE"),
                         size=F({"typ": R.choice([6, 8, 10, 12, 15]), "atyp": R.choice([6, 10, 15]),
                                 "extra": R.choice([5, 12]), "node": R.choice([8, 10, 12])}[kind]))
                nid = "N%02d" % nn
                news[nid] = n
                s.tu_row(EV, nid, "NEW", n["site"], vn, vname, day)
                new.append((nid, dict(n)))
            for nid, n in new:
                if n["kind"] == "node":
                    row(nid, "NEW", "LPERP", vi, mm=n["size"])
                    continue
                row(nid, "NEW", "LDIAM", vi, mm=n["size"])
                if n["eq"]:
                    row(nid, "NEW", "TUMSTATE", vi, res="EQUIVOCAL")
                if n["kind"] in ("typ", "atyp") and R.random() < 0.2:  # MR-NEW-TYPICAL counts the LD
                    row(nid, "NEW", "VIABDIAM", vi, mm=r1(n["size"] * F(R.choice([5, 7, 10]), 10)))
                if n["kind"] in ("typ", "atyp"):
                    if n["typical"]:
                        row(nid, "NEW", "HCCPATT", vi, res="TYPICAL")
                    elif R.random() < 0.7:
                        row(nid, "NEW", "HCCPATT", vi, res="ATYPICAL")
        visits.append((day, f, new))
    # a visit with no row of any lesion is no assessment (docs/batch.md): left out of the case
    seen = {r["VISITNUM"] for r in s.tr}
    keep = [i for i in range(len(days)) if days[i][1] in seen]
    for i in keep:  # an assessment dated by at least one row
        rows = [r for r in s.tr if r["VISITNUM"] == days[i][1]]
        if not any(r["TRDTC"] for r in rows):
            rows[0]["TRDTC"] = str(days[i][0])
    s.case = dict(subject=s.id, lesions=les, visits=[visits[i] for i in keep], ts=ts)
    s.days = [days[i] for i in keep]
    return s


def follow(L, b, pzero):
    """A lesion's finding at a follow-up, in the mrecist-oracle case model."""
    c = L["cls"]
    x = R.random()
    if x < 0.04:
        return ("ne",)  # NOT DONE
    if x < 0.08:
        return ("omit",)  # no row
    if L["role"] == "non-target" and c == "phdem":
        y = R.random()
        if y < 0.05:
            return ("tstm",)
        if y < 0.1:
            return ("absent",)
        return ("n", r1(R.choice([8, 15, 19, F(199, 10), 20, 22, 26, b[1]])))
    if L["role"] == "non-target":
        t = R.choices(["present", "nv", "vt", "absent", "progression", "pm"], [5, 8 * pzero, 1, 8 * pzero, 1, 1])[0]
        if t in ("nv", "vt") and (L["nodal"] or c == "bone"):
            t = "present"  # no enhancement written for them (see write_finding)
        return (t,)
    if b[0] == "n":
        if R.random() < 0.06:
            return ("tstm",)
        if R.random() < 0.06:
            return ("absent",)
        return ("n", r1(R.choice([4, 5, 8, 9, F(99, 10), 10, 12, 15, 16, 19, F(199, 10), 20, 21, 24,
                                  b[1] * F(12, 10), b[1], b[1] * F(7, 10)])))
    y = R.random()
    if y < pzero * 0.5:
        return ("absent",) if c == "extra" or R.random() < 0.3 else ("m", r1(b[1] * F(9, 10)), F(0))
    if y < pzero * 0.5 + 0.05:
        return ("tstm",)
    ref = b[2] if c in ("liver", "small") or (c == "atyp" and b[2] is not None) else b[1]
    v = r1(R.choice([2, 3, 5, 8, 10, 12, ref / 2, ref * F(7, 10), ref * F(71, 100), ref * F(69, 100),
                     ref, ref * F(6, 5), ref * F(119, 100), ref + 1, ref + 3, ref * F(3, 2), ref * 2]))
    if c in ("liver", "small"):
        if R.random() < 0.06:
            return ("m", max(b[1], v), None)  # MR-IMG: no viable diameter read
        return ("m", max(r1(b[1] * F(9, 10)), v), v)
    if c == "atyp":
        return ("m", v, r1(v * F(R.choice([0, 1, 1]), 2)) if R.random() < 0.4 else None)
    return ("m", v, None)


def write_finding(row, L, v, vi):
    """The TR rows of one finding (see the module docstring)."""
    i, c, grp, t = L["id"], L["cls"], L["role"].upper(), v[0]
    if t == "omit":
        return
    if L["role"] == "non-target" and c == "phdem" and t != "ne":
        if t == "absent":
            row(i, grp, "LNSTATE", vi, res="ABSENT")
        else:
            row(i, grp, "LPERP", vi, mm=v[1] if t == "n" else None, res="TOO SMALL TO MEASURE")
        return
    if L["role"] == "non-target":
        if t == "ne":
            if R.random() < 0.5:
                row(i, grp, "TUMSTATE", vi, status=True)
            else:
                row(i, grp, "TUMSTATE", vi, res="NOT EVALUABLE")
            return
        state = {"absent": "ABSENT", "progression": "UNEQUIVOCAL PROGRESSION"}.get(t, "PRESENT")
        row(i, grp, "TUMSTATE", vi, res=state)
        if L["nodal"] or c == "bone":
            return  # (MR-NT-CR: nodes by size; the model reads `nv` of a node as present)
        if t == "absent" and R.random() < 0.5:
            row(i, grp, "ARTENH", vi, res="NON-ENHANCING")
        elif t in ("nv", "vt"):
            how = R.choice(["enh", "via", "both"])
            if how in ("enh", "both"):
                row(i, grp, "ARTENH", vi, res="NON-ENHANCING" if t == "nv" else "ENHANCING")
            if how in ("via", "both"):
                if t == "vt" and R.random() < 0.3:  # too small to measure: viable
                    row(i, grp, "VIABDIAM", vi, res="TOO SMALL TO MEASURE")
                else:
                    row(i, grp, "VIABDIAM", vi, mm=F(0) if t == "nv" else F(R.choice([5, 12])))
        return
    if t == "ne":
        row(i, grp, "LPERP" if L["nodal"] else "LDIAM", vi, status=True)
        if c in ("liver", "small") and R.random() < 0.5:
            row(i, grp, "VIABDIAM", vi, status=True)
        return
    if t == "absent":
        if R.random() < 0.5:
            row(i, grp, "TUMSTATE" if not L["nodal"] else "LNSTATE", vi, res="ABSENT")
        else:
            row(i, grp, "LPERP" if L["nodal"] else "LDIAM", vi, mm=F(0))
        return
    if t == "tstm":
        row(i, grp, "LPERP" if L["nodal"] else "LDIAM", vi, res="TOO SMALL TO MEASURE")
        return
    if t == "n":
        row(i, grp, "LPERP", vi, mm=v[1])
        return
    la, via = v[1], v[2]
    viable_alone = via is not None and c == "liver" and R.random() < 0.1
    if viable_alone:  # measured by the viable diameter alone (docs/batch.md)
        if R.random() < 0.5:
            row(i, grp, "LDIAM", vi, status=True)
    else:
        row(i, grp, "LDIAM", vi, mm=la)
    if via is not None:
        row(i, grp, "VIABDIAM", vi, mm=via)
    elif c in ("liver", "small") and R.random() < 0.5:  # MR-IMG: the viable diameter not done
        row(i, grp, "VIABDIAM", vi, status=True)
    elif c == "extra" and R.random() < 0.1:  # outside the liver: the long axis counts
        row(i, grp, "VIABDIAM", vi, mm=r1(la / 3))
    if c in ("liver", "small") and R.random() < 0.04:  # on a target: not used (a warning)
        row(i, grp, "ARTENH", vi, res=R.choice(["ENHANCING", "NON-ENHANCING"]))
    if vi > 0 and c in ("liver", "small", "atyp") and R.random() < 0.04:  # decided at baseline
        row(i, grp, "HCCPATT", vi, res=R.choice(["TYPICAL", "ATYPICAL"]))


# mRECIST refusals docs/batch.md names (subject × evaluator); each returns True when planted
def _target_rows(s, pred):
    return [r for r in s.tr if r["TRGRPID"].strip().upper() == "TARGET" and pred(r)]


def plant(s, kind):
    fu = [r for r in s.tr if r["VISITNUM"] != "1"]
    if kind == "viable-on-gone":  # a viable diameter above 0 mm on a target gone
        rs = [r for r in fu if r["TRGRPID"].strip().upper() == "TARGET" and
              r["TRTESTCD"].strip().upper() in ("TUMSTATE", "LNSTATE") and r["TRORRES"].strip().upper() == "ABSENT"]
        rs += [r for r in fu if r["TRGRPID"].strip().upper() == "TARGET" and
               r["TRTESTCD"].strip().upper() == "LDIAM" and r["TRSTRESN"] in ("0",)]
        rs = [r for r in rs if not any(q["TRLNKID"] == r["TRLNKID"] and q["VISITNUM"] == r["VISITNUM"]
                                       and q["TRTESTCD"].strip().upper() == "VIABDIAM" for q in s.tr)]
        if not rs:
            return False
        r = R.choice(rs)
        s.tr_row(EV, "TARGET", r["TRLNKID"], "VIABDIAM", r["VISITNUM"], r["VISIT"], r["TRDTC"][:10], mm=F(7))
    elif kind == "viable-on-too-small":
        rs = [r for r in fu if r["TRGRPID"].strip().upper() == "TARGET" and "TOO SMALL" in
              (r["TRORRES"] + r["TRSTRESC"]).upper() and r["TRTESTCD"].strip().upper() == "LDIAM"]
        if not rs:
            return False
        r = R.choice(rs)
        s.tr_row(EV, "TARGET", r["TRLNKID"], "VIABDIAM", r["VISITNUM"], r["VISIT"], r["TRDTC"][:10], mm=F(4))
    elif kind == "unknown-pattern":
        rs = [r for r in s.tr if r["TRTESTCD"].strip().upper() == "HCCPATT"]
        if not rs:
            return False
        r = R.choice(rs)
        r.update(TRORRES="LR-3", TRSTRESC="LR-3")
    elif kind == "viable-too-small":
        rs = [r for r in s.tr if r["TRTESTCD"].strip().upper() == "VIABDIAM" and r["TRSTRESN"] not in ("0",)
              and r["TRORRES"] not in ("0",) and not r["TRSTAT"] and r["TRGRPID"].strip().upper() == "TARGET"]
        if not rs:
            return False
        r = R.choice(rs)
        r.update(TRORRES="TOO SMALL TO MEASURE", TRORRESU="", TRSTRESC="", TRSTRESN="", TRSTRESU="")
    elif kind == "absent-enhancing":
        rs = [r for r in fu if r["TRGRPID"].strip().upper() != "TARGET" and r["TRTESTCD"].strip().upper() == "ARTENH"
              and any(q["TRLNKID"] == r["TRLNKID"] and q["VISITNUM"] == r["VISITNUM"] and
                      q["TRORRES"].strip().upper() == "ABSENT" for q in s.tr)]
        if not rs:
            return False
        r = R.choice(rs)
        r.update(TRORRES="ENHANCING", TRSTRESC="ENHANCING" if r["TRSTRESC"] else "")
    elif kind == "viable-vs-enhancement":
        rs = [r for r in fu if r["TRGRPID"].strip().upper() not in ("TARGET", "NEW")
              and r["TRTESTCD"].strip().upper() == "ARTENH"
              and any(q["TRLNKID"] == r["TRLNKID"] and q["VISITNUM"] == r["VISITNUM"] and
                      q["TRTESTCD"].strip().upper() == "VIABDIAM" for q in s.tr)]
        if not rs:
            return False
        r = R.choice(rs)
        w = "ENHANCING" if "NON" in r["TRORRES"].upper() + r["TRSTRESC"].upper() else "NON-ENHANCING"
        r.update(TRORRES=w, TRSTRESC=w if r["TRSTRESC"] else "")
    elif kind == "viable-above-long-axis":  # not named by docs/batch.md: the engine's refusal
        rs = [(r, q) for r in fu if r["TRGRPID"].strip().upper() == "TARGET" and r["TRTESTCD"].strip().upper() == "LDIAM"
              and length_mm(r) for q in s.tr if q["TRLNKID"] == r["TRLNKID"] and q["VISITNUM"] == r["VISITNUM"]
              and q["TRTESTCD"].strip().upper() == "VIABDIAM" and length_mm(q) is not None]
        if not rs:
            return False
        r, q = R.choice(rs)
        s.tr.remove(q)
        s.tr_row(EV, "TARGET", r["TRLNKID"], "VIABDIAM", r["VISITNUM"], r["VISIT"], r["TRDTC"][:10],
                 mm=length_mm(r) + 3)
    elif kind == "enhancement-on-ne":
        rs = [r for r in fu if r["TRGRPID"].strip().upper() not in ("TARGET", "NEW")
              and r["TRTESTCD"].strip().upper() == "TUMSTATE" and r["TRLNKID"].startswith("NT")
              and (r["TRSTAT"] or "NOT EVAL" in (r["TRORRES"] + r["TRSTRESC"]).upper())]
        rs = [r for r in rs if not any(q["TRLNKID"] == r["TRLNKID"] and q["VISITNUM"] == r["VISITNUM"] and
                                       q["TRTESTCD"].strip().upper() == "ARTENH" for q in s.tr)]
        if not rs:
            return False
        r = R.choice(rs)
        s.tr_row(EV, "NON-TARGET", r["TRLNKID"], "ARTENH", r["VISITNUM"], r["VISIT"],
                 r["TRDTC"][:10] or s.days[int(r["VISITNUM"]) - 1][0], res="ENHANCING")
    s.planted = kind
    return True


def length_mm(r):
    """A TR row's length in mm, or None (not a number)."""
    for v, u in ((r["TRSTRESN"], r["TRSTRESU"]), (r["TRSTRESC"], r["TRSTRESU"]), (r["TRORRES"], r["TRORRESU"])):
        try:
            return F(v.strip()) * (10 if u.strip().lower() == "cm" else 1)
        except (ValueError, ZeroDivisionError):
            continue
    return None


MR_PLANTS = ["viable-above-long-axis", "viable-on-gone", "viable-on-too-small", "unknown-pattern", "viable-too-small",
             "absent-enhancing", "viable-vs-enhancement", "enhancement-on-ne"]


def main():
    t0 = time.time()
    subjects = [gen_subject(k) for k in range(COUNT)]
    if PLANT:
        for s in R.sample(subjects, min(len(subjects), max(3, COUNT // 50))):
            for _ in range(20):
                saved = [dict(r) for r in s.tr]
                if plant(s, R.choice(MR_PLANTS)):
                    break
                s.tr = saved
    for s in subjects:  # the study's codes and words (after planting, which looks for ours)
        for r in s.tr:
            c = r["TRTESTCD"].strip().upper()
            if c in CODES:
                new = r["TRTESTCD"].upper().replace(c, CODES[c])
                r["TRTESTCD"] = new.lower() if r["TRTESTCD"].islower() else \
                    new.title() if r["TRTESTCD"].strip() == c.title() else new
                w = (r["TRORRES"] or r["TRSTRESC"]).strip().upper()
                if w in WORDS and R.random() < 0.2:
                    for k in ("TRORRES", "TRSTRESC"):
                        if r[k]:
                            r[k] = WORDS[w]
        R.shuffle(s.tr)
        for i, r in enumerate(s.tu):
            r["TUSEQ"] = str(i + 1)
        for i, r in enumerate(s.tr):
            r["TRSEQ"] = str(i + 1)
    tmp = tempfile.mkdtemp(prefix="sdtm-mrecist-oracle-")
    tables = [[r for s in subjects for r in getattr(s, t)] for t in ("tu", "tr", "dm")]
    SO.write_study(tmp, tables, R)  # CRLF on seeds 3 mod 5, TRLINKID on 2 mod 3
    with open(f"{tmp}/mapping.yaml", "w") as f:
        f.write(MAPPING)
    t1 = time.time()
    cmd = [RECIST, "batch", "--tu", f"{tmp}/TU.csv", "--tr", f"{tmp}/TR.csv", "--dm", f"{tmp}/DM.csv",
           "--mapping", f"{tmp}/mapping.yaml", "--rules", "mrecist", "--out", f"{tmp}/out"]
    rs, errors, summ, _ = SO.run_batch(cmd, f"{tmp}/out")
    t2 = time.time()
    problems = []
    refused = {}
    for e in errors:
        refused.setdefault(e.get("subject"), []).append(e)
    planted = {s.id: s.planted for s in subjects if s.planted}
    for sid, es in refused.items():
        if sid not in planted or any(e.get("level") != "subject" for e in es):
            problems.append((sid, "refused: " + "; ".join(
                f"{e.get('level')} {e.get('code')} {e.get('reason')} {e.get('problems', '')}"[:600] for e in es)))
    codes = {}
    for sid, kind in planted.items():
        if sid not in refused:
            problems.append((sid, f"planted {kind}, not refused"))
        else:
            probs = [c for e in refused[sid] for c in e.get("problems", [e])]
            codes.setdefault(kind, set()).update(c.get("code") for c in probs)
            if STRICT and len(probs) > 1:
                problems.append((sid, f"planted {kind}, refused with {len(probs)} problems: " + "; ".join(
                    c.get("reason", "")[:300] for c in probs)))
    got, best = {}, {}
    for r in rs:
        if r["RSCAT"] != "mRECIST" or r["RSORRES"] != r["RSSTRESC"]:
            problems.append((r["USUBJID"], f"odd row {r}"))
        if r["RSTESTCD"] == "BESTRESP":
            best[r["USUBJID"]] = r["RSSTRESC"]
        else:
            got[(r["USUBJID"], r["VISITNUM"], r["RSTESTCD"])] = r["RSSTRESC"]
    tally = {}
    compared = 0
    for s in subjects:
        if s.planted:
            if s.id in best:
                problems.append((s.id, f"planted {s.planted}, has RS rows"))
            continue
        compared += 1
        out, _, confirmed, _ = MR.model(s.case)
        want = {}
        for tp, (day, vn, vname) in zip(out, s.days[1:]):
            for t, k in zip(TESTS, ("target", "non_target", "new_lesions", "overall")):
                if tp[k] is not None:
                    want[(s.id, vn, t)] = NEWL[tp[k]] if t == "NEWLIND" else tp[k]
        diffs = []
        for k in sorted(set(want) | {k for k in got if k[0] == s.id}):
            tally[(k[2], want.get(k))] = tally.get((k[2], want.get(k)), 0) + 1
            if want.get(k) != got.get(k):
                diffs.append(f"visit {k[1]} {k[2]}: model {want.get(k)} engine {got.get(k)}")
        tally[("BESTRESP", confirmed)] = tally.get(("BESTRESP", confirmed), 0) + 1
        if best.get(s.id) != confirmed:
            diffs.append(f"BESTRESP: model {confirmed} engine {best.get(s.id)}")
        if diffs:
            problems.append((s.id, "\n  ".join(diffs)))
    se = summ.get("subject_evaluators", {})
    if se.get("seen") != COUNT or se.get("refused_while_reading", 0) + se.get("refused_by_engine", 0) != len(planted):
        problems.append((None, f"summary subject_evaluators {se}, expected seen {COUNT}, refused {len(planted)}"))
    if summ.get("warnings"):  # the mapping names the viable and pattern tests
        problems.append((None, f"summary warnings {summ['warnings']}"))
    by_id = {s.id: s for s in subjects}
    for n, (sid, text) in enumerate(problems):
        if n >= 5:
            break
        print("== model vs engine:", sid or "(run)", text)
        if sid in by_id:
            s = by_id[sid]
            for r in s.tu:
                print("TU", ",".join(r.get(c, "") for c in SO.TU_COLS[2:]))
            for r in sorted(s.tr, key=lambda r: (float(r["VISITNUM"]), r["TRLNKID"])):
                print("TR", ",".join(r.get(c if c != "TRLINKID" else "TRLNKID", "") for c in SO.TR_COLS[4:]))
            for r in s.dm:
                print("DM", ",".join(r.get(c, "") for c in SO.DM_COLS[2:]))
    bad = len({sid for sid, _ in problems})
    print(f"{COUNT} subjects ({len(planted)} planted invalid), {compared} compared, {len(problems)} "
          f"problems in {bad} subjects/run; generate {t1 - t0:.1f}s, engine {t2 - t1:.1f}s")
    print("  refused as planted:", "; ".join(f"{k} -> {', '.join(sorted(map(str, v)))}"
                                         for k, v in sorted(codes.items())))
    for t in TESTS + ("BESTRESP",):
        print(f"  {t}: " + ", ".join(f"{v} {n}" for (tt, v), n in sorted(tally.items(), key=str) if tt == t))
    if problems or os.environ.get("KEEP"):
        print("files kept in", tmp, "\n  command:", " ".join(cmd))
    else:
        shutil.rmtree(tmp)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
