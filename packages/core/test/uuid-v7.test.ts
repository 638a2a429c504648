import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uuidTime, uuidV7 } from '../src/index.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('a prediction id is a lower-case UUIDv7 whose first 48 bits are the time it was made', () => {
  for (const ms of [0, 1, 0xff, 0x1_0000, 2 ** 32 - 1, 2 ** 32, 1_733_400_000_123, 2 ** 48 - 20_000]) {
    const id = uuidV7(ms);
    assert.match(id, UUID_V7, id);
    assert.equal(id.slice(0, 8) + id.slice(9, 13), ms.toString(16).padStart(12, '0'), `time bits of ${ms}`);
    assert.equal(uuidTime(id), ms);
  }
});

test('ids made in one millisecond sort in the order they were made, and the next millisecond sorts after them', () => {
  const ms = 2 ** 48 - 10_000;
  const ids = Array.from({ length: 300 }, () => uuidV7(ms));
  ids.push(uuidV7(ms + 1));
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(ids).size, ids.length);
  // The counter sits in the 12 bits after the version digit.
  assert.equal(ids[1]!.slice(15, 18), '001');
  assert.equal(ids[255]!.slice(15, 18), '0ff');
  assert.equal(ids[256]!.slice(15, 18), '100');
});

test('more than 4,096 ids in one millisecond borrow the next millisecond and still sort', () => {
  const ms = 2 ** 48 - 5_000;
  const ids = Array.from({ length: 5000 }, () => uuidV7(ms));
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(uuidTime(ids[0]!), ms);
  assert.equal(uuidTime(ids[4999]!), ms + 1);
});

test('a clock that steps back does not make an id that sorts before the ones already made', () => {
  const ms = 2 ** 48 - 3_000;
  const a = uuidV7(ms);
  const b = uuidV7(ms - 1_000);
  assert.ok(b > a, `${b} > ${a}`);
  const last = uuidV7(2 ** 48 - 1);
  assert.equal(last.slice(0, 13), 'ffffffff-ffff');
});
