"""Open Referral HSDS 3.1: the read-only HSDS API, export and import of the directory.

mapping/queries turn directory rows into HSDS records; reader/bundle turn records back into
rows; writer applies them by id; importer, export and web put these to work.
"""
