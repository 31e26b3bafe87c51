/**
 * The layer rules (`npm run lint:layers`; CONTRIBUTING.md and ../shared/ARCHITECTURE.md say why):
 *
 *   ir/        the plan both halves agree on: imports no other layer
 *   common/    code the compiler and the executor share: imports ir/ (and npm, node:)
 *   compiler/  pure: load → rules → graph → emit; imports ir/ and common/
 *   executor/  effectful: imports ir/ and common/, never the compiler
 *   cli/       wires them together: imports ir/, common/, the compiler, and the executor only
 *              through executor/facade/ (the executor as the CLI sees it, one module per concern)
 *
 * Type-only imports count (`tsPreCompilationDeps`): a type is a dependency of the design even
 * when the emitted JavaScript drops it. test/, bench/ and scripts/ are not layers and are not
 * cruised, but no layer may import them. test/layers/layers.test.ts holds each rule to catching a
 * violation.
 *
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'executor-not-compiler',
      comment: 'The executor runs compiled plans; what it shares with the compiler belongs in common/ or ir/.',
      severity: 'error',
      from: { path: '^executor/' },
      to: { path: '^(compiler|cli)/' },
    },
    {
      name: 'compiler-not-executor',
      comment: 'The compiler is pure: it never reaches the effectful executor or the CLI.',
      severity: 'error',
      from: { path: '^compiler/' },
      to: { path: '^(executor|cli)/' },
    },
    {
      name: 'cli-through-facade',
      comment:
        'The CLI reaches the executor only through executor/facade/, so commands stay thin and the executor can rewire itself without touching them.',
      severity: 'error',
      from: { path: '^cli/' },
      to: { path: '^executor/', pathNot: '^executor/facade/' },
    },
    {
      name: 'ir-is-a-leaf',
      comment: 'ir/ is the contract between the compiler and the executor: it depends on no layer.',
      severity: 'error',
      from: { path: '^ir/' },
      to: { path: '^(common|compiler|executor|cli)/' },
    },
    {
      name: 'common-only-ir',
      comment:
        'common/ is neutral: besides itself it imports only ir/ (npm packages and node: built-ins are fine; schemas/ is data).',
      severity: 'error',
      from: { path: '^common/' },
      to: { dependencyTypes: ['local'], pathNot: '^(common|ir|schemas)/' },
    },
    {
      name: 'not-to-tests-or-tools',
      comment: 'Shipped code (package.json "files") never imports test/, bench/ or scripts/, which are not shipped.',
      severity: 'error',
      from: { path: '^(ir|common|compiler|executor|cli)/' },
      to: { path: '^(test|bench|scripts)/' },
    },
    {
      name: 'no-circular',
      comment: 'A cycle makes two modules one: split out what both need (see compiler/diagnostics/severity.ts).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    includeOnly: '^(ir|common|compiler|executor|cli|schemas|test|bench|scripts)/',
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Imports are written `./x.js` (NodeNext) and resolve to `./x.ts`.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.json'],
    },
  },
};
