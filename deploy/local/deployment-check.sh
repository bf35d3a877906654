#!/usr/bin/env bash
# Checks the container build and the Kubernetes manifests without a container
# engine or a cluster (neither runs here), in seconds:
#  - deploy/k8s/*.yaml against Kubernetes' schemas with kubernetes-validate
#    (PyPI; it bundles the schemas and works offline), strictly (unknown fields
#    are errors);
#  - deploy/container/Containerfile: every COPY source exists in the checkout and
#    is tracked by git (so a fresh clone has it), every COPY --from names an
#    earlier stage, every program it builds or copies is an executable product of
#    Package.swift, and the three programs are all there;
#  - the manifests: every container runs one of the image's programs, every
#    Secret and ConfigMap they name is defined, and the migration Job uses the
#    migrate login while nothing else does.
# The image itself is not built here (README "Deployment").
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

if ! python3 -c 'import kubernetes_validate, yaml' 2>/dev/null; then
    echo "deployment check: installing kubernetes-validate" >&2
    python3 -m pip install --quiet 'kubernetes-validate>=1.30' >&2
fi
kubernetes-validate --strict --quiet deploy/k8s/*.yaml

python3 - "$ROOT" <<'PY'
import pathlib, re, subprocess, sys, yaml

root = pathlib.Path(sys.argv[1])
problems = []
package = (root / "Package.swift").read_text()
products = set(re.findall(r'\.executable\(name:\s*"([^"]+)"', package))
programs = {"collections-admin", "collections-worker", "collections-server"}
for p in sorted(programs - products):
    problems.append(f"Package.swift has no executable product {p}")

tracked = set(subprocess.run(["git", "ls-files"], cwd=root, check=True, capture_output=True, text=True).stdout.split("\n"))
def is_tracked(path):
    path = path.rstrip("/")
    return path in tracked or any(t.startswith(path + "/") for t in tracked)

containerfile = root / "deploy/container/Containerfile"
text = re.sub(r"\\\n", " ", containerfile.read_text())
stages, built = [], set()
for number, line in enumerate(text.split("\n"), 1):
    words = line.split()
    if not words or words[0].startswith("#"):
        continue
    instruction = words[0].upper()
    if instruction == "FROM":
        stages.append(words[3] if len(words) > 3 and words[2].upper() == "AS" else None)
    elif instruction == "COPY":
        args = [w for w in words[1:] if not w.startswith("--")]
        source_stage = next((w.split("=", 1)[1] for w in words[1:] if w.startswith("--from=")), None)
        sources = args[:-1]
        if source_stage is not None:
            if source_stage not in stages:
                problems.append(f"Containerfile: COPY --from={source_stage} names no earlier stage")
            for s in sources:
                name = s.rsplit("/", 1)[-1]
                if name.startswith("collections-") and name not in products:
                    problems.append(f"Containerfile: copies {name}, which is no product of Package.swift")
                built.add(name)
        else:
            for s in sources:
                if not (root / s).exists():
                    problems.append(f"Containerfile: COPY source {s} does not exist")
                elif not is_tracked(s):
                    problems.append(f"Containerfile: COPY source {s} is not tracked by git (a fresh clone lacks it)")
    elif instruction == "RUN":
        for p in re.findall(r"--product\s+(\S+)", line):
            if p not in products:
                problems.append(f"Containerfile: builds --product {p}, which is no product of Package.swift")
for p in sorted(programs - built):
    problems.append(f"Containerfile: the runtime stage does not get {p}")

documents = []
for path in sorted((root / "deploy/k8s").glob("*.yaml")):
    documents += [(path.name, d) for d in yaml.safe_load_all(path.read_text()) if d]
defined = {(d["kind"], d["metadata"]["name"]) for _, d in documents}
for name, d in documents:
    spec = d.get("spec", {})
    pod = spec.get("template", {}).get("spec") if d["kind"] in ("Deployment", "Job") else None
    if not pod:
        continue
    for c in pod["containers"]:
        command = c.get("command", [])
        image = c["image"].rsplit("/", 1)[-1].split(":")[0]
        if image == "collections" and (not command or command[0] not in programs):
            problems.append(f"{name}: container {c['name']} runs {command[:1]}, not one of the image's programs")
        secrets = [e["secretRef"]["name"] for e in c.get("envFrom", []) if "secretRef" in e]
        for s in secrets:
            if ("Secret", s) not in defined:
                problems.append(f"{name}: container {c['name']} names Secret {s}, which no manifest defines")
        migrates = command[:2] == ["collections-admin", "migrate"]
        if migrates != ("collections-migrate-login" in secrets):
            problems.append(f"{name}: container {c['name']}: only the migration uses the migrate login, and it must")
    for v in pod.get("volumes", []):
        for source in v.get("projected", {}).get("sources", []) + [v]:
            for kind, key in (("ConfigMap", "configMap"), ("Secret", "secret")):
                ref = source.get(key)
                if ref and (kind, ref.get("name") or ref.get("secretName")) not in defined:
                    problems.append(f"{name}: volume {v['name']} names {kind} {ref}, which no manifest defines")
for p in problems:
    print(f"deployment check: {p}", file=sys.stderr)
if problems:
    sys.exit(1)
print(f"deployment check: {len(documents)} Kubernetes objects valid; Containerfile copies and builds {', '.join(sorted(built & programs))}", file=sys.stderr)
PY
