"""The `shixiao` command: token creation and hyphenated sub-commands."""

import io

import pytest
from django.core.management import CommandError, call_command

from shixiao.accounts.models import ApiToken
from shixiao.accounts.services import user_for_token
from shixiao.cli import main


def test_token_create_prints_a_token_that_authenticates_that_user(world):
    out = io.StringIO()
    call_command("token", "create", "office", stdout=out)
    raw = out.getvalue().strip()
    assert user_for_token(raw) == world.office
    # Only the hash is stored, never the token itself.
    assert not ApiToken.objects.filter(key_hash=raw).exists()
    assert raw not in str(list(ApiToken.objects.values()))


def test_token_create_for_unknown_user_fails_clearly(world):
    with pytest.raises(CommandError, match="no user named 'ghost'"):
        call_command("token", "create", "ghost")


def test_tokens_of_deactivated_users_stop_working(world):
    out = io.StringIO()
    call_command("token", "create", "member1", stdout=out)
    world.member1.is_active = False
    world.member1.save()
    assert user_for_token(out.getvalue().strip()) is None


@pytest.mark.django_db(transaction=True)
def test_hyphenated_subcommand_maps_to_the_management_command(capsys):
    # Transactional: a command run from argv closes the database connection when done.
    main(["shixiao", "demo-data", "--members", "5", "--seed", "3"])
    assert "member1" in capsys.readouterr().out
    main(["shixiao", "audit", "verify"])
    assert "audit chain OK" in capsys.readouterr().out
