/**
 * Small pages, each broken in one way a check must catch, and one that is fine. The browser test
 * proves each check can fail on these before it trusts a pass on the generated pages.
 */
const fence = (source: string) => '```mermaid\n' + source.trim() + '\n```\n';

/** 30 nodes in one row: Mermaid draws it some 4,000 px wide, and 900 px shrink its text to ~4 px. */
const wide = `flowchart LR\n${Array.from({ length: 30 }, (_, i) => `  s${i}[Step number ${i}] --> s${i + 1}`).join('\n')}`;

/**
 * Fixture-ok has no edge labels: Mermaid 11's stock `dark` theme draws them #cccccc on #585858,
 * 4.43:1, which this check rightly fails (a diagram with edge labels must set their colours).
 */
export const syntheticPages = new Map<string, string>([
  [
    'Fixture-ok',
    `# Fine\n\n## A section\n\nSee [the section](#a-section) and [the other page](Fixture-target#the-target).\n\n` +
      fence('flowchart TD\n  a[Check the standby] --> b{Healthy?}\n  b --> c[Promote it]\n  b --> d[Page the DBA]'),
  ],
  ['Fixture-target', '# Target\n\n## The target\n\nNothing to see.\n'],
  ['Fixture-wide', `# Too wide\n\n${fence(wide)}`],
  [
    'Fixture-contrast',
    `# Low contrast\n\n${fence('flowchart TD\n  a[Pale gate label]:::pale --> b[Plain]\n  classDef pale fill:#ffffe0,stroke:#999999,color:#cccccc')}`,
  ],
  [
    'Fixture-links',
    '# Links\n\n- [no such page](No-Such-Page)\n- [no such anchor](Fixture-target#no-such-heading)\n' +
      '- [fine](Fixture-target#the-target)\n- [outside](https://example.com/elsewhere)\n',
  ],
  ['Fixture-syntax', `# Syntax error\n\n${fence('flowchart TD\n  A[Start] --> --> B((\n')}`],
  ['Fixture-console', '# Console error\n\n<img src="/missing-image.png" alt="missing">\n'],
]);
