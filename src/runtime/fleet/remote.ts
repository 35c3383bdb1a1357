/**
 * What a twin-model holds when a twin-fleet mirror fills it: twins another instance owns. twin-state reads them like
 * its own (get, list, query) but refuses reports and acks, and sends desires to the owner through the mirror.
 */
export interface RemoteTwins {
  desire(twin: string, values: Record<string, unknown>, clientToken?: string): Promise<void>;
}
