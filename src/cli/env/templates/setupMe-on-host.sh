@MLC_HEADER@
# Re-enter this mlc extended env on the host.
@MLC_ACTIVATE@
@MLC_FOOTER@
