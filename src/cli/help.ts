// Usage lines and --help texts of every command level (argparse's layout, our options).

export const MAIN_USAGE = 'usage: osprofiler [-h] [-v] {trace,demo,ui,collect} ...';

export const MAIN_HELP = `${MAIN_USAGE}

Command-line interface to the OpenStack Profiler (Node.js implementation).

positional arguments:
  {trace,demo,ui,collect}
                 <subcommands>
    trace        Show and list stored traces
    demo         Run an OpenStack-shaped traced deployment, show its traces
    ui           Browse the stored traces in a web browser
    collect      Store the notifications services send to RabbitMQ

options:
  -h, --help     show this help message and exit
  -v, --version  show program's version number and exit

Without a connection string the default store is read: the SQLite file
$OSPROFILER_HOME/traces.db (default ~/.local/share/osprofiler/traces.db).
`;

export const TRACE_USAGE = 'usage: osprofiler trace [-h] {list,show,compare} ...';

export const TRACE_HELP = `${TRACE_USAGE}

positional arguments:
  {list,show,compare}
    list                List all traces
    show                Display trace results in HTML, JSON or DOT format.
    compare             Compare two traces per span type, service and operation

options:
  -h, --help            show this help message and exit
`;

export const SHOW_USAGE = `usage: osprofiler trace show [-h] [--connection-string CONN_STR]
                             [--transport-url TRANSPORT_URL]
                             [--idle-timeout IDLE_TIMEOUT] [--json] [--html]
                             [--local-libs] [--dot] [--trace-event]
                             [--render-dot RENDER_DOT_FILENAME]
                             [--out FILE_NAME] [--title TITLE]
                             [--color | --no-color] [--critical-path]
                             trace`;

const CONNECTION_HELP = `  --connection-string CONN_STR
                        Storage driver's connection string. Defaults to
                        env[OSPROFILER_CONNECTION_STRING] if set, else the
                        default SQLite store
  --transport-url TRANSPORT_URL
                        Oslo.messaging transport URL (for messaging:// driver
                        only), e.g. rabbit://user:password@host:5672/
  --idle-timeout IDLE_TIMEOUT
                        How long to wait for the trace to finish, in seconds
                        (for messaging:// driver only)`;

export const SHOW_HELP = `${SHOW_USAGE}

Display trace results in HTML, JSON or DOT format. Without a format, print
the trace as a tree with durations.

positional arguments:
  trace                 File with trace or trace id (or a unique prefix of the
                        id, 8 or more hex digits)

options:
  -h, --help            show this help message and exit
${CONNECTION_HELP}
  --json                show trace in JSON
  --html                show trace in HTML
  --local-libs          accepted for compatibility (the HTML is self-contained)
  --dot                 show trace in DOT language
  --trace-event         show trace as Chrome trace-event JSON (open it in
                        ui.perfetto.dev, chrome://tracing or speedscope)
  --render-dot RENDER_DOT_FILENAME
                        filename for rendering the dot graph with graphviz
                        (format from the extension: .pdf, .svg, .png;
                        otherwise RENDER_DOT_FILENAME.pdf)
  --out FILE_NAME       save output in file
  --title TITLE         title of the HTML page
  --color, --no-color   colour the tree (default: when stdout is a terminal
                        and NO_COLOR is not set)
  --critical-path       mark with ◆ the points on the critical path (the
                        chain of spans the end-to-end latency is made of)
`;

export const LIST_USAGE = `usage: osprofiler trace list [-h] [--connection-string CONN_STR]
                             [--transport-url TRANSPORT_URL]
                             [--idle-timeout IDLE_TIMEOUT]
                             [--error-trace [ERROR_TRACE]] [--limit N]`;

export const LIST_HELP = `${LIST_USAGE}

List all traces

options:
  -h, --help            show this help message and exit
${CONNECTION_HELP}
  --error-trace [ERROR_TRACE]
                        List all traces that contain error.
  --limit N             only the N most recent traces
`;

export const UI_USAGE = `usage: osprofiler ui [-h] [--connection-string CONN_STR]
                     [--transport-url TRANSPORT_URL]
                     [--idle-timeout IDLE_TIMEOUT] [--host HOST] [--port PORT]`;

export const UI_HELP = `${UI_USAGE}

Serve a local trace browser: the stored traces, newest first (filter by id,
service or error), each opening in the HTML report viewer. Also JSON at
/api/traces and /api/traces/<id>. Runs until Ctrl-C.

options:
  -h, --help            show this help message and exit
${CONNECTION_HELP}
  --host HOST           Address to listen on (default 127.0.0.1: this machine
                        only). Traces hold SQL parameters and URLs: another
                        address lets anyone who reaches it read them
  --port PORT           Port to listen on (default 8077; 0 picks a free one)
`;

export const COMPARE_USAGE = `usage: osprofiler trace compare [-h] [--connection-string CONN_STR]
                                [--connection-string-a CONN_STR]
                                [--connection-string-b CONN_STR]
                                [--transport-url TRANSPORT_URL]
                                [--idle-timeout IDLE_TIMEOUT]
                                [--json | --html] [--out FILE_NAME]
                                [--limit N] [--color | --no-color]
                                A B`;

export const COMPARE_HELP = `${COMPARE_USAGE}

Compare two traces (before/after a change): per span type, per service and per
operation, the count, total time and self time in A and in B, and the change
(B - A), largest first.

positional arguments:
  A, B                  trace ids, or files written by trace show --json

options:
  -h, --help            show this help message and exit
${CONNECTION_HELP}
  --connection-string-a CONN_STR, --connection-string-b CONN_STR
                        the store of A (of B) when it is not the one above
  --json                print the comparison as JSON
  --html                a self-contained page: both waterfalls on one time
                        scale, and the comparison tables
  --out FILE_NAME       save output in file
  --limit N             rows per table in the terminal (default 15; 0: all)
  --color, --no-color   colour the tables (default: when stdout is a terminal
                        and NO_COLOR is not set)
`;

export const COLLECT_USAGE = `usage: osprofiler collect [-h] [--transport-url TRANSPORT_URL]
                          [--connection-string CONN_STR]
                          [--control-exchange EXCHANGE] [--topic TOPIC]
                          [--durable-queues] [--batch-size N]
                          [--flush-interval SECONDS] [--prefetch N]
                          [--dead-letter-queue QUEUE]
                          [--stats-interval SECONDS]`;

export const COLLECT_HELP = `${COLLECT_USAGE}

Consume the profiler notifications that services send with the messaging://
driver (Python's and ours) from RabbitMQ and write every trace into a store,
where trace show, trace list and ui read them as often as needed. A message is
acknowledged only once the store has committed it. Runs until SIGTERM or
SIGINT, then writes what it received and exits 0.

options:
  -h, --help            show this help message and exit
  --transport-url TRANSPORT_URL
                        Oslo.messaging transport URL of the broker, e.g.
                        rabbit://user:password@host:5672/. Defaults to
                        env[OSPROFILER_TRANSPORT_URL] if set, else
                        amqp://guest:guest@127.0.0.1:5672/
  --connection-string CONN_STR
                        Store to write to. Defaults to
                        env[OSPROFILER_CONNECTION_STRING] if set, else the
                        default SQLite store
  --control-exchange EXCHANGE
                        oslo.messaging control_exchange (default openstack)
  --topic TOPIC         notification topic; the queue is TOPIC.info (default
                        profiler)
  --durable-queues      declare the exchange and queue durable
                        (amqp_durable_queues = true in the services)
  --batch-size N        notifications per store write (default 2000)
  --flush-interval SECONDS
                        write a batch that is not full after this long
                        (default 0.2)
  --prefetch N          unacknowledged messages held at once (default
                        4 x batch size, at most 65535)
  --dead-letter-queue QUEUE
                        copy messages that hold no notification to this queue
                        (default: log and drop them)
  --stats-interval SECONDS
                        print the counters this often on stderr (default 60;
                        0: only on exit)
`;
