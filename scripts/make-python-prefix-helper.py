"""The Python half of scripts/make-python-prefix.sh: run by the new prefix's
own interpreter (so it needs nothing installed), as
`python3.X -I -B make-python-prefix-helper.py COMMAND ARGS...`.
Commands: rewrite, finish-pip, compile, conda-meta, verify.
"""
import base64
import compileall
import csv
import hashlib
import json
import os
import platform
import re
import shutil
import sys
import time

CHANNEL = "https://conda.anaconda.org/conda-forge"
PLACEHOLDER = "/opt/anaconda1anaconda2anaconda3"  # conda's classic prefix placeholder
PYVER = "%d.%d" % sys.version_info[:2]
SUBDIR = {"x86_64": "linux-64", "aarch64": "linux-aarch64"}.get(platform.machine(), "linux-" + platform.machine())


def files_under(root):
    for d, dirs, names in os.walk(root):
        dirs.sort()
        for n in sorted(names):
            yield os.path.join(d, n)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def rewrite(root, old, new):
    """Replace OLD by NEW in the text files under ROOT, as conda does with its
    prefix placeholder (binaries are left alone: their paths are only fallbacks)."""
    old, new = old.encode(), new.encode()
    for path in files_under(root):
        if os.path.islink(path) or path.endswith(".pyc"):
            continue
        data = read(path)
        if old in data and b"\0" not in data:
            with open(path, "wb") as f:
                f.write(data.replace(old, new))


def site_packages(prefix):
    return os.path.join(prefix, "lib", "python" + PYVER, "site-packages")


def dist_infos(site):
    return sorted(os.path.join(site, n) for n in os.listdir(site) if n.endswith(".dist-info"))


def canon(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def metadata(dist_info):
    """The METADATA header fields and all its Requires-Dist."""
    from email.parser import HeaderParser
    with open(os.path.join(dist_info, "METADATA"), encoding="utf-8") as f:
        fields = HeaderParser().parse(f)
    return fields, fields.get_all("Requires-Dist") or []


def record_rows(dist_info):
    with open(os.path.join(dist_info, "RECORD"), newline="", encoding="utf-8") as f:
        return [row for row in csv.reader(f) if row]


def with_pycs(site, rows):
    """RECORD rows plus the .pyc files compiled for its .py files, as a pip
    install that compiles (the default) records them; RECORD stays last."""
    import importlib.util
    known = {row[0] for row in rows}
    extra = []
    for row in rows:
        if row[0].endswith(".py"):
            pyc = importlib.util.cache_from_source(os.path.join(site, row[0]))
            rel = os.path.relpath(pyc, site)
            if os.path.isfile(pyc) and rel not in known:
                extra.append([rel, *map(str, record_hash(pyc))])
    last = [row for row in rows if row[0].endswith(".dist-info/RECORD")]
    return [row for row in rows if row not in last] + extra + last


def record_hash(path):
    data = read(path)
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode(), len(data)


def refresh_records(site, add_pycs=False):
    """Make RECORD hashes match files we rewrote (shebangs, INSTALLER)."""
    for dist_info in dist_infos(site):
        path = os.path.join(dist_info, "RECORD")
        newline = "\r\n" if b"\r\n" in read(path) else "\n"
        rows = record_rows(dist_info)
        if add_pycs:
            rows = with_pycs(site, rows)
        changed = add_pycs
        for row in rows:
            target = os.path.join(site, row[0])
            if len(row) >= 3 and row[1] and os.path.isfile(target):
                digest, size = record_hash(target)
                if [digest, str(size)] != row[1:3]:
                    row[1:3], changed = [digest, str(size)], True
        if changed:
            with open(path, "w", newline="", encoding="utf-8") as f:
                csv.writer(f, lineterminator=newline).writerows(rows)


def conda_owned_candidate(site, specs):
    """ipykernel if installed, else the first requested package."""
    names = ["ipykernel"] + [m.group(0) for m in (re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", s) for s in specs) if m]
    installed = {canon(metadata(d)[0].get("Name", "")): d for d in dist_infos(site)}
    for name in names:
        if canon(name) in installed:
            return installed[canon(name)]
    return None


def finish_pip(build, final, *specs):
    site = site_packages(build)
    rewrite(build, build, final)  # pip wrote the build path into script shebangs
    owned = conda_owned_candidate(site, specs)
    if owned:
        with open(os.path.join(owned, "INSTALLER"), "w") as f:
            f.write("conda\n")
    refresh_records(site)


def compile_tree(build, final):
    ok = compileall.compile_dir(os.path.join(build, "lib", "python" + PYVER), quiet=1, force=True,
                                workers=0, stripdir=build, prependdir=final,
                                rx=re.compile(r"/lib2to3/tests/data/"))
    refresh_records(site_packages(build), add_pycs=True)
    sys.exit(0 if ok else 1)


def sha256_size(path):
    data = read(path)  # follows symlinks: conda records the target's content
    return hashlib.sha256(data).hexdigest(), len(data), data


def path_entry(build, final, rel, noarch):
    path = os.path.join(build, rel)
    if noarch and rel.endswith(".pyc"):
        return {"_path": rel, "path_type": "pyc_file"}  # compiled at link time
    digest, size, data = sha256_size(path)
    entry = {"_path": rel, "path_type": "softlink" if os.path.islink(path) else "hardlink",
             "sha256": digest, "size_in_bytes": size}
    if entry["path_type"] == "hardlink" and b"\0" not in data and final.encode() in data:
        entry.update(file_mode="text", prefix_placeholder=PLACEHOLDER)
    return entry


def write_record(build, final, name, version, build_str, build_number, subdir, rels, depends,
                 license, requested, timestamp, noarch=False):
    dist = "%s-%s-%s" % (name, version, build_str)
    fn = dist + ".conda"
    rels = sorted(rels)
    paths = [path_entry(build, final, r, noarch) for r in rels]
    record = {
        "arch": None if noarch else platform.machine(),
        "platform": None if noarch else "linux",
        "name": name, "version": version, "build": build_str, "build_number": build_number,
        "channel": "%s/%s" % (CHANNEL, subdir), "subdir": subdir,
        "fn": fn, "url": "%s/%s/%s" % (CHANNEL, subdir, fn),
        # No archive exists: synthetic, deterministic archive hashes.
        "md5": hashlib.md5(("synthetic:" + fn).encode()).hexdigest(),
        "sha256": hashlib.sha256(("synthetic:" + fn).encode()).hexdigest(),
        "size": sum(p["size_in_bytes"] for p in paths if p["path_type"] == "hardlink"),
        "depends": depends, "constrains": [], "license": license,
        "timestamp": timestamp, "requested_spec": requested,
        "files": rels, "paths_data": {"paths": paths, "paths_version": 1},
        "link": {"source": "%s/pkgs/%s" % (final, dist), "type": 1},
        "extracted_package_dir": "%s/pkgs/%s" % (final, dist),
        "package_tarball_full_path": "%s/pkgs/%s" % (final, fn),
    }
    if noarch:
        record.update(noarch="python", package_type="noarch_python")
    with open(os.path.join(build, "conda-meta", dist + ".json"), "w") as f:
        json.dump(record, f, indent=2, sort_keys=True)
        f.write("\n")
    return "%s/%s::%s" % (CHANNEL, subdir, dist)


def adopt_system_libs(build):
    """Copy the libssl/libcrypto/libz this interpreter really loads into lib/
    (soname and dev symlinks too), so openssl and libzlib own real files."""
    import ssl
    import zlib
    with open("/proc/self/maps") as f:
        mapped = sorted({line.split()[-1] for line in f if "/" in line})
    owned = {"openssl": [], "libzlib": []}
    for path in mapped:
        base = os.path.basename(path)
        m = re.match(r"(lib(ssl|crypto|z)\.so)((\.\d+)*)$", base)
        if not m:
            continue
        pkg = "libzlib" if m.group(2) == "z" else "openssl"
        lib = os.path.join(build, "lib")
        if not path.startswith(build + "/"):
            shutil.copy2(path, os.path.join(lib, base))
        soname = m.group(1) + (("." + m.group(3).split(".")[1]) if m.group(3) else "")
        names = [base]
        for link in (soname, m.group(1)):
            if link not in names:
                if not os.path.lexists(os.path.join(lib, link)):
                    os.symlink(names[-1], os.path.join(lib, link))
                names.append(link)
        owned[pkg] += ["lib/" + n for n in names]
    openssl = re.search(r"\d+\.\d+\.\d+[a-z]?", ssl.OPENSSL_VERSION).group(0)
    return owned, openssl, zlib.ZLIB_RUNTIME_VERSION


def license_of(fields):
    text = fields.get("License-Expression") or fields.get("License") or ""
    return text if text and len(text) < 60 and "\n" not in text else "unknown"


def conda_depends(requires):
    """Requires-Dist that apply here, spelt as conda match specs ("comm >=0.1.1")."""
    from pip._vendor.packaging.requirements import Requirement
    depends = []
    for text in requires:
        req = Requirement(text)
        if req.marker is None or req.marker.evaluate({"extra": ""}):
            depends.append(("%s %s" % (canon(req.name), req.specifier)).strip())
    return sorted(depends)


def pip_files(build, site, dist_info):
    """Prefix-relative files of one pip distribution, plus its .pyc files."""
    import importlib.util
    files = set()
    for row in record_rows(dist_info):
        path = os.path.normpath(os.path.join(site, row[0]))
        if os.path.isfile(path):
            files.add(os.path.relpath(path, build))
            if path.endswith(".py"):
                pyc = importlib.util.cache_from_source(path)
                if os.path.isfile(pyc):
                    files.add(os.path.relpath(pyc, build))
    return files


def conda_meta(build, final, *specs):
    os.makedirs(os.path.join(build, "conda-meta"))
    site = site_packages(build)
    libs, openssl, zlib_version = adopt_system_libs(build)
    pip_owned, conda_dist = set(), None
    for dist_info in dist_infos(site):
        files = pip_files(build, site, dist_info)
        pip_owned |= files
        if read(os.path.join(dist_info, "INSTALLER")).strip() == b"conda":
            conda_dist = (dist_info, files)
    site_rel = os.path.relpath(site, build) + "/"
    lib_files = set(libs["openssl"] + libs["libzlib"])
    python_files = [os.path.relpath(p, build) for p in files_under(build)]
    python_files = [r for r in python_files if r not in pip_owned and r not in lib_files
                    and not r.startswith(site_rel) and not r.startswith("conda-meta/")]
    when = 1702000000000  # build timestamps (ms), as conda-forge records them
    dists = [
        write_record(build, final, "libzlib", zlib_version, "hd590300_5", 5, SUBDIR, libs["libzlib"],
                     [], "Zlib", "", when),
        write_record(build, final, "openssl", openssl, "hd590300_0", 0, SUBDIR, libs["openssl"],
                     [], "Apache-2.0", "", when),
        write_record(build, final, "python", platform.python_version(), "hab00c5b_1_cpython", 1, SUBDIR,
                     python_files, ["libzlib >=%s,<2.0.0a0" % zlib_version, "openssl >=%s,<4.0a0" % openssl],
                     "Python-2.0", "python=" + PYVER, when),
    ]
    requested = ["python=" + PYVER]
    if conda_dist:
        fields, requires = metadata(conda_dist[0])
        name = canon(fields["Name"])
        depends = ["python >=%s" % PYVER] + conda_depends(requires)
        dists.append(write_record(build, final, name, fields["Version"], "pyh3099207_0", 0, "noarch",
                                  conda_dist[1], depends, license_of(fields),
                                  name, when, noarch=True))
        requested.append(name)
    with open(os.path.join(build, "conda-meta", "history"), "w") as f:
        f.write("==> %s <==\n" % time.strftime("%Y-%m-%d %H:%M:%S"))
        f.write("# cmd: micromamba create -y -p %s -c conda-forge %s\n" % (final, " ".join(requested)))
        f.write("# conda version: 3.8.0\n")
        f.writelines("+%s\n" % d for d in dists)
        f.write("# update specs: %s\n" % json.dumps(requested))


def verify(build):
    # Imported for their effect: lib-dynload and the adopted libraries must load.
    import ctypes, sqlite3, ssl, zlib  # noqa: F401, E401
    assert sys.prefix == sys.base_prefix == build, "sys.prefix is %s" % sys.prefix
    with open("/proc/self/maps") as f:
        libs = {l.split()[-1] for l in f if re.search(r"/lib(python[\d.]*|ssl|crypto|z)\.so", l)}
    outside = {lib for lib in libs if not lib.startswith(build + "/")}
    assert not outside, "loaded from outside the prefix: %s" % sorted(outside)


COMMANDS = {"rewrite": rewrite, "finish-pip": finish_pip, "compile": compile_tree,
            "conda-meta": conda_meta, "verify": verify}
COMMANDS[sys.argv[1]](*sys.argv[2:])
