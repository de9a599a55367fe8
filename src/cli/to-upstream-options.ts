// The options of an upstream engine from its catalog entry: the catalog's seconds become milliseconds.
import type { UpstreamCatalogModel } from '../config/model-catalog.js';
import type { UpstreamOptions } from '../engines/upstream/upstream-options.js';

export function toUpstreamOptions(model: UpstreamCatalogModel): UpstreamOptions {
  const { endpoints, affinity, connectTimeout, firstTokenTimeout, healthCheckInterval, cooldown, maxAttempts } = model.upstream;
  return {
    name: model.name,
    endpoints,
    affinity,
    contextSize: model.context,
    connectTimeoutMs: connectTimeout * 1000,
    firstTokenTimeoutMs: firstTokenTimeout * 1000,
    healthCheckIntervalMs: healthCheckInterval * 1000,
    cooldownMs: cooldown * 1000,
    maxAttempts,
  };
}
