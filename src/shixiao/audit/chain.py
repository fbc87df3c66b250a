"""Hash-chain arithmetic for audit records. Pure Python: no Django imports, so the chain can
be checked from an export without the application."""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

GENESIS = "0" * 64


def canonical(payload: Mapping) -> bytes:
    """One byte string per payload whatever the key order or platform."""
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str).encode("utf-8")


def link_hash(prev_hash: str, payload: Mapping) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(payload)).hexdigest()


@dataclass(frozen=True)
class Break:
    """Where the chain stops being trustworthy, and why."""

    record_id: object
    seq: int | None
    reason: str


def verify(rows: Iterable[tuple[object, int, str, str, Mapping]],
           head: tuple[int, str] | None = None) -> Break | None:
    """Walk (id, seq, prev_hash, hash, payload) rows in seq order.

    Returns the first break: a row whose content no longer matches its hash (altered), a
    row whose prev_hash does not match the row before (one deleted or inserted), a gap in
    the sequence, or a head (last seq, last hash) that the rows do not reach (tail deleted).
    """
    expected_prev, expected_seq, last_id = GENESIS, 1, None
    for record_id, seq, prev_hash, stored_hash, payload in rows:
        if seq != expected_seq:
            return Break(record_id, seq,
                         f"sequence jumps from {expected_seq - 1} to {seq}: records deleted")
        if prev_hash != expected_prev:
            return Break(record_id, seq, "previous-hash link broken: a record before it was "
                                         "deleted, inserted or altered")
        if link_hash(prev_hash, payload) != stored_hash:
            return Break(record_id, seq, "content does not match its hash: record altered")
        expected_prev, expected_seq, last_id = stored_hash, seq + 1, record_id
    if head is not None:
        head_seq, head_hash = head
        if head_seq != expected_seq - 1 or (head_seq and head_hash != expected_prev):
            return Break(last_id, expected_seq - 1,
                         f"chain ends at {expected_seq - 1} but the head says {head_seq}: "
                         "records at the end were deleted or the head was altered")
    return None
