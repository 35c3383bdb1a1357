import type { TwinDocument } from '../../core/twin';
import { contextKey, idFromContextKey } from '../shared/context';

/**
 * How a model's twins sit in its context object: one property per twin (`t_<encoded id>`, ids are encoded, so any
 * id is a safe key) and, for a deleted twin, its last version (`v_<encoded id>`: a twin created again under its id
 * continues from there, as in AWS IoT).
 */
const KEY_PREFIX = 't_';
const DELETED_PREFIX = 'v_';

export const twinKey = (area: string, id: string): string => `${area}.${contextKey(KEY_PREFIX, id)}`;
export const deletedKey = (area: string, id: string): string => `${area}.${contextKey(DELETED_PREFIX, id)}`;

/** The twins and deleted versions of a saved context object; anything malformed is left out. */
export function readSavedTwins(saved: unknown): {
  twins: Map<string, TwinDocument>;
  deletedVersions: Map<string, number>;
} {
  const twins = new Map<string, TwinDocument>();
  const deletedVersions = new Map<string, number>();
  if (!saved || typeof saved !== 'object') return { twins, deletedVersions };
  for (const [key, doc] of Object.entries(saved as Record<string, unknown>)) {
    const id = idFromContextKey(KEY_PREFIX, key);
    if (id !== undefined && doc && typeof doc === 'object' && (doc as TwinDocument).id === id)
      twins.set(id, doc as TwinDocument);
    const deleted = idFromContextKey(DELETED_PREFIX, key);
    if (deleted !== undefined && typeof doc === 'number' && Number.isSafeInteger(doc))
      deletedVersions.set(deleted, doc);
  }
  for (const id of twins.keys()) deletedVersions.delete(id);
  return { twins, deletedVersions };
}
