"""Cinder fake volume driver that can make volumes from images (boot volumes).

The stock FakeLoggingVolumeDriver creates a volume from an image by downloading it and
running qemu-img through privsep/sudo, which this harness does not have. Claiming a
successful "clone" skips the copy; Cinder still marks the volume bootable and copies the
image's metadata, which is all Nova needs to boot from it with the fake virt driver.
"""

from cinder.tests.fake_driver import FakeLoggingVolumeDriver


class PortalFakeVolumeDriver(FakeLoggingVolumeDriver):
    def clone_image(self, context, volume, image_location, image_meta, image_service):
        return {}, True
