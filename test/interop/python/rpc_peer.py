"""The Python peer of the live RPC interop test (run with Debian's python3).

An OpenStack service's RPC as Nova writes it: oslo.messaging over RabbitMQ, with a request context
serializer that puts the profiler's {hmac_key, base_id, parent_id} into the context as
`trace_info` and restores it on the server (nova/rpc.py's ProfilerRequestContextSerializer), and
a manager traced with osprofiler.profiler.trace_cls("rpc"). Points go to STORE (redis://…)
through Python OSProfiler's own notifier.

cast STORE KEY TRANSPORT TOPIC   profiler.init(KEY); inside an `api` point, casts
                                 build_instance(instance="vm-1") to TOPIC; prints {"base_id"}.
serve STORE TRANSPORT TOPIC      an RPC server on TOPIC whose manager answers create_volume
                                 (a traced `db` point inside); prints {"ready": true} once it
                                 consumes, then, after the first call, {"traced", "size"}, and exits.
                                 Like Python's, it restores whatever trace_info a message holds.
"""
import json
import sys
import threading

import oslo_messaging
from oslo_config import cfg
from osprofiler import notifier
from osprofiler import opts
from osprofiler import profiler


class ProfilerContextSerializer(oslo_messaging.NoOpSerializer):
    """nova.rpc.ProfilerRequestContextSerializer, for a dict context."""

    def serialize_context(self, context):
        context = dict(context)
        prof = profiler.get()
        if prof:
            context["trace_info"] = {"hmac_key": prof.hmac_key,
                                     "base_id": prof.get_base_id(),
                                     "parent_id": prof.get_id()}
        return context

    def deserialize_context(self, context):
        context = dict(context)
        trace_info = context.pop("trace_info", None)
        if trace_info:
            profiler.init(**trace_info)
        return context


def setup(store, project, service, url):
    opts.set_defaults(cfg.CONF)
    notifier.set(notifier.create(store, project=project, service=service, host="py-host",
                                 conf=cfg.CONF))
    return oslo_messaging.get_rpc_transport(cfg.CONF, url=url)


def cast(store, key, url, topic):
    transport = setup(store, "nova", "api", url)
    client = oslo_messaging.get_rpc_client(transport, oslo_messaging.Target(topic=topic),
                                           serializer=ProfilerContextSerializer())
    p = profiler.init(key)
    with profiler.Trace("api", info={"request": {"path": "/servers", "method": "POST"}}):
        client.cast({"user_id": "u1", "project_id": "p1"}, "build_instance", instance="vm-1")
    transport.cleanup()
    print(json.dumps({"base_id": p.get_base_id()}))


def serve(store, url, topic):
    transport = setup(store, "cinder", "volume", url)
    done = threading.Event()
    result = {}

    @profiler.trace_cls("rpc")
    class VolumeManager(object):
        target = oslo_messaging.Target(version="1.0")

        def create_volume(self, context, size):
            with profiler.Trace("db", info={"db": {"statement": "INSERT INTO volumes", "params": {}}}):
                pass
            result.update(traced=profiler.get() is not None, size=size)
            done.set()

    server = oslo_messaging.get_rpc_server(
        transport, oslo_messaging.Target(topic=topic, server="py-volume"), [VolumeManager()],
        executor="threading", serializer=ProfilerContextSerializer())
    server.start()
    print(json.dumps({"ready": True}), flush=True)
    done.wait(60)
    server.stop()
    server.wait()
    transport.cleanup()
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    cfg.CONF([], project="osprofiler-interop")
    # why: oslo.messaging's metrics thread outlives the transport by this many seconds (10 by
    # default), which a long-running service never notices but a one-shot peer waits out at exit.
    cfg.CONF.set_override("metrics_thread_stop_timeout", 0, group="oslo_messaging_metrics")
    mode, args = sys.argv[1], sys.argv[2:]
    {"cast": cast, "serve": serve}[mode](*args)
