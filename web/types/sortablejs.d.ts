// The part of SortableJS 1.15 that Layerlab uses (the package ships no type declarations).
declare module 'sortablejs' {
  export interface SortableEvent extends Event {
    item: HTMLElement;
    from: HTMLElement;
    to: HTMLElement;
    oldIndex?: number;
    newIndex?: number;
    pullMode?: 'clone' | boolean;
  }
  export interface GroupOptions {
    name: string;
    pull?: boolean | 'clone';
    put?: boolean;
  }
  export interface Options {
    group?: string | GroupOptions;
    sort?: boolean;
    animation?: number;
    handle?: string;
    draggable?: string;
    filter?: string;
    ghostClass?: string;
    chosenClass?: string;
    dragClass?: string;
    fallbackOnBody?: boolean;
    forceFallback?: boolean;
    onAdd?: (event: SortableEvent) => void;
    onEnd?: (event: SortableEvent) => void;
    onUpdate?: (event: SortableEvent) => void;
  }
  export default class Sortable {
    constructor(element: HTMLElement, options?: Options);
    static create(element: HTMLElement, options?: Options): Sortable;
    destroy(): void;
    option(name: string, value?: unknown): unknown;
  }
}
