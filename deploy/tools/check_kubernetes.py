#!/usr/bin/env python3
"""Strict checks of the Kubernetes kustomize base in deploy/kubernetes/.

No kubectl or cluster here: each manifest is parsed with a field allowlist for the fields this base
may use (a subset of the Kubernetes and Prometheus operator schemas; an unknown or misspelt field
fails), then the cross-references are checked (selectors, ports, Secret paths, security context,
probes, ServiceMonitor interval and relabeling). The fabric8 kubernetes-model check of issue 6 can
replace the allowlist later.

Usage: check_kubernetes.py DEPLOY_DIR                       # the kustomize base
       check_kubernetes.py DEPLOY_DIR --helm RENDERED.yaml    # `helm template` output of the chart: the
                                                              # same checks (ServiceMonitor, NetworkPolicy,
                                                              # PrometheusRule when rendered), no Secret
                                                              # rendered, rules equal to the rules file
"""

import os
import sys

import yaml

ANY = "any"  # a free-form map (labels, annotations) or a scalar
S = None  # a scalar

META = {"name": S, "namespace": S, "labels": ANY, "annotations": ANY}
LABEL_SELECTOR = {"matchLabels": ANY, "matchExpressions": [ANY]}
SECCOMP = {"type": S, "localhostProfile": S}
PROBE = {
    "httpGet": {"path": S, "port": S, "scheme": S},
    "initialDelaySeconds": S, "periodSeconds": S, "timeoutSeconds": S, "failureThreshold": S,
    "successThreshold": S,
}
CONTAINER = {
    "name": S, "image": S, "imagePullPolicy": S, "args": [S], "command": [S],
    "env": [{"name": S, "value": S, "valueFrom": {"secretKeyRef": {"name": S, "key": S, "optional": S}}}],
    "ports": [{"name": S, "containerPort": S, "protocol": S}],
    "livenessProbe": PROBE, "readinessProbe": PROBE, "startupProbe": PROBE,
    "resources": {"requests": {"cpu": S, "memory": S}, "limits": {"cpu": S, "memory": S}},
    "securityContext": {
        "allowPrivilegeEscalation": S, "readOnlyRootFilesystem": S, "runAsNonRoot": S, "runAsUser": S,
        "runAsGroup": S, "privileged": S, "capabilities": {"drop": [S], "add": [S]}, "seccompProfile": SECCOMP,
    },
    "volumeMounts": [{"name": S, "mountPath": S, "readOnly": S, "subPath": S}],
}
NP_PEER = {"podSelector": LABEL_SELECTOR, "namespaceSelector": LABEL_SELECTOR, "ipBlock": ANY}
NP_PORT = {"protocol": S, "port": S, "endPort": S}
RELABEL = {
    "sourceLabels": [S], "separator": S, "targetLabel": S, "regex": S, "modulus": S, "replacement": S,
    "action": S,
}
RULE = {
    "alert": S, "record": S, "expr": S, "for": S, "keep_firing_for": S, "labels": ANY, "annotations": ANY,
}
SCHEMAS = {
    ("apps/v1", "Deployment"): {
        "apiVersion": S, "kind": S, "metadata": META,
        "spec": {
            "replicas": S, "selector": LABEL_SELECTOR, "strategy": ANY, "revisionHistoryLimit": S,
            "template": {
                "metadata": META,
                "spec": {
                    "automountServiceAccountToken": S, "serviceAccountName": S,
                    "securityContext": {
                        "runAsNonRoot": S, "runAsUser": S, "runAsGroup": S, "fsGroup": S, "seccompProfile": SECCOMP,
                    },
                    "containers": [CONTAINER], "imagePullSecrets": [ANY], "nodeSelector": ANY, "affinity": ANY,
                    "tolerations": [ANY],
                    "volumes": [{
                        "name": S,
                        "secret": {"secretName": S, "defaultMode": S, "items": [{"key": S, "path": S, "mode": S}],
                                   "optional": S},
                        "emptyDir": {"medium": S, "sizeLimit": S},
                    }],
                },
            },
        },
    },
    ("v1", "Service"): {
        "apiVersion": S, "kind": S, "metadata": META,
        "spec": {"selector": ANY, "type": S, "ports": [{"name": S, "port": S, "targetPort": S, "protocol": S}]},
    },
    ("networking.k8s.io/v1", "NetworkPolicy"): {
        "apiVersion": S, "kind": S, "metadata": META,
        "spec": {
            "podSelector": LABEL_SELECTOR, "policyTypes": [S],
            "ingress": [{"from": [NP_PEER], "ports": [NP_PORT]}],
            "egress": [{"to": [NP_PEER], "ports": [NP_PORT]}],
        },
    },
    ("monitoring.coreos.com/v1", "ServiceMonitor"): {
        "apiVersion": S, "kind": S, "metadata": META,
        "spec": {
            "jobLabel": S, "selector": LABEL_SELECTOR, "namespaceSelector": ANY,
            "endpoints": [{
                "port": S, "path": S, "scheme": S, "tlsConfig": ANY, "interval": S, "scrapeTimeout": S, "honorLabels": S,
                "relabelings": [RELABEL], "metricRelabelings": [RELABEL],
            }],
        },
    },
    ("monitoring.coreos.com/v1", "PrometheusRule"): {
        "apiVersion": S, "kind": S, "metadata": META,
        "spec": {"groups": [{"name": S, "interval": S, "rules": [RULE]}]},
    },
    ("kustomize.config.k8s.io/v1beta1", "Kustomization"): {
        "apiVersion": S, "kind": S, "resources": [S], "namespace": S, "labels": ANY, "images": ANY,
        "patches": ANY,
    },
}


def strict(value, schema, path, errors):
    if schema is ANY:
        return
    if schema is S:
        if isinstance(value, (dict, list)):
            errors.append(f"{path}: expected a scalar")
        return
    if isinstance(schema, list):
        if not isinstance(value, list):
            errors.append(f"{path}: expected a list")
            return
        for i, item in enumerate(value):
            strict(item, schema[0], f"{path}[{i}]", errors)
        return
    if not isinstance(value, dict):
        errors.append(f"{path}: expected a mapping")
        return
    for k, v in value.items():
        if k not in schema:
            errors.append(f"{path}.{k}: unknown field")
        else:
            strict(v, schema[k], f"{path}.{k}", errors)


def main(argv):
    deploy = argv[0]
    errors = []
    if len(argv) == 3 and argv[1] == "--helm":
        docs = load_helm(argv[2], deploy, errors)
        return report(check(docs, errors, required=("Deployment", "Service")), docs)
    docs = load_kustomize(deploy, errors)
    return report(check(docs, errors,
                        required=("Deployment", "Service", "NetworkPolicy", "ServiceMonitor", "PrometheusRule")),
                  docs)


def load_helm(rendered, deploy, errors):
    """The objects of `helm template` output, strictly parsed; no Secret, rules equal to the rules file."""
    docs = {}
    with open(rendered) as f:
        for doc in yaml.safe_load_all(f):
            if not doc:
                continue
            key = (doc.get("apiVersion"), doc.get("kind"))
            if key[1] == "Secret":
                errors.append("the chart renders a Secret: credentials must come from an existing Secret")
                continue
            if key not in SCHEMAS:
                errors.append(f"{rendered}: unexpected {key}")
                continue
            strict(doc, SCHEMAS[key], f"{os.path.basename(rendered)}:{doc['kind']}", errors)
            if doc["kind"] in docs:
                errors.append(f"two {doc['kind']} objects")
            docs[doc["kind"]] = doc
    if "PrometheusRule" in docs:
        with open(os.path.join(deploy, "prometheus", "nundb-rules.yml")) as f:
            if docs["PrometheusRule"]["spec"] != yaml.safe_load(f):
                errors.append("the PrometheusRule's rules differ from deploy/prometheus/nundb-rules.yml")
    return docs


def load_kustomize(deploy, errors):
    kdir = os.path.join(deploy, "kubernetes")
    with open(os.path.join(kdir, "kustomization.yaml")) as f:
        kust = yaml.safe_load(f)
    strict(kust, SCHEMAS[(kust["apiVersion"], kust["kind"])], "kustomization", errors)
    docs = {}
    for res in kust["resources"]:
        with open(os.path.join(kdir, res)) as f:
            for doc in yaml.safe_load_all(f):
                key = (doc.get("apiVersion"), doc.get("kind"))
                if key not in SCHEMAS:
                    errors.append(f"{res}: unexpected {key}")
                    continue
                strict(doc, SCHEMAS[key], f"{res}:{doc['kind']}", errors)
                docs[doc["kind"]] = doc
    listed = set(kust["resources"])
    on_disk = {n for n in os.listdir(kdir) if n.endswith(".yaml") and n != "kustomization.yaml"}
    if listed != on_disk:
        errors.append(f"kustomization resources {sorted(listed)} differ from files {sorted(on_disk)}")
    return docs


def check(docs, errors, required):
    """Cross-references and security properties; ServiceMonitor and NetworkPolicy checks when present."""
    for kind in required:
        if kind not in docs:
            errors.append(f"no {kind}")
    if "Deployment" not in docs or "Service" not in docs:
        return errors, 0
    dep, svc, np_, sm = docs["Deployment"], docs["Service"], docs.get("NetworkPolicy"), docs.get("ServiceMonitor")
    pod = dep["spec"]["template"]
    pod_labels = pod["metadata"]["labels"]
    sub = lambda sel, labels: all(labels.get(k) == v for k, v in sel.items())  # noqa: E731
    if not sub(dep["spec"]["selector"]["matchLabels"], pod_labels):
        errors.append("Deployment selector does not match its pod labels")
    if not sub(svc["spec"]["selector"], pod_labels):
        errors.append("Service selector does not match the pods")
    if np_ and not sub(np_["spec"]["podSelector"]["matchLabels"], pod_labels):
        errors.append("NetworkPolicy does not select the pods")
    if sm and not sub(sm["spec"]["selector"]["matchLabels"], svc["metadata"]["labels"]):
        errors.append("ServiceMonitor does not select the Service")

    c = pod["spec"]["containers"][0]
    psc, csc = pod["spec"]["securityContext"], c["securityContext"]
    want = {
        "pod runAsNonRoot": psc.get("runAsNonRoot") is True,
        "pod seccompProfile RuntimeDefault": psc.get("seccompProfile", {}).get("type") == "RuntimeDefault",
        "container runAsNonRoot": csc.get("runAsNonRoot") is True,
        "readOnlyRootFilesystem": csc.get("readOnlyRootFilesystem") is True,
        "allowPrivilegeEscalation false": csc.get("allowPrivilegeEscalation") is False,
        "capabilities drop ALL": csc.get("capabilities", {}).get("drop") == ["ALL"],
        "container seccompProfile RuntimeDefault": csc.get("seccompProfile", {}).get("type") == "RuntimeDefault",
        "liveness /-/healthy on 9898": c["livenessProbe"]["httpGet"]["path"] == "/-/healthy",
        "readiness /-/ready on 9898": c["readinessProbe"]["httpGet"]["path"] == "/-/ready",
        "container port metrics 9898": {"name": "metrics", "containerPort": 9898, "protocol": "TCP"} in c["ports"],
        "memory request 160Mi": c["resources"]["requests"]["memory"] == "160Mi",
        "memory limit 192Mi (measured peak RSS 139 MiB + headroom)": c["resources"]["limits"]["memory"] == "192Mi",
        "Service port metrics 9898": any(p["name"] == "metrics" and p["port"] == 9898 for p in svc["spec"]["ports"]),
    }
    if sm:
        want.update({
            "ServiceMonitor interval 15s": sm["spec"]["endpoints"][0]["interval"] == "15s",
            "ServiceMonitor scrapeTimeout 10s": sm["spec"]["endpoints"][0]["scrapeTimeout"] == "10s",
            "ServiceMonitor adds nundb_cluster": any(
                r.get("targetLabel") == "nundb_cluster" for r in sm["spec"]["endpoints"][0].get("relabelings", [])
            ),
        })
    if np_:
        want.update({
            "NetworkPolicy ingress 9898 from monitoring only": np_["spec"]["ingress"] == [{
                "from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}],
                "ports": [{"protocol": "TCP", "port": 9898}],
            }],
            "NetworkPolicy egress TCP 3014 and DNS": sorted(
                (p["protocol"], p["port"]) for e in np_["spec"]["egress"] for p in e["ports"]
            ) == [("TCP", 53), ("TCP", 3014), ("UDP", 53)],
        })
    for what, ok in want.items():
        if not ok:
            errors.append(f"expected: {what}")
    if sm:  # the Service's cluster label feeds the relabeling
        src = sm["spec"]["endpoints"][0]["relabelings"][0]["sourceLabels"][0]
        label = src.replace("__meta_kubernetes_service_label_", "")
        if not any(k.replace(".", "_").replace("/", "_") == label for k in svc["metadata"]["labels"]):
            errors.append(f"Service has no label that becomes {src}")
    # secrets come from files on the Secret mount (the canary token only when the canary is on)
    mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
    secret_vol = next(v for v in pod["spec"]["volumes"] if "secret" in v)
    flags = ["--nundb.password-file="]
    items = secret_vol["secret"].get("items")
    if items is None or any(i["path"] == "canary-token" for i in items):
        flags.append("--canary.token-file=")
    for flag in flags:
        arg = next((a for a in c["args"] if a.startswith(flag)), None)
        if not arg or not arg[len(flag):].startswith(mounts[secret_vol["name"]] + "/"):
            errors.append(f"{flag} must point into the Secret mount {mounts[secret_vol['name']]}")
        elif items is not None and arg[len(flag):].split("/")[-1] not in {i["path"] for i in items}:
            errors.append(f"{flag} names a file the Secret volume does not project")
    for e in c.get("env", []):
        if any(w in e.get("name", "").lower() for w in ("pwd", "password", "token")):
            errors.append(f"env {e['name']}: the password and token must come from files, not the environment")
        if "value" in e and "user" not in e["name"].lower():
            errors.append(f"env {e['name']}: a plain value; credentials come from the Secret")
    # Nun-db has one admin user: it comes from a key of the same Secret (NUN_USER, honoured as ever, or
    # NUNDB_EXPORTER_NUNDB_USER), or from an explicit --nundb.user the chart's values set
    secret_name = secret_vol["secret"]["secretName"]
    user_env = [e for e in c.get("env", []) if e["name"] in ("NUN_USER", "NUNDB_EXPORTER_NUNDB_USER")]
    for e in user_env:
        ref = (e.get("valueFrom") or {}).get("secretKeyRef") or {}
        if ref.get("name") != secret_name or not ref.get("key"):
            errors.append(f"env {e['name']} must come from a key of the Secret {secret_name}")
    user_args = [a for a in c["args"] if a.startswith("--nundb.user")]
    if not user_args and not user_env:
        errors.append("no Nun-db user: --nundb.user or NUN_USER / NUNDB_EXPORTER_NUNDB_USER from the Secret")
    return errors, len(want)


def report(result, docs):
    errors, properties = result if isinstance(result, tuple) else (result, 0)
    for e in errors:
        print("ERROR " + e, file=sys.stderr)
    if not errors:
        print(f"{len(docs) if docs is not None else 'all'} manifests parse with known fields only; "
              f"{properties} properties hold")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
