#!/usr/bin/env python3
"""release/validate-sbom.py - check SPDX JSON documents against a JSON schema.

    release/validate-sbom.py SCHEMA DOC...

SCHEMA is the SPDX 2.3 JSON schema (release/fetch-schema.sh spdx-2.3 gives
its path); it declares JSON Schema draft-07 and is checked with
jsonschema's Draft7Validator (Debian's python3-jsonschema). Each error is
printed as "DOC: at PATH: MESSAGE".
Exit status: 0 every DOC is valid, 1 one is not (or cannot be read), 2 usage
or a SCHEMA that is not a draft-07 schema.
"""

import json
import sys

try:
    import jsonschema
except ImportError:
    print("validate-sbom: error: python3-jsonschema is not installed "
          "(build.sh's PACKAGES has it)", file=sys.stderr)
    sys.exit(2)

DRAFT7 = "http://json-schema.org/draft-07/schema#"


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    try:
        schema = load(argv[0])
    except (OSError, ValueError) as e:
        print(f"validate-sbom: error: {argv[0]}: {e}", file=sys.stderr)
        return 2
    if schema.get("$schema") != DRAFT7:
        print(f"validate-sbom: error: {argv[0]}: $schema is "
              f"{schema.get('$schema')!r}, not draft-07", file=sys.stderr)
        return 2
    try:
        jsonschema.Draft7Validator.check_schema(schema)
    except jsonschema.exceptions.SchemaError as e:
        print(f"validate-sbom: error: {argv[0]}: {e.message}",
              file=sys.stderr)
        return 2
    validator = jsonschema.Draft7Validator(schema)
    rc = 0
    for path in argv[1:]:
        try:
            doc = load(path)
        except (OSError, ValueError) as e:
            print(f"{path}: cannot read: {e}")
            rc = 1
            continue
        errors = sorted(validator.iter_errors(doc),
                        key=lambda e: list(map(str, e.absolute_path)))
        for e in errors:
            where = "/".join(map(str, e.absolute_path)) or "(top)"
            print(f"{path}: at {where}: {e.message}")
        if errors:
            rc = 1
        else:
            print(f"{path}: valid ({schema.get('title', 'schema')})")
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
