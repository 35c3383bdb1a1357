// The dashboard's state keeper (a function node's body, inlined by scripts/make-demo-flow.mjs). Live messages pass
// through to the widgets and are remembered; a widget that mounts (a page opens or reloads) sends {replayRequest: true}
// and every widget gets `msg.replay`, the messages that rebuild what is current: each twin's latest values with their
// quality and staleness, the alarms, the recent anomaly scores. Outputs: 1 twin cards, 2 line OEE, 3 anomaly chart,
// 4 alarm list.
const SCORES_KEPT = 300;
const ALARMS_KEPT = 50;
const s = context.get('state') || { twins: {}, scores: {}, alarms: [] };
const p = msg.payload;

if (msg.replayRequest === true) {
  const twins = Object.entries(s.twins).map(([topic, payload]) => ({ topic, payload }));
  const alarms = s.alarms.map((payload) => ({ payload }));
  const scores = Object.values(s.scores).flat();
  return [{ replay: twins.concat(alarms) }, { replay: twins }, { replay: scores }, { replay: alarms }];
}

let out;
if (msg.anomaly && typeof msg.topic === 'string') {
  // A score: the chart needs the signals' values, the score and each signal's expected value and band.
  const values = {};
  for (const [name, v] of Object.entries(p || {})) values[name] = v && typeof v === 'object' ? v.value : v;
  const kept = s.scores[msg.topic] || (s.scores[msg.topic] = []);
  kept.push({
    topic: msg.topic,
    payload: values,
    anomaly: { score: msg.anomaly.score, warmingUp: msg.anomaly.warmingUp, signals: msg.anomaly.signals },
  });
  if (kept.length > SCORES_KEPT) kept.shift();
  out = [null, null, msg, null];
} else if (p && (p.event === 'raise' || p.event === 'clear')) {
  s.alarms.push(p);
  if (s.alarms.length > ALARMS_KEPT) s.alarms.shift();
  out = [msg, null, null, msg];
} else if (p && (p.event === 'stale' || p.event === 'fresh')) {
  const props = s.twins[p.twin];
  if (props && props[p.property])
    props[p.property] = Object.assign({}, props[p.property], { stale: p.event === 'stale' });
  out = [msg, null, null, null];
} else if (p && typeof p === 'object' && p.event === undefined && typeof msg.topic === 'string') {
  s.twins[msg.topic] = Object.assign({}, s.twins[msg.topic] || {}, p);
  out = [msg, msg, null, null];
} else {
  return null;
}
context.set('state', s);
return out;
