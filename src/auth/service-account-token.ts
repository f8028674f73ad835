/**
 * ServiceAccount tokens: ES256 JWTs with Kubernetes' claims (iss, sub, aud, exp, and the
 * kubernetes.io claim naming the namespace, the ServiceAccount and the pod it is bound
 * to), signed and verified with `jose`, by the key pair under <data-dir>/pki (sa.key,
 * sa.pub, made by ensurePki). Verifying checks the signature, the dates, the issuer and
 * the audience only: whether the ServiceAccount (and pod) still exist is the
 * authenticator's question, asked of the store.
 */
import { importPKCS8, importSPKI, jwtVerify, SignJWT, type CryptoKey } from 'jose';

export const ISSUER = 'https://kubernetes.default.svc.cluster.local';
export const DEFAULT_AUDIENCE = ISSUER;
const ALGORITHM = 'ES256';

export interface BoundTokenClaims {
  namespace: string;
  serviceAccount: { name: string; uid: string };
  pod?: { name: string; uid: string };
  audiences: string[];
  /** Seconds since the epoch. */
  issuedAt: number;
  expiresAt: number;
}

export interface ServiceAccountTokenIssuer {
  sign(claims: BoundTokenClaims): Promise<string>;
}

export interface ServiceAccountTokenVerifier {
  /** The claims of a valid token, or undefined (bad signature, expired, another issuer or audience, not a JWT). */
  verify(token: string, now: Date): Promise<BoundTokenClaims | undefined>;
}

interface KubernetesClaim {
  namespace: string;
  serviceaccount: { name: string; uid: string };
  pod?: { name: string; uid: string };
}

export async function tokenIssuer(privateKeyPem: string): Promise<ServiceAccountTokenIssuer> {
  const key: CryptoKey = await importPKCS8(privateKeyPem, ALGORITHM);
  return {
    sign: (claims) =>
      new SignJWT({
        'kubernetes.io': {
          namespace: claims.namespace,
          serviceaccount: claims.serviceAccount,
          ...(claims.pod ? { pod: claims.pod } : {}),
        } satisfies KubernetesClaim,
      })
        .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
        .setIssuer(ISSUER)
        .setSubject(`system:serviceaccount:${claims.namespace}:${claims.serviceAccount.name}`)
        .setAudience(claims.audiences)
        .setIssuedAt(claims.issuedAt)
        .setNotBefore(claims.issuedAt)
        .setExpirationTime(claims.expiresAt)
        .sign(key),
  };
}

export async function tokenVerifier(publicKeyPem: string, audiences: string[] = [DEFAULT_AUDIENCE]): Promise<ServiceAccountTokenVerifier> {
  const key: CryptoKey = await importSPKI(publicKeyPem, ALGORITHM);
  return {
    async verify(token, now) {
      try {
        const { payload } = await jwtVerify(token, key, { issuer: ISSUER, audience: audiences, algorithms: [ALGORITHM], currentDate: now });
        const k8s = payload['kubernetes.io'] as KubernetesClaim | undefined;
        if (!k8s?.namespace || !k8s.serviceaccount?.name || !k8s.serviceaccount.uid) return undefined;
        if (payload.sub !== `system:serviceaccount:${k8s.namespace}:${k8s.serviceaccount.name}`) return undefined;
        return {
          namespace: k8s.namespace,
          serviceAccount: k8s.serviceaccount,
          ...(k8s.pod ? { pod: k8s.pod } : {}),
          audiences: Array.isArray(payload.aud) ? payload.aud : payload.aud ? [payload.aud] : [],
          issuedAt: payload.iat ?? 0,
          expiresAt: payload.exp ?? 0,
        };
      } catch {
        return undefined;
      }
    },
  };
}

/** A JWT has three base64url parts; anything else is a static token. */
export const looksLikeJwt = (token: string) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);
