"""What the perturbation scripts share: a CSV file read as its header, its columns by name and
its rows; RS rows grouped per subject and evaluator; and the edits the scripts make (a row
found by test and VISITNUM, changed in place, or copied with changes to the end)."""
import csv


def load(path):
    """(header, column index by name, rows) of a CSV file."""
    rows = list(csv.reader(open(path, newline="")))
    return rows[0], {h: i for i, h in enumerate(rows[0])}, rows[1:]


def by_unit(body, I):
    """RS rows per (USUBJID, RSEVAL), in file order."""
    units = {}
    for r in body:
        units.setdefault((r[I["USUBJID"]], r[I["RSEVAL"]]), []).append(r)
    return units


class Edits:
    """Finds, changes and copies rows of `body` (columns `I`); a copy is appended to `body`."""

    def __init__(self, I, body):
        self.I, self.body = I, body

    def first(self, rows, test, vn=None):
        """The first of `rows` of RSTESTCD `test` (and VISITNUM `vn` when given)."""
        I = self.I
        return next(r for r in rows if r[I["RSTESTCD"]] == test and (vn is None or r[I["VISITNUM"]] == vn))

    def set(self, r, **kw):
        """Sets columns of `r` (by name)."""
        for k, v in kw.items():
            r[self.I[k]] = v

    def add(self, r, **kw):
        """A copy of `r` with columns set, appended to the rows."""
        n = list(r)
        self.set(n, **kw)
        self.body.append(n)
        return n
