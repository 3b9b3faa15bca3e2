# Enter the extended env in this shell (bash or zsh). User text reaches the
# shell only as single-quoted words below, and the prompt shows the env's
# name through a variable, so no part of a path or name is ever run.
if [ -n "${_MLC_ENV_ACTIVE:-}" ] && command -v deactivate >/dev/null 2>&1; then
  deactivate
fi
_mlc_env=@MLC_ENV_PREFIX@
_mlc_base=@MLC_BASE_PREFIX@
_mlc_name=@MLC_ENV_NAME@
if [ ! -x "$_mlc_env/bin/python" ]; then
  printf 'mlc: the env %s has no working Python (is its base %s reachable?); run: mlc env check %s\n' \
    "$_mlc_env" "$_mlc_base" "$_mlc_env" >&2
  unset _mlc_env _mlc_base _mlc_name
  return 1
fi

# What deactivate puts back (names are fixed words, never user text).
for _mlc_v in PATH PS1 CONDA_PREFIX CONDA_DEFAULT_ENV VIRTUAL_ENV VIRTUAL_ENV_PROMPT JUPYTER_PATH PYTHONHOME; do
  eval "if [ -n \"\${$_mlc_v+x}\" ]; then _MLC_SAVED_$_mlc_v=\$$_mlc_v; else unset _MLC_SAVED_$_mlc_v; fi"
done

# Source the *.sh files of a conda activate.d/deactivate.d directory, if any
# (zsh would fail on a pattern that matches nothing: hence (N) there).
_mlc_env_source_dir() {
  [ -d "$1" ] || return 0
  if [ -n "${ZSH_VERSION:-}" ]; then
    eval 'for _mlc_f in "$1"/*.sh(N); do . "$_mlc_f"; done'
  else
    for _mlc_f in "$1"/*.sh; do
      if [ -f "$_mlc_f" ]; then . "$_mlc_f"; fi
    done
  fi
  unset _mlc_f
  return 0
}

deactivate() {
  _mlc_env_source_dir "$_MLC_ENV_ACTIVE/etc/conda/deactivate.d"
  for _mlc_v in PATH PS1 CONDA_PREFIX CONDA_DEFAULT_ENV VIRTUAL_ENV VIRTUAL_ENV_PROMPT JUPYTER_PATH PYTHONHOME; do
    eval "if [ -n \"\${_MLC_SAVED_$_mlc_v+x}\" ]; then $_mlc_v=\$_MLC_SAVED_$_mlc_v; unset _MLC_SAVED_$_mlc_v; else unset $_mlc_v; fi"
  done
  unset _MLC_ENV_ACTIVE _MLC_ENV_PROMPT _mlc_v
  unset -f deactivate _mlc_env_source_dir
  hash -r 2>/dev/null
  return 0
}

PATH="$_mlc_env/bin:$PATH"
CONDA_PREFIX=$_mlc_env
CONDA_DEFAULT_ENV=$_mlc_name
VIRTUAL_ENV=$_mlc_env
VIRTUAL_ENV_PROMPT=$_mlc_name
# The image's kernels and Jupyter data stay visible (as in the image itself).
JUPYTER_PATH="$_mlc_env/share/jupyter:$_mlc_base/share/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
export PATH CONDA_PREFIX CONDA_DEFAULT_ENV VIRTUAL_ENV VIRTUAL_ENV_PROMPT JUPYTER_PATH
# A PYTHONHOME leaked from the host breaks the env's interpreter.
unset PYTHONHOME
_MLC_ENV_ACTIVE=$_mlc_env

# "(name) " before the prompt. The prompt refers to the name by variable where
# the shell expands prompts, so `$(...)` in a name is shown, never run.
_MLC_ENV_PROMPT=$_mlc_name
if [ -n "${ZSH_VERSION:-}" ]; then
  eval '_MLC_ENV_PROMPT=${_MLC_ENV_PROMPT//\%/%%}
    if [[ -o promptsubst ]]; then PS1="(\${_MLC_ENV_PROMPT}) ${PS1-}"; else PS1="($_MLC_ENV_PROMPT) ${PS1-}"; fi'
elif [ -n "${PS1+x}" ]; then
  eval 'if shopt -q promptvars; then PS1="(\${_MLC_ENV_PROMPT}) $PS1"; else PS1="(${_MLC_ENV_PROMPT//\\/\\\\}) $PS1"; fi'
fi

_mlc_env_source_dir "$_mlc_env/etc/conda/activate.d"

# The base's own activation hooks are mirrored into the env and may set
# JUPYTER_PATH to "$CONDA_PREFIX/share/jupyter" only, dropping the base's
# kernels: put the env and the base first again, then what was there before,
# then what the hooks added (each entry once; ":" never occurs in the paths).
_mlc_jp_add() {
  case ":$_mlc_jp:" in *":$1:"*) ;; *) _mlc_jp="${_mlc_jp:+$_mlc_jp:}$1" ;; esac
}
_mlc_jp_each() {
  _mlc_rest=$1
  while [ -n "$_mlc_rest" ]; do
    _mlc_item=${_mlc_rest%%:*}
    case $_mlc_rest in *:*) _mlc_rest=${_mlc_rest#*:} ;; *) _mlc_rest= ;; esac
    if [ -n "$_mlc_item" ]; then _mlc_jp_add "$_mlc_item"; fi
  done
}
_mlc_jp_hooks=${JUPYTER_PATH:-}
_mlc_jp="$_mlc_env/share/jupyter"
_mlc_jp_add "$_mlc_base/share/jupyter"
_mlc_jp_each "${_MLC_SAVED_JUPYTER_PATH:-}"
_mlc_jp_each "$_mlc_jp_hooks"
JUPYTER_PATH=$_mlc_jp
export JUPYTER_PATH
unset -f _mlc_jp_add _mlc_jp_each
unset _mlc_jp _mlc_jp_hooks _mlc_rest _mlc_item

hash -r 2>/dev/null
unset _mlc_env _mlc_base _mlc_name _mlc_v
