/**
 * `jetkube <command>`: the command line. Each command lives in its own file; this one
 * parses the command name and hands over. Errors from the API print as kubectl prints
 * them (`Error from server (NotFound): ...`) and exit 1.
 */
import { StatusError } from '../api/errors.ts';
import { applyCommand } from './apply.ts';
import { deleteCommand } from './delete.ts';
import { exportCommand, importCommand } from './export-import.ts';
import { getCommand } from './get.ts';
import { compactCommand } from './compact.ts';
import { kubeconfigCommand } from './kubeconfig-user.ts';
import { replayCommand } from './replay.ts';
import { runCommand, upCommand } from './up.ts';

const COMMANDS: Record<string, { run: (args: string[]) => Promise<number | void>; summary: string }> = {
  up: { run: upCommand, summary: 'start NATS (if needed) and the control plane; Ctrl-C stops it' },
  run: { run: runCommand, summary: 'run one component alone against a NATS URL (run apiserver | controller-manager)' },
  get: { run: getCommand, summary: 'list or get objects over the NATS API face' },
  apply: { run: applyCommand, summary: 'create or update objects from YAML/JSON files (-f)' },
  delete: { run: deleteCommand, summary: 'delete objects by name or from files (-f)' },
  replay: { run: replayCommand, summary: 'the past: --at a revision or time (--serve for kubectl), history, why, controllers' },
  export: { run: exportCommand, summary: 'write the event log to a file' },
  import: { run: importCommand, summary: 'append the events of a file to an empty log' },
  compact: { run: compactCommand, summary: 'purge log history before a snapshot (--before REV, --keep-snapshots N, --snapshot)' },
  audit: { run: (args) => import('./audit.ts').then((m) => m.auditCommand(args)), summary: 'the audit trail of writes: --user --verb --resource -n --since --code, -f, -o json' },
  'nats-credentials': { run: (args) => import('./nats-credentials.ts').then((m) => m.natsCredentialsCommand(args)), summary: 'make the NATS users\' keys of a data dir (what nats-server -c nats.conf needs)' },
  kubeconfig: { run: kubeconfigCommand, summary: 'a kubeconfig for another user (--user NAME --group G), its certificate signed by the cluster CA' },
  encryption: { run: (args) => import('./encryption.ts').then((m) => m.encryptionCommand(args)), summary: 'the keys sealing Secrets in the log: rotate, rewrite' },
};

export function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`);
  return `jetkube: a Kubernetes control plane on NATS JetStream

Usage: jetkube <command> [flags]   (jetkube <command> --help for its flags)

Commands:
${lines.join('\n')}

Environment: NATS_URL (default nats://127.0.0.1:4222), LOG_LEVEL (default info)
`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 1;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`jetkube: unknown command "${name}"\n\n${usage()}`);
    return 1;
  }
  return (await command.run(rest)) ?? 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof StatusError) {
      process.stderr.write(`Error from server (${error.reason}): ${error.message}\n`);
    } else {
      process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    process.exitCode = 1;
  },
);
