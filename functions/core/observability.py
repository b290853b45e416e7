"""Powertools Logger, Tracer and Metrics, created once and imported everywhere."""

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "trove"

logger = Logger(service=SERVICE)
# X-Ray patches botocore only (S3 through boto3, DynamoDB through pynamodb both call AWS through it).
# By default it patches every library it knows that is installed (requests, httplib, sqlite3,
# pynamodb…), importing each at cold start for calls Trove never makes.
tracer = Tracer(service=SERVICE, patch_modules=("botocore",))
metrics = Metrics(service=SERVICE, namespace="Trove")


def traced(function):
    """A use case as an X-Ray subsegment of its own, named after it. Its result is not recorded:
    records hold users' data, and serialising a list of them would cost more than the call."""
    return tracer.capture_method(function, capture_response=False)
