// A web app's use of Uppy 4 with Trove: the AwsS3 plugin in POST mode, its upload parameters (the
// presigned POST's url and fields) from POST /api/v2/uploads. The test calls uploadWithUppy and
// reads back every Uppy event it recorded.
import { AwsS3, Uppy } from "./uppy.js";

function bytesOf(base64) {
  return Uint8Array.from(atob(base64), (character) => character.charCodeAt(0));
}

window.uploadWithUppy = async ({ token, name, type, format, contentType, base64, declaredSize }) => {
  const events = [];
  const uppy = new Uppy({ autoProceed: false });
  uppy.use(AwsS3, {
    shouldUseMultipart: false,
    async getUploadParameters(file) {
      const answer = await fetch("/api/v2/uploads", {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ name: file.name, type, format, size: declaredSize ?? file.size }),
      });
      if (answer.status !== 201) throw new Error(`POST /api/v2/uploads answered ${answer.status}`);
      const { asset, upload } = await answer.json();
      events.push({ event: "started", assetId: asset.id, url: upload.url });
      return { method: "POST", url: upload.url, fields: upload.fields };
    },
  });
  uppy.on("upload-progress", (file, progress) => {
    events.push({ event: "progress", uploaded: progress.bytesUploaded, total: progress.bytesTotal });
  });
  uppy.on("upload-success", (file, response) => {
    events.push({ event: "success", etag: response.body.ETag, location: response.uploadURL });
  });
  uppy.on("upload-error", (file, error) => {
    events.push({ event: "error", message: error.message, status: error.source?.status, body: error.source?.responseText });
  });
  uppy.addFile({ name, type: contentType, data: new Blob([bytesOf(base64)], { type: contentType }) });
  await uppy.upload();
  return events;
};
