#!/usr/bin/env bash
# make-python-prefix.sh - build a relocatable, conda-like Python prefix: the
# "image env" (like /opt/conda in the ML images) that tests and the demo use.
#
# Usage:
#   scripts/make-python-prefix.sh DEST [--packages "ipykernel numpy ..."]
#                                      [--wheels-dir DIR] [--force]
#
#   --packages SPECS   pip requirement specs, space separated (default: ipykernel;
#                      "" gives a bare Python with pip and setuptools)
#   --wheels-dir DIR   install offline: pip --no-index --find-links DIR
#   --force            replace DEST if it already holds a prefix (has conda-meta/)
#
# What DEST holds afterwards:
#   - a copy of the machine's CPython (MLC_SOURCE_PYTHON_PREFIX, else the
#     base_prefix of `python3` on PATH) without test/, idlelib/, tkinter/,
#     turtledemo/, __pycache__, the static libpython or the source's
#     site-packages; RUNPATHs rewritten to $ORIGIN-relative ones and the source
#     prefix replaced by DEST in text files (sysconfigdata, Makefile, *.pc),
#     as conda does, so nothing points back into the (mode 700) source.
#   - pip and setuptools (from ensurepip's bundled wheels) and the packages,
#     installed by pip: their *.dist-info/INSTALLER says "pip".
#   - conda-meta/: a micromamba-style history and one record per conda package:
#       python       the copied interpreter, stdlib, headers (all its files)
#       openssl      libssl/libcrypto, copied from the libraries the interpreter
#       libzlib      really loads, with their real versions
#       ipykernel    CONDA-OWNED PIP PACKAGE: its dist-info INSTALLER is
#                    rewritten to "conda" and its record lists its dist-info
#                    files, like a noarch: python conda package. If ipykernel
#                    is not installed, the first package of --packages is used
#                    instead; with --packages "" there is none.
#     Build strings are real-looking conda-forge ones; md5/sha256 of the
#     package archives are synthetic (hashes of the file name), since no
#     archive exists; per-file sha256/size in paths_data are real.
#
# Prints only "prefix ready: DEST (python X.Y.Z)". On failure: one error line on
# stderr, a non-zero exit, and no DEST (the build happens in DEST.tmp.PID and is
# renamed at the end). Tool output goes to a log that is kept only on failure.
set -euo pipefail
umask 022

PROG=${0##*/}
USAGE="usage: $PROG DEST [--packages \"ipykernel numpy ...\"] [--wheels-dir DIR] [--force]"

DEST='' PACKAGES=(ipykernel) WHEELS_DIR='' FORCE=0
SRC='' PYVER='' PYFULL='' LOG='' KEEP_LOG=0 BUILD='' OLD=

die() { echo "$PROG: error: $*" >&2; exit 2; }
# A step failed: its tool output is in the log; keep the log and name it.
fail() { KEEP_LOG=1; echo "$PROG: error: $* (details: $LOG)" >&2; exit 1; }
log() { echo "== $(date +%T) $*" >>"$LOG"; }
quiet() { "$@" >>"$LOG" 2>&1; }

# Remove a half-made build (and put back a DEST moved aside by --force).
on_exit() {
  local rc=$?
  if ((rc != 0)); then
    [[ -n $BUILD ]] && rm -rf -- "$BUILD"
    [[ -n $OLD && ! -e $DEST ]] && mv -T -- "$OLD" "$DEST"
  fi
  [[ -n $LOG ]] && ((KEEP_LOG == 0)) && rm -f -- "$LOG"
  return "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

parse_args() {
  local dest_arg='' have_dest=0
  while (($#)); do
    case $1 in
      -h | --help) echo "$USAGE"; exit 0 ;;
      --packages) (($# >= 2)) || die "--packages needs a value ($USAGE)"
        read -r -a PACKAGES <<<"$2"; shift 2 ;;
      --packages=*) read -r -a PACKAGES <<<"${1#*=}"; shift ;;
      --wheels-dir) (($# >= 2)) || die "--wheels-dir needs a directory ($USAGE)"
        WHEELS_DIR=$2; shift 2 ;;
      --wheels-dir=*) WHEELS_DIR=${1#*=}; shift ;;
      --force) FORCE=1; shift ;;
      -*) die "unknown option '$1' ($USAGE)" ;;
      *) ((have_dest == 0)) || die "only one DEST may be given, got '$dest_arg' and '$1'"
        dest_arg=$1 have_dest=1; shift ;;
    esac
  done
  [[ -n $dest_arg ]] || die "DEST is missing ($USAGE)"
  DEST=$(absolute_dest "$dest_arg")
  local spec
  for spec in "${PACKAGES[@]}"; do
    # pip would read a leading '-' as an option (e.g. --index-url).
    [[ $spec != -* ]] || die "package spec '$spec' starts with '-'; give only requirement specs to --packages"
  done
  if [[ -n $WHEELS_DIR ]]; then
    [[ -d $WHEELS_DIR ]] || die "--wheels-dir '$WHEELS_DIR' is not a directory"
    WHEELS_DIR=$(cd -- "$WHEELS_DIR" && pwd -P)
  fi
}

# DEST as an absolute path, physical where it exists (sys.prefix will be).
absolute_dest() {
  local parent name
  parent=$(dirname -- "$1") name=$(basename -- "$1")
  [[ $name != . && $name != .. && $name != / ]] || die "DEST '$1' must name a directory to create"
  if [[ -d $parent ]]; then
    parent=$(cd -- "$parent" && pwd -P)
  else
    parent=$(realpath -m -- "$parent")
  fi
  local dest=${parent%/}/$name
  # The path is written into shebangs, sysconfigdata (a Python literal) and
  # JSON: keep to characters that need no quoting anywhere.
  [[ $dest =~ ^[A-Za-z0-9._+@%=,:/-]+$ ]] ||
    die "DEST '$dest' has characters other than letters, digits and ._+@%=,:/- ; choose a plainer path"
  echo "$dest"
}

# Refuse to overwrite anything that is not an earlier prefix of ours.
check_dest_free() {
  if [[ -L $DEST || (-e $DEST && ! -d $DEST) ]]; then
    die "DEST '$DEST' exists and is not a directory; remove it or choose another DEST"
  fi
  [[ -d $DEST && -n $(ls -A -- "$DEST") ]] || return 0
  ((FORCE)) || die "DEST '$DEST' exists and is not empty; use --force to replace it"
  [[ -d $DEST/conda-meta ]] ||
    die "DEST '$DEST' is not empty and has no conda-meta/, so --force will not replace it; remove it yourself"
}

# The CPython to copy: an explicit prefix, else the base of python3 on PATH
# (base_prefix sees through a venv; a pyenv shim resolves to its version).
find_source() {
  SRC=${MLC_SOURCE_PYTHON_PREFIX:-}
  if [[ -z $SRC ]]; then
    SRC=$(python3 -c 'import sys; print(sys.base_prefix)' 2>/dev/null) ||
      die "no usable python3 on PATH; set MLC_SOURCE_PYTHON_PREFIX to a CPython prefix"
  fi
  [[ -x $SRC/bin/python3 ]] || die "source prefix '$SRC' has no bin/python3; set MLC_SOURCE_PYTHON_PREFIX to a CPython prefix"
  local facts
  facts=$("$SRC/bin/python3" -I -c 'import sys, platform
print(platform.python_implementation(), "%d.%d" % sys.version_info[:2], platform.python_version())') ||
    die "'$SRC/bin/python3' does not run; set MLC_SOURCE_PYTHON_PREFIX to a working CPython prefix"
  local impl
  read -r impl PYVER PYFULL <<<"$facts"
  [[ $impl == CPython ]] || die "source '$SRC' is $impl, not CPython"
  [[ -x $SRC/bin/python$PYVER && -f $SRC/lib/python$PYVER/os.py ]] ||
    die "source prefix '$SRC' lacks bin/python$PYVER or lib/python$PYVER; set MLC_SOURCE_PYTHON_PREFIX"
  case $DEST/ in "$SRC"/*) die "DEST '$DEST' is inside the source prefix '$SRC'" ;; esac
}

ensure_patchelf() {
  command -v patchelf >/dev/null && return 0
  ((EUID == 0)) || die "patchelf is missing; install it (sudo apt-get install -y patchelf) and retry"
  command -v apt-get >/dev/null || die "patchelf is missing and there is no apt-get; install patchelf and retry"
  log "installing patchelf"
  export DEBIAN_FRONTEND=noninteractive
  quiet apt-get install -y patchelf || { quiet apt-get update && quiet apt-get install -y patchelf; } ||
    fail "could not install patchelf with apt-get"
}

# Copy the interpreter, its shared library and the stdlib (minus what no image
# needs). tar keeps modes and mtimes, and can exclude while it copies.
copy_python() {
  local items=("bin/python$PYVER") item
  if patchelf --print-needed "$SRC/bin/python$PYVER" | grep -q '^libpython'; then
    for item in "$SRC"/lib/libpython*.so*; do items+=("lib/${item##*/}"); done
  fi
  for item in "bin/python$PYVER-config" lib/pkgconfig "lib/python$PYVER"; do
    [[ -e $SRC/$item ]] && items+=("$item")
  done
  # Headers let pip build an sdist; keep them unless they are oddly large.
  [[ -d $SRC/include/python$PYVER && $(du -sk "$SRC/include/python$PYVER" | cut -f1) -lt 20000 ]] &&
    items+=("include/python$PYVER")
  local lib=lib/python$PYVER
  tar -C "$SRC" -cf - --exclude="$lib/test" --exclude="$lib/idlelib" --exclude="$lib/tkinter" \
    --exclude="$lib/turtledemo" --exclude="$lib/site-packages" --exclude=__pycache__ \
    --exclude='libpython*.a' "${items[@]}" | tar -C "$BUILD" -xf - || return 1
  mkdir -p "$BUILD/$lib/site-packages" || return 1
  ln -s "python$PYVER" "$BUILD/bin/python3" && ln -s "python$PYVER" "$BUILD/bin/python" || return 1
  if [[ -e $BUILD/bin/python$PYVER-config ]]; then
    ln -s "python$PYVER-config" "$BUILD/bin/python3-config" || return 1
  fi
}

# RUNPATHs still name the source prefix: make them $ORIGIN-relative, as conda's
# are, so the copy finds its own libpython wherever it is mounted.
# (Called under `||`, where set -e is off: every step checks itself.)
# shellcheck disable=SC2016  # $ORIGIN is for the dynamic loader, not the shell
make_relocatable() {
  patchelf --set-rpath '$ORIGIN/../lib' "$BUILD/bin/python$PYVER" || return 1
  local so
  for so in "$BUILD"/lib/libpython*.so* "$BUILD/lib/python$PYVER"/lib-dynload/*.so; do
    [[ -f $so && ! -L $so ]] || continue
    [[ -n $(patchelf --print-rpath "$so") ]] || continue
    if [[ $so == */lib-dynload/* ]]; then
      patchelf --set-rpath '$ORIGIN/../..' "$so" || return 1
    else
      patchelf --set-rpath '$ORIGIN' "$so" || return 1
    fi
  done
  helper rewrite "$BUILD" "$SRC" "$DEST"
}

# Run the Python helper (make-python-prefix-helper.py, beside this script)
# with the new interpreter. -I: no PYTHON* variables, no user site, not the
# script's directory on sys.path; -B: no stray .pyc holding the build path.
HELPER_PY=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)/make-python-prefix-helper.py
helper() { "$BUILD/bin/python$PYVER" -I -B "$HELPER_PY" "$@"; }

# pip from ensurepip's bundled wheels, run straight from the wheel so that it
# installs with --no-compile (ensurepip itself cannot; see compile_all).
bootstrap_pip() {
  local bundled=$BUILD/lib/python$PYVER/ensurepip/_bundled wheels=() whl
  for whl in "$bundled"/*.whl; do wheels+=("$whl"); done
  local pip_whl=("$bundled"/pip-*.whl)
  pip_env "$BUILD/bin/python$PYVER" -I -B "${pip_whl[0]}/pip" install --no-index --no-compile \
    --no-warn-script-location --root-user-action=ignore --disable-pip-version-check "${wheels[@]}"
}

# Whatever PIP_* settings the caller has, install into this prefix only.
pip_env() {
  env -u PIP_TARGET -u PIP_PREFIX -u PIP_ROOT -u PIP_EDITABLE PIP_USER=0 PIP_REQUIRE_VIRTUALENV=0 \
    PYTHONDONTWRITEBYTECODE=1 "$@"
}

install_packages() {
  ((${#PACKAGES[@]})) || return 0
  local source=()
  [[ -n $WHEELS_DIR ]] && source=(--no-index --find-links "$WHEELS_DIR")
  pip_env "$BUILD/bin/python$PYVER" -I -B -m pip install --no-compile --no-warn-script-location \
    --root-user-action=ignore --disable-pip-version-check --no-input --progress-bar off \
    "${source[@]}" "${PACKAGES[@]}"
}

# One compile of the whole lib/ after everything is in place, with the final
# path as co_filename (-s/-p) so no .pyc names DEST.tmp.PID; then the .pyc
# files go into the RECORDs, as a default pip install leaves them. Compile
# errors are only logged, as pip does: some packages ship broken .py files.
compile_all() {
  helper compile "$BUILD" "$DEST" || log "compileall reported errors (ignored)"
}

verify_build() {
  helper verify "$BUILD"
}

# Move the build into place; --force first moves an old prefix aside so a
# failure here can put it back (on_exit).
publish() {
  chmod -R a+rX,go-w -- "$BUILD"
  if [[ -d $DEST && -n $(ls -A -- "$DEST") ]]; then
    ((FORCE)) || die "DEST '$DEST' appeared during the build and is not empty; it was left alone"
    OLD=$DEST.old.$$
    mv -T -- "$DEST" "$OLD"
  fi
  mv -T -- "$BUILD" "$DEST" || die "could not rename the build to '$DEST'"
  BUILD=
  if [[ -n $OLD ]]; then rm -rf -- "$OLD"; OLD=; fi
  local prefix
  prefix=$("$DEST/bin/python$PYVER" -I -c 'import sys; print(sys.prefix)')
  [[ $prefix == "$DEST" ]] || die "the new interpreter reports sys.prefix '$prefix' instead of '$DEST'"
}

main() {
  parse_args "$@"
  check_dest_free
  find_source
  LOG=$(mktemp "${TMPDIR:-/tmp}/make-python-prefix.XXXXXX.log")
  ensure_patchelf
  # The parent (e.g. the repo's build/) is created if missing, and kept.
  if ! mkdir -p -- "$(dirname -- "$DEST")" 2>/dev/null || ! mkdir -- "$DEST.tmp.$$" 2>/dev/null; then
    die "cannot create the build directory '$DEST.tmp.$$'"
  fi
  BUILD=$DEST.tmp.$$

  log "copy $SRC -> $BUILD"
  quiet copy_python || fail "copying Python from '$SRC' failed"
  log "relocate"
  quiet make_relocatable || fail "making the interpreter relocatable failed"
  log "bootstrap pip"
  quiet bootstrap_pip || fail "installing pip from ensurepip's wheels failed"
  log "pip install ${PACKAGES[*]}"
  quiet install_packages || fail "pip could not install: ${PACKAGES[*]}"
  log "finish pip metadata"
  quiet helper finish-pip "$BUILD" "$DEST" "${PACKAGES[@]}" || fail "rewriting pip metadata failed"
  log "compile"
  quiet compile_all
  log "conda-meta"
  quiet helper conda-meta "$BUILD" "$DEST" "${PACKAGES[@]}" || fail "writing conda-meta failed"
  log "verify"
  quiet verify_build || fail "the new prefix does not work"
  publish
  echo "prefix ready: $DEST (python $PYFULL)"
}

main "$@"
