import { readFileSync } from 'node:fs';
import type { NodeAPI } from 'node-red';
import { TwinFlowError } from '../../core/errors';
import { parseRulModel, type RulModel } from '../../core/rul/model';
import { resolveModelFile } from './model-file';

/** Loads and checks the RUL model file written by twinflow-rul train. */
export function loadRulModel(RED: NodeAPI, path: string): RulModel {
  const full = resolveModelFile(RED, path);
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
