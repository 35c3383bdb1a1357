import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { NodeAPI } from 'node-red';
import { TwinFlowError } from '../../core/errors';
import { parseRulModel, type RulModel } from '../../core/rul/model';

/** The RUL model file, relative paths from the Node-RED user directory. */
export function loadRulModel(RED: NodeAPI, path: string): RulModel {
  const userDir = (RED.settings as unknown as { userDir?: string }).userDir ?? process.cwd();
  const full = isAbsolute(path) ? path : join(userDir, path);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(full, 'utf8'));
  } catch (err) {
    throw new TwinFlowError(
      'rulModelUnreadable',
      `cannot read the RUL model ${full}: ${(err as Error).message}`,
      {
        path: full,
      },
    );
  }
  return parseRulModel(json);
}
