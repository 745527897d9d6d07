#!/usr/bin/env python3
"""The radiotherapy-field scopes under iRECIST: the iRECIST model of scripts/irecist-oracle.py
(iUPD, confirmation window, iCPD by category, reset, NLT/NLNT, disease after an iCR, iBOR) run
on each scope's lesions as the field model of scripts/fields-oracle.py divides them (RT-*,
AMB-RT1/AMB-RT2, section 6 field status, `radiotherapy.late_courses`), against `recist assess
--rules irecist`. Both models are imported, not copied; neither was written from the engine.

Subjects are the iRECIST oracle's (targets T1 lung and T2 liver or none, non-targets NT1 bone
and NT2 pleura, spells of complete response, new lesions in lung, brain, skin or neck nodes,
some equivocal first, `increased` or `progression`), given the field oracle's radiotherapy
courses (one in twenty none) over their baseline lesions (some at a field's margin, some of
unknown field status) and a field for each new lesion where it first appears (`RT1`, `RT2`,
`marginal:RT1`, `marginal:RT2`, `none`, `unknown` or no `field`).

For each scope (`all`, and with radiotherapy `in-field` and `out-of-field` when the scope has
a baseline lesion) it runs the iRECIST model on the scope's targets and non-targets only (the
baseline sum and the nadir are theirs) with only the new lesions of that scope, and compares
per follow-up the overall response; per scope the progression date, the confirming scan,
the best overall response and the progression-free survival; and which scopes have a result.

Readings, beyond those the two models name (each the engine's too, by DESIGN.md "iRECIST as a
third rule set" and "Radiotherapy fields"):
- each scope runs its own iRECIST state: its own iUPD, confirmation, reset and iCPD, so a
  progression confirmed in `all` only by combining in-field and out-of-field categories is
  confirmed in neither field scope;
- a scope's new-lesion targets (IR-CPD-NEW: 5 in all, 2 per organ) are chosen among that
  scope's counted new lesions in order of appearance, as if they were the subject's only new
  lesions (the scope is adjudicated as the whole disease), so a new lesion may be an NLT in
  its field scope and an NLNT in `all`; "an additional new lesion" is one of the scope;
- disease after an iCR (AMB-01) follows the scope's own iCR (and, for a scope without
  targets, its own CR of the non-targets), not the subject's;
- a lesion of unknown field status (baseline or new) counts in `all` only; a marginal one
  where `radiotherapy.marginal_lesions` puts it (the field model's readings).
- a scope without baseline lesions has no result and is watched for its new lesions: at a
  scan that evaluated the subject's baseline disease (the `all` model's target and non-target
  responses not NE) it is seen clear apart from them (an iUPD may reset; a clear scan with no
  counted new lesion listed is its CR, for AMB-01), at one that did not it is NE (IR-REMAIN)
  (DESIGN.md, iRECIST "Radiotherapy scopes").
On the `all` result it also compares the progression site (AMB-RT3: a field scope counts when
its confirming scan is at or before the `all` one's) and both relapse-free survivals whole
(`event`, `date`, `days`; DESIGN.md "Relapse-free survival"): an event at the scope's
progression (its iCPD, dated to the iUPD of the confirmed block, IR-CPD-DATE; an iUPD never
confirmed is no event), else censored at the scope's last follow-up whose overall response is
not NE (an iUPD or iCPD scan is evaluable), for a scope without baseline lesions the `all`
scope's, or at day 0 when there is none; death is no relapse. On every result it compares the
progression-free survival whole: the scope's progression or the death, whichever is first,
else censored as above. One subject in seven dies on or after the last scan (drawn from a
stream of its own, so a seed's subjects are otherwise the same). About one in six starts a new
anticancer therapy (the iRECIST oracle's draw, from its own stream; moved to the death's day
where it would be after it, which is refused): each scope's iRECIST model applies IR-CLIN
and the best response's window to it, and PFS and both relapse-free survivals follow
`endpoints.new_therapy` (`count`: an event after the therapy stays; `censor`: it is censored
at the last evaluable scan on or before the therapy, as is the censoring date without an
event; the field model's `endpoint`, DESIGN.md "Endpoints" and "Relapse-free survival is
censored like PFS"). The new-therapy paths taken are counted and printed.

Usage: scripts/fields-irecist-oracle.py [SEED [COUNT [KEY=VALUE...]]]
  KEY=VALUE are overrides: radiotherapy.marginal_lesions, radiotherapy.late_courses,
  endpoints.new_therapy (the field model reads them; `--set`), and irecist.cpd_increase,
  irecist.early_scan_confirms, irecist.late_scan_confirms, irecist.reset_with_new_lesions,
  irecist.reset_without_target_sum, irecist.nlt_reference, irecist.cpd_reference,
  irecist.confirm_after_new_therapy and new_lesions.node_without_short_axis (the iRECIST
  model reads them; given to the engine as that oracle does).
The engine binary is $RECIST (default target/debug/recist). Prints the first mismatches with
their case; exit 1 if any.
"""

import datetime as dt
import json
import os
import random
import sys

import oracle_run
from oracle_run import load

fields = load("fields_oracle", "fields-oracle.py")
irecist = load("irecist_oracle", "irecist-oracle.py")

SEED, COUNT, SETS, RECIST = oracle_run.arguments()
R = random.Random(SEED)
# the two generators draw from one stream
fields.R = irecist.R = R
# deaths draw from a stream of their own, so that the subjects of a seed stay as they were
DEATHS = random.Random(-SEED)


def field_of(x):
    """A new lesion's `field` (None: no `field` key, outside)."""
    return x.get("field")


def gen_case(k):
    """An iRECIST oracle subject with radiotherapy courses and new lesions placed in fields.
    Returns the case and its view for the field model (lesions as (id, site, nodal), visits as
    (date, _, _), the courses and the baseline lesions of unknown field status)."""
    c = irecist.gen_case(k)
    c["subject"] = "FI%d" % k
    dates = [dt.date.fromisoformat(a["date"]) for a in c["assessments"]]
    ts = dt.date.fromisoformat(c["treatment_start"])
    ids = [L["id"] for L in c["lesions"]]
    courses, n_courses, unknown = fields.gen_courses(dates, ts, ids)
    opts = fields.new_field_options(courses, n_courses)
    placed = {}
    for a in c["assessments"][1:]:
        for x in a.get("new_lesions", []):  # a new lesion's field is set where it first appears
            if x["id"] not in placed:
                placed[x["id"]] = R.choice(opts)
            if placed[x["id"]] is not None:
                x["field"] = placed[x["id"]]
    if courses:
        c["radiotherapy"] = [dict(id=co["id"], site="chest", start=str(co["start"]),
                                  **({"end": str(co["end"])} if co["end"] else {}),
                                  total_dose_gy=50, fractions=5, lesions=co["lesions"])
                             for co in courses]
    death = None
    fu = c.pop("follow_up", {})  # the iRECIST oracle's new therapy, if any
    nt = dt.date.fromisoformat(fu["new_therapy"]) if fu.get("new_therapy") else None
    if DEATHS.random() < 0.15:  # some subjects die on or after their last scan
        death = dates[-1] + dt.timedelta(days=DEATHS.choice([0, 1, 30, 90]))
        fu.update(last_known_alive=str(death), death=str(death))
        if nt is not None and nt > death:  # a new therapy after the death is refused
            nt = death
            fu["new_therapy"] = str(nt)
    if fu:
        c["follow_up"] = fu
    view = dict(targets=[(L["id"], L["site"], False) for L in c["lesions"] if L["role"] == "target"],
                nts=[(L["id"], L["site"], False) for L in c["lesions"] if L["role"] == "non-target"],
                visits=[(d, None, None) for d in dates], courses=courses, unknown=unknown,
                ts=ts, new_therapy=nt, death=death)  # day 0 and the new therapy (the endpoints' model)
    return c, view


def to_text(c, view):
    """The case as one line of YAML flow (JSON, with each baseline lesion's `field` where it is
    at a margin or unknown, section 6, as the field oracle writes it)."""
    lesions = ", ".join(json.dumps(L)[:-1] + fields.lesion_field(view, L["id"]) + "}" for L in c["lesions"])
    return json.dumps(dict(c, lesions="@LESIONS@")).replace('"@LESIONS@"', "[" + lesions + "]") + "\n"


def evaluable(c, out):
    """The follow-up dates (ISO text) whose overall response is not NE: an iUPD or iCPD scan
    is evaluable (DESIGN.md, endpoints: "the last evaluable assessment (overall not NE)"; an
    iUPD never confirmed is "PFS censored as usual"), and only scans after day 0 count."""
    day0 = dt.date.fromisoformat(c["treatment_start"])
    return [a["date"] for a, o in zip(c["assessments"][1:], out)
            if o != "NE" and dt.date.fromisoformat(a["date"]) > day0]


def with_pfs(c, view, m):
    """An iRECIST model's (overall responses, progression, best) with the scope's PFS added
    (DESIGN.md "Endpoints"; on a field scope's result, "the scope's PFS (progression of its
    lesions, or death)"): an event at the progression (dated to the iUPD of the confirmed
    block) or the death, whichever is first, else censored at the scope's last evaluable scan
    (an iUPD never confirmed: "PFS censored as usual"), or at day 0 when there is none."""
    out, prog, _ = m
    events = [str(d) for d in (prog[0] if prog else None, view["death"]) if d]
    return m + (endpoint(min(events, default=None), evaluable(c, out), view, "PFS"),)


def endpoint(event, cens, view, what):
    """The field model's endpoint ({event, date, days}; `endpoints.new_therapy` censors an event
    after the new therapy at the last evaluable scan on or before it), counting for the path
    counts the events after a new therapy."""
    if view["new_therapy"] and event and event > str(view["new_therapy"]):
        irecist.STATS["%s event after the therapy (%s)" % (what, "censored" if fields.OPT["nt_censor"] else "counted")] += 1
    return fields.endpoint(event, cens, view)


def model(c, view):
    """Every scope's expectations: (overall responses, (progression date, confirming scan) or
    None, best overall response, PFS), keyed by scope name; with radiotherapy, under "fields" the
    `all` result's progression site and relapse-free survivals ({event, date, days})."""
    unevaluated = {}
    exp = {"all": with_pfs(c, view, irecist.model(c, record=unevaluated))}
    if not view["courses"]:  # scopes exist only with radiotherapy
        return exp
    parts, _ = fields.field_scopes(view, field_of)
    progression, cens = {}, {}
    for name, (tids, nids, new_of_scope) in parts.items():
        if tids or nids:  # a field scope without baseline lesions has no result
            exp[name] = with_pfs(c, view, irecist.model(c, tuple(tids), tuple(nids), new_of_scope))
            progression[name] = exp[name][1]
            cens[name] = evaluable(c, exp[name][0])  # censored at the scope's last evaluable scan
        else:
            # censored at the subject's last evaluable scan: every scan is watched for the
            # scope's new lesions (DESIGN.md "Relapse-free survival")
            cens[name] = evaluable(c, exp["all"][0])
            # Watched for its new lesions only: nothing else to see where the scan evaluated
            # the subject's baseline disease, not evaluable where it did not (DESIGN.md).
            progression[name] = irecist.model(
                c, (), (), new_of_scope,
                base_of=lambda d, b: "NE" if unevaluated.get(d) else "CR")[1]
    site = None
    if exp["all"][1]:  # AMB-RT3: a scope counts when its first PD timepoint is at or before the all one's
        first = exp["all"][1][1]
        inn, out = (progression[n] is not None and progression[n][1] <= first
                    for n in ("in-field", "out-of-field"))
        site = "both" if inn and out else "in-field" if inn else "out-of-field" if out else "combined"
    # DESIGN.md "Relapse-free survival": event at the scope's progression (its iCPD, dated to
    # the iUPD of the confirmed block, IR-CPD-DATE; an iUPD never confirmed is none); death is
    # no relapse; otherwise censored as PFS is, at day 0 when no evaluable scan is later
    rfs = {n: endpoint(str(progression[n][0]) if progression[n] else None, cens[n], view, "RFS")
           for n in ("in-field", "out-of-field")}
    exp["fields"] = (site, rfs)
    return exp


def engine(r):
    """The same four things from an engine result."""
    gp = r.get("progression")
    prog = (dt.date.fromisoformat(gp["date"]), dt.date.fromisoformat(gp["first_pd_assessment"])) if gp else None
    pfs = (r.get("endpoints") or {}).get("progression_free_survival")
    return [t["overall"] for t in r["timepoints"][1:]], prog, r["best_overall_response"], pfs


def differences(exp, rs):
    """Every difference between the model's and the engine's results, scope by scope."""
    diffs = []
    fields_exp = exp.pop("fields", None)
    if set(exp) != set(rs):
        diffs.append(("scopes", sorted(exp), sorted(rs)))
    if fields_exp and "all" in rs:
        a = rs["all"]
        site = (a.get("progression") or {}).get("site")
        if fields_exp[0] != site:
            diffs.append(("all", "progression site", fields_exp[0], site))
        ep = a.get("endpoints") or {}
        for name, key in (("in-field", "in_field_relapse_free_survival"),
                          ("out-of-field", "out_of_field_relapse_free_survival")):
            if fields_exp[1][name] != ep.get(key):
                diffs.append(("all", key, fields_exp[1][name], ep.get(key)))
    for scope in sorted(set(exp) & set(rs)):
        for what, want, got in zip(("overall", "progression", "best", "pfs"), exp[scope], engine(rs[scope])):
            if want != got:
                diffs.append((scope, what, want, got))
    return diffs


def main():
    ir_sets, rt_sets = [], []
    for kv in SETS:
        k, v = kv.split("=", 1)
        if k == "radiotherapy.marginal_lesions":
            fields.OPT["marginal"] = v
            rt_sets.append(kv)
        elif k == "radiotherapy.late_courses":
            fields.OPT["late"] = v
            rt_sets.append(kv)
        elif k == "endpoints.new_therapy":
            fields.OPT["nt_censor"] = v == "censor"
            rt_sets.append(kv)
        elif k in irecist.OPT:
            ir_sets.append(kv)
        else:
            sys.exit(f"the model does not read {k}")
    irecist.set_options(ir_sets)
    rules, args = irecist.engine_rules(ir_sets)
    cases = [gen_case(k) for k in range(COUNT)]
    results, res = oracle_run.assess(RECIST, [to_text(c, v) for c, v in cases], [rules], args[1::2] + rt_sets)
    os.unlink(rules)
    got = oracle_run.by_subject_and_scope(results)
    rows = [(c["subject"], differences(model(c, view), got[c["subject"]]), to_text(c, view))
            for c, view in cases if c["subject"] in got]
    print("new-therapy paths (model runs: each scope of a subject counts):", dict(sorted(irecist.STATS.items())))
    oracle_run.report(rows, COUNT, res)


if __name__ == "__main__":
    main()
