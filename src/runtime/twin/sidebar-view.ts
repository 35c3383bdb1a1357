import type { Quality } from '../../core/envelope';
import { computeDelta } from '../../core/twin';
import type { TwinModelNode } from './model-node';

export interface SidebarProperty {
  value: unknown;
  unit?: string;
  quality: Quality;
  stale: boolean;
  age: number;
}

export interface SidebarTwin {
  id: string;
  version: number;
  stale: boolean;
  lastSeen?: number;
  properties: Record<string, SidebarProperty>;
  delta: Record<string, unknown>;
}

export interface SidebarModel {
  id: string;
  name: string;
  count: number;
  error?: string;
  twins: SidebarTwin[];
}

/** What the sidebar shows of each deployed model: its twins (the first `limit`, by id) with their live values. */
export function listTwins(models: TwinModelNode[], now: number, limit: number): SidebarModel[] {
  return models.map((node) => {
    const store = node.store;
    const model = node.model;
    const base: SidebarModel = {
      id: node.id,
      name: model?.name ?? node.name ?? node.id,
      count: store?.size ?? 0,
      twins: [],
    };
    if (node.modelError) return { ...base, error: node.modelError.message };
    if (!store || !model) return base;
    const ids = store.ids().sort().slice(0, limit);
    base.twins = ids.flatMap((id) => {
      const doc = store.get(id);
      if (!doc) return [];
      const properties: Record<string, SidebarProperty> = {};
      for (const [name, p] of Object.entries(doc.reported)) {
        const unit = model.properties[name]?.unit;
        properties[name] = {
          value: p.value,
          quality: p.quality,
          stale: p.stale === true,
          age: now - p.receivedTimestamp,
          ...(unit ? { unit } : {}),
        };
      }
      return [
        {
          id,
          version: doc.version,
          stale: doc.stale === true,
          ...(doc.lastSeen !== undefined ? { lastSeen: doc.lastSeen } : {}),
          properties,
          delta: computeDelta(doc, model),
        },
      ];
    });
    return base;
  });
}
