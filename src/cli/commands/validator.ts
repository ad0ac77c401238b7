import type { Command } from 'commander';
import type { RoleOptions } from './validator-role.js';

/**
 * The role commands talk to Solana and libp2p (bridge, network, validator stacks): loaded when one
 * runs, so `--help` and `keygen` start without them.
 */
const loadRole = () => import('./validator-role.js');
type RoleActionName =
  | 'registerAction'
  | 'unregisterAction'
  | 'withdrawUnbondedAction'
  | 'statusAction'
  | 'listAction';
const roleAction =
  (name: RoleActionName) =>
  async (opts: RoleOptions & { airdrop?: boolean }): Promise<void> =>
    (await loadRole())[name](opts);

export function registerValidatorCommand(program: Command): void {
  const validator = program.command('validator').description("the validator's key and role");
  validator
    .command('keygen')
    .description('create a validator keypair file (Solana JSON format, mode 0600) and print its address')
    .option('--config <file>', 'node config; the key goes to its validator.key_file')
    .option('--out <file>', 'write here instead of validator.key_file')
    .option('--force', 'overwrite an existing key file (the old key is lost)')
    .action(async (opts: { config?: string; out?: string; force?: boolean }) => {
      const [{ generateKeypair, writeKeypairFile }, path] = await Promise.all([
        import('../../validator/index.js'),
        opts.out ??
          import('../../config/index.js').then(
            async (c) => (await c.loadConfig(opts.config)).validator.keyFile,
          ),
      ]);
      const keypair = generateKeypair();
      await writeKeypairFile(path, keypair, { force: Boolean(opts.force) });
      console.log(`wrote ${path}`);
      console.log(`validator address: ${keypair.address}`);
    });
  const withConfig = (c: Command) =>
    c
      .option('--config <file>', 'node config (cluster, key file, stake, network identity)')
      .option('--json', 'print JSON');
  withConfig(
    validator
      .command('register')
      .description(
        "lock validator.stake_lamports and register this node's peer id and addresses (updates the addresses when already registered)",
      )
      .option('--airdrop', 'request stake + 1 SOL from the cluster faucet first (localnet, devnet, testnet)'),
  ).action(roleAction('registerAction'));
  withConfig(
    validator
      .command('unregister')
      .description('leave the active set; the stake unbonds (program unbonding_slots)'),
  ).action(roleAction('unregisterAction'));
  withConfig(
    validator
      .command('withdraw-unbonded')
      .description('after unbonding: return the stake and close the account'),
  ).action(roleAction('withdrawUnbondedAction'));
  withConfig(validator.command('status').description("this key's ValidatorAccount")).action(
    roleAction('statusAction'),
  );
  withConfig(validator.command('list').description('the active set with stakes and endpoints')).action(
    roleAction('listAction'),
  );
  withConfig(
    validator
      .command('set-relay-fee')
      .description(
        "set this validator's relay fee floor on chain: the real cost of settling a withdrawal (2 nullifier records' rent + 1 signature) plus a margin",
      )
      .option('--asset <id>', 'asset id (decimal field element; 0 is SOL)', '0')
      .option(
        '--margin <lamports>',
        'lamports over the real cost (default: coordinator.relay_fee_margin_lamports)',
      )
      .option('--floor <lamports>', 'set this floor exactly instead of cost + margin'),
  ).action(async (opts: import('./validator-fees.js').SetRelayFeeOptions) =>
    (await import('./validator-fees.js')).setRelayFeeAction(opts),
  );
}
