"""Response documentation more than one resource's routes give: a documented 409, and the OpenAPI
links from an answer carrying a new asset to the operations on it."""

from __future__ import annotations

ERROR_BODY = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}


def conflict(description: str) -> dict:
    """The route's 200 and a documented 409 with the `{"detail": ...}` body: given any responses,
    powertools documents only those (the 200 takes the route's model, the 409 would too without content)."""
    return {
        200: {"description": "Successful Response"},
        409: {"description": description, "content": {"application/json": {"schema": ERROR_BODY}}},
    }


def asset_links(asset_id: str) -> dict:
    """OpenAPI links from an answer carrying a new asset to the operations on it (`asset_id` is a
    runtime expression such as `$response.body#/id`): a client, or a stateful fuzzer, follows them."""
    operations = ("getAsset", "patchAsset", "deleteAsset", "getThumbnail", "assetUsages")
    return {operation[0].upper() + operation[1:]: {"operationId": operation, "parameters": {"asset_id": asset_id}}
            for operation in operations}
