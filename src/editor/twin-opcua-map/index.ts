import { mappingFromCsv, mappingToCsv } from '../../core/opcua/csv';
import { defineMapping } from '../../core/opcua/mapping';
import { DEFAULTS, VERSION } from '../../core/nodes/twin-opcua-map';
import { messageValidator, RED, validation } from '../shared/red';

interface BrowseEntry {
  nodeId: string;
  browseName: string;
  displayName: string;
  nodeClass: string;
}

const EXAMPLE = {
  namespace: 'urn:twinflow:plant',
  properties: [
    {
      property: 'speed',
      browsePath: 'Speed',
      samplingInterval: 1000,
      deadbandType: 'absolute',
      deadbandValue: 1,
      unit: 'rpm',
      writable: true,
    },
  ],
  instances: [{ twin: 'Pump01', root: 'Pump01' }],
};

function download(name: string, text: string, type: string): void {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], { type }));
  link.download = name;
  link.click();
  URL.revokeObjectURL(link.href);
}

RED.nodes.registerType('twin-opcua-map', {
  category: 'digital twin',
  color: '#87A980',
  defaults: {
    name: { value: DEFAULTS.name },
    endpoint: { value: DEFAULTS.endpoint, type: 'twin-opcua-endpoint', required: true },
    mapping: {
      // The spec's default (no mapping); a new node's dialog starts from an example instead (oneditprepare).
      value: DEFAULTS.mapping,
      validate: messageValidator((v) => validation(() => defineMapping(JSON.parse(v || '{}')))),
    },
    queueSize: { value: DEFAULTS.queueSize, validate: RED.validators.number(false) },
    publishingInterval: { value: DEFAULTS.publishingInterval, validate: RED.validators.number(false) },
    version: { value: VERSION },
  },
  inputs: 1,
  outputs: 2,
  icon: 'font-awesome/fa-exchange',
  label: function (this: { name?: string }) {
    return this.name || 'OPC UA map';
  },
  labelStyle: function (this: { name?: string }) {
    return this.name ? 'node_label_italic' : '';
  },
  inputLabels: 'delta (write-back) or contrib-opcua message',
  outputLabels: ['twin values', 'write acknowledgements'],
  paletteLabel: 'twin opcua map',
  oneditprepare: function (this: { id: string }) {
    const text = $('#node-input-mapping');
    if (String(text.val()).trim() === '') text.val(JSON.stringify(EXAMPLE, null, 2));
    const problem = $('#twin-opcua-map-problem');
    const check = (): void => {
      const result = validation(() => defineMapping(JSON.parse(String(text.val()) || '{}')));
      problem.text(result === true ? '' : result);
    };
    text.on('input', check);
    check();
    $('#twin-opcua-map-export-json').on('click', () =>
      download('mapping.json', String(text.val()), 'application/json'),
    );
    $('#twin-opcua-map-export-csv').on('click', () => {
      const result = validation(() =>
        download('mapping.csv', mappingToCsv(defineMapping(JSON.parse(String(text.val())))), 'text/csv'),
      );
      if (result !== true) problem.text(result);
    });
    const file = $('#twin-opcua-map-file');
    $('#twin-opcua-map-import').on('click', () => file.trigger('click'));
    file.on('change', () => {
      const chosen = (file[0] as HTMLInputElement).files?.[0];
      if (!chosen) return;
      chosen.text().then(
        (content) => {
          const result = validation(() => {
            const mapping = chosen.name.endsWith('.csv')
              ? mappingFromCsv(content)
              : defineMapping(JSON.parse(content));
            text.val(JSON.stringify(mapping, null, 2));
          });
          problem.text(result === true ? '' : result);
        },
        (err: unknown) => problem.text(err instanceof Error ? err.message : String(err)),
      );
    });
    // Browse the live server through the deployed endpoint and add a variable as a property.
    const list = $('#twin-opcua-map-browse');
    const browse = (nodeId: string): void => {
      const endpoint = String($('#node-input-endpoint').val());
      list.empty().text('…');
      $.getJSON('twinflow/opcua/browse', { endpoint, nodeId })
        .done((entries: BrowseEntry[]) => {
          list.empty();
          for (const e of entries) {
            const row = $('<div></div>').css({ cursor: 'pointer', padding: '1px 4px' }).appendTo(list);
            row.text(`${e.nodeClass === 'Variable' ? '◆' : '▸'} ${e.displayName}  (${e.nodeId})`);
            row.on('click', () => {
              if (e.nodeClass !== 'Variable') return browse(e.nodeId);
              const mapping = JSON.parse(String(text.val()) || '{}') as { properties?: object[] };
              mapping.properties = [
                ...(mapping.properties ?? []),
                {
                  property: e.browseName.replace(/^\d+:/, '').replace(/[^A-Za-z0-9_]/g, '_'),
                  nodeId: e.nodeId,
                  samplingInterval: 1000,
                },
              ];
              text.val(JSON.stringify(mapping, null, 2));
              check();
            });
          }
        })
        .fail((xhr: { responseJSON?: { error?: string } }) =>
          list.empty().text(xhr.responseJSON?.error ?? 'browse failed'),
        );
    };
    $('#twin-opcua-map-browse-button').on('click', () => browse('ObjectsFolder'));
  },
});
