/** Small DOM helpers: elements are built with properties and text, never with HTML strings. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props?: Partial<Record<string, string>>,
  ...children: Array<Node | string | null | undefined>
): HTMLElementTagNameMap[K];
export function el(tag: string, props?: Partial<Record<string, string>>, ...children: Array<Node | string | null | undefined>): HTMLElement;
export function el(tag: string, props: Partial<Record<string, string>> = {}, ...children: Array<Node | string | null | undefined>): HTMLElement {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} is missing`);
  return node as T;
}

/**
 * A titled card holding one chart's canvas, with an optional toolbar, and a note (hidden until
 * given text by `showEmpty`) that says why the chart is empty and when it fills.
 */
export function chartCard(id: string, title: string, ...tools: Node[]): { card: HTMLElement; canvas: HTMLCanvasElement; note: HTMLElement } {
  const canvas = el('canvas', { id: `chart-${id}`, 'aria-label': title, role: 'img' });
  const note = el('p', { class: 'muted empty-note', id: `${id}-empty` });
  note.hidden = true;
  const card = el('section', { class: 'card', id }, el('header', {}, el('h2', { text: title }), el('div', { class: 'tools' }, ...tools)), note, el('div', { class: 'chart' }, canvas));
  return { card, canvas, note };
}

/** Shows `text` as the card's empty note, or hides the note when `text` is null (the chart has data). */
export function showEmpty(card: { card: HTMLElement; note: HTMLElement }, text: string | null): void {
  card.note.hidden = text === null;
  card.note.textContent = text ?? '';
  card.card.classList.toggle('is-empty', text !== null);
}

/** Replaces a node's children. */
export function fill(node: Element, ...children: Array<Node | string>): void {
  node.replaceChildren(...children);
}
