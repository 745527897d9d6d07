"""What every oracle script shares: writing its random cases to one case file and running
`recist assess` on it (the models themselves stay apart, each written from the reference)."""

import json
import os
import subprocess
import sys
import tempfile


def assess(recist, texts, rules, sets):
    """The results `recist assess` gives for the case texts under `rules` (a list of rule-set
    ids; none: the default) with `--set` overrides `sets`. Exits on an engine failure (exit
    status other than 0 or 1: 1 is a refused subject, whose result is missing)."""
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write("---\n".join(texts))
        path = f.name
    args = [recist, "assess", path] + sum((["--rules", r] for r in rules), [])
    args += sum((["--set", kv] for kv in sets), [])
    res = subprocess.run(args, capture_output=True, text=True)
    os.unlink(path)
    if res.returncode not in (0, 1):
        sys.exit(res.stderr)
    return json.loads(res.stdout), res
