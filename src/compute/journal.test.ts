import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex } from '../common/index.js';
import { ComputeStore, Database } from '../storage/index.js';
import { tallyResults } from './agreement.js';
import { executeJob } from './executor.js';
import { jobId, jobIdBytes } from './job/job-id.js';
import { AUDIT_ADMITTED, AUDIT_FINALIZED, ComputeJournal } from './journal.js';
import { decodeSignedResult, encodeSignedResult } from './record.js';
import { Sandbox } from './sandbox/sandbox.js';
import { executorId, executorKeys, meanJobFixture } from './testing/index.js';

describe('compute journal (RocksDB compute store)', () => {
  let dir: string;
  let db: Database;
  const sandbox = new Sandbox();
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paraloom-compute-journal-'));
    db = await Database.open(dir, { logger: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    await sandbox.stop();
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('queues an admitted job, stores its agreed result and logs both', async () => {
    const fixture = await meanJobFixture(3);
    const id = jobId(fixture.job);
    const journal = new ComputeJournal(await ComputeStore.open(db));
    await journal.admit({ job: fixture.job, jobId: id });
    const queued = await journal.queued(10);
    expect(queued.map((q) => bytesToHex(q.id))).toEqual([bytesToHex(jobIdBytes(id))]);
    expect(jobId(queued[0]!.job)).toBe(id);

    const signed = await Promise.all(
      [0, 1].map(async (i) => (await executeJob(fixture.job, executorKeys(i), sandbox)).signed),
    );
    // Results travel as bytes: the codec round-trips and recomputes the commitment.
    const wire = signed.map((s) => decodeSignedResult(encodeSignedResult(s)));
    expect(wire.map((s) => bytesToHex(s.commitment))).toEqual(signed.map((s) => bytesToHex(s.commitment)));
    const outcome = tallyResults({ jobId: id, assigned: [0, 1, 2].map(executorId), results: wire });
    await journal.finalize(outcome);

    expect(await journal.queued(10)).toEqual([]);
    const record = await journal.result(jobIdBytes(id));
    expect(record && bytesToHex(record.result.commitment)).toBe(bytesToHex(signed[0]!.commitment));
    expect(record?.agreeing.length).toBe(2);
    const store = await ComputeStore.open(db);
    const audit = await store.audit(0n, 10);
    expect(audit.map((a) => a.entry[0])).toEqual([AUDIT_ADMITTED, AUDIT_FINALIZED]);
  });
});
