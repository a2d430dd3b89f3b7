// otlp:// against fixtures/storage/otlp.json (head's OTLP driver formulas), decoded from a real OTLP/HTTP receiver.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createOtlpDriver } from '../../src/drivers/otlp/driver.js';
import { toUnixNano } from '../../src/drivers/otlp/mapping.js';
import { loadFixture } from '../helpers/fixtures.js';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlp-receiver.js';

const fixture = loadFixture('storage/otlp.json');
const KINDS: Record<string, number> = { INTERNAL: 1, SERVER: 2, CLIENT: 3 };

// Where the port deliberately differs from head's driver (documented in docs/drivers/otlp.md).
const PORT_NAMES: Record<string, string> = {
  he: 'heat', // rstrip("-start") is a character strip; we remove the suffix
};

describe('otlp storage fixture (upstream head)', () => {
  let receiver: OtlpReceiver;
  before(async () => {
    receiver = await startOtlpReceiver();
  });
  after(() => receiver.close());

  for (const example of fixture.examples) {
    it(`maps "${example.title}" as head does, with payload times`, async () => {
      receiver.requests.length = 0;
      const driver = createOtlpDriver(`otlp://127.0.0.1:${receiver.port}`, {
        project: example.project,
        service: example.service,
      });
      await driver.notifyBatch([example.start, example.stop]);
      const spans = receiver.spans();
      assert.equal(spans.length, 1);
      const [span] = spans;
      const want = example.span;
      assert.deepEqual(span.resource, want.resource);
      assert.equal(span.scope, want.scope);
      assert.equal(span.traceId, want.trace_id);
      assert.equal(span.spanId, want.span_id);
      assert.equal(span.parentSpanId, want.parent_span_id ?? undefined);
      assert.equal(span.name, PORT_NAMES[want.name] ?? want.name);
      assert.equal(span.kind, KINDS[want.kind]);
      assert.deepEqual(span.attributes, want.attributes);
      assert.deepEqual(
        span.events.map((e) => ({ name: e.name, attributes: e.attributes })),
        want.events,
      );
      // Python: the SDK clock at notify time; ours: the payload timestamps.
      assert.equal(span.startTimeUnixNano, toUnixNano(example.start.timestamp));
      assert.equal(span.endTimeUnixNano, toUnixNano(example.stop.timestamp));
      // Python never sets a status; an error stop sets STATUS_CODE_ERROR here.
      if (want.events.length > 0) assert.equal(span.status.code, 2);
      else assert.equal(span.status, undefined);
    });

    it(`puts the service_name_prefix in service.name for "${example.title}"`, async () => {
      receiver.requests.length = 0;
      const driver = createOtlpDriver(`otlp://127.0.0.1:${receiver.port}`, {
        project: example.project,
        service: example.service,
        serviceNamePrefix: 'osp',
      });
      await driver.notifyBatch([example.start, example.stop]);
      assert.deepEqual(receiver.spans()[0].resource, example.span_with_prefix_osp);
    });
  }

  it('the connection string maps to <http url>/v1/traces as in the fixture', () => {
    assert.match(fixture.connection_string, /otlp:\/\/127\.0\.0\.1:4318 -> http:\/\/127\.0\.0\.1:4318\/v1\/traces/);
    assert.equal(createOtlpDriver('otlp://127.0.0.1:4318').endpoint, 'http://127.0.0.1:4318/v1/traces');
  });
});
