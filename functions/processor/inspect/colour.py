"""Colour management for thumbnails: a picture's colours read through its embedded ICC profile and
written as sRGB, the colour space of the web (an untagged image is sRGB in every browser).

The numbers in a file mean nothing without their profile: the same 8-bit triple is a different
colour in Display P3 (phones), Adobe RGB (cameras) or a CMYK press profile (print and agency
files), and converting CMYK to RGB by formula shows a teal as mint. littleCMS (Pillow's ImageCms)
does the conversion; it runs on the thumbnail-sized picture, so it costs the same for any photo.

A profile littleCMS cannot read, or one for another colour space than the picture's (an RGB profile
in a CMYK JPEG), is ignored, as browsers ignore it: the picture is then taken as sRGB.
"""

from __future__ import annotations

import io

from PIL import Image, ImageCms

# The sRGB profile the thumbnails are tagged with (588 bytes): untagged means sRGB to browsers, but
# some viewers (Firefox by default) colour-manage only tagged images, and show untagged ones in the
# display's own colours, over-saturated on the wide-gamut screens phones and laptops have.
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
SRGB_ICC = SRGB.tobytes()

# Modes littleCMS converts from, each with the colour space a profile for it must describe.
MANAGED_MODES = ("RGB", "L", "CMYK")


def to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """`image` (RGB, L or CMYK; any other mode is converted by formula) as sRGB in mode RGB."""
    if icc_profile and image.mode in MANAGED_MODES:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            # Perceptual, the ICC default: for matrix profiles (sRGB, P3, Adobe RGB) the same as
            # colorimetric; for press profiles their own mapping of the CMYK gamut to a display's.
            converted = ImageCms.profileToProfile(image, source, SRGB, outputMode="RGB")
        except (ImageCms.PyCMSError, OSError):
            pass  # unreadable, or for another colour space than the picture's
        else:
            assert converted is not None  # profileToProfile returns None only when told inPlace
            return converted
    return image.convert("RGB")
