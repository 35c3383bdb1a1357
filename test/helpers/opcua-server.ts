import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DataType,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAServer,
  SecurityPolicy,
  StatusCodes,
  Variant,
  type UAObject,
  type UAVariable,
} from 'node-opcua';

export const PLANT_NAMESPACE = 'urn:twinflow:test:plant';

/**
 * A real node-opcua server on a loopback port for the integration tests, with its own PKI in a temp dir:
 * pumps Pump01..PumpNN, each with Speed (writable Double), Temperature (Double), RawLevel (Int16, for scaling)
 * and State (String, read-only). A dummy namespace is registered first so the plant's index is not the obvious 1.
 */
export class PlantServer {
  private server?: OPCUAServer;
  private starting?: OPCUAServer;
  private readonly pki = mkdtempSync(join(tmpdir(), 'twinflow-opcua-server-'));
  readonly values = new Map<string, number | string>();
  port = 0;
  /** CreateMonitoredItems requests the server received, and the items they asked for in all. */
  readonly createMonitoredItems = { requests: 0, items: 0 };

  constructor(
    readonly pumps = 2,
    /**
     * secure: only Sign and SignAndEncrypt endpoints (Basic256Sha256, Aes128_Sha256_RsaOaep, Aes256_Sha256_RsaPss),
     * trusting any client certificate; users: user name -> password, and anonymous access refused.
     */
    readonly options: {
      secure?: boolean;
      users?: Record<string, string>;
      /** Variables (`Pump07.Temperature`) left out of the address space at start (added later with addVariable). */
      missing?: string[];
    } = {},
  ) {}

  async start(port = 0): Promise<string> {
    const server = new OPCUAServer({
      port,
      host: '127.0.0.1',
      hostname: 'localhost',
      resourcePath: '/UA/TwinFlowTest',
      securityModes: this.options.secure
        ? [MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt]
        : [MessageSecurityMode.None],
      securityPolicies: this.options.secure
        ? [
            SecurityPolicy.Basic256Sha256,
            SecurityPolicy.Aes128_Sha256_RsaOaep,
            SecurityPolicy.Aes256_Sha256_RsaPss,
          ]
        : [SecurityPolicy.None],
      allowAnonymous: !this.options.users,
      userManager: this.options.users
        ? { isValidUser: (user: string, password: string) => this.options.users?.[user] === password }
        : undefined,
      serverCertificateManager: new OPCUACertificateManager({
        rootFolder: join(this.pki, 'server'),
        automaticallyAcceptUnknownCertificate: true,
      }),
      userCertificateManager: new OPCUACertificateManager({ rootFolder: join(this.pki, 'user') }),
    });
    await server.initialize();
    this.starting = server;
    server.on('request', (request: { schema: { name: string }; itemsToCreate?: unknown[] }) => {
      if (request.schema.name !== 'CreateMonitoredItemsRequest') return;
      this.createMonitoredItems.requests++;
      this.createMonitoredItems.items += request.itemsToCreate?.length ?? 0;
    });
    const addressSpace = server.engine.addressSpace!;
    addressSpace.registerNamespace('urn:twinflow:test:other');
    const ns = addressSpace.registerNamespace(PLANT_NAMESPACE);
    for (let i = 1; i <= this.pumps; i++) {
      const name = `Pump${String(i).padStart(2, '0')}`;
      const pump = ns.addObject({
        browseName: name,
        nodeId: `s=${name}`,
        organizedBy: addressSpace.rootFolder.objects,
      });
      const variable = (
        property: string,
        dataType: DataType,
        start: number | string,
        writable: boolean,
      ): UAVariable | undefined =>
        this.options.missing?.includes(`${name}.${property}`)
          ? undefined
          : this.addVariable(name, property, dataType, start, writable, pump);
      variable('Speed', DataType.Double, 1000, true);
      variable('Temperature', DataType.Double, 60, false);
      variable('RawLevel', DataType.Int16, 16384, true);
      variable('State', DataType.String, 'Running', false);
    }
    await server.start();
    this.server = server;
    this.port = server.endpoints[0].port;
    return this.url;
  }

  /** Adds a variable to a pump (also while running: a node that appears later). */
  addVariable(
    name: string,
    property: string,
    dataType: DataType,
    start: number | string,
    writable = false,
    parent?: UAObject,
  ): UAVariable {
    const addressSpace = (this.server?.engine.addressSpace ?? this.starting?.engine.addressSpace)!;
    const ns = addressSpace.getNamespace(PLANT_NAMESPACE);
    const pump = parent ?? (addressSpace.findNode(`ns=${ns.index};s=${name}`) as UAObject);
    const key = `${name}.${property}`;
    if (!this.values.has(key)) this.values.set(key, start);
    return ns.addVariable({
      componentOf: pump,
      browseName: property,
      nodeId: `s=${key}`,
      dataType: DataType[dataType],
      minimumSamplingInterval: 50,
      accessLevel: writable ? 'CurrentRead | CurrentWrite' : 'CurrentRead',
      userAccessLevel: writable ? 'CurrentRead | CurrentWrite' : 'CurrentRead',
      value: {
        get: () => new Variant({ dataType, value: this.values.get(key) }),
        set: (v: Variant) => {
          this.values.set(key, v.value as number);
          return StatusCodes.Good;
        },
      },
    });
  }

  get url(): string {
    return `opc.tcp://127.0.0.1:${this.port}/UA/TwinFlowTest`;
  }

  set(pump: string, property: string, value: number | string): void {
    this.values.set(`${pump}.${property}`, value);
  }

  get(pump: string, property: string): number | string | undefined {
    return this.values.get(`${pump}.${property}`);
  }

  async stop(): Promise<void> {
    await this.server?.shutdown(0);
    this.server = undefined;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.pki, { recursive: true, force: true });
  }
}
