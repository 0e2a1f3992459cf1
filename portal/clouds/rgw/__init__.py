"""The Ceph RGW object-storage driver (portal.clouds.base_object_storage): the admin API
through rgwadmin, buckets through S3 with boto3."""
