import { coerceNodeId, makeBrowsePath, type ClientSession, type NodeId } from 'node-opcua';
import { TwinFlowError } from '../../core/errors';
import type { MappedItem } from '../../core/opcua/mapping';

/**
 * Turns a mapping's addresses into NodeIds for the current session: `nsu=` NodeIds through the server's namespace
 * array, browse paths through TranslateBrowsePaths. Done again after every (re)connect, because a restarted server
 * may number its namespaces differently.
 */
function qualifyPath(path: string, namespaceIndex: number | undefined, separator: '/' | '.'): string {
  return path
    .split(/(?=[/.])|(?<=[/.])/)
    .filter((part) => part !== '')
    .map((part) => {
      if (part === '/' || part === '.') return part;
      if (/^\d+:/.test(part) || namespaceIndex === undefined) return part;
      return `${namespaceIndex}:${part}`;
    })
    .join('')
    .replace(/^(?![/.])/, separator);
}

export interface Resolution {
  item: MappedItem;
  nodeId?: NodeId;
  /** Why it did not resolve: an OPC UA status name (BadNoMatch, BadNodeIdUnknown ...). */
  status?: string;
}

export async function resolveItems(
  session: ClientSession,
  namespaces: string[],
  items: MappedItem[],
  namespaceUri: string | undefined,
): Promise<Resolution[]> {
  const nsIndex = namespaceUri ? namespaces.indexOf(namespaceUri) : undefined;
  if (namespaceUri && nsIndex === -1) {
    throw new TwinFlowError('unknownNamespace', `the server has no namespace ${namespaceUri}`, {
      namespace: namespaceUri,
    });
  }
  const results: Resolution[] = [];
  const paths: { index: number; path: string }[] = [];
  for (const item of items) {
    if ('nodeId' in item.address) {
      try {
        results.push({
          item,
          nodeId: coerceNodeId(item.address.nodeId, { namespaceArray: namespaces } as never),
        });
      } catch (err) {
        // An nsu= the server does not (yet) have, or a malformed id: this item is bad, the others go on.
        const unknown = /namespace/i.test((err as Error).message);
        results.push({ item, status: unknown ? 'BadNodeIdUnknown' : 'BadNodeIdInvalid' });
      }
    } else {
      const root = item.address.root ? qualifyPath(item.address.root, nsIndex, '/') : '';
      const relative = qualifyPath(item.address.browsePath, nsIndex, '.');
      paths.push({ index: results.length, path: `/Objects${root}${relative}` });
      results.push({ item });
    }
  }
  // TranslateBrowsePathsToNodeIds in batches of 500 paths, the batches in parallel.
  const batches: (typeof paths)[] = [];
  for (let start = 0; start < paths.length; start += 500) batches.push(paths.slice(start, start + 500));
  const answered = await Promise.all(
    batches.map((batch) =>
      session.translateBrowsePath(batch.map((p) => makeBrowsePath('RootFolder', p.path))),
    ),
  );
  answered.forEach((answers, b) => {
    const batch = batches[b];
    answers.forEach((answer, k) => {
      const target = answer.targets?.[0]?.targetId;
      const slot = results[batch[k].index];
      if (answer.statusCode.isGood() && target) slot.nodeId = target as NodeId;
      else slot.status = answer.statusCode.isGood() ? 'BadNoMatch' : answer.statusCode.name;
    });
  });
  return results;
}
