"""The admin's "Create server" page: a wizard (django-formtools' SessionWizardView, the
steps in servers/create_forms.py) that ends in `services.create_server`, the one judge
of a request. A refusal is shown on the step whose choice it names, and nothing is
created. Plain form posts: each step works without JavaScript."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from formtools.wizard.views import SessionWizardView

from portal.core.errors import PortalError
from portal.core.principals import actor_of
from portal.servers import create_forms, create_options, services
from portal.servers.server_templates.models import ServerTemplate


class Refused(Exception):
    """The service refused the request: raised out of done() so that the wizard keeps
    its steps (formtools clears them once done() returns)."""

    def __init__(self, error: PortalError):
        super().__init__(error.message)
        self.error = error


class CreateServerWizard(SessionWizardView):
    form_list = create_forms.STEPS
    template_name = "admin/servers/server/create_wizard.html"
    model_admin = None  # set by as_view (ServerAdmin.get_urls)
    admin_pass = ""

    # ---- the steps' forms ----------------------------------------------------------

    def source(self):
        """The first step's cleaned data (None until it is valid)."""
        return self.get_cleaned_data_for_step("source")

    def get_form_kwargs(self, step=None):
        if step == "source":
            return {}
        source = self.source()
        if source is None:
            return {}
        return {"tenant": source["tenant"], "cloud": create_forms.cloud_of(source["source"])}

    def get_form_initial(self, step):
        if step == "source":
            # Choosing the tenant reloads the first step (a GET): it restarts the wizard.
            return {"tenant": self.request.GET.get("tenant")}
        source = self.source()
        chosen = source and source["source"]
        if isinstance(chosen, ServerTemplate):
            return create_forms.initial_from(chosen, step)
        return {}

    def process_step(self, form):
        """The administrator password is not kept in the session: done() takes it from
        this request."""
        data = super().process_step(form)
        if self.steps.current == "review":
            self.admin_pass = form.cleaned_data["admin_pass"]
            data = data.copy()
            data.pop(form.add_prefix("admin_pass"), None)
        return data

    # ---- the page --------------------------------------------------------------------

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        step = self.steps.current
        context.update(
            self.model_admin.admin_site.each_context(self.request),
            opts=self.model_admin.model._meta,
            title=_("Create server"),
            step_title=create_forms.STEP_TITLES[step],
            step_titles=[
                (name, create_forms.STEP_TITLES[name], index)
                for index, name in enumerate(self.steps.all, start=1)
            ],
        )
        if step == "source":
            context["tenants"] = create_options.tenants()
            context["tenant"] = form.tenant
        else:
            context["chosen"] = self.source()
        if step == "review":
            context["summary"] = self.get_all_cleaned_data()
        return context

    def render_done(self, form, **kwargs):
        try:
            return super().render_done(form, **kwargs)
        except Refused as refused:
            return self.show_refusal(refused.error)

    def show_refusal(self, error):
        """The step the refusal concerns, with the refusal on its fields."""
        step = create_forms.step_of(error)
        self.storage.current_step = step
        form = self.get_form(step, data=self.storage.get_step_data(step))
        form.is_valid()  # so that the refusal is added to a cleaned form
        create_forms.show_refusal(form, error)
        return self.render(form)

    def done(self, form_list, **kwargs):
        data = {}
        for form in form_list:
            data.update(form.cleaned_data)
        try:
            server, _task = services.create_server(
                data["tenant"],
                create_forms.create_request(data, admin_pass=self.admin_pass),
                actor=actor_of(self.request.user),
                operator=True,
            )
        except PortalError as exc:
            raise Refused(exc) from exc
        self.model_admin.message_user(
            self.request,
            _("%(name)s is being created; its task shows the progress.") % {"name": server.name},
            messages.SUCCESS,
        )
        return redirect("admin:servers_server_change", server.pk)


def create_view(model_admin):
    """The wizard as a view of `model_admin` (its URL is admin:servers_server_create)."""
    return CreateServerWizard.as_view(model_admin=model_admin)
