import { parseCsvLine } from '../csv/line';
import { TwinFlowError } from '../errors';
import { defineMapping, type Mapping, type MappedProperty } from './mapping';

/**
 * The mapping as a CSV sheet (one row per property, instances in their own section), for engineers who keep their
 * tag lists in a spreadsheet. Columns: property, nodeId, browsePath, samplingInterval, deadbandType, deadbandValue,
 * rawLow, rawHigh, engLow, engHigh, clamp, unit, dataType, writable. A row "#instances" starts the instance list:
 * twin, name, root.
 */
const COLUMNS = [
  'property',
  'nodeId',
  'browsePath',
  'samplingInterval',
  'deadbandType',
  'deadbandValue',
  'rawLow',
  'rawHigh',
  'engLow',
  'engHigh',
  'clamp',
  'unit',
  'dataType',
  'writable',
] as const;

const quote = (v: unknown): string => {
  const s = v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

export function mappingToCsv(mapping: Mapping): string {
  const rows = [COLUMNS.join(',')];
  for (const p of mapping.properties) {
    const s = p.scale;
    const values: Record<(typeof COLUMNS)[number], unknown> = {
      property: p.property,
      nodeId: p.nodeId,
      browsePath: p.browsePath,
      samplingInterval: p.samplingInterval,
      deadbandType: p.deadbandType,
      deadbandValue: p.deadbandValue,
      rawLow: s?.rawLow,
      rawHigh: s?.rawHigh,
      engLow: s?.engLow,
      engHigh: s?.engHigh,
      clamp: s ? s.clamp : undefined,
      unit: p.unit,
      dataType: p.dataType,
      writable: p.writable,
    };
    rows.push(COLUMNS.map((c) => quote(values[c])).join(','));
  }
  rows.push(
    `#instances${mapping.namespace ? `,namespace=${quote(mapping.namespace)}` : ''}`,
    'twin,name,root',
  );
  for (const i of mapping.instances) rows.push([i.twin, i.name, i.root].map(quote).join(','));
  return rows.join('\n') + '\n';
}

export function mappingFromCsv(text: string): Mapping {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = parseCsvLine(lines[0] ?? '', ',');
  if (header[0] !== 'property')
    throw new TwinFlowError('badMapping', 'the CSV must start with the header row "property,nodeId,..."', {
      what: 'csv',
    });
  const properties: Partial<MappedProperty & Record<string, unknown>>[] = [];
  const instances: Record<string, string>[] = [];
  let namespace: string | undefined;
  let section: 'properties' | 'instances' = 'properties';
  for (const line of lines.slice(1)) {
    const cells = parseCsvLine(line, ',');
    if (cells[0].startsWith('#instances')) {
      section = 'instances';
      const ns = cells.find((c) => c.startsWith('namespace='));
      if (ns) namespace = ns.slice('namespace='.length);
      continue;
    }
    if (section === 'instances') {
      if (cells[0] === 'twin') continue;
      instances.push({
        twin: cells[0],
        ...(cells[1] ? { name: cells[1] } : {}),
        ...(cells[2] ? { root: cells[2] } : {}),
      });
      continue;
    }
    const row = Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
    properties.push({
      property: row.property,
      nodeId: row.nodeId,
      browsePath: row.browsePath,
      samplingInterval: row.samplingInterval as unknown as number,
      deadbandType: (row.deadbandType || 'none') as MappedProperty['deadbandType'],
      deadbandValue: row.deadbandValue as unknown as number,
      ...(row.rawLow !== ''
        ? {
            scale: {
              rawLow: row.rawLow,
              rawHigh: row.rawHigh,
              engLow: row.engLow,
              engHigh: row.engHigh,
              clamp: row.clamp,
            } as never,
          }
        : {}),
      unit: row.unit,
      dataType: row.dataType,
      writable: row.writable === 'true',
    });
  }
  return defineMapping({ namespace, properties, instances });
}
