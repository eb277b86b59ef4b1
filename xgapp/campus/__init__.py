"""The campus: first-run setup and its name and code."""

import base64
import io
import re

from flask_babel import lazy_gettext as _l

from xgapp import audit, clock, policy
from xgapp.accounts import domain as accounts
from xgapp.accounts.models import User
from xgapp.campus.models import Campus, CampusLogo
from xgapp.db import write
from xgapp.validation import Invalid

CODE_RE = re.compile(r"^[A-Za-z0-9-]{2,20}$")
NAME_MAX = 100
CODE_MESSAGE = _l("2–20 letters, digits or -, e.g. BJ-HD01.")


def current():
    """The campus row, or None before setup."""
    return Campus.select().order_by(Campus.id).first()


def needs_setup():
    """True while no account exists (first run)."""
    return not User.select().exists()


def code_problem(code):
    """Why a campus code is unacceptable, or None."""
    return None if CODE_RE.match(code or "") else CODE_MESSAGE


def _check(name, code):
    """The campus name and code as stored (code in capitals); Invalid with both problems when both are wrong."""
    name, code = (name or "").strip(), (code or "").strip().upper()
    errors = {"campus_name": None if name else _l("Enter the campus name."), "campus_code": code_problem(code)}
    errors = {field: message for field, message in errors.items() if message}
    if errors:
        raise Invalid(errors)
    return name[:NAME_MAX], code


def setup(campus_name, campus_code, username, display_name, password):
    """First run: create the campus and the principal's account in one transaction."""
    name, code = _check(campus_name, campus_code)
    with write():
        if not needs_setup():
            raise Invalid({"campus_name": _l("This campus is already set up.")})
        campus = Campus.create(name=name, code=code, created_at=clock.now())
        principal = accounts.create_user(None, username, display_name, password, policy.SETUP_ROLES)
        audit.record(principal, "create", "campus", campus.id, after=audit.snapshot(campus), summary=name)
    return campus, principal


def update(by, name, code):
    """Rename the campus or change its code (audited)."""
    name, code = _check(name, code)
    with write():
        campus = current()
        before = audit.snapshot(campus)
        campus.name, campus.code = name, code
        campus.save()
        audit.record(by, "update", "campus", campus.id, before=before, after=audit.snapshot(campus),
                     summary=name)
    return campus


LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_WIDTH = 600
LOGO_MAX_PIXELS = 4000 * 4000


def set_logo(by, data):
    """Store an uploaded logo (PNG/JPEG/GIF/WebP up to 2 MB) as a PNG at most 600 px wide, replacing the old one."""
    from PIL import Image, UnidentifiedImageError  # Pillow is heavy and needed only when a logo is uploaded

    if not data:
        raise Invalid({"logo": _l("Choose an image file.")})
    if len(data) > LOGO_MAX_BYTES:
        raise Invalid({"logo": _l("The image is larger than 2 MB; choose a smaller one.")})
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("PNG", "JPEG", "GIF", "WEBP"):
                raise Invalid({"logo": _l("Use a PNG or JPEG image.")})
            if image.width * image.height > LOGO_MAX_PIXELS:  # checked before decoding: a tiny file can be huge
                raise Invalid({"logo": _l("The image is too large (at most 4000 × 4000 pixels).")})
            image.load()
            image = image.convert("RGBA")
            if image.width > LOGO_WIDTH:
                image = image.resize((LOGO_WIDTH, max(1, round(image.height * LOGO_WIDTH / image.width))))
            out = io.BytesIO()
            image.save(out, "PNG", optimize=True)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise Invalid({"logo": _l("This file is not an image xgapp can read.")}) from None
    with write():
        CampusLogo.delete().execute()
        logo = CampusLogo.create(image=out.getvalue(), updated_at=clock.now(), updated_by=by)
        audit.record(by, "update", "campus_logo", logo.id, summary="校区标志 %d×%d" % image.size)
    return logo


def remove_logo(by):
    """Print forms without a logo again."""
    with write():
        if CampusLogo.delete().execute():
            audit.record(by, "delete", "campus_logo", None, summary="校区标志已删除")


def logo_uri():
    """The campus logo as a data: URI for printed forms, or None."""
    row = CampusLogo.select(CampusLogo.image).first()
    return "data:image/png;base64," + base64.b64encode(bytes(row.image)).decode("ascii") if row else None
