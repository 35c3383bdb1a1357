import type { TwinDocument } from '../../core/twin';
import type { TwinStore } from '../model/store';

/**
 * Puts a document another instance published into the local store as it is (the owner's version included), through
 * the store's one write path so it is persisted like any other twin. A store that cannot take it is reported, never
 * thrown: one bad document must not stop the mirror. The memory store answers at once, so no promise per document.
 */
export function putDocument(store: TwinStore, doc: TwinDocument, warn: (text: string) => void): void {
  const fail = (err: unknown): void => warn(`twin ${doc.id} not stored: ${String(err)}`);
  try {
    const written = store.apply(doc.id, () => ({ doc, changes: [], delta: {}, events: [] }));
    if (written instanceof Promise) written.catch(fail);
  } catch (err) {
    fail(err);
  }
}

export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}
