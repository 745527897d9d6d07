#!/usr/bin/env python3
"""Perturbs a generated study's RS.csv and TR.csv (docs/batch.md, "Comparison"): a visit whose scans
span 3 days (RS dated by the last scan, by a date-only row, and one day after), two visits both
VISIT UNSCHEDULED recorded by VISIT alone, a subject refused (unknown TRTESTCD), VISITNUM with a
wrong VISIT, VISITNUM 03, duplicates 2/2.0 and date-only before VISITNUM, a conflict between a
row with RSCAT and one without, a spelling duplicate, iPR with no RSCAT, an evaluator with no
data, empty RSDTC, a BESTRESP repeated under lower-case RSCAT, NA where it is no word, prose
RSSTRESC, a date-only row dated by no visit. Writes OUTDIR/RS.csv and OUTDIR/TR.csv (copy TU, DM).
Usage: scripts/compare-perturb/perturb2.py STUDYDIR OUTDIR"""
import csv, sys, datetime, os
from rows import load, by_unit, Edits
src, dst = sys.argv[1], sys.argv[2]
os.makedirs(dst, exist_ok=True)
H, I, rs = load(f"{src}/RS.csv")
TH, TI, tr = load(f"{src}/TR.csv")
units = by_unit(rs, I)
subj_evals = {}
for s, e in units: subj_evals.setdefault(s, set()).add(e)
cands = [u for u in units if u[1] == "INVESTIGATOR" and len(subj_evals[u[0]]) == 1
         and len({r[I["VISITNUM"]] for r in units[u]}) >= 5 and any(r[I["RSTESTCD"]] == "NTRGRESP" for r in units[u])]
it = iter(cands)
def nxt(): return units[next(it)]
E = Edits(I, rs)
first, set_, add = E.first, E.set, E.add
def d(s, k): return (datetime.date.fromisoformat(s) + datetime.timedelta(days=k)).isoformat()
log = []
def L(what, rows): log.append((what, rows[0][I["USUBJID"]]))
# A: visit 3's scans span 3 days (last TR row of visit 3 moved +3 days)
A = nxt(); s = A[0][I["USUBJID"]]
tv = [r for r in tr if r[TI["USUBJID"]] == s and r[TI["VISITNUM"]] == "3"]
tv[-1][TI["TRDTC"]] = d(tv[-1][TI["TRDTC"]], 3)
o = first(A, "OVRLRESP", "3"); set_(o, RSDTC=d(o[I["RSDTC"]], 3))            # last scan day: no mismatch
n = first(A, "NEWLIND", "3"); set_(n, VISITNUM="", VISIT="", RSDTC=d(n[I["RSDTC"]], 3))  # date-only, last scan day
t = first(A, "TRGRESP", "3"); set_(t, RSDTC=d(t[I["RSDTC"]], 4))            # one day after the last scan: mismatch
L("A multi-day visit 3", A)
# B: visits 3 and 4 both VISIT UNSCHEDULED in TR; recorded by VISIT alone
B = nxt(); s = B[0][I["USUBJID"]]
for r in tr:
    if r[TI["USUBJID"]] == s and r[TI["VISITNUM"]] in ("3", "4"):
        r[TI["VISIT"]] = "UNSCHEDULED"
for r in B:
    if r[I["VISITNUM"]] in ("3", "4"):
        set_(r, VISIT="Unscheduled", VISITNUM="")
first(B, "NEWLIND", "")[I["RSDTC"]] = "1999-01-01"  # a date of neither: of no visit
L("B two UNSCHEDULED", B)
# C: subject refused (unknown TRTESTCD on one TR row)
C = nxt(); s = C[0][I["USUBJID"]]
next(r for r in tr if r[TI["USUBJID"]] == s and r[TI["TRTESTCD"]] == "LDIAM")[TI["TRTESTCD"]] = "XYZDIAM"
L("C refused subject", C)
# D: VISITNUM 2 with a wrong VISIT name
D = nxt(); [set_(r, VISIT="WEEK 12") for r in D if r[I["VISITNUM"]] == "2"]; L("D wrong VISIT", D)
# E: VISITNUM 03
E = nxt(); [set_(r, VISITNUM="03") for r in E if r[I["VISITNUM"]] == "3"]; L("E 03", E)
# F: duplicates 2 / 2.0 same value; date-only row placed BEFORE the VISITNUM row
F = nxt(); o = first(F, "OVRLRESP", "2"); add(o, VISITNUM="2.0")
n = first(F, "NEWLIND", "3"); c = list(n); set_(c, VISITNUM="", VISIT=""); rs.insert(rs.index(n), c)
L("F duplicates", F)
# G: conflict between a row with RSCAT and one without
G = nxt(); o = first(G, "OVRLRESP", "2"); add(o, RSCAT="", RSORRES="NE" if o[I["RSSTRESC"]] != "NE" else "PD", RSSTRESC="NE" if o[I["RSSTRESC"]] != "NE" else "PD"); L("G conflict cat/none", G)
# H: spelled-differently duplicate
H_ = nxt(); t = next(r for r in H_ if r[I["RSSTRESC"]] == "NON-CR/NON-PD"); add(t, RSORRES="Non-CR / Non-PD", RSSTRESC="Non-CR / Non-PD"); L("H spelling dup", H_)
# I: iRECIST word with empty RSCAT
I_ = nxt(); o = first(I_, "OVRLRESP", "2"); set_(o, RSCAT="", RSORRES="iPR", RSSTRESC="iPR"); L("I iPR", I_)
# J: independent assessor without RSEVALID (an evaluator with no data)
J = nxt(); o = first(J, "OVRLRESP", "2"); add(o, RSEVAL="INDEPENDENT ASSESSOR"); L("J unknown evaluator", J)
# K: empty RSDTC on a row with VISITNUM
K = nxt(); o = first(K, "OVRLRESP", "2"); set_(o, RSDTC=""); L("K empty RSDTC", K)
# L: BESTRESP repeated with RSCAT in lower case (same record, same value)
L_ = nxt(); b = first(L_, "BESTRESP"); add(b, RSCAT="recist 1.1"); L("L best dup", L_)
# M: OVRLRESP NA (not a word of OVRLRESP); NEWLIND NA
M = nxt(); set_(first(M, "OVRLRESP", "2"), RSORRES="NA", RSSTRESC="NA"); set_(first(M, "NEWLIND", "2"), RSORRES="NA", RSSTRESC="NA"); L("M NA where not a word", M)
# N: RSORRES a word, RSSTRESC prose (not a word)
N = nxt(); o = first(N, "OVRLRESP", "2"); set_(o, RSSTRESC="Stable disease per investigator"); L("N stresc prose", N)
# O: date-only row dated by a day with no scan at all, matching no visit
O = nxt(); o = first(O, "OVRLRESP", "2"); set_(o, VISITNUM="", VISIT="", RSDTC=d(o[I["RSDTC"]], 1)); L("O date-only other day", O)
rs.sort(key=lambda r: r[I["USUBJID"]])
for name, hh, body in (("RS.csv", H, rs), ("TR.csv", TH, tr)):
    w = csv.writer(open(f"{dst}/{name}", "w", newline=""), lineterminator="\n"); w.writerow(hh); w.writerows(body)
for l in log: print(*l, sep="\t")
