#!/usr/bin/env python3
"""An independent model of `recist bor` (best overall response from responses recorded per
visit), written from the rules reference (R11-BOR-DEF, R11-BOR-T3, R11-CONF-INT, R11-SD-MIN,
AMB-01/AMB-08, AMB-11, AMB-12; section 7) and DESIGN.md's "Recorded responses" readings, not
from the engine, run against `recist bor` on random subjects.

It generates subjects with 1-8 recorded overall responses (with targets: CR, PR, SD, PD, NE;
non-target only: CR, NON-CR/NON-PD, PD, NE and now and then an SD) at varied intervals, some
dated on or before the reference date, and writes them three times: as a plain CSV
(`subject,date,response,reference_date`), as one without `reference_date` and with a DM CSV
(`RFSTDTC`) given with `--dm`, and as an SDTM RS CSV (OVRLRESP rows; RSORRES in prose or
alone) with that DM CSV; rows in random order, words in any case. A few subjects get a
malformed row (an unknown response word, a date that is not a full ISO 8601 date, two responses
on one date): the engine must refuse them naming the file and line and derive every other
subject. For every subject it compares best and confirmed best overall
response, `reference_date`, `response_dates` (first response, first confirmed response, its
confirmation) and the dates its warnings name (responses left out as no follow-up, responses
recoded to PD after a CR).

Readings modelled (DESIGN.md, "Recorded responses"): a response on or before the reference date
is left out; the window runs up to and including the first PD; with
`timepoint.disease_after_cr: progression` a PR, SD or NON-CR/NON-PD after an earlier follow-up
CR is PD (with a warning, after the window too); a subject with any NON-CR/NON-PD recorded is non-target only, and its SD counts
as NON-CR/NON-PD; SD/NON-CR/NON-PD (and an unconfirmed CR/PR, as the stable category) count only
at `best_response.sd_min_days` or more after the reference date; CR is confirmed by a later CR,
PR (or a CR as PR) by a later CR or PR, at least `confirmation.min_interval_days` later, with at
most `confirmation.max_ne_between` NE and (with `confirmation.accept_sd_between`) one SD between;
an SD recorded for non-target-only disease is NON-CR/NON-PD there too, so it is no "SD between"
(the engine took it as one until this model found it, with `disease_after_cr: arithmetic` and
`accept_sd_between: true`).

Usage: scripts/bor-oracle.py [SEED [COUNT [KEY=VALUE...]]]
  KEY=VALUE are `--set` overrides the model also reads: confirmation.min_interval_days,
  confirmation.max_ne_between, confirmation.accept_sd_between, best_response.sd_min_days,
  timepoint.disease_after_cr.
The engine binary is $RECIST (default target/debug/recist). Prints the first mismatches with
their rows; exit 1 if any.
"""

import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
import tempfile

import oracle_run

SEED, COUNT, SETS, RECIST = oracle_run.arguments()
R = random.Random(SEED)
RANK = {"CR": 7, "PR": 6, "SD": 5, "NON-CR/NON-PD": 4, "PD": 2, "NE": 1}
R11 = oracle_run.load("r11_oracle", "r11-oracle.py")  # its R11-CONF-INT confirmation
OPT = dict(min_int=28, max_ne=1, accept_sd=False, sd_min=42, arith=False)
PROSE = {"CR": "Complete Response", "PR": "Partial Response", "SD": "Stable Disease",
         "PD": "Progressive Disease", "NE": "NOT EVALUABLE", "NON-CR/NON-PD": "Non-CR / Non-PD"}
GAPS = [1, 7, 14, 21, 27, 28, 29, 35, 41, 42, 43, 56, 84]


def gen_subject(k):
    nt_only = R.random() < 0.25
    words = (["CR", "NON-CR/NON-PD", "PD", "NE"], [2, 6, 1, 2]) if nt_only else \
        (["CR", "PR", "SD", "PD", "NE"], [2, 4, 4, 1, 2])
    ref = dt.date(2024, 1, 1) + dt.timedelta(days=R.randint(0, 60))
    d = ref + dt.timedelta(days=R.choice([-7, 0, 0, 14, 28, 35, 41, 42, 43, 56]))
    rows = []
    for _ in range(R.randint(1, 8)):
        w = R.choices(*words)[0]
        if nt_only and R.random() < 0.05:
            w = "SD"
        rows.append([str(d), w])
        d += dt.timedelta(days=R.choice(GAPS))
    bad = None
    if R.random() < 0.015:  # a malformed row: the subject is refused, the others derived
        i = R.randrange(len(rows))
        x = R.random()
        if x < 0.33 and len(rows) > 1:  # two responses on one date
            j = R.choice([j for j in range(len(rows)) if j != i])
            rows[i][0] = rows[j][0]
            bad = "same date"
        elif x < 0.66:
            rows[i][1] = R.choice(["XR", "PRR", "progressive"])
            bad = "unknown response"
        else:
            rows[i][0] = R.choice([rows[i][0][:7], rows[i][0][:8] + "3x", "2024-02-30"])
            bad = "date"
    return dict(subject="B%d" % k, ref=ref, rows=rows, bad=bad)


def model(s):
    """Best, confirmed best, response dates and the dates warned about, from the reference."""
    ref = s["ref"]
    nt_only = any(w == "NON-CR/NON-PD" for _, w in s["rows"])
    stable = "NON-CR/NON-PD" if nt_only else "SD"
    warned, tps, seen_cr, window = set(), [], False, True
    for day, w in sorted(s["rows"]):
        date = dt.date.fromisoformat(day)
        if date <= ref:  # R11-BOR-DEF: no follow-up
            warned.add(day)
            continue
        if seen_cr and not OPT["arith"] and w in ("PR", "SD", "NON-CR/NON-PD"):  # AMB-01/08
            w = "PD"  # recoded (and warned of) after the window too
            warned.add(day)
        if w == "SD" and nt_only:  # one stable category per subject
            w = stable
        seen_cr = seen_cr or w == "CR"
        if window:
            tps.append((date, w, (date - ref).days))
        window = window and w != "PD"  # window: up to and including the first PD
    best = "NE"
    for _, r, rday in tps:
        if r == stable and rday < OPT["sd_min"]:  # R11-SD-MIN
            r = "NE"
        best = r if RANK[r] > RANK[best] else best

    days = [(date.toordinal(), r) for date, r, _ in tps]

    def confirmation(i, accept):  # R11-CONF-INT, AMB-11: the confirming date or None
        j = R11.confirming(days, i, accept, OPT)
        return None if j is None else tps[j][0]

    confirmed, first, conf = "NE", None, None
    for i, (date, r, rday) in enumerate(tps):
        v = c = None
        if r in ("CR", "PR"):
            first = first or date
            if r == "CR":
                c = confirmation(i, ["CR"])
                v = "CR" if c else None
            if c is None:
                c = confirmation(i, ["CR", "PR"])
                v = "PR" if c else None
            if c and conf is None:
                conf = (date, c)
        if v is None:  # R11-BOR-T3: unconfirmed CR/PR is the stable category at the SD minimum
            if r in ("CR", "PR", stable):
                v = stable if rday >= OPT["sd_min"] else "NE"
            else:
                v = r
        confirmed = v if RANK[v] > RANK[confirmed] else confirmed
    dates = dict(first_response=first and str(first),
                 confirmed_response=conf and str(conf[0]), confirmation=conf and str(conf[1]))
    return dict(best=best, confirmed=confirmed, reference_date=str(ref), response_dates=dates,
                warned=sorted(warned))


def engine_view(r):
    """The same fields from one engine result."""
    warned = sorted({m.group(1) for w in r.get("warnings", [])
                     for m in [re.match(r"(\d{4}-\d\d-\d\d): ", w)] if m})
    return dict(best=r["best_overall_response"], confirmed=r["confirmed_best_overall_response"],
                reference_date=r.get("reference_date"), response_dates=r.get("response_dates"),
                warned=warned)


def shuffled(subjects):
    """Every (subject, row index), in a random order: the order of the rows does not matter."""
    rows = [(s, i) for s in subjects for i in range(len(s["rows"]))]
    R.shuffle(rows)
    return rows


def write_plain(subjects, d, dm=False):
    path = os.path.join(d, "responses.csv")
    lines, where = ["subject,date,response" + ("" if dm else ",reference_date")], {}
    for s, i in shuffled(subjects):
        day, w = s["rows"][i]
        w = w.lower() if R.random() < 0.1 else w  # words are read case aside
        lines.append(f"{s['subject']},{day},{w}" + ("" if dm else f",{s['ref']}"))
        where.setdefault(s["subject"], {})[i] = len(lines)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    if not dm:
        return [path], where
    return [path, "--dm", write_dm(subjects, d)], where


def write_dm(subjects, d):
    dm = os.path.join(d, "dm.csv")
    with open(dm, "w") as f:
        f.write("STUDYID,DOMAIN,USUBJID,RFSTDTC\n")
        f.write("".join(f"ST,DM,{s['subject']},{s['ref']}\n" for s in subjects))
    return dm


def write_sdtm(subjects, d):
    rs = os.path.join(d, "rs.csv")
    lines, where = ["STUDYID,DOMAIN,USUBJID,RSSEQ,RSTESTCD,RSTEST,RSORRES,RSSTRESC,RSDTC"], {}
    for s, i in shuffled(subjects):
        day, w = s["rows"][i]
        orres = PROSE.get(w, w) if R.random() < 0.5 else w  # RSORRES in prose, RSSTRESC coded
        # no RSSTRESC: RSORRES is read, when it is a response word or one of the two SDTM
        # spellings read (`Partial Response` alone is no response word: DESIGN.md)
        stresc = "" if R.random() < 0.2 and (orres == w or w in ("NE", "NON-CR/NON-PD")) else w
        lines.append(f"ST,RS,{s['subject']},{i + 1},OVRLRESP,Overall Response,{orres},{stresc},{day}")
        where.setdefault(s["subject"], {})[i] = len(lines)
    with open(rs, "w") as f:
        f.write("\n".join(lines) + "\n")
    return [rs, "--dm", write_dm(subjects, d)], where


def run(subjects, writer):
    """Differences (subject, what, model, engine) for one input format."""
    diffs = []
    with tempfile.TemporaryDirectory() as d:
        files, where = writer(subjects, d)
        args = [RECIST, "bor", "--responses"] + files + sum((["--set", kv] for kv in SETS), [])
        res = subprocess.run(args, capture_output=True, text=True)
        if res.returncode not in (0, 1):
            sys.exit(res.stderr)
        got = {}
        for line in res.stdout.splitlines():
            r = json.loads(line)
            got[r["subject"]] = r
        name = os.path.basename(files[0])
        refused = {}
        for line in res.stderr.splitlines():
            m = re.match(r"error: (\S+?):(\d+): subject `([^`]*)`", line)
            if m:
                refused.setdefault(m.group(3), []).append((m.group(1), int(m.group(2))))
        for s in subjects:
            sub = s["subject"]
            if s["bad"]:
                days = [day for day, _ in s["rows"]]
                bad_lines = [where[sub][i] for i, (day, w) in enumerate(s["rows"])
                             if w not in RANK or not re.fullmatch(r"\d{4}-\d\d-\d\d", day)
                             or not valid(day) or days.count(day) > 1]
                if sub in got:
                    diffs.append((sub, "malformed row derived", s["bad"], got[sub]))
                elif not any(os.path.basename(f) == name and ln in bad_lines
                             for f, ln in refused.get(sub, [])):
                    diffs.append((sub, "refusal names file:line", (name, bad_lines),
                                  refused.get(sub)))
                continue
            if sub not in got:
                diffs.append((sub, "refused", None, refused.get(sub) or res.stderr[:300]))
                continue
            want, have = model(s), engine_view(got[sub])
            for k in want:
                if want[k] != have[k]:
                    diffs.append((sub, k, want[k], have[k]))
        if any(s["bad"] for s in subjects) and res.returncode != 1:
            diffs.append(("-", "exit status", 1, res.returncode))
    return diffs


def valid(day):
    try:
        dt.date.fromisoformat(day)
        return True
    except ValueError:
        return False


def main():
    for kv in SETS:
        k, v = kv.split("=", 1)
        if k == "confirmation.min_interval_days":
            OPT["min_int"] = int(v)
        elif k == "confirmation.max_ne_between":
            OPT["max_ne"] = int(v)
        elif k == "confirmation.accept_sd_between":
            OPT["accept_sd"] = v == "true"
        elif k == "best_response.sd_min_days":
            OPT["sd_min"] = int(v)
        elif k == "timepoint.disease_after_cr":
            OPT["arith"] = v == "arithmetic"
        else:
            sys.exit(f"the model does not read {k}")
    subjects = [gen_subject(k) for k in range(COUNT)]
    bad = 0
    for fmt, writer in (("plain CSV", write_plain),
                        ("plain CSV + DM", lambda subjects, d: write_plain(subjects, d, True)),
                        ("SDTM RS + DM", write_sdtm)):
        diffs = run(subjects, writer)
        subs = sorted({d[0] for d in diffs}, key=lambda x: (len(x), x))
        bad += len(subs)
        byname = {s["subject"]: s for s in subjects}
        for sub in subs[:5]:
            print(f"== {fmt}: model vs engine:", sub, [d[1:] for d in diffs if d[0] == sub])
            if sub in byname:
                s = byname[sub]
                print(f"   reference {s['ref']}; rows:", " ".join(f"{d} {w}" for d, w in s["rows"]))
        print(f"{fmt}: {COUNT} subjects ({sum(1 for s in subjects if s['bad'])} with a malformed "
              f"row), {len(subs)} differ from the model")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
