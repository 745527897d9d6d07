#!/usr/bin/env python3
"""Perturbs a generated RS.csv with spellings cdisc.md says are read case-insensitively and trimmed
(RSEVALID lower case, USUBJID / RSCAT / VISIT padded with spaces, RSTESTCD lower case), recorded NA
at the baseline visit, at a visit the engine lacks and NE against the engine's NA, and a
VISIT-only row dated outside its visit's scans. Prints which subject got which case.
Usage: scripts/compare-perturb/perturb3.py STUDY/RS.csv OUT.csv"""
import csv, sys, datetime
from rows import load, by_unit, Edits
src, dst = sys.argv[1], sys.argv[2]
H, I, body = load(src)
units = by_unit(body, I)
evs = {}
for s, e in units: evs.setdefault(s, set()).add(e)
def ok(u): return len({r[I["VISITNUM"]] for r in units[u]}) >= 4
indep = iter([u for u in units if u[1] != "INVESTIGATOR" and ok(u)])
no_nt = iter([u for u in units if u[1] == "INVESTIGATOR" and len(evs[u[0]]) == 1 and ok(u) and not any(r[I["RSTESTCD"]] == "NTRGRESP" for r in units[u])])
with_nt = iter([u for u in units if u[1] == "INVESTIGATOR" and len(evs[u[0]]) == 1 and ok(u) and any(r[I["RSTESTCD"]] == "NTRGRESP" for r in units[u])])
E = Edits(I, body)
first, set_, add = E.first, E.set, E.add
log = []
u = next(indep); [set_(r, RSEVALID=r[I["RSEVALID"]].lower()) for r in units[u]]; log.append(("RSEVALID lower", u[0]))
u = next(with_nt); [set_(r, USUBJID=r[I["USUBJID"]] + " ") for r in units[u]]; log.append(("USUBJID padded", u[0]))
u = next(with_nt); [set_(r, RSCAT=" " + r[I["RSCAT"]] + " ") for r in units[u]]; log.append(("RSCAT padded", u[0]))
u = next(with_nt); [set_(r, VISITNUM="", VISIT=" " + r[I["VISIT"]] + " ") for r in units[u] if r[I["VISITNUM"]] == "3"]; log.append(("VISIT padded only", u[0]))
u = next(with_nt); [set_(r, RSTESTCD=r[I["RSTESTCD"]].lower()) for r in units[u]]; log.append(("RSTESTCD lower", u[0]))
u = next(no_nt); o = first(units[u], "OVRLRESP"); add(o, RSTESTCD="NTRGRESP", RSTEST="Non-target Response", RSORRES="NA", RSSTRESC="NA", VISITNUM="1", VISIT="SCREENING"); log.append(("NA at baseline", u[0]))
u = next(no_nt); o = first(units[u], "OVRLRESP"); add(o, RSTESTCD="NTRGRESP", RSTEST="Non-target Response", RSORRES="NA", RSSTRESC="NA", VISITNUM="99", VISIT="WEEK 999"); log.append(("NA at visit 99", u[0]))
u = next(no_nt); o = first(units[u], "OVRLRESP"); add(o, RSTESTCD="NTRGRESP", RSTEST="Non-target Response", RSORRES="NE", RSSTRESC="NE"); log.append(("NE vs NA", u[0]))
u = next(with_nt)
for r in units[u]:
    if r[I["VISITNUM"]] == "3":
        set_(r, VISITNUM="", RSDTC=(datetime.date.fromisoformat(r[I["RSDTC"]]) - datetime.timedelta(days=5)).isoformat())
log.append(("VISIT-only dated 5 days early", u[0]))
body.sort(key=lambda r: r[I["USUBJID"]].strip())
w = csv.writer(open(dst, "w", newline=""), lineterminator="\n"); w.writerow(H); w.writerows(body)
for l in log: print(*l, sep="\t")
