"""Small charts drawn on the server as SVG: no script, nothing fetched, and they print as they look."""

from decimal import Decimal

from babel.numbers import format_compact_decimal
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

# viewBox units; a chart is drawn about 400 px wide on a tablet (two side by side), so text of 20 units reads at
# about 12 px
WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 640, 230, 92, 34, 14
FONT = 20


def _nice(top):
    """A round number at or above `top` for the axis."""
    top = Decimal(top)
    if top <= 0:
        return Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(top))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if Decimal(str(step)) * magnitude >= top:
            return Decimal(str(step)) * magnitude
    return top


def bars(points, title, unit="", colour="#2563eb", label_every=5, money=False):
    """A bar chart of [(label, value or None)]; None is drawn as a gap; `money`: values are yuan, shown the
    reader's way (1.2万元, ¥12K). Returns inline SVG markup."""
    values = [v for _, v in points if v is not None]
    top = _nice(max(values) if values else 0)
    inner_w, inner_h = WIDTH - PAD_LEFT - 8, HEIGHT - PAD_TOP - PAD_BOTTOM
    step = inner_w / max(len(points), 1)
    parts = ['<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">'
             % (WIDTH, HEIGHT, escape(title)), "<title>%s</title>" % escape(title)]
    for fraction in (0, 0.5, 1):
        y = PAD_TOP + inner_h * (1 - fraction)
        parts.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#d9dee7" stroke-width="1"/>'
                     % (PAD_LEFT, WIDTH - 8, y, y))
        parts.append('<text x="%d" y="%.1f" font-size="%d" text-anchor="end" fill="#444">%s</text>'
                     % (PAD_LEFT - 6, y + FONT / 3, FONT, escape(_amount(top * Decimal(str(fraction)), unit, money))))
    for index, (label, value) in enumerate(points):
        x = PAD_LEFT + index * step
        if value is not None and value > 0:
            h = float(Decimal(value) / top) * inner_h
            parts.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %s</title></rect>'
                         % (x + step * 0.15, PAD_TOP + inner_h - h, step * 0.7, h, colour, escape(label),
                            escape(_exact(value, unit, money))))
        # every label_every-th bar is labelled, and the last one (a label too close before it gives way)
        if (index % label_every == 0 and len(points) - 1 - index >= label_every) or index == len(points) - 1:
            last = index == len(points) - 1  # the last label ends at the edge instead of running past it
            parts.append('<text x="%.1f" y="%d" font-size="%d" text-anchor="%s" fill="#444">%s</text>'
                         % (WIDTH - 4 if last else x + step / 2, HEIGHT - 8, FONT, "end" if last else "middle",
                            escape(label)))
    parts.append("</svg>")
    # the title shown above the chart too, not only inside the SVG (where a screen reader finds it)
    return Markup('<figure class="chart"><figcaption>%s</figcaption>%s</figure>' % (escape(title), "".join(parts)))


def _amount(value, unit="", money=False):
    """An axis label: 12000 → 1.2万 (Chinese) or 12K (English); yuan as 1.2万元 or ¥12K."""
    value = Decimal(value)
    short = format_compact_decimal(value, locale=get_locale(), fraction_digits=1)
    return _("¥%(amount)s", amount=short) if money else short + unit


def _exact(value, unit="", money=False):
    """A bar's own figure, with the reader's separators."""
    shown = format_decimal(Decimal(value), format="#,##0.##")
    return _("¥%(amount)s", amount=shown) if money else shown + unit
