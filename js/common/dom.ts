/**
 * The one DOM helper of mlnb's front end. Every string becomes a text node or an attribute
 * value, never HTML: user-controlled text (paths, file contents, class and layer names) cannot
 * inject markup or script. `on<event>` attributes with a function value become listeners.
 */

export type Child = Node | string | number | null | undefined | false;
export type Attrs = Record<string, unknown>;

const SVG_NS = 'http://www.w3.org/2000/svg';

function apply(el: Element, attrs: Attrs, children: Child[]): void {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) {
      continue;
    }
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2).toLowerCase(), v as EventListener);
    } else if (k === 'className' || k === 'class') {
      el.setAttribute('class', String(v));
    } else if (k === 'style' && typeof v === 'object') {
      Object.assign((el as HTMLElement).style, v);
    } else if (k === 'dataset' && typeof v === 'object') {
      for (const [dk, dv] of Object.entries(v as Record<string, unknown>)) {
        (el as HTMLElement).dataset[dk] = String(dv);
      }
    } else if (k === 'href' || k === 'src') {
      const url = String(v);
      if (safeUrl(url)) {
        el.setAttribute(k, url);
      }
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    el.append(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** `h('button', {class: 'x', onclick: fn}, 'Go')` -> an HTMLElement. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs, ...children: Child[]): HTMLElementTagNameMap[K];
export function h(tag: string, attrs?: Attrs, ...children: Child[]): HTMLElement;
export function h(tag: string, attrs: Attrs = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  apply(el, attrs, children);
  return el;
}

/** The same for SVG elements. */
export function s(tag: string, attrs: Attrs = {}, ...children: Child[]): SVGElement {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, attrs, children);
  return el;
}

/**
 * Links mlnb renders: http(s), relative paths and data/blob images. Never `javascript:` (or any
 * other scheme), whatever its case or the whitespace around it.
 */
export function safeUrl(url: string): boolean {
  const u = url.trim();
  if (/^(https?:|data:image\/(png|jpeg|gif|webp);|blob:)/i.test(u)) {
    return true;
  }
  return !/^[a-z][a-z0-9+.-]*:/i.test(u.replace(/[\u0000-\u0020]/g, ''));
}
