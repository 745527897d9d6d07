#!/usr/bin/env python3
"""Perturbs a generated RS.csv by hand-made cases of docs/batch.md, "Comparison": recorded NA
(agreeing with the engine's absence, and against a response), `Non-CR / Non-PD`, VISITNUM 2.0, VISIT
only (lower case), RSDTC only, RSDTC 10 days late, RSCAT iRECIST / lower case / empty, unknown
word, RSORRES and RSSTRESC disagreeing, prose RSORRES, NO/NOT EVALUABLE/lower-case spellings,
duplicate and conflicting rows, bad and partial dates, another test, a visit the engine lacks,
the baseline visit, empty and lower-case RSEVAL, an unknown and an empty USUBJID, a short row,
RSORRES only, a blank value. Prints which subject got which case.
Usage: scripts/compare-perturb/perturb1.py STUDY/RS.csv OUT.csv
then recist batch ... --recorded OUT.csv --out DIR; scripts/check-compare.py recorded ..."""
import csv, sys, datetime
from rows import load, by_unit, Edits
src, dst = sys.argv[1], sys.argv[2]
H, I, body = load(src)
units = by_unit(body, I)
invs = [u for u in units if u[1] == "INVESTIGATOR"]
no_nt = [u for u in invs if not any(r[I["RSTESTCD"]] == "NTRGRESP" for r in units[u])]
with_nt = [u for u in invs if any(r[I["RSTESTCD"]] == "NTRGRESP" for r in units[u])]
used = set()
def pick(pool):
    for u in pool:
        if u not in used and len({r[I["VISITNUM"]] for r in units[u]}) >= 4:
            used.add(u); return units[u]
E = Edits(I, body)
first, set_, add = E.first, E.set, E.add
log = []
# 1 recorded NA for NTRGRESP where engine has none -> agreed NA
rs = pick(no_nt); o = first(rs, "OVRLRESP"); add(o, RSTESTCD="NTRGRESP", RSTEST="Non-target Response", RSORRES="NA", RSSTRESC="NA"); log.append(("NA agreed", o[I["USUBJID"]]))
# 2 recorded CR for NTRGRESP where engine has none -> discordant candidate NA
rs = pick(no_nt); o = first(rs, "OVRLRESP"); add(o, RSTESTCD="NTRGRESP", RSTEST="Non-target Response", RSORRES="CR", RSSTRESC="CR"); log.append(("NTRG CR vs NA", o[I["USUBJID"]]))
# 3 TRGRESP NA where engine has targets -> discordant reference NA
rs = pick(with_nt); t = first(rs, "TRGRESP"); set_(t, RSORRES="NA", RSSTRESC="NA"); log.append(("TRG NA vs engine", t[I["USUBJID"]]))
# 4 Non-CR / Non-PD spelling
rs = pick(with_nt); t = next(r for r in rs if r[I["RSSTRESC"]] == "NON-CR/NON-PD"); set_(t, RSORRES="Non-CR / Non-PD", RSSTRESC="Non-CR / Non-PD"); log.append(("spelling", t[I["USUBJID"]]))
# 5 VISITNUM 2.0
rs = pick(with_nt); [set_(r, VISITNUM="2.0") for r in rs if r[I["VISITNUM"]] == "2"]; log.append(("2.0", rs[0][I["USUBJID"]]))
# 6 VISITNUM empty, VISIT lowercased
rs = pick(with_nt); [set_(r, VISITNUM="", VISIT=r[I["VISIT"]].lower()) for r in rs if r[I["VISITNUM"]] == "3"]; log.append(("visit only", rs[0][I["USUBJID"]]))
# 7 VISITNUM and VISIT empty: RSDTC only
rs = pick(with_nt); [set_(r, VISITNUM="", VISIT="") for r in rs if r[I["VISITNUM"]] == "3"]; log.append(("date only", rs[0][I["USUBJID"]]))
# 8 RSDTC outside the scans (+10 days) on one visit's rows
rs = pick(with_nt)
for r in rs:
    if r[I["VISITNUM"]] == "3":
        r[I["RSDTC"]] = (datetime.date.fromisoformat(r[I["RSDTC"]]) + datetime.timedelta(days=10)).isoformat()
log.append(("date +10", rs[0][I["USUBJID"]]))
# 9 RSCAT iRECIST copy (other reading), lowercase RSCAT, empty RSCAT
rs = pick(with_nt); o = first(rs, "OVRLRESP"); add(o, RSCAT="iRECIST", RSORRES="iSD", RSSTRESC="iSD"); log.append(("other cat", o[I["USUBJID"]]))
rs = pick(with_nt); [set_(r, RSCAT="recist 1.1") for r in rs]; log.append(("lower cat", rs[0][I["USUBJID"]]))
rs = pick(with_nt); [set_(r, RSCAT="") for r in rs]; log.append(("empty cat", rs[0][I["USUBJID"]]))
# 10 unknown response word
rs = pick(with_nt); t = first(rs, "OVRLRESP"); set_(t, RSORRES="STABLE", RSSTRESC="STABLE"); log.append(("unknown", t[I["USUBJID"]]))
# 11 RSORRES/RSSTRESC disagree; RSORRES prose
rs = pick(with_nt); t = first(rs, "OVRLRESP"); set_(t, RSORRES="PD" if t[I["RSSTRESC"]] != "PD" else "SD"); log.append(("orres!=stresc", t[I["USUBJID"]]))
rs = pick(with_nt); t = first(rs, "TRGRESP"); set_(t, RSORRES="Stable Disease", RSSTRESC="SD"); log.append(("prose orres", t[I["USUBJID"]]))
# 12 NOT EVALUABLE / YES / NO / EQUIVOCAL spellings, lowercase
rs = pick(with_nt); n = first(rs, "NEWLIND"); set_(n, RSORRES={"N":"NO","Y":"YES","U":"EQUIVOCAL"}[n[I["RSSTRESC"]]], RSSTRESC={"N":"NO","Y":"YES","U":"EQUIVOCAL"}[n[I["RSSTRESC"]]]); log.append(("NO", n[I["USUBJID"]]))
rs = pick(with_nt); b = first(rs, "BESTRESP"); set_(b, RSORRES=b[I["RSSTRESC"]].lower(), RSSTRESC=b[I["RSSTRESC"]].lower()); log.append(("lower best", b[I["USUBJID"]]))
rs = pick(with_nt); t = first(rs, "TRGRESP"); set_(t, RSORRES="NOT EVALUABLE", RSSTRESC="NOT EVALUABLE"); log.append(("NOT EVALUABLE", t[I["USUBJID"]]))
# 13 duplicate by VISIT-only row with the same value; conflicting values
rs = pick(with_nt); o = first(rs, "OVRLRESP"); add(o, VISITNUM=""); log.append(("dup", o[I["USUBJID"]]))
rs = pick(with_nt); o = first(rs, "OVRLRESP"); add(o, RSORRES="NE", RSSTRESC="NE") if o[I["RSSTRESC"]] != "NE" else add(o, RSORRES="PD", RSSTRESC="PD"); log.append(("conflict", o[I["USUBJID"]]))
# 14 bad dates
rs = pick(with_nt); t = first(rs, "TRGRESP"); set_(t, RSDTC="2020-13-45"); log.append(("bad date", t[I["USUBJID"]]))
rs = pick(with_nt); t = first(rs, "NEWLIND"); set_(t, RSDTC=t[I["RSDTC"]][:7]); log.append(("partial date", t[I["USUBJID"]]))
# 15 other test codes
rs = pick(with_nt); o = first(rs, "OVRLRESP"); add(o, RSTESTCD="NEWLPROG", RSTEST="New Lesion Progression", RSORRES="N", RSSTRESC="N"); log.append(("other test", o[I["USUBJID"]]))
# 16 VISITNUM the engine does not have; 17 baseline visit
rs = pick(with_nt); o = first(rs, "OVRLRESP"); add(o, VISITNUM="99", VISIT="WEEK 999"); log.append(("visit 99", o[I["USUBJID"]]))
rs = pick(with_nt); o = first(rs, "OVRLRESP"); add(o, VISITNUM="1", VISIT="SCREENING"); log.append(("baseline", o[I["USUBJID"]]))
# 18 RSEVAL empty -> INVESTIGATOR; lowercase evaluator
rs = pick(with_nt); [set_(r, RSEVAL="") for r in rs]; log.append(("eval empty", rs[0][I["USUBJID"]]))
rs = pick(with_nt); [set_(r, RSEVAL="investigator") for r in rs]; log.append(("eval lower", rs[0][I["USUBJID"]]))
# 19 subject unknown; 20 empty subject; 22 malformed
o = body[0]; add(o, USUBJID="ZZZ-NOBODY"); add(o, USUBJID="")
bad = list(body[5][:-2])
body.append(bad)
# RSORRES only (RSSTRESC empty)
rs = pick(with_nt); t = first(rs, "OVRLRESP"); set_(t, RSSTRESC=""); log.append(("orres only", t[I["USUBJID"]]))
# blank value
rs = pick(with_nt); t = first(rs, "OVRLRESP"); set_(t, RSORRES="", RSSTRESC=""); log.append(("blank", t[I["USUBJID"]]))
body.sort(key=lambda r: r[I["USUBJID"]] if len(r) > 2 else "")
w = csv.writer(open(dst, "w", newline=""), lineterminator="\n")
w.writerow(H); w.writerows(body)
for l in log: print(*l, sep="\t")
