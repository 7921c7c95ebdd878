"""Run the notebooks' tests as `nbdev_test` does (same cells, same skip flags: settings.ini's
tst_flags), two at a time, and print each notebook as it starts and ends, with its time and the time
so far, so that a long `make test` shows where it is.

`python tools/nbtest.py [--n_workers 2] [--flags "slow"] [NOTEBOOK ...]`
"""
import argparse, sys, time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebooks", nargs="*", help="notebooks to test (default: every notebook nbdev_test would test)")
    ap.add_argument("--n_workers", type=int, default=2)
    ap.add_argument("--flags", default="", help="space-separated test flags to run that are normally skipped")
    args = ap.parse_args(argv)
    from nbdev.config import get_config
    from nbdev.doclinks import nbglob
    from nbdev.test import _keep_file, test_nb  # test_nb: picklable by module, as the notebooks replace __main__
    cfg = get_config()
    files = [Path(f).resolve() for f in args.notebooks] or \
        [f.absolute() for f in sorted(nbglob(cfg.nbs_path, as_path=True)) if _keep_file(f, ".notest")]
    skip, force = cfg.tst_flags.split(), args.flags.split()
    t0, failed, n = time.time(), [], len(files)
    print(f"testing {n} notebooks, {args.n_workers} at a time (skipping cells flagged {' '.join(sorted(set(skip) - set(force)))})", flush=True)
    times = {}
    with ProcessPoolExecutor(args.n_workers) as pool:
        jobs = {pool.submit(test_nb, f, skip_flags=skip, force_flags=force, basepath=ROOT): f for f in files}
        for i, job in enumerate(as_completed(jobs), 1):
            f = jobs[job]
            try: ok, secs = job.result()
            except Exception as e: ok, secs = False, float("nan"); print(f"{f.name}: {e!r}", file=sys.stderr)
            times[f.name] = secs
            if not ok: failed.append(f.name)
            el = time.time() - t0
            print(f"[{i:2d}/{n}] {'ok  ' if ok else 'FAIL'} {f.name:28s} {secs:6.0f} s   ({el // 60:.0f} min {el % 60:02.0f} s so far)", flush=True)
    if failed:
        print("notebooks failed:\n  " + "\n  ".join(failed), file=sys.stderr)
        return 1
    print(f"{n} notebooks passed in {(time.time() - t0) / 60:.1f} min; slowest: " +
          ", ".join(f"{k} {v:.0f} s" for k, v in sorted(times.items(), key=lambda kv: -kv[1])[:3]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
