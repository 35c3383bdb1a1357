import type { Quality } from '../envelope';
import { computeDelta } from './delta';
import type { TwinDocument } from './document';
import type { TwinModel } from './model';

/**
 * The contract between the runtime and the editor's twins sidebar: what the admin endpoint `/twinflow/twins` answers
 * and the sidebar draws. Plain data, built here from the stored documents so both sides agree on one shape.
 */
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

/** One twin as the sidebar shows it: live values with unit, quality, staleness and age, and the open delta. */
export function sidebarTwin(id: string, doc: TwinDocument, model: TwinModel, now: number): SidebarTwin {
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
  return {
    id,
    version: doc.version,
    stale: doc.stale === true,
    ...(doc.lastSeen !== undefined ? { lastSeen: doc.lastSeen } : {}),
    properties,
    delta: computeDelta(doc, model),
  };
}
