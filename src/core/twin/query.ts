import { TwinFlowError } from '../errors';
import type { TwinDocument } from './document';
import { safeText } from './sanitize';

/**
 * A small predicate language for `query`, parsed into an AST and interpreted (never eval): what an engineer would
 * type to find twins, e.g. `temperature > 80`, `pressure.quality == bad`, `stale`, `not flow.stale and speed >= 1200`,
 * `twin.id == 'Pump01' or twin.version > 10`.
 *
 * Operands: `<property>` (its value), `<property>.<field>` with field one of value, quality, stale, age (ms
 * since received), desired, statusCode; `twin.<field>` with id, model, version, created, updated, lastSeen, stale;
 * the bare word `stale` (the twin or any of its properties is stale). Operators: > >= < <= == !=, and, or, not,
 * parentheses. Literals: numbers, 'quoted' or "quoted" strings, true, false, and bare words (good, bad...).
 */
export type Predicate =
  | { kind: 'and' | 'or'; left: Predicate; right: Predicate }
  | { kind: 'not'; operand: Predicate }
  | { kind: 'test'; operand: Operand }
  | { kind: 'compare'; operand: Operand; op: ComparisonOperator; literal: Literal }
  | { kind: 'anyStale' };

export type ComparisonOperator = '>' | '>=' | '<' | '<=' | '==' | '!=';
type Literal = number | string | boolean;
interface Operand {
  scope: 'property' | 'twin';
  name: string;
  field: string;
}

const PROPERTY_FIELDS = new Set(['value', 'quality', 'stale', 'age', 'desired', 'statusCode']);
const TWIN_FIELDS = new Set(['id', 'model', 'version', 'created', 'updated', 'lastSeen', 'stale']);
const MAX_QUERY_LENGTH = 2000;

type Token = { type: 'word' | 'number' | 'string' | 'op' | 'paren'; text: string; pos: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const re =
    /\s*(?:(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|-\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(>=|<=|==|!=|>|<)|([()])|([A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?))/y;
  let pos = 0;
  while (pos < text.length) {
    if (/^\s*$/.test(text.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) throw syntaxError(text, pos, 'unexpected character');
    const start = pos + (m[0].length - m[0].trimStart().length);
    if (m[1] !== undefined) tokens.push({ type: 'number', text: m[1], pos: start });
    else if (m[2] !== undefined)
      tokens.push({ type: 'string', text: m[2].slice(1, -1).replace(/\\(.)/g, '$1'), pos: start });
    else if (m[3] !== undefined) tokens.push({ type: 'op', text: m[3], pos: start });
    else if (m[4] !== undefined) tokens.push({ type: 'paren', text: m[4], pos: start });
    else tokens.push({ type: 'word', text: m[5], pos: start });
    pos = re.lastIndex;
  }
  return tokens;
}

function syntaxError(text: string, pos: number, what: string): TwinFlowError {
  return new TwinFlowError('badQuery', `query "${text}": ${what} at position ${pos}`, {
    query: text,
    position: pos,
  });
}

/**
 * Parses a query string into a predicate.
 * @throws TwinFlowError `badQuery` with the position of the problem.
 */
export function parseQuery(text: string): Predicate {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new TwinFlowError('badQuery', 'query must be a non-empty string', {
      query: safeText(text),
      position: 0,
    });
  }
  if (text.length > MAX_QUERY_LENGTH)
    throw syntaxError(text.slice(0, 40), MAX_QUERY_LENGTH, 'query too long');
  const tokens = tokenize(text);
  let i = 0;
  const peek = (): Token | undefined => tokens[i];
  const isWord = (w: string): boolean => peek()?.type === 'word' && peek()?.text.toLowerCase() === w;
  let depth = 0;

  const parseOr = (): Predicate => {
    let left = parseAnd();
    while (isWord('or')) {
      i++;
      left = { kind: 'or', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): Predicate => {
    let left = parseUnary();
    while (isWord('and')) {
      i++;
      left = { kind: 'and', left, right: parseUnary() };
    }
    return left;
  };
  const parseUnary = (): Predicate => {
    if (isWord('not')) {
      i++;
      return { kind: 'not', operand: parseUnary() };
    }
    return parsePrimary();
  };
  const parsePrimary = (): Predicate => {
    const token = peek();
    if (!token) throw syntaxError(text, text.length, 'unexpected end');
    if (token.type === 'paren' && token.text === '(') {
      if (++depth > 32) throw syntaxError(text, token.pos, 'too many parentheses');
      i++;
      const inner = parseOr();
      if (peek()?.text !== ')') throw syntaxError(text, peek()?.pos ?? text.length, 'missing )');
      i++;
      depth--;
      return inner;
    }
    if (token.type !== 'word') throw syntaxError(text, token.pos, `unexpected ${token.text}`);
    i++;
    if (token.text === 'stale') return { kind: 'anyStale' };
    const operand = parseOperand(token);
    const op = peek();
    if (op?.type !== 'op') return { kind: 'test', operand };
    i++;
    const lit = peek();
    if (!lit || lit.type === 'op' || lit.type === 'paren')
      throw syntaxError(text, lit?.pos ?? text.length, 'missing value');
    i++;
    return { kind: 'compare', operand, op: op.text as ComparisonOperator, literal: parseLiteral(lit) };
  };
  const parseOperand = (token: Token): Operand => {
    const [head, field] = token.text.split('.');
    if (head === 'twin') {
      if (!field || !TWIN_FIELDS.has(field))
        throw syntaxError(text, token.pos, `unknown twin field ${field ?? ''}`);
      return { scope: 'twin', name: '', field };
    }
    const f = field ?? 'value';
    if (!PROPERTY_FIELDS.has(f)) throw syntaxError(text, token.pos, `unknown field ${f}`);
    return { scope: 'property', name: head, field: f };
  };
  const result = parseOr();
  if (i < tokens.length) throw syntaxError(text, tokens[i].pos, `unexpected ${tokens[i].text}`);
  return result;
}

function parseLiteral(token: Token): Literal {
  if (token.type === 'number') return Number(token.text);
  if (token.type === 'string') return token.text;
  if (token.text === 'true') return true;
  if (token.text === 'false') return false;
  return token.text;
}

function operandValue(doc: TwinDocument, operand: Operand, now: number): unknown {
  if (operand.scope === 'twin') {
    if (operand.field === 'stale') return doc.stale === true;
    return (doc as unknown as Record<string, unknown>)[operand.field];
  }
  const prop = Object.prototype.hasOwnProperty.call(doc.reported, operand.name)
    ? doc.reported[operand.name]
    : undefined;
  switch (operand.field) {
    case 'desired':
      return Object.prototype.hasOwnProperty.call(doc.desired, operand.name)
        ? doc.desired[operand.name].value
        : undefined;
    case 'stale':
      return prop?.stale === true;
    case 'age':
      return prop ? now - prop.receivedTimestamp : undefined;
    case 'value':
      return prop?.value;
    default:
      return prop ? (prop as unknown as Record<string, unknown>)[operand.field] : undefined;
  }
}

function compare(value: unknown, op: ComparisonOperator, literal: Literal): boolean {
  if (value === undefined || value === null) return op === '!=';
  if (op === '==') return value === literal;
  if (op === '!=') return value !== literal;
  if (typeof value !== typeof literal || (typeof value !== 'number' && typeof value !== 'string'))
    return false;
  const a = value as number | string;
  const b = literal as number | string;
  return op === '>' ? a > b : op === '>=' ? a >= b : op === '<' ? a < b : a <= b;
}

/** Whether a twin satisfies a predicate at time `now`. */
export function matches(doc: TwinDocument, predicate: Predicate, now: number): boolean {
  switch (predicate.kind) {
    case 'and':
      return matches(doc, predicate.left, now) && matches(doc, predicate.right, now);
    case 'or':
      return matches(doc, predicate.left, now) || matches(doc, predicate.right, now);
    case 'not':
      return !matches(doc, predicate.operand, now);
    case 'anyStale':
      return doc.stale === true || Object.values(doc.reported).some((p) => p.stale === true);
    case 'test':
      return Boolean(operandValue(doc, predicate.operand, now));
    case 'compare':
      return compare(operandValue(doc, predicate.operand, now), predicate.op, predicate.literal);
  }
}
