import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../common/index.js';
import { ComputeError } from '../compute/index.js';
import type { ComputeIngressBackend, IngressBackend } from './index.js';
import { IngressServer } from './index.js';

/** A compute backend whose next refusal the test sets, answering as ComputeService does. */
class Refusing implements ComputeIngressBackend {
  readonly maxJobBytes = 1024;
  next: unknown;
  async submitJob(): Promise<{ id: string; status: string }> {
    if (this.next) throw this.next;
    return { id: 'ab'.repeat(32), status: 'pending' };
  }
  async jobStatus(): Promise<Record<string, unknown> | undefined> {
    if (this.next) throw this.next;
    return undefined;
  }
  async executors(): Promise<Record<string, unknown>> {
    if (this.next) throw this.next;
    return { height: '1' };
  }
  isComputeError(err: unknown): err is ComputeError {
    return err instanceof ComputeError;
  }
}

const unusedLedger = {} as IngressBackend;

describe('compute routes: refusals as HTTP answers', () => {
  const compute = new Refusing();
  let server: IngressServer;

  beforeAll(async () => {
    server = new IngressServer(unusedLedger, { port: 0, compute, logger: createLogger('test', 'silent') });
    await server.start();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const submit = async (refusal: unknown) => {
    compute.next = refusal;
    const res = await fetch(`${server.url}/v1/compute/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Uint8Array.of(1, 2, 3),
    });
    const body = (await res.json()) as { id?: string; error?: { code: string } };
    return [res.status, body.error?.code ?? body.id] as const;
  };
  const refusal = (
    code:
      | 'JOB_KNOWN'
      | 'OWNERSHIP_TAG_REUSED'
      | 'VALIDATORS_UNKNOWN'
      | 'POOL_FULL'
      | 'JOB_LIMIT_EXCEEDED'
      | 'NOT_STARTED'
      | 'WASM_INVALID',
  ) => new ComputeError(code, code.toLowerCase());

  it('maps each compute code to its status and keeps the code', async () => {
    expect(await submit(undefined)).toEqual([202, 'ab'.repeat(32)]);
    expect(await submit(refusal('JOB_KNOWN'))).toEqual([409, 'JOB_KNOWN']);
    expect(await submit(refusal('OWNERSHIP_TAG_REUSED'))).toEqual([409, 'OWNERSHIP_TAG_REUSED']);
    expect(await submit(refusal('POOL_FULL'))).toEqual([503, 'POOL_FULL']);
    expect(await submit(refusal('NOT_STARTED'))).toEqual([503, 'NOT_STARTED']);
    expect(await submit(refusal('JOB_LIMIT_EXCEEDED'))).toEqual([413, 'JOB_LIMIT_EXCEEDED']);
    expect(await submit(refusal('WASM_INVALID'))).toEqual([400, 'WASM_INVALID']);
  });

  it('an error that is not a compute refusal stays internal', async () => {
    expect(await submit(new Error('disk on fire'))).toEqual([500, 'INTERNAL']);
  });

  it('the executor view and job status map the same way', async () => {
    compute.next = refusal('VALIDATORS_UNKNOWN');
    const ex = await fetch(`${server.url}/v1/compute/executors`);
    expect([ex.status, ((await ex.json()) as { error: { code: string } }).error.code]).toEqual([
      503,
      'VALIDATORS_UNKNOWN',
    ]);
    compute.next = undefined;
    const st = await fetch(`${server.url}/v1/compute/jobs/${'cd'.repeat(32)}`);
    expect(st.status).toBe(404);
  });
});
