def test_world_fixture_builds_through_services(world):
    from shixiao.audit.models import AuditRecord

    assert AuditRecord.objects.count() > 20
