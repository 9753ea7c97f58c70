#!/usr/bin/env bash
# Create the reference venv with lifetimes 0.11.3 (benchmark only, never a Guanxi dependency).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/../.venv-lifetimes"
uv venv --python 3.11 "$venv"
# setuptools<81: lifetimes imports pkg_resources, which setuptools 81 removed.
VIRTUAL_ENV="$venv" uv pip install --python "$venv/bin/python" \
    lifetimes==0.11.3 'setuptools<81' polars numpy scipy pandas
echo "reference venv ready: $venv"
