"""The nightly export bundle to head office: change tracking, building, verifying, delivering and (at head
office) merging."""
