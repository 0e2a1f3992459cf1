"""What the VPC and router admins share: their forms' pages, which hand the fields to the
request side and come back to the object's page, where the Task's progress shows."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from portal.core.admin_base import admin_page
from portal.core.errors import PortalError

FORM_PAGE = "admin/network/form.html"
QUEUED = _("Queued; its progress shows on this page.")


def bound(request):
    """A form's data: the POST's, even empty (a confirmation has no field), else None."""
    return request.POST if request.method == "POST" else None


def form_page(model_admin, request, form, act, *, title, submit, back, intro="", done=None):
    """GET shows `form`; a valid POST runs `act(cleaned_data)` (a request-side call that
    queues a Task) and goes to `done` (default `back`; a callable is given what `act`
    returned), or shows its refusal."""
    if request.method == "POST" and form.is_valid():
        try:
            result = act(form.cleaned_data)
        except PortalError as exc:
            form.show_refusal(exc)
        else:
            model_admin.message_user(request, QUEUED, messages.SUCCESS)
            return redirect(done(result) if callable(done) else done or back)
    return admin_page(
        model_admin, request, FORM_PAGE, title, form=form, submit=submit, back=back, intro=intro
    )
