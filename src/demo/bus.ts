// The demo's RPC bus seen from a service: topics to serve, casts and calls; the built-in transport over the fork channel.
import { randomUUID } from 'node:crypto';

/** Handles one message body; the string it resolves to is the reply of a call (ignored for a cast). */
export type BusHandler = (body: string) => Promise<string>;

/** A message transport between the demo's processes (the built-in channel or RabbitMQ). */
export interface Bus {
  /** Starts consuming `topic`; resolves once messages sent to it are delivered. */
  serve(topic: string, handler: BusHandler): Promise<void>;
  /** Sends without waiting for an answer (oslo.messaging's cast). */
  cast(topic: string, body: string): void;
  /** Sends and resolves with the reply body (oslo.messaging's call). */
  call(topic: string, body: string): Promise<string>;
  /** Stops consuming and releases the connection. */
  close(): Promise<void>;
}

/** How long a call waits for its reply before failing. */
export const CALL_TIMEOUT_MS = 15_000;

/** Messages a service sends to the demo's runner, which routes them (the built-in channel). */
export type ToRunner =
  | { bus: 'send'; topic: string; body: string; msgId?: string }
  | { bus: 'reply'; to: string; msgId: string; body: string };

/** Messages the runner delivers to a service. */
export type FromRunner =
  | { bus: 'deliver'; topic: string; body: string; msgId?: string; from: string }
  | { bus: 'reply'; msgId: string; body: string };

interface Pending {
  resolve(body: string): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * The built-in transport: messages travel over the fork channel to the runner, which hands
 * them to the process serving the topic (a hub, as a broker would be). Only for a forked process.
 */
export class ProcessBus implements Bus {
  private readonly handlers = new Map<string, BusHandler>();
  private readonly pending = new Map<string, Pending>();
  private readonly onMessage = (message: unknown): void => this.receive(message as FromRunner);

  constructor() {
    process.on('message', this.onMessage);
  }

  serve(topic: string, handler: BusHandler): Promise<void> {
    this.handlers.set(topic, handler);
    return Promise.resolve();
  }

  cast(topic: string, body: string): void {
    this.send({ bus: 'send', topic, body });
  }

  call(topic: string, body: string): Promise<string> {
    const msgId = randomUUID();
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(msgId);
        reject(new Error(`no reply from ${topic} within ${CALL_TIMEOUT_MS} ms`));
      }, CALL_TIMEOUT_MS);
      this.pending.set(msgId, { resolve, reject, timer });
      this.send({ bus: 'send', topic, body, msgId });
    });
  }

  close(): Promise<void> {
    process.off('message', this.onMessage);
    for (const { timer, reject } of this.pending.values()) {
      clearTimeout(timer);
      reject(new Error('bus closed'));
    }
    this.pending.clear();
    return Promise.resolve();
  }

  private send(message: ToRunner): void {
    if (process.connected) process.send?.(message);
  }

  private receive(message: FromRunner): void {
    if (message === null || typeof message !== 'object' || !('bus' in message)) return;
    if (message.bus === 'reply') {
      const waiting = this.pending.get(message.msgId);
      if (waiting === undefined) return;
      this.pending.delete(message.msgId);
      clearTimeout(waiting.timer);
      waiting.resolve(message.body);
      return;
    }
    const handler = this.handlers.get(message.topic);
    if (handler === undefined) return;
    const { msgId, from } = message;
    void handler(message.body).then((reply) => {
      if (msgId !== undefined) this.send({ bus: 'reply', to: from, msgId, body: reply });
    });
  }
}
