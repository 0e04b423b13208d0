"""Checks a live gateway against its OpenAPI document with schemathesis.

usage: api_conformance.py --base-url http://127.0.0.1:PORT --spec PATH/openapi.yaml [--max-examples N]
                          [--phases examples,coverage,fuzzing,stateful] [--workers N] [--seed N]
                          [--request-timeout S] [--timeout S] [--report-dir DIR] [--list]

Runs the schemathesis CLI (the version pinned in requirements.txt) against the gateway at --base-url with
the document at --spec, with these checks on every response:

  not_a_server_error           no 5xx, whatever was sent
  status_code_conformance      the status code is one the operation documents
  content_type_conformance     the Content-Type is one documented for that status
  response_schema_conformance  the body validates against the documented schema

The phases generate valid (positive) and invalid (negative) requests: `examples` sends the document's
examples, `coverage` boundary values and edge cases of every parameter and body field (and, per path,
methods the document does not declare), `fuzzing` random requests, `stateful` sequences of calls that
follow the document's links (create a task, then start, complete or delete it). Destructive operations
(DELETE, complete, cancel, ...) run too: the stack under test must be a throwaway one.

Afterwards it reads schemathesis's NDJSON event report and prints, per operation of the document, how
many of its requests were answered and their status classes, then every distinct failure with the
request (method, URL, body) and the response (status, body). It exits 1 when a check failed,
schemathesis reported an error (a refused connection, a request timeout, ...), or an operation of the
document was not exercised (no request with its method answered), 2 on bad arguments or a run over
--timeout, and 0 otherwise. --list prints the operations of the document and
exits without running anything.
"""

import argparse
import base64
import collections
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from importlib import metadata

import yaml

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
DEFAULT_PHASES = "examples,coverage,fuzzing,stateful"
KNOWN_PHASES = {"examples", "coverage", "fuzzing", "stateful"}
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
SHOWN_BODY_CHARS = 2000


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        description="Check a live gateway against its OpenAPI document with schemathesis."
    )
    parser.add_argument("--base-url", help="the gateway, e.g. http://127.0.0.1:8080")
    parser.add_argument("--spec", required=True, help="the OpenAPI document (Gateway/Gateway/Public/openapi.yaml)")
    parser.add_argument("--max-examples", type=int, default=25, help="test cases per operation and phase (default 25)")
    parser.add_argument("--phases", default=DEFAULT_PHASES, help=f"comma-separated phases (default {DEFAULT_PHASES})")
    parser.add_argument("--workers", type=int, default=1, help="concurrent schemathesis workers (default 1)")
    parser.add_argument("--seed", type=int, help="random seed, to repeat a run (default: a new one, printed)")
    parser.add_argument("--request-timeout", type=float, default=10.0, help="seconds per request (default 10)")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds for the whole run (default 900)")
    parser.add_argument("--report-dir", help="keep schemathesis's reports (NDJSON, JUnit) in this directory")
    parser.add_argument("--list", action="store_true", help="print the document's operations and exit")
    parser.add_argument("--key", help="an API key, sent as Authorization: Bearer (an admin key exercises every operation)")
    args = parser.parse_args(argv)
    if not args.list and not args.base_url:
        parser.error("--base-url is required (unless --list)")
    if args.base_url and not re.match(r"^https?://[^/\s]+", args.base_url):
        parser.error(f"--base-url must be an http(s) URL, not {args.base_url!r}")
    if args.max_examples < 1:
        parser.error("--max-examples must be at least 1")
    if not 1 <= args.workers <= 64:
        parser.error("--workers must be between 1 and 64")
    if args.request_timeout <= 0 or args.timeout <= 0:
        parser.error("timeouts must be positive")
    phases = [phase.strip() for phase in args.phases.split(",") if phase.strip()]
    unknown = [phase for phase in phases if phase not in KNOWN_PHASES]
    if not phases or unknown:
        parser.error(f"--phases must list some of {', '.join(sorted(KNOWN_PHASES))}; unknown: {', '.join(unknown)}")
    args.phases = ",".join(phases)
    if not os.path.isfile(args.spec):
        parser.error(f"--spec {args.spec}: no such file")
    return args


def document_operations(spec_path):
    """The operations of the document, in document order: [(label, operationId)], label as schemathesis
    spells it ("GET /api/equipment/{id}")."""
    with open(spec_path, encoding="utf-8") as f:
        document = yaml.safe_load(f)
    if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
        raise ValueError(f"{spec_path} is not an OpenAPI document (no paths)")
    operations = []
    for path, item in document["paths"].items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                operations.append((f"{method.upper()} {path}", operation.get("operationId")))
    if not operations:
        raise ValueError(f"{spec_path} has no operations")
    return operations


def pinned_schemathesis_version():
    requirements = os.path.join(os.path.dirname(os.path.abspath(__file__)), "requirements.txt")
    try:
        with open(requirements, encoding="utf-8") as f:
            for line in f:
                match = re.match(r"^\s*schemathesis\s*==\s*([^\s#;]+)", line, re.IGNORECASE)
                if match:
                    return match.group(1)
    except OSError:
        pass
    return None


def schemathesis_command(args, spec_path, report_dir):
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", spec_path,
        "--url", args.base_url,
        "--checks", ",".join(CHECKS),
        "--phases", args.phases,
        "--max-examples", str(args.max_examples),
        "--workers", str(args.workers),
        "--request-timeout", str(args.request_timeout),
        "--generation-database", "none",
        "--report", "ndjson,junit",
        "--report-dir", report_dir,
        "--report-ndjson-path", os.path.join(report_dir, "events.ndjson"),
        "--report-junit-path", os.path.join(report_dir, "junit.xml"),
    ]
    if args.key:
        command += ["--header", f"Authorization: Bearer {args.key}"]
    if args.seed is not None:
        command += ["--seed", str(args.seed)]
    if not sys.stdout.isatty():
        command.append("--no-color")
    return command


def run_schemathesis(command, cwd, timeout):
    """Runs schemathesis with its output going to ours; returns its exit code, or None after `timeout`."""
    sys.stdout.flush()
    process = subprocess.Popen(command, cwd=cwd, start_new_session=True)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        return None


def decode_body(body):
    """A recorded request or response body as text (bodies are recorded base64-encoded)."""
    if body is None:
        return None
    if isinstance(body, dict) and "$base64" in body:
        raw = base64.b64decode(body["$base64"])
    elif isinstance(body, dict) and "string" in body:
        raw = body["string"].encode("utf-8", "replace")
    elif isinstance(body, str):
        raw = body.encode("utf-8", "replace")
    else:
        return json.dumps(body)
    text = raw.decode("utf-8", "replace")
    if len(text) > SHOWN_BODY_CHARS:
        text = text[:SHOWN_BODY_CHARS] + f"... ({len(text)} characters)"
    return text


def header(headers, name):
    for key, value in (headers or {}).items():
        if key.lower() == name.lower():
            return value[0] if isinstance(value, list) and value else value
    return None


class Report:
    """What the NDJSON event report says: requests per operation, failures, errors."""

    def __init__(self, labels):
        self.labels = set(labels)
        self.requests = collections.defaultdict(collections.Counter)  # label -> Counter of status classes
        self.failures = {}  # dedup key -> failure
        self.errors = []
        self.seed = None
        self.version = None
        self.stop_reason = None
        self.finished = False

    def read(self, path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(event, dict) or len(event) != 1:
                    continue
                (kind, value), = event.items()
                handler = getattr(self, f"on_{kind}", None)
                if handler is not None and isinstance(value, dict):
                    handler(value)

    def on_Initialize(self, value):
        self.seed = value.get("seed")
        self.version = value.get("schemathesis_version")

    def on_ScenarioFinished(self, value):
        recorder = value.get("recorder") or {}
        scenario_label = recorder.get("label", "?")
        cases = recorder.get("cases") or {}
        interactions = recorder.get("interactions") or {}

        def case_label(case_id):
            """The operation a request was for: a stateful scenario ("Stateful tests") mixes operations, and
            the coverage phase also sends, under an operation's label, methods the document does not declare
            (those do not exercise any operation)."""
            case = (cases.get(case_id) or {}).get("value") or {}
            label = f"{str(case.get('method', '')).upper()} {case.get('path', '')}"
            if label in self.labels:
                return label, True
            return scenario_label, False

        for case_id, interaction in interactions.items():
            label, declared = case_label(case_id)
            response = interaction.get("response")
            if not declared:
                key = "other method"
            elif response is None:
                key = "no response"
            else:
                key = f"{str(response.get('status_code', '?'))[0]}xx"
            self.requests[label][key] += 1
        for case_id, checks in (recorder.get("checks") or {}).items():
            for check in checks:
                if check.get("status") != "failure":
                    continue
                failure = (check.get("failure_info") or {}).get("failure") or {}
                interaction = interactions.get(case_id) or {}
                label = failure.get("operation") or case_label(case_id)[0]
                key = (label, check.get("name"), failure.get("code"), failure.get("title"),
                       (failure.get("message") or "")[:300])
                if key in self.failures:
                    self.failures[key]["occurrences"] += 1
                    continue
                self.failures[key] = {
                    "label": label,
                    "check": check.get("name"),
                    "code": failure.get("code"),
                    "title": failure.get("title"),
                    "message": failure.get("message") or "",
                    "request": interaction.get("request"),
                    "response": interaction.get("response"),
                    "phase": value.get("phase"),
                    "occurrences": 1,
                }

    def on_NonFatalError(self, value):
        self.errors.append((value.get("label") or "?", value.get("phase"), value.get("value") or value))

    def on_FatalError(self, value):
        self.errors.append(("schemathesis", None, value.get("exception") or value))

    def on_EngineFinished(self, value):
        self.finished = True
        self.stop_reason = value.get("stop_reason")
        for failure in value.get("failures") or []:
            self.errors.append(("run", None, failure))


def print_failure(number, failure):
    print(f"\n{number}. {failure['label']}: {failure['check']} ({failure['code']} {failure['title']}), "
          f"phase {failure['phase']}, seen {failure['occurrences']} time(s)")
    for line in failure["message"].strip().splitlines():
        print(f"     {line}")
    request = failure["request"] or {}
    response = failure["response"]
    print(f"   request:  {request.get('method', '?')} {request.get('uri', '?')}")
    content_type = header(request.get("headers"), "Content-Type")
    if content_type:
        print(f"             Content-Type: {content_type}")
    body = decode_body(request.get("body"))
    if body is not None:
        print(f"             body: {body}")
    if response is None:
        print("   response: none (the connection failed)")
    else:
        print(f"   response: {response.get('status_code')} {response.get('message', '')}".rstrip())
        content_type = header(response.get("headers"), "Content-Type")
        if content_type:
            print(f"             Content-Type: {content_type}")
        body = decode_body(response.get("content") if "content" in response else response.get("body"))
        if body:
            print(f"             body: {body}")


def summarise(operations, report):
    print("\n=== API conformance summary ===")
    print(f"schemathesis {report.version or '?'}, seed {report.seed}, checks: {', '.join(CHECKS)}")
    unexercised = []
    width = max(len(label) for label, _ in operations)
    print(f"\nOperations ({len(operations)} in the document): requests answered, by status class")
    for label, operation_id in operations:
        counts = report.requests.get(label, collections.Counter())
        # Exercised: a request with the operation's method got a response (of any status).
        sent = sum(count for key, count in counts.items() if key.endswith("xx"))
        detail = ", ".join(f"{key} {counts[key]}" for key in sorted(counts) if key != "other method")
        mark = "ok " if sent else "NOT EXERCISED"
        if not sent:
            unexercised.append(label)
        elif not any(key == "2xx" for key in counts):
            detail += " (no 2xx)"
        print(f"  {mark:3} {label:{width}}  {operation_id or '-':32} {sent:5} answered  {detail}")
    other = sum(counts["other method"] for counts in report.requests.values())
    if other:
        print(f"  (and {other} requests with methods the document does not declare, which must not answer 5xx)")

    failures = list(report.failures.values())
    if failures:
        print(f"\nFailures ({len(failures)} distinct):")
        for number, failure in enumerate(failures, 1):
            print_failure(number, failure)
    if report.errors:
        print(f"\nErrors ({len(report.errors)}):")
        for label, phase, detail in report.errors:
            text = detail if isinstance(detail, str) else json.dumps(detail)
            if len(text) > SHOWN_BODY_CHARS:
                text = text[:SHOWN_BODY_CHARS] + "..."
            print(f"  {label} (phase {phase}): {text}")
    if unexercised:
        print(f"\nNot exercised ({len(unexercised)}): {', '.join(unexercised)}")
    if report.stop_reason not in (None, "completed"):
        print(f"\nThe run stopped early: {report.stop_reason}")
    return failures, unexercised


def main(argv=None):
    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    spec_path = os.path.abspath(args.spec)
    try:
        operations = document_operations(spec_path)
    except (OSError, ValueError, yaml.YAMLError) as error:
        print(f"api_conformance: {error}", file=sys.stderr)
        return 2
    if args.list:
        for label, operation_id in operations:
            print(f"{label}  {operation_id or '-'}")
        return 0

    installed = metadata.version("schemathesis")
    pinned = pinned_schemathesis_version()
    if pinned and installed != pinned:
        print(f"api_conformance: warning: schemathesis {installed} is installed, requirements.txt pins {pinned}")

    work_dir = tempfile.mkdtemp(prefix="api-conformance-")
    report_dir = os.path.abspath(args.report_dir) if args.report_dir else os.path.join(work_dir, "report")
    os.makedirs(report_dir, exist_ok=True)
    try:
        command = schemathesis_command(args, spec_path, report_dir)
        print(f"api_conformance: {len(operations)} operations, schemathesis {installed}")
        print("api_conformance: " + " ".join(command[1:]))
        # In a scratch directory, so that nothing schemathesis writes lands in the checkout.
        exit_code = run_schemathesis(command, cwd=work_dir, timeout=args.timeout)
        report = Report(label for label, _ in operations)
        events = os.path.join(report_dir, "events.ndjson")
        if os.path.isfile(events):
            report.read(events)
        failures, unexercised = summarise(operations, report)
        if exit_code is None:
            print(f"\nFAILED: schemathesis did not finish within {args.timeout:.0f} s")
            return 2
        problems = []
        if failures:
            problems.append(f"{len(failures)} distinct failures")
        if report.errors:
            problems.append(f"{len(report.errors)} errors")
        if unexercised:
            problems.append(f"{len(unexercised)} operations not exercised")
        if not report.finished:
            problems.append("the event report is incomplete")
        if exit_code != 0 and not problems:
            problems.append(f"schemathesis exited with {exit_code}")
        if problems:
            print(f"\nFAILED: {'; '.join(problems)}")
            return 1
        print(f"\nPASSED: {len(operations)} operations exercised, no failures")
        return 0
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
