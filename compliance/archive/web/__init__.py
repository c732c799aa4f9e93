"""The archive's pages (search, records, the communication record, exports, legal holds, the
verification banner), apart from the archive itself.

Every app records into the archive (``compliance.archive.services.record``), the organisation included; the
pages need the organisation's roles to decide who may read them. So the pages are their own small app above
the organisation, and the archive below it imports nothing of ours but the rule engine.
"""
