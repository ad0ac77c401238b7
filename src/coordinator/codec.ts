import type { CodecErrorFactory } from '../common/index.js';
import { CoordinatorError } from './errors.js';

/** Coordinator messages on the common byte codec: anything that does not decode or encode is MESSAGE_MALFORMED. */
export const malformedMessage: CodecErrorFactory = (_kind, message, context) =>
  new CoordinatorError('MESSAGE_MALFORMED', message, { ...context });
