import type { Node } from 'node-red';
import type { OpcuaConnection } from './connection';

/** The runtime side of a twin-opcua-endpoint config node, as the nodes that use it see it. */
export interface OpcuaEndpointNode extends Node {
  connection?: OpcuaConnection;
  url?: string;
  /** Why the endpoint's settings cannot be used. */
  configError?: Error;
}
