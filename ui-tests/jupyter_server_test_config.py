"""Jupyter server settings for the UI tests (loaded by start-jupyter.sh).

What Galata needs (its in-page helpers, no token, the app on `window`) plus
this tree's built labextension, without the temporary folders that
jupyterlab.galata.configure_jupyter_server would leave behind.
Never use these settings outside tests: they turn off authentication.
"""
import os
from pathlib import Path

import jupyterlab

state = Path(os.environ["MLC_UI_STATE"])

c.ServerApp.ip = "127.0.0.1"
c.ServerApp.port = int(os.environ["MLC_UI_PORT"])
c.ServerApp.port_retries = 0
c.ServerApp.open_browser = False
# CI machines and containers often run the tests as root.
c.ServerApp.allow_root = True
c.ServerApp.root_dir = str(state / "root")
c.IdentityProvider.token = ""
c.ServerApp.password = ""
c.ServerApp.disable_check_xsrf = True
c.ServerApp.terminado_settings = {"shell_command": ["/bin/bash", "--norc", "--noprofile"]}

# Galata's helpers, and this tree's build (state/labextensions holds a link to it).
c.LabServerApp.extra_labextensions_path = [
    str(Path(jupyterlab.__file__).parent / "galata"),
    str(state / "labextensions"),
]
c.LabApp.expose_app_in_browser = True
c.LabApp.workspaces_dir = str(state / "workspaces")
c.LabApp.user_settings_dir = str(state / "settings")

# Offline and quiet: no news feed, no update check.
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
