#!/usr/bin/env python3
"""Runs one benchmark command several times and prints its figures as median, min and max.

The command prints one JSON object, or one object per line (then each line is matched across
runs by --key, e.g. the decoder's profile). Every number becomes {"median", "min", "max",
"runs"} (benchstats.spread), nested objects alike; numbers missing or null in some runs are
summarised over the runs that have them; anything else is kept from the first run.
  bench-repeat.py --runs N [--key FIELD] -- COMMAND [ARG...]
"""
import argparse, json, os, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchstats import merge  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--key", help="for commands printing one object per line: the field naming each line")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    outputs = []
    for run in range(1, args.runs + 1):
        print(f"bench-repeat: run {run} of {args.runs}: {os.path.basename(command[0])} {' '.join(command[1:2])}",
              file=sys.stderr, flush=True)
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True)
        if done.returncode != 0:
            raise SystemExit(f"bench-repeat: {' '.join(command)} exited {done.returncode}")
        lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
        outputs.append(lines if args.key else lines[-1])
    if args.key:
        names = [line[args.key] for line in outputs[0]]
        for name in names:
            rows = [row for output in outputs for row in output if row[args.key] == name]
            print(json.dumps(merge(rows)))
    else:
        print(json.dumps(merge(outputs)))


if __name__ == "__main__":
    main()
