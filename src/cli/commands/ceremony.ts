import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import type { AuditReport, CeremonyIO } from '../../ceremony/index.js';
import { bytesToHex } from '../../common/index.js';

/**
 * The ceremony module carries snarkjs: it is loaded when a ceremony command runs, so `--help` and
 * every other command start without it.
 */
const loadCeremony = () => import('../../ceremony/index.js');

/** Runs one ceremony step with a progress bar and releases snarkjs' worker threads afterwards. */
async function withProgress<T>(run: (io: CeremonyIO) => Promise<T>): Promise<T> {
  const [{ releaseSnarkjs }, { ProgressBar }] = await Promise.all([
    loadCeremony(),
    import('./progress-bar.js'),
  ]);
  const bar = new ProgressBar();
  try {
    return await run(bar.io);
  } finally {
    bar.stop();
    await releaseSnarkjs();
  }
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`not a non-negative integer: ${value}`);
  return n;
}

async function askEntropy(): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question('Type some random text (mixed with OS randomness), then Enter: ');
  } finally {
    rl.close();
  }
}

function printReport(r: AuditReport): void {
  console.log(`circuit ${r.circuit}: ${r.constraints} constraints`);
  console.log(`phase 1: power ${r.phase1.power}, sha256 ${r.phase1.ptau_sha256}`);
  console.log(`         ${r.phase1.provenance}`);
  for (const c of r.contributions) {
    const who =
      c.kind === 'beacon' ? `beacon "${c.name}"` : `"${c.name}"${c.signer ? ` signed by ${c.signer}` : ''}`;
    console.log(`#${c.index} ${c.time} ${who}\n    ${c.contributionHash}`);
  }
  console.log(
    `final zkey ${r.finalZkey} sha256 ${r.finalZkeySha256} (${r.zkeysChecked} zkey file(s) matched)`,
  );
  console.log(`ceremony verified${r.finalized ? ', finalized exports match' : ''}`);
}

export function registerCeremonyCommand(program: Command): void {
  const ceremony = program
    .command('ceremony')
    .description('Groth16 phase-2 trusted setup (BGM17 via snarkjs) with a hash-chained transcript');
  const dirOption = ['-d, --dir <dir>', 'ceremony directory', '.'] as const;

  ceremony
    .command('init <r1cs>')
    .description('import a phase-1 file and create the initial zkey and transcript')
    .requiredOption('--ptau <file>', 'prepared bn128 powers-of-tau file of sufficient power')
    .option(...dirOption)
    .option('--circuit <name>', 'circuit name (default: r1cs file name)')
    .option('--ptau-provenance <text>', 'how the phase-1 file was produced, recorded in the transcript')
    .option('--min-contributions <n>', 'contributions finalize will require', nonNegativeInt, 1)
    .action(
      async (
        r1cs: string,
        o: { ptau: string; dir: string; circuit?: string; ptauProvenance?: string; minContributions: number },
      ) => {
        const { initCeremony } = await loadCeremony();
        const t = await withProgress((io) =>
          initCeremony({
            dir: o.dir,
            r1cs,
            ptau: o.ptau,
            io,
            minContributions: o.minContributions,
            ...(o.circuit ? { circuit: o.circuit } : {}),
            ...(o.ptauProvenance ? { ptauProvenance: o.ptauProvenance } : {}),
          }),
        );
        const e = t.entries[0]!;
        console.log(`ceremony for ${t.circuit} (${t.constraints} constraints) initialised in ${o.dir}`);
        console.log(
          `entry #0 ${e.entry_sha256}; next: paraloom ceremony contribute --dir ${o.dir} --name <you>`,
        );
      },
    );

  ceremony
    .command('contribute')
    .description('add a random contribution to the latest zkey and append it to the transcript')
    .requiredOption('--name <name>', 'your public name, recorded in the zkey and transcript')
    .option(...dirOption)
    .option('--key <file>', 'sign the entry with this Ed25519 key (Solana keypair JSON or hex seed)')
    .option('--entropy <text>', 'extra text mixed with OS randomness')
    .option('--ask-entropy', 'prompt for extra text on the terminal')
    .action(
      async (o: { name: string; dir: string; key?: string; entropy?: string; askEntropy?: boolean }) => {
        const { contribute, readSigningKey } = await loadCeremony();
        const signer = o.key ? await readSigningKey(o.key) : undefined;
        const typed = o.askEntropy ? await askEntropy() : o.entropy;
        const e = await withProgress((io) =>
          contribute({
            dir: o.dir,
            name: o.name,
            io,
            ...(typed ? { typedEntropy: typed } : {}),
            ...(signer ? { signer } : {}),
          }),
        );
        console.log(`entry #${e.index} by "${e.name}"${e.signature ? ' (signed)' : ''}: ${e.zkey_file}`);
        console.log(`contribution hash (publish it): ${e.contribution_hash}`);
      },
    );

  ceremony
    .command('beacon <hex> <iterationsExp>')
    .description('apply the public random beacon (closes the ceremony to contributions)')
    .option(...dirOption)
    .option('--name <name>', 'name recorded for the beacon step', 'beacon')
    .action(async (hex: string, exp: string, o: { dir: string; name: string }) => {
      const { beacon } = await loadCeremony();
      const e = await withProgress((io) =>
        beacon({ dir: o.dir, beaconHex: hex, iterationsExp: nonNegativeInt(exp), name: o.name, io }),
      );
      console.log(`entry #${e.index} beacon ${e.beacon_hex} (2^${e.iterations_exp}): ${e.contribution_hash}`);
    });

  ceremony
    .command('verify')
    .description('replay the whole ceremony from the r1cs and the phase-1 file')
    .requiredOption('--ptau <file>', 'the phase-1 file the transcript records')
    .option(...dirOption)
    .option('--r1cs <file>', 'circuit r1cs (default: <dir>/<circuit>.r1cs)')
    .option('--json', 'print the report as JSON')
    .action(async (o: { ptau: string; dir: string; r1cs?: string; json?: boolean }) => {
      const { auditCeremony } = await loadCeremony();
      const { report } = await withProgress((io) =>
        auditCeremony({ dir: o.dir, ptau: o.ptau, io, ...(o.r1cs ? { r1cs: o.r1cs } : {}) }),
      );
      if (o.json) console.log(JSON.stringify({ ...report, verificationKey: undefined }));
      else printReport(report);
    });

  ceremony
    .command('finalize')
    .description('verify, then export verification_key.json, on-chain key bytes and SHA256SUMS')
    .requiredOption('--ptau <file>', 'the phase-1 file the transcript records')
    .requiredOption('--out <dir>', 'output directory for the keys')
    .option(...dirOption)
    .option('--wasm <file>', 'witness generator to ship beside the keys')
    .option('--min-contributions <n>', 'raise the required number of contributions', nonNegativeInt)
    .action(
      async (o: { ptau: string; out: string; dir: string; wasm?: string; minContributions?: number }) => {
        const { finalizeCeremony } = await loadCeremony();
        const r = await withProgress((io) =>
          finalizeCeremony({
            dir: o.dir,
            ptau: o.ptau,
            out: o.out,
            io,
            ...(o.wasm ? { wasm: o.wasm } : {}),
            ...(o.minContributions !== undefined ? { minContributions: o.minContributions } : {}),
          }),
        );
        printReport(r.report);
        console.log(`finalized as entry #${r.final.index}; wrote ${r.files.join(', ')} to ${o.out}`);
      },
    );

  ceremony
    .command('keygen')
    .description('create an Ed25519 key for signing contributions (Solana keypair format)')
    .requiredOption('--out <file>', 'key file to create (never overwritten)')
    .action(async (o: { out: string }) => {
      const { generateSigningKey, writeSigningKey } = await loadCeremony();
      const key = generateSigningKey();
      await writeSigningKey(o.out, key);
      console.log(`public key ${bytesToHex(key.publicKey)} written to ${o.out}`);
    });
}
