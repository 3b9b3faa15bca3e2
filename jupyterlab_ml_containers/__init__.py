"""Packaging only: ships the prebuilt JupyterLab extension and the bundled mlc tool."""
try:
    from ._version import __version__
except ImportError:  # running from a source tree that was never built
    __version__ = "dev"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "jupyterlab-ml-containers"}]
