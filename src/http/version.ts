/**
 * What /version answers. The machine's kubectl is a dispatcher that runs the kubectl
 * release matching the server's minor version, so the minor here picks the client: "32"
 * gets kubectl v1.32, whose requests the HTTP face was written against (KUBECTL.md).
 */
export const KUBERNETES_VERSION = { major: '1', minor: '32', patch: '4' } as const;

export function versionInfo(now = new Date()) {
  const { major, minor, patch } = KUBERNETES_VERSION;
  return {
    major,
    minor,
    gitVersion: `v${major}.${minor}.${patch}-jetkube`,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    goVersion: `node${process.versions.node}`,
    compiler: 'tsx',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}
