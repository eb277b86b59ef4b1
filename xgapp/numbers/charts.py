"""Small charts drawn on the server as SVG: no script, nothing fetched, and they print as they look."""

from decimal import Decimal

from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 640, 180, 56, 22, 12


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


def bars(points, title, unit="", colour="#2563eb", label_every=5):
    """A bar chart of [(label, value or None)]; None is drawn as a gap. Returns inline SVG markup."""
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
        parts.append('<text x="%d" y="%.1f" font-size="11" text-anchor="end" fill="#555">%s%s</text>'
                     % (PAD_LEFT - 6, y + 4, _short(top * Decimal(str(fraction))), escape(unit)))
    for index, (label, value) in enumerate(points):
        x = PAD_LEFT + index * step
        if value is not None and value > 0:
            h = float(Decimal(value) / top) * inner_h
            parts.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %s%s</title></rect>'
                         % (x + step * 0.15, PAD_TOP + inner_h - h, step * 0.7, h, colour, escape(label),
                            escape(str(value)), escape(unit)))
        if index % label_every == 0 or index == len(points) - 1:
            parts.append('<text x="%.1f" y="%d" font-size="10" text-anchor="middle" fill="#555">%s</text>'
                         % (x + step / 2, HEIGHT - 6, escape(label)))
    parts.append("</svg>")
    return Markup("".join(parts))


def _short(value):
    """12000 → 1.2万; 800 → 800."""
    value = Decimal(value)
    if value >= 10000:
        return ("%.1f万" % (value / 10000)).replace(".0万", "万")
    return str(int(value)) if value == value.to_integral_value() else "%.1f" % value
