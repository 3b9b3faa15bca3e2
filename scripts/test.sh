#!/usr/bin/env bash
# Set up and run every test: type checks, lint, jest unit tests, jest
# integration tests (real Jupyter servers and kernels, real pip and
# conda-format installs, an unprivileged user against a read-only base, real
# podman, docker and a local registry), the hostile-input suite, and the
# Galata/Playwright UI tests in Debian's Chromium on the demo image.
#
#   scripts/test.sh            everything
#   scripts/test.sh unit       one stage: typecheck | lint | unit | integration | hub | hostile | ui
#
# The hub stage runs the facility shapes (Slurm, JupyterHub, rootless podman
# as the user mlc-hub, an unpacked image mounted read-only): it needs root.
#
# Ends with one line `tests: N passed, N failed` and a non-zero exit on any failure.
set -uo pipefail

cd "$(dirname "$0")/.."
REPO=$(pwd -P)
stages=${1:-typecheck lint unit integration hub hostile ui}
reports="$REPO/build/reports"
rm -rf "$reports"; mkdir -p "$reports"

say() { printf '\n\033[1m[test]\033[0m %s\n' "$*"; }

scripts/setup.sh || { echo "tests: 0 passed, 1 failed"; exit 1; }
scripts/make-demo-image.sh build/demo-image || { echo "tests: 0 passed, 1 failed"; exit 1; }
export PATH="$REPO/.venv/bin:$PATH"

# The integration tests run mlc as an unprivileged user (as on CVMFS): that
# user must reach the bundle and the test prefix under this tree.
if [ "$(id -u)" -eq 0 ] && bash scripts/ensure-test-user.sh >/dev/null && ! runuser -u mlc-tester -- test -r "$REPO/package.json"; then
    echo "test: error: the unprivileged test user cannot read $REPO; clone the repository where every user can (e.g. under /work or /srv)" >&2
    echo "tests: 0 passed, 1 failed"
    exit 1
fi

passed=0
failed=0
status=0

# Add a jest JSON report's counts to the totals.
count_jest() {
    local file=$1
    if [ -f "$file" ]; then
        read -r p f < <(node -e 'const r=require(process.argv[1]); console.log(r.numPassedTests, r.numFailedTests + r.numRuntimeErrorTestSuites)' "$file")
        passed=$((passed + p)); failed=$((failed + f))
    else
        failed=$((failed + 1))
    fi
}

for stage in $stages; do
    case "$stage" in
    typecheck)
        say "type checks (browser and mlc)"
        if npx tsc -p tsconfig.json --noEmit && npx tsc -p tsconfig.cli.json && npx tsc -p tsconfig.test.json; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1)); status=1
        fi
        ;;
    lint)
        say "lint: eslint, prettier, stylelint (as the JupyterLab extension template sets them), hadolint on the image recipes, ruff on the fixture's Python"
        if npx eslint --max-warnings 0 src tests ui-tests scripts bench \
            && npx prettier --list-different . \
            && npx stylelint "style/**/*.css" \
            && bash scripts/lint-containerfiles.sh \
            && .venv/bin/ruff check --quiet --select F,E9 scripts/make-python-prefix-helper.py tests/harness/conda_channel.py tests/harness/micromamba_standin.py tests/harness/conda_local_channel.py; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1)); status=1
        fi
        ;;
    unit)
        say "jest: unit"
        npx jest --selectProjects unit --json --outputFile="$reports/unit.json" || status=1
        count_jest "$reports/unit.json"
        ;;
    integration)
        say "jest: integration (real Jupyter, pip, conda installer, unprivileged user)"
        npx jest --selectProjects integration --runInBand --json --outputFile="$reports/integration.json" || status=1
        count_jest "$reports/integration.json"
        ;;
    hub)
        say "jest: hub (Slurm + JupyterHub + podman: the BNL, SLAC, UChicago and CVMFS shapes)"
        npx jest --selectProjects hub --runInBand --json --outputFile="$reports/hub.json" || status=1
        count_jest "$reports/hub.json"
        ;;
    hostile)
        say "jest: hostile input (property-based tests; hostile trees through every verb as the unprivileged user)"
        npx jest --selectProjects hostile --runInBand --json --outputFile="$reports/hostile.json" || status=1
        count_jest "$reports/hostile.json"
        ;;
    ui)
        say "Galata/Playwright UI tests in Debian's Chromium"
        if PLAYWRIGHT_JSON_OUTPUT_NAME="$reports/ui.json" PLAYWRIGHT_JSON_OUTPUT_FILE="$reports/ui.json" \
            bash ui-tests/run.sh --reporter=list,json >"$reports/ui.log" 2>&1; then :; else status=1; fi
        cat "$reports/ui.log"
        if [ -f "$reports/ui.json" ]; then
            read -r p f < <(node -e 'const s=require(process.argv[1]).stats; console.log(s.expected + s.flaky, s.unexpected)' "$reports/ui.json")
            passed=$((passed + p)); failed=$((failed + f))
        else
            failed=$((failed + 1))
        fi
        ;;
    *)
        echo "test: error: unknown stage '$stage'; use typecheck, lint, unit, integration, hub, hostile or ui" >&2
        exit 2
        ;;
    esac
done

[ "$failed" -eq 0 ] || status=1
echo
echo "tests: $passed passed, $failed failed"
exit $status
