/** The twin-anomaly node's saved configuration and its migrations. */
import type { NodeDef } from 'node-red';
import type { EngineDetector } from '../../core/anomaly/engine';
import type { Migration } from '../../core/nodes/migrate';

export interface TwinAnomalyConfig extends NodeDef {
  version: number;
  detector: EngineDetector;
  /** JSON object of parameter overrides. */
  params: string;
  /** Comma-separated signal names; blank: every numeric property. */
  signals: string;
  /** Signal name for a plain number in msg.payload. */
  signalName: string;
  threshold: string | number;
  raiseK: string | number;
  raiseN: string | number;
  clearM: string | number;
  learnInAlarm: boolean;
  /** A boolean property of msg.payload; while it is false (machine stopped) learning pauses. Blank: always learn. */
  runningProperty: string;
  /** Context store for the learned state; blank: default. */
  store: string;
}

export const TWIN_ANOMALY_MIGRATIONS: readonly Migration<TwinAnomalyConfig>[] = [
  {
    to: 1,
    up: (c) => ({
      detector: 'auto',
      params: '{}',
      signals: '',
      signalName: 'value',
      threshold: 0.99,
      raiseK: 3,
      raiseN: 5,
      clearM: 10,
      learnInAlarm: false,
      runningProperty: '',
      store: '',
      ...c,
    }),
  },
];
