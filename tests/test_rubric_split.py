"""Co-author shares: they add up to the whole and none has the wrong sign."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from shixiao.assessment.decimals import Rounding, split


def test_rounding_up_a_tiny_share_never_makes_the_first_share_negative():
    """Found by the property tests: 0.1 split in two, rounded up to whole points."""
    shares = split(Decimal("0.1"), 2, Rounding(places=0, mode="up"))
    assert sum(shares) == Decimal("0.1")
    assert all(s >= 0 for s in shares)


@given(whole=st.decimals(min_value=-100, max_value=100, places=2),
       parts=st.integers(min_value=1, max_value=7),
       places=st.integers(min_value=0, max_value=3),
       mode=st.sampled_from(["half_up", "half_even", "up", "down", "ceiling", "floor"]))
def test_shares_add_up_and_keep_the_sign_of_the_whole(whole, parts, places, mode):
    shares = split(whole, parts, Rounding(places=places, mode=mode))
    assert sum(shares) == whole
    assert all(s * whole >= 0 for s in shares)
