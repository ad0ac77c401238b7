import type * as snarkjs from 'snarkjs';

/** One tick of a long step: `stage` is snarkjs' own section name ("L Section", "H Verification"...). */
export interface ProgressEvent {
  readonly step: string;
  readonly stage: string;
  readonly done: number;
  readonly total: number;
}

/** How a ceremony operation talks to its caller; the CLI draws bars, tests pass nothing. */
export interface CeremonyIO {
  readonly progress?: (event: ProgressEvent) => void;
  readonly log?: (line: string) => void;
}

const COUNTER = /^(.*?):?\s+(\d+)\/(\d+)$/;

/**
 * A snarkjs logger that turns its "<stage>: i/n" debug lines into progress events and keeps the
 * info and error lines: verification results (contribution hashes) and failure reasons are only
 * reported through the logger.
 */
export class SnarkjsLog implements snarkjs.Logger {
  readonly infos: string[] = [];
  readonly errors: string[] = [];

  constructor(
    private readonly step: string,
    private readonly io: CeremonyIO = {},
  ) {}

  debug(msg: string): void {
    const m = COUNTER.exec(msg.trim());
    if (m)
      this.io.progress?.({ step: this.step, stage: m[1]!.trim(), done: Number(m[2]), total: Number(m[3]) });
  }

  info(msg: string): void {
    this.infos.push(msg);
  }

  warn(msg: string): void {
    this.io.log?.(`${this.step}: ${msg}`);
  }

  error(msg: string): void {
    this.errors.push(msg);
  }

  /** Marks a step boundary so a bar can show it even when snarkjs logs no counter. */
  stage(stage: string, done = 0, total = 1): void {
    this.io.progress?.({ step: this.step, stage, done, total });
  }
}
