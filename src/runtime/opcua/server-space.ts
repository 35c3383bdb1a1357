import {
  DataType,
  DataValue,
  LocalizedText,
  makeEUInformation,
  PermissionType,
  StatusCodes,
  Variant,
  VariantArrayType,
  WellKnownRoles,
  type Namespace,
  type StatusCode,
  type UAObject,
  type UAVariable,
} from 'node-opcua';
import {
  engineeringUnit,
  euRange,
  fitsType,
  opcuaValueOf,
  placeFolders,
  variableType,
  type VariableType,
} from '../../core/opcua/server-model';
import type { TwinModel } from '../../core/twin/model';

export interface Published {
  value: unknown;
  quality: string;
  timestamp: Date;
}

const STATUS = {
  good: StatusCodes.Good,
  uncertain: StatusCodes.UncertainLastUsableValue,
  bad: StatusCodes.BadCommunicationError,
};

const BUILT_IN: Record<Exclude<VariableType, 'Enumeration'>, DataType> = {
  Boolean: DataType.Boolean,
  Int32: DataType.Int32,
  UInt32: DataType.UInt32,
  Double: DataType.Double,
  String: DataType.String,
  DateTime: DataType.DateTime,
};

const READ = PermissionType.Browse | PermissionType.Read | PermissionType.ReadRolePermissions;

/**
 * The twins in the server's address space: folders for the model's ISA-95 place, one object per twin, one variable
 * per property typed from the model (AnalogItem with EngineeringUnits and EURange where the model has a unit or
 * limits, MultiStateDiscrete with EnumStrings for enumerations), readable by everyone, writable where the model
 * says so and only by the writers. A client's write goes to `onWrite`, whose answer is the write's status.
 */
export class TwinSpace {
  readonly values = new Map<string, Published>();
  private readonly types = new Map<string, VariableType>();
  private readonly objects = new Map<string, UAObject>();
  private parent?: UAObject;

  constructor(
    private readonly namespace: Namespace,
    private readonly model: TwinModel | undefined,
    /** undefined: everyone may write. */
    private readonly writers: string[] | undefined,
    private readonly onWrite: (twin: string, property: string, value: unknown) => Promise<StatusCode>,
  ) {}

  /** The type of a twin property's variable, once it exists. */
  typeOf(twin: string, property: string): VariableType | undefined {
    return this.types.get(`${twin}.${property}`);
  }

  fits(twin: string, property: string, value: unknown): boolean {
    const type = this.typeOf(twin, property);
    return type === undefined || fitsType(type, value, this.model?.properties[property]);
  }

  /** The folder the twins of this model live in (created once). */
  private place(): UAObject {
    if (this.parent) return this.parent;
    let parent = this.namespace.addressSpace.rootFolder.objects as unknown as UAObject;
    const path: string[] = [];
    for (const name of placeFolders(this.model)) {
      path.push(name);
      const nodeId = `s=${path.join('/')}`;
      const existing = this.namespace.findNode(nodeId) as UAObject | null;
      parent = existing ?? this.namespace.addFolder(parent, { browseName: name, nodeId });
    }
    this.parent = parent;
    return parent;
  }

  private object(twin: string): UAObject {
    let object = this.objects.get(twin);
    if (!object) {
      object = this.namespace.addObject({ browseName: twin, nodeId: `s=${twin}`, organizedBy: this.place() });
      this.objects.set(twin, object);
    }
    return object;
  }

  /** Creates the variable on the first value that can type it; false when it cannot be exposed. */
  ensure(twin: string, property: string, value: unknown): boolean {
    const key = `${twin}.${property}`;
    if (this.types.has(key)) return true;
    const def = this.model?.properties[property];
    const type = variableType(def, value);
    if (type === undefined) return false;
    this.types.set(key, type);
    const writable = def?.writable === true;
    const access = writable ? 'CurrentRead | CurrentWrite' : 'CurrentRead';
    const anonymousWrites = !this.writers || this.writers.includes('anonymous');
    const options = {
      componentOf: this.object(twin),
      browseName: property,
      nodeId: `s=${key}`,
      description: def?.description ?? (def?.unit ? `${property} in ${def.unit}` : property),
      minimumSamplingInterval: 100,
      accessLevel: access,
      userAccessLevel: access,
      // Only the writers may write: node-opcua answers BadUserAccessDenied for the others.
      ...(writable && this.writers
        ? {
            rolePermissions: [
              { roleId: WellKnownRoles.Operator, permissions: READ | PermissionType.Write },
              { roleId: WellKnownRoles.AuthenticatedUser, permissions: READ },
              {
                roleId: WellKnownRoles.Anonymous,
                permissions: anonymousWrites ? READ | PermissionType.Write : READ,
              },
            ],
          }
        : {}),
    };
    const binding = {
      timestamped_get: () => this.read(key, type, def),
      timestamped_set: (dv: DataValue) => this.onWrite(twin, property, dv.value.value),
    };
    const unit = engineeringUnit(def?.unit);
    const range = euRange(def);
    let variable: UAVariable;
    if (type === 'Enumeration') {
      // A UInt32 MultiStateDiscrete with its EnumStrings (node-opcua's helper would type it as abstract Number).
      variable = this.namespace.addVariable({
        ...options,
        typeDefinition: 'MultiStateDiscreteType',
        dataType: DataType.UInt32,
        value: binding as never,
      });
      this.namespace.addVariable({
        propertyOf: variable,
        browseName: { name: 'EnumStrings', namespaceIndex: 0 },
        dataType: DataType.LocalizedText,
        valueRank: 1,
        value: {
          dataType: DataType.LocalizedText,
          arrayType: VariantArrayType.Array,
          value: (def?.values ?? []).map((text) => new LocalizedText({ text })),
        },
      });
    } else if (type === 'Double' && (unit || range)) {
      variable = this.namespace.addAnalogDataItem({
        ...options,
        dataType: 'Double',
        engineeringUnits: unit ? makeEUInformation(unit.code, unit.displayName, unit.description) : undefined,
        engineeringUnitsRange: range ?? { low: -Number.MAX_VALUE, high: Number.MAX_VALUE },
        value: binding as never,
      });
    } else {
      variable = this.namespace.addVariable({
        ...options,
        dataType: BUILT_IN[type],
        value: binding as never,
      });
    }
    return variable !== undefined;
  }

  private read(key: string, type: VariableType, def: TwinModel['properties'][string] | undefined): DataValue {
    const p = this.values.get(key);
    const empty = p?.value === null || p?.value === undefined;
    const dataType = type === 'Enumeration' ? DataType.UInt32 : BUILT_IN[type];
    // No value yet (or a bad one without a value): an empty variant, never a null typed as Double.
    return new DataValue({
      value: empty
        ? new Variant({ dataType: DataType.Null })
        : new Variant({ dataType, value: opcuaValueOf(type, p.value, def) }),
      statusCode: STATUS[(p?.quality ?? 'bad') as keyof typeof STATUS] ?? StatusCodes.Bad,
      sourceTimestamp: p?.timestamp ?? null,
    });
  }
}
