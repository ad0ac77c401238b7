import { BridgeError } from '../bridge/index.js';
import { HttpError } from './errors.js';

/**
 * A Solana read behind an ingress answer (anchors, withdrawal status): an unreachable or slow RPC is
 * a 503 the wallet may retry, not an internal error.
 */
export async function chainRead<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof BridgeError && /^RPC_|CONFIRMATION_TIMEOUT/.test(err.code)) {
      throw new HttpError(503, 'CHAIN_UNAVAILABLE', 'Solana did not answer in time; retry shortly');
    }
    throw err;
  }
}
