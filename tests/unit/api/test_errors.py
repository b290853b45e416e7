"""The mapping of domain errors to HTTP answers (functions/api/errors.py)."""

from __future__ import annotations

import json

from functions.core.errors import NotFound, TroveError


class UnmappedError(TroveError):
    """A domain error added without a line in the status table."""


def test_an_unmapped_domain_error_answers_500_without_its_detail() -> None:
    # given
    from functions.api.errors import handle_domain_error

    # when
    response = handle_domain_error(UnmappedError("secret internals"))

    # then
    assert response.status_code == 500
    assert json.loads(response.body) == {"detail": "Internal server error"}


def test_a_mapped_subclass_keeps_its_status_and_detail() -> None:
    # given
    from functions.api.errors import handle_domain_error

    class MissingThumbnail(NotFound):
        pass

    # when
    response = handle_domain_error(MissingThumbnail("No thumbnail"))

    # then
    assert response.status_code == 404
    assert json.loads(response.body) == {"detail": "No thumbnail"}
