// Seed 002's frontend code (its "Frontend Workflow Examples" and its type guard example) typed by the
// generated API types instead of the seed's hand-written interfaces. The seed's code is appended below
// this prelude as written; the prelude only names the types and globals that code takes for granted.
import type { components, paths } from "./trove-api";

type Schemas = components["schemas"];
// What GET /api/v2/assets answers: the union the frontend receives.
type Asset = paths["/api/v2/assets"]["get"]["responses"][200]["content"]["application/json"][number];
type VideoAsset = Schemas["VideoAsset"];

declare const token: string; // the page's bearer token
declare const asset: Asset; // the asset the type guard example is used on

