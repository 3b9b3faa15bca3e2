#!/usr/bin/env bash
# The maintainer's command: build one of the five ML images from images/.
#
#   scripts/build-image.sh IMAGE [--engine podman|docker] [--py 3.9|3.11|3.12]
#                          [--tag TAG] [--docker-path REF]
#                          [--base-image REF] [--local-prefix DIR] [--local-wheels DIR]
#                          [--mlc bundle|wheel]
#
# IMAGE is ml-base, ml-pyroot, ml-tensorflow-cpu, ml-tensorflow-gpu or
# ml-torch-gpu; the result is localhost/IMAGE:TAG (TAG: alma9-pythonXY).
# It stages a build context (the recipe, images/shared, mlc, and the local
# package source if any), builds, then reads /image.json back with
# `mlc image labels` and adds the image.json facts as labels in a second,
# one-layer-free build step, so a registry client can read them.
#
# --local-prefix DIR (with --base-image) replaces conda-forge by a prefix
# from this machine (PKG_SOURCE=local), for machines that cannot reach
# conda-forge; --local-wheels adds wheels pip installs into it offline.
# --mlc wheel (the default) installs the project's wheel from dist/ (make
# it with `pip wheel --no-deps -w dist .`); --mlc bundle copies the mlc bundle only.
# ENGINE_GLOBAL_FLAGS, ENGINE_BUILD_FLAGS and ENGINE_RUN_FLAGS (words) are
# added to every engine call, build and run, e.g. "--runtime runc" on
# machines where podman's default runtime fails.
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$(pwd -P)
IMAGES=(ml-base ml-pyroot ml-tensorflow-cpu ml-tensorflow-gpu ml-torch-gpu)

die() {
    echo "build-image: error: $*" >&2
    exit 2
}

image=${1:-}
[ -n "$image" ] || die "name the image to build: ${IMAGES[*]}"
shift
[[ " ${IMAGES[*]} " == *" $image "* ]] || die "unknown image '$image'; choose one of: ${IMAGES[*]}"

engine=podman py=3.11 tag= docker_path= base_image= local_prefix= local_wheels= mlc_kind=wheel
while [ $# -gt 0 ]; do
    case "$1" in
    --engine) engine=${2:?--engine needs podman or docker}; shift 2 ;;
    --py) py=${2:?--py needs 3.9, 3.11 or 3.12}; shift 2 ;;
    --tag) tag=${2:?--tag needs a tag}; shift 2 ;;
    --docker-path) docker_path=${2:?--docker-path needs a reference}; shift 2 ;;
    --base-image) base_image=${2:?--base-image needs an image reference}; shift 2 ;;
    --local-prefix) local_prefix=${2:?--local-prefix needs a directory}; shift 2 ;;
    --local-wheels) local_wheels=${2:?--local-wheels needs a directory}; shift 2 ;;
    --mlc) mlc_kind=${2:?--mlc needs bundle or wheel}; shift 2 ;;
    *) die "unknown option '$1'; see the usage at the top of scripts/build-image.sh" ;;
    esac
done
case "$engine" in podman | docker) ;; *) die "--engine $engine: use podman or docker" ;; esac
case "$py" in 3.9 | 3.11 | 3.12) ;; *) die "--py $py is not supported; use 3.9, 3.11 or 3.12" ;; esac
case "$mlc_kind" in bundle | wheel) ;; *) die "--mlc $mlc_kind: use bundle or wheel" ;; esac
command -v "$engine" >/dev/null || die "$engine is not installed"
[ -z "$local_prefix" ] || [ -x "$local_prefix/bin/python3" ] || die "--local-prefix $local_prefix has no bin/python3"
[ -z "$local_wheels" ] || [ -d "$local_wheels" ] || die "--local-wheels $local_wheels is not a directory"
[ -z "$local_prefix" ] || [ -n "$base_image" ] || die "--local-prefix needs --base-image (the local source is not AlmaLinux's dnf)"
tag=${tag:-alma9-python${py/./}}
target="localhost/$image:$tag"

read -r -a global_flags <<<"${ENGINE_GLOBAL_FLAGS:-}"
read -r -a build_flags <<<"${ENGINE_BUILD_FLAGS:-}"
read -r -a run_flags <<<"${ENGINE_RUN_FLAGS:-}"
run_engine() { "$engine" "${global_flags[@]}" "$@"; }

context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
mkdir -p "$context/dist" "$context/local-prefix" "$context/local-wheels"
cp -a "$REPO/images/shared" "$context/shared"
cp "$REPO/images/$image/Containerfile" "$context/Containerfile"
if [ "$mlc_kind" = wheel ]; then
    wheel=$(ls -t "$REPO"/dist/jupyterlab_ml_containers-*.whl 2>/dev/null | head -n 1 || true)
    [ -n "$wheel" ] || die "no dist/jupyterlab_ml_containers-*.whl; build it (.venv/bin/python -m pip wheel --no-deps -w dist .) or pass --mlc bundle"
    cp "$wheel" "$context/dist/"
else
    [ -f "$REPO/jupyterlab_ml_containers/mlc/mlc.cjs" ] || die "no mlc bundle; run npm run build:cli"
    cp "$REPO/jupyterlab_ml_containers/mlc/mlc.cjs" "$REPO/jupyterlab_ml_containers/mlc/mlc" "$context/dist/"
fi
[ -z "$local_prefix" ] || cp -a "$local_prefix/." "$context/local-prefix/"
[ -z "$local_wheels" ] || cp -a "$local_wheels/." "$context/local-wheels/"

args=(--build-arg "PyVer=$py" --build-arg "IMAGE_TAG=$tag")
[ -z "$docker_path" ] || args+=(--build-arg "DOCKER_PATH=$docker_path")
[ -z "$base_image" ] || args+=(--build-arg "BASE_IMAGE=$base_image")
[ -z "$local_prefix" ] || args+=(--build-arg PKG_SOURCE=local --network none)
stage="localhost/$image:$tag-unlabelled"
run_engine build "${build_flags[@]}" "${args[@]}" -t "$stage" -f "$context/Containerfile" "$context"

# The image.json facts as labels: read back from the image itself.
labels=()
while IFS= read -r line; do
    [ -n "$line" ] && labels+=(--label "$line")
done < <(run_engine run --rm --network none "${run_flags[@]}" "$stage" mlc image labels --image /image.json)
[ ${#labels[@]} -gt 0 ] || die "mlc image labels printed nothing for $stage"
printf 'FROM %s\n' "$stage" >"$context/Containerfile.labels"
run_engine build "${build_flags[@]}" "${labels[@]}" -t "$target" -f "$context/Containerfile.labels" "$context"
run_engine rmi "$stage" >/dev/null 2>&1 || true
echo "build-image: built $target"
