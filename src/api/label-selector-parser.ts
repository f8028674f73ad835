/**
 * The lexer and parser of label selector strings, a transcription of apimachinery's
 * labels.Parse: the same tokens, the same grammar and the same error texts, so users see
 * the messages kubectl users know. Errors are SelectorSyntaxError; selectors.ts turns
 * them into 400s.
 */
import { formatBadValue } from './field-errors.ts';
import { isLabelValue, isQualifiedName } from './names.ts';
import type { Operator, Requirement } from './selectors.ts';

export class SelectorSyntaxError extends Error {}

const BINARY_OPERATORS = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export function isInt64(text: string): boolean {
  if (!/^[+-]?\d+$/.test(text)) return false;
  const n = BigInt(text);
  return n >= INT64_MIN && n <= INT64_MAX;
}

/** labels.NewRequirement: the checks every requirement passes, with its aggregated error text. */
export function newRequirement(key: string, operator: Operator, values: readonly string[]): Requirement {
  const errors: string[] = [];
  const keyErrors = isQualifiedName(key);
  if (keyErrors.length > 0) errors.push(`key: Invalid value: ${formatBadValue(key)}: ${keyErrors.join('; ')}`);
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0) errors.push(`values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty`);
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) errors.push(`values: Invalid value: ${formatBadValue(values)}: exact-match compatibility requires one single value`);
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) errors.push(`values: Invalid value: ${formatBadValue(values)}: values set must be empty for exists and does not exist`);
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) errors.push(`values: Invalid value: ${formatBadValue(values)}: for 'Gt', 'Lt' operators, exactly one value is required`);
      values.forEach((v, i) => {
        if (!isInt64(v)) errors.push(`values[${i}]: Invalid value: ${formatBadValue(v)}: for 'Gt', 'Lt' operators, the value must be an integer`);
      });
      break;
  }
  values.forEach((v, i) => {
    const valueErrors = isLabelValue(v);
    if (valueErrors.length > 0) errors.push(`values[${i}][${key}]: Invalid value: ${formatBadValue(v)}: ${valueErrors.join('; ')}`);
  });
  if (errors.length > 0) throw new SelectorSyntaxError(errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`);
  return { key, operator, values: [...values] };
}


// ---- lexer -----------------------------------------------------------------

type Token = 'error' | 'eos' | ')' | ',' | '!' | '==' | '=' | '>' | 'identifier' | 'in' | '<' | '!=' | 'notin' | '(';

const SYMBOL_TOKENS: Record<string, Token> = { ')': ')', ',': ',', '!': '!', '==': '==', '=': '=', '>': '>', '<': '<', '!=': '!=', '(': '(' };
const KEYWORDS: Record<string, Token> = { in: 'in', notin: 'notin' };

interface Item {
  token: Token;
  literal: string;
}

const isWhitespace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string) => '=!(),><'.includes(c);

function lex(input: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < input.length && isWhitespace(input[pos]!)) pos++;
    if (pos >= input.length) {
      items.push({ token: 'eos', literal: '' });
      return items;
    }
    if (isSpecial(input[pos]!)) {
      // The longest run of symbols that still spells a token ("!=", "=="), as Kubernetes' lexer reads it.
      let buffer = '';
      let last: Item | undefined;
      while (pos < input.length && isSpecial(input[pos]!)) {
        const candidate = buffer + input[pos]!;
        const token = SYMBOL_TOKENS[candidate];
        if (token) {
          last = { token, literal: candidate };
        } else if (last) {
          break;
        }
        buffer = candidate;
        pos++;
      }
      items.push(last ?? { token: 'error', literal: `error expected: keyword found '${buffer}'` });
    } else {
      const start = pos;
      while (pos < input.length && !isSpecial(input[pos]!) && !isWhitespace(input[pos]!)) pos++;
      const word = input.slice(start, pos);
      items.push({ token: Object.hasOwn(KEYWORDS, word) ? KEYWORDS[word]! : 'identifier', literal: word });
    }
  }
}

// ---- parser ----------------------------------------------------------------

/** In a value position "in" and "notin" are ordinary identifiers ("x in (in)"). */
type Context = 'keyAndOperator' | 'values';

class Parser {
  private position = 0;
  constructor(private readonly items: Item[]) {}

  private look(context: Context): Item {
    return this.asContext(this.items[this.position]!, context);
  }

  private take(context: Context): Item {
    return this.asContext(this.items[this.position++]!, context);
  }

  private asContext(item: Item, context: Context): Item {
    if (context === 'values' && (item.token === 'in' || item.token === 'notin')) return { token: 'identifier', literal: item.literal };
    return item;
  }

  parse(): Requirement[] {
    const requirements: Requirement[] = [];
    for (;;) {
      const { token, literal } = this.look('values');
      if (token === 'eos') return requirements;
      if (token !== 'identifier' && token !== '!') {
        throw new SelectorSyntaxError(`found '${literal}', expected: !, identifier, or 'end of string'`);
      }
      try {
        requirements.push(this.parseRequirement());
      } catch (error) {
        throw new SelectorSyntaxError(`unable to parse requirement: ${(error as Error).message}`);
      }
      const next = this.take('values');
      if (next.token === 'eos') return requirements;
      if (next.token !== ',') throw new SelectorSyntaxError(`found '${next.literal}', expected: ',' or 'end of string'`);
      const after = this.look('values');
      if (after.token !== 'identifier' && after.token !== '!') {
        throw new SelectorSyntaxError(`found '${after.literal}', expected: identifier after ','`);
      }
    }
  }

  private parseRequirement(): Requirement {
    let unary: Operator | undefined;
    let item = this.take('values');
    if (item.token === '!') {
      unary = '!';
      item = this.take('values');
    }
    if (item.token !== 'identifier') throw new SelectorSyntaxError(`found '${item.literal}', expected: identifier`);
    const key = item.literal;
    const keyErrors = isQualifiedName(key);
    // Kubernetes validates the key here with an empty field path, which prints as "<nil>".
    if (keyErrors.length > 0) throw new SelectorSyntaxError(`<nil>: Invalid value: ${formatBadValue(key)}: ${keyErrors.join('; ')}`);
    const ahead = this.look('values').token;
    if (ahead === 'eos' || ahead === ',') return newRequirement(key, unary ?? 'exists', []);
    if (unary) return newRequirement(key, unary, []);
    const operator = this.parseOperator();
    const values = operator === 'in' || operator === 'notin' ? this.parseValueSet() : this.parseExactValue();
    return newRequirement(key, operator, values);
  }

  private parseOperator(): Operator {
    const { token, literal } = this.take('keyAndOperator');
    switch (token) {
      case 'in':
      case 'notin':
      case '=':
      case '==':
      case '!=':
        return token;
      case '>':
        return 'gt';
      case '<':
        return 'lt';
      default:
        throw new SelectorSyntaxError(`found '${literal}', expected: ${BINARY_OPERATORS.join(', ')}`);
    }
  }

  private parseValueSet(): string[] {
    const open = this.take('values');
    if (open.token !== '(') throw new SelectorSyntaxError(`found '${open.literal}' expected: '('`);
    const { token, literal } = this.look('values');
    if (token === ')') {
      this.take('values');
      return [''];
    }
    if (token !== 'identifier' && token !== ',') throw new SelectorSyntaxError(`found '${literal}', expected: ',', ')' or identifier`);
    const values = this.parseIdentifierList();
    if (this.take('values').token !== ')') throw new SelectorSyntaxError(`found '${literal}', expected: ')'`);
    return values;
  }

  /** A comma-separated list where empty entries are the empty value: "(a,,b)", "(,a)". */
  private parseIdentifierList(): string[] {
    const values = new Set<string>();
    for (;;) {
      const item = this.take('values');
      if (item.token === 'identifier') {
        values.add(item.literal);
        const next = this.look('values');
        if (next.token === ',') continue;
        if (next.token === ')') return sortedSet(values);
        throw new SelectorSyntaxError(`found '${next.literal}', expected: ',' or ')'`);
      }
      if (item.token === ',') {
        if (values.size === 0) values.add('');
        const next = this.look('values').token;
        if (next === ')') {
          values.add('');
          return sortedSet(values);
        }
        if (next === ',') {
          this.take('values');
          values.add('');
        }
        continue;
      }
      throw new SelectorSyntaxError(`found '${item.literal}', expected: ',', or identifier`);
    }
  }

  private parseExactValue(): string[] {
    const ahead = this.look('values').token;
    if (ahead === 'eos' || ahead === ',') return [''];
    const item = this.take('values');
    if (item.token === 'identifier') return [item.literal];
    throw new SelectorSyntaxError(`found '${item.literal}', expected: identifier`);
  }
}

const sortedSet = (values: Set<string>) => [...values].sort();

/** The requirements of a selector string, in the order written. */
export function parseRequirements(text: string): Requirement[] {
  return new Parser(lex(text)).parse();
}
