/**
 * Where a project keeps its CI claims (see ci-exercises.ts). Apart from the parser on purpose:
 * reading the tree for a cached `validate` needs the path, and must not load the YAML parser.
 */
export const ciExercisesFile = 'drills/ci-exercises.json';
