/** What the pipeline's security steps need from the cluster PKI: the key that signs ServiceAccount tokens. */
import { loadPki } from '../http/pki.ts';
import type { SecuritySources } from '../apiserver/pipeline.ts';
import { tokenIssuer } from './service-account-token.ts';

export async function loadSecuritySources(pkiDir: string): Promise<SecuritySources> {
  const pki = await loadPki(pkiDir);
  return { tokenIssuer: await tokenIssuer(pki.serviceAccountKey) };
}
