"""The `saring` command line."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from saring.domain.errors import SaringError

if TYPE_CHECKING:
    from saring.ports import KeyStore, StoredKey
    from saring.service.keys import IssuedKey


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except SaringError as error:
        print(f"saring: {error.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        message = _plain_message(error)
        if message is None:
            raise
        print(f"saring: {message}", file=sys.stderr)
        return 1


def _plain_message(error: Exception) -> str | None:
    """One line for the errors a person at a terminal causes and can fix (no stack running,
    no credentials, an unknown table, a busy port); None for a bug, whose traceback helps."""
    from saring.local_stack import LocalStackError

    if isinstance(error, LocalStackError):
        return str(error)
    if type(error).__module__.startswith("botocore"):
        from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

        endpoint = os.environ.get("AWS_ENDPOINT_URL")
        if isinstance(error, EndpointConnectionError):
            return (
                f"cannot reach {endpoint or 'AWS'}: is the local stack running (make run)? "
                "AWS_ENDPOINT_URL says where it is"
            )
        if isinstance(error, NoCredentialsError):
            return "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (any value for a local stack)"
        if isinstance(error, ClientError):
            code = error.response.get("Error", {}).get("Code", "")
            if code == "ResourceNotFoundException":
                table = os.environ.get("SARING_TABLE", "saring")
                return (
                    f"no table {table!r} at {endpoint or 'AWS'}: SARING_TABLE names it "
                    "(saring-local under make run)"
                )
            return f"AWS refused the request: {code} {error.response.get('Error', {}).get('Message', '')}".strip()
        return f"AWS error: {error}"
    return None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="saring", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    keys = commands.add_parser("keys", help="manage API keys").add_subparsers(
        required=True, metavar="ACTION"
    )
    create = keys.add_parser(
        "create",
        help="create an API key and print it once",
        description="Creates a key in the table named by SARING_TABLE (AWS_ENDPOINT_URL "
        "points at a local stack) and prints it once; only its SHA-256 hash is stored.",
    )
    create.add_argument("--role", required=True, choices=["platform", "regulator"])
    create.add_argument("--platform", help="the platform a platform key is bound to")
    create.add_argument("--agency", help="the agency a regulator key is bound to")
    create.add_argument(
        "--expires-in-days", type=int, help="the key stops working after this many days"
    )
    create.set_defaults(run=_keys_create)

    listing = keys.add_parser(
        "list", help="list the keys (id, principal, created, expires, revoked), never the keys"
    )
    listing.set_defaults(run=_keys_list)
    revoke = keys.add_parser(
        "revoke",
        help="revoke a key by its id",
        description="A revoked key gets 401 once each container's key cache has let it go "
        "(SARING_KEY_CACHE_SECONDS, default 60).",
    )
    revoke.add_argument("key_id", metavar="KEY_ID")
    revoke.set_defaults(run=_keys_revoke)
    rotate = keys.add_parser(
        "rotate",
        help="issue a new key with the same role and revoke the old one",
        description="Prints the new key once; the old key is revoked in the same write.",
    )
    rotate.add_argument("key_id", metavar="KEY_ID")
    rotate.set_defaults(run=_keys_rotate)

    serve = commands.add_parser("serve", help="run the local stack (moto + GraphQL API)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--keys-out", type=Path, help="write the demo keys to this JSON file")
    serve.add_argument(
        "--dynamodb-port", type=int, default=0, help="port of the local moto server (0: any free)"
    )
    serve.set_defaults(run=_serve)

    classify = commands.add_parser(
        "classify", help="score JSON-lines listings with the classifier, no AWS needed"
    )
    classify.add_argument(
        "file", type=Path, nargs="?", help="JSON lines to read (default: stdin), as --input"
    )
    classify.add_argument("--input", type=Path, help="JSON lines to read (default: stdin)")
    classify.add_argument("--output", type=Path, help="where to write verdicts (default: stdout)")
    classify.set_defaults(run=_classify)

    scan = commands.add_parser(
        "scan",
        help="scan a JSON-lines catalog with the same split and scan handlers as in AWS",
        description="Runs the S3 -> SQS -> scan pipeline and copies the parts and manifest into "
        "--out. With AWS_ENDPOINT_URL (as for `saring keys`) it runs on that local stack's moto "
        "and reads its table (SARING_TABLE): its ledger and takedown orders count. Without it, "
        "on a fresh moto in this process.",
    )
    scan.add_argument("file", type=Path, help="JSON lines (optionally gzip) of listings")
    scan.add_argument("--out", type=Path, required=True, help="directory for parts and manifest")
    scan.add_argument("--platform", default="local", help="platform named in the S3 key")
    scan.add_argument(
        "--clear",
        action="store_true",
        help="remove an earlier scan's parts, summaries and manifest from --out first "
        "(without it, such a folder is refused)",
    )
    scan.set_defaults(run=_scan)

    labels = commands.add_parser(
        "labels", help="review outcomes reported by platforms (training labels)"
    ).add_subparsers(required=True, metavar="ACTION")
    export = labels.add_parser(
        "export",
        help="write review outcomes as JSON lines for models/train.py --labels",
        description="Reads the label table (SARING_LABEL_TABLE, default <SARING_TABLE>-labels; "
        "AWS_ENDPOINT_URL points at a local stack, as for `saring keys`) and writes one JSON "
        "line per outcome, oldest first. See docs/learning-loop.md.",
    )
    export.add_argument("--out", type=Path, required=True, help="the JSON-lines file to write")
    export.add_argument(
        "--platform", help="one platform's outcomes (default: every platform in SARING_PLATFORMS)"
    )
    export.add_argument(
        "--since", help="only outcomes recorded at or after this ISO 8601 time (UTC if no offset)"
    )
    export.set_defaults(run=_labels_export)

    orders = commands.add_parser("orders", help="takedown orders").add_subparsers(
        required=True, metavar="ACTION"
    )
    sweep = orders.add_parser(
        "sweep",
        help="complete orders whose issue or withdrawal was interrupted (over 5 minutes ago)",
        description="What the scheduled OverdueTargetsFunction does every 15 minutes: every "
        "order still ISSUING 5 minutes after its issue gets its missing targets and becomes "
        "ISSUED, and every order WITHDRAWN over 5 minutes ago with targets not yet settled has "
        "them settled. Prints the ids completed, one a line.",
    )
    sweep.set_defaults(run=_orders_sweep)

    notices = commands.add_parser("notices", help="the warning ladder (ST1, ST2, ST3)").add_subparsers(
        required=True, metavar="ACTION"
    )
    run = notices.add_parser(
        "run",
        help="issue every warning-ladder notice due now",
        description="What the scheduled NoticesFunction does every 15 minutes, against the "
        "table named by SARING_TABLE (AWS_ENDPOINT_URL points at a local stack): each pending "
        "target past its deadline gets the next notice that is due (ST1, then ST2 and ST3 "
        "after SARING_NOTICE_ST2_AFTER_HOURS and SARING_NOTICE_ST3_AFTER_HOURS). Prints one "
        "JSON line per notice issued.",
    )
    run.set_defaults(run=_notices_run)

    drift = commands.add_parser(
        "drift", help="drift of the flagged share per platform"
    ).add_subparsers(required=True, metavar="ACTION")
    drift_run = drift.add_parser(
        "run",
        help="compute and write FlaggedShareDrift once",
        description="What the scheduled DriftFunction does every hour, against the CloudWatch "
        "AWS_ENDPOINT_URL points at (a local stack, as for `saring keys`): for each platform "
        "of SARING_DRIFT_PLATFORMS, the last complete WIB day's share of flagged verdicts "
        "divided by its trailing 7 days' share, written as FlaggedShareDrift when there is "
        "one. Prints one JSON line per platform. See docs/learning-loop.md.",
    )
    drift_run.set_defaults(run=_drift_run)

    window = argparse.ArgumentParser(add_help=False)
    window.add_argument("--platform", required=True, help="one of SARING_PLATFORMS")
    window.add_argument("--since", required=True, type=_moment, help="ISO 8601 with an offset")
    window.add_argument("--until", required=True, type=_moment, help="ISO 8601 with an offset (excluded)")
    export = commands.add_parser("export", help="exports for regulators and the public").add_subparsers(
        required=True, metavar="WHAT"
    )
    statements = export.add_parser(
        "statements",
        parents=[window],
        help="statements of reasons (EU DSA transparency database shape), one JSON line each",
        description="One JSON line per enforcement action Saring knows of on the platform in "
        "[since, until): a target acknowledged REMOVED, a strike recorded, a seller blocked. Every "
        "line is validated against the statement-of-reasons schema first; nothing is written if "
        "one fails. Reads the table named by SARING_TABLE (AWS_ENDPOINT_URL: a local stack).",
    )
    statements.add_argument("--out", required=True, type=Path, help="the JSON-lines file to write")
    statements.set_defaults(run=_export_statements)
    report = commands.add_parser("report", help="reports").add_subparsers(
        required=True, metavar="WHAT"
    )
    transparency = report.add_parser(
        "transparency",
        parents=[window],
        help="report.json, report.csv and PNG charts of the platform's period",
        description="Actions by source, time from order to removal, notices by level, appeals "
        "and their outcomes. Needs matplotlib (the 'report' extra; make installs it).",
    )
    transparency.add_argument("--out", required=True, type=Path, help="the directory to write into")
    transparency.set_defaults(run=_report_transparency)
    _model_commands(commands)
    return parser


def _moment(text: str):
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date-time: {text!r}") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"give an offset (Z or +07:00): {text!r}")
    return moment


def _export_statements(args: argparse.Namespace) -> int:
    from saring.bootstrap import build_transparency_service
    from saring.transparency.export import write_statements

    service = build_transparency_service()
    count = write_statements(service.statements(args.platform, args.since, args.until), args.out)
    print(f"{count} statements of reasons written to {args.out}", file=sys.stderr)
    return 0


def _report_transparency(args: argparse.Namespace) -> int:
    from saring.bootstrap import build_transparency_service
    from saring.transparency.report import write_report

    report = build_transparency_service().report(args.platform, args.since, args.until)
    for path in write_report(report, args.out):
        print(path)
    return 0


def _labels_export(args: argparse.Namespace) -> int:
    from saring.atomic_file import replaced_atomically
    from saring.bootstrap import build_label_store
    from saring.service.labels import export_platforms, parse_since, write_export
    from saring.settings import Settings

    settings = Settings.from_env()
    platforms = export_platforms(args.platform, settings.known_platforms)
    since = parse_since(args.since)
    store = build_label_store(settings)
    outcomes = sorted(
        (o for platform in platforms for o in store.outcomes(platform, since)),
        key=lambda o: (o.recorded_at, o.platform, o.id),
    )
    with replaced_atomically(args.out) as out:
        written = write_export(outcomes, out)
    print(f"saring: {written} labels written to {args.out}", file=sys.stderr)
    return 0


def _notices_run(args: argparse.Namespace) -> int:
    from saring.bootstrap import build_order_service

    for target, notice in build_order_service().issue_notices():
        line = {
            "targetId": target.id,
            "orderId": target.order_id,
            "platform": target.platform,
            "level": notice.level.value,
            "issuedAt": notice.issued_at.isoformat(),
        }
        print(json.dumps(line))
    return 0


def _drift_run(args: argparse.Namespace) -> int:
    from saring.bootstrap import build_drift_job
    from saring.service.drift import drift_line

    for figures in build_drift_job().run():
        print(json.dumps(drift_line(figures)))
    return 0


def _orders_sweep(args: argparse.Namespace) -> int:
    from saring.bootstrap import build_order_service

    service = build_order_service()
    for order_id in service.sweep_interrupted_orders() + service.sweep_interrupted_withdrawals():
        print(order_id)
    return 0


def _scan(args: argparse.Namespace) -> int:
    from saring.scan.local import run_scan

    if not args.file.is_file():
        print(f"saring: no such file: {args.file}", file=sys.stderr)
        return 2
    return run_scan(
        args.file, args.out, platform=args.platform, progress_stream=sys.stderr, clear=args.clear
    )


def _key_store() -> KeyStore:
    from saring.adapters.dynamodb.client import dynamodb_client
    from saring.adapters.dynamodb.keystore import DynamoKeyStore
    from saring.settings import Settings

    return DynamoKeyStore(dynamodb_client(), Settings.from_env().table_name)


def _keys_create(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from saring.ports import SystemClock
    from saring.service.keys import create_key, principal_for
    from saring.settings import Settings

    principal = principal_for(
        args.role, args.platform, args.agency, Settings.from_env().known_platforms
    )
    expires_in = None if args.expires_in_days is None else timedelta(days=args.expires_in_days)
    issued = create_key(_key_store(), SystemClock(), principal, expires_in)
    _print_issued(issued)
    return 0


def _keys_list(args: argparse.Namespace) -> int:
    for stored in _key_store().all_keys():
        print(json.dumps(_key_entry(stored)))
    return 0


def _keys_revoke(args: argparse.Namespace) -> int:
    from saring.ports import SystemClock
    from saring.service.keys import revoke_key

    print(json.dumps(_key_entry(revoke_key(_key_store(), SystemClock(), args.key_id))))
    return 0


def _keys_rotate(args: argparse.Namespace) -> int:
    from saring.ports import SystemClock
    from saring.service.keys import rotate_key

    _print_issued(rotate_key(_key_store(), SystemClock(), args.key_id))
    return 0


def _key_entry(stored: StoredKey) -> dict[str, str | None]:
    """What may be shown about a stored key: never the key, never its hash."""
    principal = stored.principal
    return {
        "id": stored.key_id,
        "name": principal.name,
        "role": principal.role.value.lower(),
        "platform": principal.platform,
        "agency": principal.agency,
        "created_at": stored.created_at.isoformat(),
        "expires_at": stored.expires_at.isoformat() if stored.expires_at else None,
        "revoked_at": stored.revoked_at.isoformat() if stored.revoked_at else None,
    }


def _print_issued(issued: IssuedKey) -> None:
    # Printed only once the key is stored: a key that failed to store is never shown.
    entry = _key_entry(issued.stored)
    del entry["revoked_at"]
    print(json.dumps({**entry, "key": issued.key}))
    print("Store this key now: it is not shown again.", file=sys.stderr)


def _serve(args: argparse.Namespace) -> int:
    from saring.local_stack import serve

    serve(args.host, args.port, args.keys_out, args.dynamodb_port)
    return 0


def _classify(args: argparse.Namespace) -> int:
    from saring.bootstrap import load_classifier
    from saring.classifier.cli import run_classify
    from saring.settings import Settings

    if args.file and args.input and args.file != args.input:
        print("saring: give the input file once: FILE or --input", file=sys.stderr)
        return 2
    path = args.file or args.input
    if path is not None and not path.is_file():
        print(f"saring: no such file: {path}", file=sys.stderr)
        return 2
    classifier = load_classifier(Settings.from_env())
    source = path.open(encoding="utf-8", errors="replace") if path else sys.stdin
    target = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
    try:
        return run_classify(source, target, classifier, progress_stream=sys.stderr)
    finally:
        if path:
            source.close()
        if args.output:
            target.close()


def _model_commands(commands: argparse._SubParsersAction) -> None:
    model = commands.add_parser("model", help="model lifecycle").add_subparsers(
        required=True, metavar="ACTION"
    )
    gate = model.add_parser(
        "gate",
        help="decide whether a candidate model may replace the baseline; prints a JSON report",
        description="Exits 0 only when the candidate, against the baseline, loses at most 0.01 "
        "flagged-F1 on the frozen evaluation set, fails no more behavioural tests, flags no more "
        "held-out real titles, and does better on the --labels outcomes newer than its training "
        "horizon (models/gate.py; needs a source checkout with the training extras). Exits 1 "
        "naming the failed gates.",
    )
    gate.add_argument("candidate", type=Path, metavar="CANDIDATE_DIR")
    gate.add_argument(
        "--baseline", type=Path, help="model directory (default: the shipped models/listing-classifier)"
    )
    gate.add_argument(
        "--labels",
        type=Path,
        help="review outcomes as `saring labels export` writes them; those newer than the "
        "candidate's training horizon decide whether it does better",
    )
    gate.set_defaults(run=_model_gate)


def _model_gate(args: argparse.Namespace) -> int:
    import importlib

    models_dir = Path(__file__).resolve().parents[2] / "models"
    if not (models_dir / "gate.py").is_file():
        print(f"saring: the model gate runs from a source checkout ({models_dir} not found)", file=sys.stderr)
        return 2
    if str(models_dir) not in sys.path:
        sys.path.insert(0, str(models_dir))
    gate = importlib.import_module("gate")
    labels = importlib.import_module("labels")
    baseline = args.baseline or gate.SHIPPED_DIR
    for directory in (args.candidate, baseline):
        if not ((directory / "model.onnx").is_file() and (directory / "metadata.json").is_file()):
            print(f"saring: no model.onnx + metadata.json in {directory}", file=sys.stderr)
            return 2
    if args.labels is not None and not args.labels.is_file():
        print(f"saring: no such file: {args.labels}", file=sys.stderr)
        return 2
    try:
        report = gate.gate(args.candidate, baseline, args.labels, log=lambda m: print(m, file=sys.stderr))
    except labels.LabelFileError as error:
        print(f"saring: {error}", file=sys.stderr)
        return 2
    print(json.dumps(report, indent=2))
    if not report["passed"]:
        print(f"saring: gates failed: {', '.join(report['failed'])}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
