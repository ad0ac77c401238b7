import type { Logger } from '../../common/index.js';
import type { NodeConfig } from '../../config/index.js';
import type { Readiness, Registry } from '../../health/index.js';

/** What every component takes besides the components it depends on. */
export interface Wiring {
  readonly config: NodeConfig;
  readonly registry: Registry;
  readonly readiness: Readiness;
  readonly logger: Logger;
}
