import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const PLANT_FLOW = join(
  __dirname,
  '..',
  '..',
  'examples',
  'demo',
  '01 - Pump station and packaging line.json',
);

/** A free TCP port on loopback (for a server a test starts or tells the demo to start). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls `check` every 100 ms until it holds; fails after `ms` naming `what` (and what `detail` says then). */
export async function until(
  what: string,
  ms: number,
  check: () => Promise<boolean>,
  detail: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what} ${detail()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface FlowNode {
  id: string;
  type: string;
  mapping?: string;
  model?: string;
  properties?: string;
  staleAfter?: string;
  wires?: string[][];
}

/** A twin the demo reads from its PLC, with the staleness (ms) its model configures. */
export interface PlcTwin {
  twin: string;
  /** The twin-state node that holds it. */
  stateNode: string;
  /** Property -> its own staleness in ms (0: never stale on its own). */
  properties: Record<string, number>;
  /** The model's staleness for the whole twin (a twin-stale event), 0 for none. */
  twinStaleAfter: number;
}

/** The twins of the shipped demo that come from the PLC over OPC UA, read from the flow as shipped. */
export function plcTwins(): PlcTwin[] {
  const nodes = JSON.parse(readFileSync(PLANT_FLOW, 'utf8')) as FlowNode[];
  const byId = new Map(nodes.map((n) => [n.id, n]));
  return nodes
    .filter((n) => n.type === 'twin-opcua-map')
    .flatMap((map) => {
      const mapping = JSON.parse(map.mapping ?? '{}') as {
        properties: { property: string }[];
        instances: { twin: string }[];
      };
      const stateNode = byId.get(map.wires?.[0]?.[0] ?? '');
      const model = byId.get(stateNode?.model ?? '');
      if (!stateNode || !model) throw new Error(`${map.id} is not wired to a twin-state with a model`);
      const declared = JSON.parse(model.properties ?? '[]') as { name: string; staleAfter?: number }[];
      const properties = Object.fromEntries(
        mapping.properties.map(({ property }) => [
          property,
          declared.find((d) => d.name === property)?.staleAfter ?? 0,
        ]),
      );
      return mapping.instances.map(({ twin }) => ({
        twin,
        stateNode: stateNode.id,
        properties,
        twinStaleAfter: Number(model.staleAfter ?? 0),
      }));
    });
}

/** The demo's node ids, as scripts/make-demo-flow.mjs makes them from a name. */
export const demoId = (name: string): string =>
  `demo${name.replace(/[^A-Za-z0-9]/g, '')}`.padEnd(16, '0').slice(0, 16);
