/**
 * What Lumino's widgets module needs of the browser and jsdom lacks: it
 * reads `DragEvent` when it loads. Import this before @lumino/widgets.
 */
if (typeof globalThis.DragEvent === 'undefined') {
  class DragEvent extends MouseEvent {}
  (globalThis as { DragEvent?: unknown }).DragEvent = DragEvent;
}

export {};
