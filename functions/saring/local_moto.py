"""moto, tuned to run as a long-lived local DynamoDB (`saring serve`), not only as a test double.

moto's server answers requests in threads, and its DynamoDB backend has no locks: two
transactions on one item can interleave between a condition check and a write, which DynamoDB
never allows (the concurrency tests lost strikes that way once the API served requests at once).
Here each DynamoDB request runs alone, as a transaction does in DynamoDB.

Three costs of moto 5.2 grow with the table and with uptime, and DynamoDB has none of them:

- TransactWriteItems deep-copies every table it names, once per item, so that it can restore the
  table if the transaction is cancelled. Under load that copy was two thirds of the server's CPU
  (`make loadtest`, profiled with py-spy) and made each transaction slower as the table grew.
  Here a transaction snapshots only the items it touches, and on failure puts those items and
  the table's stream back as they were, which is all a cancelled transaction may change.
- Every model instance moto creates is registered in a class-level list for its dashboard, so
  every item ever written (and every transaction's copy) stays in memory for good. (A moto
  reset, as at the end of each `mock_aws`, brings the lists back; the local stack never resets.)
- Looking up a key that is not in a table with a sort key leaves an empty entry behind (its
  items live in a defaultdict), and every query on an index walks all entries. Verdicts look up
  a seller summary and match keys for every listing, most of them absent: after 15 minutes of
  load, index queries walked hundreds of thousands of empty entries. Lookups leave none here.

The local stack (`saring serve`, `start_local_aws`) and the test suite (tests/conftest.py) call
`tune_for_local_stack`; tests/functional/test_local_moto.py holds it to moto as shipped.
"""

from __future__ import annotations

import copy
import errno
import functools
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class _TouchedItem:
    table: Any
    hash_key: Any
    range_key: Any
    before: Any  # a deep copy of the item, or None if it did not exist

    def restore(self) -> None:
        items = self.table.items
        if self.range_key is None:
            if self.before is None:
                items.pop(self.hash_key, None)
            else:
                items[self.hash_key] = self.before
            return
        ranges = items.get(self.hash_key)
        if self.before is not None:
            items[self.hash_key][self.range_key] = self.before
        elif ranges is not None:
            ranges.pop(self.range_key, None)
            if not ranges:
                del items[self.hash_key]


class _TablesByReference:
    """Stands in for the `copy` module inside moto's DynamoDB backend: a whole table 'copied'
    for a transaction's rollback is the table itself, since the items it touches are saved
    (and restored) by `_transact_with_item_rollback` instead."""

    def __init__(self, table_type: type) -> None:
        self._table_type = table_type

    def deepcopy(self, value: Any, memo: dict | None = None) -> Any:
        if isinstance(value, self._table_type):
            return value
        return copy.deepcopy(value, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


def _touched_items(backend: Any, transact_items: list[dict[str, Any]]) -> list[_TouchedItem]:
    from moto.dynamodb.models.dynamo_type import DynamoType

    touched = []
    for entry in transact_items:
        try:
            (operation,) = entry.values()
            table = backend.tables[operation["TableName"]]
            key = operation["Key"] if "Key" in operation else operation["Item"]
            hash_key = DynamoType(key[table.hash_key_attr])
            range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
        except (KeyError, TypeError, ValueError, AttributeError):
            continue  # malformed: moto rejects it before writing anything
        current = table.get_item(hash_key, range_key)
        touched.append(_TouchedItem(table, hash_key, range_key, copy.deepcopy(current)))
    return touched


def _transact_with_item_rollback(original: Any) -> Any:
    @functools.wraps(original)
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        touched = _touched_items(self, transact_items)
        shards = {id(t.table): t.table.stream_shard for t in touched if t.table.stream_shard}
        stream_lengths = {key: len(shard.items) for key, shard in shards.items()}
        try:
            original(self, transact_items)
        except Exception:
            for item in reversed(touched):
                item.restore()
            for key, shard in shards.items():
                del shard.items[stream_lengths[key] :]
            raise

    transact_write_items.tuned_for_local_stack = True
    return transact_write_items


_ONE_DYNAMODB_REQUEST_AT_A_TIME = threading.Lock()


def _atomic(original: Any) -> Any:
    @functools.wraps(original)
    def call_action(self: Any) -> Any:
        with _ONE_DYNAMODB_REQUEST_AT_A_TIME:
            return original(self)

    call_action.tuned_for_local_stack = True
    return call_action


def _leaving_no_empty_entry(original: Any) -> Any:
    @functools.wraps(original)
    def look_up(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        existed = hash_key in self.items
        try:
            return original(self, hash_key, *args, **kwargs)
        finally:
            entry = self.items.get(hash_key)
            if not existed and isinstance(entry, dict) and not entry:
                del self.items[hash_key]

    look_up.tuned_for_local_stack = True
    return look_up


class _Untracked(list):
    """moto's per-class registry of instances, which keeps nothing."""

    def append(self, _instance: Any) -> None:
        pass


def tune_for_local_stack() -> None:
    """Idempotent; call before moto serves its first request."""
    import moto.dynamodb.models as dynamodb_models
    from moto.core.model_instances import model_data
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.responses import DynamoHandler

    if not getattr(DynamoHandler.call_action, "tuned_for_local_stack", False):
        DynamoHandler.call_action = _atomic(DynamoHandler.call_action)
    for name in ("get_item", "delete_item"):
        if not getattr(getattr(Table, name), "tuned_for_local_stack", False):
            setattr(Table, name, _leaving_no_empty_entry(getattr(Table, name)))
    backend = dynamodb_models.DynamoDBBackend
    if not getattr(backend.transact_write_items, "tuned_for_local_stack", False):
        dynamodb_models.copy = _TablesByReference(Table)
        backend.transact_write_items = _transact_with_item_rollback(
            backend.transact_write_items
        )
    for model in model_data["dynamodb"].values():
        model.instances_tracked = _Untracked()


def bind_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to host:port as uvicorn and werkzeug bind theirs (SO_REUSEADDR: a port
    left in TIME_WAIT by the last run is free, one that something listens on is not); OSError
    (EADDRINUSE for a busy port) if it cannot be."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except BaseException:
        sock.close()
        raise
    return sock


def start_server(host: str, port: int) -> tuple[str, Callable[[], None]]:
    """The tuned moto server on threads of this process: its endpoint, and how to stop it."""
    import logging

    from moto.server import ThreadedMotoServer

    if port:
        # moto binds in a thread of its own and, if the port is taken, never tells start()
        # (which then waits for ever): find out here first.
        bind_socket(host, port).close()
    tune_for_local_stack()
    # moto's server logs every request through werkzeug; the API's own log is enough.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    _, bound_port = server.get_host_and_port()
    return f"http://{host}:{bound_port}", server.stop


def serve_in_this_process(host: str, port: int, parent_pid: int | None = None) -> None:
    """`python -m saring.local_moto --host H --port P`: the tuned moto server as a process of its
    own, so that on a machine with several cores moto and the API do not share one interpreter
    lock. Prints `listening <endpoint>` once it accepts requests; SIGTERM or SIGINT stop it, and
    so does the end of the process that started it (`parent_pid`, given by that process: read
    here instead, it could already be init's if the parent was killed before this line ran)."""
    import os
    import signal

    try:
        endpoint, stop_server = start_server(host, port)
    except OSError as error:
        # The parent reads this first line: it names the port and the setting that moves it.
        print("port-in-use" if error.errno == errno.EADDRINUSE else f"error {error}", flush=True)
        raise SystemExit(1) from None
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    print(f"listening {endpoint}", flush=True)
    parent = os.getppid() if parent_pid is None else parent_pid
    # A parent killed outright (SIGKILL) cannot stop this process: it notices being orphaned.
    while not stop.wait(timeout=1) and os.getppid() == parent:
        pass
    stop_server()


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=serve_in_this_process.__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--parent-pid", type=int, default=None)
    arguments = parser.parse_args()
    serve_in_this_process(arguments.host, arguments.port, arguments.parent_pid)
