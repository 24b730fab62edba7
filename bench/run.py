"""`make bench`: run every bench/bench_*.py module, print one table, write build/bench/results.json.

Each module exposes ``run(quick: bool) -> list[dict]`` with keys name, value, unit and note. Benchmarks
measure; they do not pass or fail. The figures go into issue notes.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default="build/bench")
    ap.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    ap.add_argument("only", nargs="*", help="module names to run (e.g. bench_worlds)")
    args = ap.parse_args(argv)
    modules = sorted(HERE.glob("bench_*.py"))
    if args.only:
        modules = [m for m in modules if m.stem in args.only or m.stem.removeprefix("bench_") in args.only]
    rows = []
    for path in modules:
        t0 = time.perf_counter()
        print(f"# {path.stem} ...", flush=True)
        for r in _load(path).run(quick=args.quick):
            rows.append({"module": path.stem, **r})
            print(f"  {r['name']:<58} {r['value']:>12.4g} {r['unit']:<8} {r.get('note', '')}", flush=True)
        print(f"  ({time.perf_counter() - t0:.0f} s)")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    meta = {"python": platform.python_version(), "machine": platform.machine(), "quick": args.quick,
            "cpus": __import__("os").cpu_count()}
    (out / "results.json").write_text(json.dumps({"meta": meta, "results": rows}, indent=2) + "\n")
    print(f"\nwrote {out / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
