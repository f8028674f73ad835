import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../src/api/errors.ts';
import {
  formatLabelSelector,
  labelSelectorMatches,
  matchesLabels,
  parseLabelSelector,
  selectorFromLabelSelector,
  selectorFromSet,
} from '../../src/api/selectors.ts';

function parseError(text: string): StatusError {
  try {
    parseLabelSelector(text);
  } catch (error) {
    assert.ok(error instanceof StatusError);
    return error;
  }
  assert.fail(`expected ${JSON.stringify(text)} to be refused`);
}

describe('label selector parsing', () => {
  it('parses every operator into sorted requirements', () => {
    const selector = parseLabelSelector('tier notin (cache), app=web, env in (prod,dev), !legacy, version!=2, team, x==y, n>3, m<9');
    assert.deepEqual(selector.requirements, [
      { key: 'app', operator: '=', values: ['web'] },
      { key: 'env', operator: 'in', values: ['dev', 'prod'] },
      { key: 'legacy', operator: '!', values: [] },
      { key: 'm', operator: 'lt', values: ['9'] },
      { key: 'n', operator: 'gt', values: ['3'] },
      { key: 'team', operator: 'exists', values: [] },
      { key: 'tier', operator: 'notin', values: ['cache'] },
      { key: 'version', operator: '!=', values: ['2'] },
      { key: 'x', operator: '==', values: ['y'] },
    ]);
  });

  it('prints the canonical form', () => {
    assert.equal(formatLabelSelector(parseLabelSelector('b in (y,x),a,!c,d!=1')), 'a,b in (x,y),!c,d!=1');
  });

  it('treats "in" as a value inside a set and empty values as ""', () => {
    assert.deepEqual(parseLabelSelector('x in (in,notin)').requirements[0]!.values, ['in', 'notin']);
    assert.deepEqual(parseLabelSelector('x in (a,,b)').requirements[0]!.values, ['', 'a', 'b']);
    assert.deepEqual(parseLabelSelector('x=').requirements[0]!.values, ['']);
  });

  it('selects everything for the empty string', () => {
    assert.deepEqual(parseLabelSelector('').requirements, []);
    assert.ok(matchesLabels(parseLabelSelector(''), {}));
  });

  it('answers bad syntax with a 400 and Kubernetes wording', () => {
    const cases: [string, string][] = [
      ['a in b', "unable to parse requirement: found 'b' expected: '('"],
      ['a,', "found '', expected: identifier after ','"],
      ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
      ['!a b', "found 'b', expected: ',' or 'end of string'"],
      ['=x', "found '=', expected: !, identifier, or 'end of string'"],
      ['a in (b', "unable to parse requirement: found '', expected: ',' or ')'"],
      ['a>x', "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer"],
    ];
    for (const [text, message] of cases) {
      const error = parseError(text);
      assert.equal(error.code, 400, text);
      assert.equal(error.reason, 'BadRequest', text);
      assert.equal(error.message, message, text);
    }
  });

  it('refuses invalid keys and values', () => {
    assert.match(parseError('a_=b').message, /^unable to parse requirement: <nil>: Invalid value: "a_": name part must consist of/);
    assert.match(parseError('a=b_').message, /^unable to parse requirement: values\[0\]\[a\]: Invalid value: "b_": a valid label must be/);
  });
});

describe('label selector matching', () => {
  const labels = { app: 'web', env: 'prod', n: '5' };
  const cases: [string, boolean][] = [
    ['app=web', true],
    ['app==api', false],
    ['app!=api', true],
    ['missing!=x', true],
    ['env in (prod,dev)', true],
    ['env notin (prod)', false],
    ['missing notin (x)', true],
    ['app', true],
    ['!app', false],
    ['!missing', true],
    ['n>4', true],
    ['n<5', false],
    ['app=web,env=dev', false],
  ];
  for (const [text, expected] of cases) it(`${text} -> ${expected}`, () => assert.equal(matchesLabels(parseLabelSelector(text), labels), expected));
});

describe('metav1.LabelSelector', () => {
  it('converts matchLabels and matchExpressions', () => {
    const selector = selectorFromLabelSelector({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'env', operator: 'In', values: ['prod'] },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    });
    assert.equal(formatLabelSelector(selector), 'app=web,env in (prod),!legacy');
    assert.ok(matchesLabels(selector, { app: 'web', env: 'prod' }));
    assert.ok(!matchesLabels(selector, { app: 'web', env: 'prod', legacy: 'y' }));
  });

  it('selects nothing for null and everything for {}', () => {
    assert.ok(!matchesLabels(selectorFromLabelSelector(undefined), { a: 'b' }));
    assert.ok(matchesLabels(selectorFromLabelSelector({}), { a: 'b' }));
  });

  it('refuses unknown operators with a 400', () => {
    assert.throws(
      () => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Near' }] }),
      (e: unknown) => e instanceof StatusError && e.code === 400 && e.message === '"Near" is not a valid label selector operator',
    );
    assert.equal(labelSelectorMatches({ matchExpressions: [{ key: 'a', operator: 'Near' }] }, { a: 'b' }), false);
  });

  it('builds a selector from a label set', () => {
    assert.equal(formatLabelSelector(selectorFromSet({ b: '2', a: '1' })), 'a=1,b=2');
  });
});
