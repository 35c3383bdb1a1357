/**
 * One CSV line into cells (RFC 4180 quoting: "a, b" and "" for a quote). Lines are parsed one at a time, so a
 * historian export of any length streams in constant memory; quoted fields spanning lines are not supported
 * (historian exports do not produce them).
 * @example parseCsvLine('2026-01-01,"1,5",x', ',') // => ['2026-01-01', '1,5', 'x']
 */
export function parseCsvLine(line: string, delimiter: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === delimiter) {
      cells.push(cell);
      cell = '';
    } else cell += c;
  }
  cells.push(cell.replace(/\r$/, ''));
  return cells;
}

/**
 * A historian timestamp in epoch ms: ISO 8601 (with or without zone; none means UTC), "YYYY-MM-DD hh:mm:ss[.fff]"
 * (UTC), or a number of epoch seconds (< 1e11) or milliseconds. Undefined when it is none of these.
 * @example parseTimestamp('2026-01-01 00:00:01') // => 1767225601000
 */
export function parseTimestamp(text: string): number | undefined {
  const t = text.trim().replace(/^"|"$/g, '');
  if (t === '') return undefined;
  if (/^-?\d+(\.\d+)?$/.test(t)) {
    const n = Number(t);
    return n < 1e11 ? n * 1000 : n;
  }
  const iso = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(t) ? `${t.replace(' ', 'T')}Z` : t;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : undefined;
}
