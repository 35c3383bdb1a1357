import { TwinFlowError } from '../errors';

/**
 * One spelling for a NodeId, whatever the client wrote: `ns=2;s=Pump01.Speed`, `nsu=urn:plant;s=Pump01.Speed`,
 * `s=X` / `i=85` (namespace 0), with or without node-red-contrib-opcua's `;datatype=...` suffix. The namespace URI
 * is turned into the server's current index, so both forms of one node give the same key.
 *
 * @example canonicalNodeId('nsu=urn:plant;s=Pump01.Speed;datatype=Double', ['http://opcfoundation.org/UA/', 'urn:other', 'urn:plant']) // => 'ns=2;s=Pump01.Speed'
 * @example canonicalNodeId('ns=0;i=85', []) // => 'i=85'
 */
export function canonicalNodeId(text: string, namespaces: readonly string[]): string {
  const bare = text.trim().split(';datatype=')[0];
  const match = /^(?:(ns|nsu)=([^;]*);)?([isgb])=([\s\S]+)$/.exec(bare);
  if (!match) throw new TwinFlowError('badNodeId', `${text} is not a NodeId`, { nodeId: text });
  const [, kind, ns, type, id] = match;
  let index = 0;
  if (kind === 'ns') {
    index = Number(ns);
    if (!Number.isInteger(index) || index < 0)
      throw new TwinFlowError('badNodeId', `${text} is not a NodeId`, { nodeId: text });
  } else if (kind === 'nsu') {
    index = namespaces.indexOf(ns);
    if (index < 0)
      throw new TwinFlowError('unknownNamespace', `the server has no namespace ${ns}`, { namespace: ns });
  }
  const identifier = type === 'i' ? String(Number(id)) : id;
  return index === 0 ? `${type}=${identifier}` : `ns=${index};${type}=${identifier}`;
}
