"""Validates docker-compose.yml against the Compose Specification's JSON schema (no Docker engine here).

usage: validate_compose.py COMPOSE_FILE SCHEMA_FILE
Prints "valid" and exits 0, or prints each violation with its path and exits 1.
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
    if errors:
        return 1
    print("valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
