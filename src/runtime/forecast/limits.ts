import type { NodeAPI } from 'node-red';

/**
 * The limits of a twin model's properties, read from a twin-model config node by duck typing (its store carries the
 * parsed model): the property's max when watching for a rise, its min when watching for a fall.
 */
interface ModelProperties {
  store?: { model?: { properties?: Record<string, { min?: number; max?: number } | undefined> } };
}

export function modelLimits(
  RED: NodeAPI,
  modelId: string,
): (signal: string, direction: 'above' | 'below') => number | undefined {
  return (signal, direction) => {
    if (!modelId) return undefined;
    const node = RED.nodes.getNode(modelId) as unknown as ModelProperties | null;
    const property = node?.store?.model?.properties?.[signal];
    const limit = direction === 'above' ? property?.max : property?.min;
    return typeof limit === 'number' && Number.isFinite(limit) ? limit : undefined;
  };
}
