"""`python -m bench`: seed a benchmark-sized marketplace on SQLite and PostgreSQL, then print what it manages.

For each database: seeding time, the statements each page runs (and, on PostgreSQL, any sequential scan of
orders or kworks), requests per second and p50/p99 latency of each page under wrk against gunicorn with
2 workers, each next to the bare /healthz endpoint measured just before it (the ratio is what matters on a
noisy machine), the catalog page's weight, and the timer benchmark. Needs wrk (`apt-get install -y wrk`),
PostgreSQL on 127.0.0.1:5432 (user postgres; the database gigsmith_bench is dropped and recreated) and Redis
(REDIS_URL, default db 14 on 127.0.0.1:6379, flushed).
"""
import argparse
import gzip
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

# The app reads its instance folder at import: a temporary one keeps the checkout's instance/ untouched.
INSTANCE = Path(tempfile.mkdtemp(prefix="bench-"))
os.environ["GIGSMITH_INSTANCE_PATH"] = str(INSTANCE)

import psycopg  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import text  # noqa: E402

from webapp import create_app  # noqa: E402
from webapp.config import PROJECT_ROOT, ProductionConfig  # noqa: E402
from webapp.extensions import db  # noqa: E402

from . import explain, http, seed, timers  # noqa: E402

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/gigsmith_bench"
# Targets from the performance issue.
MIN_RATIO, MAX_P99_MS, MAX_CATALOG_KB, MAX_JS_KB = 0.30, 100, 40, 20


def pages(seeded: seed.Seeded) -> list[tuple[str, str, bool]]:
    """(label, path, logged in as the seller) for each measured page."""
    return [
        ("catalog, first page", "/catalog/", False),
        ("catalog, filtered", f"/catalog/?category={seeded.category_slug}&price_min=1000&price_max=4000&sort=price_asc", False),
        ("kwork page", f"/catalog/kworks/{seeded.kwork_id}", False),
        (f"order page, {seed.BIG_THREAD} messages", f"/orders/{seeded.big_order_id}", True),
        ("seller dashboard", "/account/", True),
    ]


def fresh_database(kind: str) -> str:
    if kind == "sqlite":
        path = INSTANCE / "bench.sqlite3"
        for leftover in INSTANCE.glob("bench.sqlite3*"):
            leftover.unlink()
        return f"sqlite:///{path}"
    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS gigsmith_bench WITH (FORCE)")
        connection.execute("CREATE DATABASE gigsmith_bench")
    return POSTGRES


def make_app(database_url: str, redis_url: str):
    os.environ.update(http.server_env(database_url, redis_url, INSTANCE))
    config = ProductionConfig()
    config.REDIS_URL = redis_url  # a class attribute read at import, before this process set the environment
    return create_app(config)


def measure(port: int, path: str, args, cookie: str | None) -> tuple[http.Load, http.Load]:
    """The page under load, and the bare endpoint just before it. A second of unmeasured load first: each worker's
    first request for a page compiles its templates and opens its database connection, which is start-up, not
    the steady state the figures describe."""
    ceiling = http.wrk(port, "/healthz", args.duration, args.connections)
    http.wrk(port, path, 1, args.connections, cookie)
    return http.wrk(port, path, args.duration, args.connections, cookie), ceiling


def run_database(kind: str, args, redis_url: str) -> dict:
    database_url = fresh_database(kind)
    app = make_app(database_url, redis_url)
    with app.app_context():
        upgrade()
        started = time.monotonic()
        seeded = seed.seed(seed.Sizes().scaled(args.scale))
        seconds = time.monotonic() - started
        # Fresh statistics and visibility map, as autovacuum keeps them on a live site (index-only scans need both).
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE" if kind == "postgresql" else "ANALYZE"))
    print(f"\n== {kind}: seeded in {seconds:.1f} s ({seeded.rows['orders']:,} orders) – " +
          ", ".join(f"{name} {n:,}" for name, n in seeded.rows.items()))  # fmt: skip

    print(f"{'page':<32} {'queries':>7}  sequential scans of {' / '.join(explain.BIG_TABLES)}")
    for label, path, private in pages(seeded):
        found = explain.plan(app, path, seeded.seller_id if private else None)
        scans = "n/a (EXPLAIN checked on PostgreSQL)" if kind == "sqlite" else ("none" if not found.seq_scans else "")
        print(f"{label:<32} {found.queries:>7}  {scans}")
        for scan in found.seq_scans:
            print(f"{'':<42}{scan}")

    catalog_html = app.test_client().get("/catalog/").get_data()
    env = http.server_env(database_url, redis_url, INSTANCE)
    loads = []
    with http.gunicorn(env) as port:
        cookie = http.log_in(port, seeded.seller_email, seed.PASSWORD)
        for label, path, private in pages(seeded):
            load, ceiling = measure(port, path, args, cookie if private else None)
            loads.append((label, load, ceiling))
    timer_run = timers.run(app, min(args.timers, seeded.rows["orders"] // 10), redis_url, env, INSTANCE / f"worker-{kind}.log") if args.timers else None
    with app.app_context():
        db.engine.dispose()
    return {"kind": kind, "seed_seconds": seconds, "loads": loads, "catalog_html": catalog_html, "timers": timer_run}


def print_results(results: list[dict], args) -> None:
    print(f"\nwrk -t1 -c{args.connections} -d{args.duration}s against gunicorn -w 2 on 127.0.0.1; "
          "each page right after /healthz; ratio = page req/s ÷ /healthz req/s")  # fmt: skip
    header = f"{'database':<10} {'page':<32} {'req/s':>8} {'healthz':>8} {'ratio':>6} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}  targets"
    print(header)
    print("-" * len(header))
    for result in results:
        for label, load, ceiling in result["loads"]:
            ratio = load.requests_per_second / ceiling.requests_per_second
            met = ("ratio ok" if ratio >= MIN_RATIO else "ratio MISSED") + (", p99 ok" if load.p99_ms < MAX_P99_MS else ", p99 MISSED")
            print(f"{result['kind']:<10} {label:<32} {load.requests_per_second:>8.0f} {ceiling.requests_per_second:>8.0f} "
                  f"{ratio:>6.2f} {load.p50_ms:>7.1f} {load.p99_ms:>7.1f} {load.errors:>6}  {met}")  # fmt: skip

    print()
    for result in results:
        print(f"{result['kind']}: seeding took {result['seed_seconds']:.1f} s")
    html = results[0]["catalog_html"]
    print(f"catalog first page HTML: {len(html) / 1024:.1f} KB ({len(gzip.compress(html, 6)) / 1024:.1f} KB gzipped); "
          f"target ≤ {MAX_CATALOG_KB} KB")  # fmt: skip
    js = [PROJECT_ROOT / "static" / "vendor" / "htmx.min.js", PROJECT_ROOT / "static" / "js" / "app.js"]
    shipped = sum(len(gzip.compress(path.read_bytes(), 6)) for path in js)
    print(f"JavaScript shipped (htmx + app.js, gzip -6): {shipped / 1024:.1f} KB; target ≤ {MAX_JS_KB} KB")

    for result in results:
        run = result["timers"]
        if run is None:
            continue
        done = "all fired" if run.fired == run.count else f"only {run.fired:,} fired within the time limit"
        print(f"{result['kind']}: timers: {run.count:,} auto_complete timers due at one instant (enqueued in "
              f"{run.enqueue_seconds:.1f} s), one `rq worker --with-scheduler` (AppWorker): {done}, each exactly once; "
              f"the last {run.last_fired_after:.1f} s after the due time (target: all within 30 s); "
              f"{run.jobs_per_second:.0f} jobs/s; lateness p50 {run.lateness_p50:.1f} s, p99 {run.lateness_p99:.1f} s")  # fmt: skip


def main() -> None:
    if sys.argv[1:2] == ["chaos"]:
        from . import chaos

        sys.exit(chaos.main(sys.argv[2:]))
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    parser.add_argument("--scale", type=float, default=1.0, help="dataset size relative to the issue's (1.0: 100,000 orders)")
    parser.add_argument("--duration", type=int, default=8, help="seconds of wrk per measurement")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections (gunicorn has 2 sync workers)")
    parser.add_argument("--timers", type=int, default=10_000, help="timers for the timer benchmark (0 skips it)")
    args = parser.parse_args()
    http.require_wrk()
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")
    try:
        results = [run_database(kind, args, redis_url) for kind in args.databases]
    finally:
        shutil.rmtree(INSTANCE, ignore_errors=True)
    print_results(results, args)


main()
