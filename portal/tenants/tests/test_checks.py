"""The deploy checks: warn about a missing permission callback and encryption keys."""

from django.core import checks


def deploy_check_ids():
    return {message.id for message in checks.run_checks(include_deployment_checks=True)}


def test_an_unset_platform_authz_url_is_a_deploy_warning(settings):
    settings.PLATFORM_AUTHZ_URL = ""
    assert "tenants.W001" in deploy_check_ids()
    assert "tenants.W001" not in {m.id for m in checks.run_checks()}

    settings.PLATFORM_AUTHZ_URL = "https://platform.example/authz"
    assert "tenants.W001" not in deploy_check_ids()


def test_missing_encryption_keys_are_a_deploy_warning(settings):
    settings.FIELD_ENCRYPTION_KEYS = []
    assert "core.W001" in deploy_check_ids()

    settings.FIELD_ENCRYPTION_KEYS = ["LAe4ya_fms1abDXml6i_L8DILBngaFURWDt_ZAn0s08="]
    assert "core.W001" not in deploy_check_ids()
