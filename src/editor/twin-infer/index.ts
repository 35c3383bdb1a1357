import { parseNormalisation } from '../../core/infer/features';
import { TWIN_INFER_DEFAULTS, TWIN_INFER_VERSION } from '../../core/nodes/twin-infer';
import { messageValidator, RED, validation } from '../shared/red';

const d = TWIN_INFER_DEFAULTS;

RED.nodes.registerType('twin-infer', {
  category: 'digital twin',
  color: '#E9967A',
  defaults: {
    name: { value: d.name },
    modelFile: { value: d.modelFile, required: true },
    features: { value: d.features, required: true },
    source: { value: d.source },
    window: {
      value: d.window,
      validate: messageValidator((v) =>
        validation(() => {
          const n = Number(v);
          if (!Number.isInteger(n) || n < 1 || n > 1000) throw new Error('must be an integer from 1 to 1000');
        }),
      ),
    },
    normalise: { value: d.normalise },
    normParams: {
      value: d.normParams,
      validate: function (this: { normalise?: string; features?: string }, v: string, _opt?: unknown) {
        const kind = ($('#node-input-normalise').val() as string | undefined) ?? this.normalise ?? 'none';
        const features = String($('#node-input-features').val() ?? this.features ?? '')
          .split(',')
          .filter((s) => s.trim() !== '').length;
        const result = parseNormalisation(kind as 'none', v, features);
        return (typeof result === 'string' ? result : true) as unknown as boolean;
      },
    },
    inputName: { value: d.inputName },
    outputName: { value: d.outputName },
    twinProperty: { value: d.twinProperty },
    maxKeys: { value: d.maxKeys },
    version: { value: TWIN_INFER_VERSION },
  },
  inputs: 1,
  outputs: 2,
  icon: 'font-awesome/fa-microchip',
  label: function (this: { name?: string; modelFile?: string }) {
    return this.name || (this.modelFile ? `infer ${this.modelFile.split('/').pop()}` : 'twin infer');
  },
  labelStyle: function (this: { name?: string }) {
    return this.name ? 'node_label_italic' : '';
  },
  inputLabels: 'twin or batch of twins',
  outputLabels: ['inference', 'twin property'],
  paletteLabel: 'twin infer',
});
