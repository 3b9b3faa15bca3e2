"""Build a local conda channel (file://) of small noarch packages for the
env-life tests, the channel the micromamba stand-in installs from.

    python conda_local_channel.py CHANNEL_DIR PACKAGES_JSON

PACKAGES_JSON is a list of {"name", "version", "build"?, "depends"?}; each
package holds bin/NAME (a script printing "NAME VERSION") and
share/NAME/VERSION.txt. CHANNEL_DIR/noarch/repodata.json lists them all.
conda_channel.py builds its one package with write_channel too.
"""

import hashlib
import io
import json
import os
import sys
import tarfile


def write_channel(channel, packages, mtime=1700000000):
    """Write the packages and both subdirs' repodata.json into CHANNEL.

    A package may also give "message" (what bin/NAME prints, default
    "NAME VERSION") and "share" (its file under share/NAME/, default
    VERSION.txt).
    """
    for subdir in ("noarch", "linux-64"):
        os.makedirs(os.path.join(channel, subdir), exist_ok=True)
    entries = {}
    for package in packages:
        name, version = package["name"], package["version"]
        build = package.get("build", "0")
        message = package.get("message", f"{name} {version}")
        share = package.get("share", f"{version}.txt")
        files = {
            f"bin/{name}": (f"#!/bin/sh\necho {message}\n".encode(), 0o755),
            f"share/{name}/{share}": (f"{name} {version}\n".encode(), 0o644),
        }
        index = {
            "name": name,
            "version": version,
            "build": build,
            "build_number": 0,
            "depends": package.get("depends", []),
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
        fn = f"{name}-{version}-{build}.tar.bz2"
        archive = os.path.join(channel, "noarch", fn)
        with tarfile.open(archive, "w:bz2") as tar:
            members = [("info/index.json", json.dumps(index).encode(), 0o644), ("info/paths.json", json.dumps(paths).encode(), 0o644)]
            for member, data, mode in members + [(p, b, m) for p, (b, m) in files.items()]:
                info = tarfile.TarInfo(member)
                info.size, info.mode, info.mtime = len(data), mode, mtime
                tar.addfile(info, io.BytesIO(data))
        with open(archive, "rb") as f:
            data = f.read()
        entries[fn] = dict(index, md5=hashlib.md5(data).hexdigest(), sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    for subdir, listed in (("noarch", entries), ("linux-64", {})):
        with open(os.path.join(channel, subdir, "repodata.json"), "w") as f:
            json.dump({"info": {"subdir": subdir}, "packages": listed, "packages.conda": {}, "repodata_version": 1}, f)


if __name__ == "__main__":
    write_channel(sys.argv[1], json.loads(sys.argv[2]))
