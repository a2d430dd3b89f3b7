// A small Elasticsearch/OpenSearch REST stand-in on port 0: GET /, _bulk, _search with scroll, _search/scroll.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { serveLocal, type LocalServer } from './http.js';

type Doc = Record<string, any>;

export interface EsRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FakeEsOptions {
  /** `elasticsearch` (default) or `opensearch`. */
  distribution?: 'elasticsearch' | 'opensearch';
  version?: string;
}

export interface StoredDoc {
  _type?: string;
  _source: Doc;
}

export interface FakeEs extends LocalServer {
  requests: EsRequest[];
  indices: Map<string, StoredDoc[]>;
  /** Scroll ids cleared with DELETE /_search/scroll. */
  cleared: string[];
  /** When set, every bulk item fails with this error type. */
  bulkItemError: string | undefined;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function errorBody(type: string, reason: string, status: number) {
  return { error: { root_cause: [{ type, reason }], type, reason }, status };
}

function matchesQuery(doc: Doc, query: Doc): boolean {
  if (query.match_all) return true;
  if (query.bool?.filter) return query.bool.filter.every((q: Doc) => matchesQuery(doc, q));
  const phrase = query.match_phrase ?? query.match;
  if (phrase) return Object.entries(phrase).every(([k, v]) => String(doc[k]) === String(v));
  throw new Error(`fake es: unsupported query ${JSON.stringify(query)}`);
}

function filterSource(source: Doc, fields: string[] | undefined): Doc {
  if (fields === undefined) return source;
  const out: Doc = {};
  for (const key of Object.keys(source)) if (fields.includes(key)) out[key] = source[key];
  return out;
}

/** Starts the stand-in. Elasticsearch 7 rejects `compatible-with=8` media types as the real one does. */
export async function startFakeElasticsearch(options: FakeEsOptions = {}): Promise<FakeEs> {
  const distribution = options.distribution ?? 'elasticsearch';
  const version = options.version ?? '8.15.0';
  const major = Number.parseInt(version, 10);
  const typesAllowed = distribution === 'opensearch' ? major < 2 : major <= 7;
  const requests: EsRequest[] = [];
  const indices = new Map<string, StoredDoc[]>();
  const scrolls = new Map<string, { rest: Doc[]; size: number }>();
  const cleared: string[] = [];
  let scrollCounter = 0;
  const state: { bulkItemError: string | undefined } = { bulkItemError: undefined };
  const productHeader: Record<string, string> =
    distribution === 'elasticsearch' ? { 'x-elastic-product': 'Elasticsearch' } : {};

  const page = (hits: Doc[], size: number, scrollId: string | undefined) => {
    const now = hits.slice(0, size);
    if (scrollId !== undefined) scrolls.set(scrollId, { rest: hits.slice(size), size });
    return { _scroll_id: scrollId, took: 1, timed_out: false, hits: { total: { value: hits.length }, hits: now } };
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://x');
      const body = Buffer.concat(chunks).toString('utf8');
      const entry: EsRequest = {
        method: req.method!,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body,
      };
      requests.push(entry);
      const h = productHeader;
      const mediaTypes = `${req.headers['content-type'] ?? ''} ${req.headers.accept ?? ''}`;
      if (distribution === 'elasticsearch' && major <= 7 && mediaTypes.includes('compatible-with=8')) {
        return send(
          res,
          400,
          errorBody('media_type_header_exception', 'Invalid media-type value on headers [Accept, Content-Type]', 400),
          h,
        );
      }
      if (req.method === 'GET' && url.pathname === '/') {
        return send(
          res,
          200,
          {
            name: 'node-1',
            cluster_name: 'test-cluster',
            version: {
              number: version,
              ...(distribution === 'opensearch' ? { distribution: 'opensearch' } : { build_flavor: 'default' }),
            },
            tagline:
              distribution === 'opensearch'
                ? 'The OpenSearch Project: https://opensearch.org/'
                : 'You Know, for Search',
          },
          h,
        );
      }
      if (req.method === 'POST' && url.pathname === '/_bulk') {
        const lines = body.split('\n').filter((l) => l !== '');
        const items: Doc[] = [];
        for (let i = 0; i < lines.length; i += 2) {
          const action = JSON.parse(lines[i]).index;
          if (action._type !== undefined && !typesAllowed) {
            return send(
              res,
              400,
              errorBody(
                'illegal_argument_exception',
                'Action/metadata line [1] contains an unknown parameter [_type]',
                400,
              ),
              h,
            );
          }
          if (state.bulkItemError) {
            items.push({
              index: {
                _index: action._index,
                status: 400,
                error: { type: state.bulkItemError, reason: 'failed to parse field [info.db.params]' },
              },
            });
            continue;
          }
          let list = indices.get(action._index);
          if (list === undefined) indices.set(action._index, (list = []));
          list.push({ _type: action._type, _source: JSON.parse(lines[i + 1]) });
          items.push({ index: { _index: action._index, status: 201, result: 'created' } });
        }
        return send(res, 200, { took: 1, errors: items.some((it) => it.index.error), items }, h);
      }
      const search = /^\/([^/_][^/]*)\/_search$/.exec(url.pathname);
      if (req.method === 'POST' && search) {
        const index = decodeURIComponent(search[1]);
        const docs = indices.get(index);
        if (docs === undefined)
          return send(res, 404, errorBody('index_not_found_exception', `no such index [${index}]`, 404), h);
        const q = JSON.parse(body || '{}');
        const size = Number(q.size ?? url.searchParams.get('size') ?? 10);
        const hits = docs
          .filter((d) => matchesQuery(d._source, q.query ?? { match_all: {} }))
          .map((d, i) => ({ _index: index, _id: String(i), _source: filterSource(d._source, q._source) }));
        const scrollId = url.searchParams.has('scroll') ? `scroll-${++scrollCounter}` : undefined;
        return send(res, 200, page(hits, size, scrollId), h);
      }
      if (url.pathname === '/_search/scroll') {
        const q = JSON.parse(body || '{}');
        if (req.method === 'DELETE') {
          cleared.push(q.scroll_id);
          scrolls.delete(q.scroll_id);
          return send(res, 200, { succeeded: true, num_freed: 1 }, h);
        }
        const context = scrolls.get(q.scroll_id);
        if (context === undefined)
          return send(res, 404, errorBody('search_context_missing_exception', 'No search context found', 404), h);
        return send(res, 200, page(context.rest, context.size, q.scroll_id), h);
      }
      send(res, 404, errorBody('no_handler', `${req.method} ${url.pathname}`, 404), h);
    });
  });
  return {
    ...(await serveLocal(server)),
    requests,
    indices,
    cleared,
    get bulkItemError() {
      return state.bulkItemError;
    },
    set bulkItemError(value) {
      state.bulkItemError = value;
    },
  };
}
