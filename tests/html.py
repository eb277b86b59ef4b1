"""Read a page the way a user's browser would: through an HTML parser, selecting by id, data-testid or CSS.

    page = html.parse(response)
    assert html.text(page, "#field-amount .error") == "金额必须大于零。"
    assert html.testid(page, "balance").get_text(strip=True) == "12.0"
"""

from bs4 import BeautifulSoup


def parse(response_or_text):
    """The parsed document of a test-client response (or of HTML text)."""
    body = response_or_text if isinstance(response_or_text, str) else response_or_text.get_data(as_text=True)
    return BeautifulSoup(body, "html.parser")


def one(page, selector):
    """The single element `selector` selects; AssertionError when none or several do."""
    found = page.select(selector)
    assert len(found) == 1, "%d elements match %r" % (len(found), selector)
    return found[0]


def text(page, selector):
    """The visible text of the single element `selector` selects, whitespace collapsed."""
    return " ".join(one(page, selector).get_text(" ", strip=True).split())


def texts(page, selector):
    """The text of every element `selector` selects."""
    return [" ".join(el.get_text(" ", strip=True).split()) for el in page.select(selector)]


def testid(page, name):
    """The single element with data-testid=`name`."""
    return one(page, '[data-testid="%s"]' % name)


def errors(page):
    """{field name: message} of every message shown beside a field (the `field` macro's markup)."""
    found = {}
    for box in page.select(".field.has-error"):
        message = box.select_one(".error")
        name = (box.get("id") or "").removeprefix("field-")
        if message is not None:
            found[name] = " ".join(message.get_text(" ", strip=True).split())
    return found
