#!/usr/bin/env bash
# Installs the workflow engine (Snakemake and its Slurm / Kubernetes / S3 plugins, pinned in
# requirements.txt and constraints.txt) into a Python virtual environment.
#
#   workflow/install-snakemake.sh [VENV]     (default: target/snakemake-venv)
#
# Needs python3 (3.11 or later) with the venv module and access to PyPI. Idempotent: an
# environment that already holds the pinned versions is left as it is. .ci/run and the workflow
# test (xtask/tests/workflow.rs) call it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${1:-$here/../target/snakemake-venv}"
stamp="$venv/.rnameta-requirements"
wanted="$(cat "$here/requirements.txt" "$here/constraints.txt")"
if [ -x "$venv/bin/snakemake" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
    exit 0
fi
if ! command -v python3 >/dev/null; then
    echo "install-snakemake.sh: python3 not found; install CPython 3.11 or later (with venv)" >&2
    exit 1
fi
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check \
    -r "$here/requirements.txt" -c "$here/constraints.txt"
printf '%s' "$wanted" > "$stamp"
echo "installed $("$venv/bin/snakemake" --version | head -n 1) into $venv" >&2
