#!/usr/bin/env python3
"""validate_run.py DIR... - check run directories against the published schemas.

DIR/run.json against schema/run.schema.json and every line of
DIR/scenarios.jsonl against schema/scenario.schema.json (JSON Schema
2020-12, python3-jsonschema).  NaN and Infinity are not JSON: a file that
holds them fails.  Prints one line per problem (file:line: path: message)
and exits 1 if there was any, 0 otherwise; 2 when a DIR has no run.json.
"""
import json
import os
import sys

import jsonschema

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def no_constants(name):
    raise ValueError("%s is not JSON" % name)


def loads(text):
    return json.loads(text, parse_constant=no_constants)


def validator(name):
    with open(os.path.join(TOP, "schema", name)) as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def where(err):
    return "".join("[%d]" % p if isinstance(p, int) else ".%s" % p for p in err.absolute_path) or "."


def check(v, obj, label, problems):
    for err in sorted(v.iter_errors(obj), key=lambda e: list(map(str, e.absolute_path))):
        problems.append("%s: %s: %s" % (label, where(err), err.message[:300]))


def main(dirs):
    run_v, scn_v = validator("run.schema.json"), validator("scenario.schema.json")
    problems, records = [], 0
    for d in dirs:
        rp = os.path.join(d, "run.json")
        if not os.path.exists(rp):
            print("%s: no run.json" % d)
            return 2
        try:
            with open(rp) as f:
                check(run_v, loads(f.read()), rp, problems)
        except ValueError as e:
            problems.append("%s: not valid JSON: %s" % (rp, e))
        sp = os.path.join(d, "scenarios.jsonl")
        if not os.path.exists(sp):
            continue
        with open(sp) as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                records += 1
                try:
                    obj = loads(line)
                except ValueError as e:
                    problems.append("%s:%d: not valid JSON: %s" % (sp, n, e))
                    continue
                check(scn_v, obj, "%s:%d" % (sp, n), problems)
    for p in problems:
        print(p)
    if not problems:
        print("%d run director%s, %d scenario record%s valid" %
              (len(dirs), "y" if len(dirs) == 1 else "ies", records, "" if records == 1 else "s"))
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1:]))
