/**
 * `jetkube export -o FILE` writes the live log (or a range of it) to a file of checksummed
 * msgpack frames; `jetkube import -f FILE` appends a file's events to an empty log, each
 * as the same compare-and-set the API server makes, so the result is a log the API server
 * replays like any other. Imported into an empty stream, a log that started at revision 1
 * keeps every resourceVersion.
 */
import { connectNats, drainNats } from '../../streams/connection.ts';
import { ensureRegistryStream } from '../../streams/registry-stream.ts';
import { RegistryLog } from '../../streams/registry-log.ts';
import { registrySubject } from '../../streams/subjects.ts';
import { readLogFile, writeLogFile } from '../store/log-file.ts';
import { STDIO, type CommandIo } from '../present/io.ts';
import { progress } from '../present/progress.ts';
import { NATS_FLAG, natsUrlFrom, parseFlags } from './flags.ts';
import { openLogSource } from './log-source.ts';

const EXPORT_HELP = `Usage: jetkube export -o FILE [--from REVISION] [--to REVISION] [--nats-url URL] [--progress]
Secrets are written as the log holds them: encrypted when the cluster has an encryption config
(\`jetkube replay --file FILE --encryption-provider-config CONFIG\` opens them; \`jetkube import\`
stores the same ciphertext, so the importing cluster needs the key in its config).
`;
const IMPORT_HELP = `Usage: jetkube import -f FILE [--nats-url URL] [--progress]   (the log must be empty)\n`;
const PROGRESS_FLAG = { progress: { type: 'boolean' } } as const;

export async function exportCommand(args: string[], io: CommandIo = STDIO): Promise<number> {
  const { values } = parseFlags(
    args,
    { ...NATS_FLAG, ...PROGRESS_FLAG, output: { type: 'string', short: 'o' }, from: { type: 'string' }, to: { type: 'string' } },
    EXPORT_HELP,
  );
  const file = values.output as string | undefined;
  if (!file) throw new Error(`export needs -o FILE\n${EXPORT_HELP}`);
  const source = await openLogSource({
    natsUrl: natsUrlFrom(values),
    fromSeq: values.from ? Number(values.from) : undefined,
    toSeq: values.to ? Number(values.to) : undefined,
  });
  const bar = progress(`exporting ${source.describe}`, source.total, { force: values.progress === true });
  let written = 0;
  try {
    await writeLogFile(file, source.entries, (count: number) => {
      written = count;
      bar.update(count);
    });
  } finally {
    await source.close();
  }
  bar.finish(written);
  io.out(`wrote ${written} events to ${file}\n`);
  return 0;
}

export async function importCommand(args: string[], io: CommandIo = STDIO): Promise<number> {
  const { values } = parseFlags(args, { ...NATS_FLAG, ...PROGRESS_FLAG, filename: { type: 'string', short: 'f' } }, IMPORT_HELP);
  const file = values.filename as string | undefined;
  if (!file) throw new Error(`import needs -f FILE\n${IMPORT_HELP}`);
  const nc = await connectNats(natsUrlFrom(values), 'jetkube-import');
  try {
    await ensureRegistryStream(nc);
    const log = new RegistryLog(nc);
    const { lastSeq } = await log.bounds();
    if (lastSeq > 0) throw new Error(`the log already holds ${lastSeq} events; import only into an empty cluster (a new --data-dir)`);
    const bar = progress(`importing ${file}`, undefined, { force: values.progress === true });
    // The sequence each subject got in the new log: the expected last sequence of its next event.
    const lastOfSubject = new Map<string, number>();
    let count = 0;
    for await (const entry of readLogFile(file)) {
      const subject = registrySubject(entry.key);
      const { seq } = await log.append(entry.key, { type: entry.type, object: entry.object }, { expectedLastSubjectSeq: lastOfSubject.get(subject) ?? 0 });
      lastOfSubject.set(subject, seq);
      bar.update(++count);
    }
    bar.finish(count);
    io.out(`imported ${count} events from ${file}\n`);
    return 0;
  } finally {
    await drainNats(nc);
  }
}
