/** Manifests the kubectl end-to-end tests apply, as YAML text. */

/** The seed Deployment of the Kubernetes docs: nginx:1.14.2, 3 replicas, port 80. */
export const nginx = (name: string, { replicas = 3, image = 'nginx:1.14.2', extra = '' } = {}) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app: nginx
spec:
  replicas: ${replicas}${extra}
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: ${image}
        ports:
        - containerPort: 80
`;
