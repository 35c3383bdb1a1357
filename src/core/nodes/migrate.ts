/**
 * Config migrations by `version`. Every node has a hidden `version` in its editor defaults; flows saved by an
 * older release carry a lower (or no) version and are brought forward step by step at load time, so flows
 * saved today keep working. Migrations are pure functions over the plain config object.
 *
 * The step to version 1 (the first release) fills every field's default without overriding what is there. It runs
 * for every config, also one saved at version 1 or later that leaves fields out (a flow written by hand or by a
 * script), so a node never sees an undefined setting. Later steps run only for configs older than they are.
 */
export interface Migration<T> {
  /** The version this step produces. Steps run in ascending order for every `to` above the config's version. */
  to: number;
  up: (config: Record<string, unknown>) => Record<string, unknown>;
  /** Only for typing: the shape after the final step. */
  readonly _result?: T;
}

export function migrateConfig<T>(
  config: object,
  migrations: readonly Migration<T>[],
): T & { version: number } {
  const raw = config as Record<string, unknown>;
  const from = Number(raw.version) || 0;
  let current: Record<string, unknown> = { ...raw };
  let version = from;
  for (const step of [...migrations].sort((a, b) => a.to - b.to)) {
    if (step.to === 1 || step.to > from) {
      current = step.up(current);
      version = Math.max(version, step.to);
    }
  }
  return { ...current, version } as T & { version: number };
}

export function latestVersion(migrations: readonly Migration<unknown>[]): number {
  return migrations.reduce((max, m) => Math.max(max, m.to), 0);
}
