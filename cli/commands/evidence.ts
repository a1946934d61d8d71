import { createReadStream } from 'node:fs';
import { open, readFile, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { FlowLogFormatError, parseFlowLogFormat } from '../../shared/1-ingest/flow-logs/format.ts';
import { isGzip } from '../../shared/1-ingest/envelope/decode.ts';
import { gatherTrafficEvidence, sourceScopeOf, wantsEvidence } from '../../shared/2-enrich/traffic/evidence.ts';
import { FlowRowAggregator } from '../../shared/2-enrich/traffic/local.ts';
import { type PortFilter, portScopeOf, protocolNumber } from '../../shared/2-enrich/traffic/scope.ts';
import { trafficLines } from '../../shared/6-deliver/sinks/format/traffic.ts';
import { printableCopy } from '../../shared/platform/printable.ts';
import { parseEvidenceRequest } from '../../shared/lambda/evidence-handler.ts';
import type { Category } from '../../shared/model/category.ts';
import type { SgPermissionDelta } from '../../shared/model/change.ts';
import type { Finding } from '../../shared/model/finding.ts';
import type { TrafficEvidence } from '../../shared/model/traffic.ts';
import { createAwsClients } from '../../shared/platform/aws/clients.ts';
import { awsReady } from '../aws-problem.ts';
import { count } from '../../shared/platform/plural.ts';
import { errorText, MalformedInputError } from '../../shared/platform/errors.ts';
import { renderEvidenceHtml } from '../evidence/report-html.ts';
import { expandInputs } from '../inputs.ts';
import { timeOption } from './backtest.ts';
import { type Command, EXIT, listFlag, stringFlag, UsageError, writeLines } from './command.ts';
import { parseFindingLines } from './findings-input.ts';

/**
 * `netwatch evidence <fingerprint|sg-…|vpce-…|vpce-svc-…|rtb-…>`: the traffic-evidence step from a laptop — live
 * (AWS credentials: the same EC2 look-ups and Logs Insights query the deployed function runs) or offline over flow-log
 * files (`--files`, default or custom format, plain or gzip; S3 files carry their own header line).
 */
const HELP = `Usage: netwatch evidence TARGET [options]

What the VPC flow logs show since an exposure opened: how many external sources connected, on which ports,
accepted vs rejected, top sources and bytes — the evidence the deployed stack sends as a follow-up.

TARGET is a finding fingerprint (with --findings), or a resource id: sg-… (an SG opened to the world), vpce-…
(an endpoint policy loosened), vpce-svc-… (an endpoint service opened), rtb-… (a route to an internet gateway).

Live (default; AWS credentials from the usual chain):
  netwatch evidence sg-0a1b2c3d4e5f60718 --since 2026-11-20T09:14:03Z --ports tcp/22
  netwatch evidence 4f1d2c3b --findings findings.jsonl          # since the finding's change time
Offline, over flow-log files (no AWS access):
  netwatch evidence sg-0a1b2c3d4e5f60718 --files flow-logs/ --eni eni-0a1b2c3d4e5f60718 --since 2026-11-20T09:14:03Z --ports tcp/22

Options:
  --since WHEN           window start: 7d, 12h, 30m, or a date/time (default: the finding's change time; 24h for an id)
  --until WHEN           window end (default: now)
  --findings FILE|-      findings to look the fingerprint up in: classify --format jsonl output or change records
  --ports LIST           only traffic to these ports, e.g. tcp/22,tcp/8000-8080,udp/53 (default: the finding's ports)
  --sources external|any count only internet sources (default for SGs and routes) or every source (endpoints)
  --files PATH...        offline: flow-log files or directories (*.gz in directories), plain or gzip
  --eni LIST             offline: the interfaces to count (default: every interface in the files)
  --fields FORMAT        offline: the record format when files carry no header (default, or \${version} \${srcaddr} … / a list)
  --region REGION        live: the region (default: the finding's, AWS_REGION)
  --timeout SECONDS      live: time limit of the queries (default 120)
  --format text|json|html  output (default text); html is one self-contained page
  --out FILE             write the output to FILE
  -h, --help             this help

Exit codes: 0 evidence gathered (whatever it says); 1 the look-up or query failed; 2 malformed flow-log lines
(the rest was counted); 64 usage error.`;

const CATEGORY_OF: ReadonlyArray<[RegExp, Category, string]> = [
  [/^sg-[0-9a-f]+$/, 'sg-open-world', 'AWS::EC2::SecurityGroup'],
  [/^vpce-svc-[0-9a-f]+$/, 'endpoint-service-open', 'AWS::EC2::VPCEndpointService'],
  [/^vpce-[0-9a-f]+$/, 'endpoint-policy-loosened', 'AWS::EC2::VPCEndpoint'],
  [/^rtb-[0-9a-f]+$/, 'route-to-igw', 'AWS::EC2::RouteTable'],
];

/** `tcp/22`, `tcp/8000-8080`, `icmp`, `udp/53` → port filters. */
export function parsePorts(list: readonly string[]): PortFilter[] {
  return list.map((item) => {
    const m = /^([a-z0-9]+)(?:\/(\d{1,5})(?:-(\d{1,5}))?)?$/i.exec(item.trim());
    const protocol = m ? protocolNumber(m[1]!.toLowerCase()) : undefined;
    if (!m || protocol === undefined)
      throw new UsageError(`--ports: "${item}" is not like tcp/22, tcp/8000-8080, udp/53 or icmp`);
    if (m[2] === undefined) return { protocol };
    const from = Number(m[2]);
    const to = m[3] === undefined ? from : Number(m[3]);
    if (from > 65535 || to > 65535 || to < from) throw new UsageError(`--ports: bad range "${item}"`);
    return { protocol, from, to };
  });
}

/** A finding standing for "this resource, opened at `since`" when the CLI is given an id instead of a fingerprint. */
function resourceFinding(id: string, since: Date, region: string, ports: readonly PortFilter[]): Finding {
  const match = CATEGORY_OF.find(([re]) => re.test(id));
  if (!match) throw new UsageError(`"${id}" is not a fingerprint, sg-…, vpce-…, vpce-svc-… or rtb-… id`);
  const [, category, type] = match;
  const evidence: SgPermissionDelta[] = ports.map((p) => ({
    kind: 'sg-permission',
    op: 'added',
    groupId: id,
    permission: {
      direction: 'ingress',
      protocol: String(p.protocol ?? 'all'),
      ...(p.from !== undefined ? { fromPort: p.from, toPort: p.to ?? p.from } : {}),
      peer: { kind: 'cidr4', cidr: '0.0.0.0/0' },
    },
  }));
  return {
    fingerprint: `cli-${id}`,
    ruleId: 'cli',
    title: `Traffic of ${id}`,
    summary: `traffic of ${id} since ${since.toISOString()}`,
    severity: 'medium',
    category,
    resource: { type, id },
    account: '',
    region,
    at: since.toISOString(),
    source: 'cloudtrail',
    changeId: 'cli',
    evidence,
    why: [],
  };
}

/** Findings from classify output or change records (JSON Lines). */
async function findingsFrom(file: string): Promise<Finding[]> {
  const text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  const fromClassify = parseFindingLines(text, file);
  const found = [...fromClassify.findings];
  text.split('\n').forEach((line, i) => {
    if (!line.includes('"schemaVersion"')) return;
    try {
      const parsed = parseEvidenceRequest(line, { file: `${file}:${i + 1}` });
      if (parsed.kind === 'evidence') found.push(parsed.finding);
    } catch {
      // Not a change record: classify lines were read above, anything else is reported by the caller's count.
    }
  });
  return found;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The lines of one file, gunzipped when it starts with the gzip magic bytes (not by its name), streamed. */
async function* fileLines(path: string): AsyncGenerator<string> {
  const handle = await open(path);
  const head = Buffer.alloc(2);
  try {
    await handle.read(head, 0, 2, 0);
  } finally {
    await handle.close();
  }
  const raw = createReadStream(path);
  const input: Readable = isGzip(head) ? raw.pipe(createGunzip()) : raw;
  raw.on('error', (error) => input.destroy(error));
  for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) yield line;
}

export const evidenceCommand: Command = {
  help: HELP,
  options: {
    since: { type: 'string' },
    until: { type: 'string' },
    findings: { type: 'string' },
    ports: { type: 'string', multiple: true },
    sources: { type: 'string' },
    files: { type: 'string', multiple: true },
    eni: { type: 'string', multiple: true },
    fields: { type: 'string' },
    region: { type: 'string' },
    timeout: { type: 'string', default: '120' },
    format: { type: 'string', default: 'text' },
    out: { type: 'string' },
  },
  async run(values, inputs) {
    const [target, ...extra] = inputs;
    if (!target || extra.length)
      throw new UsageError('give one TARGET: a fingerprint or an sg-/vpce-/vpce-svc-/rtb- id');
    const output = String(values['format']);
    if (!['text', 'json', 'html'].includes(output))
      throw new UsageError(`--format must be text, json or html, not "${output}"`);
    const now = new Date();
    const until = values['until'] === undefined ? now : timeOption('--until', values['until'], now);
    const portsGiven = listFlag(values, 'ports');
    const ports = portsGiven ? parsePorts(portsGiven) : undefined;
    const sources = stringFlag(values, 'sources');
    if (sources !== undefined && sources !== 'external' && sources !== 'any')
      throw new UsageError(`--sources must be external or any, not "${sources}"`);

    let finding: Finding;
    const region = stringFlag(values, 'region') ?? process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'];
    if (/^[0-9a-f]{8,64}$/.test(target)) {
      const file = stringFlag(values, 'findings');
      if (!file)
        throw new UsageError(
          'a fingerprint needs --findings FILE (classify output or change records) to find the finding',
        );
      const matches = (await findingsFrom(file)).filter((f) => f.fingerprint.startsWith(target));
      const unique = [...new Map(matches.map((f) => [f.fingerprint, f])).values()];
      if (unique.length !== 1)
        throw new UsageError(
          `${unique.length === 0 ? 'no findings' : count(unique.length, 'finding')} in ${file} with fingerprint ${target}…`,
        );
      finding = unique[0]!;
      if (!wantsEvidence(finding))
        throw new UsageError(
          `finding ${finding.fingerprint} is ${finding.category}: traffic evidence answers sg-open-world, endpoint-policy-loosened, endpoint-service-open, route-to-igw`,
        );
      // --ports replaces the finding's own port scope.
      if (ports) finding = { ...finding, evidence: resourceFinding('sg-0', now, finding.region, ports).evidence };
    } else {
      const since = timeOption('--since', values['since'] ?? '24h', now);
      finding = resourceFinding(target, since, region ?? '', ports ?? []);
    }
    const since = values['since'] === undefined ? new Date(finding.at) : timeOption('--since', values['since'], now);

    let evidence: TrafficEvidence;
    let malformed = 0;
    const files = listFlag(values, 'files');
    if (files) {
      let format = parseFlowLogFormat(undefined);
      try {
        format = parseFlowLogFormat(stringFlag(values, 'fields'));
      } catch (error) {
        if (error instanceof FlowLogFormatError) throw new UsageError(`--fields: ${error.message}`);
        throw error;
      }
      const { files: found, errors } = await expandInputs(files);
      for (const e of errors) process.stderr.write(`netwatch: ${e.describe()}\n`);
      const aggregator = new FlowRowAggregator(
        {
          interfaces: listFlag(values, 'eni') ?? [],
          since,
          until,
          ports: portScopeOf(finding),
          sources: (sources as 'external' | 'any' | undefined) ?? sourceScopeOf(finding.category),
        },
        format,
      );
      for (const file of found) {
        const lines: string[] = [];
        try {
          for await (const line of fileLines(file.name)) lines.push(line);
        } catch (cause) {
          aggregator.errors.push(
            new MalformedInputError(`cannot read: ${errorText(cause)}`, { file: file.name }, { cause }),
          );
        }
        aggregator.addLines(lines, file.name);
      }
      for (const e of aggregator.errors.slice(0, 20)) process.stderr.write(`netwatch: ${e.describe()}\n`);
      malformed = aggregator.errors.length + errors.length;
      evidence = aggregator.evidence(
        found.map((f) => f.name),
        now,
      );
    } else {
      if (!region && !finding.region) throw new UsageError('live mode needs a region: --region or AWS_REGION');
      const clients = createAwsClients({ region: region ?? finding.region });
      await awsReady(
        'reading flow logs (EC2 look-ups, CloudWatch Logs Insights); --files reads them offline',
        clients.ec2.config,
      );
      const seconds = Number(values['timeout']);
      if (!Number.isInteger(seconds) || seconds < 5)
        throw new UsageError('--timeout must be a whole number of seconds ≥ 5');
      evidence = await gatherTrafficEvidence(
        {
          finding: { ...finding, region: region ?? finding.region },
          since: since.toISOString(),
          until: until.toISOString(),
        },
        { ec2: clients.ec2, logs: clients.logs, timeoutMs: seconds * 1000 },
      );
    }

    const title = finding.ruleId === 'cli' ? finding.resource.id : `${finding.resource.id} (${finding.title})`;
    const text =
      output === 'json'
        ? `${JSON.stringify(evidence, null, 2)}\n`
        : output === 'html'
          ? renderEvidenceHtml(evidence, { title, ...(finding.ruleId === 'cli' ? {} : { finding }) })
          : // Flow-log and finding text reaches the terminal only through printable() (no escapes, no forged lines).
            `${trafficLines(printableCopy(evidence)).join('\n')}\n`;
    const out = stringFlag(values, 'out');
    if (out) await writeFile(out, text);
    else writeLines([text.replace(/\n$/, '')]);
    if (evidence.status === 'failed' || evidence.status === 'denied') return EXIT.failed;
    return malformed ? EXIT.malformed : EXIT.ok;
  },
};
