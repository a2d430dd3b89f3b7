// storedRecord: the record a driver stores, with project and service added unless the payload already carries them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { storedRecord } from '../../../src/drivers/records.js';
import type { Notification } from '../../../src/core/payload.js';

const payload: Notification = {
  name: 'db-start',
  base_id: 'b',
  trace_id: 't',
  parent_id: 'b',
  timestamp: '2024-05-14T09:30:12.000100',
  info: { host: 'h' },
};

describe('storedRecord', () => {
  it('appends the driver’s project and service after the payload’s keys (Python’s order), None when unset', () => {
    const record = storedRecord(payload, { project: 'nova', service: 'api' });
    assert.deepEqual(Object.keys(record), [...Object.keys(payload), 'project', 'service']);
    assert.deepEqual([record.project, record.service], ['nova', 'api']);
    assert.deepEqual([storedRecord(payload, {}).project, storedRecord(payload, {}).service], [null, null]);
    assert.equal(Object.hasOwn(payload, 'project'), false, 'the payload itself is not changed');
  });

  it('keeps the project and service of a record that already has them (forwarded by osprofiler collect)', () => {
    const forwarded = { ...payload, project: 'cinder', service: null as unknown as string };
    const record = storedRecord(forwarded, { project: 'collector', service: 'collect' });
    assert.equal(record.project, 'cinder');
    assert.equal(record.service, null);
  });
});
