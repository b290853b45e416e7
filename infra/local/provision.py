"""Create the shared topology on moto: bucket and CORS, queue and DLQ, the notification, the tables,
and the signing key of the token-free rendition URLs.

Every name, prefix, index and limit comes from `functions.core.topology` (through Settings and the
pynamodb models), the same declaration the CDK stack reads.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

import boto3

from functions.core import topology
from functions.core.settings import Settings

log = logging.getLogger("trove.local")


@dataclass(frozen=True)
class Queue:
    url: str
    arn: str


@dataclass(frozen=True)
class Provisioned:
    queue: Queue
    dlq: Queue
    tables: tuple[str, ...]


def provision(settings: Settings, allowed_origins: list[str]) -> Provisioned:
    endpoint = settings.s3_endpoint_url
    s3 = boto3.client("s3", region_name=settings.region, endpoint_url=endpoint)
    sqs = boto3.client("sqs", region_name=settings.region, endpoint_url=endpoint)
    _create_bucket(s3, settings.bucket_name, allowed_origins)
    dlq = _create_queue(sqs, topology.UPLOADS_QUEUE.dlq_name, {})
    redrive = {"deadLetterTargetArn": dlq.arn, "maxReceiveCount": topology.UPLOADS_QUEUE.max_receive_count}
    queue = _create_queue(
        sqs,
        topology.UPLOADS_QUEUE.name,
        {
            "RedrivePolicy": json.dumps(redrive),
            "VisibilityTimeout": str(topology.UPLOADS_QUEUE.visibility_timeout_seconds),
        },
    )
    _notify_uploads(s3, sqs, settings.bucket_name, queue)
    _create_signing_key(settings)
    return Provisioned(queue=queue, dlq=dlq, tables=_create_tables())


def _create_bucket(s3, bucket: str, allowed_origins: list[str]) -> None:
    s3.create_bucket(Bucket=bucket)
    spec = topology.BUCKET
    rule = {
        "AllowedOrigins": allowed_origins,
        "AllowedMethods": list(spec.cors_methods),
        "AllowedHeaders": list(spec.cors_headers),
        "ExposeHeaders": list(spec.cors_exposed_headers),
        "MaxAgeSeconds": spec.cors_max_age_seconds,
    }
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [rule]})


def _create_queue(sqs, name: str, attributes: dict[str, str]) -> Queue:
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return Queue(url=url, arn=arn)


def _notify_uploads(s3, sqs, bucket: str, queue: Queue) -> None:
    prefix_only = {"Key": {"FilterRules": [{"Name": "prefix", "Value": topology.BUCKET.uploads_prefix}]}}
    configuration = {"QueueArn": queue.arn, "Events": ["s3:ObjectCreated:*"], "Filter": prefix_only}
    s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [configuration]}
    )
    # S3 (and moto) answer a new notification with an `s3:TestEvent` message. Nothing reads the queue
    # yet: drop it here, or the first seconds of every stack start workers for a message about nothing.
    sqs.purge_queue(QueueUrl=queue.url)


def _create_signing_key(settings: Settings) -> None:
    """A new RSA key for the token-free rendition URLs, made at each start (URLs die with the stack,
    like tokens), its private half stored where the API reads it: Secrets Manager, here moto's."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    secrets = boto3.client(
        "secretsmanager", region_name=settings.region, endpoint_url=settings.secrets_endpoint_url
    )
    secrets.create_secret(Name=settings.rendition_key_secret, SecretString=pem)


def _create_tables() -> tuple[str, ...]:
    """Every table a pynamodb model of the handlers declares: the assets table, and the usages
    table once its model exists. Importing the API handler imports every model its routes use."""
    from pynamodb.models import Model

    import functions.api.handler  # noqa: F401 - registers the models through the routes

    created = []
    for model in _subclasses(Model):
        if model.__module__.startswith("functions.") and not model.exists():
            model.create_table(wait=True)
            created.append(model.Meta.table_name)
    return tuple(sorted(created))


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found.extend([sub, *_subclasses(sub)])
    return found
