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

export async function resolveItems(
  session: ClientSession,
  namespaces: string[],
  items: MappedItem[],
  namespaceUri: string | undefined,
): Promise<{ item: MappedItem; nodeId?: NodeId; error?: string }[]> {
  const nsIndex = namespaceUri ? namespaces.indexOf(namespaceUri) : undefined;
  if (namespaceUri && nsIndex === -1) {
    throw new TwinFlowError('unknownNamespace', `the server has no namespace ${namespaceUri}`, {
      namespace: namespaceUri,
    });
  }
  const results: { item: MappedItem; nodeId?: NodeId; error?: string }[] = [];
  const paths: { index: number; path: string }[] = [];
  for (const item of items) {
    if ('nodeId' in item.address) {
      try {
        results.push({
          item,
          nodeId: coerceNodeId(item.address.nodeId, { namespaceArray: namespaces } as never),
        });
      } catch (err) {
        results.push({ item, error: `invalid NodeId ${item.address.nodeId}: ${(err as Error).message}` });
      }
    } else {
      const root = item.address.root ? qualifyPath(item.address.root, nsIndex, '/') : '';
      const relative = qualifyPath(item.address.browsePath, nsIndex, '.');
      paths.push({ index: results.length, path: `/Objects${root}${relative}` });
      results.push({ item });
    }
  }
  // TranslateBrowsePathsToNodeIds in batches: one request per 500 paths.
  for (let start = 0; start < paths.length; start += 500) {
    const batch = paths.slice(start, start + 500);
    const answers = await session.translateBrowsePath(batch.map((p) => makeBrowsePath('RootFolder', p.path)));
    answers.forEach((answer, k) => {
      const target = answer.targets?.[0]?.targetId;
      const slot = results[batch[k].index];
      if (answer.statusCode.isGood() && target) slot.nodeId = target as NodeId;
      else slot.error = `${batch[k].path}: ${answer.statusCode.name}`;
    });
  }
  return results;
}
