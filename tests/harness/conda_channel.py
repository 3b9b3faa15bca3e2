"""Build one noarch conda package into a file:// channel and act on a prefix
with py-rattler, a real conda installer: the tests' stand-in for micromamba.

    python conda_channel.py PREFIX WORK PYVER ACTION NAME VERSION MESSAGE

ACTION is install or upgrade (to NAME==VERSION) or remove. The package has
bin/NAME (a script printing MESSAGE) and share/NAME/notes.txt. The last line
printed is JSON: {"solved": [names]} (empty for remove).
"""

import asyncio
import glob
import hashlib
import io
import json
import os
import sys
import tarfile
import time

from rattler import PrefixRecord, install, solve

prefix, work, pyver, action, name, version, message = sys.argv[1:8]
channel = os.path.join(work, "channel-" + version)
build = "0"
fn = f"{name}-{version}-{build}.tar.bz2"
files = {
    f"bin/{name}": (f"#!/bin/sh\necho {message}\n".encode(), 0o755),
    f"share/{name}/notes.txt": (b"notes\n", 0o644),
}
index = {
    "name": name,
    "version": version,
    "build": build,
    "build_number": 0,
    "depends": [f"python >={pyver}"],
    "subdir": "noarch",
    "noarch": "generic",
    "license": "BSD-3-Clause",
    "timestamp": 1700000000000,
}
paths = {
    "paths": [
        {"_path": p, "path_type": "hardlink", "sha256": hashlib.sha256(b).hexdigest(), "size_in_bytes": len(b)}
        for p, (b, _) in files.items()
    ],
    "paths_version": 1,
}
for subdir in ("noarch", "linux-64"):
    os.makedirs(os.path.join(channel, subdir), exist_ok=True)
archive = os.path.join(channel, "noarch", fn)
with tarfile.open(archive, "w:bz2") as tar:
    members = [("info/index.json", json.dumps(index).encode(), 0o644), ("info/paths.json", json.dumps(paths).encode(), 0o644)]
    for member, data, mode in members + [(p, b, m) for p, (b, m) in files.items()]:
        info = tarfile.TarInfo(member)
        info.size, info.mode, info.mtime = len(data), mode, int(time.time())
        tar.addfile(info, io.BytesIO(data))
with open(archive, "rb") as f:
    data = f.read()
entry = dict(index, md5=hashlib.md5(data).hexdigest(), sha256=hashlib.sha256(data).hexdigest(), size=len(data))
for subdir, packages in (("noarch", {fn: entry}), ("linux-64", {})):
    with open(os.path.join(channel, subdir, "repodata.json"), "w") as f:
        json.dump({"info": {"subdir": subdir}, "packages": packages, "packages.conda": {}, "repodata_version": 1}, f)


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
