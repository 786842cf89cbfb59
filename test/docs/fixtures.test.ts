import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { OPEN_MESSAGING_VECTOR } from '../helpers/fixtures.js';

// The project's shared reference folder sits beside the repository in development; a plain clone has none.
const PUBLISHED = fileURLToPath(new URL('../../../../shared/reference/open-messaging-text.json', import.meta.url));

test(
  'the Open Messaging fixture is byte for byte the published vector',
  { skip: !existsSync(PUBLISHED) && 'no ../shared beside this clone' },
  () => {
    assert.ok(readFileSync(OPEN_MESSAGING_VECTOR.file).equals(readFileSync(PUBLISHED)));
  },
);
