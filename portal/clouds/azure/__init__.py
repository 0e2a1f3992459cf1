"""The Azure driver (issue 19; seed 000, Jacket's Nova and Cinder → Azure table).

Only this package imports Microsoft's SDKs. ARM calls (VMs, NICs, disks, images, resource
groups) go through azure-mgmt-*, blobs (VHD page blobs) through azure-storage-blob.
"""
