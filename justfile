# Recipes mirror CI: `just ci` runs exactly what .ci/run runs.
# Install just with `cargo install just` (it is not needed for building or testing).

default:
    @just --list

# Everything CI checks.
ci:
    bash .ci/run

# The tests (the README's test command).
test:
    cargo test --workspace

fmt:
    cargo fmt --all

clippy:
    cargo clippy --workspace --all-targets -- -D warnings

# Every benchmark: the engine's per-scan cost, then batch throughput on generated data.
bench: bench-engine bench-batch

# Per-scan cost of the engine (target: under 5 µs per Tracker::assess call).
bench-engine:
    cargo bench -p recist-engine --bench per_scan

# `recist batch` on a generated study: rows/s, subjects/s, peak memory, against a csv-only floor.
bench-batch subjects="100000":
    bash scripts/bench-batch.sh {{subjects}}

# The RECIST 1.1 core, the iRECIST layer, mRECIST and the radiotherapy-field scopes against
# independent models on random subjects (CI runs seed 1, 2000 each; the field scopes under
# mRECIST, up to three scope results a subject, half as many to stay near the others' time;
# under iRECIST three quarters).
oracle seed="1" count="2000":
    cargo build -q -p recist-cli
    RECIST=target/debug/recist python3 scripts/r11-oracle.py {{seed}} {{count}}
    RECIST=target/debug/recist python3 scripts/irecist-oracle.py {{seed}} {{count}}
    RECIST=target/debug/recist python3 scripts/mrecist-oracle.py {{seed}} {{count}}
    RECIST=target/debug/recist python3 scripts/fields-oracle.py {{seed}} {{count}}
    RECIST=target/debug/recist python3 scripts/fields-mrecist-oracle.py {{seed}} $(( {{count}} / 2 ))
    RECIST=target/debug/recist python3 scripts/fields-irecist-oracle.py {{seed}} $(( {{count}} * 3 / 4 ))
    STRICT=1 RECIST=target/debug/recist python3 scripts/sdtm-oracle.py {{seed}} $(( {{count}} / 2 ))
    STRICT=1 RECIST=target/debug/recist python3 scripts/sdtm-mrecist-oracle.py {{seed}} $(( {{count}} / 2 ))
    RECIST=target/debug/recist python3 scripts/sdtm-irecist-oracle.py {{seed}} $(( {{count}} / 2 ))
    RECIST=target/debug/recist python3 scripts/bor-oracle.py {{seed}} {{count}}

# Regenerate the JSON Schema of the rule-set format after changing crates/rules/src/doc.rs.
schema:
    cargo run -q -p recist-cli -- rules schema > rules/rule-set.schema.json

# Review snapshot changes after a rule or engine change (needs `cargo install cargo-insta`).
review:
    cargo insta review

# The bundled example, explained.
example:
    cargo run -q -p recist-cli -- explain examples/hcc-001.yaml
