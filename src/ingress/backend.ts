import type { Field, MerklePath } from '../privacy/index.js';

/** One published output: where it sits in the tree, its commitment, its envelope (none for deposits). */
export interface OutputRecord {
  readonly leafIndex: number;
  readonly commitment: Field;
  readonly envelope: Uint8Array | undefined;
}

export type SubmitResult =
  | { readonly ok: true; readonly id: Uint8Array }
  | { readonly ok: false; readonly reason: string; readonly detail: string };

/** What the ingress serves, independent of how the node stores it. */
export interface IngressBackend {
  submit(tx: Uint8Array): Promise<SubmitResult>;
  status(): Promise<{ height: bigint; root: Field; leafCount: number; mempool: number }>;
  /** Oldest first; the last is the current root. */
  roots(): Promise<readonly Field[]>;
  path(leafIndex: number): Promise<{ root: Field; path: MerklePath } | undefined>;
  outputs(fromLeaf: number, limit: number): Promise<readonly OutputRecord[]>;
}
