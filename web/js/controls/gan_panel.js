/**
 * The training panel's part for a GAN: discriminator steps per generator step, the latent
 * distribution and size, and for each network its optimizer, learning rate and the optimizer's own
 * options. Everything but the latent goes to the running trainer as `hyper` (sync.js); the latent
 * changes the generator's input, so the GAN is built anew. The widgets come from the training
 * panel's kit, so bounds are checked before anything is sent, exactly as for one network.
 *
 * @example
 *   const gan = createGanPanel(catalog, {checkedWidget, createOptimizerOptions}, () => store.get(), edit);
 *   gan.show(state, ['generator', 'discriminator']);
 */
import {createFieldWidget, el} from '../builder/fields.js';
import {humanize} from '../builder/catalog.js';
import {ganErrorTarget, ganSettingFields, latentSize, learningRateFieldOf, networkOptimizer, withLatentSize,
  withNetworkOptimizer} from './gan_options.js';

/** @typedef {import('../state.js').AppState} AppState */
/** @typedef {import('../builder/catalog.js').Catalog} Catalog */
/** @typedef {import('../builder/catalog.js').FieldInfo} FieldInfo */
/** @typedef {import('../builder/fields.js').FieldWidget} FieldWidget */

/**
 * @typedef {Object} OptionsWidget  the chosen optimizer's own fields (training.js)
 * @property {HTMLElement} element
 * @property {(optimizer: string, options: Record<string, any>) => void} show
 * @property {() => FieldWidget[]} widgets
 * @property {(name: string) => FieldWidget | undefined} widgetFor
 */

/**
 * @typedef {Object} WidgetKit  the training panel's widgets, shared so both panels behave alike
 * @property {(field: FieldInfo, onValid: (value: any) => void, label?: string) => FieldWidget} checkedWidget
 * @property {(catalog: Catalog, onOptions: (options: Record<string, any>) => void) => OptionsWidget} createOptimizerOptions
 * @property {(label: string, onRate: (lr: number) => void) => {element: HTMLElement, show: (lr: number) => void}} createRateSlider
 */

/**
 * One network's optimizer: type, learning rate (bounds of that type) and the type's own options.
 * @param {string} network
 * @param {Catalog} catalog
 * @param {WidgetKit} kit
 * @param {(optimizer: Record<string, any>) => void} onOptimizer
 */
function createNetworkOptimizer(network, catalog, kit, onOptimizer) {
  const element = el('div', {class: 'control-grid gan-network', 'data-testid': `gan-network-${network}`});
  /** @type {Record<string, any>} */
  let current = {};
  let shownType = '';
  const typeWidget = createFieldWidget({name: 'optimizer', kind: 'choice', choices: catalog.optimizers.map((o) => o.type),
    help: `how the ${network} turns its gradients into steps`}, undefined, (type) => {
    // Another optimizer does not take this one's own fields (momentum is SGD's, betas Adam's).
    if (type && type !== current.type) onOptimizer({type, lr: current.lr});
  }, {idPrefix: `train-${network}`, label: 'optimizer'});
  const lrBox = el('div', {class: 'advanced-fields'});
  /** @type {FieldWidget | null} */
  let lrWidget = null;
  const slider = kit.createRateSlider(`${network} learning rate (log scale)`, (lr) => onOptimizer({...current, lr}));
  const options = kit.createOptimizerOptions(catalog, (chosen) => onOptimizer({...chosen, type: current.type, lr: current.lr}));
  element.append(el('div', {class: 'gan-network-heading'}, humanize(network)), typeWidget.element, lrBox, options.element);

  /** @param {string} type */
  function showLearningRateOf(type) {
    shownType = type;
    lrWidget = kit.checkedWidget(learningRateFieldOf(catalog, type), (lr) => {
      if (lr !== undefined) onOptimizer({...current, lr});
    }, 'learning rate');
    lrWidget.element.classList.add('wide');
    lrWidget.element.append(slider.element);
    lrBox.replaceChildren(lrWidget.element);
  }

  return {
    element,
    /** @param {Record<string, any>} optimizer  as networkOptimizer reads it: type and lr set */
    show(optimizer) {
      current = optimizer;
      if (optimizer.type !== shownType) showLearningRateOf(optimizer.type);
      typeWidget.set(optimizer.type);
      lrWidget?.set(optimizer.lr);
      slider.show(optimizer.lr);
      const {type: _type, lr: _lr, ...own} = optimizer;
      options.show(optimizer.type, own);
    },
    /** @returns {FieldWidget[]} */
    widgets: () => [typeWidget, ...(lrWidget ? [lrWidget] : []), ...options.widgets()],
    /** @param {string} field  'type', 'lr' or one of the optimizer's own fields */
    widgetFor(field) {
      if (field === 'lr' && lrWidget) return lrWidget;
      return options.widgetFor(field) ?? typeWidget;
    },
  };
}

/**
 * @param {Catalog} catalog
 * @param {WidgetKit} kit
 * @param {() => AppState} latest
 * @param {(patch: Partial<AppState>) => void} edit
 */
export function createGanPanel(catalog, kit, latest, edit) {
  const element = el('div', {class: 'gan-settings', 'data-testid': 'gan-settings'});
  element.hidden = true;
  const game = el('div', {class: 'control-grid'});
  element.append(game);
  const fields = ganSettingFields(catalog, 'gan');
  /** @param {Record<string, any>} extras */
  const setExtras = (extras) => edit({specExtras: extras});
  /** @type {Map<string, FieldWidget>} */
  const settings = new Map();
  if (fields.dSteps) {
    const declared = fields.dSteps;
    settings.set('d_steps', kit.checkedWidget(declared, (steps) => setExtras({...latest().specExtras, d_steps: steps ?? declared.default}),
      'discriminator steps per generator step'));
  }
  if (fields.latent) {
    settings.set('latent', createFieldWidget(fields.latent, undefined, (latent) => {
      if (latent) setExtras({...latest().specExtras, latent});
    }, {idPrefix: 'train', label: 'latent distribution'}));
  }
  settings.set('latent_size', kit.checkedWidget(fields.latentSize, (size) => {
    if (size !== undefined) setExtras(withLatentSize(latest().specExtras, size));
  }, 'latent size (rebuilds)'));
  game.append(...[...settings.values()].map((w) => w.element));

  /** @type {Map<string, ReturnType<typeof createNetworkOptimizer>>} */
  const networks = new Map();
  /** @param {string} network */
  function networkGroup(network) {
    let group = networks.get(network);
    if (!group) {
      group = createNetworkOptimizer(network, catalog, kit,
        (optimizer) => setExtras(withNetworkOptimizer(latest().specExtras, network, optimizer)));
      networks.set(network, group);
      element.append(group.element);
    }
    return group;
  }

  return {
    element,
    /**
     * @param {AppState} state
     * @param {string[]} names  the mode's networks; none hides this part
     */
    show(state, names) {
      element.hidden = names.length === 0;
      if (element.hidden) return;
      const extras = state.specExtras;
      settings.get('d_steps')?.set(extras.d_steps ?? fields.dSteps?.default);
      settings.get('latent')?.set(extras.latent ?? fields.latent?.default);
      settings.get('latent_size')?.set(latentSize(extras));
      for (const name of names) networkGroup(name).show(networkOptimizer(extras, name, catalog));
      for (const [name, group] of networks) group.element.hidden = !names.includes(name);
    },
    /** @returns {FieldWidget[]} */
    widgets: () => [...settings.values(), ...[...networks.values()].flatMap((g) => g.widgets())],
    /**
     * @param {string} path  an error's field without "changes."
     * @returns {FieldWidget | undefined}
     */
    widgetForPath(path) {
      const target = ganErrorTarget(path, [...networks.keys()]);
      if (!target) return undefined;
      if ('setting' in target) return settings.get(target.setting);
      return networks.get(target.network)?.widgetFor(target.field);
    },
  };
}
