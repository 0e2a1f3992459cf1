"""What a bucket's ACL grants amount to, in the portal's terms (BucketPolicy.canned_acl)."""

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


def _grant(grant: dict) -> tuple[str, str]:
    """A grant as (who, permission): "owner" for a user's own, the group URI otherwise."""
    grantee = grant.get("Grantee", {})
    who = grantee.get("URI") or f"user:{grantee.get('ID', '')}"
    return who, grant.get("Permission", "")


def canned_acl(owner_id: str, grants: list[dict]) -> str:
    """ "private" (only the owner's full control), "public-read" (that and everyone's
    read), or "custom" for any other set of grants (what S3 ACLs RGW lets users set)."""
    held = {_grant(grant) for grant in grants}
    private = {(f"user:{owner_id}", "FULL_CONTROL")}
    if held == private:
        return "private"
    if held == private | {(ALL_USERS, "READ")}:
        return "public-read"
    return "custom"
