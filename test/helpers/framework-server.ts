// Per-test lifecycle of the web-framework middleware tests: notifications captured, then web tracing reset and the test's server closed.
import http from 'node:http';
import { afterEach, beforeEach } from 'node:test';
import { resetWebTrace } from '../../src/config/web-trace.js';
import type { Notification } from '../../src/core/payload.js';
import { setNotifier } from '../../src/notifier/notifier.js';
import { captureNotifications } from './capture.js';
import { closeServer, listenLocal } from './http.js';

/**
 * Registers hooks on the enclosing suite: before each test `sent` is emptied and receives what the notifier
 * sends; after it, the notifier is removed, web tracing reset and the server `serve` started is closed.
 */
export function serveEachTest(): { sent: Notification[]; serve(handler: http.RequestListener): Promise<string> } {
  const { sent, listen } = captureNotifications();
  let server: http.Server | undefined;
  beforeEach(listen);
  afterEach(async () => {
    setNotifier(undefined);
    resetWebTrace();
    if (server !== undefined) {
      await closeServer(server);
      server = undefined;
    }
  });
  return {
    sent,
    serve(handler) {
      server = http.createServer(handler);
      return listenLocal(server);
    },
  };
}
