"""The proposal workflow's use cases, one function per transition (docs/proposals.md).

Every service checks the actor's permission and scope, the proposal's state and (where
given) the `version` the caller read; it runs in one transaction with the row locked,
writes an audit record and a history event (ProposalEvent), and records the authors'
ledger entries. Illegal transitions raise DomainError with a message that names the
current state and what is needed; bad input raises ValidationError naming the field.
`on=` backdates an act (imports, demo data); it defaults to today.
"""

from .defaults import ensure_defaults, policy_for
from .effect import (
    add_follow_up,
    close,
    mark_key,
    record_endorsement,
    report_progress,
    review_follow_up,
    schedule_follow_ups,
    select_excellent,
    set_disclosure,
)
from .handling import (
    approve_extension,
    assign,
    object_to_assignment,
    rate,
    reassign,
    reply,
    request_rehandling,
    submit_co_opinion,
    uphold_assignment,
)
from .review import (
    confirm_co_signature,
    convert_to_report,
    create_draft,
    merge,
    not_register,
    register,
    return_for_edit,
    start_review,
    submit,
    update_draft,
    withdraw_co_signature,
)

__all__ = [
    "add_follow_up", "approve_extension", "assign", "close", "confirm_co_signature",
    "convert_to_report", "create_draft", "ensure_defaults", "mark_key", "merge",
    "not_register", "object_to_assignment", "policy_for", "rate", "reassign",
    "record_endorsement", "register", "reply", "report_progress", "request_rehandling",
    "return_for_edit", "review_follow_up", "schedule_follow_ups", "select_excellent",
    "set_disclosure", "start_review", "submit", "submit_co_opinion", "update_draft",
    "uphold_assignment", "withdraw_co_signature",
]
