/** `jetkube delete <resource> <name>... | -f FILE`: delete over the NATS API face. */
import { StatusError } from '../api/errors.ts';
import { resourceForKind } from '../api/registry.ts';
import type { ResourceType } from '../api/resource-type.ts';
import { ApiClient } from '../client/api-client.ts';
import type { PropagationPolicy } from '../apiserver/request.ts';
import { qualifiedKind } from '../present/print.ts';
import { NATS_FLAG, natsUrlFrom, parseFlags } from './flags.ts';
import { readManifests } from './manifests.ts';
import { resourceArg } from './resource-arg.ts';

const HELP = `Usage: jetkube delete <resource> <name>... [flags] | jetkube delete -f FILE

  -n, --namespace NS     namespace (default "default")
  -f, --filename FILE    delete the objects a manifest names
      --cascade POLICY   background (default), foreground or orphan
      --nats-url URL     NATS server (default $NATS_URL or nats://127.0.0.1:4222)
`;

const CASCADE: Record<string, PropagationPolicy> = { background: 'Background', foreground: 'Foreground', orphan: 'Orphan' };

export async function deleteCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    args,
    {
      ...NATS_FLAG,
      namespace: { type: 'string', short: 'n' },
      filename: { type: 'string', short: 'f', multiple: true },
      cascade: { type: 'string' },
    },
    HELP,
  );
  const cascade = CASCADE[(values.cascade as string | undefined) ?? 'background'];
  if (!cascade) throw new Error(`--cascade must be background, foreground or orphan`);
  const defaultNamespace = (values.namespace as string | undefined) ?? 'default';
  const targets: { rt: ResourceType; namespace: string | undefined; name: string }[] = [];
  for (const { object } of await readManifests((values.filename as string[] | undefined) ?? [])) {
    const rt = resourceForKind(object.apiVersion, object.kind);
    if (!rt) throw new Error(`no matches for kind "${object.kind}" in version "${object.apiVersion}"`);
    targets.push({ rt, namespace: rt.namespaced ? (object.metadata.namespace ?? defaultNamespace) : undefined, name: object.metadata.name ?? '' });
  }
  if (positionals.length > 0) {
    const { rt, name } = resourceArg(positionals[0]!);
    const names = name ? [name, ...positionals.slice(1)] : positionals.slice(1);
    if (names.length === 0) throw new Error('resource(s) were provided, but no name was specified');
    for (const n of names) targets.push({ rt, namespace: rt.namespaced ? defaultNamespace : undefined, name: n });
  }
  if (targets.length === 0) {
    process.stderr.write(HELP);
    return 1;
  }
  const client = await ApiClient.connect(natsUrlFrom(values), 'jetkube-cli');
  let failures = 0;
  try {
    for (const { rt, namespace, name } of targets) {
      try {
        await client.delete(rt.key, namespace, name, { propagationPolicy: cascade });
        process.stdout.write(`${qualifiedKind(rt)} "${name}" deleted\n`);
      } catch (error) {
        failures++;
        process.stderr.write(error instanceof StatusError ? `Error from server (${error.reason}): ${error.message}\n` : `${String(error)}\n`);
      }
    }
  } finally {
    await client.close();
  }
  return failures > 0 ? 1 : 0;
}
