"""Validates docker-compose.yml against the Compose Specification's JSON schema (no Docker engine here).

usage: validate_compose.py COMPOSE_FILE SCHEMA_FILE
Prints "valid" and exits 0, or prints each violation with its path and exits 1. Beyond the schema, every
service must be restarted when it dies (`restart: always` or `unless-stopped`): a crashed service must
come back on its own, with its data volume.
"""
import json
import sys

import jsonschema
import yaml


def main() -> int:
    compose_path, schema_path = sys.argv[1], sys.argv[2]
    with open(compose_path, encoding="utf-8") as f:
        document = yaml.safe_load(f)
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    for error in errors:
        print(f"{'/'.join(str(p) for p in error.path) or '<root>'}: {error.message}")
    services = document.get("services", {}) if isinstance(document, dict) else {}
    unrestarted = [name for name, service in services.items()
                   if isinstance(service, dict) and service.get("restart") not in ("always", "unless-stopped")]
    for name in unrestarted:
        print(f"services/{name}/restart: must be always or unless-stopped, so that a crashed service comes back")
    if errors or unrestarted:
        return 1
    print("valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
