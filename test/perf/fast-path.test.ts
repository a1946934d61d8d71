import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { classifyValue, emptyClassified, type Classified } from '../../shared/engine/classify.ts';
import { classifyText, SKIPPED_REASON, type TextUnit } from '../../shared/engine/classify-text.ts';
import { splitRecordsArray } from '../../shared/envelope/records-split.ts';
import { EMPTY_CONTEXT } from '../../shared/model/rule.ts';
import { canSkipRecord } from '../../shared/sources/cloudtrail/prescan.ts';
import { CORPUS_DIR, HAS_CORPUS, REPO_ROOT, corpusInput, loadCorpus } from '../support/corpus.ts';
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
    for (const name of readdirSync(join(REPO_ROOT, 'events', sub)).filter((n) => n.endsWith('.json'))) out.push({ name: `${sub}/${name}`, text: readFileSync(join(REPO_ROOT, 'events', sub, name), 'utf8') });
  }
  return out;
}

describe.skipIf(!HAS_CORPUS)('fast path = full path', () => {
  const consoleLines = gunzipSync(readFileSync(join(CORPUS_DIR, 'streams/console-sessions.jsonl.gz'))).toString('utf8').split('\n').filter((l) => l.trim() !== '');

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
      const units = [line(JSON.stringify(input)), doc(JSON.stringify(input, null, 2)), doc(JSON.stringify({ Records: [input, describeRecord()] }))];
      for (const unit of units) expect(comparable(run([unit], true)), c.id).toEqual(comparable(run([unit], false)));
    }
  });

  it('every sample in events/ (envelopes, SQS batches, Config notifications)', () => {
    for (const sample of eventSamples()) {
      for (const unit of [doc(sample.text), line(JSON.stringify(JSON.parse(sample.text)))]) expect(comparable(run([unit], true)), sample.name).toEqual(comparable(run([unit], false)));
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
    expect(canSkipRecord(`{"x":"\\"eventName\\":\\"AuthorizeSecurityGroupIngress\\"",${JSON.stringify(plain).slice(1)}`)).toBe(false);
  });

  it('whenever it skips, the full path yields exactly one ignored record', () => {
    const texts = [JSON.stringify(describeRecord()), ...eventSamples().map((s) => s.text), ...(HAS_CORPUS ? loadCorpus().map((c) => JSON.stringify(corpusInput(c))) : [])];
    for (const text of texts) {
      if (!canSkipRecord(text)) continue;
      const full = classifyValue(JSON.parse(text), {}, deps);
      expect({ records: full.records, ignored: full.ignored.length, findings: full.findings.length, errors: full.errors.length }).toEqual({ records: 1, ignored: 1, findings: 0, errors: 0 });
    }
  });
});

describe('splitRecordsArray', () => {
  it('finds each record of a log file, whatever the spacing and string content', () => {
    const records = [sshWorldRecord(), { ...describeRecord(), odd: 'quote " brace } bracket ] slash \\ ' }, {}];
    for (const text of [JSON.stringify({ Records: records }), JSON.stringify({ Records: records }, null, 2), `\ufeff ${JSON.stringify({ Records: records })} \n`]) {
      const spans = splitRecordsArray(text);
      expect(spans?.map(([s, e]) => JSON.parse(text.slice(s, e)))).toEqual(records);
    }
    expect(splitRecordsArray('{"Records":[]}')).toEqual([]);
  });

  it('declines anything that is not exactly a Records array of objects', () => {
    for (const text of ['{"Records":[{"a":1}],"x":1}', '{"x":1,"Records":[]}', '{"Records":[1]}', '{"Records":[{"a":"}]}', '{"Records":[{"a":1}', '[{"a":1}]', '{"Records":[{"a":1}]} x', '{"Records":[{"a":[}]}']) {
      expect(splitRecordsArray(text), text).toBeUndefined();
    }
  });
});
