import { fileURLToPath } from 'node:url';

/**
 * The published Open Messaging test vector: a real-shaped outbound text message (522 bytes, no trailing
 * newline), kept in test/fixtures so that the suite runs from any clone. Compiled helpers live in
 * dist/test/helpers, hence the three levels up.
 */
export const OPEN_MESSAGING_VECTOR = {
  file: fileURLToPath(new URL('../../../test/fixtures/open-messaging-text.json', import.meta.url)),
  secret: 'MySecretToken-123',
  signature: 'sha256=MYcWV7qB29cqJNbccMvhGIBMV2acKLr+rNPMre71wBU=',
};
