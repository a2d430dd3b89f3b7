"""The Python peer of the live HTTP interop test (run with Debian's python3).

Both modes send their notifications to STORE (a redis:// URL) through Python OSProfiler's own
notifier, as a Keystone-like service configured with `connection_string` would.

serve STORE KEY     a WSGI app behind osprofiler.web.WsgiMiddleware(hmac_keys=KEY, enabled=True),
                    on wsgiref's server at 127.0.0.1 and a free port, which it prints as one line
                    of JSON once it listens. Every request runs a traced `db` point; `?next=URL`
                    also calls URL with osprofiler.web.get_trace_id_headers(), as an OpenStack
                    client library does. It answers, as JSON, whether it saw a trace and the body
                    of the onward call. Serves until stdin closes.
call STORE KEY URL  the `--os-profile KEY` pattern: profiler.init(KEY), one `client` point around
                    a GET of URL with the trace headers; prints {"base_id", "status", "body"}.
"""
import json
import sys
import threading
import urllib.parse
import urllib.request


def set_notifier(store, project, service):
    from oslo_config import cfg
    from osprofiler import notifier
    from osprofiler import opts

    opts.set_defaults(cfg.CONF)
    notifier.set(notifier.create(store, project=project, service=service, host="py-host",
                                 conf=cfg.CONF))


def get(url, headers):
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read().decode("utf-8")


def serve(store, key):
    from wsgiref.simple_server import WSGIRequestHandler, make_server
    from osprofiler import profiler
    from osprofiler import web

    set_notifier(store, "keystone", "public")

    def app(environ, start_response):
        query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
        with profiler.Trace("db", info={"db": {"statement": "SELECT * FROM user", "params": {}}}):
            pass
        onward = None
        if "next" in query:
            onward = get(query["next"][0], web.get_trace_id_headers())[1]
        body = json.dumps({"traced": profiler.get() is not None, "onward": onward}).encode()
        start_response("200 OK", [("Content-Type", "application/json"),
                                  ("Content-Length", str(len(body)))])
        return [body]

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", 0, web.WsgiMiddleware(app, hmac_keys=key, enabled=True),
                         handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(json.dumps({"port": server.server_port}), flush=True)
    sys.stdin.read()
    server.shutdown()


def call(store, key, url):
    from osprofiler import profiler
    from osprofiler import web

    set_notifier(store, "openstackclient", "cli")
    p = profiler.init(key)
    with profiler.Trace("client", info={"request": {"url": url}}):
        status, body = get(url, web.get_trace_id_headers())
    print(json.dumps({"base_id": p.get_base_id(), "status": status, "body": body}))


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    {"serve": serve, "call": call}[mode](*args)
