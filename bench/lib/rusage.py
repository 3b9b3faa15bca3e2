"""Time commands by wall clock and by CPU time (user + sys, from wait4).

On a shared, loaded machine the wall time of a 40 ms command spreads by
tens of ms; the CPU time the command itself used spreads far less. Node
cannot read a child's rusage, hence this helper. Reads one JSON object
on stdin: {"runs": N, "cases": [{"argv": [...], "env": {...},
"cwd": "...", "stdout": FILE, "stderr": FILE}], "warmup": true}: FILEs
(optional) take the command's output, else it is dropped; runs one
warm-up round (unless "warmup" is false), then N rounds round-robin (the
order rotated each round); prints {"times": [[{"wallMs", "cpuMs",
"status"}, ...], ...]}, one list per case.
"""

import json
import os
import sys
import time


def run_once(case):
    cwd = case.get("cwd")
    if cwd is not None:
        previous = os.getcwd()
        os.chdir(cwd)
    try:
        start = time.perf_counter_ns()
        with open(os.devnull, "rb") as stdin, open(
            case.get("stdout", os.devnull), "wb"
        ) as out, open(case.get("stderr", os.devnull), "wb") as err:
            spawn = os.posix_spawn if "/" in case["argv"][0] else os.posix_spawnp
            pid = spawn(
                case["argv"][0],
                case["argv"],
                case["env"],
                file_actions=[
                    (os.POSIX_SPAWN_DUP2, stdin.fileno(), 0),
                    (os.POSIX_SPAWN_DUP2, out.fileno(), 1),
                    (os.POSIX_SPAWN_DUP2, err.fileno(), 2),
                ],
            )
            _, status, usage = os.wait4(pid, 0)
        wall_ms = (time.perf_counter_ns() - start) / 1e6
    finally:
        if cwd is not None:
            os.chdir(previous)
    return {
        "wallMs": wall_ms,
        "cpuMs": (usage.ru_utime + usage.ru_stime) * 1000,
        "status": os.waitstatus_to_exitcode(status),
    }


def main():
    request = json.load(sys.stdin)
    cases = request["cases"]
    times = [[] for _ in cases]
    first = -1 if request.get("warmup", True) else 0
    for round_number in range(first, request["runs"]):
        for k in range(len(cases)):
            i = (k + max(round_number, 0)) % len(cases)
            result = run_once(cases[i])
            if round_number >= 0:  # round -1 warms the caches
                times[i].append(result)
    json.dump({"times": times}, sys.stdout)


if __name__ == "__main__":
    main()
