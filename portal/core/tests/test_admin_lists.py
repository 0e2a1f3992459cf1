"""Every list of the portal's admin can be searched and filtered."""

from django.contrib import admin

PORTAL_APPS = {"clouds", "tenants", "images", "isos", "servers", "network", "core"}


def portal_model_admins():
    return [
        model_admin
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in PORTAL_APPS
    ]


def test_every_portal_list_has_a_search_box_and_filters():
    lacking = [
        str(model_admin)
        for model_admin in portal_model_admins()
        if not (model_admin.search_fields and model_admin.list_filter)
    ]
    assert lacking == []


def test_the_portal_lists_are_found():
    assert len(portal_model_admins()) >= 10
