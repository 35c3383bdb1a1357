import type { TwinChange, TwinSummary } from '../envelope';
import { isEmpty } from './delta';
import type { TwinDocument } from './document';
import { reportedSamples, twinSummary } from './messages';
import type { TwinModel } from './model';
import type { TwinUpdate } from './operation';
import { matches, parseQuery } from './query';

/**
 * What twin-state answers, as plain message fields: the node merges them into the request message (changes, get,
 * list, query, delete) or sends them as a new message (delta). Kept here so the node only wires and sends.
 */
export interface UpdateReplies {
  /** The twin after a report/desire/ack that changed something (merged into the request message); else undefined. */
  changed?: { topic: string; payload: object; twin: TwinSummary; changes: TwinChange[] };
  /** The delta a write-back should write now, with the request's clientToken; undefined when there is none. */
  delta?: { topic: string; payload: Record<string, unknown>; twin: TwinSummary; clientToken?: string };
}

export function updateReplies(
  id: string,
  result: TwinUpdate,
  model: TwinModel,
  clientToken: string | undefined,
): UpdateReplies {
  const replies: UpdateReplies = {};
  if (result.changes.length > 0)
    replies.changed = {
      topic: id,
      payload: reportedSamples(result.doc, model),
      twin: twinSummary(result.doc, model),
      changes: result.changes,
    };
  if (!isEmpty(result.delta))
    replies.delta = {
      topic: id,
      payload: result.delta,
      twin: twinSummary(result.doc, model),
      ...(clientToken !== undefined ? { clientToken } : {}),
    };
  return replies;
}

/** The twins a query predicate selects, as summaries sorted by id. */
export function queryTwins(
  docs: Iterable<TwinDocument>,
  text: string,
  model: TwinModel,
  now: number,
): TwinSummary[] {
  const predicate = parseQuery(text);
  const found: TwinSummary[] = [];
  for (const doc of docs) if (matches(doc, predicate, now)) found.push(twinSummary(doc, model));
  return found.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** What a delete answers: the removed twin with one change that names it. */
export function deleteReply(
  id: string,
  removed: TwinDocument,
  model: TwinModel,
): { topic: string; payload: null; twin: TwinSummary; changes: TwinChange[] } {
  return {
    topic: id,
    payload: null,
    twin: twinSummary(removed, model),
    changes: [{ path: '', old: id, new: undefined, cause: 'delete' }],
  };
}

/** The ids of the twins whose parent is `id` (parent/child relations between twins of one model). */
export function childrenOf(docs: Iterable<TwinDocument>, id: string): string[] {
  const out: string[] = [];
  for (const doc of docs) if (doc.parent === id) out.push(doc.id);
  return out;
}
