"""What a bucket may be called and what policy it may be given, checked before anything is
created (S3's rules; RGW would refuse the same, but only after the S3 user is made)."""

import ipaddress
import json
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from portal.clouds.base_object_storage import CANNED_ACLS
from portal.core.errors import ValidationFailed

BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
# S3 keeps these for its own access points and Object Lambda aliases.
RESERVED_PREFIXES = ("xn--", "sthree-")
RESERVED_SUFFIXES = ("-s3alias", "--ol-s3")
MAX_POLICY_BYTES = 20 * 1024  # S3's limit on a bucket policy
EFFECTS = ("Allow", "Deny")


@dataclass(frozen=True)
class BucketPolicyRequest:
    """A bucket's policy as asked: a canned ACL, plus a JSON policy document if given."""

    canned_acl: str
    document: str = ""

    @property
    def text(self) -> str:
        return self.document or self.canned_acl


def check_bucket_name(name: str) -> None:
    """400 with the rule the name breaks."""
    problem = _bucket_name_problem(name)
    if problem:
        raise ValidationFailed(fields={"bucket_name": [problem]}, code="invalid_bucket_name")


def _bucket_name_problem(name: str) -> str:
    if not 3 <= len(name) <= 63:
        return _("A bucket name has 3 to 63 characters.")
    if not BUCKET_NAME.match(name):
        return _(
            "A bucket name has lower-case letters, digits, dots and hyphens only, and "
            "begins and ends with a letter or a digit."
        )
    if ".." in name or ".-" in name or "-." in name:
        return _("A bucket name has no two dots, or a dot and a hyphen, side by side.")
    if _is_ip_address(name):
        return _("A bucket name may not look like an IP address.")
    if name.startswith(RESERVED_PREFIXES) or name.endswith(RESERVED_SUFFIXES):
        return _("This bucket name begins or ends with a reserved prefix or suffix.")
    return ""


def _is_ip_address(name: str) -> bool:
    try:
        ipaddress.IPv4Address(name)
    except ValueError:
        return False
    return True


def parse_bucket_policy(policy: str, bucket_name: str) -> BucketPolicyRequest:
    """ "private" or "public-read" (S3's canned ACLs), or a JSON policy document on this
    bucket only (the bucket then stays private but for what the document allows)."""
    policy = (policy or "private").strip()
    if policy in CANNED_ACLS:
        return BucketPolicyRequest(canned_acl=policy)
    if not policy.startswith("{"):
        raise _invalid_policy(
            _("Give %(acls)s, or a JSON policy document.") % {"acls": ", ".join(CANNED_ACLS)}
        )
    if len(policy.encode()) > MAX_POLICY_BYTES:
        raise _invalid_policy(_("A bucket policy has at most 20 KB."))
    try:
        document = json.loads(policy)
    except ValueError:
        raise _invalid_policy(_("The policy is not valid JSON.")) from None
    problem = _document_problem(document, bucket_name)
    if problem:
        raise _invalid_policy(problem)
    return BucketPolicyRequest(canned_acl="private", document=json.dumps(document))


def _document_problem(document, bucket_name: str) -> str:
    if not isinstance(document, dict):
        return _("The policy is not a JSON object.")
    statements = document.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        return _("The policy has no Statement.")
    for statement in statements:
        problem = _statement_problem(statement, bucket_name)
        if problem:
            return problem
    return ""


def _statement_problem(statement, bucket_name: str) -> str:
    if not isinstance(statement, dict):
        return _("Each statement is a JSON object.")
    if statement.get("Effect") not in EFFECTS:
        return _("Each statement's Effect is Allow or Deny.")
    if "Principal" not in statement:
        return _("Each statement names its Principal.")
    actions = _as_list(statement.get("Action"))
    if not actions or not all(isinstance(a, str) and a.startswith("s3:") for a in actions):
        return _('Each statement has S3 actions ("s3:GetObject", ...).')
    resources = _as_list(statement.get("Resource"))
    arn = f"arn:aws:s3:::{bucket_name}"
    if not resources or not all(_on_bucket(resource, arn) for resource in resources):
        return _("Each statement's Resource is this bucket (%(arn)s or %(arn)s/...).") % {
            "arn": arn
        }
    return ""


def _on_bucket(resource, arn: str) -> bool:
    return isinstance(resource, str) and (resource == arn or resource.startswith(f"{arn}/"))


def _as_list(value):
    return value if isinstance(value, list) else [value] if value is not None else []


def _invalid_policy(message):
    return ValidationFailed(fields={"bucket_policy": [message]}, code="invalid_bucket_policy")
