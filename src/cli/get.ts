/** `jetkube get <resource> [name...]`: objects over the NATS API face, printed as kubectl would. */
import type { KubeObject } from '../api/object.ts';
import { ApiClient } from '../client/api-client.ts';
import { formatObjects, OUTPUT_FORMATS, type OutputFormat } from '../present/print.ts';
import { NATS_FLAG, natsUrlFrom, parseFlags } from './flags.ts';
import { resourceArg } from './resource-arg.ts';

const HELP = `Usage: jetkube get <resource>[/<name>] [name...] [flags]

  -n, --namespace NS       namespace (default "default")
  -A, --all-namespaces     every namespace
  -o, --output FORMAT      table (default), wide, yaml, json, name
  -l, --selector SEL       label selector, e.g. app=web,tier!=db
      --field-selector SEL field selector, e.g. metadata.name=web
      --nats-url URL       NATS server (default $NATS_URL or nats://127.0.0.1:4222)
`;

export async function getCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    args,
    {
      ...NATS_FLAG,
      namespace: { type: 'string', short: 'n' },
      'all-namespaces': { type: 'boolean', short: 'A' },
      output: { type: 'string', short: 'o' },
      selector: { type: 'string', short: 'l' },
      'field-selector': { type: 'string' },
    },
    HELP,
  );
  const [resourceText, ...names] = positionals;
  if (!resourceText) {
    process.stderr.write(HELP);
    return 1;
  }
  const format = ((values.output as string | undefined) ?? 'table') as OutputFormat;
  if (!OUTPUT_FORMATS.includes(format)) throw new Error(`unknown output format "${format}"; use one of ${OUTPUT_FORMATS.join(', ')}`);
  const { rt, name } = resourceArg(resourceText);
  if (name) names.unshift(name);
  const allNamespaces = rt.namespaced && values['all-namespaces'] === true;
  const namespace = rt.namespaced && !allNamespaces ? ((values.namespace as string | undefined) ?? 'default') : undefined;

  const client = await ApiClient.connect(natsUrlFrom(values), 'jetkube-cli');
  try {
    let objects: KubeObject[];
    if (names.length > 0) {
      objects = [];
      for (const n of names) objects.push(await client.get(rt.key, namespace, n));
    } else {
      const options: { labelSelector?: string; fieldSelector?: string } = {};
      if (values.selector) options.labelSelector = values.selector as string;
      if (values['field-selector']) options.fieldSelector = values['field-selector'] as string;
      objects = (await client.listAll(rt.key, namespace, options)).items;
      if (objects.length === 0 && (format === 'table' || format === 'wide')) {
        process.stderr.write(namespace ? `No resources found in ${namespace} namespace.\n` : 'No resources found\n');
        return 0;
      }
    }
    process.stdout.write(formatObjects(objects, rt, format, { allNamespaces, asList: names.length !== 1 }));
    return 0;
  } finally {
    await client.close();
  }
}
