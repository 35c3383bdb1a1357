import type { Node } from 'node-red';
import type { BrokerConnection } from './client';

/** The runtime side of a twin-mqtt-broker config node: its shared connection, or why it has none. */
export interface BrokerNode extends Node {
  connection?: BrokerConnection;
  /** Set when the settings could not be used (a bad URL, a missing tls-config node). */
  configError?: string;
}
