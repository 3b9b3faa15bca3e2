"""`mlc env create` of several bundles and the seed's method in the same
round-robin rounds, by CPU time (user + sys from wait4) and wall time.

Each run makes a fresh env on tmpfs, as bench/env-create.mjs does, and the
env is removed (not timed) before the next; the first round is a warm-up.
The base, the seed's archive and its setup script are the ones
bench/env-create.mjs made under build/bench/ (run it once first).

  python3 bench/create-compare.py --node NODE [--runs N] BUNDLE...
"""

import argparse
import os
import shutil
import statistics
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(REPO, "build", "bench")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--node", required=True)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--base", default=os.path.join(BENCH, "base-1x"))
    parser.add_argument("--targets-dir", default="/dev/shm/mlc-create-compare")
    parser.add_argument("bundles", nargs="+")
    args = parser.parse_args()
    os.makedirs(args.targets_dir, exist_ok=True)
    cache = os.path.join(args.targets_dir, "compile-cache")
    env = dict(os.environ, NODE_COMPILE_CACHE=cache)
    seed = [
        "/bin/bash",
        os.path.join(REPO, "bench", "seed", "create-env.sh"),
        None,
        args.base,
        os.path.join(BENCH, "seed-base-1x.tar.gz"),
        os.path.join(BENCH, "setupMe-on-host.sh"),
    ]
    cases = [("node -e 0", [args.node, "-e", "0"], False), ("seed", seed, True)]
    for bundle in args.bundles:
        argv = [args.node, bundle, "env", "create", None, "--base", args.base]
        cases.append((bundle, argv + ["--no-kernel", "--json"], True))
    times = {name: [] for name, _, _ in cases}
    for round_ in range(args.runs + 1):
        shift = round_ % len(cases)
        for name, argv, makes_env in cases[shift:] + cases[:shift]:
            target = os.path.join(args.targets_dir, "env")
            argv = [target if part is None else part for part in argv]
            cpu, wall = run(argv, env, args.targets_dir)
            if makes_env:
                shutil.rmtree(target)
            if round_:
                times[name].append((cpu, wall))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{args.runs} rounds; load average {load}")
    node = statistics.median(cpu for cpu, _ in times["node -e 0"])
    seed_cpu = statistics.median(cpu for cpu, _ in times["seed"])
    for name, pairs in times.items():
        cpu = statistics.median(c for c, _ in pairs)
        wall = statistics.median(w for _, w in pairs)
        print(
            f"{name}: CPU {cpu:.1f} ms (min {min(c for c, _ in pairs):.1f}, "
            f"+{cpu - node:.1f} over node, {cpu / seed_cpu:.2f}x the seed); "
            f"wall {wall:.1f} ms"
        )


def run(argv, env, work_dir):
    """CPU and wall ms of one command; its output is kept only on failure."""
    out = os.path.join(work_dir, "output")
    start = time.perf_counter_ns()
    pid = os.posix_spawn(
        argv[0],
        argv,
        env,
        file_actions=[
            (os.POSIX_SPAWN_OPEN, 1, out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
            (os.POSIX_SPAWN_DUP2, 1, 2),
        ],
    )
    _, status, usage = os.wait4(pid, 0)
    wall = (time.perf_counter_ns() - start) / 1e6
    if status != 0:
        with open(out, encoding="utf-8", errors="replace") as failed:
            sys.exit(f"{' '.join(argv)} failed:\n{failed.read()[-2000:]}")
    return (usage.ru_utime + usage.ru_stime) * 1000, wall


if __name__ == "__main__":
    main()
