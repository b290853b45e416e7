// Base asset fields (common to all types)
interface BaseAsset {
  id: string;
  userId: number | null;
  clientId: string | null;
  campaignId: string | null;
  name: string;
  url: string;
  size: number | null;
  uploadedAt: string;  // ISO 8601
  tags: string[] | null;
  format: string;
}

// Image asset
interface ImageAsset extends BaseAsset {
  type: 'image';
  width: number;
  height: number;
}

// Video asset
interface VideoAsset extends BaseAsset {
  type: 'video';
  width: number;
  height: number;
  duration: number;  // seconds
  thumbnailUrl: string | null;
}

// Audio asset
interface AudioAsset extends BaseAsset {
  type: 'audio';
  duration: number;  // seconds
  waveformUrl: string | null;
}

// Document asset
interface DocumentAsset extends BaseAsset {
  type: 'document';
  pageCount: number | null;
  thumbnailUrl: string | null;
}

// Discriminated union
type Asset = ImageAsset | VideoAsset | AudioAsset | DocumentAsset;
