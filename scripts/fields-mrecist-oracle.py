#!/usr/bin/env python3
"""The radiotherapy-field scopes under mRECIST: the mRECIST model of scripts/mrecist-oracle.py
(per-scan responses on viable diameters, MR-TGT-ELIG / MR-PHNODE demotion, MR-NT enhancement,
MR-NEW-TYPICAL / ATYPICAL, MR-EFFUSION) run on each scope's lesions by the field model of
scripts/fields-oracle.py (RT-*, AMB-RT1/AMB-RT2/AMB-RT3, best and confirmed best response,
response dates, progression, PFS, duration of response, progression site, relapse-free
survivals, abscopal response, late-course and no-end-date warnings), against `recist assess
--rules mrecist`. Both models are imported, not copied; neither was written from the engine.

Subjects are the mRECIST oracle's (liver HCC targets, extrahepatic and porta hepatis nodes,
demoted targets, thrombus, ascites, new typical / atypical nodules, nodes and effusions), given
the field oracle's radiotherapy courses (one in twenty none) over their baseline lesions, a
field for each new lesion where it first appears (`RT1`, `RT2`, `marginal:RT1`, `none` or no
`field`), and the field oracle's deaths and new anticancer therapies.

Readings, beyond those the two models name (each the engine's too):
- a target the rule set demotes (MR-TGT-ELIG, MR-PHNODE) is followed as a non-target in the
  scope its baseline lesion belongs to (DESIGN.md "Radiotherapy fields": membership is the
  courses' lesion lists), and is no abscopal lesion (RT-ABS-2 is about targets);
- a scope's baseline sum, nadir and PR/PD thresholds are its own kept targets' counted
  (viable, MR-MEAS) diameters; the abscopal response compares each out-of-field kept target's
  counted diameter (viable for a typical liver HCC) with its counted baseline one;
- a target merged into a lesion outside its scope's kept targets is not evaluated there, and a
  lesion holding the mass of a lesion outside its scope is not evaluated in it, a demoted
  target followed as a non-target too (DESIGN.md, `merged_into`: "in a field scope a carrier
  that holds the mass of a lesion of the other scope is not evaluated either").

A demoted target that carries the mass of a target of the other scope was read by the engine
by its own finding (out-of-field non-target CR from `viable: 0`, no warning) until this model
found it; it is now not evaluated there, with a warning.

Usage: scripts/fields-mrecist-oracle.py [SEED [COUNT [KEY=VALUE...]]]
  KEY=VALUE are `--set` overrides: radiotherapy.marginal_lesions, radiotherapy.late_courses,
  radiotherapy.abscopal_shrink_pct, endpoints.new_therapy (the field model reads them),
  target_response.pd_min_increase_mm, target_response.nadir_from,
  non_target_response.viability_unstated (the mRECIST model reads them).
The engine binary is $RECIST (default target/debug/recist). Prints the first mismatches with
their case; exit 1 if any.
"""

import random
import sys

import oracle_run
from oracle_run import load

fields = load("fields_oracle", "fields-oracle.py")
mrecist = load("mrecist_oracle", "mrecist-oracle.py")

SEED, COUNT, SETS, RECIST = oracle_run.arguments()
R = random.Random(SEED)
# the two generators draw from one stream
fields.R = mrecist.R = R


def gen_case(k):
    """An mRECIST oracle subject with radiotherapy courses, new lesions placed in fields and the
    field oracle's death and new therapy; `targets` and `nts` are the kept targets and the
    lesions followed as non-targets, as the field model reads them."""
    c = mrecist.gen_case(k)
    c["subject"] = "FM%d" % k
    dates = [day for day, _, _ in c["visits"]]
    ids = [L["id"] for L in c["lesions"]]
    c["courses"], n_courses, c["unknown"] = fields.gen_courses(dates, c["ts"], ids)
    opts = fields.new_field_options(c["courses"], n_courses)
    placed = {}
    for _, _, new in c["visits"]:
        for nid, n in new:  # a new lesion's field is set where it first appears
            if nid not in placed:
                placed[nid] = R.choice(opts)
            n["field"] = placed[nid]
    c["death"], c["new_therapy"] = fields.gen_follow_up(dates, c["ts"])
    tids, nids = mrecist.kept(c)
    les = {L["id"]: L for L in c["lesions"]}
    c["targets"] = [(t, les[t]["site"], les[t]["nodal"]) for t in tids]
    c["nts"] = [(n, les[n]["site"], les[n]["nodal"]) for n in nids]
    return c


def to_yaml(c):
    """The mRECIST oracle's case text with the follow-up and the radiotherapy courses."""
    text = mrecist.to_yaml(c)
    head, rest = text.split("lesions:\n", 1)
    lesion_lines, assessments = rest.split("assessments:\n", 1)
    # each baseline lesion's `field` where it is at a margin or unknown (section 6)
    lesion_lines = "".join(
        line[:-2] + fields.lesion_field(c, line.split("id: ", 1)[1].split(",", 1)[0]) + "}\n"
        if line.startswith("  - {id: ") and line.endswith("}\n") else line
        for line in lesion_lines.splitlines(keepends=True))
    rest = lesion_lines + "assessments:\n" + assessments
    head += "".join(line + "\n" for line in fields.follow_up_and_courses(c, "liver"))
    return head + "lesions:\n" + rest


def model(c):
    """Every scope's expectations: the field model with mRECIST timepoints on each scope."""
    v0 = c["visits"][0][1]
    return fields.model(c, timepoints=mrecist.timepoints, field_of=lambda x: x[1].get("field"),
                        baseline=lambda t: mrecist.counted_value(c, t, v0[t]))


def main():
    for kv in SETS:
        k, v = kv.split("=", 1)
        if k == "radiotherapy.marginal_lesions":
            fields.OPT["marginal"] = v
        elif k == "radiotherapy.late_courses":
            fields.OPT["late"] = v
        elif k == "endpoints.new_therapy":
            fields.OPT["nt_censor"] = v == "censor"
        elif k == "radiotherapy.abscopal_shrink_pct":
            fields.OPT["abs_pct"] = fields.F(v)
        elif k == "target_response.pd_min_increase_mm":
            mrecist.OPT["pd_min_mm"] = None if v == "null" else fields.F(v)
        elif k == "target_response.nadir_from":
            mrecist.OPT["on_treatment"] = v == "baseline-and-on-treatment"
        elif k == "non_target_response.viability_unstated":
            mrecist.OPT["unstated"] = v
        else:
            sys.exit(f"the model does not read {k}")
    cases = [gen_case(k) for k in range(COUNT)]
    results, res = oracle_run.assess(RECIST, [to_yaml(c) for c in cases], ["mrecist"], SETS)
    got = oracle_run.by_subject_and_scope(results)
    oracle_run.report(((c["subject"], fields.differences(model(c), got[c["subject"]]), to_yaml(c))
                       for c in cases if c["subject"] in got), COUNT, res)


if __name__ == "__main__":
    main()
