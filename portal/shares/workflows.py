"""The worker side of NAS shares: create (finding or making the share network), delete
(then the share network the portal made, once no share uses it), resize, access rules, and
the state sync. Each flow gets the tenant's own driver and the cloud admin's (Manila shows
share servers, their hosts and a share's server to administrators only). Every removal is
waited for until the cloud no longer has the object (seed 004 doubts the cascade)."""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.clouds.base_shares import ShareInfo
from portal.clouds.errors import CloudNotFound
from portal.clouds.mirror import CloudMirror, SyncCounts, pages
from portal.clouds.polling import wait_until
from portal.core.errors import PortalError, Unprocessable
from portal.core.services import report_progress, report_step
from portal.core.task_messages import TaskMessage
from portal.shares.locking import unlock
from portal.shares.models import Share, ShareNetwork
from portal.shares.task_messages import ShareMessages as M
from portal.tenants import quotas

logger = logging.getLogger(__name__)

AVAILABLE = "available"
_GONE = object()


def _is_error(info) -> bool:
    return info is not _GONE and info.status.startswith("error")


def _percent(progress: str) -> int:
    try:
        return int(progress.rstrip("%") or 0)
    except ValueError:
        return 0


def record_share(share, info: ShareInfo, *extra_fields, host: str | None = None):
    """Copy Manila's view of the share (re-read) onto the row."""
    share.share_status = info.status
    share.share_progress = info.progress
    share.size = info.size
    share.export_locations = list(info.export_locations)
    share.share_server_id = info.share_server_id or share.share_server_id
    if host is not None:
        share.share_server_host = host
    share.synced_at = timezone.now()
    fields = [
        "share_status", "share_progress", "size", "export_locations", "share_server_id",
        "share_server_host", "synced_at", "updated", *extra_fields,
    ]  # fmt: skip
    share.save(update_fields=fields)


def record_rules(share, driver):
    """The share's access rules as Manila lists them now."""
    share.access_rules = [
        {"id": r.id, "access_to": r.access_to, "access_level": r.access_level, "state": r.state}
        for r in driver.shares.list_access_rules(share.backend_id)
    ]
    share.save(update_fields=["access_rules", "updated"])


def wait_gone(read, *, what, cloud):
    """Read until the cloud answers 404 (an `error_deleting` status fails)."""

    def read_or_gone():
        try:
            return read()
        except CloudNotFound:
            return _GONE

    wait_until(read_or_gone, lambda info: info is _GONE, what=what, cloud=cloud, failed=_is_error)


# ---- create -----------------------------------------------------------------------------


def create(task, share, driver, admin) -> TaskMessage:
    """Seed 004's 创建NAS盘: the share network of the network's subnet (found or made),
    the share on it, waited for with Manila's progress, then its share server's host."""
    try:
        network = _share_network(task, share, driver)
        if not share.backend_id:
            report_step(task, 20, M.CREATING)
            info = driver.shares.create_share(
                share.name, share.proto, share.size,
                share_network_id=network.backend_id, description=share.description,
            )  # fmt: skip
            Share.objects.filter(pk=share.pk).update(backend_id=info.id)
            share.backend_id = info.id
        report_step(task, 30, M.WAITING)
        _wait_available(task, share, driver)
        report_step(task, 90, M.READING_SERVER)
        info = admin.shares.get_share(share.backend_id)
        host = admin.shares.get_share_server(info.share_server_id).host
        record_rules(share, driver)
    except Exception as exc:
        _undo_create(share, driver, exc)
        raise
    with transaction.atomic():
        share.mark_created()
        record_share(share, info, "status", "status_message", host=host)
        quotas.commit_task_reservations(task)
    unlock(share)
    return M.READY(name=share.name)


def _share_network(task, share, driver) -> ShareNetwork:
    """The tenant's share network on the network's first subnet: the portal's, one the
    tenant has in the cloud, or a new one."""
    report_step(task, 5, M.FINDING_NETWORK)
    if share.share_network_id and share.share_network.backend_id:
        return share.share_network  # a redelivered job
    subnet_ids = driver.network.get_network(share.network_id).subnet_ids
    if not subnet_ids:
        raise Unprocessable(M.NO_SUBNET(network=share.network_id), code="no_subnet")
    subnet_id = subnet_ids[0]
    known = ShareNetwork.objects.filter(
        cloud=share.cloud, tenant=share.tenant, network_id=share.network_id, subnet_id=subnet_id
    )
    network = known.exclude(backend_id=None).first()
    if network is not None and not _exists(driver, network.backend_id):
        network.delete()
        network = None
    if network is None:
        network = _cloud_share_network(share, driver, subnet_id)
    share.share_network = network
    share.save(update_fields=["share_network", "updated"])
    return network


def _exists(driver, share_network_id) -> bool:
    try:
        driver.shares.get_share_network(share_network_id)
    except CloudNotFound:
        return False
    return True


def _cloud_share_network(share, driver, subnet_id) -> ShareNetwork:
    """One the tenant has in the cloud on that subnet, or a new one. Recorded under a
    unique key (tenant, network, subnet): of two creates racing on one subnet, the second
    removes the share network it made and takes the first one's."""
    for found in driver.shares.list_share_networks():
        if (found.neutron_net_id, found.neutron_subnet_id) == (share.network_id, subnet_id):
            made_by_portal = False
            break
    else:
        found = driver.shares.create_share_network(
            f"portal-{share.network_id[:8]}-{subnet_id[:8]}", share.network_id, subnet_id,
            description="NAS shares of the portal",
        )  # fmt: skip
        made_by_portal = True
    key = {"cloud": share.cloud, "tenant": share.tenant, "network_id": share.network_id,
           "subnet_id": subnet_id}  # fmt: skip
    try:
        with transaction.atomic():
            return ShareNetwork.objects.create(
                **key, backend_id=found.id, made_by_portal=made_by_portal
            )
    except IntegrityError:
        if made_by_portal:
            driver.shares.delete_share_network(found.id)
        return ShareNetwork.objects.get(**key)


def _wait_available(task, share, driver):
    """Wait for Manila, showing its progress on the share and the Task as it goes."""

    def read():
        info = driver.shares.get_share(share.backend_id)
        if info.progress != share.share_progress or info.status != share.share_status:
            share.share_progress, share.share_status = info.progress, info.status
            share.save(update_fields=["share_progress", "share_status", "updated"])
            report_progress(task, 30 + _percent(info.progress) * 55 // 100, M.WAITING)
        return info

    return wait_until(
        read, lambda info: info.status == AVAILABLE, what=M.THE_SHARE, cloud=share.cloud,
        failed=_is_error,
    )  # fmt: skip


def _undo_create(share, driver, exc):
    """Remove what the create made (the share, then a share network the portal made and no
    share uses), give the quota back and fail the share with the reason."""
    reason = str(exc.message if isinstance(exc, PortalError) else M.UNEXPECTED)
    if share.backend_id and _remove(driver, share, share.cloud):
        Share.objects.filter(pk=share.pk).update(backend_id=None)
        share.backend_id = None
    elif share.backend_id:  # Manila refuses to delete a share still creating
        reason = f"{reason} {M.LEFT_IN_CLOUD(id=share.backend_id)}"
    network = share.share_network
    with transaction.atomic():
        share.mark_create_failed(reason)
        share.save(update_fields=["status", "status_message", "updated"])
        quotas.release_held_by(share)
    unlock(share)
    if network is not None and share.backend_id is None:
        _remove_unused_network(network, driver)


def _remove(driver, share, cloud) -> bool:
    try:
        driver.shares.delete_share(share.backend_id)
        wait_gone(
            lambda: driver.shares.get_share(share.backend_id), what=M.THE_DELETION, cloud=cloud
        )
    except Exception:
        logger.exception("share %s: removing the cloud share failed", share.share_id)
        return False
    return True


def _remove_unused_network(network, driver):
    try:
        delete_network_if_unused(None, network, driver)
    except Exception:
        logger.exception("share network %s: removal failed", network.backend_id)


def delete_network_if_unused(task, network, driver) -> bool:
    """Delete a share network the portal made once no share of the portal uses it, and
    wait until Manila no longer has it; True when it was deleted."""
    in_use = (
        Share.objects.filter(share_network=network)
        .exclude(status=Share.Status.DELETED)
        .exclude(status=Share.Status.FAILED, backend_id=None)  # never made in the cloud
    )
    if not network.made_by_portal or in_use.exists():
        return False
    if task is not None:
        report_step(task, 70, M.DELETING_NETWORK(id=network.backend_id))
    driver.shares.delete_share_network(network.backend_id)
    wait_gone(
        lambda: driver.shares.get_share_network(network.backend_id),
        what=M.THE_NETWORK_DELETION, cloud=network.cloud,
    )  # fmt: skip
    network.delete()
    return True


# ---- delete -----------------------------------------------------------------------------


def delete(task, share, driver, admin, create_failed=False) -> TaskMessage:
    """Seed 004's 删除NAS盘: the share, waited for until Manila no longer has it; then
    its share network, if the portal made it and no share uses it any more."""
    try:
        if share.backend_id:
            report_step(task, 10, M.DELETING)
            driver.shares.delete_share(share.backend_id)
            wait_gone(
                lambda: driver.shares.get_share(share.backend_id),
                what=M.THE_DELETION, cloud=share.cloud,
            )  # fmt: skip
    except Exception as exc:
        share.cancel_delete(getattr(exc, "message", M.THE_DELETION), create_failed)
        share.save(update_fields=["status", "status_message", "updated"])
        unlock(share)
        raise
    with transaction.atomic():
        share.mark_deleted()
        share.save(
            update_fields=[
                "status",
                "share_status",
                "share_progress",
                "export_locations",
                "updated",
            ]
        )
        quotas.release_held_by(share)
    unlock(share)
    if share.share_network is not None:
        delete_network_if_unused(task, share.share_network, driver)
    return M.DELETED(name=share.name)


# ---- resize -----------------------------------------------------------------------------


def resize(task, share, driver, admin, new_size) -> TaskMessage:
    """Extend or shrink to `new_size` GB and wait until Manila reports that size."""
    old_size = share.size
    try:
        report_step(task, 10, M.RESIZING(size=new_size))
        if new_size > old_size:
            driver.shares.extend_share(share.backend_id, new_size)
        else:
            driver.shares.shrink_share(share.backend_id, new_size)
        info = wait_until(
            lambda: driver.shares.get_share(share.backend_id),
            lambda info: info.status == AVAILABLE and info.size == new_size,
            what=M.THE_RESIZE, cloud=share.cloud, failed=_is_error,
        )  # fmt: skip
    except Exception as exc:
        with transaction.atomic():
            quotas.release_task_reservations(task)
            share.end_resize(getattr(exc, "message", M.THE_RESIZE))
            share.save(update_fields=["status", "status_message", "updated"])
        _record_quietly(share, driver)
        unlock(share)
        raise
    with transaction.atomic():
        share.end_resize()
        record_share(share, info, "status", "status_message")
        quotas.commit_task_reservations(task)
        if new_size < old_size:  # the surplus goes back
            quotas.record(
                share.tenant, task=task, holder=share, share_gigabytes=new_size - old_size
            )
    unlock(share)
    return M.RESIZED(name=share.name, size=new_size)


def _record_quietly(share, driver):
    """Re-read what the cloud holds after a failure (best effort: the failure is the news)."""
    try:
        record_share(share, driver.shares.get_share(share.backend_id))
    except Exception:
        logger.exception("share %s: re-reading after a failure failed", share.share_id)


# ---- access rules -----------------------------------------------------------------------


def allow(task, share, driver, admin, access_to, access_level) -> TaskMessage:
    """Add an access rule and wait until Manila has applied it."""
    try:
        report_step(task, 20, M.ALLOWING(access_to=access_to, level=access_level))
        rule = driver.shares.allow_access(share.backend_id, access_to, access_level)
        wait_until(
            lambda: _rule(driver, share, rule.id),
            lambda found: found is not None and found.state == "active",
            what=M.THE_ACCESS_RULE, cloud=share.cloud,
            failed=lambda found: found is None or found.state == "error",
        )  # fmt: skip
    finally:
        _rules_quietly(share, driver)
        unlock(share)
    return M.ALLOWED(access_to=access_to, name=share.name, level=access_level)


def deny(task, share, driver, admin, rule_id) -> TaskMessage:
    """Remove an access rule and wait until Manila no longer lists it."""
    rule = next((r for r in share.access_rules if r["id"] == rule_id), {"access_to": rule_id})
    try:
        report_step(task, 20, M.DENYING(access_to=rule["access_to"]))
        driver.shares.deny_access(share.backend_id, rule_id)
        wait_until(
            lambda: _rule(driver, share, rule_id),
            lambda found: found is None,
            what=M.THE_ACCESS_RULE, cloud=share.cloud,
            failed=lambda found: found is not None and found.state == "error",
        )  # fmt: skip
    finally:
        _rules_quietly(share, driver)
        unlock(share)
    return M.DENIED(access_to=rule["access_to"], name=share.name)


def _rule(driver, share, rule_id):
    rules = driver.shares.list_access_rules(share.backend_id)
    return next((rule for rule in rules if rule.id == rule_id), None)


def _rules_quietly(share, driver):
    try:
        record_rules(share, driver)
    except Exception:
        logger.exception("share %s: re-reading its access rules failed", share.share_id)


# ---- the state sync ---------------------------------------------------------------------


class ReadyShareMirror(CloudMirror):
    """Writes only the portal's ready shares (never creates rows: shares are made here)."""

    def existing_rows(self, backend_ids):
        return Share.objects.filter(
            cloud=self.cloud, status=Share.Status.READY, backend_id__in=backend_ids
        )


def sync_shares(cloud, driver, progress=None) -> SyncCounts:
    """Mirror Manila's status, progress and size of the portal's ready shares, in bulk:
    only rows whose values changed are written; those Manila no longer lists are marked
    missing. Shares in the middle of an operation are left to it."""
    listed = {info.id: info for info in driver.shares.list_shares()}
    if progress:
        progress(50, M.READ(count=len(listed)))
    ready = Share.objects.filter(cloud=cloud, status=Share.Status.READY)
    known = set(ready.exclude(backend_id=None).values_list("backend_id", flat=True))
    mirror = ReadyShareMirror(Share, cloud)
    fields = {
        backend_id: {
            "share_status": info.status,
            "share_progress": info.progress,
            "size": info.size,
        }
        for backend_id, info in listed.items()
        if backend_id in known
    }
    with transaction.atomic():
        for page in pages(fields):
            mirror.upsert({backend_id: fields[backend_id] for backend_id in page})
        mirror.mark_missing(ready)
    return mirror.counts
