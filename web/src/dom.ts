/** A tiny element builder: the page is a few forms and lists, no framework needed. */
export type Child = Node | string | number | false | null | undefined | readonly Child[];
type Props = Record<string, unknown>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2).toLowerCase(), value as EventListener);
    } else if (name === 'class') {
      element.className = String(value);
    } else if (value === true) {
      element.setAttribute(name, '');
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

export type Tone = 'info' | 'success' | 'error' | 'warning';

/** A message region. Errors are alerts (read out at once); the rest are polite status updates. */
export function notice(tone: Tone, ...children: Child[]): HTMLElement {
  return h('div', { class: `notice notice-${tone}`, role: tone === 'error' ? 'alert' : 'status' }, ...children);
}

/** A region that keeps one message at a time: `show` replaces it, `clear` empties it. */
export function messageArea(): { element: HTMLElement; show(tone: Tone, ...children: Child[]): void; clear(): void } {
  const element = h('div', { class: 'messages' });
  return {
    element,
    show: (tone, ...children) => replace(element, notice(tone, ...children)),
    clear: () => element.replaceChildren(),
  };
}

export const link = (href: string, text: Child, props: Props = {}) => h('a', { href, ...props }, text);
export const button = (text: Child, onClick: (event: MouseEvent) => void, props: Props = {}) =>
  h('button', { type: 'button', onClick, ...props }, text);
