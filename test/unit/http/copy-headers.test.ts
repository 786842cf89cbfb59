import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { copyHeaders } from '../../../src/http/copy-headers.js';

describe('copyHeaders', () => {
  it('copies every header, list values included, into a new object that can be added to alone', () => {
    const answer = { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] };
    const copy = copyHeaders<string | string[] | number>(answer);
    copy['content-length'] = 2;

    assert.deepEqual(copy, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'], 'content-length': 2 });
    assert.deepEqual(Object.keys(answer), ['content-type', 'set-cookie']);
  });
});
