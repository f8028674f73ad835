/**
 * /healthz, /livez and /readyz as the API server answers them: named checks, each
 * passing or failing with a reason; `?verbose` lists them (`[+]ping ok`, `[-]log failed:
 * reason withheld`), `?exclude=name` skips some, `/readyz/<name>` runs one. A failure is
 * a 500 whose body is the verbose list, so `kubectl get --raw /readyz` shows what is
 * wrong. Pure formatting here; the checks themselves are given.
 */
export type Endpoint = 'healthz' | 'livez' | 'readyz';

export interface HealthCheck {
  name: string;
  /** Which endpoints run it: liveness checks run everywhere, readiness ones only on /readyz and /healthz. */
  readinessOnly?: boolean;
  /** Resolves when healthy; throws (or rejects) with the reason otherwise. */
  run(): Promise<void> | void;
}

export interface HealthAnswer {
  code: 200 | 404 | 500;
  body: string;
}

export async function answerHealth(endpoint: Endpoint, checks: readonly HealthCheck[], query: URLSearchParams, only?: string): Promise<HealthAnswer> {
  const applicable = checks.filter((c) => endpoint !== 'livez' || !c.readinessOnly);
  if (only !== undefined) {
    const check = applicable.find((c) => c.name === only);
    if (!check) return { code: 404, body: `404 page not found\n` };
    const failure = await failureOf(check);
    return failure === undefined ? { code: 200, body: 'ok' } : { code: 500, body: `internal server error: ${failure}\n` };
  }
  const excluded = new Set(query.getAll('exclude').flatMap((e) => e.split(',')));
  const results = await Promise.all(applicable.filter((c) => !excluded.has(c.name)).map(async (c) => ({ name: c.name, failure: await failureOf(c) })));
  const failed = results.some((r) => r.failure !== undefined);
  const verbose = query.has('verbose');
  if (!failed && !verbose) return { code: 200, body: 'ok' };
  const lines = results.map((r) => (r.failure === undefined ? `[+]${r.name} ok` : `[-]${r.name} failed: reason withheld`));
  for (const name of excluded) lines.push(`[+]${name} excluded: ok`);
  lines.push(`${endpoint} check ${failed ? 'failed' : 'passed'}`);
  return { code: failed ? 500 : 200, body: `${lines.join('\n')}\n` };
}

async function failureOf(check: HealthCheck): Promise<string | undefined> {
  try {
    await check.run();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Rejects after ms: a check that hangs counts as failed. */
export function within<T>(ms: number, work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
