import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classDefLine, classStyles } from '../../compiler/emit/docs/diagram-styles.js';

/** WCAG 2.x relative luminance of `#rrggbb`. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio, 1 to 21. */
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * GitHub draws Mermaid with the default theme in light mode and the dark theme in dark mode; a
 * classDef's fill and colour apply in both, so every pair must be readable on its own.
 */
describe('diagram class colours', () => {
  it('computes contrast like WCAG', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#cccccc', '#fff8c5')).toBeLessThan(1.6); // the old gate label in dark mode
  });

  it.each(Object.entries(classStyles))('%s: text on fill is at least 4.5:1', (_name, style) => {
    expect(contrast(style.fill, style.color)).toBeGreaterThanOrEqual(4.5);
  });

  it('every classDef in the generated docs sets fill and color with at least 4.5:1', () => {
    const dir = join(import.meta.dirname, '..', '..', 'generated', 'docs');
    const lines = readdirSync(dir)
      .filter((f) => f.endsWith('.md'))
      .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
      .filter((l) => l.trim().startsWith('classDef '));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const fill = /fill:(#[0-9a-f]{6})/i.exec(line)?.[1];
      const color = /color:(#[0-9a-f]{6})/i.exec(line)?.[1];
      expect(fill && color, line).toBeTruthy();
      expect(contrast(fill!, color!), line).toBeGreaterThanOrEqual(4.5);
    }
    for (const name of Object.keys(classStyles)) expect(classDefLine(name as never)).toContain('color:#');
  });
});
