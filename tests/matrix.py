"""Data-only description of the permission matrix (NetBox's habit: declare, then generate).

Each page or endpoint declares one `Case`; tests/test_permission_matrix.py turns every case
into four tests:
  anonymous                       → web: redirect to login;   API: 401
  `denied` user (no permission)   → 403
  `allowed` user, out-of-scope    → 404   (only when `out_of_scope` is given)
  `allowed` user, in scope        → 200

`url` and `out_of_scope` take the fixture world (tests/conftest.py) and return a path.
`denied` and `allowed` name attributes of the world (e.g. "unit1_user", "office").
Cases live in tests/matrix_web.py (WEB_CASES) and tests/matrix_api.py (API_CASES).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    name: str
    url: Callable[[object], str]
    allowed: str
    denied: str | None
    out_of_scope: Callable[[object], str] | None = None
    api: bool = False
