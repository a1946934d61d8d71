/**
 * A checker for CloudWatch Contributor Insights rule bodies, written from the documented rule syntax (there is no
 * offline validator): Schema `{"Name": "CloudWatchLogRule", "Version": 1}`; `LogGroupNames` (or `LogGroupARNs`, not
 * both); `LogFormat` JSON or CLF; for CLF, `Fields` maps 1-based positions to names; `Contribution.Keys` 1–4 fields;
 * `ValueOf` only with `AggregateOn: Sum`; at most 4 `Filters`, each a `Match` plus exactly one operator — `In`,
 * `NotIn`, `StartsWith` with 1–10 strings, `GreaterThan`, `LessThan`, `EqualTo`, `NotEqualTo` with a number,
 * `IsPresent` with a boolean; `AggregateOn` Count or Sum. Field references must name a `Fields` alias (CLF) or a
 * `$.` JSON path (JSON).
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/ContributorInsights-RuleSyntax.html
 */
export function insightRuleProblems(body: unknown): string[] {
  const problems: string[] = [];
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(body)) return ['rule body is not a JSON object'];
  const known = new Set([
    'Schema',
    'LogGroupNames',
    'LogGroupARNs',
    'LogFormat',
    'Fields',
    'Contribution',
    'AggregateOn',
  ]);
  for (const k of Object.keys(body)) if (!known.has(k)) problems.push(`unknown top-level key ${k}`);
  if (JSON.stringify(body['Schema']) !== JSON.stringify({ Name: 'CloudWatchLogRule', Version: 1 }))
    problems.push('Schema must be {"Name": "CloudWatchLogRule", "Version": 1}');
  const groups = body['LogGroupNames'] ?? body['LogGroupARNs'];
  if (body['LogGroupNames'] !== undefined && body['LogGroupARNs'] !== undefined)
    problems.push('LogGroupNames and LogGroupARNs are exclusive');
  if (!Array.isArray(groups) || groups.length === 0 || !groups.every((g) => typeof g === 'string' && g !== ''))
    problems.push('LogGroupNames must be a non-empty array of strings');
  const format = body['LogFormat'];
  if (format !== 'JSON' && format !== 'CLF') problems.push('LogFormat must be JSON or CLF');
  const aliases = new Set<string>();
  if (format === 'CLF' && body['Fields'] !== undefined) {
    if (!isObject(body['Fields'])) problems.push('Fields must be an object');
    else
      for (const [position, name] of Object.entries(body['Fields'])) {
        if (!/^[1-9]\d*$/.test(position)) problems.push(`Fields key ${position} is not a 1-based position`);
        if (typeof name !== 'string' || name === '') problems.push(`Fields[${position}] is not a name`);
        else if (aliases.has(name)) problems.push(`Fields alias ${name} used twice`);
        else aliases.add(name);
      }
  }
  const field = (name: unknown, where: string) => {
    if (typeof name !== 'string' || name === '') problems.push(`${where} must name a field`);
    else if (format === 'JSON' ? !name.startsWith('$.') : !aliases.has(name) && !/^[1-9]\d*$/.test(name))
      problems.push(
        `${where} ${name} is not a field of the rule (${format === 'CLF' ? 'a Fields alias or position' : 'a $. path'})`,
      );
  };
  const c = body['Contribution'];
  if (!isObject(c)) problems.push('Contribution must be an object');
  else {
    const keys = c['Keys'];
    if (!Array.isArray(keys) || keys.length < 1 || keys.length > 4)
      problems.push('Contribution.Keys must hold 1 to 4 fields');
    else for (const [i, k] of keys.entries()) field(k, `Keys[${i}]`);
    if (c['ValueOf'] !== undefined) {
      field(c['ValueOf'], 'ValueOf');
      if (body['AggregateOn'] !== 'Sum') problems.push('ValueOf is only allowed with AggregateOn Sum');
    }
    const filters = c['Filters'] ?? [];
    if (!Array.isArray(filters) || filters.length > 4) problems.push('Filters must be an array of at most 4');
    else
      for (const [i, f] of filters.entries()) {
        if (!isObject(f)) {
          problems.push(`Filters[${i}] is not an object`);
          continue;
        }
        field(f['Match'], `Filters[${i}].Match`);
        const ops = Object.keys(f).filter((k) => k !== 'Match');
        if (ops.length !== 1) {
          problems.push(`Filters[${i}] needs exactly one operator, has ${ops.join(', ') || 'none'}`);
          continue;
        }
        const op = ops[0] as string;
        const v = f[op];
        if (['In', 'NotIn', 'StartsWith'].includes(op)) {
          if (!Array.isArray(v) || v.length < 1 || v.length > 10 || !v.every((x) => typeof x === 'string'))
            problems.push(`Filters[${i}].${op} must hold 1 to 10 strings`);
        } else if (['GreaterThan', 'LessThan', 'EqualTo', 'NotEqualTo'].includes(op)) {
          if (typeof v !== 'number') problems.push(`Filters[${i}].${op} must be a number`);
        } else if (op === 'IsPresent') {
          if (typeof v !== 'boolean') problems.push(`Filters[${i}].IsPresent must be true or false`);
        } else problems.push(`Filters[${i}]: unknown operator ${op}`);
      }
  }
  if (body['AggregateOn'] !== 'Count' && body['AggregateOn'] !== 'Sum')
    problems.push('AggregateOn must be Count or Sum');
  return problems;
}
