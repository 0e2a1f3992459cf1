"""The sentences of the tenants app's Tasks (core.task_messages): setting a tenant up."""

from django.utils.translation import gettext_lazy as _

from portal.core.task_messages import Messages


class TenantMessages(Messages, prefix="servers.tenant"):  # its first users' prefix, kept
    NOT_READY = _("The tenant is not set up in this cloud yet.")


class ProvisionMessages(Messages, prefix="tenants.provision"):
    CONNECTING = _("Connecting to the cloud")
    CREATING_DOMAIN = _("Creating the tenant's domain")
    CREATING_PROJECT = _("Creating the tenant's project")
    CREATING_USER = _("Creating the tenant's user")
    CREATING_ROLE = _("Creating the tenant's role")
    GRANTING_ROLE = _("Granting the role to the user")
    GRANTING_MEMBER_ROLE = _("Granting the cloud's member role to the user")
    CHECKING_LOGIN = _("Checking that the tenant's user can log in")
    CHECKING_PROJECT = _("Checking that the tenant's project can be read")
    STEP = _("%(step)s...")
    STEP_FAILED = _("%(step)s failed: %(detail)s")
    READY = _("Tenant %(tenant_id)s is ready in region %(region)s.")
    LOGIN_FAILED = _("The tenant's new cloud user could not log in.")
    PROJECT_UNREADABLE = _("The tenant's new project could not be read in the cloud.")
