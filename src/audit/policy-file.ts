/** Reads --audit-policy-file: a missing or wrong file is an error that names it. */
import { readFile } from 'node:fs/promises';
import { AuditPolicyError, parseAuditPolicy, type AuditPolicy } from './policy.ts';

export async function readAuditPolicy(path: string): Promise<AuditPolicy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new AuditPolicyError(`cannot read the audit policy file ${path}: ${(error as Error).message}`);
  }
  return parseAuditPolicy(text, path);
}
