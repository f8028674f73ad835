/**
 * Label selectors as Kubernetes parses, prints and matches them (apimachinery labels):
 * `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>1`, `a<1`, joined by
 * commas. Requirements are kept sorted by key and set values sorted, so printing a
 * parsed selector gives its canonical form. A syntax error is a 400 BadRequest with
 * Kubernetes' message; metav1.LabelSelector objects convert to the same Selector.
 */
import { badRequest } from './errors.ts';
import { isInt64, newRequirement, parseRequirements, SelectorSyntaxError } from './label-selector-parser.ts';

export type Operator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  readonly values: readonly string[];
}

export interface Selector {
  readonly requirements: readonly Requirement[];
  /** labels.Nothing(): the selector of a nil metav1.LabelSelector, matching no object. */
  readonly nothing?: true;
}

export const EVERYTHING: Selector = Object.freeze({ requirements: Object.freeze([]) });
export const NOTHING: Selector = Object.freeze({ requirements: Object.freeze([]), nothing: true as const });

/** metav1.LabelSelector. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key?: string; operator?: string; values?: string[] }[];
}




const byKey = (a: Requirement, b: Requirement) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** Parses a label selector string; "" selects everything. Throws a 400 StatusError on bad syntax. */
export function parseLabelSelector(text: string): Selector {
  try {
    return { requirements: parseRequirements(text).sort(byKey) };
  } catch (error) {
    if (error instanceof SelectorSyntaxError) throw badRequest(error.message);
    throw error;
  }
}

function formatRequirement(r: Requirement): string {
  const values = r.values.length > 1 ? [...r.values].sort().join(',') : (r.values[0] ?? '');
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
      return `${r.key} in (${values})`;
    case 'notin':
      return `${r.key} notin (${values})`;
    case 'gt':
      return `${r.key}>${values}`;
    case 'lt':
      return `${r.key}<${values}`;
    default:
      return `${r.key}${r.operator}${values}`;
  }
}

/** The canonical string of a selector (labels.Selector.String()). */
export function formatLabelSelector(selector: Selector): string {
  return selector.requirements.map(formatRequirement).join(',');
}

function requirementMatches(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels[r.key]! : undefined;
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return value !== undefined && r.values.includes(value);
    case 'notin':
    case '!=':
      return value === undefined || !r.values.includes(value);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (value === undefined || !isInt64(value) || r.values.length !== 1 || !isInt64(r.values[0]!)) return false;
      const left = BigInt(value);
      const right = BigInt(r.values[0]!);
      return r.operator === 'gt' ? left > right : left < right;
    }
  }
}

export function matchesLabels(selector: Selector, labels: Record<string, string> | undefined): boolean {
  if (selector.nothing) return false;
  const set = labels ?? {};
  return selector.requirements.every((r) => requirementMatches(r, set));
}

/** A selector that matches exactly the given labels (labels.SelectorFromSet). */
export function selectorFromSet(labels: Record<string, string> | undefined): Selector {
  const requirements = Object.entries(labels ?? {}).map(([key, value]): Requirement => ({ key, operator: '=', values: [value] }));
  return { requirements: requirements.sort(byKey) };
}

const EXPRESSION_OPERATORS: Record<string, Operator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * metav1.LabelSelectorAsSelector: null selects nothing, {} selects everything. Throws a
 * 400 StatusError for an invalid selector (validation rejects those before they are stored).
 */
export function selectorFromLabelSelector(selector: LabelSelector | null | undefined): Selector {
  if (selector === null || selector === undefined) return NOTHING;
  const matchLabels = Object.entries(selector.matchLabels ?? {});
  const expressions = selector.matchExpressions ?? [];
  if (matchLabels.length + expressions.length === 0) return EVERYTHING;
  try {
    const requirements = matchLabels.map(([k, v]) => newRequirement(k, '=', [v]));
    for (const expression of expressions) {
      const operator = Object.hasOwn(EXPRESSION_OPERATORS, expression.operator ?? '') ? EXPRESSION_OPERATORS[expression.operator!] : undefined;
      if (!operator) throw new SelectorSyntaxError(`${JSON.stringify(expression.operator ?? '')} is not a valid label selector operator`);
      requirements.push(newRequirement(expression.key ?? '', operator, expression.values ?? []));
    }
    return { requirements: requirements.sort(byKey) };
  } catch (error) {
    if (error instanceof SelectorSyntaxError) throw badRequest(error.message);
    throw error;
  }
}

/** Whether a metav1.LabelSelector matches labels; an invalid selector matches nothing. */
export function labelSelectorMatches(selector: LabelSelector | null | undefined, labels: Record<string, string> | undefined): boolean {
  try {
    return matchesLabels(selectorFromLabelSelector(selector), labels);
  } catch {
    return false;
  }
}
