import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { classifyValue, emptyClassified, type Classified } from '../../shared/4-classify/classify.ts';
import { classifyText, SKIPPED_REASON, type TextUnit } from '../../shared/4-classify/classify-text.ts';
import { splitRecordsArray } from '../../shared/1-ingest/envelope/records-split.ts';
import { EMPTY_CONTEXT } from '../../shared/model/rule.ts';
import { canSkipRecord, MAX_DEPTH } from '../../shared/1-ingest/cloudtrail/prescan.ts';
import { CORPUS_DIR, HAS_CORPUS, REPO_ROOT, corpusAvailable, corpusInput, loadCorpus } from '../support/corpus.ts';
import { describeRecord, sshWorldRecord } from '../support/records.ts';

const deps = { rules: RULES, context: EMPTY_CONTEXT };

/** Everything but the reasons of ignored records (the pre-scan does not read why a call is uninteresting). */
function comparable(result: Classified): unknown {
  return {
    records: result.records,
    findings: result.findings,
    changes: result.changes,
    ignored: result.ignored.map((i) => i.where),
    errors: result.errors.map((e) => e.describe()),
  };
}

function run(units: readonly TextUnit[], fast: boolean): Classified {
  const into = emptyClassified();
  for (const unit of units) classifyText(unit, deps, into, fast);
  return into;
}

const line = (text: string, n = 1): TextUnit => ({ kind: 'line', text, file: 'f.jsonl', line: n, mayBeCut: false });
const doc = (text: string): TextUnit => ({ kind: 'document', text, file: 'f.json', truncated: false });

/** Every JSON sample in events/ (bare records, envelopes, Config notifications, SQS batches). */
function eventSamples(): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  for (const sub of readdirSync(join(REPO_ROOT, 'events'))) {
    for (const name of readdirSync(join(REPO_ROOT, 'events', sub)).filter((n) => n.endsWith('.json')))
      out.push({ name: `${sub}/${name}`, text: readFileSync(join(REPO_ROOT, 'events', sub, name), 'utf8') });
  }
  return out;
}

describe.skipIf(!corpusAvailable('fast path = full path'))('fast path = full path', () => {
  // Read only when the suite runs (a skipped describe's body still runs while tests are collected).
  const consoleLines = HAS_CORPUS
    ? gunzipSync(readFileSync(join(CORPUS_DIR, 'streams/console-sessions.jsonl.gz')))
        .toString('utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
    : [];

  it('console-sessions stream as JSON Lines: identical findings, changes, counts and locations', () => {
    const units = consoleLines.map((text, i) => line(text, i + 1));
    const fast = run(units, true);
    const slow = run(units, false);
    expect(fast.records).toBe(8170);
    expect(comparable(fast)).toEqual(comparable(slow));
    expect(fast.findings.length).toBe(7);
    // The pre-scan did skip: nearly every record never reached JSON.parse.
    expect(fast.ignored.filter((i) => i.reason === SKIPPED_REASON).length).toBeGreaterThan(8000);
  });

  it('console-sessions stream as one CloudTrail log file {"Records":[…]}: identical, record locations included', () => {
    const text = `{"Records":[${consoleLines.join(',')}]}`;
    const fast = run([doc(text)], true);
    const slow = run([doc(text)], false);
    expect(comparable(fast)).toEqual(comparable(slow));
    expect(fast.ignored[3]?.where).toEqual({ file: 'f.json', path: '/Records/3', record: 3 });
  });

  it('every corpus case, as a line, as a pretty document and (for bare records) inside a log file', () => {
    for (const c of loadCorpus()) {
      const input = corpusInput(c);
      const units = [
        line(JSON.stringify(input)),
        doc(JSON.stringify(input, null, 2)),
        doc(JSON.stringify({ Records: [input, describeRecord()] })),
      ];
      for (const unit of units) expect(comparable(run([unit], true)), c.id).toEqual(comparable(run([unit], false)));
    }
  });

  it('every sample in events/ (envelopes, SQS batches, Config notifications)', () => {
    for (const sample of eventSamples()) {
      for (const unit of [doc(sample.text), line(JSON.stringify(JSON.parse(sample.text)))])
        expect(comparable(run([unit], true)), sample.name).toEqual(comparable(run([unit], false)));
    }
  });
});

describe('pre-scan', () => {
  const skip = (value: unknown) => canSkipRecord(JSON.stringify(value));

  it('skips a plain record of a call no rule reads', () => {
    expect(skip(describeRecord())).toBe(true);
    expect(canSkipRecord(`  ${JSON.stringify(describeRecord())} \r`)).toBe(true);
    expect(canSkipRecord(JSON.stringify(describeRecord(), null, 2))).toBe(false);
  });

  it('never skips a handled call, an envelope, or anything it cannot read plainly', () => {
    const plain = describeRecord();
    const cases: unknown[] = [
      sshWorldRecord(),
      { ...sshWorldRecord(), errorCode: 'Client.UnauthorizedOperation' },
      { 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.ec2', detail: plain },
      { Type: 'Notification', Message: JSON.stringify(sshWorldRecord()) },
      { Type: 'Notification', Message: JSON.stringify(plain) },
      { Records: [plain] },
      { wrapper: plain },
      { ...plain, eventSource: '...' },
      { ...plain, eventSource: 'aws:sqs' },
      { ...plain, note: 'eventName' },
      { ...plain, requestParameters: { nested: { eventName: 'AuthorizeSecurityGroupIngress' } } },
      { messageType: 'ConfigurationItemChangeNotification', ...plain },
      [plain],
    ];
    for (const value of cases) expect(skip(value), JSON.stringify(value).slice(0, 120)).toBe(false);
    expect(canSkipRecord(JSON.stringify(plain).replace('"eventName":"', '"eventName": "'))).toBe(false);
    expect(canSkipRecord(`{"a":{"b":1},${JSON.stringify(plain).slice(1)}`)).toBe(true);
    expect(canSkipRecord(`{"a":{"b":"}"},${JSON.stringify(plain).slice(1)}`)).toBe(true);
    expect(canSkipRecord(`{"a":{${JSON.stringify(plain).slice(1)}}`)).toBe(false);
    expect(
      canSkipRecord(`{"x":"\\"eventName\\":\\"AuthorizeSecurityGroupIngress\\"",${JSON.stringify(plain).slice(1)}`),
    ).toBe(false);
  });

  it('whenever it skips, the full path yields exactly one ignored record', () => {
    const texts = [
      JSON.stringify(describeRecord()),
      ...eventSamples().map((s) => s.text),
      ...(HAS_CORPUS ? loadCorpus().map((c) => JSON.stringify(corpusInput(c))) : []),
    ];
    for (const text of texts) {
      if (!canSkipRecord(text)) continue;
      const full = classifyValue(JSON.parse(text), {}, deps);
      expect({
        records: full.records,
        ignored: full.ignored.length,
        findings: full.findings.length,
        errors: full.errors.length,
      }).toEqual({ records: 1, ignored: 1, findings: 0, errors: 0 });
    }
  });
});

/**
 * The pre-scan against the parser, on record texts built member by member: the two keys at the top level or nested,
 * adjacent or apart, once or twice (duplicate keys only exist in text), among strings full of quotes, backslashes,
 * brackets and key names. Soundness: whenever it skips, the full path makes exactly one ignored record of the text.
 */
describe('pre-scan properties', () => {
  const tricky = fc.constantFrom(
    '"',
    '\\',
    '{',
    '}',
    '[',
    ']',
    ':',
    ',',
    'eventName',
    'eventSource',
    'Records',
    'Message',
    'detail-type',
    'messageType',
    '"eventName":"',
    'a',
    ' ',
    '\u00e9',
  );
  const trickyString = fc.oneof(
    { arbitrary: fc.stringMatching(/^[a-z0-9 :/.-]{0,12}$/), weight: 20 },
    { arbitrary: fc.array(tricky, { maxLength: 6 }).map((parts) => parts.join('')), weight: 1 },
  );
  const leaf = fc.oneof(trickyString, fc.integer(), fc.constant(null), fc.boolean());
  const value = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(
        fc.oneof(
          { arbitrary: trickyString, weight: 30 },
          { arbitrary: fc.constantFrom('eventName', 'eventSource', 'type'), weight: 1 },
        ),
        tie('value'),
        { maxKeys: 3 },
      ),
    ),
  })).value;
  const member = fc
    .tuple(
      fc.oneof(
        { arbitrary: trickyString, weight: 20 },
        { arbitrary: fc.constantFrom('userIdentity', 'eventTime', 'Records', 'eventName'), weight: 1 },
      ),
      value,
    )
    .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
  /** null three times in four. */
  const rarely = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> =>
    fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, { arbitrary: arb, weight: 1 });
  const name = fc.constantFrom(
    'DescribeInstances',
    'ConsoleLogin',
    'ListBuckets',
    'AuthorizeSecurityGroupIngress',
    'CreateRoute',
    'Get:Object',
    '',
  );
  const source = fc.constantFrom('ec2.amazonaws.com', 'signin.amazonaws.com', 's3.amazonaws.com', 'aws:s3', '...');
  /** Members, with the source/name pair spliced in at some position and depth, in some order, maybe twice. */
  const recordText = fc
    .record({
      before: fc.array(member, { maxLength: 4 }),
      after: fc.array(member, { maxLength: 4 }),
      name,
      source,
      nameFirst: fc.boolean(),
      depth: fc.constantFrom(0, 0, 0, 0, 1, 2),
      gap: rarely(member),
      twice: rarely(fc.tuple(name, fc.boolean())),
    })
    .map(({ before, after, name, source, nameFirst, depth, gap, twice }) => {
      const s = `"eventSource":${JSON.stringify(source)}`;
      const n = `"eventName":${JSON.stringify(name)}`;
      const pair = (nameFirst ? [n, gap, s] : [s, gap, n]).filter((m) => m !== null).join(',');
      const nested = depth === 0 ? pair : `${'"x":{'.repeat(depth)}${pair}${'}'.repeat(depth)}`;
      const extra = twice === null ? [] : [`"${twice[1] ? 'eventName' : 'eventSource'}":${JSON.stringify(twice[0])}`];
      return `{${[...before, nested, ...after, ...extra].join(',')}}`;
    });

  it('whenever it skips a generated text, the full path yields exactly one ignored record', () => {
    let skips = 0;
    fc.assert(
      fc.property(recordText, (text) => {
        const value = JSON.parse(text) as unknown;
        if (!canSkipRecord(text)) return;
        skips++;
        const full = classifyValue(value, {}, deps);
        expect(
          {
            records: full.records,
            ignored: full.ignored.length,
            findings: full.findings.length,
            errors: full.errors.length,
          },
          text,
        ).toEqual({ records: 1, ignored: 1, findings: 0, errors: 0 });
      }),
      { numRuns: 5000 },
    );
    // The property is not vacuous: a fair share of generated texts are skippable.
    if (process.env['DBG']) console.log('skips', skips);
    expect(skips).toBeGreaterThan(100);
  });

  it('skips real-shaped unhandled records whatever plain strings and nesting come before the keys', () => {
    const plainString = fc.stringMatching(/^[A-Za-z0-9:/\-_. {}[\],]{0,20}$/);
    const plainValue = fc.letrec<{ value: unknown }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        plainString,
        fc.integer(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), tie('value'), { maxKeys: 3 }),
      ),
    })).value;
    fc.assert(
      fc.property(
        fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), plainValue, { maxKeys: 4 }),
        plainValue,
        (front, tail) => {
          const record = { ...describeRecord(), userIdentity: front, requestParameters: tail };
          const text = JSON.stringify(record);
          // Deeper than the tokenizer follows: parsing is the safe answer (not a test of the generator).
          fc.pre(depthOf(front) + 2 <= MAX_DEPTH);
          expect(canSkipRecord(text), text).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('parses what it cannot read plainly: a backslash or deep nesting before the keys', () => {
    const plain = describeRecord();
    expect(canSkipRecord(JSON.stringify({ ...plain, userIdentity: { arn: 'a\\b' } }))).toBe(false);
    let deep: unknown = 1;
    for (let i = 0; i < MAX_DEPTH; i++) deep = { d: deep };
    expect(canSkipRecord(JSON.stringify({ ...plain, userIdentity: deep }))).toBe(false);
    // After the keys, anything goes (only key names are looked for there).
    expect(canSkipRecord(JSON.stringify({ ...plain, requestParameters: { path: 'C:\\tmp\\"x"', deep } }))).toBe(true);
  });
});

function depthOf(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depthOf));
  if (value !== null && typeof value === 'object') return 1 + Math.max(0, ...Object.values(value).map(depthOf));
  return 0;
}

describe('splitRecordsArray', () => {
  it('finds each record of a log file, whatever the spacing and string content', () => {
    const records = [sshWorldRecord(), { ...describeRecord(), odd: 'quote " brace } bracket ] slash \\ ' }, {}];
    for (const text of [
      JSON.stringify({ Records: records }),
      JSON.stringify({ Records: records }, null, 2),
      `\ufeff ${JSON.stringify({ Records: records })} \n`,
    ]) {
      const spans = splitRecordsArray(text);
      expect(spans?.map(([s, e]) => JSON.parse(text.slice(s, e)))).toEqual(records);
    }
    expect(splitRecordsArray('{"Records":[]}')).toEqual([]);
  });

  it('declines anything that is not exactly a Records array of objects', () => {
    for (const text of [
      '{"Records":[{"a":1}],"x":1}',
      '{"x":1,"Records":[]}',
      '{"Records":[1]}',
      '{"Records":[{"a":"}]}',
      '{"Records":[{"a":1}',
      '[{"a":1}]',
      '{"Records":[{"a":1}]} x',
      '{"Records":[{"a":[}]}',
    ]) {
      expect(splitRecordsArray(text), text).toBeUndefined();
    }
  });
});
