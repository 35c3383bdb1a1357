import { BrowseDirection, NodeClass, ResultMask, type ClientSession } from 'node-opcua';

export interface BrowseEntry {
  /** Namespace-URI form (nsu=...), stable across server restarts, for the mapping. */
  nodeId: string;
  browseName: string;
  displayName: string;
  nodeClass: string;
}

/** The children of a node (hierarchical references), for the editor's browse dialog. */
export async function browseChildren(
  session: ClientSession,
  nodeId: string,
  namespaces: string[],
): Promise<BrowseEntry[]> {
  const result = await session.browse({
    nodeId,
    browseDirection: BrowseDirection.Forward,
    referenceTypeId: 'HierarchicalReferences',
    includeSubtypes: true,
    nodeClassMask: 0,
    resultMask: ResultMask.BrowseName | ResultMask.DisplayName | ResultMask.NodeClass,
  });
  if (!result.statusCode.isGood()) throw new Error(`browse ${nodeId}: ${result.statusCode.name}`);
  return (result.references ?? []).map((r) => ({
    // An ExpandedNodeId: as a plain NodeId it prints in the namespace-URI form.
    nodeId: (r.nodeId as unknown as { toString(o: object): string }).toString({ namespaceArray: namespaces }),
    browseName: r.browseName.toString(),
    displayName: r.displayName.text ?? r.browseName.name ?? '',
    nodeClass: NodeClass[r.nodeClass],
  }));
}
