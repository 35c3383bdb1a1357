import { sidebarTwin, type SidebarModel } from '../../core/twin/sidebar-view';
import type { TwinModelNode } from './model-node';

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
    base.twins = store
      .ids()
      .sort()
      .slice(0, limit)
      .flatMap((id) => {
        const doc = store.get(id);
        return doc ? [sidebarTwin(id, doc, model, now)] : [];
      });
    return base;
  });
}
