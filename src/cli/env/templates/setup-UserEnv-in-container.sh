@MLC_HEADER@
# Re-enter this mlc extended env: inside its container this
# activates it; on the host it starts the container (apptainer or singularity)
# with the recorded image and bind paths and activates it there.
if [ -n "${APPTAINER_CONTAINER:-}${SINGULARITY_CONTAINER:-}" ]; then
@MLC_ACTIVATE@
else
  _mlc_runtime=
  for _mlc_c in apptainer singularity; do
    if command -v "$_mlc_c" >/dev/null 2>&1; then _mlc_runtime=$_mlc_c; break; fi
  done
  if [ -z "$_mlc_runtime" ]; then
    printf '%s\n' 'mlc: neither apptainer nor singularity is on PATH; make one available (e.g. module load apptainer) and source this script again' >&2
    unset _mlc_runtime _mlc_c
    return 1
  fi
  _mlc_image=@MLC_CONTAINER_IMAGE@
  _mlc_script=@MLC_SCRIPT_PATH@
  _mlc_binds=( @MLC_BIND_ARGS@ )
  printf '%s ' "$_mlc_runtime" exec "${_mlc_binds[@]}" "$_mlc_image" /bin/bash --rcfile "$_mlc_script" >&2
  printf '\n' >&2
  "$_mlc_runtime" exec "${_mlc_binds[@]}" "$_mlc_image" /bin/bash --rcfile "$_mlc_script"
  unset _mlc_runtime _mlc_c _mlc_image _mlc_script _mlc_binds
fi
@MLC_FOOTER@
