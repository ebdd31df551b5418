#!/usr/bin/env python3
"""The Python baseline for `sprout lint`: PyYAML's C loader plus jsonschema validation against
grammar/sprout.schema.json — what a Python tool would do for the same files (and it checks far less:
no positions for most errors, no references, no expressions, no shapes)."""
import json
import sys

import jsonschema
import yaml

schema_path, files = sys.argv[1], sys.argv[2:]
with open(schema_path) as f:
    schema = json.load(f)
validator = jsonschema.Draft202012Validator(schema)
errors = 0
for path in files:
    with open(path) as f:
        doc = yaml.load(f, Loader=yaml.CLoader)
    errors += sum(1 for _ in validator.iter_errors(doc))
print(f"{len(files)} files, {errors} schema errors")
sys.exit(1 if errors else 0)
