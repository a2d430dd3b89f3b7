"""The Python peer of the messaging interop tests (run with Debian's python3).

send URL BASE_ID   sends one trace of two nested trace points (wsgi > db) through Python
                   OSProfiler's messaging:// driver on oslo.messaging's rabbit transport, and
                   prints the notifications it sent (as the driver stored them) as JSON.
report [--sql]     reads notifications (a JSON array, as stored: with project and service) on
                   stdin and prints, as JSON, the report Python builds from them: the steps of
                   Messaging.get_report once it drained the queue; with --sql, the steps of
                   SQLAlchemyDriver.notify (the row: columns popped from the dict, the rest as
                   `data`) and its get_report (reading the row back), the host column holding
                   info.host, which is what `osprofiler collect` writes there.
"""
import json
import sys


def send(url, base_id):
    from oslo_config import cfg
    import oslo_messaging
    from osprofiler import notifier
    from osprofiler import profiler

    conf = cfg.ConfigOpts()
    conf([], project="osprofiler-interop")
    sent = []
    driver_notify = notifier.create(
        "messaging://", project="interop", service="py-api", host="py-host",
        context={}, conf=conf, transport_url=url)

    def record(info):
        driver_notify(info)
        # the driver added project and service to the dict it sent
        sent.append(json.loads(json.dumps(info)))

    notifier.set(record)
    profiler.init("SECRET_KEY", base_id=base_id)
    profiler.start("wsgi", info={"request": {"path": "/v2/servers", "method": "GET"}})
    profiler.start("db", info={"db": {"statement": "SELECT 1", "params": {}}})
    profiler.stop()
    profiler.stop()
    # why: the rabbit driver publishes synchronously; cleanup closes the connection afterwards.
    oslo_messaging.get_notification_transport(conf, url=url).cleanup()
    print(json.dumps(sent))


def report(sql):
    from oslo_serialization import jsonutils
    from osprofiler.drivers import base

    builder = base.Driver("messaging://")
    for n in json.load(sys.stdin):
        if not sql:
            builder._append_results(n["trace_id"], n["parent_id"], n["name"],
                                    n["project"], n["service"],
                                    n["info"]["host"], n["timestamp"], n)
            continue
        data = n.copy()
        row = {key: data.pop(key, None) for key in (
            "base_id", "timestamp", "parent_id", "trace_id", "project",
            "service", "name")}
        row["host"] = data.pop("host", n["info"]["host"])
        builder._append_results(row["trace_id"], row["parent_id"], row["name"],
                                row["project"], row["service"], row["host"],
                                row["timestamp"],
                                jsonutils.loads(jsonutils.dumps(data)))
    print(json.dumps(builder._parse_results()))


if __name__ == "__main__":
    if sys.argv[1] == "send":
        send(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "report":
        report(sys.argv[2:] == ["--sql"])
    else:
        sys.exit("usage: messaging_peer.py send URL BASE_ID | report [--sql]")
