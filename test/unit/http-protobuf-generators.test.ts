// The protobuf bodies of kubectl 1.32's other generators (`create role|clusterrole|
// rolebinding|clusterrolebinding|cronjob|job --from|poddisruptionbudget|priorityclass|
// quota|ingress|deployment|service nodeport|token`, `autoscale`, `auth can-i|whoami`),
// captured with `-v=9` and checked against the JSON of the same command with
// `--dry-run=client -o json` (less its `creationTimestamp: null`). `create job --from=cronjob/full` carries a whole pod spec:
// volumes of every local kind, probes, lifecycle hooks, env from selectors, security
// contexts, affinity, tolerations, topology spread.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../../src/api/errors.ts';
import { decodeBody } from '../../src/http/body.ts';
import { decodeProtobufObject } from '../../src/http/protobuf/envelope.ts';
import { deleteOptions } from '../../src/http/to-request.ts';
import { MESSAGES } from '../../src/http/protobuf/schema.ts';

interface Captured {
  command: string;
  hex: string;
  json: Record<string, unknown>;
}

const CAPTURED: Captured[] = [
  {
    command: "kubectl create role r2x --verb=get,list --resource=pods,deployments.apps --resource-name=x",
    hex: '6b3873000a240a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f76311204526f6c6512500a130a0372327812001a0022002a0032003800420012160a036765740a046c69737412001a04706f647322017812210a036765740a046c6973741204617070731a0b6465706c6f796d656e74732201781a002200',
    json: {"kind": "Role", "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": "r2x"}, "rules": [{"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods"], "resourceNames": ["x"]}, {"verbs": ["get", "list"], "apiGroups": ["apps"], "resources": ["deployments"], "resourceNames": ["x"]}]},
  },
  {
    command: "kubectl create clusterrole cr2x --verb=get --resource=nodes,pods/log --non-resource-url=/healthz",
    hex: '6b3873000a2b0a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f7631120b436c7573746572526f6c6512410a140a046372327812001a0022002a0032003800420012180a0367657412001a056e6f6465731a08706f64732f6c6f67120f0a036765742a082f6865616c74687a1a002200',
    json: {"kind": "ClusterRole", "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": "cr2x"}, "rules": [{"verbs": ["get"], "apiGroups": [""], "resources": ["nodes", "pods/log"]}, {"verbs": ["get"], "nonResourceURLs": ["/healthz"]}]},
  },
  {
    command: "kubectl create clusterrole agg2x --aggregation-rule=rbac.example.com/aggregate=true",
    hex: '6b3873000a2b0a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f7631120b436c7573746572526f6c65123f0a150a05616767327812001a0022002a003200380042001a260a240a220a1a726261632e6578616d706c652e636f6d2f6167677265676174651204747275651a002200',
    json: {"kind": "ClusterRole", "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": "agg2x"}, "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"rbac.example.com/aggregate": "true"}}]}},
  },
  {
    command: "kubectl create rolebinding rb2x --role=r1 --user=alice --group=devs --serviceaccount=default:sa1",
    hex: '6b3873000a2b0a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f7631120b526f6c6542696e64696e6712b7010a140a047262327812001a0022002a00320038004200122a0a04557365721219726261632e617574686f72697a6174696f6e2e6b38732e696f1a05616c6963652200122a0a0547726f75701219726261632e617574686f72697a6174696f6e2e6b38732e696f1a0464657673220012200a0e536572766963654163636f756e7412001a03736131220764656661756c741a250a19726261632e617574686f72697a6174696f6e2e6b38732e696f1204526f6c651a0272311a002200',
    json: {"kind": "RoleBinding", "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": "rb2x"}, "subjects": [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "alice"}, {"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "devs"}, {"kind": "ServiceAccount", "name": "sa1", "namespace": "default"}], "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "r1"}},
  },
  {
    command: "kubectl create clusterrolebinding crb2x --clusterrole=cr1 --user=bob",
    hex: '6b3873000a320a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f76311212436c7573746572526f6c6542696e64696e6712700a150a05637262327812001a0022002a0032003800420012280a04557365721219726261632e617574686f72697a6174696f6e2e6b38732e696f1a03626f6222001a2d0a19726261632e617574686f72697a6174696f6e2e6b38732e696f120b436c7573746572526f6c651a036372311a002200',
    json: {"kind": "ClusterRoleBinding", "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": "crb2x"}, "subjects": [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "bob"}], "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cr1"}},
  },
  {
    command: "kubectl create cronjob cj7 --image=busybox --schedule=*/5 * * * * --restart=OnFailure -- echo hi",
    hex: '6b3873000a130a0862617463682f7631120743726f6e4a6f6212ac010a130a03636a3712001a0022002a003200380042001292010a0b2a2f35202a202a202a202a1a002a80010a130a03636a3712001a0022002a00320038004200126932670a100a0012001a0022002a003200380042001253122c0a03636a37120762757379626f781a046563686f1a0268692a0042006a007200800100880100900100a201001a094f6e4661696c757265320042004a0052005800600068008201008a01009a0100c201001a001a002200',
    json: {"kind": "CronJob", "apiVersion": "batch/v1", "metadata": {"name": "cj7"}, "spec": {"schedule": "*/5 * * * *", "jobTemplate": {"metadata": {"name": "cj7"}, "spec": {"template": {"metadata": {}, "spec": {"containers": [{"name": "cj7", "image": "busybox", "command": ["echo", "hi"], "resources": {}}], "restartPolicy": "OnFailure"}}}}}, "status": {}},
  },
  {
    command: "kubectl create poddisruptionbudget pdb3x --selector=app=x --min-available=1",
    hex: '6b3873000a200a09706f6c6963792f76311213506f6444697372757074696f6e42756467657412390a150a05706462337812001a0022002a0032003800420012140a06080010011a00120a0a080a036170701201781a0a080018002000280030001a002200',
    json: {"kind": "PodDisruptionBudget", "apiVersion": "policy/v1", "metadata": {"name": "pdb3x"}, "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "x"}}}, "status": {"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0}},
  },
  {
    command: "kubectl create pdb pdb4x --selector=app=y --max-unavailable=50%",
    hex: '6b3873000a200a09706f6c6963792f76311213506f6444697372757074696f6e427564676574123c0a150a05706462347812001a0022002a003200380042001217120a0a080a036170701201791a09080110001a033530251a0a080018002000280030001a002200',
    json: {"kind": "PodDisruptionBudget", "apiVersion": "policy/v1", "metadata": {"name": "pdb4x"}, "spec": {"selector": {"matchLabels": {"app": "y"}}, "maxUnavailable": "50%"}, "status": {"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0}},
  },
  {
    command: "kubectl create priorityclass high2x --value=1000 --description=important --preemption-policy=Never",
    hex: '6b3873000a250a147363686564756c696e672e6b38732e696f2f7631120d5072696f72697479436c617373122f0a160a0668696768327812001a0022002a0032003800420010e80718002209696d706f7274616e742a054e657665721a002200',
    json: {"kind": "PriorityClass", "apiVersion": "scheduling.k8s.io/v1", "metadata": {"name": "high2x"}, "value": 1000, "description": "important", "preemptionPolicy": "Never"},
  },
  {
    command: "kubectl create quota q2x --hard=cpu=1,memory=1G,pods=2 --scopes=BestEffort",
    hex: '6b3873000a130a027631120d5265736f7572636551756f7461124e0a130a0371327812001a0022002a0032003800420012350a0a0a0363707512030a01310a0e0a066d656d6f727912040a0231470a0b0a04706f647312030a0132120a426573744566666f72741a001a002200',
    json: {"kind": "ResourceQuota", "apiVersion": "v1", "metadata": {"name": "q2x"}, "spec": {"hard": {"cpu": "1", "memory": "1G", "pods": "2"}, "scopes": ["BestEffort"]}, "status": {}},
  },
  {
    command: "kubectl create ingress ing2x --class=nginx --rule=foo.com/bar*=svc1:8080,tls=my-cert --annotation=a=b --default-backend=defsvc:http",
    hex: '6b3873000a1f0a146e6574776f726b696e672e6b38732e696f2f76311207496e67726573731286010a1d0a05696e67327812001a0022002a0032003800420062060a016112016212610a1422120a0664656673766312080a0468747470100012120a07666f6f2e636f6d12076d792d636572741a2e0a07666f6f2e636f6d12230a210a1f0a042f626172120f220d0a047376633112050a0010903f1a0650726566697822056e67696e781a020a001a002200',
    json: {"kind": "Ingress", "apiVersion": "networking.k8s.io/v1", "metadata": {"name": "ing2x", "annotations": {"a": "b"}}, "spec": {"ingressClassName": "nginx", "defaultBackend": {"service": {"name": "defsvc", "port": {"name": "http"}}}, "tls": [{"hosts": ["foo.com"], "secretName": "my-cert"}], "rules": [{"host": "foo.com", "http": {"paths": [{"path": "/bar", "pathType": "Prefix", "backend": {"service": {"name": "svc1", "port": {"number": 8080}}}}]}}]}, "status": {"loadBalancer": {}}},
  },
  {
    command: "kubectl create deployment full2x --image=nginx:1.27 --image=busybox --port=8080 --replicas=3",
    hex: '6b3873000a150a07617070732f7631120a4465706c6f796d656e7412f3010a250a0666756c6c327812001a0022002a003200380042005a0d0a03617070120666756c6c327812bb010803120f0a0d0a03617070120666756c6c32781a9d010a1f0a0012001a0022002a003200380042005a0d0a03617070120666756c6c3278127a12340a056e67696e78120a6e67696e783a312e32372a00320b0a00100018903f22002a0042006a007200800100880100900100a2010012260a0762757379626f78120762757379626f782a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200',
    json: {"kind": "Deployment", "apiVersion": "apps/v1", "metadata": {"name": "full2x", "labels": {"app": "full2x"}}, "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "full2x"}}, "template": {"metadata": {"labels": {"app": "full2x"}}, "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27", "ports": [{"containerPort": 8080}], "resources": {}}, {"name": "busybox", "image": "busybox", "resources": {}}]}}, "strategy": {}}, "status": {}},
  },
  {
    command: "kubectl create service nodeport np2x --tcp=80:8080 --node-port=30081",
    hex: '6b3873000a0d0a027631120753657276696365126d0a210a046e70327812001a0022002a003200380042005a0b0a0361707012046e70327812440a1d0a0738302d38303830120354435018502207080010903f1a002881eb01120b0a0361707012046e7032781a0022084e6f6465506f72743a00420052005a00600068001a020a001a002200',
    json: {"kind": "Service", "apiVersion": "v1", "metadata": {"name": "np2x", "labels": {"app": "np2x"}}, "spec": {"ports": [{"name": "80-8080", "protocol": "TCP", "port": 80, "targetPort": 8080, "nodePort": 30081}], "selector": {"app": "np2x"}, "type": "NodePort"}, "status": {"loadBalancer": {}}},
  },
  {
    command: "kubectl create job fromfull3 --from=cronjob/full",
    hex: '6b3873000a0f0a0862617463682f763112034a6f6212f90b0a89010a0966726f6d66756c6c3312001a0022002a00320038004200622b0a2163726f6e6a6f622e6b756265726e657465732e696f2f696e7374616e746961746512066d616e75616c6a410a0743726f6e4a6f621a0466756c6c222430633965613034612d613230312d343466362d613364662d6335636439636363373739612a0862617463682f7631300112e00a32db0a0a1d0a0012001a0022002a003200380042005a0b0a03617070120466756c6c12b90a0a140a04776f726b120c120a0a0012060a0431304d690a2e0a06636f6e66696712249a01210a0a0a0873657474696e677312100a046d6f646512086d6f64652e74787418a4030a180a06736563726574120e320c0a05637265647318a40320010a1b0a04686f737412130a110a042f746d7012094469726563746f72790a410a0470726f6a1239d201360a21121f0a1d0a066c6162656c7312130a00120f6d657461646174612e6c6162656c730a0e220c0a0010901c1a05746f6b656e10a4030a130a05636c61696d120a52080a04646174611000129e050a046d61696e120c62757379626f783a312e33362205736c6565702201352a0032120a0468747470100018903f22035443502a003a0a0a05504c41494e1201783a230a0746524f4d5f434d12001a161a140a0a0a0873657474696e677312046d6f646518013a260a0b46524f4d5f53454352455412001a1522130a070a056372656473120870617373776f72643a230a08504f445f4e414d4512001a150a130a027631120d6d657461646174612e6e616d653a250a094350555f4c494d495412001a1612140a00120a6c696d6974732e6370751a040a02316d42430a0d0a0363707512060a043530306d0a110a066d656d6f727912070a053132384d69120d0a0363707512060a043130306d12100a066d656d6f727912060a0436344d694a130a04776f726b10001a052f776f726b220032004a1b0a06636f6e66696710011a0b2f6574632f636f6e666967220032004a1e0a0673656372657410001a0b2f6574632f73656372657422036b65793200523a0a2e122c0a082f6865616c74687a120a080110001a04687474701a002204485454502a0c0a07582d50726f626512013110031801200a280130035a200a140a120a036361740a0b2f776f726b2f726561647910001801200a2801300562340a1d121b0a082f737461727465641207080010903f1a001a0022044854545012130a110a0273680a022d630a07736c65657020316a142f6465762f7465726d696e6174696f6e2d6c6f67720c49664e6f7450726573656e747a1f0a170a104e45545f42494e445f534552564943451203414c4c1000300138008001008801009001009a01140a044346475f120c0a0a0a0873657474696e67739a010f0a001a0b0a070a0563726564731000a2010446696c65b201190a0d1a0b0a07080010903f1a00120010001802200a280130031a054e65766572201e320c436c7573746572466972737442004a005200580060006800723c10e807180120b81720a01f28d00f3a1a0a126e65742e636f72652e736f6d6178636f6e6e12043130323452100a0e52756e74696d6544656661756c748201008a01009201460a150a130a110a0f0a046469736b1202496e1a037373641a2d122b083212270a0d0a0b0a03617070120466756c6c1a166b756265726e657465732e696f2f686f73746e616d659a011164656661756c742d7363686564756c6572a201770a04696e6974120762757379626f781a0273681a022d631a176563686f20696e6974203e202f776f726b2f72656164792a0042004a130a04776f726b10001a052f776f726b220032006a142f6465762f7465726d696e6174696f6e2d6c6f677206416c77617973800100880100900100a2010446696c65b201250a096465646963617465641205457175616c1a056261746368220a4e6f5363686564756c65ba01150a093132372e302e302e32120864622e6c6f63616cc20100d201150a07312e312e312e311a0a0a056e646f74731201328a0227080112047a6f6e651a0e5363686564756c65416e79776179220d0a0b0a03617070120466756c6c38021a082000280030003a001a002200',
    json: {"kind": "Job", "apiVersion": "batch/v1", "metadata": {"name": "fromfull3", "annotations": {"cronjob.kubernetes.io/instantiate": "manual"}, "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "name": "full", "uid": "0c9ea04a-a201-44f6-a3df-c5cd9ccc779a", "controller": true}]}, "spec": {"backoffLimit": 2, "template": {"metadata": {"labels": {"app": "full"}}, "spec": {"volumes": [{"name": "work", "emptyDir": {"sizeLimit": "10Mi"}}, {"name": "config", "configMap": {"name": "settings", "items": [{"key": "mode", "path": "mode.txt"}], "defaultMode": 420}}, {"name": "secret", "secret": {"secretName": "creds", "defaultMode": 420, "optional": true}}, {"name": "host", "hostPath": {"path": "/tmp", "type": "Directory"}}, {"name": "proj", "projected": {"sources": [{"downwardAPI": {"items": [{"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]}}, {"serviceAccountToken": {"expirationSeconds": 3600, "path": "token"}}], "defaultMode": 420}}, {"name": "claim", "persistentVolumeClaim": {"claimName": "data"}}], "initContainers": [{"name": "init", "image": "busybox", "command": ["sh", "-c", "echo init > /work/ready"], "resources": {}, "volumeMounts": [{"name": "work", "mountPath": "/work"}], "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File", "imagePullPolicy": "Always"}], "containers": [{"name": "main", "image": "busybox:1.36", "args": ["sleep", "5"], "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}], "envFrom": [{"prefix": "CFG_", "configMapRef": {"name": "settings"}}, {"secretRef": {"name": "creds", "optional": false}}], "env": [{"name": "PLAIN", "value": "x"}, {"name": "FROM_CM", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "mode", "optional": true}}}, {"name": "FROM_SECRET", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "password"}}}, {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}}, {"name": "CPU_LIMIT", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu", "divisor": "1m"}}}], "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": "100m", "memory": "64Mi"}}, "volumeMounts": [{"name": "work", "mountPath": "/work"}, {"name": "config", "readOnly": true, "mountPath": "/etc/config"}, {"name": "secret", "mountPath": "/etc/secret", "subPath": "key"}], "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http", "scheme": "HTTP", "httpHeaders": [{"name": "X-Probe", "value": "1"}]}, "initialDelaySeconds": 3, "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}, "readinessProbe": {"exec": {"command": ["cat", "/work/ready"]}, "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 5}, "startupProbe": {"tcpSocket": {"port": 8080}, "timeoutSeconds": 2, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}, "lifecycle": {"postStart": {"httpGet": {"path": "/started", "port": 8080, "scheme": "HTTP"}}, "preStop": {"exec": {"command": ["sh", "-c", "sleep 1"]}}}, "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File", "imagePullPolicy": "IfNotPresent", "securityContext": {"capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}, "privileged": false, "readOnlyRootFilesystem": true, "allowPrivilegeEscalation": false}}], "restartPolicy": "Never", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst", "securityContext": {"runAsUser": 1000, "runAsNonRoot": true, "supplementalGroups": [3000, 4000], "fsGroup": 2000, "sysctls": [{"name": "net.core.somaxconn", "value": "1024"}], "seccompProfile": {"type": "RuntimeDefault"}}, "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "disk", "operator": "In", "values": ["ssd"]}]}]}}, "podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 50, "podAffinityTerm": {"labelSelector": {"matchLabels": {"app": "full"}}, "topologyKey": "kubernetes.io/hostname"}}]}}, "schedulerName": "default-scheduler", "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "batch", "effect": "NoSchedule"}], "hostAliases": [{"ip": "127.0.0.2", "hostnames": ["db.local"]}], "dnsConfig": {"nameservers": ["1.1.1.1"], "options": [{"name": "ndots", "value": "2"}]}, "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": {"matchLabels": {"app": "full"}}}]}}}, "status": {}},
  },
  {
    command: "kubectl autoscale deployment full --min=2 --max=5 --cpu-percent=80",
    hex: '6b3873000a290a0e6175746f7363616c696e672f76311217486f72697a6f6e74616c506f644175746f7363616c657212410a140a0466756c6c12001a0022002a0032003800420012230a1b0a0a4465706c6f796d656e74120466756c6c1a07617070732f76311002180520501a04180020001a002200',
    json: {"kind": "HorizontalPodAutoscaler", "apiVersion": "autoscaling/v1", "metadata": {"name": "full"}, "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "full", "apiVersion": "apps/v1"}, "minReplicas": 2, "maxReplicas": 5, "targetCPUUtilizationPercentage": 80}, "status": {"currentReplicas": 0, "desiredReplicas": 0}},
  },];

// `kubectl auth can-i`, `auth can-i --list`, `auth whoami` and `create token` post review
// and token kinds (served with the security issue); the JSON is what Go writes for the
// same object, less its nulls.
const REVIEWS: Captured[] = [
  {
    command: 'kubectl auth can-i get pods',
    hex: '6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631121753656c665375626a656374416363657373526576696577123c0a100a0012001a0022002a00320038004200121e0a1c0a0764656661756c7412036765741a0022002a04706f647332003a001a08080012001a0020001a002200',
    json: {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      metadata: {},
      spec: { resourceAttributes: { namespace: 'default', verb: 'get', resource: 'pods' } },
      status: { allowed: false },
    },
  },
  {
    command: 'kubectl auth can-i create deployments.apps --subresource=scale -n kube-system',
    hex: '6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631121753656c665375626a65637441636365737352657669657712530a100a0012001a0022002a0032003800420012350a330a0b6b7562652d73797374656d12066372656174651a046170707322002a0b6465706c6f796d656e747332057363616c653a001a08080012001a0020001a002200',
    json: {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      metadata: {},
      spec: { resourceAttributes: { namespace: 'kube-system', verb: 'create', group: 'apps', resource: 'deployments', subresource: 'scale' } },
      status: { allowed: false },
    },
  },
  {
    command: 'kubectl auth can-i --list',
    hex: '6b3873000a310a17617574686f72697a6174696f6e2e6b38732e696f2f7631121653656c665375626a65637452756c657352657669657712230a100a0012001a0022002a0032003800420012090a0764656661756c741a04180022001a002200',
    json: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', metadata: {}, spec: { namespace: 'default' }, status: { incomplete: false } },
  },
  {
    command: 'kubectl auth whoami',
    hex: '6b3873000a2d0a1861757468656e7469636174696f6e2e6b38732e696f2f7631121153656c665375626a656374526576696577121a0a100a0012001a0022002a0032003800420012060a040a0012001a002200',
    json: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: {}, status: { userInfo: {} } },
  },
  {
    command: 'kubectl create token sa1 --duration=10m --audience=api',
    hex: '6b3873000a280a1861757468656e7469636174696f6e2e6b38732e696f2f7631120c546f6b656e5265717565737412220a100a0012001a0022002a0032003800420012080a0361706920d8041a040a0012001a002200',
    json: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: {}, spec: { audiences: ['api'], expirationSeconds: 600 }, status: { token: '' } },
  },
];

// --- a hand encoder, for the cases kubectl cannot be made to send ---
function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  do {
    const byte = v & 0x7f;
    v = Math.floor(v / 128);
    out.push(v > 0 ? byte | 0x80 : byte);
  } while (v > 0);
  return out;
}
const num = (field: number, n: number) => [...varint(field << 3), ...varint(n)];
const ld = (field: number, payload: number[] | string) => {
  const bytes = typeof payload === 'string' ? [...Buffer.from(payload)] : payload;
  return [...varint((field << 3) | 2), ...varint(bytes.length), ...bytes];
};
const envelope = (apiVersion: string, kind: string, raw: number[]) =>
  Buffer.from([0x6b, 0x38, 0x73, 0x00, ...ld(1, [...ld(1, apiVersion), ...ld(2, kind)]), ...ld(2, raw)]);
const job = (podSpec: number[]) => envelope('batch/v1', 'Job', [...ld(1, ld(1, 'j')), ...ld(2, ld(6, ld(2, podSpec)))]);
const podSpecOf = (body: Buffer) => (decodeProtobufObject(body) as Record<string, any>).spec.template.spec;

describe('bodies of kubectl generators', () => {
  for (const { command, hex, json } of [...CAPTURED, ...REVIEWS]) {
    it(command, () => assert.deepEqual(decodeProtobufObject(Buffer.from(hex, 'hex')), json));
  }
});

describe('bodies of typed clients: DeleteOptions, Eviction, Binding', () => {
  it('kubectl drain --disable-eviction: a DELETE with protobuf DeleteOptions in the client group’s version', () => {
    const plain = '6b3873000a130a027631120d44656c6574654f7074696f6e7312001a002200';
    assert.deepEqual(decodeProtobufObject(Buffer.from(plain, 'hex')), { apiVersion: 'v1', kind: 'DeleteOptions' });
    const grace = '6b3873000a130a027631120d44656c6574654f7074696f6e73120208071a002200';
    assert.deepEqual(decodeProtobufObject(Buffer.from(grace, 'hex')), { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 7 });
    // Read as a protobuf body, it is the DeleteOptions the DELETE path understands.
    assert.deepEqual(deleteOptions(decodeBody(Buffer.from(grace, 'hex'), { kind: 'protobuf' })), { gracePeriodSeconds: 7 });
    const apps = envelope('apps/v1', 'DeleteOptions', [...ld(4, 'Foreground'), ...ld(2, [...ld(1, 'u-1'), ...ld(2, '42')]), ...ld(5, 'All')]);
    assert.deepEqual(decodeProtobufObject(apps), {
      apiVersion: 'apps/v1',
      kind: 'DeleteOptions',
      propagationPolicy: 'Foreground',
      preconditions: { uid: 'u-1', resourceVersion: '42' },
      dryRun: ['All'],
    });
  });

  it('an Eviction carries its DeleteOptions; a zero grace period stays (a pointer in Go)', () => {
    const eviction = envelope('policy/v1', 'Eviction', [...ld(1, [...ld(1, 'web-1'), ...ld(3, 'default')]), ...ld(2, num(1, 0))]);
    assert.deepEqual(decodeProtobufObject(eviction), {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: 'web-1', namespace: 'default' },
      deleteOptions: { gracePeriodSeconds: 0 },
    });
  });

  it('a Binding names its target node', () => {
    const binding = envelope('v1', 'Binding', [...ld(1, [...ld(1, 'web-1'), ...ld(3, 'default')]), ...ld(2, [...ld(1, 'Node'), ...ld(3, 'node-1')])]);
    assert.deepEqual(decodeProtobufObject(binding), {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'web-1', namespace: 'default' },
      target: { kind: 'Node', name: 'node-1' },
    });
  });
});

describe('embedded (inline) messages', () => {
  it('a probe’s handler, a selector’s name and a volume’s source land in the parent object', () => {
    const probe = [...ld(1, ld(1, ld(1, 'true'))), ...num(4, 7)];
    const env = ld(7, [...ld(1, 'API_KEY'), ...ld(3, ld(4, [...ld(1, ld(1, 'creds')), ...ld(2, 'key')]))]);
    const container = ld(2, [...ld(1, 'c'), ...env, ...ld(10, probe)]);
    const volume = ld(1, [...ld(1, 'cfg'), ...ld(2, ld(19, [...ld(1, ld(1, 'settings')), ...num(3, 420)]))]);
    const spec = podSpecOf(job([...volume, ...container]));
    assert.deepEqual(spec.containers[0].livenessProbe, { exec: { command: ['true'] }, periodSeconds: 7 });
    assert.deepEqual(spec.containers[0].env, [{ name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'creds', key: 'key' } } }]);
    assert.deepEqual(spec.volumes, [{ name: 'cfg', configMap: { name: 'settings', defaultMode: 420 } }]);
  });

  it('an ephemeral container has a container’s fields, inlined', () => {
    const ephemeral = ld(34, [...ld(1, [...ld(1, 'debug'), ...ld(2, 'busybox')]), ...ld(2, 'main')]);
    assert.deepEqual(podSpecOf(job(ephemeral)).ephemeralContainers, [{ name: 'debug', image: 'busybox', targetContainerName: 'main' }]);
  });

  it('a volume of a kind without a schema (a cloud disk) is refused, not dropped', () => {
    const gce = ld(1, [...ld(1, 'disk'), ...ld(2, ld(3, ld(1, 'pd-1')))]);
    assert.throws(
      () => decodeProtobufObject(job(gce)),
      (error: unknown) => error instanceof StatusError && error.code === 415 && /field 3 of VolumeSource/.test(error.message),
    );
  });
});

describe('the schema', () => {
  it('every message a field names exists, and inline fields name messages', () => {
    for (const [name, spec] of Object.entries(MESSAGES)) {
      for (const [number, field] of Object.entries(spec)) {
        if (typeof field.type === 'object') assert.ok(MESSAGES[field.type.message], `${name}.${field.name} (${number}) names ${field.type.message}`);
        if (field.inline) assert.equal(typeof field.type, 'object', `${name}.${number} is inline but not a message`);
      }
    }
  });

  it('no two fields of a message share a JSON name', () => {
    for (const [name, spec] of Object.entries(MESSAGES)) {
      const names = Object.values(spec).filter((f) => !f.inline).map((f) => f.name);
      assert.equal(new Set(names).size, names.length, `${name} repeats a JSON name`);
    }
  });
});
