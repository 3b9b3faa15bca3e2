"""Build one noarch conda package into a file:// channel and act on a prefix
with py-rattler, a real conda installer: the tests' stand-in for micromamba.

    python conda_channel.py PREFIX WORK PYVER ACTION NAME VERSION MESSAGE

ACTION is install or upgrade (to NAME==VERSION) or remove. The package has
bin/NAME (a script printing MESSAGE) and share/NAME/notes.txt. The last line
printed is JSON: {"solved": [names]} (empty for remove).
"""

import asyncio
import glob
import json
import os
import sys
import time

from conda_local_channel import write_channel
from rattler import PrefixRecord, install, solve

prefix, work, pyver, action, name, version, message = sys.argv[1:8]
channel = os.path.join(work, "channel-" + version)
# A fresh mtime per run, as each run builds its channel anew.
write_channel(
    channel,
    [{"name": name, "version": version, "depends": [f"python >={pyver}"], "message": message, "share": "notes.txt"}],
    mtime=int(time.time()),
)


async def main():
    installed = [PrefixRecord.from_path(p) for p in sorted(glob.glob(os.path.join(prefix, "conda-meta", "*.json")))]
    solved = []
    if action == "remove":
        desired = [r for r in installed if r.name.normalized != name]
    else:
        solved = await solve(
            sources=["file://" + channel],
            specs=[f"{name}=={version}"],
            locked_packages=installed,
            platforms=["linux-64", "noarch"],
            virtual_packages=[],
        )
        # As conda does, packages the request does not touch stay installed.
        names = {r.name.normalized for r in solved}
        desired = solved + [r for r in installed if r.name.normalized not in names]
    await install(
        desired,
        target_prefix=prefix,
        cache_dir=os.path.join(work, "cache-" + action),
        installed_packages=installed,
        show_progress=False,
    )
    print(json.dumps({"solved": sorted(r.name.normalized for r in solved)}))


asyncio.run(main())
# py-rattler's calls run on a Tokio runtime (pyo3-async-runtimes) whose worker
# threads can still touch the interpreter while it finalizes: now and then the
# process then dies by SIGSEGV/SIGABRT after all its work, with no traceback
# (issue 8 item 12). Everything is written: leave without finalizing.
sys.stdout.flush()
sys.stderr.flush()
os._exit(0)
