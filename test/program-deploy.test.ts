/**
 * The program put on a cluster the way an operator does it, then used: `paraloom localnet --paraloom
 * off` (no program), `paraloom program deploy` and `paraloom program initialize` as processes (through
 * the devnet's deploy path), `paraloom program show` checking the deployed bytes against the committed
 * .so, and four validators on that program id running the demo: deposit, private transfer, withdrawal
 * settled by the relayer, every balance reconciled. Then the CLI's refusals, each with its code.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadParaloomProgram } from '../src/bridge/index.js';
import { Devnet, runDemo } from '../src/devnet/index.js';
import { shutdownProver } from '../src/privacy/index.js';
import { run, runOk } from './helpers/paraloom-child.js';

describe('deploy, initialize and use the program on a localnet started without it (multi-process)', () => {
  let dir: string;
  let devnet: Devnet;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paraloom-program-deploy-'));
    devnet = new Devnet({ dir, validators: 4, slotMs: 150, dashboard: false, deploy: true });
    await devnet.start();
    await devnet.waitHeight(2n, 120_000);
  }, 300_000);

  afterAll(async () => {
    await shutdownProver();
    await devnet?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('deployed through the loader: show finds the committed .so, the dev program is absent', async () => {
    const report = devnet.deployReport!;
    console.log(
      `deploy: ${report.transactions} transactions, ${report.chunkBytes}-byte writes, ${report.costSol} SOL, deploy ${(report.wallMs / 1000).toFixed(1)} s, deploy + initialize ${(report.ms / 1000).toFixed(1)} s as processes`,
    );
    expect(devnet.programId).toBe(report.programId);
    const shown = await runOk([
      'program',
      'show',
      '--rpc',
      devnet.rpcUrl,
      '--program-id',
      report.programId,
      '--json',
    ]);
    const info = JSON.parse(shown.stdout.at(-1)!) as Record<string, unknown>;
    const { createHash } = await import('node:crypto');
    expect(info).toMatchObject({
      matchesReference: true,
      sha256: createHash('sha256').update(loadParaloomProgram()).digest('hex'),
      elfBytes: loadParaloomProgram().length,
      programVersion: 1,
    });
    // The localnet loaded nothing itself: the dev program id is not a program there.
    const dev = run([
      'program',
      'show',
      '--rpc',
      devnet.rpcUrl,
      '--program-id',
      'PaRa1oomDev11111111111111111111111111111111',
    ]);
    expect(await dev.exited).toBe(1);
    expect(dev.stderr.join('\n')).toMatch(/NOT_A_PROGRAM/);
  }, 60_000);

  it('runs deposit, private transfer and withdrawal on the deployed program; balances reconcile', async () => {
    const lines: string[] = [];
    const report = await runDemo(devnet, dir, (l) => lines.push(l));
    expect(lines.filter((l) => l.includes('FAIL'))).toEqual([]);
    expect(lines.filter((l) => l.trim().startsWith('ok'))).toHaveLength(4);
    expect(report.withdrawal.signature).toMatch(/^[1-9A-HJ-NP-Za-km-z]{64,88}$/);
    expect(report.balances.recipient).toBe('0.3');
  }, 300_000);

  it('refuses through the CLI with typed codes: initialize and upgrade by a non-authority, a second deploy at the id', async () => {
    const stranger = join(dir, 'stranger.json');
    await runOk(['validator', 'keygen', '--out', stranger]);
    const common = ['--rpc', devnet.rpcUrl, '--keypair', stranger];
    const id = devnet.programId!;
    const init = run(['program', 'initialize', ...common, '--program-id', id]);
    expect(await init.exited).toBe(1);
    expect(init.stderr.join('\n')).toMatch(/AUTHORITY_MISMATCH/);
    const upgrade = run(['program', 'upgrade', ...common, '--program-id', id]);
    expect(await upgrade.exited).toBe(1);
    expect(upgrade.stderr.join('\n')).toMatch(/AUTHORITY_MISMATCH/);
    const again = run([
      'program',
      'deploy',
      ...common,
      '--program-keypair',
      join(dir, 'program-keypair.json'),
    ]);
    expect(await again.exited).toBe(1);
    expect(again.stderr.join('\n')).toMatch(/PROGRAM_EXISTS/);
  }, 60_000);
});
