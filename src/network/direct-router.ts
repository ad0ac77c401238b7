import type { NetworkMessage } from './messages.js';
import { RemoteErrorCode } from './node.js';

/** Handles one kind of DIRECT request: the answer's kind and body, or an error text for the peer. */
export type DirectHandler = (
  body: Uint8Array,
  from: string,
) => Promise<{ kind: number; body: Uint8Array }> | { kind: number; body: Uint8Array };

/** The part of NetworkNode a router needs. */
export interface DirectHost {
  handle(name: 'direct', handler: (req: NetworkMessage, from: string) => Promise<NetworkMessage>): void;
}

/**
 * The `direct` protocol carries many small request kinds (anchor signing, coordinator duties); one
 * protocol handler dispatches them by kind, so each duty registers its own handler. An unknown kind
 * gets NO_HANDLER, a handler that throws gets BAD_REQUEST with the error's code as text.
 */
export class DirectRouter {
  private readonly handlers = new Map<number, DirectHandler>();

  constructor(host: DirectHost) {
    host.handle('direct', (req, from) => this.dispatch(req, from));
  }

  on(kind: number, handler: DirectHandler): () => void {
    this.handlers.set(kind, handler);
    return () => {
      if (this.handlers.get(kind) === handler) this.handlers.delete(kind);
    };
  }

  private async dispatch(req: NetworkMessage, from: string): Promise<NetworkMessage> {
    if (req.type !== 'DIRECT')
      return { type: 'ERROR', code: RemoteErrorCode.BAD_REQUEST, text: 'not direct' };
    const handler = this.handlers.get(req.kind);
    if (!handler)
      return { type: 'ERROR', code: RemoteErrorCode.NO_HANDLER, text: `no handler for ${req.kind}` };
    try {
      const res = await handler(req.body, from);
      return { type: 'DIRECT', kind: res.kind, body: res.body };
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      return {
        type: 'ERROR',
        code: RemoteErrorCode.BAD_REQUEST,
        text: typeof code === 'string' ? code : 'request refused',
      };
    }
  }
}
