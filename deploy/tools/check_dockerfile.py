#!/usr/bin/env python3
"""Checks deploy/Dockerfile without a Docker engine.

- two stages: maven:3.9-eclipse-temurin-17 build, eclipse-temurin:17-jre runtime;
- runs as a numeric non-root user, EXPOSE 9898;
- HEALTHCHECK in exec form through the jar's `healthcheck` subcommand;
- ENTRYPOINT `java ... -jar` with -XX:+UseSerialGC, a fixed heap (-Xmx), -XX:MaxDirectMemorySize,
  -XX:+ExitOnOutOfMemoryError (the bounds the manifests' memory limit is derived from);
- the jar it copies is the shaded jar the server module builds (finalName in server/pom.xml; and the
  file itself when server/target/nundb-exporter.jar exists);
- every environment variable it names is one the CLI documents (`--help-text FILE`: the jar's --help
  output; without it the list the CLI is specified to document).

Usage: check_dockerfile.py DEPLOY_DIR [--help-text FILE]
"""

import argparse
import json
import os
import re
import sys

# The environment variables the CLI is specified to document (issue 3 / brief); --help-text overrides.
SPECIFIED_ENV = {
    "NUNDB_EXPORTER_NUNDB_ADDRESS", "NUNDB_EXPORTER_NUNDB_USER", "NUNDB_EXPORTER_NUNDB_PASSWORD_FILE",
    "NUN_USER", "NUN_PWD", "NUN_URL", "NUNDB_EXPORTER_CANARY_TOKEN", "NUNDB_EXPORTER_WEB_LISTEN_ADDRESS",
}
JAR = "/opt/nundb-exporter/nundb-exporter.jar"


def instructions(text):
    text = re.sub(r"\\\n", " ", text)
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("deploy")
    ap.add_argument("--help-text")
    args = ap.parse_args(argv)
    root = os.path.dirname(os.path.abspath(args.deploy))
    with open(os.path.join(args.deploy, "Dockerfile")) as f:
        raw = f.read()
    ins = instructions(raw)
    errors = []

    froms = [r for w, r in ins if w == "FROM"]
    if froms != ["maven:3.9-eclipse-temurin-17 AS build", "eclipse-temurin:17-jre"]:
        errors.append(f"stages: {froms}")
    runtime = ins[[i for i, (w, _) in enumerate(ins) if w == "FROM"][-1]:]
    users = [r for w, r in runtime if w == "USER"]
    if not users or not re.fullmatch(r"[1-9]\d*(:[1-9]\d*)?", users[-1]):
        errors.append("runtime stage must end as a numeric non-root USER")
    if ("EXPOSE", "9898") not in runtime:
        errors.append("EXPOSE 9898 missing")

    hc = [r for w, r in runtime if w == "HEALTHCHECK"]
    hc_cmd = json.loads(hc[0].split("CMD", 1)[1]) if hc and "CMD [" in hc[0] else None
    if not hc_cmd or hc_cmd[0] != "java" or hc_cmd[-3:] != ["-jar", JAR, "healthcheck"]:
        errors.append(f"HEALTHCHECK must be exec-form java -jar {JAR} healthcheck")
    ep = [r for w, r in runtime if w == "ENTRYPOINT"]
    ep_cmd = json.loads(ep[0]) if ep else []
    for flag in ("-XX:+UseSerialGC", "-XX:MaxDirectMemorySize=64m", "-XX:+ExitOnOutOfMemoryError"):
        if flag not in ep_cmd:
            errors.append(f"ENTRYPOINT lacks {flag}")
    if not any(re.fullmatch(r"-Xmx\d+[mg]", f) for f in ep_cmd):
        errors.append("ENTRYPOINT lacks a fixed heap bound -Xmx<N>m")
    if ep_cmd[:1] != ["java"] or ep_cmd[-2:] != ["-jar", JAR]:
        errors.append(f"ENTRYPOINT must be exec-form java ... -jar {JAR}")

    copies = [r for w, r in runtime if w == "COPY" and r.startswith("--from=build")]
    src = copies[0].split()[1] if copies else ""
    if not copies or copies[0].split()[2] != JAR:
        errors.append(f"runtime must COPY --from=build the jar to {JAR}")
    if src != "/src/server/target/nundb-exporter.jar":
        errors.append(f"copied jar {src} is not the server module's shaded jar")
    with open(os.path.join(root, "server", "pom.xml")) as f:
        if "<finalName>nundb-exporter</finalName>" not in f.read():
            errors.append("server/pom.xml finalName is not nundb-exporter: the jar path would not exist")
    built = os.path.join(root, "server", "target", "nundb-exporter.jar")
    jar_note = "built jar present" if os.path.exists(built) else "jar not built yet (finalName checked)"
    for w, r in ins:
        if w == "COPY" and not r.startswith("--from"):
            path = r.split()[0]
            if not os.path.exists(os.path.join(root, path)):
                errors.append(f"COPY source {path} does not exist in the repository")

    if args.help_text:
        with open(args.help_text) as f:
            documented = set(re.findall(r"\b[A-Z][A-Z0-9_]{2,}\b", f.read()))
    else:
        documented = SPECIFIED_ENV
    named = set(re.findall(r"\b(NUN[A-Z0-9_]*|WEB_[A-Z0-9_]+)\b", raw))
    for v in sorted(named - documented):
        errors.append(f"Dockerfile names {v}, which the CLI does not document")

    for e in errors:
        print("ERROR " + e, file=sys.stderr)
    if not errors:
        print(f"Dockerfile ok ({jar_note}); environment variables named: {', '.join(sorted(named))}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
