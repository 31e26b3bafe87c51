/* global document, window, getComputedStyle */
// Runs INSIDE the page (page.evaluate of this file's text): plain browser JavaScript, never
// transpiled, so nothing a bundler adds can leak into the page. Returns what the checks need:
// each diagram's size and font, each diagram text's colour and what is painted under it, and
// every link. Colours are computed values ("rgb(…)"); the Node side does the arithmetic.
(() => {
  const shapes = new Set(['rect', 'circle', 'ellipse', 'polygon', 'path']);
  const visible = (el) => {
    const s = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    return s.display !== 'none' && s.visibility !== 'hidden' && Number(s.opacity) > 0 && r.width > 0 && r.height > 0;
  };
  // The colour an element paints over whatever is below it at a point, or null if it paints nothing there.
  const paint = (el, self) => {
    const s = getComputedStyle(el);
    const tag = el.tagName.toLowerCase();
    if (el.namespaceURI === 'http://www.w3.org/1999/xhtml')
      return { color: s.backgroundColor, opacity: 1, what: tag + (el.className ? '.' + el.className : '') };
    if (self || !shapes.has(tag) || s.fill === 'none') return null;
    const cls = el.getAttribute('class');
    return { color: s.fill, opacity: Number(s.fillOpacity) * Number(s.opacity), what: tag + (cls ? '.' + cls : '') };
  };
  // What is painted under the text's centre, top layer first, down to the first opaque one.
  const layersUnder = (el) => {
    el.scrollIntoView({ block: 'center', inline: 'center' });
    const r = el.getBoundingClientRect();
    const stack = document.elementsFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    const layers = [];
    for (const under of stack) {
      if (el.contains(under) && under !== el) continue;
      const layer = paint(under, under === el && el.namespaceURI !== 'http://www.w3.org/1999/xhtml');
      if (!layer || /rgba\([^)]*,\s*0\)$/.test(layer.color) || layer.color === 'transparent') continue;
      layers.push(layer);
      if (layer.opacity >= 1 && !/rgba/.test(layer.color)) break;
    }
    return layers;
  };
  const ownText = (el) =>
    [...el.childNodes]
      .filter((n) => n.nodeType === 3)
      .map((n) => n.textContent)
      .join('')
      .trim();
  const textsOf = (svg) => {
    const out = [];
    for (const el of svg.querySelectorAll('text, foreignObject *')) {
      const svgText = el.tagName.toLowerCase() === 'text';
      const text = svgText ? el.textContent.trim() : ownText(el);
      if (!text || !visible(el)) continue;
      const s = getComputedStyle(el);
      const color = svgText ? s.fill : s.color;
      const opacity = svgText ? Number(s.fillOpacity) * Number(s.opacity) : Number(s.opacity);
      // Named by the diagram element it belongs to: node (with its id), edge label, subgraph, else its class.
      const group = el.closest('g.node, g.edgeLabel, g.cluster') || el.closest('g.label');
      const kind = group ? (group.getAttribute('class') || '').split(' ')[0] : el.getAttribute('class') || 'text';
      // Mermaid prefixes ids with the render's own `mermaid-<timestamp>-`: dropped, to stay stable between runs.
      const where = group && group.id ? kind + ' #' + group.id.replace(/^mermaid-\d+-/, '') : kind;
      out.push({ text, color, opacity, where, fontSize: parseFloat(s.fontSize), layers: layersUnder(el) });
    }
    return out;
  };
  const hitTest = document.createElement('style');
  // Shapes answer elementsFromPoint where they are painted, whatever Mermaid's CSS says.
  hitTest.textContent =
    '.markdown-body .mermaid, .markdown-body .mermaid * { pointer-events: visiblePainted !important; }';
  document.head.append(hitTest);
  const background = getComputedStyle(document.querySelector('.markdown-body')).backgroundColor;
  const diagrams = [...document.querySelectorAll('.markdown-body .mermaid')].map((box, index) => {
    const svg = box.querySelector('svg');
    if (!svg) return { index, rendered: false, text: box.textContent.slice(0, 80) };
    const rect = svg.getBoundingClientRect();
    const viewBox = svg.viewBox && svg.viewBox.baseVal ? svg.viewBox.baseVal.width : 0;
    return {
      index,
      rendered: true,
      kind: svg.getAttribute('aria-roledescription') || 'unknown',
      error: svg.getAttribute('aria-roledescription') === 'error' || !!svg.querySelector('.error-icon'),
      renderedWidth: rect.width,
      viewBoxWidth: viewBox,
      fontSize: parseFloat(getComputedStyle(svg).fontSize),
      texts: textsOf(svg),
    };
  });
  hitTest.remove();
  // Mermaid can leave an error diagram outside the block it was rendering.
  const strayErrors = [...document.querySelectorAll('svg[aria-roledescription="error"]')].filter(
    (svg) => !svg.closest('.markdown-body .mermaid'),
  ).length;
  // Links only: an `<a id>` without href is an anchor (the runbook pages' step anchors), not a link.
  const links = [...document.querySelectorAll('.markdown-body a[href]')].map((a) => {
    const raw = a.getAttribute('href') || a.getAttribute('xlink:href') || '';
    return {
      text: a.textContent.trim().slice(0, 60),
      raw,
      resolved: raw ? new URL(raw, window.location.href).href : '',
    };
  });
  window.scrollTo(0, 0);
  return { background, diagrams, strayErrors, links };
})();
