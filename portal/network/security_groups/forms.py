"""The admin's forms of security groups: the group's own fields and its rule editor (a
formset shown as a table, one rule a row). The rule set is checked by the request side
(rules.py), whose errors are put back on the row and field they name."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.clouds.models import Cloud
from portal.network.security_groups.rules import FIELD
from portal.tenants.models import Tenant

PROTOCOLS = [
    ("", _("any")), ("tcp", "TCP"), ("udp", "UDP"), ("icmp", "ICMP"), ("ipv6-icmp", "ICMPv6"),
]  # fmt: skip
ETHERTYPES = [("", _("from the prefix")), ("IPv4", "IPv4"), ("IPv6", "IPv6")]
BLANK_ROWS = 3
ERROR_KEY = re.compile(rf"^{FIELD}\[(\d+)\](?:\.(\w+))?$")


class SecurityGroupForm(forms.Form):
    """The group's name and description; on a create also its tenant and region."""

    tenant = forms.ModelChoiceField(Tenant.objects.order_by("name"), label=_("tenant"))
    cloud = forms.ModelChoiceField(
        Cloud.objects.filter(enabled=True).order_by("name"), label=_("region")
    )
    name = forms.CharField(label=_("name"), max_length=255)
    description = forms.CharField(label=_("description"), max_length=255, required=False)

    def __init__(self, *args, group=None, **kwargs):
        super().__init__(*args, **kwargs)
        if group is not None:  # tenant and region are the group's for good
            del self.fields["tenant"], self.fields["cloud"]


class RuleForm(forms.Form):
    """One rule of the editor's table (seed 004's SecurityGroupRuleSet)."""

    # Blank first, so that an untouched row is blank (left out) in a browser too.
    direction = forms.ChoiceField(
        label=_("direction"), required=False,
        choices=[("", "---------"), ("ingress", _("ingress")), ("egress", _("egress"))],
    )  # fmt: skip
    protocol = forms.ChoiceField(label=_("protocol"), choices=PROTOCOLS, required=False)
    port_range_min = forms.IntegerField(label=_("lowest port"), required=False)
    port_range_max = forms.IntegerField(label=_("highest port"), required=False)
    remote_ip_prefix = forms.CharField(
        label=_("remote IP prefix"), max_length=64, required=False,
        widget=forms.TextInput(attrs={"placeholder": _("anywhere")}),
    )  # fmt: skip
    ethertype = forms.ChoiceField(label=_("IP version"), choices=ETHERTYPES, required=False)
    rule_desc = forms.CharField(label=_("description"), max_length=255, required=False)


RuleFormSet = forms.formset_factory(RuleForm, extra=BLANK_ROWS, can_delete=True)


def rule_sets(formset) -> list[tuple[int, dict]]:
    """The rules of a valid formset, in the API's field names (blank rows and those
    ticked "remove" left out), with the index of each one's form: [(form index, rule)].
    A prefilled row left as it was is a rule: the set replaces the group's rules."""
    rules = []
    for index, form in enumerate(formset.forms):
        rule = {name: value for name, value in form.cleaned_data.items() if name != "DELETE"}
        if not form.cleaned_data.get("DELETE") and any(v not in ("", None) for v in rule.values()):
            rules.append((index, rule))
    return rules


def initial_rules(rules) -> list[dict]:
    """A group's rules as the editor's rows."""
    return [
        {
            "direction": rule.direction, "protocol": rule.protocol,
            "port_range_min": rule.port_range_min, "port_range_max": rule.port_range_max,
            "remote_ip_prefix": rule.remote_ip_prefix, "ethertype": rule.ethertype,
            "rule_desc": rule.description,
        }
        for rule in rules
    ]  # fmt: skip


def show_errors(form, formset, rows, error) -> None:
    """Put a refusal of the request side on the fields it names: a rule's field on its
    row (`rows` maps the rule set's order to the formset's), the rest on the form."""
    for key, messages in (error.fields or {}).items():
        match = ERROR_KEY.match(key)
        if match is None:
            field = {"security_group_name": "name"}.get(key)
            form.add_error(field if field in form.fields else None, messages)
            continue
        row = formset.forms[rows[int(match.group(1))]]
        field = match.group(2)
        row.add_error(field if field in row.fields else None, messages)
    if not error.fields:
        form.add_error(None, error.message)
