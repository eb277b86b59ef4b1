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
