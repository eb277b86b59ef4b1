"""The print engine: A4 PDFs with the shipped CJK font embedded, nothing fetched from outside."""

import subprocess

import pytest

from xgapp import printing
from tests.conftest import login


def pdf_text(data, tmp_path):
    """Text of a PDF as pdftotext (poppler) reads it."""
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def pdf_fonts(data, tmp_path):
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout


def test_connection_sheet_is_a_chinese_a4_pdf_with_the_font_embedded(client, tmp_path):
    login(client)
    response = client.get("/connect/sheet.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data, tmp_path)
    assert "平板连接说明" in text and "测试校区" in text and "第1页/共1页" in text.replace(" ", "")
    assert "王校长 打印于" in text
    fonts = pdf_fonts(response.data, tmp_path)
    assert "XG-Sans-SC" in fonts and " yes yes " in fonts  # embedded, subset
    path = tmp_path / "size.pdf"
    path.write_bytes(response.data)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    assert "595.276 x 841.89 pts (A4)" in info


def test_shipped_font_covers_gb2312_and_common_name_characters():
    for text in ("学管师工作台", "张伟王芳李娜", "喆堃昇珺玥"):
        assert printing.missing_glyphs(text) == [], text


def test_characters_outside_the_font_are_reported():
    assert printing.missing_glyphs("张喆䶮𠮷𪚥a b") == ["𪚥"]  # rare name characters are in the Ext font


def test_css_strings_cannot_break_out_of_the_style_element():
    assert printing.css_string('校区"</style><script>') == '"校区\\22 \\3C /style>\\3C script>"'


def test_remote_resources_are_refused(app):
    fetcher = printing._fetcher()
    with pytest.raises(ValueError):
        fetcher.fetch("http://example.com/x.css")
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")
    assert fetcher.fetch((printing.font_file()).as_uri()).read()[:4] == b"OTTO"


def test_connect_page_lists_addresses_with_qr_codes(client):
    login(client)
    html = client.get("/connect/").get_data(as_text=True)
    assert "<svg" in html and "平板连接说明" not in html and "打印连接说明单" in html


def _ink(image):
    """The black-ink bounding box of a greyscale image, cropped and scaled to 64×64, as a set of dark pixels."""
    from PIL import ImageOps

    box = ImageOps.invert(image).getbbox()
    glyph = image.crop(box).resize((64, 64))
    return {(x, y) for x in range(64) for y in range(64) if glyph.getpixel((x, y)) < 128}


def test_the_printed_page_shows_the_right_glyphs_not_just_the_right_text(app):
    """NOTES § CJK fonts: a broken font setup prints 学校 as 学您 while pdftotext still reads 学校. Draw each
    character big on its own page, rasterise the PDF, and compare the ink with the same glyph drawn straight from
    the shipped font file: the shapes must match (and a different character must not)."""
    import io

    from flask import render_template_string
    from PIL import Image, ImageDraw, ImageFont
    from weasyprint import HTML

    chars = [("学", "Regular"), ("校", "Regular"), ("喆", "Regular"), ("䶮", "Ext"), ("𠮷", "Ext"), ("管", "Bold")]
    with app.test_request_context():
        html = "".join('<p style="font-size: 300pt; margin: 0; break-before: page;%s">%s</p>'
                       % (" font-weight: 700;" if weight == "Bold" else "", char) for char, weight in chars)
        doc = render_template_string('{% extends "print/_layout.html" %}{% block form_title %}字形{% endblock %}'
                                     '{% block content %}' + html + '{% endblock %}', campus={"name": "测试", "code": "T"},
                                     printed_by="t", printed_at="", form_no="", form_date="", logo=None)
        pdf = HTML(string=doc, base_url=printing.paths.resource_dir().as_uri() + "/",
                   url_fetcher=printing._fetcher()).write_pdf()
    pages = [Image.open(io.BytesIO(png)).convert("L") for png in printing.page_images(pdf, dpi=60)]
    drawn = pages[1:]  # page 1 holds the form title; the characters follow, one per page
    assert len(drawn) >= len(chars)
    for (char, weight), page in zip(chars, drawn):
        font = ImageFont.truetype(str(printing.font_file(weight)), 200)
        reference = Image.new("L", (300, 300), 255)
        ImageDraw.Draw(reference).text((20, 20), char, font=font, fill=0)
        printed, expected = _ink(page.crop((0, 52, page.width, page.height - 52))), _ink(reference)
        overlap = len(printed & expected) / len(printed | expected)
        assert overlap > 0.8, (char, overlap)
    other = Image.new("L", (300, 300), 255)
    ImageDraw.Draw(other).text((20, 20), "您", font=ImageFont.truetype(str(printing.font_file()), 200), fill=0)
    printed = _ink(drawn[1].crop((0, 52, drawn[1].width, drawn[1].height - 52)))
    assert len(printed & _ink(other)) / len(printed | _ink(other)) < 0.6  # 校 is not 您


def test_a_server_listening_on_this_pc_only_says_so_instead_of_advertising_lan_addresses(tmp_path):
    from xgapp.app import create_app
    from xgapp import db as xdb

    app = create_app({"DATA_DIR": str(tmp_path / "data"), "TESTING": True, "SETTINGS": {"host": "127.0.0.1"}})
    xdb.ensure_connection()
    try:
        with app.app_context():
            from xgapp import campus

            campus.setup("测试校区", "T-01", "boss", "王校长", "correct-horse-9")
        client = app.test_client()
        login(client)
        html = client.get("/connect/").get_data(as_text=True)
        assert "只在本机监听" in html and "<svg" not in html
        text = pdf_text(client.get("/connect/sheet.pdf").data, tmp_path)
        assert "只在本机监听" in text and "http://" not in text
        login_page = app.test_client().get("/login", environ_base={"REMOTE_ADDR": "127.0.0.1"})
        assert "<svg" not in login_page.get_data(as_text=True)
    finally:
        xdb.database.close()
