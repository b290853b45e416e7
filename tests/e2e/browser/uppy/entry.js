// What the test page imports: Uppy's core and its AwsS3 plugin, bundled by the test with esbuild.
export { default as Uppy } from "@uppy/core";
export { default as AwsS3 } from "@uppy/aws-s3";
