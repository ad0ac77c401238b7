import type { Command } from 'commander';
import { createLogger } from '../../common/index.js';

export function registerNodeCommand(program: Command): void {
  program
    .command('node')
    .description(
      'run a Paraloom validator node, every part its config enables (the start-up log lists them as components), until SIGINT/SIGTERM',
    )
    .option('--config <file>', 'TOML config (see `paraloom config init`); without it, the defaults')
    .action(async (opts: { config?: string }) => {
      // The whole node stack loads here, when a node runs, not for `--help` or other commands.
      const [{ loadConfig }, { assembleNode, stopOnSignal }] = await Promise.all([
        import('../../config/index.js'),
        import('../../node/index.js'),
      ]);
      // A bad config throws here, before anything starts; main prints the key paths.
      const config = await loadConfig(opts.config);
      const logger = createLogger('node', config.node.logLevel);
      const { node, health, ingress } = assembleNode(config);
      // Listening before start: a signal during startup stops what has started.
      const exit = stopOnSignal(node, logger);
      try {
        await node.start();
      } catch (err) {
        // start() has stopped what it started; if a library still holds the event loop, do not hang.
        setTimeout(() => process.exit(1), 1_000).unref();
        throw err;
      }
      logger.info(
        {
          health: health.url,
          ingress: ingress.url,
          dataDir: config.node.dataDir,
          cluster: config.solana.cluster,
          components: node.components,
        },
        'paraloom node started',
      );
      const code = await exit;
      // libp2p and others may leave timers behind; the node is stopped, so exit with its status now.
      process.exit(code);
    });
}
