import { withFields, type TwinDocument } from './document';
import type { TwinEvent } from './events';
import type { TwinModel } from './model';
import { copyRecord } from '../shallow-copy';

/**
 * Marks properties (and the twin) stale when no report arrived within their `staleAfter`, and says so once per
 * transition. Freshness comes back with the next report (see applyReport). Staleness is a condition of time, not
 * a change of state, so the version does not move; the document is new only when a flag flipped.
 */
export function checkStaleness(
  doc: TwinDocument,
  model: TwinModel,
  now: number,
): { doc: TwinDocument; events: TwinEvent[] } {
  const events: TwinEvent[] = [];
  let reported = doc.reported;
  for (const [name, prop] of Object.entries(doc.reported)) {
    const staleAfter = model.properties[name]?.staleAfter;
    if (!staleAfter || prop.stale) continue;
    if (now - prop.receivedTimestamp > staleAfter) {
      if (reported === doc.reported) reported = copyRecord(doc.reported);
      reported[name] = { ...prop, stale: true };
      events.push({
        event: 'stale',
        twin: doc.id,
        property: name,
        timestamp: now,
        lastSeen: prop.receivedTimestamp,
      });
    }
  }
  const lastSeen = doc.lastSeen ?? doc.created;
  const twinStale = !doc.stale && model.staleAfter > 0 && now - lastSeen > model.staleAfter;
  if (twinStale) events.push({ event: 'twin-stale', twin: doc.id, timestamp: now, lastSeen });
  if (events.length === 0) return { doc, events };
  return { doc: withFields(doc, twinStale ? { reported, stale: true } : { reported }), events };
}

/** How often to look for stale twins: a quarter of the shortest staleAfter, between 100 ms and 60 s; 0 when none. */
export function staleCheckInterval(model: TwinModel): number {
  const periods = Object.values(model.properties)
    .map((p) => p.staleAfter ?? 0)
    .concat(model.staleAfter)
    .filter((p) => p > 0);
  if (periods.length === 0) return 0;
  return Math.min(60_000, Math.max(100, Math.min(...periods) / 4));
}
