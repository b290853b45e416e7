"""Powertools Logger, Tracer and Metrics, created once and imported everywhere."""

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "trove"

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
metrics = Metrics(service=SERVICE, namespace="Trove")
