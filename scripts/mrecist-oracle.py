#!/usr/bin/env python3
"""An independent model of mRECIST, written from the rules reference (section 2 MR-*, the
RECIST 1.1 rules it inherits, section 7 and 7.1), the case format, rules/mrecist.yaml,
docs/parameters.md and the readings docs/DESIGN.md names, and not from the engine, run
against `recist assess --rules mrecist` on random subjects.

Subjects have 0-2 liver targets (at `liver`, `caudate lobe`, `right lobe of the liver`, ...:
typical HCC measured on the viable diameter, MR-MEAS, that shrinks, grows, stops enhancing,
splits or coalesces, or is read without its arterial phase, MR-IMG; some atypical or under
10 mm viable at baseline, followed as non-targets, MR-TGT-ELIG / AMB-M3), 0-2 extrahepatic
targets (long axis; a viable diameter or `hcc_typical` there is ignored, also at `segment
VIII` or `hepatic segment of the IVC`, which name no liver word), 0-2 nodal targets (some at
the porta hepatis: a target from 20 mm and normal below it, or a 15-19 mm one followed as a
non-target that counts as normal below 20 mm, MR-PHNODE), non-targets in the liver (typical
or not), portal vein, bone, nodes, ascites (kind given or read from the site) and `omental
cake with ascites` (an ordinary lesion): present, no longer enhancing (`viable: false`, not for
nodes), absent, progression with or without cytology (MR-NT-*, MR-EFFUSION). New lesions:
typical liver nodules from 6 mm (count from 10 mm, MR-NEW-TYPICAL; some first equivocal,
below or above 10 mm: dated back to the first sighting typical, >= 10 mm and equivocal), atypical
ones (count after 10 mm of growth since first seen, dated there, MR-NEW-ATYPICAL, AMB-M4; some
marked equivocal, some turn typical), extrahepatic lesions, also at `perihepatic` and
`hepatic segment of the IVC` (some equivocal first, dated back, MR-NEW-EXTRA / R11-NEW-EQUIV),
new nodes around 10 and 20 mm (porta hepatis) or without a short axis, and new effusions that
count only with positive cytology (dated back to the first sighting after the last negative
one). Some subjects have a rescan on or before treatment start (it sets the nadir under the
default `nadir_from`, is left out of the best response and starts no progression).
For every follow-up it compares target, non-target, new-lesion and overall responses, sum and
nadir; for the subject, best and confirmed best overall response and progression date.

Readings the model takes where the reference leaves room (each the engine's, as its
explanations say): an effusion or ascites once proven malignant by positive cytology stays
proven, so its later `progression` is PD even with a later negative sample; one seen again
after an overall CR without that proof is not PD (MR-EFFUSION over AMB-01); a porta hepatis
target node is disease seen again after a CR (AMB-01) only from 20 mm (MR-PHNODE).

A porta hepatis node followed as a non-target and reported `too-small` counts 5 mm (R11-TSTM),
so it is normal (below 20 mm); the engine read it as persisting until this model found it.

Usage: scripts/mrecist-oracle.py [SEED [COUNT [KEY=VALUE...]]]
  KEY=VALUE are `--set` overrides the model also reads: target_response.pd_min_increase_mm
  (null or a number, AMB-M1), non_target_response.viability_unstated (enhancing |
  not-evaluated), target_response.nadir_from (baseline-and-all-assessments |
  baseline-and-on-treatment).
The engine binary is $RECIST (default target/debug/recist). Prints the first mismatches with
their case; exit 1 if any. Subjects the engine refuses are skipped (and counted).
"""

import datetime as dt
import random
import sys

import oracle_run
from fractions import Fraction as F

SEED, COUNT, SETS, RECIST = oracle_run.arguments()
R = random.Random(SEED)
RANK = {"CR": 7, "PR": 6, "SD": 5, "NON-CR/NON-PD": 4, "PD": 2, "NE": 1}
OPT = dict(pd_min_mm=None, unstated="enhancing", on_treatment=False)

# Lesion classes. Targets the rule set keeps: liver (typical, viable >= 10 mm at baseline),
# extra (extrahepatic non-nodal), node (pathological from 10 mm), ph (porta hepatis node, from
# 20 mm). Targets it follows as non-targets: atyp (liver, not typical), small (liver, typical,
# viable < 10 mm at baseline), phdem (porta hepatis node of 15-19 mm).
NODE_MIN = {"node": 10, "ph": 20, "phdem": 20}
# Sites the rule set reads as the liver (site_aliases, site_reading) and sites it does not.
LIVER_SITES = ["liver", "liver segment 8", "right hepatic lobe", "caudate lobe", "right lobe of the liver",
               "hepatic segment 6"]
NOT_LIVER = ["perihepatic", "hepatic segment of the IVC", "lung"]
TGT_KEPT = ("liver", "extra", "node", "ph")


def rnd(v):
    return F(round(F(v) * 100), 100)


def mm(v):
    return f"{float(v):.2f}".rstrip("0").rstrip(".")


def gen_case(k):
    lesions = []  # dicts: id, cls, role, site, nodal, typical, kind
    n_liver = R.choice([0, 1, 1, 2, 2])
    for i in range(n_liver):
        cls = R.choices(["liver", "atyp", "small"], [8, 1, 1])[0]
        lesions.append(dict(id="T%d" % (i + 1), cls=cls, role="target",
                            site=R.choice(LIVER_SITES),
                            nodal=False, typical=cls != "atyp"))
    # Extrahepatic targets; `segment VIII` and `hepatic segment of the IVC` name no liver word
    # the rule set reads (site_aliases, site_reading): outside the liver even when typical.
    for i, site in enumerate(R.sample(["lung", "adrenal", "peritoneum", "segment VIII",
                                       "hepatic segment of the IVC"], R.choice([0, 0, 1, 2]))):
        lesions.append(dict(id="X%d" % (i + 1), cls="extra", role="target", site=site, nodal=False,
                            typical=R.random() < (0.1 if site in ("lung", "adrenal", "peritoneum") else 0.7)))
    for i in range(min(R.choice([0, 0, 1, 2]), 5 - len(lesions))):  # R11-TGT-MAX: 5 in all
        cls = R.choices(["node", "ph", "phdem"], [3, 2, 1])[0]
        lesions.append(dict(id="N%d" % (i + 1), cls=cls, role="target", nodal=True, typical=False,
                            site="porta hepatis lymph node" if cls != "node" else "mediastinal lymph node"))
    for i, cls in enumerate(R.sample(["ntliver", "ntlivertyp", "pvt", "bone", "ntnode", "ascites", "omental"],
                                     R.choice([0, 0, 1, 1, 2, 3]))):
        d = dict(id="NT%d" % (i + 1), cls=cls, role="non-target", nodal=cls == "ntnode",
                 typical=cls == "ntlivertyp",
                 site={"ntliver": "liver", "ntlivertyp": "liver segment 7", "pvt": "portal vein",
                       "bone": "bone", "ntnode": "retroperitoneal lymph node",
                       "ascites": "peritoneum", "omental": "omental cake with ascites"}[cls])
        d["kind"] = {"pvt": "tumour-thrombus", "ascites": "ascites"}.get(cls)
        if cls == "ascites" and R.random() < 0.5:  # the kind read from the site (DESIGN.md)
            d["site"], d["kind"] = "malignant ascites", None
        lesions.append(d)
    if not lesions:
        lesions.append(dict(id="T1", cls="liver", role="target", site="liver", nodal=False, typical=True))

    d = dt.date(2024, 1, 1)
    dates = [d]
    for _ in range(R.randint(1, 6)):
        d = d + dt.timedelta(days=R.choice([14, 21, 28, 30, 35, 41, 42, 43, 56, 60]))
        dates.append(d)
    pzero = R.choice([0.05, 0.2, 0.5, 0.8])  # how often a lesion is gone / no longer enhancing

    base = {}
    for L in lesions:
        c = L["cls"]
        if c == "liver":
            v = F(R.choice([10, 12, 15, 20, 25, 30, 40]))
            base[L["id"]] = ("m", v + R.choice([0, 2, 10]), v)
        elif c == "small":
            base[L["id"]] = ("m", F(R.choice([12, 20, 30])), F(R.choice([4, 6, 8, F(999, 100)])))
        elif c == "atyp":
            la = F(R.choice([12, 20, 35]))
            base[L["id"]] = ("m", la, min(la, F(R.choice([15, 20]))) if R.random() < 0.3 else None)
        elif c == "extra":
            base[L["id"]] = ("m", F(R.choice([10, 12, 15, 20, 30])), None)
        elif c == "node":
            base[L["id"]] = ("n", F(R.choice([15, 16, 20, 25])))
        elif c == "ph":
            base[L["id"]] = ("n", F(R.choice([20, 22, 25, 30])))
        elif c == "phdem":
            base[L["id"]] = ("n", F(R.choice([15, 17, 19])))
        else:
            base[L["id"]] = ("present",)

    visits = []
    news = {}  # id -> dict(kind, size, typical, equivocal, cyto)
    nn = 0
    for vi, day in enumerate(dates):
        f = {}
        for L in lesions:
            i, c = L["id"], L["cls"]
            if vi == 0:
                f[i] = base[i]
                continue
            x = R.random()
            if x < 0.05:
                f[i] = ("ne",)
                continue
            if x < 0.09:
                f[i] = ("omit",)
                continue
            if L["role"] == "non-target":
                opts = ["present", "nv", "vt", "absent", "progression", "pm"]
                w = [5, 4 * pzero * 2, 1, 4 * pzero * 2, 1, 1]
                if c == "ascites":
                    opts, w = ["present", "absent", "progression", "prog+", "prog-", "pres+"], [5, 3, 1, 1, 1, 1]
                f[i] = (R.choices(opts, w)[0],)
                continue
            b = base[i]
            if b[0] == "n":
                if R.random() < 0.06:
                    f[i] = ("tstm",)
                elif R.random() < 0.06:
                    f[i] = ("absent",)
                else:
                    f[i] = ("n", rnd(R.choice([4, 5, 8, 9, F(999, 100), 10, 12, 15, 16, 19, F(1999, 100),
                                               20, 21, 24, b[1] * F(12, 10), b[1], b[1] * F(7, 10)])))
                continue
            y = R.random()
            if y < pzero * 0.5:
                f[i] = ("absent",) if c == "extra" or R.random() < 0.3 else ("m", b[1] * F(9, 10), F(0))
                continue
            if y < pzero * 0.5 + 0.05:
                f[i] = ("tstm",)
                continue
            if c in ("extra", "liver") and R.random() < 0.05:
                a, b2 = F(R.choice([2, 4, 6])), F(R.choice([0, 3, 5]))
                via = None if c == "extra" or R.random() < 0.2 else (a / 2, b2 / 2)
                f[i] = ("frag", a, b2, via)
                continue
            ref = b[2] if c in ("liver", "small") or (c == "atyp" and b[2] is not None) else b[1]
            v = rnd(R.choice([2, 3, 5, 8, 10, 12, ref * F(1, 2), ref * F(7, 10), ref * F(71, 100),
                              ref * F(69, 100), ref, ref * F(6, 5), ref * F(119, 100), ref + 1,
                              ref + 3, ref * F(3, 2), ref * 2]))
            if c in ("liver", "small"):
                if R.random() < 0.06:
                    f[i] = ("m", max(b[1], v), None)  # MR-IMG: no arterial phase
                else:
                    f[i] = ("m", max(b[1] * F(9, 10), v), v)
            elif c == "atyp":
                f[i] = ("m", v, rnd(v * F(R.choice([0, 1, 1]), 2)) if R.random() < 0.4 else None)
            else:
                f[i] = ("m", v, rnd(v / 3) if R.random() < 0.1 else None)  # extra: viable ignored
        if vi > 0 and R.random() < 0.08:  # R11-COALESCE: a kept non-nodal target into another
            a = [L["id"] for L in lesions if L["cls"] in ("liver", "extra")]
            b = [L["id"] for L in lesions if L["cls"] in ("liver", "extra", "atyp", "small")]
            if a and len(b) >= 2:
                x = R.choice(a)
                y = R.choice([i for i in b if i != x])
                if f[y][0] == "m":
                    f[x] = ("merge", y)
        new = []
        if vi > 0:
            for nid, n in list(news.items()):
                if R.random() < 0.15:
                    continue  # not listed this time
                if n["size"] is not None:
                    n["size"] += R.choice([0, 0, 2, 4, 5, 6, 10, 12])
                if n["kind"] == "atyp" and R.random() < 0.1:
                    n["typical"] = True
                if n["kind"] in ("extra", "typ", "atyp") and n["eq"] and R.random() < 0.5:
                    n["eq"] = False
                if n["kind"] == "eff" and n["cyto"] is not True:
                    n["cyto"] = R.choices([None, False, True], [4, 2, 3])[0]
                new.append((nid, dict(n)))
            if R.random() < 0.2:
                nn += 1
                kind = R.choices(["typ", "atyp", "extra", "node", "phnode", "eff"], [3, 3, 2, 1, 1, 1])[0]
                n = dict(kind=kind, typical=kind == "typ", eq=kind in ("extra", "typ", "atyp") and R.random() < 0.4,
                         site=R.choice(LIVER_SITES) if kind in ("typ", "atyp") else R.choice(NOT_LIVER),
                         cyto=None, size=F({"typ": R.choice([6, 8, 10, 15]), "atyp": R.choice([6, 10, 15]),
                                             "extra": R.choice([5, 12]), "node": R.choice([8, 10, 12]),
                                             "phnode": R.choice([12, 18, 20, 22]), "eff": 0}[kind]))
                if kind == "eff" and R.random() < 0.5:
                    n["site"] = "right pleural effusion"
                if kind in ("node", "phnode") and R.random() < 0.15:
                    n["size"] = None
                n["typical_extra"] = kind == "extra" and R.random() < 0.2
                news["NEW%d" % nn] = n
                new.append(("NEW%d" % nn, dict(n)))
        visits.append((day, f, new))
    ts = dates[0] + dt.timedelta(days=R.choice([0, 2, 7]))
    if len(dates) > 2 and R.random() < 0.12:  # a rescan on or before treatment start (day <= 0)
        ts = dates[1] + dt.timedelta(days=R.choice([0, 5]))
    return dict(subject="MRO%d" % k, lesions=lesions, visits=visits, ts=ts)


def to_yaml(c):
    lines = [f"subject: {c['subject']}", f"treatment_start: {c['ts']}", "lesions:"]
    for L in c["lesions"]:
        extra = ""
        if L["typical"]:
            extra += ", hcc_typical: true"
        elif L["cls"] == "atyp" and L["id"].endswith("1"):
            extra += ", hcc_typical: false"
        if L.get("kind"):
            extra += f", kind: {L['kind']}"
        lines.append(f"  - {{id: {L['id']}, site: {L['site']}, role: {L['role']}, "
                     f"nodal: {str(L['nodal']).lower()}{extra}}}")
    lines.append("assessments:")
    for day, f, new in c["visits"]:
        items = []
        for k, v in f.items():
            t = v[0]
            if t == "omit":
                continue
            if t == "m":
                parts = [f"long_axis: {mm(v[1])}"]
                if v[2] is not None:
                    parts.append(f"viable: {mm(v[2])}")
                items.append(f"{k}: {{{', '.join(parts)}}}")
            elif t == "n":
                items.append(f"{k}: {{short_axis: {mm(v[1])}}}")
            elif t == "merge":
                items.append(f"{k}: {{merged_into: {v[1]}}}")
            elif t == "frag":
                fr = [f"long_axis: {mm(v[1])}", f"long_axis: {mm(v[2])}"]
                if v[3] is not None:
                    fr = [fr[0] + f", viable: {mm(v[3][0])}", fr[1] + f", viable: {mm(v[3][1])}"]
                items.append(f"{k}: {{fragments: [{{{fr[0]}}}, {{{fr[1]}}}]}}")
            else:
                items.append(f"{k}: " + {"ne": "not-evaluated", "tstm": "too-small",
                                         "nv": "{status: present, viable: false}",
                                         "vt": "{status: present, viable: true}",
                                         "prog+": "{status: progression, cytology: positive}",
                                         "prog-": "{status: progression, cytology: negative}",
                                         "pres+": "{status: present, cytology: positive}",
                                         "pm": "{status: present}"}.get(t, t))
        text = f"  - date: {day}\n    findings: {{{', '.join(items)}}}"
        if new:
            out = []
            for nid, n in new:
                kd = n["kind"]
                if kd in ("typ", "atyp"):
                    s = f"{{id: {nid}, site: {n['site']}, long_axis: {mm(n['size'])}"
                    s += ", hcc_typical: true" if n["typical"] else ""
                    s += ", equivocal: true}" if n["eq"] else "}"
                elif kd == "extra":
                    s = f"{{id: {nid}, site: {n['site']}, long_axis: {mm(n['size'])}"
                    s += ", hcc_typical: true" if n["typical_extra"] else ""
                    s += ", equivocal: true}" if n["eq"] else "}"
                elif kd in ("node", "phnode") and n["size"] is None:  # node_without_short_axis: new
                    site = "porta hepatis" if kd == "phnode" else "axillary lymph node"
                    s = f"{{id: {nid}, site: {site}, nodal: true}}"
                elif kd == "node":
                    s = f"{{id: {nid}, site: axillary lymph node, nodal: true, short_axis: {mm(n['size'])}}}"
                elif kd == "phnode":
                    s = f"{{id: {nid}, site: porta hepatis, nodal: true, short_axis: {mm(n['size'])}}}"
                else:  # the kind given, or read from the site
                    s = f"{{id: {nid}, site: right pleura, kind: effusion"
                    if n["site"] == "right pleural effusion":
                        s = f"{{id: {nid}, site: right pleural effusion"
                    s += {True: ", cytology: positive}", False: ", cytology: negative}", None: "}"}[n["cyto"]]
                if n.get("field"):  # radiotherapy field (scripts/fields-mrecist-oracle.py)
                    s = s[:-1] + f", field: \"{n['field']}\"}}"
                out.append(s)
            text += "\n    new_lesions: [" + ", ".join(out) + "]"
        lines.append(text)
    return "\n".join(lines) + "\n"


def kept(c):
    """The targets the rule set keeps and the lesions it follows as non-targets (MR-TGT-ELIG,
    MR-PHNODE), as two id lists."""
    return ([L["id"] for L in c["lesions"] if L["cls"] in TGT_KEPT],
            [L["id"] for L in c["lesions"] if L["cls"] not in TGT_KEPT])


def counted_value(c, i, v):
    """A kept target's counted diameter (MR-MEAS) in finding `v`, or None when not evaluated
    (a merge into a lesion followed as a non-target is not evaluated, DESIGN.md)."""
    return timepoints(c, value_only=(i, v))


def timepoints(c, tids=None, nids=None, new_of_scope=lambda n: True, value_only=None):
    """Per-follow-up timepoints of the lesions `tids` (kept targets) and `nids` (followed as
    non-targets) with the new lesions `new_of_scope` accepts, the whole disease by default.

    Returns the timepoints, per scan the value counted for each target (merged ones left out),
    the progression date and the first PD timepoint's date. A target merged into a lesion
    outside `tids`, and a lesion (target or followed as a non-target) holding the mass of one
    outside the scope, is not evaluated (the radiotherapy-field reading of `merged_into`,
    DESIGN.md).
    """
    les = {L["id"]: L for L in c["lesions"]}
    if tids is None:
        tids, nids = kept(c)
    scope = set(tids) | set(nids)
    d0 = c["ts"]
    v0 = c["visits"][0][1]

    def value(i, v):
        """A kept target's counted diameter (MR-MEAS), or None when not evaluated."""
        cls, t = les[i]["cls"], v[0]
        if t in ("ne", "omit"):
            return None
        if t == "absent":
            return F(0)
        if t == "merge":  # R11-COALESCE; into a lesion followed as a non-target: NE (DESIGN.md)
            return F(0) if v[1] in tids else None
        if t == "tstm":
            return F(5)
        if t == "frag":  # R11-SPLIT; a typical liver target sums the fragments' viable diameters
            if cls == "liver":
                return None if v[3] is None else v[3][0] + v[3][1]
            return v[1] + v[2]
        if t == "n":
            return v[1]
        if cls == "liver":
            return v[2]  # viable; None: no arterial phase read (MR-IMG)
        return v[1]

    if value_only:
        return value(*value_only)
    B = sum((value(t, v0[t]) for t in tids), F(0))
    N = B
    earlier_cr = False
    first_seen, counted, eq_since, prog, out = {}, set(), {}, None, []
    first_pd, values = None, []
    proven = set()

    def meets_pd(s):  # MR-TGT-PD, AMB-M1, section 7.1 (PD needs growth)
        return s > N and 5 * s >= 6 * N and (OPT["pd_min_mm"] is None or s - N >= OPT["pd_min_mm"])

    def nt_state(i, v):
        """gone | present | pd | ne for a non-target (or a target followed as one)."""
        cls, t = les[i]["cls"], v[0]
        if t in ("ne", "omit"):
            return "ne"
        if cls == "phdem":  # MR-PHNODE: normal below 20 mm
            if t in ("absent", "tstm"):
                return "gone"
            return "present" if v[1] >= 20 else "gone"
        if cls in ("atyp", "small"):  # enhancement: viable, else the counted diameter
            if t == "absent":
                return "gone"
            if t == "tstm":
                return "present"
            if v[2] is not None:
                return "present" if v[2] > 0 else "gone"
            if cls == "small":
                return "ne"  # MR-IMG: counted diameter is the viable one, not read
            return "present" if v[1] > 0 else "gone"
        if t == "absent":
            return "gone"
        if cls == "ascites":  # MR-EFFUSION: proven malignant by a positive cytology, then or before
            if t in ("prog+", "pres+"):
                proven.add(i)
            if i not in proven:
                return "present-unproven"
            return "pd" if t in ("progression", "prog+", "prog-") else "present"
        if t == "progression":
            return "pd"
        if t == "nv":
            return "present" if les[i]["nodal"] else "gone"  # MR-NT-CR; nodes by size
        if t in ("present", "pm") and cls == "ntlivertyp" and OPT["unstated"] == "not-evaluated":
            return "ne"
        return "present"

    for day, f, new in c["visits"][1:]:
        after_cr = earlier_cr
        T = S = None
        vals = {}
        foreign = {v[1] for t, v in f.items() if v[0] == "merge" and t not in scope}
        if tids:
            known, missing = {}, []
            for t in tids:
                x = value(t, f.get(t, ("omit",)))
                if x is None or t in foreign:
                    missing.append(t)
                else:
                    known[t] = x
            vals = {t: known[t] for t in known if f[t][0] != "merge"}

            def disease(t):  # AMB-01, section 7.1
                if les[t]["nodal"]:
                    return known[t] >= NODE_MIN[les[t]["cls"]]
                return known[t] > 0 or f[t][0] == "tstm"
            again = after_cr and any(disease(t) for t in known)
            if missing:  # R11-MISS-*, AMB-05
                T = "PD" if known and (again or meets_pd(sum(known.values(), F(0)))) else "NE"
            else:
                S = sum(known.values(), F(0))
                if again or meets_pd(S):  # R11-TGT-ORDER, growth_within_cr: pd
                    T = "PD"
                elif all(known[t] < NODE_MIN[les[t]["cls"]] if les[t]["nodal"]
                         else (known[t] == 0 and f[t][0] != "tstm") for t in tids):
                    T = "CR"  # MR-TGT-CR
                elif 10 * S <= 7 * B:
                    T = "PR"  # MR-TGT-PR, AMB-M2
                else:
                    T = "SD"
        NT = None
        if nids:
            # a lesion followed as a non-target holding the mass of a target of another scope is
            # not evaluated there either (DESIGN.md, `merged_into`); never so in the all scope
            st = ["ne" if n in foreign else nt_state(n, f.get(n, ("omit",)))
                  for n in nids]
            if "pd" in st or (after_cr and "present" in st):
                NT = "PD"
            elif "ne" in st:
                NT = "NE"
            elif all(s == "gone" for s in st):  # "present-unproven": never PD, not even after a CR
                NT = "CR"
            else:
                NT = "NON-CR/NON-PD"
        NEW, back = "NO", None
        for nid, n in new:
            if not new_of_scope((nid, n)):
                continue
            kd = n["kind"]
            if kd in ("node", "phnode"):  # R11-NEW-NODE, MR-PHNODE
                if n["size"] is None or n["size"] >= (20 if kd == "phnode" else 10):
                    NEW = "YES"
                continue
            first_seen.setdefault(nid, n["size"])
            if nid in counted:
                NEW = "YES"
                continue
            if kd in ("typ", "atyp") and n["eq"]:  # the reader's doubt: it does not count yet
                if NEW == "NO":
                    NEW = "EQUIVOCAL"
                # typical and >= 10 mm, held back only by the doubt: a confirmation dates back
                # to here (R11-NEW-EQUIV), not to an earlier sighting too small or not typical
                if n["typical"] and n["size"] >= 10 and nid not in eq_since and (day - d0).days > 0:
                    eq_since[nid] = day
                continue
            if kd in ("typ", "atyp"):  # MR-NEW-TYPICAL, MR-NEW-ATYPICAL (at-growth)
                ok = n["size"] >= 10 if n["typical"] else n["size"] - first_seen[nid] >= 10
                if ok:
                    counted.add(nid)
                    NEW = "YES"
                    if nid in eq_since and n["typical"]:
                        back = eq_since[nid] if back is None else min(back, eq_since[nid])
                elif NEW == "NO":
                    NEW = "EQUIVOCAL"
                continue
            # extrahepatic (R11-NEW-EQUIV) and effusion (MR-EFFUSION): dated back
            if kd == "eff" and n["cyto"] is False:  # not proven then: no dating back past it
                eq_since.pop(nid, None)
                NEW = "EQUIVOCAL" if NEW == "NO" else NEW
                continue
            if (kd == "extra" and n["eq"]) or (kd == "eff" and not n["cyto"]):
                if NEW == "NO":
                    NEW = "EQUIVOCAL"
                if nid not in eq_since and (day - d0).days > 0:
                    eq_since[nid] = day
                continue
            counted.add(nid)
            NEW = "YES"
            if nid in eq_since:
                back = eq_since[nid] if back is None else min(back, eq_since[nid])
        if tids:  # MR-OR, AMB-M5, AMB-06
            if "PD" in (T, NT) or NEW == "YES":
                O = "PD"
            elif T == "CR":
                O = {"CR": "CR", None: "CR", "NON-CR/NON-PD": "PR", "NE": "PR"}[NT]
            else:
                O = T if T in ("PR", "SD") else "NE"
        elif nids:  # AMB-M6: non-target-only table
            O = "PD" if NT == "PD" or NEW == "YES" else NT
        else:  # a field scope without baseline lesions, watched for new lesions only
            O = "PD" if NEW == "YES" else "NE"
        out.append(dict(date=str(day), day=(day - d0).days, target=T, non_target=NT,
                        new_lesions=NEW, overall=O, sum=S, nadir=N if tids else None))
        values.append((day, vals))
        if O == "PD" and prog is None and (day - d0).days > 0:
            prog = min(back, day) if back else day
            first_pd = day
        elif back and prog is not None and back < prog:  # AMB-07
            prog = back
        if S is not None and S < N and ((day - d0).days > 0 or not OPT["on_treatment"]):
            N = S  # target_response.nadir_from
        if O == "CR":
            earlier_cr = True
    return out, values, prog, first_pd


def model(c):
    """Timepoints, best, confirmed best and progression date, from the rules reference."""
    out, _, prog, _ = timepoints(c)
    tids, _ = kept(c)
    window = []  # follow-ups after day 0 up to the first PD (R11-BOR-DEF, DESIGN.md)
    for tp in out:
        if tp["day"] <= 0:
            continue
        window.append(tp)
        if tp["overall"] == "PD":
            break
    stable = "SD" if tids else "NON-CR/NON-PD"
    best = "NE"
    for tp in window:
        r = tp["overall"]
        if r in ("SD", "NON-CR/NON-PD") and tp["day"] < 42:  # R11-SD-MIN
            r = "NE"
        best = r if RANK[r] > RANK[best] else best

    def confirmed_by(i, accept):  # R11-CONF-INT, AMB-11
        ne = 0
        for tp in window[i + 1:]:
            r = tp["overall"]
            if r in accept and tp["day"] - window[i]["day"] >= 28:
                return True
            if r == "NE":
                ne += 1
            elif r not in accept:
                return False
            if ne > 1:
                return False
        return False

    confirmed = "NE"
    for i, tp in enumerate(window):
        r, v = tp["overall"], None
        if r == "CR":
            v = "CR" if confirmed_by(i, ["CR"]) else "PR" if confirmed_by(i, ["CR", "PR"]) else None
        elif r == "PR":
            v = "PR" if confirmed_by(i, ["CR", "PR"]) else None
        if v is None:  # R11-BOR-T3
            if r in ("CR", "PR", "SD", "NON-CR/NON-PD"):
                v = stable if tp["day"] >= 42 else "NE"
            else:
                v = r
        confirmed = v if RANK[v] > RANK[confirmed] else confirmed
    return out, best, confirmed, (str(prog) if prog else None)


def main():
    for kv in SETS:
        k, v = kv.split("=", 1)
        if k == "target_response.pd_min_increase_mm":
            OPT["pd_min_mm"] = None if v == "null" else F(v)
        elif k == "target_response.nadir_from":
            OPT["on_treatment"] = v == "baseline-and-on-treatment"
        elif k == "non_target_response.viability_unstated":
            OPT["unstated"] = v
        else:
            sys.exit(f"the model does not read {k}")
    cases = [gen_case(k) for k in range(COUNT)]
    results, res = oracle_run.assess(RECIST, [to_yaml(c) for c in cases], ["mrecist"], SETS)
    got = {r["subject"]: r for r in results if r["scope"] == "all"}
    oracle_run.report(((c["subject"], oracle_run.subject_diffs(model(c), got[c["subject"]]), to_yaml(c))
                       for c in cases if c["subject"] in got), COUNT)


if __name__ == "__main__":
    main()
