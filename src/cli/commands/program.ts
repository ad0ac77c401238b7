/**
 * `paraloom program deploy | upgrade | initialize | show | set-authority`: the Paraloom program on a
 * cluster through ordinary transactions to the upgradeable loader (see docs/operations.md, "Deploying
 * the program"). The bridge, key and config stacks load only when a subcommand runs.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';

interface RpcOpts {
  rpc: string;
  json?: boolean;
}
interface SignedOpts extends RpcOpts {
  keypair: string;
}

const LAMPORTS_PER_SOL = 1_000_000_000;
const sol = (lamports: bigint): string => (Number(lamports) / LAMPORTS_PER_SOL).toFixed(9);

function print(json: boolean | undefined, value: Record<string, unknown>, lines: string[]): void {
  if (json) console.log(JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v)));
  else for (const line of lines) console.log(line);
}

async function positiveInteger(name: string, value: string | undefined): Promise<number | undefined> {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) {
    const { BridgeError } = await import('../../bridge/index.js');
    throw new BridgeError('ARGUMENT_INVALID', `${name} expects a positive integer, got ${value}`, { value });
  }
  return n;
}

async function signerFrom(path: string) {
  const [{ readKeypairFile }, { createKeyPairSignerFromPrivateKeyBytes }] = await Promise.all([
    import('../../validator/index.js'),
    import('@solana/kit'),
  ]);
  const keypair = await readKeypairFile(path);
  return createKeyPairSignerFromPrivateKeyBytes(keypair.secretKey.slice(0, 32));
}

/** The program's keypair: read when the file exists (a resumed deploy), created (0600) when it does not. */
async function programSignerFrom(
  path: string,
): Promise<{ created: boolean; signer: Awaited<ReturnType<typeof signerFrom>> }> {
  if (existsSync(path)) return { created: false, signer: await signerFrom(path) };
  const { generateKeypair, writeKeypairFile } = await import('../../validator/index.js');
  await writeKeypairFile(path, generateKeypair());
  return { created: true, signer: await signerFrom(path) };
}

async function rpcFor(url: string) {
  const [{ BridgeRpc }, { createLogger }] = await Promise.all([
    import('../../bridge/index.js'),
    import('../../common/index.js'),
  ]);
  return new BridgeRpc({ rpcUrl: url, timeoutMs: 30_000, logger: createLogger('program', 'warn') });
}

async function elfFrom(path: string | undefined): Promise<{ path: string; bytes: Uint8Array }> {
  const { PARALOOM_SO_PATH, assertElf } = await import('../../bridge/index.js');
  const file = path ?? PARALOOM_SO_PATH;
  const bytes = new Uint8Array(readFileSync(file));
  assertElf(bytes, file);
  return { path: file, bytes };
}

async function deployAction(
  opts: SignedOpts & {
    programKeypair: string;
    so?: string;
    maxDataLen?: string;
    window?: string;
    airdrop?: string;
  },
): Promise<void> {
  const [{ ProgramDeployer }, { createLogger }] = await Promise.all([
    import('../../bridge/index.js'),
    import('../../common/index.js'),
  ]);
  const [payer, program, elf, rpc] = await Promise.all([
    signerFrom(opts.keypair),
    programSignerFrom(opts.programKeypair),
    elfFrom(opts.so),
    rpcFor(opts.rpc),
  ]);
  if (program.created && !opts.json)
    console.log(`new program keypair ${opts.programKeypair}: ${program.signer.address}`);
  const maxDataLen = await positiveInteger('--max-data-len', opts.maxDataLen);
  const window = await positiveInteger('--window', opts.window);
  const airdropSol = await positiveInteger('--airdrop', opts.airdrop);
  if (airdropSol) await rpc.airdrop(payer.address, BigInt(airdropSol) * BigInt(LAMPORTS_PER_SOL));
  const deployer = new ProgramDeployer(rpc, {
    payer,
    logger: createLogger('program', 'warn'),
    ...(window ? { window } : {}),
  });
  const r = await deployer.deploy({
    program: program.signer,
    elf: elf.bytes,
    ...(maxDataLen ? { maxDataLen } : {}),
  });
  print(opts.json, { ...r, so: elf.path, costSol: sol(r.lamportsSpent) }, [
    `program id        ${r.programId}`,
    `program data      ${r.programData} (max_data_len ${r.maxDataLen} bytes)`,
    `upgrade authority ${r.authority}`,
    `deployed in slot  ${r.slot}`,
    `buffer writes     ${r.chunks - r.chunksSkipped} of ${r.chunks} chunks of ${r.chunkBytes} bytes (${r.chunksSkipped} already written)`,
    `transactions      ${r.transactions}`,
    `cost              ${sol(r.lamportsSpent)} SOL (rent of the program and its data, plus fees)`,
    `wall time         ${(r.wallMs / 1000).toFixed(1)} s`,
    `next: paraloom program initialize --rpc ${opts.rpc} --keypair ${opts.keypair} --program-id ${r.programId}`,
  ]);
}

async function upgradeAction(
  opts: SignedOpts & { programId: string; so?: string; spill?: string; window?: string },
): Promise<void> {
  const [{ ProgramDeployer }, { address }, { createLogger }] = await Promise.all([
    import('../../bridge/index.js'),
    import('@solana/kit'),
    import('../../common/index.js'),
  ]);
  const [authority, elf, rpc] = await Promise.all([
    signerFrom(opts.keypair),
    elfFrom(opts.so),
    rpcFor(opts.rpc),
  ]);
  const window = await positiveInteger('--window', opts.window);
  const deployer = new ProgramDeployer(rpc, {
    payer: authority,
    logger: createLogger('program', 'warn'),
    ...(window ? { window } : {}),
  });
  const r = await deployer.upgrade({
    programId: address(opts.programId),
    elf: elf.bytes,
    ...(opts.spill ? { spill: address(opts.spill) } : {}),
  });
  print(opts.json, { ...r, so: elf.path, costSol: sol(r.lamportsSpent) }, [
    `program id        ${r.programId} upgraded in slot ${r.slot}`,
    `buffer writes     ${r.chunks - r.chunksSkipped} of ${r.chunks} chunks of ${r.chunkBytes} bytes`,
    `transactions      ${r.transactions}`,
    `cost              ${sol(r.lamportsSpent)} SOL (fees; the buffer's rent went back to the spill account)`,
    `wall time         ${(r.wallMs / 1000).toFixed(1)} s`,
  ]);
}

interface InitializeOpts extends SignedOpts {
  programId: string;
  config?: string;
  cluster?: string;
  minStake?: string;
  depositCap?: string;
  unbondingSlots?: string;
  slashBps?: string;
  reporterBps?: string;
}

async function initializeAction(opts: InitializeOpts): Promise<void> {
  const [bridge, { address }] = await Promise.all([import('../../bridge/index.js'), import('@solana/kit')]);
  const { CLUSTER_IDS, LOCALNET_INITIALIZE_PARAMS, initializeBridge } = bridge;
  const cluster =
    opts.cluster ??
    (opts.config
      ? (await (await import('../../config/index.js')).loadConfig(opts.config)).solana.cluster
      : 'localnet');
  const bad = (name: string, value: string) =>
    new bridge.BridgeError('ARGUMENT_INVALID', `${name}: ${value} is out of range`, { value });
  if (!(cluster in CLUSTER_IDS))
    throw bad(`--cluster (one of ${Object.keys(CLUSTER_IDS).join(', ')})`, cluster);
  const big = (name: string, v: string | undefined, d: bigint) => {
    if (v === undefined) return d;
    if (!/^[1-9]\d{0,19}$/.test(v) || BigInt(v) >= 2n ** 64n) throw bad(name, v);
    return BigInt(v);
  };
  /** Basis points: 0 to 10,000. */
  const small = (name: string, v: string | undefined, d: number) => {
    if (v === undefined) return d;
    if (!/^\d{1,5}$/.test(v) || Number(v) > 10_000) throw bad(name, v);
    return Number(v);
  };
  const d = LOCALNET_INITIALIZE_PARAMS;
  const params = {
    cluster: CLUSTER_IDS[cluster as keyof typeof CLUSTER_IDS],
    minStake: big('--min-stake', opts.minStake, d.minStake),
    depositCap: big('--deposit-cap', opts.depositCap, d.depositCap),
    unbondingSlots: big('--unbonding-slots', opts.unbondingSlots, d.unbondingSlots),
    slashBps: small('--slash-bps', opts.slashBps, d.slashBps),
    reporterBps: small('--reporter-bps', opts.reporterBps, d.reporterBps),
    icCount: d.icCount,
  };
  const [admin, rpc] = await Promise.all([signerFrom(opts.keypair), rpcFor(opts.rpc)]);
  const logger = (await import('../../common/index.js')).createLogger('program', 'warn');
  const r = await initializeBridge(rpc, { programId: address(opts.programId), admin, params, logger });
  const done = !r.initialized && r.keyChunksWritten === 0 && !r.finalized;
  print(opts.json, { ...r, cluster, params }, [
    done
      ? `program ${r.programId}: already initialized with its verifying key sealed; nothing sent`
      : `program ${r.programId}: ${r.initialized ? 'initialized, ' : ''}${r.keyChunksWritten} verifying-key chunk(s) written${r.finalized ? ', key sealed' : ''} (${r.transactions} transactions)`,
    `next: set solana.program_id = "${r.programId}" in each node's config, then register validators`,
  ]);
}

async function showAction(opts: RpcOpts & { programId: string; so?: string }): Promise<void> {
  const [{ inspectProgram }, { address }] = await Promise.all([
    import('../../bridge/index.js'),
    import('@solana/kit'),
  ]);
  const [elf, rpc] = await Promise.all([elfFrom(opts.so), rpcFor(opts.rpc)]);
  const info = await inspectProgram(rpc, address(opts.programId), elf.bytes);
  print(opts.json, { ...info, reference: elf.path }, [
    `program id        ${info.programId}`,
    `program data      ${info.programData}`,
    `upgrade authority ${info.authority ?? 'none (immutable)'}`,
    `last deploy slot  ${info.lastDeploySlot}`,
    `deployed bytes    ${info.elfBytes} (max_data_len ${info.maxDataLen})`,
    `sha256            ${info.sha256}`,
    `matches           ${info.matchesReference ? 'yes' : 'NO'}: ${elf.path}`,
    `program_version   ${info.programVersion ?? 'none (not initialized)'}`,
  ]);
}

async function setAuthorityAction(
  opts: SignedOpts & { programId: string; newAuthority?: string; final?: boolean },
): Promise<void> {
  const [{ BridgeError, ProgramDeployer }, { address }, { createLogger }] = await Promise.all([
    import('../../bridge/index.js'),
    import('@solana/kit'),
    import('../../common/index.js'),
  ]);
  if (Boolean(opts.newAuthority) === Boolean(opts.final))
    throw new BridgeError('ARGUMENT_INVALID', 'give exactly one of --new-authority <address> or --final');
  const [authority, rpc] = await Promise.all([signerFrom(opts.keypair), rpcFor(opts.rpc)]);
  const programId = address(opts.programId);
  const next = opts.newAuthority ? address(opts.newAuthority) : null;
  const deployer = new ProgramDeployer(rpc, { payer: authority, logger: createLogger('program', 'warn') });
  const r = await deployer.setUpgradeAuthority({ programId, newAuthority: next });
  print(opts.json, { programId, programData: r.programData, authority: next, slot: r.slot }, [
    next ? `program ${programId}: upgrade authority is now ${next}` : `program ${programId} is now immutable`,
  ]);
}

export function registerProgramCommand(program: Command): void {
  const cmd = program
    .command('program')
    .description(
      'deploy, initialize, inspect and upgrade the Paraloom program through the upgradeable BPF loader',
    );
  const rpc = (c: Command) =>
    c
      .option('--rpc <url>', 'Solana JSON-RPC URL', 'http://127.0.0.1:8899')
      .option('--json', 'print one JSON object');
  rpc(
    cmd
      .command('deploy')
      .description('buffer, chunked writes, deploy; prints program id, cost and transaction count'),
  )
    .requiredOption('--keypair <file>', 'payer and upgrade authority (Solana keypair JSON, mode 0600)')
    .option(
      '--program-keypair <file>',
      "the program id's keypair; created when absent, reused to resume an interrupted deploy",
      'paraloom-program-keypair.json',
    )
    .option('--so <file>', 'the program to deploy (default: the committed programs/paraloom/paraloom.so)')
    .option('--max-data-len <bytes>', 'room for upgrades (default: twice the .so)')
    .option('--window <n>', 'buffer writes in flight at once (default 16)')
    .option('--airdrop <sol>', 'first fund the payer up to this many SOL from the faucet (localnet, devnet)')
    .action(deployAction);
  rpc(
    cmd
      .command('upgrade')
      .description("write a new buffer and upgrade; the buffer's rent goes to the spill account"),
  )
    .requiredOption('--keypair <file>', 'the upgrade authority (pays the fees)')
    .requiredOption('--program-id <address>', 'the deployed program')
    .option('--so <file>', 'the new program (default: the committed .so)')
    .option('--spill <address>', "receives the buffer's lamports (default: the authority)")
    .option('--window <n>', 'buffer writes in flight at once (default 16)')
    .action(upgradeAction);
  rpc(
    cmd
      .command('initialize')
      .description('initialize the bridge and upload the verifying key; skips what is done'),
  )
    .requiredOption('--keypair <file>', 'the upgrade authority (the program lets only it initialize)')
    .requiredOption('--program-id <address>', 'the deployed program')
    .option('--config <file>', 'node config: the cluster tag comes from its solana.cluster')
    .option('--cluster <name>', 'cluster tag (localnet, devnet, testnet, mainnet-beta); overrides --config')
    .option('--min-stake <lamports>', 'minimum validator stake (default 1 SOL)')
    .option('--deposit-cap <lamports>', 'largest single deposit (default 1000 SOL)')
    .option('--unbonding-slots <slots>', 'slots before unbonded stake returns (default 100)')
    .option('--slash-bps <bps>', 'share of stake a slash takes, in basis points (default 1000)')
    .option('--reporter-bps <bps>', "reporter's share of a slash, in basis points (default 5000)")
    .action(initializeAction);
  rpc(
    cmd
      .command('show')
      .description('program id, authority, deploy slot, deployed hash against the .so, program_version'),
  )
    .requiredOption('--program-id <address>', 'the program')
    .option('--so <file>', 'the reference to compare with (default: the committed .so)')
    .action(showAction);
  rpc(
    cmd
      .command('set-authority')
      .description('hand the upgrade authority to another key (a multisig) or drop it'),
  )
    .requiredOption('--keypair <file>', 'the current upgrade authority')
    .requiredOption('--program-id <address>', 'the program')
    .option('--new-authority <address>', 'the new upgrade authority (it does not sign: check the address)')
    .option('--final', 'drop the authority: nobody can upgrade the program ever again')
    .action(setAuthorityAction);
}
