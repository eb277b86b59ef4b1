"""Regenerate the CJK fonts shipped in static/fonts/ (run once; the results are committed).

Source: Noto Sans CJK SC from Debian's fonts-noto-cjk (SIL Open Font License 1.1).
Two families, written as OpenType/CFF (.otf) — WeasyPrint embeds these reliably (see shared NOTES: chunked woff2
files print wrong glyphs):
- NotoSansSC-{Regular,Bold}.subset.otf: ASCII + Latin-1 + general punctuation + every character of GB 2312 + EXTRA
  (characters common in names that GB 2312 lacks). Almost everything printed uses these.
- NotoSansSC-Ext-Regular.subset.otf: every other ideograph the SC face has (the rest of the basic block, extension A,
  the extension-B characters Noto carries, compatibility ideographs), so rare name characters (䶮 𠮷 …) print too; it
  also carries spaces and punctuation so a run of rare characters never needs a third font. Regular weight only (bold
  text falls back to a synthetic bold for these few characters).
Usage:  .venv/bin/python build/make_fonts.py
"""

from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

SOURCES = {"Regular": "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
           "Bold": "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"}
OUT = Path(__file__).resolve().parent.parent / "static" / "fonts"
# Name characters outside GB 2312 seen on Chinese rosters (kept short and explicit).
EXTRA = "喆堃昇珺玥彧翀昕暄琦璟曦婧祎炜烜祺禛珏琰瑾赟骞頔镕晞玮淏濛瀚奕楠杉钰铖锟垚燚淼犇鑫磊焱煜熠"


def charset():
    """Every code point the subset keeps."""
    chars = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100)) | set(range(0x2000, 0x2070))
    chars |= set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes([hi, lo]).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    chars |= {ord(c) for c in EXTRA}
    return sorted(chars)


IDEOGRAPHS = ((0x2E80, 0x2FDF), (0x3100, 0x31FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
              (0x20000, 0x3134F))
PUNCTUATION = set(range(0x20, 0x7F)) | set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))


def ext_charset(face, base):
    """The ideographs of `face` outside `base`, plus spaces and punctuation."""
    rare = {cp for cp in face.getBestCmap() if cp not in base and any(lo <= cp <= hi for lo, hi in IDEOGRAPHS)}
    return sorted(rare | PUNCTUATION)


def sc_face(path):
    """The Simplified Chinese face of a Noto CJK collection."""
    for font in TTCollection(path).fonts:
        if font["name"].getDebugName(1) == "Noto Sans CJK SC":
            return font
    raise SystemExit("no Noto Sans CJK SC face in %s" % path)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["DSIG"]
    codepoints = charset()
    for weight, path in SOURCES.items():
        font = sc_face(path)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=codepoints)
        subsetter.subset(font)
        target = OUT / ("NotoSansSC-%s.subset.otf" % weight)
        font.save(target)
        print("%s: %d code points, %.1f MB" % (target.name, len(codepoints), target.stat().st_size / 1e6))
    face = sc_face(SOURCES["Regular"])
    rare = ext_charset(face, set(codepoints))
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=rare)
    subsetter.subset(face)
    target = OUT / "NotoSansSC-Ext-Regular.subset.otf"
    face.save(target)
    print("%s: %d code points, %.1f MB" % (target.name, len(rare), target.stat().st_size / 1e6))


if __name__ == "__main__":
    main()
