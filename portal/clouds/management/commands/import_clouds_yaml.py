"""import_clouds_yaml PATH [--cloud NAME] [--default] [--region REGION]

Registers (or updates) an OpenStack cloud from a clouds.yaml. The password is stored
encrypted by the model field and is never printed. A new cloud's first pulls and the
set-up of every tenant there are queued at once (clouds.services.open_cloud).
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from portal.clouds.openstack.clouds_yaml import CloudsYamlError
from portal.clouds.services import import_clouds_yaml
from portal.core.principals import COMMAND_ACTOR


class Command(BaseCommand):
    help = "Register or update an OpenStack cloud from a clouds.yaml file."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the clouds.yaml file")
        parser.add_argument("--cloud", help="the cloud's name in the file (if it has several)")
        parser.add_argument(
            "--region", help="the portal's region name for it (default: its region_name)"
        )
        parser.add_argument(
            "--default", action="store_true", help="make it the cloud used when none is named"
        )

    def handle(self, *args, **options):
        try:
            result = import_clouds_yaml(
                options["path"],
                options["cloud"],
                region=options["region"],
                make_default=options["default"],
                actor=COMMAND_ACTOR,
            )
        except (CloudsYamlError, ValidationError) as exc:
            raise CommandError(str(exc)) from exc
        cloud = result.cloud
        verb = "Registered" if result.created else "Updated"
        default = ", default cloud" if cloud.is_default else ""
        self.stdout.write(
            f"{verb} cloud {cloud.name!r} (id {cloud.pk}, region {cloud.region!r}{default}): "
            f"{cloud.auth_url} as {cloud.username} in project {cloud.project_name!r}"
        )
