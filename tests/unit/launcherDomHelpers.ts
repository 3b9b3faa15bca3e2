/**
 * Shared by the launcher and package-browser tests: the English translation
 * bundle JupyterLab uses when no language pack is installed (same %1
 * substitution and plural rule), and real React rendering into jsdom.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

function format(text: string, args: unknown[]): string {
  return text.replace(/%(\d+)/g, (match, index) => {
    const value = args[Number(index) - 1];
    return value === undefined ? match : String(value);
  });
}

function plural(
  singular: string,
  pluralText: string,
  n: number,
  args: unknown[]
): string {
  return format(n === 1 ? singular : pluralText, [n, ...args]);
}

/** The untranslated bundle: what every user sees with JupyterLab in English. */
export const englishBundle: TranslationBundle = {
  __: (msgid: string, ...args: unknown[]) => format(msgid, args),
  _n: (msgid: string, msgidPlural: string, n: number, ...args: unknown[]) =>
    plural(msgid, msgidPlural, n, args),
  _p: (_context: string, msgid: string, ...args: unknown[]) =>
    format(msgid, args),
  _np: (
    _context: string,
    msgid: string,
    msgidPlural: string,
    n: number,
    ...args: unknown[]
  ) => plural(msgid, msgidPlural, n, args),
  gettext: (msgid: string, ...args: unknown[]) => format(msgid, args),
  ngettext: (
    msgid: string,
    msgidPlural: string,
    n: number,
    ...args: unknown[]
  ) => plural(msgid, msgidPlural, n, args),
  pgettext: (_context: string, msgid: string, ...args: unknown[]) =>
    format(msgid, args),
  npgettext: (
    _context: string,
    msgid: string,
    msgidPlural: string,
    n: number,
    ...args: unknown[]
  ) => plural(msgid, msgidPlural, n, args),
  dcnpgettext: (
    _domain: string,
    _context: string,
    msgid: string,
    msgidPlural: string,
    n: number,
    ...args: unknown[]
  ) => (msgidPlural ? plural(msgid, msgidPlural, n, args) : format(msgid, args))
};

/** The two calls of react-dom/client used here (@types/react-dom is not installed). */
interface IReactRoot {
  render(element: React.ReactNode): void;
  unmount(): void;
}

const { createRoot } = require('react-dom/client') as {
  createRoot(container: Element): IReactRoot;
};

/** A mounted React tree in a fresh container attached to the document. */
export interface IMounted {
  container: HTMLDivElement;
  rerender(element: React.ReactElement): void;
  unmount(): void;
}

export function mount(element: React.ReactElement): IMounted {
  (
    globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }
  ).IS_REACT_ACT_ENVIRONMENT = true;
  const container = document.createElement('div');
  document.body.appendChild(container);
  const root = createRoot(container);
  React.act(() => root.render(element));
  return {
    container,
    rerender: next => React.act(() => root.render(next)),
    unmount: () => {
      React.act(() => root.unmount());
      container.remove();
    }
  };
}

/** Type into a React-controlled input as a user does: the value, then an input event. */
export function typeInto(
  input: HTMLInputElement | HTMLTextAreaElement,
  value: string
): void {
  const setter = Object.getOwnPropertyDescriptor(
    Object.getPrototypeOf(input) as object,
    'value'
  )?.set;
  React.act(() => {
    setter?.call(input, value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

/** Click an element inside act(), so React has re-rendered when this returns. */
export function click(element: Element | null): void {
  if (!element) {
    throw new Error('nothing to click');
  }
  React.act(() => {
    element.dispatchEvent(new MouseEvent('click', { bubbles: true }));
  });
}
