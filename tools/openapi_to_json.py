#!/usr/bin/env python3
"""Converts api/openapi.yaml to the JSON the server embeds and serves at /api/v1/openapi.json.

Usage: tools/openapi_to_json.py IN.yaml OUT.cpp
Writes a C++ source defining steward::http::kOpenApiJson (the document as compact JSON). Fails
with a clear message when the YAML does not parse, is not an OpenAPI 3 document with paths, or
holds a key without a value: in a flow mapping ({description: a, b}) an unquoted comma cuts the
text and makes the rest a key of its own, which YAML accepts silently.
Needs PyYAML (Debian: python3-yaml, installed by scripts/install-deps.sh).
"""
import json
import sys

try:
    import yaml
except ImportError:
    sys.exit("openapi_to_json: PyYAML is missing: run scripts/install-deps.sh (python3-yaml)")


def keys_without_value(node, path=""):
    """Where a mapping key has no value (null): the mark of an unquoted comma in a flow mapping."""
    if isinstance(node, dict):
        for key, value in node.items():
            where = "%s/%s" % (path, key)
            if value is None:
                yield where
            else:
                yield from keys_without_value(value, where)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from keys_without_value(item, "%s/%d" % (path, i))


def main():
    source, target = sys.argv[1], sys.argv[2]
    with open(source, encoding="utf-8") as f:
        try:
            document = yaml.safe_load(f)
        except yaml.YAMLError as error:
            sys.exit("openapi_to_json: %s: %s" % (source, error))
    if not isinstance(document, dict) or not str(document.get("openapi", "")).startswith("3.") \
            or not isinstance(document.get("paths"), dict):
        sys.exit("openapi_to_json: %s is not an OpenAPI 3 document with paths" % source)
    empty = list(keys_without_value(document))
    if empty:
        sys.exit("openapi_to_json: %s: keys without a value (quote a text holding a comma in {...}): %s"
                 % (source, "; ".join(empty[:5])))
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    delimiter = "OPENAPI"
    if (")" + delimiter + '"') in text:
        sys.exit("openapi_to_json: the document contains the raw-string delimiter")
    code = ("// Generated from api/openapi.yaml by tools/openapi_to_json.py; do not edit.\n"
            "namespace steward::http {\n"
            "extern const char* const kOpenApiJson;\n"
            "const char* const kOpenApiJson = R\"%s(%s)%s\";\n"
            "}  // namespace steward::http\n") % (delimiter, text, delimiter)
    with open(target + ".tmp", "w", encoding="utf-8") as f:
        f.write(code)
    import os
    os.replace(target + ".tmp", target)


if __name__ == "__main__":
    main()
