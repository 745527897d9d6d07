#!/usr/bin/env python3
"""An independent model of the radiotherapy-field scopes, written from the rules reference
(section 6 RT-*, AMB-RT1/AMB-RT2/AMB-RT3 and the section 7 defaults, with the RECIST 1.1 rules
of sections 1, 5 and 7 that each scope reuses), results.md, the case format,
rules/recist-1.1.yaml and the readings docs/DESIGN.md names ("Radiotherapy fields"), and not
from the engine, run against `recist assess --rules recist-1.1` on random subjects.

Subjects have one radiotherapy course (one in five a second one, some starting after a
follow-up: a late course, RT-IN-PTV), one in twenty none (the `all` result alone); 0-4 targets
(up to 2 nodal) and 0-3 non-targets (some nodal), each inside a course's field (some in both)
or outside; some subjects have all disease irradiated, some none. One lesion outside the fields
in ten is at a field's margin instead (`field: "marginal:RT1"` on the lesion), one in sixteen of
unknown field status (`field: unknown`). Targets are measured,
absent, too small, not evaluated or left out, split into fragments, merged into another
target (also across the field edge); one subject in five drifts a few mm around its baseline
(whole-disease PD that neither scope reaches alone: site `combined`). Non-targets are present,
absent, progressing or not evaluated. New lesions (unequivocal, equivocal then confirmed,
nodes around 10 mm) are placed in a field (`RT1`, `RT2`), at its margin (`marginal:RT1`),
outside it (`none`), with their field unknown (`unknown`) or with no `field` (outside). Treatment starts 0-13 days after the
baseline, or after a rescan (on or before day 0: no follow-up); courses end before, on or
between scans, or have no end date; some subjects die after their last scan, some start a new
anticancer therapy.

For each scope (`all`, `in-field`, `out-of-field`) the model adjudicates the scope's lesions as
the whole disease (baseline sum and nadir on the subset, Table 2 without a target) with only
the new lesions of that scope (AMB-RT1, AMB-RT2), and compares per follow-up target,
non-target, new-lesion and overall responses, sum and nadir; best and confirmed best overall
response, response dates, progression date and first PD assessment, progression-free survival
and duration of response. On the `all` result it compares `progression.site` (AMB-RT3) and the
in-field and out-of-field relapse-free survivals (a scope without baseline lesions is watched
for its new lesions); on the `out-of-field` result with targets, the abscopal response
(RT-ABS-2) lesion by lesion; on every result, the warnings for late courses (and new lesions
placed in their field before they start) and, on the out-of-field one, for no end date.

Readings the model takes where the contract leaves room (each the engine's too):
- section 6 field status: a baseline lesion at a field's margin is scoped by
  `radiotherapy.marginal_lesions` as a marginal new lesion is (AMB-RT1) and is never an
  abscopal lesion (part of the dose); a lesion of unknown field status, baseline or new, is in
  neither field scope; every result names both kinds in a warning;
- a target merged into a lesion of the other scope is not evaluated in its own scope, and the
  carrier is not evaluated in its scope (DESIGN.md, `merged_into`); neither counts for the
  abscopal response at that scan;
- progression site: a field scope counts when its first PD timepoint is on or before the `all`
  scope's first PD timepoint (section 7.1 says timepoint: the dates moved back by equivocal
  lesions confirmed later are not compared, so an in-field relapse dated back to the same day
  as the `all` progression can still be left out of the site);
- relapse-free survival is censored at the scope's last follow-up whose overall response is not
  NE (the `all` scope's for a scope without baseline lesions), or at day 0 when there is none;
  under `endpoints.new_therapy: censor` it is censored like PFS (DESIGN.md "Radiotherapy
  fields"; its best-response section says the relapse-free survivals are not affected);
- abscopal response: the smallest value a target was given (measured, fragments summed, 0 when
  absent, 5 mm when too small) at a scan strictly after the latest end of any course (a
  `no-field` course's too), none after a new therapy; no abscopal lesion left: `any` null;
- a late course is named in a warning with the lesions it is the earliest course to hold;
  one holding none warns only under `no-field`;
- duration of response: a progression dated back before the confirmed response ends it on the
  response's date (0 days).

Usage: scripts/fields-oracle.py [SEED [COUNT [KEY=VALUE...]]]
  KEY=VALUE are `--set` overrides the model also reads: radiotherapy.marginal_lesions
  (in-field | out-of-field), radiotherapy.late_courses (field-from-baseline | no-field),
  radiotherapy.abscopal_shrink_pct, endpoints.new_therapy (count | censor).
The engine binary is $RECIST (default target/debug/recist). Prints the first mismatches with
their case; exit 1 if any.
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
SD_MIN, MIN_INT, MAX_NE = 42, 28, 1
OPT = dict(marginal="in-field", late="field-from-baseline", abs_pct=F(30), nt_censor=False)


def gen_courses(dates, ts, ids):
    """One radiotherapy course near treatment start (one in five a second one, some starting
    after a follow-up), each baseline lesion of `ids` inside a field, at one field's margin
    (`marginal`), of unknown field status, or outside; one subject in twenty none. Returns the
    courses, how many were drawn, and the lesions of unknown field status."""
    # courses: RT1 near treatment start; sometimes RT2, sometimes after the first follow-up
    courses = []
    with_end = R.random() < 0.9
    n_courses = 2 if R.random() < 0.2 else 1
    for ci in range(n_courses):
        if ci == 0:
            start = ts + dt.timedelta(days=R.choice([0, 0, 2, 5, 10]))
        elif R.random() < 0.5 and len(dates) > 2:
            start = dates[R.randint(1, len(dates) - 2)] + dt.timedelta(days=R.choice([0, 1, 5]))
        else:
            start = ts + dt.timedelta(days=R.choice([7, 14, 21]))
        end = start + dt.timedelta(days=R.choice([0, 4, 7, 20, 30, 45])) if with_end else None
        later = [d for d in dates[1:] if d >= start]
        if end and later and R.random() < 0.2:
            end = later[0]  # the course ends on a scan's day: that scan is no abscopal evidence
        courses.append(dict(id="RT%d" % (ci + 1), start=start, end=end, lesions=[], marginal=[]))
    mode = R.choices(["mixed", "all", "none"], [6, 2, 2])[0]
    for lid in ids:
        inside = mode == "all" or (mode == "mixed" and R.random() < 0.5)
        if inside and n_courses == 2 and R.random() < 0.15:
            for co in courses:  # in both fields
                co["lesions"].append(lid)
        elif inside:
            R.choice(courses)["lesions"].append(lid)
    unknown = []
    for lid in ids:  # section 6: at a field's margin, or of unknown field status
        if any(lid in co["lesions"] for co in courses):
            continue
        x = R.random()
        if x < 0.1:
            R.choice(courses)["marginal"].append(lid)
        elif x < 0.16:
            unknown.append(lid)
    if R.random() < 0.05:  # no radiotherapy: the `all` result alone (section 7.1)
        courses, unknown = [], []
    return courses, n_courses, unknown


def new_field_options(courses, n_courses):
    """The `field` a new lesion may be given (None: no `field` key, outside)."""
    if not courses:
        return ["none", None]
    return ["none", None, "RT1", "marginal:RT1", "unknown"] + (["RT2", "marginal:RT2"] if n_courses > 1 else [])


def lesion_field(c, lid):
    """A baseline lesion's `field` key in the case text: `marginal:RTn`, `unknown`, or none
    (inside a field is said by the course's `lesions`, outside by nothing)."""
    for co in c["courses"]:
        if lid in co["marginal"]:
            return ', field: "marginal:%s"' % co["id"]
    return ", field: unknown" if lid in c["unknown"] else ""


def gen_follow_up(dates, ts):
    """Death after the last scan (15 %) and a new anticancer therapy (15 %), or None."""
    death = new_therapy = None
    if R.random() < 0.15:
        death = max(dates[-1], ts) + dt.timedelta(days=R.choice([0, 1, 30, 90]))
    if R.random() < 0.15:  # a new anticancer therapy, on a scan's day or between scans
        new_therapy = max(R.choice(dates[1:]) + dt.timedelta(days=R.choice([0, 0, 5])), ts)
        if death and new_therapy > death:
            new_therapy = death
    return death, new_therapy


def gen_case(k):
    nt_n = R.choice([0, 0, 1, 2, 3])
    tg_n = R.choice([0, 1, 2, 3, 4]) if nt_n else R.choice([1, 2, 3, 4])
    targets, nodal_n = [], 0
    for i in range(tg_n):
        nodal = nodal_n < 2 and R.random() < 0.3
        nodal_n += nodal
        targets.append(("T%d" % i, "axilla node %d" % i if nodal else SITES[i], nodal))
    nts = [("NT%d" % i, "bone", R.random() < 0.4) for i in range(nt_n)]
    d = dt.date(2024, 1, 1)
    dates = [d]
    for _ in range(R.randint(1, 6)):
        d = d + dt.timedelta(days=R.choice([14, 21, 28, 30, 35, 41, 42, 43, 56, 60]))
        dates.append(d)
    ts = dates[0] + dt.timedelta(days=R.choice([0, 0, 0, 3, 7, 13]))
    if R.random() < 0.08:  # a rescan on or before treatment start
        ts = dates[1] + dt.timedelta(days=R.choice([0, 3]))
    courses, n_courses, unknown = gen_courses(dates, ts, [lid for lid, _, _ in targets + nts])
    base = {t: F(R.choice([15, 16, 20, 25, 30, 40]) if nodal else R.choice([10, 12, 15, 20, 25, 30, 50]))
            for t, _, nodal in targets}
    new_field = {}
    quiet = R.random() < 0.2

    def place(i):
        if i not in new_field:
            new_field[i] = R.choice(new_field_options(courses, n_courses))
        return new_field[i]

    visits, confirmed, seen_before = [], set(), []
    for vi, day in enumerate(dates):
        f = {}
        for tid, _, _ in targets:
            if vi == 0:
                f[tid] = ("m", base[tid])
                continue
            x = R.random()
            if quiet:  # slow drift around the baseline: sums near the PD thresholds (AMB-RT3 combined)
                b = base[tid]
                f[tid] = ("m", b + R.choice([-3, -2, -1, 0, 1, 2, 3, 3, 4, 5]))
                continue
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
                              b + F(499, 100), b * F(3, 2), b + 2, b + 3, b + 3, b + 4])
                f[tid] = ("m", F(round(v * 100), 100))
        for nid, _, _ in nts:
            f[nid] = ("present",) if vi == 0 or (quiet and R.random() < 0.9) else (R.choices(
                ["present", "absent", "progression", "not-evaluated", "omit"], [5, 4, 1, 1, 1])[0],)
        non_nodal = [t for t, _, nodal in targets if not nodal]
        if vi > 0 and len(non_nodal) >= 2 and R.random() < 0.15:
            a, b = R.sample(non_nodal, 2)
            if f[b][0] == "m":
                f[a] = ("merge", b)
        new = []
        if vi > 0:
            for x in seen_before:  # lesions seen before are often listed again (same id, same field)
                if R.random() < 0.6:
                    new.append(x if len(x) == 3 else x[:3] + (F(R.choice([8, 10, 12, 15])),))
            if R.random() < 0.06:
                i = "X%d" % vi
                new.append((i, False, place(i)))
            if R.random() < 0.05:
                i = "NN%d" % vi
                new.append((i, False, place(i), F(R.choice([8, F(999, 100), 10, 12]))))
            if R.random() < 0.12:
                i = "E%d" % R.randint(1, 2)
                eq = R.random() < 0.6 and i not in confirmed
                if not eq:
                    confirmed.add(i)
                new.append((i, eq, place(i)))
            seen_before += [x for x in new if x[0][0] in "XN" and x[0] not in {y[0] for y in seen_before}]
        visits.append((day, f, new))
    death, new_therapy = gen_follow_up(dates, ts)
    return dict(subject="F%d" % k, targets=targets, nts=nts, visits=visits, ts=ts,
                courses=courses, unknown=unknown, death=death, new_therapy=new_therapy)


def mm(v):
    return f"{float(v):.2f}".rstrip("0").rstrip(".")


def follow_up_and_courses(c, site):
    """The case text's `follow_up` (death, new therapy) and `radiotherapy` lines, the courses
    treating `site`."""
    lines = []
    fu = []
    if c["death"]:
        fu += [f"last_known_alive: {c['death']}", f"death: {c['death']}"]
    if c["new_therapy"]:
        fu.append(f"new_therapy: {c['new_therapy']}")
    if fu:
        lines.append(f"follow_up: {{{', '.join(fu)}}}")
    if c["courses"]:
        lines.append("radiotherapy:")
    for co in c["courses"]:
        end = f", end: {co['end']}" if co["end"] else ""
        lines.append(f"  - {{id: {co['id']}, site: {site}, start: {co['start']}{end}, total_dose_gy: 50, "
                     f"fractions: 5, lesions: [{', '.join(co['lesions'])}]}}")
    return lines


def to_yaml(c):
    lines = [f"subject: {c['subject']}", f"treatment_start: {c['ts']}"] + follow_up_and_courses(c, "chest")
    lines.append("lesions:")
    for tid, site, nodal in c["targets"]:
        lines.append(f"  - {{id: {tid}, site: {site}, role: target, nodal: {str(nodal).lower()}"
                     f"{lesion_field(c, tid)}}}")
    for nid, site, nodal in c["nts"]:
        lines.append(f"  - {{id: {nid}, site: {'hilar node' if nodal else site}, role: non-target, "
                     f"nodal: {str(nodal).lower()}{lesion_field(c, nid)}}}")
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
            fld = f", field: \"{x[2]}\"" if x[2] else ""
            if len(x) == 4:
                return f"{{id: {x[0]}, site: axilla, nodal: true, short_axis: {mm(x[3])}{fld}}}"
            return f"{{id: {x[0]}, site: lung, long_axis: 12{', equivocal: true' if x[1] else ''}{fld}}}"

        if new:
            text += "\n    new_lesions: [" + ", ".join(new_lesion(x) for x in new) + "]"
        lines.append(text)
    return "\n".join(lines) + "\n"


def r11_timepoints(c, tids, nids, new_of_scope):
    """RECIST 1.1 on the scope's lesions only (sections 1, 5, 7, 7.1), as r11-oracle.py does.

    Returns the per-follow-up timepoints, per scan the values counted for each target (for the
    abscopal response), the progression date and the first PD timepoint's date.
    """
    nodal = {t[0]: t[2] for t in c["targets"]}
    scope = set(tids)
    B = sum((c["visits"][0][1][t][1] for t in tids), F(0))
    N = B
    earlier_cr = False
    eq_since, counted, prog, first_pd, out, values = {}, set(), None, None, [], []
    d0 = c["ts"]

    def meets_pd(s):
        return s > N and s * 100 >= N * 120 and s - N >= 5

    for day, f, new in c["visits"][1:]:
        after_cr = earlier_cr
        T = S = None
        vals = {}
        # carriers holding the mass of a lesion of the other scope (DESIGN.md, merged_into)
        foreign = {v[1] for t, v in f.items() if v[0] == "merge" and t not in scope}
        if tids:
            known, missing, too_small = {}, [], set()
            for t in tids:
                v = f.get(t, ("omit",))
                if v[0] in ("ne", "omit"):
                    missing.append(t)
                elif v[0] == "merge" and v[1] not in scope:
                    missing.append(t)  # merged across the field edge: not evaluated here
                elif t in foreign:
                    missing.append(t)
                elif v[0] in ("absent", "merge"):
                    known[t] = F(0)
                elif v[0] == "tstm":
                    known[t] = F(5)
                    too_small.add(t)
                elif v[0] == "frag":
                    known[t] = v[1] + v[2]
                else:
                    known[t] = v[1]
            vals = {t: known[t] for t in known if f[t][0] != "merge"}
            again = after_cr and any(known[t] >= 10 if nodal[t] else (t in too_small or known[t] > 0)
                                     for t in known)
            if missing:
                if not known:
                    T = "NE"
                elif again or meets_pd(sum(known.values(), F(0))):
                    T = "PD"
                else:
                    T = "NE"
            else:
                S = sum(known.values(), F(0))
                if again or meets_pd(S):
                    T = "PD"
                elif all(known[t] < 10 if nodal[t] else (t not in too_small and known[t] == 0)
                         for t in tids):
                    T = "CR"
                elif 10 * S <= 7 * B:
                    T = "PR"
                else:
                    T = "SD"
        NT = None
        if nids:
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
            if not new_of_scope(x):
                continue
            if len(x) == 4:
                if x[3] >= 10:
                    NEW = "YES"
                continue
            i, eq = x[0], x[1]
            if eq and i not in counted:
                NEW = NEW if NEW == "YES" else "EQUIVOCAL"
                if i not in eq_since and (day - d0).days > 0:
                    eq_since[i] = day
            else:
                NEW = "YES"
                if i in eq_since and i not in counted:
                    back = eq_since[i] if back is None else min(back, eq_since[i])
                counted.add(i)
        if tids:
            if "PD" in (T, NT) or NEW == "YES":
                O = "PD"
            elif T == "CR":
                O = {"CR": "CR", None: "CR", "NON-CR/NON-PD": "PR", "NE": "PR"}[NT]
            else:
                O = T if T in ("PR", "SD") else "NE"
        elif nids:
            O = "PD" if NT == "PD" or NEW == "YES" else NT
        else:  # a scope without baseline lesions, watched for new lesions only
            O = "PD" if NEW == "YES" else "NE"
        out.append(dict(date=str(day), day=(day - d0).days, target=T,
                        non_target=NT, new_lesions=NEW, overall=O, sum=S,
                        nadir=N if tids else None))
        values.append((day, vals))
        if O == "PD" and prog is None and (day - d0).days > 0:
            prog = min(back, day) if back else day
            first_pd = day
        elif back and prog is not None and back < prog:
            prog = back
        if S is not None and S < N:
            N = S
        if O == "CR":
            earlier_cr = True
    return out, values, prog, first_pd


def scope_model(c, tids, nids, new_of_scope, timepoints=r11_timepoints):
    """A scope's timepoints (RECIST 1.1 by default; `timepoints` is the per-scan model), with
    best, confirmed best, progression date, last evaluable follow-up date and, per target, the
    values counted at each scan (for the abscopal response).
    """
    out, values, prog, first_pd = timepoints(c, tids, nids, new_of_scope)
    d0 = c["ts"]
    window = []
    for tp in out:
        if tp["day"] <= 0:  # follow-up starts with treatment (DESIGN.md, best response window)
            continue
        if c["new_therapy"] and tp["date"] > str(c["new_therapy"]):  # best_response.stop_at
            break
        window.append(tp)
        if tp["overall"] == "PD":
            break
    stable = "SD" if tids else "NON-CR/NON-PD"
    best = "NE"
    for tp in window:
        r = tp["overall"]
        if r in ("SD", "NON-CR/NON-PD") and tp["day"] < SD_MIN:
            r = "NE"
        best = r if RANK[r] > RANK[best] else best

    def confirmed_by(i, accept):
        ne = 0
        for tp in window[i + 1:]:
            r = tp["overall"]
            if r in accept and tp["day"] - window[i]["day"] >= MIN_INT:
                return tp["date"]
            if r == "NE":
                ne += 1
            elif r not in accept:
                return False
            if ne > MAX_NE:
                return False
        return False

    confirmed = "NE"
    dates = dict(first_response=None, confirmed_response=None, confirmation=None)
    for i, tp in enumerate(window):
        r, v = tp["overall"], None
        if r in ("CR", "PR") and dates["first_response"] is None:
            dates["first_response"] = tp["date"]
        if r == "CR":
            v = "CR" if confirmed_by(i, ["CR"]) else "PR" if confirmed_by(i, ["CR", "PR"]) else None
        elif r == "PR":
            v = "PR" if confirmed_by(i, ["CR", "PR"]) else None
        if v and dates["confirmed_response"] is None:
            dates["confirmed_response"] = tp["date"]
            dates["confirmation"] = confirmed_by(i, [v] if v == "CR" else ["CR", "PR"])
        if v is None:
            if r in ("CR", "PR", "SD", "NON-CR/NON-PD"):
                v = stable if tp["day"] >= SD_MIN else "NE"
            else:
                v = r
        confirmed = v if RANK[v] > RANK[confirmed] else confirmed
    evaluable = [tp["date"] for tp in out if tp["overall"] != "NE" and tp["day"] > 0]
    return dict(out=out, best=best, confirmed=confirmed, prog=str(prog) if prog else None,
                first_pd=str(first_pd) if first_pd else None,
                evaluable=evaluable, values=values, response_dates=dates)


def endpoint(event_date, evaluable, c):
    """{event, date, days}: censored at the last evaluable follow-up, else at day 0; under
    endpoints.new_therapy: censor, an event after a new therapy is censored at the last
    evaluable follow-up on or before it."""
    d0 = c["ts"]
    nt = str(c["new_therapy"]) if c["new_therapy"] and OPT["nt_censor"] else None
    if event_date and not (nt and event_date > nt):
        return dict(event=True, date=event_date, days=(dt.date.fromisoformat(event_date) - d0).days)
    cd = max([d for d in evaluable if not nt or d <= nt], default=str(d0))
    return dict(event=False, date=cd, days=(dt.date.fromisoformat(cd) - d0).days)


def duration_of_response(m, c):
    """From the first confirmed CR/PR (confirmation.required) to progression (death does not
    end it), else censored at the last evaluable follow-up; `duration_days` from the response."""
    start = m["response_dates"]["confirmed_response"]
    if start is None:
        return None
    # a progression dated back (R11-NEW-EQUIV) before the response ends it on the response's
    # own date: duration 0, never negative (the engine's reading; the contract is silent)
    e = endpoint(max(m["prog"], start) if m["prog"] else None, m["evaluable"], c)
    e["duration_days"] = (dt.date.fromisoformat(e["date"]) - dt.date.fromisoformat(start)).days
    return e


def field_scopes(c, field_of=lambda x: x[2]):
    """The field scopes' lesions: {"in-field": (targets, non-targets, new_of_scope), "out-of-field":
    (...)}, with `new_of_scope(x)` whether a new lesion counts in the scope (`field_of(x)` is its
    `field`), and what the warnings need (the late courses, the baseline lesions of unknown
    field status, whether marginal lesions count in-field, and the in-field new-lesion test)."""
    follow = [day for day, _, _ in c["visits"][1:]]
    late = {co["id"] for co in c["courses"] if any(d < co["start"] for d in follow)}
    # radiotherapy.late_courses: no-field makes no field of a course starting after a follow-up
    fields = [co for co in c["courses"] if OPT["late"] == "field-from-baseline" or co["id"] not in late]
    field_ids = {co["id"] for co in fields}
    marginal_in = OPT["marginal"] == "in-field"
    # AMB-RT1: a baseline lesion at a field's margin goes where the parameter says
    inside = {lid for co in fields for lid in co["lesions"] + (co["marginal"] if marginal_in else [])}
    # section 6: a lesion of unknown field status is in neither field scope
    unknown = set(c.get("unknown", []))

    def in_field_new(x):
        """AMB-RT1 (radiotherapy.marginal_lesions) and AMB-RT2 (one scope per new lesion)."""
        fld = field_of(x)
        if not fld or fld in ("none", "unknown"):
            return False
        if fld.startswith("marginal:"):
            return OPT["marginal"] == "in-field" and fld[len("marginal:"):] in field_ids
        return fld in field_ids

    tids = [t[0] for t in c["targets"]]
    nids = [n[0] for n in c["nts"]]
    parts = {
        "in-field": ([t for t in tids if t in inside], [n for n in nids if n in inside], in_field_new),
        "out-of-field": ([t for t in tids if t not in inside | unknown],
                         [n for n in nids if n not in inside | unknown],
                         lambda x: not in_field_new(x) and field_of(x) != "unknown"),
    }
    return parts, dict(late=late, unknown=unknown, marginal_in=marginal_in, in_field_new=in_field_new)


def model(c, timepoints=r11_timepoints, field_of=lambda x: x[2], baseline=None):
    """Every scope's expectations, keyed by scope name.

    `timepoints` is the per-scan model of a scope (RECIST 1.1 by default), `field_of` a new
    lesion's `field` and `baseline(t)` a target's baseline value for the abscopal response.
    """
    if baseline is None:
        baseline = lambda t: c["visits"][0][1][t][1]  # noqa: E731
    follow = [day for day, _, _ in c["visits"][1:]]
    tids = [t[0] for t in c["targets"]]
    nids = [n[0] for n in c["nts"]]
    res = {"all": scope_model(c, tids, nids, lambda x: True, timepoints)}
    death = str(c["death"]) if c["death"] else None
    if not c["courses"]:  # scopes exist only with radiotherapy
        res["all"]["warn"] = []
        res["all"]["pfs"] = endpoint(res["all"]["prog"] or death, res["all"]["evaluable"], c)
        res["all"]["dor"] = duration_of_response(res["all"], c)
        res["all"]["site"] = None
        return res
    parts, f = field_scopes(c, field_of)
    late, unknown, marginal_in, in_field_new = f["late"], f["unknown"], f["marginal_in"], f["in_field_new"]
    watched = {}
    for name, (ts_, ns_, pred) in parts.items():
        m = scope_model(c, ts_, ns_, pred, timepoints)
        if ts_ or ns_:
            res[name] = m
        watched[name] = m
    # late courses (radiotherapy.late_courses: field-from-baseline): every result warns, naming
    # the course, and each new lesion placed in its field before it starts
    early = {lid for co in c["courses"] if not any(d < co["start"] for d in follow) for lid in co["lesions"]}
    warn = []
    for co in c["courses"]:
        if co["id"] in late and OPT["late"] == "no-field":
            warn.append(("course", co["id"], []))  # it makes no field: always said
        elif co["id"] in late:
            # a lesion is named by the earliest-starting course that holds it
            own = [x for x in co["lesions"] + (co["marginal"] if marginal_in else []) if x not in early and not any(
                x in o["lesions"] and o["start"] < co["start"] for o in c["courses"])]
            if own:  # a late course holding no lesion of its own moves nothing: no warning
                warn.append(("course", co["id"], own))
            for day, _, new in c["visits"][1:]:
                for x in new:
                    if field_of(x) in (co["id"], "marginal:" + co["id"]) and in_field_new(x) and day < co["start"]:
                        warn.append(("new", x[0], co["id"]))
    marginal = [x for co in c["courses"] for x in co["marginal"]]
    if marginal:  # every result says where the baseline lesions at a margin count
        warn.append(("marginal", marginal))
    unknown_named = sorted(unknown) + sorted({x[0] for _, _, new in c["visits"][1:] for x in new
                                              if field_of(x) == "unknown"})
    if unknown_named:  # and names the lesions of unknown field status
        warn.append(("unknown", unknown_named))
    death = str(c["death"]) if c["death"] else None
    for name, m in res.items():
        m["warn"] = list(warn)
        m["pfs"] = endpoint(m["prog"] or death, m["evaluable"], c)
        m["dor"] = duration_of_response(m, c)
    a = res["all"]
    # AMB-RT3 (section 7.1): at the all scope's first PD timepoint, a scope counts when its own
    # first PD timepoint is at or before it (timepoints, not the dates moved back)
    site = None
    if a["first_pd"]:
        def by(name):
            fp = watched[name]["first_pd"]
            return fp is not None and fp <= a["first_pd"]
        inn, outn = by("in-field"), by("out-of-field")
        site = "both" if inn and outn else "in-field" if inn else "out-of-field" if outn else "combined"
    a["site"] = site
    for name, key in (("in-field", "in_field_relapse_free_survival"),
                      ("out-of-field", "out_of_field_relapse_free_survival")):
        m = watched[name]
        cens = m["evaluable"] if name in res else a["evaluable"]
        a[key] = endpoint(m["prog"], cens, c)
    # RT-ABS-2 on the out-of-field scope with targets
    if "out-of-field" in res and parts["out-of-field"][0]:
        ends = [co["end"] for co in c["courses"] if co["end"]]
        cut = max(ends) if len(ends) == len(c["courses"]) else None
        lesions, evaluable = [], False
        for t in parts["out-of-field"][0]:
            if any(t in co["lesions"] or t in co["marginal"] for co in c["courses"]):
                continue  # irradiated (by a course that makes no field, or at a margin): no abscopal lesion
            seen = [v[t] for day, v in res["out-of-field"]["values"] if t in v and (cut is None or day > cut)
                    and not (c["new_therapy"] and day > c["new_therapy"])]
            b = baseline(t)
            small = min(seen) if seen else None
            evaluable = evaluable or bool(seen)
            lesions.append(dict(id=t, baseline_mm=float(b),
                                smallest_mm=None if small is None else float(small),
                                responded=small is not None and small * 100 <= b * (100 - OPT["abs_pct"])))
        if cut is None and lesions:
            res["out-of-field"]["warn"].append(("no-end",))
        res["out-of-field"]["abscopal"] = dict(any=any(x["responded"] for x in lesions) if lesions else None,
                                               evaluable=evaluable if lesions else None, lesions=lesions)
    return res


def compare(m, r):
    diffs = oracle_run.timepoint_diffs(m["out"], r["timepoints"])
    if len(m["out"]) + 1 != len(r["timepoints"]):
        diffs.append(("timepoints", len(m["out"]) + 1, len(r["timepoints"])))
    for k, want in (("best_overall_response", m["best"]),
                    ("confirmed_best_overall_response", m["confirmed"])):
        if want != r[k]:
            diffs.append((k, want, r[k]))
    for k, want in (("date", m["prog"]), ("first_pd_assessment", m["first_pd"])):
        if want != (r.get("progression") or {}).get(k):
            diffs.append(("progression " + k, want, (r.get("progression") or {}).get(k)))
    ep = r.get("endpoints") or {}
    if m["response_dates"] != r.get("response_dates"):
        diffs.append(("response_dates", m["response_dates"], r.get("response_dates")))
    if m["dor"] != ep.get("duration_of_response"):
        diffs.append(("duration_of_response", m["dor"], ep.get("duration_of_response")))
    if m["pfs"] != ep.get("progression_free_survival"):
        diffs.append(("pfs", m["pfs"], ep.get("progression_free_survival")))
    if "site" in m and m["site"] != (r.get("progression") or {}).get("site"):
        diffs.append(("site", m["site"], (r.get("progression") or {}).get("site")))
    for k in ("in_field_relapse_free_survival", "out_of_field_relapse_free_survival"):
        if k in m and m[k] != ep.get(k):
            diffs.append((k, m[k], ep.get(k)))
    if "abscopal" in m:
        a = r.get("abscopal") or {}
        got = dict(any=a.get("any"), evaluable=a.get("evaluable"),
                   lesions=[dict(id=x["id"], baseline_mm=x["baseline_mm"], smallest_mm=x.get("smallest_mm"),
                                 responded=x["responded"]) for x in a.get("lesions", [])])
        if m["abscopal"] != got:
            diffs.append(("abscopal", m["abscopal"], got))
    ws = r.get("warnings") or []
    for w in m["warn"]:
        if w[0] == "course":
            ok = any(f"`{w[1]}`" in x and "after the assessment" in x and all(f"`{i}`" in x for i in w[2])
                     for x in ws)
        elif w[0] == "new":
            ok = any(f"`{w[1]}`" in x and f"`{w[2]}`" in x for x in ws)
        elif w[0] == "marginal":
            ok = any("at a field's margin" in x and f"count {OPT['marginal']}" in x
                     and all(f"`{i}`" in x for i in w[1]) for x in ws)
        elif w[0] == "unknown":
            ok = any("field status unknown" in x and all(f"`{i}`" in x for i in w[1]) for x in ws)
        else:
            ok = any("no radiotherapy end date" in x for x in ws)
        if not ok:
            diffs.append(("warning missing", w, ws))
    late = {w[1] for w in m["warn"] if w[0] == "course"}
    for x in ws:
        if "after the assessment" in x and not any(f"course `{i}`" in x for i in late):
            diffs.append(("warning unexpected", x))
        if "no radiotherapy end date" in x and ("no-end",) not in m["warn"]:
            diffs.append(("warning unexpected", x))
        for kind, text in (("marginal", "at a field's margin"), ("unknown", "field status unknown")):
            if text in x and not any(w[0] == kind for w in m["warn"]):
                diffs.append(("warning unexpected", x))
    return diffs


def main():
    for kv in SETS:
        k, v = kv.split("=", 1)
        if k == "radiotherapy.marginal_lesions":
            OPT["marginal"] = v
        elif k == "radiotherapy.late_courses":
            OPT["late"] = v
        elif k == "endpoints.new_therapy":
            OPT["nt_censor"] = v == "censor"
        elif k == "radiotherapy.abscopal_shrink_pct":
            OPT["abs_pct"] = F(v)
        else:
            sys.exit(f"the model does not read {k}")
    cases = [gen_case(k) for k in range(COUNT)]
    results, res = oracle_run.assess(RECIST, [to_yaml(c) for c in cases], ["recist-1.1"], SETS)
    got = oracle_run.by_subject_and_scope(results)
    oracle_run.report(((c["subject"], differences(model(c), got[c["subject"]]), to_yaml(c))
                       for c in cases if c["subject"] in got), COUNT, res)


def differences(exp, rs):
    """Every difference between the model's and the engine's results, scope by scope."""
    diffs = []
    if set(exp) != set(rs):
        diffs.append(("scopes", sorted(exp), sorted(rs)))
    for scope in sorted(set(exp) & set(rs)):
        diffs += [(scope,) + d for d in compare(exp[scope], rs[scope])]
    return diffs


if __name__ == "__main__":
    main()
