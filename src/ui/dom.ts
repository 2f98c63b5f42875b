// Tiny DOM builder for the page. Owns element creation: text goes in through textContent only,
// attributes through setAttribute with fixed names. Never parses HTML (no innerHTML anywhere): the
// strings shown on this page come from hostile files.

/** Children accepted by `el`: nodes, or strings that become text nodes; null/false are skipped. */
export type Child = Node | string | number | null | undefined | false;

/** Options of `el`. `attrs` values are set verbatim with setAttribute (never event handlers). */
export interface ElOptions {
  class?: string;
  id?: string;
  text?: string;
  attrs?: Record<string, string | number | boolean | undefined>;
}

/**
 * Creates `<tag>` with the given class, id, attributes and children. Strings become Text nodes,
 * so markup in data stays inert. Attribute names starting with "on" are refused (throws: a bug).
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  opts: ElOptions = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (opts.class) node.className = opts.class;
  if (opts.id) node.id = opts.id;
  if (opts.attrs) {
    for (const [name, value] of Object.entries(opts.attrs)) {
      if (/^on/i.test(name)) throw new Error(`el: event attribute ${name} refused`);
      if (value === undefined || value === false) continue;
      node.setAttribute(name, value === true ? '' : String(value));
    }
  }
  if (opts.text !== undefined) node.textContent = opts.text;
  append(node, ...children);
  return node;
}

/** Appends children (nodes or text) to `parent`; null, undefined and false are skipped. */
export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Removes every child of `node`, then appends `children`. */
export function replaceChildren(node: Element, ...children: Child[]): void {
  while (node.firstChild) node.removeChild(node.firstChild);
  append(node, ...children);
}
