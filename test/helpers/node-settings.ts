/**
 * Saved settings of TwinFlow nodes as the tests' flows use them, written once: the pump simulation stepped per
 * message, and a z-score watch on a temperature. A test spreads its own id, wires and overrides on top.
 */
export const PUMP_SIM_SETTINGS = {
  type: 'twin-sim',
  model: 'pump',
  ode: '',
  params: '{"vibrationNoise": 0}',
  initialInputs: '{"speed": 100, "valve": 100}',
  step: '1',
  mode: 'message',
  speed: '1',
  seed: '5',
  twin: 'Pump01',
  autostart: false,
  version: 1,
};

export const ZSCORE_ANOMALY_SETTINGS = {
  type: 'twin-anomaly',
  detector: 'zscore',
  params: '{"window": 50, "warmup": 20}',
  signals: '',
  signalName: 'temperature',
  runningProperty: 'running',
  threshold: '0.999',
  raiseK: '1',
  raiseN: '1',
  clearM: '3',
  learnInAlarm: false,
  store: '',
  version: 1,
};

/** twin-state taking its action from msg.action and the twin id from msg.topic (wire it to model `m1`). */
export const TWIN_STATE_SETTINGS = {
  type: 'twin-state',
  model: 'm1',
  action: 'msg',
  twinId: 'topic',
  twinIdType: 'msg',
  version: 1,
};
