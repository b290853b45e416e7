"""Loaded by schemathesis (`hooks` in tests/reliability/schemathesis.toml): how to generate values
the tool cannot derive from the document itself.

`X-Trove-Consumer` is `kind:path` (`job:1234`). schemathesis 4.32's coverage phase generates header
values from letters and digits only, so it finds no positive value for a pattern with ':' and
seeds the header with a wrong-type value instead, which its positive cases then send as if valid.
The document names the header's format (`trove-consumer`, an annotation: the pattern still
decides); this gives the tool a strategy for that format. Negative cases still come from the
pattern."""

from __future__ import annotations

import schemathesis
from hypothesis import strategies as st

from functions.api.openapi_schemas import CONSUMER_FORMAT, consumer_pattern

schemathesis.openapi.format(CONSUMER_FORMAT, st.from_regex(consumer_pattern(), fullmatch=True).filter(lambda value: len(value) <= 300))
