import { isPlainObject } from '../envelope';
import { escapeLevel, unescapeLevel } from './topic';

/**
 * The AWS IoT Device Shadow topic layout (classic, unnamed shadow), for consumers built on it: the bridge plays the
 * device. It publishes what the twin reports to $aws/things/{thing}/shadow/update as {"state": {"reported": {...}}}
 * and takes desired values from $aws/things/{thing}/shadow/update/delta ({"state": {...}, "version"}). A delta it
 * cannot apply is answered on .../update/rejected in AWS's error shape {code, message, timestamp, clientToken}.
 * https://docs.aws.amazon.com/iot/latest/developerguide/device-shadow-mqtt.html
 */
const thing = (twin: string): string => escapeLevel(twin);

export function awsUpdateTopic(twin: string): string {
  return `$aws/things/${thing(twin)}/shadow/update`;
}

export const AWS_DELTA_SUBSCRIPTION = '$aws/things/+/shadow/update/delta';

export function awsReported(values: Record<string, unknown>, clientToken?: string): string {
  return JSON.stringify({ state: { reported: values }, ...(clientToken ? { clientToken } : {}) });
}

/** The thing and the desired state of a delta message, or undefined when the topic or payload is not one. */
export function parseAwsDelta(
  topic: string,
  payload: unknown,
): { twin: string; state: Record<string, unknown>; version?: number; clientToken?: string } | undefined {
  const m = /^\$aws\/things\/([^/]+)\/shadow\/update\/delta$/.exec(topic);
  const twin = m ? unescapeLevel(m[1]) : undefined;
  if (twin === undefined || !isPlainObject(payload) || !isPlainObject(payload.state)) return undefined;
  return {
    twin,
    state: payload.state,
    ...(typeof payload.version === 'number' ? { version: payload.version } : {}),
    ...(typeof payload.clientToken === 'string' ? { clientToken: payload.clientToken } : {}),
  };
}

export function awsRejected(
  twin: string,
  code: number,
  message: string,
  timestamp: number,
  clientToken?: string,
) {
  return {
    topic: `$aws/things/${thing(twin)}/shadow/update/rejected`,
    payload: JSON.stringify({
      code,
      message,
      timestamp: Math.floor(timestamp / 1000),
      ...(clientToken ? { clientToken } : {}),
    }),
  };
}
