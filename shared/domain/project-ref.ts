/**
 * Project references (就高不重复): the same project under two measures is one subsidy. Bureaus spell
 * the same reference differently, so it is compared after trimming, NFKC (full-width letters, digits
 * and punctuation become half-width; the ideographic space becomes a space), case folding and
 * collapsing inner whitespace.
 */
export const PROJECT_REF_MAX = 100;

export function normaliseProjectRef(ref: string): string {
  return ref.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ' ');
}

/** Why a (trimmed, non-empty) project_ref is refused, or undefined when it is fine. */
export function projectRefProblem(ref: string): string | undefined {
  if ([...ref].length > PROJECT_REF_MAX) return `project_ref is longer than ${PROJECT_REF_MAX} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(ref)) return 'project_ref contains control characters';
  if (normaliseProjectRef(ref) === '') return 'project_ref is blank once normalised';
  return undefined;
}
