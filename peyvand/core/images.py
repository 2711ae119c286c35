"""Small images a manager uploads for the company's documents (the logo, the stamp and
signature): checked on upload, and put into the documents as data: URIs — WeasyPrint
and the browser's print view then need no media URL (the media may be on S3, and the
Content-Security-Policy allows data: images)."""

import base64
import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_IMAGE_BYTES = 1024 * 1024
# Pillow's format name → the MIME type of the data: URI.
IMAGE_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}


def check_image(upload) -> None:
    """A PNG or JPEG of at most 1 MB, which Pillow can read; else a Persian error."""
    if upload.size > MAX_IMAGE_BYTES:
        raise ValidationError(
            _("حجم تصویر باید حداکثر %(size)s کیلوبایت باشد.") % {"size": MAX_IMAGE_BYTES // 1024},
            code="too_large",
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(
            _("این فایل تصویر سالم نیست؛ یک تصویر PNG یا JPEG بارگذاری کنید."), code="invalid"
        ) from error
    finally:
        upload.seek(0)
    if image_format not in IMAGE_FORMATS:
        raise ValidationError(_("فقط تصویر PNG یا JPEG پذیرفته می‌شود."), code="invalid_type")


def image_data_uri(field_file) -> str:
    """The stored image as a data: URI, or "" when there is none or it cannot be read
    (a document still prints without its logo)."""
    if not field_file:
        return ""
    try:
        with field_file.open("rb") as stored:
            content = stored.read(MAX_IMAGE_BYTES + 1)
        with Image.open(io.BytesIO(content)) as image:
            mime = IMAGE_FORMATS.get(image.format or "")
    except (OSError, UnidentifiedImageError, ValueError):
        return ""
    if mime is None or len(content) > MAX_IMAGE_BYTES:
        return ""
    return f"data:{mime};base64,{base64.b64encode(content).decode('ascii')}"
