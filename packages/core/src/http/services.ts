import type { Logger } from 'pino';
import type { PonteConfig } from '../config/config-types.js';
import type { Lifecycle } from '../lifecycle.js';
import type { InferencePipeline } from '../pipeline.js';
import type { ModelRegistry } from '../registry/model-registry.js';

/** What the HTTP routes need from the server. */
export interface HttpServices {
  config: PonteConfig;
  registry: ModelRegistry;
  pipeline: InferencePipeline;
  lifecycle: Lifecycle;
  logger: Logger;
  serverVersion: string;
  /** OIP extensions this server supports (plugins may add theirs). */
  extensions: string[];
}
