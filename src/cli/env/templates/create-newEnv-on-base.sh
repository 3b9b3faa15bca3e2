@MLC_HEADER@
# Create an mlc extended env on this image's Python and enter it:
#     source create-newEnv-on-base.sh -p myEnv [mlc env create options]
# The base and mlc are found relative to this file, so the same file works
# inside the container and on the host when the image is reached elsewhere.
if [ -n "${ZSH_VERSION:-}" ]; then
  eval '_mlc_self=${(%):-%x}'
else
  eval '_mlc_self=${BASH_SOURCE[0]}'
fi
# Logical path (no -P): on CVMFS the image name is stable, its target is not.
_mlc_dir=$(cd -- "$(dirname -- "$_mlc_self")" && pwd) || { unset _mlc_self; return 1; }
_mlc_base=@MLC_BASE_EXPR@
_mlc_cmd=( @MLC_COMMAND_WORDS@ )
unset _mlc_self _mlc_dir
case "${1-}" in
  -h | --help)
    "${_mlc_cmd[@]}" env create --help
    unset _mlc_base _mlc_cmd
    return 0
    ;;
  '')
    printf '%s\n' 'usage: source create-newEnv-on-base.sh -p PREFIX [--no-kernel] [--display-name NAME] (-h for all options)' >&2
    unset _mlc_base _mlc_cmd
    return 2
    ;;
esac
if _mlc_activate=$("${_mlc_cmd[@]}" env create --base "$_mlc_base" --print-activate-path "$@"); then
  unset _mlc_base _mlc_cmd
  . "$_mlc_activate"
  unset _mlc_activate
else
  unset _mlc_base _mlc_cmd _mlc_activate
  return 1
fi
@MLC_FOOTER@
