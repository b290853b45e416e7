"""Settings: every variable named once, read into typed fields; what a Lambda must be given is
checked at cold start, with the variable's name in the message."""

from __future__ import annotations

from dataclasses import fields

import pytest

from functions.core import topology
from functions.core.settings import ENV_NAMES, LAMBDA_MARKER, MissingSetting, Settings

IN_LAMBDA = {LAMBDA_MARKER: "trove-api", "TROVE_TABLE": "assets-prod", "TROVE_BUCKET": "bucket-prod"}


def test_outside_a_lambda_the_topology_names_apply():
    # when
    settings = Settings.from_env({})

    # then
    assert (settings.table_name, settings.usages_table_name, settings.bucket_name) == (
        topology.ASSETS_TABLE.name, topology.USAGES_TABLE.name, topology.BUCKET.name
    )
    assert settings.dynamodb_endpoint_url == settings.s3_endpoint_url == ""


def test_every_field_but_the_region_has_one_variable_and_every_variable_a_field():
    # given
    names = {field.name for field in fields(Settings)}

    # then
    assert set(ENV_NAMES) == names - {"region"}
    assert len(set(ENV_NAMES.values())) == len(ENV_NAMES)
    assert all(variable.startswith("TROVE_") for variable in ENV_NAMES.values())


@pytest.mark.parametrize(("field", "variable"), sorted(ENV_NAMES.items()))
def test_each_field_is_read_from_its_variable(field, variable):
    # given
    is_number = isinstance(getattr(Settings(), field), int)
    raw = "1234" if is_number else f"value-of-{variable}"

    # when
    settings = Settings.from_env({variable: raw})

    # then
    assert getattr(settings, field) == (1234 if is_number else raw)


def test_the_public_url_loses_its_trailing_slash():
    # when
    settings = Settings.from_env({ENV_NAMES["public_base_url"]: "https://trove.example.com/"})

    # then
    assert settings.public_base_url == "https://trove.example.com"


@pytest.mark.parametrize(
    ("env", "region"),
    [({"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-west-2"}, "eu-west-1"),
     ({"AWS_DEFAULT_REGION": "us-west-2"}, "us-west-2"),
     ({}, "us-east-1")],
)
def test_the_region_is_the_runtimes_first(env, region):
    # when / then
    assert Settings.from_env(env).region == region


def test_a_lambda_with_its_resource_names_starts():
    # when
    settings = Settings.from_env(IN_LAMBDA)

    # then
    assert (settings.table_name, settings.bucket_name) == ("assets-prod", "bucket-prod")


@pytest.mark.parametrize(
    ("missing", "message"),
    [(["TROVE_TABLE"], "TROVE_TABLE must be set"),
     (["TROVE_BUCKET"], "TROVE_BUCKET must be set"),
     (["TROVE_TABLE", "TROVE_BUCKET"], "TROVE_TABLE, TROVE_BUCKET must be set")],
)
def test_a_lambda_without_a_resource_name_fails_naming_it(missing, message):
    # given
    env = {name: value for name, value in IN_LAMBDA.items() if name not in missing}

    # when / then
    with pytest.raises(MissingSetting, match=message):
        Settings.from_env(env)


def test_an_empty_resource_name_counts_as_missing():
    # when / then
    with pytest.raises(MissingSetting, match="TROVE_TABLE"):
        Settings.from_env({**IN_LAMBDA, "TROVE_TABLE": ""})


def test_a_number_that_does_not_parse_is_named():
    # when / then
    with pytest.raises(MissingSetting, match="TROVE_PENDING_TTL must be a whole number, not 'a day'"):
        Settings.from_env({"TROVE_PENDING_TTL": "a day"})
