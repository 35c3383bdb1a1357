import { TwinFlowError } from '../../errors';
import { evaluate, namesIn, parseExpression, type Expression } from '../expression';
import { integrateDopri } from '../integrators';
import type { SimModel, Values, Variable } from '../model';

/**
 * A user model from expressions: each state's derivative and each output is an expression of t, the states, the
 * inputs and the parameters (see expression.ts: parsed once, interpreted, never eval). Integrated with adaptive
 * RK45 over each communication step.
 *
 * Example (a heated mass): states {T: {start: 20, derivative: "(P * k - (T - ambient)) / tau"}},
 * inputs {P: 0, ambient: 20}, parameters {k: 0.05, tau: 600}, outputs {T: "T", rise: "T - ambient"}.
 */
export interface OdeDefinition {
  name?: string;
  states: Record<string, { start: number; derivative: string; unit?: string }>;
  inputs?: Record<string, number | { start: number; unit?: string }>;
  parameters?: Record<string, number | { start: number; unit?: string }>;
  /** Defaults to every state. */
  outputs?: Record<string, string>;
  rtol?: number;
  atol?: number;
}

export interface OdeState {
  y: number[];
}

const entry = (v: number | { start: number; unit?: string }) => (typeof v === 'number' ? { start: v } : v);

export function odeModel(definition: OdeDefinition): SimModel<OdeState> {
  if (
    !definition ||
    typeof definition !== 'object' ||
    !definition.states ||
    Object.keys(definition.states).length === 0
  ) {
    throw new TwinFlowError('badModel', 'a user model needs at least one state with a derivative', {});
  }
  const stateNames = Object.keys(definition.states);
  const inputs = Object.entries(definition.inputs ?? {}).map(([name, v]) => ({ name, ...entry(v) }));
  const params = Object.entries(definition.parameters ?? {}).map(([name, v]) => ({ name, ...entry(v) }));
  const known = new Set(['t', ...stateNames, ...inputs.map((i) => i.name), ...params.map((p) => p.name)]);
  const compile = (what: string, text: string): Expression => {
    const e = parseExpression(text);
    for (const name of namesIn(e)) {
      if (!known.has(name))
        throw new TwinFlowError('badModel', `${what} uses unknown name ${name}`, { name });
    }
    return e;
  };
  const derivatives = stateNames.map((s) => compile(`d${s}/dt`, definition.states[s].derivative));
  const outputs = Object.entries(definition.outputs ?? Object.fromEntries(stateNames.map((s) => [s, s]))).map(
    ([name, text]) => [name, compile(`output ${name}`, text)] as const,
  );
  const variables: Variable[] = [
    ...stateNames.map((name) => ({
      name,
      causality: 'state' as const,
      start: definition.states[name].start,
      unit: definition.states[name].unit,
    })),
    ...inputs.map((v) => ({ ...v, causality: 'input' as const })),
    ...params.map((v) => ({ ...v, causality: 'parameter' as const })),
    ...outputs.map(([name]) => ({ name, causality: 'output' as const, start: 0 })),
  ];
  const scope = (t: number, y: readonly number[], u: Values, p: Values): Values => {
    const values: Values = { ...p, ...u, t };
    stateNames.forEach((s, i) => (values[s] = y[i]));
    return values;
  };
  return {
    name: definition.name ?? 'ode',
    description: 'User model: derivatives and outputs as expressions',
    variables,
    init: () => ({ y: stateNames.map((s) => definition.states[s].start) }),
    advance(state, t, h, u, p, _random, budget) {
      const f = (time: number, y: readonly number[]) => {
        const values = scope(time, y, u, p);
        return derivatives.map((d) => evaluate(d, values));
      };
      const { y } = integrateDopri(f, t, state.y, t + h, {
        rtol: definition.rtol ?? 1e-6,
        atol: definition.atol ?? 1e-9,
        budget,
      });
      return { state: { y } };
    },
    outputs(state, t, u, p) {
      const values = scope(t, state.y, u, p);
      return Object.fromEntries(outputs.map(([name, e]) => [name, evaluate(e, values)]));
    },
  };
}
