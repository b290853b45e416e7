// The seed's hand-written interfaces (appended below as written) against the generated API types:
// every field the seed declares exists on the API's type of the same `type`, with the same type once
// null is set aside. The API may answer null where the seed does not (metadata while an upload is
// pending, or after it was rejected: docs/api.md), and has a `link` member the seed has not.
import type { components } from "./trove-api";

type Schemas = components["schemas"];
type Covers<Seed, Api> = {
  [K in keyof Seed]-?: K extends keyof Api ? (NonNullable<Api[K]> extends NonNullable<Seed[K]> ? true : false) : false;
};
type Every<T> = T[keyof T] extends true ? true : false;

export const image: Every<Covers<ImageAsset, Schemas["ImageAsset"]>> = true;
export const video: Every<Covers<VideoAsset, Schemas["VideoAsset"]>> = true;
export const audio: Every<Covers<AudioAsset, Schemas["AudioAsset"]>> = true;
export const document: Every<Covers<DocumentAsset, Schemas["DocumentAsset"]>> = true;
// Each seed member's `type` is a member the API answers.
export const types: Asset["type"] extends Schemas["ImageAsset" | "VideoAsset" | "AudioAsset" | "DocumentAsset"]["type"] ? true : false = true;

