"""The simulator's Nova: server states, delays, refusals, locks, scoping and quotas."""

import time

import pytest

from portal.clouds import errors
from portal.clouds.base import AvailabilityZoneInfo
from portal.clouds.simulator.driver import SimulatorDriver
from portal.clouds.simulator.testing import boot_spec, fast_forward, set_delays
from portal.clouds.simulator.zones import SIMULATED_HOST

# Servers boot from the demo flavors, images and network.
pytestmark = pytest.mark.usefixtures("demo")


def status_of(driver, server_id):
    found = driver.compute.get_server(server_id)
    return found.status, found.task_state, found.power_state


# ---- creating -----------------------------------------------------------------------


def test_created_server_is_active_at_once_without_delays(cloud, alpha, demo):
    created = alpha.compute.create_server(boot_spec(cloud, name="web"))

    assert (created.name, created.status, created.power_state) == ("web", "ACTIVE", "running")
    assert created.task_state is None
    assert created.flavor_id == demo["flavors"]["m1.small"]
    assert created.addresses == {"default-net": ["10.0.0.2"]}
    assert created.security_groups == ["default"]
    assert created.project_id == alpha.project_id
    boot_volume = alpha.volumes.get_volume(created.volume_ids[0])
    assert (boot_volume.status, boot_volume.bootable, boot_volume.size) == ("in-use", True, 1)


def test_build_takes_the_configured_delay(cloud, alpha):
    set_delays(cloud, build=0.3, default=0)

    created = alpha.compute.create_server(boot_spec(cloud))

    assert (created.status, created.task_state, created.power_state) == (
        "BUILD",
        "spawning",
        "nostate",
    )
    assert status_of(alpha, created.id)[0] == "BUILD"
    time.sleep(0.35)
    assert status_of(alpha, created.id) == ("ACTIVE", None, "running")


def test_servers_get_distinct_addresses(cloud, alpha):
    first = alpha.compute.create_server(boot_spec(cloud, name="a"))
    second = alpha.compute.create_server(boot_spec(cloud, name="b"))

    assert first.addresses["default-net"] != second.addresses["default-net"]


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"flavor_id": "no-such-flavor"}, errors.CloudNotFound),
        ({"image_id": "no-such-image"}, errors.CloudNotFound),
        ({"network_ids": ["no-such-network"]}, errors.CloudNotFound),
        ({"security_groups": ["no-such-group"]}, errors.CloudNotFound),
        ({"boot_volume_size": 0}, errors.CloudBadRequest),
    ],
)
def test_create_refuses_what_does_not_exist_or_fit(cloud, alpha, change, error):
    with pytest.raises(error):
        alpha.compute.create_server(boot_spec(cloud, **change))
    assert list(alpha.compute.iter_servers()) == []


def test_create_refuses_boot_volume_smaller_than_image_min_disk(cloud, alpha, demo):
    ubuntu = demo["images"]["ubuntu-24.04"]  # min_disk 3

    with pytest.raises(errors.CloudBadRequest):
        alpha.compute.create_server(boot_spec(cloud, image_id=ubuntu, boot_volume_size=2))
    assert alpha.compute.create_server(boot_spec(cloud, image_id=ubuntu, boot_volume_size=3))


def test_create_refuses_an_image_that_is_not_active(cloud, admin, alpha, demo):
    admin.images.deactivate_image(demo["images"]["cirros-0.6.2"])

    with pytest.raises(errors.CloudBadRequest):
        alpha.compute.create_server(boot_spec(cloud))


def test_create_refuses_another_projects_network(cloud, alpha, beta):
    private = beta.network.create_network("beta-net")

    with pytest.raises(errors.CloudNotFound):
        alpha.compute.create_server(boot_spec(cloud, network_ids=[private.id]))


def test_private_flavor_needs_access(cloud, admin, alpha):
    private = admin.compute.create_flavor("p1.huge", 8, 16384, 0, is_public=False)
    with pytest.raises(errors.CloudNotFound):
        alpha.compute.create_server(boot_spec(cloud, flavor_id=private.id))

    admin.compute.add_flavor_access(private.id, alpha.project_id)

    assert alpha.compute.create_server(boot_spec(cloud, flavor_id=private.id)).status == "ACTIVE"


def test_only_an_admin_chooses_the_host(cloud, admin, alpha):
    with pytest.raises(errors.CloudError) as refused:
        alpha.compute.create_server(boot_spec(cloud, host=SIMULATED_HOST))
    assert refused.value.code == "cloud_forbidden"
    assert admin.compute.create_server(boot_spec(cloud, host=SIMULATED_HOST)).host == SIMULATED_HOST


def test_zones_and_hosts_come_from_the_clouds_options(cloud, admin, alpha):
    assert alpha.compute.list_availability_zones() == [AvailabilityZoneInfo("nova", True)]
    cloud.options["compute_hosts"] = [
        {"host": "c1", "zone": "az1", "status": "disabled", "disabled_reason": "repair"},
        {"host": "c2", "zone": "az2", "state": "down"},
    ]
    cloud.save()
    assert admin.compute.list_availability_zones() == [
        AvailabilityZoneInfo("az1", False),
        AvailabilityZoneInfo("az2", True),
    ]
    assert [host.host for host in admin.compute.list_compute_hosts()] == ["c1", "c2"]
    with pytest.raises(errors.CloudForbidden):
        alpha.compute.list_compute_hosts()


def test_nova_refuses_an_unavailable_zone_and_an_unknown_host(cloud, admin):
    with pytest.raises(errors.CloudBadRequest):
        admin.compute.create_server(boot_spec(cloud, availability_zone="nowhere"))
    with pytest.raises(errors.CloudBadRequest):
        admin.compute.create_server(boot_spec(cloud, host="compute-7"))


# ---- actions and their states -------------------------------------------------------

ACTIONS = [
    # (method, args, status before, interim status, task_state, final status, power_state)
    ("stop_server", (), "ACTIVE", "ACTIVE", "powering-off", "SHUTOFF", "shutdown"),
    ("start_server", (), "SHUTOFF", "SHUTOFF", "powering-on", "ACTIVE", "running"),
    ("reboot_server", (), "ACTIVE", "REBOOT", "rebooting", "ACTIVE", "running"),
    ("reboot_server", (True,), "ACTIVE", "HARD_REBOOT", "rebooting_hard", "ACTIVE", "running"),
    ("reboot_server", (True,), "SHUTOFF", "HARD_REBOOT", "rebooting_hard", "ACTIVE", "running"),
    ("suspend_server", (), "ACTIVE", "ACTIVE", "suspending", "SUSPENDED", "suspended"),
    ("resume_server", (), "SUSPENDED", "SUSPENDED", "resuming", "ACTIVE", "running"),
    ("pause_server", (), "ACTIVE", "ACTIVE", "pausing", "PAUSED", "paused"),
    ("unpause_server", (), "PAUSED", "PAUSED", "unpausing", "ACTIVE", "running"),
]
GET_THERE = {"SHUTOFF": "stop_server", "SUSPENDED": "suspend_server", "PAUSED": "pause_server"}


@pytest.mark.parametrize(
    ("method", "args", "before", "interim", "task_state", "final", "power"), ACTIONS
)
def test_action_shows_interim_state_until_its_delay_passes(
    cloud, alpha, server, method, args, before, interim, task_state, final, power
):
    if before != "ACTIVE":
        getattr(alpha.compute, GET_THERE[before])(server.id)
    set_delays(cloud, default=60)

    getattr(alpha.compute, method)(server.id, *args)

    assert status_of(alpha, server.id)[:2] == (interim, task_state)
    fast_forward(cloud)
    assert status_of(alpha, server.id) == (final, None, power)


@pytest.mark.parametrize(
    ("method", "args", "status"),
    [
        ("start_server", (), "ACTIVE"),
        ("resume_server", (), "ACTIVE"),
        ("unpause_server", (), "ACTIVE"),
        ("confirm_resize", (), "ACTIVE"),
        ("revert_resize", (), "ACTIVE"),
        ("stop_server", (), "SHUTOFF"),
        ("reboot_server", (), "SHUTOFF"),
        ("suspend_server", (), "SHUTOFF"),
        ("pause_server", (), "SHUTOFF"),
        ("resume_server", (), "PAUSED"),
    ],
)
def test_action_from_a_wrong_state_is_a_conflict(cloud, alpha, server, method, args, status):
    if status != "ACTIVE":
        getattr(alpha.compute, GET_THERE[status])(server.id)

    with pytest.raises(errors.CloudConflict):
        getattr(alpha.compute, method)(server.id, *args)
    assert status_of(alpha, server.id)[:2] == (status, None)


def test_no_action_while_another_runs(cloud, alpha, server):
    set_delays(cloud, default=60)
    alpha.compute.reboot_server(server.id)

    with pytest.raises(errors.CloudConflict):
        alpha.compute.stop_server(server.id)
    with pytest.raises(errors.CloudConflict):
        alpha.compute.reboot_server(server.id, hard=True)


def test_unknown_server_is_not_found(alpha):
    for call in (alpha.compute.get_server, alpha.compute.stop_server, alpha.compute.delete_server):
        with pytest.raises(errors.CloudNotFound):
            call("00000000-0000-0000-0000-000000000000")


# ---- resize -------------------------------------------------------------------------


@pytest.mark.parametrize("power", ["ACTIVE", "SHUTOFF"])
def test_resize_then_confirm_keeps_new_flavor_and_power_state(cloud, alpha, server, demo, power):
    if power == "SHUTOFF":
        alpha.compute.stop_server(server.id)
    medium = demo["flavors"]["m1.medium"]
    set_delays(cloud, default=60)

    alpha.compute.resize_server(server.id, medium)
    resizing = alpha.compute.get_server(server.id)
    assert (resizing.status, resizing.task_state) == ("RESIZE", "resize_prep")
    fast_forward(cloud)
    verifying = alpha.compute.get_server(server.id)
    assert (verifying.status, verifying.flavor_id) == ("VERIFY_RESIZE", medium)

    alpha.compute.confirm_resize(server.id)
    assert status_of(alpha, server.id)[:2] == ("VERIFY_RESIZE", "resize_confirming")
    fast_forward(cloud)
    confirmed = alpha.compute.get_server(server.id)
    assert (confirmed.status, confirmed.task_state, confirmed.flavor_id) == (power, None, medium)


@pytest.mark.parametrize(("power", "power_state"), [("ACTIVE", "running"), ("SHUTOFF", "shutdown")])
def test_resize_then_revert_restores_old_flavor(cloud, alpha, server, demo, power, power_state):
    if power == "SHUTOFF":
        alpha.compute.stop_server(server.id)
    alpha.compute.resize_server(server.id, demo["flavors"]["m1.large"])
    set_delays(cloud, default=60)

    alpha.compute.revert_resize(server.id)
    assert status_of(alpha, server.id)[:2] == ("REVERT_RESIZE", "resize_reverting")
    fast_forward(cloud)

    reverted = alpha.compute.get_server(server.id)
    assert (reverted.status, reverted.power_state) == (power, power_state)
    assert reverted.flavor_id == demo["flavors"]["m1.small"]


def test_resize_to_the_same_flavor_is_a_bad_request(alpha, server):
    with pytest.raises(errors.CloudBadRequest):
        alpha.compute.resize_server(server.id, server.flavor_id)


def test_resize_refused_while_verifying_another(alpha, server, demo):
    alpha.compute.resize_server(server.id, demo["flavors"]["m1.medium"])

    with pytest.raises(errors.CloudConflict):
        alpha.compute.resize_server(server.id, demo["flavors"]["m1.large"])


# ---- delete -------------------------------------------------------------------------


def test_delete_removes_server_boot_volume_and_ports_and_frees_data_volumes(
    admin, alpha, server, demo
):
    data_volume = alpha.volumes.create_volume("data", 5)
    alpha.volumes.attach_volume(server.id, data_volume.id)

    alpha.compute.delete_server(server.id)

    with pytest.raises(errors.CloudNotFound):
        alpha.compute.get_server(server.id)
    with pytest.raises(errors.CloudNotFound):
        alpha.volumes.get_volume(server.volume_ids[0])
    freed = alpha.volumes.get_volume(data_volume.id)
    assert (freed.status, freed.attachments) == ("available", [])
    admin.network.delete_subnet(demo["subnet_id"])  # refused if the server's port remained


def test_delete_with_delay_shows_deleting_then_gone(cloud, alpha, server):
    set_delays(cloud, delete=0.2, default=0)

    alpha.compute.delete_server(server.id)
    assert status_of(alpha, server.id)[:2] == ("ACTIVE", "deleting")
    alpha.compute.delete_server(server.id)  # asking again changes nothing

    time.sleep(0.25)
    with pytest.raises(errors.CloudNotFound):
        alpha.compute.get_server(server.id)
    assert list(alpha.compute.iter_servers()) == []


def test_delete_allowed_while_building(cloud, alpha):
    set_delays(cloud, build=60)
    building = alpha.compute.create_server(boot_spec(cloud))
    set_delays(cloud, default=0)

    alpha.compute.delete_server(building.id)

    with pytest.raises(errors.CloudNotFound):
        alpha.compute.get_server(building.id)


# ---- locks, metadata, security groups -----------------------------------------------


def test_locked_server_refuses_tenant_but_not_admin(admin, alpha, server):
    admin.compute.lock_server(server.id)
    assert alpha.compute.get_server(server.id).locked is True

    for action in (alpha.compute.stop_server, alpha.compute.delete_server):
        with pytest.raises(errors.CloudConflict):
            action(server.id)
    admin.compute.stop_server(server.id)
    admin.compute.unlock_server(server.id)
    alpha.compute.start_server(server.id)
    assert status_of(alpha, server.id)[0] == "ACTIVE"


def test_lock_is_an_admin_operation(alpha, server):
    with pytest.raises(errors.CloudError) as refused:
        alpha.compute.lock_server(server.id)
    assert refused.value.code == "cloud_forbidden"


def test_set_metadata_replaces_it(alpha, server):
    assert alpha.compute.set_server_metadata(server.id, {"role": "web"}) == {"role": "web"}
    alpha.compute.set_server_metadata(server.id, {"tier": "1"})

    assert alpha.compute.get_server(server.id).metadata == {"tier": "1"}
    with pytest.raises(errors.CloudBadRequest):
        alpha.compute.set_server_metadata(server.id, {"count": 1})


def test_add_and_remove_security_group(alpha, server):
    alpha.network.create_security_group("web")

    alpha.compute.add_security_group(server.id, "web")
    assert alpha.compute.get_server(server.id).security_groups == ["default", "web"]
    with pytest.raises(errors.CloudBadRequest):
        alpha.compute.add_security_group(server.id, "web")
    with pytest.raises(errors.CloudNotFound):
        alpha.compute.add_security_group(server.id, "nope")

    alpha.compute.remove_security_group(server.id, "web")
    assert alpha.compute.get_server(server.id).security_groups == ["default"]
    with pytest.raises(errors.CloudBadRequest):
        alpha.compute.remove_security_group(server.id, "web")


# ---- persistence and scope ----------------------------------------------------------


def test_state_is_shared_by_driver_instances(cloud, alpha, server):
    set_delays(cloud, stop=0.2, default=0)
    alpha.compute.stop_server(server.id)

    other_process = SimulatorDriver(type(cloud).objects.get(pk=cloud.pk), alpha.scope.credentials)
    assert status_of(other_process, server.id)[:2] == ("ACTIVE", "powering-off")
    time.sleep(0.25)
    assert status_of(other_process, server.id)[0] == "SHUTOFF"
    assert status_of(alpha, server.id)[0] == "SHUTOFF"


def test_tenant_sees_only_its_project_and_admin_sees_all(cloud, admin, alpha, beta, server):
    with pytest.raises(errors.CloudNotFound):
        beta.compute.get_server(server.id)
    with pytest.raises(errors.CloudNotFound):
        beta.compute.stop_server(server.id)
    assert list(beta.compute.iter_servers()) == []
    theirs = beta.compute.create_server(boot_spec(cloud, name="theirs"))

    assert [s.id for s in alpha.compute.iter_servers()] == [server.id]
    assert {s.id for s in admin.compute.iter_servers()} == {server.id, theirs.id}
    only_beta = admin.compute.iter_servers(project_id=beta.project_id)
    assert [s.id for s in only_beta] == [theirs.id]


def test_iter_servers_reads_page_by_page(cloud, alpha):
    created = [alpha.compute.create_server(boot_spec(cloud, name=f"vm{i}")).id for i in range(5)]

    assert [s.id for s in alpha.compute.iter_servers(page_size=2)] == created


def test_wrong_tenant_password_fails_authentication(cloud, alpha):
    credentials = alpha.scope.credentials
    wrong = type(credentials)(**{**credentials.__dict__, "password": "guess"})

    with pytest.raises(errors.CloudAuthFailed):
        SimulatorDriver(cloud, wrong).compute.list_flavors()


# ---- quotas -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "quotas",
    [{"instances": 1}, {"cores": 1}, {"ram": 2048}, {"volumes": 1}, {"gigabytes": 1}],
)
def test_second_server_exceeds_quota(cloud, alpha, quotas):
    cloud.options = {**cloud.options, "quotas": quotas}
    alpha.compute.create_server(boot_spec(cloud, name="first"))

    with pytest.raises(errors.CloudQuotaExceeded):
        alpha.compute.create_server(boot_spec(cloud, name="second"))
    assert len(list(alpha.compute.iter_servers())) == 1


def test_quota_is_per_project_and_minus_one_is_unlimited(cloud, alpha, beta):
    cloud.options = {**cloud.options, "quotas": {"instances": 1, "cores": -1}}
    alpha.compute.create_server(boot_spec(cloud))

    assert beta.compute.create_server(boot_spec(cloud)).status == "ACTIVE"


def test_resize_beyond_cores_quota_is_refused(cloud, alpha, server, demo):
    cloud.options = {**cloud.options, "quotas": {"cores": 2}}

    with pytest.raises(errors.CloudQuotaExceeded):
        alpha.compute.resize_server(server.id, demo["flavors"]["m1.large"])
    alpha.compute.resize_server(server.id, demo["flavors"]["m1.medium"])
    assert status_of(alpha, server.id)[0] == "VERIFY_RESIZE"
