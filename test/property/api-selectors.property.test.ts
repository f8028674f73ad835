import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { StatusError } from '../../src/api/errors.ts';
import { formatLabelSelector, matchesLabels, parseLabelSelector, type Operator, type Requirement } from '../../src/api/selectors.ts';

const namePart = fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,8}[A-Za-z0-9])?$/);
const prefix = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,5}[a-z0-9])?(\.[a-z0-9]{1,4})?$/);
const key = fc.oneof(namePart, fc.tuple(prefix, namePart).map(([p, n]) => `${p}/${n}`));
const value = fc.oneof(fc.constant(''), namePart);
// Gt/Lt values are label values too, so a minus sign is refused, as in Kubernetes.
const integer = fc.nat({ max: 100000 }).map(String);

const requirement: fc.Arbitrary<Requirement> = fc.oneof(
  fc.record({ key, operator: fc.constantFrom<Operator>('=', '==', '!='), values: value.map((v) => [v]) }),
  fc.record({ key, operator: fc.constantFrom<Operator>('in', 'notin'), values: fc.uniqueArray(value, { minLength: 1, maxLength: 4 }) }),
  fc.record({ key, operator: fc.constantFrom<Operator>('exists', '!'), values: fc.constant([]) }),
  fc.record({ key, operator: fc.constantFrom<Operator>('gt', 'lt'), values: integer.map((v) => [v]) }),
);

const selectorText = fc.array(requirement, { maxLength: 6 }).map((requirements) => formatLabelSelector({ requirements }));
const labels = fc.dictionary(fc.oneof(key, fc.constantFrom('app', 'env')), fc.oneof(value, integer), { maxKeys: 5 });

describe('label selector properties', () => {
  it('parse -> print -> parse is the identity on parsed selectors', () => {
    fc.assert(
      fc.property(selectorText, (text) => {
        const parsed = parseLabelSelector(text);
        assert.deepEqual(parseLabelSelector(formatLabelSelector(parsed)), parsed);
      }),
      { numRuns: 500 },
    );
  });

  it('printing is canonical: the printed form prints to itself', () => {
    fc.assert(
      fc.property(selectorText, (text) => {
        const printed = formatLabelSelector(parseLabelSelector(text));
        assert.equal(formatLabelSelector(parseLabelSelector(printed)), printed);
      }),
    );
  });

  it('the reprinted selector matches exactly the same label sets', () => {
    fc.assert(
      fc.property(selectorText, labels, (text, set) => {
        const parsed = parseLabelSelector(text);
        assert.equal(matchesLabels(parseLabelSelector(formatLabelSelector(parsed)), set), matchesLabels(parsed, set));
      }),
    );
  });

  it('any string either parses or is refused with a 400, never anything else', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[a-z=!(),<> ]{0,20}$/)), (text) => {
        try {
          parseLabelSelector(text);
        } catch (error) {
          assert.ok(error instanceof StatusError && error.code === 400, String(error));
        }
      }),
      { numRuns: 1000 },
    );
  });
});
