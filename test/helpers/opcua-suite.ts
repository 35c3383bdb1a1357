import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node } from 'node-red';
import { withCatalogue } from './catalogue';
import { helper, loadNode, useSettings } from './node-red';
import type { PlantServer } from './opcua-server';

/** The endpoint and map nodes as the OPC UA integration tests load them (the map's texts from its catalogue). */
export const endpointNode = loadNode('twin-opcua-endpoint');
export const mapNode = withCatalogue(loadNode('twin-opcua-map'));

/** A node of the flow the test loaded. */
export const flowNode = (id: string): Node => helper.getNode(id) as Node;

/**
 * The set-up every OPC UA integration suite shares (call it inside `describe`): one plant server, started before
 * the suite and disposed after it, and for each test a fresh Node-RED user dir (the client's PKI lives there),
 * with the flow unloaded and the dir removed afterwards.
 */
export function plantSuite(
  create: () => PlantServer,
  userDirPrefix: string,
): { readonly server: PlantServer; readonly userDir: string } {
  let server: PlantServer | undefined;
  let userDir: string | undefined;
  before(async () => {
    server = create();
    await server.start();
  });
  after(async () => {
    await server?.dispose();
  });
  beforeEach(() => {
    userDir = mkdtempSync(join(tmpdir(), userDirPrefix));
    useSettings({ userDir });
  });
  afterEach(async () => {
    await helper.unload();
    useSettings({});
    if (userDir) rmSync(userDir, { recursive: true, force: true });
  });
  return {
    get server(): PlantServer {
      if (!server) throw new Error('the plant server starts in the suite before hook');
      return server;
    },
    get userDir(): string {
      if (!userDir) throw new Error('the user dir is made in beforeEach');
      return userDir;
    },
  };
}
