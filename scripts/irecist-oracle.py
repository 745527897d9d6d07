#!/usr/bin/env python3
"""An independent model of the iRECIST layer, written from the rules reference (section 3,
AMB-I1/AMB-I2, section 7) and the readings docs/DESIGN.md names, not from the engine, run
against `recist assess --rules irecist` on random subjects.

Subjects: targets T1 (lung) and T2 (liver), 10-60 mm at baseline (about one in seven subjects
has non-target disease only: no target sum, so IR-RESET with new lesions still listed follows
irecist.reset_without_target_sum); some subjects have a spell
of complete response (everything gone) from which disease may come back (AMB-01: targets,
non-targets and new lesions gone at an iCR and seen again); non-targets in bone and pleura (present, unequivocal progression, `increased`, absent or not
evaluated); new lesions in lung, brain, skin or neck nodes that appear, grow or shrink, are
sometimes not listed, are sometimes equivocal first (R11-NEW-EQUIV: progression dated back),
and are sometimes marked `increased` or `progression`. New neck nodes have a short axis around
10 mm (8, 9.99, 10, 12, 15, 16, 20 mm) or none, and are listed again under the same id growing,
shrinking below 10 mm, without a short axis, or (sometimes) marked equivocal again; follow-up every
10-70 days, so that scans fall before, inside and after the confirmation window. Targets are
sometimes not evaluated. About one subject in six starts a new anticancer therapy
(`follow_up: {new_therapy: DATE}`): on a follow-up's day, a few days before or after one, or
weeks after (drawn from a stream of its own, so a seed's subjects are otherwise as they were
before). For every follow-up it compares the iRECIST overall response; for the subject, the
progression date, the confirming scan, the (unconfirmed) best overall response, the
warnings that IR-CLIN names and the best response's reason naming the scans it leaves out
after a new therapy (below).

A new anticancer therapy (IR-CLIN; DESIGN.md, iRECIST readings and "A new anticancer
therapy"; docs/parameters.md `irecist.confirm_after_new_therapy`, `best_response.stop_at`):
- a scan after its start (a scan on its day is not after it: taken before the therapy) does
  not confirm a pending iUPD (`irecist.confirm_after_new_therapy: false`): evidence there
  leaves the iUPD (iUPD; a new lesion stays additional to it), with a warning naming the scan,
  and no progression is dated to it; such a scan still resets the iUPD, and may start a new
  one (never confirmed either); under `true` it confirms as any scan;
- an iUPD still unconfirmed at the last scan (for any reason) is named in a warning;
- the iBOR leaves out the scans after it (`best_response.stop_at: new-therapy`, the
  default): they "do not enter the best response", so an iCPD after it (under `true`) does
  not make the iUPDs of its block before the therapy count as iCPD there: the iBOR is iUPD;
- the progression (date, confirming scan) is as computed, after the therapy too.

Usage: scripts/irecist-oracle.py [SEED [COUNT [KEY=VALUE...]]]
  KEY=VALUE are overrides the model also reads (protocol parameters through `--set`, the
  others through a modified copy of rules/irecist.yaml): irecist.cpd_increase,
  irecist.early_scan_confirms, irecist.late_scan_confirms, irecist.reset_with_new_lesions,
  irecist.reset_without_target_sum, irecist.nlt_reference, irecist.cpd_reference,
  new_lesions.node_without_short_axis (`new` | `equivocal`, through `--set`),
  irecist.confirm_after_new_therapy (`false` | `true`, a protocol parameter of
  rules/irecist.yaml: through `--set`).

Readings of new nodes (DESIGN.md: AMB-13, "A new node without a short axis", "Each listing of
a new lesion is read as the reader gives it"; IR-BASE, IR-CPD-NEW): a node listed with a short
axis under 10 mm is no lesion at that listing, equivocal or not, and starts no equivocal spell;
one listed without a short axis counts (`new`, the reader's word) or, under `equivocal`, is
equivocal until a short axis of 10 mm or more is given, then dated back to its first sighting.
A counted node is an NLT when its short axis was at least 15 mm where it first counted (none
given: NLNT); the NLT sum is known only when every NLT is listed with its diameter (an NLT node
listed without a short axis leaves it unknown). A lesion once counted and listed again is the
lesion followed, still there (it holds an iUPD, keeps iCR off, its `increased` counts), also
where that listing is marked equivocal (the documents do not say; the engine reads it so too).
A counted node listed again under 10 mm is no lesion at that listing (R11-NODE-NORMAL,
R11-REAPPEAR-NODE, IR-BASE: the timepoint's own new-lesion component is NO), so it neither
holds an iUPD, nor keeps iCR off, nor is disease seen again after an iCR, nor does its
`increased` count; its short axis still counts in the NLT sum, as a target node's does
(R11-NODE-RECORD). This model found the engine following such a node as present (fixture
irecist/IR-NEW-NODE-below-10).
The engine binary is $RECIST (default target/debug/recist). Prints the first mismatches with
their case; exit 1 if any.
"""

import collections
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
from fractions import Fraction as F

SEED = int(sys.argv[1]) if len(sys.argv) > 1 else 1
COUNT = int(sys.argv[2]) if len(sys.argv) > 2 else 500
SETS = sys.argv[3:]
RECIST = os.environ.get("RECIST", "target/debug/recist")
R = random.Random(SEED)
# new anticancer therapies draw from a stream of their own, so that a seed's subjects are
# otherwise the same as before the model gave any
NTR = random.Random("irecist-new-therapy-%d" % SEED)
# how often the new-therapy paths were taken (printed with the counts)
STATS = collections.Counter()
OPT = {
    "irecist.cpd_increase": "at-least",
    "irecist.early_scan_confirms": "additional-new-lesion",
    "irecist.late_scan_confirms": "true",
    "irecist.reset_with_new_lesions": "target-decrease",
    "irecist.reset_without_target_sum": "stays-iupd",
    "irecist.nlt_reference": "nadir",
    "irecist.cpd_reference": "iupd",
    "new_lesions.node_without_short_axis": "new",
    "irecist.confirm_after_new_therapy": "false",
}
DEFAULTS = dict(OPT)
RANK = {"iCR": 8, "iPR": 7, "iSD": 6, "NON-iCR/NON-iUPD": 5, "iUPD": 3, "iCPD": 2, "NE": 1}
NEW_SITES = ["lung", "brain", "skin", "neck node"]


def mm(v):
    """A diameter for the case file: an integer, or a float with at most two decimals."""
    return int(v) if v == int(v) else float(round(v, 2))


def gen_case(k):
    d = dt.date(2024, 1, 1)
    base = {"T1": R.choice([10, 15, 20, 30, 50]), "T2": R.choice([10, 20, 30, 40, 60])}
    size = dict(base)
    visits = []
    TREND = {t: R.choice([[-10, -6, -5, -3, 0, 0, 2, 4, 5, 6, 8, 12, 20], [-12, -8, -5, -3, -1, 0, 1, 3, 5, 6]]) for t in ("T1", "T2")}
    alive = {}  # new lesion id -> [site, size, nodal]
    nid = 0
    # Some subjects have a spell of complete response (everything gone, new lesions unlisted)
    # from which disease may come back (AMB-01).
    cr_from = R.randint(1, 4) if R.random() < 0.3 else 99
    # Some subjects have non-target disease only (IR-BASE, IR-RESET without a target sum).
    nt_only = R.random() < 0.15
    cr_to = cr_from + R.randint(1, 3)
    for v in range(R.randint(2, 7)):
        d = d + dt.timedelta(days=R.choice([10, 20, 25, 26, 27, 30, 35, 42, 56, 58, 59, 70]))
        f = {}
        in_cr = cr_from <= v < cr_to
        for t in () if nt_only else ("T1", "T2"):
            size[t] = max(5, size[t] + R.choice(TREND[t]))
            if in_cr or (v >= cr_to and R.random() < 0.5):
                f[t] = "absent"
            else:
                f[t] = "not-evaluated" if R.random() < 0.07 else {"long_axis": size[t]}
        for n in ("NT1", "NT2"):
            f[n] = "absent" if in_cr or (v >= cr_to and R.random() < 0.6) else R.choices(
                ["present", "progression", {"status": "present", "increased": True}, "absent", "not-evaluated"],
                [12, 2, 2, 1, 1])[0]
        news = []
        for i, (site, s, nodal, equivocal) in list(alive.items()):
            if in_cr:
                continue
            s = max(3, s + R.choice([-5, -2, 0, 0, 1, 3, 4, 5, 6]) + (R.choice([0, 0, -F(1, 100), F(1, 100)]) if nodal else 0))
            alive[i][1] = s
            if R.random() < 0.1:
                del alive[i]
                continue
            if R.random() < 0.1:
                continue  # not listed
            x = {"id": i, "site": site}
            if nodal:
                x["nodal"] = True
                if R.random() < 0.15:
                    pass  # listed again without a short axis (AMB-13)
                else:
                    x["short_axis"] = mm(s)
            else:
                x["long_axis"] = mm(s)
            if equivocal and R.random() < 0.5:
                x["equivocal"] = True
            elif nodal and R.random() < 0.08:
                x["equivocal"] = True  # the reader unsure again at this listing
            else:
                alive[i][3] = False
            if R.random() < 0.12:
                x["increased"] = True
            if R.random() < 0.05:
                x["progression"] = True
            news.append(x)
        if R.random() < 0.2:
            nid += 1
            site = R.choice(NEW_SITES)
            nodal = site == "neck node"
            # A new node has a short axis around 10 mm (R11-NEW-NODE) or none (AMB-13).
            s = R.choice([8, F(999, 100), 10, 12, 15, 16, 20]) if nodal else R.choice([6, 8, 10, 12, 15, 25])
            i = "N%d" % nid
            alive[i] = [site, s, nodal, R.random() < 0.3]
            x = {"id": i, "site": site}
            if alive[i][3]:
                x["equivocal"] = True
            if nodal:
                x["nodal"] = True
                if R.random() < 0.2:
                    alive[i][1] = R.choice([8, 10, 12, 15])  # its size when next given
                else:
                    x["short_axis"] = mm(s)
            else:
                x["long_axis"] = s
            news.append(x)
        a = {"date": d.isoformat(), "findings": f}
        if news:
            a["new_lesions"] = news
        visits.append(a)
    targets = [] if nt_only else [
        {"id": "T1", "site": "lung", "role": "target"},
        {"id": "T2", "site": "liver", "role": "target"},
    ]
    base_findings = {} if nt_only else {"T1": {"long_axis": base["T1"]}, "T2": {"long_axis": base["T2"]}}
    case = {
        "subject": "IRO-%d" % k,
        "treatment_start": "2024-01-02",
        "lesions": targets + [
            {"id": "NT1", "site": "bone", "role": "non-target"},
            {"id": "NT2", "site": "pleura", "role": "non-target"},
        ],
        "assessments": [{"date": "2024-01-01", "findings": dict(base_findings, NT1="present", NT2="present")}] + visits,
    }
    nt = gen_new_therapy([dt.date.fromisoformat(a["date"]) for a in visits])
    if nt is not None:
        case["follow_up"] = {"new_therapy": nt.isoformat()}
    return case


def gen_new_therapy(dates):
    """About one subject in six starts a new anticancer therapy: on a follow-up's day (the most
    often, so that a scan on that day confirms or resets), a few days before or after one, or
    weeks after (None: no new therapy). From the stream NTR only; every follow-up is after
    treatment start, so the date is never before day 0."""
    if NTR.random() >= 1 / 6:
        return None
    return NTR.choice(dates) + dt.timedelta(days=NTR.choice([-3, -1, 0, 0, 0, 1, 5, 20]))


def size(x, key):
    """A diameter of a listing as an exact number, or None when not given."""
    return None if x.get(key) is None else F(str(x[key]))


def diameter(x):
    """The diameter a new lesion is followed by: a node's short axis, another's long axis."""
    return size(x, "short_axis" if x.get("nodal") else "long_axis")


def meets_pd(s, ref):  # R11-TGT-PD with section 7.1: growth, +20 %, +5 mm
    return s > ref and 5 * s >= 6 * ref and s - ref >= 5


def model(c, tids=None, nids=("NT1", "NT2"), new_of_scope=lambda x: True, base_of=None, record=None,
          trace=None, parts=None):
    """Per follow-up iRECIST responses, the progression (date, confirming scan) and the iBOR.

    `tids` and `nids` are the targets and non-targets taken as the whole disease (the baseline
    sum and nadir are theirs; default: all of the subject's), `new_of_scope(x)` whether a new
    lesion `x` counts (default: every one); scripts/fields-irecist-oracle.py runs the model
    on a radiotherapy field's lesions so. `base_of(date, base)`, where given, replaces the
    RECIST 1.1 response of the baseline disease at a follow-up (a scope without baseline
    lesions), and `record`, a dict, receives per follow-up date whether the baseline disease
    was left unevaluated (target or non-target response NE). `trace`, a dict, where given,
    receives the scans whose confirmation IR-CLIN held back: "clin" those where only the new
    therapy did (the engine must warn), "clin_any" those where it was one reason of several
    (it may warn), and "pending" the iUPD still unconfirmed at the last scan (its date) or None.
    `parts`, a list, where given, receives per follow-up the RECIST 1.1 components in their
    words (target response or None without targets, non-target response or None without
    non-targets, new lesions `YES`/`EQUIVOCAL`/`NO`): what rs.csv writes as TRGRESP, NTRGRESP
    and NEWLIND under iRECIST (scripts/sdtm-irecist-oracle.py).
    """
    nt_date = (c.get("follow_up") or {}).get("new_therapy")
    nt_date = dt.date.fromisoformat(nt_date) if nt_date else None  # follow_up.new_therapy
    clin_confirms = OPT["irecist.confirm_after_new_therapy"] == "true"
    if trace is None:
        trace = {}
    trace.update(clin=[], clin_any=[], pending=None, left_out=[])
    if nt_date is not None:
        STATS["subjects with a new therapy"] += 1
        if any(a["date"] == nt_date.isoformat() for a in c["assessments"][1:]):
            STATS["new therapy on a scan's day"] += 1
    if tids is None:
        tids = ("T1", "T2") if "T1" in c["assessments"][0]["findings"] else ()
    has_targets = bool(tids)
    base_sum = sum(F(c["assessments"][0]["findings"][t]["long_axis"]) for t in tids) if has_targets else F(0)
    nadir = base_sum
    day0 = dt.date.fromisoformat(c["treatment_start"])
    known = []  # [id, nlt, organ]
    nlt_ref = None  # (sum, count)
    pending = None
    confirmed = None
    out = []
    progression = None
    counted, equivocal_since = set(), {}
    after_cr, gone_at_cr = False, set()
    inc_ok = (lambda d: d >= 5) if OPT["irecist.cpd_increase"] == "at-least" else (lambda d: d > 5)
    for a in c["assessments"][1:]:
        date = dt.date.fromisoformat(a["date"])
        f = a["findings"]
        vals = [f[t] for t in tids]
        measured = [F(0) if v == "absent" else m for v, m in zip(vals, [F(v["long_axis"]) if isinstance(v, dict) else None for v in vals])]
        measured = [m for m in measured if m is not None]
        if not has_targets:
            s = s_least = tgt = None
        elif len(measured) == len(tids):
            s = sum(measured)
            s_least = None
            if meets_pd(s, nadir) or (after_cr and s > 0):  # AMB-01: disease after a CR
                tgt = "PD"
            elif s == 0:
                tgt = "CR"
            elif 10 * s <= 7 * base_sum:
                tgt = "PR"
            else:
                tgt = "SD"
        else:
            s = None
            s_least = sum(measured)
            tgt = "PD" if meets_pd(s_least, nadir) or (after_cr and s_least > 0) else "NE"
        nts = {n: f[n] for n in nids}  # R11-NT-*, section 7.1 "with gaps"
        if "progression" in nts.values() or (after_cr and any(v != "absent" and v != "not-evaluated" for v in nts.values())):
            nt = "PD"
        elif "not-evaluated" in nts.values():
            nt = "NE"
        elif all(v == "absent" for v in nts.values()):
            nt = "CR"
        else:
            nt = "NON-CR/NON-PD"
        nt_increased = any(isinstance(v, dict) and v.get("increased") for v in nts.values())
        nt_quiet = [n for n, v in nts.items() if v not in ("progression", "not-evaluated")]
        # RECIST 1.1 Table 1 with new lesions NO (Table 2 without targets).
        if not has_targets:
            base = nt if nt in ("PD", "NE", "CR") else "NON-CR/NON-PD"
        elif tgt == "PD" or nt == "PD":
            base = "PD"
        elif tgt == "NE":
            base = "NE"
        elif tgt == "CR":
            base = "CR" if nt == "CR" else "PR"
        elif tgt == "PR":
            base = "PR"
        else:
            base = "SD"
        if record is not None:
            record[date] = tgt == "NE" or (bool(nids) and nt == "NE")
        if base_of is not None:
            base = base_of(date, base)
        listed = {}
        equivocal_here = False
        measured = {}  # every listing of a counted lesion, a normal-sized node's too: NLT sums
        backdate = None
        for x in filter(new_of_scope, a.get("new_lesions", [])):
            nodal, sa = x.get("nodal", False), size(x, "short_axis")
            if x["id"] in counted:
                measured[x["id"]] = x
            if nodal and sa is not None and sa < 10:
                # R11-NEW-NODE, R11-NODE-NORMAL, R11-REAPPEAR-NODE: a normal node, no lesion at
                # this listing (counted before or not), and no equivocal spell
                continue
            if x["id"] in counted:  # a counted lesion followed (an equivocal listing too)
                listed[x["id"]] = x
                continue
            if x.get("equivocal") or (nodal and sa is None and OPT["new_lesions.node_without_short_axis"] == "equivocal"):
                # R11-NEW-EQUIV, AMB-13: not counted yet; its first sighting is kept
                equivocal_since.setdefault(x["id"], date)
                equivocal_here = True
                continue
            counted.add(x["id"])
            if x["id"] in equivocal_since:
                b = equivocal_since[x["id"]]
                backdate = b if backdate is None else min(backdate, b)
            listed[x["id"]] = measured[x["id"]] = x
        if parts is not None:
            parts.append((tgt, nt if nids else None,
                          "YES" if listed else "EQUIVOCAL" if equivocal_here else "NO"))
        known_ids = [k[0] for k in known]
        additional = [i for i in listed if i not in known_ids]
        before = [i for i in listed if i in known_ids]
        nlt_of = {k[0]: k[1] for k in known}

        def nlt_sum():
            ids = [k[0] for k in known if k[1]]
            if not ids or any(i not in measured or diameter(measured[i]) is None for i in ids):
                return None, len(ids)  # known only when every NLT is listed with its diameter
            # a node NLT under 10 mm counts its short axis, as a target node does (R11-NODE-RECORD)
            return sum(diameter(measured[i]) for i in ids), len(ids)

        back = [i for i in before if after_cr and i in gone_at_cr]
        for i in back:  # counted again from here (moved to the end of the known lesions)
            j = [k[0] for k in known].index(i)
            known.append(known.pop(j))
            if pending is not None and j < pending["known"]:
                pending["known"] -= 1
            gone_at_cr.discard(i)
        nlnt_inc = [i for i in before if not nlt_of[i] and (listed[i].get("increased") or listed[i].get("progression"))]
        nlnt_pd = [i for i in before if not nlt_of[i] and listed[i].get("progression")]
        nlt_before, cnt_before = nlt_sum()
        for i in additional:  # admit: NLT when measurable, 5 in all, 2 per organ (nodes one organ)
            x = listed[i]
            nodal = x.get("nodal", False)
            organ = "lymph node" if nodal else x["site"]
            meas = (diameter(x) or 0) >= (15 if nodal else 10)  # no short axis: NLNT
            n_t = sum(1 for k in known if k[1])
            n_o = sum(1 for k in known if k[1] and k[2] == organ)
            known.append([i, meas and n_t < 5 and n_o < 2, organ])
        nlt_now, cnt_now = nlt_sum()
        if pending is not None:
            since = [i for i in listed if i in [k[0] for k in known[pending["known"]:]]]
        else:
            since = list(additional) + back
        nlt_prog = (nlt_before is not None and nlt_ref is not None and nlt_ref[1] == cnt_before
                    and cnt_before > 0 and meets_pd(nlt_before, nlt_ref[0]))
        new_prog = bool(since) or nlt_prog or bool(nlnt_pd)

        def category():
            if base == "CR" and before:
                return "iPR" if has_targets else "NON-iCR/NON-iUPD"
            return {"PR": "iPR", "SD": "iSD", "NE": "NE", "CR": "iCR", "NON-CR/NON-PD": "NON-iCR/NON-iUPD"}[base]

        if pending is not None and backdate is not None and additional:
            pending["dated"] = min(pending["dated"], backdate)
        if confirmed is not None:
            o = "iCPD"
            if backdate is not None and backdate < progression[0]:  # R11-NEW-EQUIV after iCPD
                progression = (backdate, progression[1])
        elif pending is not None:
            p = pending
            ev = False
            if p["target"]:
                ss = s if s is not None else s_least
                ref = p["sum"] if OPT["irecist.cpd_reference"] == "iupd" else p["low"]
                if ss is not None and ref is not None and inc_ok(ss - ref):
                    ev = True
            elif tgt == "PD":
                ev = True
            if p["nt"]:  # IR-CPD-NT: `increased`, or one quiet at the iUPD now progressing
                ev = ev or bool(nt_increased) or any(nts[n] == "progression" for n in p["nt_quiet"])
            elif nt == "PD":
                ev = True
            if p["new"]:
                if since or nlnt_inc:
                    ev = True
                nref = None if p["nlt"] is None else p["nlt"][0] if OPT["irecist.cpd_reference"] == "iupd" else p["nlt_low"]
                if nlt_before is not None and p["nlt"] is not None and p["nlt"][1] == cnt_before and inc_ok(nlt_before - nref):
                    ev = True
            elif new_prog:
                ev = True
            days = (date - p["at"]).days
            since_last = (date - p["last"]).days
            early = days < 26
            late = since_last > 58
            # IR-CLIN: a scan after the start of a new anticancer therapy does not confirm (one
            # on the therapy's own day is not after it: DESIGN.md, the best response's window)
            after_nt = nt_date is not None and date > nt_date
            held_early = ev and early and (not additional or OPT["irecist.early_scan_confirms"] == "never")
            held_late = ev and late and OPT["irecist.late_scan_confirms"] == "false"
            held_clin = ev and after_nt and not clin_confirms
            if after_nt:
                STATS["scans after the therapy with an iUPD pending"] += 1
            if held_clin:
                trace["clin_any"].append(date)
                if not (held_early or held_late):
                    trace["clin"].append(date)
                    STATS["confirmation held back by IR-CLIN"] += 1
            if ev and nt_date == date:
                STATS["evidence at a scan on the therapy's day"] += 1
            if ev and after_nt and clin_confirms and not (held_early or held_late):
                STATS["confirmed after the therapy (confirm_after_new_therapy: true)"] += 1
            if held_early or held_late or held_clin:
                # the iUPD stays (IR-REMAIN); an additional new lesion stays additional to it
                o = "iUPD"
                p["last"] = date
            elif ev:
                o = "iCPD"
                confirmed = p["dated"]
                progression = (p["dated"], date)
                pending = None
            else:
                stable = base in ("CR", "PR", "SD", "NON-CR/NON-PD")
                blocked = False
                if p["new"] and before:
                    if OPT["irecist.reset_with_new_lesions"] == "never":
                        blocked = True
                    elif s is not None and p["sum"] is not None:
                        blocked = not s < p["sum"]
                    elif (s is None and has_targets) or not stable:
                        blocked = True  # nothing here to reset with: the new lesions keep the iUPD
                    else:
                        # No target sum to compare (no targets, or a target not evaluated at
                        # the iUPD).
                        how = OPT["irecist.reset_without_target_sum"]
                        if how == "resets":
                            blocked = False
                        elif how == "new-lesion-decrease":
                            blocked = not (nlt_before is not None and p["nlt"] is not None
                                           and p["nlt"][1] == cnt_before and nlt_before < p["nlt"][0])
                        else:
                            blocked = True
                if stable and not blocked:
                    o = category()
                    pending = None
                    if after_nt:  # IR-CLIN: such a scan may still reset it
                        STATS["reset after the therapy"] += 1
                elif base == "NE" and not blocked:
                    o = "NE"
                else:
                    o = "iUPD"
                    p["last"] = date
        else:
            if tgt == "PD" or nt == "PD" or new_prog:
                o = "iUPD"
                if nt_date is not None and date > nt_date:
                    STATS["iUPD started after the therapy"] += 1
                dated = min(date, backdate) if (new_prog and backdate is not None) else date
                pending = {"at": date, "last": date, "dated": dated, "target": tgt == "PD", "nt": nt == "PD",
                           "new": new_prog, "sum": s, "low": s, "nt_quiet": nt_quiet,
                           "nlt": (nlt_now, cnt_now) if nlt_now is not None else None, "nlt_low": nlt_now,
                           "known": len(known)}
            else:
                o = category()
        if pending is not None:  # irecist.cpd_reference: nadir-since-iupd
            if s is not None and (pending["low"] is None or s < pending["low"]):
                pending["low"] = s
            if nlt_now is not None and pending["nlt"] is not None and pending["nlt"][1] == cnt_now:
                pending["nlt_low"] = min(pending["nlt_low"], nlt_now)
        if nlt_now is not None:
            if nlt_ref is not None and nlt_ref[1] == cnt_now:
                if OPT["irecist.nlt_reference"] == "nadir":
                    nlt_ref = (min(nlt_ref[0], nlt_now), cnt_now)
            else:
                nlt_ref = (nlt_now, cnt_now)
        if s is not None and s < nadir:
            nadir = s
        # The RECIST 1.1 overall response (new lesions counted): CR sets AMB-01's flag.
        if base == "CR" and not listed:  # an equivocal new lesion is no PD (section 7.1)
            after_cr = True
        if o == "iCR":
            gone_at_cr = set(k[0] for k in known)
        out.append(o)
    trace["pending"] = pending["at"] if pending is not None else None
    # iBOR (IR-BOR): window to the first iCPD; the iUPDs of its block count as iCPD; iSD needs
    # day 42 from treatment start. A new anticancer therapy ends the window too
    # (best_response.stop_at: new-therapy; a scan on its day counts): the scans after it "do not
    # enter the best response" (DESIGN.md), so an iCPD after it (confirm_after_new_therapy:
    # true) does not make the iUPDs before it count as iCPD: the iBOR is iUPD.
    dates = [dt.date.fromisoformat(a["date"]) for a in c["assessments"][1:]]
    seq = list(out)
    if nt_date is not None:
        kept = [d for d in dates if d <= nt_date]
        if len(kept) < len(seq):
            STATS["iBOR window ended by the therapy"] += 1
            trace["left_out"] = dates[len(kept):]
            if "iCPD" in seq and seq.index("iCPD") >= len(kept) and "iUPD" in seq[: len(kept)]:
                STATS["iBOR: iUPD before the therapy, iCPD after it"] += 1
        seq = seq[: len(kept)]
    seq = icpd_block(seq)
    best = "NE"
    for o, d in zip(seq, dates):
        if o in ("iSD", "NON-iCR/NON-iUPD") and (d - day0).days < 42:
            o = "NE"
        if RANK[o] > RANK[best]:
            best = o
    return out, progression, best


def icpd_block(seq):
    """The iBOR window of a sequence of iRECIST responses (IR-BOR): up to the first iCPD, the
    iUPDs of the block it confirms (NE between them) counted as iCPD."""
    if "iCPD" not in seq:
        return list(seq)
    j = seq.index("iCPD")
    seq = list(seq[: j + 1])
    i = j - 1
    while i >= 0 and seq[i] in ("iUPD", "NE"):
        if seq[i] == "iUPD":
            seq[i] = "iCPD"
        i -= 1
    return seq


def set_options(sets):
    """The model reads the overrides `sets` (KEY=VALUE)."""
    for kv in sets:
        k, v = kv.split("=", 1)
        OPT[k] = v


def engine_rules(sets):
    """The rule-set file and the `--set` arguments that give the engine the overrides `sets`:
    protocol parameters go through `--set`; the others through a copy of the rule set."""
    text = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "rules", "irecist.yaml")).read()
    args = []
    for kv in sets:
        k, v = kv.split("=", 1)
        if k in ("irecist.early_scan_confirms", "irecist.late_scan_confirms", "new_lesions.node_without_short_axis",
                 "irecist.confirm_after_new_therapy"):
            args += ["--set", kv]
        else:
            key = k.split(".", 1)[1]
            old = "  %s: %s\n" % (key, DEFAULTS[k])
            assert old in text, old
            text = text.replace(old, "  %s: %s\n" % (key, v))
    text = text.replace("\nid: irecist\n", "\nid: irecist-oracle\n")
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as fh:
        fh.write(text)
    return fh.name, args


def warning_diffs(trace, warnings, reasons):
    """The IR-CLIN warnings the engine gave that the model's `trace` does not expect, and those
    it expects that are missing: one for each scan whose confirmation only the new therapy held
    back (one held back for another reason too, too early or too late, may say either), and one
    naming an iUPD still unconfirmed at the last scan (DESIGN.md: "an iUPD never confirmed is
    no progression ... and a warning names it"), and the best response's reason naming the
    scans after the therapy that it leaves out (R11-BOR-DEF; DESIGN.md: `best_response_reasons`
    lists them)."""
    diffs = []
    said = [w for w in warnings if "new anticancer therapy" in w and "IR-CLIN" in w]
    for d in trace["clin"]:
        if not any("assessment %s:" % d in w for w in said):
            diffs.append(("IR-CLIN warning missing", str(d)))
    for w in said:
        if not any("assessment %s:" % d in w for d in trace["clin_any"]):
            diffs.append(("IR-CLIN warning unexpected", w))
    never = [w for w in warnings if "never confirmed" in w]
    left = [x["detail"] for x in reasons if x["rule"] == "R11-BOR-DEF" and "new anticancer therapy" in x["detail"]]
    if trace["left_out"] and not any(all(str(d) in x for d in trace["left_out"]) for x in left):
        diffs.append(("R11-BOR-DEF reason missing", [str(d) for d in trace["left_out"]], left))
    if left and not trace["left_out"]:
        diffs.append(("R11-BOR-DEF reason unexpected", left))
    if (trace["pending"] is not None) != bool(never):
        diffs.append(("unconfirmed iUPD warning", trace["pending"] and str(trace["pending"]), never))
    return diffs


def main():
    set_options(SETS)
    cases = [gen_case(k) for k in range(COUNT)]
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as fh:
        for c in cases:
            fh.write(json.dumps(c) + "\n")
        path = fh.name
    rules, sets = engine_rules(SETS)
    cmd = [RECIST, "assess", path, "--rules", rules, "--format", "jsonl"] + sets
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        print(p.stderr[:3000])
        sys.exit(2)
    results = {}
    for line in p.stdout.splitlines():
        r = json.loads(line)
        if r["scope"] == "all":
            results[r["subject"]] = r
    bad = 0
    for c in cases:
        r = results.get(c["subject"])
        if r is None:
            print("no result for", c["subject"])
            bad += 1
            continue
        trace = {}
        out, prog, best = model(c, trace=trace)
        got = [t["overall"] for t in r["timepoints"][1:]]
        gp = r["progression"]
        gprog = (dt.date.fromisoformat(gp["date"]), dt.date.fromisoformat(gp["first_pd_assessment"])) if gp else None
        warn = warning_diffs(trace, r.get("warnings") or [], r.get("best_response_reasons") or [])
        if got != out or gprog != prog or r["best_overall_response"] != best or warn:
            bad += 1
            if bad <= 5:
                print("MISMATCH", c["subject"], "follow_up:", json.dumps(c.get("follow_up")))
                print("  model ", out, prog, best)
                print("  engine", got, gprog, r["best_overall_response"])
                for w in warn:
                    print("  warning", w)
                for a, t in zip(c["assessments"][1:], r["timepoints"][1:]):
                    print("   ", a["date"], json.dumps(a["findings"]), json.dumps(a.get("new_lesions", [])),
                          "|", t.get("sum_mm"), t.get("target"), t.get("non_target"), t["overall"])
    print("new-therapy paths:", dict(sorted(STATS.items())))
    print("%d subjects, %d mismatches" % (len(cases), bad))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
