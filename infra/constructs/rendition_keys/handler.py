"""CloudFormation custom resource `Custom::RenditionSigningKey`: makes the RSA key pair that signs the
token-free rendition URLs, writes its private half to the stack's Secrets Manager secret and answers
its public half (PEM) for the CloudFront public key. The private key never appears in the template,
the custom resource's answer or a log.

Create, and an Update of its properties (the secret, or the generation bumped to rotate the key),
make a new pair; Delete leaves the secret to the stack. Runs with the deps layer (cryptography).
"""

from __future__ import annotations

import json
import urllib.request

import boto3
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

# CloudFront public keys are RSA 2048.
KEY_SIZE = 2048


def on_event(event: dict, context: object) -> None:
    properties = event["ResourceProperties"]
    physical_id = event.get("PhysicalResourceId") or event["LogicalResourceId"]
    data: dict[str, str] = {}
    try:
        if event["RequestType"] in ("Create", "Update"):
            physical_id = f"{properties['SecretId']}#generation-{properties['Generation']}"
            data = {"PublicKey": new_key_pair(properties["SecretId"])}
        respond(event, context, "SUCCESS", physical_id, data, "")
    except Exception as error:  # noqa: BLE001 - CloudFormation waits for an answer: a failure is one too
        respond(event, context, "FAILED", physical_id, {}, f"{type(error).__name__}: {error}")


def new_key_pair(secret_id: str) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    boto3.client("secretsmanager").put_secret_value(SecretId=secret_id, SecretString=private.decode())
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return public.decode()


def respond(event: dict, context: object, status: str, physical_id: str, data: dict, reason: str) -> None:
    """CloudFormation's custom resource answer: a PUT of JSON to the presigned URL it gave."""
    body = json.dumps(
        {
            "Status": status,
            "Reason": reason or f"See the log stream {getattr(context, 'log_stream_name', '')}",
            "PhysicalResourceId": physical_id,
            "StackId": event["StackId"],
            "RequestId": event["RequestId"],
            "LogicalResourceId": event["LogicalResourceId"],
            "Data": data,
        }
    ).encode()
    request = urllib.request.Request(
        event["ResponseURL"],
        data=body,
        method="PUT",
        headers={"Content-Type": "", "Content-Length": str(len(body))},
    )
    with urllib.request.urlopen(request, timeout=30):
        pass
