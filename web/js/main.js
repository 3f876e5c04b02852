/**
 * Layerlab's page: this file only wires the modules together. It creates each panel, connects
 * it to the store, the history and the live session, and routes server messages to views.
 * Logic lives in the modules it imports.
 */
import {fetchCatalog, fetchPreview} from './api.js';
import {normalizeCatalog, initialFields, layerType} from './builder/catalog.js';
import {addLayer, createHistory, freshId, moveLayer, removeLayer, replaceLayers, setField} from './builder/commands.js';
import {createPalette} from './builder/palette.js';
import {createStack} from './builder/stack.js';
import {createBus} from './bus.js';
import {createDataPanel} from './controls/data.js';
import {createPlayer} from './controls/player.js';
import {createTrainingPanel} from './controls/training.js';
import {wireFiles} from './files.js';
import {pickDataset} from './spec.js';
import {createLive} from './live.js';
import {createNotices} from './notice.js';
import {boundaryPoints} from './views/points.js';
import {createPresetMenu, stateFromPreset, wireLessonSession} from './presets.js';
import {control, probe} from './protocol.js';
import {wireShortcuts} from './shortcuts.js';
import {createStore, fromHash, toHash} from './state.js';
import {createSync} from './sync.js';
import {createViewsPanel} from './views/panel.js';

/** @param {string} id @returns {any} */
const byId = (id) => document.getElementById(id);

async function start() {
  const bus = createBus();
  const store = createStore(fromHash(location.hash));
  const catalog = normalizeCatalog(await fetchCatalog());
  const live = createLive(bus);
  const notices = createNotices({
    noticeBar: byId('notice'),
    showOnLayer: (id, field, message) => stack.showError(id, field, message),
    showOnData: (field, message) => dataPanel.setError(field, message),
    showOnTraining: (field, message) => training.setError(field, message),
    layers: () => store.get().layers,
  });

  const edits = createHistory(store.get().layers, (layers) => store.update({layers}));
  const run = edits.run;
  const addAt = (/** @type {string} */ type, /** @type {number} */ index) => {
    const info = layerType(catalog, type);
    if (info) run(addLayer(index, {id: freshId(store.get().layers, type), type, ...initialFields(info), ...stack.placement()}));
  };
  createPalette(byId('palette'), catalog, (type) => addAt(type, store.get().layers.length));
  const stack = createStack(byId('stack'), catalog, {
    onDropType: addAt,
    onReorder: (from, to) => run(moveLayer(from, to)),
    onEdit: (id, field, value) => run(setField(id, field, store.get().layers.find((l) => l.id === id)?.[field], value)),
    onRemove: (id) => run(removeLayer(store.get().layers, id)),
    onMove: (id, delta) => {
      const from = store.get().layers.findIndex((l) => l.id === id);
      const to = from + delta;
      if (to >= 0 && to < store.get().layers.length) run(moveLayer(from, to));
    },
  });

  const dataPanel = createDataPanel(byId('data-panel'), catalog.datasets, {
    onPick: (name) => applyPatch(pickDataset(store.get(), catalog, name), `data ${name}`),
    onOption: (option, value) => store.update({data: {...store.get().data, [option]: value}}),
    fetchPreview: (name) => fetchPreview(name),
  });
  const training = createTrainingPanel(byId('training-panel'), catalog, (patch) => store.update(patch));
  const player = createPlayer(byId('player'), (action) => live.send(control(action)));
  const applyPatch = (/** @type {Partial<import('./state.js').AppState>} */ patch, /** @type {string} */ label) => {
    if (patch.layers) run(replaceLayers(store.get().layers, patch.layers, label));
    store.update(patch);
  };
  const lesson = wireLessonSession({
    bus, live, applyPatch, datasetLabel: (name) => catalog.datasets.find((d) => d.name === name)?.label ?? name,
  });
  const views = createViewsPanel(byId('views'), {
    onProbe: (input) => live.send(probe(input)), onRun: lesson.onRun, lesson, bus,
  });
  const sync = createSync({store, catalog, live, bus, configureViews: views.configure});
  /** The data points under the decision boundary, for the state shown (or one about to be). */
  const refreshPoints = (state = store.get()) => boundaryPoints(state, catalog).then(views.setPoints);
  const presets = createPresetMenu(byId('presets'), catalog.presets, (preset) => {
    applyPatch(stateFromPreset(preset), `preset ${preset.name}`);
    views.showLesson(preset);
  });
  wireFiles({share: byId('share'), save: byId('save'), load: byId('load')}, {
    getState: store.get, getCatalog: () => catalog, onLoad: (patch) => applyPatch(patch, 'load file'), notify: notices.show,
    live, bus,
    showLoaded: (patch) => { store.update(patch, 'server'); refreshPoints(); },  // restored by the server: never rebuilt
  });

  /** Everything the page shows of the state, redrawn on each change. */
  const render = () => {
    const state = store.get();
    stack.render(state.layers, state.specExtras);
    dataPanel.show(state.dataset, state.data);
    training.show(state);
    presets.show(state.preset);
    const labels = edits.labels();
    byId('undo').disabled = !labels.undo;
    byId('undo').title = labels.undo ? `undo ${labels.undo} (Ctrl+Z)` : 'nothing to undo';
    byId('redo').disabled = !labels.redo;
    byId('redo').title = labels.redo ? `redo ${labels.redo} (Ctrl+Shift+Z)` : 'nothing to redo';
  };
  store.subscribe((state, changed, source) => {
    if (source !== 'url') history.replaceState(null, '', toHash(state) || location.pathname);
    if (changed.has('layers')) edits.sync(state.layers);
    render();
  });
  window.addEventListener('hashchange', () => store.update(fromHash(location.hash), 'url'));
  bus.on('dataset-chosen', refreshPoints);

  bus.on('validated', ({report, inputShape}) => {
    stack.showResults(report.layers, {
      inputShape, totalParams: report.totalParams, error: report.general.map((e) => e.message).join(' ') || null,
    });
    if (!report.ok) player.setReady(false);  // the server still holds the last valid network: don't train that
  });
  bus.on('needs-setup', () => sync.sendSetup());
  bus.on('resumed', () => { sync.afterResume(); notices.show('info', 'Welcome back: your training session carried on.', 5); });
  bus.on('link', (state) => player.showLink(state));
  bus.on('status', (status) => player.showStatus(status));
  bus.on('built', (message) => {
    player.setReady(true);
    player.clearNumbers();
    views.onReset();  // a new network starts a new run: its curves start empty
    views.setTotalParams(message.total_params ?? null);
  });
  bus.on('dataset-chosen', () => {
    player.setReady(false);
    views.clearComparison();
  });
  bus.on('network-pending', () => player.setReady(false));
  byId('undo').addEventListener('click', edits.undo);
  byId('redo').addEventListener('click', edits.redo);
  bus.on('frame', (frame) => {
    player.showProgress(frame.step, frame.epoch, frame.metrics?.loss ?? null, frame.metrics?.val_loss);
    views.onFrame(frame);
  });
  bus.on('history', (message) => views.onHistory(message));
  bus.on('reset', () => {
    player.clearNumbers();
    views.onReset();
  });
  bus.on('probe_result', (result) => views.onProbeResult(result));
  bus.on('error', (error) => notices.fromServer(error, sync.isSwitching()));
  bus.on('notice', ({kind, text}) => notices.show(kind, text, 10));

  wireShortcuts({
    togglePlay: () => live.send(control(byId('player').querySelector('[data-testid=pause]')?.hidden ? 'play' : 'pause')),
    step: () => live.send(control('step')),
    undo: edits.undo,
    redo: edits.redo,
  });
  render();
  refreshPoints();
}

start().catch((failure) => {
  const bar = byId('notice');
  bar.textContent = `Layerlab could not start: ${failure.message}`;
  bar.className = 'notice error';
  bar.hidden = false;
});
