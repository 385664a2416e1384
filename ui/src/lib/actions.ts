// Svelte actions. Styles go through the CSSOM because the CSP's
// `style-src 'self'` refuses inline style attributes.

/** Sets CSS properties (`width`, `--x`...) on an element and keeps them updated. */
export function css(node: HTMLElement, props: Record<string, string>) {
  const apply = (p: Record<string, string>) => {
    for (const [key, value] of Object.entries(p)) node.style.setProperty(key, value);
  };
  apply(props);
  return { update: apply };
}
