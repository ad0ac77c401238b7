import cliProgress from 'cli-progress';
import type { CeremonyIO, ProgressEvent } from '../../ceremony/index.js';

/**
 * Draws ceremony progress on stderr (stdout stays clean for reports). snarkjs reports per section,
 * so the bar restarts with each stage; off a terminal cli-progress draws nothing.
 */
export class ProgressBar {
  private bar: cliProgress.SingleBar | undefined;
  private current = '';

  readonly io: CeremonyIO = {
    progress: (e) => this.update(e),
    log: (line) => this.print(line),
  };

  private update(e: ProgressEvent): void {
    const key = `${e.step}/${e.stage}`;
    if (!this.bar) {
      this.bar = new cliProgress.SingleBar(
        { stream: process.stderr, format: '{step} {stage} [{bar}] {value}/{total}', hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(e.total, e.done, { step: e.step, stage: e.stage });
    } else if (key !== this.current) {
      this.bar.setTotal(e.total);
    }
    this.current = key;
    this.bar.update(e.done, { step: e.step, stage: e.stage });
  }

  private print(line: string): void {
    if (this.bar) this.bar.stop();
    this.bar = undefined;
    process.stderr.write(`${line}\n`);
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
