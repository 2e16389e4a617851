/**
 * NATS subject patterns (`*` one token, `>` one or more trailing tokens), compared the way the
 * server compares stream subjects and consumer filters. The platform's subject grammar itself
 * lives in subjects/subjects.ts.
 */

/** Why a pattern is not a valid NATS subject pattern, or undefined when it is. */
export function subjectPatternProblem(pattern: string): string | undefined {
  if (pattern.length === 0) return 'is empty';
  if (/\s/.test(pattern)) return 'contains white space';
  const tokens = pattern.split('.');
  for (const [index, token] of tokens.entries()) {
    if (token.length === 0) return 'has an empty token';
    if (token === '>' && index !== tokens.length - 1) return 'has ">" before its last token';
    if (token.length > 1 && (token.includes('*') || token.includes('>'))) return `has a wildcard inside the token "${token}"`;
  }
  return undefined;
}

/** True when every subject that `filter` matches is also matched by `pattern`. */
export function isSubsetOf(filter: string, pattern: string): boolean {
  const f = filter.split('.');
  const p = pattern.split('.');
  for (let i = 0; i < p.length; i++) {
    const pt = p[i]!;
    if (pt === '>') return f.length > i;
    const ft = f[i];
    if (ft === undefined || ft === '>') return false;
    if (pt === '*') continue;
    if (ft === '*' || ft !== pt) return false;
  }
  return f.length === p.length;
}

/** True when some subject is matched by both patterns. */
export function patternsOverlap(a: string, b: string): boolean {
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; ; i++) {
    const xt = x[i];
    const yt = y[i];
    if (xt === '>' || yt === '>') return xt !== undefined && yt !== undefined;
    if (xt === undefined || yt === undefined) return xt === yt;
    if (xt !== '*' && yt !== '*' && xt !== yt) return false;
  }
}

/** True when a literal subject is matched by `pattern`. */
export function subjectMatches(subject: string, pattern: string): boolean {
  return isSubsetOf(subject, pattern);
}
