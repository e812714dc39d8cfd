"""M12: a photo's dimensions read from its first bytes (what the worker is shown instead of an id)."""

from __future__ import annotations

import struct

from outreach.services.photos import image_size


def test_png_and_jpeg_dimensions():
    png = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">II", 480, 640) + b"\x08\x02\0\0\0"
    assert image_size(png) == (480, 640)
    exif = b"\xff\xe1" + struct.pack(">H", 10) + b"Exif\0\0\0\0"  # a segment before the frame is skipped
    frame = b"\xff\xc2" + struct.pack(">HBHHB", 11, 8, 768, 1024, 1) + b"\x01\x11\0"  # progressive
    assert image_size(b"\xff\xd8" + exif + frame + b"\xff\xd9") == (1024, 768)


def test_what_is_not_a_photo_has_no_size():
    assert image_size(b"GIF89a....") is None
    assert image_size(b"\xff\xd8\xff\xe0") is None  # cut short
