"""The seeds' examples, copied verbatim: the requests the tests replay and the answers they compare with.

Seed 000 = /work/shared/seeds/000_5bafb389bd49630c.txt ("API Endpoints", "Use Cases");
seed 002 = /work/shared/seeds/002_ce34356f5c37d074.txt ("Upload Asset", "List Assets", "Delete
Asset", "Error Handling", "Migration Guide", "Frontend Workflow Examples").
"""

from __future__ import annotations

from typing import Any

# ---- seed 000 ----

CREATE_ASSET = {
    "name": "Flink SQL Helper Library",
    "description": "Reusable SQL templates for Flink jobs",
    "reference_url": "https://github.com/org/flink-sql-helpers",
    "project_id": 1,
}
LIST_QUERY = {"project_id": "1", "todo_id": "5"}  # GET /api/assets/?project_id=1&todo_id=5
UPDATE_ASSET = {
    "name": "Updated Name",
    "description": "Updated description",
    "reference_url": "https://new-url.com/resource",
    "project_id": 2,
    "todo_id": None,
}
USE_CASES = {
    "Code Library Asset": {
        "name": "Python Data Utilities",
        "description": "Common data transformation functions",
        "reference_url": "https://github.com/team/python-data-utils",
        "project_id": 3,
    },
    "Document Template Asset": {
        "name": "Customer Onboarding Template",
        "description": "Standard onboarding document structure",
        "reference_url": "https://docs.google.com/document/d/abc123",
        "todo_id": 15,
    },
    "Reference Documentation Asset": {
        "name": "Apache Flink SQL Reference",
        "description": "Official Flink SQL documentation",
        "reference_url": "https://nightlies.apache.org/flink/flink-docs-stable/docs/dev/table/sql/overview/",
    },
}
# Seed 000's "Database Model": the fields every /api/assets/ answer has.
DATABASE_MODEL_FIELDS = {
    "id",
    "name",
    "description",
    "reference_url",
    "project_id",
    "todo_id",
    "created_at",
    "updated_at",
}

# ---- seed 002: "Upload Asset", Response (201 Created) ----

IMAGE_ASSET = {
    "id": "asset-uuid-789",
    "userId": 1,
    "clientId": "client-uuid-123",
    "campaignId": None,
    "name": "logo.png",
    "url": "https://api.example.com/api/v2/assets/asset-uuid-789",
    "size": 51200,
    "uploadedAt": "2025-11-16T19:43:00Z",
    "tags": None,
    "type": "image",
    "format": "png",
    "width": 800,
    "height": 600,
}
VIDEO_ASSET = {
    "id": "asset-uuid-abc",
    "userId": 1,
    "clientId": None,
    "campaignId": "campaign-uuid-456",
    "name": "product_demo.mp4",
    "url": "https://api.example.com/api/v2/assets/asset-uuid-abc",
    "size": 12345678,
    "uploadedAt": "2025-11-16T19:43:00Z",
    "tags": None,
    "type": "video",
    "format": "mp4",
    "width": 1920,
    "height": 1080,
    "duration": 30,
    "thumbnailUrl": "https://api.example.com/api/v2/assets/asset-uuid-abc/thumbnail",
}
AUDIO_ASSET = {
    "id": "asset-uuid-def",
    "userId": 1,
    "clientId": None,
    "campaignId": "campaign-uuid-456",
    "name": "voiceover.mp3",
    "url": "https://api.example.com/api/v2/assets/asset-uuid-def",
    "size": 2048000,
    "uploadedAt": "2025-11-16T19:43:00Z",
    "tags": None,
    "type": "audio",
    "format": "mp3",
    "duration": 60,
    "waveformUrl": None,
}
DOCUMENT_ASSET = {
    "id": "asset-uuid-ghi",
    "userId": 1,
    "clientId": "client-uuid-123",
    "campaignId": None,
    "name": "brand_guidelines.pdf",
    "url": "https://api.example.com/api/v2/assets/asset-uuid-ghi",
    "size": 1024000,
    "uploadedAt": "2025-11-16T19:43:00Z",
    "tags": None,
    "type": "document",
    "format": "pdf",
    "pageCount": None,
    "thumbnailUrl": None,
}

# ---- seed 002: "List Assets" ----

LIST_REQUESTS = [  # the four "Example Requests", as query strings
    {},
    {"clientId": "client-uuid-123"},
    {"campaignId": "campaign-uuid-456", "asset_type": "video"},
    {"asset_type": "image", "limit": "20", "offset": "0"},
]
LIST_RESPONSE = [
    {
        "id": "asset-uuid-abc",
        "userId": 1,
        "clientId": "client-uuid-123",
        "campaignId": None,
        "name": "logo.png",
        "url": "https://api.example.com/api/v2/assets/asset-uuid-abc",
        "size": 51200,
        "uploadedAt": "2025-11-16T18:00:00Z",
        "tags": None,
        "type": "image",
        "format": "png",
        "width": 800,
        "height": 600,
    },
    {
        "id": "asset-uuid-xyz",
        "userId": 1,
        "clientId": "client-uuid-123",
        "campaignId": "campaign-uuid-456",
        "name": "product_video.mp4",
        "url": "https://api.example.com/api/v2/assets/asset-uuid-xyz",
        "size": 10485760,
        "uploadedAt": "2025-11-16T19:00:00Z",
        "tags": None,
        "type": "video",
        "format": "mp4",
        "width": 1920,
        "height": 1080,
        "duration": 45,
        "thumbnailUrl": "https://api.example.com/api/v2/assets/asset-uuid-xyz/thumbnail",
    },
]

# ---- seed 002: "Migration Guide" and "Frontend Workflow Examples" ----

MIGRATION_UPLOADS = [  # POST /api/v2/upload-asset FormData: { file, clientId } / { file, campaignId } / both
    {"clientId": "client-uuid-123"},
    {"campaignId": "campaign-uuid-456"},
    {"clientId": "client-uuid-123", "campaignId": "campaign-uuid-456"},
]
MIGRATION_LISTS = [
    {"clientId": "client-uuid-123"},
    {"campaignId": "campaign-uuid-456"},
    {"campaignId": "campaign-uuid-456", "asset_type": "video"},
    {"clientId": "client-uuid-123", "asset_type": "image"},  # "Display Client Assets Gallery"
]

# ---- seed 002: "Delete Asset" and "Error Handling" ----

DELETE_RESPONSE = {"success": True, "message": "Asset asset-uuid-abc deleted successfully"}
INVALID_TYPE = {
    "detail": "Invalid file type: image/bmp. Allowed: images (jpg, png, gif, webp), videos (mp4, mov), "
    "audio (mp3, wav), documents (pdf)"
}
TOO_LARGE = {"detail": "File too large. Maximum size is 50.0MB"}
NOT_FOUND = {"detail": "Asset not found"}
FORBIDDEN = {"detail": "You don't have permission to delete this asset"}

# Fields Trove adds to every /api/v2 asset (docs/decisions.md, "Asset JSON"; docs/api.md: content identity).
TROVE_ADDITIONS = {"status", "statusReason", "description", "projectId", "todoId", "sha256", "placeholder"}


def as_seed_shows(example: dict[str, Any], actual: dict[str, Any]) -> dict[str, Any]:
    """The example with the actual id and upload time put in (ids and timestamps aside), URLs included."""
    shown = {key: value for key, value in example.items()}
    for key, value in example.items():
        if isinstance(value, str) and example["id"] in value:
            shown[key] = value.replace(example["id"], actual["id"])
    shown["id"] = actual["id"]
    shown["uploadedAt"] = actual["uploadedAt"]
    return shown


def seed_fields(actual: dict[str, Any], example: dict[str, Any]) -> dict[str, Any]:
    """The answer restricted to the fields the example shows (Trove's documented additions aside)."""
    assert set(actual) - set(example) <= TROVE_ADDITIONS, set(actual) - set(example)
    return {key: actual.get(key, "<missing>") for key in example}
