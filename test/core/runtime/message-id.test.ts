import assert from 'node:assert/strict';
import { messageId } from '../../../src/runtime/shared/message-id';

describe('messageId: _msgid for messages TwinFlow nodes create', () => {
  it('gives 16 hex characters, as RED.util.generateId does, and never the same id twice', () => {
    const ids = Array.from({ length: 10_000 }, () => messageId());
    for (const id of ids.slice(0, 100)) assert.match(id, /^[0-9a-f]{16}$/);
    assert.equal(new Set(ids).size, ids.length);
  });
});
