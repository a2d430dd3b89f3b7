// The one element factory the in-page viewer uses: text goes in through textContent only.

/**
 * Creates an element with a class name and optional text and children.
 * why: the viewer never assigns innerHTML; every piece of report data reaches the DOM as a text
 * node through this function (or textContent directly), so markup in the data stays inert.
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string | null,
  text?: string | null,
  children?: Array<Node | null | undefined>,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  if (children) for (const child of children) if (child) node.appendChild(child);
  return node;
}
