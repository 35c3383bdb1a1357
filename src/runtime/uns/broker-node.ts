import type { Node } from 'node-red';
import type { BrokerConnection } from './client';

/** The runtime side of a twin-mqtt-broker config node. */
export interface BrokerNode extends Node {
  connection?: BrokerConnection;
}
