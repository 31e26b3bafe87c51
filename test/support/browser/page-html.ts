import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Asset, StaticServer } from './static-server.js';

export type Theme = 'light' | 'dark';
export const themes: readonly Theme[] = ['light', 'dark'];

/**
 * The width of GitHub's Markdown column: a wiki page's content column (the page minus the
 * sidebar) and a repository file view are both about 900 px wide on a laptop screen (issue 14
 * measured its diagrams against 900 px). The body gets github-markdown-css's recommended 45 px
 * padding around that, and the viewport fits it exactly, so nothing is scaled by the window.
 */
export const contentWidth = 900;
const padding = 45;
export const viewportWidth = contentWidth + 2 * padding;

const modules = join(import.meta.dirname, '..', '..', '..', 'node_modules');
const asset = (type: string, ...path: string[]): Asset => ({ type, body: readFileSync(join(modules, ...path)) });

/** Serves GitHub's Markdown CSS (both themes) and Mermaid 11 under /assets/. */
export function serveAssets(server: StaticServer): void {
  for (const theme of themes)
    server.put(
      `/assets/github-markdown-${theme}.css`,
      asset('text/css', 'github-markdown-css', `github-markdown-${theme}.css`),
    );
  server.put('/assets/mermaid.min.js', asset('text/javascript', 'mermaid', 'dist', 'mermaid.min.js'));
}

/**
 * What the page runs once loaded: GitHub's `user-content-` prefix on raw HTML ids (its sanitiser
 * adds it), then Mermaid with the theme GitHub picks for the colour mode (`default` in light,
 * `dark` in dark). `window.__rendered` resolves to the errors `mermaid.run()` threw.
 */
const script = (theme: Theme) => `
window.__rendered = (async () => {
  for (const el of document.querySelectorAll('.markdown-body [id], .markdown-body [name]')) {
    for (const attr of ['id', 'name']) {
      const v = el.getAttribute(attr);
      if (v && !v.startsWith('user-content-')) el.setAttribute(attr, 'user-content-' + v);
    }
  }
  const errors = [];
  try {
    mermaid.initialize({ startOnLoad: false, theme: ${JSON.stringify(theme === 'dark' ? 'dark' : 'default')} });
    await mermaid.run({ querySelector: '.markdown-body .mermaid' });
  } catch (e) {
    errors.push(String((e && e.message) || e));
  }
  return errors;
})();`;

/** A whole HTML page: the rendered Markdown in `.markdown-body`, styled and scripted as above. */
export function pageHtml(title: string, body: string, theme: Theme): string {
  const background = theme === 'dark' ? '#0d1117' : '#ffffff';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<link rel="stylesheet" href="/assets/github-markdown-${theme}.css">
<style>
  html, body { margin: 0; background: ${background}; }
  .markdown-body { box-sizing: content-box; width: ${contentWidth}px; margin: 0 auto; padding: ${padding}px; }
  .markdown-body .mermaid { margin: 0 0 16px; }
</style>
<script src="/assets/mermaid.min.js"></script>
</head><body><article class="markdown-body">
${body}
</article><script>${script(theme)}</script></body></html>`;
}
