import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';

/** tsx's require hook compiles the TypeScript source (mocha runs with tsx/cjs). */
const load = createRequire(__filename);

/**
 * Every `@example` in a doc comment in src/core is run, as simple-statistics does: `@example <expression> // =>
 * <expected>` evaluates the expression (after any statements before it, separated by `;`) with the file's exports in scope and compares it with the expected value
 * (a JavaScript literal; a trailing parenthesised remark after it is prose; `3.5355...` means leading digits). An example with no `// =>` fails.
 */
const CORE = join(__dirname, '..', '..', 'src', 'core');

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );

interface Example {
  line: number;
  expression: string;
  expected: string;
}

/** The examples of a source file: the text after `@example`, continued on the comment's next lines up to `// =>`. */
function examplesIn(source: string): Example[] {
  const lines = source.split('\n');
  const found: Example[] = [];
  lines.forEach((text, i) => {
    const at = text.indexOf('@example');
    if (at < 0) return;
    let body = text.slice(at + '@example'.length);
    for (let j = i + 1; !body.includes('// =>') && j < lines.length && /^\s*\*(?!\/)/.test(lines[j]); j++)
      body += '\n' + lines[j].replace(/^\s*\*\s?/, '');
    body = body.replace(/\*\/\s*$/, '');
    const arrow = body.indexOf('// =>');
    found.push({
      line: i + 1,
      expression: (arrow < 0 ? body : body.slice(0, arrow)).trim(),
      expected: arrow < 0 ? '' : body.slice(arrow + '// =>'.length).trim(),
    });
  });
  return found;
}

/** The index of the last `;` outside strings and brackets (statements before the example's expression), or -1. */
function lastStatementEnd(code: string): number {
  let quote = '';
  let depth = 0;
  let last = -1;
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === "'" || c === '"' || c === '`') quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === ';' && depth === 0) last = i;
  }
  return last;
}

/** Evaluates JavaScript with the given names in scope (the module's exports): statements, then the last expression. */
function evaluate(code: string, scope: Record<string, unknown>): unknown {
  const last = lastStatementEnd(code);
  const body = `${code.slice(0, last + 1)} return (${code.slice(last + 1)});`;
  return new Function(...Object.keys(scope), body)(...Object.values(scope));
}

/** The expected value: the literal, or the literal before a trailing remark in parentheses. */
function expectedValue(text: string, scope: Record<string, unknown>): unknown {
  try {
    return evaluate(text, scope);
  } catch {
    return evaluate(text.replace(/\s*\([^()]*\)\s*$/, ''), scope);
  }
}

describe('core: the @example in every doc comment holds', () => {
  for (const file of files(CORE)) {
    const examples = examplesIn(readFileSync(file, 'utf8'));
    if (examples.length === 0) continue;
    const name = relative(CORE, file);
    for (const example of examples) {
      it(`${name}:${example.line} ${example.expression}`, () => {
        assert.ok(example.expected, 'the example says what it gives (// => value)');
        const scope = { ...(load(file) as Record<string, unknown>) };
        delete scope.default;
        const actual = evaluate(example.expression, scope);
        // `// => 3.5355...`: the value's leading digits.
        const digits = /^(-?[\d.]+)\.\.\.$/.exec(example.expected);
        if (digits) assert.ok(String(actual).startsWith(digits[1]), `${String(actual)} starts ${digits[1]}`);
        else assert.deepStrictEqual(actual, expectedValue(example.expected, scope));
      });
    }
  }
});
