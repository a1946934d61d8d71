/**
 * The CloudTrail S3 layout, `[prefix/]AWSLogs/[o-org/]<account>/CloudTrail/<region>/YYYY/MM/DD/<file>.json.gz`, read
 * from a path or key: the day lets a backtest skip whole days outside its window without opening a file, and digest
 * files (`CloudTrail-Digest/`, signatures, not records) are left out.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html
 */

/** What a CloudTrail log path says about its content. */
export interface LogPlace {
  account: string;
  region: string;
  /** YYYY-MM-DD (UTC) of the records inside. */
  day: string;
}

const LOG_PATH = /AWSLogs\/(?:o-[a-z0-9]+\/)?(\d{12})\/CloudTrail\/([a-z0-9-]+)\/(\d{4})\/(\d{2})\/(\d{2})\//;

/** Files a backtest reads: JSON, JSON Lines and gzip of either. */
const INPUT_FILE = /\.(json|jsonl|ndjson|gz)$/i;

/** The account, region and day of a CloudTrail log path, when it follows the layout. */
export function logPlace(path: string): LogPlace | undefined {
  const m = LOG_PATH.exec(path.replace(/\\/g, '/'));
  if (!m) return undefined;
  return { account: m[1]!, region: m[2]!, day: `${m[3]}-${m[4]}-${m[5]}` };
}

/** A day window, inclusive, as YYYY-MM-DD strings (they compare correctly as text). */
export interface DayWindow {
  from?: string;
  to?: string;
}

/**
 * True when a file should be read: an input extension, not a digest file, and (when its path carries a day) inside
 * the window. Files outside the layout are always read; their records are filtered by time later.
 */
export function wantedLogPath(path: string, window: DayWindow = {}): boolean {
  const normal = path.replace(/\\/g, '/');
  if (!INPUT_FILE.test(normal) || /\/CloudTrail-Digest\//.test(normal) || /\/\.[^/]*$/.test(normal)) return false;
  const place = logPlace(normal);
  if (place === undefined) return true;
  if (window.from !== undefined && place.day < window.from) return false;
  if (window.to !== undefined && place.day > window.to) return false;
  return true;
}
