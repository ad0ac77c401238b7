import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { ComputeError } from './errors.js';
import { runLocalJob } from './local-run.js';
import { Sandbox } from './sandbox/sandbox.js';
import { INFINITE_LOOP_WAT } from './testing/index.js';

const example = fileURLToPath(new URL('../../examples/compute/mean/', import.meta.url));

describe('compute run-local', () => {
  const sandbox = new Sandbox();
  afterAll(() => sandbox.stop());

  it('runs the example job directory and decodes its statistic', async () => {
    const a = await runLocalJob(example, sandbox);
    const b = await runLocalJob(example, sandbox);
    expect(a.status).toBe('ok');
    expect(a.decoded).toEqual({ sum: '1000090', count: '5', mean: '200018' });
    // Fresh keys each run, so ciphertexts differ; the fuel does not.
    expect(b.fuelUsed).toBe(a.fuelUsed);
  });

  it('reports an out-of-fuel run as a result, and refuses a bad manifest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paraloom-job-'));
    writeFileSync(join(dir, 'job.wat'), INFINITE_LOOP_WAT);
    const manifest = {
      module: 'job.wat',
      fuelLimit: '10000',
      memoryPages: 1,
      outputCap: 8,
      input: { hex: '' },
    };
    writeFileSync(join(dir, 'job.json'), JSON.stringify(manifest));
    const r = await runLocalJob(dir, sandbox);
    expect([r.status, r.fuelUsed]).toEqual(['out_of_fuel', '10000']);
    writeFileSync(join(dir, 'job.json'), JSON.stringify({ ...manifest, fuelLimit: 12 }));
    const err = await runLocalJob(dir, sandbox).catch((e: unknown) => e);
    expect((err as ComputeError).code).toBe('JOB_MALFORMED');
  });
});
