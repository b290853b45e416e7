function isVideoAsset(asset: Asset): asset is VideoAsset {
  return asset.type === 'video';
}

// Usage
if (isVideoAsset(asset)) {
  console.log(`Video duration: ${asset.duration}s`);
  console.log(`Thumbnail: ${asset.thumbnailUrl}`);
}

async function uploadClientLogo(clientId: string, file: File) {
  const formData = new FormData();
  formData.append('file', file);
  formData.append('clientId', clientId);
  formData.append('name', 'Company Logo');

  const response = await fetch('/api/v2/upload-asset', {
    method: 'POST',
    headers: { 'Authorization': `Bearer ${token}` },
    body: formData
  });

  const asset: Asset = await response.json();

  if (asset.type === 'image') {
    console.log(`Logo uploaded: ${asset.width}x${asset.height}`);
  }

  return asset;
}

async function uploadCampaignVideo(campaignId: string, file: File) {
  const formData = new FormData();
  formData.append('file', file);
  formData.append('campaignId', campaignId);

  const response = await fetch('/api/v2/upload-asset', {
    method: 'POST',
    headers: { 'Authorization': `Bearer ${token}` },
    body: formData
  });

  const asset: Asset = await response.json();

  if (asset.type === 'video') {
    console.log(`Video uploaded: ${asset.duration}s`);
    console.log(`Thumbnail available at: ${asset.thumbnailUrl}`);
  }

  return asset;
}

async function loadClientAssets(clientId: string) {
  const response = await fetch(
    `/api/v2/assets?clientId=${clientId}&asset_type=image`,
    {
      headers: { 'Authorization': `Bearer ${token}` }
    }
  );

  const assets: Asset[] = await response.json();

  // Render gallery
  return assets.map(asset => {
    if (asset.type === 'image') {
      return `<img src="${asset.url}" alt="${asset.name}" />`;
    }
  });
}

async function loadCampaignVideos(campaignId: string) {
  const response = await fetch(
    `/api/v2/assets?campaignId=${campaignId}&asset_type=video`,
    {
      headers: { 'Authorization': `Bearer ${token}` }
    }
  );

  const assets: Asset[] = await response.json();

  return assets.map(asset => {
    if (asset.type === 'video') {
      return {
        id: asset.id,
        name: asset.name,
        duration: asset.duration,
        thumbnail: asset.thumbnailUrl,
        videoUrl: asset.url
      };
    }
  });
}
