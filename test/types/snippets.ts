// Type fixture: the README's and docs/api.md's snippets as a user writes them; typings.test.ts runs tsc --strict over it.
import { createServer } from 'node:http';
import { initFromConf, trace, traceClass, Traced, withTrace, Trace, type TracedArgs } from '../../src/index.js';
import { wrapListener } from '../../src/web.js';

export async function readme(): Promise<void> {
  await initFromConf(
    { enabled: true, hmacKeys: ['my-secret'], traceRequests: true },
    { project: 'shop', service: 'api' },
  );

  // The README's example: an unannotated parameter must take what the caller passes.
  const loadCart = trace('db')(async function loadCart(id) {
    return { id, items: [] as string[] };
  });

  createServer(
    wrapListener(async (req, res) => {
      res.end(JSON.stringify(await loadCart(req.url)));
    }),
  ).listen(0);
}

// Annotated parameters and the result type are kept.
const add = trace('rpc', { hideArgs: false })((a: number, b: number) => a + b);
export const sum: number = add(1, 2);
// @ts-expect-error a string is not a number: the wrapper keeps the parameter types
add('1', 2);

const loadUser = trace('db')(async (id: string): Promise<{ id: string }> => ({ id }));
export const user: Promise<{ id: string }> = loadUser('u-1');
// @ts-expect-error too few arguments
void loadUser();

// Arrow and function expressions without annotations: usable, any-compatible parameters.
const join = trace('rpc')((a, b) => `${a}${b}`);
export const joined: string = join('x', 2);

class Api {
  @trace('api')
  async list(limit: number): Promise<number[]> {
    return [limit];
  }
}
export const listed: Promise<number[]> = new Api().list(3);

@traceClass('rpc', { tracePrivate: false, traceStaticMethods: false })
class ComputeManager {
  build(id: string): string {
    return id;
  }
}
export const built: string = new ComputeManager().build('vm1');

const Agent = traceClass('agent', { traceInherited: false, traceClassMethods: true })(
  class {
    static create(name: string): string {
      return name;
    }
    sync(port: number): number {
      return port;
    }
  },
);
export const created: string = Agent.create('a');
export const synced: number = new Agent().sync(1);

class Scheduler extends Traced {
  static override traceArgs: TracedArgs = { name: 'rpc', hideResult: false };
  pick(flavor: string): string {
    return flavor;
  }
}
export const picked: string = new Scheduler().pick('m1.small');

export const batch: Promise<number> = withTrace('batch', { size: 10 }, async () => 10);

export function block(): void {
  using t = new Trace('block', { step: 1 });
  void t;
}
