import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PARALOOM_DEV_PROGRAM_ID } from '../bridge/index.js';
import {
  ConfigError,
  type ConfigIssue,
  envVarName,
  keySpecs,
  loadConfig,
  parseConfig,
  renderExampleConfig,
  writeExampleConfig,
} from './index.js';

const SOME_PROGRAM = 'Ed25519SigVerify111111111111111111111111111';

function issuesOf(text: string, env: Record<string, string> = {}): readonly ConfigIssue[] {
  try {
    parseConfig(text, { env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    if (!(err instanceof ConfigError) || err.code !== 'CONFIG_INVALID') throw err;
    return err.context.issues;
  }
  throw new Error('config was accepted');
}

describe('config defaults', () => {
  it('gives every key a default and a localnet node on loopback health', () => {
    const c = parseConfig('', { baseDir: '/srv/node' });
    expect(c.node).toEqual({
      dataDir: '/srv/node/paraloom-data',
      dbDir: '/srv/node/paraloom-data/db',
      logLevel: 'info',
      stopTimeoutMs: 10_000,
      verifierThreads: Math.min(2, availableParallelism()),
    });
    expect(parseConfig('[node]\nverifier_threads = 3\n', { baseDir: '/srv/node' }).node.verifierThreads).toBe(
      3,
    );
    expect(c.solana).toEqual({
      cluster: 'localnet',
      clusterTag: 0,
      rpcUrl: 'http://127.0.0.1:8899',
      wsUrl: 'ws://127.0.0.1:8899',
      programId: PARALOOM_DEV_PROGRAM_ID,
      commitment: 'confirmed',
      rpcTimeoutMs: 10_000,
      chainViewRefreshMs: 1_000,
      expectedProgramVersion: 2,
    });
    expect(c.health).toMatchObject({ host: '127.0.0.1', port: 9300 });
    expect(c.network.listen).toEqual(['/ip4/0.0.0.0/tcp/9400']);
    expect(c.network.identityFile).toBe('/srv/node/paraloom-data/network-identity.key');
    expect(c.validator.keyFile).toBe('/srv/node/paraloom-data/validator-keypair.json');
    expect(c.validator.stakeLamports).toBe(1_000_000_000n);
    for (const spec of keySpecs()) {
      expect(spec.defaultValue, `${spec.section}.${spec.key}`).not.toBeUndefined();
      expect(spec.description, `${spec.section}.${spec.key}`).not.toBe('');
    }
  });

  it('documents every key in docs/operations.md', async () => {
    const doc = await readFile(join(import.meta.dirname, '../../docs/operations.md'), 'utf8');
    const missing = keySpecs()
      .map((s) => `${s.section}.${s.key}`)
      .filter((path) => !doc.includes(`\`${path}\``));
    expect(missing).toEqual([]);
  });
});

describe('config init example', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paraloom-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('parses back to exactly the defaults', () => {
    const text = renderExampleConfig();
    expect(parseConfig(text, { baseDir: '/x' })).toEqual(parseConfig('', { baseDir: '/x' }));
    for (const spec of keySpecs()) {
      expect(text).toContain(`# env: ${envVarName(spec.section, spec.key)}`);
      expect(text).toMatch(new RegExp(`^${spec.key} = `, 'm'));
    }
  });

  it('is written to a file that loads, and is not overwritten without force', async () => {
    const file = join(dir, 'node.toml');
    await writeExampleConfig(file);
    const loaded = await loadConfig(file, {});
    expect(loaded.node.dataDir).toBe(join(dir, 'paraloom-data'));
    const again = await writeExampleConfig(file).catch((e: unknown) => e);
    expect((again as ConfigError).code).toBe('CONFIG_EXISTS');
    await writeExampleConfig(file, { force: true });
  });

  it('names a missing file', async () => {
    const err = await loadConfig(join(dir, 'nope.toml'), {}).catch((e: unknown) => e);
    expect((err as ConfigError).code).toBe('CONFIG_NOT_FOUND');
    expect((err as ConfigError).message).toContain('nope.toml');
  });
});

describe('environment overrides', () => {
  it('apply PARALOOM_<SECTION>_<KEY> over the file, typed as the key', () => {
    const c = parseConfig('[health]\nport = 9301\n[node]\nlog_level = "warn"\n', {
      env: {
        PARALOOM_HEALTH_PORT: '9411',
        PARALOOM_NETWORK_ALLOW_PRIVATE_ADDRESSES: 'false',
        PARALOOM_NETWORK_LISTEN: '/ip4/127.0.0.1/tcp/1, /ip4/127.0.0.1/tcp/2',
        PARALOOM_VALIDATOR_STAKE_LAMPORTS: '18446744073709551615',
        PARALOOM_SOLANA_CLUSTER: 'devnet',
        PARALOOM_SOLANA_PROGRAM_ID: SOME_PROGRAM,
        // Not a config variable (the logger reads it): ignored here.
        PARALOOM_LOG_LEVEL: 'debug',
      },
    });
    expect(c.health.port).toBe(9411);
    expect(c.node.logLevel).toBe('warn');
    expect(c.network.allowPrivateAddresses).toBe(false);
    expect(c.network.listen).toEqual(['/ip4/127.0.0.1/tcp/1', '/ip4/127.0.0.1/tcp/2']);
    expect(c.validator.stakeLamports).toBe(2n ** 64n - 1n);
    expect(c.solana).toMatchObject({
      cluster: 'devnet',
      clusterTag: 1,
      rpcUrl: 'https://api.devnet.solana.com',
      wsUrl: 'wss://api.devnet.solana.com',
      programId: SOME_PROGRAM,
    });
  });

  it('refuses a bad value under its key path and names the variable', () => {
    expect(issuesOf('', { PARALOOM_HEALTH_PORT: 'ninety' })).toEqual([
      expect.objectContaining({ path: 'health.port', source: 'PARALOOM_HEALTH_PORT' }),
    ]);
    expect(issuesOf('', { PARALOOM_NETWORK_ALLOW_PRIVATE_ADDRESSES: 'yes' })[0]?.path).toBe(
      'network.allow_private_addresses',
    );
    expect(issuesOf('', { PARALOOM_HEALTH_PROT: '1' })).toEqual([
      { path: 'health.prot', message: 'unknown key', source: 'PARALOOM_HEALTH_PROT' },
    ]);
  });
});

describe('invalid configs fail with the key path and the reason', () => {
  const cases: [string, string, string, RegExp][] = [
    ['wrong type', '[health]\nport = "9300"', 'health.port', /expected number/],
    ['out of range', '[health]\nport = 70000', 'health.port', /65535/],
    ['not an integer', '[network]\ntarget_peers = 1.5', 'network.target_peers', /int/],
    ['zero where positive', '[network]\nping_interval_ms = 0', 'network.ping_interval_ms', />=1/],
    ['unknown key', '[node]\ndatadir = "x"', 'node.datadir', /unknown key/],
    ['unknown section', '[nodes]\ndata_dir = "x"', 'nodes', /unknown section/],
    ['section not a table', 'node = 3', 'node', /expected object/],
    ['bad enum', '[node]\nlog_level = "loud"', 'node.log_level', /info/],
    ['unknown cluster', '[solana]\ncluster = "moonnet"', 'solana.cluster', /devnet/],
    ['bad URL', '[solana]\nrpc_url = "ftp://example.com"', 'solana.rpc_url', /http/],
    ['http for ws', '[solana]\nws_url = "http://127.0.0.1:8899"', 'solana.ws_url', /ws/],
    ['bad program id', '[solana]\nprogram_id = "not-base58!"', 'solana.program_id', /base58/],
    ['no program on devnet', '[solana]\ncluster = "devnet"', 'solana.program_id', /required on devnet/],
    ['bad multiaddr', '[network]\nlisten = ["tcp://0.0.0.0:9400"]', 'network.listen.0', /multiaddr/],
    ['empty listen', '[network]\nlisten = []', 'network.listen', />=1/],
    [
      'bootstrap without peer id',
      '[network]\nbootstrap = ["/ip4/10.0.0.1/tcp/9400"]',
      'network.bootstrap.0',
      /p2p/,
    ],
    ['negative stake', '[validator]\nstake_lamports = -1', 'validator.stake_lamports', />=0/],
    [
      'stake over u64',
      '[validator]\nstake_lamports = 18446744073709551616',
      'validator.stake_lamports',
      /u64/,
    ],
    [
      'string for bool',
      '[validator]\ncoordinator_candidate = "yes"',
      'validator.coordinator_candidate',
      /boolean/,
    ],
    [
      'priority too high',
      '[validator]\ncoordinator_priority = 65536',
      'validator.coordinator_priority',
      /65535/,
    ],
    ['host with port', '[health]\nhost = "127.0.0.1:9300"', 'health.host', /without scheme or port/],
    ['host as URL', '[ingress]\nhost = "http://localhost"', 'ingress.host', /without scheme or port/],
    ['port collision', '[ingress]\nport = 9300', 'ingress.port', /same host and port/],
    ['stop deadline too short', '[node]\nstop_timeout_ms = 5', 'node.stop_timeout_ms', />=100/],
  ];
  it.each(cases)('%s', (_name, text, path, reason) => {
    const issues = issuesOf(text);
    const issue = issues.find((i) => i.path === path);
    expect(issue, JSON.stringify(issues)).toBeDefined();
    expect(issue?.message).toMatch(reason);
    expect(issue?.source).toBe('config');
  });

  it('lists every problem at once, each on its own line of the message', () => {
    const err = (() => {
      try {
        parseConfig('[health]\nport = -1\n[node]\nlog_level = 3\n', { source: 'node.toml' });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(err?.message).toMatch(
      /^invalid configuration:\n {2}node\.log_level: .*\(node\.toml\)\n {2}health\.port: /,
    );
  });

  it('reports TOML syntax errors with line and column', () => {
    const err = (() => {
      try {
        parseConfig('[node]\ndata_dir = "unterminated\n', { source: 'node.toml' });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(err?.code).toBe('CONFIG_SYNTAX');
    expect(err?.context).toMatchObject({ source: 'node.toml', line: 2 });
    expect(err?.message).toMatch(/^node\.toml:2:/);
  });

  it('resolves relative paths against the config file directory', () => {
    const c = parseConfig(
      '[node]\ndata_dir = "d"\n[network]\nidentity_file = "../id.key"\n[validator]\nkey_file = "/abs/v.json"\n',
      { baseDir: '/etc/paraloom' },
    );
    expect(c.node.dataDir).toBe('/etc/paraloom/d');
    expect(c.network.identityFile).toBe('/etc/id.key');
    expect(c.validator.keyFile).toBe('/abs/v.json');
  });
});
