return 0
# csh and tcsh jump here from the first lines and read no further.
mlc_csh_end:
