"""The API's resolver, composed in one place: the error answers, then one router per resource."""

from __future__ import annotations

from functions.api.errors import register_error_handlers
from functions.api.resolver import new_resolver
from functions.api.routes import (
    assets,
    cascades,
    legacy_assets,
    openapi,
    processing,
    rendition_links,
    renditions,
    retired_routes,
    upload_asset,
    uploads,
    usages,
)

app = new_resolver()
register_error_handlers(app)
# The order routes are tried in, and the order of docs/openapi.json's paths (which must not move).
for router in (
    usages.router,
    assets.router,
    legacy_assets.router,
    cascades.router,
    retired_routes.router,
    openapi.router,
    upload_asset.router,
    uploads.router,
    processing.router,
    rendition_links.router,
    renditions.router,
):
    app.include_router(router)
