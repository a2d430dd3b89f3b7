// An in-memory stand-in for the mongodb client: records every call and evaluates the few operations the driver uses.
import type { MongoClientLike, MongoCollectionLike } from '../../src/drivers/mongodb/driver.js';

type Doc = Record<string, any>;

export interface MongoCall {
  call: string;
  args: unknown[];
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

function matches(doc: Doc, filter: Doc): boolean {
  return Object.entries(filter).every(([k, v]) => doc[k] === v);
}

function project(doc: Doc, projection: Doc): Doc {
  const include = Object.entries(projection)
    .filter(([k, v]) => v === 1 && k !== '_id')
    .map(([k]) => k);
  if (include.length > 0) {
    const out: Doc = {};
    if (projection._id !== 0 && '_id' in doc) out._id = doc._id;
    for (const key of Object.keys(doc)) if (include.includes(key)) out[key] = doc[key];
    return out;
  }
  const out = { ...doc };
  for (const [k, v] of Object.entries(projection)) if (v === 0) delete out[k];
  return out;
}

function runPipeline(docs: Doc[], pipeline: Doc[]): Doc[] {
  let rows = docs.map((d) => ({ ...d }));
  for (const stage of pipeline) {
    const [op, arg] = Object.entries(stage)[0] as [string, any];
    if (op === '$project') rows = rows.map((d) => project(d, arg));
    else if (op === '$sort') {
      const [[key, dir]] = Object.entries(arg) as [string, number][];
      rows = [...rows].sort((a, b) => (a[key] < b[key] ? -dir : a[key] > b[key] ? dir : 0));
    } else if (op === '$group') {
      const groups = new Map<unknown, Doc>();
      const idField = String(arg._id).slice(1);
      for (const row of rows)
        if (!groups.has(row[idField])) groups.set(row[idField], { _id: row[idField], first: row });
      rows = [...groups.values()];
    } else if (op === '$replaceRoot') rows = rows.map((r) => r.first);
    else throw new Error(`fake mongodb: unsupported stage ${op}`);
  }
  return rows;
}

export class FakeMongoClient implements MongoClientLike {
  readonly calls: MongoCall[] = [];
  readonly data = new Map<string, Doc[]>();
  closed = false;
  private nextId = 1;
  /** When set, every collection call throws it. */
  failWith: Error | undefined;

  constructor(readonly url = 'mongodb://fake') {}

  db(dbName: string): { collection(name: string): MongoCollectionLike } {
    return {
      collection: (name: string) => this.collection(`${dbName}.${name}`, name),
    };
  }

  private rows(full: string): Doc[] {
    let rows = this.data.get(full);
    if (rows === undefined) this.data.set(full, (rows = []));
    return rows;
  }

  private collection(full: string, name: string): MongoCollectionLike {
    const record = (call: string, args: unknown[]) => {
      this.calls.push({ call: `db.${name}.${call}`, args: clone(args) });
      if (this.failWith) throw this.failWith;
    };
    return {
      insertMany: async (docs, options) => {
        record('insertMany', [docs, options]);
        for (const doc of docs) {
          (doc as Doc)._id = `oid-${this.nextId++}`;
          this.rows(full).push(clone(doc));
        }
        return { insertedCount: docs.length };
      },
      bulkWrite: async (ops, options) => {
        record('bulkWrite', [ops, options]);
        for (const { replaceOne } of ops) {
          const rows = this.rows(full);
          const i = rows.findIndex((d) => matches(d, replaceOne.filter));
          const doc = { _id: i >= 0 ? rows[i]._id : `oid-${this.nextId++}`, ...clone(replaceOne.replacement) };
          if (i >= 0) rows[i] = doc;
          else if (replaceOne.upsert) rows.push(doc);
        }
        return {};
      },
      find: (filter, options) => {
        record('find', [filter, options]);
        return {
          toArray: async () =>
            this.rows(full)
              .filter((d) => matches(d, filter))
              .map((d) => project(d, options.projection)),
        };
      },
      aggregate: (pipeline, options) => {
        record('aggregate', [pipeline, options]);
        return { toArray: async () => runPipeline(this.rows(full), pipeline) };
      },
      createIndex: async (spec, options) => {
        record('createIndex', [spec, options]);
        return 'base_id_1';
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
