import type { Node } from 'node-red';
import type { TwinModel } from '../../core/twin';
import type { RemoteTwins } from '../fleet/remote';
import type { TwinStore } from './store';

/** The runtime side of a twin-model config node, as the nodes that use it see it. */
export interface TwinModelNode extends Node {
  model?: TwinModel;
  store?: TwinStore;
  /** Why the model could not be used (an invalid property table), for the nodes that use it. */
  modelError?: Error;
  /** Set while a twin-fleet mirror fills the store: the twins are another instance's, read-only here. */
  remote?: RemoteTwins;
}
