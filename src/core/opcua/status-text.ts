/**
 * Short texts for the status of OPC UA nodes: where (host:port) and how many items work.
 *
 * @example endpointLabel('opc.tcp://127.0.0.1:4840/UA/TwinFlow') // => '127.0.0.1:4840'
 * @example endpointLabel('opc.tcp://plc-line-3.plant.example.com:4840/') // => 'plc-line-3:4840'
 */
export function endpointLabel(url: string): string {
  const match = /^[a-z.]+:\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?/i.exec(url.trim());
  if (!match) return url.slice(0, 24);
  let host = match[1];
  // A long DNS name keeps its first label (the machine's own name); addresses are kept whole.
  if (host.length > 16 && !/^[\d.]+$/.test(host) && !host.startsWith('[')) host = host.split('.')[0];
  if (host.length > 20) host = `${host.slice(0, 19)}…`;
  return `${host}:${match[2] ?? '4840'}`;
}

const count = (n: number): string => n.toLocaleString('en-US');

/**
 * @example itemSummary(5000, 2) // => '4,998/5,000 items, 2 bad'
 * @example itemSummary(12, 0) // => '12 items'
 */
export function itemSummary(total: number, bad: number): string {
  return bad > 0 ? `${count(total - bad)}/${count(total)} items, ${count(bad)} bad` : `${count(total)} items`;
}
