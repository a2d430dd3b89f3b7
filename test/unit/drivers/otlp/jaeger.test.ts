import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createJaegerDriver, jaegerEndpoint } from '../../../../src/drivers/otlp/jaeger.js';
import type { Driver } from '../../../../src/drivers/driver.js';
import { setLogSink } from '../../../../src/log.js';
import { startOtlpReceiver, type OtlpReceiver } from '../../../helpers/otlp-receiver.js';

const BASE = '4e3e0ec6-2938-40b1-8504-09eb1d4b0dee';
const A = '1c089ea8-28fe-4f3d-8c00-f6daa2bc32f1';

describe('jaeger connection strings', () => {
  it("jaeger://host:4318 posts to Jaeger's OTLP/HTTP receiver", () => {
    assert.deepEqual(jaegerEndpoint('jaeger://jaeger:4318'), { endpoint: 'http://jaeger:4318/v1/traces' });
  });
  it('no port means 4318', () => {
    assert.deepEqual(jaegerEndpoint('jaeger://jaeger'), { endpoint: 'http://jaeger:4318/v1/traces' });
  });
  it('the agent, collector and UI ports of Python-era strings are moved to 4318', () => {
    for (const port of ['6831', '6832', '14268', '14250', '16686', '4317']) {
      assert.deepEqual(jaegerEndpoint(`jaeger://10.0.0.5:${port}`), {
        endpoint: 'http://10.0.0.5:4318/v1/traces',
        remappedFrom: port,
      });
    }
    assert.equal(jaegerEndpoint('jaeger://[::1]:6831').endpoint, 'http://[::1]:4318/v1/traces');
  });
  it('a remapped port is logged once as a warning', () => {
    const lines: string[] = [];
    setLogSink((_level, message) => lines.push(message));
    try {
      createJaegerDriver('jaeger://remap-test:6831');
    } finally {
      setLogSink(undefined);
    }
    assert.equal(lines.length, 1);
    assert.match(lines[0], /port 6831 does not accept OTLP\/HTTP; sending to http:\/\/remap-test:4318\/v1\/traces/);
  });
});

describe('jaeger driver', () => {
  let receiver: OtlpReceiver;
  before(async () => {
    receiver = await startOtlpReceiver();
  });
  after(() => receiver.close());

  it('sends OTLP spans with the prefix, process tags as resource attributes and its own scope', async () => {
    const driver = createJaegerDriver(`jaeger://127.0.0.1:${receiver.port}`, {
      project: 'nova',
      service: 'api',
      serviceNamePrefix: 'osp',
      processTags: { region: 'r1' },
    });
    assert.equal(driver.scheme, 'jaeger');
    await driver.notifyBatch([
      {
        name: 'heat-start',
        base_id: BASE,
        trace_id: A,
        parent_id: BASE,
        timestamp: '2018-05-03T04:31:51.900000',
        info: { host: 'h' },
      },
      {
        name: 'heat-stop',
        base_id: BASE,
        trace_id: A,
        parent_id: BASE,
        timestamp: '2018-05-03T04:31:51.950000',
        info: { host: 'h' },
      },
    ]);
    const [span] = receiver.spans();
    assert.deepEqual(span.resource, { 'service.name': 'osp-nova-api', region: 'r1' });
    assert.equal(span.scope, 'osprofiler.drivers.jaeger');
    assert.equal(span.name, 'heat');
  });

  it('is write-only, and its reason gives the Jaeger UI address of the trace', async () => {
    const driver = createJaegerDriver('jaeger://jaeger.local:4318');
    assert.equal((driver as Driver).reader, undefined);
    assert.ok(
      driver.unreadableReason(BASE).includes('http://jaeger.local:16686/trace/4e3e0ec6293840b1850409eb1d4b0dee'),
    );
    assert.match(driver.describe(), /Jaeger OTLP receiver at http:\/\/jaeger.local:4318\/v1\/traces/);
  });
});
