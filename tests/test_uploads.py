"""Uploaded files (reply attachments) are kept under the var directory, which backups take,
and are never served by a URL of their own: only through a view that applies the scope of
the record they belong to."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shixiao.proposals import services as ps
from shixiao.proposals.models import ResultGrade

from .proposals_kit import assigned, unit2_user
from .test_settings_env import ROOT, run_with_settings

PRODUCTION = {"SHIXIAO_SECRET_KEY": "k" * 64, "SHIXIAO_ALLOWED_HOSTS": "example.org"}
STORE_AN_ATTACHMENT = (
    "from django.core.files.base import ContentFile\n"
    "from shixiao.proposals.models import ReplyAttachment\n"
    "storage = ReplyAttachment._meta.get_field('file').storage\n"
    "name = storage.save('replies/2025/答复函.pdf', ContentFile(b'%PDF-1.4'))\n"
    "print(json.dumps(storage.path(name)))")


def test_an_uploaded_file_is_stored_under_the_var_directory_not_the_working_directory(
        tmp_path):
    var, cwd = tmp_path / "var", tmp_path / "checkout"
    cwd.mkdir()
    stored = Path(run_with_settings(STORE_AN_ATTACHMENT,
                                    {**PRODUCTION, "SHIXIAO_VAR_DIR": str(var)},
                                    cwd=cwd, settings="shixiao.settings.production"))
    assert stored.is_relative_to(var / "media"), stored
    assert stored.read_bytes() == b"%PDF-1.4"
    assert list(cwd.iterdir()) == []
    # Other accounts on the server cannot read a member's or unit's documents.
    assert stored.stat().st_mode & 0o777 == 0o640
    assert stored.parent.stat().st_mode & 0o007 == 0


def test_shixiao_media_root_moves_the_uploaded_files(tmp_path):
    media = tmp_path / "uploads"
    stored = Path(run_with_settings(
        STORE_AN_ATTACHMENT, {**PRODUCTION, "SHIXIAO_VAR_DIR": str(tmp_path / "var"),
                              "SHIXIAO_MEDIA_ROOT": str(media)},
        cwd=tmp_path, settings="shixiao.settings.production"))
    assert stored.is_relative_to(media), stored


def test_uploads_inside_the_public_static_directory_are_refused(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHIXIAO_")}
    env.update(PRODUCTION, SHIXIAO_VAR_DIR=str(tmp_path / "var"),
               SHIXIAO_MEDIA_ROOT=str(tmp_path / "var" / "static" / "media"),
               DJANGO_SETTINGS_MODULE="shixiao.settings.production",
               PYTHONPATH=os.pathsep.join([str(ROOT / "src"), *sys.path]))
    done = subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "SHIXIAO_MEDIA_ROOT must not lie inside the static files directory" in done.stderr


@pytest.mark.parametrize("module", ["shixiao.settings.dev", "shixiao.settings.production",
                                    "shixiao.settings.test"])
def test_no_settings_module_serves_uploads_by_url(tmp_path, module):
    found = run_with_settings(
        "from django.urls import get_resolver\n"
        "def walk(patterns):\n"
        "    for p in patterns:\n"
        "        if hasattr(p, 'url_patterns'):\n"
        "            yield from walk(p.url_patterns)\n"
        "        else:\n"
        "            cb = getattr(p.callback, 'func', p.callback)\n"
        "            yield f'{cb.__module__}.{getattr(cb, \"__qualname__\", \"\")}'\n"
        "views = sorted(set(walk(get_resolver().url_patterns)))\n"
        "print(json.dumps([v for v in views if 'views.static' in v]))",
        {**PRODUCTION, "SHIXIAO_VAR_DIR": str(tmp_path / "var")}, cwd=tmp_path,
        settings=module)
    assert found == []


def test_a_stored_attachment_is_reachable_only_through_the_scoped_download(
        world, as_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage"}}
    p = assigned(world)
    letter = SimpleUploadedFile("答复函.pdf", b"%PDF-1.4 letter", content_type="application/pdf")
    answer = ps.reply(world.unit1_user, p.assignments.get(), text="答复",
                      grade=ResultGrade.objects.get(committee=world.committee, code="A"),
                      attachments=[letter])
    attachment = answer.attachments.get()
    assert (tmp_path / "media" / attachment.file.name).read_bytes() == b"%PDF-1.4 letter"
    for guess in (f"/media/{attachment.file.name}", f"/{attachment.file.name}",
                  f"/static/{attachment.file.name}"):
        assert as_user(world.office).get(guess).status_code == 404, guess
    url = f"/proposals/attachments/{attachment.pk}/"
    response = as_user(world.member1).get(url)
    assert b"".join(response.streaming_content) == b"%PDF-1.4 letter"
    for outsider in (world.member2, world.office_other, unit2_user(world)):
        assert as_user(outsider).get(url).status_code == 404, outsider
