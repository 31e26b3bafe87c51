# Loaded by Python at start-up (site.py imports `sitecustomize` from sys.path) when the library
# end-to-end tests put this directory on PYTHONPATH for their moto server; never used otherwise.
# It fills two gaps of moto 4.2.14 that the library runbooks meet, and nothing else:
#
# 1. Route 53 hosted zone ids are random (moto.route53.models.create_route53_zone_id), but
#    primary-region-failure names its zone literally (Z1234567890ABC). A CreateHostedZone whose
#    CallerReference starts with "moto-zone-id:<ID>:" gets the id <ID>.
# 2. CopyDBSnapshot with a source ARN from another region answers DBSnapshotNotFound: moto looks
#    the ARN up as a snapshot name in the target region (the vendor README's "no cross-region
#    snapshot copy by ARN"). AWS copies the snapshot the ARN names, from its region
#    (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CopyDBSnapshot.html,
#    SourceDBSnapshotIdentifier: "must be the Amazon Resource Name (ARN) of the shared DB
#    snapshot" for a copy between regions). The patch does that: it finds the source in the
#    ARN's region and records the copy in the target region, with the target region in its ARN.
import re

try:
    from moto.rds import models as rds
    from moto.rds.exceptions import DBSnapshotAlreadyExistsError, DBSnapshotNotFoundError
    from moto.route53 import models as route53
except ImportError:  # moto is not on the path of this interpreter (e.g. the availability probe)
    rds = None

if rds is not None:
    _create_zone = route53.Route53Backend.create_hosted_zone
    _zone_id = route53.create_route53_zone_id

    def create_hosted_zone(self, name, private_zone, caller_reference=None, *args, **kwargs):
        m = re.match(r'^moto-zone-id:([A-Z0-9]+):', caller_reference or '')
        if m:
            route53.create_route53_zone_id = lambda: m.group(1)
        try:
            return _create_zone(self, name, private_zone, caller_reference, *args, **kwargs)
        finally:
            route53.create_route53_zone_id = _zone_id

    route53.Route53Backend.create_hosted_zone = create_hosted_zone

    class RegionCopy(rds.DatabaseSnapshot):
        """A copy made in `region` of a snapshot of an instance that lives in another region."""

        # moto's model metaclass derives the service from the module name (moto.<service>.…).
        __module__ = 'moto.rds.models'

        def __init__(self, source, snapshot_id, tags, region):
            super().__init__(source.database, snapshot_id, 'manual', tags)
            self.copy_region = region
            self.source_arn = source.snapshot_arn

        @property
        def snapshot_arn(self):
            return f"arn:aws:rds:{self.copy_region}:{self.database.account_id}:snapshot:{self.snapshot_id}"

    _copy = rds.RDSBackend.copy_db_snapshot

    def copy_db_snapshot(self, source_snapshot_identifier, target_snapshot_identifier, tags=None):
        m = re.match(r'^arn:aws:rds:([a-z0-9-]+):(\d+):snapshot:(.+)$', source_snapshot_identifier)
        if not m or m.group(1) == self.region_name:
            return _copy(self, source_snapshot_identifier, target_snapshot_identifier, tags)
        source_backend = rds.rds_backends[m.group(2)][m.group(1)]
        source = source_backend.database_snapshots.get(m.group(3))
        if source is None:
            raise DBSnapshotNotFoundError(source_snapshot_identifier)
        if target_snapshot_identifier in self.database_snapshots:
            raise DBSnapshotAlreadyExistsError(target_snapshot_identifier)
        copy = RegionCopy(source, target_snapshot_identifier, tags or list(source.tags), self.region_name)
        self.database_snapshots[target_snapshot_identifier] = copy
        return copy

    rds.RDSBackend.copy_db_snapshot = copy_db_snapshot
