import type { SidebarModel, SidebarTwin } from '../../core/twin/sidebar-view';

/**
 * The TwinFlow sidebar tab: the live twins of every deployed model, polled from the runtime every 2 s while the tab
 * is visible. All text from twins goes through jQuery's .text(): twin ids and values come from messages.
 */
interface EditorPluginApi {
  plugins: { registerPlugin(id: string, def: { onadd: () => void }): void };
  sidebar: {
    addTab(tab: {
      id: string;
      label: string;
      name: string;
      iconClass: string;
      content: JQuery;
      toolbar?: JQuery;
      enableOnEdit?: boolean;
    }): void;
  };
  _: (key: string) => string;
}
const RED = (globalThis as unknown as { RED: EditorPluginApi }).RED;
const NAMESPACE = '@twinflow/node-red-digital-twin/twinflow-sidebar:twinflow-sidebar.';
const POLL_MS = 2000;

function text(key: string, fallback: string): string {
  const translated = RED._(NAMESPACE + key);
  return translated && !translated.endsWith(key) ? translated : fallback;
}

function formatValue(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toPrecision(4);
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function renderTwin(twin: SidebarTwin): JQuery {
  const box = $('<div class="twinflow-twin"></div>').css({
    padding: '4px 8px',
    borderBottom: '1px solid var(--red-ui-secondary-border-color, #ddd)',
  });
  const head = $('<div></div>').css({ fontWeight: 'bold' }).appendTo(box);
  $('<span class="twinflow-twin-id"></span>').text(twin.id).appendTo(head);
  $('<span></span>')
    .css({ fontWeight: 'normal', opacity: 0.7, marginLeft: '6px' })
    .text(`v${twin.version}`)
    .appendTo(head);
  if (twin.stale)
    $('<span class="twinflow-badge"></span>')
      .css({ color: '#c00', marginLeft: '6px' })
      .text(text('stale', 'stale'))
      .appendTo(head);
  const table = $('<table></table>').css({ width: '100%', fontSize: '0.9em' }).appendTo(box);
  for (const [name, p] of Object.entries(twin.properties)) {
    const row = $('<tr class="twinflow-property"></tr>').appendTo(table);
    $('<td></td>').text(name).css({ width: '40%' }).appendTo(row);
    $('<td class="twinflow-value"></td>')
      .text(`${formatValue(p.value)}${p.unit ? ` ${p.unit}` : ''}`)
      .appendTo(row);
    const colour = p.stale
      ? '#999'
      : p.quality === 'good'
        ? '#3a3'
        : p.quality === 'uncertain'
          ? '#d90'
          : '#c00';
    $('<td></td>')
      .css({ color: colour, textAlign: 'right' })
      .text(`● ${p.stale ? text('stale', 'stale') : p.quality}`)
      .appendTo(row);
  }
  const delta = Object.keys(twin.delta);
  if (delta.length > 0) {
    $('<div></div>')
      .css({ opacity: 0.8 })
      .text(
        `${text('pending', 'pending')}: ${delta.map((k) => `${k} → ${formatValue(twin.delta[k])}`).join(', ')}`,
      )
      .appendTo(box);
  }
  return box;
}

function render(container: JQuery, models: SidebarModel[]): void {
  container.empty();
  if (models.length === 0) {
    $('<p></p>')
      .css({ padding: '8px' })
      .text(text('empty', 'No twin models are deployed.'))
      .appendTo(container);
    return;
  }
  for (const model of models) {
    const header = $('<div class="twinflow-model"></div>').css({
      padding: '6px 8px',
      background: 'var(--red-ui-secondary-background, #f3f3f3)',
      fontWeight: 'bold',
    });
    header.text(`${model.name} (${model.count})`).appendTo(container);
    if (model.error)
      $('<div></div>').css({ color: '#c00', padding: '4px 8px' }).text(model.error).appendTo(container);
    for (const twin of model.twins) renderTwin(twin).appendTo(container);
    if (model.count > model.twins.length) {
      $('<div></div>')
        .css({ padding: '4px 8px', opacity: 0.7 })
        .text(`… ${model.count - model.twins.length} more`)
        .appendTo(container);
    }
  }
}

RED.plugins.registerPlugin('twinflow-sidebar', {
  onadd: () => {
    const content = $('<div class="twinflow-sidebar"></div>').css({ height: '100%', overflowY: 'auto' });
    const list = $('<div class="twinflow-sidebar-list"></div>').appendTo(content);
    RED.sidebar.addTab({
      id: 'twinflow',
      label: 'twins',
      name: text('title', 'TwinFlow twins'),
      iconClass: 'fa fa-clone',
      content,
      enableOnEdit: true,
    });
    const refresh = (): void => {
      if (!content.is(':visible')) return;
      $.getJSON('twinflow/twins')
        .done((models: SidebarModel[]) => render(list, models))
        .fail(() =>
          list.empty().append($('<p></p>').text(text('unavailable', 'The runtime did not answer.'))),
        );
    };
    setInterval(refresh, POLL_MS);
    refresh();
  },
});
