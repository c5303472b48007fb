#!/usr/bin/env python3
"""Renders both overlays and checks what the platform's manifests promise.

Usage: python3 deploy/k8s/check.py   (needs kubectl and PyYAML; exit code 1 on any problem)
"""
import re, subprocess, sys
from pathlib import Path
import yaml

ROOT = Path(__file__).resolve().parent
SERVICES = ["customer", "billing", "payment", "complaint", "notification"]
PROD_SECRETS = {f"{s}-db" for s in SERVICES} | {"platform-connections", "platform-auth", "platform-pii"}
problems = []


def need(cond, msg):
    if not cond:
        problems.append(msg)


def render(overlay):
    out = subprocess.run(["kubectl", "kustomize", str(ROOT / "overlays" / overlay)], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{overlay}: kubectl kustomize failed:\n{out.stderr}")
    return [d for d in yaml.safe_load_all(out.stdout) if d]


def check_pod(where, spec, kind):
    sc = spec.get("securityContext", {})
    need(sc.get("runAsNonRoot") is True and sc.get("runAsUser") == 1654, f"{where}: not runAsNonRoot/1654")
    need(sc.get("seccompProfile", {}).get("type") == "RuntimeDefault", f"{where}: seccomp")
    need(spec.get("automountServiceAccountToken") is False, f"{where}: service account token mounted")
    vols = {v["name"]: v for v in spec.get("volumes", [])}
    for c in spec["containers"]:
        csc = c.get("securityContext", {})
        need(csc.get("readOnlyRootFilesystem") is True, f"{where}: root file system writable")
        need(csc.get("allowPrivilegeEscalation") is False, f"{where}: privilege escalation")
        need(csc.get("capabilities", {}).get("drop") == ["ALL"], f"{where}: capabilities not dropped")
        res = c.get("resources", {})
        need({"cpu", "memory"} <= set(res.get("requests", {})) and {"cpu", "memory"} <= set(res.get("limits", {})),
             f"{where}: resources")
        need(any(m["mountPath"] == "/tmp" and "emptyDir" in vols.get(m["name"], {}) for m in c.get("volumeMounts", [])),
             f"{where}: no emptyDir on /tmp")
        if kind == "Deployment":
            ports = {p["name"]: p["containerPort"] for p in c.get("ports", [])}
            need(ports == {"grpc": 8080, "http": 8081}, f"{where}: ports {ports}")
            for probe, path in (("startupProbe", "/alive"), ("livenessProbe", "/alive"), ("readinessProbe", "/health")):
                get = c.get(probe, {}).get("httpGet", {})
                need(get.get("path") == path and get.get("port") == "http", f"{where}: {probe}")
            need("preStop" in c.get("lifecycle", {}), f"{where}: no preStop")
        else:
            need(c.get("args") == ["--migrate"], f"{where}: args")


def check(overlay, docs):
    by = {}
    for d in docs:
        by.setdefault(d["kind"], {})[d["metadata"]["name"]] = d
    ns = {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"}
    need(ns == {"platform-dev" if overlay == "dev" else "platform"}, f"{overlay}: namespaces {ns}")
    configmaps, secrets = set(by.get("ConfigMap", {})), set(by.get("Secret", {}))
    platform = lambda d: d["metadata"].get("labels", {}).get("app.kubernetes.io/part-of") == "platform"
    deployments = {n: d for n, d in by["Deployment"].items() if platform(d)}
    need(sorted(deployments) == sorted(SERVICES), f"{overlay}: deployments {sorted(deployments)}")
    for s in SERVICES:
        dep, job = by["Deployment"][s], by["Job"].get(f"{s}-migrate")
        need(job is not None, f"{overlay}: no {s}-migrate Job")
        for kind, obj in (("Deployment", dep), ("Job", job or {"spec": {"template": {"spec": {"containers": []}}}})):
            pod = obj["spec"]["template"]["spec"]
            check_pod(f"{overlay}/{kind}/{obj.get('metadata', {}).get('name')}", pod, kind)
            for c in pod["containers"]:
                for ref in c.get("envFrom", []):
                    if "configMapRef" in ref:
                        need(ref["configMapRef"]["name"] in configmaps, f"{overlay}/{s}: missing ConfigMap {ref}")
                    else:
                        name = ref["secretRef"]["name"]
                        need(name in (secrets if overlay == "dev" else PROD_SECRETS), f"{overlay}/{s}: Secret {name}")
        labels = dep["spec"]["template"]["metadata"]["labels"]
        sel = dep["spec"]["selector"]["matchLabels"]
        need(sel.items() <= labels.items(), f"{overlay}/{s}: selector does not match template")
        svc = by["Service"][s]
        need(svc["spec"]["selector"] == sel, f"{overlay}/{s}: Service selector")
        ports = {p["name"]: (p["port"], p.get("appProtocol")) for p in svc["spec"]["ports"]}
        need(ports == {"grpc": (8080, "kubernetes.io/h2c"), "http": (8081, None)}, f"{overlay}/{s}: Service ports {ports}")
        need(by["PodDisruptionBudget"][s]["spec"]["selector"]["matchLabels"] == sel, f"{overlay}/{s}: PDB selector")
        hpa = by["HorizontalPodAutoscaler"][s]["spec"]
        need(hpa["scaleTargetRef"]["name"] == s and hpa["minReplicas"] <= hpa["maxReplicas"], f"{overlay}/{s}: HPA")
        need(by["NetworkPolicy"][s]["spec"]["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": s},
             f"{overlay}/{s}: NetworkPolicy")
        # configuration: every service address points at a Service that exists
        cm = next(c for n, c in by["ConfigMap"].items() if n.startswith(f"{s}-config-"))
        for key, value in cm["data"].items():
            if key.startswith("services__"):
                target = key.split("__")[1]
                need(target in by["Service"] and value == f"http://{target}:8080", f"{overlay}/{s}: {key}={value}")
    for name, sec in by.get("Secret", {}).items():
        for key in sec.get("data", {}):
            need(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key), f"{overlay}: Secret {name} key {key} is no env var name")
    for name, cm in by["ConfigMap"].items():
        need(not re.search(r"(?i)password|signingkey|pii__", " ".join(f"{k}={v}" for k, v in cm.get("data", {}).items()
                                                                  if not k.endswith(".sh"))),
             f"{overlay}: ConfigMap {name} holds a secret")
    return by


dev, prod = check("dev", render("dev")), check("prod", render("prod"))
need("Secret" not in prod, "prod: overlay renders Secrets")
need(all(d["spec"]["replicas"] == 1 for n, d in dev["Deployment"].items() if n in SERVICES), "dev: replicas")
need(all(d["spec"]["replicas"] == 3 for d in prod["Deployment"].values()), "prod: replicas")
need("Auth__Authority" in next(c for n, c in prod["ConfigMap"].items() if n.startswith("platform-config-"))["data"],
     "prod: no Auth__Authority")
print("\n".join(problems) or "ok: dev and prod render; deployments, jobs, services, PDBs, HPAs, policies, refs checked")
sys.exit(1 if problems else 0)
