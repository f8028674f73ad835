// The rest of kubectl's generators through the HTTPS face: `kubectl create role|
// clusterrole|rolebinding|clusterrolebinding|cronjob|job --from|poddisruptionbudget|quota|
// ingress|deployment|service nodeport` send protobuf bodies (no JSON fallback). Each is
// checked by what kubectl prints and what the store holds. `create job --from=cronjob/x`
// copies a CronJob's whole pod template (applied as YAML: volumes, probes, lifecycle hooks,
// env from selectors, security contexts, affinity) into a protobuf Job, which must arrive
// unchanged. (`create priorityclass` needs a kind the registry lacks, scheduling.k8s.io/v1
// PriorityClass; its body is covered by test/unit/http-protobuf-generators.test.ts.
// `kubectl autoscale` is tested in test/e2e/hpa-autoscale-kubectl.test.ts.)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { kubectlOk, startHttpTestCluster, writeManifest, type HttpTestCluster } from '../support/http-cluster.ts';

const FULL_CRONJOB = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      backoffLimit: 2
      template:
        metadata:
          labels: {app: nightly}
        spec:
          restartPolicy: Never
          securityContext:
            runAsUser: 1000
            runAsNonRoot: true
            fsGroup: 2000
            supplementalGroups: [3000, 4000]
            seccompProfile: {type: RuntimeDefault}
          affinity:
            nodeAffinity:
              requiredDuringSchedulingIgnoredDuringExecution:
                nodeSelectorTerms:
                - matchExpressions: [{key: disk, operator: In, values: [ssd]}]
            podAntiAffinity:
              preferredDuringSchedulingIgnoredDuringExecution:
              - weight: 50
                podAffinityTerm:
                  topologyKey: kubernetes.io/hostname
                  labelSelector: {matchLabels: {app: nightly}}
          tolerations: [{key: dedicated, operator: Equal, value: batch, effect: NoSchedule}]
          topologySpreadConstraints:
          - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: nightly}}}
          hostAliases: [{ip: 127.0.0.2, hostnames: [db.local]}]
          containers:
          - name: main
            image: busybox:1.36
            args: [sleep, "5"]
            env:
            - {name: PLAIN, value: x}
            - name: FROM_CM
              valueFrom: {configMapKeyRef: {name: settings, key: mode, optional: true}}
            - name: POD_NAME
              valueFrom: {fieldRef: {fieldPath: metadata.name}}
            - name: CPU_LIMIT
              valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1m}}
            envFrom: [{prefix: CFG_, configMapRef: {name: settings}}, {secretRef: {name: creds}}]
            resources:
              requests: {cpu: 100m, memory: 64Mi}
              limits: {cpu: 500m, memory: 128Mi}
            ports: [{name: http, containerPort: 8080}]
            volumeMounts:
            - {name: work, mountPath: /work}
            - {name: config, mountPath: /etc/config, readOnly: true}
            livenessProbe:
              httpGet: {path: /healthz, port: http, httpHeaders: [{name: X-Probe, value: "1"}]}
              initialDelaySeconds: 3
            readinessProbe:
              exec: {command: [cat, /work/ready]}
              failureThreshold: 5
            startupProbe:
              tcpSocket: {port: 8080}
            lifecycle:
              preStop: {exec: {command: [sh, -c, sleep 1]}}
            securityContext:
              allowPrivilegeEscalation: false
              readOnlyRootFilesystem: true
              capabilities: {drop: [ALL]}
          volumes:
          - {name: work, emptyDir: {sizeLimit: 10Mi}}
          - name: config
            configMap: {name: settings, defaultMode: 420, items: [{key: mode, path: mode.txt}]}
          - {name: secret, secret: {secretName: creds, optional: true}}
          - {name: host, hostPath: {path: /tmp, type: Directory}}
          - name: proj
            projected:
              sources:
              - downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}
              - serviceAccountToken: {path: token, expirationSeconds: 3600}
          - {name: claim, persistentVolumeClaim: {claimName: data}}
`;

describe('kubectl create (more generators, protobuf bodies) through the HTTPS face', { timeout: 180_000 }, () => {
  let cluster: HttpTestCluster;
  before(async () => {
    cluster = await startHttpTestCluster();
  });
  after(() => cluster?.dispose());

  const ok = async (...args: string[]) => (await kubectlOk(cluster, ...args)).stdout.trim();
  const stored = async (resource: string, namespace: string, name: string) => (await cluster.client.get(resource, namespace, name)) as Record<string, any>;

  it('create role and rolebinding', async () => {
    assert.equal(await ok('create', 'role', 'reader', '--verb=get,list', '--resource=pods,deployments.apps', '--resource-name=web'), 'role.rbac.authorization.k8s.io/reader created');
    const role = await stored('roles.rbac.authorization.k8s.io', 'default', 'reader');
    assert.deepEqual(role.rules, [
      { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'], resourceNames: ['web'] },
      { verbs: ['get', 'list'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'] },
    ]);

    assert.equal(
      await ok('create', 'rolebinding', 'read', '--role=reader', '--user=alice', '--group=devs', '--serviceaccount=default:robot'),
      'rolebinding.rbac.authorization.k8s.io/read created',
    );
    const binding = await stored('rolebindings.rbac.authorization.k8s.io', 'default', 'read');
    assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' });
    assert.deepEqual(
      binding.subjects.map((s: Record<string, string>) => [s.kind, s.name, s.namespace ?? '']),
      [['User', 'alice', ''], ['Group', 'devs', ''], ['ServiceAccount', 'robot', 'default']],
    );
    assert.match(await ok('get', 'rolebinding', 'read', '-o', 'wide'), /^read\s+Role\/reader\s+\S+\s+alice\s+devs\s+default\/robot$/m);
  });

  it('create clusterrole (rules and an aggregation rule) and clusterrolebinding', async () => {
    assert.equal(await ok('create', 'clusterrole', 'node-reader', '--verb=get', '--resource=nodes,pods/log', '--non-resource-url=/healthz'), 'clusterrole.rbac.authorization.k8s.io/node-reader created');
    const role = await stored('clusterroles.rbac.authorization.k8s.io', '', 'node-reader');
    assert.deepEqual(role.rules, [
      { verbs: ['get'], apiGroups: [''], resources: ['nodes', 'pods/log'] },
      { verbs: ['get'], nonResourceURLs: ['/healthz'] },
    ]);
    await ok('create', 'clusterrole', 'monitoring', '--aggregation-rule=rbac.example.com/aggregate-to-monitoring=true');
    assert.deepEqual((await stored('clusterroles.rbac.authorization.k8s.io', '', 'monitoring')).aggregationRule, {
      clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate-to-monitoring': 'true' } }],
    });

    assert.equal(await ok('create', 'clusterrolebinding', 'node-readers', '--clusterrole=node-reader', '--user=bob'), 'clusterrolebinding.rbac.authorization.k8s.io/node-readers created');
    const binding = await stored('clusterrolebindings.rbac.authorization.k8s.io', '', 'node-readers');
    assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'node-reader' });
    assert.deepEqual(binding.subjects, [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'bob' }]);
  });

  it('create cronjob', async () => {
    assert.equal(await ok('create', 'cronjob', 'tick', '--image=busybox', '--schedule=*/5 * * * *', '--restart=OnFailure', '--', 'echo', 'hi'), 'cronjob.batch/tick created');
    const cronJob = await stored('cronjobs.batch', 'default', 'tick');
    assert.equal(cronJob.spec.schedule, '*/5 * * * *');
    const podSpec = cronJob.spec.jobTemplate.spec.template.spec;
    assert.equal(podSpec.restartPolicy, 'OnFailure');
    assert.deepEqual(podSpec.containers.map((c: Record<string, unknown>) => [c.name, c.image, c.command]), [['tick', 'busybox', ['echo', 'hi']]]);
    assert.match(await ok('get', 'cronjob', 'tick'), /^tick\s+\*\/5 \* \* \* \*\s+<none>\s+False\s+0\s+<none>\s+\S+$/m);
  });

  it('create job --from=cronjob: a whole pod template (volumes, probes, security, affinity) arrives unchanged', async () => {
    await ok('apply', '-f', await writeManifest(cluster, 'nightly.yaml', FULL_CRONJOB));
    const cronJob = await stored('cronjobs.batch', 'default', 'nightly');
    assert.equal(await ok('create', 'job', 'nightly-now', '--from=cronjob/nightly'), 'job.batch/nightly-now created');
    const job = await stored('jobs.batch', 'default', 'nightly-now');

    assert.deepEqual(job.spec.template.spec, cronJob.spec.jobTemplate.spec.template.spec);
    assert.equal(job.spec.backoffLimit, 2);
    assert.equal(job.metadata.annotations['cronjob.kubernetes.io/instantiate'], 'manual');
    assert.deepEqual(
      job.metadata.ownerReferences.map((o: Record<string, unknown>) => [o.kind, o.name, o.uid, o.controller]),
      [['CronJob', 'nightly', cronJob.metadata.uid, true]],
    );
    // Spot checks that the inline (embedded) messages landed where JSON has them.
    const [main] = job.spec.template.spec.containers;
    assert.deepEqual(main.livenessProbe.httpGet, { path: '/healthz', port: 'http', scheme: 'HTTP', httpHeaders: [{ name: 'X-Probe', value: '1' }] });
    assert.deepEqual(main.readinessProbe.exec, { command: ['cat', '/work/ready'] });
    assert.deepEqual(main.env[1].valueFrom, { configMapKeyRef: { name: 'settings', key: 'mode', optional: true } });
    assert.deepEqual(main.resources, { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } });
    assert.deepEqual(job.spec.template.spec.volumes[1].configMap, { name: 'settings', defaultMode: 420, items: [{ key: 'mode', path: 'mode.txt' }] });
    assert.equal(job.spec.template.spec.securityContext.runAsNonRoot, true);
  });

  it('create poddisruptionbudget with --min-available and --max-unavailable', async () => {
    assert.equal(await ok('create', 'poddisruptionbudget', 'web-pdb', '--selector=app=web', '--min-available=1'), 'poddisruptionbudget.policy/web-pdb created');
    assert.deepEqual((await stored('poddisruptionbudgets.policy', 'default', 'web-pdb')).spec, { minAvailable: 1, selector: { matchLabels: { app: 'web' } } });
    await ok('create', 'pdb', 'db-pdb', '--selector=app=db', '--max-unavailable=50%');
    assert.deepEqual((await stored('poddisruptionbudgets.policy', 'default', 'db-pdb')).spec, { maxUnavailable: '50%', selector: { matchLabels: { app: 'db' } } });
  });

  it('create quota', async () => {
    assert.equal(await ok('create', 'quota', 'small', '--hard=cpu=1,memory=1G,pods=2', '--scopes=BestEffort'), 'resourcequota/small created');
    assert.deepEqual((await stored('resourcequotas', 'default', 'small')).spec, { hard: { cpu: '1', memory: '1G', pods: '2' }, scopes: ['BestEffort'] });
  });

  it('create ingress with a class, a rule with TLS, an annotation and a default backend', async () => {
    assert.equal(
      await ok('create', 'ingress', 'site', '--class=nginx', '--rule=foo.com/bar*=svc1:8080,tls=my-cert', '--annotation=team=web', '--default-backend=fallback:http'),
      'ingress.networking.k8s.io/site created',
    );
    const ingress = await stored('ingresses.networking.k8s.io', 'default', 'site');
    assert.equal(ingress.metadata.annotations.team, 'web');
    assert.deepEqual(ingress.spec, {
      ingressClassName: 'nginx',
      defaultBackend: { service: { name: 'fallback', port: { name: 'http' } } },
      tls: [{ hosts: ['foo.com'], secretName: 'my-cert' }],
      rules: [{ host: 'foo.com', http: { paths: [{ path: '/bar', pathType: 'Prefix', backend: { service: { name: 'svc1', port: { number: 8080 } } } }] } }],
    });
    assert.match(await ok('get', 'ingress', 'site'), /^site\s+nginx\s+foo\.com\s+80, 443\s+\S+$/m);
  });

  it('create deployment with two images and a port', async () => {
    assert.equal(await ok('create', 'deployment', 'pair', '--image=nginx:1.27', '--image=busybox', '--port=8080', '--replicas=3'), 'deployment.apps/pair created');
    const spec = (await stored('deployments.apps', 'default', 'pair')).spec;
    assert.equal(spec.replicas, 3);
    assert.deepEqual(
      spec.template.spec.containers.map((c: Record<string, unknown>) => [c.name, c.image, c.ports ?? []]),
      [
        ['nginx', 'nginx:1.27', [{ containerPort: 8080, protocol: 'TCP' }]],
        ['busybox', 'busybox', []],
      ],
    );
  });

  it('create service nodeport keeps the asked node port', async () => {
    assert.equal(await ok('create', 'service', 'nodeport', 'edge', '--tcp=80:8080', '--node-port=30081'), 'service/edge created');
    const spec = (await stored('services', 'default', 'edge')).spec;
    assert.equal(spec.type, 'NodePort');
    assert.deepEqual(spec.ports, [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30081 }]);
  });
});
