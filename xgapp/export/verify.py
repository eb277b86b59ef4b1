"""Checking a bundle before anyone trusts it: safe member names and sizes, a manifest of the right shape, every
listed file present with its SHA-256, nothing unlisted. Used by `xgapp verify` and, first, by `xgapp ingest`."""

import hashlib
import json
import re
import zipfile
from dataclasses import dataclass, field

from xgapp.export.bundle import FORMAT, FORMAT_VERSION

MEMBER_MAX = 512 << 20  # bytes of one file once unpacked
TOTAL_MAX = 4 << 30  # bytes of the whole bundle once unpacked
MEMBERS_MAX = 10_000
NAME = re.compile(r"^(manifest\.json|data/[a-z0-9_]+\.(csv|json)|report/[A-Za-z0-9._-]+\.(csv|json|pdf))$")
REQUIRED = ("format", "format_version", "campus", "kind", "period", "snapshot_at", "created_at", "schema_version",
            "files")


class BundleInvalid(Exception):
    """The bundle is damaged, tampered with or not an xgapp bundle (the message says which file and why)."""


@dataclass
class Verified:
    path: str
    manifest: dict
    sha256: str  # of the whole zip: the bundle's identity at head office
    files: dict = field(default_factory=dict)  # name -> manifest entry


def _read_member(archive, info, limit):
    """A member's bytes, stopping as soon as it unpacks beyond `limit` (its header may lie)."""
    chunks, size = [], 0
    with archive.open(info) as source:
        while block := source.read(1 << 20):
            size += len(block)
            if size > limit:
                raise BundleInvalid("%s 解压后超过 %d MB。%s unpacks to more than %d MB."
                                    % (info.filename, limit >> 20, info.filename, limit >> 20))
            chunks.append(block)
    return b"".join(chunks)


def _check_names(archive):
    infos = archive.infolist()
    if len(infos) > MEMBERS_MAX:
        raise BundleInvalid("文件过多（%d 个）。Too many files (%d)." % (len(infos), len(infos)))
    seen = set()
    for info in infos:
        name = info.filename
        if not NAME.match(name) or ".." in name or name.startswith("/") or "\\" in name:
            raise BundleInvalid("不允许的文件名：%r。Member name not allowed: %r." % (name, name))
        if name in seen:
            raise BundleInvalid("文件重复：%s。Duplicate member: %s." % (name, name))
        seen.add(name)
        if info.file_size > MEMBER_MAX:
            raise BundleInvalid("%s 解压后超过 %d MB。%s unpacks to more than %d MB."
                                % (name, MEMBER_MAX >> 20, name, MEMBER_MAX >> 20))
    if sum(info.file_size for info in infos) > TOTAL_MAX:
        raise BundleInvalid("导出包解压后过大。The bundle unpacks to more than %d GB." % (TOTAL_MAX >> 30))
    return {info.filename: info for info in infos}


def _check_manifest(raw):
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BundleInvalid("manifest.json 无法读取：%s。manifest.json is not valid JSON." % exc) from None
    if not isinstance(manifest, dict):
        raise BundleInvalid("manifest.json 格式不对。manifest.json is not an object.")
    missing = [key for key in REQUIRED if key not in manifest]
    if missing:
        raise BundleInvalid("manifest.json 缺少：%s。manifest.json lacks: %s." % (", ".join(missing), ", ".join(missing)))
    if manifest["format"] != FORMAT or manifest["format_version"] != FORMAT_VERSION:
        raise BundleInvalid("不是本版本可读的 xgapp 导出包（%s %s）。Not a bundle this xgapp reads."
                            % (manifest["format"], manifest["format_version"]))
    campus = manifest["campus"]
    if not isinstance(campus, dict) or not isinstance(campus.get("code"), str) or not campus["code"]:
        raise BundleInvalid("manifest.json 没有校区编码。manifest.json has no campus code.")
    files = manifest["files"]
    if not isinstance(files, list) or not all(
            isinstance(f, dict) and isinstance(f.get("name"), str) and isinstance(f.get("sha256"), str)
            for f in files):
        raise BundleInvalid("manifest.json 的文件清单格式不对。The manifest's file list is malformed.")
    return manifest


def verify(path):
    """Check bundle `path` completely; return Verified, or raise BundleInvalid saying what is wrong."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while block := fh.read(1 << 20):
                digest.update(block)
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise BundleInvalid("不是可读的 zip 文件：%s。Not a readable zip: %s." % (exc, exc)) from None
    with archive:
        members = _check_names(archive)
        if "manifest.json" not in members:
            raise BundleInvalid("缺少 manifest.json。manifest.json is missing.")
        manifest = _check_manifest(_read_member(archive, members["manifest.json"], MEMBER_MAX))
        listed = {}
        for entry in manifest["files"]:
            name = entry["name"]
            if name in listed or name == "manifest.json" or not NAME.match(name):
                raise BundleInvalid("文件清单有误：%s。Bad file list entry: %s." % (name, name))
            listed[name] = entry
        unlisted = sorted(set(members) - set(listed) - {"manifest.json"})
        if unlisted:
            raise BundleInvalid("文件不在清单中：%s。Not in the manifest: %s." % (", ".join(unlisted), ", ".join(unlisted)))
        for name, entry in listed.items():
            if name not in members:
                raise BundleInvalid("缺少文件：%s。Missing file: %s." % (name, name))
            try:
                data = _read_member(archive, members[name], MEMBER_MAX)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:  # CRC errors and broken streams
                raise BundleInvalid("%s 已损坏：%s。%s is damaged: %s." % (name, exc, name, exc)) from None
            if hashlib.sha256(data).hexdigest() != entry["sha256"]:
                raise BundleInvalid("%s 的校验和不符：文件被改动或已损坏。%s: checksum mismatch (altered or damaged)."
                                    % (name, name))
    return Verified(str(path), manifest, digest.hexdigest(), listed)


def read_json(path, verified, name):
    """A verified JSON member, read again and re-checked (the file could change between verify and read)."""
    with zipfile.ZipFile(path) as archive:
        data = _read_member(archive, archive.getinfo(name), MEMBER_MAX)
    if hashlib.sha256(data).hexdigest() != verified.files[name]["sha256"]:
        raise BundleInvalid("%s 在校验后被改动。%s changed after it was verified." % (name, name))
    return json.loads(data.decode("utf-8"))
