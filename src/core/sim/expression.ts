import { TwinFlowError } from '../errors';

/**
 * A safe arithmetic expression language for user models: numbers, names (states, inputs, parameters, t), + - * / ^,
 * unary minus, comparisons (giving 1 or 0), `cond ? a : b`, parentheses and a fixed set of functions. Parsed once
 * into an AST and interpreted: user text never reaches eval or new Function, and names resolve only to the values
 * given, never to JavaScript objects.
 */
export type Expression =
  | { kind: 'number'; value: number }
  | { kind: 'name'; name: string }
  | { kind: 'unary'; op: '-' | '+'; operand: Expression }
  | { kind: 'binary'; op: string; left: Expression; right: Expression }
  | { kind: 'conditional'; test: Expression; then: Expression; otherwise: Expression }
  | { kind: 'call'; fn: string; args: Expression[] };

const FUNCTIONS: Record<string, (...args: number[]) => number> = {
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  exp: Math.exp,
  log: Math.log,
  log10: Math.log10,
  sqrt: Math.sqrt,
  abs: Math.abs,
  min: Math.min,
  max: Math.max,
  pow: Math.pow,
  floor: Math.floor,
  ceil: Math.ceil,
  sign: Math.sign,
  tanh: Math.tanh,
  clamp: (x, lo, hi) => Math.min(hi, Math.max(lo, x)),
};
const CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E };
const PRECEDENCE: Record<string, number> = {
  '?': 1,
  '==': 2,
  '!=': 2,
  '<': 3,
  '<=': 3,
  '>': 3,
  '>=': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
  '^': 7,
};
const MAX_LENGTH = 4000;

interface Token {
  type: 'number' | 'name' | 'op' | 'paren' | 'comma' | 'colon';
  text: string;
  pos: number;
}

function fail(text: string, pos: number, what: string): TwinFlowError {
  return new TwinFlowError('badExpression', `expression "${text.slice(0, 60)}": ${what} at position ${pos}`, {
    expression: text.slice(0, 60),
    position: pos,
  });
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const re =
    /\s*(?:(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(==|!=|<=|>=|[-+*/%^<>?])|([()])|(,)|(:))/y;
  let pos = 0;
  while (pos < text.length) {
    if (/^\s*$/.test(text.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) throw fail(text, pos, 'unexpected character');
    const start = pos + m[0].length - m[0].trimStart().length;
    const [, num, name, op, paren, comma] = m;
    if (num !== undefined) tokens.push({ type: 'number', text: num, pos: start });
    else if (name !== undefined) tokens.push({ type: 'name', text: name, pos: start });
    else if (op !== undefined) tokens.push({ type: 'op', text: op, pos: start });
    else if (paren !== undefined) tokens.push({ type: 'paren', text: paren, pos: start });
    else if (comma !== undefined) tokens.push({ type: 'comma', text: ',', pos: start });
    else tokens.push({ type: 'colon', text: ':', pos: start });
    pos = re.lastIndex;
  }
  return tokens;
}

/**
 * Parses an expression (precedence climbing).
 * @example evaluate(parseExpression('2 * x ^ 2 + 1'), { x: 3 }) // => 19
 * @throws TwinFlowError `badExpression` with the position of the problem.
 */
export function parseExpression(text: string): Expression {
  if (typeof text !== 'string' || text.trim() === '') throw fail(String(text), 0, 'empty expression');
  if (text.length > MAX_LENGTH) throw fail(text, MAX_LENGTH, 'expression too long');
  const tokens = tokenize(text);
  let i = 0;
  let depth = 0;
  const peek = (): Token | undefined => tokens[i];
  const expect = (type: Token['type'], value?: string): Token => {
    const t = tokens[i];
    if (!t || t.type !== type || (value !== undefined && t.text !== value)) {
      throw fail(text, t?.pos ?? text.length, `expected ${value ?? type}`);
    }
    i++;
    return t;
  };
  const primary = (): Expression => {
    const t = peek();
    if (!t) throw fail(text, text.length, 'unexpected end');
    if (++depth > 100) throw fail(text, t.pos, 'nested too deeply');
    try {
      if (t.type === 'number') {
        i++;
        return { kind: 'number', value: Number(t.text) };
      }
      if (t.type === 'op' && (t.text === '-' || t.text === '+')) {
        i++;
        return { kind: 'unary', op: t.text, operand: binary(6) };
      }
      if (t.type === 'paren' && t.text === '(') {
        i++;
        const inner = binary(0);
        expect('paren', ')');
        return inner;
      }
      if (t.type === 'name') {
        i++;
        if (peek()?.type === 'paren' && peek()?.text === '(') {
          if (!Object.prototype.hasOwnProperty.call(FUNCTIONS, t.text))
            throw fail(text, t.pos, `unknown function ${t.text}`);
          i++;
          const args: Expression[] = [];
          if (peek()?.text !== ')') {
            args.push(binary(0));
            while (peek()?.type === 'comma') {
              i++;
              args.push(binary(0));
            }
          }
          expect('paren', ')');
          return { kind: 'call', fn: t.text, args };
        }
        return { kind: 'name', name: t.text };
      }
      throw fail(text, t.pos, `unexpected ${t.text}`);
    } finally {
      depth--;
    }
  };
  const binary = (minPrecedence: number): Expression => {
    let left = primary();
    for (;;) {
      const t = peek();
      const precedence = t?.type === 'op' ? PRECEDENCE[t.text] : undefined;
      if (!t || precedence === undefined || precedence <= minPrecedence) break;
      i++;
      if (t.text === '?') {
        const then = binary(0);
        expect('colon');
        const otherwise = binary(0);
        left = { kind: 'conditional', test: left, then, otherwise };
        continue;
      }
      // ^ is right-associative (2^3^2 = 2^9); everything else left-associative.
      const right = binary(t.text === '^' ? precedence - 1 : precedence);
      left = { kind: 'binary', op: t.text, left, right };
    }
    return left;
  };
  const result = binary(0);
  if (i < tokens.length) throw fail(text, tokens[i].pos, `unexpected ${tokens[i].text}`);
  return result;
}

/** The names an expression reads (to check them against a model's variables once, not at every step). */
export function namesIn(e: Expression, into = new Set<string>()): Set<string> {
  switch (e.kind) {
    case 'name':
      if (!Object.prototype.hasOwnProperty.call(CONSTANTS, e.name)) into.add(e.name);
      break;
    case 'unary':
      namesIn(e.operand, into);
      break;
    case 'binary':
      namesIn(e.left, into);
      namesIn(e.right, into);
      break;
    case 'conditional':
      namesIn(e.test, into);
      namesIn(e.then, into);
      namesIn(e.otherwise, into);
      break;
    case 'call':
      e.args.forEach((a) => namesIn(a, into));
      break;
  }
  return into;
}

/** Evaluates an expression with the given values. Unknown names are an error, never a lookup elsewhere. */
export function evaluate(e: Expression, values: Readonly<Record<string, number>>): number {
  switch (e.kind) {
    case 'number':
      return e.value;
    case 'name':
      if (Object.prototype.hasOwnProperty.call(values, e.name)) return values[e.name];
      if (Object.prototype.hasOwnProperty.call(CONSTANTS, e.name)) return CONSTANTS[e.name];
      throw new TwinFlowError('badExpression', `unknown name ${e.name}`, { expression: e.name, position: 0 });
    case 'unary':
      return e.op === '-' ? -evaluate(e.operand, values) : evaluate(e.operand, values);
    case 'conditional':
      return evaluate(e.test, values) !== 0 ? evaluate(e.then, values) : evaluate(e.otherwise, values);
    case 'call':
      return FUNCTIONS[e.fn](...e.args.map((a) => evaluate(a, values)));
    case 'binary': {
      const a = evaluate(e.left, values);
      const b = evaluate(e.right, values);
      switch (e.op) {
        case '+':
          return a + b;
        case '-':
          return a - b;
        case '*':
          return a * b;
        case '/':
          return a / b;
        case '%':
          return a % b;
        case '^':
          return Math.pow(a, b);
        case '<':
          return a < b ? 1 : 0;
        case '<=':
          return a <= b ? 1 : 0;
        case '>':
          return a > b ? 1 : 0;
        case '>=':
          return a >= b ? 1 : 0;
        case '==':
          return a === b ? 1 : 0;
        default:
          return a !== b ? 1 : 0;
      }
    }
  }
}
