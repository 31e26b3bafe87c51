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
    `# Fine\n\n## A section\n\nSee [the section](#a-section) and [the other page](Fixture-target.md#the-target).\n\n` +
      fence('flowchart TD\n  a[Check the standby] --> b{Healthy?}\n  b --> c[Promote it]\n  b --> d[Page the DBA]'),
  ],
  ['Fixture-target', '# Target\n\n## The target\n\nNothing to see.\n'],
  ['Fixture-wide', `# Too wide\n\n${fence(wide)}`],
  // Stock Mermaid Gantt: its axis is d3's, whose tick labels are 10 px (below readable at any width).
  [
    'Fixture-small-text',
    `# Small text\n\n${fence('gantt\n  dateFormat x\n  axisFormat %s\n  section Only\n    Step one :done, a, 0, 4000ms\n    Step two :done, b, 4000, 6000ms')}`,
  ],
  [
    'Fixture-contrast',
    `# Low contrast\n\n${fence('flowchart TD\n  a[Pale gate label]:::pale --> b[Plain]\n  classDef pale fill:#ffffe0,stroke:#999999,color:#cccccc')}`,
  ],
  [
    'Fixture-links',
    '# Links\n\n- [no such page](No-Such-Page.md)\n- [no such anchor](Fixture-target.md#no-such-heading)\n' +
      '- [no such file](../../runbooks/no-such-runbook.yaml)\n- [fine](Fixture-target.md#the-target)\n' +
      '- [a file](../../README.md)\n- [outside](https://example.com/elsewhere)\n',
  ],
  // Shown as the wiki's front page, at /o/r/wiki: a relative link resolves to /o/r/Fixture-target.
  ['Home', '# Front page\n\n- [relative](Fixture-target)\n- [root-relative](/o/r/wiki/Fixture-target#the-target)\n'],
  ['Fixture-syntax', `# Syntax error\n\n${fence('flowchart TD\n  A[Start] --> --> B((\n')}`],
  ['Fixture-console', '# Console error\n\n<img src="/missing-image.png" alt="missing">\n'],
]);
