# bench:check's Python baseline: the Python OSProfiler's own get_report and the `osprofiler trace
# show --json` rendering of one trace, timed here so interpreter start-up and imports are left out.
# Usage: python3 bench/python-report.py CONNECTION_STRING BASE_ID
# Prints one JSON line: wall milliseconds of get_report + json.dumps, and the rendered text's
# SHA-256 and length (the caller checks they equal ours, so both sides did the same work).
import hashlib
import json
import sys
import time

from oslo_config import cfg
from osprofiler import opts
from osprofiler.drivers import base


def driver_for(url):
    # why: Python's get_driver has no "sqlite" scheme, but its SQLAlchemy driver reads the same
    # table in a SQLite file (it is what get_driver returns for mysql:// and postgresql://).
    if url.startswith("sqlite:"):
        from osprofiler.drivers.sqlalchemy_driver import SQLAlchemyDriver
        return SQLAlchemyDriver(url)
    # the Redis driver reads its options from the [profiler] group, as in a service
    opts.set_defaults(cfg.CONF)
    return base.get_driver(url, conf=cfg.CONF)


def main():
    url, base_id = sys.argv[1], sys.argv[2]
    driver = driver_for(url)
    t0 = time.perf_counter()
    trace = driver.get_report(base_id)
    # the CLI's `trace show --json` (osprofiler/cmd/commands.py); datetimes cannot occur here
    text = json.dumps(trace, separators=(",", ": "), indent=2)
    ms = (time.perf_counter() - t0) * 1000
    print(json.dumps({
        "ms": ms,
        "sha256": hashlib.sha256(text.encode("ascii")).hexdigest(),
        "chars": len(text),
    }))


main()
