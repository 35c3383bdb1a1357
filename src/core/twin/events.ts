import type { AckStatus } from './document';

/**
 * What twin-state says on its events output: staleness per property and per twin, acknowledgements of desired
 * values, a desired value reached, twins created and deleted.
 */
export type TwinEventKind =
  'stale' | 'fresh' | 'twin-stale' | 'twin-fresh' | 'ack' | 'synced' | 'created' | 'deleted';

export interface TwinEvent {
  event: TwinEventKind;
  twin: string;
  property?: string;
  timestamp: number;
  lastSeen?: number;
  status?: AckStatus;
  reason?: string;
}
