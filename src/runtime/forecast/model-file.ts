import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { NodeAPI } from 'node-red';

/**
 * Where a model file named in a node's settings is: an absolute path as it is; a relative one in the Node-RED user
 * directory, else in the TwinFlow package itself (so the models shipped with the examples load as named there).
 */
export function resolveModelFile(RED: NodeAPI, path: string): string {
  if (isAbsolute(path)) return path;
  const userDir = (RED.settings as unknown as { userDir?: string }).userDir ?? process.cwd();
  const inUserDir = join(userDir, path);
  if (existsSync(inUserDir)) return inUserDir;
  // The bundle runs from <package>/nodes/, so the package root is one level up.
  const inPackage = join(__dirname, '..', path);
  return existsSync(inPackage) ? inPackage : inUserDir;
}
