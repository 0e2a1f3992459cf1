"""Nova compute driver for OpenStack-lite: nova's fake driver, made to survive restarts.

Loaded through the shim nova/virt/portal_oslite_fake.py that `up` writes, because nova
imports compute drivers only as "nova.virt.<compute_driver>":
    [DEFAULT] compute_driver = portal_oslite_fake.PortalFakeDriver

What it changes against nova.virt.fake.FakeDriver:
* Stable node identity. The stock FakeDriver invents a node UUID per process, so a restarted
  nova-compute no longer matches its compute node record and refuses to start. The base
  class FakeDriverWithoutFakeNodes keeps the UUID in <state_path>/compute_id, like a real
  single-node driver.
* Servers survive a restart. The fake "hypervisor" lives in process memory; after
  `down`/`up` nova-compute would find none of its servers and stop/start/reboot/... would
  fail with InstanceNotFound. Any server Nova asks about is adopted instead, in the power
  state its vm_state implies.
* Power states for pause/suspend are tracked (the stock driver reports RUNNING).
* snapshot() uploads a small raw image, so the snapshot image becomes active (the stock
  driver uploads nothing and the image stays queued forever).
"""

import io

from nova.compute import power_state, vm_states
from nova.image import glance
from nova.virt import fake
from oslo_log import log as logging

LOG = logging.getLogger(__name__)

SNAPSHOT_BYTES = 1024 * 1024

# Power state a server in the given vm_state has on a real hypervisor.
_POWER_FOR_VM_STATE = {
    vm_states.STOPPED: power_state.SHUTDOWN,
    vm_states.SHELVED: power_state.SHUTDOWN,
    vm_states.PAUSED: power_state.PAUSED,
    vm_states.SUSPENDED: power_state.SUSPENDED,
}
# vm_states in which the guest does not exist on the hypervisor (never adopted).
_NOT_ON_HYPERVISOR = {
    vm_states.BUILDING,
    vm_states.DELETED,
    vm_states.SOFT_DELETED,
    vm_states.SHELVED_OFFLOADED,
    vm_states.ERROR,
}


class PortalFakeDriver(fake.FakeDriverWithoutFakeNodes):
    def _adopt(self, instance):
        """Track a server this process has not spawned (it was spawned before a restart)."""
        if instance.uuid in self.instances or instance.vm_state in _NOT_ON_HYPERVISOR:
            return
        state = _POWER_FOR_VM_STATE.get(instance.vm_state, power_state.RUNNING)
        LOG.info(
            "adopting instance %s (vm_state %s) after a restart", instance.uuid, instance.vm_state
        )
        self.instances[instance.uuid] = fake.FakeInstance(instance.name, state, instance.uuid)
        flavor = instance.flavor
        self.resources.claim(vcpus=flavor.vcpus, mem=flavor.memory_mb, disk=flavor.root_gb)

    def _set_state(self, instance, state):
        self._adopt(instance)
        if instance.uuid in self.instances:
            self.instances[instance.uuid].state = state

    # ---- read paths (nova-compute's init_host and the power-state sync go through get_info)
    def get_info(self, instance, use_cache=True):
        self._adopt(instance)
        return super().get_info(instance, use_cache=use_cache)

    # ---- actions on an existing guest
    def power_off(self, instance, timeout=0, retry_interval=0):
        self._adopt(instance)
        super().power_off(instance, timeout, retry_interval)

    def power_on(
        self,
        context,
        instance,
        network_info,
        block_device_info=None,
        accel_info=None,
        share_info=None,
    ):
        self._adopt(instance)
        super().power_on(
            context,
            instance,
            network_info,
            block_device_info=block_device_info,
            accel_info=accel_info,
            share_info=share_info,
        )

    def reboot(
        self,
        context,
        instance,
        network_info,
        reboot_type,
        block_device_info=None,
        bad_volumes_callback=None,
        accel_info=None,
        share_info=None,
    ):
        self._adopt(instance)
        super().reboot(
            context,
            instance,
            network_info,
            reboot_type,
            block_device_info=block_device_info,
            bad_volumes_callback=bad_volumes_callback,
            accel_info=accel_info,
            share_info=share_info,
        )

    def pause(self, instance):
        self._set_state(instance, power_state.PAUSED)

    def unpause(self, instance):
        self._set_state(instance, power_state.RUNNING)

    def suspend(self, context, instance):
        self._set_state(instance, power_state.SUSPENDED)

    def resume(self, context, instance, network_info, block_device_info=None, share_info=None):
        self._set_state(instance, power_state.RUNNING)

    def unrescue(self, context, instance):
        self._set_state(instance, power_state.RUNNING)

    def snapshot(self, context, instance, image_id, update_task_state):
        self._adopt(instance)
        super().snapshot(context, instance, image_id, update_task_state)
        # Upload a small raw disk so the image goes active. disk_format is set to raw: Glance
        # checks data against disk_format, and zeros are no valid iso/qcow2.
        metadata = {
            "status": "active",
            "disk_format": "raw",
            "container_format": "bare",
            "properties": {
                "image_location": "snapshot",
                "image_state": "available",
                "owner_id": instance.project_id,
            },
        }
        glance.API().update(context, image_id, metadata, data=io.BytesIO(b"\0" * SNAPSHOT_BYTES))
