#!/bin/sh
# Written by mlc (jupyterlab-ml-containers). Source it from bash or zsh:
#     source @MLC_SCRIPT_LABEL@
# csh and tcsh stop at the next line with a message (see the label at the end).
test "$?shell" = 1 && /bin/sh -c 'echo @MLC_CSH_MESSAGE_B64@ | base64 -d >&2' && goto mlc_csh_end
# Sourced, or run as a program? Only a sourced script can change this shell.
_mlc_sourced=0
if [ -n "${ZSH_VERSION:-}" ]; then
  case ${ZSH_EVAL_CONTEXT:-} in *:file*) _mlc_sourced=1 ;; esac
elif [ -n "${BASH_VERSION:-}" ]; then
  eval '[ "${BASH_SOURCE[0]}" != "$0" ]' && _mlc_sourced=1
else
  # Another sh: run as a program when $0 is this script, else sourced.
  case ${0##*/} in @MLC_SCRIPT_LABEL@) _mlc_sourced=0 ;; *) _mlc_sourced=other ;; esac
fi
if [ "$_mlc_sourced" != 1 ]; then
  if [ "$_mlc_sourced" = 0 ]; then
    printf '%s\n' @MLC_NOT_SOURCED_MESSAGE@ >&2
  else
    printf '%s\n' @MLC_OTHER_SHELL_MESSAGE@ >&2
  fi
  unset _mlc_sourced
  return 1 2>/dev/null || exit 1
fi
unset _mlc_sourced
