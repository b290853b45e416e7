"""Who may call the API: a Cognito user pool, the web page's app client, and the HTTP API's JWT authorizer.

Users are created by an administrator (no self sign-up); the page signs in with the user's e-mail and
password (then, for a user who turned on TOTP MFA, the authenticator's code) straight against Cognito and sends the token as `Authorization: Bearer …`. The authorizer
checks the token's issuer, expiry and audience (the app client) and hands its claims to the API
function, the same claims the local stack's dev tokens carry.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from infra.constructs.acknowledge import acknowledge
from infra.stage import Stage

PASSWORD_MIN_LENGTH = 12
USER_POOL = "trove-users"


class Auth(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, stage: Stage, threat_protection: bool = False
    ) -> None:
        super().__init__(scope, construct_id)
        self.user_pool = cognito.UserPool(
            self,
            "UserPool",
            user_pool_name=stage.resource_name(USER_POOL),
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(email=True),
            sign_in_case_sensitive=False,
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True)
            ),
            password_policy=cognito.PasswordPolicy(
                min_length=PASSWORD_MIN_LENGTH,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
            ),
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            feature_plan=cognito.FeaturePlan.PLUS if threat_protection else cognito.FeaturePlan.ESSENTIALS,
            standard_threat_protection_mode=(
                cognito.StandardThreatProtectionMode.FULL_FUNCTION if threat_protection else None
            ),
            # The users of a production stage outlive its stack; another stage's go with it.
            deletion_protection=stage.production,
            removal_policy=stage.data_removal_policy,
        )
        acknowledge(
            self.user_pool,
            "AwsSolutions-COG2",
            "MFA is offered (TOTP, optional per user; the page's sign-in asks for the code) but not "
            "required: the page has no enrolment screen (users turn TOTP on with the CLI, docs/deploy.md), "
            "so requiring it would lock new users out; users are created by an administrator (no self "
            "sign-up) and passwords need 12+ characters with all four character classes.",
        )
        if not threat_protection:
            acknowledge(
                self.user_pool,
                "AwsSolutions-COG8",
                "The Plus feature plan (threat protection) is billed per monthly active user; it is "
                "an operator's choice: deploy with `-c cognito_threat_protection=true` to turn it "
                "on in full-function mode.",
            )
        self.client = self.user_pool.add_client(
            "WebClient",
            # A browser cannot keep a secret.
            generate_secret=False,
            auth_flows=cognito.AuthFlow(user_password=True, user_srp=True),
            disable_o_auth=True,
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            access_token_validity=Duration.hours(1),
            id_token_validity=Duration.hours(1),
            refresh_token_validity=Duration.days(30),
        )
        self.authorizer = authorizers.HttpUserPoolAuthorizer(
            "CognitoAuthorizer", self.user_pool, user_pool_clients=[self.client]
        )
