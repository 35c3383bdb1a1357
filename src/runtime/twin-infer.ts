import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import type * as Ort from 'onnxruntime-node';
import { TwinFlowError } from '../core/errors';
import { chunkBatch, outputRow, prepareBatch } from '../core/infer/batch';
import { planInput, type InputPlan } from '../core/infer/shape';
import { migrateConfig } from '../core/nodes/migrate';
import {
  parseTwinInfer,
  TWIN_INFER_MIGRATIONS,
  type TwinInferConfig,
  type TwinInferSettings,
} from '../core/nodes/twin-infer';
import { resolveModelFile } from './forecast/model-file';
import { clockFor } from './shared/clock';
import { toNodeError } from './shared/i18n';
import { handleInput, type InputMessage, type Send } from './shared/input';
import { then, type MaybePromise } from './shared/maybe-promise';
import { statusFor } from './shared/status';
import { messageId } from './shared/message-id';

const NS = 'twin-infer';

interface Loaded {
  ort: typeof Ort;
  session: Ort.InferenceSession;
  input: string;
  outputs: string[];
  plan: InputPlan;
}

/** Opens the model and checks its declared input against the node's features and window (a clear deploy error). */
async function load(RED: NodeAPI, config: TwinInferConfig): Promise<Loaded> {
  // Loaded here, not at module load: a platform without the shipped binaries then fails this node, not the palette.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ort = require('onnxruntime-node') as typeof Ort;
  const path = resolveModelFile(RED, config.modelFile);
  let session: Ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(path);
  } catch (err) {
    throw new TwinFlowError(
      'modelUnreadable',
      `cannot load the ONNX model ${path}: ${(err as Error).message}`,
      { path },
    );
  }
  const input = config.inputName || session.inputNames[0];
  const meta = session.inputMetadata.find((m) => m.name === input);
  if (!meta || !meta.isTensor) {
    throw new TwinFlowError('noInput', `the model has no tensor input ${input}`, { input });
  }
  if (config.outputName && !session.outputNames.includes(config.outputName)) {
    throw new TwinFlowError('noOutput', `the model has no output ${config.outputName}`, {
      output: config.outputName,
    });
  }
  const plan = planInput(input, meta.type, meta.shape, config.window, config.features.length);
  return { ort, session, input, outputs: [...session.outputNames], plan };
}

export = function register(RED: NodeAPI): void {
  function TwinInferNode(this: Node, raw: NodeDef & Partial<TwinInferSettings>): void {
    RED.nodes.createNode(this, raw);
    const node = this;
    const settings = migrateConfig<TwinInferSettings>(raw, TWIN_INFER_MIGRATIONS);
    const status = statusFor(RED, node, NS, clockFor(RED));
    const windows = new Map<string, number[][]>();
    let config: TwinInferConfig | undefined;
    let loaded: Loaded | undefined;
    let configError: Error | undefined;
    const fail = (err: unknown): void => {
      configError = toNodeError(RED, NS, err);
      node.error(configError);
      status.error(configError);
    };
    const parsed = parseTwinInfer(settings);
    if ('errors' in parsed)
      fail(new TwinFlowError('badConfig', parsed.errors.join('; '), { errors: parsed.errors.join('; ') }));
    else config = parsed.config;
    const ready: Promise<void> = config
      ? load(RED, config).then((l) => {
          loaded = l;
          status.show('grey', 'dot', 'ready', { input: l.input });
        }, fail)
      : Promise.resolve();

    /** Runs the full windows of one message's batch and sends the message with msg.inference. */
    const infer = (
      msg: InputMessage,
      send: Send,
      current: TwinInferConfig,
      model: Loaded,
    ): MaybePromise<void> => {
      const batch = Array.isArray(msg.payload);
      const { results, ready } = prepareBatch(
        batch ? (msg.payload as unknown[]) : [msg],
        windows,
        current,
        current.maxKeys,
      );
      const finish = (): void => {
        Object.assign(msg, { inference: batch ? { results } : results[0] });
        const property = current.twinProperty;
        const toTwin = results
          .filter((r) => property && r.value !== undefined)
          .map((r) => ({ _msgid: messageId(), topic: r.twin, payload: { [property]: r.value } }));
        send([
          msg as NodeMessageInFlow,
          toTwin.length > 0 ? (toTwin as unknown as NodeMessageInFlow[]) : null,
        ]);
        const first = results.find((r) => r.value !== undefined);
        if (first?.value !== undefined) {
          status.show('green', 'dot', 'value', {
            twin: first.twin,
            value: Number(first.value.toPrecision(4)),
          });
        } else status.show('yellow', 'ring', results.some((r) => r.ignored) ? 'ignored' : 'warmingUp');
      };
      if (ready.length === 0) return finish();
      const { features, window } = current;
      const size = window * features.length;
      const runs = chunkBatch(ready, size, model.plan.batch).map(({ indices, values, n }) => {
        const typed = model.plan.type === 'float32' ? Float32Array.from(values) : Float64Array.from(values);
        const dims = model.plan.layout === 'flat' ? [n, size] : [n, window, features.length];
        const feeds = { [model.input]: new model.ort.Tensor(model.plan.type, typed, dims) };
        return model.session.run(feeds).then((out) => {
          indices.forEach((index, k) => {
            const outputs = outputRow(out as unknown as Parameters<typeof outputRow>[0], n, k);
            results[index] = {
              twin: results[index].twin,
              outputs,
              value: outputs[current.outputName || model.outputs[0]]?.[0],
            };
          });
        });
      });
      return Promise.all(runs).then(finish);
    };

    const handle = (msg: InputMessage, send: Send): MaybePromise<void> =>
      then(loaded ? undefined : ready, () => {
        if (configError || !config || !loaded) throw configError ?? new Error('not configured');
        if (msg.reset === true) {
          windows.clear();
          return status.show('yellow', 'ring', 'reset');
        }
        return infer(msg, send, config, loaded);
      });

    node.on(
      'input',
      handleInput(RED, node, NS, handle, (error) => status.error(error)) as (msg: NodeMessageInFlow) => void,
    );
    node.on('close', (_removed: boolean, done: () => void) => {
      status.close();
      const session = loaded?.session;
      loaded = undefined;
      if (!session) return done();
      session.release().then(
        () => done(),
        () => done(),
      );
    });
  }
  RED.nodes.registerType('twin-infer', TwinInferNode);
};
