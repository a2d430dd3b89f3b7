// jaeger:// against fixtures/storage/jaeger.json (Python 3.4.3's jaeger-client driver), decoded from a real OTLP/HTTP receiver.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createJaegerDriver } from '../../src/drivers/otlp/jaeger.js';
import { loadFixture } from '../helpers/fixtures.js';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlp-receiver.js';

const fixture = loadFixture('storage/jaeger.json');

describe('jaeger storage fixture (Python 3.4.3)', () => {
  let receiver: OtlpReceiver;
  before(async () => {
    receiver = await startOtlpReceiver();
  });
  after(() => receiver.close());

  for (const example of fixture.examples) {
    it(`keeps the service, ids, tags and start time of "${example.title}"`, async () => {
      receiver.requests.length = 0;
      const driver = createJaegerDriver(`jaeger://127.0.0.1:${receiver.port}`, {
        project: example.project,
        service: example.service,
      });
      await driver.notifyBatch([example.start, example.stop]);
      const [span] = receiver.spans();
      const want = example.span;
      assert.equal(span.resource['service.name'], want.service_name);
      // 128-bit trace id (OTLP); Python's 64-bit one is its low half
      assert.equal(span.traceId.slice(16), want.trace_id_64);
      assert.equal(span.spanId, want.span_id);
      // Python gave top-level spans the base id as parent; they are roots here
      const root = example.start.parent_id === example.start.base_id;
      assert.equal(span.parentSpanId, root ? undefined : want.parent_span_id);
      // rstrip("-start") ate "at" of "heat"
      assert.equal(span.name, want.operation_name === 'he' ? 'heat' : want.operation_name);
      for (const [key, value] of Object.entries(want.tags)) assert.deepEqual(span.attributes[key], value, key);
      // start time from the payload, as Python's Jaeger driver did (to the microsecond)
      const startUs = Math.round(want.start_time_epoch_seconds * 1e6);
      assert.equal(span.startTimeUnixNano, `${startUs}000`);
      if (want.stop_error) {
        // Python raised KeyError on this stop and never finished the span; here it ends as an error
        assert.equal(span.attributes.error, true);
        assert.deepEqual(span.events[0].attributes, {
          'error.kind': example.stop.info.etype,
          message: example.stop.info.message,
        });
      }
    });
  }
});
