// Starts the demo's service processes, routes the built-in bus between them, flushes and stops them, and kills none twice.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromRunner, ToRunner } from './bus.js';
import { ROLES, type Control, type RoleInfo, type ServiceConfig, type ServiceReport } from './roles.js';
import type { Catalog } from './runtime.js';

// why: ten Node processes start at once; on a busy two-core machine that takes a while.
const READY_TIMEOUT_MS = 45_000;
const FLUSH_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 3_000;

/** One running service process. */
export interface RunningService {
  readonly role: RoleInfo;
  readonly child: ChildProcess;
  /** PID, for the user and for the test that checks that every one is gone. */
  readonly pid: number;
  port: number | null;
  /** The tail of what it wrote on stderr, shown when it fails. */
  stderr: string;
}

/** The script every service process runs (from dist/ as .js, or from source under tsx as .ts). */
function serviceScript(): string {
  return fileURLToPath(import.meta.url).replace(/supervisor\.(ts|js)$/, 'service-main.$1');
}

function control(child: ChildProcess, message: Control | FromRunner): void {
  if (child.connected) child.send(message);
}

/** The demo's deployment: every service of {@link ROLES} in its own process. */
export class Deployment {
  readonly services: RunningService[] = [];
  private readonly byTopic = new Map<string, RunningService>();
  private readonly byName = new Map<string, RunningService>();
  private flushId = 0;
  private stopped: Promise<void> | undefined;

  /**
   * Forks every service and resolves once all listen, then hands them the catalog; rejects (after
   * stopping them) when one fails. Processes are tracked from the fork on, so stop() during the
   * start stops them too.
   */
  async start(options: Omit<ServiceConfig, 'role'>): Promise<void> {
    try {
      await Promise.all(ROLES.map((role) => this.startOne(role, { ...options, role: role.name })));
      const catalog = { ...this.catalog };
      for (const s of this.services) control(s.child, { catalog });
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** The public URLs of the APIs (Keystone's catalog). */
  get catalog(): Catalog {
    const entries = this.services
      .filter((s) => s.role.api !== undefined)
      .map((s) => [s.role.api, `http://127.0.0.1:${s.port}`]);
    return Object.fromEntries(entries) as Catalog;
  }

  private startOne(role: RoleInfo, config: ServiceConfig): Promise<void> {
    const child = fork(serviceScript(), [JSON.stringify(config)], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const service: RunningService = { role, child, pid: child.pid ?? -1, port: null, stderr: '' };
    this.services.push(service);
    this.byName.set(role.name, service);
    for (const topic of role.topics) this.byTopic.set(topic, service);
    child.stderr?.on('data', (chunk: Buffer) => {
      service.stderr = (service.stderr + chunk.toString('utf8')).slice(-4000);
    });
    child.on('message', (message: ToRunner | ServiceReport) => this.route(service, message));
    return new Promise((resolve, reject) => {
      const fail = (why: string): void => {
        clearTimeout(timer);
        reject(new Error(`${role.name} did not start: ${why}${service.stderr ? `\n${service.stderr.trim()}` : ''}`));
      };
      const timer = setTimeout(() => fail(`no answer within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
      child.on('message', (message: ServiceReport) => {
        if ('ready' in message) {
          clearTimeout(timer);
          service.port = message.ready.port;
          resolve();
        } else if ('failed' in message) fail(message.failed);
      });
      child.once('exit', (code, signal) => fail(`exited (${signal ?? code})`));
      child.once('error', (error) => fail(error.message));
    });
  }

  /** The hub of the built-in bus: hands a message to the process serving its topic, a reply to its caller. */
  private route(from: RunningService, message: ToRunner | ServiceReport): void {
    if (message === null || typeof message !== 'object' || !('bus' in message)) return;
    if (message.bus === 'send') {
      const to = this.byTopic.get(message.topic);
      if (to !== undefined)
        control(to.child, {
          bus: 'deliver',
          topic: message.topic,
          body: message.body,
          msgId: message.msgId,
          from: from.role.name,
        });
    } else if (message.bus === 'reply') {
      const to = this.byName.get(message.to);
      if (to !== undefined) control(to.child, { bus: 'reply', msgId: message.msgId, body: message.body });
    }
  }

  /** Asks every service to write out its queued notifications; resolves when all did (or timed out). */
  flushAll(): Promise<void> {
    const id = ++this.flushId;
    return Promise.all(
      this.services.map(
        (s) =>
          new Promise<void>((resolve) => {
            const done = (): void => {
              clearTimeout(timer);
              s.child.off('message', onMessage);
              s.child.off('exit', done);
              resolve();
            };
            const onMessage = (message: ServiceReport): void => {
              if ('flushed' in message && message.flushed === id) done();
            };
            const timer = setTimeout(done, FLUSH_TIMEOUT_MS);
            s.child.on('message', onMessage);
            s.child.once('exit', done);
            if (s.child.exitCode !== null || s.child.signalCode !== null) done();
            else control(s.child, { flush: id });
          }),
      ),
    ).then(() => undefined);
  }

  /** Stops every service: asks first, kills what is still running after a grace period. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= Promise.all(this.services.map((s) => stopOne(s.child))).then(() => undefined);
    return this.stopped;
  }
}

function stopOne(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.connected) control(child, { stop: true });
    else child.kill('SIGTERM');
  });
}
