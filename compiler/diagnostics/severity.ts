/**
 * How bad a finding is. Its own module because both the diagnostic shape (diagnostic.ts) and the
 * code table (codes.ts, which gives each code its default severity) need it, and each of those
 * imports the other's type otherwise.
 */
export type Severity = 'error' | 'warning' | 'info';
