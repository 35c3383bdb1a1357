import type { TwinDocument } from '../../core/twin';
import type { MaybePromise } from '../shared/maybe-promise';
import type { TwinStore } from '../twin/store';

/**
 * Puts a document another instance published into the local store as it is (the owner's version included), through
 * the store's one write path so it is persisted like any other twin.
 */
export function putDocument(store: TwinStore, doc: TwinDocument): MaybePromise<unknown> {
  return store.apply(doc.id, () => ({ doc, changes: [], delta: {}, events: [] }));
}
