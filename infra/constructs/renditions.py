"""Private renditions at the edge: the key pair that signs their token-free URLs, and what CloudFront
needs to check them (docs/decisions.md, "Renditions at the edge").

- The private key is made at deploy time by a custom resource (infra/constructs/rendition_keys/) and
  kept in a Secrets Manager secret of this stack; it is never in the template. The API function reads
  it (GetSecretValue on that secret only) to sign URLs and to check them again at the origin.
- Its public half is a CloudFront public key in a key group; the distribution's `/renditions/*`
  behaviour trusts that key group only (infra/constructs/web.py), so CloudFront refuses an unsigned or
  tampered URL before its cache or the origin is reached.

Rotating the key: bump KEY_GENERATION and deploy. A new pair is made, CloudFront's key group and the
API's key id move to it in the same deployment; URLs signed with the old key stop working (the page
asks for new links on a refused image).
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import CustomResource, Duration, RemovalPolicy
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.constructs.acknowledge import acknowledge
from infra.constructs.function import TroveFunction
from infra.constructs.layers import Layers
from infra.stage import Stage

KEYS_HANDLER_DIR = Path(__file__).resolve().parent / "rendition_keys"
KEYS_HANDLER = "handler.on_event"
KEYS_FUNCTION = "trove-rendition-keys"
# Bump to make a new key pair on the next deployment (the custom resource's properties change).
KEY_GENERATION = 1


class RenditionSigning(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, stage: Stage, layers: Layers, architecture: str
    ) -> None:
        super().__init__(scope, construct_id)
        # No fixed name: a deleted secret keeps its name for its recovery window, so a stack deployed
        # again within it could not make one with the same name. The API gets the ARN.
        self.secret = secretsmanager.Secret(
            self,
            "SigningKey",
            description=f"Trove ({stage.name}): private key (PEM) of the token-free rendition URLs",
            removal_policy=RemovalPolicy.DESTROY,
        )
        acknowledge(
            self.secret,
            "AwsSolutions-SMG4",
            "The key pair is rotated by bumping KEY_GENERATION (infra/constructs/renditions.py) and "
            "deploying: CloudFront's key group must move with the secret in the same deployment, which "
            "a Secrets Manager rotation function cannot do.",
        )
        self.generator = TroveFunction(
            self,
            "KeyPairMaker",
            name=stage.resource_name(KEYS_FUNCTION),
            handler=KEYS_HANDLER,
            description="Trove deploy-time helper: makes the rendition URL key pair",
            architecture=architecture,
            memory_mb=256,
            timeout=Duration.seconds(60),
            environment={},
            layers=[layers.deps],
            code=lambda_.Code.from_asset(str(KEYS_HANDLER_DIR), exclude=["__pycache__"]),
        )
        self.generator.allow("WriteSigningKey", ["secretsmanager:PutSecretValue"], [self.secret.secret_arn])
        key_pair = CustomResource(
            self,
            "KeyPair",
            service_token=self.generator.function.function_arn,
            resource_type="Custom::RenditionSigningKey",
            properties={"SecretId": self.secret.secret_arn, "Generation": str(KEY_GENERATION)},
        )
        self.public_key = cloudfront.PublicKey(
            self,
            "PublicKey",
            encoded_key=key_pair.get_att_string("PublicKey"),
            comment=f"Trove ({stage.name}): checks the token-free rendition URLs",
        )
        self.key_group = cloudfront.KeyGroup(
            self,
            "KeyGroup",
            items=[self.public_key],
            comment=f"Trove ({stage.name}): the keys /renditions/* URLs may be signed with",
        )
