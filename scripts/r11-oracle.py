#!/usr/bin/env python3
"""An independent model of the RECIST 1.1 core, written from the rules reference (sections 1,
5 and 7) and not from the engine, run against `recist assess` on random subjects.

It generates subjects with 0-3 targets (some nodal; measured, absent, too small, not evaluated
or left out, split into fragments, merged into another target), 0-2 non-targets (some nodal),
new lesions (unequivocal; nodes with a short axis around 10 mm or none, some equivocal, some
seen again under the same id; equivocal then confirmed) and
a treatment start up to 13 days after the baseline. For every follow-up it compares target,
non-target, new-lesion and overall responses, sum and nadir; for the subject, best and
confirmed best overall response and the progression date (`scope: all` only).

Usage: scripts/r11-oracle.py [SEED [COUNT [KEY=VALUE...]]]
  KEY=VALUE are `--set` overrides the model also reads: timepoint.disease_after_cr,
  timepoint.pr_persistence (strict|sticky), target_response.missing_target,
  new_lesions.equivocal_confirmed, confirmation.max_ne_between,
  confirmation.min_interval_days, confirmation.accept_sd_between,
  best_response.sd_min_days, best_response.reference, new_lesions.node_without_short_axis.

Readings (DESIGN.md, AMB-13): a new node under 10 mm short axis is no lesion, equivocal or not,
and starts no equivocal spell; one without a short axis is the reader's word (`new`), or, with
`node_without_short_axis: equivocal`, equivocal until a short axis of 10 mm or more is given;
a lesion once counted stays counted: listed again marked equivocal (or, under `equivocal`, a
node listed without a short axis) it is YES there; only a node listed under 10 mm is no
lesion at that listing.
The engine binary is $RECIST (default target/debug/recist). Prints the first mismatches with
their case; exit 1 if any. Subjects the engine refuses (e.g. three nodal targets) are skipped.
"""

import datetime as dt
import random
import sys

import oracle_run
from fractions import Fraction as F

SEED, COUNT, SETS, RECIST = oracle_run.arguments()
R = random.Random(SEED)
SITES = ["liver", "lung", "kidney", "spleen", "brain"]
RANK = {"CR": 7, "PR": 6, "SD": 5, "NON-CR/NON-PD": 4, "PD": 2, "NE": 1}
OPT = dict(sticky=False, rewrite=False, ref_baseline=False, arith=False, always_ne=False,
           max_ne=1, min_int=28, accept_sd=False, sd_min=42, node_no_sa="new")


def gen_case(k):
    nt_n = R.choice([0, 0, 1, 2])
    tg_n = R.choice([0, 1, 2, 3]) if nt_n else R.choice([1, 2, 3])
    targets = []
    for i in range(tg_n):
        nodal = R.random() < 0.3
        targets.append(("T%d" % i, "axilla node %d" % i if nodal else SITES[i], nodal))
    nts = [("NT%d" % i, "bone", R.random() < 0.4) for i in range(nt_n)]
    d = dt.date(2024, 1, 1)
    dates = [d]
    for _ in range(R.randint(1, 6)):
        d = d + dt.timedelta(days=R.choice([14, 21, 28, 30, 35, 41, 42, 43, 56, 60]))
        dates.append(d)
    base = {t: F(R.choice([15, 16, 20, 25, 30, 40]) if nodal else R.choice([10, 12, 15, 20, 25, 30, 50]))
            for t, _, nodal in targets}
    visits, confirmed = [], set()
    for vi, day in enumerate(dates):
        f = {}
        for tid, _, _ in targets:
            if vi == 0:
                f[tid] = ("m", base[tid])
                continue
            x = R.random()
            if x < 0.05:
                f[tid] = ("frag", F(R.choice([0, 2, 3, 5, 6, 8, 12])), F(R.choice([2, 4, 5, 7, 10])))
            elif x < 0.08:
                f[tid] = ("ne",)
            elif x < 0.12:
                f[tid] = ("omit",)
            elif x < 0.25:
                f[tid] = ("absent",)
            elif x < 0.32:
                f[tid] = ("tstm",)
            else:
                b = base[tid]
                v = R.choice([0, 2, 3, 4, 5, 6, 8, 9, 9.5, 10, 11, 12, b * F(1, 2), b * F(7, 10),
                              b * F(71, 100), b * F(69, 100), b, b * F(6, 5), b * F(5, 4), b + 5,
                              b + F(499, 100), b * F(3, 2)])
                f[tid] = ("m", F(round(v * 100), 100))
        for nid, _, _ in nts:
            f[nid] = ("present",) if vi == 0 else (R.choices(
                ["present", "absent", "progression", "not-evaluated", "omit"], [5, 4, 1, 1, 1])[0],)
        non_nodal = [t for t, _, nodal in targets if not nodal]
        if vi > 0 and len(non_nodal) >= 2 and R.random() < 0.15:
            a, b = R.sample(non_nodal, 2)
            if f[b][0] != "omit":
                f[a] = ("merge", b)
        new = []
        if vi > 0:
            if R.random() < 0.06:
                new.append(("X%d" % vi, False))
            if R.random() < 0.08:  # a new node, once or seen again, sized or not, sure or not
                i = "NN%d" % (vi if R.random() < 0.5 else R.randint(1, 2))
                new.append((i, R.random() < 0.3, R.choice([None, 8, F(999, 100), 10, 12, 15])))
            if R.random() < 0.12:
                i = "E%d" % R.randint(1, 2)
                eq = R.random() < 0.6 and i not in confirmed
                if not eq:
                    confirmed.add(i)
                new.append((i, eq))
        visits.append((day, f, new))
    ts = dates[0] + dt.timedelta(days=R.choice([0, 0, 0, 3, 7, 13]))
    return dict(subject="O%d" % k, targets=targets, nts=nts, visits=visits, ts=ts)


def mm(v):
    return f"{float(v):.2f}".rstrip("0").rstrip(".")


def to_yaml(c):
    lines = [f"subject: {c['subject']}", f"treatment_start: {c['ts']}", "lesions:"]
    for tid, site, nodal in c["targets"]:
        lines.append(f"  - {{id: {tid}, site: {site}, role: target, nodal: {str(nodal).lower()}}}")
    for nid, site, nodal in c["nts"]:
        lines.append(f"  - {{id: {nid}, site: {'hilar node' if nodal else site}, role: non-target, "
                     f"nodal: {str(nodal).lower()}}}")
    lines.append("assessments:")
    nodal = {t[0]: t[2] for t in c["targets"]}
    for day, f, new in c["visits"]:
        items = []
        for k, v in f.items():
            axis = "short_axis" if nodal.get(k) else "long_axis"
            if v[0] == "omit":
                continue
            elif v[0] == "m":
                items.append(f"{k}: {{{axis}: {mm(v[1])}}}")
            elif v[0] == "ne":
                items.append(f"{k}: not-evaluated")
            elif v[0] == "merge":
                items.append(f"{k}: {{merged_into: {v[1]}}}")
            elif v[0] == "frag":
                items.append(f"{k}: {{fragments: [{{{axis}: {mm(v[1])}}}, {{{axis}: {mm(v[2])}}}]}}")
            elif v[0] == "tstm":
                items.append(f"{k}: too-small")
            else:
                items.append(f"{k}: {v[0]}")
        text = f"  - date: {day}\n    findings: {{{', '.join(items)}}}"

        def new_lesion(x):
            if len(x) == 3:
                sa = "" if x[2] is None else f", short_axis: {mm(x[2])}"
                return f"{{id: {x[0]}, site: axilla, nodal: true{sa}{', equivocal: true' if x[1] else ''}}}"
            return f"{{id: {x[0]}, site: lung, long_axis: 12{', equivocal: true' if x[1] else ''}}}"

        if new:
            text += "\n    new_lesions: [" + ", ".join(new_lesion(x) for x in new) + "]"
        lines.append(text)
    return "\n".join(lines) + "\n"


def model(c):
    """Timepoints, best, confirmed best and progression date, from the rules reference."""
    nodal = {t[0]: t[2] for t in c["targets"]}
    tids = [t[0] for t in c["targets"]]
    nids = [n[0] for n in c["nts"]]
    baseline_date = c["visits"][0][0]
    B = sum((c["visits"][0][1][t][1] for t in tids), F(0))
    N = B  # nadir: baseline and every earlier timepoint with a sum (R11-TGT-PD, R11-NE-NADIR)
    earlier_cr = earlier_target_pr = False
    eq_since, counted, prog, out = {}, set(), None, []
    d0 = c["ts"]

    def meets_pd(s):  # section 7.1: PD needs growth; AMB-09: exact
        return s > N and s * 100 >= N * 120 and s - N >= 5

    for day, f, new in c["visits"][1:]:
        after_cr = earlier_cr and not OPT["arith"]  # AMB-01
        T = S = None
        if tids:
            known, missing, too_small = {}, [], set()
            for t in tids:
                v = f.get(t, ("omit",))
                if v[0] in ("ne", "omit"):
                    missing.append(t)
                elif v[0] in ("absent", "merge"):
                    known[t] = F(0)  # R11-GONE; R11-COALESCE (the carrier holds the mass)
                elif v[0] == "tstm":
                    known[t] = F(5)  # R11-TSTM
                    too_small.add(t)
                elif v[0] == "frag":
                    known[t] = v[1] + v[2]  # R11-SPLIT
                else:
                    known[t] = v[1]
            again = after_cr and any(known[t] >= 10 if nodal[t] else (t in too_small or known[t] > 0)
                                     for t in known)
            if missing:  # R11-MISS-*, AMB-05
                if not known:
                    T = "NE"
                elif not OPT["always_ne"] and (again or meets_pd(sum(known.values(), F(0)))):
                    T = "PD"
                else:
                    T = "NE"
            else:
                S = sum(known.values(), F(0))
                if again or meets_pd(S):  # R11-TGT-ORDER: PD first
                    T = "PD"
                elif all(known[t] < 10 if nodal[t] else (t not in too_small and known[t] == 0)
                         for t in tids):
                    T = "CR"
                elif 10 * S <= 7 * B:
                    T = "PR"
                elif earlier_target_pr and OPT["sticky"]:
                    T = "PR"
                else:
                    T = "SD"
        NT = None
        if nids:  # section 7.1, non-target response with gaps
            st = [{"omit": "not-evaluated"}.get(f.get(n, ("omit",))[0], f.get(n, ("omit",))[0])
                  for n in nids]
            if "progression" in st:
                NT = "PD"
            elif after_cr and "present" in st:
                NT = "PD"
            elif "not-evaluated" in st:
                NT = "NE"
            elif all(s == "absent" for s in st):
                NT = "CR"
            else:
                NT = "NON-CR/NON-PD"
        NEW, back = "NO", None
        for x in new:
            i, eq = x[:2]
            if len(x) == 3:  # R11-NEW-NODE: a new node counts from a short axis of 10 mm
                if x[2] is not None and x[2] < 10:
                    continue  # normal-sized: not a lesion
                if x[2] is None and not eq and OPT["node_no_sa"] == "equivocal":
                    eq = True  # AMB-13: equivocal until a short axis of 10 mm or more is given
            if eq and i not in counted:  # R11-NEW-EQUIV; a lesion once counted stays counted
                NEW = NEW if NEW == "YES" else "EQUIVOCAL"
                if i not in eq_since and (day - d0).days > 0:
                    eq_since[i] = day
            else:
                NEW = "YES"
                if i in eq_since and i not in counted:
                    back = eq_since[i] if back is None else min(back, eq_since[i])
                counted.add(i)
        if tids:  # R11-OR-T1, AMB-06
            if "PD" in (T, NT) or NEW == "YES":
                O = "PD"
            elif T == "CR":
                O = {"CR": "CR", None: "CR", "NON-CR/NON-PD": "PR", "NE": "PR"}[NT]
            else:
                O = T if T in ("PR", "SD") else "NE"
        else:  # R11-OR-T2
            O = "PD" if NT == "PD" or NEW == "YES" else NT
        if T == "PR":
            earlier_target_pr = True
        ref = baseline_date if OPT["ref_baseline"] else d0
        out.append(dict(date=str(day), rday=(day - ref).days, day=(day - d0).days, target=T,
                        non_target=NT, new_lesions=NEW, overall=O, sum=S,
                        nadir=N if tids else None))
        rewrite = None
        if O == "PD" and prog is None and (day - d0).days > 0:  # R11-BOR-DEF: follow-up only
            prog = min(back, day) if back else day
            rewrite = back
        elif back and prog is not None and back < prog:  # AMB-07
            prog = rewrite = back
        if rewrite and OPT["rewrite"]:
            for tp in out:
                if tp["date"] >= str(rewrite):
                    tp["overall"], tp["new_lesions"] = "PD", "YES"
        if S is not None and S < N:
            N = S
        if O == "CR":
            earlier_cr = True

    window = []  # up to and including the first PD (section 7)
    for tp in out:
        window.append(tp)
        if tp["overall"] == "PD":
            break
    stable = "SD" if tids else "NON-CR/NON-PD"
    best = "NE"
    for tp in window:
        r = tp["overall"]
        if r in ("SD", "NON-CR/NON-PD") and tp["rday"] < OPT["sd_min"]:  # R11-SD-MIN
            r = "NE"
        best = r if RANK[r] > RANK[best] else best

    days = [(tp["day"], tp["overall"]) for tp in window]

    def confirmed_by(i, accept):  # R11-CONF-INT, AMB-11
        return confirming(days, i, accept, OPT) is not None

    confirmed = "NE"
    for i, tp in enumerate(window):
        r, v = tp["overall"], None
        if r == "CR":
            v = "CR" if confirmed_by(i, ["CR"]) else "PR" if confirmed_by(i, ["CR", "PR"]) else None
        elif r == "PR":
            v = "PR" if confirmed_by(i, ["CR", "PR"]) else None
        if v is None:  # R11-BOR-T3
            if r in ("CR", "PR", "SD", "NON-CR/NON-PD"):
                v = stable if tp["rday"] >= OPT["sd_min"] else "NE"
            else:
                v = r
        confirmed = v if RANK[v] > RANK[confirmed] else confirmed
    return out, best, confirmed, (str(prog) if prog else None)


def confirming(seq, i, accept, opt):
    """R11-CONF-INT with AMB-11: the index in `seq` ((day, response) pairs in date order) of the
    first response after `seq[i]` that is in `accept` and at least `opt["min_int"]` days later,
    with at most `opt["max_ne"]` NE between and, with `opt["accept_sd"]` when confirming as PR,
    one SD; None when there is none (the recist bor model uses it too)."""
    ne = sd = 0
    for j in range(i + 1, len(seq)):
        day, r = seq[j]
        if r in accept and day - seq[i][0] >= opt["min_int"]:
            return j
        if r == "NE":
            ne += 1
        elif r == "SD" and opt["accept_sd"] and "PR" in accept:
            sd += 1
        elif r not in accept:
            return None
        if ne > opt["max_ne"] or sd > 1:
            return None
    return None


def main():
    for kv in SETS:
        k, v = kv.split("=", 1)
        if k == "timepoint.pr_persistence":
            OPT["sticky"] = v == "sticky"
        elif k == "new_lesions.equivocal_confirmed":
            OPT["rewrite"] = v == "rewrite-earlier"
        elif k == "best_response.reference":
            OPT["ref_baseline"] = v == "baseline"
        elif k == "timepoint.disease_after_cr":
            OPT["arith"] = v == "arithmetic"
        elif k == "target_response.missing_target":
            OPT["always_ne"] = v == "always-ne"
        elif k == "confirmation.max_ne_between":
            OPT["max_ne"] = int(v)
        elif k == "confirmation.min_interval_days":
            OPT["min_int"] = int(v)
        elif k == "confirmation.accept_sd_between":
            OPT["accept_sd"] = v == "true"
        elif k == "best_response.sd_min_days":
            OPT["sd_min"] = int(v)
        elif k == "new_lesions.node_without_short_axis":
            OPT["node_no_sa"] = v
        else:
            sys.exit(f"the model does not read {k}")
    cases = [gen_case(k) for k in range(COUNT)]
    results, res = oracle_run.assess(RECIST, [to_yaml(c) for c in cases], [], SETS)
    got = {r["subject"]: r for r in results if r["scope"] == "all"}
    oracle_run.report(((c["subject"], oracle_run.subject_diffs(model(c), got[c["subject"]]), to_yaml(c))
                       for c in cases if c["subject"] in got), COUNT)


if __name__ == "__main__":
    main()
