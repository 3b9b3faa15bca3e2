"""A stand-in for micromamba in the tests, built on py-rattler (a real conda
solver and installer): micromamba, mamba and conda are not installable here.
It speaks the subset of micromamba's documented command line mlc uses and
answers in micromamba's documented --json shape:

    micromamba install -p PREFIX -y [--json] [--dry-run] [--offline]
               [-c CHANNEL]... [--override-channels] -- SPEC...
    micromamba remove -p PREFIX -y [--json] [--dry-run] -- NAME...

    {"actions": {"FETCH": [...], "LINK": [...], "UNLINK": [...], "PREFIX": P},
     "dry_run": bool, "prefix": P, "success": true}

Packages are cached in $MAMBA_ROOT_PREFIX/pkgs (else ~/.cache/mlc-micromamba-
stand-in/pkgs). With no -c it knows no channel (it reads no .condarc).
Errors: a line on stderr, exit 1.
"""

import asyncio
import glob
import json
import os
import sys

from rattler import MatchSpec, PrefixRecord, install, solve

USAGE = "usage: micromamba {install,remove} -p PREFIX -y [--json] [--dry-run] [-c CHANNEL]... [--override-channels] [--offline] -- SPEC..."


def fail(message):
    sys.stderr.write(f"critical libmamba {message}\n")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(1)


def parse(argv):
    if not argv or argv[0] not in ("install", "remove", "uninstall"):
        fail(USAGE)
    options = {"command": "remove" if argv[0] == "uninstall" else argv[0], "prefix": None, "channels": [], "specs": []}
    flags = {"-y": "yes", "--yes": "yes", "--json": "json", "--dry-run": "dry_run", "--override-channels": "override", "--offline": "offline"}
    rest = argv[1:]
    i = 0
    while i < len(rest):
        arg = rest[i]
        if arg == "--":
            options["specs"].extend(rest[i + 1:])
            break
        if arg in flags:
            options[flags[arg]] = True
        elif arg in ("-p", "--prefix", "-c", "--channel"):
            if i + 1 >= len(rest):
                fail(f"option {arg} needs a value")
            i += 1
            if arg in ("-p", "--prefix"):
                options["prefix"] = rest[i]
            else:
                options["channels"].append(rest[i])
        elif arg.startswith("-"):
            fail(f"The following argument was not expected: {arg}")
        else:
            options["specs"].append(arg)
        i += 1
    if not options["prefix"]:
        fail("no prefix given (-p)")
    if not options["specs"]:
        fail("nothing to do: no spec given")
    return options


def key(record):
    return (record.name.normalized, str(record.version), str(record.build))


def channel_of(record):
    url = str(record.url or "")
    base = url.rsplit("/", 2)[0] if url.count("/") >= 3 else str(record.channel or "")
    return base


def hexdigest(value):
    if value is None:
        return None
    return value.hex() if isinstance(value, (bytes, bytearray)) else str(value)


def entry(record):
    name, version, build = record.name.source, str(record.version), str(record.build)
    found = {
        "base_url": channel_of(record),
        "build_number": int(record.build_number),
        "build_string": build,
        "channel": channel_of(record),
        "dist_name": f"{name}-{version}-{build}",
        "name": name,
        "platform": str(record.subdir),
        "version": version,
        "fn": str(record.file_name),
        "url": str(record.url or ""),
    }
    for field in ("md5", "sha256"):
        digest = hexdigest(getattr(record, field, None))
        if digest:
            found[field] = digest
    return found


async def main(options):
    prefix = os.path.abspath(options["prefix"])
    if not os.path.isdir(os.path.join(prefix, "conda-meta")):
        fail(f"{prefix} is not a conda environment (no conda-meta)")
    installed = [PrefixRecord.from_path(p) for p in sorted(glob.glob(os.path.join(prefix, "conda-meta", "*.json")))]
    if options["command"] == "remove":
        names = {MatchSpec(spec).name.normalized for spec in options["specs"]}
        missing = names - {r.name.normalized for r in installed}
        if missing:
            fail(f"no package named {', '.join(sorted(missing))} is installed in {prefix}")
        desired = [r for r in installed if r.name.normalized not in names]
        fetched = []
    else:
        if not options["channels"]:
            fail("no channel given (-c CHANNEL): the stand-in reads no .condarc")
        sources = [c if "://" in c or not c.startswith("/") else "file://" + c for c in options["channels"]]
        try:
            specs = [MatchSpec(spec) for spec in options["specs"]]
        except Exception as error:  # rattler says what is wrong with the spec
            fail(f"invalid spec: {error}")
        try:
            solved = await solve(sources=sources, specs=specs, locked_packages=installed, platforms=["linux-64", "noarch"], virtual_packages=[])
        except Exception as error:
            fail(f"could not solve for the environment specs: {str(error).splitlines()[0] if str(error) else type(error).__name__}")
        names = {r.name.normalized for r in solved}
        desired = solved + [r for r in installed if r.name.normalized not in names]
        fetched = solved
    have = {key(r) for r in installed}
    want = {key(r) for r in desired}
    link = [r for r in desired if key(r) not in have]
    unlink = [r for r in installed if key(r) not in want]
    actions = {"PREFIX": prefix}
    if link:
        actions["LINK"] = [entry(r) for r in link]
        actions["FETCH"] = [entry(r) for r in link if r in fetched]
    if unlink:
        actions["UNLINK"] = [entry(r) for r in unlink]
    if (link or unlink) and not options.get("dry_run"):
        root = os.environ.get("MAMBA_ROOT_PREFIX") or os.path.join(os.path.expanduser("~"), ".cache", "mlc-micromamba-stand-in")
        await install(desired, target_prefix=prefix, cache_dir=os.path.join(root, "pkgs"), installed_packages=installed, show_progress=False)
    answer = {"dry_run": bool(options.get("dry_run")), "prefix": prefix, "success": True}
    if link or unlink:
        answer["actions"] = actions
    else:
        answer["message"] = "All requested packages already installed"
    if options.get("json"):
        print(json.dumps(answer, indent=2))
    else:
        for r in unlink:
            print(f"  - {r.name.source} {r.version} {r.build}")
        for r in link:
            print(f"  + {r.name.source} {r.version} {r.build}")


asyncio.run(main(parse(sys.argv[1:])))
# py-rattler's Tokio threads may touch the interpreter while it finalizes
# (see conda_channel.py): everything is written, leave without finalizing.
sys.stdout.flush()
sys.stderr.flush()
os._exit(0)
